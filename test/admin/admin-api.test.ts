/**
 * The admin API on both stores: authentication, the OpenAPI document, provider entries, and credentials that
 * are write-only (a canary given as apiKey never comes back in any answer).
 */

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_ROUTES } from '../../src/management/api/access.js';
import { http, ok, startTestGateway, TEST_ADMIN_TOKEN, type TestGateway } from '../support/gateway.js';
import { storeKinds } from '../support/stores.js';
import { expectFieldError, expectProblem, type ProviderView } from './admin-helpers.js';

const kinds = await storeKinds();

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { security?: Array<Record<string, string[]>> }>>;
  components: {
    securitySchemes: Record<string, { type: string; scheme: string }>;
    schemas: Record<string, { properties?: Record<string, unknown> }>;
  };
}

const expectedOperations: Record<string, string[]> = {
  '/admin/v1/providers': ['get', 'post'],
  '/admin/v1/providers/{id}': ['delete', 'get', 'patch'],
  '/admin/v1/providers/test-connection': ['post'],
  '/admin/v1/models': ['get', 'post'],
  '/admin/v1/models/{id}': ['delete', 'get', 'patch'],
  '/admin/v1/teams': ['get', 'post'],
  '/admin/v1/teams/{id}': ['delete', 'get', 'patch'],
  '/admin/v1/keys': ['get', 'post'],
  '/admin/v1/keys/{id}': ['get', 'patch'],
  '/admin/v1/keys/{id}/revoke': ['post'],
  '/admin/v1/me': ['get'],
  '/admin/v1/status': ['get'],
  '/admin/v1/provider-types': ['get'],
  '/admin/v1/providers/{id}/verify': ['post'],
  '/admin/v1/providers/{id}/health': ['get'],
  '/admin/v1/providers/{id}/rotate': ['post'],
  '/admin/v1/providers/{id}/discovered-models': ['get'],
  '/admin/v1/environments': ['get', 'post'],
  '/admin/v1/environments/{id}': ['delete', 'get'],
  '/admin/v1/models/{id}/verify': ['post'],
  '/admin/v1/routing/explain': ['post'],
  '/admin/v1/prices': ['get', 'post'],
  '/admin/v1/prices/{id}': ['delete'],
  '/admin/v1/prices/reprice': ['post'],
  '/admin/v1/prices/defaults': ['get'],
  '/admin/v1/budgets': ['get', 'post'],
  '/admin/v1/budgets/{id}': ['delete', 'get', 'patch'],
  '/admin/v1/budgets/{id}/alerts': ['get'],
  '/admin/v1/usage': ['get'],
  '/admin/v1/usage/series': ['get'],
  '/admin/v1/usage/records': ['get'],
  '/admin/v1/usage/records/{id}': ['get'],
  '/admin/v1/usage/export.csv': ['get'],
  '/admin/v1/keys/{id}/rotate': ['post'],
  '/admin/v1/aliases': ['get', 'post'],
  '/admin/v1/aliases/{id}': ['delete', 'get', 'patch'],
  '/admin/v1/aliases/{id}/move': ['post'],
  '/admin/v1/aliases/{id}/rollback': ['post'],
  '/admin/v1/aliases/{id}/history': ['get'],
  '/admin/v1/config': ['get'],
  '/admin/v1/config/plan': ['post'],
  '/admin/v1/config/apply': ['post'],
  '/admin/v1/audit': ['get'],
  '/admin/v1/audit/export': ['get'],
  '/admin/v1/audit/{id}': ['get'],
  '/admin/v1/logs': ['get'],
  '/admin/v1/logs/{id}': ['get'],
  '/admin/v1/tokens': ['get', 'post'],
  '/admin/v1/tokens/{id}': ['get'],
  '/admin/v1/tokens/{id}/revoke': ['post'],
  '/admin/v1/auth/methods': ['get'],
  '/admin/v1/me/tokens': ['get', 'post'],
  '/admin/v1/me/tokens/{id}/revoke': ['post'],
  '/admin/v1/session': ['delete', 'post'],
  '/admin/v1/users': ['get', 'post'],
  '/admin/v1/users/{id}': ['delete', 'get', 'patch'],
  '/admin/v1/sso': ['delete', 'get', 'put'],
  '/admin/v1/sso/login': ['get'],
  '/admin/v1/sso/callback': ['get'],
};

describe.each(kinds)('admin API (%s store)', (kind) => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ store: kind });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  describe('authentication', () => {
    const cases: Array<[string, Record<string, string>]> = [
      ['no authorization header', {}],
      ['a wrong token', { authorization: 'Bearer jat_not-the-admin-token-000000000000000000' }],
      ['a bare "Bearer"', { authorization: 'Bearer' }],
      ['"Bearer" and only spaces', { authorization: 'Bearer    ' }],
      ['the Basic scheme', { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` }],
      ['the right token under another scheme', { authorization: `Token ${TEST_ADMIN_TOKEN}` }],
      ['the right token without a scheme', { authorization: TEST_ADMIN_TOKEN }],
      ['an oversized token', { authorization: `Bearer ${'x'.repeat(600)}` }],
    ];
    it.each(['bearer', 'BEARER', 'Bearer'])(
      'accepts the %s scheme in any case (RFC 9110)',
      async (scheme) => {
        const result = await http(`${gateway.url}/admin/v1/me`, 'GET', undefined, {
          authorization: `${scheme} ${TEST_ADMIN_TOKEN}`,
        });
        expect(result.status).toBe(200);
      },
    );
    it.each(cases)('answers %s with 401 problem+json and a challenge', async (_label, headers) => {
      const result = await http(`${gateway.url}/admin/v1/me`, 'GET', undefined, headers);
      const problem = expectProblem(result, 401, 'invalid_api_key');
      expect(problem.detail).toBe('Sign in, or send a valid admin token as `Authorization: Bearer <token>`');
      expect(result.headers['www-authenticate']).toBe('Bearer realm="junction-admin"');
      expect(result.headers['cache-control']).toBe('no-store');
    });

    it('refuses a mutation without a token before looking at the body', async () => {
      const result = await http(`${gateway.url}/admin/v1/providers`, 'POST', {
        id: 'sneaky',
        type: 'echo',
        displayName: 'Sneaky',
      });
      expectProblem(result, 401, 'invalid_api_key');
      expectProblem(await gateway.admin('GET', '/providers/sneaky'), 404, 'not_found');
    });

    it('answers an unknown route with 401 before 404 when unauthenticated', async () => {
      expectProblem(await http(`${gateway.url}/admin/v1/nothing-here`, 'GET'), 401, 'invalid_api_key');
      const unknown = expectProblem(await gateway.admin('GET', '/nothing-here'), 404, 'not_found');
      expect(unknown.detail).toBe('There is no route GET /admin/v1/nothing-here');
    });

    it('names the principal behind the admin token', async () => {
      const me = await gateway.admin<{ id: string; name: string; role: string }>('GET', '/me');
      expect(me.status).toBe(200);
      expect(me.json.role).toBe('super_admin');
      expect(me.json.name).toBe('bootstrap (JUNCTION_ADMIN_TOKEN)');
      expect(me.json.id).toMatch(/^adm_/);
    });
  });

  describe('OpenAPI document', () => {
    it('is public, OpenAPI 3.1, lists every route, and the bearer and session security schemes', async () => {
      const result = await http<OpenApiDocument>(`${gateway.url}/admin/v1/openapi.json`, 'GET');
      expect(result.status).toBe(200);
      expect(result.headers['content-type']).toMatch(/^application\/json/);
      const document = result.json;
      expect(document.openapi).toBe('3.1.0');
      expect(Object.keys(document.paths).sort()).toEqual(Object.keys(expectedOperations).sort());
      for (const [path, methods] of Object.entries(expectedOperations)) {
        expect(Object.keys(document.paths[path]!).sort(), path).toEqual(methods);
        for (const method of methods) {
          // The sign-in routes need no credential; every other route takes a token or a browser session.
          const open = PUBLIC_ROUTES.includes(
            `${method.toUpperCase()} ${path}` as (typeof PUBLIC_ROUTES)[number],
          );
          expect(document.paths[path]![method]!.security, `${method} ${path}`).toEqual(
            open ? undefined : [{ bearer: [] }, { session: [] }],
          );
        }
      }
      expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(document.components.securitySchemes.session).toMatchObject({
        type: 'apiKey',
        in: 'cookie',
        name: 'junction_session',
      });
      expect(Object.keys(document.components.schemas.Provider!.properties!)).not.toContain('apiKey');
      expect(Object.keys(document.components.schemas.ProviderCreate!.properties!)).toContain('apiKey');
    });
  });

  describe('providers', () => {
    it('creates an openai entry with the default base URL and a masked credential', async () => {
      const result = await gateway.admin<ProviderView>('POST', '/providers', {
        id: 'openai-main',
        type: 'openai',
        displayName: 'OpenAI',
        apiKey: 'sk-test-0000000000001234',
      });
      expect(result.status).toBe(201);
      expect(result.json).toMatchObject({
        id: 'openai-main',
        type: 'openai',
        displayName: 'OpenAI',
        baseUrl: 'https://api.openai.com/v1',
        authMethod: 'api-key',
        environments: ['production', 'staging'],
        enabled: true,
        firstParty: false,
        labels: {},
        config: {},
        region: null,
      });
      expect(result.json.credential?.hint).toBe('****1234');
      expect(Date.parse(result.json.credential!.rotatedAt)).toBeGreaterThan(Date.now() - 60_000);
    });

    it('requires an apiKey for openai and a base URL for openai-compatible', async () => {
      const noKey = await gateway.admin('POST', '/providers', {
        id: 'openai-nokey',
        type: 'openai',
        displayName: 'x',
      });
      expect(expectFieldError(noKey, 'apiKey')).toBe('the api-key auth method needs an apiKey');
      const noUrl = await gateway.admin('POST', '/providers', {
        id: 'compat-nourl',
        type: 'openai-compatible',
        displayName: 'x',
      });
      expect(expectFieldError(noUrl, 'baseUrl')).toMatch(/needs the base URL of its server/);
      expectProblem(await gateway.admin('GET', '/providers/openai-nokey'), 404, 'not_found');
      expectProblem(await gateway.admin('GET', '/providers/compat-nourl'), 404, 'not_found');
    });

    it('creates an openai-compatible entry with and without a credential', async () => {
      const withKey = await ok(
        gateway.admin<ProviderView>('POST', '/providers', {
          id: 'vllm-a',
          type: 'openai-compatible',
          displayName: 'vLLM A',
          baseUrl: 'http://vllm:8000/v1',
          apiKey: 'token-abcdefghijkl-wxyz',
          region: 'eu-west-1',
          labels: { team: 'ml' },
        }),
      );
      expect(withKey).toMatchObject({
        baseUrl: 'http://vllm:8000/v1',
        authMethod: 'api-key',
        region: 'eu-west-1',
      });
      expect(withKey.labels).toEqual({ team: 'ml' });
      expect(withKey.credential?.hint).toBe('****wxyz');
      const without = await ok(
        gateway.admin<ProviderView>('POST', '/providers', {
          id: 'vllm-b',
          type: 'openai-compatible',
          displayName: 'vLLM B',
          baseUrl: 'http://vllm-b:8000/v1',
        }),
      );
      expect(without.authMethod).toBe('none');
      expect(without.credential).toBeNull();
    });

    it('creates an echo entry without base URL or credential, and refuses one with a base URL', async () => {
      const echo = await ok(
        gateway.admin<ProviderView>('POST', '/providers', {
          id: 'echo-a',
          type: 'echo',
          displayName: 'Echo',
        }),
      );
      expect(echo).toMatchObject({ type: 'echo', baseUrl: null, authMethod: 'none', credential: null });
      const withUrl = await gateway.admin('POST', '/providers', {
        id: 'echo-url',
        type: 'echo',
        displayName: 'Echo',
        baseUrl: 'http://echo:1/v1',
      });
      expect(expectFieldError(withUrl, 'baseUrl')).toBe(
        'an echo provider answers in-process and takes no base URL',
      );
    });

    it('reads and lists entries sorted by id', async () => {
      const read = await gateway.admin<ProviderView>('GET', '/providers/vllm-a');
      expect(read.status).toBe(200);
      expect(read.json.id).toBe('vllm-a');
      expect(read.json.credential?.hint).toBe('****wxyz');
      const list = await gateway.admin<{ data: ProviderView[] }>('GET', '/providers');
      expect(list.status).toBe(200);
      const ids = list.json.data.map((provider) => provider.id);
      expect(ids).toEqual([...ids].sort());
      expect(ids).toEqual(expect.arrayContaining(['echo-a', 'openai-main', 'vllm-a', 'vllm-b']));
    });

    it('patches displayName, enabled and environments, leaving the rest alone', async () => {
      const before = await ok(gateway.admin<ProviderView>('GET', '/providers/vllm-a'));
      const patched = await ok(
        gateway.admin<ProviderView>('PATCH', '/providers/vllm-a', {
          displayName: 'vLLM A (renamed)',
          enabled: false,
          environments: ['staging'],
        }),
      );
      expect(patched).toMatchObject({
        displayName: 'vLLM A (renamed)',
        enabled: false,
        environments: ['staging'],
        baseUrl: 'http://vllm:8000/v1',
        region: 'eu-west-1',
        labels: { team: 'ml' },
        credential: before.credential,
        createdAt: before.createdAt,
      });
      expect(Date.parse(patched.updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt));
      const { health: _health, ...reread } = await ok(
        gateway.admin<ProviderView>('GET', '/providers/vllm-a'),
      );
      const { health: _patchedHealth, ...patchedFields } = patched;
      expect(reread).toEqual(patchedFields);
    });

    it('rotates the credential when apiKey is patched', async () => {
      const before = await ok(gateway.admin<ProviderView>('GET', '/providers/openai-main'));
      const rotated = await ok(
        gateway.admin<ProviderView>('PATCH', '/providers/openai-main', {
          apiKey: 'sk-test-rotated-00005678',
        }),
      );
      expect(rotated.credential?.hint).toBe('****5678');
      expect(Date.parse(rotated.credential!.rotatedAt)).toBeGreaterThan(
        Date.parse(before.credential!.rotatedAt),
      );
      const renamed = await ok(
        gateway.admin<ProviderView>('PATCH', '/providers/openai-main', { displayName: 'OAI' }),
      );
      expect(renamed.credential).toEqual(rotated.credential);
    });

    it('switches a keyless entry to api-key auth when an apiKey is patched in, as create would', async () => {
      const patched = await ok(
        gateway.admin<ProviderView>('PATCH', '/providers/vllm-b', { apiKey: 'token-added-later-0000-9876' }),
      );
      expect(patched.authMethod).toBe('api-key');
      expect(patched.credential?.hint).toBe('****9876');
      const dropped = await ok(
        gateway.admin<ProviderView>('PATCH', '/providers/vllm-b', { authMethod: 'none' }),
      );
      expect(dropped.authMethod).toBe('none');
      expect(dropped.credential).toBeNull();
    });

    it('refuses a duplicate id with 409 and keeps the original', async () => {
      const duplicate = await gateway.admin('POST', '/providers', {
        id: 'echo-a',
        type: 'echo',
        displayName: 'Twin',
      });
      const problem = expectProblem(duplicate, 409, 'conflict');
      expect(problem.detail).toBe('A provider with the identifier echo-a already exists');
      expect((await ok(gateway.admin<ProviderView>('GET', '/providers/echo-a'))).displayName).toBe('Echo');
    });

    it('answers 404 for an unknown id on read, patch and delete', async () => {
      const read = expectProblem(await gateway.admin('GET', '/providers/no-such'), 404, 'not_found');
      expect(read.detail).toBe('Provider no-such does not exist');
      expectProblem(
        await gateway.admin('PATCH', '/providers/no-such', { displayName: 'x' }),
        404,
        'not_found',
      );
      expectProblem(await gateway.admin('DELETE', '/providers/no-such'), 404, 'not_found');
    });

    it('refuses to delete an entry a model uses, naming the model', async () => {
      await ok(
        gateway.admin('POST', '/models', {
          id: 'uses-vllm-b',
          kind: 'chat',
          deployments: [{ providerId: 'vllm-b', upstreamModel: 'llama' }],
        }),
      );
      const refused = expectProblem(await gateway.admin('DELETE', '/providers/vllm-b'), 409, 'in_use');
      expect(refused.detail).toBe('Provider vllm-b serves the models uses-vllm-b; remove it from them first');
      await ok(gateway.admin('DELETE', '/models/uses-vllm-b'));
      const deleted = await gateway.admin('DELETE', '/providers/vllm-b');
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expectProblem(await gateway.admin('GET', '/providers/vllm-b'), 404, 'not_found');
      expectProblem(await gateway.admin('DELETE', '/providers/vllm-b'), 404, 'not_found');
    });
  });

  describe('credentials are write-only', () => {
    it('never returns a canary apiKey in any answer, successful or not', async () => {
      const canary = `sk-canary-${randomBytes(12).toString('hex')}`;
      const rotatedCanary = `sk-canary-${randomBytes(12).toString('hex')}`;
      const answers: Array<{ label: string; status: number; text: string }> = [];
      const record = async (label: string, call: Promise<{ status: number; text: string }>) => {
        const result = await call;
        answers.push({ label, status: result.status, text: result.text });
        return result;
      };
      const create = { id: 'canary-openai', type: 'openai', displayName: 'Canary', apiKey: canary };
      await record('create', gateway.admin('POST', '/providers', create));
      await record('read', gateway.admin('GET', '/providers/canary-openai'));
      await record('list', gateway.admin('GET', '/providers'));
      await record('patch', gateway.admin('PATCH', '/providers/canary-openai', { displayName: 'Renamed' }));
      await record('duplicate', gateway.admin('POST', '/providers', create));
      await record('bad id', gateway.admin('POST', '/providers', { ...create, id: 'Bad_Id' }));
      await record(
        'bad url',
        gateway.admin('POST', '/providers', { ...create, id: 'c2', baseUrl: 'ftp://x/v1' }),
      );
      await record(
        'unknown field',
        gateway.admin('POST', '/providers', { ...create, id: 'c3', secret: canary }),
      );
      await record('bad type', gateway.admin('POST', '/providers', { ...create, id: 'c4', type: canary }));
      await record(
        'too long',
        gateway.admin('POST', '/providers', { ...create, id: 'c5', apiKey: canary.repeat(300) }),
      );
      await record('patch unknown', gateway.admin('PATCH', '/providers/nope', { apiKey: canary }));
      await record(
        'patch bad',
        gateway.admin('PATCH', '/providers/canary-openai', { apiKey: canary, foo: canary }),
      );
      await record('rotate', gateway.admin('PATCH', '/providers/canary-openai', { apiKey: rotatedCanary }));
      await record('read again', gateway.admin('GET', '/providers/canary-openai'));
      await record('status', gateway.admin('GET', '/status'));

      expect(answers.map((answer) => answer.status)).toEqual([
        201, 200, 200, 200, 409, 400, 400, 400, 400, 400, 404, 400, 200, 200, 200,
      ]);
      for (const answer of answers) {
        expect(answer.text, answer.label).not.toContain(canary);
        expect(answer.text, answer.label).not.toContain(rotatedCanary);
        expect(answer.text, answer.label).not.toContain(canary.slice(10));
      }
      const final = JSON.parse(answers.at(-2)!.text) as ProviderView;
      expect(final.credential?.hint).toBe(`****${rotatedCanary.slice(-4)}`);
      expect(Object.keys(final)).not.toContain('apiKey');
    });
  });
});
