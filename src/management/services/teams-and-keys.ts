/** Teams and the API keys applications present. A key's secret is returned once and stored as SHA-256. */
import { randomBytes } from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import { GatewayError } from '../../core/errors/gateway-error.js';
import { displayPrefix, generateSecret, hashSecret } from '../../secrets/hash.js';
import type { Database } from '../../store/database.js';
import { apiKeys, environments, teams } from '../../store/schema.js';
import type {
  ApiKeyCreate,
  ApiKeyUpdate,
  RoutingPolicyInput,
  TeamCreate,
  TeamUpdate,
} from '../api/schemas.js';
import { notFound, rethrowConflict } from './store-errors.js';

export const API_KEY_PREFIX = 'jk';

export const newId = (prefix: string) => `${prefix}_${randomBytes(9).toString('base64url')}`;

type TeamRow = typeof teams.$inferSelect;
type KeyRow = typeof apiKeys.$inferSelect;

const teamView = (row: TeamRow) => ({
  id: row.id,
  name: row.name,
  description: row.description,
  requestsPerMinute: row.requestsPerMinute,
  tokensPerMinute: row.tokensPerMinute,
  captureBodies: row.captureBodies,
  createdAt: row.createdAt.toISOString(),
});

export const keyView = (row: KeyRow) => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  teamId: row.teamId,
  environment: row.environment,
  consumer: row.consumer,
  metadata: row.metadata,
  routing: (row.routing as RoutingPolicyInput | null) ?? null,
  allowedModels: row.allowedModels ?? null,
  residency: row.residency,
  residencyHeader: row.residencyHeader,
  requestsPerMinute: row.requestsPerMinute,
  tokensPerMinute: row.tokensPerMinute,
  captureBodies: row.captureBodies,
  previousSecretExpiresAt: row.previousSecretExpiresAt?.toISOString() ?? null,
  createdAt: row.createdAt.toISOString(),
  expiresAt: row.expiresAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
});
export type KeyView = ReturnType<typeof keyView>;

/** Every team, or only `teamScope`. */
export async function listTeams(db: Database, teamScope?: string) {
  const scope = teamScope === undefined ? undefined : eq(teams.id, teamScope);
  return (await db.select().from(teams).where(scope).orderBy(asc(teams.name))).map(teamView);
}

/** One team, or 404 (also outside `teamScope`). */
export async function getTeam(db: Database, id: string, teamScope?: string) {
  const [row] = await db.select().from(teams).where(eq(teams.id, id));
  if (!row || (teamScope !== undefined && row.id !== teamScope)) throw notFound('Team', id);
  return teamView(row);
}

export async function createTeam(db: Database, input: TeamCreate) {
  const [row] = await db
    .insert(teams)
    .values({
      id: newId('team'),
      name: input.name,
      description: input.description ?? null,
      requestsPerMinute: input.requestsPerMinute ?? null,
      tokensPerMinute: input.tokensPerMinute ?? null,
      captureBodies: input.captureBodies ?? false,
    })
    .returning()
    .catch((error: unknown) => rethrowConflict(error, `A team named ${input.name} already exists`));
  return teamView(row!);
}

/** Changes a team's description, per-minute limits or body capture. */
export async function updateTeam(db: Database, id: string, patch: TeamUpdate) {
  const changes = {
    description: patch.description,
    requestsPerMinute: patch.requestsPerMinute,
    tokensPerMinute: patch.tokensPerMinute,
    captureBodies: patch.captureBodies,
  };
  if (Object.values(changes).every((value) => value === undefined)) return getTeam(db, id);
  const [row] = await db.update(teams).set(changes).where(eq(teams.id, id)).returning();
  if (!row) throw notFound('Team', id);
  return teamView(row);
}

export async function deleteTeam(db: Database, id: string): Promise<void> {
  const active = await db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.teamId, id)).limit(1);
  if (active.length > 0)
    throw new GatewayError(
      'in_use',
      `Team ${id} has issued API keys and is kept for their history; revoke its keys instead of deleting it`,
    );
  const deleted = await db.delete(teams).where(eq(teams.id, id)).returning({ id: teams.id });
  if (deleted.length === 0) throw notFound('Team', id);
}

/** Every key, or only `teamScope`'s. */
export async function listKeys(db: Database, teamScope?: string) {
  const scope = teamScope === undefined ? undefined : eq(apiKeys.teamId, teamScope);
  return (await db.select().from(apiKeys).where(scope).orderBy(asc(apiKeys.createdAt))).map(keyView);
}

/** One key, or 404 (also outside `teamScope`). */
export async function getKey(db: Database, id: string, teamScope?: string) {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id));
  if (!row || (teamScope !== undefined && row.teamId !== teamScope)) throw notFound('API key', id);
  return keyView(row);
}

/** An expiry as a date (null clears it, undefined leaves it); one in the past is refused. */
function futureExpiry(value: string | null | undefined): Date | null | undefined {
  if (value === undefined || value === null) return value;
  const expiresAt = new Date(value);
  if (expiresAt.getTime() <= Date.now()) {
    const message = 'expiresAt must be in the future';
    throw new GatewayError('invalid_request', message, { details: [{ path: 'expiresAt', message }] });
  }
  return expiresAt;
}

/** Issues a key; `secret` may be supplied (the demo key), otherwise it is generated. */
export async function createKey(db: Database, input: ApiKeyCreate, secret = generateSecret(API_KEY_PREFIX)) {
  const [team] = await db.select({ id: teams.id }).from(teams).where(eq(teams.id, input.teamId));
  if (!team) {
    const message = `team ${input.teamId} does not exist`;
    throw new GatewayError('invalid_request', message, { details: [{ path: 'teamId', message }] });
  }
  const environment = input.environment ?? 'production';
  const [known] = await db
    .select({ id: environments.id })
    .from(environments)
    .where(eq(environments.id, environment));
  if (!known) {
    const message = `environment ${environment} does not exist`;
    throw new GatewayError('invalid_request', message, { details: [{ path: 'environment', message }] });
  }
  const expiresAt = futureExpiry(input.expiresAt) ?? null;
  const [row] = await db
    .insert(apiKeys)
    .values({
      id: newId('key'),
      name: input.name,
      prefix: displayPrefix(secret),
      secretHash: hashSecret(secret),
      teamId: input.teamId,
      environment,
      consumer: input.consumer ?? null,
      metadata: input.metadata ?? {},
      routing: input.routing ?? null,
      allowedModels: input.allowedModels ?? null,
      residency: input.residency ?? null,
      residencyHeader: input.residencyHeader ?? false,
      requestsPerMinute: input.requestsPerMinute ?? null,
      tokensPerMinute: input.tokensPerMinute ?? null,
      captureBodies: input.captureBodies ?? false,
      expiresAt,
    })
    .returning()
    .catch((error: unknown) => rethrowConflict(error, 'This key already exists'));
  return { key: keyView(row!), secret };
}

/** Changes a key's name, consumer, metadata, routing policy or expiry; its secret never changes here. */
export async function updateKey(db: Database, id: string, patch: ApiKeyUpdate) {
  const expiresAt = futureExpiry(patch.expiresAt);
  const changes = {
    name: patch.name,
    consumer: patch.consumer,
    metadata: patch.metadata,
    routing: patch.routing,
    allowedModels: patch.allowedModels,
    residency: patch.residency,
    residencyHeader: patch.residencyHeader,
    requestsPerMinute: patch.requestsPerMinute,
    tokensPerMinute: patch.tokensPerMinute,
    captureBodies: patch.captureBodies,
    expiresAt,
  };
  // An empty change leaves the key as it is (the store refuses an update that sets nothing).
  if (Object.values(changes).every((value) => value === undefined)) return getKey(db, id);
  const [row] = await db.update(apiKeys).set(changes).where(eq(apiKeys.id, id)).returning();
  if (!row) throw notFound('API key', id);
  return keyView(row);
}

/**
 * Issues a new secret for a key; the old one keeps working for `gracePeriodSeconds` (0: it stops at once), so
 * applications can roll over without an outage. The new secret is returned once.
 */
export async function rotateKey(db: Database, id: string, gracePeriodSeconds: number) {
  const [current] = await db.select().from(apiKeys).where(eq(apiKeys.id, id));
  if (!current) throw notFound('API key', id);
  if (current.revokedAt)
    throw new GatewayError('conflict', `API key ${id} is revoked; issue a new key instead`);
  const secret = generateSecret(API_KEY_PREFIX);
  const graceEnds = gracePeriodSeconds > 0 ? new Date(Date.now() + gracePeriodSeconds * 1000) : null;
  const [row] = await db
    .update(apiKeys)
    .set({
      prefix: displayPrefix(secret),
      secretHash: hashSecret(secret),
      previousSecretHash: graceEnds ? current.secretHash : null,
      previousSecretExpiresAt: graceEnds,
    })
    .where(eq(apiKeys.id, id))
    .returning();
  return { key: keyView(row!), secret };
}

export async function revokeKey(db: Database, id: string) {
  // Revoking again keeps the time of the first revocation.
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
    .where(eq(apiKeys.id, id))
    .returning();
  if (!row) throw notFound('API key', id);
  return keyView(row);
}

/** Revokes every active key with this name in this team (used when the demo key is replaced). */
export async function revokeKeysNamed(db: Database, teamId: string, name: string): Promise<void> {
  const rows = await db.select().from(apiKeys).where(eq(apiKeys.teamId, teamId));
  for (const row of rows) {
    if (row.name === name && row.revokedAt === null) {
      await db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, row.id));
    }
  }
}
