/**
 * Stores for tests: the embedded store from the migrated template, and a throwaway PostgreSQL database per
 * test. PostgreSQL tests skip with a printed reason when no server answers, and fail under CI=true.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { inject } from 'vitest';
import { openStore, type Store } from '../../src/store/database.js';

export type StoreKind = 'embedded' | 'postgres';

/** The server tests create their databases on (trust auth, as on the CI machine). */
export const POSTGRES_ADMIN_URL =
  process.env.JUNCTION_TEST_DATABASE_URL ??
  process.env.DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';

let templateBytes: Promise<Buffer> | undefined;

/** A migrated embedded store in memory, private to the caller. */
export async function openEmbeddedTestStore(): Promise<Store> {
  templateBytes ??= readFile(inject('pgliteTemplate'));
  const bytes = await templateBytes;
  return openStore({ dataDir: '.', inMemory: true, loadDataDir: new Blob([new Uint8Array(bytes)]) });
}

let availability: Promise<string | undefined> | undefined;

/** Undefined when PostgreSQL answers; otherwise why not. Under CI=true an absent server is an error. */
export function postgresUnavailableReason(): Promise<string | undefined> {
  availability ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return undefined;
    } catch (error) {
      const reason = `PostgreSQL is not reachable at ${redact(POSTGRES_ADMIN_URL)} (${(error as Error).message})`;
      if (process.env.CI === 'true') throw new Error(`${reason}; CI=true requires it`);
      process.stdout.write(`[skip] ${reason}: PostgreSQL tests are skipped\n`);
      return reason;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return availability;
}

/** A new, empty, migrated PostgreSQL database; dropping it is part of close(). */
export async function openPostgresTestStore(): Promise<Store> {
  const name = `junction_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const store = await openStore({ databaseUrl: url.toString(), dataDir: '.' });
  await store.migrate();
  const close = store.close.bind(store);
  let dropped: Promise<void> | undefined;
  const drop = async () => {
    await close();
    const dropper = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await dropper.connect();
    await dropper.query(`drop database if exists ${name} with (force)`);
    await dropper.end();
  };
  return {
    ...store,
    close: () => {
      dropped ??= drop();
      return dropped;
    },
  };
}

/** Opens a migrated test store of the given kind. */
export async function openTestStore(kind: StoreKind): Promise<Store> {
  return kind === 'embedded' ? openEmbeddedTestStore() : openPostgresTestStore();
}

/** The store kinds to run a suite on: both when PostgreSQL answers, the embedded one otherwise. */
export async function storeKinds(): Promise<StoreKind[]> {
  return (await postgresUnavailableReason()) ? ['embedded'] : ['embedded', 'postgres'];
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
