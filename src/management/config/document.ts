/**
 * The configuration document: the whole configuration as code (YAML on disk, JSON on the wire). Credentials
 * appear only as references: `{ stored: true }` keeps what the store holds; the CLI turns `{ env: NAME }`
 * into a write-only `apiKey` from its own environment before sending. Keys carry their metadata and settings
 * (routing policy, allowed models, residency, expiry), never their secret.
 */
import { z } from '@hono/zod-openapi';
import { authMethods, modelKinds, providerTypes } from '../../core/snapshot/source.js';
import {
  ApiKeyUpdateSchema,
  ENVIRONMENT_PATTERN,
  IDENTIFIER_PATTERN,
  MODEL_NAME_PATTERN,
  TeamUpdateSchema,
} from '../api/schemas.js';

export const CONFIG_DOCUMENT_VERSION = 1;

const credentialReference = z.union([
  z.object({ stored: z.literal(true), hint: z.string().optional() }).strict(),
  z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/) }).strict(),
]);

export const ConfigProviderSchema = z
  .object({
    id: z.string().min(1).max(63).regex(IDENTIFIER_PATTERN),
    type: z.enum(providerTypes),
    displayName: z.string().trim().min(1).max(200),
    baseUrl: z.string().max(2048).nullable().optional(),
    authMethod: z.enum(authMethods).optional(),
    region: z.string().max(64).nullable().optional(),
    environments: z.array(z.string().regex(ENVIRONMENT_PATTERN)).min(1).max(50).optional(),
    enabled: z.boolean().optional(),
    firstParty: z.boolean().optional(),
    labels: z.record(z.string().max(64), z.string().max(256)).optional(),
    config: z.record(z.string(), z.unknown()).optional(),
    credential: credentialReference.nullable().optional(),
    /** Write-only: what the CLI sends after resolving `credential.env`. */
    apiKey: z.string().min(1).max(8192).optional(),
  })
  .strict();

export const ConfigModelSchema = z
  .object({
    id: z.string().min(1).max(128).regex(MODEL_NAME_PATTERN),
    kind: z.enum(modelKinds),
    contextWindow: z.number().int().positive().nullable().optional(),
    dimension: z.number().int().positive().nullable().optional(),
    capabilities: z
      .object({ streaming: z.boolean(), tools: z.boolean(), vision: z.boolean(), jsonMode: z.boolean() })
      .partial()
      .optional(),
    description: z.string().max(2000).nullable().optional(),
    enabled: z.boolean().optional(),
    owner: z.string().max(128).nullable().optional(),
    /** Team names and key ids that may call the model; null for every key. */
    audience: z
      .object({ teams: z.array(z.string()).optional(), keys: z.array(z.string()).optional() })
      .strict()
      .nullable()
      .optional(),
    deployments: z
      .array(
        z
          .object({
            providerId: z.string().min(1).max(63),
            upstreamModel: z.string().min(1).max(256),
            weight: z.number().int().min(0).max(10_000).optional(),
            priority: z.number().int().min(0).max(100).optional(),
          })
          .strict(),
      )
      .min(1)
      .max(100),
  })
  .strict();

/** A key's settings, validated by the admin API's own schemas (PATCH /keys/{id}). */
const keySettings = ApiKeyUpdateSchema.shape;

/**
 * An issued key: identity fields are read-only here (a document never issues a key); the settings are applied
 * with `updateKey`, as the admin API does. Settings a document leaves out keep their stored values.
 */
export const ConfigKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    team: z.string(),
    environment: z.string(),
    consumer: z.string().nullable().optional(),
    prefix: z.string().optional(),
    expiresAt: keySettings.expiresAt,
    revoked: z.boolean().optional(),
    routing: keySettings.routing,
    allowedModels: keySettings.allowedModels,
    metadata: keySettings.metadata,
    residency: keySettings.residency,
    residencyHeader: keySettings.residencyHeader,
    requestsPerMinute: keySettings.requestsPerMinute,
    tokensPerMinute: keySettings.tokensPerMinute,
    captureBodies: keySettings.captureBodies,
  })
  .strict();

const priceAmount = z
  .string()
  .regex(/^\d{1,6}(\.\d{1,6})?$/, 'USD per million tokens as a decimal with at most 6 decimals, like "2.50"');

/**
 * A price of the price book, identified by (scope, target, effectiveFrom). Prices are immutable rows: a changed
 * amount is applied as a new row replacing the old one.
 */
export const ConfigPriceSchema = z
  .object({
    scope: z.enum(['model', 'deployment']),
    /** A logical model id, or a deployment as `<provider id>/<upstream model>`. */
    target: z.string().min(1).max(300),
    /** From when the price applies; left out: always (1970-01-01T00:00:00.000Z). */
    effectiveFrom: z.string().datetime({ offset: true }).optional(),
    input: priceAmount,
    cachedInput: priceAmount.nullable().optional(),
    cacheWrite: priceAmount.nullable().optional(),
    output: priceAmount,
    reasoning: priceAmount.nullable().optional(),
    note: z.string().max(500).nullable().optional(),
  })
  .strict();

/** A budget of a key (by id) or a team (by name), identified by its scope, owner and name. */
export const ConfigBudgetSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    scope: z.enum(['key', 'team']),
    key: z.string().min(1).max(64).optional(),
    team: z.string().min(1).max(100).optional(),
    limitUsd: z
      .string()
      .regex(/^\d{1,9}(\.\d{1,9})?$/, 'a decimal amount in USD with at most 9 decimals, like "250.00"')
      .nullable()
      .optional(),
    limitTokens: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).nullable().optional(),
    period: z.enum(['day', 'week', 'month', 'lifetime']),
    timezone: z.string().min(1).max(64).optional(),
    alertAtPercent: z.number().gt(0).max(100).nullable().optional(),
    onStoreFailure: z.enum(['open', 'closed']).nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((budget) => (budget.scope === 'key' ? budget.key && !budget.team : budget.team && !budget.key), {
    message: 'a key budget names its `key` (id), a team budget its `team` (name)',
  });
export type ConfigBudget = z.infer<typeof ConfigBudgetSchema>;

export const ConfigDocumentSchema = z
  .object({
    version: z.literal(CONFIG_DOCUMENT_VERSION),
    environments: z
      .array(
        z
          .object({
            id: z.string().regex(ENVIRONMENT_PATTERN),
            description: z.string().nullable().optional(),
          })
          .strict(),
      )
      .optional(),
    providers: z.array(ConfigProviderSchema).optional(),
    models: z.array(ConfigModelSchema).optional(),
    aliases: z
      .array(
        z
          .object({
            id: z.string().min(1).max(128).regex(MODEL_NAME_PATTERN),
            modelId: z.string().min(1).max(128),
            description: z.string().max(2000).nullable().optional(),
            /** Needed to move an embedding alias to another model (vectors must be re-embedded). */
            acknowledgeReembedding: z.boolean().optional(),
          })
          .strict(),
      )
      .optional(),
    teams: z
      .array(
        z
          .object({
            name: z.string().trim().min(1).max(100),
            description: z.string().nullable().optional(),
            requestsPerMinute: TeamUpdateSchema.shape.requestsPerMinute,
            tokensPerMinute: TeamUpdateSchema.shape.tokensPerMinute,
            captureBodies: TeamUpdateSchema.shape.captureBodies,
          })
          .strict(),
      )
      .optional(),
    keys: z.array(ConfigKeySchema).optional(),
    prices: z.array(ConfigPriceSchema).optional(),
    budgets: z.array(ConfigBudgetSchema).optional(),
  })
  .strict()
  .openapi('ConfigDocument');

export type ConfigDocument = z.infer<typeof ConfigDocumentSchema>;
export type ConfigProvider = z.infer<typeof ConfigProviderSchema>;
export type ConfigModel = z.infer<typeof ConfigModelSchema>;
export type ConfigKey = z.infer<typeof ConfigKeySchema>;
export type ConfigPrice = z.infer<typeof ConfigPriceSchema>;

export const ConfigChangeSchema = z.object({
  action: z.enum(['create', 'update', 'delete', 'revoke']),
  kind: z.enum(['environment', 'provider', 'model', 'alias', 'team', 'key', 'price', 'budget']),
  id: z.string(),
  fields: z.array(z.string()).optional(),
});

export const ConfigPlanSchema = z
  .object({
    changes: z.array(ConfigChangeSchema),
    unchanged: z.number().int(),
    notes: z.array(z.string()),
    applied: z.boolean(),
  })
  .openapi('ConfigPlan');

export type ConfigChange = z.infer<typeof ConfigChangeSchema>;
export type ConfigPlan = z.infer<typeof ConfigPlanSchema>;
