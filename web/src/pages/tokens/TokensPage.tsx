import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  NumberInput,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { fieldError } from '../../api/ApiError';
import { useSession } from '../../api/session';
import {
  PERSONAL_TOKEN_MAX_DAYS,
  type PersonalToken,
  useCreatePersonalToken,
  usePersonalTokens,
  useRevokePersonalToken,
} from '../../api/tokens';
import { ConfirmAction } from '../../components/ConfirmAction';
import { EmptyMessage } from '../../components/EmptyMessage';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { SecretModal } from '../../components/SecretModal';
import { formatDateTime } from '../../lib/format';

type TokenState = 'active' | 'expired' | 'revoked';

function tokenState(token: PersonalToken): TokenState {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && new Date(token.expiresAt).getTime() <= Date.now()) return 'expired';
  return 'active';
}

const stateColors: Record<TokenState, string> = { active: 'teal', expired: 'gray', revoked: 'red' };

function CreateTokenForm({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (secret: string) => void;
}) {
  const [name, setName] = useState('');
  const [days, setDays] = useState<number | ''>(90);
  const [submitted, setSubmitted] = useState(false);
  const create = useCreatePersonalToken();
  const problems = {
    name: name.trim() ? undefined : 'Required',
    days:
      days === '' || days < 1 || days > PERSONAL_TOKEN_MAX_DAYS
        ? `1 to ${PERSONAL_TOKEN_MAX_DAYS} days`
        : undefined,
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitted(true);
    if (problems.name || problems.days || days === '') return;
    const expiresAt = new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();
    try {
      const { secret } = await create.mutateAsync({ name: name.trim(), expiresAt });
      create.reset(); // drops the secret from the mutation cache
      onCreated(secret);
    } catch {
      // shown below
    }
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TextInput
          label="Token name"
          placeholder="ci-deploy"
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={(submitted ? problems.name : undefined) ?? fieldError(create.error, 'name')}
          required
          data-autofocus
        />
        <NumberInput
          label="Expires in (days)"
          description={`At most ${PERSONAL_TOKEN_MAX_DAYS} days.`}
          min={1}
          max={PERSONAL_TOKEN_MAX_DAYS}
          allowDecimal={false}
          value={days}
          onChange={(value) => setDays(typeof value === 'number' ? value : '')}
          error={(submitted ? problems.days : undefined) ?? fieldError(create.error, 'expiresAt')}
          required
        />
        <ErrorAlert error={create.error} title="Could not create the token" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Create token
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function TokenRow({ token, showLastUsed }: { token: PersonalToken; showLastUsed: boolean }) {
  const revoke = useRevokePersonalToken();
  const state = tokenState(token);
  return (
    <Table.Tr>
      <Table.Td>{token.name}</Table.Td>
      <Table.Td>
        <Code>{token.prefix}…</Code>
      </Table.Td>
      <Table.Td>{formatDateTime(token.createdAt)}</Table.Td>
      <Table.Td>{token.expiresAt ? formatDateTime(token.expiresAt) : 'never'}</Table.Td>
      {showLastUsed ? (
        <Table.Td>{token.lastUsedAt ? formatDateTime(token.lastUsedAt) : 'never'}</Table.Td>
      ) : null}
      <Table.Td>
        <Badge variant="light" color={stateColors[state]}>
          {state}
        </Badge>
      </Table.Td>
      <Table.Td>
        {state === 'revoked' ? null : (
          <ConfirmAction
            label="Revoke"
            title="Revoke personal token"
            message={`Revoke the token “${token.name}” (${token.prefix}…)? Anything using it is refused from its next request. This cannot be undone.`}
            onConfirm={() => revoke.mutateAsync(token.id)}
          />
        )}
      </Table.Td>
    </Table.Tr>
  );
}

/** `#/tokens`: the signed-in user's personal tokens for automation (the admin API and the CLI). */
export function TokensPage() {
  const { data: me } = useSession();
  const tokens = usePersonalTokens();
  const [creating, setCreating] = useState(false);
  // The one-time secret lives only in this component state until the dialog is closed.
  const [secret, setSecret] = useState<string | null>(null);

  if (me?.kind !== 'user') {
    return (
      <EmptyMessage
        title="Personal tokens belong to users"
        description="You are signed in with an admin token. Sign in with your account to manage your personal tokens."
      />
    );
  }

  const createButton = (
    <Button onClick={() => setCreating(true)} style={{ flexShrink: 0 }}>
      Create token
    </Button>
  );
  const showLastUsed = (tokens.data ?? []).some((token) => token.lastUsedAt !== undefined);

  return (
    <Stack gap="md">
      <PageHeader
        title="Personal tokens"
        description={
          <>
            Tokens for scripts and the CLI, sent as <Code>Authorization: Bearer …</Code> to the admin API. A
            token acts with your role ({me.role}) and team as they are when it is used, and stops working when
            it expires, is revoked, or your account is disabled.
          </>
        }
        action={createButton}
      />
      <QueryState query={tokens} label="your tokens">
        {(data) =>
          data.length === 0 ? (
            <EmptyMessage
              title="No personal tokens"
              description="Create a token to call the admin API from a script; its secret is shown once."
              action={createButton}
            />
          ) : (
            <Table.ScrollContainer minWidth={700}>
              <Table striped highlightOnHover aria-label="Personal tokens">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Prefix</Table.Th>
                    <Table.Th>Created</Table.Th>
                    <Table.Th>Expires</Table.Th>
                    {showLastUsed ? <Table.Th>Last used</Table.Th> : null}
                    <Table.Th>Status</Table.Th>
                    <Table.Th aria-label="Actions" />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.map((token) => (
                    <TokenRow key={token.id} token={token} showLastUsed={showLastUsed} />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      <Alert variant="light" color="gray">
        <Text size="sm">Treat a token like your password: anyone holding it can do what you can.</Text>
      </Alert>
      <Modal opened={creating} onClose={() => setCreating(false)} title="Create personal token">
        {creating ? (
          <CreateTokenForm
            onClose={() => setCreating(false)}
            onCreated={(value) => {
              setCreating(false);
              setSecret(value);
            }}
          />
        ) : null}
      </Modal>
      <SecretModal secret={secret} title="Your new personal token" onClose={() => setSecret(null)} />
    </Stack>
  );
}
