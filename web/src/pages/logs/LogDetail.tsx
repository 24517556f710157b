import {
  Alert,
  Anchor,
  Badge,
  Code,
  Group,
  Paper,
  ScrollArea,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Timeline,
  Title,
} from '@mantine/core';
import type { ReactNode } from 'react';
import { type RequestCapture, type RequestLogEntry, useRequestLog } from '../../api/logs';
import { CopyField } from '../../components/CopyField';
import { QueryState } from '../../components/QueryState';
import { pageHref } from '../../lib/navigation';
import { formatCount, formatMs, formatUsd } from '../usage/format';
import { type NameLists, nameOf } from '../usage/names';
import { attemptColor, attemptMeaning, attemptNext, formatLogTime, StatusBadge } from './logFormat';

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm" component="div" style={{ wordBreak: 'break-all' }}>
        {children}
      </Text>
    </div>
  );
}

/** A body as text: JSON pretty-printed when it parses, else as stored. Never interpreted as HTML. */
export function bodyText(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

function Body({ title, body }: { title: string; body: string | null }) {
  return (
    <Stack gap={4} component="section" aria-label={title}>
      <Text fw={600} size="sm">
        {title}
      </Text>
      {body === null ? (
        <Text size="sm" c="dimmed">
          Not captured.
        </Text>
      ) : (
        <ScrollArea.Autosize mah={420} type="auto">
          <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
            {bodyText(body)}
          </Code>
        </ScrollArea.Autosize>
      )}
    </Stack>
  );
}

function Capture({ capture }: { capture: RequestCapture | null }) {
  if (capture === null) {
    return (
      <Text size="sm" c="dimmed">
        No bodies for this request: body capture was off for its key and team, or the capture has expired.
      </Text>
    );
  }
  return (
    <Stack gap="sm">
      {capture.truncated ? (
        <Alert color="yellow" variant="light" title="Cut at the capture limit">
          A body was longer than the capture limit; only its beginning was kept.
        </Alert>
      ) : null}
      <Body title="Request body" body={capture.requestBody} />
      <Body title="Response body" body={capture.responseBody} />
    </Stack>
  );
}

function Attempts({ entry }: { entry: RequestLogEntry }) {
  if (entry.attempts.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No backend was tried: the request was refused before routing
        {entry.errorCode ? ` (${entry.errorCode})` : ''}.
      </Text>
    );
  }
  const last = entry.attempts.length - 1;
  return (
    <Stack gap="xs">
      <Text size="sm" c="dimmed">
        Backends are tried in the order of the routing plan for the requested model (the key's fallback chain,
        split or rule). Each attempt shows what happened and why Junction moved on.
      </Text>
      <Timeline active={last} bulletSize={22} lineWidth={2}>
        {entry.attempts.map((attempt, index) => (
          <Timeline.Item
            // Attempts have no id; their position is their identity.
            // biome-ignore lint/suspicious/noArrayIndexKey: the list is fixed and ordered
            key={index}
            color={attemptColor(attempt.outcome)}
            bullet={<Text size="xs">{index + 1}</Text>}
            title={
              <Group gap="xs">
                <Text size="sm" fw={600} style={{ wordBreak: 'break-all' }}>
                  {attempt.backend}
                </Text>
                <Badge
                  size="sm"
                  variant="light"
                  color={attemptColor(attempt.outcome)}
                  style={{ textTransform: 'none' }}
                >
                  {attempt.outcome}
                  {attempt.status === undefined ? '' : ` ${attempt.status}`}
                </Badge>
              </Group>
            }
          >
            <Text size="sm">{attemptMeaning(attempt)}</Text>
            <Text size="xs" c="dimmed">
              {attemptNext(index, entry.attempts)}
            </Text>
          </Timeline.Item>
        ))}
      </Timeline>
    </Stack>
  );
}

function UsageTable({ entry }: { entry: RequestLogEntry }) {
  const rows: Array<[string, string]> = [
    ['Prompt tokens', formatCount(entry.promptTokens)],
    ['Completion tokens', formatCount(entry.completionTokens)],
    ['Cached prompt tokens', formatCount(entry.cachedTokens)],
    ['Cache write tokens', formatCount(entry.cacheWriteTokens)],
    ['Reasoning tokens', formatCount(entry.reasoningTokens)],
    [
      'Cost (USD)',
      entry.costUsd === null ? '— (unpriced)' : `${formatUsd(entry.costUsd)} (${entry.costUsd})`,
    ],
    ['Latency', formatMs(entry.latencyMs)],
    ['Time to first token', formatMs(entry.firstByteMs)],
  ];
  return (
    <Stack gap="xs">
      <Table withRowBorders={false} verticalSpacing={4} aria-label="Usage of this request" maw={520}>
        <Table.Tbody>
          {rows.map(([label, value]) => (
            <Table.Tr key={label}>
              <Table.Td c="dimmed">{label}</Table.Td>
              <Table.Td ta="right">{value}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {entry.usageEstimated ? (
        <Text size="sm" c="dimmed">
          The token counts are Junction's estimate: the provider reported no usage for this answer.
        </Text>
      ) : null}
      {entry.priceWarning ? (
        <Text size="sm" c="orange">
          {entry.priceWarning}
        </Text>
      ) : null}
    </Stack>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={title}>
      <Title order={4} mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

const exclusionLabels: Record<string, string> = {
  residency: 'outside the residency',
  unknown: 'unknown model',
  audience: 'outside its audience',
  environment: "not in the key's environment",
  kind: 'wrong kind for this endpoint',
  capability: 'lacks a capability the request needs',
  health: 'unhealthy',
  unavailable: 'no member can serve',
};

/** Why the plan looked as it did: the rule, the order the backends were planned in, and what was left out. */
function Routing({ entry }: { entry: RequestLogEntry }) {
  const route = entry.route;
  if (!route) {
    return (
      <Text size="sm" c="dimmed">
        No routing decision is recorded: the request was refused before routing.
      </Text>
    );
  }
  const tried = new Set(entry.attempts.map((attempt) => attempt.backend));
  return (
    <Stack gap="sm">
      <Text size="sm">
        {route.rule === null
          ? "No rule of the key's routing policy matched: the requested model was routed as it is."
          : `The key's routing rule “${route.rule}” matched.`}
      </Text>
      {route.planned.length > 0 ? (
        <Table aria-label="Planned backends" withTableBorder>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Order</Table.Th>
              <Table.Th>Backend</Table.Th>
              <Table.Th>Tried</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {route.planned.map((backend, index) => (
              <Table.Tr key={backend}>
                <Table.Td>{index + 1}</Table.Td>
                <Table.Td style={{ wordBreak: 'break-all' }}>{backend}</Table.Td>
                <Table.Td>{tried.has(backend) ? 'yes' : 'no (not needed)'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : (
        <Text size="sm" c="dimmed">
          Nothing could be planned: every target was left out.
        </Text>
      )}
      {route.excluded.length > 0 ? (
        <Table aria-label="Targets left out" withTableBorder>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Target</Table.Th>
              <Table.Th>Why it was left out</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {route.excluded.map((exclusion) => (
              <Table.Tr key={`${exclusion.target}|${exclusion.reason}`}>
                <Table.Td style={{ wordBreak: 'break-all' }}>{exclusion.target}</Table.Td>
                <Table.Td>
                  {exclusionLabels[exclusion.reason] ?? exclusion.reason}
                  {exclusion.detail ? `: ${exclusion.detail}` : ''}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
    </Stack>
  );
}

function EntryView({ entry, names }: { entry: RequestLogEntry; names: NameLists }) {
  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={2}>Request</Title>
          <Text size="sm" c="dimmed">
            {formatLogTime(entry.at)}
          </Text>
        </div>
        <StatusBadge status={entry.status} outcome={entry.outcome} />
      </Group>
      <Section title="Summary">
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="sm">
          <Field label="Request id">
            <CopyField value={entry.requestId} />
          </Field>
          <Field label="Key">{nameOf(names.keys, entry.keyId)}</Field>
          <Field label="Team">{nameOf(names.teams, entry.teamId)}</Field>
          <Field label="Environment">{entry.environment ?? '—'}</Field>
          <Field label="Endpoint">{entry.endpoint}</Field>
          <Field label="Streamed">{entry.stream ? 'yes' : 'no'}</Field>
          <Field label="Model requested">{entry.requestedModel ?? '—'}</Field>
          <Field label="Model served">
            {entry.model ?? '—'}
            {entry.modelVersion && entry.modelVersion !== entry.model
              ? ` (version ${entry.modelVersion})`
              : ''}
          </Field>
          <Field label="Backend served">{entry.backend ?? '—'}</Field>
          <Field label="Provider entry">{entry.providerId ?? '—'}</Field>
          <Field label="Outcome">{entry.outcome}</Field>
          <Field label="Error code">{entry.errorCode ?? '—'}</Field>
        </SimpleGrid>
      </Section>
      <Section title="Routing">
        <Routing entry={entry} />
      </Section>
      <Section title="Attempts">
        <Attempts entry={entry} />
      </Section>
      <Section title="Usage">
        <UsageTable entry={entry} />
      </Section>
      <Section title="Captured bodies">
        <Capture capture={entry.capture} />
      </Section>
    </Stack>
  );
}

/** One request (`#/logs/<id>`): what was asked, each attempt in order, the usage and the captured bodies. */
export function LogDetail({ id, names }: { id: string; names: NameLists }) {
  const entry = useRequestLog(id);
  return (
    <Stack gap="md">
      <Anchor href={pageHref('logs')} size="sm">
        ← Request logs
      </Anchor>
      <QueryState query={entry} label="the request">
        {(data) => <EntryView entry={data} names={names} />}
      </QueryState>
    </Stack>
  );
}
