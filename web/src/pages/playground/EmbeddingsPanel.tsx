import { Alert, Badge, Button, Code, Group, Stack, Table, Text, Textarea } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import {
  type EmbeddingsOutcome,
  GatewayCallError,
  type GatewayModel,
  newRequestId,
  type ResponseInfo,
  runEmbeddings,
  useAdminModels,
} from '../../api/playground';
import { useCan } from '../../api/session';
import { RequestFacts } from './RequestFacts';

/** How many numbers of each vector are shown. */
const SHOWN_NUMBERS = 6;

const PLAIN_TEXT = { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' } as const;

/**
 * The model's recorded dimension: from `/v1/models`, else (for roles that read models) from the admin API's model
 * of the version the name serves.
 */
function useRecordedDimension(model: GatewayModel): { dimension: number | null; source: string | null } {
  const fromGateway = typeof model.dimension === 'number' ? model.dimension : null;
  const canReadModels = useCan('models.read');
  const admin = useAdminModels(fromGateway === null && canReadModels);
  if (fromGateway !== null) return { dimension: fromGateway, source: 'GET /v1/models' };
  const versionId = model.version ?? model.id;
  const recorded = admin.data?.find((entry) => entry.id === versionId)?.dimension ?? null;
  return { dimension: recorded, source: recorded === null ? null : 'the model settings' };
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toFixed(6).replace(/0+$/, '').replace(/\.$/, '.0');
}

interface Result {
  inputs: string[];
  outcome: EmbeddingsOutcome | null;
  error: string | null;
  requestId: string;
  info: ResponseInfo | null;
  totalMs: number | null;
}

interface EmbeddingsPanelProps {
  apiKey: string;
  model: GatewayModel;
}

/** Embeddings mode: inputs → `POST /v1/embeddings`; each vector's length against the model's recorded dimension. */
export function EmbeddingsPanel({ apiKey, model }: EmbeddingsPanelProps) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  const controller = useRef<AbortController | null>(null);
  const { dimension, source } = useRecordedDimension(model);

  useEffect(() => () => controller.current?.abort(), []);

  const inputs = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);

  const embed = async () => {
    if (inputs.length === 0 || busy) return;
    const abort = new AbortController();
    controller.current = abort;
    setBusy(true);
    const started = performance.now();
    const sent = [...inputs];
    const requestId = newRequestId();
    try {
      const outcome = await runEmbeddings(
        apiKey,
        { model: model.id, input: sent.length === 1 ? sent[0]! : sent },
        abort.signal,
        requestId,
      );
      setResult({
        inputs: sent,
        outcome,
        error: null,
        requestId: outcome.info.requestId ?? requestId,
        info: outcome.info,
        totalMs: outcome.totalMs,
      });
    } catch (error) {
      const aborted = abort.signal.aborted;
      const info = error instanceof GatewayCallError ? error.info : null;
      setResult({
        inputs: sent,
        outcome: null,
        error: aborted ? 'Stopped.' : error instanceof Error ? error.message : String(error),
        requestId: info?.requestId ?? requestId,
        info,
        totalMs: Math.round(performance.now() - started),
      });
    } finally {
      if (controller.current === abort) controller.current = null;
      setBusy(false);
    }
  };

  const outcome = result?.outcome ?? null;
  const mismatches =
    outcome && dimension !== null
      ? outcome.vectors
          .map((vector, index) => ({ index, length: vector.length }))
          .filter(({ length }) => length !== dimension)
      : [];

  return (
    <Stack>
      <Text size="sm">
        Recorded dimension:{' '}
        {dimension === null ? (
          <Text span c="dimmed" size="sm">
            none recorded for this model
          </Text>
        ) : (
          <Text span fw={600} size="sm">
            {dimension}
            <Text span c="dimmed" size="xs">
              {' '}
              (from {source})
            </Text>
          </Text>
        )}
      </Text>
      <Textarea
        label="Inputs"
        description="One text per line; several lines are sent as one request with a list of inputs."
        value={text}
        onChange={(event) => setText(event.currentTarget.value)}
        autosize
        minRows={3}
        maxRows={12}
      />
      <Group justify="flex-end" gap="xs">
        <Button variant="default" onClick={() => controller.current?.abort()} disabled={!busy}>
          Stop
        </Button>
        <Button onClick={() => void embed()} loading={busy} disabled={inputs.length === 0}>
          Embed
        </Button>
      </Group>

      {result ? (
        <Stack gap="xs" role="region" aria-label="Embeddings result">
          {result.error ? (
            <Alert color="red" variant="light" title="The request failed">
              <Text size="sm" style={PLAIN_TEXT}>
                {result.error}
              </Text>
            </Alert>
          ) : null}
          {mismatches.length > 0 ? (
            <Alert color="orange" variant="light" title="Dimension mismatch">
              {mismatches.map(({ index, length }) => (
                <Text size="sm" key={index}>
                  Embedding {index + 1} has {length} numbers, but the model records a dimension of {dimension}
                  . Vectors of different lengths cannot be compared with the ones already stored.
                </Text>
              ))}
            </Alert>
          ) : null}
          {outcome ? (
            <Table.ScrollContainer minWidth={640}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>#</Table.Th>
                    <Table.Th>Input</Table.Th>
                    <Table.Th>Length</Table.Th>
                    <Table.Th>First numbers</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {outcome.vectors.map((vector, index) => {
                    const matches = dimension === null ? null : vector.length === dimension;
                    return (
                      // biome-ignore lint/suspicious/noArrayIndexKey: the answer's order is the inputs' order
                      <Table.Tr key={index}>
                        <Table.Td>{index + 1}</Table.Td>
                        <Table.Td maw={260}>
                          <Text size="sm" lineClamp={2} style={PLAIN_TEXT}>
                            {result.inputs[index] ?? ''}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Group gap={6} wrap="nowrap">
                            <Text size="sm">{vector.length}</Text>
                            {matches === null ? null : (
                              <Badge size="xs" variant="light" color={matches ? 'teal' : 'orange'}>
                                {matches ? 'matches' : `expected ${dimension}`}
                              </Badge>
                            )}
                          </Group>
                        </Table.Td>
                        <Table.Td>
                          <Code>
                            {vector.slice(0, SHOWN_NUMBERS).map(formatNumber).join(', ')}
                            {vector.length > SHOWN_NUMBERS ? ', …' : ''}
                          </Code>
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          ) : null}
          {outcome && outcome.vectors.length !== result.inputs.length ? (
            <Text size="xs" c="orange">
              {result.inputs.length} inputs sent, {outcome.vectors.length} embeddings received.
            </Text>
          ) : null}
          <RequestFacts
            requestId={result.requestId}
            info={result.info}
            totalMs={result.totalMs}
            promptTokens={outcome?.promptTokens ?? null}
            chat={false}
          />
        </Stack>
      ) : null}
    </Stack>
  );
}
