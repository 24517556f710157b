/**
 * Secrets at rest (X8), on both stores: no credential is stored in plaintext (nor as base64 or hex of it), a
 * ciphertext moved to another row is refused as tampered, and a different master key fails closed, both when
 * verified directly and when the whole server starts.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfiguration } from '../../src/management/configuration.js';
import { ConfigurationPublisher } from '../../src/management/publisher.js';
import { verifyMasterKey } from '../../src/management/services/bootstrap.js';
import { createProvider } from '../../src/management/services/providers.js';
import { silentLogger } from '../../src/observability/logger.js';
import { MasterKey, SecretError } from '../../src/secrets/envelope.js';
import { MasterKeyError } from '../../src/secrets/master-key.js';
import { resolveConfig } from '../../src/server/config.js';
import { startJunction } from '../../src/server/server.js';
import type { Store } from '../../src/store/database.js';
import { expectProblem, type ProviderView, snapshotVersion } from '../admin/admin-helpers.js';
import {
  ok,
  startTestGateway,
  TEST_ADMIN_TOKEN,
  TEST_MASTER_KEY,
  type TestGateway,
} from '../support/gateway.js';
import { openTestStore, storeKinds } from '../support/stores.js';
import { dumpTables, publicTables, rows, schemaTableNames } from './store-helpers.js';

const kinds = await storeKinds();
const canary = () => `sk-canary-${randomBytes(12).toString('hex')}`;

/** The canary and its encodings (base64 and base64url at every byte alignment, hex in either case). */
function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = [secret, bytes.toString('hex'), bytes.toString('hex').toUpperCase()];
  for (let shift = 0; shift < 3; shift++) {
    const shifted = Buffer.concat([Buffer.alloc(shift), bytes]);
    for (const encoding of ['base64', 'base64url'] as const) {
      // Drop the characters that depend on the neighbouring bytes; the middle is the same wherever it sits.
      forms.push(shifted.toString(encoding).slice(4, -4));
    }
  }
  return forms;
}

describe.each(kinds)('secrets at rest (%s store)', (kind) => {
  describe('in a running gateway', () => {
    let gateway: TestGateway;
    const canaries = { openai: canary(), compatible: canary(), rotatedAway: canary(), rotatedTo: canary() };
    const testKey = MasterKey.parse(TEST_MASTER_KEY);

    beforeAll(async () => {
      gateway = await startTestGateway({ store: kind });
      await ok(
        gateway.admin('POST', '/providers', {
          id: 'alpha',
          type: 'openai',
          displayName: 'A',
          apiKey: canaries.openai,
        }),
      );
      await ok(
        gateway.admin('POST', '/providers', {
          id: 'beta',
          type: 'openai-compatible',
          displayName: 'B',
          baseUrl: 'http://beta:8000/v1',
          apiKey: canaries.compatible,
        }),
      );
      await ok(
        gateway.admin('POST', '/providers', {
          id: 'gamma',
          type: 'openai',
          displayName: 'G',
          apiKey: canaries.rotatedAway,
        }),
      );
      await ok(gateway.admin('PATCH', '/providers/gamma', { apiKey: canaries.rotatedTo }));
    });
    afterAll(async () => {
      await gateway?.close();
    });

    it('stores no credential, API key secret or admin token in plaintext, base64 or hex', async () => {
      const { secret } = await gateway.createKey();
      expect(await publicTables(gateway.store)).toEqual(schemaTableNames());
      const dump = await dumpTables(gateway.store);
      expect(Object.keys(dump).sort()).toEqual(schemaTableNames());
      expect(dump.providers!.map((row) => row.id).sort()).toEqual(['alpha', 'beta', 'gamma']);
      expect(dump.api_keys).toHaveLength(1);
      expect(dump.admin_tokens).toHaveLength(1);
      const text = JSON.stringify(dump);
      for (const [name, value] of Object.entries({ ...canaries, secret, adminToken: TEST_ADMIN_TOKEN })) {
        for (const form of encodings(value)) expect(text.includes(form), `${name} as ${form}`).toBe(false);
      }
      for (const row of dump.providers!) {
        expect(row.credential_ciphertext).toMatch(
          new RegExp(`^v1\\.${testKey.id}\\.[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+){3}$`),
        );
      }
      const hints = Object.fromEntries(dump.providers!.map((row) => [row.id, row.credential_hint]));
      expect(hints).toEqual({
        alpha: `****${canaries.openai.slice(-4)}`,
        beta: `****${canaries.compatible.slice(-4)}`,
        gamma: `****${canaries.rotatedTo.slice(-4)}`,
      });
    });

    it('opens each credential for its own row only', async () => {
      const source = await loadConfiguration(gateway.store.db, testKey);
      const credentials = Object.fromEntries(
        source.providers.map((provider) => [provider.id, provider.credential]),
      );
      expect(credentials).toEqual({
        alpha: canaries.openai,
        beta: canaries.compatible,
        gamma: canaries.rotatedTo,
      });
    });

    it('refuses with SecretError tampered once two rows swap their ciphertexts', async () => {
      const swap = () =>
        gateway.store.db.execute(sql`
          update providers set credential_ciphertext = case id
            when 'alpha' then (select credential_ciphertext from providers where id = 'beta')
            when 'beta' then (select credential_ciphertext from providers where id = 'alpha')
          end
          where id in ('alpha', 'beta')`);
      await swap();
      const error = await loadConfiguration(gateway.store.db, testKey).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(SecretError);
      expect((error as SecretError).reason).toBe('tampered');
      expect(String(error)).not.toContain('sk-canary');

      // The admin API fails closed too: the change is refused, nothing is written, the version stays.
      const before = await snapshotVersion(gateway);
      const refused = await gateway.admin('POST', '/teams', { name: 'after-tampering' });
      expectProblem(refused, 500, 'internal_error');
      expect(refused.text).not.toContain('sk-canary');
      expect(await snapshotVersion(gateway)).toBe(before);
      expect(await rows(gateway.store, sql`select id from teams where name = 'after-tampering'`)).toEqual([]);

      await swap();
      expect((await loadConfiguration(gateway.store.db, testKey)).providers[0]?.credential).toBe(
        canaries.openai,
      );
      const provider = await ok(gateway.admin<ProviderView>('GET', '/providers/alpha'));
      expect(provider.credential?.hint).toBe(`****${canaries.openai.slice(-4)}`);
    });

    it('refuses a different master key with MasterKeyError naming both key ids', async () => {
      const other = MasterKey.generate();
      const error = await verifyMasterKey(gateway.store.db, other).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(MasterKeyError);
      const message = (error as MasterKeyError).message;
      expect(message).toContain(`(id ${other.id})`);
      expect(message).toContain(`sealed with master key ${testKey.id}`);
      expect(message).toContain('Start Junction with the original JUNCTION_MASTER_KEY');
      await expect(verifyMasterKey(gateway.store.db, testKey)).resolves.toBeUndefined();
      const wrongKeyError = await loadConfiguration(gateway.store.db, other).catch(
        (caught: unknown) => caught,
      );
      expect((wrongKeyError as SecretError).reason).toBe('wrong_key');
    });
  });

  describe('starting the server with another master key', () => {
    let store: Store | undefined;
    const original = MasterKey.generate();
    const credential = canary();
    const config = (masterKey: MasterKey) =>
      resolveConfig(
        {
          host: '127.0.0.1',
          port: 0,
          dataDir: '.junction-test-unused',
          masterKey: masterKey.export(),
          adminToken: TEST_ADMIN_TOKEN,
          migrate: false,
        },
        {},
      );

    beforeAll(async () => {
      store = await openTestStore(kind);
      await verifyMasterKey(store.db, original);
      const publisher = new ConfigurationPublisher(
        store.db,
        original,
        { offer: () => 'accepted' },
        silentLogger(),
      );
      await publisher.change((tx) =>
        createProvider(tx, original, { id: 'sealed', type: 'openai', displayName: 'S', apiKey: credential }),
      );
    });
    afterAll(async () => {
      await store?.close();
    });

    it('fails closed with MasterKeyError and changes nothing', async () => {
      const before = await dumpTables(store!);
      const other = MasterKey.generate();
      const error = await startJunction({
        config: config(other),
        store: store!,
        logger: silentLogger(),
      }).then(
        async (running) => {
          await running.shutdown();
          return undefined;
        },
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(MasterKeyError);
      expect((error as MasterKeyError).message).toContain(other.id);
      expect((error as MasterKeyError).message).toContain(original.id);
      expect(await dumpTables(store!)).toEqual(before);
      expect(before.admin_tokens).toEqual([]);
    });

    it('still starts with the original key afterwards', async () => {
      const running = await startJunction({
        config: config(original),
        store: store!,
        logger: silentLogger(),
      });
      try {
        expect(running.snapshots.current?.counts.providers).toBe(1);
        const source = await loadConfiguration(store!.db, original);
        expect(source.providers[0]?.credential).toBe(credential);
      } finally {
        await running.shutdown(); // closes the store too
        store = undefined;
      }
    });
  });
});
