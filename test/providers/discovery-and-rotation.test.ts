/**
 * Model discovery, credential rotation and the advice (`warnings`) given on a change, on both stores:
 * discovery compares what the provider offers with what models use; rotation swaps the key everywhere at
 * once (the check, then the data plane) and the old key is never sent again; a credential pasted with
 * whitespace is stored trimmed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectProblem } from '../admin/admin-helpers.js';
import { chat, closedPort } from '../dataplane/helpers.js';
import { type FakeUpstream, type RecordedRequest, startFakeUpstream } from '../harness/fake-upstream.js';
import { modelObject } from '../harness/openai-fixtures.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { storeKinds } from '../support/stores.js';
import { createEntry, type ProviderView, readProvider } from './helpers.js';

const kinds = await storeKinds();
const CHAT = '/v1/chat/completions';
const OLD_KEY = 'sk-rotate-old-7c1e9a3f5b2d4068';
const NEW_KEY = 'sk-rotate-new-2b8d6f0a4c9e1357';
const TRIMMED = 'sk-trim-5a3c7e9b1d0f2468';

const authorizations = (requests: RecordedRequest[]) => requests.map((r) => r.headers.authorization);

describe.each(kinds)('discovery, rotation and warnings (%s store)', (kind) => {
  let gateway: TestGateway;
  let upstream: FakeUpstream;
  let key: string;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    gateway = await startTestGateway({ store: kind });
    key = (await gateway.createKey()).secret;
  });
  beforeEach(() => upstream.reset());
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  const addModel = (id: string, providerId: string, upstreamModel: string) =>
    ok(gateway.admin('POST', '/models', { id, kind: 'chat', deployments: [{ providerId, upstreamModel }] }));

  describe('GET /providers/{id}/discovered-models', () => {
    it('lists the offered models with enabled flags, the new ones and the missing ones', async () => {
      await createEntry(gateway, { id: 'disc-local', baseUrl: `${upstream.url}/disc/v1`, apiKey: 'sk-d-1' });
      await addModel('uses-m1', 'disc-local', 'm1');
      await addModel('uses-gone', 'disc-local', 'gone');
      upstream.on({
        method: 'GET',
        path: '/disc/v1/models',
        reply: {
          kind: 'json',
          body: { object: 'list', data: [modelObject('m3'), modelObject('m1'), modelObject('m2')] },
        },
      });
      const result = await gateway.admin('GET', '/providers/disc-local/discovered-models');
      expect(result.status, result.text).toBe(200);
      expect(result.json).toEqual({
        providerId: 'disc-local',
        models: [
          { id: 'm1', enabled: true },
          { id: 'm2', enabled: false },
          { id: 'm3', enabled: false },
        ],
        new: ['m2', 'm3'],
        missing: ['gone'],
      });
      expect(authorizations(upstream.requests)).toEqual(['Bearer sk-d-1']);
      // Asking the provider is a check too.
      expect((await readProvider(gateway, 'disc-local')).health.status).toBe('healthy');
    });

    it('refuses an echo entry with 400', async () => {
      await ok(gateway.admin('POST', '/providers', { id: 'disc-echo', type: 'echo', displayName: 'E' }));
      const problem = expectProblem(
        await gateway.admin('GET', '/providers/disc-echo/discovered-models'),
        400,
        'invalid_request',
      );
      expect(problem.detail).toContain('echo');
    });

    it('answers 502 with the reason when the entry cannot be reached', async () => {
      const port = await closedPort();
      await createEntry(gateway, { id: 'disc-dead', baseUrl: `http://127.0.0.1:${port}/v1` });
      const problem = expectProblem(
        await gateway.admin('GET', '/providers/disc-dead/discovered-models'),
        502,
        'upstream_error',
      );
      expect(problem.detail).toContain('Model discovery failed');
      expect(problem.detail).toContain(`Could not connect to 127.0.0.1:${port} (ECONNREFUSED)`);
      const entry = await readProvider(gateway, 'disc-dead');
      expect(entry.health.diagnostic).toMatchObject({ stage: 'connect', code: 'ECONNREFUSED' });
    });

    it('answers 404 for an unknown entry', async () => {
      const missing = await gateway.admin('GET', '/providers/disc-nobody/discovered-models');
      expectProblem(missing, 404, 'not_found');
    });
  });

  describe('POST /providers/{id}/rotate', () => {
    it('changes the hint and rotatedAt, verifies with the new key, and serves with it at once', async () => {
      const created = await createEntry(gateway, {
        id: 'rot-local',
        baseUrl: `${upstream.url}/rot/v1`,
        apiKey: OLD_KEY,
      });
      await addModel('rot-model', 'rot-local', 'rot-upstream');
      expect((await gateway.call('POST', CHAT, chat('rot-model'), key)).status).toBe(200);
      expect(authorizations(upstream.requests)).toEqual([`Bearer ${OLD_KEY}`]);
      upstream.reset();
      await new Promise((resolve) => setTimeout(resolve, 10));

      const rotated = await gateway.admin<ProviderView>('POST', '/providers/rot-local/rotate', {
        apiKey: NEW_KEY,
      });
      expect(rotated.status, rotated.text).toBe(200);
      expect(rotated.json.credential?.hint).toBe(`****${NEW_KEY.slice(-4)}`);
      expect(created.json.credential?.hint).toBe(`****${OLD_KEY.slice(-4)}`);
      expect(Date.parse(rotated.json.credential!.rotatedAt)).toBeGreaterThan(
        Date.parse(created.json.credential!.rotatedAt),
      );
      expect(rotated.json.health).toMatchObject({ status: 'healthy', diagnostic: null });
      expect(rotated.json).not.toHaveProperty('warnings');
      const probe = upstream.requests.find((r) => r.path === '/rot/v1/models');
      expect(probe?.headers.authorization).toBe(`Bearer ${NEW_KEY}`);

      for (let i = 0; i < 3; i++) {
        expect((await gateway.call('POST', CHAT, chat('rot-model'), key)).status).toBe(200);
      }
      await ok(gateway.admin('POST', '/providers/rot-local/verify'));
      await gateway.admin('GET', '/providers/rot-local/discovered-models');
      const seen = authorizations(upstream.requests);
      expect(seen.length).toBeGreaterThanOrEqual(6);
      expect(new Set(seen)).toEqual(new Set([`Bearer ${NEW_KEY}`]));
      expect(upstream.requests.some((r) => JSON.stringify(r.headers).includes(OLD_KEY))).toBe(false);
      expect((await readProvider(gateway, 'rot-local')).credential?.hint).toBe(`****${NEW_KEY.slice(-4)}`);
    });

    it('reports a rotation to a key the provider rejects as an auth failure', async () => {
      await createEntry(gateway, { id: 'rot-bad', baseUrl: `${upstream.url}/rotbad/v1`, apiKey: OLD_KEY });
      upstream.on({
        path: '/rotbad/v1/models',
        reply: (request) =>
          request.headers.authorization === `Bearer ${OLD_KEY}`
            ? { kind: 'json', body: { object: 'list', data: [] } }
            : { kind: 'json', status: 401, body: { error: { message: 'bad key' } } },
      });
      const rotated = await ok(
        gateway.admin<ProviderView>('POST', '/providers/rot-bad/rotate', { apiKey: 'sk-rejected-0000-9999' }),
      );
      expect(rotated.health.status).toBe('unhealthy');
      expect(rotated.health.diagnostic).toMatchObject({ stage: 'auth', httpStatus: 401 });
      expect(rotated.credential?.hint).toBe('****9999');
    });

    it('refuses to rotate an echo entry (400) and an unknown one (404)', async () => {
      await ok(gateway.admin('POST', '/providers', { id: 'rot-echo', type: 'echo', displayName: 'E' }));
      expectProblem(
        await gateway.admin('POST', '/providers/rot-echo/rotate', { apiKey: 'sk-x-1234' }),
        400,
        'invalid_request',
      );
      expectProblem(
        await gateway.admin('POST', '/providers/rot-nobody/rotate', { apiKey: 'sk-x-1234' }),
        404,
        'not_found',
      );
    });
  });

  describe('warnings', () => {
    it('stores a credential trimmed and says so; reads carry no warnings', async () => {
      const created = await createEntry(gateway, {
        id: 'warn-trim',
        baseUrl: `${upstream.url}/trim/v1`,
        apiKey: `  ${TRIMMED}\n`,
      });
      expect(created.json.warnings).toEqual([expect.stringMatching(/whitespace/)]);
      expect(created.json.credential?.hint).toBe(`****${TRIMMED.slice(-4)}`);
      await addModel('trim-model', 'warn-trim', 'trim-upstream');
      expect((await gateway.call('POST', CHAT, chat('trim-model'), key)).status).toBe(200);
      await ok(gateway.admin('POST', '/providers/warn-trim/verify'));
      expect(authorizations(upstream.requests)).toEqual([`Bearer ${TRIMMED}`, `Bearer ${TRIMMED}`]);

      const patched = await ok(
        gateway.admin<ProviderView>('PATCH', '/providers/warn-trim', { apiKey: `\t${TRIMMED} ` }),
      );
      expect(patched.warnings).toEqual([expect.stringMatching(/whitespace/)]);
      const rotated = await ok(
        gateway.admin<ProviderView>('POST', '/providers/warn-trim/rotate', { apiKey: ` ${TRIMMED}` }),
      );
      expect(rotated.warnings).toEqual([expect.stringMatching(/whitespace/)]);

      const clean = await ok(gateway.admin<ProviderView>('PATCH', '/providers/warn-trim', { enabled: true }));
      expect(clean).not.toHaveProperty('warnings');
      expect(await readProvider(gateway, 'warn-trim')).not.toHaveProperty('warnings');
      const verified = await ok(gateway.admin<ProviderView>('POST', '/providers/warn-trim/verify'));
      expect(verified).not.toHaveProperty('warnings');
    });

    it('advises the <provider>-<cloud>-<region> naming for an id without a hyphen', async () => {
      const created = await createEntry(gateway, { id: 'nohyphen', baseUrl: `${upstream.url}/v1` });
      expect(created.json.warnings).toHaveLength(1);
      expect(created.json.warnings?.[0]).toContain('<provider>-<cloud>-<region>');
      expect(created.json.warnings?.[0]).toContain('"nohyphen"');
      const plain = await createEntry(gateway, { id: 'with-hyphen', baseUrl: `${upstream.url}/v1` });
      expect(plain.json).not.toHaveProperty('warnings');

      expect(await readProvider(gateway, 'nohyphen')).not.toHaveProperty('warnings');
      const list = await ok(gateway.admin<{ data: ProviderView[] }>('GET', '/providers'));
      expect(list.data.length).toBeGreaterThan(0);
      for (const entry of list.data) expect(entry).not.toHaveProperty('warnings');
      const health = await gateway.admin('GET', '/providers/nohyphen/health');
      expect(health.text).not.toContain('warnings');
    });
  });
});
