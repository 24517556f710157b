import { Badge, Group, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useCan, useSession } from '../../api/session';
import { useTeams } from '../../api/teams';
import type { Team, User } from '../../api/types';
import { useDeleteUser, useUpdateUser, useUsers } from '../../api/users';
import { ConfirmAction } from '../../components/ConfirmAction';
import { EmptyMessage } from '../../components/EmptyMessage';
import { ErrorAlert } from '../../components/ErrorAlert';
import { GuardedButton, PermissionButton } from '../../components/GuardedButton';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { formatDateTime } from '../../lib/format';
import { roleColor } from '../../lib/roles';
import { CreateUserModal } from './CreateUserModal';
import { EditAccessModal } from './EditAccessModal';
import { ResetPasswordModal } from './ResetPasswordModal';

const SSO_ACCESS_REASON =
  "Single sign-on rules decide this user's role and team, again at every sign-in: change the rules on the Single sign-on page.";
const SSO_PASSWORD_REASON = 'This user signs in with single sign-on and has no password here.';

/** The sentence added to a confirmation when the signed-in user acts on their own account. */
const SELF_NOTE = ' This is your own account: you will be signed out.';

/** Change role/team, reset password, disable/enable and delete: only for roles with `users.write`. */
function UserActions({ user, teams, isSelf }: { user: User; teams: Team[]; isSelf: boolean }) {
  const update = useUpdateUser();
  const remove = useDeleteUser();
  const [editing, setEditing] = useState(false);
  const [resetting, setResetting] = useState(false);
  const sso = user.source === 'sso';
  const self = isSelf ? SELF_NOTE : '';

  return (
    <Group gap={4} wrap="nowrap" justify="flex-end">
      <GuardedButton
        size="xs"
        variant="subtle"
        blockedReason={sso ? SSO_ACCESS_REASON : null}
        onClick={() => setEditing(true)}
      >
        Change access
      </GuardedButton>
      <GuardedButton
        size="xs"
        variant="subtle"
        blockedReason={sso ? SSO_PASSWORD_REASON : null}
        onClick={() => setResetting(true)}
      >
        Reset password
      </GuardedButton>
      {user.disabled ? (
        <ConfirmAction
          label="Enable"
          title="Enable user"
          color="teal"
          message={`Enable “${user.email}”? They can sign in again.`}
          onConfirm={() => update.mutateAsync({ id: user.id, patch: { disabled: false } })}
        />
      ) : (
        <ConfirmAction
          label="Disable"
          title="Disable user"
          color="orange"
          message={`Disable “${user.email}”? Their sessions end now and they cannot sign in until enabled again.${self}`}
          onConfirm={() => update.mutateAsync({ id: user.id, patch: { disabled: true } })}
        />
      )}
      <ConfirmAction
        label="Delete"
        title="Delete user"
        message={
          sso
            ? `Delete “${user.email}”? Their sessions end. A single sign-on user is created again at their next sign-in if the rules still give them a role: disable them instead to keep them out.${self}`
            : `Delete “${user.email}”? Their sessions end. This cannot be undone.${self}`
        }
        onConfirm={() => remove.mutateAsync(user.id)}
      />
      {sso ? null : (
        <>
          <EditAccessModal
            opened={editing}
            user={user}
            teams={teams}
            isSelf={isSelf}
            onClose={() => setEditing(false)}
          />
          <ResetPasswordModal
            opened={resetting}
            user={user}
            isSelf={isSelf}
            onClose={() => setResetting(false)}
          />
        </>
      )}
    </Group>
  );
}

interface UserRowProps {
  user: User;
  teams: Team[];
  isSelf: boolean;
  canWrite: boolean;
}

function UserRow({ user, teams, isSelf, canWrite }: UserRowProps) {
  const teamName = user.teamId ? (teams.find((team) => team.id === user.teamId)?.name ?? user.teamId) : '—';
  return (
    <Table.Tr>
      <Table.Td>
        <Group gap={6} wrap="nowrap">
          <Text size="sm" style={{ wordBreak: 'break-all' }}>
            {user.email}
          </Text>
          {isSelf ? (
            <Badge size="xs" variant="outline" color="gray">
              you
            </Badge>
          ) : null}
        </Group>
      </Table.Td>
      <Table.Td>{user.name}</Table.Td>
      <Table.Td>
        <Badge variant="light" color={roleColor(user.role)}>
          {user.role}
        </Badge>
      </Table.Td>
      <Table.Td>{teamName}</Table.Td>
      <Table.Td>
        <Badge variant="outline" color={user.source === 'sso' ? 'indigo' : 'gray'}>
          {user.source}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color={user.disabled ? 'red' : 'teal'}>
          {user.disabled ? 'disabled' : 'active'}
        </Badge>
      </Table.Td>
      <Table.Td>{user.lastLoginAt ? formatDateTime(user.lastLoginAt) : 'never'}</Table.Td>
      {canWrite ? (
        <Table.Td>
          <UserActions user={user} teams={teams} isSelf={isSelf} />
        </Table.Td>
      ) : null}
    </Table.Tr>
  );
}

/** The people who may sign in to the dashboard: local (password) users and single sign-on users. */
export function UsersPage() {
  const users = useUsers();
  const teams = useTeams();
  const { data: me } = useSession();
  const canWrite = useCan('users.write');
  const [creating, setCreating] = useState(false);
  const teamList = teams.data ?? [];
  const createButton = (
    <PermissionButton permission="users.write" onClick={() => setCreating(true)}>
      Create user
    </PermissionButton>
  );

  return (
    <Stack gap="md">
      <PageHeader
        title="Users"
        description="People who sign in to this dashboard, with a password (local) or with single sign-on. Single sign-on users appear at their first sign-in."
        action={createButton}
      />
      <ErrorAlert error={teams.error} title="Could not load the teams (team identifiers are shown instead)" />
      <QueryState query={users} label="users">
        {(data) =>
          data.length === 0 ? (
            <EmptyMessage
              title="No users yet"
              description="Create a user with a password, or set up single sign-on."
              action={createButton}
            />
          ) : (
            <Table.ScrollContainer minWidth={1000}>
              <Table striped highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Email</Table.Th>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Role</Table.Th>
                    <Table.Th>Team</Table.Th>
                    <Table.Th>Sign-in</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Last login</Table.Th>
                    {canWrite ? <Table.Th aria-label="Actions" /> : null}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.map((user) => (
                    <UserRow
                      key={user.id}
                      user={user}
                      teams={teamList}
                      isSelf={me?.kind === 'user' && me.id === user.id}
                      canWrite={canWrite}
                    />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      <CreateUserModal opened={creating} teams={teamList} onClose={() => setCreating(false)} />
    </Stack>
  );
}
