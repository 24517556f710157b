/**
 * One usage record per data-plane request, through the spool into `usage_records`: tokens (cached, cache-write
 * and reasoning included) from JSON answers and streams, the serving backend and attempts, errors refused before
 * any upstream, truncated streams; draining is idempotent (a replayed spool adds no rows), and shutdown stores
 * what the last requests wrote. Runs on the embedded store and, when it is there, on PostgreSQL.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageRecords } from '../../src/store/schema.js';
import { chat } from '../dataplane/helpers.js';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { chatCompletion, chatStream, openAIError } from '../harness/openai-fixtures.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { storeKinds } from '../support/stores.js';

const CHAT = '/v1/chat/completions';
/** An amount without the trailing zeros one store keeps and the other drops. */
const usd = (value: string | null) => value?.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '') ?? null;
const usage = {
  prompt_tokens: 120,
  completion_tokens: 30,
  total_tokens: 150,
  prompt_tokens_details: { cached_tokens: 100 },
  completion_tokens_details: { reasoning_tokens: 12 },
};

const kinds = await storeKinds();

describe.each(kinds)('usage records (%s store)', (store) => {
  let gateway: TestGateway;
  let upstream: FakeUpstream;
  let key: { secret: string; id: string; teamId: string };

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    gateway = await startTestGateway({ store, config: { streamIdleTimeoutMs: 300 } });
    await ok(
      gateway.admin('POST', '/providers', {
        id: 'up',
        type: 'openai-compatible',
        displayName: 'up',
        baseUrl: `${upstream.url}/v1`,
      }),
    );
    await ok(
      gateway.admin('POST', '/models', {
        id: 'm',
        kind: 'chat',
        deployments: [
          { providerId: 'up', upstreamModel: 'u', priority: 0 },
          { providerId: 'up', upstreamModel: 'u2', priority: 1 },
        ],
      }),
    );
    key = await gateway.createKey();
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  const rows = async () => {
    await gateway.running.usage.drain();
    return gateway.store.db.select().from(usageRecords);
  };
  const rowFor = async (requestId: string) => {
    const found = (await rows()).filter((row) => row.requestId === requestId);
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const send = (id: string, body: Record<string, unknown>) =>
    gateway.call('POST', CHAT, body, key.secret, { 'x-request-id': id });

  it('records a JSON answer with every kind of token, the backend and the attempts', async () => {
    upstream.enqueue(
      'POST',
      CHAT,
      { kind: 'json', status: 503, body: openAIError('busy', 'server_error') },
      { kind: 'json', body: { ...chatCompletion({ model: 'u', content: 'hi' }), usage } },
    );
    expect((await send('json-1', chat('m'))).status).toBe(200);
    const row = await rowFor('json-1');
    expect(row).toMatchObject({
      keyId: key.id,
      teamId: key.teamId,
      environment: 'production',
      endpoint: 'chat',
      requestedModel: 'm',
      model: 'm',
      backend: 'up/u2',
      providerId: 'up',
      status: 200,
      outcome: 'complete',
      stream: false,
      promptTokens: 120,
      completionTokens: 30,
      cachedTokens: 100,
      reasoningTokens: 12,
      errorCode: null,
    });
    expect(row.attempts).toEqual([
      { backend: 'up/u', outcome: 'http-error', status: 503 },
      { backend: 'up/u2', outcome: 'success', status: 200 },
    ]);
    expect(row.latencyMs).toBeGreaterThanOrEqual(0);
    expect(row.firstByteMs).toBeGreaterThanOrEqual(0);
  });

  it('records a stream with the usage of its last chunk', async () => {
    upstream.enqueue('POST', CHAT, {
      kind: 'sse',
      events: chatStream({ model: 'u', words: ['a', ' b'], usage: { ...usage, completion_tokens: 2 } }),
    });
    const answer = await send(
      'stream-1',
      chat('m', 'hi', { stream: true, stream_options: { include_usage: true } }),
    );
    expect(answer.text).toContain('[DONE]');
    expect(await rowFor('stream-1')).toMatchObject({
      stream: true,
      outcome: 'complete',
      completionTokens: 2,
    });
  });

  it('records a stream cut after content as truncated, and a request refused before any upstream', async () => {
    upstream.enqueue('POST', CHAT, {
      kind: 'sse',
      events: chatStream({ model: 'u', words: ['a', ' b', ' c'] }),
      afterEvents: 2,
      end: 'stall',
    });
    await send('cut-1', chat('m', 'hi', { stream: true }));
    expect(await rowFor('cut-1')).toMatchObject({ outcome: 'truncated', status: 200, backend: 'up/u' });

    expect((await send('unknown-1', chat('nope'))).status).toBe(404);
    expect(await rowFor('unknown-1')).toMatchObject({
      outcome: 'error',
      status: 404,
      errorCode: 'model_not_found',
      backend: null,
      keyId: key.id,
    });
  });

  it('prices a row with cached tokens right to the micro-dollar, warns when unpriced, and re-prices on request', async () => {
    // Unpriced first: the row says why, never $0.
    upstream.enqueue('POST', CHAT, {
      kind: 'json',
      body: { ...chatCompletion({ model: 'u', content: 'x' }), usage },
    });
    await send('unpriced-1', chat('m'));
    const unpriced = await rowFor('unpriced-1');
    expect(unpriced.costUsd).toBeNull();
    expect(unpriced.priceWarning).toContain('No price for up/u');

    await ok(
      gateway.admin('POST', '/prices', {
        scope: 'model',
        target: 'm',
        input: '2.50',
        cachedInput: '1.25',
        output: '10.00',
        reasoning: '12.00',
      }),
    );
    upstream.enqueue('POST', CHAT, {
      kind: 'json',
      body: { ...chatCompletion({ model: 'u', content: 'x' }), usage },
    });
    await send('priced-1', chat('m'));
    // 120 prompt tokens, 100 cached; 30 completion tokens, 12 reasoning:
    //   20 × 2.50 + 100 × 1.25 + 18 × 10.00 + 12 × 12.00 = 50 + 125 + 180 + 144 = 499 µUSD = 0.000499 USD
    expect(usd((await rowFor('priced-1')).costUsd)).toBe('0.000499');

    // From now on a deployment price (a regional contract) wins over the model price:
    //   120 × 5 + 30 × 20 = 1,200 µUSD (no cache or reasoning price: input and output apply).
    await ok(
      gateway.admin('POST', '/prices', {
        scope: 'deployment',
        target: 'up/u',
        effectiveFrom: new Date().toISOString(),
        input: '5',
        output: '20',
      }),
    );
    upstream.enqueue('POST', CHAT, {
      kind: 'json',
      body: { ...chatCompletion({ model: 'u', content: 'x' }), usage },
    });
    await send('priced-2', chat('m'));
    expect(usd((await rowFor('priced-2')).costUsd)).toBe('0.0012');

    const refused = await gateway.admin('POST', '/prices', {
      scope: 'model',
      target: 'm',
      input: '1e-6',
      output: '1',
    });
    expect(refused.status).toBe(400);

    const repriced = await ok(
      gateway.admin<{ repriced: number }>('POST', '/prices/reprice', {
        from: '2000-01-01T00:00:00Z',
        to: '2100-01-01T00:00:00Z',
      }),
    );
    expect(repriced.repriced).toBeGreaterThan(0);
    const before = await rowFor('unpriced-1');
    expect(usd(before.costUsd)).toBe('0.000499');
    expect(before.priceWarning).toBeNull();
  });

  it('prices a request to an alias as the version that served it', async () => {
    await ok(
      gateway.admin('POST', '/models', {
        id: 'm-2026-04',
        kind: 'chat',
        deployments: [{ providerId: 'up', upstreamModel: 'u3' }],
      }),
    );
    await ok(gateway.admin('POST', '/aliases', { id: 'm-latest', modelId: 'm-2026-04' }));
    await ok(
      gateway.admin('POST', '/prices', { scope: 'model', target: 'm-2026-04', input: '3', output: '15' }),
    );
    upstream.enqueue('POST', CHAT, {
      kind: 'json',
      body: {
        ...chatCompletion({ model: 'u3', content: 'x' }),
        usage: { prompt_tokens: 100, completion_tokens: 20 },
      },
    });
    await send('alias-priced', chat('m-latest'));
    const row = await rowFor('alias-priced');
    expect(row.modelVersion).toBe('m-2026-04');
    // 100 × 3 + 20 × 15 = 600 µUSD
    expect(usd(row.costUsd)).toBe('0.0006');
    expect(row.priceWarning).toBeNull();
  });

  it('stores each record once, even when the spool is read again from the start', async () => {
    const before = (await rows()).length;
    // Forget the checkpoint: the whole spool is read again, and nothing is stored twice.
    writeFileSync(
      join(gateway.running.usage.dir, 'checkpoint.json'),
      JSON.stringify({ file: '', offset: 0 }),
    );
    expect((await rows()).length).toBe(before);
    const ids = (await rows()).map((row) => row.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
