import { Button, Group, Modal, PasswordInput, Stack, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { fieldError } from '../../api/ApiError';
import type { CreateUserInput, Team } from '../../api/types';
import { useCreateUser } from '../../api/users';
import { ErrorAlert } from '../../components/ErrorAlert';
import { needsTeam, PASSWORD_MIN_LENGTH, passwordProblem } from '../../lib/roles';
import { RoleTeamFields } from './RoleTeamFields';

interface CreateUserModalProps {
  opened: boolean;
  teams: Team[];
  onClose: () => void;
}

/** The form, mounted only while the modal is open: closing it forgets everything typed (the password too). */
function CreateUserForm({ teams, onClose }: Omit<CreateUserModalProps, 'opened'>) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<string | null>(null);
  const [teamId, setTeamId] = useState<string | null>(null);
  const [submitted, setSubmitted] = useState(false);
  const create = useCreateUser();

  const address = email.trim();
  const problems = {
    email: !address ? 'Required' : !/^[^\s@]+@[^\s@]+$/.test(address) ? 'Enter an email address' : undefined,
    password: passwordProblem(password),
    role: role ? undefined : 'Choose a role',
    teamId: needsTeam(role) && !teamId ? 'Choose a team' : undefined,
  };
  const invalid = Object.values(problems).some(Boolean);
  const shown = (field: keyof typeof problems) =>
    (submitted ? problems[field] : undefined) ?? fieldError(create.error, field);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitted(true);
    if (invalid || !role) return;
    const input: CreateUserInput = { email: address, password, role };
    if (name.trim()) input.name = name.trim();
    if (needsTeam(role) && teamId) input.teamId = teamId;
    try {
      await create.mutateAsync(input);
      create.reset(); // drops the password from the mutation cache
      onClose();
    } catch {
      // create.error is shown below
    }
  };

  const remaining = PASSWORD_MIN_LENGTH - password.length;
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TextInput
          label="Email"
          type="email"
          autoComplete="off"
          value={email}
          onChange={(event) => setEmail(event.currentTarget.value)}
          error={shown('email')}
          required
          data-autofocus
        />
        <TextInput
          label="Name"
          placeholder="Optional (the email is shown otherwise)"
          autoComplete="off"
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={fieldError(create.error, 'name')}
        />
        <PasswordInput
          label="Password"
          description={
            remaining > 0 && password.length > 0
              ? `At least ${PASSWORD_MIN_LENGTH} characters (${remaining} more).`
              : `At least ${PASSWORD_MIN_LENGTH} characters. Give it to the user through a safe channel.`
          }
          autoComplete="new-password"
          value={password}
          onChange={(event) => setPassword(event.currentTarget.value)}
          error={shown('password')}
          required
        />
        <RoleTeamFields
          role={role}
          teamId={teamId}
          teams={teams}
          onRoleChange={setRole}
          onTeamChange={setTeamId}
          roleError={shown('role')}
          teamError={shown('teamId')}
        />
        <ErrorAlert error={create.error} title="Could not create the user" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Create user
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Creates a local (password) user. Single sign-on users are created at their first sign-in. */
export function CreateUserModal({ opened, teams, onClose }: CreateUserModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} title="Create user">
      <CreateUserForm teams={teams} onClose={onClose} />
    </Modal>
  );
}
