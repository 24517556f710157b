/** Environments: every API key belongs to one, and a provider entry serves only the environments it lists. */
import { asc, eq, sql } from 'drizzle-orm';
import { GatewayError } from '../../core/errors/gateway-error.js';
import type { Database } from '../../store/database.js';
import { apiKeys, environments, providers } from '../../store/schema.js';
import type { EnvironmentCreate } from '../api/schemas.js';
import { notFound, rethrowConflict } from './store-errors.js';

type EnvironmentRow = typeof environments.$inferSelect;

const environmentView = (row: EnvironmentRow) => ({
  id: row.id,
  description: row.description,
  createdAt: row.createdAt.toISOString(),
});

export async function listEnvironments(db: Database) {
  return (await db.select().from(environments).orderBy(asc(environments.id))).map(environmentView);
}

export async function getEnvironment(db: Database, id: string) {
  const [row] = await db.select().from(environments).where(eq(environments.id, id));
  if (!row) throw notFound('Environment', id);
  return environmentView(row);
}

export async function createEnvironment(db: Database, input: EnvironmentCreate) {
  const [row] = await db
    .insert(environments)
    .values({ id: input.id, description: input.description ?? null })
    .returning()
    .catch((error: unknown) => rethrowConflict(error, `An environment named ${input.id} already exists`));
  return environmentView(row!);
}

/** Deletes an environment no key and no provider entry uses. */
export async function deleteEnvironment(db: Database, id: string): Promise<void> {
  const [key] = await db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.environment, id)).limit(1);
  if (key) throw new GatewayError('in_use', `Environment ${id} has API keys; it cannot be deleted`);
  const users = await db
    .select({ id: providers.id })
    .from(providers)
    .where(sql`${providers.environments} @> ${JSON.stringify([id])}::jsonb`);
  if (users.length > 0) {
    const names = users.map((row) => row.id).sort();
    throw new GatewayError(
      'in_use',
      `Environment ${id} is used by the providers ${names.join(', ')}; remove it from them first`,
    );
  }
  const deleted = await db
    .delete(environments)
    .where(eq(environments.id, id))
    .returning({ id: environments.id });
  if (deleted.length === 0) throw notFound('Environment', id);
}
