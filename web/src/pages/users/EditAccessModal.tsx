import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { fieldError } from '../../api/ApiError';
import type { Team, User } from '../../api/types';
import { useUpdateUser } from '../../api/users';
import { ErrorAlert } from '../../components/ErrorAlert';
import { needsTeam } from '../../lib/roles';
import { RoleTeamFields } from './RoleTeamFields';

interface EditAccessModalProps {
  opened: boolean;
  user: User;
  teams: Team[];
  /** The signed-in user is editing their own access. */
  isSelf: boolean;
  onClose: () => void;
}

function EditAccessForm({ user, teams, isSelf, onClose }: Omit<EditAccessModalProps, 'opened'>) {
  const [role, setRole] = useState<string | null>(user.role);
  const [teamId, setTeamId] = useState<string | null>(user.teamId);
  const [submitted, setSubmitted] = useState(false);
  const update = useUpdateUser();

  const problems = {
    role: role ? undefined : 'Choose a role',
    teamId: needsTeam(role) && !teamId ? 'Choose a team' : undefined,
  };
  const shown = (field: keyof typeof problems) =>
    (submitted ? problems[field] : undefined) ?? fieldError(update.error, field);
  const nextTeam = needsTeam(role) ? teamId : null;
  const unchanged = role === user.role && nextTeam === user.teamId;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitted(true);
    if (problems.role || problems.teamId || !role) return;
    if (unchanged) {
      onClose();
      return;
    }
    try {
      await update.mutateAsync({ id: user.id, patch: { role, teamId: nextTeam } });
      onClose();
    } catch {
      // update.error is shown below
    }
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Text size="sm" c="dimmed">
          {user.email}
        </Text>
        <RoleTeamFields
          role={role}
          teamId={teamId}
          teams={teams}
          onRoleChange={setRole}
          onTeamChange={setTeamId}
          roleError={shown('role')}
          teamError={shown('teamId')}
        />
        <Text size="xs" c="dimmed">
          A change of role or team ends the user's sessions: they sign in again with the new access.
        </Text>
        {isSelf && !unchanged ? (
          <Alert color="yellow" variant="light" title="This is your own account">
            <Text size="sm">Your session ends when you save: you will have to sign in again.</Text>
          </Alert>
        ) : null}
        <ErrorAlert error={update.error} title="Could not change the access" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={update.isPending}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Changes a local user's role and team (single sign-on users get theirs from the rules). */
export function EditAccessModal({ opened, onClose, ...props }: EditAccessModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} title="Change role and team">
      <EditAccessForm {...props} onClose={onClose} />
    </Modal>
  );
}
