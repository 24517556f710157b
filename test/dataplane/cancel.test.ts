/**
 * S4: a client that hangs up mid-request. The gateway closes its upstream connection promptly, keeps
 * serving, and its in-flight count returns to zero.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeUpstream, type RecordedRequest, startFakeUpstream } from '../harness/fake-upstream.js';
import { chatCompletion, chatStream } from '../harness/openai-fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { addModel, addProvider, chat, eventually, rawRequest, streamRequest } from './helpers.js';

const CHAT = '/v1/chat/completions';

let gateway: TestGateway;
let upstream: FakeUpstream;
let key: string;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  gateway = await startTestGateway({ config: { streamIdleTimeoutMs: 5_000, firstByteTimeoutMs: 5_000 } });
  await addProvider(gateway, { id: 'fake', type: 'openai-compatible', baseUrl: `${upstream.url}/v1` });
  await addProvider(gateway, { id: 'echo', type: 'echo' });
  await addModel(gateway, 'streamer', [{ providerId: 'fake', upstreamModel: 'up-model' }]);
  await addModel(gateway, 'echo-chat', [{ providerId: 'echo', upstreamModel: 'echo' }]);
  key = (await gateway.createKey()).secret;
});

beforeEach(() => upstream.reset());

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

const LONG = chatStream({ model: 'up-model', words: Array.from({ length: 60 }, (_, i) => ` w${i}`) });

/** Resolves with how `clientAborted` settled, or 'pending' after `ms`. */
function abortedWithin(request: RecordedRequest, ms: number): Promise<boolean | 'pending'> {
  return Promise.race([
    request.clientAborted,
    new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms)),
  ]);
}

/** Aborts a request after `ms` by destroying its socket; resolves when it is gone. */
function postAndHangUp(body: unknown, ms: number): Promise<void> {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms);
  return fetch(`${gateway.url}${CHAT}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: controller.signal,
  }).then(
    async (response) => {
      await response.text();
      throw new Error(`the request was not aborted: ${response.status}`);
    },
    () => undefined,
  );
}

async function expectHealthy(): Promise<void> {
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      i % 2 === 0
        ? gateway.call('POST', CHAT, chat('streamer', `ping ${i}`), key).then((result) => result.status)
        : streamRequest(gateway.url, { key, body: chat('streamer', `ping ${i}`, { stream: true }) }).then(
            (result) => (result.events.at(-1)?.data === '[DONE]' ? result.status : -1),
          ),
    ),
  );
  expect(results).toEqual(Array(10).fill(200));
  expect(performance.now() - started).toBeLessThan(5_000);
  expect(await eventually(() => gateway.running.dataPlane.inFlight() === 0, 1_000)).toBe(true);
}

describe('a client that hangs up', () => {
  it('mid-stream, after 3 chunks: the upstream connection closes within 1 s and the gateway keeps serving', async () => {
    upstream.enqueue('POST', CHAT, { kind: 'sse', events: LONG, intervalMs: 50 });
    const result = await streamRequest(gateway.url, {
      key,
      body: chat('streamer', 'long', { stream: true }),
      abortAfterEvents: 3,
    });
    expect(result.outcome).toBe('aborted');
    expect(result.events.map((event) => event.data)).toEqual(
      LONG.slice(0, 3).map((event) => JSON.stringify(event)),
    );
    const [received] = await upstream.waitForRequests(1);
    expect(await abortedWithin(received!, 1_000)).toBe(true);
    expect(await eventually(() => gateway.running.dataPlane.inFlight() === 0, 1_000)).toBe(true);
    await expectHealthy();
  });

  it('while a non-streamed answer is pending: the upstream request is abandoned', async () => {
    upstream.enqueue('POST', CHAT, { kind: 'json', body: { never: 'sent' }, delayMs: 10_000 });
    const hangUp = postAndHangUp(chat('streamer'), 150);
    const [received] = await upstream.waitForRequests(1);
    await hangUp;
    expect(await abortedWithin(received!, 1_000)).toBe(true);
    expect(await eventually(() => gateway.running.dataPlane.inFlight() === 0, 1_000)).toBe(true);
    await expectHealthy();
  });

  it('while waiting for the first event of a stream', async () => {
    upstream.enqueue('POST', CHAT, {
      kind: 'sse',
      events: LONG,
      firstByteDelayMs: 0,
      afterEvents: 0,
      end: 'stall',
    });
    const hangUp = postAndHangUp(chat('streamer', 'x', { stream: true }), 150);
    const [received] = await upstream.waitForRequests(1);
    await hangUp;
    expect(await abortedWithin(received!, 1_000)).toBe(true);
    expect(await eventually(() => gateway.running.dataPlane.inFlight() === 0, 1_000)).toBe(true);
    await expectHealthy();
  });

  it('during an echo stream', async () => {
    const words = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    const result = await streamRequest(gateway.url, {
      key,
      body: chat('echo-chat', words, { stream: true }),
      abortAfterEvents: 3,
    });
    expect(result.outcome).toBe('aborted');
    expect(await eventually(() => gateway.running.dataPlane.inFlight() === 0, 1_000)).toBe(true);
    await expectHealthy();
  });

  it('many times in a row, streams and plain requests alike', async () => {
    for (let i = 0; i < 5; i++) {
      upstream.enqueue('POST', CHAT, { kind: 'sse', events: LONG, intervalMs: 20 });
      await streamRequest(gateway.url, {
        key,
        body: chat('streamer', 'x', { stream: true }),
        abortAfterEvents: 1 + i,
      });
    }
    const received = await upstream.waitForRequests(5);
    expect(await Promise.all(received.map((request) => abortedWithin(request, 1_000)))).toEqual(
      Array(5).fill(true),
    );
    upstream.reset();
    await expectHealthy();
    // A plain request after all that still gets the exact echo.
    const plain = await rawRequest(gateway.url, {
      path: CHAT,
      body: JSON.stringify(chat('echo-chat', 'after')),
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    });
    expect(JSON.parse(plain.text).choices[0].message.content).toBe('You said: after');
  });
});

describe('whenIdle (when the usage drainer may use the thread)', () => {
  it('resolves at once with nothing in flight, and otherwise only when the last request in flight ends', async () => {
    const { dataPlane } = gateway.running;
    await expect(dataPlane.whenIdle()).resolves.toBeUndefined();

    upstream.enqueue('POST', CHAT, {
      kind: 'json',
      body: chatCompletion({ content: 'late', model: 'up-model' }),
      delayMs: 400,
    });
    const answer = rawRequest(gateway.url, {
      path: CHAT,
      body: JSON.stringify(chat('streamer', 'x')),
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    });
    await upstream.waitForRequests(1);
    let idleAt: number | undefined;
    const first = dataPlane.whenIdle().then(() => {
      idleAt = performance.now();
    });
    // Callers while the same request is in flight share one promise.
    expect(dataPlane.whenIdle()).toBe(dataPlane.whenIdle());
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(idleAt).toBeUndefined();
    const response = await answer;
    await first;
    expect(response.status).toBe(200);
    expect(idleAt).toBeDefined();
    expect(dataPlane.inFlight()).toBe(0);
  });
});
