/**
 * First-start duties: prove the master key is the one the store was set up with (fail closed otherwise),
 * and make sure an admin credential exists.
 */
import { eq } from 'drizzle-orm';
import { type MasterKey, SecretError } from '../../secrets/envelope.js';
import { displayPrefix, generateSecret, hashSecret } from '../../secrets/hash.js';
import { MasterKeyError } from '../../secrets/master-key.js';
import type { Database } from '../../store/database.js';
import { adminTokens, meta, users } from '../../store/schema.js';
import { startupAuditContext } from '../audit/context.js';
import { recordAudit } from '../audit/record.js';
import { newId } from './teams-and-keys.js';

const KEY_CHECK = 'master_key_check';
const KEY_CHECK_CONTEXT = 'meta/master_key_check';
const KEY_CHECK_VALUE = 'junction-master-key-check';
export const ADMIN_TOKEN_PREFIX = 'jat';

/** Throws MasterKeyError when `masterKey` cannot open what the store sealed at set-up; records it on first use. */
export async function verifyMasterKey(db: Database, masterKey: MasterKey): Promise<void> {
  const [row] = await db.select().from(meta).where(eq(meta.key, KEY_CHECK));
  if (!row) {
    await db
      .insert(meta)
      .values({ key: KEY_CHECK, value: masterKey.seal(KEY_CHECK_VALUE, KEY_CHECK_CONTEXT) })
      .onConflictDoNothing();
    return;
  }
  try {
    if (masterKey.open(row.value, KEY_CHECK_CONTEXT) === KEY_CHECK_VALUE) return;
  } catch (error) {
    if (!(error instanceof SecretError)) throw error;
    throw new MasterKeyError(
      `The configured master key (id ${masterKey.id}) is not the one this store was set up with: ${error.message}. ` +
        'Start Junction with the original JUNCTION_MASTER_KEY or key file; nothing was changed.',
    );
  }
  throw new MasterKeyError('The master key check value of the store is not recognised');
}

export interface BootstrapResult {
  /** The token to print, only when it was generated now (never when it came from the environment). */
  generatedToken?: string;
  created: boolean;
}

/**
 * Ensures an admin credential exists: the value of JUNCTION_ADMIN_TOKEN when set (added if not yet stored),
 * otherwise a generated one on the very first start only.
 */
export async function ensureAdminToken(
  db: Database,
  fromEnvironment: string | undefined,
): Promise<BootstrapResult> {
  if (fromEnvironment) {
    const hash = hashSecret(fromEnvironment);
    const [existing] = await db
      .select({ id: adminTokens.id })
      .from(adminTokens)
      .where(eq(adminTokens.secretHash, hash));
    if (existing) return { created: false };
    await insertAdminToken(db, {
      id: newId('adm'),
      name: 'bootstrap (JUNCTION_ADMIN_TOKEN)',
      role: 'super_admin',
      prefix: displayPrefix(
        fromEnvironment.includes('_') ? fromEnvironment : `${ADMIN_TOKEN_PREFIX}_${fromEnvironment}`,
      ),
      secretHash: hash,
    });
    return { created: true };
  }
  const [any] = await db.select({ id: adminTokens.id }).from(adminTokens).limit(1);
  if (any) return { created: false };
  const token = generateSecret(ADMIN_TOKEN_PREFIX);
  await insertAdminToken(db, {
    id: newId('adm'),
    name: 'bootstrap (generated)',
    role: 'super_admin',
    prefix: displayPrefix(token),
    secretHash: hashSecret(token),
  });
  return { generatedToken: token, created: true };
}

/** Stores an admin token and its audit row (the actor is Junction's start-up) in one transaction. */
async function insertAdminToken(db: Database, row: typeof adminTokens.$inferInsert): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.insert(adminTokens).values(row);
    await recordAudit(
      tx as unknown as Database,
      {
        targetType: 'admin_tokens',
        targetId: row.id,
        after: { id: row.id, name: row.name, role: row.role, prefix: row.prefix, secret: { stored: true } },
      },
      startupAuditContext('tokens.create'),
    );
  });
}

export interface AdminPrincipal {
  id: string;
  name: string;
  role: string;
  /** The team a team-bound role is limited to; null for the others. */
  teamId: string | null;
  /** An admin token, or a person signed in to a browser session. */
  kind: 'token' | 'user';
  /** A user's email. */
  email?: string;
}

/** Finds the admin principal for a bearer token, or undefined. */
export async function findAdminByToken(db: Database, token: string): Promise<AdminPrincipal | undefined> {
  const [found] = await db
    .select({ token: adminTokens, user: users })
    .from(adminTokens)
    .leftJoin(users, eq(users.id, adminTokens.userId))
    .where(eq(adminTokens.secretHash, hashSecret(token)));
  if (!found) return undefined;
  const { token: row, user } = found;
  if (row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) return undefined;
  if (row.userId === null)
    return { id: row.id, name: row.name, role: row.role, teamId: row.teamId, kind: 'token' };
  // A personal token acts as its user does now: a changed role applies, a disabled user's tokens stop.
  if (!user || user.disabled) return undefined;
  return {
    id: row.id,
    name: `${user.email} (${row.name})`,
    role: user.role,
    teamId: user.teamId,
    kind: 'token',
  };
}
