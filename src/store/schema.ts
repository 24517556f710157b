/**
 * The one schema of Junction's store, shared by the embedded store (PGlite) and PostgreSQL.
 * Migrations in `migrations/` are generated from this file with `npm run db:generate`; keep to
 * PostgreSQL 15 features so both stores run the same SQL.
 */
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

/** Key/value facts about the store itself: the configuration version, the master-key check value. */
export const meta = pgTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: updatedAt(),
});

/** Where keys and provider entries live: `production` and `staging` exist from the start. */
export const environments = pgTable('environments', {
  id: text('id').primaryKey(),
  description: text('description'),
  createdAt: createdAt(),
});

/** One endpoint plus one credential: a subscription in one region. */
export const providers = pgTable('providers', {
  id: text('id').primaryKey(),
  displayName: text('display_name').notNull(),
  type: text('type').notNull(),
  baseUrl: text('base_url'),
  authMethod: text('auth_method').notNull(),
  region: text('region'),
  environments: jsonb('environments').$type<string[]>().notNull(),
  enabled: boolean('enabled').notNull().default(true),
  firstParty: boolean('first_party').notNull().default(false),
  labels: jsonb('labels').$type<Record<string, string>>().notNull().default(sql`'{}'::jsonb`),
  config: jsonb('config').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  /** Envelope-encrypted credential bound to this row's id; never returned by any read. */
  credentialCiphertext: text('credential_ciphertext'),
  credentialHint: text('credential_hint'),
  credentialRotatedAt: timestamp('credential_rotated_at', { withTimezone: true, mode: 'date' }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** A logical model: the name developers put in `model`. */
export const models = pgTable('models', {
  id: text('id').primaryKey(),
  kind: text('kind').notNull(),
  contextWindow: integer('context_window'),
  dimension: integer('dimension'),
  capabilities: jsonb('capabilities').$type<Record<string, boolean>>().notNull(),
  description: text('description'),
  enabled: boolean('enabled').notNull().default(true),
  /** Reported as `owned_by` by `/v1/models`. */
  owner: text('owner'),
  /** Who may call it: `{ teams, keys }`; null for every key. */
  audience: jsonb('audience').$type<{ teams: string[]; keys: string[] }>(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** A stable name pointing at one version (a logical model), moved in one action. */
export const modelAliases = pgTable('model_aliases', {
  id: text('id').primaryKey(),
  modelId: text('model_id')
    .notNull()
    .references(() => models.id, { onDelete: 'restrict' }),
  previousModelId: text('previous_model_id').references(() => models.id, { onDelete: 'set null' }),
  description: text('description'),
  movedAt: timestamp('moved_at', { withTimezone: true, mode: 'date' }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** A member of a logical model's pool: a provider entry and the upstream model name it expects. */
export const modelDeployments = pgTable(
  'model_deployments',
  {
    modelId: text('model_id')
      .notNull()
      .references(() => models.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    providerId: text('provider_id')
      .notNull()
      .references(() => providers.id, { onDelete: 'restrict' }),
    upstreamModel: text('upstream_model').notNull(),
    weight: integer('weight').notNull().default(1),
    /** Lower is tried first; weight spreads traffic among members of equal priority. */
    priority: integer('priority').notNull().default(0),
  },
  (table) => [
    primaryKey({ columns: [table.modelId, table.position] }),
    index('model_deployments_provider_idx').on(table.providerId),
  ],
);

export const teams = pgTable('teams', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  description: text('description'),
  /** Requests and tokens per minute for the whole team (null: no limit). */
  requestsPerMinute: integer('requests_per_minute'),
  tokensPerMinute: integer('tokens_per_minute'),
  /** Whether prompt and answer bodies of the team's requests are captured into the request log. */
  captureBodies: boolean('capture_bodies').notNull().default(false),
  createdAt: createdAt(),
});

/** Application API keys; only the SHA-256 of the secret is stored. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    secretHash: text('secret_hash').notNull().unique(),
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'restrict' }),
    environment: text('environment')
      .notNull()
      .references(() => environments.id, { onDelete: 'restrict' }),
    consumer: text('consumer'),
    /** Key metadata that routing rules can match on. */
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull().default(sql`'{}'::jsonb`),
    /** The key's routing policy (rules and strategies); null routes each request to the model it names. */
    routing: jsonb('routing').$type<Record<string, unknown>>(),
    /** The model names the key may request; null for any. */
    allowedModels: jsonb('allowed_models').$type<string[]>(),
    /** The geography its requests are bound to (entries labelled `geography`), and whether a header may bind one. */
    residency: text('residency'),
    residencyHeader: boolean('residency_header').notNull().default(false),
    /** Requests and tokens per minute for this key (null: no limit). */
    requestsPerMinute: integer('requests_per_minute'),
    tokensPerMinute: integer('tokens_per_minute'),
    /** Whether prompt and answer bodies of this key's requests are captured into the request log. */
    captureBodies: boolean('capture_bodies').notNull().default(false),
    /** After a rotation, the old secret's hash, accepted until the grace period ends. */
    previousSecretHash: text('previous_secret_hash'),
    previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [index('api_keys_team_idx').on(table.teamId)],
);

/** Credentials for the admin API (the bootstrap token and personal tokens with a role); stored hashed. */
export const adminTokens = pgTable('admin_tokens', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  role: text('role').notNull(),
  /** The team a team-bound role (`developer`) is limited to; null for the others. */
  teamId: text('team_id').references(() => teams.id, { onDelete: 'cascade' }),
  prefix: text('prefix').notNull(),
  secretHash: text('secret_hash').notNull().unique(),
  /** The admin token that created this one (null for the bootstrap token). */
  createdBy: text('created_by'),
  /**
   * A user's personal token: it acts with that user's current role and team, and stops working when the user is
   * disabled or deleted.
   */
  userId: text('user_id').references((): AnyPgColumn => users.id, { onDelete: 'cascade' }),
  createdAt: createdAt(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
  revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
});

/**
 * People who sign in to the web app: local users (a password, for break-glass) and users created by single
 * sign-on on their first login (identified by issuer and subject; role and team recomputed at every login).
 */
export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    /** Lower case; unique among local users (SSO users are keyed by issuer and subject). */
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role').notNull(),
    /** The team a team-bound role (`developer`) is limited to (a deleted team leaves it null: no team's objects). */
    teamId: text('team_id').references(() => teams.id, { onDelete: 'set null' }),
    /** `local` or `sso`. */
    source: text('source').notNull(),
    /** argon2id PHC string; local users only. */
    passwordHash: text('password_hash'),
    ssoIssuer: text('sso_issuer'),
    ssoSubject: text('sso_subject'),
    disabled: boolean('disabled').notNull().default(false),
    createdAt: createdAt(),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [
    uniqueIndex('users_local_email_idx').on(table.email).where(sql`${table.source} = 'local'`),
    uniqueIndex('users_sso_subject_idx').on(table.ssoIssuer, table.ssoSubject),
  ],
);

/** Browser sessions: the cookie holds a random secret, the store only its SHA-256. */
export const adminSessions = pgTable(
  'admin_sessions',
  {
    secretHash: text('secret_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    sourceAddress: text('source_address'),
    userAgent: text('user_agent'),
  },
  (table) => [index('admin_sessions_user_idx').on(table.userId)],
);

/** Single sign-on logins under way, keyed by the SHA-256 of the browser-bound cookie; single use. */
export const ssoLogins = pgTable('sso_logins', {
  cookieHash: text('cookie_hash').primaryKey(),
  state: text('state').notNull(),
  nonce: text('nonce').notNull(),
  codeVerifier: text('code_verifier').notNull(),
  next: text('next').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
});

/** The single sign-on configuration (one row, id `default`); the client secret sealed under the master key. */
export const ssoConfig = pgTable('sso_config', {
  id: text('id').primaryKey(),
  enabled: boolean('enabled').notNull(),
  issuer: text('issuer').notNull(),
  clientId: text('client_id').notNull(),
  clientSecret: text('client_secret'),
  redirectUri: text('redirect_uri').notNull(),
  scopes: jsonb('scopes').$type<string[]>().notNull(),
  claim: text('claim').notNull(),
  rules: jsonb('rules').$type<Array<{ value: string; role: string; teamId: string | null }>>().notNull(),
  updatedAt: updatedAt(),
});

/** The latest verification of each provider entry (from checks and from real traffic). */
export const providerHealth = pgTable('provider_health', {
  providerId: text('provider_id')
    .primaryKey()
    .references(() => providers.id, { onDelete: 'cascade' }),
  status: text('status').notNull(),
  lastCheckedAt: timestamp('last_checked_at', { withTimezone: true, mode: 'date' }),
  lastVerifiedAt: timestamp('last_verified_at', { withTimezone: true, mode: 'date' }),
  latencyMs: integer('latency_ms'),
  diagnostic: jsonb('diagnostic').$type<Record<string, unknown>>(),
  updatedAt: updatedAt(),
});

/** A short history of health observations per provider entry (pruned to the latest few). */
export const providerHealthEvents = pgTable(
  'provider_health_events',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    providerId: text('provider_id')
      .notNull()
      .references(() => providers.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    source: text('source').notNull(),
    status: text('status').notNull(),
    latencyMs: integer('latency_ms'),
    diagnostic: jsonb('diagnostic').$type<Record<string, unknown>>(),
  },
  (table) => [index('provider_health_events_provider_idx').on(table.providerId, table.at)],
);

/**
 * One row per data-plane request, written off the request path from the usage spool (idempotent on `id`).
 * Keys, teams and models are recorded by id as they were at the time, without foreign keys, so history
 * survives their deletion.
 */
export const usageRecords = pgTable(
  'usage_records',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id').notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    keyId: text('key_id'),
    teamId: text('team_id'),
    environment: text('environment'),
    endpoint: text('endpoint').notNull(),
    requestedModel: text('requested_model'),
    model: text('model'),
    modelVersion: text('model_version'),
    backend: text('backend'),
    providerId: text('provider_id'),
    attempts: jsonb('attempts')
      .$type<Array<{ backend: string; outcome: string; status?: number }>>()
      .notNull(),
    /**
     * How the request was routed: the key's rule that matched (null: the requested model as it is), the
     * backends planned in order, and every target left out with its reason. Null for a request refused before
     * planning (and for rows stored before routing was recorded).
     */
    route: jsonb('route').$type<{
      rule: string | null;
      planned: string[];
      excluded: Array<{ target: string; reason: string; detail: string }>;
    }>(),
    status: integer('status').notNull(),
    /** complete, error, truncated (the upstream broke or went silent mid-stream), client_cancelled. */
    outcome: text('outcome').notNull(),
    errorCode: text('error_code'),
    stream: boolean('stream').notNull(),
    promptTokens: integer('prompt_tokens'),
    completionTokens: integer('completion_tokens'),
    cachedTokens: integer('cached_tokens'),
    cacheWriteTokens: integer('cache_write_tokens'),
    reasoningTokens: integer('reasoning_tokens'),
    latencyMs: integer('latency_ms').notNull(),
    firstByteMs: integer('first_byte_ms'),
    /** USD with 12 decimals, from the prices in force when the request was served (or re-priced); null when unpriced. */
    costUsd: numeric('cost_usd', { precision: 24, scale: 12 }),
    /** Why the row has no cost (no price for its model or deployment at its time). */
    priceWarning: text('price_warning'),
    /** The token counts are an estimate from the delivered content (the provider reported none). */
    usageEstimated: boolean('usage_estimated').notNull().default(false),
  },
  (table) => [
    index('usage_records_at_idx').on(table.at),
    index('usage_records_team_at_idx').on(table.teamId, table.at),
    index('usage_records_key_at_idx').on(table.keyId, table.at),
  ],
);

/**
 * The price book: USD per million tokens for a logical model or one deployment (a regional contract may differ),
 * from a date on. Amounts are decimal text, so costs are exact.
 */
export const prices = pgTable(
  'prices',
  {
    id: text('id').primaryKey(),
    /** `model` (a logical model id) or `deployment` (`<provider id>/<upstream model>`). */
    scope: text('scope').notNull(),
    target: text('target').notNull(),
    effectiveFrom: timestamp('effective_from', { withTimezone: true, mode: 'date' }).notNull(),
    input: text('input').notNull(),
    cachedInput: text('cached_input'),
    cacheWrite: text('cache_write'),
    output: text('output').notNull(),
    reasoning: text('reasoning'),
    note: text('note'),
    createdAt: createdAt(),
  },
  (table) => [index('prices_target_idx').on(table.scope, table.target, table.effectiveFrom)],
);

/**
 * Spending limits of a key or a team, in USD and/or tokens, per calendar window in a time zone or for the
 * lifetime. Spend itself is runtime state (the ledger), recomputed from usage records at start.
 */
export const budgets = pgTable(
  'budgets',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** `key` or `team`. */
    scope: text('scope').notNull(),
    keyId: text('key_id').references(() => apiKeys.id, { onDelete: 'cascade' }),
    teamId: text('team_id').references(() => teams.id, { onDelete: 'cascade' }),
    limitUsd: numeric('limit_usd', { precision: 20, scale: 9 }),
    limitTokens: bigint('limit_tokens', { mode: 'number' }),
    /** `day`, `week` (from Monday), `month` or `lifetime`. */
    period: text('period').notNull(),
    timezone: text('timezone').notNull().default('UTC'),
    /** Percent of a limit at which an alert is raised once per window (null: none). */
    alertAtPercent: real('alert_at_percent'),
    /** When the shared ledger (Redis) cannot be reached: `open` admits, `closed` refuses; null: the default. */
    onStoreFailure: text('on_store_failure'),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [index('budgets_key_idx').on(table.keyId), index('budgets_team_idx').on(table.teamId)],
);

/** Alerts a budget raised: its threshold crossed, or its limit reached, once per window each. */
export const budgetAlerts = pgTable(
  'budget_alerts',
  {
    id: text('id').primaryKey(),
    budgetId: text('budget_id')
      .notNull()
      .references(() => budgets.id, { onDelete: 'cascade' }),
    window: text('window').notNull(),
    /** `threshold` or `exhausted`. */
    kind: text('kind').notNull(),
    spentUsd: numeric('spent_usd', { precision: 24, scale: 12 }),
    spentTokens: bigint('spent_tokens', { mode: 'number' }),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [uniqueIndex('budget_alerts_once_idx').on(table.budgetId, table.window, table.kind)],
);

/**
 * Every change made through the admin API, the CLI or config apply, written in the transaction of the change.
 * Append-only: no route edits or deletes it.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    actorId: text('actor_id'),
    actorName: text('actor_name'),
    role: text('role'),
    /** `<object>.<verb>`, like `providers.create` or `config.apply`. */
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    /** The object before and after the change, secrets redacted; null when it did not exist. */
    before: jsonb('before'),
    after: jsonb('after'),
    teamId: text('team_id'),
    requestId: text('request_id'),
    sourceAddress: text('source_address'),
    userAgent: text('user_agent'),
  },
  (table) => [
    index('audit_log_at_idx').on(table.at),
    index('audit_log_target_idx').on(table.targetType, table.targetId),
  ],
);

/**
 * Prompt and answer bodies of requests whose key or team has capture on, redacted before they are stored;
 * the request's metadata is its usage record (same `request_id`).
 */
export const requestCaptures = pgTable(
  'request_captures',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id').notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    keyId: text('key_id'),
    teamId: text('team_id'),
    requestBody: text('request_body'),
    responseBody: text('response_body'),
    /** A body was cut at the capture limit. */
    truncated: boolean('truncated').notNull().default(false),
  },
  (table) => [
    index('request_captures_at_idx').on(table.at),
    index('request_captures_request_idx').on(table.requestId),
  ],
);

export const schema = {
  meta,
  environments,
  providers,
  models,
  modelAliases,
  modelDeployments,
  teams,
  apiKeys,
  adminTokens,
  users,
  adminSessions,
  ssoLogins,
  ssoConfig,
  providerHealth,
  providerHealthEvents,
  usageRecords,
  prices,
  budgets,
  budgetAlerts,
  auditLog,
  requestCaptures,
};
