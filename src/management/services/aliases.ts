/**
 * Aliases: stable names (`acme-llm`) pointing at one version (`acme-llm-2026-04`). A move changes what the name
 * serves from the next request on, keeps the previous version enabled and remembers it for rollback. Moving an
 * embedding alias to another model means re-embedding stored vectors: it needs an explicit acknowledgement, and a
 * move to a model of another dimension is refused outright.
 */
import { and, asc, desc, eq } from 'drizzle-orm';
import { GatewayError } from '../../core/errors/gateway-error.js';
import type { Database } from '../../store/database.js';
import { auditLog, modelAliases, models } from '../../store/schema.js';
import { notFound, rethrowConflict } from './store-errors.js';

type AliasRow = typeof modelAliases.$inferSelect;
type ModelRow = typeof models.$inferSelect;

export interface AliasCreate {
  id: string;
  modelId: string;
  description?: string | null;
}

export interface AliasMove {
  modelId: string;
  /** Required to move an embedding alias to another model: stored vectors must be re-embedded. */
  acknowledgeReembedding?: boolean;
}

function aliasView(row: AliasRow, target: Pick<ModelRow, 'kind' | 'dimension'> | undefined) {
  return {
    id: row.id,
    modelId: row.modelId,
    previousModelId: row.previousModelId,
    kind: (target?.kind ?? 'chat') as 'chat' | 'embedding',
    dimension: target?.dimension ?? null,
    description: row.description,
    movedAt: row.movedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
export type AliasView = ReturnType<typeof aliasView>;

const invalid = (path: string, message: string) =>
  new GatewayError('invalid_request', message, { details: [{ path, message }] });

async function modelRow(db: Database, id: string, path: string): Promise<ModelRow> {
  const [row] = await db.select().from(models).where(eq(models.id, id));
  if (!row) throw invalid(path, `model ${id} does not exist`);
  return row;
}

export async function listAliases(db: Database): Promise<AliasView[]> {
  const rows = await db.select().from(modelAliases).orderBy(asc(modelAliases.id));
  const targets = new Map((await db.select().from(models)).map((row) => [row.id, row]));
  return rows.map((row) => aliasView(row, targets.get(row.modelId)));
}

export async function getAlias(db: Database, id: string): Promise<AliasView> {
  const [row] = await db.select().from(modelAliases).where(eq(modelAliases.id, id));
  if (!row) throw notFound('Alias', id);
  const [target] = await db.select().from(models).where(eq(models.id, row.modelId));
  return aliasView(row, target);
}

export async function createAlias(db: Database, input: AliasCreate): Promise<AliasView> {
  const [clash] = await db.select({ id: models.id }).from(models).where(eq(models.id, input.id));
  if (clash) throw invalid('id', `${input.id} is already the name of a model; an alias needs its own name`);
  await modelRow(db, input.modelId, 'modelId');
  const now = new Date();
  await db
    .insert(modelAliases)
    .values({
      id: input.id,
      modelId: input.modelId,
      previousModelId: null,
      description: input.description ?? null,
      movedAt: null,
      createdAt: now,
      updatedAt: now,
    })
    .catch((error: unknown) => rethrowConflict(error, `An alias named ${input.id} already exists`));
  return getAlias(db, input.id);
}

export async function updateAlias(
  db: Database,
  id: string,
  patch: { description?: string | null },
): Promise<AliasView> {
  const updated = await db
    .update(modelAliases)
    .set({ description: patch.description, updatedAt: new Date() })
    .where(eq(modelAliases.id, id))
    .returning({ id: modelAliases.id });
  if (updated.length === 0) throw notFound('Alias', id);
  return getAlias(db, id);
}

export async function deleteAlias(db: Database, id: string): Promise<void> {
  const deleted = await db
    .delete(modelAliases)
    .where(eq(modelAliases.id, id))
    .returning({ id: modelAliases.id });
  if (deleted.length === 0) throw notFound('Alias', id);
}

export interface AliasHistoryEntry {
  at: string;
  action: string;
  actor: string | null;
  fromModelId: string | null;
  toModelId: string | null;
}

const HISTORY_LIMIT = 100;

/** The version an audited alias row (shown with camelCase fields) pointed at, if any. */
function servedBy(row: unknown): string | null {
  if (!row || typeof row !== 'object') return null;
  const value = (row as Record<string, unknown>).modelId;
  return typeof value === 'string' ? value : null;
}

/**
 * What the alias served over time, newest first (at most 100 changes), read from the audit log: every change made
 * to it through the admin API or a configuration apply, with who made it and the version before and after.
 */
export async function aliasHistory(db: Database, id: string): Promise<AliasHistoryEntry[]> {
  const [alias] = await db.select({ id: modelAliases.id }).from(modelAliases).where(eq(modelAliases.id, id));
  if (!alias) throw notFound('Alias', id);
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.targetType, 'aliases'), eq(auditLog.targetId, id)))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(HISTORY_LIMIT);
  return rows.map((row) => ({
    at: row.at.toISOString(),
    action: row.action,
    actor: row.actorName ?? row.actorId,
    fromModelId: servedBy(row.before),
    toModelId: servedBy(row.after),
  }));
}

/** Points the alias at another version; the version it leaves stays as it is and becomes the rollback target. */
export async function moveAlias(db: Database, id: string, move: AliasMove): Promise<AliasView> {
  const [alias] = await db.select().from(modelAliases).where(eq(modelAliases.id, id));
  if (!alias) throw notFound('Alias', id);
  if (alias.modelId === move.modelId) throw invalid('modelId', `${id} already points at ${move.modelId}`);
  const current = await modelRow(db, alias.modelId, 'modelId');
  const next = await modelRow(db, move.modelId, 'modelId');
  checkMove(id, current, next, move.acknowledgeReembedding === true);
  const now = new Date();
  await db
    .update(modelAliases)
    .set({ modelId: next.id, previousModelId: current.id, movedAt: now, updatedAt: now })
    .where(eq(modelAliases.id, id));
  return getAlias(db, id);
}

/** Moves the alias back to the version it pointed at before its last move. */
export async function rollbackAlias(db: Database, id: string): Promise<AliasView> {
  const [alias] = await db.select().from(modelAliases).where(eq(modelAliases.id, id));
  if (!alias) throw notFound('Alias', id);
  if (!alias.previousModelId) {
    throw new GatewayError('conflict', `${id} has not been moved, so there is nothing to roll back to`);
  }
  // Rolling back restores what the alias served before, which its users already embedded with: no acknowledgement.
  return moveAlias(db, id, { modelId: alias.previousModelId, acknowledgeReembedding: true });
}

function checkMove(id: string, current: ModelRow, next: ModelRow, acknowledged: boolean): void {
  if (current.kind !== next.kind) {
    throw invalid(
      'modelId',
      `${id} serves ${current.kind} models; ${next.id} is ${next.kind === 'embedding' ? 'an' : 'a'} ${next.kind} model`,
    );
  }
  if (current.kind !== 'embedding') return;
  if (current.dimension !== next.dimension) {
    throw invalid(
      'modelId',
      `${id} serves ${current.dimension}-dimensional embeddings and ${next.id} makes ${next.dimension}-dimensional ones; vectors of both sizes cannot share an index, so create a new alias for ${next.id}`,
    );
  }
  if (!acknowledged) {
    throw invalid(
      'acknowledgeReembedding',
      `moving ${id} from ${current.id} to ${next.id} changes the vectors it returns: stored vectors must be re-embedded. Send acknowledgeReembedding: true to move it`,
    );
  }
}
