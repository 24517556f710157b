import {
  Accordion,
  Button,
  Center,
  Code,
  Divider,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/ApiError';
import { signInWithPassword, signInWithToken, ssoLoginHref, useAuthMethods } from '../api/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { rememberPageForSignIn } from '../lib/navigation';

function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `about ${minutes} minute${minutes === 1 ? '' : 's'} (${seconds} seconds)`;
}

/** Turns the sign-in problems into messages that say what happened and what to do. */
function passwordError(cause: unknown): unknown {
  if (!(cause instanceof ApiError)) return cause;
  if (cause.status === 401 || cause.code === 'invalid_credentials') {
    return new ApiError(401, {
      title: 'Wrong email or password',
      detail: 'The email or password is wrong, or the user is disabled.',
    });
  }
  if (cause.status === 429 || cause.code === 'too_many_failed_authentications') {
    return new ApiError(429, {
      title: 'Too many failed sign-ins',
      detail:
        cause.retryAfter !== undefined
          ? `Too many failed sign-ins for this email. Try again in ${describeWait(cause.retryAfter)}.`
          : cause.detail,
    });
  }
  return cause;
}

function SingleSignOnButton() {
  const methods = useAuthMethods();
  const loginUrl = methods.data?.sso.enabled ? methods.data.sso.loginUrl : null;
  if (!loginUrl) return null;
  return (
    <>
      <Button
        variant="filled"
        onClick={() => {
          // A full-window navigation: the server redirects on to the identity provider and back.
          // The page hash does not survive that trip: it is remembered here and restored after sign-in.
          const href = ssoLoginHref(loginUrl);
          if (!href) return;
          rememberPageForSignIn();
          window.location.assign(href);
        }}
      >
        Sign in with single sign-on
      </Button>
      <Divider label="or with email and password" labelPosition="center" />
    </>
  );
}

function PasswordForm() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const address = email.trim();
    if (!address || !password) return;
    setPending(true);
    setError(null);
    try {
      await signInWithPassword(address, password);
    } catch (cause) {
      setError(passwordError(cause));
      setPending(false);
    }
  };

  return (
    <form onSubmit={submit} aria-label="Sign in with email and password">
      <Stack>
        <TextInput
          label="Email"
          type="email"
          autoComplete="username"
          value={email}
          onChange={(event) => setEmail(event.currentTarget.value)}
          required
        />
        <PasswordInput
          label="Password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.currentTarget.value)}
          required
        />
        <ErrorAlert error={error} />
        <Button type="submit" loading={pending} disabled={!email.trim() || !password}>
          Sign in
        </Button>
      </Stack>
    </form>
  );
}

/** The admin token form: validates the token with `GET /admin/v1/me`, then stores it for the tab's session. */
function TokenForm() {
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
      await signInWithToken(candidate);
    } catch (cause) {
      setError(
        cause instanceof ApiError && cause.status === 401
          ? new ApiError(401, {
              title: 'Wrong token',
              detail: 'The gateway did not accept this admin token.',
            })
          : cause,
      );
      setPending(false);
    }
  };

  return (
    <form onSubmit={submit} aria-label="Sign in with an admin token">
      <Stack>
        <PasswordInput
          label="Admin token"
          placeholder="Paste the admin token"
          autoComplete="off"
          value={token}
          onChange={(event) => setValue(event.currentTarget.value)}
          required
        />
        <Text size="xs" c="dimmed">
          The gateway printed an admin token on its first start. You can also set one with the{' '}
          <Code>JUNCTION_ADMIN_TOKEN</Code> environment variable.
        </Text>
        <ErrorAlert error={error} />
        <Button type="submit" variant="light" loading={pending} disabled={!token.trim()}>
          Sign in with token
        </Button>
      </Stack>
    </form>
  );
}

/** Three ways in: single sign-on (when configured), email and password, or an admin token. */
export function SignInPage() {
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={440}>
        <Stack>
          <div>
            <Title order={2}>Junction</Title>
            <Text c="dimmed" size="sm">
              Sign in to the admin dashboard
            </Text>
          </div>
          <SingleSignOnButton />
          <PasswordForm />
          <Accordion variant="default" chevronPosition="right">
            <Accordion.Item value="token">
              <Accordion.Control>
                <Text size="sm">Use an admin token</Text>
              </Accordion.Control>
              <Accordion.Panel>
                <TokenForm />
              </Accordion.Panel>
            </Accordion.Item>
          </Accordion>
        </Stack>
      </Paper>
    </Center>
  );
}
