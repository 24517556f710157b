/** Raw access to a test store: a fresh (not migrated) store, raw SQL rows, and the tables of the schema. */
import { randomBytes } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/database.js';
import { schema } from '../../src/store/schema.js';
import { POSTGRES_ADMIN_URL, type StoreKind } from '../support/stores.js';

/** The SQL names of every table in src/store/schema.ts, sorted. */
export const schemaTableNames = (): string[] =>
  Object.values(schema)
    .map((table) => getTableConfig(table).name)
    .sort();

/** Runs raw SQL on either driver and returns its rows. */
export async function rows<T = Record<string, unknown>>(store: Store, query: SQL): Promise<T[]> {
  const result = (await store.db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** Every row of every schema table, keyed by table name. */
export async function dumpTables(store: Store): Promise<Record<string, Record<string, unknown>[]>> {
  const dump: Record<string, Record<string, unknown>[]> = {};
  for (const name of schemaTableNames())
    dump[name] = await rows(store, sql`select * from ${sql.identifier(name)}`);
  return dump;
}

/** The base tables of the public schema, sorted. */
export async function publicTables(store: Store): Promise<string[]> {
  const found = await rows<{ table_name: string }>(
    store,
    sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  );
  return found.map((row) => row.table_name);
}

/** A brand-new store that has never been migrated; close() also drops a PostgreSQL database. */
export async function openFreshStore(kind: StoreKind): Promise<Store> {
  if (kind === 'embedded') return openStore({ dataDir: '.', inMemory: true });
  const name = `junction_fresh_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const store = await openStore({ databaseUrl: url.toString(), dataDir: '.' });
  return {
    kind: store.kind,
    db: store.db,
    location: store.location,
    migrate: () => store.migrate(),
    close: async () => {
      await store.close();
      const dropper = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}
