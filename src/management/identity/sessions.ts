/**
 * Browser sessions. The cookie holds 32 random bytes; the store keeps only their SHA-256, so a copy of the store
 * cannot be replayed as a session. A new secret at every sign-in (no fixation), an absolute lifetime and an idle
 * timeout, and deletion on the server at logout and whenever the user's access changes. The CSRF token is derived
 * from the session secret (SHA-256 under a fixed label): a page can read it from `/me`, another site cannot
 * compute it without the HttpOnly cookie.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, lt, ne, or } from 'drizzle-orm';
import { hashSecret } from '../../secrets/hash.js';
import type { Database } from '../../store/database.js';
import { adminSessions, users } from '../../store/schema.js';
import type { AdminPrincipal } from '../services/bootstrap.js';

export const SESSION_COOKIE = 'junction_session';

export interface SessionPolicy {
  /** Absolute lifetime of a session. */
  lifetimeMs: number;
  /** A session unused for this long ends. */
  idleMs: number;
}

export interface NewSession {
  secret: string;
  csrfToken: string;
  expiresAt: Date;
}

/** The CSRF token of a session. */
export function csrfTokenFor(secret: string): string {
  return createHash('sha256').update(`junction-csrf|${secret}`, 'utf8').digest('base64url');
}

/** Whether `sent` is the CSRF token of the session `secret` (constant time). */
export function csrfMatches(secret: string, sent: string | undefined): boolean {
  if (!sent) return false;
  const expected = Buffer.from(csrfTokenFor(secret));
  const given = Buffer.from(sent);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Starts a session for `userId`; also deletes sessions that have ended (anyone's). */
export async function createSession(
  db: Database,
  userId: string,
  policy: SessionPolicy,
  client: { sourceAddress: string | null; userAgent: string | null },
): Promise<NewSession> {
  const secret = randomBytes(32).toString('base64url');
  const now = Date.now();
  const expiresAt = new Date(now + policy.lifetimeMs);
  await db
    .delete(adminSessions)
    .where(
      or(
        lt(adminSessions.expiresAt, new Date(now)),
        lt(adminSessions.lastSeenAt, new Date(now - policy.idleMs)),
      ),
    );
  await db.insert(adminSessions).values({
    secretHash: hashSecret(secret),
    userId,
    expiresAt,
    sourceAddress: client.sourceAddress,
    userAgent: client.userAgent,
  });
  return { secret, csrfToken: csrfTokenFor(secret), expiresAt };
}

/** How often a session's last use is written (each request would be a write per page load). */
const TOUCH_EVERY_MS = 60_000;

/** The principal of a live session, or undefined (ended, idle, unknown, or its user disabled). */
export async function findSessionPrincipal(
  db: Database,
  secret: string,
  policy: SessionPolicy,
): Promise<AdminPrincipal | undefined> {
  if (secret.length > 128) return undefined;
  const hash = hashSecret(secret);
  const [row] = await db
    .select({ session: adminSessions, user: users })
    .from(adminSessions)
    .innerJoin(users, eq(users.id, adminSessions.userId))
    .where(eq(adminSessions.secretHash, hash));
  if (!row) return undefined;
  const now = Date.now();
  if (row.user.disabled || row.session.expiresAt.getTime() <= now) return undefined;
  if (row.session.lastSeenAt.getTime() + policy.idleMs <= now) return undefined;
  if (now - row.session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
    await db
      .update(adminSessions)
      .set({ lastSeenAt: new Date(now) })
      .where(eq(adminSessions.secretHash, hash));
  }
  return {
    id: row.user.id,
    name: row.user.name,
    role: row.user.role,
    teamId: row.user.teamId,
    kind: 'user',
    email: row.user.email,
  };
}

/** Ends one session. */
export async function endSession(db: Database, secret: string): Promise<void> {
  await db.delete(adminSessions).where(eq(adminSessions.secretHash, hashSecret(secret)));
}

/** Ends every session of `userId` except `keep` (a session secret). */
export async function endSessionsOf(db: Database, userId: string, keep?: string): Promise<void> {
  await db
    .delete(adminSessions)
    .where(
      keep === undefined
        ? eq(adminSessions.userId, userId)
        : and(eq(adminSessions.userId, userId), ne(adminSessions.secretHash, hashSecret(keep))),
    );
}
