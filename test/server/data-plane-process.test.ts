/**
 * A data-plane process (`junction dataplane`) beside a management plane on one PostgreSQL store: it serves what
 * the management plane configured, follows its changes, answers nothing but `/v1` and the operations endpoints,
 * stores its usage, and keeps serving (and keeps its usage) while the store is away. Replicas of `junction serve`
 * follow each other's changes the same way.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/observability/logger.js';
import { resolveConfig } from '../../src/server/config.js';
import { type RunningDataPlane, startDataPlaneProcess } from '../../src/server/data-plane-process.js';
import { openStore, type Store } from '../../src/store/database.js';
import {
  addEchoChatModel,
  http,
  ok,
  startTestGateway,
  TEST_MASTER_KEY,
  type TestGateway,
} from '../support/gateway.js';
import { openPostgresTestStore, postgresUnavailableReason } from '../support/stores.js';

const unavailable = await postgresUnavailableReason();

/** A TCP relay to PostgreSQL that can be cut (every connection dropped, new ones refused) and restored. */
class StoreLink {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function usageCount(store: Store, keyId: string): Promise<number> {
  const result = (await store.db.execute(
    `select count(*)::int as n from usage_records where key_id = '${keyId}'` as never,
  )) as unknown as { rows: { n: number }[] };
  return Number(result.rows[0]?.n ?? 0);
}

describe.skipIf(unavailable !== undefined)('a data-plane process beside the management plane', () => {
  let store: Store;
  let management: TestGateway;
  let link: StoreLink;
  let dataStore: Store;
  let dataPlane: RunningDataPlane;
  let spoolDir: string;
  let key: { secret: string; id: string };

  const call = (path: string, body: unknown, secret = key.secret) =>
    http<{ choices?: { message: { content: string } }[]; data?: { id: string }[] }>(
      `${dataPlane.url}${path}`,
      body === undefined ? 'GET' : 'POST',
      body,
      { authorization: `Bearer ${secret}` },
    );

  beforeAll(async () => {
    store = await openPostgresTestStore();
    management = await startTestGateway({ store });
    await addEchoChatModel(management);
    key = await management.createKey();

    const target = new URL(store.location);
    link = new StoreLink(target.hostname, Number(target.port || 5432));
    await link.open();
    const viaLink = new URL(store.location);
    viaLink.hostname = '127.0.0.1';
    viaLink.port = String(link.port);
    dataStore = await openStore({ databaseUrl: viaLink.toString(), dataDir: '.' });
    spoolDir = mkdtempSync(join(tmpdir(), 'junction-dp-spool-'));
    dataPlane = await startDataPlaneProcess({
      store: dataStore,
      logger: silentLogger(),
      config: resolveConfig(
        {
          host: '127.0.0.1',
          port: 0,
          dataDir: '.junction-test-unused',
          databaseUrl: viaLink.toString(),
          masterKey: TEST_MASTER_KEY,
          spoolDir,
          configPollMs: 100,
          drainTimeoutMs: 2000,
        },
        {},
      ),
    });
  });

  afterAll(async () => {
    await dataPlane?.shutdown();
    await link?.cut();
    await management?.close();
    await store?.close();
    if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
  });

  it('serves what the management plane configured', async () => {
    const chat = await call('/v1/chat/completions', {
      model: 'chat',
      messages: [{ role: 'user', content: 'from the data plane' }],
    });
    expect(chat.status).toBe(200);
    expect(chat.json.choices?.[0]?.message.content).toBe('You said: from the data plane');
    expect(dataPlane.snapshots.current?.version).toBe(management.running.snapshots.current?.version);
  });

  it('follows configuration changes: a new model, then a revoked key', async () => {
    await ok(
      management.admin('POST', '/models', {
        id: 'chat-two',
        kind: 'chat',
        deployments: [{ providerId: 'echo', upstreamModel: 'echo' }],
      }),
    );
    const served = await eventually(async () => {
      const answer = await call('/v1/chat/completions', {
        model: 'chat-two',
        messages: [{ role: 'user', content: 'new model' }],
      });
      return answer.status === 200 ? answer : undefined;
    });
    expect(served.json.choices?.[0]?.message.content).toBe('You said: new model');

    const other = await management.createKey();
    await eventually(async () =>
      (await call('/v1/models', undefined, other.secret)).status === 200 ? true : undefined,
    );
    await ok(management.admin('POST', `/keys/${other.id}/revoke`));
    const refused = await eventually(async () => {
      const answer = await call('/v1/models', undefined, other.secret);
      return answer.status === 401 ? answer : undefined;
    });
    expect(refused.status).toBe(401);
  });

  it('answers only /v1 and the operations endpoints', async () => {
    const adminPath = await http<{ error: { code: string; message: string } }>(
      `${dataPlane.url}/admin/v1/providers`,
      'GET',
      undefined,
      { authorization: 'Bearer jat_anything' },
    );
    expect(adminPath.status).toBe(404);
    expect(adminPath.json.error.code).toBe('not_found');
    expect(adminPath.json.error.message).toContain('management plane');
    expect((await http(`${dataPlane.url}/`, 'GET')).status).toBe(404);
    expect((await http(`${dataPlane.url}/healthz`, 'GET')).status).toBe(200);
    expect((await http(`${dataPlane.url}/readyz`, 'GET')).status).toBe(200);
    const metrics = await http(`${dataPlane.url}/metrics`, 'GET');
    expect(metrics.text).toMatch(/junction_snapshot_version \d+/);
  });

  it('stores its usage in the shared store, where the management plane reports it', async () => {
    const before = await usageCount(store, key.id);
    for (let i = 0; i < 3; i++) {
      expect(
        (await call('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'x' }] }))
          .status,
      ).toBe(200);
    }
    await dataPlane.usage.drain();
    expect(await usageCount(store, key.id)).toBe(before + 3);
    const usage = await ok(
      management.admin<{ totals: { requests: number } }>('GET', `/usage?keyId=${key.id}`),
    );
    expect(usage.totals.requests).toBe(before + 3);
  });

  it('keeps serving while the store is away and stores the usage once it is back', async () => {
    const before = await usageCount(store, key.id);
    await link.cut();
    await dataPlane.follower.check();
    expect(dataPlane.follower.reachable).toBe(false);
    for (let i = 0; i < 4; i++) {
      const answer = await call('/v1/chat/completions', {
        model: 'chat',
        messages: [{ role: 'user', content: `while away ${i}` }],
      });
      expect(answer.status).toBe(200);
    }
    await dataPlane.usage.drain();
    expect(await usageCount(store, key.id)).toBe(before);
    expect((await http(`${dataPlane.url}/readyz`, 'GET')).status).toBe(200);

    await link.open();
    await eventually(async () => {
      await dataPlane.usage.drain();
      return (await usageCount(store, key.id)) === before + 4 ? true : undefined;
    });
    await dataPlane.follower.check();
    expect(dataPlane.follower.reachable).toBe(true);
  });
});

describe.skipIf(unavailable !== undefined)('replicas of junction serve on one PostgreSQL store', () => {
  let store: Store;
  let first: TestGateway;
  let second: TestGateway;

  beforeAll(async () => {
    store = await openPostgresTestStore();
    first = await startTestGateway({ store, config: { configPollMs: 100 } });
    second = await startTestGateway({ store, config: { configPollMs: 100 } });
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
    await store?.close();
  });

  it('serve a change made through either one', async () => {
    await addEchoChatModel(first);
    const { secret } = await second.createKey();
    const answer = await eventually(async () => {
      const result = await first.call('GET', '/v1/models', undefined, secret);
      return result.status === 200 ? result : undefined;
    });
    expect((answer.json as { data: { id: string }[] }).data.map((model) => model.id)).toEqual(['chat']);
    // A replica may answer for a key it looked up before its next snapshot arrives: both end on one version.
    const versions = await eventually(async () => {
      const pair = [first.running.snapshots.current?.version, second.running.snapshots.current?.version];
      return pair[0] !== undefined && pair[0] === pair[1] ? pair : undefined;
    });
    expect(versions[0]).toBe(versions[1]);
  });
});
