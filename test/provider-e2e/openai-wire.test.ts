/**
 * OpenAI, Azure OpenAI, Mistral and an OpenAI-compatible server end to end: the openai SDK through Junction
 * to fakes answering in OpenAI's format at each provider's paths, with each provider's authentication.
 */
import { expect } from 'vitest';
import { azureOpenAIHandler } from '../harness/azure-protocol.js';
import {
  type FakeUpstream,
  type RecordedRequest,
  type Reply,
  startFakeUpstream,
} from '../harness/fake-upstream.js';
import { DEFAULT_EMBEDDING_DIMENSIONS } from '../harness/fake-upstream-defaults.js';
import { chatCompletion, chatStream, usage } from '../harness/openai-fixtures.js';
import { ok, type TestGateway } from '../support/gateway.js';
import { openaiWireHooks } from './openai-wire-cases.js';
import { fullChatModel, runSdkSuite } from './sdk-suite.js';

async function registerEmbedding(
  gateway: TestGateway,
  id: string,
  providerId: string,
  upstreamModel: string,
) {
  await ok(
    gateway.admin('POST', '/models', {
      id,
      kind: 'embedding',
      dimension: DEFAULT_EMBEDDING_DIMENSIONS,
      deployments: [{ providerId, upstreamModel }],
    }),
  );
}

const embedding = (id: string) => ({ id, dimension: DEFAULT_EMBEDDING_DIMENSIONS });

/**
 * Mistral's chat answers: OpenAI's shapes, but it refuses `stream_options` and always puts usage on a stream's
 * finish chunk.
 */
function mistralReply(request: RecordedRequest): Reply {
  const body = request.json as { messages: Array<{ role: string; content: string }>; stream?: boolean };
  if ('stream_options' in body) {
    return {
      kind: 'json',
      status: 422,
      body: { detail: [{ loc: ['body', 'stream_options'], msg: 'Extra inputs are not permitted' }] },
    };
  }
  const last = body.messages.filter((message) => message.role === 'user').at(-1)?.content ?? '';
  const words = `fake:${last}`.match(/\s*\S+/g) ?? [];
  const tokens = usage(3, words.length);
  if (!body.stream)
    return {
      kind: 'json',
      body: chatCompletion({ model: 'mistral-large-2411', content: words.join(''), usage: tokens }),
    };
  const chunks = chatStream({ model: 'mistral-large-2411', words });
  chunks[chunks.length - 1] = { ...chunks[chunks.length - 1]!, usage: tokens };
  return { kind: 'sse', events: chunks };
}

// OpenAI itself, at a regional or proxied address.
{
  let upstream: FakeUpstream;
  const KEY = 'sk-proj-openai-e2e-credential-0123';
  runSdkSuite({
    label: 'OpenAI',
    chatModel: 'gpt-e2e',
    embeddingModel: embedding('openai-embed-e2e'),
    async setup(gateway) {
      upstream = await startFakeUpstream();
      await ok(
        gateway.admin('POST', '/providers', {
          id: 'openai-e2e',
          type: 'openai',
          displayName: 'OpenAI',
          baseUrl: `${upstream.url}/v1`,
          apiKey: KEY,
        }),
      );
      await ok(gateway.admin('POST', '/models', fullChatModel('gpt-e2e', 'openai-e2e', 'gpt-4.1-mini')));
      await registerEmbedding(gateway, 'openai-embed-e2e', 'openai-e2e', 'text-embedding-3-small');
    },
    teardown: async () => upstream?.close(),
    ...openaiWireHooks(() => upstream),
    expectAuthenticated(request) {
      expect(request.path).toBe('/v1/chat/completions');
      expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
      expect((request.json as { model: string }).model).toBe('gpt-4.1-mini');
    },
  });
}

// Azure OpenAI: deployment routes with api-version and the api-key header.
{
  let upstream: FakeUpstream;
  const KEY = 'azure0e2e0credential0000000000000';
  runSdkSuite({
    label: 'Azure OpenAI',
    chatModel: 'azure-gpt-e2e',
    embeddingModel: embedding('azure-embed-e2e'),
    async setup(gateway) {
      upstream = await startFakeUpstream({ defaultReplies: false });
      upstream.on({
        reply: azureOpenAIHandler({
          apiKey: KEY,
          deployments: {
            'gpt4o-prod': { model: 'gpt-4o-2024-08-06', kind: 'chat' },
            'embed-prod': { model: 'text-embedding-3-small', kind: 'embeddings' },
          },
        }),
      });
      await ok(
        gateway.admin('POST', '/providers', {
          id: 'azure-openai-swedencentral',
          type: 'azure-openai',
          displayName: 'Azure Sweden',
          baseUrl: upstream.url,
          region: 'swedencentral',
          apiKey: KEY,
        }),
      );
      await ok(
        gateway.admin(
          'POST',
          '/models',
          fullChatModel('azure-gpt-e2e', 'azure-openai-swedencentral', 'gpt4o-prod'),
        ),
      );
      await registerEmbedding(gateway, 'azure-embed-e2e', 'azure-openai-swedencentral', 'embed-prod');
    },
    teardown: async () => upstream?.close(),
    ...openaiWireHooks(() => upstream),
    expectAuthenticated(request) {
      expect(request.path).toBe('/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21');
      expect(request.headers['api-key']).toBe(KEY);
      expect(request.headers.authorization).toBeUndefined();
    },
  });
}

// Mistral: OpenAI's shapes with Mistral's parameter names.
{
  let upstream: FakeUpstream;
  const KEY = 'mistral-e2e-credential-0123456789';
  runSdkSuite({
    label: 'Mistral',
    chatModel: 'mistral-e2e',
    embeddingModel: embedding('mistral-embed-e2e'),
    async setup(gateway) {
      upstream = await startFakeUpstream();
      upstream.on({ method: 'POST', path: '/v1/chat/completions', reply: mistralReply });
      await ok(
        gateway.admin('POST', '/providers', {
          id: 'mistral-e2e',
          type: 'mistral',
          displayName: 'Mistral',
          baseUrl: `${upstream.url}/v1`,
          apiKey: KEY,
        }),
      );
      await ok(
        gateway.admin('POST', '/models', fullChatModel('mistral-e2e', 'mistral-e2e', 'mistral-large-latest')),
      );
      await registerEmbedding(gateway, 'mistral-embed-e2e', 'mistral-e2e', 'mistral-embed');
    },
    teardown: async () => upstream?.close(),
    ...openaiWireHooks(() => upstream),
    expectAuthenticated(request) {
      expect(request.path).toBe('/v1/chat/completions');
      expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
    },
  });
}

// A self-hosted OpenAI-compatible server without a key (vLLM, Ollama, llama.cpp...).
{
  let upstream: FakeUpstream;
  runSdkSuite({
    label: 'an OpenAI-compatible server',
    chatModel: 'llama-e2e',
    embeddingModel: embedding('compatible-embed-e2e'),
    async setup(gateway) {
      upstream = await startFakeUpstream();
      await ok(
        gateway.admin('POST', '/providers', {
          id: 'vllm-e2e',
          type: 'openai-compatible',
          displayName: 'vLLM',
          baseUrl: `${upstream.url}/v1`,
        }),
      );
      await ok(
        gateway.admin('POST', '/models', fullChatModel('llama-e2e', 'vllm-e2e', 'meta-llama/Llama-3.3-70B')),
      );
      await registerEmbedding(gateway, 'compatible-embed-e2e', 'vllm-e2e', 'bge-m3');
    },
    teardown: async () => upstream?.close(),
    ...openaiWireHooks(() => upstream),
    expectAuthenticated(request) {
      expect(request.path).toBe('/v1/chat/completions');
      expect(request.headers.authorization).toBeUndefined();
    },
  });
}
