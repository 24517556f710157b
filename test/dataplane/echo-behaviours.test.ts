/**
 * The echo provider's misbehaviours through the whole gateway: `error-<status>`, `slow-<ms>`,
 * `stall-after-<n>` and `cut-after-<n>` drive fallback, timeouts and broken streams without any network.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { addModel, addProvider, chat, eventually, expectOpenAIError, streamRequest } from './helpers.js';

const FIRST_BYTE_MS = 300;
const IDLE_MS = 400;
const CHAT = '/v1/chat/completions';

let gateway: TestGateway;
let key: string;

beforeAll(async () => {
  gateway = await startTestGateway({
    random: () => 0,
    config: { firstByteTimeoutMs: FIRST_BYTE_MS, streamIdleTimeoutMs: IDLE_MS },
  });
  await addProvider(gateway, { id: 'echo', type: 'echo' });
  const single = (id: string, upstreamModel: string) =>
    addModel(gateway, id, [{ providerId: 'echo', upstreamModel }]);
  await addModel(gateway, 'error-then-echo', [
    { providerId: 'echo', upstreamModel: 'error-500' },
    { providerId: 'echo', upstreamModel: 'echo' },
  ]);
  await addModel(gateway, 'bad-request-then-echo', [
    { providerId: 'echo', upstreamModel: 'error-400' },
    { providerId: 'echo', upstreamModel: 'echo' },
  ]);
  await addModel(gateway, 'slow-then-echo', [
    { providerId: 'echo', upstreamModel: 'slow-5000' },
    { providerId: 'echo', upstreamModel: 'echo' },
  ]);
  await single('slow-alone', 'slow-5000');
  await single('slow-ok', 'slow-100');
  await single('stall-2', 'stall-after-2');
  await single('cut-2', 'cut-after-2');
  await single('error-429', 'error-429');
  key = (await gateway.createKey()).secret;
});

afterAll(async () => {
  await gateway?.close();
});

const send = (model: string, content = 'one two three', extra: Record<string, unknown> = {}) =>
  gateway.call<{ choices: Array<{ message: { content: string } }> }>(
    'POST',
    CHAT,
    chat(model, content, extra),
    key,
  );
const stream = (model: string, content = 'one two three') =>
  streamRequest(gateway.url, { key, body: chat(model, content, { stream: true }) });

const deltas = (events: Array<{ data: string }>) =>
  events.map((event) => {
    const parsed = JSON.parse(event.data) as {
      choices?: Array<{ delta: { role?: string; content?: string } }>;
    };
    return parsed.choices?.[0]?.delta;
  });

describe('error-<status>', () => {
  it('falls back from error-500 to the echo member', async () => {
    const result = await send('error-then-echo');
    expect(result.status).toBe(200);
    expect(result.headers['x-junction-attempts']).toBe('2');
    expect(result.headers['x-junction-backend']).toBe('echo/echo');
    expect(result.json.choices[0]!.message.content).toBe('You said: one two three');
  });

  it('falls back from error-500 to the echo member when streaming', async () => {
    const result = await stream('error-then-echo');
    expect(result.headers['x-junction-attempts']).toBe('2');
    expect(result.headers['x-junction-backend']).toBe('echo/echo');
    expect(result.events.at(-1)!.data).toBe('[DONE]');
  });

  it('does not retry error-400', async () => {
    const result = await send('bad-request-then-echo');
    const error = expectOpenAIError(result, 400, 'upstream_error', 'api_error');
    expect(error.message).toBe(
      'The upstream echo/error-400 answered HTTP 400: echo: simulated upstream error 400',
    );
    expect(result.headers['x-junction-attempts']).toBe('1');
    expect(result.headers['x-junction-backend']).toBe('echo/error-400');
  });

  it('returns error-429 alone with its status', async () => {
    const error = expectOpenAIError(await send('error-429'), 429, 'upstream_error', 'api_error');
    expect(error.message).toBe(
      'The upstream echo/error-429 answered HTTP 429: echo: simulated upstream error 429',
    );
  });
});

describe('slow-<ms>', () => {
  it('answers 504 after the first-byte timeout when a slow member is alone', async () => {
    const started = performance.now();
    const result = await send('slow-alone');
    const elapsed = performance.now() - started;
    const error = expectOpenAIError(result, 504, 'upstream_timeout');
    expect(error.message).toBe('The upstream echo/slow-5000 did not answer in time');
    expect(elapsed).toBeGreaterThanOrEqual(FIRST_BYTE_MS - 20);
    expect(elapsed).toBeLessThan(FIRST_BYTE_MS + 1_000);
  });

  it('falls back from a slow member after the first-byte timeout', async () => {
    const result = await send('slow-then-echo');
    expect(result.status).toBe(200);
    expect(result.headers['x-junction-attempts']).toBe('2');
    expect(result.headers['x-junction-backend']).toBe('echo/echo');
  });

  it('serves a member slower than nothing but within the timeout', async () => {
    const started = performance.now();
    const result = await send('slow-ok');
    expect(result.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    expect(result.json.choices[0]!.message.content).toBe('You said: one two three');
  });
});

describe('stall-after-<n>', () => {
  it('streams the role chunk and 2 word chunks, then an error event after the idle timeout, no [DONE]', async () => {
    const result = await stream('stall-2');
    expect(result.status).toBe(200);
    expect(result.events).toHaveLength(4);
    expect(deltas(result.events.slice(0, 3))).toEqual([
      { role: 'assistant', content: '' },
      { content: 'You' },
      { content: ' said:' },
    ]);
    expect(JSON.parse(result.events[3]!.data)).toEqual({
      error: {
        message: `The upstream sent nothing for ${IDLE_MS} ms during the stream`,
        type: 'api_error',
        param: null,
        code: 'upstream_timeout',
      },
    });
    const silence = result.events[3]!.at - result.events[2]!.at;
    expect(silence).toBeGreaterThanOrEqual(IDLE_MS - 20);
    expect(silence).toBeLessThan(IDLE_MS + 1_000);
    expect(result.text).not.toContain('[DONE]');
    expect(await eventually(() => gateway.running.dataPlane.inFlight() === 0, 1_000)).toBe(true);
  });

  it('answers 504 to a non-streamed request', async () => {
    expectOpenAIError(await send('stall-2'), 504, 'upstream_timeout');
  });

  it('leaves no timer of the stalled echo stream behind once the gateway gives up', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    await stream('stall-2');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const before = timers();
    await Promise.all(Array.from({ length: 10 }, () => stream('stall-2')));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(timers() - before).toBeLessThan(3);
  });
});

describe('cut-after-<n>', () => {
  it('streams the role chunk and 2 word chunks, then an error event, no [DONE]', async () => {
    const started = performance.now();
    const result = await stream('cut-2');
    expect(result.status).toBe(200);
    expect(result.events).toHaveLength(4);
    expect(deltas(result.events.slice(0, 3))).toEqual([
      { role: 'assistant', content: '' },
      { content: 'You' },
      { content: ' said:' },
    ]);
    expect(JSON.parse(result.events[3]!.data)).toEqual({
      error: {
        message: 'The upstream connection failed during the stream',
        type: 'api_error',
        param: null,
        code: 'stream_interrupted',
      },
    });
    expect(result.text).not.toContain('[DONE]');
    // A cut is reported at once, not after the idle timeout.
    expect(result.endedAt - started).toBeLessThan(IDLE_MS);
  });

  it('answers 502 to a non-streamed request', async () => {
    const error = expectOpenAIError(await send('cut-2'), 502, 'upstream_error');
    expect(error.message).toBe('The connection to the upstream echo/cut-after-2 failed');
  });
});
