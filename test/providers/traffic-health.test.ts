/**
 * Real traffic feeds provider health, and the planner reads it. `random: () => 0` makes every plan follow
 * the pool's order, so entry A is always tried first and B is the fallback. Each test gives its entries
 * their own base path on the two fake upstreams, so the routes of one test never answer another's.
 * Health is in memory (the store only keeps a copy), so the embedded store is enough. Ejections last 400 ms
 * here (doubling on repeat), so probes can be watched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRAFFIC_FAILURE_THRESHOLD } from '../../src/health/health-board.js';
import { chat } from '../dataplane/helpers.js';
import { type FakeUpstream, type Reply, startFakeUpstream } from '../harness/fake-upstream.js';
import { openAIError } from '../harness/openai-fixtures.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { createEntry, readHealth, readProvider, until, verify } from './helpers.js';

let gateway: TestGateway;
let a: FakeUpstream;
let b: FakeUpstream;
let key: string;

beforeAll(async () => {
  a = await startFakeUpstream();
  b = await startFakeUpstream();
  gateway = await startTestGateway({
    random: () => 0,
    config: { ejectionBaseMs: 400, ejectionMaxMs: 1_600 },
  });
  key = (await gateway.createKey()).secret;
});
afterAll(async () => {
  await gateway?.close();
  await a?.close();
  await b?.close();
});

const errorReply = (status: number): Reply => ({
  kind: 'json',
  status,
  body: openAIError(`upstream says ${status}`, status === 429 ? 'requests' : 'server_error'),
});

/** Entries `<name>-a` on A and `<name>-b` on B under /<name>/v1, pooled (A first) in model `<name>`. */
async function pool(name: string): Promise<{ pathA: string; pathB: string }> {
  await createEntry(gateway, { id: `${name}-a`, baseUrl: `${a.url}/${name}/v1` });
  await createEntry(gateway, { id: `${name}-b`, baseUrl: `${b.url}/${name}/v1` });
  await ok(
    gateway.admin('POST', '/models', {
      id: name,
      kind: 'chat',
      deployments: [
        { providerId: `${name}-a`, upstreamModel: 'model-a' },
        { providerId: `${name}-b`, upstreamModel: 'model-b' },
      ],
    }),
  );
  return { pathA: `/${name}/v1/chat/completions`, pathB: `/${name}/v1/chat/completions` };
}

const send = (model: string) => gateway.call('POST', '/v1/chat/completions', chat(model), key);
const chatsTo = (upstream: FakeUpstream, path: string) =>
  upstream.requests.filter((r) => r.method === 'POST' && r.path === path).length;
const status = async (id: string) => (await readProvider(gateway, id)).health.status;

describe('traffic and health', () => {
  it('ejects A after 3 failing requests, sends it no request until a probe passes, then tries it first again', async () => {
    expect(TRAFFIC_FAILURE_THRESHOLD).toBe(3);
    const { pathA } = await pool('skip');
    a.on({ method: 'POST', path: pathA, reply: errorReply(500), times: 4 });

    for (let i = 1; i <= 3; i++) {
      const result = await send('skip');
      expect(result.status, result.text).toBe(200);
      expect(result.headers['x-junction-backend']).toBe('skip-b/model-b');
      expect(result.headers['x-junction-attempts']).toBe('2');
    }
    const marked = await readProvider(gateway, 'skip-a');
    // The entry as a whole is not blamed (its other models may be fine): the backend is ejected.
    expect(marked.health.status).not.toBe('unhealthy');
    expect(marked.health.ejected).toHaveLength(1);
    expect(marked.health.ejected[0]).toMatchObject({
      backend: 'skip-a/model-a',
      ejections: 1,
      diagnostic: { stage: 'http', httpStatus: 500 },
    });

    // While ejected, no request goes to A.
    const skipped = await send('skip');
    expect(skipped.status).toBe(200);
    expect(skipped.headers['x-junction-attempts']).toBe('1');
    expect(skipped.headers['x-junction-backend']).toBe('skip-b/model-b');
    expect(chatsTo(a, pathA)).toBe(3);

    // The first probe (after 400 ms) still gets a 500: ejected again, for 800 ms.
    const again = await until(
      () => readProvider(gateway, 'skip-a'),
      (entry) => entry.health.ejected[0]?.ejections === 2,
    );
    expect(chatsTo(a, pathA)).toBe(4);
    const since = Date.parse(again.health.ejected[0]!.since);
    expect(Date.parse(again.health.ejected[0]!.probeAt) - since).toBeGreaterThanOrEqual(400 + 800 - 50);

    // The second probe passes: A rejoins and is first again.
    const back = await until(
      () => readProvider(gateway, 'skip-a'),
      (entry) => entry.health.ejected.length === 0,
    );
    expect(back.health.status).toBe('healthy');
    expect(chatsTo(a, pathA)).toBe(5);
    const restored = await send('skip');
    expect(restored.status).toBe(200);
    expect(restored.headers['x-junction-backend']).toBe('skip-a/model-a');
    expect(restored.headers['x-junction-attempts']).toBe('1');

    const { history } = await until(
      () => readHealth(gateway, 'skip-a'),
      (h) => h.history.some((event) => event.status === 'rejoined'),
    );
    const outliers = history.filter((event) => event.source === 'outlier').map((event) => event.status);
    expect(outliers).toEqual(['rejoined', 'ejected', 'ejected']);
  });

  it('does not count a 429 against A', async () => {
    const { pathA } = await pool('throttle');
    expect((await verify(gateway, 'throttle-a')).health.status).toBe('healthy');
    a.on({ method: 'POST', path: pathA, reply: errorReply(429), times: 5 });
    for (let i = 0; i < 5; i++) {
      const result = await send('throttle');
      expect(result.headers['x-junction-backend']).toBe('throttle-b/model-b');
      expect(result.headers['x-junction-attempts']).toBe('2');
    }
    expect(await status('throttle-a')).toBe('healthy');
    const next = await send('throttle');
    expect(next.headers['x-junction-backend']).toBe('throttle-a/model-a');
    expect(chatsTo(a, pathA)).toBe(6);
  });

  it('does not count a 400 against A (the client error is returned, A stays first)', async () => {
    const { pathA, pathB } = await pool('client');
    expect((await verify(gateway, 'client-a')).health.status).toBe('healthy');
    a.on({ method: 'POST', path: pathA, reply: errorReply(400), times: 5 });
    for (let i = 0; i < 5; i++) {
      const result = await send('client');
      expect(result.status).toBe(400);
      expect(result.headers['x-junction-attempts']).toBe('1');
    }
    expect(await status('client-a')).toBe('healthy');
    const next = await send('client');
    expect(next.status).toBe(200);
    expect(next.headers['x-junction-backend']).toBe('client-a/model-a');
    expect(chatsTo(a, pathA)).toBe(6);
    expect(chatsTo(b, pathB)).toBe(0);
  });

  it('counts rejected credentials (401) as an auth failure', async () => {
    const { pathA } = await pool('denied');
    a.on({ method: 'POST', path: pathA, reply: errorReply(401), times: 3 });
    for (let i = 0; i < 3; i++) expect((await send('denied')).status).toBe(401);
    const entry = await readProvider(gateway, 'denied-a');
    expect(entry.health.status).toBe('unhealthy');
    expect(entry.health.diagnostic).toMatchObject({ stage: 'auth', httpStatus: 401 });
  });

  it('still attempts every member when all of them are ejected, and a success brings one back at once', async () => {
    const { pathA, pathB } = await pool('all');
    a.on({ method: 'POST', path: pathA, reply: errorReply(500) });
    b.on({ method: 'POST', path: pathB, reply: errorReply(503) });
    for (let i = 0; i < 3; i++) expect((await send('all')).status).toBeGreaterThanOrEqual(500);
    expect((await readProvider(gateway, 'all-a')).health.ejected).toHaveLength(1);
    expect((await readProvider(gateway, 'all-b')).health.ejected).toHaveLength(1);

    // The whole pool is never ejected: both are still tried.
    const refusedOrTried = await send('all');
    expect(refusedOrTried.text).not.toContain('no_backend_available');
    expect(refusedOrTried.status).toBe(503);
    expect(refusedOrTried.headers['x-junction-attempts']).toBe('2');

    // Once B answers again, a request reaches it and its success restores it without waiting for a probe.
    b.on({ method: 'POST', path: pathB, reply: { kind: 'json', body: { ok: true } } });
    const served = await send('all');
    expect(served.status).toBe(200);
    expect(served.headers['x-junction-backend']).toBe('all-b/model-b');
    expect((await readProvider(gateway, 'all-b')).health.ejected).toHaveLength(0);
    const only = await send('all');
    expect(only.headers['x-junction-backend']).toBe('all-b/model-b');
    expect(only.headers['x-junction-attempts']).toBe('1');
    expect((await readProvider(gateway, 'all-a')).health.ejected).toHaveLength(1);
  });
});
