/** Loads the stored configuration as the compiler's input, decrypting credentials on the way. */
import { asc, eq } from 'drizzle-orm';
import { pushTo } from '../core/collections.js';
import type { RoutingPolicy } from '../core/routing/policy.js';
import type { ConfigurationSource, ModelCapabilities } from '../core/snapshot/source.js';
import type { MasterKey } from '../secrets/envelope.js';
import type { Database } from '../store/database.js';
import {
  apiKeys,
  budgets,
  meta,
  modelAliases,
  modelDeployments,
  models,
  prices,
  providers,
  teams,
} from '../store/schema.js';
import { budgetView } from './services/budgets.js';

export const CONFIG_VERSION_KEY = 'config_version';

/** The AAD context that binds a provider credential to its row. */
export const providerCredentialContext = (providerId: string) => `providers/${providerId}:credential`;

/** Reads every configuration table (inside the caller's transaction when given one). */
export async function loadConfiguration(db: Database, masterKey: MasterKey): Promise<ConfigurationSource> {
  const [versionRow] = await db.select().from(meta).where(eq(meta.key, CONFIG_VERSION_KEY));
  const providerRows = await db.select().from(providers).orderBy(asc(providers.id));
  const modelRows = await db.select().from(models).orderBy(asc(models.id));
  const deploymentRows = await db
    .select()
    .from(modelDeployments)
    .orderBy(asc(modelDeployments.modelId), asc(modelDeployments.position));
  const aliasRows = await db.select().from(modelAliases).orderBy(asc(modelAliases.id));
  const teamRows = await db
    .select({
      id: teams.id,
      name: teams.name,
      requestsPerMinute: teams.requestsPerMinute,
      tokensPerMinute: teams.tokensPerMinute,
      captureBodies: teams.captureBodies,
    })
    .from(teams);
  const keyRows = await db.select().from(apiKeys);
  const budgetRows = await db.select().from(budgets).orderBy(asc(budgets.id));
  const priceRows = await db.select().from(prices);

  const deploymentsByModel = new Map<
    string,
    { providerId: string; upstreamModel: string; weight: number; priority: number }[]
  >();
  for (const row of deploymentRows) {
    pushTo(deploymentsByModel, row.modelId, {
      providerId: row.providerId,
      upstreamModel: row.upstreamModel,
      weight: row.weight,
      priority: row.priority,
    });
  }
  return {
    version: versionRow ? Number(versionRow.value) : 0,
    providers: providerRows.map((row) => ({
      id: row.id,
      displayName: row.displayName,
      type: row.type as ConfigurationSource['providers'][number]['type'],
      baseUrl: row.baseUrl,
      authMethod: row.authMethod as ConfigurationSource['providers'][number]['authMethod'],
      credential: row.credentialCiphertext
        ? masterKey.open(row.credentialCiphertext, providerCredentialContext(row.id))
        : null,
      region: row.region,
      environments: row.environments,
      enabled: row.enabled,
      labels: row.labels,
      config: row.config,
    })),
    models: modelRows.map((row) => ({
      id: row.id,
      kind: row.kind as 'chat' | 'embedding',
      contextWindow: row.contextWindow,
      dimension: row.dimension,
      capabilities: row.capabilities as unknown as ModelCapabilities,
      description: row.description,
      enabled: row.enabled,
      created: Math.floor(row.createdAt.getTime() / 1000),
      owner: row.owner,
      audience: row.audience ?? null,
      deployments: deploymentsByModel.get(row.id) ?? [],
    })),
    aliases: aliasRows.map((row) => ({
      id: row.id,
      modelId: row.modelId,
      previousModelId: row.previousModelId,
      description: row.description,
      created: Math.floor(row.createdAt.getTime() / 1000),
    })),
    teams: teamRows,
    apiKeys: keyRows.map((row) => ({
      id: row.id,
      name: row.name,
      secretHash: row.secretHash,
      teamId: row.teamId,
      environment: row.environment,
      expiresAt: row.expiresAt ? row.expiresAt.getTime() : null,
      revokedAt: row.revokedAt ? row.revokedAt.getTime() : null,
      metadata: row.metadata,
      routing: (row.routing as RoutingPolicy | null) ?? null,
      allowedModels: row.allowedModels ?? null,
      residency: row.residency,
      residencyHeader: row.residencyHeader,
      previousSecretHash: row.previousSecretHash,
      previousSecretExpiresAt: row.previousSecretExpiresAt ? row.previousSecretExpiresAt.getTime() : null,
      requestsPerMinute: row.requestsPerMinute,
      tokensPerMinute: row.tokensPerMinute,
      captureBodies: row.captureBodies,
    })),
    // The admin API's view of a budget, with the compiler's field names.
    budgets: budgetRows
      .map(budgetView)
      .map(({ timezone, createdAt: _created, updatedAt: _updated, ...budget }) => ({
        ...budget,
        timeZone: timezone,
      })),
    prices: priceRows.map((row) => ({
      scope: row.scope as 'model' | 'deployment',
      target: row.target,
      effectiveFrom: row.effectiveFrom.toISOString(),
      input: row.input,
      cachedInput: row.cachedInput,
      cacheWrite: row.cacheWrite,
      output: row.output,
      reasoning: row.reasoning,
    })),
  };
}
