/** Writes the stored configuration as a configuration document (credentials as references only, no key secrets, prices included). */
import { asc } from 'drizzle-orm';
import type { Database } from '../../store/database.js';
import { apiKeys, environments, teams } from '../../store/schema.js';
import { listAliases } from '../services/aliases.js';
import { listBudgets } from '../services/budgets.js';
import { listModels } from '../services/models.js';
import { listPrices } from '../services/prices.js';
import { listProviders } from '../services/providers.js';
import { keyView } from '../services/teams-and-keys.js';
import { CONFIG_DOCUMENT_VERSION, type ConfigDocument } from './document.js';

/** The whole configuration as a document that `apply` turns back into the same configuration. */
export async function exportConfiguration(db: Database): Promise<ConfigDocument> {
  const environmentRows = await db.select().from(environments).orderBy(asc(environments.id));
  const teamRows = await db.select().from(teams).orderBy(asc(teams.name));
  const teamNames = new Map(teamRows.map((team) => [team.id, team.name]));
  const keyRows = await db.select().from(apiKeys).orderBy(asc(apiKeys.createdAt));
  return {
    version: CONFIG_DOCUMENT_VERSION,
    environments: environmentRows.map((row) => ({ id: row.id, description: row.description })),
    providers: (await listProviders(db)).map((provider) => ({
      id: provider.id,
      type: provider.type,
      displayName: provider.displayName,
      baseUrl: provider.baseUrl,
      authMethod: provider.authMethod,
      region: provider.region,
      environments: provider.environments,
      enabled: provider.enabled,
      firstParty: provider.firstParty,
      labels: provider.labels,
      config: provider.config,
      credential: provider.credential ? { stored: true, hint: provider.credential.hint } : null,
    })),
    models: (await listModels(db)).map((model) => ({
      id: model.id,
      kind: model.kind,
      contextWindow: model.contextWindow,
      dimension: model.dimension,
      capabilities: model.capabilities,
      description: model.description,
      enabled: model.enabled,
      owner: model.owner,
      audience: model.audience && {
        teams: model.audience.teams.map((id) => teamNames.get(id) ?? id),
        keys: model.audience.keys,
      },
      deployments: model.deployments,
    })),
    aliases: (await listAliases(db)).map((alias) => ({
      id: alias.id,
      modelId: alias.modelId,
      description: alias.description,
    })),
    teams: teamRows.map((row) => ({
      name: row.name,
      description: row.description,
      requestsPerMinute: row.requestsPerMinute,
      tokensPerMinute: row.tokensPerMinute,
      captureBodies: row.captureBodies,
    })),
    // The key's settings as the admin API shows them; never its secret or hash.
    keys: keyRows.map(keyView).map((key) => ({
      id: key.id,
      name: key.name,
      team: teamNames.get(key.teamId) ?? key.teamId,
      environment: key.environment,
      consumer: key.consumer,
      prefix: key.prefix,
      expiresAt: key.expiresAt,
      revoked: key.revokedAt !== null,
      routing: key.routing,
      allowedModels: key.allowedModels,
      metadata: key.metadata,
      residency: key.residency,
      residencyHeader: key.residencyHeader,
      requestsPerMinute: key.requestsPerMinute,
      tokensPerMinute: key.tokensPerMinute,
      captureBodies: key.captureBodies,
    })),
    // The price book, by (scope, target, effectiveFrom); row ids and creation times are the store's own.
    // Budgets name their key by id and their team by name, like the keys above.
    budgets: (await listBudgets(db)).map((budget) => ({
      name: budget.name,
      scope: budget.scope,
      ...(budget.scope === 'key'
        ? { key: budget.keyId! }
        : { team: teamNames.get(budget.teamId!) ?? budget.teamId! }),
      limitUsd: budget.limitUsd,
      limitTokens: budget.limitTokens,
      period: budget.period,
      timezone: budget.timezone,
      alertAtPercent: budget.alertAtPercent,
      onStoreFailure: budget.onStoreFailure,
      enabled: budget.enabled,
    })),
    prices: (await listPrices(db)).map((price) => ({
      scope: price.scope,
      target: price.target,
      effectiveFrom: price.effectiveFrom,
      input: price.input,
      cachedInput: price.cachedInput,
      cacheWrite: price.cacheWrite,
      output: price.output,
      reasoning: price.reasoning,
      note: price.note,
    })),
  };
}
