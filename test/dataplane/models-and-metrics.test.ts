/**
 * `GET /v1/models` lists what the key's environment can call, configuration changes reach it at once, and
 * `/metrics` counts requests, tokens and durations per model and backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { addModel, addProvider, chat, expectOpenAIError, metricValue, streamRequest } from './helpers.js';

let gateway: TestGateway;
let production: string;
let staging: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  await addProvider(gateway, { id: 'echo', type: 'echo' });
  await addProvider(gateway, { id: 'echo-prod', type: 'echo', environments: ['production'] });
  await addProvider(gateway, { id: 'echo-staging', type: 'echo', environments: ['staging'] });
  await addProvider(gateway, { id: 'echo-doomed', type: 'echo' });
  await addModel(gateway, 'everywhere', [{ providerId: 'echo', upstreamModel: 'echo' }]);
  await addModel(gateway, 'prod-only', [{ providerId: 'echo-prod', upstreamModel: 'echo' }]);
  await addModel(gateway, 'staging-only', [{ providerId: 'echo-staging', upstreamModel: 'echo' }]);
  await addModel(gateway, 'mixed', [
    { providerId: 'echo-staging', upstreamModel: 'echo' },
    { providerId: 'echo-prod', upstreamModel: 'echo', weight: 0 },
  ]);
  await addModel(gateway, 'disabled-model', [{ providerId: 'echo', upstreamModel: 'echo' }], {
    enabled: false,
  });
  await addModel(gateway, 'doomed', [{ providerId: 'echo-doomed', upstreamModel: 'echo' }]);
  await addModel(gateway, 'half-doomed', [
    { providerId: 'echo-doomed', upstreamModel: 'echo' },
    { providerId: 'echo', upstreamModel: 'echo' },
  ]);
  await addModel(gateway, 'vectors', [{ providerId: 'echo', upstreamModel: 'echo' }], {
    kind: 'embedding',
    dimension: 3,
  });
  await addModel(gateway, 'metered', [{ providerId: 'echo', upstreamModel: 'echo' }]);
  production = (await gateway.createKey()).secret;
  staging = (await gateway.createKey({ environment: 'staging' })).secret;
});

afterAll(async () => {
  await gateway?.close();
});

interface ModelList {
  object: string;
  data: Array<{ id: string; object: string; owned_by: string; kind: string; created: number }>;
}

const list = async (key: string) => {
  const result = await gateway.call<ModelList>('GET', '/v1/models', undefined, key);
  expect(result.status).toBe(200);
  expect(result.headers['content-type']).toBe('application/json');
  expect(result.json.object).toBe('list');
  return result.json.data.map((model) => model.id);
};

describe('/v1/models', () => {
  it('lists the models with a deployment active in the key environment, sorted', async () => {
    expect(await list(production)).toEqual([
      'doomed',
      'everywhere',
      'half-doomed',
      'metered',
      'prod-only',
      'vectors',
    ]);
    expect(await list(staging)).toEqual([
      'doomed',
      'everywhere',
      'half-doomed',
      'metered',
      'mixed',
      'staging-only',
      'vectors',
    ]);
  });

  it('describes each model in OpenAI shape', async () => {
    const result = await gateway.call<ModelList>('GET', '/v1/models', undefined, production);
    const vectors = result.json.data.find((model) => model.id === 'vectors')!;
    expect(vectors).toMatchObject({
      id: 'vectors',
      object: 'model',
      owned_by: 'junction',
      kind: 'embedding',
      dimension: 3,
    });
    expect(Number.isInteger(vectors.created)).toBe(true);
  });

  it('answers calls exactly as it lists: unlisted models are 404', async () => {
    for (const model of ['staging-only', 'mixed', 'disabled-model']) {
      expectOpenAIError(
        await gateway.call('POST', '/v1/chat/completions', chat(model), production),
        404,
        'model_not_found',
      );
    }
    const mixed = await gateway.call('POST', '/v1/chat/completions', chat('mixed'), staging);
    expect(mixed.status).toBe(200);
    expect(mixed.headers['x-junction-backend']).toBe('echo-staging/echo');
  });

  it('drops a disabled provider’s only model from the list and from calls, and restores it', async () => {
    expect((await gateway.call('POST', '/v1/chat/completions', chat('doomed'), production)).status).toBe(200);
    const before = gateway.running.snapshots.current!.version;
    await ok(gateway.admin('PATCH', '/providers/echo-doomed', { enabled: false }));
    expect(gateway.running.snapshots.current!.version).toBeGreaterThan(before);
    expect(await list(production)).not.toContain('doomed');
    expect(await list(staging)).not.toContain('doomed');
    const call = await gateway.call('POST', '/v1/chat/completions', chat('doomed'), production);
    expectOpenAIError(call, 404, 'model_not_found');
    expect(call.headers['x-junction-snapshot-version']).toBe(
      String(gateway.running.snapshots.current!.version),
    );
    // A model with another member keeps serving from it, on the first attempt.
    const half = await gateway.call('POST', '/v1/chat/completions', chat('half-doomed'), production);
    expect(half.status).toBe(200);
    expect(half.headers['x-junction-backend']).toBe('echo/echo');
    expect(half.headers['x-junction-attempts']).toBe('1');
    expect(await list(production)).toContain('half-doomed');
    await ok(gateway.admin('PATCH', '/providers/echo-doomed', { enabled: true }));
    expect(await list(production)).toContain('doomed');
    expect((await gateway.call('POST', '/v1/chat/completions', chat('doomed'), production)).status).toBe(200);
  });

  it('answers a revoked key with 401 at once', async () => {
    const { secret, id } = await gateway.createKey();
    expect(await list(secret)).toContain('everywhere');
    await ok(gateway.admin('POST', `/keys/${id}/revoke`));
    const result = await gateway.call('GET', '/v1/models', undefined, secret);
    expectOpenAIError(result, 401, 'invalid_api_key', 'authentication_error');
  });
});

describe('/metrics', () => {
  const metrics = async () => {
    const result = await http(`${gateway.url}/metrics`, 'GET');
    expect(result.status).toBe(200);
    expect(String(result.headers['content-type'])).toContain('text/plain');
    return result.text;
  };

  it('counts requests, tokens and durations per model, backend and status', async () => {
    const before = await metrics();
    expect(
      metricValue(before, 'junction_requests_total', {
        endpoint: 'chat',
        model: 'metered',
        backend: 'echo/echo',
        status: '200',
      }),
    ).toBeUndefined();
    // Prompt: 3 + 3 + ceil(8 / 4) = 8 tokens; reply "You said: abcdefgh": ceil(18 / 4) = 5 tokens.
    for (let i = 0; i < 2; i++) {
      expect(
        (await gateway.call('POST', '/v1/chat/completions', chat('metered', 'abcdefgh'), production)).status,
      ).toBe(200);
    }
    const streamed = await streamRequest(gateway.url, {
      key: production,
      body: chat('metered', 'abcdefgh', { stream: true, stream_options: { include_usage: true } }),
    });
    expect(streamed.events.at(-1)!.data).toBe('[DONE]');
    expect(
      (await gateway.call('POST', '/v1/embeddings', { model: 'vectors', input: 'abcdefgh' }, production))
        .status,
    ).toBe(200);
    expect((await gateway.call('POST', '/v1/chat/completions', chat('nope'), production)).status).toBe(404);

    const after = await metrics();
    const labels = { endpoint: 'chat', model: 'metered', backend: 'echo/echo' };
    expect(metricValue(after, 'junction_requests_total', { ...labels, status: '200' })).toBe(3);
    expect(
      metricValue(after, 'junction_tokens_total', {
        model: 'metered',
        backend: 'echo/echo',
        direction: 'input',
      }),
    ).toBe(24);
    expect(
      metricValue(after, 'junction_tokens_total', {
        model: 'metered',
        backend: 'echo/echo',
        direction: 'output',
      }),
    ).toBe(15);
    expect(metricValue(after, 'junction_request_duration_seconds_count', labels)).toBe(3);
    expect(metricValue(after, 'junction_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(3);
    expect(metricValue(after, 'junction_request_duration_seconds_sum', labels)).toBeGreaterThan(0);
    expect(
      metricValue(after, 'junction_requests_total', {
        endpoint: 'embeddings',
        model: 'vectors',
        backend: 'echo/echo',
        status: '200',
      }),
    ).toBe(1);
    expect(
      metricValue(after, 'junction_tokens_total', {
        model: 'vectors',
        backend: 'echo/echo',
        direction: 'input',
      }),
    ).toBe(2);
    // An unknown model name never becomes a label value.
    expect(after).not.toContain('model="nope"');
    expect(
      metricValue(after, 'junction_upstream_attempts_total', { backend: 'echo/echo', outcome: 'success' }),
    ).toBeGreaterThanOrEqual(4);
  });

  it('counts failed requests with their status and error code', async () => {
    await addProvider(gateway, { id: 'echo-broken', type: 'echo' });
    await addModel(gateway, 'broken', [{ providerId: 'echo-broken', upstreamModel: 'error-503' }]);
    for (let i = 0; i < 2; i++) {
      expect((await gateway.call('POST', '/v1/chat/completions', chat('broken'), production)).status).toBe(
        503,
      );
    }
    const text = await metrics();
    const labels = { endpoint: 'chat', model: 'broken', backend: 'echo-broken/error-503' };
    expect(metricValue(text, 'junction_requests_total', { ...labels, status: '503' })).toBe(2);
    expect(metricValue(text, 'junction_errors_total', { ...labels, code: 'upstream_error' })).toBe(2);
    expect(
      metricValue(text, 'junction_upstream_attempts_total', {
        backend: 'echo-broken/error-503',
        outcome: 'http-error',
      }),
    ).toBe(2);
  });
});
