/**
 * Users of the web app. Local users have a password (break-glass, or teams without an identity provider); users
 * created by single sign-on have none, and their role and team come from the SSO rules at every login, so they
 * cannot be changed here. Any change to a user's access (role, team, password, disabling, deletion) ends that
 * user's sessions. Every change is audited in its transaction; no view carries the password hash.
 */
import { and, asc, eq } from 'drizzle-orm';
import { isRole, isTeamScoped, type Role } from '../../core/access/roles.js';
import { GatewayError } from '../../core/errors/gateway-error.js';
import type { Database } from '../../store/database.js';
import { adminSessions, teams, users } from '../../store/schema.js';
import { recordAudit } from '../audit/record.js';
import { invalidField, notFound, rethrowConflict } from '../services/store-errors.js';
import { newId } from '../services/teams-and-keys.js';
import { checkPasswordPolicy, hashPassword } from './passwords.js';

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: Role;
  teamId: string | null;
  source: 'local' | 'sso';
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export type UserRow = typeof users.$inferSelect;

export const userView = (row: UserRow): UserView => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role as Role,
  teamId: row.teamId,
  source: row.source as 'local' | 'sso',
  disabled: row.disabled,
  createdAt: row.createdAt.toISOString(),
  lastLoginAt: row.lastLoginAt?.toISOString() ?? null,
});

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/** Throws 400 when the role is unknown or its team binding is wrong. */
export function checkRoleAndTeam(role: string, teamId: string | null): asserts role is Role {
  if (!isRole(role)) throw invalidField('role', `unknown role ${JSON.stringify(role)}`);
  if (isTeamScoped(role) && teamId === null) throw invalidField('teamId', `a ${role} needs a team`);
  if (!isTeamScoped(role) && teamId !== null)
    throw invalidField('teamId', `a ${role} is not bound to a team`);
}

export async function requireTeamExists(db: Database, teamId: string | null): Promise<void> {
  if (teamId === null) return;
  const [team] = await db.select({ id: teams.id }).from(teams).where(eq(teams.id, teamId));
  if (!team) throw notFound('Team', teamId);
}

export async function listUsers(db: Database): Promise<UserView[]> {
  return (await db.select().from(users).orderBy(asc(users.createdAt), asc(users.id))).map(userView);
}

export async function getUser(db: Database, id: string): Promise<UserView> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  if (!row) throw notFound('User', id);
  return userView(row);
}

export interface LocalUserCreate {
  email: string;
  name?: string | undefined;
  password: string;
  role: string;
  teamId?: string | null | undefined;
}

/** Creates a local user (409 when the email is taken by another local user). */
export async function createLocalUser(db: Database, input: LocalUserCreate): Promise<UserView> {
  const email = normaliseEmail(input.email);
  const teamId = input.teamId ?? null;
  checkRoleAndTeam(input.role, teamId);
  checkPasswordPolicy(input.password);
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.transaction(async (tx) => {
      await requireTeamExists(tx as unknown as Database, teamId);
      const [row] = await tx
        .insert(users)
        .values({
          id: newId('usr'),
          email,
          name: input.name?.trim() || email,
          role: input.role,
          teamId,
          source: 'local',
          passwordHash,
        })
        .returning();
      const user = userView(row!);
      await recordAudit(tx as unknown as Database, {
        targetType: 'users',
        targetId: user.id,
        teamId,
        after: { ...user, password: { stored: true } },
      });
      return user;
    });
  } catch (error) {
    return rethrowConflict(error, `A local user with the email ${email} exists`);
  }
}

export interface UserUpdate {
  name?: string | undefined;
  role?: string | undefined;
  teamId?: string | null | undefined;
  password?: string | undefined;
  disabled?: boolean | undefined;
}

/** Changes a user; a change of access ends the user's sessions in the same transaction. */
export async function updateUser(db: Database, id: string, change: UserUpdate): Promise<UserView> {
  if (change.password !== undefined) checkPasswordPolicy(change.password);
  const passwordHash = change.password === undefined ? undefined : await hashPassword(change.password);
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(users).where(eq(users.id, id));
    if (!row) throw notFound('User', id);
    const role = change.role ?? row.role;
    // A new role that is not team-bound drops the team unless one is given (and then it is refused).
    const teamId =
      change.teamId !== undefined
        ? change.teamId
        : change.role !== undefined && !isTeamScoped(role)
          ? null
          : row.teamId;
    const accessChanged = role !== row.role || teamId !== row.teamId;
    if (row.source === 'sso' && (accessChanged || passwordHash !== undefined)) {
      throw new GatewayError(
        'conflict',
        'This user signs in with single sign-on: its role and team come from the SSO rules, and it has no password',
      );
    }
    if (accessChanged) {
      checkRoleAndTeam(role, teamId);
      await requireTeamExists(tx as unknown as Database, teamId);
    }
    const [updated] = await tx
      .update(users)
      .set({
        ...(change.name !== undefined ? { name: change.name.trim() || row.email } : {}),
        role,
        teamId,
        ...(passwordHash !== undefined ? { passwordHash } : {}),
        ...(change.disabled !== undefined ? { disabled: change.disabled } : {}),
      })
      .where(eq(users.id, id))
      .returning();
    if (accessChanged || passwordHash !== undefined || updated!.disabled) {
      await tx.delete(adminSessions).where(eq(adminSessions.userId, id));
    }
    const after = userView(updated!);
    await recordAudit(tx as unknown as Database, {
      targetType: 'users',
      targetId: id,
      teamId: after.teamId,
      before: userView(row),
      after: passwordHash === undefined ? after : { ...after, password: { changed: true } },
    });
    return after;
  });
}

/** Deletes a user and its sessions. */
export async function deleteUser(db: Database, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.delete(users).where(eq(users.id, id)).returning();
    if (!row) throw notFound('User', id);
    await recordAudit(tx as unknown as Database, {
      targetType: 'users',
      targetId: id,
      teamId: row.teamId,
      before: userView(row),
    });
  });
}

/** The local user for `email` (enabled or not), for password sign-in. */
export async function findLocalUser(db: Database, email: string): Promise<UserRow | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(and(eq(users.email, normaliseEmail(email)), eq(users.source, 'local')));
  return row;
}
