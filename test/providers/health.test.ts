/**
 * Provider health over time: the scheduled re-check notices an upstream going away and coming back on the
 * same port with no API call in between; a change of an entry is verified on its own when autoVerify is on;
 * the health history mixes checks and traffic, newest first, and is capped in the store (both stores).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTH_HISTORY_LENGTH } from '../../src/management/health/health-service.js';
import { chat, closedPort } from '../dataplane/helpers.js';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { openAIError } from '../harness/openai-fixtures.js';
import { rows } from '../store/store-helpers.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { storeKinds } from '../support/stores.js';
import {
  createEntry,
  type HealthEvent,
  type ModelListServer,
  modelListServer,
  readHealth,
  readProvider,
  until,
  verify,
} from './helpers.js';

const kinds = await storeKinds();
const CHAT = '/v1/chat/completions';

describe('the scheduled re-check (healthCheckIntervalMs 200)', () => {
  let gateway: TestGateway;
  let upstream: FakeUpstream;
  let comeback: ModelListServer | undefined;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    gateway = await startTestGateway({ config: { healthCheckIntervalMs: 200 } });
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
    await comeback?.close();
  });

  it('turns an entry unhealthy when its upstream closes and healthy when one listens on the port again', async () => {
    const port = upstream.port;
    const created = await createEntry(gateway, {
      id: 'periodic-local',
      baseUrl: `${upstream.url}/v1`,
    });
    // autoVerify is off: only the schedule can change this.
    expect(created.json.health.status).toBe('unverified');
    const read = () => readProvider(gateway, 'periodic-local');

    const first = await until(read, (p) => p.health.status === 'healthy');
    expect(first.health).toMatchObject({ status: 'healthy', diagnostic: null });
    expect(upstream.requests.some((r) => r.method === 'GET' && r.path === '/v1/models')).toBe(true);

    await upstream.close();
    const down = await until(read, (p) => p.health.status === 'unhealthy');
    expect(down.health.status).toBe('unhealthy');
    expect(down.health.diagnostic).toMatchObject({ stage: 'connect', code: 'ECONNREFUSED' });
    expect(down.health.diagnostic?.message).toContain(`127.0.0.1:${port}`);
    expect(down.health.lastVerifiedAt).toBe(first.health.lastVerifiedAt);

    comeback = await modelListServer(port);
    expect(comeback.port).toBe(port);
    const back = await until(read, (p) => p.health.status === 'healthy');
    expect(back.health).toMatchObject({ status: 'healthy', diagnostic: null });
    expect(Date.parse(back.health.lastVerifiedAt!)).toBeGreaterThan(Date.parse(down.health.lastCheckedAt!));
    expect(comeback.authorizations.length).toBeGreaterThanOrEqual(1);

    const { history } = await readHealth(gateway, 'periodic-local');
    expect(history.every((event) => event.source === 'check')).toBe(true);
    expect(history.map((event) => event.status)).toContain('unhealthy');
  });
});

describe('verification on change (autoVerify on)', () => {
  let gateway: TestGateway;
  let upstream: FakeUpstream;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    gateway = await startTestGateway({ config: { autoVerify: true } });
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  it('verifies a new entry within a second without a call to verify', async () => {
    const started = performance.now();
    await createEntry(gateway, { id: 'auto-new', baseUrl: `${upstream.url}/v1`, apiKey: 'sk-auto-0001' });
    const entry = await until(
      () => readProvider(gateway, 'auto-new'),
      (p) => p.health.status === 'healthy',
      1_000,
    );
    expect(entry.health.status).toBe('healthy');
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(entry.health.lastVerifiedAt).not.toBeNull();
    const probes = upstream.requests.filter((r) => r.path === '/v1/models');
    expect(probes.length).toBeGreaterThanOrEqual(1);
    expect(probes[0]?.headers.authorization).toBe('Bearer sk-auto-0001');
  });

  it('re-verifies an entry whose base URL changes', async () => {
    await createEntry(gateway, { id: 'auto-moved', baseUrl: `${upstream.url}/v1` });
    await until(
      () => readProvider(gateway, 'auto-moved'),
      (p) => p.health.status === 'healthy',
      1_000,
    );
    const port = await closedPort();
    await ok(gateway.admin('PATCH', '/providers/auto-moved', { baseUrl: `http://127.0.0.1:${port}/v1` }));
    const moved = await until(
      () => readProvider(gateway, 'auto-moved'),
      (p) => p.health.status === 'unhealthy',
      1_000,
    );
    expect(moved.health.diagnostic).toMatchObject({ stage: 'connect', code: 'ECONNREFUSED' });
  });
});

describe.each(kinds)('health history (%s store)', (kind) => {
  let gateway: TestGateway;
  let upstream: FakeUpstream;
  let key: string;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    gateway = await startTestGateway({ store: kind });
    await createEntry(gateway, { id: 'hist-a', baseUrl: `${upstream.url}/v1` });
    await ok(
      gateway.admin('POST', '/models', {
        id: 'hist-model',
        kind: 'chat',
        deployments: [{ providerId: 'hist-a', upstreamModel: 'hist-upstream' }],
      }),
    );
    key = (await gateway.createKey()).secret;
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  const history = () => readHealth(gateway, 'hist-a');
  const sources = (events: HealthEvent[]) => events.map((event) => `${event.source}:${event.status}`);

  it('lists checks and traffic, newest first', async () => {
    const verified = await verify(gateway, 'hist-a');
    expect(verified.health.status).toBe('healthy');
    upstream.enqueue(
      'POST',
      CHAT,
      ...[1, 2, 3].map(() => ({
        kind: 'json' as const,
        status: 500,
        body: openAIError('boom', 'server_error'),
      })),
    );
    for (let i = 0; i < 3; i++) {
      const failed = await gateway.call('POST', CHAT, chat('hist-model'), key);
      expect(failed.status).toBe(500);
    }
    expect((await readProvider(gateway, 'hist-a')).health.ejected).toHaveLength(1);
    // The only member is ejected: it is still tried, and its success brings it back.
    const served = await gateway.call('POST', CHAT, chat('hist-model'), key);
    expect(served.status, served.text).toBe(200);

    const seen = await until(history, (h) => h.history.length >= 3);
    expect(sources(seen.history)).toEqual(['outlier:rejoined', 'outlier:ejected', 'check:healthy']);
    expect(seen.history[1]?.diagnostic).toMatchObject({ stage: 'http', httpStatus: 500 });
    expect(seen.history[1]?.diagnostic?.message).toContain('hist-a/');
    expect(seen.history[2]?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(seen.current).toMatchObject({ status: 'healthy', diagnostic: null });
    const times = seen.history.map((event) => Date.parse(event.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it(`keeps the latest ${HEALTH_HISTORY_LENGTH} events per entry`, async () => {
    expect(HEALTH_HISTORY_LENGTH).toBe(50);
    let last: Awaited<ReturnType<typeof verify>> | undefined;
    for (let i = 0; i < HEALTH_HISTORY_LENGTH + 5; i++) last = await verify(gateway, 'hist-a');
    const lastAt = last!.health.lastCheckedAt;
    const seen = await until(
      history,
      (h) => h.history[0]?.at === lastAt && h.history.length === HEALTH_HISTORY_LENGTH,
      // Persistence is off the request path, one write at a time; a loaded machine needs longer.
      15_000,
    );
    expect(seen.history[0]?.at).toBe(lastAt);
    expect(seen.history).toHaveLength(HEALTH_HISTORY_LENGTH);
    // The 3 earlier events and the 5 oldest checks were pruned: only checks remain.
    expect(new Set(sources(seen.history))).toEqual(new Set(['check:healthy']));
    const times = seen.history.map((event) => Date.parse(event.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const stored = await rows<{ count: number }>(
      gateway.store,
      sql`select count(*)::int as count from provider_health_events where provider_id = 'hist-a'`,
    );
    expect(stored[0]?.count).toBe(HEALTH_HISTORY_LENGTH);
  });

  it('answers 404 for the health of an unknown entry', async () => {
    const missing = await gateway.admin('GET', '/providers/no-such-entry/health');
    expect(missing.status).toBe(404);
  });
});
