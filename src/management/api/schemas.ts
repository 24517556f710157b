/** Admin API wire schemas: validation and the published OpenAPI document come from these. */
import { z } from '@hono/zod-openapi';
import { ROLES } from '../../core/access/roles.js';
import { healthStatuses } from '../../core/routing/health.js';
import { authMethods, modelKinds, providerTypes } from '../../core/snapshot/source.js';

import { ENVIRONMENT_PATTERN, IDENTIFIER_PATTERN, MODEL_NAME_PATTERN } from './patterns.js';

export { ENVIRONMENT_PATTERN, IDENTIFIER_PATTERN, MODEL_NAME_PATTERN };

const environmentName = z
  .string()
  .min(1)
  .max(63)
  .regex(ENVIRONMENT_PATTERN, 'must start with a lower-case letter and use only a-z, 0-9 and hyphens');

export const timestamp = z.string().openapi({ format: 'date-time', example: '2026-11-22T10:00:00.000Z' });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

const providerId = z
  .string()
  .min(1)
  .max(63)
  .regex(IDENTIFIER_PATTERN, 'must start with a lower-case letter and use only a-z, 0-9 and hyphens')
  .openapi({ example: 'openai-us-east-1' });

const DiagnosticSchema = z
  .object({
    stage: z.enum(['dns', 'connect', 'tls', 'timeout', 'http', 'auth', 'wrong-path', 'response']),
    message: z.string(),
    httpStatus: z.number().int().optional(),
    code: z.string().optional(),
  })
  .openapi('Diagnostic');

export const HealthSchema = z
  .object({
    status: z.enum(healthStatuses),
    lastCheckedAt: timestamp.nullable(),
    lastVerifiedAt: timestamp.nullable(),
    latencyMs: z.number().int().nullable(),
    diagnostic: DiagnosticSchema.nullable(),
    ejected: z
      .array(
        z.object({
          backend: z.string(),
          since: timestamp,
          probeAt: timestamp.openapi({
            description: 'When the backend is probed; it rejoins rotation only when that probe succeeds',
          }),
          ejections: z
            .number()
            .int()
            .openapi({ description: 'Ejections in a row; the period doubles each time' }),
          diagnostic: DiagnosticSchema.nullable(),
        }),
      )
      .openapi({
        description: 'Backends of this entry that real traffic ejected after consecutive failures',
      }),
  })
  .openapi('ProviderHealth');

export const HealthEventSchema = z
  .object({
    at: timestamp,
    source: z.enum(['check', 'traffic', 'configuration', 'outlier']).openapi({
      description: '`outlier`: real traffic ejected one backend of the entry, or it rejoined after a probe',
    }),
    status: z.enum([...healthStatuses, 'ejected', 'rejoined']),
    latencyMs: z.number().int().nullable(),
    diagnostic: DiagnosticSchema.nullable(),
  })
  .openapi('ProviderHealthEvent');

export const ProviderSchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    type: z.enum(providerTypes),
    baseUrl: z.string().nullable(),
    authMethod: z.enum(authMethods),
    region: z.string().nullable(),
    environments: z.array(z.string()),
    enabled: z.boolean(),
    firstParty: z.boolean(),
    labels: z.record(z.string(), z.string()),
    credential: z.object({ hint: z.string(), rotatedAt: timestamp }).nullable(),
    config: z.record(z.string(), z.unknown()),
    health: HealthSchema,
    createdAt: timestamp,
    updatedAt: timestamp,
    warnings: z
      .array(z.string())
      .optional()
      .openapi({ description: 'Advice about the saved entry (only in the answer to a change)' }),
  })
  .openapi('Provider');

export const ProviderTypeSchema = z
  .object({
    type: z.enum(providerTypes),
    displayName: z.string(),
    defaultBaseUrl: z.string().nullable().openapi({
      description: "`<region>` stands for the entry's region; null when each entry gives its own",
    }),
    baseUrlExample: z.string().nullable(),
    authMethods: z.array(z.enum(authMethods)),
    defaultAuthMethod: z.enum(authMethods),
    apiKeyHeader: z.object({ name: z.string(), prefix: z.string() }).nullable(),
    hasRegion: z.boolean(),
    verification: z.enum(['ahead', 'deferred', 'in-process']),
    modelListPath: z.string().nullable(),
    discovery: z.boolean(),
    embeddings: z.boolean(),
    wire: z.enum(['openai', 'anthropic', 'bedrock', 'google', 'in-process']),
    settings: z.array(
      z.object({
        name: z.string(),
        description: z.string(),
        required: z.boolean(),
        default: z.string().nullable(),
      }),
    ),
    description: z.string(),
  })
  .openapi('ProviderType');

const awsCredentials = z
  .object({
    accessKeyId: z.string().min(1).max(128),
    secretAccessKey: z.string().min(1).max(256),
    sessionToken: z.string().min(1).max(8192).optional(),
  })
  .strict()
  .openapi('AwsCredentials', { description: 'For the aws-sigv4 auth method. Write-only.' });
const serviceAccount = z.union([z.string().min(1).max(16_384), z.record(z.string(), z.unknown())]).openapi({
  description: 'For the gcp-service-account auth method: the key file (JSON text or object). Write-only.',
});

export const RotateSchema = z
  .object({
    apiKey: z.string().min(1).max(8192).optional().openapi({ description: 'The new key. Write-only.' }),
    awsCredentials: awsCredentials.optional(),
    serviceAccount: serviceAccount.optional(),
  })
  .strict()
  .openapi('CredentialRotation');

export const DiscoveredModelsSchema = z
  .object({
    providerId: z.string(),
    models: z.array(
      z.object({
        id: z.string(),
        enabled: z.boolean().openapi({ description: 'Already served by a logical model through this entry' }),
      }),
    ),
    new: z.array(z.string()).openapi({ description: 'Offered by the provider, not yet used by any model' }),
    missing: z
      .array(z.string())
      .openapi({ description: 'Used by a model through this entry but no longer offered by the provider' }),
  })
  .openapi('DiscoveredModels');

export const EnvironmentSchema = z
  .object({ id: z.string(), description: z.string().nullable(), createdAt: timestamp })
  .openapi('Environment');

export const EnvironmentCreateSchema = z
  .object({ id: environmentName, description: z.string().max(2000).nullable().optional() })
  .strict()
  .openapi('EnvironmentCreate');

const providerFields = {
  displayName: z.string().trim().min(1).max(200),
  baseUrl: z.string().max(2048).nullable(),
  authMethod: z.enum(authMethods),
  apiKey: z.string().min(1).max(8192).openapi({ description: 'Write-only. Never returned by any read.' }),
  awsCredentials,
  serviceAccount,
  region: z.string().max(64).nullable(),
  environments: z.array(environmentName).min(1).max(50),
  enabled: z.boolean(),
  firstParty: z.boolean(),
  labels: z.record(z.string().max(64), z.string().max(256)),
  config: z.record(z.string(), z.unknown()),
};

export const ProviderCreateSchema = z
  .object({
    id: providerId,
    type: z.enum(providerTypes),
    displayName: providerFields.displayName,
    baseUrl: providerFields.baseUrl.optional(),
    authMethod: providerFields.authMethod.optional(),
    apiKey: providerFields.apiKey.optional(),
    awsCredentials: providerFields.awsCredentials.optional(),
    serviceAccount: providerFields.serviceAccount.optional(),
    region: providerFields.region.optional(),
    environments: providerFields.environments.optional(),
    enabled: providerFields.enabled.optional(),
    firstParty: providerFields.firstParty.optional(),
    labels: providerFields.labels.optional(),
    config: providerFields.config.optional(),
    models: z
      .array(
        z
          .object({
            upstreamModel: z.string().trim().min(1).max(256),
            kind: z.enum(modelKinds).optional(),
            dimension: z.number().int().positive().max(65_536).optional(),
          })
          .strict(),
      )
      .max(500)
      .optional()
      .openapi({
        description:
          'Upstream models to serve: each joins the pool of the logical model of the same name, created (kind chat unless given) when absent. All or nothing with the entry.',
      }),
  })
  .strict()
  .openapi('ProviderCreate');

export const ProviderUpdateSchema = z
  .object({
    displayName: providerFields.displayName.optional(),
    baseUrl: providerFields.baseUrl.optional(),
    authMethod: providerFields.authMethod.optional(),
    apiKey: providerFields.apiKey.optional(),
    awsCredentials: providerFields.awsCredentials.optional(),
    serviceAccount: providerFields.serviceAccount.optional(),
    region: providerFields.region.optional(),
    environments: providerFields.environments.optional(),
    enabled: providerFields.enabled.optional(),
    firstParty: providerFields.firstParty.optional(),
    labels: providerFields.labels.optional(),
    config: providerFields.config.optional(),
  })
  .strict()
  .openapi('ProviderUpdate');

const capabilities = z.object({
  streaming: z.boolean(),
  tools: z.boolean(),
  vision: z.boolean(),
  jsonMode: z.boolean(),
});

const deployment = z.object({
  providerId: z.string().min(1).max(63),
  upstreamModel: z.string().trim().min(1).max(256),
  weight: z.number().int().min(0).max(10_000),
  priority: z.number().int().min(0).max(100).openapi({
    description: 'Lower is tried first; weight spreads traffic among members of equal priority',
  }),
});

const audience = z
  .object({
    teams: z.array(z.string().min(1).max(128)).max(1000).optional(),
    keys: z.array(z.string().min(1).max(128)).max(1000).optional(),
  })
  .strict()
  .openapi('Audience', {
    description:
      'Teams and keys that may call the model; null means every key. Others get the 404 of an unknown model.',
  });

export const ModelSchema = z
  .object({
    id: z.string(),
    kind: z.enum(modelKinds),
    contextWindow: z.number().int().nullable(),
    dimension: z.number().int().nullable(),
    capabilities,
    description: z.string().nullable(),
    enabled: z.boolean(),
    owner: z.string().nullable(),
    audience: z.object({ teams: z.array(z.string()), keys: z.array(z.string()) }).nullable(),
    deployments: z.array(deployment),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi('Model');

const modelFields = {
  contextWindow: z.number().int().positive().max(100_000_000).nullable(),
  dimension: z.number().int().positive().max(65_536).nullable(),
  capabilities: capabilities.partial(),
  description: z.string().max(2000).nullable(),
  enabled: z.boolean(),
  owner: z.string().trim().min(1).max(128).nullable(),
  audience: audience.nullable(),
  deployments: z
    .array(
      deployment.extend({
        weight: deployment.shape.weight.optional(),
        priority: deployment.shape.priority.optional(),
      }),
    )
    .min(1)
    .max(100),
};

/** The name developers put in `model`: a model version or an alias. */
const modelName = z
  .string()
  .min(1)
  .max(128)
  .regex(MODEL_NAME_PATTERN, 'may use letters, digits, ".", "_", ":" and "-"');

export const ModelCreateSchema = z
  .object({
    id: modelName,
    kind: z.enum(modelKinds),
    contextWindow: modelFields.contextWindow.optional(),
    dimension: modelFields.dimension.optional(),
    capabilities: modelFields.capabilities.optional(),
    description: modelFields.description.optional(),
    enabled: modelFields.enabled.optional(),
    owner: modelFields.owner.optional(),
    audience: modelFields.audience.optional(),
    deployments: modelFields.deployments,
  })
  .strict()
  .openapi('ModelCreate');

export const ModelUpdateSchema = z
  .object({
    kind: z.enum(modelKinds).optional().openapi({
      description: 'Refused while an alias serves the model; an embedding model needs its dimension',
    }),
    contextWindow: modelFields.contextWindow.optional(),
    dimension: modelFields.dimension.optional(),
    capabilities: modelFields.capabilities.optional(),
    description: modelFields.description.optional(),
    enabled: modelFields.enabled.optional(),
    owner: modelFields.owner.optional(),
    audience: modelFields.audience.optional(),
    deployments: modelFields.deployments.optional(),
  })
  .strict()
  .openapi('ModelUpdate');

/** Per-minute limits and body capture, on a key or a whole team. */
const governanceSettings = {
  requestsPerMinute: z
    .number()
    .int()
    .min(1)
    .max(10_000_000)
    .nullable()
    .optional()
    .openapi({ description: 'Requests per minute (null: no limit); 429 with Retry-After beyond it' }),
  tokensPerMinute: z
    .number()
    .int()
    .min(1)
    .max(10_000_000_000)
    .nullable()
    .optional()
    .openapi({ description: 'Prompt and completion tokens per minute (null: no limit)' }),
  captureBodies: z
    .boolean()
    .optional()
    .openapi({ description: 'Store prompt and answer bodies (redacted) in the request log' }),
};

export const TeamSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    requestsPerMinute: z.number().int().nullable(),
    tokensPerMinute: z.number().int().nullable(),
    captureBodies: z.boolean(),
    createdAt: timestamp,
  })
  .openapi('Team');

export const TeamCreateSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().max(2000).nullable().optional(),
    ...governanceSettings,
  })
  .strict()
  .openapi('TeamCreate');

export const TeamUpdateSchema = z
  .object({
    description: z.string().max(2000).nullable().optional(),
    ...governanceSettings,
  })
  .strict()
  .openapi('TeamUpdate');
export type TeamUpdate = z.infer<typeof TeamUpdateSchema>;

const routeTarget = z.union([
  z.object({ model: z.string().min(1).max(128) }).strict(),
  z
    .object({
      deployment: z
        .string()
        .min(3)
        .max(400)
        .openapi({ description: '`<provider id>/<upstream model>` of a pool member' }),
    })
    .strict(),
]);
const routingStrategy = z.discriminatedUnion('type', [
  z.object({ type: z.literal('fallback'), targets: z.array(routeTarget).min(1).max(20) }).strict(),
  z
    .object({
      type: z.literal('split'),
      targets: z
        .array(z.intersection(routeTarget, z.object({ weight: z.number().int().min(0).max(10_000) })))
        .min(1)
        .max(20),
      fallback: z.array(routeTarget).max(20).optional(),
    })
    .strict(),
]);
const stringMap = z.record(z.string().min(1).max(64), z.string().max(256));

export const RoutingPolicySchema = z
  .object({
    rules: z
      .array(
        z
          .object({
            name: z.string().trim().min(1).max(64),
            match: z
              .object({
                models: z.array(z.string().min(1).max(128)).max(50).optional(),
                headers: stringMap.optional(),
                metadata: stringMap.optional(),
                tags: z.array(z.string().min(1).max(64)).max(20).optional(),
              })
              .strict(),
            strategy: routingStrategy,
          })
          .strict(),
      )
      .max(100),
    default: routingStrategy.optional(),
    execution: z
      .object({
        retryOn: z
          .array(z.enum(['connect', 'timeout', 'rate-limit', 'server-error']))
          .max(4)
          .optional(),
        replayUncertain: z.boolean().optional(),
        deadlineMs: z.number().int().min(100).max(600_000).optional(),
        fallbackWithinMs: z.number().int().min(1).max(600_000).optional(),
        uncertainAfterMs: z.number().int().min(1).max(600_000).optional().openapi({
          description:
            'A 5xx answered after this long may come after the work was done; it is not re-run unless replayUncertain (default 4000)',
        }),
        firstByteTimeoutMs: z.number().int().min(100).max(600_000).optional().openapi({
          description:
            "Time to an upstream's response headers before moving on (the gateway's setting by default)",
        }),
        maxAttempts: z.number().int().min(1).max(5).optional().openapi({
          description: "Most attempts per request, within the gateway's JUNCTION_MAX_ATTEMPTS",
        }),
      })
      .strict()
      .optional(),
  })
  .strict()
  .openapi('RoutingPolicy', {
    description:
      'Ordered rules (first match wins) leading to a strategy, and a default strategy. Without one, a request goes to the model it names.',
  });

export const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: 'The first characters of the secret, to recognise it' }),
    teamId: z.string(),
    environment: z.string(),
    consumer: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
    routing: RoutingPolicySchema.nullable(),
    allowedModels: z.array(z.string()).nullable(),
    residency: z.string().nullable(),
    residencyHeader: z.boolean(),
    requestsPerMinute: z.number().int().nullable(),
    tokensPerMinute: z.number().int().nullable(),
    captureBodies: z.boolean(),
    previousSecretExpiresAt: timestamp
      .nullable()
      .openapi({ description: 'After a rotation: until when the previous secret still works' }),
    createdAt: timestamp,
    expiresAt: timestamp.nullable(),
    revokedAt: timestamp.nullable(),
  })
  .openapi('ApiKey');

/** What a key's creator may set, and later change. */
const keySettings = {
  consumer: z.string().trim().min(1).max(200).nullable().optional(),
  expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
  metadata: stringMap.optional(),
  routing: RoutingPolicySchema.nullable().optional(),
  allowedModels: z
    .array(z.string().min(1).max(128))
    .max(500)
    .nullable()
    .optional()
    .openapi({ description: 'The model names the key may request; null for any' }),
  residency: z
    .string()
    .regex(/^[a-z0-9-]{2,32}$/)
    .nullable()
    .optional()
    .openapi({ description: 'Bind every request to entries labelled geography=<this>, fallback included' }),
  residencyHeader: z
    .boolean()
    .optional()
    .openapi({ description: 'Let a request bind itself to a geography with x-junction-residency' }),
  ...governanceSettings,
};

export const ApiKeyCreateSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    teamId: z.string().min(1).max(64),
    environment: environmentName.optional(),
    ...keySettings,
  })
  .strict()
  .openapi('ApiKeyCreate');

export const ApiKeyUpdateSchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    ...keySettings,
  })
  .strict()
  .openapi('ApiKeyUpdate');

export const ApiKeyCreatedSchema = z
  .object({
    key: ApiKeySchema,
    secret: z.string().openapi({ description: 'The key itself. Shown once: it is stored only as a hash.' }),
  })
  .openapi('ApiKeyCreated');

export const StatusSchema = z
  .object({
    snapshotVersion: z.number().int(),
    compiledAt: z.string(),
    providers: z.number().int(),
    models: z.number().int(),
    keys: z.number().int(),
    store: z.enum(['embedded', 'postgres']),
  })
  .openapi('Status');

export const PrincipalSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.string(),
    teamId: z.string().nullable().openapi({ description: 'The team a team-bound role is limited to' }),
    kind: z.enum(['token', 'user']).openapi({ description: 'An admin token or a signed-in user' }),
    email: z.string().optional(),
    csrfToken: z.string().optional().openapi({
      description: 'For a browser session: send it in `x-csrf-token` with every change',
    }),
    permissions: z
      .array(z.string())
      .openapi({ description: 'What the role may do (drives the menus shown)' }),
  })
  .openapi('Principal');

export const AdminTokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    teamId: z.string().nullable(),
    prefix: z.string().openapi({ description: 'The first characters of the secret, to recognise it' }),
    createdBy: z.string().nullable().openapi({ description: 'The admin token or user that created it' }),
    userId: z.string().nullable().openapi({
      description: "A personal token's user: it acts with that user's current role and team",
    }),
    createdAt: timestamp,
    expiresAt: timestamp.nullable(),
    revokedAt: timestamp.nullable(),
  })
  .openapi('AdminToken');

export const AdminTokenCreateSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: z.enum(ROLES),
    teamId: z.string().min(1).max(64).nullable().optional().openapi({
      description: 'Required for `developer` (the team it is limited to); refused for other roles',
    }),
    expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .strict()
  .openapi('AdminTokenCreate');

export const AdminTokenCreatedSchema = z
  .object({
    token: AdminTokenSchema,
    secret: z.string().openapi({ description: 'The token itself. Shown once: it is stored only as a hash.' }),
  })
  .openapi('AdminTokenCreated');

export const listOf = <T extends z.ZodType>(schema: T) => z.object({ data: z.array(schema) });

export type ProviderCreate = z.infer<typeof ProviderCreateSchema>;
export type ProviderUpdate = z.infer<typeof ProviderUpdateSchema>;
export type ModelCreate = z.infer<typeof ModelCreateSchema>;
export type ModelUpdate = z.infer<typeof ModelUpdateSchema>;
export type TeamCreate = z.infer<typeof TeamCreateSchema>;
export type ApiKeyCreate = z.infer<typeof ApiKeyCreateSchema>;
export type ApiKeyUpdate = z.infer<typeof ApiKeyUpdateSchema>;
export type RoutingPolicyInput = z.infer<typeof RoutingPolicySchema>;
export type EnvironmentCreate = z.infer<typeof EnvironmentCreateSchema>;

export const AliasSchema = z
  .object({
    id: z.string(),
    modelId: z.string().openapi({ description: 'The version the alias serves' }),
    previousModelId: z.string().nullable().openapi({ description: 'Where rollback returns it' }),
    kind: z.enum(modelKinds),
    dimension: z.number().int().nullable(),
    description: z.string().nullable(),
    movedAt: timestamp.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi('Alias');

export const AliasCreateSchema = z
  .object({
    id: modelName,
    modelId: z.string().min(1).max(128),
    description: z.string().max(2000).nullable().optional(),
  })
  .strict()
  .openapi('AliasCreate');

export const AliasUpdateSchema = z
  .object({ description: z.string().max(2000).nullable().optional() })
  .strict()
  .openapi('AliasUpdate');

export const AliasMoveSchema = z
  .object({
    modelId: z.string().min(1).max(128),
    acknowledgeReembedding: z.boolean().optional().openapi({
      description:
        'Required to move an embedding alias to another model: vectors stored from it must be re-embedded',
    }),
  })
  .strict()
  .openapi('AliasMove');

export const ModelVerifyRequestSchema = z
  .object({
    environment: environmentName.optional().openapi({ description: 'Default: production' }),
    eachDeployment: z.boolean().optional().openapi({
      description: 'Also send one request to each member of the pool alone and report each (`deployments`)',
    }),
  })
  .strict()
  .openapi('ModelVerifyRequest');

export const ModelVerificationSchema = z
  .object({
    ok: z.boolean(),
    model: z.string(),
    version: z.string(),
    environment: z.string(),
    backend: z.string().nullable(),
    attempts: z.number().int(),
    status: z.number().int(),
    latencyMs: z.number().int(),
    answer: z.string().optional(),
    dimension: z.number().int().optional(),
    dimensionMatches: z.boolean().optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    deployments: z
      .array(
        z.object({
          providerId: z.string(),
          upstreamModel: z.string(),
          skipped: z.string().optional().openapi({ description: 'Why this member was not tried' }),
          ok: z.boolean(),
          status: z.number().int(),
          latencyMs: z.number().int(),
          answer: z.string().optional(),
          dimension: z.number().int().optional(),
          dimensionMatches: z.boolean().optional(),
          error: z.object({ code: z.string(), message: z.string() }).optional(),
        }),
      )
      .optional()
      .openapi({ description: 'With eachDeployment: what each member of the pool answered on its own' }),
  })
  .openapi('ModelVerification');

export const AliasHistoryEntrySchema = z
  .object({
    at: timestamp,
    action: z.string().openapi({ description: 'aliases.create, aliases.move, aliases.rollback, ...' }),
    actor: z.string().nullable(),
    fromModelId: z.string().nullable().openapi({ description: 'The version served before the change' }),
    toModelId: z.string().nullable().openapi({ description: 'The version served after it (null: deleted)' }),
  })
  .openapi('AliasHistoryEntry');

export const ApiKeyRotateSchema = z
  .object({
    gracePeriodSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 24 * 3600)
      .optional()
      .openapi({ description: 'How long the old secret keeps working (default 0: it stops at once)' }),
  })
  .strict()
  .openapi('ApiKeyRotate');

export const PersonalTokenCreateSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    expiresAt: z.iso.datetime({ offset: true }).openapi({ description: 'Required; at most 366 days ahead' }),
  })
  .strict()
  .openapi('PersonalTokenCreate');
