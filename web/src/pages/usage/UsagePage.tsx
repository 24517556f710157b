import {
  Alert,
  Anchor,
  Center,
  Group,
  Loader,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Tooltip,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import {
  type UsageFilter,
  type UsageGroup,
  type UsageTotalsRow,
  usageExportHref,
  usageKeys,
  useUsageSeries,
  useUsageTotals,
} from '../../api/usage';
import { EmptyMessage } from '../../components/EmptyMessage';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { DownloadLink } from './DownloadLink';
import { formatCount, formatMs, formatShare, formatUsd } from './format';
import { type NameLists, nameOf, useNameLists } from './names';
import { FilterActions, OptionFilter, StatusFilter } from './OptionFilter';
import { TimeRangePicker } from './TimeRangePicker';
import { browserTimeZone, bucketFor, initialRange, resolveRange, type TimeRange } from './timeRange';
import { chartPoints, UsageCharts } from './UsageCharts';

const GROUP_LABELS: Record<UsageGroup, string> = {
  model: 'Model',
  provider: 'Provider entry',
  team: 'Team',
  key: 'Key',
};

/** Which filter field a group's value sets. */
const GROUP_FILTER: Record<UsageGroup, keyof Filters> = {
  model: 'model',
  provider: 'provider',
  team: 'teamId',
  key: 'keyId',
};

interface Filters {
  keyId: string;
  teamId: string;
  model: string;
  provider: string;
  status: 'any' | 'success' | 'error';
}

const NO_FILTERS: Filters = { keyId: '', teamId: '', model: '', provider: '', status: 'any' };

function Stat({ label, value, hint }: { label: string; value: string; hint?: string | undefined }) {
  return (
    <Paper withBorder p="sm" radius="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="lg" fw={600}>
        {value}
      </Text>
      {hint ? (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      ) : null}
    </Paper>
  );
}

/** The totals of the window: requests, errors, tokens, cost, latency. */
function TotalsStrip({ totals }: { totals: UsageTotalsRow }) {
  return (
    <SimpleGrid cols={{ base: 2, sm: 4, lg: 8 }} spacing="sm" aria-label="Totals">
      <Stat label="Requests" value={formatCount(totals.requests)} />
      <Stat
        label="Errors"
        value={formatCount(totals.errors)}
        hint={`${formatShare(totals.errors, totals.requests)} of requests`}
      />
      <Stat label="Prompt tokens" value={formatCount(totals.promptTokens)} />
      <Stat label="Completion tokens" value={formatCount(totals.completionTokens)} />
      <Stat
        label="Cost (USD)"
        value={formatUsd(totals.costUsd)}
        hint={totals.unpricedRequests > 0 ? `${formatCount(totals.unpricedRequests)} unpriced` : undefined}
      />
      <Stat label="Latency p50" value={formatMs(totals.latencyP50Ms)} />
      <Stat label="Latency p95" value={formatMs(totals.latencyP95Ms)} />
      <Stat label="Mean time to first token" value={formatMs(totals.meanFirstByteMs)} />
    </SimpleGrid>
  );
}

interface GroupTableProps {
  rows: UsageTotalsRow[];
  group: UsageGroup;
  names: NameLists;
  onPick: (value: string) => void;
}

function groupOptions(names: NameLists, group: UsageGroup) {
  return group === 'key'
    ? names.keys
    : group === 'team'
      ? names.teams
      : group === 'provider'
        ? names.providers
        : names.models;
}

/** One row per value of the chosen group, most requests first. */
function GroupTable({ rows, group, names, onPick }: GroupTableProps) {
  const options = groupOptions(names, group);
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table striped highlightOnHover aria-label={`Usage by ${GROUP_LABELS[group].toLowerCase()}`}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{GROUP_LABELS[group]}</Table.Th>
            <Table.Th ta="right">Requests</Table.Th>
            <Table.Th ta="right">Errors</Table.Th>
            <Table.Th ta="right">Prompt tokens</Table.Th>
            <Table.Th ta="right">Completion tokens</Table.Th>
            <Table.Th ta="right">Cost (USD)</Table.Th>
            <Table.Th ta="right">p50</Table.Th>
            <Table.Th ta="right">p95</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => {
            const value = row[group] ?? null;
            return (
              // One row per value of the group (null once), so the value is a unique key.
              <Table.Tr key={value === null ? 'none' : `value:${value}`}>
                <Table.Td style={{ wordBreak: 'break-all' }}>
                  {value === null ? (
                    <Text size="sm" c="dimmed">
                      (none)
                    </Text>
                  ) : (
                    <Tooltip
                      label={`Show only ${GROUP_LABELS[group].toLowerCase()} ${value}`}
                      openDelay={400}
                    >
                      <Anchor component="button" type="button" size="sm" onClick={() => onPick(value)}>
                        {nameOf(options, value)}
                      </Anchor>
                    </Tooltip>
                  )}
                </Table.Td>
                <Table.Td ta="right">{formatCount(row.requests)}</Table.Td>
                <Table.Td ta="right">
                  {formatCount(row.errors)}
                  {row.errors > 0 ? (
                    <Text span size="xs" c="dimmed">
                      {' '}
                      ({formatShare(row.errors, row.requests)})
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td ta="right">{formatCount(row.promptTokens)}</Table.Td>
                <Table.Td ta="right">{formatCount(row.completionTokens)}</Table.Td>
                <Table.Td ta="right">
                  {formatUsd(row.costUsd)}
                  {row.unpricedRequests > 0 ? (
                    <Text span size="xs" c="orange">
                      {' '}
                      ({formatCount(row.unpricedRequests)} unpriced)
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td ta="right">{formatMs(row.latencyP50Ms)}</Table.Td>
                <Table.Td ta="right">{formatMs(row.latencyP95Ms)}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/**
 * Usage over a time window: totals, charts per minute/hour/day, a table by model, provider entry, team or key,
 * and the records as CSV. A developer sees their team's usage only (the server decides).
 */
export function UsagePage() {
  const client = useQueryClient();
  const names = useNameLists();
  const [range, setRange] = useState<TimeRange>(() => initialRange('24h'));
  const [now, setNow] = useState(() => Date.now());
  const [group, setGroup] = useState<UsageGroup>('model');
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [applied] = useDebouncedValue(filters, 300);
  const timezone = useMemo(browserTimeZone, []);

  const span = resolveRange(range, now);
  const filter: UsageFilter = {
    ...(span.from ? { from: span.from } : {}),
    ...(span.to ? { to: span.to } : {}),
    ...(applied.keyId ? { keyId: applied.keyId } : {}),
    ...(applied.teamId ? { teamId: applied.teamId } : {}),
    ...(applied.model ? { model: applied.model } : {}),
    ...(applied.provider ? { provider: applied.provider } : {}),
    ...(applied.status !== 'any' ? { status: applied.status } : {}),
  };
  const valid = span.error === undefined && span.from !== undefined && span.to !== undefined;
  const bucket = valid ? bucketFor(span.from!, span.to!) : 'hour';
  const totals = useUsageTotals(filter, group);
  const series = useUsageSeries(filter, bucket, timezone);
  const set = (patch: Partial<Filters>) => setFilters((current) => ({ ...current, ...patch }));
  const filtered = JSON.stringify(filters) !== JSON.stringify(NO_FILTERS);

  const refresh = () => {
    setNow(Date.now());
    void client.invalidateQueries({ queryKey: usageKeys.all });
  };

  return (
    <Stack gap="md">
      <PageHeader
        title="Usage"
        description="Requests, tokens, cost and latency over time, from the usage records. Errors are requests answered with HTTP 4xx/5xx or that failed mid-stream."
        action={valid ? <DownloadLink href={usageExportHref(filter)} label="Download CSV" /> : null}
      />
      <Paper
        withBorder
        p="md"
        radius="md"
        component="form"
        aria-label="Usage filters"
        onSubmit={(e) => e.preventDefault()}
      >
        <Group gap="sm" align="flex-end" wrap="wrap">
          <TimeRangePicker
            value={range}
            onChange={(next) => {
              setRange(next);
              setNow(Date.now());
            }}
            presets={['1h', '24h', '7d', '30d', 'custom']}
            error={span.error}
          />
          <Select
            label="Group by"
            w={160}
            allowDeselect={false}
            data={(Object.keys(GROUP_LABELS) as UsageGroup[]).map((value) => ({
              value,
              label: GROUP_LABELS[value],
            }))}
            value={group}
            onChange={(value) => {
              if (value) setGroup(value as UsageGroup);
            }}
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
          <OptionFilter
            label="Provider entry"
            value={filters.provider}
            onChange={(provider) => set({ provider })}
            options={names.providers}
          />
          <StatusFilter value={filters.status} onChange={(status) => set({ status })} />
          <FilterActions onRefresh={refresh} filtered={filtered} onClear={() => setFilters(NO_FILTERS)} />
        </Group>
      </Paper>

      {!valid ? (
        <Alert color="orange" variant="light" title="Choose a time range">
          {span.error ?? 'Enter a start and an end.'}
        </Alert>
      ) : (
        <>
          <QueryState query={totals} label="usage totals">
            {(data) => <TotalsStrip totals={data.totals} />}
          </QueryState>
          <QueryState query={series} label="usage over time">
            {(points) =>
              points.length === 0 ? (
                <EmptyMessage
                  title="No requests in this window"
                  description="Nothing matched the time range and filters. Widen the range or clear the filters."
                />
              ) : (
                <UsageCharts
                  data={chartPoints(points, { from: span.from!, to: span.to! }, bucket)}
                  bucket={bucket}
                />
              )
            }
          </QueryState>
          <QueryState query={totals} label={`usage by ${GROUP_LABELS[group].toLowerCase()}`}>
            {(data) =>
              data.totals.requests === 0 ? null : !data.data.every((row) => Object.hasOwn(row, group)) ? (
                // Still the rows of the previous grouping, shown while the new one loads.
                <Center py="md">
                  <Loader size="sm" aria-label={`Loading usage by ${GROUP_LABELS[group].toLowerCase()}`} />
                </Center>
              ) : (
                <Stack gap="xs">
                  <Text fw={600}>By {GROUP_LABELS[group].toLowerCase()}</Text>
                  <GroupTable
                    rows={data.data}
                    group={group}
                    names={names}
                    onPick={(value) => set({ [GROUP_FILTER[group]]: value })}
                  />
                </Stack>
              )
            }
          </QueryState>
        </>
      )}
    </Stack>
  );
}
