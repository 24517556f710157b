/**
 * SSE relay: events pass through one by one as they arrive, a complete stream ends with `[DONE]`, and a
 * stream that stalls, resets or ends early ends with an error event and never with `[DONE]`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { chatStream } from '../harness/openai-fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { addModel, addProvider, chat, eventually, streamRequest } from './helpers.js';

const IDLE_MS = 500;
const CHAT = '/v1/chat/completions';

let gateway: TestGateway;
let upstream: FakeUpstream;
let key: string;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  gateway = await startTestGateway({ config: { streamIdleTimeoutMs: IDLE_MS, firstByteTimeoutMs: 2_000 } });
  await addProvider(gateway, { id: 'fake', type: 'openai-compatible', baseUrl: `${upstream.url}/v1` });
  await addModel(gateway, 'streamer', [{ providerId: 'fake', upstreamModel: 'up-model' }]);
  key = (await gateway.createKey()).secret;
});

beforeEach(() => upstream.reset());

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

const WORDS = ['one', ' two', ' three', ' four', ' five'];
const EVENTS = chatStream({ model: 'up-model', words: WORDS });
const frame = (event: unknown) => `data: ${JSON.stringify(event)}\n\n`;
const stream = () => streamRequest(gateway.url, { key, body: chat('streamer', 'go', { stream: true }) });

function parseError(data: string): { error: { message: string; type: string; param: null; code: string } } {
  return JSON.parse(data) as { error: { message: string; type: string; param: null; code: string } };
}

describe('a complete stream', () => {
  it('relays every event unchanged, in order, ending with [DONE]', async () => {
    upstream.enqueue('POST', CHAT, { kind: 'sse', events: EVENTS });
    const result = await stream();
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('text/event-stream');
    expect(result.headers['cache-control']).toBe('no-cache');
    expect(result.headers['x-junction-backend']).toBe('fake/up-model');
    expect(result.headers['x-junction-attempts']).toBe('1');
    expect(result.text).toBe(`${EVENTS.map(frame).join('')}data: [DONE]\n\n`);
    expect(result.outcome).toBe('end');
    expect((upstream.requests[0]!.json as { stream: boolean }).stream).toBe(true);
    expect(upstream.requests[0]!.headers.accept).toBe('text/event-stream');
  });

  it('delivers each event as it arrives, not when the upstream finishes', async () => {
    const interval = 150;
    const frames = [...EVENTS.map(frame), 'data: [DONE]\n\n'];
    const written: number[] = [];
    upstream.enqueue('POST', CHAT, {
      kind: 'handler',
      handle: async (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const [index, piece] of frames.entries()) {
          if (index > 0) await new Promise((resolve) => setTimeout(resolve, interval));
          written.push(performance.now());
          response.write(piece);
        }
        response.end();
      },
    });
    const result = await stream();
    expect(result.text).toBe(frames.join(''));
    expect(result.events).toHaveLength(frames.length);
    // The client has the first event before the upstream even writes the last one (750 ms later)...
    expect(result.events[0]!.at).toBeLessThan(written.at(-1)!);
    // ...and every event before the upstream writes the one after next.
    for (let i = 0; i + 2 < frames.length; i++) expect(result.events[i]!.at).toBeLessThan(written[i + 2]!);
  });

  it('re-frames events split across writes and drops comments, never forwarding half an event', async () => {
    upstream.enqueue('POST', CHAT, {
      kind: 'handler',
      handle: async (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
        const pieces = [
          ': keep-alive\n\n',
          'data: {"a"',
          ':1}\r\n',
          '\r\nevent: x\ndata: line1\ndata: line2\n\n',
          'data: [DONE]\n\n',
        ];
        for (const piece of pieces) {
          response.write(piece);
          await new Promise((resolve) => setTimeout(resolve, 30));
        }
        response.end();
      },
    });
    const result = await stream();
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('text/event-stream');
    expect(result.text).toBe('data: {"a":1}\n\nevent: x\ndata: line1\ndata: line2\n\ndata: [DONE]\n\n');
  });

  it('stops relaying at [DONE] and stays healthy when the upstream resets afterwards', async () => {
    upstream.enqueue('POST', CHAT, { kind: 'sse', events: EVENTS.slice(0, 2), done: true, end: 'reset' });
    const result = await stream();
    expect(result.text).toBe(`${EVENTS.slice(0, 2).map(frame).join('')}data: [DONE]\n\n`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    upstream.enqueue('POST', CHAT, { kind: 'sse', events: EVENTS });
    expect((await stream()).events.at(-1)!.data).toBe('[DONE]');
  });
});

describe('a broken stream', () => {
  it('S1: ends a stalled stream with an error event within the idle timeout + 1 s, without [DONE]', async () => {
    upstream.enqueue('POST', CHAT, { kind: 'sse', events: EVENTS, afterEvents: 1, end: 'stall' });
    const started = performance.now();
    const result = await stream();
    expect(result.status).toBe(200);
    expect(result.events.map((event) => event.data)).toHaveLength(2);
    expect(result.events[0]!.data).toBe(JSON.stringify(EVENTS[0]));
    expect(parseError(result.events[1]!.data)).toEqual({
      error: {
        message: `The upstream sent nothing for ${IDLE_MS} ms during the stream`,
        type: 'api_error',
        param: null,
        code: 'upstream_timeout',
      },
    });
    // The first event carries no content, so it is held back (another member could still have served) and
    // arrives with the error, once the idle timeout has passed.
    const silence = result.events[1]!.at - started;
    expect(silence).toBeGreaterThanOrEqual(IDLE_MS - 20);
    expect(silence).toBeLessThan(IDLE_MS + 1_000);
    expect(result.text).not.toContain('[DONE]');
    expect(result.outcome).toBe('end');
    // The gateway hangs up on the stalled upstream.
    expect(await upstream.requests[0]!.clientAborted).toBe(true);
  });

  it.each([1, 3])(
    'S2: ends a stream the upstream resets after %i events with an error event',
    async (count) => {
      upstream.enqueue('POST', CHAT, { kind: 'sse', events: EVENTS, afterEvents: count, end: 'reset' });
      const result = await stream();
      expect(result.status).toBe(200);
      expect(result.events.slice(0, count).map((event) => event.data)).toEqual(
        EVENTS.slice(0, count).map((event) => JSON.stringify(event)),
      );
      expect(result.events).toHaveLength(count + 1);
      expect(parseError(result.events[count]!.data)).toEqual({
        error: {
          message: 'The upstream connection failed during the stream',
          type: 'api_error',
          param: null,
          code: 'stream_interrupted',
        },
      });
      expect(result.text).not.toContain('[DONE]');
    },
  );

  it('S2: ends a stream the upstream closes cleanly without [DONE] with an error event', async () => {
    upstream.enqueue('POST', CHAT, { kind: 'sse', events: EVENTS.slice(0, 3), done: false, end: 'close' });
    const result = await stream();
    expect(result.events.map((event) => event.data).slice(0, 3)).toEqual(
      EVENTS.slice(0, 3).map((event) => JSON.stringify(event)),
    );
    expect(result.events).toHaveLength(4);
    expect(parseError(result.events[3]!.data).error).toEqual({
      message: 'The upstream stream ended before it was complete',
      type: 'api_error',
      param: null,
      code: 'stream_interrupted',
    });
    expect(result.text).not.toContain('[DONE]');
  });

  it('S2: drops a half-written last event instead of relaying it', async () => {
    upstream.enqueue('POST', CHAT, {
      kind: 'handler',
      handle: (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.end(`${frame(EVENTS[0])}data: {"half":`);
      },
    });
    const result = await stream();
    expect(result.events.map((event) => event.data)).toHaveLength(2);
    expect(result.text.startsWith(frame(EVENTS[0]))).toBe(true);
    expect(result.text).not.toContain('half');
    expect(parseError(result.events[1]!.data).error.code).toBe('stream_interrupted');
  });

  it('leaves nothing in flight after broken streams', async () => {
    upstream.enqueue(
      'POST',
      CHAT,
      { kind: 'sse', events: EVENTS, afterEvents: 2, end: 'stall' },
      { kind: 'sse', events: EVENTS, afterEvents: 2, end: 'reset' },
    );
    await Promise.all([stream(), stream()]);
    expect(await eventually(() => gateway.running.dataPlane.inFlight() === 0, 1_000)).toBe(true);
  });
});
