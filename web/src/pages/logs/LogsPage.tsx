import { Anchor, Badge, Group, Paper, Select, Stack, Table, Text, Tooltip } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { logKeys, type RequestLog, useRequestLogs } from '../../api/logs';
import type { UsageFilter } from '../../api/usage';
import { EmptyMessage } from '../../components/EmptyMessage';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { pageHref, usePageDetail } from '../../lib/navigation';
import { formatCount, formatMs, formatUsd } from '../usage/format';
import { type NameLists, nameOf, useNameLists } from '../usage/names';
import { FilterActions, OptionFilter, StatusFilter } from '../usage/OptionFilter';
import { Pager, useCursorPages } from '../usage/Pager';
import { TimeRangePicker } from '../usage/TimeRangePicker';
import { initialRange, resolveRange, type TimeRange } from '../usage/timeRange';
import { LogDetail } from './LogDetail';
import { formatLogTime, StatusBadge } from './logFormat';

interface Filters {
  keyId: string;
  teamId: string;
  model: string;
  status: 'any' | 'success' | 'error';
  stream: 'any' | 'true' | 'false';
  captured: 'any' | 'true' | 'false';
}

const NO_FILTERS: Filters = {
  keyId: '',
  teamId: '',
  model: '',
  status: 'any',
  stream: 'any',
  captured: 'any',
};

function Tokens({ log }: { log: RequestLog }) {
  if (log.promptTokens === null && log.completionTokens === null) return '—';
  const text = `${formatCount(log.promptTokens ?? 0)} / ${formatCount(log.completionTokens ?? 0)}`;
  return log.usageEstimated ? (
    <Tooltip label="Estimated by Junction: the provider reported no usage">
      <Text span size="sm">
        ~{text}
      </Text>
    </Tooltip>
  ) : (
    text
  );
}

function LogRow({ log, names }: { log: RequestLog; names: NameLists }) {
  return (
    <Table.Tr>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Anchor href={pageHref('logs', log.id)} size="sm">
          {formatLogTime(log.at)}
        </Anchor>
      </Table.Td>
      <Table.Td style={{ wordBreak: 'break-all' }}>{nameOf(names.keys, log.keyId)}</Table.Td>
      <Table.Td style={{ wordBreak: 'break-all' }}>
        <Text span size="sm">
          {log.requestedModel ?? '—'}
        </Text>
        <Text span size="sm" c="dimmed">
          {' → '}
          {log.backend ?? 'no backend'}
        </Text>
      </Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          <StatusBadge status={log.status} outcome={log.outcome} />
          {log.stream ? (
            <Badge size="xs" variant="outline" color="gray">
              stream
            </Badge>
          ) : null}
          {log.captured ? (
            <Badge size="xs" variant="outline" color="indigo">
              bodies
            </Badge>
          ) : null}
        </Group>
      </Table.Td>
      <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
        <Tokens log={log} />
      </Table.Td>
      <Table.Td ta="right">{formatUsd(log.costUsd)}</Table.Td>
      <Table.Td ta="right">{formatMs(log.latencyMs)}</Table.Td>
      <Table.Td ta="right">{formatMs(log.firstByteMs)}</Table.Td>
    </Table.Tr>
  );
}

function LogList({ logs, names }: { logs: RequestLog[]; names: NameLists }) {
  return (
    <Table.ScrollContainer minWidth={1000}>
      <Table striped highlightOnHover aria-label="Requests">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Time</Table.Th>
            <Table.Th>Key</Table.Th>
            <Table.Th>Model → backend</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th ta="right">Tokens (prompt / completion)</Table.Th>
            <Table.Th ta="right">Cost</Table.Th>
            <Table.Th ta="right">Latency</Table.Th>
            <Table.Th ta="right">TTFT</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {logs.map((log) => (
            <LogRow key={log.id} log={log} names={names} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

const anyYesNo = (yes: string, no: string) => [
  { value: 'any', label: 'Any' },
  { value: 'true', label: yes },
  { value: 'false', label: no },
];

/**
 * The request log: every chat and embeddings request, newest first, filtered, a page at a time; `#/logs/<id>`
 * opens one request. The filters live here, so they survive opening a request and coming back.
 */
export function LogsPage() {
  const [detail] = usePageDetail();
  const client = useQueryClient();
  const names = useNameLists();
  const [range, setRange] = useState<TimeRange>(() => initialRange('24h'));
  const [now, setNow] = useState(() => Date.now());
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [applied] = useDebouncedValue(filters, 300);
  const [limit, setLimit] = useState(50);

  const span = resolveRange(range, now);
  const filter: UsageFilter = {
    ...(span.from ? { from: span.from } : {}),
    ...(span.to ? { to: span.to } : {}),
    ...(applied.keyId ? { keyId: applied.keyId } : {}),
    ...(applied.teamId ? { teamId: applied.teamId } : {}),
    ...(applied.model ? { model: applied.model } : {}),
    ...(applied.status !== 'any' ? { status: applied.status } : {}),
    ...(applied.stream !== 'any' ? { stream: applied.stream } : {}),
    ...(applied.captured !== 'any' ? { captured: applied.captured } : {}),
  };
  const paging = useCursorPages(JSON.stringify([filter, limit]));
  const logs = useRequestLogs(filter, limit, paging.cursor);
  const set = (patch: Partial<Filters>) => setFilters((current) => ({ ...current, ...patch }));
  const filtered = JSON.stringify(filters) !== JSON.stringify(NO_FILTERS);

  if (detail !== undefined) return <LogDetail id={detail} names={names} />;

  return (
    <Stack gap="md">
      <PageHeader
        title="Request logs"
        description="Every chat and embeddings request, refused ones included, newest first. Prompts and answers are kept only for keys or teams with body capture on, secrets redacted."
      />
      <Paper
        withBorder
        p="md"
        radius="md"
        component="form"
        aria-label="Request log filters"
        onSubmit={(e) => e.preventDefault()}
      >
        <Group gap="sm" align="flex-end" wrap="wrap">
          <TimeRangePicker
            value={range}
            onChange={(next) => {
              setRange(next);
              setNow(Date.now());
            }}
            presets={['1h', '24h', '7d', '30d', 'all', 'custom']}
            error={span.error}
          />
          <OptionFilter
            label="Key"
            value={filters.keyId}
            onChange={(keyId) => set({ keyId })}
            options={names.keys}
          />
          <OptionFilter
            label="Team"
            value={filters.teamId}
            onChange={(teamId) => set({ teamId })}
            options={names.teams}
          />
          <OptionFilter
            label="Model"
            value={filters.model}
            onChange={(model) => set({ model })}
            options={names.models}
          />
          <StatusFilter value={filters.status} onChange={(status) => set({ status })} />
          <Select
            label="Streamed"
            w={120}
            allowDeselect={false}
            data={anyYesNo('Streamed', 'Not streamed')}
            value={filters.stream}
            onChange={(stream) => set({ stream: (stream ?? 'any') as Filters['stream'] })}
          />
          <Select
            label="Bodies captured"
            w={140}
            allowDeselect={false}
            data={anyYesNo('Captured', 'Not captured')}
            value={filters.captured}
            onChange={(captured) => set({ captured: (captured ?? 'any') as Filters['captured'] })}
          />
          <FilterActions
            onRefresh={() => {
              setNow(Date.now());
              paging.first();
              void client.invalidateQueries({ queryKey: logKeys.all });
            }}
            filtered={filtered}
            onClear={() => setFilters(NO_FILTERS)}
          />
        </Group>
      </Paper>
      {span.error ? (
        <Text c="red" size="sm">
          {span.error}
        </Text>
      ) : (
        <QueryState query={logs} label="the request log">
          {(page) =>
            page.data.length === 0 && paging.pageNumber === 1 ? (
              <EmptyMessage
                title="No requests"
                description="No request matched the time range and filters. Widen the range or clear the filters."
              />
            ) : (
              <Stack gap="sm" style={{ opacity: logs.isPlaceholderData ? 0.6 : 1 }}>
                <LogList logs={page.data} names={names} />
                <Pager
                  pageNumber={paging.pageNumber}
                  nextCursor={page.nextCursor}
                  onNext={paging.next}
                  onPrevious={paging.previous}
                  limit={limit}
                  onLimit={setLimit}
                  count={page.data.length}
                  loading={logs.isPlaceholderData}
                />
              </Stack>
            )
          }
        </QueryState>
      )}
    </Stack>
  );
}
