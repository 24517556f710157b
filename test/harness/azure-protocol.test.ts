import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AdapterTarget } from '../../src/core/providers/adapter.js';
import { azureOpenAIAdapter } from '../../src/core/providers/azure-openai/index.js';
import { AZURE_SAFE_FILTER_RESULTS, azureOpenAIHandler } from './azure-protocol.js';
import { type FakeUpstream, startFakeUpstream } from './fake-upstream.js';
import { agent, fetchText, sseData } from './fake-upstream-test-client.js';

const API_KEY = 'azure-test-key';
const deployments = {
  'gpt4o-prod': { model: 'gpt-4o-2024-08-06', kind: 'chat' },
  'embed-small': { model: 'text-embedding-3-small', kind: 'embeddings' },
} as const;

let upstream: FakeUpstream;

beforeEach(async () => {
  upstream = await startFakeUpstream();
  upstream.on({ reply: azureOpenAIHandler({ apiKey: API_KEY, deployments }) });
});
afterEach(async () => {
  await upstream.close();
});
afterAll(async () => {
  await agent.destroy();
});

const chat = (extra: Record<string, unknown> = {}) => ({
  model: 'ignored-on-deployment-routes',
  messages: [{ role: 'user', content: 'hello there' }],
  ...extra,
});
const datedChat = '/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21';
const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe('azure protocol: deployment routes', () => {
  it('answers a chat completion with the deployment model and content filter results', async () => {
    const result = await fetchText(upstream, datedChat, { body: chat(), headers: { 'api-key': API_KEY } });
    expect(result.status).toBe(200);
    const body = json(result.text);
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-2024-08-06',
      choices: [
        {
          message: { role: 'assistant', content: 'fake:hello there' },
          finish_reason: 'stop',
          content_filter_results: AZURE_SAFE_FILTER_RESULTS,
        },
      ],
      prompt_filter_results: [{ prompt_index: 0 }],
    });
  });

  it('streams with a first chunk of prompt filter results and the usage chunk when asked', async () => {
    const result = await fetchText(upstream, datedChat, {
      body: chat({ stream: true, stream_options: { include_usage: true } }),
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(result.headers['content-type']).toBe('text/event-stream');
    const events = sseData(result.text) as Array<Record<string, unknown>>;
    expect(events[0]).toMatchObject({ choices: [], id: '', prompt_filter_results: [{ prompt_index: 0 }] });
    expect(events[1]).toMatchObject({
      choices: [{ delta: { role: 'assistant' }, content_filter_results: {} }],
    });
    expect(events[2]).toMatchObject({ choices: [{ content_filter_results: AZURE_SAFE_FILTER_RESULTS }] });
    expect(events.at(-2)).toMatchObject({ choices: [], usage: { total_tokens: expect.any(Number) } });
    expect(events.at(-1)).toBe('[DONE]');
  });

  it('answers embeddings, honouring dimensions and base64', async () => {
    const result = await fetchText(
      upstream,
      '/openai/deployments/embed-small/embeddings?api-version=2024-10-21',
      {
        body: { input: ['a', 'b'], dimensions: 4 },
        headers: { 'api-key': API_KEY },
      },
    );
    const body = json(result.text) as { model: string; data: Array<{ embedding: number[] }> };
    expect(body.model).toBe('text-embedding-3-small');
    expect(body.data.map((item) => item.embedding.length)).toEqual([4, 4]);
    const base64 = await fetchText(
      upstream,
      '/openai/deployments/embed-small/embeddings?api-version=2024-10-21',
      {
        body: { input: 'a', encoding_format: 'base64' },
        headers: { 'api-key': API_KEY },
      },
    );
    expect(typeof (json(base64.text) as { data: Array<{ embedding: unknown }> }).data[0]?.embedding).toBe(
      'string',
    );
  });

  it.each([
    ['no key', {}, 401, '401'],
    ['a wrong key', { 'api-key': 'nope' }, 401, '401'],
    ['a wrong bearer token', { authorization: 'Bearer nope' }, 401, '401'],
  ])('refuses %s', async (_name, headers, status, code) => {
    const result = await fetchText(upstream, datedChat, { body: chat(), headers });
    expect(result.status).toBe(status);
    expect(json(result.text)).toMatchObject({
      error: { code, message: expect.stringContaining('Access denied') },
    });
  });

  it('answers DeploymentNotFound, a missing api-version, and operations the model cannot do', async () => {
    const headers = { 'api-key': API_KEY };
    const missing = await fetchText(
      upstream,
      '/openai/deployments/other/chat/completions?api-version=2024-10-21',
      {
        body: chat(),
        headers,
      },
    );
    expect(missing.status).toBe(404);
    expect(json(missing.text)).toMatchObject({ error: { code: 'DeploymentNotFound' } });
    const noVersion = await fetchText(upstream, '/openai/deployments/gpt4o-prod/chat/completions', {
      body: chat(),
      headers,
    });
    expect(noVersion.status).toBe(400);
    expect(json(noVersion.text)).toMatchObject({ error: { code: 'MissingApiVersionParameter' } });
    const wrongKind = await fetchText(
      upstream,
      '/openai/deployments/embed-small/chat/completions?api-version=2024-10-21',
      {
        body: chat(),
        headers,
      },
    );
    expect(wrongKind.status).toBe(400);
    expect(json(wrongKind.text)).toMatchObject({ error: { code: 'OperationNotSupported' } });
    const unknownPath = await fetchText(upstream, '/v1/chat/completions', { body: chat(), headers });
    expect(unknownPath.status).toBe(404);
    expect(json(unknownPath.text)).toEqual({ error: { code: '404', message: 'Resource not found' } });
  });
});

describe('azure protocol: v1 routes', () => {
  it('takes the deployment from the body model', async () => {
    const headers = { 'api-key': API_KEY };
    const ok = await fetchText(upstream, '/openai/v1/chat/completions', {
      body: chat({ model: 'gpt4o-prod' }),
      headers,
    });
    expect(ok.status).toBe(200);
    expect(json(ok.text)).toMatchObject({ model: 'gpt-4o-2024-08-06' });
    const unknown = await fetchText(upstream, '/openai/v1/chat/completions', {
      body: chat({ model: 'gpt-4o' }),
      headers,
    });
    expect(json(unknown.text)).toMatchObject({ error: { code: 'DeploymentNotFound' } });
    const dated = await fetchText(upstream, '/openai/v1/chat/completions?api-version=2024-10-21', {
      body: chat({ model: 'gpt4o-prod' }),
      headers,
    });
    expect(dated.status).toBe(400);
    const embeddings = await fetchText(upstream, '/openai/v1/embeddings?api-version=preview', {
      body: { model: 'embed-small', input: 'x' },
      headers,
    });
    expect(json(embeddings.text)).toMatchObject({ object: 'list', model: 'text-embedding-3-small' });
  });

  it('serves an API Management prefix', async () => {
    upstream.reset();
    upstream.on({ reply: azureOpenAIHandler({ apiKey: API_KEY, deployments, pathPrefix: '/apim/aoai' }) });
    const prefixed = await fetchText(upstream, `/apim/aoai${datedChat}`, {
      body: chat(),
      headers: { 'api-key': API_KEY },
    });
    expect(prefixed.status).toBe(200);
    const bare = await fetchText(upstream, datedChat, { body: chat(), headers: { 'api-key': API_KEY } });
    expect(bare.status).toBe(404);
  });
});

describe('azure protocol with the azure-openai adapter', () => {
  const target: AdapterTarget = {
    providerId: 'azure',
    upstreamModel: 'gpt4o-prod',
    region: null,
    basePath: '',
    settings: {},
    capabilities: { streaming: true, tools: true, vision: true, jsonMode: true },
    dimension: null,
  };

  it.each(['2024-10-21', '2024-06-01', 'v1', 'preview'])(
    'is served for api version %s',
    async (apiVersion) => {
      const request = {
        model: 'gpt-4o',
        messages: [
          { role: 'developer' as const, content: 'Be brief.' },
          { role: 'user' as const, content: 'hi' },
        ],
        max_completion_tokens: 20,
      };
      const build = azureOpenAIAdapter.buildChat({
        request,
        bodyText: JSON.stringify(request),
        target: { ...target, settings: { apiVersion } },
      });
      if (!build.ok) throw build.error;
      const result = await fetchText(upstream, build.request.path, {
        body: JSON.parse(build.request.body),
        headers: { ...build.request.headers, 'api-key': API_KEY },
      });
      expect(result.status).toBe(200);
      expect(json(result.text)).toMatchObject({ choices: [{ message: { content: 'fake:hi' } }] });
    },
  );

  it('reads the errors it answers', async () => {
    const request = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'hi' }] };
    const build = azureOpenAIAdapter.buildChat({
      request,
      bodyText: JSON.stringify(request),
      target: { ...target, upstreamModel: 'missing' },
    });
    if (!build.ok) throw build.error;
    const result = await fetchText(upstream, build.request.path, {
      body: request,
      headers: { 'api-key': API_KEY },
    });
    expect(azureOpenAIAdapter.readError(result.status, result.text)).toMatchObject({
      providerCode: 'DeploymentNotFound',
      message: expect.stringContaining('does not exist'),
    });
  });
});
