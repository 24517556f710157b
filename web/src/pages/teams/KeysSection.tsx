import { Alert, Anchor, Badge, Code, Group, List, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { type ApiKeyView, keyState, keyStateColors, useKeys, useRevokeKey } from '../../api/keys';
import { useCan } from '../../api/session';
import { useTeams } from '../../api/teams';
import { ConfirmAction } from '../../components/ConfirmAction';
import { EmptyMessage } from '../../components/EmptyMessage';
import { GuardedButton, PermissionButton } from '../../components/GuardedButton';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { SecretModal } from '../../components/SecretModal';
import { formatDateTime } from '../../lib/format';
import { pageHref } from '../../lib/navigation';
import { RotateKeyModal } from '../keys/RotateKeyModal';
import { CreateKeyModal, type KeyCreation } from './CreateKeyModal';

interface KeyRowProps {
  apiKey: ApiKeyView;
  teamName: string;
  canWrite: boolean;
  onRotate: (key: ApiKeyView) => void;
}

/** One key; Rotate and Revoke only for roles with `keys.write`. */
function KeyRow({ apiKey, teamName, canWrite, onRotate }: KeyRowProps) {
  const revoke = useRevokeKey();
  const state = keyState(apiKey);
  return (
    <Table.Tr>
      <Table.Td>
        <Anchor href={pageHref('teams', 'key', apiKey.id)} size="sm">
          {apiKey.name}
        </Anchor>
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
        <Badge color={keyStateColors[state]} variant="light">
          {state}
        </Badge>
      </Table.Td>
      {canWrite ? (
        <Table.Td>
          {apiKey.revokedAt ? null : (
            <Group gap={4} wrap="nowrap" justify="flex-end">
              <GuardedButton size="xs" variant="subtle" color="orange" onClick={() => onRotate(apiKey)}>
                Rotate
              </GuardedButton>
              <ConfirmAction
                label="Revoke"
                title="Revoke API key"
                message={`Revoke the key “${apiKey.name}” (${apiKey.prefix}…)? Requests using it will be rejected immediately. This cannot be undone.`}
                onConfirm={() => revoke.mutateAsync(apiKey.id)}
              />
            </Group>
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
  const [rotating, setRotating] = useState<ApiKeyView | null>(null);
  // The one-time secret lives only in this component state until the dialog is closed.
  const [secret, setSecret] = useState<{ title: string; value: string } | null>(null);
  const [lastCreated, setLastCreated] = useState<Omit<KeyCreation, 'secret'> | null>(null);
  const teamList = teams.data ?? [];
  const teamName = (id: string) => teamList.find((team) => team.id === id)?.name ?? id;
  const canWrite = useCan('keys.write');
  const createButton = (
    <PermissionButton
      permission="keys.write"
      onClick={() => setCreating(true)}
      style={{ flexShrink: 0 }}
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
            Clients send a key as <Code>Authorization: Bearer …</Code> to <Code>/v1</Code>. Open a key for its
            budgets, routing policy and routing explanations.
          </>
        }
        action={createButton}
      />
      {lastCreated && lastCreated.budgetFailures.length > 0 ? (
        <Alert
          color="orange"
          variant="light"
          mb="md"
          title={`The key “${lastCreated.name}” was created, but some budgets were not`}
          withCloseButton
          onClose={() => setLastCreated(null)}
        >
          <List size="sm">
            {lastCreated.budgetFailures.map((failure) => (
              <List.Item key={`${failure.name}:${failure.message}`}>
                {failure.name || 'unnamed'}: {failure.message}
              </List.Item>
            ))}
          </List>
          <Anchor href={pageHref('teams', 'key', lastCreated.keyId, 'budgets')} size="sm">
            Add them on the key's page
          </Anchor>
        </Alert>
      ) : null}
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
            <Table.ScrollContainer minWidth={900}>
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
                      onRotate={setRotating}
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
        onCreated={({ secret: value, ...created }) => {
          setCreating(false);
          setLastCreated(created);
          setSecret({ title: 'Your new API key', value });
        }}
      />
      <RotateKeyModal
        apiKey={rotating}
        onClose={() => setRotating(null)}
        onRotated={(value) => {
          setRotating(null);
          setSecret({ title: "The key's new secret", value });
        }}
      />
      <SecretModal
        secret={secret?.value ?? null}
        title={secret?.title ?? ''}
        onClose={() => setSecret(null)}
      />
    </section>
  );
}
