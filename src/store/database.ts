/**
 * Opens the store: PostgreSQL when a URL is given, otherwise the embedded store (PGlite) in a data folder.
 * Both speak the same SQL and run the same migrations folder.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { packageRoot } from '../package-root.js';
import { schema } from './schema.js';
import { unpackStoreTemplate } from './template.js';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
export type StoreKind = 'embedded' | 'postgres';

export interface Store {
  readonly kind: StoreKind;
  readonly db: Database;
  /** Where the store lives, with any password removed. */
  readonly location: string;
  migrate(): Promise<void>;
  close(): Promise<void>;
  /**
   * Embedded store only: appends rows with one `COPY … FROM` of PostgreSQL's text format (`text`, UTF-8: a line per
   * row, tab-separated values in `columns` order; see `CopyText`). Several times cheaper per row than any INSERT in
   * the embedded store, which spends most of an INSERT's time encoding a large parameter. Fails as a whole, adding
   * nothing, when a row breaks a constraint (a duplicate id).
   */
  copyRows?(table: string, columns: readonly string[], text: Uint8Array): Promise<void>;
}

export interface StoreOptions {
  /** A `postgres://` URL; when absent the embedded store is used. */
  databaseUrl?: string | undefined;
  /** Data folder of the embedded store. */
  dataDir: string;
  /** Embedded store only: a data-folder tarball to start from (tests use a migrated template). */
  loadDataDir?: Blob | File | undefined;
  /** Embedded store only: keep the database in memory (tests). */
  inMemory?: boolean;
}

/** The one migrations folder, applied to both stores. */
export function migrationsFolder(): string {
  return join(packageRoot(), 'migrations');
}

/** Removes the password from a database URL so it can be shown or logged. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

/** Opens the store described by the options (it does not migrate). */
export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  return openEmbedded(options);
}

async function openPostgres(url: string): Promise<Store> {
  // Each store's driver is loaded only when that store is opened: a process on PostgreSQL (a data plane) never
  // loads the embedded store's code, nor an embedded one PostgreSQL's.
  const [{ default: pg }, { drizzle: drizzleNodePostgres }, { migrate: migrateNodePostgres }] =
    await Promise.all([
      import('pg'),
      import('drizzle-orm/node-postgres'),
      import('drizzle-orm/node-postgres/migrator'),
    ]);
  // PostgreSQL returns int8/numeric as strings while PGlite returns numbers; make pg match.
  pg.types.setTypeParser(20, (value) => Number(value));
  pg.types.setTypeParser(1700, (value) => Number(value));
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000 });
  // An idle connection the server ends (a restart, a failover, an administrator) is reported here and dropped by
  // the pool; the next query opens a new one. Without a listener the error would end the process.
  pool.on('error', () => undefined);
  // Surface a wrong URL at start rather than at the first admin request.
  const client = await pool.connect();
  client.release();
  const db = drizzleNodePostgres(pool, { schema }) as unknown as Database;
  let closing: Promise<void> | undefined;
  return {
    kind: 'postgres',
    db,
    location: redactDatabaseUrl(url),
    migrate: () =>
      migrateNodePostgres(drizzleNodePostgres(pool, { schema }), { migrationsFolder: migrationsFolder() }),
    close: () => {
      closing ??= pool.end();
      return closing;
    },
  };
}

/**
 * The embedded store's page cache. PGlite's default (128 MB) is resident memory from the start; usage rows are
 * appended (the pages written last are the ones read again), and a smaller cache measured no slower for appends
 * while saving about 100 MB. The operating system's file cache still holds the rest.
 */
const SHARED_BUFFERS = '32MB';

/**
 * Settings of the embedded store beyond PGlite's own. `wal_init_zero=off`: a new 16 MB WAL segment is created with
 * its last byte written instead of 16 MB of zeros. The zeros went through PGlite's file layer on the event loop's
 * thread and held the loop 30 to 80 ms every 16 MB of WAL (about 19,000 usage rows; every two seconds under full
 * load); WAL records carry their own checksums, so recovery never trusts what a segment held before.
 */
const EMBEDDED_SETTINGS = ['-c', `shared_buffers=${SHARED_BUFFERS}`, '-c', 'wal_init_zero=off'];

/**
 * How much of a WebAssembly function V8 runs (roughly, in bytes of code executed) before compiling it again
 * optimised; V8's default is 1,800,000. A start of the embedded store runs a great deal of PostgreSQL's code a few
 * times each (start-up, catalog reads, migrations check, the first queries), and at the default V8 recompiled much
 * of it on the event loop's thread only for it to run rarely again: about 0.3 s of a 1.45 s start to the first
 * request. At a thousand times the budget only code that keeps running gets recompiled, seconds later. The flag is
 * process-wide and is set when the embedded store opens (V8 gives each instance its budget when it is made, and
 * resets a function's budget from the flag each time it is spent, so setting it back afterwards would undo most of
 * the gain); the other WebAssembly in such a process, undici's HTTP parser, also reaches its optimised form later.
 * Measured: first request 1.45 to 1.15 s on an existing folder, 1.65 to 1.3 s on a new one (with the template's
 * lighter WAL); CPU a request at full load, in two sets of interleaved runs: +1 % and -2 %, within the noise.
 */
const STORE_TIERING_BUDGET = 1_800_000_000;

/** A migrated, empty embedded store built with the bundle (`npm run build:server`), when it is there. */
export function storeTemplatePath(): string {
  return join(packageRoot(), 'dist', 'store-template.tar');
}

/**
 * For a data folder that holds nothing yet: unpacks the template built with the bundle, so a first start opens a
 * ready store instead of running initdb (about three seconds, and several hundred MB of memory held until the next
 * full garbage collection). Without the template (running from source) initdb runs.
 */
async function unpackFreshStore(dataPath: string): Promise<void> {
  if ((await readdir(dataPath)).length > 0) return;
  const template = storeTemplatePath();
  if (!existsSync(template)) return;
  unpackStoreTemplate(template, dataPath);
}

/** The embedded store also exposes its PGlite client (for dumping a template). */
export interface EmbeddedStore extends Store {
  readonly kind: 'embedded';
  readonly client: PGlite;
}

async function openEmbedded(options: StoreOptions): Promise<EmbeddedStore> {
  let dataPath: string | undefined;
  if (!options.inMemory) {
    dataPath = resolve(options.dataDir, 'store');
    await mkdir(dataPath, { recursive: true, mode: 0o700 });
  }
  if (dataPath && !options.loadDataDir) await unpackFreshStore(dataPath);
  const loadDataDir = options.loadDataDir;
  const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  setFlagsFromString(`--wasm-tiering-budget=${STORE_TIERING_BUDGET}`);
  const client = await PGlite.create(dataPath, {
    ...(loadDataDir ? { loadDataDir } : {}),
    startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS],
  });
  const db = drizzlePglite(client, { schema });
  let closed = false;
  return {
    kind: 'embedded',
    client,
    db: db as unknown as Database,
    location: dataPath ?? 'memory',
    migrate: () => migratePglite(db, { migrationsFolder: migrationsFolder() }),
    copyRows: async (table, columns, text) => {
      const list = columns.map((column) => `"${column}"`).join(', ');
      // `exec` sends one simple-protocol message; `query` would send five (parse, describe, bind, describe,
      // execute), each a pass through the store's main loop, for a statement that has no parameters and returns no
      // rows.
      await client.exec(`copy "${table}" (${list}) from '/dev/blob'`, { blob: new Blob([text]) });
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
