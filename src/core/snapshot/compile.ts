/**
 * Compiles stored configuration into a GatewaySnapshot, or explains why it cannot. A configuration that
 * fails to compile never reaches the data plane: the previous snapshot stays in service.
 */
import { type BudgetRule, usdToNano } from '../budget/rules.js';
import { isTimeZone } from '../budget/window.js';
import { pushTo } from '../collections.js';
import { withFields } from '../objects.js';
import type { DatedPrice, PriceBook } from '../pricing/book.js';
import { effectiveBaseUrl, providerTypeInfo } from '../providers/catalog.js';
import { parseAwsCredentials, parseServiceAccount, secretsOfCredential } from '../providers/credentials.js';
import type { RoutingPolicy, RoutingStrategy } from '../routing/policy.js';
import type { ModelObject } from '../wire/openai.js';
import type {
  CompiledAudience,
  CompiledAuth,
  CompiledKey,
  CompiledModel,
  CompiledProvider,
  Deployment,
  GatewaySnapshot,
  RestrictedListing,
} from './snapshot.js';
import type { ApiKeySource, ConfigurationSource, ProviderSource, TeamSource } from './source.js';

interface Listing {
  listed: ModelObject;
  environments: ReadonlySet<string>;
  audience: CompiledAudience | null;
}

export interface ConfigurationIssue {
  /** Where the problem is, e.g. `providers/openai-eu` or `models/chat/deployments/0`. */
  path: string;
  message: string;
}

export type CompileResult =
  | { ok: true; snapshot: GatewaySnapshot }
  | { ok: false; issues: ConfigurationIssue[] };

const DEFAULT_ECHO_DIMENSION = 256;

const EMPTY_RECORD: Readonly<Record<string, string>> = Object.freeze({});
const NO_SECRETS: readonly string[] = Object.freeze([]);
const STATIC_AUTH: CompiledAuth = Object.freeze({ kind: 'static' });

/**
 * One instance of each repeated value of a configuration. Rows read from the store carry their own copy of every
 * string and of every empty record, so a configuration of 100,000 keys of a few teams held 100,000 copies of each
 * team id, environment and empty metadata: a third of the snapshot's heap, and objects every full collection
 * marks. The snapshot keeps one of each instead (the interning tables are dropped with the compilation).
 */
class Interner {
  readonly #strings = new Map<string, string>();
  readonly #sets = new Map<string, ReadonlySet<string>>();

  string<T extends string | null>(value: T): T {
    if (value === null) return value;
    const known = this.#strings.get(value);
    if (known !== undefined) return known as T;
    this.#strings.set(value, value);
    return value;
  }

  /** The shared empty record for an empty one (the snapshot is never mutated). */
  record(value: Readonly<Record<string, string>> | null | undefined): Readonly<Record<string, string>> {
    if (!value) return EMPTY_RECORD;
    for (const _ in value) return value;
    return EMPTY_RECORD;
  }

  /** One set per distinct list of members (in order). */
  set(values: readonly string[]): ReadonlySet<string> {
    const key = JSON.stringify(values);
    let set = this.#sets.get(key);
    if (!set) {
      set = new Set(values.map((value) => this.string(value)));
      this.#sets.set(key, set);
    }
    return set;
  }
}

/** Compiles a configuration; pure and deterministic apart from `compiledAt`. */
export function compileSnapshot(source: ConfigurationSource, now: Date = new Date()): CompileResult {
  const issues: ConfigurationIssue[] = [];
  const intern = new Interner();
  const providers = new Map<string, CompiledProvider>();
  for (const provider of source.providers) {
    const compiled = compileProvider(provider, issues, intern);
    if (compiled) providers.set(provider.id, compiled);
  }

  const models = new Map<string, CompiledModel>();
  const listings: Listing[] = [];
  for (const model of source.models) {
    const path = `models/${model.id}`;
    if (model.kind === 'embedding' && !(model.dimension && model.dimension > 0)) {
      issues.push({ path, message: 'an embedding model needs its vector dimension' });
    }
    const deployments: Deployment[] = [];
    model.deployments.forEach((deployment, index) => {
      const provider = providers.get(deployment.providerId);
      if (!provider) {
        issues.push({
          path: `${path}/deployments/${index}`,
          message: `provider ${deployment.providerId} does not exist`,
        });
        return;
      }
      if (!deployment.upstreamModel) {
        issues.push({ path: `${path}/deployments/${index}`, message: 'the upstream model name is empty' });
        return;
      }
      if (model.kind === 'embedding' && !providerTypeInfo(provider.type).embeddings) {
        issues.push({
          path: `${path}/deployments/${index}`,
          message: `${provider.id} is a ${provider.type} provider, which serves no embeddings`,
        });
        return;
      }
      if (!Number.isInteger(deployment.weight) || deployment.weight < 0) {
        issues.push({
          path: `${path}/deployments/${index}`,
          message: 'the weight must be a whole number ≥ 0',
        });
        return;
      }
      const upstreamModel = intern.string(deployment.upstreamModel);
      deployments.push({
        id: `${provider.id}/${upstreamModel}`,
        provider,
        upstreamModel,
        upstreamModelJson: intern.string(JSON.stringify(upstreamModel)),
        weight: deployment.weight,
        priority: deployment.priority ?? 0,
        target: {
          providerId: provider.id,
          upstreamModel,
          region: provider.region,
          basePath: provider.basePath,
          settings: provider.settings,
          capabilities: model.capabilities,
          dimension: model.dimension,
        },
      });
    });
    if (!model.enabled) continue;
    const environments = new Set<string>();
    for (const deployment of deployments) {
      if (!deployment.provider.enabled || deployment.weight === 0) continue;
      for (const environment of deployment.provider.environments) environments.add(environment);
    }
    const audience = model.audience
      ? { teams: new Set(model.audience.teams), keys: new Set(model.audience.keys) }
      : null;
    models.set(model.id, {
      id: model.id,
      version: model.id,
      audience,
      kind: model.kind,
      contextWindow: model.contextWindow,
      dimension: model.dimension,
      capabilities: model.capabilities,
      deployments,
      environments,
    });
    const listed: ModelObject = {
      id: model.id,
      object: 'model',
      created: model.created,
      owned_by: model.owner || 'junction',
      kind: model.kind,
      context_window: model.contextWindow,
      dimension: model.dimension,
      capabilities: {
        streaming: model.capabilities.streaming,
        tools: model.capabilities.tools,
        vision: model.capabilities.vision,
        json_mode: model.capabilities.jsonMode,
      },
    };
    listings.push({ listed, environments, audience });
  }

  const modelIds = new Set(source.models.map((model) => model.id));
  for (const alias of source.aliases ?? []) {
    const path = `aliases/${alias.id}`;
    if (modelIds.has(alias.id)) {
      issues.push({ path, message: `${alias.id} is already the name of a model` });
      continue;
    }
    const target = models.get(alias.modelId);
    if (!target) {
      // A disabled version keeps its alias in the store; the alias then serves nothing, like the version.
      if (!modelIds.has(alias.modelId))
        issues.push({ path, message: `model ${alias.modelId} does not exist` });
      continue;
    }
    models.set(alias.id, withFields(target, { id: alias.id }));
    const versionListing = listings.find((listing) => listing.listed.id === alias.modelId);
    if (versionListing) {
      listings.push({
        listed: withFields(versionListing.listed, {
          id: alias.id,
          created: alias.created,
          version: alias.modelId,
        }),
        environments: versionListing.environments,
        audience: target.audience,
      });
    }
  }

  const teamIds = new Set(source.teams.map((team) => team.id));
  const teamsById = new Map(source.teams.map((team) => [team.id, team]));
  const { budgets, budgetsByOwner } = compileBudgets(source, issues);
  const keysByHash = new Map<string, CompiledKey>();
  for (const key of source.apiKeys) {
    if (!teamIds.has(key.teamId)) {
      issues.push({ path: `keys/${key.id}`, message: `team ${key.teamId} does not exist` });
      continue;
    }
    if (key.revokedAt !== null) continue;
    const compiledKey: CompiledKey = {
      id: key.id,
      name: intern.string(key.name),
      teamId: intern.string(key.teamId),
      environment: intern.string(key.environment),
      expiresAt: key.expiresAt,
      routing: key.routing ?? null,
      metadata: intern.record(key.metadata),
      allowedModels: key.allowedModels ? new Set(key.allowedModels) : null,
      residency: intern.string(key.residency ?? null),
      residencyHeader: key.residencyHeader ?? false,
      governance: governanceOf(key, teamsById.get(key.teamId), budgetsByOwner),
      captureBodies: key.captureBodies === true || teamsById.get(key.teamId)?.captureBodies === true,
    };
    keysByHash.set(key.secretHash, compiledKey);
    // After a rotation the old secret keeps working until its grace period ends.
    if (key.previousSecretHash && key.previousSecretExpiresAt) {
      const until =
        key.expiresAt === null
          ? key.previousSecretExpiresAt
          : Math.min(key.expiresAt, key.previousSecretExpiresAt);
      keysByHash.set(key.previousSecretHash, withFields(compiledKey, { expiresAt: until }));
    }
  }

  const deploymentsById = new Map<string, { deployment: Deployment; model: CompiledModel }>();
  for (const model of models.values()) {
    if (model.id !== model.version) continue; // an alias shares its version's deployments
    for (const deployment of model.deployments) {
      if (!deploymentsById.has(deployment.id)) deploymentsById.set(deployment.id, { deployment, model });
    }
  }
  for (const key of source.apiKeys) {
    if (key.routing) checkRouting(key.id, key.routing, models, deploymentsById, issues);
  }
  if (issues.length > 0) return { ok: false, issues };
  listings.sort((a, b) => a.listed.id.localeCompare(b.listed.id));
  const openByEnvironment = new Map<string, ModelObject[]>();
  const restrictedModelsByEnvironment = new Map<string, RestrictedListing[]>();
  for (const { listed, environments, audience } of listings) {
    for (const environment of environments) {
      if (audience) pushTo(restrictedModelsByEnvironment, environment, { listed, audience });
      else pushTo(openByEnvironment, environment, listed);
    }
  }
  const modelListJsonByEnvironment = new Map<string, string>();
  for (const [environment, list] of openByEnvironment) {
    modelListJsonByEnvironment.set(environment, JSON.stringify({ object: 'list', data: list }));
  }
  return {
    ok: true,
    snapshot: {
      version: source.version,
      compiledAt: now.toISOString(),
      keysByHash,
      providers,
      models,
      modelListJsonByEnvironment,
      restrictedModelsByEnvironment,
      deploymentsById,
      prices: compilePrices(source),
      budgets,
      counts: { providers: providers.size, models: models.size, keys: keysByHash.size },
    },
  };
}

function compileProvider(
  provider: ProviderSource,
  issues: ConfigurationIssue[],
  intern: Interner,
): CompiledProvider | undefined {
  const path = `providers/${provider.id}`;
  const environments = intern.set(provider.environments);
  const secrets = provider.credential ? secretsOfCredential(provider.credential) : NO_SECRETS;
  const echoDimension =
    typeof provider.config.dimension === 'number' && provider.config.dimension > 0
      ? provider.config.dimension
      : DEFAULT_ECHO_DIMENSION;
  const info = providerTypeInfo(provider.type);
  const settings: Record<string, string> = {};
  for (const setting of info.settings) {
    const own = provider.config[setting.name];
    const value = typeof own === 'string' && own !== '' ? own : setting.default;
    if (value !== null) settings[setting.name] = value;
  }
  // One object literal with every field, built by one function: spreading a shared part into each entry gave
  // every entry a hidden class of its own once the spread was optimised (10,000 entries, 10,000 classes).
  const compiled = (
    location: { origin: string; basePath: string },
    headers: Record<string, string>,
    auth: CompiledAuth,
  ): CompiledProvider => ({
    id: provider.id,
    type: intern.string(provider.type),
    environments,
    enabled: provider.enabled,
    origin: intern.string(location.origin),
    basePath: intern.string(location.basePath),
    headers: intern.record(headers),
    auth,
    credentialKey: provider.credential ?? '',
    region: intern.string(provider.region),
    settings: intern.record(settings),
    secrets,
    echoDimension,
    labels: intern.record(provider.labels),
  });
  if (provider.type === 'echo') return compiled({ origin: '', basePath: '' }, EMPTY_RECORD, STATIC_AUTH);
  if (info.hasRegion && info.defaultBaseUrl?.includes('<region>') && !provider.region) {
    issues.push({ path, message: `a ${provider.type} provider needs its region` });
    return undefined;
  }
  const baseUrl = effectiveBaseUrl(provider.type, provider.baseUrl, provider.region);
  if (!baseUrl) {
    issues.push({ path, message: `a ${provider.type} provider needs a base URL` });
    return undefined;
  }
  const parsed = parseBaseUrl(baseUrl);
  if (typeof parsed === 'string') {
    issues.push({ path, message: parsed });
    return undefined;
  }
  const headers: Record<string, string> = {};
  const needsCredential = (label: string): string | undefined => {
    if (provider.credential) return provider.credential;
    issues.push({ path, message: `the ${label} auth method needs a credential` });
    return undefined;
  };
  let auth: CompiledAuth = STATIC_AUTH;
  switch (provider.authMethod) {
    case 'none':
      break;
    case 'api-key':
    case 'bearer':
    case 'azure-api-key': {
      const credential = needsCredential(provider.authMethod);
      if (credential === undefined) return undefined;
      const header =
        provider.authMethod === 'bearer'
          ? { name: 'authorization', prefix: 'Bearer ' }
          : provider.authMethod === 'azure-api-key'
            ? { name: 'api-key', prefix: '' }
            : (info.apiKeyHeader ?? { name: 'authorization', prefix: 'Bearer ' });
      headers[header.name] = `${header.prefix}${credential}`;
      break;
    }
    case 'passthrough': {
      const header = info.apiKeyHeader ?? { name: 'authorization', prefix: 'Bearer ' };
      auth = { kind: 'passthrough', header: header.name, prefix: header.prefix };
      break;
    }
    case 'aws-sigv4': {
      const credential = needsCredential(provider.authMethod);
      if (credential === undefined) return undefined;
      const aws = parseAwsCredentials(credential);
      if (!aws.ok) {
        issues.push({ path, message: aws.message });
        return undefined;
      }
      if (!provider.region) {
        issues.push({ path, message: "AWS SigV4 signing needs the entry's region" });
        return undefined;
      }
      auth = { kind: 'aws-sigv4', credentials: aws.value, region: provider.region };
      break;
    }
    case 'gcp-service-account': {
      const credential = needsCredential(provider.authMethod);
      if (credential === undefined) return undefined;
      const account = parseServiceAccount(credential);
      if (!account.ok) {
        issues.push({ path, message: account.message });
        return undefined;
      }
      auth = { kind: 'gcp-service-account', serviceAccount: account.value };
      if (!settings.projectId && account.value.project_id) settings.projectId = account.value.project_id;
      break;
    }
  }
  if (provider.type === 'vertex' && !settings.projectId) {
    issues.push({
      path,
      message: 'a vertex provider needs config.projectId, or a service-account key that names its project',
    });
    return undefined;
  }
  return compiled(parsed, headers, auth);
}

/** Splits a base URL into the pool origin and a path prefix, or returns why it is not usable. */
export function parseBaseUrl(baseUrl: string): { origin: string; basePath: string } | string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return `the base URL ${JSON.stringify(baseUrl)} is not a valid URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return 'the base URL must start with http:// or https://';
  if (url.username || url.password) return 'the base URL must not contain credentials';
  if (url.search || url.hash) return 'the base URL must not contain a query or a fragment';
  const basePath = url.pathname.replace(/\/+$/, '');
  if (/\/(chat\/completions|embeddings|completions|models)$/.test(basePath)) {
    return `the base URL ends in a route Junction appends itself; use ${url.origin}${basePath.replace(/\/(chat\/completions|embeddings|completions|models)$/, '')}`;
  }
  return { origin: url.origin, basePath };
}

/** A policy may only name models and deployments that exist; an empty strategy routes nowhere. */
function checkRouting(
  keyId: string,
  policy: RoutingPolicy,
  models: ReadonlyMap<string, CompiledModel>,
  deployments: ReadonlyMap<string, unknown>,
  issues: ConfigurationIssue[],
): void {
  const strategies: Array<[string, RoutingStrategy]> = policy.rules.map((rule, index) => [
    `keys/${keyId}/routing/rules/${index}`,
    rule.strategy,
  ]);
  if (policy.default) strategies.push([`keys/${keyId}/routing/default`, policy.default]);
  for (const [path, strategy] of strategies) {
    const targets = [...strategy.targets, ...(strategy.type === 'split' ? (strategy.fallback ?? []) : [])];
    if (strategy.targets.length === 0) issues.push({ path, message: 'a strategy needs at least one target' });
    for (const target of targets) {
      if ('model' in target && !models.has(target.model))
        issues.push({ path, message: `model ${target.model} does not exist or is disabled` });
      if ('deployment' in target && !deployments.has(target.deployment))
        issues.push({ path, message: `no model's pool has the deployment ${target.deployment}` });
    }
  }
}

/** Enabled budgets as rules, and the rules of each key (`key:<id>`) and team (`team:<id>`). */
function compileBudgets(source: ConfigurationSource, issues: ConfigurationIssue[]) {
  const budgets = new Map<string, BudgetRule>();
  const budgetsByOwner = new Map<string, BudgetRule[]>();
  for (const budget of source.budgets ?? []) {
    if (!budget.enabled) continue;
    const owner = budget.scope === 'key' ? budget.keyId : budget.teamId;
    const limitNano = budget.limitUsd === null ? null : usdToNano(budget.limitUsd);
    if (!owner || limitNano === undefined || !isTimeZone(budget.timeZone)) {
      issues.push({
        path: `budgets/${budget.id}`,
        message: 'the budget has no owner, limit or known time zone',
      });
      continue;
    }
    const rule: BudgetRule = {
      id: budget.id,
      name: budget.name,
      scope: budget.scope,
      owner,
      limitNano,
      limitTokens: budget.limitTokens,
      period: budget.period,
      timeZone: budget.timeZone,
      alertAtPercent: budget.alertAtPercent,
      onStoreFailure: budget.onStoreFailure,
    };
    budgets.set(rule.id, rule);
    pushTo(budgetsByOwner, `${budget.scope}:${owner}`, rule);
  }
  return { budgets, budgetsByOwner };
}

/** A key's budgets and per-minute limits with its team's; null when it has none (the common, free case). */
function governanceOf(
  key: ApiKeySource,
  team: TeamSource | undefined,
  budgetsByOwner: ReadonlyMap<string, readonly BudgetRule[]>,
): CompiledKey['governance'] {
  const budgets = [
    ...(budgetsByOwner.get(`key:${key.id}`) ?? []),
    ...(budgetsByOwner.get(`team:${key.teamId}`) ?? []),
  ];
  const limits: { subject: string; kind: 'rpm' | 'tpm'; limit: number }[] = [];
  const add = (subject: string, kind: 'rpm' | 'tpm', limit: number | null | undefined) => {
    if (limit !== null && limit !== undefined && limit > 0) limits.push({ subject, kind, limit });
  };
  add(`key:${key.id}`, 'rpm', key.requestsPerMinute);
  add(`team:${key.teamId}`, 'rpm', team?.requestsPerMinute);
  add(`key:${key.id}`, 'tpm', key.tokensPerMinute);
  add(`team:${key.teamId}`, 'tpm', team?.tokensPerMinute);
  return budgets.length === 0 && limits.length === 0 ? null : { budgets, limits };
}

function compilePrices(source: ConfigurationSource): PriceBook {
  const deployments = new Map<string, DatedPrice[]>();
  const models = new Map<string, DatedPrice[]>();
  for (const price of source.prices ?? []) {
    const dated: DatedPrice = {
      effectiveFrom: price.effectiveFrom,
      input: price.input,
      output: price.output,
      ...(price.cachedInput === null ? {} : { cachedInput: price.cachedInput }),
      ...(price.cacheWrite === null ? {} : { cacheWrite: price.cacheWrite }),
      ...(price.reasoning === null ? {} : { reasoning: price.reasoning }),
    };
    pushTo(price.scope === 'deployment' ? deployments : models, price.target, dated);
  }
  return { deployments, models };
}
