import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Fieldset,
  Group,
  PasswordInput,
  SimpleGrid,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, type ReactNode, useState } from 'react';
import { fieldError } from '../../api/ApiError';
import { useCan } from '../../api/session';
import { useRemoveSso, useSaveSso, useSsoSettings } from '../../api/sso';
import { useTeams } from '../../api/teams';
import type { SsoSettings, Team } from '../../api/types';
import { ConfirmAction } from '../../components/ConfirmAction';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PermissionButton } from '../../components/GuardedButton';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { formatDateTime } from '../../lib/format';
import { RulesEditor } from './RulesEditor';
import {
  CALLBACK_PATH,
  DEFAULT_CLAIM,
  formFromSettings,
  hasProblems,
  normaliseIssuer,
  type SsoFormState,
  toSsoInput,
  validateSsoForm,
} from './ssoForm';

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text size="sm" style={{ wordBreak: 'break-all' }}>
        {children}
      </Text>
    </div>
  );
}

interface CurrentSettingsProps {
  settings: SsoSettings;
  canWrite: boolean;
  onRemoved: () => void;
}

/** What the gateway has stored now (`GET /sso`), and the button that removes it. */
function CurrentSettings({ settings, canWrite, onRemoved }: CurrentSettingsProps) {
  const remove = useRemoveSso();
  const configured = settings.updatedAt !== null;
  return (
    <Card withBorder padding="md">
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Group gap="xs">
            <Title order={4}>Current settings</Title>
            {configured ? (
              <Badge color={settings.enabled ? 'teal' : 'gray'} variant="light">
                {settings.enabled ? 'on' : 'off'}
              </Badge>
            ) : (
              <Badge color="gray" variant="outline">
                not configured
              </Badge>
            )}
          </Group>
          {configured && canWrite ? (
            <ConfirmAction
              label="Turn off and remove"
              title="Turn off and remove single sign-on"
              message="Turn single sign-on off and remove its settings (issuer, client, secret and rules)? Everyone signed in with single sign-on is signed out at once (you too, if you did). Their entries stay on the Users page."
              onConfirm={async () => {
                await remove.mutateAsync();
                onRemoved();
              }}
            />
          ) : null}
        </Group>
        {configured ? (
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <Field label="Issuer">{settings.issuer ?? '—'}</Field>
            <Field label="Client ID">{settings.clientId ?? '—'}</Field>
            <Field label="Client secret">
              {settings.clientSecret.set ? 'a secret is stored' : 'none (public client)'}
            </Field>
            <Field label="Redirect URI">{settings.redirectUri ?? '—'}</Field>
            <Field label="Scopes">{settings.scopes.join(' ') || '—'}</Field>
            <Field label="Claim">{settings.claim}</Field>
            <Field label="Rules">{settings.rules.length}</Field>
            <Field label="Last changed">{formatDateTime(settings.updatedAt)}</Field>
          </SimpleGrid>
        ) : (
          <Text size="sm" c="dimmed">
            Single sign-on is not set up: people sign in with a password or an admin token.
          </Text>
        )}
      </Stack>
    </Card>
  );
}

interface SsoFormProps {
  settings: SsoSettings;
  teams: Team[];
  canWrite: boolean;
  onSaved: (saved: SsoSettings, secretSent: boolean) => void;
}

/**
 * The settings form. The client secret is write-only: the field starts empty (the server never sends it), is sent
 * only when something was typed, and the form is rebuilt empty after a save (its key is `updatedAt`).
 */
function SsoForm({ settings, teams, canWrite, onSaved }: SsoFormProps) {
  const [form, setForm] = useState<SsoFormState>(() => formFromSettings(settings));
  const [submitted, setSubmitted] = useState(false);
  const save = useSaveSso();

  const problems = validateSsoForm(form);
  const shown = (field: 'issuer' | 'clientId' | 'redirectUri' | 'claim'): string | undefined =>
    (submitted ? problems[field] : undefined) ?? fieldError(save.error, field);
  const update = (patch: Partial<SsoFormState>) => setForm((current) => ({ ...current, ...patch }));

  // The server keeps the stored secret only for the same issuer and client ID.
  const secretDropped =
    settings.clientSecret.set &&
    !form.clientSecret.trim() &&
    (normaliseIssuer(form.issuer) !== normaliseIssuer(settings.issuer) ||
      form.clientId.trim() !== settings.clientId);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!canWrite) return;
    setSubmitted(true);
    if (hasProblems(problems)) return;
    const input = toSsoInput(form);
    try {
      const saved = await save.mutateAsync(input);
      update({ clientSecret: '' });
      save.reset(); // drops the secret from the mutation cache
      onSaved(saved, input.clientSecret !== undefined);
    } catch {
      // save.error is shown next to the button
    }
  };

  const secretDescription = settings.clientSecret.set
    ? 'A secret is stored (it is never shown). Leave this empty to keep the stored one; type a new one to replace it.'
    : 'No secret is stored. Paste the client secret, or leave this empty for a public client (PKCE only).';

  return (
    <Card withBorder padding="md">
      <form onSubmit={submit} noValidate aria-label="Single sign-on settings">
        <Stack>
          <Title order={4}>{canWrite ? 'Edit settings' : 'Settings'}</Title>
          {canWrite ? null : (
            <Alert color="gray" variant="light">
              <Text size="sm">
                You can see these settings; changing them needs the sso.write permission, which your role does
                not have.
              </Text>
            </Alert>
          )}
          <Fieldset variant="unstyled" disabled={!canWrite}>
            <Stack>
              <Switch
                label="Single sign-on is on"
                description="When on, the sign-in page offers single sign-on. Turning it off signs out everyone who signed in with it."
                checked={form.enabled}
                onChange={(event) => update({ enabled: event.currentTarget.checked })}
              />
              <TextInput
                label="Issuer URL"
                description="The identity provider's issuer; its /.well-known/openid-configuration is read when you save with single sign-on on."
                placeholder="https://login.example.com/realms/acme"
                value={form.issuer}
                onChange={(event) => update({ issuer: event.currentTarget.value })}
                error={shown('issuer')}
                required
              />
              <TextInput
                label="Client ID"
                autoComplete="off"
                value={form.clientId}
                onChange={(event) => update({ clientId: event.currentTarget.value })}
                error={shown('clientId')}
                required
              />
              <PasswordInput
                label="Client secret"
                description={secretDescription}
                placeholder={settings.clientSecret.set ? 'Keep the stored secret' : undefined}
                autoComplete="new-password"
                value={form.clientSecret}
                onChange={(event) => update({ clientSecret: event.currentTarget.value })}
                error={
                  fieldError(save.error, 'clientSecret') ??
                  (secretDropped
                    ? 'The issuer or client ID changed: the stored secret is only kept for the same issuer and client. Enter the secret again (or leave it empty for a public client).'
                    : undefined)
                }
              />
              <TextInput
                label="Redirect URI"
                description={
                  <>
                    Register exactly this URL at the identity provider. Its path must be{' '}
                    <Code>{CALLBACK_PATH}</Code>.
                  </>
                }
                value={form.redirectUri}
                onChange={(event) => update({ redirectUri: event.currentTarget.value })}
                error={shown('redirectUri')}
                required
              />
              <TagsInput
                label="Scopes"
                description="Separate them with commas or spaces; openid is always added."
                value={form.scopes}
                onChange={(scopes) => update({ scopes })}
                splitChars={[',', ' ']}
                error={fieldError(save.error, 'scopes')}
                clearable
              />
              <TextInput
                label="Claim"
                description="The ID token claim holding groups or roles. Dotted paths are allowed, e.g. realm_access.roles (Keycloak); for Microsoft Entra app roles use roles."
                placeholder={DEFAULT_CLAIM}
                value={form.claim}
                onChange={(event) => update({ claim: event.currentTarget.value })}
                error={shown('claim')}
                required
              />
              <RulesEditor
                rules={form.rules}
                teams={teams}
                claim={form.claim}
                problems={submitted ? problems.rules : []}
                onChange={(rules) => update({ rules })}
              />
            </Stack>
          </Fieldset>
          <ErrorAlert error={save.error} title="Could not save the single sign-on settings" />
          <Group justify="space-between">
            <Text size="xs" c="dimmed">
              {form.enabled
                ? 'Saving checks the issuer first: it must answer its discovery document.'
                : 'Saved while off: the issuer is not contacted.'}
            </Text>
            <Group gap="xs">
              {canWrite ? (
                <Button
                  variant="default"
                  onClick={() => {
                    setForm(formFromSettings(settings));
                    setSubmitted(false);
                    save.reset();
                  }}
                  disabled={save.isPending}
                >
                  Discard changes
                </Button>
              ) : null}
              <PermissionButton permission="sso.write" type="submit" loading={save.isPending}>
                Save
              </PermissionButton>
            </Group>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

/** The OpenID Connect configuration: who may sign in with the identity provider, and with which role. */
export function SsoPage() {
  const settings = useSsoSettings();
  const teams = useTeams();
  const canWrite = useCan('sso.write');
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <Stack gap="md">
      <PageHeader
        title="Single sign-on"
        description="Let people sign in with your identity provider (OpenID Connect: Microsoft Entra ID, Okta, Keycloak, Google…). Their role and team come from the rules."
      />
      {notice ? (
        <Alert color="teal" variant="light" withCloseButton onClose={() => setNotice(null)}>
          <Text size="sm">{notice}</Text>
        </Alert>
      ) : null}
      <ErrorAlert error={teams.error} title="Could not load the teams (needed for developer rules)" />
      <QueryState query={settings} label="the single sign-on settings">
        {(data) => (
          <>
            <CurrentSettings
              settings={data}
              canWrite={canWrite}
              onRemoved={() => setNotice('Single sign-on is off and its settings are removed.')}
            />
            <SsoForm
              key={data.updatedAt ?? 'not-configured'}
              settings={data}
              teams={teams.data ?? []}
              canWrite={canWrite}
              onSaved={(saved, secretSent) =>
                setNotice(
                  `Saved. Single sign-on is ${saved.enabled ? 'on: the sign-in page offers it' : 'off'}.${
                    secretSent ? ' The client secret is stored encrypted and is not shown again.' : ''
                  }`,
                )
              }
            />
          </>
        )}
      </QueryState>
    </Stack>
  );
}
