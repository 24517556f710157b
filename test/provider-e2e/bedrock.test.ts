/**
 * AWS Bedrock end to end: the openai SDK through Junction to a fake Bedrock runtime that verifies every SigV4
 * signature independently (node:crypto, not the signer Junction uses): Converse, ConverseStream in AWS
 * event-stream frames, forced tools, Cohere embeddings through InvokeModel.
 */
import { expect } from 'vitest';
import {
  bedrockError,
  bedrockHandler,
  converseStreamMessages,
  converseStreamReply,
  verifySigV4,
} from '../harness/bedrock-protocol.js';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { DEFAULT_EMBEDDING_DIMENSIONS } from '../harness/fake-upstream-defaults.js';
import { ok } from '../support/gateway.js';
import { fullChatModel, runSdkSuite } from './sdk-suite.js';

const CREDENTIALS = {
  accessKeyId: 'AKIAJUNCTIONE2ETEST1',
  secretAccessKey: 'bedrock-e2e-secret-access-key-0123456789',
};
const REGION = 'eu-central-1';
const CLAUDE = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
let upstream: FakeUpstream;

runSdkSuite({
  label: 'AWS Bedrock (Converse, SigV4)',
  chatModel: 'claude-bedrock',
  embeddingModel: { id: 'cohere-bedrock', dimension: DEFAULT_EMBEDDING_DIMENSIONS },
  async setup(gateway) {
    upstream = await startFakeUpstream({ defaultReplies: false });
    upstream.on({ reply: bedrockHandler({ credentials: CREDENTIALS, region: REGION }) });
    await ok(
      gateway.admin('POST', '/providers', {
        id: 'bedrock-aws-eu-central-1',
        type: 'bedrock',
        displayName: 'Bedrock Frankfurt',
        region: REGION,
        baseUrl: upstream.url,
        awsCredentials: CREDENTIALS,
      }),
    );
    await ok(
      gateway.admin('POST', '/models', fullChatModel('claude-bedrock', 'bedrock-aws-eu-central-1', CLAUDE)),
    );
    await ok(
      gateway.admin('POST', '/models', {
        id: 'cohere-bedrock',
        kind: 'embedding',
        dimension: DEFAULT_EMBEDDING_DIMENSIONS,
        deployments: [{ providerId: 'bedrock-aws-eu-central-1', upstreamModel: 'cohere.embed-english-v3' }],
      }),
    );
  },
  teardown: async () => upstream?.close(),
  failNextChat(status) {
    upstream.enqueue(
      'POST',
      /\/converse$/,
      status === 429
        ? bedrockError(429, 'ThrottlingException', 'Too many requests, please wait before trying again.')
        : bedrockError(400, 'ValidationException', 'The provided request is not valid'),
    );
  },
  cutNextStream() {
    const messages = converseStreamMessages({ pieces: ['one ', 'two ', 'three ', 'four'] });
    upstream.enqueue(
      'POST',
      /\/converse-stream$/,
      converseStreamReply(messages, { cutAfter: 3, cutMidMessage: true }),
    );
  },
  requests: () => upstream.requests,
  expectAuthenticated(request) {
    expect(request.path).toBe('/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse');
    expect(String(request.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAJUNCTIONE2ETEST1\/\d{8}\/eu-central-1\/bedrock\/aws4_request/,
    );
    expect(verifySigV4(request, CREDENTIALS, REGION, 'bedrock')).toEqual({ ok: true });
  },
});
