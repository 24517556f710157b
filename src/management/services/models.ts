/** Logical models and their pools of deployments. */
import { asc, eq, inArray } from 'drizzle-orm';
import { pushTo } from '../../core/collections.js';
import { GatewayError } from '../../core/errors/gateway-error.js';
import type { ModelCapabilities } from '../../core/snapshot/source.js';
import type { Database } from '../../store/database.js';
import { apiKeys, modelAliases, modelDeployments, models, providers, teams } from '../../store/schema.js';
import type { ModelCreate, ModelUpdate } from '../api/schemas.js';
import { notFound, rethrowConflict } from './store-errors.js';

type ModelRow = typeof models.$inferSelect;
type DeploymentInput = ModelCreate['deployments'][number];

const defaultCapabilities = (kind: ModelCreate['kind']): ModelCapabilities =>
  kind === 'chat'
    ? { streaming: true, tools: false, vision: false, jsonMode: false }
    : { streaming: false, tools: false, vision: false, jsonMode: false };

function modelView(
  row: ModelRow,
  deployments: { providerId: string; upstreamModel: string; weight: number; priority: number }[],
) {
  return {
    id: row.id,
    kind: row.kind as ModelCreate['kind'],
    contextWindow: row.contextWindow,
    dimension: row.dimension,
    capabilities: row.capabilities as unknown as ModelCapabilities,
    description: row.description,
    enabled: row.enabled,
    owner: row.owner,
    audience: row.audience ?? null,
    deployments,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
export type ModelView = ReturnType<typeof modelView>;

async function deploymentsOf(db: Database, ids: string[]) {
  const rows =
    ids.length === 0
      ? []
      : await db
          .select()
          .from(modelDeployments)
          .where(inArray(modelDeployments.modelId, ids))
          .orderBy(asc(modelDeployments.modelId), asc(modelDeployments.position));
  const byModel = new Map<
    string,
    { providerId: string; upstreamModel: string; weight: number; priority: number }[]
  >();
  for (const row of rows) {
    pushTo(byModel, row.modelId, {
      providerId: row.providerId,
      upstreamModel: row.upstreamModel,
      weight: row.weight,
      priority: row.priority,
    });
  }
  return byModel;
}

export async function listModels(db: Database): Promise<ModelView[]> {
  const rows = await db.select().from(models).orderBy(asc(models.id));
  const deployments = await deploymentsOf(
    db,
    rows.map((row) => row.id),
  );
  return rows.map((row) => modelView(row, deployments.get(row.id) ?? []));
}

export async function getModel(db: Database, id: string): Promise<ModelView> {
  const [row] = await db.select().from(models).where(eq(models.id, id));
  if (!row) throw notFound('Model', id);
  return modelView(row, (await deploymentsOf(db, [id])).get(id) ?? []);
}

async function writeDeployments(
  db: Database,
  modelId: string,
  deployments: DeploymentInput[],
): Promise<void> {
  const providerIds = [...new Set(deployments.map((deployment) => deployment.providerId))];
  const known = await db
    .select({ id: providers.id })
    .from(providers)
    .where(inArray(providers.id, providerIds));
  const knownIds = new Set(known.map((row) => row.id));
  const details = deployments.flatMap((deployment, index) =>
    knownIds.has(deployment.providerId)
      ? []
      : [
          {
            path: `deployments[${index}].providerId`,
            message: `provider ${deployment.providerId} does not exist`,
          },
        ],
  );
  if (details.length > 0) throw new GatewayError('invalid_request', details[0]!.message, { details });
  await db.delete(modelDeployments).where(eq(modelDeployments.modelId, modelId));
  await db.insert(modelDeployments).values(
    deployments.map((deployment, position) => ({
      modelId,
      position,
      providerId: deployment.providerId,
      upstreamModel: deployment.upstreamModel,
      weight: deployment.weight ?? 1,
      priority: deployment.priority ?? 0,
    })),
  );
}

function checkDimension(kind: string, dimension: number | null | undefined): void {
  if (kind === 'embedding' && !dimension) {
    const message = 'an embedding model needs its vector dimension';
    throw new GatewayError('invalid_request', message, { details: [{ path: 'dimension', message }] });
  }
}

/** The first of `ids` with no row in `table`, or undefined when all exist. */
async function firstMissing(
  db: Database,
  table: typeof teams | typeof apiKeys,
  ids: string[],
): Promise<string | undefined> {
  if (ids.length === 0) return undefined;
  const found = await db.select({ id: table.id }).from(table).where(inArray(table.id, ids));
  const known = new Set(found.map((row) => row.id));
  return ids.find((id) => !known.has(id));
}

/** Who may call a model: every key (null), or listed teams and keys, which must exist. */
async function checkAudience(
  db: Database,
  audience: { teams?: string[]; keys?: string[] } | null | undefined,
): Promise<{ teams: string[]; keys: string[] } | null | undefined> {
  if (audience === undefined || audience === null) return audience;
  const wanted = { teams: [...new Set(audience.teams ?? [])], keys: [...new Set(audience.keys ?? [])] };
  if (wanted.teams.length === 0 && wanted.keys.length === 0) {
    throw invalid('audience', 'an audience lists at least one team or key; use null for every key');
  }
  const missingTeam = await firstMissing(db, teams, wanted.teams);
  if (missingTeam) throw invalid('audience.teams', `team ${missingTeam} does not exist`);
  const missingKey = await firstMissing(db, apiKeys, wanted.keys);
  if (missingKey) throw invalid('audience.keys', `key ${missingKey} does not exist`);
  return wanted;
}

const invalid = (path: string, message: string) =>
  new GatewayError('invalid_request', message, { details: [{ path, message }] });

export async function createModel(db: Database, input: ModelCreate): Promise<ModelView> {
  checkDimension(input.kind, input.dimension);
  const [aliasClash] = await db
    .select({ id: modelAliases.id })
    .from(modelAliases)
    .where(eq(modelAliases.id, input.id));
  if (aliasClash) throw invalid('id', `${input.id} is already the name of an alias`);
  const audience = await checkAudience(db, input.audience);
  const now = new Date();
  await db
    .insert(models)
    .values({
      id: input.id,
      kind: input.kind,
      contextWindow: input.contextWindow ?? null,
      dimension: input.dimension ?? null,
      capabilities: { ...defaultCapabilities(input.kind), ...input.capabilities },
      description: input.description ?? null,
      enabled: input.enabled ?? true,
      owner: input.owner ?? null,
      audience: audience ?? null,
      createdAt: now,
      updatedAt: now,
    })
    .catch((error: unknown) => rethrowConflict(error, `A model named ${input.id} already exists`));
  await writeDeployments(db, input.id, input.deployments);
  return getModel(db, input.id);
}

export async function updateModel(db: Database, id: string, patch: ModelUpdate): Promise<ModelView> {
  const [current] = await db.select().from(models).where(eq(models.id, id));
  if (!current) throw notFound('Model', id);
  const kind = patch.kind ?? current.kind;
  if (kind !== current.kind) await refuseChangeUnderAlias(db, id, 'kind');
  // A chat model has no vector dimension: changing to chat drops it.
  const dimension =
    kind === 'chat' && kind !== current.kind
      ? null
      : patch.dimension === undefined
        ? current.dimension
        : patch.dimension;
  checkDimension(kind, dimension);
  if (dimension !== current.dimension && kind === current.kind) {
    await refuseChangeUnderAlias(db, id, 'dimension');
  }
  const audience = await checkAudience(db, patch.audience);
  await db
    .update(models)
    .set({
      kind,
      contextWindow: patch.contextWindow,
      dimension,
      capabilities: patch.capabilities ? { ...current.capabilities, ...patch.capabilities } : undefined,
      description: patch.description,
      enabled: patch.enabled,
      owner: patch.owner,
      audience,
      updatedAt: new Date(),
    })
    .where(eq(models.id, id));
  if (patch.deployments) await writeDeployments(db, id, patch.deployments);
  return getModel(db, id);
}

/** An alias promises one kind and dimension to its users; the version behind it cannot change them under them. */
async function refuseChangeUnderAlias(db: Database, id: string, field: 'kind' | 'dimension'): Promise<void> {
  const aliases = await db
    .select({ id: modelAliases.id })
    .from(modelAliases)
    .where(eq(modelAliases.modelId, id));
  if (aliases.length > 0) {
    throw invalid(
      field,
      `the alias ${aliases.map((alias) => alias.id).join(', ')} serves ${id}; its ${field} cannot change under it`,
    );
  }
}

export async function deleteModel(db: Database, id: string): Promise<void> {
  const aliases = await db
    .select({ id: modelAliases.id })
    .from(modelAliases)
    .where(eq(modelAliases.modelId, id));
  if (aliases.length > 0) {
    const names = aliases.map((alias) => alias.id).sort();
    throw new GatewayError('in_use', `Model ${id} is served by the alias ${names.join(', ')}; move it first`);
  }
  const deleted = await db.delete(models).where(eq(models.id, id)).returning({ id: models.id });
  if (deleted.length === 0) throw notFound('Model', id);
}
