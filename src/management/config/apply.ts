/**
 * Compares a configuration document with the store and, on apply, makes the store match it through the same
 * services the admin API uses, in one transaction: the whole document applies or nothing does. Entries the
 * document leaves out are kept unless `prune` is set; fields it leaves out keep their stored values. Prices are
 * identified by (scope, target, effectiveFrom); they are immutable rows, so a changed price is replaced.
 */
import { GatewayError } from '../../core/errors/gateway-error.js';
import type { AuthMethod } from '../../core/snapshot/source.js';
import type { MasterKey } from '../../secrets/envelope.js';
import type { Database } from '../../store/database.js';
import { apiKeys, environments, teams } from '../../store/schema.js';
import type { ApiKeyUpdate } from '../api/schemas.js';
import { loadConfiguration } from '../configuration.js';
import { createAlias, deleteAlias, listAliases, moveAlias, updateAlias } from '../services/aliases.js';
import { createBudget, deleteBudget, listBudgets, updateBudget } from '../services/budgets.js';
import { createEnvironment, deleteEnvironment } from '../services/environments.js';
import { createModel, deleteModel, listModels, updateModel } from '../services/models.js';
import { createPrice, deletePrice, listPrices } from '../services/prices.js';
import {
  createProvider,
  credentialFieldsFromText,
  deleteProvider,
  listProviders,
  updateProvider,
} from '../services/providers.js';
import { createTeam, keyView, revokeKey, updateKey, updateTeam } from '../services/teams-and-keys.js';
import type { ConfigChange, ConfigDocument, ConfigKey, ConfigPlan, ConfigPrice } from './document.js';

type Operation = () => Promise<unknown>;

interface Computed {
  changes: ConfigChange[];
  operations: Operation[];
  unchanged: number;
  notes: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Fields of `wanted` that differ from `current` (fields `wanted` leaves out are not compared). */
function changedFields(
  wanted: Record<string, unknown>,
  current: Record<string, unknown>,
  fields: string[],
): string[] {
  return fields.filter((field) => wanted[field] !== undefined && !same(wanted[field], current[field]));
}

/** The key settings a document carries and `apply` changes through `updateKey`. */
const keySettingFields = [
  'routing',
  'allowedModels',
  'metadata',
  'residency',
  'residencyHeader',
  'requestsPerMinute',
  'tokensPerMinute',
  'captureBodies',
  'expiresAt',
] as const;
type KeySettingField = (typeof keySettingFields)[number];

/** A document's value of a key setting in the form the store reports it (an expiry as an ISO time in UTC). */
function wantedKeySetting(key: ConfigKey, field: KeySettingField): unknown {
  if (field !== 'expiresAt' || !key.expiresAt) return key[field];
  return new Date(key.expiresAt).toISOString();
}

/** JSON with object members in name order, so a policy reads the same however its members are ordered. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
  return Object.fromEntries(
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, item]) => [name, canonical(item)]),
  );
}

const sameSetting = (a: unknown, b: unknown) => same(canonical(a), canonical(b));

/** A price's `effectiveFrom` as the store reports it (a document may leave it out: always). */
const priceFrom = (effectiveFrom: string | undefined) => new Date(effectiveFrom ?? 0).toISOString();

/** A price's identity in plans: `<scope>:<target>@<effectiveFrom>`. */
const priceId = (price: { scope: string; target: string; effectiveFrom?: string }) =>
  `${price.scope}:${price.target}@${priceFrom(price.effectiveFrom)}`;

/** Two amounts are the same price whatever their trailing zeros (`2.5` and `2.50`). */
const sameAmount = (a: string | null | undefined, b: string | null | undefined) => {
  const trim = (value: string) => value.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  return a == null || b == null ? (a ?? null) === (b ?? null) : trim(a) === trim(b);
};

const priceAmountFields = ['input', 'cachedInput', 'cacheWrite', 'output', 'reasoning'] as const;

async function compute(
  db: Database,
  masterKey: MasterKey,
  document: ConfigDocument,
  prune: boolean,
): Promise<Computed> {
  const changes: ConfigChange[] = [];
  const operations: Operation[] = [];
  const notes: string[] = [];
  let unchanged = 0;
  const later: Array<{ change: ConfigChange; operation: Operation }> = [];

  // Environments
  const currentEnvironments = new Map((await db.select().from(environments)).map((row) => [row.id, row]));
  for (const environment of document.environments ?? []) {
    if (currentEnvironments.has(environment.id)) unchanged++;
    else {
      changes.push({ action: 'create', kind: 'environment', id: environment.id });
      operations.push(() => createEnvironment(db, environment));
    }
  }

  // Providers
  const stored = await loadConfiguration(db, masterKey);
  const credentials = new Map(stored.providers.map((provider) => [provider.id, provider.credential]));
  const currentProviders = new Map((await listProviders(db)).map((provider) => [provider.id, provider]));
  const providerFields = [
    'displayName',
    'baseUrl',
    'authMethod',
    'region',
    'environments',
    'enabled',
    'firstParty',
    'labels',
    'config',
  ];
  for (const wanted of document.providers ?? []) {
    const { credential, apiKey, type, id, ...fields } = wanted;
    const current = currentProviders.get(id);
    if (!current) {
      if (credential && 'stored' in credential && !apiKey) {
        throw new GatewayError(
          'invalid_request',
          `Provider ${id} is new, so no credential is stored for it; give credential.env`,
        );
      }
      changes.push({ action: 'create', kind: 'provider', id });
      operations.push(() =>
        createProvider(db, masterKey, {
          id,
          type,
          ...fields,
          ...(apiKey ? credentialFieldsFromText(type, fields.authMethod, apiKey) : {}),
        }),
      );
      continue;
    }
    if (current.type !== type) {
      throw new GatewayError(
        'invalid_request',
        `Provider ${id} is of type ${current.type}; a type cannot change (delete it and create a new entry)`,
      );
    }
    const differing = changedFields(fields, current, providerFields);
    const rotates = apiKey !== undefined && apiKey.trim() !== credentials.get(id);
    if (differing.length === 0 && !rotates) {
      unchanged++;
      continue;
    }
    changes.push({
      action: 'update',
      kind: 'provider',
      id,
      fields: rotates ? [...differing, 'credential'] : differing,
    });
    const patch = Object.fromEntries(
      differing.map((field) => [field, (fields as Record<string, unknown>)[field]]),
    );
    const method = (fields.authMethod ?? current.authMethod) as AuthMethod;
    operations.push(() =>
      updateProvider(db, masterKey, id, {
        ...patch,
        ...(rotates && apiKey ? credentialFieldsFromText(type, method, apiKey) : {}),
      }),
    );
  }

  // Teams
  const currentTeams = new Map((await db.select().from(teams)).map((row) => [row.name, row]));
  for (const team of document.teams ?? []) {
    const current = currentTeams.get(team.name);
    if (!current) {
      changes.push({ action: 'create', kind: 'team', id: team.name });
      operations.push(() => createTeam(db, team));
    } else {
      const fields = (
        ['description', 'requestsPerMinute', 'tokensPerMinute', 'captureBodies'] as const
      ).filter((field) => team[field] !== undefined && !same(team[field], current[field]));
      if (fields.length === 0) {
        unchanged++;
        continue;
      }
      changes.push({ action: 'update', kind: 'team', id: team.name, fields: [...fields] });
      const patch = Object.fromEntries(fields.map((field) => [field, team[field]]));
      operations.push(() => updateTeam(db, current.id, patch));
    }
  }

  // Models (audiences name teams in the document and hold team ids in the store)
  const teamNames = new Map([...currentTeams.values()].map((row) => [row.id, row.name]));
  const teamIdsByName = async () =>
    new Map(
      (await db.select({ id: teams.id, name: teams.name }).from(teams)).map((row) => [row.name, row.id]),
    );
  const currentModels = new Map(
    (await listModels(db)).map((model) => [
      model.id,
      {
        ...model,
        audience: model.audience && {
          teams: model.audience.teams.map((id) => teamNames.get(id) ?? id),
          keys: model.audience.keys,
        },
      },
    ]),
  );
  // The kind may change as through the API: refused while an alias serves the model (updateModel says why).
  const modelFields = [
    'kind',
    'contextWindow',
    'dimension',
    'capabilities',
    'description',
    'enabled',
    'owner',
    'audience',
    'deployments',
  ];
  const withTeamIds = async <T extends { audience?: { teams?: string[]; keys?: string[] } | null }>(
    input: T,
  ): Promise<T> => {
    if (!input.audience) return input;
    const ids = await teamIdsByName();
    return {
      ...input,
      audience: {
        teams: (input.audience.teams ?? []).map((name) => ids.get(name) ?? name),
        keys: input.audience.keys ?? [],
      },
    };
  };
  for (const wanted of document.models ?? []) {
    const current = currentModels.get(wanted.id);
    const deployments = wanted.deployments.map((deployment) => ({
      ...deployment,
      weight: deployment.weight ?? 1,
      priority: deployment.priority ?? 0,
    }));
    if (!current) {
      changes.push({ action: 'create', kind: 'model', id: wanted.id });
      operations.push(async () => createModel(db, await withTeamIds({ ...wanted, deployments })));
      continue;
    }
    const normalized = {
      ...wanted,
      deployments,
      capabilities: wanted.capabilities ? { ...current.capabilities, ...wanted.capabilities } : undefined,
      audience: wanted.audience && { teams: wanted.audience.teams ?? [], keys: wanted.audience.keys ?? [] },
    };
    const differing = changedFields(normalized, current, modelFields);
    if (differing.length === 0) {
      unchanged++;
      continue;
    }
    changes.push({ action: 'update', kind: 'model', id: wanted.id, fields: differing });
    const patch = Object.fromEntries(
      differing.map((field) => [field, (normalized as Record<string, unknown>)[field]]),
    );
    operations.push(async () => updateModel(db, wanted.id, await withTeamIds(patch)));
  }

  // Aliases, after the models they may point at
  const currentAliases = new Map((await listAliases(db)).map((alias) => [alias.id, alias]));
  for (const wanted of document.aliases ?? []) {
    const current = currentAliases.get(wanted.id);
    if (!current) {
      changes.push({ action: 'create', kind: 'alias', id: wanted.id });
      operations.push(() => createAlias(db, wanted));
      continue;
    }
    const fields: string[] = [];
    if (wanted.modelId !== current.modelId) {
      fields.push('modelId');
      operations.push(() =>
        moveAlias(db, wanted.id, {
          modelId: wanted.modelId,
          acknowledgeReembedding: wanted.acknowledgeReembedding === true,
        }),
      );
    }
    if (wanted.description !== undefined && !same(wanted.description, current.description)) {
      fields.push('description');
      operations.push(() => updateAlias(db, wanted.id, { description: wanted.description ?? null }));
    }
    if (fields.length > 0) changes.push({ action: 'update', kind: 'alias', id: wanted.id, fields });
    else unchanged++;
  }

  // Prices, after the models they may name. A price is immutable: a changed one is deleted and created anew with
  // the document's fields over the stored ones. The store may hold several rows of one identity (the admin API does not
  // forbid it): they are replaced or deleted together.
  const currentPrices = new Map<string, Awaited<ReturnType<typeof listPrices>>>();
  for (const price of await listPrices(db)) {
    const id = priceId(price);
    currentPrices.set(id, [...(currentPrices.get(id) ?? []), price]);
  }
  const wantedPrices = new Set<string>();
  for (const wanted of document.prices ?? []) {
    const id = priceId(wanted);
    if (wantedPrices.has(id)) {
      throw new GatewayError('invalid_request', `Price ${id} appears more than once in the document`);
    }
    wantedPrices.add(id);
    const stored = currentPrices.get(id) ?? [];
    const current = stored[0];
    const effectiveFrom = priceFrom(wanted.effectiveFrom);
    if (!current) {
      changes.push({ action: 'create', kind: 'price', id });
      operations.push(() => createPrice(db, { ...wanted, effectiveFrom }));
      continue;
    }
    const differing: string[] = priceAmountFields.filter(
      (field) => wanted[field] !== undefined && !sameAmount(wanted[field], current[field]),
    );
    if (wanted.note !== undefined && (wanted.note ?? null) !== current.note) differing.push('note');
    if (differing.length === 0 && stored.length === 1) {
      unchanged++;
      continue;
    }
    changes.push({ action: 'update', kind: 'price', id, fields: differing });
    const replacement: ConfigPrice = {
      scope: current.scope,
      target: current.target,
      input: wanted.input,
      cachedInput: wanted.cachedInput === undefined ? current.cachedInput : wanted.cachedInput,
      cacheWrite: wanted.cacheWrite === undefined ? current.cacheWrite : wanted.cacheWrite,
      output: wanted.output,
      reasoning: wanted.reasoning === undefined ? current.reasoning : wanted.reasoning,
      note: wanted.note === undefined ? current.note : wanted.note,
    };
    operations.push(async () => {
      for (const price of stored) await deletePrice(db, price.id);
      return createPrice(db, { ...replacement, effectiveFrom });
    });
  }

  // Keys: a document changes a key's settings (through `updateKey`, as PATCH /keys/{id} does) and can revoke a
  // key, but never issues one (its secret is shown once, by the API).
  const currentKeys = new Map((await db.select().from(apiKeys)).map((row) => [row.id, keyView(row)]));
  for (const key of document.keys ?? []) {
    const current = currentKeys.get(key.id);
    if (!current) {
      notes.push(
        `Key ${key.id} (${key.name}) is not in the store and was not created: keys are issued through the API or the web app, which show the secret once.`,
      );
      continue;
    }
    const differing = keySettingFields.filter(
      (field) => key[field] !== undefined && !sameSetting(wantedKeySetting(key, field), current[field]),
    );
    const revokes = key.revoked === true && current.revokedAt === null;
    if (differing.length > 0) {
      changes.push({ action: 'update', kind: 'key', id: key.id, fields: [...differing] });
      const patch = Object.fromEntries(differing.map((field) => [field, key[field]])) as ApiKeyUpdate;
      operations.push(() => updateKey(db, key.id, patch));
    }
    if (revokes) {
      changes.push({ action: 'revoke', kind: 'key', id: key.id });
      operations.push(() => revokeKey(db, key.id));
    }
    if (differing.length === 0 && !revokes) unchanged++;
  }

  // Budgets, after the teams and keys they belong to (a team created above gets its id when the operations run).
  const budgetId = (budget: { scope: string; name: string; key?: string; team?: string }) =>
    `${budget.scope}:${budget.scope === 'key' ? budget.key : budget.team}:${budget.name}`;
  const teamNamesNow = new Map([...currentTeams.values()].map((row) => [row.id, row.name]));
  const currentBudgets = new Map(
    (await listBudgets(db)).map((budget) => [
      budgetId({
        scope: budget.scope,
        name: budget.name,
        key: budget.keyId ?? undefined,
        team: budget.teamId ? (teamNamesNow.get(budget.teamId) ?? budget.teamId) : undefined,
      }),
      budget,
    ]),
  );
  const wantedBudgets = new Set<string>();
  for (const wanted of document.budgets ?? []) {
    const id = budgetId(wanted);
    if (wantedBudgets.has(id)) {
      throw new GatewayError('invalid_request', `Budget ${id} appears more than once in the document`);
    }
    wantedBudgets.add(id);
    const current = currentBudgets.get(id);
    const settings = {
      limitUsd: wanted.limitUsd,
      limitTokens: wanted.limitTokens,
      period: wanted.period,
      timezone: wanted.timezone,
      alertAtPercent: wanted.alertAtPercent,
      onStoreFailure: wanted.onStoreFailure,
      enabled: wanted.enabled,
    };
    if (!current) {
      changes.push({ action: 'create', kind: 'budget', id });
      operations.push(async () => {
        const teamId =
          wanted.scope === 'team'
            ? (await db.select({ id: teams.id, name: teams.name }).from(teams)).find(
                (row) => row.name === wanted.team,
              )?.id
            : undefined;
        if (wanted.scope === 'team' && !teamId) {
          throw new GatewayError('invalid_request', `Budget ${id}: team ${wanted.team} does not exist`);
        }
        return createBudget(db, {
          name: wanted.name,
          scope: wanted.scope,
          keyId: wanted.scope === 'key' ? wanted.key : null,
          teamId: teamId ?? null,
          ...settings,
        });
      });
      continue;
    }
    const differing = (Object.keys(settings) as Array<keyof typeof settings>).filter(
      (field) =>
        settings[field] !== undefined &&
        !(field === 'limitUsd'
          ? sameAmount(settings.limitUsd ?? null, current.limitUsd)
          : same(settings[field], current[field])),
    );
    if (differing.length === 0) {
      unchanged++;
      continue;
    }
    changes.push({ action: 'update', kind: 'budget', id, fields: differing });
    const patch = Object.fromEntries(differing.map((field) => [field, settings[field]]));
    operations.push(() => updateBudget(db, current.id, patch));
  }

  if (prune) {
    // A document without a budgets list leaves the budgets alone.
    if (document.budgets) {
      for (const [id, budget] of currentBudgets) {
        if (wantedBudgets.has(id)) continue;
        later.push({
          change: { action: 'delete', kind: 'budget', id },
          operation: () => deleteBudget(db, budget.id),
        });
      }
    }
    // Prices go first (they may name the models and deployments deleted below). A document without a prices list
    // leaves the price book alone.
    if (document.prices) {
      for (const [id, stored] of currentPrices) {
        if (wantedPrices.has(id)) continue;
        later.push({
          change: { action: 'delete', kind: 'price', id },
          operation: async () => {
            for (const price of stored) await deletePrice(db, price.id);
          },
        });
      }
    }
    const wantedAliases = new Set((document.aliases ?? []).map((alias) => alias.id));
    for (const id of currentAliases.keys()) {
      if (!wantedAliases.has(id))
        later.push({ change: { action: 'delete', kind: 'alias', id }, operation: () => deleteAlias(db, id) });
    }
    const wantedModels = new Set((document.models ?? []).map((model) => model.id));
    for (const id of currentModels.keys()) {
      if (!wantedModels.has(id))
        later.push({ change: { action: 'delete', kind: 'model', id }, operation: () => deleteModel(db, id) });
    }
    const wantedProviders = new Set((document.providers ?? []).map((provider) => provider.id));
    for (const id of currentProviders.keys()) {
      if (!wantedProviders.has(id)) {
        later.push({
          change: { action: 'delete', kind: 'provider', id },
          operation: () => deleteProvider(db, id),
        });
      }
    }
    const wantedEnvironments = new Set((document.environments ?? []).map((environment) => environment.id));
    for (const id of currentEnvironments.keys()) {
      if (!wantedEnvironments.has(id)) {
        later.push({
          change: { action: 'delete', kind: 'environment', id },
          operation: () => deleteEnvironment(db, id),
        });
      }
    }
    const wantedTeams = new Set((document.teams ?? []).map((team) => team.name));
    for (const name of currentTeams.keys()) {
      if (!wantedTeams.has(name))
        notes.push(
          `Team ${name} is not in the document and was kept: teams are kept for the history of their keys.`,
        );
    }
  }
  for (const item of later) {
    changes.push(item.change);
    operations.push(item.operation);
  }
  return { changes, operations, unchanged, notes };
}

/** What applying `document` would change, without changing anything. */
export async function planConfiguration(
  db: Database,
  masterKey: MasterKey,
  document: ConfigDocument,
  prune: boolean,
): Promise<ConfigPlan> {
  const { changes, unchanged, notes } = await compute(db, masterKey, document, prune);
  return { changes, unchanged, notes, applied: false };
}

/** Applies `document` (call inside the publisher's transaction so it is all or nothing). */
export async function applyConfiguration(
  db: Database,
  masterKey: MasterKey,
  document: ConfigDocument,
  prune: boolean,
): Promise<ConfigPlan> {
  const { changes, operations, unchanged, notes } = await compute(db, masterKey, document, prune);
  for (const operation of operations) await operation();
  return { changes, unchanged, notes, applied: true };
}
