import { Button, Center, Code, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/ApiError';
import { fetchMe } from '../api/system';
import { setToken } from '../auth/token';
import { ErrorAlert } from '../components/ErrorAlert';

/** Asks for the admin token, validates it with `GET /admin/v1/me`, then stores it for the session. */
export function SignInPage() {
  const [token, setValue] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const candidate = token.trim();
    if (!candidate) return;
    setPending(true);
    setError(null);
    try {
      await fetchMe(candidate);
      setToken(candidate);
    } catch (cause) {
      setError(
        cause instanceof ApiError && cause.status === 401
          ? new ApiError(401, {
              title: 'Wrong token',
              detail: 'The gateway did not accept this admin token.',
            })
          : cause,
      );
    } finally {
      setPending(false);
    }
  };

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={440}>
        <form onSubmit={submit}>
          <Stack>
            <div>
              <Title order={2}>Junction</Title>
              <Text c="dimmed" size="sm">
                Sign in to the admin dashboard
              </Text>
            </div>
            <PasswordInput
              label="Admin token"
              placeholder="Paste the admin token"
              autoComplete="current-password"
              value={token}
              onChange={(event) => setValue(event.currentTarget.value)}
              required
            />
            <Text size="xs" c="dimmed">
              The gateway printed an admin token on its first start. You can also set one with the{' '}
              <Code>JUNCTION_ADMIN_TOKEN</Code> environment variable.
            </Text>
            <ErrorAlert error={error} />
            <Button type="submit" loading={pending} disabled={!token.trim()}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
