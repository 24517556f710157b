/**
 * Test plan B5: every data-plane route is classified in the route table, every inference route runs the same
 * authentication, budget and rate-limit hooks (and gets a usage record), the only unmetered routes are the
 * read-only allowlist, and inference paths Junction does not serve (legacy aliases, other OpenAI endpoints) are
 * not reachable at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_PLANE_ROUTES } from '../../src/dataplane/data-plane.js';
import { usageRecords } from '../../src/store/schema.js';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { addChatModel, ok, startTestGateway, type TestGateway } from '../support/gateway.js';

const UNMETERED_ALLOWLIST = ['/v1/models', '/v1/routing/explain'];
const bodies: Record<string, Record<string, unknown>> = {
  chat: { model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 },
  embeddings: { model: 'e', input: 'hi' },
};

describe('metered routes (B5)', () => {
  let gateway: TestGateway;
  let upstream: FakeUpstream;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    gateway = await startTestGateway();
    await addChatModel(gateway, upstream.url);
    await ok(
      gateway.admin('POST', '/models', {
        id: 'e',
        kind: 'embedding',
        dimension: 8,
        deployments: [{ providerId: 'up', upstreamModel: 'emb' }],
      }),
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  it('classifies every route, and only the read-only allowlist is unmetered', () => {
    const unmetered = DATA_PLANE_ROUTES.filter((route) => !route.metered).map((route) => route.path);
    expect(unmetered.sort()).toEqual([...UNMETERED_ALLOWLIST].sort());
    for (const route of DATA_PLANE_ROUTES.filter((entry) => entry.metered)) {
      expect(bodies[route.endpoint], `a test body for ${route.path}`).toBeDefined();
    }
  });

  it.each(DATA_PLANE_ROUTES.filter((route) => route.metered).map((route) => [route.path, route.endpoint]))(
    '%s refuses a key without budget left before anything is sent, and records it',
    async (path, endpoint) => {
      const key = await gateway.createKey();
      await ok(
        gateway.admin('POST', '/budgets', {
          name: 'empty',
          scope: 'key',
          keyId: key.id,
          limitTokens: 1,
          period: 'lifetime',
        }),
      );
      upstream.reset();
      const result = await gateway.call('POST', path, bodies[endpoint]!, key.secret, {
        'x-request-id': `b5-${endpoint}`,
      });
      expect(result.status).toBe(429);
      expect(result.text).toContain('budget_exceeded');
      expect(upstream.requests).toHaveLength(0);
      await gateway.running.usage.drain();
      const rows = (await gateway.store.db.select().from(usageRecords)).filter(
        (row) => row.requestId === `b5-${endpoint}`,
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 429, errorCode: 'budget_exceeded', keyId: key.id });
    },
  );

  it.each(DATA_PLANE_ROUTES.filter((route) => route.metered).map((route) => [route.path, route.endpoint]))(
    '%s counts against the per-minute limit',
    async (path, endpoint) => {
      const key = await gateway.createKey();
      await ok(gateway.admin('PATCH', `/keys/${key.id}`, { requestsPerMinute: 1 }));
      expect((await gateway.call('POST', path, bodies[endpoint]!, key.secret)).status).toBe(200);
      const second = await gateway.call('POST', path, bodies[endpoint]!, key.secret);
      expect(second.status).toBe(429);
      expect(second.text).toContain('rate_limit_exceeded');
    },
  );

  it('serves no other inference path (legacy aliases and endpoints Junction does not implement)', async () => {
    const key = await gateway.createKey();
    upstream.reset();
    for (const path of [
      '/v1/completions',
      '/v1/responses',
      '/chat/completions',
      '/v1/chat/completions/',
      '/v1//chat/completions',
      '/v1/images/generations',
      '/v1/audio/transcriptions',
      '/v1/files',
      '/v1/batches',
      '/v1/proxy/chat/completions',
      '/openai/deployments/m/chat/completions',
      '/v1/CHAT/COMPLETIONS',
    ]) {
      const result = await gateway.call('POST', path, bodies.chat!, key.secret);
      expect(result.status, path).toBe(404);
    }
    expect(upstream.requests).toHaveLength(0);
  });
});
