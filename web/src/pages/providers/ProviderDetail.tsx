import { Alert, Anchor, Badge, Card, Code, Group, List, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import {
  type HealthEvent,
  type ProviderEntry,
  type ProviderTypeInfo,
  useDeleteProvider,
  useProvider,
  useProviderHealth,
  useProviderTypes,
  useUpdateProvider,
  useVerifyProvider,
} from '../../api/providers';
import { useCan } from '../../api/session';
import { ConfirmAction } from '../../components/ConfirmAction';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PermissionButton } from '../../components/GuardedButton';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { formatDateTime } from '../../lib/format';
import { navigate, pageHref } from '../../lib/navigation';
import { authMethodLabels, catalogBaseUrl } from './connectForm';
import { DiagnosticText, StatusBadge } from './HealthBadge';
import { RotateCredentialModal, rotationMethod } from './RotateCredentialModal';

const sourceLabels: Record<HealthEvent['source'], string> = {
  check: 'check',
  traffic: 'traffic',
  configuration: 'configuration',
  outlier: 'outlier detection',
};

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w={200}>{label}</Table.Th>
      <Table.Td>{children}</Table.Td>
    </Table.Tr>
  );
}

function Details({ entry, info }: { entry: ProviderEntry; info: ProviderTypeInfo | undefined }) {
  const defaultUrl = info ? catalogBaseUrl(info, entry.region ?? '') : '';
  const baseUrl = entry.baseUrl ?? (defaultUrl || null);
  const config = Object.entries(entry.config);
  const labels = Object.entries(entry.labels);
  return (
    <Card withBorder>
      <Title order={4} mb="sm">
        Details
      </Title>
      <Table>
        <Table.Tbody>
          <Field label="Identifier">
            <Code>{entry.id}</Code>
          </Field>
          <Field label="Display name">{entry.displayName}</Field>
          <Field label="Type">{info?.displayName ?? entry.type}</Field>
          <Field label="Base URL">
            <Text size="sm" style={{ wordBreak: 'break-all' }}>
              {baseUrl ?? '—'}
              {entry.baseUrl === null && baseUrl ? ' (catalog default)' : ''}
            </Text>
          </Field>
          <Field label="Region">{entry.region ?? '—'}</Field>
          <Field label="Authentication">{authMethodLabels[entry.authMethod] ?? entry.authMethod}</Field>
          <Field label="Credential">
            {entry.credential ? (
              <Text size="sm">
                <Code>{entry.credential.hint}</Code> rotated {formatDateTime(entry.credential.rotatedAt)}
              </Text>
            ) : entry.authMethod === 'passthrough' ? (
              'None stored: callers bring their own key (BYOK)'
            ) : (
              'None'
            )}
          </Field>
          <Field label="Environments">
            <Group gap={4}>
              {entry.environments.map((environment) => (
                <Badge key={environment} variant="light" color="gray" size="sm">
                  {environment}
                </Badge>
              ))}
            </Group>
          </Field>
          <Field label="Enabled">{entry.enabled ? 'yes' : 'no: it receives no traffic'}</Field>
          <Field label="First party">{entry.firstParty ? 'yes' : 'no'}</Field>
          {config.length > 0 ? (
            <Field label="Settings">
              {config.map(([name, value]) => (
                <Text key={name} size="sm">
                  {name}: <Code>{typeof value === 'string' ? value : JSON.stringify(value)}</Code>
                </Text>
              ))}
            </Field>
          ) : null}
          {labels.length > 0 ? (
            <Field label="Labels">
              {labels.map(([name, value]) => (
                <Text key={name} size="sm">
                  {name}: <Code>{value}</Code>
                </Text>
              ))}
            </Field>
          ) : null}
          <Field label="Created">{formatDateTime(entry.createdAt)}</Field>
          <Field label="Updated">{formatDateTime(entry.updatedAt)}</Field>
        </Table.Tbody>
      </Table>
    </Card>
  );
}

function HealthSection({ entry, history }: { entry: ProviderEntry; history: HealthEvent[] | undefined }) {
  const { health } = entry;
  const lastFailure = health.diagnostic
    ? { at: health.lastCheckedAt, diagnostic: health.diagnostic, current: true }
    : (() => {
        const event = history?.find(
          (item) => (item.status === 'unhealthy' || item.status === 'ejected') && item.diagnostic,
        );
        return event?.diagnostic ? { at: event.at, diagnostic: event.diagnostic, current: false } : undefined;
      })();
  return (
    <Card withBorder>
      <Title order={4} mb="sm">
        Health
      </Title>
      <Stack>
        <Group gap="xl">
          <div>
            <Text size="xs" c="dimmed">
              Status
            </Text>
            <StatusBadge status={health.status} />
          </div>
          <div>
            <Text size="xs" c="dimmed">
              Last verified
            </Text>
            <Text size="sm">{health.lastVerifiedAt ? formatDateTime(health.lastVerifiedAt) : 'never'}</Text>
          </div>
          <div>
            <Text size="xs" c="dimmed">
              Last checked
            </Text>
            <Text size="sm">{health.lastCheckedAt ? formatDateTime(health.lastCheckedAt) : 'never'}</Text>
          </div>
          <div>
            <Text size="xs" c="dimmed">
              Latency
            </Text>
            <Text size="sm">{health.latencyMs !== null ? `${health.latencyMs} ms` : '—'}</Text>
          </div>
        </Group>
        {health.status === 'deferred' ? (
          <Text size="sm" c="dimmed">
            This entry cannot be checked ahead of traffic: the first real request validates it.
          </Text>
        ) : null}
        {lastFailure ? (
          <Alert
            color={lastFailure.current ? 'red' : 'gray'}
            variant="light"
            title={`${lastFailure.current ? 'Last failure' : 'Last failure (since recovered)'}${lastFailure.at ? `, ${formatDateTime(lastFailure.at)}` : ''}`}
          >
            <DiagnosticText diagnostic={lastFailure.diagnostic} />
          </Alert>
        ) : null}
        {health.ejected && health.ejected.length > 0 ? (
          <Alert color="orange" variant="light" title="Backends ejected by real traffic">
            <List size="sm">
              {health.ejected.map((ejection) => (
                <List.Item key={ejection.backend}>
                  {ejection.backend} since {formatDateTime(ejection.since)}, probed again at{' '}
                  {formatDateTime(ejection.probeAt)} (ejection {ejection.ejections} in a row)
                  {ejection.diagnostic ? `: ${ejection.diagnostic.message}` : ''}
                </List.Item>
              ))}
            </List>
          </Alert>
        ) : null}
      </Stack>
    </Card>
  );
}

function HistoryTable({ id }: { id: string }) {
  const health = useProviderHealth(id);
  return (
    <Card withBorder>
      <Title order={4} mb="sm">
        Health history
      </Title>
      <QueryState query={health} label="health history">
        {(data) =>
          data.history.length === 0 ? (
            <Text size="sm" c="dimmed">
              No check recorded yet.
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={700}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>When</Table.Th>
                    <Table.Th>Source</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Latency</Table.Th>
                    <Table.Th>Diagnostic</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.history.map((event) => (
                    <Table.Tr
                      key={`${event.at}|${event.source}|${event.status}|${event.diagnostic?.message ?? ''}`}
                    >
                      <Table.Td>
                        <Text size="sm">{formatDateTime(event.at)}</Text>
                      </Table.Td>
                      <Table.Td>{sourceLabels[event.source] ?? event.source}</Table.Td>
                      <Table.Td>
                        <StatusBadge status={event.status} />
                      </Table.Td>
                      <Table.Td>{event.latencyMs !== null ? `${event.latencyMs} ms` : '—'}</Table.Td>
                      <Table.Td>
                        {event.diagnostic ? (
                          <Text size="sm" style={{ wordBreak: 'break-word' }}>
                            {event.diagnostic.stage}
                            {event.diagnostic.httpStatus !== undefined
                              ? ` (HTTP ${event.diagnostic.httpStatus})`
                              : ''}
                            : {event.diagnostic.message}
                          </Text>
                        ) : (
                          '—'
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
    </Card>
  );
}

function Actions({ entry, info }: { entry: ProviderEntry; info: ProviderTypeInfo | undefined }) {
  const canWrite = useCan('providers.write');
  const verify = useVerifyProvider();
  const update = useUpdateProvider();
  const remove = useDeleteProvider();
  const [rotating, setRotating] = useState(false);
  const method = rotationMethod(entry, info?.authMethods ?? []);
  const rotateBlocked =
    method === null
      ? entry.authMethod === 'passthrough'
        ? 'A BYOK entry stores no credential: callers bring their own.'
        : 'This entry takes no credential.'
      : null;
  return (
    <Stack gap="xs" align="flex-end">
      <Group gap="xs">
        <PermissionButton
          permission="providers.write"
          variant="light"
          loading={verify.isPending}
          onClick={() => verify.mutate(entry.id)}
        >
          Verify now
        </PermissionButton>
        <PermissionButton
          permission="providers.write"
          variant="default"
          blockedReason={rotateBlocked}
          onClick={() => setRotating(true)}
        >
          Rotate credential
        </PermissionButton>
        {canWrite ? (
          <>
            {entry.enabled ? (
              <ConfirmAction
                label="Disable"
                title="Disable provider"
                color="orange"
                message={`Disable “${entry.displayName}” (${entry.id})? It stays configured but receives no traffic until enabled again; models fall back to their other pool members.`}
                onConfirm={() => update.mutateAsync({ id: entry.id, patch: { enabled: false } })}
              />
            ) : (
              <ConfirmAction
                label="Enable"
                title="Enable provider"
                color="teal"
                message={`Enable “${entry.displayName}” (${entry.id})? It receives traffic again in its environments.`}
                onConfirm={() => update.mutateAsync({ id: entry.id, patch: { enabled: true } })}
              />
            )}
            <ConfirmAction
              label="Delete"
              title="Delete provider"
              message={`Delete “${entry.displayName}” (${entry.id}) and its stored credential? Models that still use it must be changed first. This cannot be undone.`}
              onConfirm={async () => {
                await remove.mutateAsync(entry.id);
                navigate('providers');
              }}
            />
          </>
        ) : (
          <>
            <PermissionButton permission="providers.write" size="xs" variant="subtle" color="orange">
              {entry.enabled ? 'Disable' : 'Enable'}
            </PermissionButton>
            <PermissionButton permission="providers.write" size="xs" variant="subtle" color="red">
              Delete
            </PermissionButton>
          </>
        )}
      </Group>
      <ErrorAlert error={verify.error} title="Could not verify the provider" />
      {method ? (
        <RotateCredentialModal
          opened={rotating}
          onClose={() => setRotating(false)}
          entry={entry}
          method={method}
        />
      ) : null}
    </Stack>
  );
}

/** `#/providers/<id>`: an entry's details, health and history, and what may be done with it. */
export function ProviderDetail({ id }: { id: string }) {
  const provider = useProvider(id);
  const history = useProviderHealth(id);
  const types = useProviderTypes();
  return (
    <Stack>
      <Anchor href={pageHref('providers')} size="sm">
        ← All providers
      </Anchor>
      <QueryState query={provider} label={`provider ${id}`}>
        {(entry) => {
          const info = types.data?.find((item) => item.type === entry.type);
          return (
            <Stack>
              <PageHeader
                title={entry.displayName}
                description={
                  <>
                    <Code>{entry.id}</Code> · {info?.displayName ?? entry.type}
                    {entry.region ? ` · ${entry.region}` : ''}
                    {entry.enabled ? '' : ' · disabled'}
                  </>
                }
                action={<Actions entry={entry} info={info} />}
              />
              <HealthSection entry={entry} history={history.data?.history} />
              <Details entry={entry} info={info} />
              <HistoryTable id={id} />
            </Stack>
          );
        }}
      </QueryState>
    </Stack>
  );
}
