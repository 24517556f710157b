import { Alert, Button, Group, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { fieldError } from '../../api/ApiError';
import type { User } from '../../api/types';
import { useUpdateUser } from '../../api/users';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PASSWORD_MIN_LENGTH, passwordProblem } from '../../lib/roles';

interface ResetPasswordModalProps {
  opened: boolean;
  user: User;
  isSelf: boolean;
  onClose: () => void;
}

/** Mounted only while the modal is open, so the typed password is forgotten when it closes. */
function ResetPasswordForm({ user, isSelf, onClose }: Omit<ResetPasswordModalProps, 'opened'>) {
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const update = useUpdateUser();

  const problems = {
    password: passwordProblem(password),
    repeat: repeat === password ? undefined : 'The two passwords differ',
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitted(true);
    if (problems.password || problems.repeat) return;
    try {
      await update.mutateAsync({ id: user.id, patch: { password } });
      update.reset(); // drops the password from the mutation cache
      onClose();
    } catch {
      // update.error is shown below
    }
  };

  const remaining = PASSWORD_MIN_LENGTH - password.length;
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Text size="sm" c="dimmed">
          {user.email}
        </Text>
        <PasswordInput
          label="New password"
          description={
            remaining > 0 && password.length > 0
              ? `At least ${PASSWORD_MIN_LENGTH} characters (${remaining} more).`
              : `At least ${PASSWORD_MIN_LENGTH} characters.`
          }
          autoComplete="new-password"
          value={password}
          onChange={(event) => setPassword(event.currentTarget.value)}
          error={(submitted ? problems.password : undefined) ?? fieldError(update.error, 'password')}
          required
          data-autofocus
        />
        <PasswordInput
          label="Repeat the new password"
          autoComplete="new-password"
          value={repeat}
          onChange={(event) => setRepeat(event.currentTarget.value)}
          error={submitted ? problems.repeat : undefined}
          required
        />
        <Text size="xs" c="dimmed">
          The user's sessions end: they sign in again with the new password. Give it to them through a safe
          channel.
        </Text>
        {isSelf ? (
          <Alert color="yellow" variant="light" title="This is your own account">
            <Text size="sm">Your session ends when you save: sign in again with the new password.</Text>
          </Alert>
        ) : null}
        <ErrorAlert error={update.error} title="Could not set the password" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={update.isPending}>
            Set password
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function ResetPasswordModal({ opened, onClose, ...props }: ResetPasswordModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} title="Reset password">
      <ResetPasswordForm {...props} onClose={onClose} />
    </Modal>
  );
}
