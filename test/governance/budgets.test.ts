/**
 * Budgets and per-minute limits through a whole gateway (one replica, in-process ledger): B1 (100 parallel
 * requests against a budget that fits 10), B6 (failed requests release their reservations), token budgets,
 * streams and embeddings metered, alerts, the admin API, and requests-per-minute / tokens-per-minute limits with
 * Retry-After.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { chatCompletion, chatStream, embeddingsResponse, openAIError } from '../harness/openai-fixtures.js';
import { addChatModel, ok, startTestGateway, type TestGateway } from '../support/gateway.js';

const CHAT = '/v1/chat/completions';

interface Budget {
  id: string;
  status: {
    spentUsd: string;
    reservedUsd: string;
    remainingUsd: string | null;
    spentTokens: number;
    reservedTokens: number;
    window: { id: string; end: string | null };
  } | null;
}

describe('budgets and limits (one replica)', () => {
  let gateway: TestGateway;
  let upstream: FakeUpstream;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    gateway = await startTestGateway();
    await addChatModel(gateway, upstream.url);
    await ok(
      gateway.admin('POST', '/models', {
        id: 'e',
        kind: 'embedding',
        dimension: 8,
        deployments: [{ providerId: 'up', upstreamModel: 'emb' }],
      }),
    );
    // $0.001 per token in and out: a request of 30 + 70 tokens costs exactly $0.10.
    await ok(
      gateway.admin('POST', '/prices', { scope: 'model', target: 'm', input: '1000', output: '1000' }),
    );
    await ok(gateway.admin('POST', '/prices', { scope: 'model', target: 'e', input: '1000', output: '0' }));
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  const fixedUsage = { prompt_tokens: 30, completion_tokens: 70, total_tokens: 100 };
  const answerWithFixedUsage = () =>
    upstream.on({
      method: 'POST',
      path: CHAT,
      reply: { kind: 'json', body: { ...chatCompletion({ model: 'u', content: 'ok' }), usage: fixedUsage } },
    });
  // 60-odd characters of body: the prompt estimate (chars / 2) covers the 30 tokens reported.
  const body = { model: 'm', messages: [{ role: 'user', content: 'hello there' }], max_tokens: 70 };

  it('B1: 100 parallel requests against a budget that fits 10 admit at most 10 and never overspend', async () => {
    upstream.reset();
    answerWithFixedUsage();
    const key = await gateway.createKey();
    const budget = await ok(
      gateway.admin<Budget>('POST', '/budgets', {
        name: 'b1',
        scope: 'key',
        keyId: key.id,
        limitUsd: '1.00',
        period: 'month',
        alertAtPercent: 50,
      }),
    );
    const results = await Promise.all(
      Array.from({ length: 100 }, () => gateway.call('POST', CHAT, body, key.secret)),
    );
    const admitted = results.filter((result) => result.status === 200);
    const refused = results.filter((result) => result.status === 429);
    expect(admitted.length + refused.length).toBe(100);
    expect(admitted.length).toBeLessThanOrEqual(10);
    expect(admitted.length).toBeGreaterThanOrEqual(8);
    const error = refused[0]!.json as { error: { code: string; type: string; message: string } };
    expect(error.error.code).toBe('budget_exceeded');
    expect(error.error.message).toContain('`b1`');
    expect(refused[0]!.headers['retry-after']).toMatch(/^\d+$/);
    const after = await ok(gateway.admin<Budget>('GET', `/budgets/${budget.id}`));
    expect(Number(after.status!.spentUsd)).toBeCloseTo(admitted.length * 0.1, 9);
    expect(Number(after.status!.spentUsd)).toBeLessThanOrEqual(1);
    expect(after.status!.reservedUsd).toBe('0.000000000');
    expect(upstream.requests).toHaveLength(admitted.length);
    // The threshold alert (50 %) and the exhausted alert were stored once each.
    await gateway.running.budgets.stop();
    const alerts = await ok(
      gateway.admin<{ data: Array<{ kind: string }> }>('GET', `/budgets/${budget.id}/alerts`),
    );
    expect(alerts.data.map((alert) => alert.kind).sort()).toEqual(['exhausted', 'threshold']);
  });

  it('B6: requests that fail upstream release their reservations (reserved returns to 0)', async () => {
    upstream.reset();
    const key = await gateway.createKey();
    const budget = await ok(
      gateway.admin<Budget>('POST', '/budgets', {
        name: 'b6',
        scope: 'key',
        keyId: key.id,
        limitUsd: '1000',
        period: 'day',
      }),
    );
    const failures = [
      { kind: 'json' as const, status: 500, body: openAIError('boom', 'server_error') },
      { kind: 'json' as const, status: 400, body: openAIError('bad', 'invalid_request_error') },
      { kind: 'reset' as const },
      { kind: 'json' as const, status: 503, body: openAIError('busy', 'server_error') },
    ];
    let index = 0;
    upstream.on({ method: 'POST', path: CHAT, reply: () => failures[index++ % failures.length]! });
    const results = [];
    for (let batch = 0; batch < 40; batch++) {
      results.push(
        ...(await Promise.all(
          Array.from({ length: 25 }, () => gateway.call('POST', CHAT, body, key.secret)),
        )),
      );
    }
    expect(results).toHaveLength(1000);
    expect(
      results.filter((result) => result.status < 400 || result.status === 429).map((r) => r.text),
    ).toEqual([]);
    const after = await ok(gateway.admin<Budget>('GET', `/budgets/${budget.id}`));
    expect(after.status).toMatchObject({
      spentUsd: '0.000000000',
      reservedUsd: '0.000000000',
      reservedTokens: 0,
    });
  });

  it('meters streams and embeddings, and token budgets count prompt + completion tokens', async () => {
    upstream.reset();
    upstream.on({
      method: 'POST',
      path: CHAT,
      reply: { kind: 'sse', events: chatStream({ model: 'u', words: ['a', 'b'], usage: fixedUsage }) },
    });
    upstream.on({
      method: 'POST',
      path: '/v1/embeddings',
      reply: {
        kind: 'json',
        body: embeddingsResponse({
          model: 'emb',
          vectors: [[1, 2, 3, 4, 5, 6, 7, 8]],
          usage: { prompt_tokens: 40, total_tokens: 40 },
        }),
      },
    });
    const key = await gateway.createKey();
    const budget = await ok(
      gateway.admin<Budget>('POST', '/budgets', {
        name: 'tokens',
        scope: 'team',
        teamId: key.teamId,
        limitTokens: 300,
        period: 'lifetime',
      }),
    );
    const stream = await gateway.call(
      'POST',
      CHAT,
      { ...body, stream: true, stream_options: { include_usage: true } },
      key.secret,
    );
    expect(stream.status, stream.text).toBe(200);
    const embedding = await gateway.call('POST', '/v1/embeddings', { model: 'e', input: 'x' }, key.secret);
    expect(embedding.status, embedding.text).toBe(200);
    let status = (await ok(gateway.admin<Budget>('GET', `/budgets/${budget.id}`))).status!;
    expect(status.spentTokens).toBe(140);
    expect(status.spentUsd).toBe('0.140000000');
    expect(status.window.end).toBeNull();
    // 140 spent; a request reserving about 65 + 70 tokens still fits (275 of 300), the next one does not.
    expect(
      (
        await gateway.call(
          'POST',
          CHAT,
          { ...body, stream: true, stream_options: { include_usage: true } },
          key.secret,
        )
      ).status,
    ).toBe(200);
    const refused = await gateway.call('POST', CHAT, { ...body, stream: true }, key.secret);
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('budget_exceeded');
    status = (await ok(gateway.admin<Budget>('GET', `/budgets/${budget.id}`))).status!;
    expect(status.spentTokens).toBe(240);
  });

  it('refuses a budget that is not valid, with the field named', async () => {
    const key = await gateway.createKey();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'x', scope: 'key', keyId: key.id, period: 'day' }, 'limitUsd'],
      [{ name: 'x', scope: 'key', keyId: key.id, period: 'day', limitUsd: '1.5e3' }, 'limitUsd'],
      [
        { name: 'x', scope: 'key', keyId: key.id, period: 'day', limitUsd: '1', timezone: 'Mars/Base' },
        'timezone',
      ],
      [{ name: 'x', scope: 'key', keyId: 'key_nope', period: 'day', limitUsd: '1' }, 'keyId'],
      [{ name: 'x', scope: 'team', keyId: key.id, period: 'day', limitUsd: '1' }, 'teamId'],
      [{ name: 'x', scope: 'key', keyId: key.id, period: 'year', limitUsd: '1' }, 'period'],
    ];
    for (const [input, field] of cases) {
      const result = await gateway.admin('POST', '/budgets', input);
      expect(result.status, JSON.stringify(input)).toBe(400);
      expect(result.headers['content-type']).toContain('application/problem+json');
      expect(result.text).toContain(field);
    }
    const created = await ok(
      gateway.admin<Budget>('POST', '/budgets', {
        name: 'ok',
        scope: 'key',
        keyId: key.id,
        period: 'week',
        limitUsd: '5',
        timezone: 'Europe/Paris',
      }),
    );
    const patched = await ok(
      gateway.admin<Budget & { limitUsd: string }>('PATCH', `/budgets/${created.id}`, { limitUsd: '7.25' }),
    );
    expect(Number(patched.limitUsd)).toBe(7.25);
    expect((await gateway.admin('PATCH', `/budgets/${created.id}`, { limitUsd: null })).status).toBe(400);
    expect((await gateway.admin('DELETE', `/budgets/${created.id}`)).status).toBe(204);
    expect((await gateway.admin('GET', `/budgets/${created.id}`)).status).toBe(404);
  });

  it('limits requests per minute per key with 429 and Retry-After, and per team across its keys', async () => {
    upstream.reset();
    answerWithFixedUsage();
    const key = await gateway.createKey();
    await ok(gateway.admin('PATCH', `/keys/${key.id}`, { requestsPerMinute: 5 }));
    const results = await Promise.all(
      Array.from({ length: 12 }, () => gateway.call('POST', CHAT, body, key.secret)),
    );
    expect(results.filter((result) => result.status === 200)).toHaveLength(5);
    const limited = results.filter((result) => result.status === 429);
    expect(limited).toHaveLength(7);
    for (const result of limited) {
      expect(result.text).toContain('rate_limit_exceeded');
      const seconds = Number(result.headers['retry-after']);
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(seconds).toBeLessThanOrEqual(60);
    }
    // A team limit spans the team's keys.
    const first = await gateway.createKey();
    const team = await ok(
      gateway.admin<{ requestsPerMinute: number }>('PATCH', `/teams/${first.teamId}`, {
        requestsPerMinute: 3,
      }),
    );
    expect(team.requestsPerMinute).toBe(3);
    const second = await ok(
      gateway.admin<{ secret: string }>('POST', '/keys', { name: 'second', teamId: first.teamId }),
    );
    const statuses = [];
    for (const secret of [first.secret, second.secret, first.secret, second.secret]) {
      statuses.push((await gateway.call('POST', CHAT, body, secret)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('limits tokens per minute with the actual tokens of each answer', async () => {
    upstream.reset();
    answerWithFixedUsage();
    const key = await gateway.createKey();
    await ok(gateway.admin('PATCH', `/keys/${key.id}`, { tokensPerMinute: 250 }));
    const statuses = [];
    for (let index = 0; index < 4; index++)
      statuses.push((await gateway.call('POST', CHAT, body, key.secret)).status);
    // 100 tokens each: 0 → 100 → 200 → (200 + estimate > 250) refused.
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});
