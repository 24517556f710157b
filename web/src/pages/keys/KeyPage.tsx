import { Anchor, Badge, Code, Group, SimpleGrid, Stack, Tabs, Text } from '@mantine/core';
import { type ReactNode, useState } from 'react';
import { type ApiKeyView, keyState, keyStateColors, useKey, useRevokeKey } from '../../api/keys';
import { useCan } from '../../api/session';
import { useTeams } from '../../api/teams';
import { ConfirmAction } from '../../components/ConfirmAction';
import { PermissionButton } from '../../components/GuardedButton';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { SecretModal } from '../../components/SecretModal';
import { formatDateTime } from '../../lib/format';
import { navigate, pageHref } from '../../lib/navigation';
import { BudgetsSection } from './BudgetsSection';
import { EditKeyModal } from './EditKeyModal';
import { ExplainPanel } from './ExplainPanel';
import { RotateKeyModal } from './RotateKeyModal';
import { RoutingPolicyEditor } from './RoutingPolicyEditor';

const tabs = ['settings', 'budgets', 'routing', 'explain'] as const;
type Tab = (typeof tabs)[number];

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}

function Settings({ apiKey, teamName }: { apiKey: ApiKeyView; teamName: string }) {
  const limit = (value: number | null) => (value === null ? 'no limit' : value.toLocaleString());
  const metadata = Object.entries(apiKey.metadata);
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="md" verticalSpacing="md">
      <Field label="Team">{teamName}</Field>
      <Field label="Environment">{apiKey.environment}</Field>
      <Field label="Consumer">{apiKey.consumer ?? '—'}</Field>
      <Field label="Prefix">
        <Code>{apiKey.prefix}…</Code>
      </Field>
      <Field label="Created">{formatDateTime(apiKey.createdAt)}</Field>
      <Field label="Expires">{apiKey.expiresAt ? formatDateTime(apiKey.expiresAt) : 'never'}</Field>
      {apiKey.revokedAt ? <Field label="Revoked">{formatDateTime(apiKey.revokedAt)}</Field> : null}
      {apiKey.previousSecretExpiresAt ? (
        <Field label="Previous secret works until">{formatDateTime(apiKey.previousSecretExpiresAt)}</Field>
      ) : null}
      <Field label="Allowed models">
        {apiKey.allowedModels === null ? (
          'any'
        ) : (
          <Group gap={4}>
            {apiKey.allowedModels.map((model) => (
              <Badge key={model} variant="outline" style={{ textTransform: 'none' }}>
                {model}
              </Badge>
            ))}
          </Group>
        )}
      </Field>
      <Field label="Requests per minute">{limit(apiKey.requestsPerMinute)}</Field>
      <Field label="Tokens per minute">{limit(apiKey.tokensPerMinute)}</Field>
      <Field label="Body capture">{apiKey.captureBodies ? 'on' : 'off'}</Field>
      <Field label="Residency">
        {apiKey.residency ?? 'none'}
        {apiKey.residencyHeader ? ' (requests may set x-junction-residency)' : ''}
      </Field>
      <Field label="Metadata">
        {metadata.length === 0
          ? '—'
          : metadata.map(([name, value]) => (
              <div key={name}>
                <Code>{name}</Code> = {value}
              </div>
            ))}
      </Field>
      <Field label="Routing">
        {apiKey.routing
          ? `${apiKey.routing.rules.length} rule${apiKey.routing.rules.length === 1 ? '' : 's'}${apiKey.routing.default ? `, default ${apiKey.routing.default.type}` : ''}`
          : 'none: each request goes to the model it names'}
      </Field>
    </SimpleGrid>
  );
}

function KeyView({ apiKey, tab }: { apiKey: ApiKeyView; tab: Tab }) {
  const teams = useTeams();
  const revoke = useRevokeKey();
  const canWrite = useCan('keys.write');
  const canReadBudgets = useCan('budgets.read');
  const canExplain = useCan('routing.read');
  const [editing, setEditing] = useState(false);
  const [rotating, setRotating] = useState(false);
  // The new secret after a rotation lives only here until its dialog is closed.
  const [secret, setSecret] = useState<string | null>(null);
  const state = keyState(apiKey);
  const teamName = teams.data?.find((team) => team.id === apiKey.teamId)?.name ?? apiKey.teamId;
  const revoked = apiKey.revokedAt !== null;
  const shown: Tab =
    (tab === 'budgets' && !canReadBudgets) || (tab === 'explain' && !canExplain) ? 'settings' : tab;

  return (
    <Stack gap="md">
      <Anchor href={pageHref('teams')} size="sm">
        ← Teams &amp; keys
      </Anchor>
      <PageHeader
        title={apiKey.name}
        description={
          <Group gap="xs" component="span">
            <span>API key</span>
            <Code>{apiKey.prefix}…</Code>
            <Badge component="span" color={keyStateColors[state]} variant="light">
              {state}
            </Badge>
          </Group>
        }
        action={
          <Group gap="xs" wrap="nowrap">
            <PermissionButton
              permission="keys.write"
              variant="default"
              onClick={() => setEditing(true)}
              blockedReason={revoked ? 'This key is revoked.' : null}
            >
              Edit key
            </PermissionButton>
            <PermissionButton
              permission="keys.write"
              variant="default"
              onClick={() => setRotating(true)}
              blockedReason={revoked ? 'This key is revoked.' : null}
            >
              Rotate
            </PermissionButton>
            {canWrite && !revoked ? (
              <ConfirmAction
                label="Revoke"
                title="Revoke API key"
                message={`Revoke the key “${apiKey.name}” (${apiKey.prefix}…)? Requests using it are rejected from the next one. This cannot be undone.`}
                onConfirm={() => revoke.mutateAsync(apiKey.id)}
              />
            ) : null}
          </Group>
        }
      />
      <Tabs
        value={shown}
        onChange={(value) => value && navigate('teams', 'key', apiKey.id, value)}
        keepMounted
      >
        <Tabs.List>
          <Tabs.Tab value="settings">Settings</Tabs.Tab>
          {canReadBudgets ? <Tabs.Tab value="budgets">Budgets</Tabs.Tab> : null}
          <Tabs.Tab value="routing">Routing policy</Tabs.Tab>
          {canExplain ? <Tabs.Tab value="explain">Explain</Tabs.Tab> : null}
        </Tabs.List>
        <Tabs.Panel value="settings" pt="md">
          <Settings apiKey={apiKey} teamName={teamName} />
        </Tabs.Panel>
        {canReadBudgets ? (
          <Tabs.Panel value="budgets" pt="md">
            <BudgetsSection apiKey={apiKey} />
          </Tabs.Panel>
        ) : null}
        <Tabs.Panel value="routing" pt="md">
          <RoutingPolicyEditor apiKey={apiKey} canWrite={canWrite} />
        </Tabs.Panel>
        {canExplain ? (
          <Tabs.Panel value="explain" pt="md">
            <ExplainPanel apiKey={apiKey} />
          </Tabs.Panel>
        ) : null}
      </Tabs>
      <EditKeyModal opened={editing} apiKey={apiKey} onClose={() => setEditing(false)} />
      <RotateKeyModal
        apiKey={rotating ? apiKey : null}
        onClose={() => setRotating(false)}
        onRotated={(next) => {
          setRotating(false);
          setSecret(next);
        }}
      />
      <SecretModal secret={secret} title="The key's new secret" onClose={() => setSecret(null)} />
    </Stack>
  );
}

/** One API key (`#/teams/key/<id>[/<tab>]`): settings, budgets, routing policy editor and explain. */
export function KeyPage({ id, tab }: { id: string; tab?: string }) {
  const key = useKey(id);
  const current: Tab = (tabs as readonly string[]).includes(tab ?? '') ? (tab as Tab) : 'settings';
  return (
    <QueryState query={key} label="the API key">
      {(apiKey) => <KeyView key={apiKey.id} apiKey={apiKey} tab={current} />}
    </QueryState>
  );
}
