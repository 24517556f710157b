/**
 * Per-minute limits as token buckets (`JUNCTION_RATE_LIMIT_ALGORITHM=token-bucket`). Through a whole gateway
 * counting in its own process: a burst of one minute's worth, then 429 with a Retry-After after which the next
 * request fits; an answer that used more tokens than estimated leaves a debt that later requests wait out. And
 * the Redis script itself on a private redis-server: two clients share one bucket atomically, a bucket's key
 * vanishes once full, and the failure policies (`open` counts in the process, `closed` refuses) while Redis is
 * frozen.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimits } from '../../src/limits/rate-limits.js';
import { connectRedis, whenReady } from '../../src/limits/redis.js';
import { type LimitRef, RedisTokenBuckets } from '../../src/limits/token-bucket.js';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { chatCompletion } from '../harness/openai-fixtures.js';
import { addChatModel, ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { type PrivateRedis, redisUnavailableReason, startPrivateRedis } from '../support/redis.js';

const CHAT = '/v1/chat/completions';

describe('token-bucket limits (one replica, in-process buckets)', () => {
  let gateway: TestGateway;
  let upstream: FakeUpstream;
  // 82 characters of body: an estimate of 41 prompt tokens; every answer reports 100 tokens.
  const body = { model: 'm', messages: [{ role: 'user', content: 'hello there' }], max_tokens: 70 };

  beforeAll(async () => {
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
    gateway = await startTestGateway({ config: { rateLimitAlgorithm: 'token-bucket' } });
    await addChatModel(gateway, upstream.url);
  });

  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  it('admits a burst of one minute of requests, then one more once Retry-After has passed', async () => {
    const key = await gateway.createKey();
    await ok(gateway.admin('PATCH', `/keys/${key.id}`, { requestsPerMinute: 60 }));
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 80 }, () => gateway.call('POST', CHAT, body, key.secret)),
    );
    const elapsedS = (performance.now() - started) / 1000;
    // Plus one request a second refilled meanwhile.
    const admitted = results.filter((result) => result.status === 200).length;
    expect(admitted).toBeGreaterThanOrEqual(60);
    expect(admitted).toBeLessThanOrEqual(60 + elapsedS);
    const limited = results.filter((result) => result.status === 429);
    expect(limited).toHaveLength(80 - admitted);
    for (const result of limited) {
      expect((result.json as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');
      expect(result.headers['retry-after']).toBe('1');
    }
    let refused = await gateway.call('POST', CHAT, body, key.secret);
    while (refused.status === 200) refused = await gateway.call('POST', CHAT, body, key.secret);
    expect(refused.status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, Number(refused.headers['retry-after']) * 1000));
    expect((await gateway.call('POST', CHAT, body, key.secret)).status).toBe(200);
  });

  it('lets an answer that used more tokens than estimated drive the bucket into debt', async () => {
    const key = await gateway.createKey();
    await ok(gateway.admin('PATCH', `/keys/${key.id}`, { tokensPerMinute: 250 }));
    const statuses = [];
    for (let index = 0; index < 3; index++)
      statuses.push((await gateway.call('POST', CHAT, body, key.secret)).status);
    // 250 → 150 → 50 → (41 estimated fit) 50 - 100 = -50: a debt of 50 tokens.
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await gateway.call('POST', CHAT, body, key.secret);
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('rate_limit_exceeded');
    // 50 + 41 tokens at 250 a minute: 21.84 s, less what refilled since.
    const seconds = Number(refused.headers['retry-after']);
    expect(seconds).toBeGreaterThanOrEqual(20);
    expect(seconds).toBeLessThanOrEqual(22);
  });
});

const skipReason = redisUnavailableReason();
if (skipReason) process.stdout.write(`[skip] token-bucket Redis suite: ${skipReason}\n`);

describe.skipIf(skipReason !== undefined)('token buckets in Redis', () => {
  let redis: PrivateRedis;
  const clients: Redis[] = [];

  const client = async (commandTimeoutMs: number) => {
    const connection = connectRedis({ url: redis.url, commandTimeoutMs });
    clients.push(connection);
    expect(await whenReady(connection, 3_000)).toBe(true);
    return connection;
  };

  beforeAll(async () => {
    redis = await startPrivateRedis();
  });

  afterAll(async () => {
    for (const connection of clients) connection.disconnect();
    await redis?.stop();
  });

  it('shares one bucket between two clients: concurrent consumes admit the capacity plus the refill', async () => {
    const first = new RedisTokenBuckets(await client(2_000));
    const second = new RedisTokenBuckets(await client(2_000));
    // 100 a minute: one more point every 600 ms.
    const ref: LimitRef = { kind: 'rpm', subject: 'key:shared', limit: 100 };
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, index) => (index % 2 === 0 ? first : second).consume(ref, 1)),
    );
    const elapsedMs = performance.now() - started;
    const admitted = results.filter((result) => result.ok).length;
    expect(admitted).toBeGreaterThanOrEqual(100);
    expect(admitted).toBeLessThanOrEqual(100 + Math.floor(elapsedMs / 600));
    for (const result of results) {
      if (!result.ok) {
        expect(result.retryAfterMs).toBeGreaterThanOrEqual(1);
        expect(result.retryAfterMs).toBeLessThanOrEqual(600);
      }
    }
  });

  it('goes into debt after a penalty, gives back never above the capacity, and drops the key once full', async () => {
    const connection = await client(2_000);
    const buckets = new RedisTokenBuckets(connection);
    const ref: LimitRef = { kind: 'tpm', subject: 'team:debt', limit: 6_000 };
    const key = RedisTokenBuckets.keyOf(ref);
    expect(await buckets.consume(ref, 6_000)).toEqual({ ok: true });
    // Empty: it expires once it would be full again, a minute from now.
    const ttl = await connection.pttl(key);
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await buckets.penalize(ref, 2_000);
    // 100 tokens a second: the 2,000 owed and then 500 take 25 s (less the milliseconds since).
    const refused = await buckets.consume(ref, 500);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.retryAfterMs).toBeGreaterThan(24_000);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(25_000);
    }
    expect(await connection.pttl(key)).toBeGreaterThan(79_000);
    await buckets.giveBack(ref, 1_000_000);
    expect(await connection.exists(key)).toBe(0);
    expect(await buckets.consume(ref, 6_000)).toEqual({ ok: true });
    expect((await buckets.consume(ref, 100)).ok).toBe(false);
  });

  it('while Redis is frozen, `open` counts in this process and `closed` refuses, both promptly', async () => {
    const warnings: string[] = [];
    const warn = (message: string) => warnings.push(message);
    const open = new RateLimits({
      redis: await client(100),
      onFailure: 'open',
      algorithm: 'token-bucket',
      warn,
    });
    const closed = new RateLimits({
      redis: await client(100),
      onFailure: 'closed',
      algorithm: 'token-bucket',
      warn,
    });
    const check = { subject: 'key:frozen', kind: 'rpm' as const, limit: 3, points: 1 };
    redis.pause();
    try {
      const started = performance.now();
      const opened = [];
      for (let index = 0; index < 5; index++) opened.push(await open.take([check]));
      expect(opened.map((outcome) => outcome.ok)).toEqual([true, true, true, false, false]);
      expect(opened[4]).toMatchObject({ ok: false, reason: 'limited', check: { subject: 'key:frozen' } });
      expect(await closed.take([check])).toEqual({ ok: false, reason: 'unavailable' });
      // Six commands, each bounded by the 100 ms command timeout.
      expect(performance.now() - started).toBeLessThan(3_000);
      expect(warnings).toContain(
        'the rate-limit store (Redis) cannot be reached; counting in this process meanwhile',
      );
      expect(warnings).toContain('the rate-limit store (Redis) cannot be reached');
    } finally {
      redis.resume();
    }
  });
});
