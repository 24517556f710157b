import { Badge, Button, Code, Group, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useDeleteProvider, useProviders, useVerifyProvider } from '../../api/providers';
import { useCan } from '../../api/session';
import type { Provider } from '../../api/types';
import { ConfirmAction } from '../../components/ConfirmAction';
import { EmptyMessage } from '../../components/EmptyMessage';
import { PermissionButton } from '../../components/GuardedButton';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { ConnectProviderModal } from './ConnectProviderModal';
import { HealthBadge } from './HealthBadge';

/** One provider; the change buttons (verify, delete) only for roles with `providers.write`. */
function ProviderRow({ provider, canWrite }: { provider: Provider; canWrite: boolean }) {
  const remove = useDeleteProvider();
  const verify = useVerifyProvider();
  return (
    <Table.Tr>
      <Table.Td>
        <Code>{provider.id}</Code>
      </Table.Td>
      <Table.Td>{provider.displayName}</Table.Td>
      <Table.Td>{provider.type}</Table.Td>
      <Table.Td>
        <Text size="sm" style={{ wordBreak: 'break-all' }}>
          {provider.baseUrl ?? '—'}
        </Text>
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          {provider.environments.length === 0
            ? '—'
            : provider.environments.map((env) => (
                <Badge key={env} variant="light" size="sm">
                  {env}
                </Badge>
              ))}
        </Group>
      </Table.Td>
      <Table.Td>
        <Badge color={provider.enabled ? 'teal' : 'gray'} variant="light">
          {provider.enabled ? 'enabled' : 'disabled'}
        </Badge>
      </Table.Td>
      <Table.Td>
        <HealthBadge health={provider.health} />
      </Table.Td>
      <Table.Td>{provider.credential ? <Code>{provider.credential.hint}</Code> : '—'}</Table.Td>
      {canWrite ? (
        <Table.Td>
          <Button
            size="compact-sm"
            variant="subtle"
            loading={verify.isPending}
            onClick={() => verify.mutate(provider.id)}
          >
            Verify now
          </Button>
          <ConfirmAction
            label="Delete"
            title="Delete provider"
            message={`Delete the provider “${provider.displayName}” (${provider.id})? Models that still use it must be removed first.`}
            onConfirm={() => remove.mutateAsync(provider.id)}
          />
        </Table.Td>
      ) : null}
    </Table.Tr>
  );
}

export function ProvidersPage() {
  const providers = useProviders();
  const [connecting, setConnecting] = useState(false);
  const canWrite = useCan('providers.write');
  const connectButton = (
    <PermissionButton permission="providers.write" onClick={() => setConnecting(true)}>
      Connect provider
    </PermissionButton>
  );

  return (
    <>
      <PageHeader
        title="Providers"
        description="Upstream LLM APIs the gateway routes to."
        action={connectButton}
      />
      <QueryState query={providers} label="providers">
        {(data) =>
          data.length === 0 ? (
            <EmptyMessage
              title="No providers yet"
              description="Connect a provider (OpenAI, any OpenAI-compatible endpoint, or the built-in echo provider for testing), then add models that use it."
              action={connectButton}
            />
          ) : (
            <Table.ScrollContainer minWidth={900}>
              <Table striped highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Identifier</Table.Th>
                    <Table.Th>Display name</Table.Th>
                    <Table.Th>Type</Table.Th>
                    <Table.Th>Base URL</Table.Th>
                    <Table.Th>Environments</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Health</Table.Th>
                    <Table.Th>Credential</Table.Th>
                    {canWrite ? <Table.Th aria-label="Actions" /> : null}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.map((provider) => (
                    <ProviderRow key={provider.id} provider={provider} canWrite={canWrite} />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      <ConnectProviderModal opened={connecting} onClose={() => setConnecting(false)} />
    </>
  );
}
