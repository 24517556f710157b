import { Badge, Code, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useKeys, useRevokeKey } from '../../api/keys';
import { useCan } from '../../api/session';
import { useTeams } from '../../api/teams';
import type { ApiKey } from '../../api/types';
import { ConfirmAction } from '../../components/ConfirmAction';
import { EmptyMessage } from '../../components/EmptyMessage';
import { PermissionButton } from '../../components/GuardedButton';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { SecretModal } from '../../components/SecretModal';
import { formatDateTime } from '../../lib/format';
import { CreateKeyModal } from './CreateKeyModal';

function keyStatus(key: ApiKey): { label: string; color: string } {
  if (key.revokedAt) return { label: 'revoked', color: 'red' };
  if (key.expiresAt && new Date(key.expiresAt).getTime() <= Date.now())
    return { label: 'expired', color: 'gray' };
  return { label: 'active', color: 'teal' };
}

/** One key; Revoke only for roles with `keys.write`. */
function KeyRow({ apiKey, teamName, canWrite }: { apiKey: ApiKey; teamName: string; canWrite: boolean }) {
  const revoke = useRevokeKey();
  const status = keyStatus(apiKey);
  return (
    <Table.Tr>
      <Table.Td>
        {apiKey.name}
        {apiKey.consumer ? (
          <Text size="xs" c="dimmed">
            {apiKey.consumer}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>
        <Code>{apiKey.prefix}…</Code>
      </Table.Td>
      <Table.Td>{teamName}</Table.Td>
      <Table.Td>{apiKey.environment}</Table.Td>
      <Table.Td>{formatDateTime(apiKey.createdAt)}</Table.Td>
      <Table.Td>{apiKey.expiresAt ? formatDateTime(apiKey.expiresAt) : 'never'}</Table.Td>
      <Table.Td>
        <Badge color={status.color} variant="light">
          {status.label}
        </Badge>
      </Table.Td>
      {canWrite ? (
        <Table.Td>
          {apiKey.revokedAt ? null : (
            <ConfirmAction
              label="Revoke"
              title="Revoke API key"
              message={`Revoke the key “${apiKey.name}” (${apiKey.prefix}…)? Requests using it will be rejected immediately. This cannot be undone.`}
              onConfirm={() => revoke.mutateAsync(apiKey.id)}
            />
          )}
        </Table.Td>
      ) : null}
    </Table.Tr>
  );
}

export function KeysSection() {
  const keys = useKeys();
  const teams = useTeams();
  const [creating, setCreating] = useState(false);
  // The one-time secret lives only in this component state until the dialog is closed.
  const [secret, setSecret] = useState<string | null>(null);
  const teamList = teams.data ?? [];
  const teamName = (id: string) => teamList.find((team) => team.id === id)?.name ?? id;
  const canWrite = useCan('keys.write');
  const createButton = (
    <PermissionButton
      permission="keys.write"
      onClick={() => setCreating(true)}
      blockedReason={teamList.length === 0 ? 'Create a team first: every API key belongs to a team.' : null}
    >
      Create API key
    </PermissionButton>
  );

  return (
    <section>
      <PageHeader
        title="API keys"
        description={
          <>
            Clients send a key as <Code>Authorization: Bearer …</Code> to <Code>/v1</Code>.
          </>
        }
        action={createButton}
      />
      <QueryState query={keys} label="API keys">
        {(data) =>
          data.length === 0 ? (
            <EmptyMessage
              title="No API keys yet"
              description={
                teamList.length === 0
                  ? 'Create a team above, then create an API key for it.'
                  : 'Create an API key for a team; its secret is shown once.'
              }
              action={createButton}
            />
          ) : (
            <Table.ScrollContainer minWidth={850}>
              <Table striped highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Prefix</Table.Th>
                    <Table.Th>Team</Table.Th>
                    <Table.Th>Environment</Table.Th>
                    <Table.Th>Created</Table.Th>
                    <Table.Th>Expires</Table.Th>
                    <Table.Th>Status</Table.Th>
                    {canWrite ? <Table.Th aria-label="Actions" /> : null}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.map((apiKey) => (
                    <KeyRow
                      key={apiKey.id}
                      apiKey={apiKey}
                      teamName={teamName(apiKey.teamId)}
                      canWrite={canWrite}
                    />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      <CreateKeyModal
        opened={creating}
        teams={teamList}
        onClose={() => setCreating(false)}
        onCreated={(created) => {
          setCreating(false);
          setSecret(created);
        }}
      />
      <SecretModal secret={secret} title="Your new API key" onClose={() => setSecret(null)} />
    </section>
  );
}
