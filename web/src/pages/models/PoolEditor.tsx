import {
  Alert,
  Autocomplete,
  Badge,
  Button,
  Group,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { useState } from 'react';
import { errorMessage, fieldError } from '../../api/ApiError';
import { type PoolMember, useDiscoveredModels } from '../../api/models';
import type { ProviderEntry, ProviderTypeInfo } from '../../api/providers';
import { newPoolRow, type PoolRow, type PoolRowErrors, trafficShares } from './modelForm';

interface PoolEditorProps {
  rows: PoolRow[];
  onChange: (rows: PoolRow[]) => void;
  /** Client-side problems, shown once the form was submitted. */
  errors?: { rows: PoolRowErrors[]; pool?: string };
  /** The API's answer to the last save: its field errors (`deployments.<n>.<field>`) go next to the fields. */
  apiError?: unknown;
  providers: ProviderEntry[] | undefined;
  /** The catalog, to know which entries can list their models. */
  providerTypes: ProviderTypeInfo[] | undefined;
  /** Why the provider entries are not listed, if they could not be loaded. */
  providersProblem?: string;
}

function providerLabel(provider: ProviderEntry): string {
  const region = provider.region ? `, ${provider.region}` : '';
  return `${provider.displayName} (${provider.id}${region})`;
}

interface RowProps {
  row: PoolRow;
  index: number;
  share: number | null;
  errors: PoolRowErrors;
  apiError: unknown;
  providers: ProviderEntry[] | undefined;
  providerTypes: ProviderTypeInfo[] | undefined;
  providersProblem: string | undefined;
  onChange: (row: PoolRow) => void;
  onRemove: () => void;
  canRemove: boolean;
}

function PoolRowEditor({
  row,
  index,
  share,
  errors,
  apiError,
  providers,
  providerTypes,
  providersProblem,
  onChange,
  onRemove,
  canRemove,
}: RowProps) {
  const number = index + 1;
  const [discoverFor, setDiscoverFor] = useState<string | null>(null);
  const provider = providers?.find((entry) => entry.id === row.providerId);
  const type = providerTypes?.find((entry) => entry.type === provider?.type);
  const canDiscover = type?.discovery === true;
  const discovered = useDiscoveredModels(
    row.providerId,
    discoverFor !== null && discoverFor === row.providerId,
  );
  const apiField = (field: string) => fieldError(apiError, `deployments.${index}.${field}`);

  const options = (providers ?? []).map((entry) => ({ value: entry.id, label: providerLabel(entry) }));
  if (row.providerId && !options.some((option) => option.value === row.providerId)) {
    options.push({ value: row.providerId, label: row.providerId });
  }
  const offered = discovered.data
    ? [...new Set([...discovered.data.models.map((model) => model.id), ...discovered.data.new])].sort()
    : [];

  const description = provider
    ? [
        provider.region ? `Region ${provider.region}` : 'No region',
        provider.enabled ? null : 'entry disabled',
        `health: ${provider.health.status}`,
      ]
        .filter(Boolean)
        .join(' · ')
    : undefined;

  return (
    <Paper withBorder p="sm" radius="sm">
      <Stack gap="xs">
        <Group justify="space-between">
          <Text size="sm" fw={600}>
            Deployment {number}
          </Text>
          <Group gap="xs">
            {share !== null ? (
              <Text size="xs" c="dimmed">
                {share}% of priority {row.priority || '0'} traffic
              </Text>
            ) : null}
            <Button
              size="xs"
              variant="subtle"
              color="red"
              onClick={onRemove}
              disabled={!canRemove}
              aria-label={`Remove deployment ${number}`}
            >
              Remove
            </Button>
          </Group>
        </Group>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
          <Select
            label="Provider entry"
            aria-label={`Provider entry ${number}`}
            placeholder={
              providers === undefined && !providersProblem ? 'Loading provider entries…' : 'Choose'
            }
            data={options}
            value={row.providerId}
            onChange={(value) => {
              setDiscoverFor(null);
              onChange({ ...row, providerId: value });
            }}
            description={description}
            error={errors.providerId ?? apiField('providerId') ?? providersProblem}
            searchable
            required
          />
          <Stack gap={4}>
            <Autocomplete
              label="Upstream model"
              aria-label={`Upstream model ${number}`}
              description="The name the provider expects"
              placeholder="gpt-4o-mini"
              data={offered}
              value={row.upstreamModel}
              onChange={(value) => onChange({ ...row, upstreamModel: value })}
              error={errors.upstreamModel ?? apiField('upstreamModel')}
              required
            />
            {canDiscover ? (
              <Group gap="xs">
                <Button
                  size="compact-xs"
                  variant="light"
                  loading={discovered.isFetching}
                  onClick={() => {
                    setDiscoverFor(row.providerId);
                    if (discoverFor === row.providerId) void discovered.refetch();
                  }}
                  aria-label={`Discover models of deployment ${number}`}
                >
                  Discover
                </Button>
                {discovered.isError ? (
                  <Text size="xs" c="red">
                    {errorMessage(discovered.error)}
                  </Text>
                ) : discovered.data ? (
                  <Text size="xs" c="dimmed">
                    {offered.length === 0
                      ? 'The provider listed no models'
                      : `${offered.length} models offered: pick one from the list`}
                  </Text>
                ) : null}
              </Group>
            ) : null}
          </Stack>
          <NumberInput
            label="Weight"
            aria-label={`Weight ${number}`}
            description="Share of traffic among equal priority (0: none)"
            value={row.weight}
            onChange={(value) => onChange({ ...row, weight: String(value) })}
            error={errors.weight ?? apiField('weight')}
            min={0}
            max={10_000}
            allowDecimal={false}
            allowNegative={false}
          />
          <NumberInput
            label="Priority"
            aria-label={`Priority ${number}`}
            description="Lower is tried first; higher ones take over on failure"
            value={row.priority}
            onChange={(value) => onChange({ ...row, priority: String(value) })}
            error={errors.priority ?? apiField('priority')}
            min={0}
            max={100}
            allowDecimal={false}
            allowNegative={false}
          />
        </SimpleGrid>
      </Stack>
    </Paper>
  );
}

/** Edits a pool: one card per deployment (provider entry, upstream model, weight, priority), add and remove. */
export function PoolEditor({
  rows,
  onChange,
  errors,
  apiError,
  providers,
  providerTypes,
  providersProblem,
}: PoolEditorProps) {
  const shares = trafficShares(rows);
  const poolProblem = errors?.pool ?? fieldError(apiError, 'deployments');
  return (
    <Stack gap="xs">
      {rows.map((row, index) => (
        <PoolRowEditor
          key={row.key}
          row={row}
          index={index}
          share={rows.length > 1 ? (shares[index] ?? null) : null}
          errors={errors?.rows[index] ?? {}}
          apiError={apiError}
          providers={providers}
          providerTypes={providerTypes}
          providersProblem={providersProblem}
          canRemove={rows.length > 1}
          onChange={(next) => onChange(rows.map((current, at) => (at === index ? next : current)))}
          onRemove={() => onChange(rows.filter((_, at) => at !== index))}
        />
      ))}
      {poolProblem ? (
        <Alert color="red" variant="light" p="xs">
          <Text size="sm">{poolProblem}</Text>
        </Alert>
      ) : null}
      <Group>
        <Button variant="light" size="xs" onClick={() => onChange([...rows, newPoolRow()])}>
          Add deployment
        </Button>
      </Group>
    </Stack>
  );
}

/** The pool as a table, for roles that may not change it. */
export function PoolTable({
  members,
  providers,
}: {
  members: PoolMember[];
  providers: ProviderEntry[] | undefined;
}) {
  if (members.length === 0) return <Text size="sm">This model has no deployment: it cannot serve.</Text>;
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Provider entry</Table.Th>
            <Table.Th>Region</Table.Th>
            <Table.Th>Upstream model</Table.Th>
            <Table.Th>Weight</Table.Th>
            <Table.Th>Priority</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {members.map((member) => {
            const provider = providers?.find((entry) => entry.id === member.providerId);
            return (
              <Table.Tr key={`${member.providerId}/${member.upstreamModel}`}>
                <Table.Td>
                  <Group gap={6}>
                    <Text size="sm">{member.providerId}</Text>
                    {provider && !provider.enabled ? (
                      <Badge size="xs" color="gray" variant="light">
                        disabled
                      </Badge>
                    ) : null}
                  </Group>
                </Table.Td>
                <Table.Td>{provider?.region ?? '—'}</Table.Td>
                <Table.Td>{member.upstreamModel}</Table.Td>
                <Table.Td>{member.weight}</Table.Td>
                <Table.Td>{member.priority}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
