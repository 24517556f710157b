/**
 * Real traffic feeds provider health, and the planner reads it. `random: () => 0` makes every plan follow
 * the pool's order, so entry A is always tried first and B is the fallback. Each test gives its entries
 * their own base path on the two fake upstreams, so the routes of one test never answer another's.
 * Health is in memory (the store only keeps a copy), so the embedded store is enough.
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
  gateway = await startTestGateway({ random: () => 0 });
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
  it('marks A unhealthy after 3 failing requests, skips it, and tries it first again once a check passes', async () => {
    expect(TRAFFIC_FAILURE_THRESHOLD).toBe(3);
    const { pathA } = await pool('skip');
    a.on({ method: 'POST', path: pathA, reply: errorReply(500), times: 3 });

    for (let i = 1; i <= 3; i++) {
      expect(await status('skip-a')).not.toBe('unhealthy');
      const result = await send('skip');
      expect(result.status, result.text).toBe(200);
      expect(result.headers['x-junction-backend']).toBe('skip-b/model-b');
      expect(result.headers['x-junction-attempts']).toBe('2');
    }
    const marked = await readProvider(gateway, 'skip-a');
    expect(marked.health.status).toBe('unhealthy');
    expect(marked.health.diagnostic).toMatchObject({ stage: 'http', httpStatus: 500 });
    const { history } = await until(
      () => readHealth(gateway, 'skip-a'),
      (h) => h.history.length > 0,
    );
    expect(history[0]).toMatchObject({ source: 'traffic', status: 'unhealthy' });
    expect(await status('skip-b')).toBe('healthy');

    // A would answer now (its failures are used up), but the planner no longer tries it first.
    const skipped = await send('skip');
    expect(skipped.status).toBe(200);
    expect(skipped.headers['x-junction-attempts']).toBe('1');
    expect(skipped.headers['x-junction-backend']).toBe('skip-b/model-b');
    expect(chatsTo(a, pathA)).toBe(3);

    expect((await verify(gateway, 'skip-a')).health.status).toBe('healthy');
    const restored = await send('skip');
    expect(restored.status).toBe(200);
    expect(restored.headers['x-junction-backend']).toBe('skip-a/model-a');
    expect(restored.headers['x-junction-attempts']).toBe('1');
    expect(chatsTo(a, pathA)).toBe(4);
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

  it('still attempts every member when all of them are unhealthy', async () => {
    const { pathA, pathB } = await pool('all');
    a.on({ method: 'POST', path: pathA, reply: errorReply(500) });
    b.on({ method: 'POST', path: pathB, reply: errorReply(503) });
    for (let i = 0; i < 3; i++) expect((await send('all')).status).toBeGreaterThanOrEqual(500);
    expect(await status('all-a')).toBe('unhealthy');
    expect(await status('all-b')).toBe('unhealthy');

    const refusedOrTried = await send('all');
    expect(refusedOrTried.text).not.toContain('no_backend_available');
    expect(refusedOrTried.status).toBe(503);
    expect(refusedOrTried.headers['x-junction-attempts']).toBe('2');
    expect(chatsTo(a, pathA)).toBe(4);
    expect(chatsTo(b, pathB)).toBe(4);

    // Once B answers again, a request reaches it and its success restores it.
    b.on({ method: 'POST', path: pathB, reply: { kind: 'json', body: { ok: true } } });
    const served = await send('all');
    expect(served.status).toBe(200);
    expect(served.headers['x-junction-backend']).toBe('all-b/model-b');
    expect(await status('all-b')).toBe('healthy');
    expect(await status('all-a')).toBe('unhealthy');
  });
});
