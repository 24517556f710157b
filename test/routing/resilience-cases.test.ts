/**
 * Test plan R4 to R8 and S3, each at its pass figure on 127.0.0.1: stalls, refused connections and names that do
 * not resolve, failures that may have been billed, every provider failing under a deadline, weighted splits with
 * an ejection, and streams that fail before or after their first content. Each case has its own entries (under
 * its own base path on the two fakes), so the health one case provokes never changes another's plan.
 */
import type { LookupFunction } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, closedPort, sseData } from '../dataplane/helpers.js';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { chatChunk, chatStream } from '../harness/openai-fixtures.js';
import { readProvider, until } from '../providers/helpers.js';
import { seededRandom } from '../support/configuration.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import {
  batch,
  type ClientOutcome,
  isProbe,
  percentile,
  send,
  serverError,
  success,
} from './resilience-support.js';

const MAX_ATTEMPTS = 3;
const FIRST_BYTE_MS = 500;
const UNRESOLVABLE = 'provider.unresolvable.invalid';
let gateway: TestGateway;
let a: FakeUpstream;
let b: FakeUpstream;
let key: string;

/** Resolves nothing: the gateway's own lookup for upstream names, so no query leaves the machine. */
const lookup: LookupFunction = (hostname, _options, callback) => {
  const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
    code: 'ENOTFOUND',
    hostname,
  }) as NodeJS.ErrnoException;
  callback(error, '', 4);
};

beforeAll(async () => {
  a = await startFakeUpstream();
  b = await startFakeUpstream();
  gateway = await startTestGateway({
    random: seededRandom(8),
    lookup,
    config: {
      maxAttempts: MAX_ATTEMPTS,
      firstByteTimeoutMs: FIRST_BYTE_MS,
      streamIdleTimeoutMs: 1_000,
      ejectionBaseMs: 60_000,
      ejectionMaxMs: 60_000,
      logLevel: 'silent',
    },
  });
  key = (await gateway.createKey()).secret;
});
afterAll(async () => {
  await gateway?.close();
  await a?.close();
  await b?.close();
});

/**
 * How late this process ran its timers while a case ran, in ms: other suites share the two cores, and that lag is
 * the machine's, not the gateway's, so timing figures allow for it.
 */
function busyLag(): { stop(): number } {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return {
    stop: () => {
      histogram.disable();
      return histogram.max / 1e6;
    },
  };
}

async function entry(id: string, baseUrl: string): Promise<void> {
  await ok(gateway.admin('POST', '/providers', { id, type: 'openai-compatible', displayName: id, baseUrl }));
}

async function model(id: string, members: Array<{ entry: string; weight?: number; priority?: number }>) {
  await ok(
    gateway.admin('POST', '/models', {
      id,
      kind: 'chat',
      deployments: members.map((member) => ({
        providerId: member.entry,
        upstreamModel: 'u',
        ...(member.weight === undefined ? {} : { weight: member.weight }),
        ...(member.priority === undefined ? {} : { priority: member.priority }),
      })),
    }),
  );
}

/** Model `<name>` served by `<name>-a` (on A) first and `<name>-b` (on B) as its fallback, and `<name>-b-only`. */
async function chain(name: string): Promise<string> {
  await entry(`${name}-a`, `${a.url}/${name}/v1`);
  await entry(`${name}-b`, `${b.url}/${name}/v1`);
  await model(name, [
    { entry: `${name}-a`, priority: 0 },
    { entry: `${name}-b`, priority: 1 },
  ]);
  await model(`${name}-b-only`, [{ entry: `${name}-b` }]);
  return `/${name}/v1/chat/completions`;
}

const keyWith = async (execution: Record<string, unknown>) => {
  const created = await gateway.createKey();
  await ok(gateway.admin('PATCH', `/keys/${created.id}`, { routing: { rules: [], execution } }));
  return created.secret;
};

describe('R4: the first target accepts and never answers', () => {
  it('falls back when the first-byte timeout fires, within timeout + B latency + 100 ms, and closes the stalled sockets', async () => {
    const path = await chain('r4');
    const baseline = a.openConnections();
    a.on({ method: 'POST', path, reply: { kind: 'stall' } });
    b.on({ method: 'POST', path, reply: (request) => success(request) });
    const direct = await batch(20, 20, () => send(gateway.url, key, chat('r4-b-only')));
    const bLatency = Math.max(...direct.map((outcome) => outcome.endedAt - outcome.startedAt));
    // Timers fire late when the machine is busy (other suites run in parallel): the lag this process saw during
    // the run is the machine's, not the gateway's, and is added to the allowance.
    const lag = busyLag();
    const outcomes = await batch(20, 20, () => send(gateway.url, key, chat('r4')));
    const allowance = FIRST_BYTE_MS + bLatency + 100 + lag.stop();
    for (const outcome of outcomes) {
      expect(outcome.complete, outcome.text).toBe(true);
      expect(outcome.backend).toBe('r4-b/u');
      expect(outcome.endedAt - outcome.startedAt).toBeLessThanOrEqual(allowance);
    }
    const stalled = a.requests.filter((request) => request.path === path);
    expect(stalled.length).toBeGreaterThan(0);
    for (const request of stalled) expect(await request.clientAborted).toBe(true);
    await until(
      async () => a.openConnections(),
      (open) => Math.abs(open - baseline) <= 5,
    );
  });
});

describe('R5: the first target refuses connections, or its name does not resolve', () => {
  it('falls back at once: every request succeeds and p99 added latency ≤ 20 ms', async () => {
    await entry('r5-refused', `http://127.0.0.1:${await closedPort()}/v1`);
    await entry('r5-unresolvable', `http://${UNRESOLVABLE}/v1`);
    await entry('r5-b', `${b.url}/r5/v1`);
    await model('r5', [
      { entry: 'r5-refused', priority: 0 },
      { entry: 'r5-unresolvable', priority: 1 },
      { entry: 'r5-b', priority: 2 },
    ]);
    await model('r5-b-only', [{ entry: 'r5-b' }]);
    b.on({ method: 'POST', path: '/r5/v1/chat/completions', reply: (request) => success(request) });
    const latency = (outcomes: ClientOutcome[]) =>
      outcomes.map((outcome) => outcome.endedAt - outcome.startedAt);
    const direct: ClientOutcome[] = [];
    const through: ClientOutcome[] = [];
    for (let i = 0; i < 100; i++) {
      direct.push(await send(gateway.url, key, chat('r5-b-only')));
      through.push(await send(gateway.url, key, chat('r5')));
    }
    expect(through.filter((outcome) => !outcome.complete)).toEqual([]);
    // The first requests tried all three (nothing was sent, so each fallback is safe); later ones skip the
    // ejected members.
    expect(through[0]!.attempts).toBe(3);
    expect(percentile(latency(through), 99) - percentile(latency(direct), 99)).toBeLessThanOrEqual(20);
    const unresolvable = await readProvider(gateway, 'r5-unresolvable');
    expect(unresolvable.health.ejected[0]?.diagnostic).toMatchObject({ stage: 'connect' });
  });
});

describe('R6: the first target may have processed the request', () => {
  it('does not replay a request whose connection closed after it was sent, and says the outcome is unknown', async () => {
    const path = await chain('r6');
    let billed = 0;
    a.on({
      method: 'POST',
      path,
      reply: {
        kind: 'handler',
        handle: (_request, response) => {
          billed++;
          response.socket?.destroy();
        },
      },
    });
    b.on({
      method: 'POST',
      path,
      reply: (request) => {
        billed++;
        return success(request);
      },
    });
    const outcomes = await batch(20, 5, () => send(gateway.url, key, chat('r6')));
    expect(billed).toBe(outcomes.length);
    const unknown = outcomes.filter((outcome) => outcome.backend === 'r6-a/u');
    expect(unknown.length).toBeGreaterThanOrEqual(3);
    for (const outcome of unknown) {
      expect(outcome.status).toBe(502);
      expect(outcome.attempts).toBe(1);
      expect(outcome.text).toContain('may have been processed');
    }
  });

  it('replays on the next target when the policy opts in, and reports both attempts', async () => {
    const path = await chain('r6-opt');
    a.on({
      method: 'POST',
      path,
      reply: { kind: 'handler', handle: (_request, response) => void response.socket?.destroy() },
    });
    b.on({ method: 'POST', path, reply: (request) => success(request) });
    const secret = await keyWith({ replayUncertain: true });
    const outcome = await send(gateway.url, secret, chat('r6-opt'));
    expect(outcome.complete).toBe(true);
    expect(outcome.attempts).toBe(2);
    expect(outcome.backend).toBe('r6-opt-b/u');
  });
});

describe('R7: every provider fails', () => {
  it('makes at most the capped attempts, answers each request once with an error, never after the deadline', async () => {
    const base = (name: string) => `/r7/${name}/v1`;
    await entry('r7-500', `${a.url}${base('m500')}`);
    await entry('r7-429', `${a.url}${base('m429')}`);
    await entry('r7-reset', `${b.url}${base('mreset')}`);
    await entry('r7-slow', `${b.url}${base('mslow')}`);
    await model('r7', [
      { entry: 'r7-500' },
      { entry: 'r7-429' },
      { entry: 'r7-reset' },
      { entry: 'r7-slow' },
    ]);
    a.on({ method: 'POST', path: `${base('m500')}/chat/completions`, reply: serverError(500) });
    a.on({
      method: 'POST',
      path: `${base('m429')}/chat/completions`,
      reply: {
        kind: 'json',
        status: 429,
        headers: { 'retry-after': '1' },
        body: { error: { message: 'slow' } },
      },
    });
    b.on({ method: 'POST', path: `${base('mreset')}/chat/completions`, reply: { kind: 'reset' } });
    b.on({ method: 'POST', path: `${base('mslow')}/chat/completions`, reply: serverError(503, 450) });
    const deadlineMs = 700;
    const secret = await keyWith({ replayUncertain: true, deadlineMs });
    const lag = busyLag();
    const outcomes = await batch(150, 50, () => send(gateway.url, secret, chat('r7')));
    const late = lag.stop();
    expect(outcomes).toHaveLength(150);
    for (const outcome of outcomes) {
      expect(outcome.status, outcome.text).toBeGreaterThanOrEqual(400);
      expect((JSON.parse(outcome.text) as { error?: unknown }).error).toBeDefined();
      expect(outcome.attempts).toBeGreaterThanOrEqual(1);
      expect(outcome.attempts).toBeLessThanOrEqual(MAX_ATTEMPTS);
      // The gateway answers by its deadline; what remains is the client's own transfer time (and how late this
      // busy process ran its timers; the margin covers a machine shared with other load). Without the deadline
      // an answer takes up to three attempts against a 450 ms upstream.
      expect(outcome.endedAt - outcome.startedAt).toBeLessThanOrEqual(deadlineMs + 250 + late);
    }
    const sent = [...a.requests, ...b.requests].filter((request) => request.path.startsWith('/r7/'));
    expect(sent.length).toBeLessThanOrEqual(outcomes.length * MAX_ATTEMPTS);
  });

  it('cuts an attempt still waiting when the deadline passes, and answers 504 naming the deadline', async () => {
    const path = await chain('r7-deadline');
    a.on({ method: 'POST', path, reply: (request) => success(request, { delayMs: 3_000 }) });
    const secret = await keyWith({ deadlineMs: 300 });
    const lag = busyLag();
    const started = performance.now();
    const outcome = await send(gateway.url, secret, chat('r7-deadline'));
    expect(performance.now() - started).toBeLessThan(300 + 200 + lag.stop());
    expect(outcome.status).toBe(504);
    expect(outcome.text).toContain('routing deadline of 300 ms');
    expect(b.requests.filter((request) => request.path === path)).toHaveLength(0);
    // The cut was the gateway's doing: it does not count against A.
    expect((await readProvider(gateway, 'r7-deadline-a')).health.ejected).toEqual([]);
  });
});

describe('R8: a weighted split 70/30 with a weight-0 member', () => {
  it('follows the weights within ±1.5 points over 10,000 requests, never picks weight 0, and shares an ejected member out', async () => {
    for (const name of ['w70', 'w30', 'w0']) await entry(`r8-${name}`, `${b.url}/r8/${name}/v1`);
    await model('r8', [
      { entry: 'r8-w70', weight: 70 },
      { entry: 'r8-w30', weight: 30 },
      { entry: 'r8-w0', weight: 0 },
    ]);
    let w30Failing = false;
    for (const name of ['w70', 'w30', 'w0']) {
      b.on({
        method: 'POST',
        path: `/r8/${name}/v1/chat/completions`,
        reply: (request) => (name === 'w30' && w30Failing ? serverError(503) : success(request)),
      });
    }
    // This gateway's first-byte timeout is short for R4; R8's load must not meet it on a busy machine.
    const secret = await keyWith({ firstByteTimeoutMs: 10_000 });
    const share = (outcomes: ClientOutcome[], backend: string) =>
      outcomes.filter((outcome) => outcome.backend === backend).length / outcomes.length;
    const split = await batch(10_000, 50, () => send(gateway.url, secret, chat('r8')));
    expect(split.filter((outcome) => !outcome.complete)).toEqual([]);
    expect(Math.abs(share(split, 'r8-w70/u') - 0.7)).toBeLessThanOrEqual(0.015);
    expect(Math.abs(share(split, 'r8-w30/u') - 0.3)).toBeLessThanOrEqual(0.015);
    expect(share(split, 'r8-w0/u')).toBe(0);

    w30Failing = true;
    await until(
      async () => {
        await send(gateway.url, secret, chat('r8'));
        return readProvider(gateway, 'r8-w30');
      },
      (entry) => entry.health.ejected.length === 1,
      10_000,
    );
    const after = await batch(2_000, 50, () => send(gateway.url, secret, chat('r8')));
    expect(after.filter((outcome) => !outcome.complete)).toEqual([]);
    expect(share(after, 'r8-w70/u')).toBe(1);
    expect(after.every((outcome) => outcome.attempts === 1)).toBe(true);
    expect(b.requests.filter((request) => request.path.startsWith('/r8/w0/') && !isProbe(request))).toEqual(
      [],
    );
  }, 120_000);
});

describe('S3: a stream that fails before its first content, and one that fails after it', () => {
  const errorEvent = { error: { message: 'Overloaded', type: 'overloaded_error', code: 529 } };
  const stream = (model: string, secret = key) =>
    send(gateway.url, secret, chat(model, 'hi', { stream: true }));

  it.each([
    [
      'metadata then an error',
      [{ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'u', choices: [] }],
    ],
    ['a role-only chunk then a 529 overload', [chatChunk({ model: 'u', role: 'assistant', content: '' })]],
    ['nothing but an error', []],
  ])('falls over to the next target after %s, sending nothing of the first', async (_what, opening) => {
    const name = `s3-${opening.length}-${_what.length}`;
    const path = await chain(name);
    a.on({ method: 'POST', path, reply: { kind: 'sse', events: [...opening, errorEvent], done: false } });
    b.on({ method: 'POST', path, reply: (request) => success(request) });
    const outcome = await stream(name);
    expect(outcome.complete, outcome.text).toBe(true);
    expect(outcome.attempts).toBe(2);
    expect(outcome.backend).toBe(`${name}-b/u`);
    // Not a zero-token success: the answer is B's, with its content, and nothing of A's opening.
    const data = sseData(outcome.text);
    expect(data.filter((event) => event.includes('"w0 "'))).toHaveLength(1);
    expect(outcome.text).not.toContain('Overloaded');
    expect(data.filter((event) => event.includes('"choices":[]'))).toEqual([]);
  });

  it('falls over after a 200 that ends at once, and after a role chunk and a reset', async () => {
    const path = await chain('s3-eof');
    a.enqueue(
      'POST',
      path,
      { kind: 'sse', events: [], done: false },
      { kind: 'sse', events: chatStream({ model: 'u', words: ['x'] }), afterEvents: 1, end: 'reset' },
    );
    b.on({ method: 'POST', path, reply: (request) => success(request) });
    for (let i = 0; i < 2; i++) {
      const outcome = await stream('s3-eof');
      expect(outcome.complete, outcome.text).toBe(true);
      expect(outcome.attempts).toBe(2);
    }
  });

  it('forwards the error once content has gone to the client: no fallback, no [DONE]', async () => {
    const path = await chain('s3-after');
    a.on({
      method: 'POST',
      path,
      reply: {
        kind: 'sse',
        events: [
          chatChunk({ model: 'u', role: 'assistant', content: '' }),
          chatChunk({ model: 'u', content: 'Hello' }),
          errorEvent,
        ],
        done: false,
      },
    });
    const outcome = await stream('s3-after');
    expect(outcome.status).toBe(200);
    expect(outcome.attempts).toBe(1);
    expect(outcome.backend).toBe('s3-after-a/u');
    const data = sseData(outcome.text);
    expect(data.some((event) => event.includes('Hello'))).toBe(true);
    expect(data.at(-1)).toContain('"error"');
    expect(outcome.text).not.toContain('[DONE]');
    expect(b.requests.filter((request) => request.path === path)).toHaveLength(0);
  });

  it('ends the stream with what it held back and the error when no target is left', async () => {
    await entry('s3-alone', `${a.url}/s3-alone/v1`);
    await model('s3-alone', [{ entry: 's3-alone' }]);
    a.on({
      method: 'POST',
      path: '/s3-alone/v1/chat/completions',
      reply: {
        kind: 'sse',
        events: [chatChunk({ model: 'u', role: 'assistant', content: '' }), errorEvent],
        done: false,
      },
    });
    const outcome = await stream('s3-alone');
    expect(outcome.status).toBe(200);
    const data = sseData(outcome.text);
    expect(data).toHaveLength(2);
    expect(JSON.parse(data[1]!)).toMatchObject({ error: { code: 'upstream_error' } });
    expect(data[1]).toContain('Overloaded');
    expect(outcome.text).not.toContain('[DONE]');
  });
});
