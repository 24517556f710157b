/**
 * Personal admin tokens: credentials for automation, each with a role, an optional expiry and, for a team-bound
 * role (`developer`), the team it is limited to. The secret is shown once at creation and stored as a hash; a
 * revoked or expired token stops working on its next request. The last working `super_admin` token cannot be
 * revoked (someone must be able to administer Junction). Creating and revoking are audited in their transaction.
 */
import { and, asc, eq, gt, isNull, ne, or, sql } from 'drizzle-orm';
import { isRole, isTeamScoped, type Role } from '../../core/access/roles.js';
import { GatewayError } from '../../core/errors/gateway-error.js';
import { displayPrefix, generateSecret, hashSecret } from '../../secrets/hash.js';
import type { Database } from '../../store/database.js';
import { adminTokens, teams } from '../../store/schema.js';
import { recordAudit } from '../audit/record.js';
import { ADMIN_TOKEN_PREFIX } from './bootstrap.js';
import { invalidField, notFound } from './store-errors.js';
import { newId } from './teams-and-keys.js';

export interface AdminTokenView {
  id: string;
  name: string;
  role: Role;
  teamId: string | null;
  /** The first characters of the secret, to recognise it. */
  prefix: string;
  createdBy: string | null;
  /** The user of a personal token (it acts with that user's current role and team). */
  userId: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface AdminTokenCreate {
  name: string;
  role: string;
  teamId?: string | null | undefined;
  expiresAt?: string | null | undefined;
}

type Row = typeof adminTokens.$inferSelect;

const view = (row: Row): AdminTokenView => ({
  id: row.id,
  name: row.name,
  // Only known roles are ever stored (create checks it; the bootstrap token is super_admin).
  role: row.role as Role,
  teamId: row.teamId,
  prefix: row.prefix,
  createdBy: row.createdBy,
  userId: row.userId,
  createdAt: row.createdAt.toISOString(),
  expiresAt: row.expiresAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
});

export async function listAdminTokens(db: Database): Promise<AdminTokenView[]> {
  return (await db.select().from(adminTokens).orderBy(asc(adminTokens.createdAt), asc(adminTokens.id))).map(
    view,
  );
}

export async function getAdminToken(db: Database, id: string): Promise<AdminTokenView> {
  const [row] = await db.select().from(adminTokens).where(eq(adminTokens.id, id));
  if (!row) throw notFound('Admin token', id);
  return view(row);
}

/** Issues a token; its secret is in the answer only. */
export async function createAdminToken(
  db: Database,
  input: AdminTokenCreate,
  createdBy: string,
): Promise<{ token: AdminTokenView; secret: string }> {
  if (!isRole(input.role)) throw invalidField('role', `unknown role ${JSON.stringify(input.role)}`);
  const teamId = input.teamId ?? null;
  if (isTeamScoped(input.role) && teamId === null)
    throw invalidField('teamId', `a ${input.role} token needs a team`);
  if (!isTeamScoped(input.role) && teamId !== null)
    throw invalidField('teamId', `a ${input.role} token is not bound to a team`);
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
  if (expiresAt && expiresAt.getTime() <= Date.now())
    throw invalidField('expiresAt', 'must be in the future');
  const secret = generateSecret(ADMIN_TOKEN_PREFIX);
  return db.transaction(async (tx) => {
    if (teamId !== null) {
      const [team] = await tx.select({ id: teams.id }).from(teams).where(eq(teams.id, teamId));
      if (!team) throw notFound('Team', teamId);
    }
    const [row] = await tx
      .insert(adminTokens)
      .values({
        id: newId('adm'),
        name: input.name,
        role: input.role,
        teamId,
        prefix: displayPrefix(secret),
        secretHash: hashSecret(secret),
        createdBy,
        expiresAt,
      })
      .returning();
    const token = view(row!);
    await recordAudit(tx as unknown as Database, {
      targetType: 'admin_tokens',
      targetId: token.id,
      teamId,
      after: { ...token, secret: { stored: true } },
    });
    return { token, secret };
  });
}

/** Revokes a token (again: no change); refuses the last working super_admin token. */
export async function revokeAdminToken(db: Database, id: string, action?: string): Promise<AdminTokenView> {
  return db.transaction(async (tx) => {
    // One revocation at a time, so two revocations cannot each leave the other as the last super_admin.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('junction:admin_tokens'))`);
    const [row] = await tx.select().from(adminTokens).where(eq(adminTokens.id, id));
    if (!row) throw notFound('Admin token', id);
    if (row.revokedAt) return view(row);
    if (row.role === 'super_admin' && row.userId === null) {
      const [other] = await tx
        .select({ id: adminTokens.id })
        .from(adminTokens)
        .where(
          and(
            eq(adminTokens.role, 'super_admin'),
            isNull(adminTokens.userId),
            ne(adminTokens.id, id),
            isNull(adminTokens.revokedAt),
            or(isNull(adminTokens.expiresAt), gt(adminTokens.expiresAt, new Date())),
          ),
        )
        .limit(1);
      if (!other) {
        throw new GatewayError(
          'conflict',
          'This is the last working super_admin token; create another before revoking it',
        );
      }
    }
    const [revoked] = await tx
      .update(adminTokens)
      .set({ revokedAt: new Date() })
      .where(eq(adminTokens.id, id))
      .returning();
    await recordAudit(tx as unknown as Database, {
      ...(action ? { action } : {}),
      targetType: 'admin_tokens',
      targetId: id,
      teamId: row.teamId,
      before: view(row),
      after: view(revoked!),
    });
    return view(revoked!);
  });
}

/** The most a personal token may live. */
export const PERSONAL_TOKEN_MAX_DAYS = 366;

/** A user's personal tokens. */
export async function listPersonalTokens(db: Database, userId: string): Promise<AdminTokenView[]> {
  return (
    await db
      .select()
      .from(adminTokens)
      .where(eq(adminTokens.userId, userId))
      .orderBy(asc(adminTokens.createdAt), asc(adminTokens.id))
  ).map(view);
}

/**
 * Issues a personal token for a signed-in user: it always has an expiry (at most a year) and acts with the
 * user's role and team as they are when it is used.
 */
export async function createPersonalToken(
  db: Database,
  user: { id: string; role: string; teamId: string | null },
  input: { name: string; expiresAt: string },
): Promise<{ token: AdminTokenView; secret: string }> {
  const expiresAt = new Date(input.expiresAt);
  if (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= Date.now())
    throw invalidField('expiresAt', 'must be in the future');
  if (expiresAt.getTime() > Date.now() + PERSONAL_TOKEN_MAX_DAYS * 86_400_000)
    throw invalidField('expiresAt', `must be within ${PERSONAL_TOKEN_MAX_DAYS} days`);
  const secret = generateSecret(ADMIN_TOKEN_PREFIX);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(adminTokens)
      .values({
        id: newId('adm'),
        name: input.name,
        role: user.role,
        teamId: user.teamId,
        prefix: displayPrefix(secret),
        secretHash: hashSecret(secret),
        createdBy: user.id,
        userId: user.id,
        expiresAt,
      })
      .returning();
    const token = view(row!);
    await recordAudit(tx as unknown as Database, {
      action: 'tokens.create',
      targetType: 'admin_tokens',
      targetId: token.id,
      teamId: token.teamId,
      after: { ...token, secret: { stored: true } },
    });
    return { token, secret };
  });
}

/** Revokes one of the user's personal tokens (another's answers 404). */
export async function revokePersonalToken(db: Database, userId: string, id: string): Promise<AdminTokenView> {
  const [row] = await db
    .select({ userId: adminTokens.userId })
    .from(adminTokens)
    .where(eq(adminTokens.id, id));
  if (!row || row.userId !== userId) throw notFound('Admin token', id);
  return revokeAdminToken(db, id, 'tokens.revoke');
}
