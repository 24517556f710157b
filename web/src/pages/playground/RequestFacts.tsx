import { Alert, Code, Group, List, Loader, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { errorMessage } from '../../api/ApiError';
import { formatCost, type ResponseInfo, useUsageRecord } from '../../api/playground';
import { useCan } from '../../api/session';

/** One "name: value" pair of the facts line. */
function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Text size="xs" c="dimmed" component="span">
      {label}:{' '}
      <Text span size="xs" fw={500} c="bright">
        {children}
      </Text>
    </Text>
  );
}

function milliseconds(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${value} ms`;
}

/** A token count: the answer's own, else the usage record's (which may be an estimate), else a dash. */
function tokens(
  own: number | null | undefined,
  recorded: number | null | undefined,
  estimated: boolean,
): string {
  if (own !== null && own !== undefined) return String(own);
  if (recorded === null || recorded === undefined) return '—';
  return `${recorded} (from the usage record${estimated ? ', estimated' : ''})`;
}

type UsageLookup = ReturnType<typeof useUsageRecord>;

/**
 * The cost of the request, from its usage record (`usage.read`). Records are stored in batches, so it shows
 * "pending" while it looks for the record, then the value.
 */
function costText(requestId: string | null, canRead: boolean, record: UsageLookup): ReactNode {
  if (requestId === null) return 'unknown (no request id)';
  if (!canRead) return 'your role cannot read usage (usage.read)';
  if (record.isError) return `could not be read: ${errorMessage(record.error)}`;
  if (record.data) {
    const { costUsd, priceWarning, usageEstimated } = record.data;
    return costUsd === null
      ? `not priced${priceWarning ? ` (${priceWarning})` : ''}`
      : `${formatCost(costUsd)}${usageEstimated ? ' (tokens estimated)' : ''}`;
  }
  if (record.exhausted) return 'not recorded yet: look it up later on the usage page by the request id';
  return (
    <Group gap={4} component="span" display="inline-flex">
      pending <Loader size={10} aria-label="Looking up the cost" />
    </Group>
  );
}

export interface RequestFactsProps {
  /** The request's id (the gateway's `x-request-id`, or the one the Playground sent). */
  requestId: string | null;
  info: ResponseInfo | null;
  totalMs?: number | null;
  firstTokenMs?: number | null;
  promptTokens?: number | null;
  completionTokens?: number | null;
  /** Show the completion tokens and time to first token (chat); embeddings have neither. */
  chat?: boolean;
}

/**
 * How a request was served: the gateway's headers, the latency measured here, tokens (the answer's, else its usage
 * record's) and the cost from its usage record.
 */
export function RequestFacts({
  requestId,
  info,
  totalMs,
  firstTokenMs,
  promptTokens,
  completionTokens,
  chat = true,
}: RequestFactsProps) {
  const canRead = useCan('usage.read');
  const record = useUsageRecord(requestId, canRead);
  const estimated = record.data?.usageEstimated ?? false;
  return (
    <Stack gap={4} role="group" aria-label="Request details">
      <Group gap="md" wrap="wrap">
        <Fact label="Backend">{info?.backend ?? '—'}</Fact>
        <Fact label="Attempts">{info?.attempts ?? '—'}</Fact>
        <Fact label="Model version">{info?.modelVersion ?? '—'}</Fact>
        {info?.route ? <Fact label="Route">{info.route}</Fact> : null}
        <Fact label="Latency">{milliseconds(totalMs)}</Fact>
        {chat ? <Fact label="Time to first token">{milliseconds(firstTokenMs)}</Fact> : null}
        <Fact label="Prompt tokens">{tokens(promptTokens, record.data?.promptTokens, estimated)}</Fact>
        {chat ? (
          <Fact label="Completion tokens">
            {tokens(completionTokens, record.data?.completionTokens, estimated)}
          </Fact>
        ) : null}
        <Fact label="Cost">{costText(requestId, canRead, record)}</Fact>
      </Group>
      {requestId ? (
        <Text size="xs" c="dimmed">
          Request id: <Code>{requestId}</Code>
        </Text>
      ) : null}
      {info && info.warnings.length > 0 ? (
        <Alert color="yellow" variant="light" p="xs" title="Warnings from the gateway">
          <List size="xs">
            {info.warnings.map((warning) => (
              <List.Item key={warning}>{warning}</List.Item>
            ))}
          </List>
        </Alert>
      ) : null}
    </Stack>
  );
}
