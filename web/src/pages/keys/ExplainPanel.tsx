import {
  Alert,
  Autocomplete,
  Badge,
  Button,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  TagsInput,
  Text,
  Title,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { fieldError } from '../../api/ApiError';
import type { ApiKeyView } from '../../api/keys';
import { type ExplainInput, type Explanation, useExplain, useTargetChoices } from '../../api/routing';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PermissionButton } from '../../components/GuardedButton';
import { PairRows } from './PairRows';
import { type PairForm, pairsRecord } from './routingForm';

const healthColors: Record<string, string> = {
  healthy: 'teal',
  unhealthy: 'red',
  unverified: 'gray',
  deferred: 'blue',
  ejected: 'orange',
  cooling: 'yellow',
};

const reasonLabels: Record<string, string> = {
  unknown: 'unknown model',
  audience: 'not in the audience',
  environment: 'not in this environment',
  kind: 'wrong kind',
  capability: 'lacks a capability',
  health: 'unhealthy',
  residency: 'outside the residency',
  unavailable: 'unavailable',
};

function PlanView({ explanation }: { explanation: Explanation }) {
  return (
    <Stack gap="md" aria-label="Routing plan">
      {explanation.ok ? (
        <Alert color="teal" variant="light" title="This request would be served">
          <Text size="sm">
            {explanation.plan.length === 1
              ? 'One attempt is planned.'
              : `${explanation.plan.length} attempts are planned, tried in this order until one succeeds.`}
          </Text>
        </Alert>
      ) : (
        <Alert color="red" variant="light" title="This request would be refused">
          <Text size="sm">
            {explanation.error
              ? `${explanation.error.message} (${explanation.error.code})`
              : 'No target can serve it.'}
          </Text>
        </Alert>
      )}
      <Group gap="xs">
        <Text size="sm" fw={500}>
          Rule:
        </Text>
        {explanation.rule === null ? (
          <Text size="sm">none: the model as named</Text>
        ) : explanation.rule === 'default' ? (
          <Badge variant="light">default strategy</Badge>
        ) : (
          <Badge variant="light" color="grape" style={{ textTransform: 'none' }}>
            {explanation.rule}
          </Badge>
        )}
      </Group>
      <div>
        <Text size="sm" fw={500} mb={4}>
          Planned attempts
        </Text>
        {explanation.plan.length === 0 ? (
          <Text size="sm" c="dimmed">
            None.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={700}>
            <Table striped aria-label="Planned attempts">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>#</Table.Th>
                  <Table.Th>Backend</Table.Th>
                  <Table.Th>Provider</Table.Th>
                  <Table.Th>Model</Table.Th>
                  <Table.Th>Version</Table.Th>
                  <Table.Th>Weight</Table.Th>
                  <Table.Th>Priority</Table.Th>
                  <Table.Th>Health</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {explanation.plan.map((step, index) => (
                  <Table.Tr key={step.backend}>
                    <Table.Td>{index + 1}</Table.Td>
                    <Table.Td style={{ wordBreak: 'break-all' }}>{step.backend}</Table.Td>
                    <Table.Td>{step.provider}</Table.Td>
                    <Table.Td>{step.model}</Table.Td>
                    <Table.Td>{step.version}</Table.Td>
                    <Table.Td>{step.weight}</Table.Td>
                    <Table.Td>{step.priority}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={healthColors[step.health] ?? 'gray'}>
                        {step.health}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </div>
      <div>
        <Text size="sm" fw={500} mb={4}>
          Left out
        </Text>
        {explanation.excluded.length === 0 ? (
          <Text size="sm" c="dimmed">
            Nothing was left out.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={600}>
            <Table striped aria-label="Targets left out">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Target</Table.Th>
                  <Table.Th>Reason</Table.Th>
                  <Table.Th>Detail</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {explanation.excluded.map((each) => (
                  <Table.Tr key={`${each.target}:${each.reason}:${each.detail}`}>
                    <Table.Td style={{ wordBreak: 'break-all' }}>{each.target}</Table.Td>
                    <Table.Td>
                      <Badge variant="outline" color="orange" style={{ textTransform: 'none' }}>
                        {reasonLabels[each.reason] ?? each.reason}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{each.detail}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </div>
    </Stack>
  );
}

/** A sample request for the key, and how the gateway would route it now (`POST /routing/explain`). */
export function ExplainPanel({ apiKey }: { apiKey: ApiKeyView }) {
  const [model, setModel] = useState('');
  const [endpoint, setEndpoint] = useState<'chat' | 'embeddings'>('chat');
  const [headers, setHeaders] = useState<PairForm[]>([]);
  const [metadata, setMetadata] = useState<PairForm[]>([]);
  const [tags, setTags] = useState<string[]>([]);
  const [stream, setStream] = useState(false);
  const [tools, setTools] = useState(false);
  const [images, setImages] = useState(false);
  const [jsonOutput, setJsonOutput] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  const explain = useExplain();
  const choices = useTargetChoices();

  const modelProblem = submitted && !model.trim() ? 'Required' : undefined;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitted(true);
    if (!model.trim()) return;
    const headerRecord = pairsRecord(headers, true);
    const metadataRecord = pairsRecord(metadata);
    const input: ExplainInput = {
      keyId: apiKey.id,
      endpoint,
      model: model.trim(),
      ...(headerRecord ? { headers: headerRecord } : {}),
      ...(metadataRecord ? { metadata: metadataRecord } : {}),
      ...(tags.length > 0 ? { tags } : {}),
      ...(endpoint === 'chat' ? { stream, tools, images, jsonOutput } : {}),
    };
    explain.mutate(input);
  };

  return (
    <Stack gap="md">
      <div>
        <Title order={3}>Explain routing</Title>
        <Text size="sm" c="dimmed">
          Describe a request and see how the gateway would route it for this key right now, without sending
          it: the rule that matches, the attempts in order, and every target left out with the reason. It uses
          the saved policy, not unsaved changes in the editor.
        </Text>
      </div>
      {apiKey.revokedAt ? (
        <Alert color="gray" variant="light" title="This key is revoked">
          <Text size="sm">A revoked key serves no request, so there is nothing to explain.</Text>
        </Alert>
      ) : null}
      <Paper withBorder p="md">
        <form onSubmit={submit} noValidate aria-label="Sample request">
          <Stack gap="sm">
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Autocomplete
                label="Requested model"
                placeholder="the model field of the request"
                data={choices.data?.models ?? []}
                value={model}
                onChange={setModel}
                error={modelProblem ?? fieldError(explain.error, 'model')}
                required
              />
              <Select
                label="Endpoint"
                data={[
                  { value: 'chat', label: 'Chat completions' },
                  { value: 'embeddings', label: 'Embeddings' },
                ]}
                value={endpoint}
                onChange={(value) => value && setEndpoint(value as 'chat' | 'embeddings')}
                allowDeselect={false}
              />
            </SimpleGrid>
            <Text size="xs" fw={500}>
              Headers
            </Text>
            <PairRows
              noun="Sample header"
              rows={headers}
              onChange={setHeaders}
              error={fieldError(explain.error, 'headers')}
              namePlaceholder="x-tier"
            />
            <Text size="xs" fw={500}>
              Metadata
            </Text>
            <PairRows
              noun="Sample metadata"
              rows={metadata}
              onChange={setMetadata}
              error={fieldError(explain.error, 'metadata')}
            />
            <TagsInput
              label="Sample tags"
              description="As sent in x-junction-tags"
              value={tags}
              onChange={setTags}
              error={fieldError(explain.error, 'tags')}
              clearable
            />
            {endpoint === 'chat' ? (
              <Group gap="lg">
                <Switch
                  label="Stream"
                  checked={stream}
                  onChange={(e) => setStream(e.currentTarget.checked)}
                />
                <Switch
                  label="Uses tools"
                  checked={tools}
                  onChange={(e) => setTools(e.currentTarget.checked)}
                />
                <Switch
                  label="Has images"
                  checked={images}
                  onChange={(e) => setImages(e.currentTarget.checked)}
                />
                <Switch
                  label="JSON output"
                  checked={jsonOutput}
                  onChange={(e) => setJsonOutput(e.currentTarget.checked)}
                />
              </Group>
            ) : null}
            <Group justify="flex-end">
              {explain.data || explain.error ? (
                <Button variant="default" onClick={() => explain.reset()}>
                  Clear result
                </Button>
              ) : null}
              <PermissionButton type="submit" permission="routing.read" loading={explain.isPending}>
                Explain
              </PermissionButton>
            </Group>
          </Stack>
        </form>
      </Paper>
      <ErrorAlert error={explain.error} title="Could not explain the route" />
      {explain.data ? <PlanView explanation={explain.data} /> : null}
    </Stack>
  );
}
