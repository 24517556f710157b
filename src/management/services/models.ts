/** Logical models and their pools of deployments. */
import { asc, eq, inArray } from 'drizzle-orm';
import { pushTo } from '../../core/collections.js';
import { GatewayError } from '../../core/errors/gateway-error.js';
import type { ModelCapabilities } from '../../core/snapshot/source.js';
import type { Database } from '../../store/database.js';
import { modelDeployments, models, providers } from '../../store/schema.js';
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
  deployments: { providerId: string; upstreamModel: string; weight: number }[],
) {
  return {
    id: row.id,
    kind: row.kind as ModelCreate['kind'],
    contextWindow: row.contextWindow,
    dimension: row.dimension,
    capabilities: row.capabilities as unknown as ModelCapabilities,
    description: row.description,
    enabled: row.enabled,
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
  const byModel = new Map<string, { providerId: string; upstreamModel: string; weight: number }[]>();
  for (const row of rows) {
    pushTo(byModel, row.modelId, {
      providerId: row.providerId,
      upstreamModel: row.upstreamModel,
      weight: row.weight,
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
    })),
  );
}

function checkDimension(kind: string, dimension: number | null | undefined): void {
  if (kind === 'embedding' && !dimension) {
    const message = 'an embedding model needs its vector dimension';
    throw new GatewayError('invalid_request', message, { details: [{ path: 'dimension', message }] });
  }
}

export async function createModel(db: Database, input: ModelCreate): Promise<ModelView> {
  checkDimension(input.kind, input.dimension);
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
  const dimension = patch.dimension === undefined ? current.dimension : patch.dimension;
  checkDimension(current.kind, dimension);
  await db
    .update(models)
    .set({
      contextWindow: patch.contextWindow,
      dimension,
      capabilities: patch.capabilities ? { ...current.capabilities, ...patch.capabilities } : undefined,
      description: patch.description,
      enabled: patch.enabled,
      updatedAt: new Date(),
    })
    .where(eq(models.id, id));
  if (patch.deployments) await writeDeployments(db, id, patch.deployments);
  return getModel(db, id);
}

export async function deleteModel(db: Database, id: string): Promise<void> {
  const deleted = await db.delete(models).where(eq(models.id, id)).returning({ id: models.id });
  if (deleted.length === 0) throw notFound('Model', id);
}
