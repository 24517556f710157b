/**
 * Two replicas sharing Redis (a private Debian redis-server): test plan B2 (one budget never exceeded across
 * both; Redis restarted mid-run; Redis frozen, with the fail-closed and fail-open policies) and B3 (a
 * requests-per-minute limit holds exactly across replicas, every 429 with a valid Retry-After; and as a token
 * bucket, on two more replicas started with `token-bucket`, it admits one minute's worth plus what refills).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/database.js';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { chatCompletion } from '../harness/openai-fixtures.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { type PrivateRedis, redisUnavailableReason, startPrivateRedis } from '../support/redis.js';
import { openTestStore } from '../support/stores.js';

const CHAT = '/v1/chat/completions';
const skipReason = redisUnavailableReason();
if (skipReason) process.stdout.write(`[skip] shared-limits suite: ${skipReason}\n`);

interface Budget {
  id: string;
  status: { spentUsd: string; reservedUsd: string; ledger: string } | null;
}

describe.skipIf(skipReason !== undefined)('budgets and limits shared through Redis (two replicas)', () => {
  let redis: PrivateRedis;
  let store: Store;
  let upstream: FakeUpstream;
  let a: TestGateway;
  let b: TestGateway;
  let tokenBucketA: TestGateway;
  let tokenBucketB: TestGateway;
  const body = { model: 'm', messages: [{ role: 'user', content: 'hello there' }], max_tokens: 70 };
  const keys: Record<string, { secret: string; id: string; teamId: string }> = {};
  const budgets: Record<string, string> = {};

  beforeAll(async () => {
    redis = await startPrivateRedis();
    store = await openTestStore('embedded');
    upstream = await startFakeUpstream();
    upstream.on({
      method: 'POST',
      path: CHAT,
      reply: {
        kind: 'json',
        body: {
          ...chatCompletion({ model: 'u', content: 'ok' }),
          usage: { prompt_tokens: 30, completion_tokens: 70, total_tokens: 100 },
        },
      },
    });
    const config = { redisUrl: redis.url, redisTimeoutMs: 100 };
    a = await startTestGateway({ store, config });
    await ok(
      a.admin('POST', '/providers', {
        id: 'up',
        type: 'openai-compatible',
        displayName: 'up',
        baseUrl: `${upstream.url}/v1`,
      }),
    );
    await ok(
      a.admin('POST', '/models', {
        id: 'm',
        kind: 'chat',
        deployments: [{ providerId: 'up', upstreamModel: 'u' }],
      }),
    );
    await ok(a.admin('POST', '/prices', { scope: 'model', target: 'm', input: '1000', output: '1000' }));
    for (const name of ['b2', 'b3', 'b3-bucket', 'restart', 'closed', 'open'])
      keys[name] = await a.createKey();
    const budget = async (name: string, extra: Record<string, unknown> = {}) => {
      const created = await ok(
        a.admin<Budget>('POST', '/budgets', {
          name,
          scope: 'key',
          keyId: keys[name]!.id,
          limitUsd: '1.00',
          period: 'day',
          ...extra,
        }),
      );
      budgets[name] = created.id;
    };
    await budget('b2');
    await budget('restart', { limitUsd: '0.60' });
    await budget('closed', { limitUsd: '100', onStoreFailure: 'closed' });
    await budget('open', { limitUsd: '100', onStoreFailure: 'open' });
    await ok(a.admin('PATCH', `/keys/${keys.b3!.id}`, { requestsPerMinute: 600 }));
    await ok(a.admin('PATCH', `/keys/${keys['b3-bucket']!.id}`, { requestsPerMinute: 600 }));
    // The other replicas start on the same store, so they serve the same configuration.
    b = await startTestGateway({ store, config });
    const tokenBucket = { ...config, rateLimitAlgorithm: 'token-bucket' as const };
    tokenBucketA = await startTestGateway({ store, config: tokenBucket });
    tokenBucketB = await startTestGateway({ store, config: tokenBucket });
  }, 60_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await tokenBucketA?.close();
    await tokenBucketB?.close();
    await store?.close();
    await upstream?.close();
    await redis?.stop();
  });

  const spent = async (name: string) => {
    const budget = await ok(a.admin<Budget>('GET', `/budgets/${budgets[name]}`));
    expect(budget.status?.ledger).toBe('redis');
    return Number(budget.status!.spentUsd);
  };

  it('B2: 100 requests split across two replicas admit at most what one budget fits', async () => {
    const secret = keys.b2!.secret;
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, index) => (index % 2 === 0 ? a : b).call('POST', CHAT, body, secret)),
    );
    const admitted = results.filter((result) => result.status === 200).length;
    expect(results.filter((result) => result.status !== 200).every((result) => result.status === 429)).toBe(
      true,
    );
    expect(admitted).toBeLessThanOrEqual(10);
    expect(admitted).toBeGreaterThanOrEqual(8);
    // Both replicas admitted some: the limit is shared, not per replica.
    const byReplica = [0, 1].map(
      (side) => results.filter((result, index) => index % 2 === side && result.status === 200).length,
    );
    expect(byReplica.every((count) => count > 0)).toBe(true);
    expect(await spent('b2')).toBeCloseTo(admitted * 0.1, 9);
    expect(await spent('b2')).toBeLessThanOrEqual(1);
  });

  it('B3: a requests-per-minute limit of 600 admits exactly 600 of 1,000 across both replicas', async () => {
    const secret = keys.b3!.secret;
    const results = [];
    for (let burst = 0; burst < 10; burst++) {
      results.push(
        ...(await Promise.all(
          Array.from({ length: 100 }, (_, index) =>
            (index % 2 === 0 ? a : b).call('POST', CHAT, body, secret),
          ),
        )),
      );
    }
    expect(results.filter((result) => result.status === 200)).toHaveLength(600);
    const limited = results.filter((result) => result.status === 429);
    expect(limited).toHaveLength(400);
    for (const result of limited) {
      expect(result.text).toContain('rate_limit_exceeded');
      const seconds = Number(result.headers['retry-after']);
      expect(Number.isInteger(seconds) && seconds >= 1 && seconds <= 60).toBe(true);
    }
  });

  it('B3: as a token bucket, a requests-per-minute limit of 600 admits 600 plus 10 a second across both replicas', async () => {
    const secret = keys['b3-bucket']!.secret;
    const results = [];
    const started = performance.now();
    for (let burst = 0; burst < 10; burst++) {
      results.push(
        ...(await Promise.all(
          Array.from({ length: 100 }, (_, index) =>
            (index % 2 === 0 ? tokenBucketA : tokenBucketB).call('POST', CHAT, body, secret),
          ),
        )),
      );
    }
    const elapsedS = (performance.now() - started) / 1000;
    const admitted = results.filter((result) => result.status === 200).length;
    process.stdout.write(`B3 token bucket: ${admitted} of 1,000 admitted in ${elapsedS.toFixed(2)} s\n`);
    // The bucket starts full (600) and refills 10 a second, shared by both replicas.
    expect(admitted).toBeGreaterThanOrEqual(600);
    expect(admitted).toBeLessThanOrEqual(600 + 10 * elapsedS);
    const limited = results.filter((result) => result.status === 429);
    expect(limited).toHaveLength(1_000 - admitted);
    for (const result of limited) {
      expect((result.json as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');
      // One request refills every 100 ms: never more than a second to wait.
      expect(result.headers['retry-after']).toBe('1');
    }
  });

  it('B2: after Redis restarts empty, the spend is recovered from usage records and the budget still holds', async () => {
    const secret = keys.restart!.secret;
    for (let index = 0; index < 4; index++)
      expect((await a.call('POST', CHAT, body, secret)).status).toBe(200);
    expect(await spent('restart')).toBeCloseTo(0.4, 9);
    await a.running.usage.drain();
    await b.running.usage.drain();
    await redis.restart();
    // Each replica reconnects and seeds the new, empty ledger from usage_records.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const budget = await ok(a.admin<Budget>('GET', `/budgets/${budgets.restart}`)).catch(() => undefined);
      if (budget?.status && Number(budget.status.spentUsd) >= 0.4) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await spent('restart')).toBeCloseTo(0.4, 9);
    const statuses = [];
    for (let index = 0; index < 4; index++) statuses.push((await b.call('POST', CHAT, body, secret)).status);
    // 0.40 spent of 0.60: one more (reserving about 0.11) fits, the next no longer does.
    expect(statuses).toEqual([200, 429, 429, 429]);
  }, 30_000);

  it('B2: while Redis is frozen, fail-closed budgets answer 503 and fail-open ones admit, both promptly', async () => {
    redis.pause();
    try {
      const timed = async (gateway: TestGateway, secret: string) => {
        const started = performance.now();
        const result = await gateway.call('POST', CHAT, body, secret);
        return { result, ms: performance.now() - started };
      };
      const closed = await Promise.all(
        Array.from({ length: 20 }, (_, i) => timed(i % 2 ? a : b, keys.closed!.secret)),
      );
      const open = await Promise.all(
        Array.from({ length: 20 }, (_, i) => timed(i % 2 ? a : b, keys.open!.secret)),
      );
      for (const { result } of closed) {
        expect(result.status).toBe(503);
        expect(result.text).toContain('limits_unavailable');
      }
      for (const { result } of open) expect(result.status).toBe(200);
      const durations = [...closed, ...open].map((entry) => entry.ms).sort((x, y) => x - y);
      const p99 = durations[Math.ceil(durations.length * 0.99) - 1]!;
      const p50 = durations[durations.length >> 1]!;
      process.stdout.write(
        `B2 while Redis is frozen: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (command timeout 100 ms)\n`,
      );
      // Bounded by the Redis command timeout (100 ms), never waiting for Redis to come back.
      for (const ms of durations) expect(ms).toBeLessThan(3_000);
    } finally {
      redis.resume();
    }
    // Once Redis answers again, what the fail-open requests spent is written into the shared ledger.
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (await spent('open').catch(() => 0)) < 2) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await spent('open')).toBeCloseTo(2, 9);
    // Reserve scripts that timed out on the client but ran when Redis thawed left no reservation behind.
    const reservedOf = async (name: string) =>
      (await ok(a.admin<Budget>('GET', `/budgets/${budgets[name]}`))).status?.reservedUsd;
    while (Date.now() < deadline && (await reservedOf('closed')) !== '0.000000000') {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const closedBudget = await ok(a.admin<Budget>('GET', `/budgets/${budgets.closed}`));
    expect(closedBudget.status).toMatchObject({ spentUsd: '0.000000000', reservedUsd: '0.000000000' });
    const openBudget = await ok(a.admin<Budget>('GET', `/budgets/${budgets.open}`));
    expect(openBudget.status?.reservedUsd).toBe('0.000000000');
  }, 60_000);
});
