/**
 * A first start on a new data folder unpacks the migrated template built with the bundle
 * (`dist/store-template.tar`, made by `npm run build:server`) instead of running initdb: the store it gives is
 * complete (every migration recorded, so migrating again changes nothing), keeps what is written across a
 * restart, and a folder that already holds a store is never overwritten by it.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { migrationsFolder, openStore, storeTemplatePath } from '../../src/store/database.js';
import { unpackStoreTemplate } from '../../src/store/template.js';

const present = existsSync(storeTemplatePath());
if (!present) {
  if (process.env.CI === 'true')
    throw new Error(`${storeTemplatePath()} is missing: CI builds it before the tests`);
  process.stdout.write(
    '[skip] no dist/store-template.tar (run npm run build:server): template tests skipped\n',
  );
}

const rows = async <T>(store: Awaited<ReturnType<typeof openStore>>, statement: ReturnType<typeof sql>) =>
  ((await store.db.execute(statement)) as unknown as { rows: T[] }).rows;

describe.skipIf(!present)('embedded store from the built template', () => {
  it('opens a new folder migrated, keeps writes across a restart, and never replaces an existing store', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'junction-template-'));
    const journal = JSON.parse(readFileSync(join(migrationsFolder(), 'meta', '_journal.json'), 'utf8')) as {
      entries: unknown[];
    };
    const first = await openStore({ dataDir });
    expect(existsSync(join(dataDir, 'store', 'PG_VERSION'))).toBe(true);
    const [applied] = await rows<{ count: number }>(
      first,
      sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
    );
    expect(applied?.count).toBe(journal.entries.length);
    await first.migrate();
    await first.db.execute(sql`insert into teams (id, name) values ('t-template', 'kept')`);
    await first.close();

    const second = await openStore({ dataDir });
    await second.migrate();
    const kept = await rows<{ name: string }>(second, sql`select name from teams where id = 't-template'`);
    expect(kept).toEqual([{ name: 'kept' }]);
    await second.close();
  });

  it('unpacks to little on disk: its one WAL segment holds a checkpoint and zeros, not the records of the build', () => {
    const target = join(mkdtempSync(join(tmpdir(), 'junction-template-')), 'store');
    unpackStoreTemplate(storeTemplatePath(), target);
    const segments = readdirSync(join(target, 'pg_wal')).filter((name) => /^[0-9A-F]{24}$/.test(name));
    expect(segments).toHaveLength(1);
    const wal = statSync(join(target, 'pg_wal', segments[0] ?? ''));
    expect(wal.size).toBe(16 * 1024 * 1024);
    expect(wal.blocks * 512).toBeLessThan(1024 * 1024);
  });
});
