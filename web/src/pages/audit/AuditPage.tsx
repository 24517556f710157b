import { Anchor, Badge, Group, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import {
  type AuditEntry,
  type AuditFilter,
  auditExportHref,
  auditKeys,
  useAuditEntry,
  useAuditLog,
} from '../../api/audit';
import { CopyField } from '../../components/CopyField';
import { EmptyMessage } from '../../components/EmptyMessage';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { pageHref, usePageDetail } from '../../lib/navigation';
import { roleColor } from '../../lib/roles';
import { formatLogTime } from '../logs/logFormat';
import { DownloadLink } from '../usage/DownloadLink';
import { FilterActions } from '../usage/OptionFilter';
import { Pager, useCursorPages } from '../usage/Pager';
import { TimeRangePicker } from '../usage/TimeRangePicker';
import { initialRange, resolveRange, type TimeRange } from '../usage/timeRange';
import { JsonDiffView } from './JsonDiffView';

interface Filters {
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
}

const NO_FILTERS: Filters = { actor: '', action: '', targetType: '', targetId: '' };

function Actor({ entry }: { entry: AuditEntry }) {
  return (
    <Group gap={6} wrap="nowrap">
      <Text size="sm" style={{ wordBreak: 'break-all' }}>
        {entry.actorName ?? entry.actorId ?? '(system)'}
      </Text>
      {entry.role ? (
        <Badge size="xs" variant="light" color={roleColor(entry.role)}>
          {entry.role}
        </Badge>
      ) : null}
    </Group>
  );
}

function target(entry: AuditEntry): string {
  if (!entry.targetType && !entry.targetId) return '—';
  return [entry.targetType, entry.targetId].filter(Boolean).join(' / ');
}

function AuditTable({ entries }: { entries: AuditEntry[] }) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table striped highlightOnHover aria-label="Audit events">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Time</Table.Th>
            <Table.Th>Actor</Table.Th>
            <Table.Th>Action</Table.Th>
            <Table.Th>Target</Table.Th>
            <Table.Th>Source address</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {entries.map((entry) => (
            <Table.Tr key={entry.id}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <Anchor href={pageHref('audit', entry.id)} size="sm">
                  {formatLogTime(entry.at)}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <Actor entry={entry} />
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {entry.action}
                </Text>
              </Table.Td>
              <Table.Td style={{ wordBreak: 'break-all' }}>{target(entry)}</Table.Td>
              <Table.Td>{entry.sourceAddress ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

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

/** One audit event (`#/audit/<id>`): who, when, what, and the before/after diff. */
function AuditDetail({ id }: { id: string }) {
  const entry = useAuditEntry(id);
  return (
    <Stack gap="md">
      <Anchor href={pageHref('audit')} size="sm">
        ← Audit log
      </Anchor>
      <QueryState query={entry} label="the audit event">
        {(data) => (
          <Stack gap="md">
            <div>
              <Title order={2} ff="monospace">
                {data.action}
              </Title>
              <Text size="sm" c="dimmed">
                {formatLogTime(data.at)}
              </Text>
            </div>
            <Paper withBorder p="md" radius="md" component="section" aria-label="Event">
              <Group gap="xl" align="flex-start" wrap="wrap">
                <Field label="Actor">
                  <Actor entry={data} />
                </Field>
                <Field label="Actor id">{data.actorId ?? '—'}</Field>
                <Field label="Target">{target(data)}</Field>
                <Field label="Team">{data.teamId ?? '—'}</Field>
                <Field label="Source address">{data.sourceAddress ?? '—'}</Field>
                <Field label="User agent">{data.userAgent ?? '—'}</Field>
                <Field label="Request id">
                  {data.requestId ? <CopyField value={data.requestId} /> : '—'}
                </Field>
              </Group>
            </Paper>
            <Paper withBorder p="md" radius="md" component="section" aria-label="Before and after">
              <Title order={4} mb="sm">
                Before and after
              </Title>
              <JsonDiffView before={data.before} after={data.after} />
            </Paper>
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}

/**
 * The audit log: every change made through the admin API or UI, newest first, filtered by actor, action, target
 * and time, a page at a time; `#/audit/<id>` opens one change with its before/after diff.
 */
export function AuditPage() {
  const [detail] = usePageDetail();
  const client = useQueryClient();
  const [range, setRange] = useState<TimeRange>(() => initialRange('all'));
  const [now, setNow] = useState(() => Date.now());
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [applied] = useDebouncedValue(filters, 300);
  const [limit, setLimit] = useState(50);

  const span = resolveRange(range, now);
  const filter: AuditFilter = {
    ...(span.from ? { from: span.from } : {}),
    ...(span.to ? { to: span.to } : {}),
    ...(applied.actor ? { actor: applied.actor } : {}),
    ...(applied.action ? { action: applied.action } : {}),
    ...(applied.targetType ? { targetType: applied.targetType } : {}),
    ...(applied.targetId ? { targetId: applied.targetId } : {}),
  };
  const paging = useCursorPages(JSON.stringify([filter, limit]));
  const log = useAuditLog(filter, limit, paging.cursor);
  const set = (patch: Partial<Filters>) => setFilters((current) => ({ ...current, ...patch }));
  const text = (label: string, field: keyof Filters, placeholder: string, w = 180) => (
    <TextInput
      label={label}
      w={w}
      value={filters[field]}
      placeholder={placeholder}
      onChange={(event) => set({ [field]: event.currentTarget.value.trim() })}
    />
  );
  const filtered = JSON.stringify(filters) !== JSON.stringify(NO_FILTERS);

  if (detail !== undefined) return <AuditDetail id={detail} />;

  return (
    <Stack gap="md">
      <PageHeader
        title="Audit log"
        description="Every change made through the admin API or this dashboard: who, when, what, and the object before and after (secrets redacted). Read only."
        action={
          span.error ? null : (
            <Group gap="xs">
              <DownloadLink href={auditExportHref(filter, 'csv')} label="Export CSV" />
              <DownloadLink href={auditExportHref(filter, 'jsonl')} label="Export JSON Lines" />
            </Group>
          )
        }
      />
      <Paper
        withBorder
        p="md"
        radius="md"
        component="form"
        aria-label="Audit log filters"
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
          {text('Actor', 'actor', 'Id or name')}
          {text('Action', 'action', 'keys.rotate or keys.*')}
          {text('Target type', 'targetType', 'providers, keys, …', 160)}
          {text('Target id', 'targetId', 'Exact id')}
          <FilterActions
            onRefresh={() => {
              setNow(Date.now());
              paging.first();
              void client.invalidateQueries({ queryKey: auditKeys.all });
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
        <QueryState query={log} label="the audit log">
          {(page) =>
            page.data.length === 0 && paging.pageNumber === 1 ? (
              <EmptyMessage
                title="No audit events"
                description={
                  filtered || range.preset !== 'all'
                    ? 'No change matched the filters. Widen the time range or clear the filters.'
                    : 'Changes made through the admin API or this dashboard appear here.'
                }
              />
            ) : (
              <Stack gap="sm" style={{ opacity: log.isPlaceholderData ? 0.6 : 1 }}>
                <AuditTable entries={page.data} />
                <Pager
                  pageNumber={paging.pageNumber}
                  nextCursor={page.nextCursor}
                  onNext={paging.next}
                  onPrevious={paging.previous}
                  limit={limit}
                  onLimit={setLimit}
                  count={page.data.length}
                  loading={log.isPlaceholderData}
                />
              </Stack>
            )
          }
        </QueryState>
      )}
    </Stack>
  );
}
