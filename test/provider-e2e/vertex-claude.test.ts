/**
 * Claude on Google Vertex AI end to end: the Anthropic translator on Vertex's rawPredict routes, authenticated
 * with an OAuth token minted from the entry's service-account key.
 */
import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'vitest';
import {
  anthropicDefaultReply,
  anthropicErrorReply,
  anthropicMessage,
  anthropicSseReply,
  anthropicStreamEvents,
} from '../harness/anthropic-protocol.js';
import {
  type FakeUpstream,
  type RecordedRequest,
  type Reply,
  startFakeUpstream,
} from '../harness/fake-upstream.js';
import { googleError, oauthTokenHandler } from '../harness/google-protocol.js';
import { ok } from '../support/gateway.js';
import { fullChatModel, runSdkSuite, serviceAccountKey } from './sdk-suite.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const CLIENT_EMAIL = 'junction-claude@acme-prod.iam.gserviceaccount.com';
const MODEL = 'claude-sonnet-4-5@20250929';
const RAW_PREDICT = /\/publishers\/anthropic\/models\/[^/:]+:(rawPredict|streamRawPredict)$/;
let upstream: FakeUpstream;

/** Vertex's rawPredict for Claude: checks the token and the Vertex body, then answers as Anthropic would. */
function vertexClaude(): Reply {
  const inner = anthropicDefaultReply({ apiKey: 'vertex' });
  return {
    kind: 'handler',
    handle: async (request: RecordedRequest, response) => {
      const body = request.json as Record<string, unknown>;
      if (request.headers.authorization !== 'Bearer fake-access-token-1') {
        response.writeHead(401, { 'content-type': 'application/json' });
        response.end(JSON.stringify(googleError(401, 'Request had invalid authentication credentials.')));
        return;
      }
      if (body.anthropic_version !== 'vertex-2023-10-16' || 'model' in body) {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify(googleError(400, 'anthropic_version must be vertex-2023-10-16, model not in body')),
        );
        return;
      }
      if (inner.kind !== 'handler') return;
      await inner.handle(
        {
          ...request,
          path: '/v1/messages',
          headers: { ...request.headers, 'x-api-key': 'vertex', 'anthropic-version': '2023-06-01' },
          json: { ...body, model: MODEL },
        },
        response,
      );
    },
  };
}

runSdkSuite({
  label: 'Claude on Google Vertex AI',
  chatModel: 'claude-vertex',
  async setup(gateway) {
    upstream = await startFakeUpstream({ defaultReplies: false });
    upstream.on({ method: 'POST', path: RAW_PREDICT, reply: vertexClaude() });
    upstream.on({
      method: 'POST',
      path: '/token',
      reply: oauthTokenHandler({ publicKey, clientEmail: CLIENT_EMAIL, audience: `${upstream.url}/token` }),
    });
    await ok(
      gateway.admin('POST', '/providers', {
        id: 'vertex-gcp-us-east5',
        type: 'vertex',
        displayName: 'Vertex Ohio',
        region: 'us-east5',
        baseUrl: upstream.url,
        serviceAccount: serviceAccountKey(
          privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
          CLIENT_EMAIL,
          upstream.url,
          'claude-key-id-0001',
        ),
      }),
    );
    await ok(gateway.admin('POST', '/models', fullChatModel('claude-vertex', 'vertex-gcp-us-east5', MODEL)));
  },
  teardown: async () => upstream?.close(),
  failNextChat(status) {
    upstream.enqueue(
      'POST',
      /:rawPredict$/,
      anthropicErrorReply(
        status,
        status === 429 ? 'rate_limit_error' : 'invalid_request_error',
        `fake ${status}`,
      ),
    );
  },
  cutNextStream() {
    const message = anthropicMessage({ content: [{ type: 'text', text: 'one two three four five' }] });
    upstream.enqueue(
      'POST',
      /:streamRawPredict$/,
      anthropicSseReply(anthropicStreamEvents(message), { afterEvents: 4 }),
    );
  },
  requests: () => upstream.requests.filter((request) => request.path !== '/token'),
  expectAuthenticated(request) {
    expect(request.path).toBe(
      '/v1/projects/acme-prod/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict',
    );
    expect(request.headers.authorization).toBe('Bearer fake-access-token-1');
    expect(request.headers['x-api-key']).toBeUndefined();
  },
});
