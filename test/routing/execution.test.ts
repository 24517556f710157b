/**
 * The execution part of a key's routing policy: a request whose connection broke after it was sent is not sent
 * again unless the policy opts in, `retryOn` decides which failures move on, and a 429's `Retry-After` is waited
 * for when it fits the deadline.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chat, expectOpenAIError } from '../dataplane/helpers.js';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { openAIError } from '../harness/openai-fixtures.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';

const CHAT = '/v1/chat/completions';
let gateway: TestGateway;
let a: FakeUpstream;
let b: FakeUpstream;

beforeAll(async () => {
  a = await startFakeUpstream();
  b = await startFakeUpstream();
  gateway = await startTestGateway();
  for (const [id, upstream] of [
    ['up-a', a],
    ['up-b', b],
  ] as const) {
    await ok(
      gateway.admin('POST', '/providers', {
        id,
        type: 'openai-compatible',
        displayName: id,
        baseUrl: `${upstream.url}/v1`,
      }),
    );
  }
  // Two entries per upstream, so the failures one describe provokes (which feed health) never change another's plan.
  for (const [id, upstream] of [
    ['up-a2', a],
    ['up-b2', b],
    ['up-a3', a],
    ['up-b3', b],
    ['up-a4', a],
    ['up-a5', a],
    ['up-a4b', a],
    ['up-b4', b],
  ] as const) {
    await ok(
      gateway.admin('POST', '/providers', {
        id,
        type: 'openai-compatible',
        displayName: id,
        baseUrl: `${upstream.url}/v1`,
      }),
    );
  }
  for (const [model, first, second] of [
    ['pool', 'up-a', 'up-b'],
    ['pool-2', 'up-a2', 'up-b2'],
    ['pool-3', 'up-a3', 'up-b3'],
    ['pool-4', 'up-a4b', 'up-b4'],
  ] as const) {
    await ok(
      gateway.admin('POST', '/models', {
        id: model,
        kind: 'chat',
        deployments: [
          { providerId: first, upstreamModel: 'model-a', priority: 0 },
          { providerId: second, upstreamModel: 'model-b', priority: 1 },
        ],
      }),
    );
  }
  // A 429 cools its deployment for later requests too, so each Retry-After case has its own entry.
  for (const [model, entry] of [
    ['same-entry', 'up-a4'],
    ['same-entry-2', 'up-a5'],
  ] as const) {
    await ok(
      gateway.admin('POST', '/models', {
        id: model,
        kind: 'chat',
        deployments: [
          { providerId: entry, upstreamModel: 'model-a', priority: 0 },
          { providerId: entry, upstreamModel: 'model-a-bis', priority: 1 },
        ],
      }),
    );
  }
});
beforeEach(() => {
  a.reset();
  b.reset();
});
afterAll(async () => {
  await gateway?.close();
  await a?.close();
  await b?.close();
});

async function keyWith(execution: Record<string, unknown> | null) {
  const key = await gateway.createKey();
  if (execution) await ok(gateway.admin('PATCH', `/keys/${key.id}`, { routing: { rules: [], execution } }));
  return key.secret;
}

describe('uncertain failures', () => {
  it('does not send a request again after its connection broke once sent', async () => {
    const secret = await keyWith(null);
    a.enqueue('POST', CHAT, { kind: 'reset' });
    const result = await gateway.call('POST', CHAT, chat('pool'), secret);
    const error = expectOpenAIError(result, 502, 'upstream_error');
    expect(error.message).toContain('not sent again');
    expect(b.requests).toHaveLength(0);
  });

  it('replays it on the next member when the policy opts in', async () => {
    const secret = await keyWith({ replayUncertain: true });
    a.enqueue('POST', CHAT, { kind: 'reset' });
    const result = await gateway.call('POST', CHAT, chat('pool'), secret);
    expect(result.status, result.text).toBe(200);
    expect(result.headers['x-junction-backend']).toBe('up-b/model-b');
  });
});

describe('retryOn', () => {
  it('returns a 429 as it is when the policy does not move on for rate limits', async () => {
    const secret = await keyWith({ retryOn: ['server-error', 'connect', 'timeout'] });
    a.enqueue('POST', CHAT, {
      kind: 'json',
      status: 429,
      body: openAIError('slow down', 'rate_limit_error'),
    });
    const result = await gateway.call('POST', CHAT, chat('pool'), secret);
    expect(result.status).toBe(429);
    expect(b.requests).toHaveLength(0);
  });

  it('moves on after a 503 by default', async () => {
    const secret = await keyWith(null);
    a.enqueue('POST', CHAT, { kind: 'json', status: 503, body: openAIError('busy', 'server_error') });
    const result = await gateway.call('POST', CHAT, chat('pool'), secret);
    expect(result.status).toBe(200);
    expect(result.headers['x-junction-attempts']).toBe('2');
  });
});

describe('Retry-After', () => {
  const limited = (headers: Record<string, string>) =>
    ({ kind: 'json', status: 429, headers, body: openAIError('slow down', 'rate_limit_error') }) as const;

  it('moves on to another entry at once, whatever the Retry-After', async () => {
    const secret = await keyWith({ deadlineMs: 10_000 });
    a.enqueue('POST', CHAT, limited({ 'retry-after': '30' }));
    const started = performance.now();
    const result = await gateway.call('POST', CHAT, chat('pool-3'), secret);
    expect(result.status).toBe(200);
    expect(result.headers['x-junction-backend']).toBe('up-b3/model-b');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('waits for retry-after-ms before retrying the same entry, when the wait fits the deadline', async () => {
    const secret = await keyWith({ deadlineMs: 5_000 });
    a.enqueue('POST', CHAT, limited({ 'retry-after-ms': '800' }));
    const started = performance.now();
    const result = await gateway.call('POST', CHAT, chat('same-entry'), secret);
    expect(result.status, result.text).toBe(200);
    expect(result.headers['x-junction-attempts']).toBe('2');
    expect(performance.now() - started).toBeGreaterThanOrEqual(750);
  });

  it('returns the 429 rather than retry the same entry early when the hinted date is past the deadline', async () => {
    const secret = await keyWith({ deadlineMs: 2_000 });
    a.enqueue('POST', CHAT, limited({ 'retry-after': new Date(Date.now() + 120_000).toUTCString() }));
    const started = performance.now();
    const result = await gateway.call('POST', CHAT, chat('same-entry-2'), secret);
    expect(result.status).toBe(429);
    expect(a.requests).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('cools the deployment for later requests: they go to the other entry until the hinted time', async () => {
    // The first test of this block answered 429 with Retry-After: 30 from up-a3.
    const secret = await keyWith(null);
    const result = await gateway.call('POST', CHAT, chat('pool-3'), secret);
    expect(result.status).toBe(200);
    expect(result.headers['x-junction-backend']).toBe('up-b3/model-b');
    expect(result.headers['x-junction-attempts']).toBe('1');
    expect(a.requests).toHaveLength(0);
    const explained = await ok(
      gateway.admin<{ plan: Array<{ backend: string; health: string }>; excluded: unknown[] }>(
        'POST',
        '/routing/explain',
        { keyId: (await gateway.createKey()).id, model: 'pool-3' },
      ),
    );
    expect(explained.plan.map((entry) => entry.backend)).toEqual(['up-b3/model-b']);
  });
});

describe('fall back only on fast failures', () => {
  it('returns a slow 500 rather than re-run it, and still falls back on a fast one', async () => {
    const secret = await keyWith({ fallbackWithinMs: 200 });
    a.enqueue('POST', CHAT, {
      kind: 'json',
      status: 500,
      delayMs: 400,
      body: openAIError('late', 'server_error'),
    });
    const slow = await gateway.call('POST', CHAT, chat('pool-2'), secret);
    expect(slow.status).toBe(500);
    expect(b.requests).toHaveLength(0);
    a.enqueue('POST', CHAT, { kind: 'json', status: 500, body: openAIError('fast', 'server_error') });
    const fast = await gateway.call('POST', CHAT, chat('pool-2'), secret);
    expect(fast.status).toBe(200);
  });
});

describe('per-policy attempt settings', () => {
  it('moves on after the policy first-byte timeout, however long the gateway one is', async () => {
    const secret = await keyWith({ firstByteTimeoutMs: 200 });
    a.enqueue('POST', CHAT, { kind: 'stall' });
    const started = performance.now();
    const result = await gateway.call('POST', CHAT, chat('pool-4'), secret);
    expect(result.status, result.text).toBe(200);
    expect(result.headers['x-junction-attempts']).toBe('2');
    expect(result.headers['x-junction-backend']).toBe('up-b4/model-b');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('caps the attempts of a request at the policy maxAttempts', async () => {
    const secret = await keyWith({ maxAttempts: 1 });
    a.enqueue('POST', CHAT, { kind: 'json', status: 503, body: openAIError('busy', 'server_error') });
    const result = await gateway.call('POST', CHAT, chat('pool-4'), secret);
    expect(result.status).toBe(503);
    expect(result.headers['x-junction-attempts']).toBe('1');
    expect(b.requests).toHaveLength(0);
  });

  it('refuses settings out of range', async () => {
    const key = await gateway.createKey();
    for (const execution of [{ maxAttempts: 6 }, { maxAttempts: 0 }, { firstByteTimeoutMs: 10 }]) {
      const refused = await gateway.admin('PATCH', `/keys/${key.id}`, { routing: { rules: [], execution } });
      expect(refused.status, JSON.stringify(execution)).toBe(400);
    }
  });
});
