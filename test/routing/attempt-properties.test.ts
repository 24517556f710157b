/**
 * Test plan F1 (b), as a fast-check property over a running gateway: for any sequence of upstream outcomes
 * (success, 500, 429, a reset, a stream cut after its first content, a stream cut before any content), a request
 * makes at most the capped number of
 * attempts, none after its answer was committed to the client, and ends in exactly one terminal outcome: one JSON
 * answer, or one stream ending either with `[DONE]` or with one error event.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chat, sseData, streamRequest } from '../dataplane/helpers.js';
import { type FakeUpstream, type Reply, startFakeUpstream } from '../harness/fake-upstream.js';
import { chatStream, openAIError } from '../harness/openai-fixtures.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';

const MAX_ATTEMPTS = 3;
const CHAT = '/v1/chat/completions';
type Outcome = 'ok' | '500' | '429' | 'reset' | 'cut' | 'early';

let gateway: TestGateway;
let upstream: FakeUpstream;
let secret: string;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  // Outlier ejection is off here (it has its own tests): every run plans over the whole pool.
  gateway = await startTestGateway({
    config: { maxAttempts: MAX_ATTEMPTS, streamIdleTimeoutMs: 2_000, ejectionFailures: 1_000_000 },
  });
  for (const id of ['m1', 'm2', 'm3', 'm4']) {
    await ok(
      gateway.admin('POST', '/providers', {
        id,
        type: 'openai-compatible',
        displayName: id,
        baseUrl: `${upstream.url}/v1`,
      }),
    );
  }
  await ok(
    gateway.admin('POST', '/models', {
      id: 'pool',
      kind: 'chat',
      deployments: ['m1', 'm2', 'm3', 'm4'].map((providerId) => ({ providerId, upstreamModel: 'u' })),
    }),
  );
  const key = await gateway.createKey();
  await ok(
    gateway.admin('PATCH', `/keys/${key.id}`, {
      routing: { rules: [], execution: { replayUncertain: true } },
    }),
  );
  secret = key.secret;
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

function reply(outcome: Outcome, stream: boolean): Reply {
  switch (outcome) {
    case 'ok':
      return stream
        ? { kind: 'sse', events: chatStream({ model: 'u', words: ['a', ' b'] }) }
        : {
            kind: 'json',
            body: {
              id: 'x',
              object: 'chat.completion',
              created: 1,
              model: 'u',
              choices: [{ index: 0, message: { role: 'assistant', content: 'a b' }, finish_reason: 'stop' }],
            },
          };
    case '500':
      return { kind: 'json', status: 500, body: openAIError('boom', 'server_error') };
    case '429':
      return { kind: 'json', status: 429, body: openAIError('slow', 'rate_limit_error') };
    case 'reset':
      return { kind: 'reset' };
    case 'cut':
      // The role chunk and the first word: content reached the client, so the attempt has committed.
      return stream
        ? {
            kind: 'sse',
            events: chatStream({ model: 'u', words: ['a', ' b', ' c'] }),
            afterEvents: 2,
            end: 'reset',
          }
        : { kind: 'json', status: 502, body: openAIError('bad gateway', 'server_error') };
    case 'early':
      // Only the role chunk: no content yet, so the attempt fails and the next one may serve.
      return stream
        ? {
            kind: 'sse',
            events: chatStream({ model: 'u', words: ['a', ' b', ' c'] }),
            afterEvents: 1,
            end: 'reset',
          }
        : { kind: 'json', status: 503, body: openAIError('overloaded', 'server_error') };
  }
}

it('F1 (b): attempts within the cap, none after commit, exactly one terminal outcome', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.constantFrom<Outcome>('ok', '500', '429', 'reset', 'cut', 'early'), {
        minLength: 1,
        maxLength: 5,
      }),
      fc.boolean(),
      async (outcomes, stream) => {
        upstream.reset();
        // Failures of earlier runs feed health; a check makes every member eligible again, so each run plans 3.
        for (const id of ['m1', 'm2', 'm3', 'm4']) await ok(gateway.admin('POST', `/providers/${id}/verify`));
        for (const outcome of outcomes) upstream.enqueue('POST', CHAT, reply(outcome, stream));
        const result = await streamRequest(gateway.url, {
          key: secret,
          body: chat('pool', 'hi', stream ? { stream: true } : {}),
        });
        const attempts = Number(result.headers['x-junction-attempts']);
        const sentUpstream = upstream.requests.filter((request) => request.method === 'POST').length;
        expect(attempts).toBeLessThanOrEqual(MAX_ATTEMPTS);
        expect(sentUpstream).toBe(attempts);
        // The first committing outcome ends the attempts: nothing is sent after it.
        const commit = outcomes.findIndex((outcome) => outcome === 'ok' || (stream && outcome === 'cut'));
        if (commit !== -1 && commit < MAX_ATTEMPTS) expect(attempts).toBe(commit + 1);
        if (result.status === 200 && stream) {
          const data = sseData(result.text);
          const done = data.filter((event) => event === '[DONE]').length;
          const errors = data.filter((event) => event.startsWith('{"error"')).length;
          expect(done + errors).toBe(1);
        } else {
          expect(() => JSON.parse(result.text)).not.toThrow();
        }
      },
    ),
    { numRuns: 40 },
  );
});
