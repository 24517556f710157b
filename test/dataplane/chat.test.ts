/**
 * Pass-through to an HTTP upstream: the client's bytes travel unchanged except the top-level `model`, the
 * upstream sees the provider credential (never the Junction key) on the right path, and the answer carries
 * Junction's headers.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { addModel, addProvider, rawRequest } from './helpers.js';

const CREDENTIAL = 'provider-credential-canary-5c1e0b';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let gateway: TestGateway;
let upstream: FakeUpstream;
let key: string;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  gateway = await startTestGateway();
  await addProvider(gateway, {
    id: 'fake',
    type: 'openai-compatible',
    baseUrl: `${upstream.url}/base/v1/`,
    apiKey: CREDENTIAL,
  });
  await addModel(gateway, 'pass-chat', [{ providerId: 'fake', upstreamModel: 'gpt-upstream' }]);
  await addModel(gateway, 'same-name', [{ providerId: 'fake', upstreamModel: 'same-name' }]);
  await addModel(gateway, 'pass-embed', [{ providerId: 'fake', upstreamModel: 'embed-upstream' }], {
    kind: 'embedding',
    dimension: 8,
  });
  key = (await gateway.createKey()).secret;
});

beforeEach(() => upstream.reset());

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  rawRequest(gateway.url, {
    path,
    body,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
  });

/** A body whose top-level model is `{{MODEL}}`, surrounded by everything a re-serialisation would change. */
const TEMPLATE =
  '{ "zeta" : {"model":"nested-in-metadata","n":[1.50,1e3,-0.0,10000000000000000000001]},\n' +
  '\t"messages":[{"content":"h\\u00e9llo \\"model\\": \\"x\\" 😀 \u2028 \\ud83d\\ude00","role":"user","model":"in-message"}],' +
  '"model" :   "{{MODEL}}"  ,"unknown_field":[null,true,false,{"model":{"model":"deep"}}],' +
  '"metadata":{"model":"m","emoji":"🦀"},"temperature":0.70,"stream":false}';

describe('pass-through', () => {
  it('forwards the body byte for byte except the top-level model value', async () => {
    const sent = TEMPLATE.replace('{{MODEL}}', 'pass-chat');
    const result = await post('/v1/chat/completions', sent);
    expect(result.status, result.text).toBe(200);
    const [received] = await upstream.waitForRequests(1);
    expect(received!.body).toBe(TEMPLATE.replace('{{MODEL}}', 'gpt-upstream'));
    expect(received!.method).toBe('POST');
    expect(received!.path).toBe('/base/v1/chat/completions');
    expect(received!.headers['content-type']).toBe('application/json');
  });

  it('forwards the very same bytes when the upstream model name equals the requested one', async () => {
    const sent = TEMPLATE.replace('{{MODEL}}', 'same-name');
    expect((await post('/v1/chat/completions', sent)).status).toBe(200);
    expect((await upstream.waitForRequests(1))[0]!.body).toBe(sent);
  });

  it('replaces every top-level model member, escaped or duplicated, and nothing nested', async () => {
    const sent =
      '{"model":"ignored","messages":[{"role":"user","content":"x","model":"pass-chat"}],"mo\\u0064el":"pass-chat"}';
    const result = await post('/v1/chat/completions', sent);
    expect(result.status, result.text).toBe(200);
    expect((await upstream.waitForRequests(1))[0]!.body).toBe(
      '{"model":"gpt-upstream","messages":[{"role":"user","content":"x","model":"pass-chat"}],"mo\\u0064el":"gpt-upstream"}',
    );
  });

  it('sends the provider credential and never the Junction key', async () => {
    await post('/v1/chat/completions', TEMPLATE.replace('{{MODEL}}', 'pass-chat'));
    await post('/v1/embeddings', JSON.stringify({ model: 'pass-embed', input: ['a', 'b'] }));
    const received = await upstream.waitForRequests(2);
    for (const request of received) {
      expect(request.headers.authorization).toBe(`Bearer ${CREDENTIAL}`);
      const everything = JSON.stringify(request.headers) + request.body + request.path;
      expect(everything).not.toContain(key);
      expect(everything).not.toContain(key.slice(-16));
    }
    expect(received.map((request) => request.path)).toEqual([
      '/base/v1/chat/completions',
      '/base/v1/embeddings',
    ]);
    expect(received[1]!.body).toBe('{"model":"embed-upstream","input":["a","b"]}');
  });

  it('relays a non-streamed upstream answer byte for byte', async () => {
    const answer =
      '{ "id":"chatcmpl-1",  "object":"chat.completion", "choices":[], "x":1.50, "u":"\\u00e9" }';
    upstream.enqueue('POST', '/base/v1/chat/completions', {
      kind: 'text',
      contentType: 'application/json',
      body: answer,
    });
    const result = await post('/v1/chat/completions', JSON.stringify({ model: 'pass-chat', messages: [] }));
    // An empty messages array is refused before any upstream is called.
    expect(result.status).toBe(400);
    const relayed = await post(
      '/v1/chat/completions',
      JSON.stringify({ model: 'pass-chat', messages: [{ role: 'user', content: 'x' }] }),
    );
    expect(relayed.status).toBe(200);
    expect(relayed.text).toBe(answer);
    expect(relayed.headers['content-type']).toBe('application/json');
    expect(relayed.headers['content-length']).toBe(String(Buffer.byteLength(answer)));
  });

  it('keeps the upstream 2xx status', async () => {
    upstream.enqueue('POST', '/base/v1/embeddings', {
      kind: 'json',
      status: 201,
      body: {
        object: 'list',
        data: [],
        model: 'embed-upstream',
        usage: { prompt_tokens: 0, total_tokens: 0 },
      },
    });
    const result = await post('/v1/embeddings', JSON.stringify({ model: 'pass-embed', input: 'x' }));
    expect(result.status).toBe(201);
    expect(JSON.parse(result.text)).toEqual({
      object: 'list',
      data: [],
      model: 'embed-upstream',
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
  });
});

describe('response headers', () => {
  it('reports the request id, backend, attempts and snapshot version', async () => {
    const result = await post(
      '/v1/chat/completions',
      JSON.stringify({ model: 'pass-chat', messages: [{ role: 'user', content: 'x' }] }),
      { 'x-request-id': 'client-id.42:abc_DEF-9' },
    );
    expect(result.status).toBe(200);
    expect(result.headers['x-request-id']).toBe('client-id.42:abc_DEF-9');
    expect(result.headers['x-junction-backend']).toBe('fake/gpt-upstream');
    expect(result.headers['x-junction-attempts']).toBe('1');
    expect(result.headers['x-junction-snapshot-version']).toBe(
      String(gateway.running.snapshots.current!.version),
    );
    // The upstream gets the same request id, so logs on both sides line up.
    expect((await upstream.waitForRequests(1))[0]!.headers['x-request-id']).toBe('client-id.42:abc_DEF-9');
  });

  it('reports the same headers on a stream, sent before its first event', async () => {
    const result = await post(
      '/v1/chat/completions',
      JSON.stringify({ model: 'pass-chat', stream: true, messages: [{ role: 'user', content: 'x' }] }),
      { 'x-request-id': 'stream-id-7' },
    );
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('text/event-stream');
    expect(result.headers['cache-control']).toBe('no-cache');
    expect(result.headers['x-request-id']).toBe('stream-id-7');
    expect(result.headers['x-junction-backend']).toBe('fake/gpt-upstream');
    expect(result.headers['x-junction-attempts']).toBe('1');
    expect(result.headers['x-junction-snapshot-version']).toBe(
      String(gateway.running.snapshots.current!.version),
    );
    expect(result.text.trim().endsWith('data: [DONE]')).toBe(true);
  });

  it.each([
    ['with spaces', 'has spaces'],
    ['too long', 'a'.repeat(129)],
    ['with a slash', 'a/b'],
  ])('replaces a client request id %s with a generated UUID', async (_label, id) => {
    const result = await post(
      '/v1/chat/completions',
      JSON.stringify({ model: 'pass-chat', messages: [{ role: 'user', content: 'x' }] }),
      { 'x-request-id': id },
    );
    expect(result.status).toBe(200);
    expect(result.headers['x-request-id']).toMatch(UUID);
    expect((await upstream.waitForRequests(1))[0]!.headers['x-request-id']).toBe(
      result.headers['x-request-id'],
    );
  });

  it('gives every request its own id, errors included', async () => {
    const first = await post('/v1/chat/completions', '{');
    const second = await post('/v1/chat/completions', '{');
    expect(first.status).toBe(400);
    expect(first.headers['x-request-id']).toMatch(UUID);
    expect(second.headers['x-request-id']).toMatch(UUID);
    expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id']);
    expect(first.headers['x-junction-snapshot-version']).toBe(
      String(gateway.running.snapshots.current!.version),
    );
  });
});
