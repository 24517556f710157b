/**
 * Test plan S9: every stream gets a usage record with token counts. OpenAI-speaking upstreams are asked for the
 * final usage chunk (`stream_options.include_usage`) whether or not the client asked; a client that did not ask
 * never sees it. When the provider reports no usage (it ignores include_usage, or the stream is cut or cancelled
 * before the usage chunk) the record holds an estimate from the request's text and the generated text delivered
 * (4 characters a token, rounded up) and is flagged `usage_estimated`; the flag is set on exactly those records.
 * Translated providers (Anthropic) report exact counts from their own events. Runs through a real in-process
 * gateway and the fake upstreams, reading the rows the drainer stored, on the embedded store and, when it is
 * there, on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatCompletionChunk } from '../../src/core/wire/openai.js';
import { usageRecords } from '../../src/store/schema.js';
import { chat, sseData, streamRequest } from '../dataplane/helpers.js';
import {
  anthropicMessage,
  anthropicRoute,
  anthropicSseReply,
  anthropicStreamEvents,
} from '../harness/anthropic-protocol.js';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { chatCompletion, chatStream } from '../harness/openai-fixtures.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { storeKinds } from '../support/stores.js';

const CHAT = '/v1/chat/completions';
const ANTHROPIC_KEY = 'sk-ant-usage-test-0000000000';
const kinds = await storeKinds();

/** The text content a client received in a stream. */
function deliveredText(text: string): string {
  return chunksOf(text)
    .map((chunk) => chunk.choices[0]?.delta.content ?? '')
    .join('');
}

/** The chunks of a client's stream (without `[DONE]` and error events). */
function chunksOf(text: string): ChatCompletionChunk[] {
  return sseData(text)
    .filter((data) => data !== '[DONE]')
    .map((data) => JSON.parse(data) as ChatCompletionChunk & { error?: unknown })
    .filter((chunk) => chunk.error === undefined);
}

describe.each(kinds)('stream usage records (%s store)', (store) => {
  let gateway: TestGateway;
  let upstream: FakeUpstream;
  let key: string;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    upstream.on(anthropicRoute({ apiKey: ANTHROPIC_KEY }));
    gateway = await startTestGateway({ store, config: { streamIdleTimeoutMs: 1_000 } });
    await ok(
      gateway.admin('POST', '/providers', {
        id: 'oai',
        type: 'openai-compatible',
        displayName: 'oai',
        baseUrl: `${upstream.url}/v1`,
      }),
    );
    await ok(
      gateway.admin('POST', '/providers', {
        id: 'ant',
        type: 'anthropic',
        displayName: 'ant',
        baseUrl: `${upstream.url}/v1`,
        apiKey: ANTHROPIC_KEY,
      }),
    );
    await ok(
      gateway.admin('POST', '/models', {
        id: 'm',
        kind: 'chat',
        deployments: [{ providerId: 'oai', upstreamModel: 'u' }],
      }),
    );
    await ok(
      gateway.admin('POST', '/models', {
        id: 'claude',
        kind: 'chat',
        deployments: [{ providerId: 'ant', upstreamModel: 'claude-sonnet-4-5' }],
      }),
    );
    await ok(
      gateway.admin('POST', '/models', {
        id: 'vectors',
        kind: 'embedding',
        dimension: 3,
        deployments: [{ providerId: 'oai', upstreamModel: 'e' }],
      }),
    );
    key = (await gateway.createKey()).secret;
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
  const send = (id: string, body: Record<string, unknown>, path = CHAT) =>
    gateway.call('POST', path, body, key, { 'x-request-id': id });
  /** The body the fake received last, parsed. */
  const lastUpstreamBody = () => upstream.requests.at(-1)?.json as Record<string, unknown>;

  it('(a) relays the usage chunk to a client that asked for it; the row has the exact counts', async () => {
    const body = chat('m', 'one two three', { stream: true, stream_options: { include_usage: true } });
    const answer = await send('s9-a', body);
    expect(answer.status).toBe(200);
    // The client's bytes went upstream unchanged (only the model name patched).
    expect(upstream.requests.at(-1)?.body).toBe(JSON.stringify({ ...body, model: 'u' }));
    const chunks = chunksOf(answer.text);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    // The fake counts a word a token: 3 prompt words, 3 pieces (`fake:one`, ` two`, ` three`).
    expect(last.usage).toEqual({ prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 });
    expect(await rowFor('s9-a')).toMatchObject({
      stream: true,
      outcome: 'complete',
      promptTokens: 3,
      completionTokens: 3,
      usageEstimated: false,
    });
  });

  it('(b) asks upstream for usage when the client did not, strips it from the client, and records it exactly', async () => {
    const answer = await send('s9-b', chat('m', 'one two three four', { stream: true }));
    expect(answer.status).toBe(200);
    expect(lastUpstreamBody().stream_options).toEqual({ include_usage: true });
    expect(answer.text).toContain('data: [DONE]');
    const chunks = chunksOf(answer.text);
    // No usage-only chunk, and no `usage: null` the client did not ask for.
    expect(chunks.every((chunk) => chunk.choices.length > 0)).toBe(true);
    expect(answer.text).not.toContain('"usage"');
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(
      'fake:one two three four',
    );
    expect(await rowFor('s9-b')).toMatchObject({
      outcome: 'complete',
      promptTokens: 4,
      completionTokens: 4,
      usageEstimated: false,
    });
  });

  it('keeps the client stream_options it had, setting include_usage upstream only', async () => {
    await send('s9-b2', chat('m', 'x', { stream: true, stream_options: { include_usage: false } }));
    expect(lastUpstreamBody().stream_options).toEqual({ include_usage: true });
    expect(await rowFor('s9-b2')).toMatchObject({ usageEstimated: false, completionTokens: 1 });
  });

  it('(c) estimates and flags the usage of a stream whose upstream reports none', async () => {
    // An upstream that ignores include_usage: 23 characters generated → 6 tokens; 'hello there' → 3 tokens.
    upstream.enqueue('POST', CHAT, {
      kind: 'sse',
      events: chatStream({ model: 'u', words: ['The answer', ' is forty', '-two'] }),
    });
    const answer = await send('s9-c', chat('m', 'hello there', { stream: true }));
    expect(answer.text).toContain('data: [DONE]');
    expect(await rowFor('s9-c')).toMatchObject({
      outcome: 'complete',
      promptTokens: 3,
      completionTokens: 6,
      usageEstimated: true,
    });
  });

  it('(c) counts at least one token per message and the tool-call arguments delivered', async () => {
    const call = (args: string, opening?: { id: string; name: string }) => ({
      id: 'c',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'u',
      choices: [
        {
          index: 0,
          delta: {
            tool_calls: [
              opening
                ? {
                    index: 0,
                    id: opening.id,
                    type: 'function',
                    function: { name: opening.name, arguments: args },
                  }
                : { index: 0, function: { arguments: args } },
            ],
          },
          finish_reason: null,
        },
      ],
    });
    upstream.enqueue('POST', CHAT, {
      kind: 'sse',
      events: [
        call('', { id: 'call_1', name: 'get_weather' }),
        call('{"city":'),
        call('"Oslo"}'),
        { ...call(''), choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
      ],
    });
    const messages = [
      { role: 'system', content: '' },
      { role: 'user', content: 'weather in Oslo?' },
    ];
    await send('s9-c2', { model: 'm', messages, stream: true });
    // Prompt: 1 (empty message) + ceil(16 / 4) = 5; completion: ceil(15 / 4) = 4 (the name is not generated text).
    expect(await rowFor('s9-c2')).toMatchObject({
      promptTokens: 5,
      completionTokens: 4,
      usageEstimated: true,
    });
  });

  it('(d) records the tokens actually delivered when the upstream breaks the connection mid-stream', async () => {
    upstream.enqueue('POST', CHAT, {
      kind: 'sse',
      events: chatStream({
        model: 'u',
        words: ['one', ' two', ' three', ' four'],
        usage: { prompt_tokens: 1, completion_tokens: 4, total_tokens: 5 },
      }),
      // Role chunk, 'one', ' two', then an RST: neither the rest nor the usage chunk ever comes.
      afterEvents: 3,
      end: 'reset',
      intervalMs: 20,
    });
    const answer = await send('s9-d', chat('m', 'hi', { stream: true }));
    const data = sseData(answer.text);
    expect(data).not.toContain('[DONE]');
    expect(JSON.parse(data.at(-1)!)).toMatchObject({ error: { code: 'stream_interrupted' } });
    // 'one two' (7 characters, 2 tokens), or 'one' when the reset overtook the last event.
    const delivered = deliveredText(answer.text);
    expect(['one', 'one two']).toContain(delivered);
    expect(await rowFor('s9-d')).toMatchObject({
      outcome: 'truncated',
      status: 200,
      promptTokens: 1,
      completionTokens: Math.ceil(delivered.length / 4),
      usageEstimated: true,
    });
  });

  it('(d) records what was delivered to a client that hung up mid-stream', async () => {
    upstream.enqueue('POST', CHAT, {
      kind: 'sse',
      events: chatStream({ model: 'u', words: ['alpha', ' beta', ' gamma', ' delta', ' epsilon'] }),
      intervalMs: 100,
    });
    const result = await streamRequest(gateway.url, {
      key,
      body: chat('m', 'hi', { stream: true }),
      abortAfterEvents: 3,
    });
    expect(result.outcome).toBe('aborted');
    // The record is written once the gateway has seen the client go.
    let row: Awaited<ReturnType<typeof rows>>[number] | undefined;
    const deadline = Date.now() + 3_000;
    while (Date.now() < deadline) {
      row = (await rows()).find(
        (candidate) => candidate.outcome === 'client_cancelled' && candidate.requestedModel === 'm',
      );
      if (row) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(row).toMatchObject({ outcome: 'client_cancelled', promptTokens: 1, usageEstimated: true });
    // At least 'alpha beta' was translated for the client, and never the whole answer.
    expect(row!.completionTokens).toBeGreaterThanOrEqual(3);
    expect(row!.completionTokens).toBeLessThan(8);
  });

  it('(e) records the exact counts of an Anthropic stream, with a usage chunk only for a client that asked', async () => {
    const asked = await send(
      's9-e1',
      chat('claude', 'one two three', { stream: true, stream_options: { include_usage: true } }),
    );
    const askedChunks = chunksOf(asked.text);
    expect(askedChunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 },
    });
    const plain = await send('s9-e2', chat('claude', 'one two three', { stream: true }));
    expect(plain.text).toContain('data: [DONE]');
    expect(plain.text).not.toContain('"usage"');
    for (const id of ['s9-e1', 's9-e2']) {
      expect(await rowFor(id)).toMatchObject({
        outcome: 'complete',
        promptTokens: 3,
        completionTokens: 3,
        usageEstimated: false,
      });
    }
  });

  it("(e) keeps Anthropic's prompt count and estimates the completion delivered when its stream is cut", async () => {
    const message = anthropicMessage({
      content: [{ type: 'text', text: 'one two three four five' }],
      usage: { input_tokens: 12, output_tokens: 40 },
    });
    // message_start (input 12, a placeholder output count of 1), block start, 'one', ' two', then an RST (which
    // may overtake ' two').
    upstream.enqueue(
      'POST',
      /\/messages$/,
      anthropicSseReply(anthropicStreamEvents(message), { afterEvents: 4, end: 'reset', intervalMs: 20 }),
    );
    const answer = await send('s9-e3', chat('claude', 'hi', { stream: true }));
    const delivered = deliveredText(answer.text);
    expect(['one', 'one two']).toContain(delivered);
    expect(await rowFor('s9-e3')).toMatchObject({
      outcome: 'truncated',
      promptTokens: 12,
      completionTokens: Math.max(1, Math.ceil(delivered.length / 4)),
      usageEstimated: true,
    });
  });

  it('estimates and flags JSON answers and embeddings without usage, and not those with it', async () => {
    upstream.enqueue('POST', CHAT, { kind: 'json', body: chatCompletion({ model: 'u', content: '12345' }) });
    expect((await send('s9-json', chat('m', 'abcdefgh'))).status).toBe(200);
    expect(await rowFor('s9-json')).toMatchObject({
      stream: false,
      promptTokens: 2,
      completionTokens: 2,
      usageEstimated: true,
    });

    expect((await send('s9-json-exact', chat('m', 'one two'))).status).toBe(200);
    expect(await rowFor('s9-json-exact')).toMatchObject({ promptTokens: 2, usageEstimated: false });

    upstream.enqueue('POST', '/v1/embeddings', {
      kind: 'json',
      body: {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding: [0.6, 0.8, 0] }],
        model: 'e',
      },
    });
    const embedded = await send(
      's9-embed',
      { model: 'vectors', input: 'seventeen letters' },
      '/v1/embeddings',
    );
    expect(embedded.status).toBe(200);
    expect(await rowFor('s9-embed')).toMatchObject({
      endpoint: 'embeddings',
      promptTokens: 5,
      usageEstimated: true,
    });
  });

  it('sets the flag on exactly the records without provider usage', async () => {
    const all = (await rows()).filter(
      (row) => row.requestId.startsWith('s9-') || row.outcome === 'client_cancelled',
    );
    const estimated = all
      .filter((row) => row.usageEstimated)
      .map((row) => row.requestId)
      .sort();
    expect(all.every((row) => row.promptTokens !== null)).toBe(true);
    expect(estimated.filter((id) => id.startsWith('s9-'))).toEqual([
      's9-c',
      's9-c2',
      's9-d',
      's9-e3',
      's9-embed',
      's9-json',
    ]);
  });
});
