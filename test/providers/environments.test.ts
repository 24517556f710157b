/**
 * Environments, on both stores: an entry active only in one environment is never chosen for a key of another
 * (even at 100:1 weight), the environments API (create, use by entries and keys, refusals, deletion), and the
 * catalogue of provider types with their defaults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFieldError, expectProblem } from '../admin/admin-helpers.js';
import { chat } from '../dataplane/helpers.js';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { type HttpResult, ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { storeKinds } from '../support/stores.js';
import { createEntry, keyIn } from './helpers.js';

const kinds = await storeKinds();
const CHAT = '/v1/chat/completions';

interface EnvironmentView {
  id: string;
  description: string | null;
  createdAt: string;
}

/** Sends `count` chat requests (ten at a time) and returns the backends that answered. */
async function backends(gateway: TestGateway, model: string, key: string, count: number) {
  const seen: string[] = [];
  for (let sent = 0; sent < count; sent += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, count - sent) }, () => gateway.call('POST', CHAT, chat(model), key)),
    );
    for (const result of batch) {
      expect(result.status, result.text).toBe(200);
      seen.push(String(result.headers['x-junction-backend']));
    }
  }
  return seen;
}

const chats = (upstream: FakeUpstream) =>
  upstream.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/chat/completions')).length;

describe.each(kinds)('environments (%s store)', (kind) => {
  let gateway: TestGateway;
  let staging: FakeUpstream;
  let production: FakeUpstream;
  let qa: FakeUpstream;

  beforeAll(async () => {
    [staging, production, qa] = await Promise.all([
      startFakeUpstream(),
      startFakeUpstream(),
      startFakeUpstream(),
    ]);
    gateway = await startTestGateway({ store: kind });
    await createEntry(gateway, { id: 'env-stg', baseUrl: `${staging.url}/v1`, environments: ['staging'] });
    await createEntry(gateway, {
      id: 'env-prd',
      baseUrl: `${production.url}/v1`,
      environments: ['production'],
    });
    await ok(
      gateway.admin('POST', '/models', {
        id: 'split',
        kind: 'chat',
        deployments: [
          { providerId: 'env-stg', upstreamModel: 'stg-model', weight: 100 },
          { providerId: 'env-prd', upstreamModel: 'prd-model', weight: 1 },
        ],
      }),
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await Promise.all([staging?.close(), production?.close(), qa?.close()]);
  });

  it('never sends a production key to a staging-only entry, whatever its weight', async () => {
    staging.reset();
    production.reset();
    const key = (await gateway.createKey({ environment: 'production' })).secret;
    const seen = await backends(gateway, 'split', key, 200);
    expect(new Set(seen)).toEqual(new Set(['env-prd/prd-model']));
    expect(staging.requests).toHaveLength(0);
    expect(chats(production)).toBe(200);
  });

  it('never sends a staging key to a production-only entry', async () => {
    staging.reset();
    production.reset();
    const key = (await gateway.createKey({ environment: 'staging' })).secret;
    const seen = await backends(gateway, 'split', key, 200);
    expect(new Set(seen)).toEqual(new Set(['env-stg/stg-model']));
    expect(production.requests).toHaveLength(0);
    expect(chats(staging)).toBe(200);
  });

  it('lists production and staging', async () => {
    const list = await ok(gateway.admin<{ data: EnvironmentView[] }>('GET', '/environments'));
    expect(list.data.map((environment) => environment.id)).toEqual(['production', 'staging']);
  });

  it('creates qa, which entries and keys can then use', async () => {
    const created = await gateway.admin<EnvironmentView>('POST', '/environments', {
      id: 'qa',
      description: 'Quality assurance',
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({ id: 'qa', description: 'Quality assurance' });
    expect((await ok(gateway.admin<EnvironmentView>('GET', '/environments/qa'))).id).toBe('qa');
    expectProblem(await gateway.admin('POST', '/environments', { id: 'qa' }), 409, 'conflict');

    const entry = await createEntry(gateway, { id: 'env-qa', baseUrl: `${qa.url}/v1`, environments: ['qa'] });
    expect(entry.json.environments).toEqual(['qa']);
    await ok(
      gateway.admin('POST', '/models', {
        id: 'qa-split',
        kind: 'chat',
        deployments: [
          { providerId: 'env-prd', upstreamModel: 'prd-model', weight: 100 },
          { providerId: 'env-qa', upstreamModel: 'qa-model', weight: 1 },
        ],
      }),
    );
    production.reset();
    qa.reset();
    const qaKey = await keyIn(gateway, 'qa');
    const seen = await backends(gateway, 'qa-split', qaKey, 30);
    expect(new Set(seen)).toEqual(new Set(['env-qa/qa-model']));
    expect(chats(qa)).toBe(30);
    expect(production.requests).toHaveLength(0);

    // A qa key sees only models with a member in qa.
    const denied = await gateway.call('POST', CHAT, chat('split'), qaKey);
    expect(denied.status).toBe(404);
    const models = await gateway.call<{ data: Array<{ id: string }> }>('GET', '/v1/models', undefined, qaKey);
    expect(models.json.data.map((model) => model.id)).toEqual(['qa-split']);
  });

  it('refuses an entry or a key naming an unknown environment, naming it', async () => {
    const provider = await gateway.admin('POST', '/providers', {
      id: 'env-nowhere',
      type: 'echo',
      displayName: 'N',
      environments: ['production', 'nowhere'],
    });
    expect(expectFieldError(provider, 'environments')).toContain('nowhere');
    expect((provider.json as { detail: string }).detail).toContain('nowhere');
    expect((await gateway.admin('GET', '/providers/env-nowhere')).status).toBe(404);

    const patch = await gateway.admin('PATCH', '/providers/env-prd', { environments: ['elsewhere'] });
    expect(expectFieldError(patch, 'environments')).toContain('elsewhere');

    const team = await ok(gateway.admin<{ id: string }>('POST', '/teams', { name: `nowhere-${kind}` }));
    const key = await gateway.admin('POST', '/keys', { name: 'k', teamId: team.id, environment: 'nowhere' });
    expect(expectFieldError(key, 'environment')).toContain('nowhere');
  });

  it('refuses to delete an environment in use (409 naming the users) and deletes an unused one (204)', async () => {
    await ok(gateway.admin('POST', '/environments', { id: 'shared' }));
    for (const id of ['shared-y', 'shared-x']) {
      await ok(
        gateway.admin('POST', '/providers', {
          id,
          type: 'echo',
          displayName: id,
          environments: ['shared', 'production'],
        }),
      );
    }
    const byProviders = expectProblem(await gateway.admin('DELETE', '/environments/shared'), 409, 'in_use');
    expect(byProviders.detail).toContain('shared-x, shared-y');

    // qa has a key (from the test above) and an entry.
    const byKey = expectProblem(await gateway.admin('DELETE', '/environments/qa'), 409, 'in_use');
    expect(byKey.detail).toContain('qa');
    expect(byKey.detail).toContain('API keys');
    expect((await gateway.admin('GET', '/environments/qa')).status).toBe(200);

    await ok(gateway.admin('POST', '/environments', { id: 'scratch' }));
    const deleted = await gateway.admin('DELETE', '/environments/scratch');
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expectProblem(await gateway.admin('GET', '/environments/scratch'), 404, 'not_found');
    expectProblem(await gateway.admin('DELETE', '/environments/scratch'), 404, 'not_found');
    const list = await ok(gateway.admin<{ data: EnvironmentView[] }>('GET', '/environments'));
    expect(list.data.map((environment) => environment.id)).toEqual(['production', 'qa', 'shared', 'staging']);
  });

  it.each(['QA', '1qa', 'qa_env', 'qa env', '-qa', '', 'q'.repeat(64)])(
    'refuses the environment name %j',
    async (id) => {
      const result: HttpResult = await gateway.admin('POST', '/environments', { id });
      expectFieldError(result, 'id');
    },
  );
});

describe('GET /provider-types', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('lists every provider type with its defaults, auth methods, region and verification', async () => {
    const result = await gateway.admin<{ data: Array<Record<string, unknown>> }>('GET', '/provider-types');
    expect(result.status).toBe(200);
    const byType = Object.fromEntries(result.json.data.map((info) => [info.type, info]));
    expect(result.json.data.map((info) => info.type)).toEqual([
      'openai',
      'azure-openai',
      'anthropic',
      'bedrock',
      'vertex',
      'gemini',
      'mistral',
      'openai-compatible',
      'echo',
    ]);
    expect(byType.openai).toMatchObject({
      defaultBaseUrl: 'https://api.openai.com/v1',
      authMethods: ['api-key', 'bearer', 'passthrough'],
      defaultAuthMethod: 'api-key',
      verification: 'ahead',
      discovery: true,
    });
    expect(byType.bedrock).toMatchObject({
      defaultBaseUrl: 'https://bedrock-runtime.<region>.amazonaws.com/openai/v1',
      authMethods: ['aws-sigv4', 'bearer'],
      hasRegion: true,
      verification: 'deferred',
    });
    expect(byType.vertex).toMatchObject({
      defaultBaseUrl: 'https://<region>-aiplatform.googleapis.com',
      defaultAuthMethod: 'gcp-service-account',
      hasRegion: true,
      verification: 'deferred',
    });
    expect(byType['azure-openai']).toMatchObject({
      defaultBaseUrl: null,
      defaultAuthMethod: 'azure-api-key',
      settings: [expect.objectContaining({ name: 'apiVersion', default: '2024-10-21' })],
    });
    expect(byType.anthropic).toMatchObject({
      apiKeyHeader: { name: 'x-api-key', prefix: '' },
      verification: 'ahead',
      wire: 'anthropic',
    });
    expect(byType.mistral).toMatchObject({
      defaultBaseUrl: 'https://api.mistral.ai/v1',
      verification: 'ahead',
      discovery: true,
    });
    expect(byType['openai-compatible']).toMatchObject({
      defaultBaseUrl: null,
      authMethods: ['api-key', 'none', 'passthrough'],
      defaultAuthMethod: 'none',
      discovery: true,
    });
    expect(byType.echo).toMatchObject({
      defaultBaseUrl: null,
      authMethods: ['none'],
      verification: 'in-process',
      discovery: false,
      wire: 'in-process',
    });
    for (const info of result.json.data) {
      expect(typeof info.displayName).toBe('string');
      expect(typeof info.description).toBe('string');
    }
  });

  it('applies the default base URL to an entry that gives none', async () => {
    const created = await ok(
      gateway.admin<{ baseUrl: string }>('POST', '/providers', {
        id: 'mistral-default',
        type: 'mistral',
        displayName: 'M',
        apiKey: 'sk-mistral-0000',
      }),
    );
    expect(created.baseUrl).toBe('https://api.mistral.ai/v1');
  });

  it('needs the admin token', async () => {
    const result = await gateway.admin('GET', '/provider-types', undefined, 'jat_wrong');
    expect(result.status).toBe(401);
  });
});
