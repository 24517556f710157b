/**
 * BYOK passthrough (the caller's provider key forwarded, never stored or logged; members without a key skipped),
 * deferred verification of Bedrock entries (first real traffic decides their health), and checks and model
 * discovery that speak each provider's own model-list protocol (Anthropic's headers, Gemini's key header and
 * `models/` names, Azure's api-version).
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { chat } from '../dataplane/helpers.js';
import { anthropicRoute } from '../harness/anthropic-protocol.js';
import { bedrockError, bedrockHandler } from '../harness/bedrock-protocol.js';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { readHealth, until, verify } from './helpers.js';

const CHAT = '/v1/chat/completions';
const AWS = { accessKeyId: 'AKIADEFERREDTEST0001', secretAccessKey: 'deferred-secret-access-key-000000' };
const capable = { streaming: true, tools: true, vision: true, jsonMode: true };

let gateway: TestGateway;
let upstream: FakeUpstream;
const logLines: string[] = [];

beforeAll(async () => {
  upstream = await startFakeUpstream();
  const logger = createLogger({
    level: 'trace',
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    }),
  });
  gateway = await startTestGateway({ logger });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

describe('BYOK passthrough', () => {
  const callerKey = 'sk-caller-own-provider-key-5f3a9c2e';
  let junctionKey: string;

  beforeAll(async () => {
    await ok(
      gateway.admin('POST', '/providers', {
        id: 'openai-byok',
        type: 'openai-compatible',
        displayName: 'BYOK',
        baseUrl: `${upstream.url}/v1`,
        authMethod: 'passthrough',
      }),
    );
    await ok(
      gateway.admin('POST', '/providers', {
        id: 'echo-managed',
        type: 'echo',
        displayName: 'Managed fallback',
      }),
    );
    await ok(
      gateway.admin('POST', '/models', {
        id: 'byok-only',
        kind: 'chat',
        deployments: [{ providerId: 'openai-byok', upstreamModel: 'gpt-4.1' }],
      }),
    );
    await ok(
      gateway.admin('POST', '/models', {
        id: 'byok-then-managed',
        kind: 'chat',
        deployments: [
          { providerId: 'openai-byok', upstreamModel: 'gpt-4.1', weight: 1000 },
          { providerId: 'echo-managed', upstreamModel: 'echo', weight: 1 },
        ],
      }),
    );
    junctionKey = (await gateway.createKey()).secret;
  });

  it('forwards the key given in x-junction-provider-key, the provider way', async () => {
    const result = await gateway.call('POST', CHAT, chat('byok-only'), junctionKey, {
      'x-junction-provider-key': callerKey,
    });
    expect(result.status, result.text).toBe(200);
    const received = upstream.requests.at(-1)!;
    expect(received.headers.authorization).toBe(`Bearer ${callerKey}`);
    expect(received.headers['x-junction-provider-key']).toBeUndefined();
  });

  it.each(['x-junction-key', 'x-junction-api-key'])(
    "takes the provider key from Authorization when Junction's key is in %s",
    async (header) => {
      const result = await gateway.call('POST', CHAT, chat('byok-only'), undefined, {
        authorization: `Bearer ${callerKey}`,
        [header]: junctionKey,
      });
      expect(result.status, result.text).toBe(200);
      expect(upstream.requests.at(-1)!.headers.authorization).toBe(`Bearer ${callerKey}`);
    },
  );

  it('refuses with 401 when no backend can serve without a caller key, saying where it goes', async () => {
    const before = upstream.requests.length;
    const result = await gateway.call<{ error: { code: string; message: string } }>(
      'POST',
      CHAT,
      chat('byok-only'),
      junctionKey,
    );
    expect(result.status).toBe(401);
    expect(result.json.error.code).toBe('missing_api_key');
    expect(result.json.error.message).toContain('x-junction-provider-key');
    expect(upstream.requests.length).toBe(before);
  });

  it('skips the BYOK member without a caller key and serves from a managed one in the same chain', async () => {
    const result = await gateway.call('POST', CHAT, chat('byok-then-managed'), junctionKey);
    expect(result.status, result.text).toBe(200);
    expect(result.headers['x-junction-backend']).toBe('echo-managed/echo');
    expect(result.headers['x-junction-attempts']).toBe('2');
  });

  it('never writes the caller key to a log line', () => {
    expect(logLines.join('\n')).not.toContain(callerKey);
  });
});

describe('deferred verification', () => {
  let bedrock: FakeUpstream;
  let key: string;

  beforeAll(async () => {
    bedrock = await startFakeUpstream({ defaultReplies: false });
    bedrock.on({ reply: bedrockHandler({ credentials: AWS, region: 'us-east-1' }) });
    await ok(
      gateway.admin('POST', '/providers', {
        id: 'bedrock-deferred-us-east-1',
        type: 'bedrock',
        displayName: 'Bedrock',
        region: 'us-east-1',
        baseUrl: bedrock.url,
        awsCredentials: AWS,
      }),
    );
    await ok(
      gateway.admin('POST', '/models', {
        id: 'claude-deferred',
        kind: 'chat',
        capabilities: capable,
        deployments: [
          { providerId: 'bedrock-deferred-us-east-1', upstreamModel: 'anthropic.claude-3-haiku' },
        ],
      }),
    );
    key = (await gateway.createKey()).secret;
  });
  afterAll(async () => {
    await bedrock?.close();
  });

  it('is deferred until a real request, then healthy from it, and unhealthy after rejected credentials', async () => {
    const verified = await verify(gateway, 'bedrock-deferred-us-east-1');
    expect(verified.health.status).toBe('deferred');
    expect(bedrock.requests).toHaveLength(0);

    const served = await gateway.call('POST', CHAT, chat('claude-deferred'), key);
    expect(served.status, served.text).toBe(200);
    const healthy = await until(
      () => readHealth(gateway, 'bedrock-deferred-us-east-1'),
      (health) => health.current.status === 'healthy',
    );
    expect(healthy.current.status).toBe('healthy');

    for (let attempt = 0; attempt < 3; attempt++) {
      bedrock.enqueue(
        'POST',
        /\/converse$/,
        bedrockError(
          403,
          'UnrecognizedClientException',
          'The security token included in the request is invalid.',
        ),
      );
      const refused = await gateway.call<{ error: { message: string } }>(
        'POST',
        CHAT,
        chat('claude-deferred'),
        key,
      );
      expect(refused.status).toBe(403);
      expect(refused.json.error.message).toContain('security token included in the request is invalid');
    }
    const unhealthy = await until(
      () => readHealth(gateway, 'bedrock-deferred-us-east-1'),
      (health) => health.current.status === 'unhealthy',
    );
    expect(unhealthy.current.diagnostic?.stage).toBe('auth');
  });
});

describe("checks and discovery in each provider's protocol", () => {
  it('lists Anthropic models with x-api-key and anthropic-version', async () => {
    const anthropic = await startFakeUpstream({ defaultReplies: false });
    try {
      anthropic.on(anthropicRoute({ apiKey: 'sk-ant-discovery-0000000000' }));
      anthropic.on({
        method: 'GET',
        path: '/v1/models',
        reply: (request) =>
          request.headers['x-api-key'] === 'sk-ant-discovery-0000000000' &&
          request.headers['anthropic-version']
            ? { kind: 'json', body: { data: [{ id: 'claude-sonnet-4-5', type: 'model' }], has_more: false } }
            : {
                kind: 'json',
                status: 401,
                body: {
                  type: 'error',
                  error: { type: 'authentication_error', message: 'invalid x-api-key' },
                },
              },
      });
      await ok(
        gateway.admin('POST', '/providers', {
          id: 'anthropic-discovery',
          type: 'anthropic',
          displayName: 'Anthropic',
          baseUrl: `${anthropic.url}/v1`,
          apiKey: 'sk-ant-discovery-0000000000',
        }),
      );
      expect((await verify(gateway, 'anthropic-discovery')).health.status).toBe('healthy');
      const discovered = await ok(
        gateway.admin<{ new: string[] }>('GET', '/providers/anthropic-discovery/discovered-models'),
      );
      expect(discovered.new).toEqual(['claude-sonnet-4-5']);
    } finally {
      await anthropic.close();
    }
  });

  it('lists Gemini models with x-goog-api-key, without the models/ prefix', async () => {
    const google = await startFakeUpstream({ defaultReplies: false });
    try {
      google.on({
        method: 'GET',
        path: '/v1beta/models',
        reply: (request) =>
          request.headers['x-goog-api-key'] === 'AIza-discovery-000000000000'
            ? {
                kind: 'json',
                body: {
                  models: [{ name: 'models/gemini-2.5-flash' }, { name: 'models/gemini-embedding-001' }],
                },
              }
            : {
                kind: 'json',
                status: 403,
                body: { error: { code: 403, message: 'API key not valid', status: 'PERMISSION_DENIED' } },
              },
      });
      await ok(
        gateway.admin('POST', '/providers', {
          id: 'gemini-discovery',
          type: 'gemini',
          displayName: 'Gemini',
          baseUrl: `${google.url}/v1beta`,
          apiKey: 'AIza-discovery-000000000000',
        }),
      );
      const discovered = await ok(
        gateway.admin<{ new: string[] }>('GET', '/providers/gemini-discovery/discovered-models'),
      );
      expect(discovered.new).toEqual(['gemini-2.5-flash', 'gemini-embedding-001']);
    } finally {
      await google.close();
    }
  });

  it('checks an Azure resource with its api-key and api-version', async () => {
    const azure = await startFakeUpstream({ defaultReplies: false });
    try {
      azure.on({
        method: 'GET',
        path: /^\/openai\/models\?api-version=2024-10-21$/,
        reply: (request) =>
          request.headers['api-key'] === 'azure-discovery-key-00000000000'
            ? { kind: 'json', body: { data: [{ id: 'gpt-4o-2024-08-06', object: 'model' }] } }
            : {
                kind: 'json',
                status: 401,
                body: { error: { code: '401', message: 'Access denied due to invalid subscription key' } },
              },
      });
      await ok(
        gateway.admin('POST', '/providers', {
          id: 'azure-discovery',
          type: 'azure-openai',
          displayName: 'Azure',
          baseUrl: azure.url,
          apiKey: 'azure-discovery-key-00000000000',
        }),
      );
      expect((await verify(gateway, 'azure-discovery')).health.status).toBe('healthy');
    } finally {
      await azure.close();
    }
  });
});
