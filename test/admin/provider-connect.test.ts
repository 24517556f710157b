/**
 * Connecting a provider in one go (the web app's connect drawer): `POST /providers/test-connection` checks a
 * draft entry against a fake upstream without saving it (model list, auth failure, wrong path, refused
 * connection, deferred types, field errors), never echoing or logging the credential; `POST /providers` with
 * `models` saves the entry and puts it in the pools of the logical models named like the picked upstream models,
 * all or nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closedPort } from '../dataplane/helpers.js';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { modelObject } from '../harness/openai-fixtures.js';
import { canary, leaksIn, traceLogger } from '../support/canary.js';
import { type HttpResult, ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { expectFieldError, expectProblem, type ModelView } from './admin-helpers.js';

interface ConnectionTest {
  ok: boolean;
  status: 'healthy' | 'unhealthy' | 'deferred';
  verification: 'ahead' | 'deferred' | 'in-process';
  message: string;
  diagnostic: { stage: string; message: string; httpStatus?: number; code?: string } | null;
  latencyMs: number | null;
  models: string[];
}

interface Created {
  id: string;
  models?: { id: string; upstreamModel: string; created: boolean }[];
}

const SECRET = canary();

describe('connecting a provider', () => {
  let gateway: TestGateway;
  let upstream: FakeUpstream;
  const trace = traceLogger();
  /** Every answer the tests read, scanned for the canary at the end. */
  const answers: string[] = [];

  const test = async (draft: Record<string, unknown>): Promise<HttpResult<ConnectionTest>> => {
    const result = await gateway.admin<ConnectionTest>('POST', '/providers/test-connection', draft);
    answers.push(result.text);
    return result;
  };
  const draftAt = (path: string, extra: Record<string, unknown> = {}) => ({
    type: 'openai-compatible',
    id: 'draft-entry',
    displayName: 'Draft',
    baseUrl: `${upstream.url}${path}`,
    apiKey: SECRET,
    ...extra,
  });
  const create = async (body: Record<string, unknown>): Promise<HttpResult<Created>> => {
    const result = await gateway.admin<Created>('POST', '/providers', body);
    answers.push(result.text);
    return result;
  };
  const providerIds = async () =>
    (await ok(gateway.admin<{ data: { id: string }[] }>('GET', '/providers'))).data.map((p) => p.id);

  beforeAll(async () => {
    upstream = await startFakeUpstream({ defaultReplies: false });
    gateway = await startTestGateway({ logger: trace.logger });
  });
  beforeEach(() => upstream.reset());
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
    // Nothing the tests read or the gateway logged carries the credential, in any encoding.
    expect(leaksIn(answers.join('\n'), [SECRET])).toEqual([]);
    expect(leaksIn(trace.lines.join('\n'), [SECRET])).toEqual([]);
  });

  describe('POST /providers/test-connection', () => {
    it('lists the models the upstream offers, sorted, without saving anything', async () => {
      upstream.on({
        method: 'GET',
        path: '/tc/v1/models',
        reply: {
          kind: 'json',
          body: { object: 'list', data: [modelObject('zeta-chat'), modelObject('alpha-embed')] },
        },
      });
      const before = await providerIds();
      const result = await test(draftAt('/tc/v1'));
      expect(result.status, result.text).toBe(200);
      expect(result.json).toMatchObject({
        ok: true,
        status: 'healthy',
        verification: 'ahead',
        diagnostic: null,
        models: ['alpha-embed', 'zeta-chat'],
      });
      expect(result.json.latencyMs).toEqual(expect.any(Number));
      // The draft's credential was sent upstream, and never came back.
      expect(upstream.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${SECRET}`]);
      expect(result.text).not.toContain(SECRET);
      expect(await providerIds()).toEqual(before);
      const health = await gateway.admin('GET', '/providers/draft-entry');
      expect(health.status).toBe(404);
    });

    it('reports a rejected credential with its diagnostic, redacting the key the provider echoes', async () => {
      upstream.on({
        method: 'GET',
        path: '/tc/v1/models',
        reply: {
          kind: 'json',
          status: 401,
          body: {
            error: { message: `Incorrect API key provided: ${SECRET}`, type: 'invalid_request_error' },
          },
        },
      });
      const result = await test(draftAt('/tc/v1'));
      expect(result.status, result.text).toBe(200);
      expect(result.json).toMatchObject({
        ok: false,
        status: 'unhealthy',
        verification: 'ahead',
        models: [],
        diagnostic: { stage: 'auth', httpStatus: 401 },
      });
      expect(result.json.diagnostic?.message).toContain('rejected the credential (HTTP 401)');
      expect(result.text).not.toContain(SECRET);
    });

    it('reports a wrong path and suggests the version segment', async () => {
      upstream.on({ method: 'GET', path: '/tc/models', reply: { kind: 'json', status: 404, body: {} } });
      const result = await test(draftAt('/tc'));
      expect(result.status, result.text).toBe(200);
      expect(result.json).toMatchObject({ ok: false, diagnostic: { stage: 'wrong-path', httpStatus: 404 } });
      expect(result.json.diagnostic?.message).toContain(`${upstream.url}/tc/v1`);
    });

    it('reports a refused connection', async () => {
      const port = await closedPort();
      const result = await test({ ...draftAt('/v1'), baseUrl: `http://127.0.0.1:${port}/v1` });
      expect(result.status, result.text).toBe(200);
      expect(result.json).toMatchObject({
        ok: false,
        status: 'unhealthy',
        diagnostic: { stage: 'connect', code: 'ECONNREFUSED' },
      });
      expect(result.json.diagnostic?.message).toContain(`Could not connect to 127.0.0.1:${port}`);
    });

    it('says the first real request validates a deferred type or a BYOK entry', async () => {
      const bedrock = await test({
        type: 'bedrock',
        region: 'eu-west-1',
        awsCredentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET },
      });
      expect(bedrock.status, bedrock.text).toBe(200);
      expect(bedrock.json).toMatchObject({
        ok: true,
        status: 'deferred',
        verification: 'deferred',
        models: [],
        latencyMs: null,
      });
      expect(bedrock.json.message).toContain('first real request');
      const byok = await test({ type: 'openai', authMethod: 'passthrough' });
      expect(byok.json).toMatchObject({ status: 'deferred', verification: 'deferred' });
      expect(byok.json.message).toContain('BYOK');
      expect(upstream.requests).toEqual([]);
    });

    it('refuses a draft that breaks a rule with a 400 naming the field', async () => {
      const noBaseUrl = await test({ type: 'openai-compatible', apiKey: SECRET });
      expect(expectFieldError(noBaseUrl, 'baseUrl')).toContain('base URL');
      const mismatch = await test({
        type: 'bedrock',
        region: 'us-east-1',
        baseUrl: 'https://bedrock-runtime.eu-west-1.amazonaws.com/openai/v1',
        awsCredentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET },
      });
      expect(expectFieldError(mismatch, 'region')).toContain('differs from the region in the base URL');
      const badId = await test({ ...draftAt('/v1'), id: 'Not Valid' });
      expectFieldError(badId, 'id');
      const unknownEnvironment = await test({ ...draftAt('/v1'), environments: ['nowhere'] });
      expectFieldError(unknownEnvironment, 'environments');
      expect(upstream.requests).toEqual([]);
    });

    it('needs providers.write, like creating an entry', async () => {
      const doc = await ok(
        gateway.admin<{ paths: Record<string, Record<string, Record<string, unknown>>> }>(
          'GET',
          '/openapi.json',
        ),
      );
      const operation = doc.paths['/admin/v1/providers/test-connection']?.post;
      expect(operation?.['x-junction-permission']).toBe('providers.write');
      expect(doc.paths['/admin/v1/providers']?.post?.['x-junction-permission']).toBe('providers.write');
    });
  });

  describe('POST /providers with models', () => {
    it('saves the entry and joins or creates the logical models, in one audited change', async () => {
      await ok(gateway.admin('POST', '/providers', { id: 'pc-echo', type: 'echo', displayName: 'Echo' }));
      await ok(
        gateway.admin('POST', '/models', {
          id: 'shared-model',
          kind: 'chat',
          deployments: [{ providerId: 'pc-echo', upstreamModel: 'echo', weight: 3 }],
        }),
      );
      const created = await gateway.admin<Created>('POST', '/providers', {
        ...draftAt('/pc/v1'),
        id: 'pc-main',
        displayName: 'Main',
        models: [
          { upstreamModel: 'fresh-chat' },
          { upstreamModel: 'fresh-embed', kind: 'embedding', dimension: 8 },
          { upstreamModel: 'shared-model' },
        ],
      });
      answers.push(created.text);
      expect(created.status, created.text).toBe(201);
      expect(created.json.models).toEqual([
        { id: 'fresh-chat', upstreamModel: 'fresh-chat', created: true },
        { id: 'fresh-embed', upstreamModel: 'fresh-embed', created: true },
        { id: 'shared-model', upstreamModel: 'shared-model', created: false },
      ]);
      expect(created.text).not.toContain(SECRET);

      const chat = await ok(gateway.admin<ModelView>('GET', '/models/fresh-chat'));
      expect(chat.kind).toBe('chat');
      expect(chat.deployments).toEqual([
        { providerId: 'pc-main', upstreamModel: 'fresh-chat', weight: 1, priority: 0 },
      ]);
      const embed = await ok(gateway.admin<ModelView>('GET', '/models/fresh-embed'));
      expect(embed).toMatchObject({ kind: 'embedding', dimension: 8 });
      const shared = await ok(gateway.admin<ModelView>('GET', '/models/shared-model'));
      expect(shared.deployments).toEqual([
        { providerId: 'pc-echo', upstreamModel: 'echo', weight: 3, priority: 0 },
        { providerId: 'pc-main', upstreamModel: 'shared-model', weight: 1, priority: 0 },
      ]);

      // One request, one transaction: the entry and every model it touched are in its audit rows.
      const audit = await ok(
        gateway.admin<{ data: { action: string; targetType: string; targetId: string }[] }>(
          'GET',
          '/audit?action=providers.create&limit=100',
        ),
      );
      const targets = audit.data.map((row) => `${row.targetType}/${row.targetId}`);
      expect(targets).toEqual(
        expect.arrayContaining([
          'providers/pc-main',
          'models/fresh-chat',
          'models/fresh-embed',
          'models/shared-model',
        ]),
      );
    });

    it('saves nothing when one picked model is refused', async () => {
      const before = await providerIds();
      const badName = await create({
        ...draftAt('/pc/v1'),
        id: 'pc-bad-name',
        models: [{ upstreamModel: 'fine-model' }, { upstreamModel: 'org/not a name' }],
      });
      expect(expectFieldError(badName, 'models[1].upstreamModel')).toContain('cannot name a logical model');

      // Refused by the models service after the entry was written: the whole change rolls back.
      const noDimension = await create({
        ...draftAt('/pc/v1'),
        id: 'pc-no-dimension',
        models: [{ upstreamModel: 'fine-model' }, { upstreamModel: 'vectors', kind: 'embedding' }],
      });
      expect(expectFieldError(noDimension, 'models[1].dimension')).toContain('dimension');

      await ok(gateway.admin('POST', '/providers', { id: 'pc-echo-2', type: 'echo', displayName: 'Echo' }));
      await ok(
        gateway.admin('POST', '/models', {
          id: 'chatty',
          kind: 'chat',
          deployments: [{ providerId: 'pc-echo-2', upstreamModel: 'echo' }],
        }),
      );
      const wrongKind = await create({
        ...draftAt('/pc/v1'),
        id: 'pc-wrong-kind',
        models: [
          { upstreamModel: 'fine-model' },
          { upstreamModel: 'chatty', kind: 'embedding', dimension: 4 },
        ],
      });
      expect(expectFieldError(wrongKind, 'models[1].kind')).toContain('exists with kind chat');

      expect(await providerIds()).toEqual([...before, 'pc-echo-2'].sort());
      expectProblem(await gateway.admin('GET', '/models/fine-model'), 404, 'not_found');
      expectProblem(await gateway.admin('GET', '/models/vectors'), 404, 'not_found');
      const chatty = await ok(gateway.admin<ModelView>('GET', '/models/chatty'));
      expect(chatty.deployments.map((d) => d.providerId)).toEqual(['pc-echo-2']);
    });
  });
});
