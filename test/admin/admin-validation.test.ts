/**
 * What the admin API refuses, on both stores: bad identifiers and base URLs, unknown fields, bodies that are not
 * JSON, too large or of another type, and SQL-injection-looking input (X6), which is stored literally or
 * refused with 400/404, never a 5xx.
 */
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, ok, startTestGateway, TEST_ADMIN_TOKEN, type TestGateway } from '../support/gateway.js';
import { storeKinds } from '../support/stores.js';
import {
  expectFieldError,
  expectProblem,
  type KeyCreated,
  type ModelView,
  type ProviderView,
  snapshotVersion,
  type TeamView,
} from './admin-helpers.js';

const kinds = await storeKinds();
const INJECTIONS = ["' OR 1=1--", '"; drop table providers; --', '%27'];
const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

describe.each(kinds)('admin API validation (%s store)', (kind) => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ store: kind });
    await ok(gateway.admin('POST', '/providers', { id: 'echo', type: 'echo', displayName: 'Echo' }));
  });
  afterAll(async () => {
    await gateway?.close();
  });

  describe('identifiers and base URLs', () => {
    it.each(['Upper', '1abc', 'a_b', 'a'.repeat(64), '', 'a b', 'é'])(
      'refuses the provider id %j',
      async (id) => {
        const result = await gateway.admin('POST', '/providers', { id, type: 'echo', displayName: 'x' });
        expectFieldError(result, 'id');
      },
    );

    it('accepts a 63-character id made of a-z, digits and hyphens', async () => {
      const id = `a1-${'b'.repeat(60)}`;
      expect((await gateway.admin('POST', '/providers', { id, type: 'echo', displayName: 'x' })).status).toBe(
        201,
      );
      expect((await gateway.admin('DELETE', `/providers/${id}`)).status).toBe(204);
    });

    it('refuses a base URL ending in /chat/completions with the fix in the message', async () => {
      const result = await gateway.admin('POST', '/providers', {
        id: 'vllm-cc',
        type: 'openai-compatible',
        displayName: 'x',
        baseUrl: 'http://vllm:8000/v1/chat/completions',
      });
      expect(expectFieldError(result, 'baseUrl')).toBe(
        'the base URL ends in a route Junction appends itself; use http://vllm:8000/v1',
      );
    });

    it.each([
      ['https://user:secret@api.example.com/v1', 'the base URL must not contain credentials'],
      ['ftp://files.example.com/v1', 'the base URL must start with http:// or https://'],
      ['file:///etc/passwd', 'the base URL must start with http:// or https://'],
      ['javascript:alert(1)', 'the base URL must start with http:// or https://'],
      ['http://api.example.com/v1?x=1', 'the base URL must not contain a query or a fragment'],
      ['not a url', 'the base URL "not a url" is not a valid URL'],
    ])('refuses the base URL %s on create and on patch', async (baseUrl, message) => {
      const created = await gateway.admin('POST', '/providers', {
        id: 'bad-url',
        type: 'openai-compatible',
        displayName: 'x',
        baseUrl,
      });
      expect(expectFieldError(created, 'baseUrl')).toBe(message);
      await ok(
        gateway.admin('POST', '/providers', {
          id: 'good-url',
          type: 'openai-compatible',
          displayName: 'x',
          baseUrl: 'http://ok:1/v1',
        }),
      );
      expect(
        expectFieldError(await gateway.admin('PATCH', '/providers/good-url', { baseUrl }), 'baseUrl'),
      ).toBe(message);
      expect((await ok(gateway.admin<ProviderView>('GET', '/providers/good-url'))).baseUrl).toBe(
        'http://ok:1/v1',
      );
      await ok(gateway.admin('DELETE', '/providers/good-url'));
    });
  });

  it('refuses a credential on an echo provider, which would never use it', async () => {
    const result = await gateway.admin<{ errors: { path: string; message: string }[] }>(
      'POST',
      '/providers',
      {
        id: 'echo-with-key',
        type: 'echo',
        displayName: 'x',
        apiKey: 'sk-never-used-1234567890',
      },
    );
    expect(result.status).toBe(400);
    expect(result.json.errors).toEqual([{ path: 'apiKey', message: 'an echo provider takes no credential' }]);
    expect(result.text).not.toContain('sk-never-used');
  });

  describe('strict schemas', () => {
    it.each([
      ['POST', '/providers', { id: 'strict-p', type: 'echo', displayName: 'x', colour: 'red' }],
      ['PATCH', '/providers/echo', { displayName: 'x', colour: 'red' }],
      [
        'POST',
        '/models',
        { id: 'strict-m', kind: 'chat', deployments: [{ providerId: 'echo', upstreamModel: 'e' }], x: 1 },
      ],
      ['PATCH', '/models/none', { x: 1 }],
      ['POST', '/teams', { name: 'strict-team', owner: 'me' }],
      ['POST', '/keys', { name: 'k', teamId: 'team_x', secret: 'jk_chosen' }],
    ])('refuses an unknown field in %s %s', async (method, path, body) => {
      const before = await snapshotVersion(gateway);
      const result = await gateway.admin(method, path, body);
      expectProblem(result, 400, 'invalid_request');
      expect((result.json as { detail: string }).detail).toMatch(
        /^\(body\): Unrecognized key: "(colour|x|owner|secret)"$/,
      );
      expect(await snapshotVersion(gateway)).toBe(before);
    });
  });

  describe('request bodies', () => {
    it('answers malformed JSON with 400 problem+json', async () => {
      for (const body of ['{"name":', '{name: "x"}', '']) {
        const result = await http(`${gateway.url}/admin/v1/teams`, 'POST', body, {
          ...auth,
          'content-type': 'application/json',
        });
        expect(expectProblem(result, 400, 'invalid_request').detail, body).toBe(
          'Malformed JSON in request body',
        );
      }
    });

    it('answers a JSON body that is not an object with 400', async () => {
      for (const body of ['[]', '"name"', '42', 'null']) {
        const result = await http(`${gateway.url}/admin/v1/teams`, 'POST', body, {
          ...auth,
          'content-type': 'application/json',
        });
        expectProblem(result, 400, 'invalid_request');
      }
    });

    it('answers a body of another content type with 415 unsupported_media_type', async () => {
      const before = await snapshotVersion(gateway);
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
        const result = await http(`${gateway.url}/admin/v1/teams`, 'POST', '{"name":"plain-team"}', {
          ...auth,
          'content-type': contentType,
        });
        const problem = expectProblem(result, 415, 'unsupported_media_type');
        expect(problem.detail).toBe('Send the body as JSON with `content-type: application/json`');
      }
      expect(await snapshotVersion(gateway)).toBe(before);
      const teams = await ok(gateway.admin<{ data: TeamView[] }>('GET', '/teams'));
      expect(teams.data.map((team) => team.name)).not.toContain('plain-team');
    });

    it('answers a body over 1 MiB with 413 problem+json', async () => {
      // A private connection pool: the server may close the connection of a refused upload.
      const dispatcher = new Agent();
      try {
        const send = async (headers: Record<string, string>, body: string | Readable) => {
          const response = await request(`${gateway.url}/admin/v1/teams`, {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json', ...headers },
            body,
            dispatcher,
          });
          const text = await response.body.text();
          return {
            status: response.statusCode,
            headers: response.headers,
            text,
            json: JSON.parse(text) as unknown,
          };
        };
        const big = JSON.stringify({ name: 'big', description: 'x'.repeat(1024 * 1024) });
        const sized = await send({}, big);
        expect(expectProblem(sized, 413, 'body_too_large').detail).toBe(
          'The body is larger than 1048576 bytes',
        );
        // The unread rest of the upload makes the connection unusable; the answer must say so.
        expect(sized.headers.connection).toBe('close');
        expect((await send({}, JSON.stringify({ name: `after-413-${kind}` }))).status).toBe(201);
        async function* chunks() {
          for (let sent = 0; sent < 2 * 1024 * 1024; sent += 64 * 1024) yield Buffer.alloc(64 * 1024, 32);
        }
        const streamed = await send({}, Readable.from(chunks()));
        expectProblem(streamed, 413, 'body_too_large');
        expect(streamed.headers.connection).toBe('close');
        expect((await send({}, JSON.stringify({ name: `after-streamed-413-${kind}` }))).status).toBe(201);
      } finally {
        await dispatcher.close();
      }
      expect((await gateway.admin('GET', '/me')).status).toBe(200);
    });
  });

  describe('SQL-injection-looking input (X6)', () => {
    it('answers an injection-looking admin token with 401', async () => {
      for (const token of INJECTIONS) {
        expectProblem(await gateway.admin('GET', '/providers', undefined, token), 401, 'invalid_api_key');
      }
    });

    it('stores injection-looking text fields literally', async () => {
      for (const [index, text] of INJECTIONS.entries()) {
        const id = `inj-${index}`;
        const provider = await ok(
          gateway.admin<ProviderView>('POST', '/providers', {
            id,
            type: 'openai-compatible',
            displayName: text,
            baseUrl: 'http://inj:1/v1',
            apiKey: `${text}-credential-0000`,
            region: text,
            labels: { [text]: text },
            config: { note: text },
          }),
        );
        expect(provider).toMatchObject({
          displayName: text,
          region: text,
          labels: { [text]: text },
          config: { note: text },
        });
        const patched = await ok(
          gateway.admin<ProviderView>('PATCH', `/providers/${id}`, { displayName: `${text}!` }),
        );
        expect(patched.displayName).toBe(`${text}!`);
        const model = await ok(
          gateway.admin<ModelView>('POST', '/models', {
            id: `inj-model-${index}`,
            kind: 'chat',
            description: text,
            deployments: [{ providerId: id, upstreamModel: text }],
          }),
        );
        expect(model).toMatchObject({ description: text, deployments: [{ upstreamModel: text }] });
        const team = await ok(gateway.admin<TeamView>('POST', '/teams', { name: text, description: text }));
        expect(team).toMatchObject({ name: text, description: text });
        const key = await ok(
          gateway.admin<KeyCreated>('POST', '/keys', { name: text, teamId: team.id, consumer: text }),
        );
        expect(key.key).toMatchObject({ name: text, consumer: text });
        expect(await ok(gateway.admin<TeamView>('GET', `/teams/${team.id}`))).toEqual(team);
      }
      const providers = await ok(gateway.admin<{ data: ProviderView[] }>('GET', '/providers'));
      expect(providers.data.map((provider) => provider.id)).toEqual(
        expect.arrayContaining(['echo', 'inj-0', 'inj-1', 'inj-2']),
      );
      const teams = await ok(gateway.admin<{ data: TeamView[] }>('GET', '/teams'));
      expect(teams.data.map((team) => team.name)).toEqual(expect.arrayContaining(INJECTIONS));
    });

    it('refuses injection-looking identifiers and references with 400, never 5xx', async () => {
      for (const text of INJECTIONS) {
        expectFieldError(
          await gateway.admin('POST', '/providers', { id: text, type: 'echo', displayName: 'x' }),
          'id',
        );
        const model = await gateway.admin('POST', '/models', {
          id: text,
          kind: 'chat',
          deployments: [{ providerId: 'echo', upstreamModel: 'e' }],
        });
        expectFieldError(model, 'id');
        const deployment = await gateway.admin('POST', '/models', {
          id: 'inj-ref',
          kind: 'chat',
          deployments: [{ providerId: text, upstreamModel: 'e' }],
        });
        expect(expectFieldError(deployment, 'deployments[0].providerId')).toBe(
          `provider ${text} does not exist`,
        );
        const key = await gateway.admin('POST', '/keys', { name: 'k', teamId: text });
        expect(expectFieldError(key, 'teamId')).toBe(`team ${text} does not exist`);
      }
    });

    it('answers injection-looking path ids with 404, never 5xx, and changes nothing', async () => {
      const before = await snapshotVersion(gateway);
      const ids = [...INJECTIONS.map(encodeURIComponent), '%27', '%2527', "'%20OR%20'1'%3D'1"];
      const calls: Array<[string, string, unknown]> = [];
      for (const id of ids) {
        calls.push(
          ['GET', `/providers/${id}`, undefined],
          ['PATCH', `/providers/${id}`, { displayName: 'x' }],
          ['DELETE', `/providers/${id}`, undefined],
          ['GET', `/models/${id}`, undefined],
          ['PATCH', `/models/${id}`, { enabled: false }],
          ['DELETE', `/models/${id}`, undefined],
          ['GET', `/teams/${id}`, undefined],
          ['DELETE', `/teams/${id}`, undefined],
          ['GET', `/keys/${id}`, undefined],
          ['POST', `/keys/${id}/revoke`, undefined],
        );
      }
      for (const [method, path, body] of calls) {
        const result = await gateway.admin(method, path, body);
        expect(result.status, `${method} ${path}: ${result.text}`).toBe(404);
        expectProblem(result, 404, 'not_found');
      }
      expect(await snapshotVersion(gateway)).toBe(before);
      const providers = await ok(gateway.admin<{ data: ProviderView[] }>('GET', '/providers'));
      expect(providers.data.map((provider) => provider.id)).toContain('echo');
      const keys = await ok(gateway.admin<{ data: KeyCreated['key'][] }>('GET', '/keys'));
      expect(keys.data.every((key) => key.revokedAt === null)).toBe(true);
    });
  });
});
