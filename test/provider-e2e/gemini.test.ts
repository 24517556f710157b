/** The Gemini API end to end: the openai SDK through Junction to a fake speaking generateContent, with an API key. */
import { expect } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { DEFAULT_EMBEDDING_DIMENSIONS } from '../harness/fake-upstream-defaults.js';
import {
  geminiResponse,
  googleErrorReply,
  googleHandler,
  streamGenerateContentReply,
} from '../harness/google-protocol.js';
import { ok } from '../support/gateway.js';
import { fullChatModel, runSdkSuite } from './sdk-suite.js';

const API_KEY = 'AIzaSy-gemini-e2e-credential-0123456789';
let upstream: FakeUpstream;

runSdkSuite({
  label: 'the Gemini API',
  chatModel: 'gemini-e2e',
  embeddingModel: { id: 'gemini-embed-e2e', dimension: DEFAULT_EMBEDDING_DIMENSIONS },
  async setup(gateway) {
    upstream = await startFakeUpstream({ defaultReplies: false });
    upstream.on({ reply: googleHandler({ apiKey: API_KEY }) });
    await ok(
      gateway.admin('POST', '/providers', {
        id: 'gemini-e2e',
        type: 'gemini',
        displayName: 'Gemini',
        baseUrl: `${upstream.url}/v1beta`,
        apiKey: API_KEY,
      }),
    );
    await ok(gateway.admin('POST', '/models', fullChatModel('gemini-e2e', 'gemini-e2e', 'gemini-2.5-flash')));
    await ok(
      gateway.admin('POST', '/models', {
        id: 'gemini-embed-e2e',
        kind: 'embedding',
        dimension: DEFAULT_EMBEDDING_DIMENSIONS,
        deployments: [{ providerId: 'gemini-e2e', upstreamModel: 'gemini-embedding-001' }],
      }),
    );
  },
  teardown: async () => upstream?.close(),
  failNextChat(status) {
    upstream.enqueue(
      'POST',
      /:generateContent$/,
      googleErrorReply(status, status === 429 ? 'Resource has been exhausted' : 'Invalid argument'),
    );
  },
  cutNextStream() {
    const events = ['one ', 'two ', 'three ', 'four'].map((text) => geminiResponse([{ text }]));
    upstream.enqueue('POST', /:streamGenerateContent/, streamGenerateContentReply(events, { cutAfter: 2 }));
  },
  requests: () => upstream.requests,
  expectAuthenticated(request) {
    expect(request.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(request.headers['x-goog-api-key']).toBe(API_KEY);
    expect(request.headers.authorization).toBeUndefined();
  },
});
