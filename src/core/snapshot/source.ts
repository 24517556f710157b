import type { BudgetPeriod } from '../budget/window.js';
import type { RoutingPolicy } from '../routing/policy.js';

/**
 * The configuration as the management plane hands it to the compiler: plain data, credentials already
 * decrypted. This is the "stored" family of types; the compiled snapshot is the "runtime" family.
 */

export const providerTypes = [
  'openai',
  'azure-openai',
  'anthropic',
  'bedrock',
  'vertex',
  'gemini',
  'mistral',
  'openai-compatible',
  'echo',
] as const;
export type ProviderType = (typeof providerTypes)[number];

/**
 * How Junction authenticates to an entry: `api-key` is the type's own key header (`Authorization: Bearer`,
 * `x-api-key`, `x-goog-api-key`, ...), `bearer` an `Authorization: Bearer` token whatever the type,
 * `azure-api-key` Azure's `api-key` header, `aws-sigv4` an AWS access key signing each request, `gcp-service-account`
 * a Google service-account key turned into OAuth tokens, `none` nothing, and `passthrough` the caller's own provider
 * key, forwarded (BYOK: nothing is stored).
 */
export const authMethods = [
  'api-key',
  'bearer',
  'azure-api-key',
  'aws-sigv4',
  'gcp-service-account',
  'none',
  'passthrough',
] as const;
export type AuthMethod = (typeof authMethods)[number];

export const modelKinds = ['chat', 'embedding'] as const;
export type ModelKind = (typeof modelKinds)[number];

export interface ModelCapabilities {
  streaming: boolean;
  tools: boolean;
  vision: boolean;
  jsonMode: boolean;
}

export interface ProviderSource {
  id: string;
  displayName: string;
  type: ProviderType;
  baseUrl: string | null;
  authMethod: AuthMethod;
  /** Decrypted credential, or null when the entry has none. */
  credential: string | null;
  region: string | null;
  environments: readonly string[];
  enabled: boolean;
  labels: Readonly<Record<string, string>>;
  config: Readonly<Record<string, unknown>>;
}

export interface DeploymentSource {
  providerId: string;
  upstreamModel: string;
  weight: number;
  /** Lower is tried first (default 0); weight spreads traffic among members of equal priority. */
  priority?: number;
}

/** Who may call a model: listed teams and/or keys. */
export interface AudienceSource {
  teams: readonly string[];
  keys: readonly string[];
}

export interface ModelSource {
  id: string;
  kind: ModelKind;
  contextWindow: number | null;
  dimension: number | null;
  capabilities: ModelCapabilities;
  description: string | null;
  enabled: boolean;
  /** Unix seconds, reported as `created` by `/v1/models`. */
  created: number;
  /** Reported as `owned_by` by `/v1/models` (`junction` when unset). */
  owner?: string | null;
  /** Who may call it; null or absent: every key. */
  audience?: AudienceSource | null;
  deployments: readonly DeploymentSource[];
}

/** A stable name pointing at one version (a logical model); moving it changes what the name serves. */
export interface AliasSource {
  id: string;
  modelId: string;
  /** The version it pointed at before its last move, for rollback. */
  previousModelId: string | null;
  description: string | null;
  created: number;
}

export interface TeamSource {
  id: string;
  name: string;
  requestsPerMinute?: number | null;
  tokensPerMinute?: number | null;
  /** Prompt and answer bodies of the team's requests go to the request log. */
  captureBodies?: boolean;
}

export interface BudgetSource {
  id: string;
  name: string;
  scope: 'key' | 'team';
  keyId: string | null;
  teamId: string | null;
  /** Decimal USD (at most 9 decimals); null: no USD limit. */
  limitUsd: string | null;
  limitTokens: number | null;
  period: BudgetPeriod;
  timeZone: string;
  alertAtPercent: number | null;
  onStoreFailure: 'open' | 'closed' | null;
  enabled: boolean;
}

export interface PriceSource {
  scope: 'model' | 'deployment';
  target: string;
  /** ISO time. */
  effectiveFrom: string;
  input: string;
  cachedInput: string | null;
  cacheWrite: string | null;
  output: string;
  reasoning: string | null;
}

export interface ApiKeySource {
  id: string;
  name: string;
  secretHash: string;
  teamId: string;
  environment: string;
  /** Epoch milliseconds. */
  expiresAt: number | null;
  revokedAt: number | null;
  /** The key's routing policy; absent or null: each request goes to the model it names. */
  routing?: RoutingPolicy | null;
  /** Key metadata that routing rules can match on. */
  metadata?: Readonly<Record<string, string>>;
  /** The model names the key may request; absent or null for any. */
  allowedModels?: readonly string[] | null;
  /** A previous secret still accepted until `previousSecretExpiresAt` (rotation grace period). */
  previousSecretHash?: string | null;
  previousSecretExpiresAt?: number | null;
  residency?: string | null;
  residencyHeader?: boolean;
  requestsPerMinute?: number | null;
  tokensPerMinute?: number | null;
  /** Prompt and answer bodies of the key's requests go to the request log. */
  captureBodies?: boolean;
}

export interface ConfigurationSource {
  version: number;
  providers: readonly ProviderSource[];
  models: readonly ModelSource[];
  aliases?: readonly AliasSource[];
  teams: readonly TeamSource[];
  apiKeys: readonly ApiKeySource[];
  budgets?: readonly BudgetSource[];
  prices?: readonly PriceSource[];
}
