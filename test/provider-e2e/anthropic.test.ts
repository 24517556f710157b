/** Anthropic end to end: the openai SDK through Junction to a fake speaking the Messages API. */
import { expect } from 'vitest';
import {
  ANTHROPIC_FAKE_MODEL,
  anthropicErrorReply,
  anthropicMessage,
  anthropicRoute,
  anthropicSseReply,
  anthropicStreamEvents,
} from '../harness/anthropic-protocol.js';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { ok } from '../support/gateway.js';
import { fullChatModel, runSdkSuite } from './sdk-suite.js';

const API_KEY = 'sk-ant-e2e-credential-0123456789';
let upstream: FakeUpstream;

runSdkSuite({
  label: 'Anthropic',
  chatModel: 'claude-e2e',
  async setup(gateway) {
    upstream = await startFakeUpstream({ defaultReplies: false });
    upstream.on(anthropicRoute({ apiKey: API_KEY }));
    await ok(
      gateway.admin('POST', '/providers', {
        id: 'anthropic-e2e',
        type: 'anthropic',
        displayName: 'Anthropic',
        baseUrl: `${upstream.url}/v1`,
        apiKey: API_KEY,
      }),
    );
    await ok(
      gateway.admin('POST', '/models', fullChatModel('claude-e2e', 'anthropic-e2e', ANTHROPIC_FAKE_MODEL)),
    );
  },
  teardown: async () => upstream?.close(),
  failNextChat(status) {
    upstream.enqueue(
      'POST',
      /\/messages$/,
      anthropicErrorReply(
        status,
        status === 429 ? 'rate_limit_error' : 'invalid_request_error',
        `fake ${status} error`,
      ),
    );
  },
  cutNextStream() {
    const message = anthropicMessage({
      model: ANTHROPIC_FAKE_MODEL,
      content: [{ type: 'text', text: 'one two three four five six' }],
      stopReason: 'end_turn',
      usage: { input_tokens: 5, output_tokens: 6 },
    });
    upstream.enqueue(
      'POST',
      /\/messages$/,
      anthropicSseReply(anthropicStreamEvents(message), { afterEvents: 4 }),
    );
  },
  requests: () => upstream.requests,
  expectAuthenticated(request) {
    expect(request.path).toBe('/v1/messages');
    expect(request.headers['x-api-key']).toBe(API_KEY);
    expect(request.headers['anthropic-version']).toBe('2023-06-01');
    expect(request.headers.authorization).toBeUndefined();
  },
});
