import { Anchor, Badge, Group, Select, Table, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useState } from 'react';
import { type ProviderEntry, useProviders, useProviderTypes } from '../../api/providers';
import { EmptyMessage } from '../../components/EmptyMessage';
import { PermissionButton } from '../../components/GuardedButton';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { formatDateTime } from '../../lib/format';
import { pageHref, usePageDetail } from '../../lib/navigation';
import { ConnectProviderDrawer } from './ConnectProviderDrawer';
import { StatusBadge } from './HealthBadge';
import { ProviderDetail } from './ProviderDetail';
import {
  filterProviders,
  type SortKey,
  type SortState,
  type StatusFilter,
  sortProviders,
} from './providerList';

const columns: { key: SortKey; label: string }[] = [
  { key: 'id', label: 'Identifier' },
  { key: 'displayName', label: 'Display name' },
  { key: 'type', label: 'Type' },
  { key: 'region', label: 'Region' },
  { key: 'environments', label: 'Environments' },
  { key: 'status', label: 'Status' },
  { key: 'lastVerifiedAt', label: 'Last verified' },
  { key: 'latencyMs', label: 'Latency' },
];

const statusOptions: { value: StatusFilter; label: string }[] = [
  { value: 'all', label: 'All statuses' },
  { value: 'healthy', label: 'Healthy' },
  { value: 'unhealthy', label: 'Unhealthy' },
  { value: 'unverified', label: 'Unverified' },
  { value: 'deferred', label: 'Deferred' },
  { value: 'disabled', label: 'Disabled' },
];

function SortHeader({
  column,
  sort,
  onSort,
}: {
  column: { key: SortKey; label: string };
  sort: SortState;
  onSort: (key: SortKey) => void;
}) {
  const active = sort.key === column.key;
  const arrow = active ? (sort.direction === 'asc' ? ' ▲' : ' ▼') : '';
  return (
    <Table.Th aria-sort={active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <UnstyledButton onClick={() => onSort(column.key)} fw={600} fz="sm">
        {column.label}
        {arrow}
      </UnstyledButton>
    </Table.Th>
  );
}

function ProviderRow({ provider, typeLabel }: { provider: ProviderEntry; typeLabel: string }) {
  return (
    <Table.Tr>
      <Table.Td>
        <Anchor href={pageHref('providers', provider.id)} ff="monospace" size="sm">
          {provider.id}
        </Anchor>
      </Table.Td>
      <Table.Td>{provider.displayName}</Table.Td>
      <Table.Td>{typeLabel}</Table.Td>
      <Table.Td>{provider.region ?? '—'}</Table.Td>
      <Table.Td>
        <Group gap={4}>
          {provider.environments.map((environment) => (
            <Badge key={environment} variant="light" size="sm" color="gray">
              {environment}
            </Badge>
          ))}
        </Group>
      </Table.Td>
      <Table.Td miw={120}>
        <Group gap={4}>
          <StatusBadge status={provider.health.status} />
          {provider.enabled ? null : (
            <Badge color="gray" variant="outline">
              disabled
            </Badge>
          )}
        </Group>
        {provider.health.diagnostic ? (
          <Text size="xs" c="red" lineClamp={1} maw={260}>
            {provider.health.diagnostic.stage}: {provider.health.diagnostic.message}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>
        <Text size="sm">
          {provider.health.lastVerifiedAt ? formatDateTime(provider.health.lastVerifiedAt) : 'never'}
        </Text>
      </Table.Td>
      <Table.Td>{provider.health.latencyMs !== null ? `${provider.health.latencyMs} ms` : '—'}</Table.Td>
    </Table.Tr>
  );
}

function ProvidersList() {
  const providers = useProviders();
  const types = useProviderTypes();
  const [connecting, setConnecting] = useState(false);
  const [text, setText] = useState('');
  const [status, setStatus] = useState<StatusFilter>('all');
  const [sort, setSort] = useState<SortState>({ key: 'id', direction: 'asc' });
  const typeLabel = (type: string) => types.data?.find((entry) => entry.type === type)?.displayName ?? type;
  const onSort = (key: SortKey) =>
    setSort((current) =>
      current.key === key
        ? { key, direction: current.direction === 'asc' ? 'desc' : 'asc' }
        : { key, direction: 'asc' },
    );

  const connectButton = (
    <PermissionButton permission="providers.write" onClick={() => setConnecting(true)}>
      Connect provider
    </PermissionButton>
  );

  return (
    <>
      <PageHeader
        title="Providers"
        description="Provider entries: one endpoint and one credential each (a subscription in one region)."
        action={connectButton}
      />
      <QueryState query={providers} label="providers">
        {(data) => {
          if (data.length === 0) {
            return (
              <EmptyMessage
                title="No providers yet"
                description="Connect a provider (OpenAI, Azure OpenAI, Anthropic, Bedrock, Vertex, Gemini, Mistral, any OpenAI-compatible server, or the built-in echo provider for testing) and pick the models it serves."
                action={connectButton}
              />
            );
          }
          const rows = sortProviders(filterProviders(data, text, status, typeLabel), sort, typeLabel);
          return (
            <>
              <Group mb="sm" align="flex-end">
                <TextInput
                  label="Filter"
                  placeholder="Identifier, name, type, region or environment"
                  value={text}
                  onChange={(event) => setText(event.currentTarget.value)}
                  w={340}
                />
                <Select
                  label="Status"
                  data={statusOptions}
                  value={status}
                  onChange={(value) => setStatus((value as StatusFilter | null) ?? 'all')}
                  allowDeselect={false}
                  w={180}
                />
                <Text size="sm" c="dimmed">
                  {rows.length} of {data.length}
                </Text>
              </Group>
              {rows.length === 0 ? (
                <EmptyMessage
                  title="No provider matches"
                  description="Change the filter or the status to see more."
                />
              ) : (
                <Table.ScrollContainer minWidth={960}>
                  <Table striped highlightOnHover>
                    <Table.Thead>
                      <Table.Tr>
                        {columns.map((column) => (
                          <SortHeader key={column.key} column={column} sort={sort} onSort={onSort} />
                        ))}
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {rows.map((provider) => (
                        <ProviderRow
                          key={provider.id}
                          provider={provider}
                          typeLabel={typeLabel(provider.type)}
                        />
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              )}
            </>
          );
        }}
      </QueryState>
      <ConnectProviderDrawer
        opened={connecting}
        onClose={() => setConnecting(false)}
        existingIds={new Set((providers.data ?? []).map((provider) => provider.id))}
      />
    </>
  );
}

/** `#/providers`: the list; `#/providers/<id>`: one entry's page. */
export function ProvidersPage() {
  const [id] = usePageDetail();
  return id ? <ProviderDetail id={id} /> : <ProvidersList />;
}
