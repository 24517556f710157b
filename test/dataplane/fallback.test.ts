/**
 * Fallback inside a model's pool. `random: () => 0` makes the plan follow the deployment order, so the first
 * deployment (upstream A) is always tried first and the second (upstream B) is the fallback.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeUpstream, type Reply, startFakeUpstream } from '../harness/fake-upstream.js';
import { openAIError } from '../harness/openai-fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { addModel, addProvider, chat, closedPort, expectOpenAIError, streamRequest } from './helpers.js';

const CREDENTIAL_A = 'credential-a-canary-91d7f3e2b4';
const CREDENTIAL_B = 'credential-b-canary-0a6c5e8d13';
const TIMEOUT_MS = 300;
const CHAT = '/v1/chat/completions';

let gateway: TestGateway;
let a: FakeUpstream;
let b: FakeUpstream;
let key: string;

beforeAll(async () => {
  a = await startFakeUpstream();
  b = await startFakeUpstream();
  const dead = await closedPort();
  gateway = await startTestGateway({
    random: () => 0,
    config: { firstByteTimeoutMs: TIMEOUT_MS, streamIdleTimeoutMs: TIMEOUT_MS, connectTimeoutMs: 1_000 },
  });
  await addProvider(gateway, {
    id: 'up-a',
    type: 'openai-compatible',
    baseUrl: `${a.url}/v1`,
    apiKey: CREDENTIAL_A,
  });
  await addProvider(gateway, {
    id: 'up-b',
    type: 'openai-compatible',
    baseUrl: `${b.url}/v1`,
    apiKey: CREDENTIAL_B,
  });
  await addProvider(gateway, {
    id: 'dead',
    type: 'openai-compatible',
    baseUrl: `http://127.0.0.1:${dead}/v1`,
  });
  await addModel(gateway, 'pool', [
    { providerId: 'up-a', upstreamModel: 'model-a' },
    { providerId: 'up-b', upstreamModel: 'model-b' },
  ]);
  await addModel(gateway, 'a-only', [{ providerId: 'up-a', upstreamModel: 'model-a' }]);
  await addModel(gateway, 'dead-then-b', [
    { providerId: 'dead', upstreamModel: 'model-dead' },
    { providerId: 'up-b', upstreamModel: 'model-b' },
  ]);
  await addModel(gateway, 'dead-only', [{ providerId: 'dead', upstreamModel: 'model-dead' }]);
  key = (await gateway.createKey()).secret;
});

beforeEach(() => {
  a.reset();
  b.reset();
  // Failures of earlier tests would mark entries unhealthy and change which one is tried first.
  for (const id of ['up-a', 'up-b', 'dead']) gateway.running.board.forget(id);
});

afterAll(async () => {
  await gateway?.close();
  await a?.close();
  await b?.close();
});

const send = (model: string, extra: Record<string, unknown> = {}) =>
  gateway.call('POST', CHAT, chat(model, 'hello', extra), key);

const errorReply = (status: number, message = `upstream says ${status}`): Reply => ({
  kind: 'json',
  status,
  body: openAIError(message, status === 429 ? 'requests' : 'server_error'),
});

describe('fallback to the second deployment', () => {
  it.each([500, 502, 503, 429])('moves on after an HTTP %i', async (status) => {
    a.enqueue('POST', CHAT, errorReply(status));
    const result = await send('pool');
    expect(result.status, result.text).toBe(200);
    expect(result.headers['x-junction-attempts']).toBe('2');
    expect(result.headers['x-junction-backend']).toBe('up-b/model-b');
    expect(
      (result.json as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content,
    ).toBe('fake:hello');
    expect(a.requests).toHaveLength(1);
    expect(b.requests).toHaveLength(1);
    expect((b.requests[0]!.json as { model: string }).model).toBe('model-b');
    expect(b.requests[0]!.headers.authorization).toBe(`Bearer ${CREDENTIAL_B}`);
  });

  it('moves on after a refused connection', async () => {
    const result = await send('dead-then-b');
    expect(result.status, result.text).toBe(200);
    expect(result.headers['x-junction-attempts']).toBe('2');
    expect(result.headers['x-junction-backend']).toBe('up-b/model-b');
  });

  it('moves on when the first deployment misses the first-byte deadline', async () => {
    a.enqueue('POST', CHAT, { kind: 'stall' });
    const started = performance.now();
    const result = await send('pool');
    const elapsed = performance.now() - started;
    expect(result.status, result.text).toBe(200);
    expect(result.headers['x-junction-attempts']).toBe('2');
    expect(result.headers['x-junction-backend']).toBe('up-b/model-b');
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 1_500);
  });

  it('moves on when a stream sends headers but no event before the idle deadline', async () => {
    a.enqueue('POST', CHAT, { kind: 'sse', events: [], end: 'stall' });
    const result = await streamRequest(gateway.url, { key, body: chat('pool', 'hello', { stream: true }) });
    expect(result.status).toBe(200);
    expect(result.headers['x-junction-attempts']).toBe('2');
    expect(result.headers['x-junction-backend']).toBe('up-b/model-b');
    expect(result.events.at(-1)!.data).toBe('[DONE]');
  });

  it('moves on when a 200 stream ends before its first event', async () => {
    a.enqueue('POST', CHAT, { kind: 'sse', events: [], done: false });
    const result = await streamRequest(gateway.url, { key, body: chat('pool', 'hello', { stream: true }) });
    expect(result.status).toBe(200);
    expect(result.headers['x-junction-attempts']).toBe('2');
    expect(result.headers['x-junction-backend']).toBe('up-b/model-b');
    const content = result.events
      .filter((event) => event.data !== '[DONE]')
      .map(
        (event) =>
          (JSON.parse(event.data) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta
            .content ?? '',
      )
      .join('');
    expect(content).toBe('fake:hello');
    expect(result.events.at(-1)!.data).toBe('[DONE]');
  });

  it('reports the empty stream as an error when no deployment is left', async () => {
    a.enqueue('POST', CHAT, { kind: 'sse', events: [], done: false });
    const result = await streamRequest(gateway.url, { key, body: chat('a-only', 'hello', { stream: true }) });
    const error = expectOpenAIError(result, 502, 'stream_interrupted');
    expect(error.message).toBe('The upstream ended the stream before sending anything');
    expect(result.headers['x-junction-attempts']).toBe('1');
  });
});

describe('no fallback', () => {
  it.each([400, 404, 422])(
    'returns an upstream %i as is, without trying the next deployment',
    async (status) => {
      a.enqueue('POST', CHAT, {
        kind: 'json',
        status,
        body: openAIError("Invalid value for 'temperature'", 'invalid_request_error', null, 'temperature'),
      });
      const result = await send('pool');
      const error = expectOpenAIError(result, status, 'upstream_error', 'api_error');
      expect(error.message).toBe(
        `The upstream up-a/model-a answered HTTP ${status}: Invalid value for 'temperature'`,
      );
      expect(result.headers['x-junction-attempts']).toBe('1');
      expect(result.headers['x-junction-backend']).toBe('up-a/model-a');
      expect(b.requests).toHaveLength(0);
    },
  );
});

describe('when every deployment fails', () => {
  it('returns the last HTTP error with its status', async () => {
    a.enqueue('POST', CHAT, errorReply(500, 'a is down'));
    b.enqueue('POST', CHAT, errorReply(503, 'b is overloaded'));
    const result = await send('pool');
    const error = expectOpenAIError(result, 503, 'upstream_error');
    expect(error.message).toBe('The upstream up-b/model-b answered HTTP 503: b is overloaded');
    expect(result.headers['x-junction-attempts']).toBe('2');
    expect(result.headers['x-junction-backend']).toBe('up-b/model-b');
  });

  it('returns 502 upstream_unreachable when nothing answers', async () => {
    const result = await send('dead-only');
    const error = expectOpenAIError(result, 502, 'upstream_unreachable');
    expect(error.message).toBe('The upstream dead/model-dead could not be reached');
    expect(result.headers['x-junction-attempts']).toBe('1');
  });

  it('returns 504 upstream_timeout when the upstream never answers', async () => {
    a.enqueue('POST', CHAT, { kind: 'stall' });
    const result = await send('a-only');
    const error = expectOpenAIError(result, 504, 'upstream_timeout');
    expect(error.message).toBe('The upstream up-a/model-a did not answer in time');
  });

  it('returns 502 upstream_error when the upstream resets the connection', async () => {
    a.enqueue('POST', CHAT, { kind: 'reset' });
    const result = await send('a-only');
    expectOpenAIError(result, 502, 'upstream_error');
  });

  it('returns the timeout of the second deployment after a 500 from the first', async () => {
    a.enqueue('POST', CHAT, errorReply(500));
    b.enqueue('POST', CHAT, { kind: 'stall' });
    const result = await send('pool');
    expectOpenAIError(result, 504, 'upstream_timeout');
    expect(result.headers['x-junction-attempts']).toBe('2');
  });
});

describe('redaction of upstream errors', () => {
  it('never shows the provider credential an upstream 401 echoes back', async () => {
    a.on({
      method: 'POST',
      path: CHAT,
      times: 2,
      reply: (request) => {
        const auth = String(request.headers.authorization);
        return {
          kind: 'json',
          status: 401,
          body: openAIError(
            `Incorrect API key provided: ${auth.slice('Bearer '.length)} (sent as ${auth})`,
            'invalid_request_error',
            'invalid_api_key',
          ),
        };
      },
    });
    for (const model of ['a-only', 'pool']) {
      const result = await send(model);
      const error = expectOpenAIError(result, 401, 'upstream_error', 'api_error');
      expect(result.text).not.toContain(CREDENTIAL_A);
      expect(result.text).not.toContain(CREDENTIAL_A.slice(0, 12));
      expect(error.message).toBe(
        'The upstream up-a/model-a answered HTTP 401: Incorrect API key provided: [redacted] (sent as Bearer [redacted])',
      );
    }
    // A 401 is not retried.
    expect(b.requests).toHaveLength(0);
  });

  it('turns an HTML 502 page into an OpenAI error without the HTML', async () => {
    const html =
      '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>nginx</body></html>';
    a.enqueue('POST', CHAT, { kind: 'text', status: 502, contentType: 'text/html', body: html });
    const result = await send('a-only');
    const error = expectOpenAIError(result, 502, 'upstream_error');
    expect(error.message).toBe('The upstream up-a/model-a answered HTTP 502');
    expect(result.text).not.toMatch(/<html|<h1|nginx/i);
  });

  it('redacts token-shaped strings and keeps the message short', async () => {
    a.enqueue('POST', CHAT, errorReply(500, `leaked sk-proj-${'x'.repeat(20)} and ${'y'.repeat(5_000)}`));
    const result = await send('a-only');
    const error = expectOpenAIError(result, 500, 'upstream_error');
    expect(
      error.message.startsWith('The upstream up-a/model-a answered HTTP 500: leaked [redacted] and yyy'),
    ).toBe(true);
    expect(error.message).not.toContain('sk-proj');
    expect(error.message.length).toBeLessThanOrEqual(
      'The upstream up-a/model-a answered HTTP 500: '.length + 1_000,
    );
  });
});
