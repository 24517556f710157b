import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatCompletion, ChatCompletionChunk, EmbeddingsResponse } from '../../src/core/wire/openai.js';
import { type FakeUpstream, startFakeUpstream } from './fake-upstream.js';
import { agent, call, fetchText, readUntilQuiet, sseData } from './fake-upstream-test-client.js';
import { chatCompletion, chatStream, usage } from './openai-fixtures.js';

let upstream: FakeUpstream;

beforeEach(async () => {
  upstream = await startFakeUpstream();
});
afterEach(async () => {
  await upstream.close();
});
afterAll(async () => {
  await agent.destroy();
});

const chatBody = (extra: Record<string, unknown> = {}) => ({
  model: 'gpt-test',
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: 'hello big world' },
  ],
  ...extra,
});

describe('routes', () => {
  it('prefers routes added later and filters by method and path', async () => {
    upstream
      .on({ path: '/v1/thing', reply: { kind: 'json', body: { from: 'first' } } })
      .on({ path: '/v1/thing', reply: { kind: 'json', body: { from: 'second' } } })
      .on({ method: 'get', path: '/v1/thing', reply: { kind: 'json', body: { from: 'get-only' } } })
      .on({ path: /^\/v2\/items\/\d+$/, reply: { kind: 'text', status: 201, body: 'regex' } });

    expect(JSON.parse((await fetchText(upstream, '/v1/thing', { body: {} })).text)).toEqual({
      from: 'second',
    });
    expect(JSON.parse((await fetchText(upstream, '/v1/thing')).text)).toEqual({ from: 'get-only' });
    // A string path matches the pathname even when a query string is present.
    expect(JSON.parse((await fetchText(upstream, '/v1/thing?x=1', { body: {} })).text)).toEqual({
      from: 'second',
    });
    const regex = await fetchText(upstream, '/v2/items/42?y=2');
    expect(regex).toMatchObject({ status: 201, text: 'regex' });
    expect(regex.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('computes replies from the request, applies custom headers, and runs handlers', async () => {
    upstream
      .on({
        path: '/echo',
        reply: (request) => ({ kind: 'json', headers: { 'X-Seen': request.method }, body: request.json }),
      })
      .on({
        path: '/handler',
        reply: {
          kind: 'handler',
          handle: (_request, response) => {
            response.writeHead(202, { 'content-type': 'text/plain' });
            response.end('handled');
          },
        },
      });
    const echoed = await fetchText(upstream, '/echo', { body: { a: 1 } });
    expect(echoed.headers['x-seen']).toBe('POST');
    expect(JSON.parse(echoed.text)).toEqual({ a: 1 });
    expect(await fetchText(upstream, '/handler')).toMatchObject({ status: 202, text: 'handled' });
  });

  it('retires a route after `times` uses and falls back to the one below', async () => {
    upstream
      .on({ path: '/r', reply: { kind: 'text', body: 'base' } })
      .on({ path: '/r', times: 2, reply: { kind: 'text', body: 'limited' } });
    const texts = [];
    for (let i = 0; i < 3; i++) texts.push((await fetchText(upstream, '/r')).text);
    expect(texts).toEqual(['limited', 'limited', 'base']);
  });

  it('serves enqueued replies in order, appending to an existing queue, then falls back to defaults', async () => {
    upstream
      .enqueue('POST', '/v1/chat/completions', { kind: 'text', body: 'one' }, { kind: 'text', body: 'two' })
      .enqueue('post', '/v1/chat/completions', { kind: 'text', body: 'three' });
    const texts = [];
    for (let i = 0; i < 3; i++)
      texts.push((await fetchText(upstream, '/v1/chat/completions', { body: {} })).text);
    expect(texts).toEqual(['one', 'two', 'three']);
    const fallback = await fetchText(upstream, '/v1/chat/completions', { body: chatBody() });
    expect((JSON.parse(fallback.text) as ChatCompletion).object).toBe('chat.completion');
  });

  it('answers unmatched requests with a 404 OpenAI error, also when defaults are off', async () => {
    const unknown = await fetchText(upstream, '/v1/nope', { body: {} });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text)).toMatchObject({ error: { type: 'invalid_request_error' } });

    const bare = await startFakeUpstream({ defaultReplies: false });
    try {
      const chat = await fetchText(bare, '/v1/chat/completions', { body: chatBody() });
      expect(chat.status).toBe(404);
      expect(JSON.parse(chat.text).error.message).toContain('no route matches');
    } finally {
      await bare.close();
    }
  });
});

describe('recording', () => {
  it('records method, path with query, headers, raw body and parsed json', async () => {
    await fetchText(upstream, '/v1/embeddings?api-version=1', {
      body: { model: 'm', input: 'x' },
      headers: { Authorization: 'Bearer sk-test', 'X-Custom': 'yes' },
    });
    await fetchText(upstream, '/plain', { method: 'PUT', headers: { 'content-type': 'text/plain' } });
    const [first, second] = await upstream.waitForRequests(2);
    expect(first).toMatchObject({
      method: 'POST',
      path: '/v1/embeddings?api-version=1',
      body: '{"model":"m","input":"x"}',
      json: { model: 'm', input: 'x' },
    });
    expect(first?.headers.authorization).toBe('Bearer sk-test');
    expect(first?.headers['x-custom']).toBe('yes');
    expect(first?.receivedAt).toBeGreaterThan(0);
    expect(second).toMatchObject({ method: 'PUT', body: '', json: undefined });
  });

  it('waitForRequests rejects with what it saw when the count is not reached; reset forgets everything', async () => {
    upstream.on({ path: '/x', reply: { kind: 'text', body: 'routed' } });
    await fetchText(upstream, '/x');
    await expect(upstream.waitForRequests(2, 30)).rejects.toThrow(/GET \/x/);
    upstream.reset();
    expect(upstream.requests).toHaveLength(0);
    expect((await fetchText(upstream, '/x')).status).toBe(404);
  });

  it('clientAborted is false after a completed reply and true when the client hangs up mid-stream', async () => {
    await fetchText(upstream, '/v1/models');
    upstream.on({ path: '/slow', reply: { kind: 'sse', events: [{ n: 1 }, { n: 2 }], intervalMs: 5_000 } });
    const controller = new AbortController();
    const response = await call(upstream, '/slow', { signal: controller.signal });
    const firstEvent = await readUntilQuiet(response.body, 100);
    expect(sseData(firstEvent.text)).toEqual([{ n: 1 }]);
    controller.abort();
    const [completed, aborted] = await upstream.waitForRequests(2);
    expect(await completed?.clientAborted).toBe(false);
    expect(await aborted?.clientAborted).toBe(true);
  });
});

describe('default OpenAI replies', () => {
  it('answers a chat completion with fake: + the last user message, echoing the model', async () => {
    const { status, text } = await fetchText(upstream, '/v1/chat/completions', { body: chatBody() });
    expect(status).toBe(200);
    const completion = JSON.parse(text) as ChatCompletion;
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-test',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'fake:hello big world' }, finish_reason: 'stop' },
      ],
    });
    const { prompt_tokens, completion_tokens, total_tokens } = completion.usage ?? usage(0, 0);
    expect(prompt_tokens).toBeGreaterThan(0);
    expect(completion_tokens).toBeGreaterThan(0);
    expect(total_tokens).toBe(prompt_tokens + completion_tokens);
  });

  it('streams role, content, finish, usage (when asked) and [DONE]', async () => {
    const withUsage = await fetchText(upstream, '/v1/chat/completions', {
      body: chatBody({ stream: true, stream_options: { include_usage: true } }),
    });
    expect(withUsage.headers['content-type']).toBe('text/event-stream');
    expect(withUsage.headers['cache-control']).toBe('no-cache');
    const events = sseData(withUsage.text);
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1) as ChatCompletionChunk[];
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.every((chunk) => chunk.model === 'gpt-test')).toBe(true);
    const content = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(content).toBe('fake:hello big world');
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: expect.any(Number) } });

    const withoutUsage = sseData(
      (await fetchText(upstream, '/v1/chat/completions', { body: chatBody({ stream: true }) })).text,
    ) as ChatCompletionChunk[];
    expect(withoutUsage.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(withoutUsage.some((chunk) => chunk.usage)).toBe(false);
  });

  it('returns deterministic embeddings of the requested dimension for each input', async () => {
    const embed = async (body: unknown) =>
      JSON.parse((await fetchText(upstream, '/v1/embeddings', { body })).text) as EmbeddingsResponse;
    const many = await embed({ model: 'emb', input: ['alpha', 'beta'], dimensions: 4 });
    expect(many.model).toBe('emb');
    expect(many.data.map((item) => item.index)).toEqual([0, 1]);
    expect(many.data.every((item) => (item.embedding as number[]).length === 4)).toBe(true);
    expect(many.data[0]?.embedding).not.toEqual(many.data[1]?.embedding);
    expect(many.usage.prompt_tokens).toBeGreaterThan(0);

    const single = await embed({ model: 'emb', input: 'alpha' });
    expect(single.data).toHaveLength(1);
    expect(single.data[0]?.embedding).toHaveLength(8);
    expect((await embed({ model: 'emb', input: 'alpha' })).data).toEqual(single.data);
  });

  it('lists fake models', async () => {
    const { text } = await fetchText(upstream, '/v1/models');
    const list = JSON.parse(text) as { object: string; data: Array<{ id: string }> };
    expect(list.object).toBe('list');
    expect(list.data.map((model) => model.id)).toEqual(['fake-model-1', 'fake-embed-1']);
  });
});

describe('sse replies', () => {
  it('flushes events one by one at the configured interval', async () => {
    upstream.on({
      path: '/s',
      reply: { kind: 'sse', events: chatStream({ model: 'm', words: ['a', 'b'] }), intervalMs: 40 },
    });
    const response = await call(upstream, '/s');
    const received = await readUntilQuiet(response.body, 1_000);
    expect(received.outcome).toBe('end');
    // role, a, b, finish, [DONE]: each written separately, 40 ms apart.
    expect(received.arrivals.length).toBeGreaterThanOrEqual(4);
    expect((received.arrivals.at(-1) ?? 0) - (received.arrivals[0] ?? 0)).toBeGreaterThanOrEqual(100);
    expect(sseData(received.text)).toHaveLength(5);
  });

  it("end 'stall' leaves the stream open and silent after the events", async () => {
    upstream.on({ path: '/s', reply: { kind: 'sse', events: ['one', 'two'], end: 'stall' } });
    const response = await call(upstream, '/s');
    const received = await readUntilQuiet(response.body, 150);
    expect(received.outcome).toBe('quiet');
    // The terminator is withheld by default so the client cannot finish early.
    expect(received.text).toBe('data: one\n\ndata: two\n\n');
  });

  it("end 'reset' fails the client after the events; afterEvents cuts earlier", async () => {
    upstream
      .on({ path: '/reset', reply: { kind: 'sse', events: ['a', 'b'], end: 'reset' } })
      .on({ path: '/cut', reply: { kind: 'sse', events: ['a', 'b', 'c'], end: 'stall', afterEvents: 1 } });
    const reset = await readUntilQuiet((await call(upstream, '/reset')).body, 1_000);
    expect(reset).toMatchObject({ outcome: 'error', text: 'data: a\n\ndata: b\n\n' });
    const cut = await readUntilQuiet((await call(upstream, '/cut')).body, 150);
    expect(cut).toMatchObject({ outcome: 'quiet', text: 'data: a\n\n' });
    const [resetRequest] = await upstream.waitForRequests(1);
    // The fake cut the connection, not the client.
    expect(await resetRequest?.clientAborted).toBe(false);
  });

  it('waits for drain when events outrun the socket, losing nothing', async () => {
    const big = 'x'.repeat(256 * 1024);
    upstream.on({ path: '/big', reply: { kind: 'sse', events: Array.from({ length: 40 }, () => big) } });
    const { text } = await fetchText(upstream, '/big');
    expect(sseData(text.replaceAll(big, '"big"'))).toEqual([
      ...Array.from({ length: 40 }, () => 'big'),
      '[DONE]',
    ]);
  });

  it('delays headers by firstByteDelayMs and honours a custom status', async () => {
    upstream.on({ path: '/s', reply: { kind: 'sse', status: 201, events: [], firstByteDelayMs: 60 } });
    const started = Date.now();
    const { status, text } = await fetchText(upstream, '/s');
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    expect(status).toBe(201);
    expect(text).toBe('data: [DONE]\n\n');
  });
});

describe('stall and reset replies', () => {
  it('a stalled reply never sends headers', async () => {
    upstream.on({ path: '/stall', reply: { kind: 'stall' } });
    await expect(call(upstream, '/stall', { signal: AbortSignal.timeout(150) })).rejects.toThrow();
    const [request] = await upstream.waitForRequests(1);
    expect(await request?.clientAborted).toBe(true);
  });

  it('a reset reply fails the request', async () => {
    upstream.on({ path: '/reset', reply: { kind: 'reset' } });
    await expect(fetchText(upstream, '/reset')).rejects.toThrow();
  });
});

describe('lifecycle', () => {
  it('counts open sockets and drops to 0 after close', async () => {
    await fetchText(upstream, '/v1/models');
    expect(upstream.openConnections()).toBeGreaterThanOrEqual(1);
    await upstream.close();
    expect(upstream.openConnections()).toBe(0);
  });

  it('close() returns quickly with a stalled connection and a stalled stream', async () => {
    upstream
      .on({ path: '/stall', reply: { kind: 'stall' } })
      .on({ path: '/stream', reply: { kind: 'sse', events: ['x'], end: 'stall' } });
    const stalled = call(upstream, '/stall').catch((error: unknown) => error);
    const stream = await call(upstream, '/stream');
    const streamRead = stream.body.text().catch((error: unknown) => error);
    await upstream.waitForRequests(2);
    const started = Date.now();
    await upstream.close();
    expect(Date.now() - started).toBeLessThan(500);
    expect(upstream.openConnections()).toBe(0);
    expect(await stalled).toBeInstanceOf(Error);
    expect(await streamRead).toBeInstanceOf(Error);
    const [stallRequest] = upstream.requests;
    expect(await stallRequest?.clientAborted).toBe(false);
  });
});

describe('fixtures', () => {
  it('builds OpenAI shapes', () => {
    expect(chatCompletion({ content: 'hi', model: 'm', usage: usage(1, 2) }).usage?.total_tokens).toBe(3);
    const stream = chatStream({ model: 'm', words: ['a'], usage: usage(1, 1) });
    expect(stream.map((chunk) => chunk.choices.length)).toEqual([1, 1, 1, 0]);
    expect(stream[1]?.usage).toBeNull();
  });
});
