/**
 * The store on both kinds: migrations (fresh, repeated, matching src/store/schema.ts) and the publisher's
 * transactional change: a change that compiles is published with the next version, one that does not is
 * rolled back completely.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/core/errors/gateway-error.js';
import type { GatewaySnapshot } from '../../src/core/snapshot/snapshot.js';
import { CONFIG_VERSION_KEY, loadConfiguration } from '../../src/management/configuration.js';
import { ConfigurationPublisher } from '../../src/management/publisher.js';
import { createModel } from '../../src/management/services/models.js';
import { createProvider } from '../../src/management/services/providers.js';
import { sqlState } from '../../src/management/services/store-errors.js';
import { createKey, createTeam } from '../../src/management/services/teams-and-keys.js';
import { silentLogger } from '../../src/observability/logger.js';
import { MasterKey } from '../../src/secrets/envelope.js';
import { migrationsFolder, type Store } from '../../src/store/database.js';
import { meta, modelDeployments, models, providers, schema } from '../../src/store/schema.js';
import { openTestStore, POSTGRES_ADMIN_URL, storeKinds } from '../support/stores.js';
import { openFreshStore, publicTables, rows, schemaTableNames } from './store-helpers.js';

const kinds = await storeKinds();

const EXPECTED_TABLES = [
  'admin_sessions',
  'admin_tokens',
  'api_keys',
  'audit_log',
  'budget_alerts',
  'budgets',
  'environments',
  'meta',
  'model_aliases',
  'model_deployments',
  'models',
  'prices',
  'provider_health',
  'provider_health_events',
  'providers',
  'request_captures',
  'sso_config',
  'sso_logins',
  'teams',
  'usage_records',
  'users',
];

async function appliedMigrations(store: Store): Promise<number> {
  const [row] = await rows<{ count: number | string }>(
    store,
    sql`select count(*) as count from drizzle.__drizzle_migrations`,
  );
  return Number(row!.count);
}

describe.each(kinds)('store (%s)', (kind) => {
  describe('migrations', () => {
    let store: Store;
    beforeAll(async () => {
      store = await openFreshStore(kind);
    });
    afterAll(async () => {
      await store?.close();
    });

    it('start from an empty store', async () => {
      expect(await publicTables(store)).toEqual([]);
    });

    it('create exactly the tables of the schema', async () => {
      await store.migrate();
      expect(schemaTableNames()).toEqual(EXPECTED_TABLES);
      expect(await publicTables(store)).toEqual(EXPECTED_TABLES);
      const journal = JSON.parse(
        await readFile(join(migrationsFolder(), 'meta', '_journal.json'), 'utf8'),
      ) as {
        entries: unknown[];
      };
      expect(await appliedMigrations(store)).toBe(journal.entries.length);
    });

    it('give every table the columns, types and nullability of src/store/schema.ts', async () => {
      for (const table of Object.values(schema)) {
        const config = getTableConfig(table);
        const columns = await rows<{ column_name: string; data_type: string; is_nullable: string }>(
          store,
          sql`select column_name, data_type, is_nullable from information_schema.columns
              where table_schema = 'public' and table_name = ${config.name} order by column_name`,
        );
        const expected = config.columns
          .map((column) => ({
            column_name: column.name,
            // information_schema names the type without its precision: numeric(24, 12) is numeric.
            data_type: column.getSQLType().replace(/\(.*\)$/, ''),
            is_nullable: column.notNull ? 'NO' : 'YES',
          }))
          .sort((a, b) => a.column_name.localeCompare(b.column_name));
        expect(columns, config.name).toEqual(expected);
      }
    });

    it('are a no-op when applied again, keeping the data', async () => {
      await store.db.insert(meta).values({ key: 'survivor', value: 'still here' });
      const before = await appliedMigrations(store);
      await store.migrate();
      expect(await appliedMigrations(store)).toBe(before);
      expect(await publicTables(store)).toEqual(EXPECTED_TABLES);
      const [row] = await store.db.select().from(meta).where(eq(meta.key, 'survivor'));
      expect(row?.value).toBe('still here');
    });

    it('enforce the references: a used provider cannot go, a deleted model takes its pool along', async () => {
      await store.db.insert(providers).values({
        id: 'p',
        displayName: 'P',
        type: 'echo',
        authMethod: 'none',
        environments: ['production'],
      });
      await store.db.insert(models).values({ id: 'm', kind: 'chat', capabilities: {} });
      await store.db
        .insert(modelDeployments)
        .values({ modelId: 'm', position: 0, providerId: 'p', upstreamModel: 'e' });
      const refused = await store.db
        .delete(providers)
        .where(eq(providers.id, 'p'))
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      // foreign_key_violation, or restrict_violation on servers that report ON DELETE RESTRICT as such
      expect(['23503', '23001']).toContain(sqlState(refused));
      await store.db.delete(models).where(eq(models.id, 'm'));
      expect(await store.db.select().from(modelDeployments)).toEqual([]);
    });
  });

  describe('publisher', () => {
    let store: Store;
    let publisher: ConfigurationPublisher;
    const masterKey = MasterKey.generate();
    const offered: GatewaySnapshot[] = [];
    const storedVersion = async () => {
      const [row] = await store.db.select().from(meta).where(eq(meta.key, CONFIG_VERSION_KEY));
      return row ? Number(row.value) : 0;
    };

    beforeAll(async () => {
      store = await openTestStore(kind);
      const sink = {
        offer: (snapshot: GatewaySnapshot) => {
          offered.push(snapshot);
          return 'accepted' as const;
        },
      };
      publisher = new ConfigurationPublisher(store.db, masterKey, sink, silentLogger());
    });
    afterAll(async () => {
      await store?.close();
    });

    it('publishes the empty configuration as version 0', async () => {
      const snapshot = await publisher.publishCurrent();
      expect(snapshot.version).toBe(0);
      expect(snapshot.counts).toEqual({ providers: 0, models: 0, keys: 0 });
      expect(offered).toEqual([snapshot]);
    });

    it('compiles and publishes each change with the next version', async () => {
      const provider = await publisher.change((tx) =>
        createProvider(tx, masterKey, { id: 'echo', type: 'echo', displayName: 'Echo' }),
      );
      expect(provider.id).toBe('echo');
      expect(offered.at(-1)?.version).toBe(1);
      expect(offered.at(-1)?.counts).toEqual({ providers: 1, models: 0, keys: 0 });

      await publisher.change((tx) =>
        createModel(tx, {
          id: 'chat',
          kind: 'chat',
          deployments: [{ providerId: 'echo', upstreamModel: 'e' }],
        }),
      );
      expect(offered.at(-1)?.version).toBe(2);
      expect([...offered.at(-1)!.models.keys()]).toEqual(['chat']);

      const { secret } = await publisher.change(async (tx) => {
        const team = await createTeam(tx, { name: 'store-team' });
        return createKey(tx, { name: 'k', teamId: team.id });
      });
      const last = offered.at(-1)!;
      expect(last.version).toBe(3);
      expect(last.counts).toEqual({ providers: 1, models: 1, keys: 1 });
      expect(offered).toHaveLength(4);
      expect(await storedVersion()).toBe(3);
      expect((await loadConfiguration(store.db, masterKey)).version).toBe(3);
      expect(secret).toMatch(/^jk_/);
    });

    const rejectedChanges: Array<[string, (tx: Store['db']) => Promise<unknown>, string]> = [
      [
        'an openai-compatible provider without a base URL',
        (tx) =>
          tx.insert(providers).values({
            id: 'broken',
            displayName: 'Broken',
            type: 'openai-compatible',
            authMethod: 'none',
            environments: ['production'],
          }),
        'providers/broken',
      ],
      [
        'an api-key provider without a credential',
        (tx) =>
          tx.insert(providers).values({
            id: 'keyless',
            displayName: 'Keyless',
            type: 'openai',
            authMethod: 'api-key',
            environments: ['production'],
          }),
        'providers/keyless',
      ],
      [
        'an embedding model without a dimension',
        async (tx) => {
          await tx.insert(models).values({ id: 'embed', kind: 'embedding', capabilities: {} });
          await tx
            .insert(modelDeployments)
            .values({ modelId: 'embed', position: 0, providerId: 'echo', upstreamModel: 'e' });
        },
        'models/embed',
      ],
      [
        'a deployment with a negative weight',
        (tx) =>
          tx
            .insert(modelDeployments)
            .values({ modelId: 'chat', position: 1, providerId: 'echo', upstreamModel: 'e', weight: -1 }),
        'models/chat/deployments/1',
      ],
    ];

    it.each(rejectedChanges)(
      'rolls back %s: nothing written, version unchanged',
      async (_label, write, path) => {
        const before = JSON.stringify(await loadConfiguration(store.db, masterKey));
        const offers = offered.length;
        const error = await publisher.change(write).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error).toBeInstanceOf(GatewayError);
        const gatewayError = error as GatewayError;
        expect(gatewayError.code).toBe('invalid_configuration');
        expect(gatewayError.status).toBe(422);
        expect(gatewayError.details.map((detail) => detail.path)).toEqual([path]);
        expect(JSON.stringify(await loadConfiguration(store.db, masterKey))).toBe(before);
        expect(await storedVersion()).toBe(3);
        expect(offered).toHaveLength(offers);
      },
    );

    it('rolls back a deployment on a missing provider: the store refuses it before the compiler sees it', async () => {
      const before = JSON.stringify(await loadConfiguration(store.db, masterKey));
      const error = await publisher
        .change(async (tx) => {
          await tx.insert(models).values({ id: 'orphan', kind: 'chat', capabilities: {} });
          await tx
            .insert(modelDeployments)
            .values({ modelId: 'orphan', position: 0, providerId: 'missing', upstreamModel: 'e' });
        })
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      expect(sqlState(error)).toBe('23503');
      expect(JSON.stringify(await loadConfiguration(store.db, masterKey))).toBe(before);
      expect(await storedVersion()).toBe(3);
    });

    it('rolls back when the write itself throws', async () => {
      const failure = new Error('write failed halfway');
      await expect(
        publisher.change(async (tx) => {
          await createTeam(tx, { name: 'half-written' });
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect((await loadConfiguration(store.db, masterKey)).teams.map((team) => team.name)).toEqual([
        'store-team',
      ]);
      expect(await storedVersion()).toBe(3);
    });

    it('republishes the stored configuration unchanged', async () => {
      const snapshot = await publisher.publishCurrent();
      expect(snapshot.version).toBe(3);
      expect(snapshot.counts).toEqual({ providers: 1, models: 1, keys: 1 });
    });
  });
});

describe('the embedded store', () => {
  it('runs with its own settings: a 32 MB page cache, and new WAL segments not filled with zeros', async () => {
    const store = await openTestStore('embedded');
    try {
      const settings = await rows<{ name: string; setting: string; unit: string | null }>(
        store,
        sql`select name, setting, unit from pg_settings where name in ('shared_buffers', 'wal_init_zero') order by name`,
      );
      expect(settings).toEqual([
        { name: 'shared_buffers', setting: '4096', unit: '8kB' },
        { name: 'wal_init_zero', setting: 'off', unit: null },
      ]);
    } finally {
      await store.close();
    }
  });
});

describe.runIf(kinds.includes('postgres'))('PostgreSQL connections ended by the server', () => {
  it('drops them without ending the process, and the next query opens a new one', async () => {
    const store = await openTestStore('postgres');
    try {
      const [before] = await rows<{ pid: number }>(store, sql`select pg_backend_pid() as pid`);
      // Ends the pool's idle connection from another one, as a restart or a failover would.
      const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await admin.connect();
      await admin.query('select pg_terminate_backend($1)', [before!.pid]);
      await admin.end();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const [after] = await rows<{ pid: number }>(store, sql`select pg_backend_pid() as pid`);
      expect(after!.pid).not.toBe(before!.pid);
    } finally {
      await store.close();
    }
  });
});
