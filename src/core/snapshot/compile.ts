/**
 * Compiles stored configuration into a GatewaySnapshot, or explains why it cannot. A configuration that
 * fails to compile never reaches the data plane: the previous snapshot stays in service.
 */
import { pushTo } from '../collections.js';
import { providerTypeInfo } from '../providers/catalog.js';
import type { ModelObject } from '../wire/openai.js';
import type {
  CompiledKey,
  CompiledModel,
  CompiledProvider,
  Deployment,
  GatewaySnapshot,
} from './snapshot.js';
import type { ConfigurationSource, ProviderSource } from './source.js';

export interface ConfigurationIssue {
  /** Where the problem is, e.g. `providers/openai-eu` or `models/chat/deployments/0`. */
  path: string;
  message: string;
}

export type CompileResult =
  | { ok: true; snapshot: GatewaySnapshot }
  | { ok: false; issues: ConfigurationIssue[] };

const DEFAULT_ECHO_DIMENSION = 256;

/** Compiles a configuration; pure and deterministic apart from `compiledAt`. */
export function compileSnapshot(source: ConfigurationSource, now: Date = new Date()): CompileResult {
  const issues: ConfigurationIssue[] = [];
  const providers = new Map<string, CompiledProvider>();
  for (const provider of source.providers) {
    const compiled = compileProvider(provider, issues);
    if (compiled) providers.set(provider.id, compiled);
  }

  const models = new Map<string, CompiledModel>();
  const listsByEnvironment = new Map<string, ModelObject[]>();
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
      if (!Number.isInteger(deployment.weight) || deployment.weight < 0) {
        issues.push({
          path: `${path}/deployments/${index}`,
          message: 'the weight must be a whole number ≥ 0',
        });
        return;
      }
      deployments.push({
        id: `${provider.id}/${deployment.upstreamModel}`,
        provider,
        upstreamModel: deployment.upstreamModel,
        upstreamModelJson: JSON.stringify(deployment.upstreamModel),
        weight: deployment.weight,
      });
    });
    if (!model.enabled) continue;
    const environments = new Set<string>();
    for (const deployment of deployments) {
      if (!deployment.provider.enabled || deployment.weight === 0) continue;
      for (const environment of deployment.provider.environments) environments.add(environment);
    }
    models.set(model.id, {
      id: model.id,
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
      owned_by: 'junction',
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
    for (const environment of environments) pushTo(listsByEnvironment, environment, listed);
  }

  const teamIds = new Set(source.teams.map((team) => team.id));
  const keysByHash = new Map<string, CompiledKey>();
  for (const key of source.apiKeys) {
    if (!teamIds.has(key.teamId)) {
      issues.push({ path: `keys/${key.id}`, message: `team ${key.teamId} does not exist` });
      continue;
    }
    if (key.revokedAt !== null) continue;
    keysByHash.set(key.secretHash, {
      id: key.id,
      name: key.name,
      teamId: key.teamId,
      environment: key.environment,
      expiresAt: key.expiresAt,
    });
  }

  if (issues.length > 0) return { ok: false, issues };
  const modelListJsonByEnvironment = new Map<string, string>();
  for (const [environment, list] of listsByEnvironment) {
    list.sort((a, b) => a.id.localeCompare(b.id));
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
      counts: { providers: providers.size, models: models.size, keys: keysByHash.size },
    },
  };
}

function compileProvider(
  provider: ProviderSource,
  issues: ConfigurationIssue[],
): CompiledProvider | undefined {
  const path = `providers/${provider.id}`;
  const environments = new Set(provider.environments);
  const secrets = provider.credential ? [provider.credential] : [];
  const echoDimension =
    typeof provider.config.dimension === 'number' && provider.config.dimension > 0
      ? provider.config.dimension
      : DEFAULT_ECHO_DIMENSION;
  if (provider.type === 'echo') {
    return {
      id: provider.id,
      type: 'echo',
      environments,
      enabled: provider.enabled,
      origin: '',
      basePath: '',
      headers: {},
      secrets,
      echoDimension,
    };
  }
  const baseUrl = provider.baseUrl ?? providerTypeInfo(provider.type).defaultBaseUrl;
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
  if (provider.authMethod === 'api-key') {
    if (!provider.credential) {
      issues.push({ path, message: 'the api-key auth method needs a credential' });
      return undefined;
    }
    headers.authorization = `Bearer ${provider.credential}`;
  }
  return {
    id: provider.id,
    type: provider.type,
    environments,
    enabled: provider.enabled,
    ...parsed,
    headers,
    secrets,
    echoDimension,
  };
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
