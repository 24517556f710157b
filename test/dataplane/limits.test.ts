/**
 * P1: the body limit. A declared length over the limit is refused before the body is read, a chunked body
 * as soon as it passes the limit, a body of exactly the limit is served, and the gateway keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { addModel, addProvider, chat, expectOpenAIError, rawRequest, sendSlowBody } from './helpers.js';

const LIMIT = 64 * 1024;

let gateway: TestGateway;
let key: string;

beforeAll(async () => {
  gateway = await startTestGateway({ config: { maxBodyBytes: LIMIT } });
  await addProvider(gateway, { id: 'echo', type: 'echo' });
  await addModel(gateway, 'echo-chat', [{ providerId: 'echo', upstreamModel: 'echo' }]);
  key = (await gateway.createKey()).secret;
});

afterAll(async () => {
  await gateway?.close();
});

/** A valid chat body of exactly `bytes` UTF-8 bytes, padded inside the user message with `filler`. */
function bodyOfSize(bytes: number, filler = 'a'): Buffer {
  const base = JSON.stringify(chat('echo-chat', ''));
  const fillerBytes = Buffer.byteLength(filler);
  const missing = bytes - Buffer.byteLength(base);
  const count = Math.floor(missing / fillerBytes);
  const text = filler.repeat(count) + 'b'.repeat(missing - count * fillerBytes);
  const body = Buffer.from(JSON.stringify(chat('echo-chat', text)));
  expect(body.length).toBe(bytes);
  return body;
}

const auth = () => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });

async function expectStillServing(): Promise<void> {
  const result = await gateway.call('POST', '/v1/chat/completions', chat('echo-chat', 'still here'), key);
  expect(result.status).toBe(200);
  expect(
    (result.json as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content,
  ).toBe('You said: still here');
}

describe('declared Content-Length', () => {
  it('answers 413 to a declared 10 MiB body before the body is sent', async () => {
    const declared = 10 * 1024 * 1024;
    const result = await sendSlowBody(gateway.url, {
      path: '/v1/chat/completions',
      headers: { ...auth(), 'content-length': String(declared) },
      totalBytes: declared,
      chunkBytes: 16 * 1024,
      intervalMs: 50,
    });
    const error = expectOpenAIError(result, 413, 'body_too_large');
    expect(error.message).toBe(`The request body is larger than the limit of ${LIMIT} bytes`);
    expect(result.finishedSending).toBe(false);
    // Sent at 16 KiB per 50 ms, the whole body would take 32 s; the answer must come within the first few.
    expect(result.sentBeforeResponse).toBeLessThanOrEqual(4 * 16 * 1024);
    expect(result.headers.connection).toBe('close');
    await expectStillServing();
  });

  it('answers 413 to a declared length of one byte over the limit', async () => {
    const body = bodyOfSize(LIMIT + 1);
    const result = await rawRequest(gateway.url, { path: '/v1/chat/completions', headers: auth(), body });
    expectOpenAIError(result, 413, 'body_too_large');
    await expectStillServing();
  });

  it('serves a body of exactly the limit, in ASCII and in multi-byte UTF-8', async () => {
    for (const filler of ['a', 'é', '😀']) {
      const body = bodyOfSize(LIMIT, filler);
      const result = await rawRequest(gateway.url, { path: '/v1/chat/completions', headers: auth(), body });
      expect(result.status, result.text.slice(0, 200)).toBe(200);
      expect(result.headers['x-junction-backend']).toBe('echo/echo');
    }
  });
});

describe('chunked bodies', () => {
  it('answers 413 as soon as a chunked body passes the limit', async () => {
    const chunkBytes = 8 * 1024;
    const result = await sendSlowBody(gateway.url, {
      path: '/v1/chat/completions',
      headers: { ...auth(), 'transfer-encoding': 'chunked' },
      totalBytes: 10 * 1024 * 1024,
      chunkBytes,
      intervalMs: 25,
    });
    expectOpenAIError(result, 413, 'body_too_large');
    expect(result.finishedSending).toBe(false);
    // It cannot know before the limit is passed, and must not wait long after.
    expect(result.sentBeforeResponse).toBeGreaterThan(LIMIT);
    expect(result.sentBeforeResponse).toBeLessThanOrEqual(LIMIT + 12 * chunkBytes);
    expect(result.headers.connection).toBe('close');
    await expectStillServing();
  });

  it('serves a chunked body of exactly the limit and refuses one byte more', async () => {
    const exact = bodyOfSize(LIMIT);
    const served = await sendChunked(exact);
    expect(served.status, served.text.slice(0, 200)).toBe(200);
    const over = await sendChunked(bodyOfSize(LIMIT + 1));
    expectOpenAIError(over, 413, 'body_too_large');
    await expectStillServing();
  });

  it('keeps serving after a burst of oversized requests', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => sendChunked(bodyOfSize(LIMIT + 1024))),
    );
    expect(results.map((result) => result.status)).toEqual(Array(10).fill(413));
    await Promise.all(Array.from({ length: 10 }, () => expectStillServing()));
    expect(gateway.running.dataPlane.inFlight()).toBe(0);
  });
});

/** Sends `body` chunked (no Content-Length) in 4 KiB pieces. */
function sendChunked(body: Buffer) {
  return sendSlowBody(gateway.url, {
    path: '/v1/chat/completions',
    headers: { ...auth(), 'transfer-encoding': 'chunked' },
    totalBytes: body.length,
    chunkBytes: 4 * 1024,
    intervalMs: 0,
    body,
  });
}
