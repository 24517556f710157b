/**
 * Routing policies on keys through the admin API and the data plane: a rule matched by header sends the request
 * to its targets and names itself in `x-junction-route`, a failing target falls back to the next, a change of
 * policy takes effect on the next request, a policy naming an unknown model is refused, and the explain endpoint
 * shows the rule, what was left out and why, and the plan.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../admin/admin-helpers.js';
import { chat } from '../dataplane/helpers.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';

const CHAT = '/v1/chat/completions';
let gateway: TestGateway;
let key: { secret: string; id: string; teamId: string };

const model = (id: string, upstreamModel: string, extra: Record<string, unknown> = {}) =>
  ok(
    gateway.admin('POST', '/models', {
      id,
      kind: 'chat',
      deployments: [{ providerId: 'echo', upstreamModel }],
      ...extra,
    }),
  );

beforeAll(async () => {
  gateway = await startTestGateway();
  await ok(gateway.admin('POST', '/providers', { id: 'echo', type: 'echo', displayName: 'Echo' }));
  await ok(
    gateway.admin('POST', '/providers', {
      id: 'echo-staging',
      type: 'echo',
      displayName: 'Echo',
      environments: ['staging'],
    }),
  );
  await model('primary', 'error-503');
  await model('backup', 'echo');
  await model('fast', 'echo');
  await ok(
    gateway.admin('POST', '/models', {
      id: 'staging-only',
      kind: 'chat',
      deployments: [{ providerId: 'echo-staging', upstreamModel: 'echo' }],
    }),
  );
  key = await gateway.createKey();
  await ok(
    gateway.admin('PATCH', `/keys/${key.id}`, {
      metadata: { tier: 'gold' },
      routing: {
        rules: [
          {
            name: 'beta-header',
            match: { models: ['smart'], headers: { 'x-beta': 'yes' } },
            strategy: { type: 'fallback', targets: [{ model: 'fast' }] },
          },
          {
            name: 'gold-chain',
            match: { models: ['smart'], metadata: { tier: 'gold' } },
            strategy: {
              type: 'fallback',
              targets: [{ model: 'primary' }, { model: 'staging-only' }, { model: 'backup' }],
            },
          },
        ],
      },
    }),
  );
});
afterAll(async () => {
  await gateway?.close();
});

describe('routing policies', () => {
  it('sends a request matched by header to the rule targets and names the rule', async () => {
    const result = await gateway.call('POST', CHAT, chat('smart'), key.secret, { 'x-beta': 'yes' });
    expect(result.status, result.text).toBe(200);
    expect(result.headers['x-junction-route']).toBe('beta-header');
    expect(result.headers['x-junction-backend']).toBe('echo/echo');
    expect(result.headers['x-junction-model-version']).toBe('fast');
  });

  it('falls back along the chain when a target fails before answering, skipping one not in the environment', async () => {
    const result = await gateway.call('POST', CHAT, chat('smart'), key.secret);
    expect(result.status, result.text).toBe(200);
    expect(result.headers['x-junction-route']).toBe('gold-chain');
    expect(result.headers['x-junction-attempts']).toBe('2');
    expect(result.headers['x-junction-model-version']).toBe('backup');
  });

  it('still routes a model the rules do not match as it is named', async () => {
    const result = await gateway.call('POST', CHAT, chat('fast'), key.secret);
    expect(result.status).toBe(200);
    expect(result.headers['x-junction-route']).toBeUndefined();
    expect((await gateway.call('POST', CHAT, chat('no-such-model'), key.secret)).status).toBe(404);
  });

  it('takes a policy change on the next request, and refuses a policy naming an unknown model', async () => {
    await ok(
      gateway.admin('PATCH', `/keys/${key.id}`, {
        routing: { rules: [], default: { type: 'fallback', targets: [{ model: 'fast' }] } },
      }),
    );
    const routed = await gateway.call('POST', CHAT, chat('anything-at-all'), key.secret);
    expect(routed.status).toBe(200);
    expect(routed.headers['x-junction-route']).toBe('default');
    const refused = await gateway.admin('PATCH', `/keys/${key.id}`, {
      routing: { rules: [], default: { type: 'fallback', targets: [{ model: 'ghost' }] } },
    });
    const problem = expectProblem(refused, 422, 'invalid_configuration');
    expect(JSON.stringify(problem.errors)).toContain('ghost');
  });
});

describe('POST /routing/explain', () => {
  it('shows the rule, the targets left out and why, and the ordered plan', async () => {
    await ok(
      gateway.admin('PATCH', `/keys/${key.id}`, {
        routing: {
          rules: [
            {
              name: 'chain',
              match: { models: ['smart'] },
              strategy: {
                type: 'fallback',
                targets: [{ model: 'staging-only' }, { model: 'primary' }, { model: 'backup' }],
              },
            },
          ],
        },
      }),
    );
    const explained = await ok(
      gateway.admin<{
        ok: boolean;
        rule: string;
        plan: Array<{ backend: string; model: string }>;
        excluded: Array<{ target: string; reason: string }>;
      }>('POST', '/routing/explain', { keyId: key.id, model: 'smart' }),
    );
    expect(explained.ok).toBe(true);
    expect(explained.rule).toBe('chain');
    expect(explained.excluded).toEqual([
      expect.objectContaining({ target: 'staging-only', reason: 'environment' }),
    ]);
    expect(explained.plan.map((step) => step.model)).toEqual(['primary', 'backup']);
  });

  it('explains a capability the targets lack', async () => {
    const explained = await ok(
      gateway.admin<{ ok: boolean; excluded: Array<{ reason: string }>; error: { code: string } }>(
        'POST',
        '/routing/explain',
        { keyId: key.id, model: 'fast', tools: true },
      ),
    );
    expect(explained.ok).toBe(false);
    expect(explained.excluded.map((each) => each.reason)).toEqual(['capability']);
    expect(explained.error.code).toBe('unsupported_parameter');
  });
});

describe('POST /v1/routing/explain (the key owner, with the key)', () => {
  it('explains the request the key would send, without sending it, and knows only that key', async () => {
    await ok(
      gateway.admin('PATCH', `/keys/${key.id}`, {
        routing: {
          rules: [
            {
              name: 'beta-header',
              match: { models: ['smart'], headers: { 'x-beta': 'yes' } },
              strategy: { type: 'fallback', targets: [{ model: 'fast' }] },
            },
          ],
          default: { type: 'fallback', targets: [{ model: 'staging-only' }, { model: 'backup' }] },
        },
      }),
    );
    const asOwner = (headers: Record<string, string> = {}) =>
      gateway.call<{
        ok: boolean;
        rule: string | null;
        plan: Array<{ backend: string; model: string; health: string }>;
        excluded: Array<{ target: string; reason: string }>;
      }>('POST', '/v1/routing/explain', chat('smart'), key.secret, headers);
    const beta = await asOwner({ 'x-beta': 'yes' });
    expect(beta.status).toBe(200);
    expect(beta.json.rule).toBe('beta-header');
    expect(beta.json.plan.map((step) => step.model)).toEqual(['fast']);
    const other = await asOwner();
    expect(other.json.rule).toBe('default');
    expect(other.json.plan.map((step) => step.model)).toEqual(['backup']);
    expect(other.json.excluded).toEqual([
      expect.objectContaining({ target: 'staging-only', reason: 'environment' }),
    ]);
    // Another key sees its own routing (none: the model as named, which does not exist for it).
    const stranger = await gateway.createKey();
    const theirs = await gateway.call<{ ok: boolean; error: { code: string } }>(
      'POST',
      '/v1/routing/explain',
      chat('smart'),
      stranger.secret,
    );
    expect(theirs.json).toMatchObject({ ok: false, error: { code: 'model_not_found' } });
    expect((await gateway.call('POST', '/v1/routing/explain', chat('smart'), undefined)).status).toBe(401);
    expect((await gateway.call('POST', '/v1/routing/explain', 'not json', key.secret)).status).toBe(400);
  });
});
