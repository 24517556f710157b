/**
 * Google Vertex AI end to end: the openai SDK through Junction to a fake Vertex endpoint. Junction turns the
 * entry's service-account key into an OAuth token at the key's token URI (a fake that verifies the RS256
 * assertion with the account's public key) and calls Gemini on Vertex with it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { DEFAULT_EMBEDDING_DIMENSIONS } from '../harness/fake-upstream-defaults.js';
import {
  geminiResponse,
  googleErrorReply,
  googleHandler,
  oauthTokenHandler,
  streamGenerateContentReply,
} from '../harness/google-protocol.js';
import { ok } from '../support/gateway.js';
import { fullChatModel, runSdkSuite, serviceAccountKey } from './sdk-suite.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const CLIENT_EMAIL = 'junction-e2e@acme-prod.iam.gserviceaccount.com';
let upstream: FakeUpstream;

runSdkSuite({
  label: 'Google Vertex AI (service account)',
  chatModel: 'gemini-vertex',
  embeddingModel: { id: 'vertex-embed', dimension: DEFAULT_EMBEDDING_DIMENSIONS },
  async setup(gateway) {
    upstream = await startFakeUpstream({ defaultReplies: false });
    upstream.on({ reply: googleHandler({ bearerToken: 'fake-access-token-1' }) });
    upstream.on({
      method: 'POST',
      path: '/token',
      reply: oauthTokenHandler({ publicKey, clientEmail: CLIENT_EMAIL, audience: `${upstream.url}/token` }),
    });
    await ok(
      gateway.admin('POST', '/providers', {
        id: 'vertex-gcp-europe-west4',
        type: 'vertex',
        displayName: 'Vertex Netherlands',
        region: 'europe-west4',
        baseUrl: upstream.url,
        serviceAccount: serviceAccountKey(
          privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
          CLIENT_EMAIL,
          upstream.url,
          'e2e-key-id-0001',
        ),
      }),
    );
    await ok(
      gateway.admin(
        'POST',
        '/models',
        fullChatModel('gemini-vertex', 'vertex-gcp-europe-west4', 'gemini-2.5-pro'),
      ),
    );
    await ok(
      gateway.admin('POST', '/models', {
        id: 'vertex-embed',
        kind: 'embedding',
        dimension: DEFAULT_EMBEDDING_DIMENSIONS,
        deployments: [{ providerId: 'vertex-gcp-europe-west4', upstreamModel: 'text-embedding-005' }],
      }),
    );
  },
  teardown: async () => upstream?.close(),
  failNextChat(status) {
    upstream.enqueue(
      'POST',
      /:generateContent$/,
      googleErrorReply(status, status === 429 ? 'Quota exceeded' : 'Invalid argument'),
    );
  },
  cutNextStream() {
    const events = ['one ', 'two ', 'three ', 'four'].map((text) => geminiResponse([{ text }]));
    upstream.enqueue('POST', /:streamGenerateContent/, streamGenerateContentReply(events, { cutAfter: 2 }));
  },
  requests: () => upstream.requests.filter((request) => request.path !== '/token'),
  expectAuthenticated(request) {
    expect(request.path).toBe(
      '/v1/projects/acme-prod/locations/europe-west4/publishers/google/models/gemini-2.5-pro:generateContent',
    );
    expect(request.headers.authorization).toBe('Bearer fake-access-token-1');
    // One token was minted and reused.
    expect(upstream.requests.filter((each) => each.path === '/token')).toHaveLength(1);
  },
});
