/**
 * Key settings in configuration as code: the export carries each key's routing policy, allowed models, metadata,
 * residency and expiry (never its secret), and apply changes them through the admin API's `updateKey`, with the
 * API's validation, all or nothing; settings a document leaves out keep their stored values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { ConfigDocument, ConfigKey, ConfigPlan } from '../../src/management/config/document.js';
import { hashSecret } from '../../src/secrets/hash.js';
import { expectProblem, type KeyView } from '../admin/admin-helpers.js';
import { chat } from '../dataplane/helpers.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { storeKinds } from '../support/stores.js';

const kinds = await storeKinds();
const CHAT = '/v1/chat/completions';

const INITIAL_ROUTING = {
  rules: [
    {
      name: 'initial',
      match: { models: ['smart'] },
      strategy: { type: 'fallback', targets: [{ model: 'chat' }] },
    },
  ],
};

/** A header-matched rule that sends `smart` to `other`, ahead of the initial rule. */
const HEADER_ROUTING = {
  rules: [
    {
      name: 'beta-header',
      match: { models: ['smart'], headers: { 'x-beta': 'yes' } },
      strategy: { type: 'fallback', targets: [{ model: 'other' }] },
    },
    ...INITIAL_ROUTING.rules,
    {
      // Never matched here; its members are in an order PostgreSQL's jsonb does not keep.
      name: 'tagged',
      match: { models: ['smart'], headers: { 'x-team-name': 'search', 'x-a': '1' }, tags: ['batch'] },
      strategy: { type: 'fallback', targets: [{ model: 'chat' }] },
    },
  ],
  execution: { deadlineMs: 30_000 },
};

const EXPIRES_AT = new Date(Date.now() + 30 * 24 * 3600 * 1000);
EXPIRES_AT.setUTCMilliseconds(0);

describe.each(kinds)('key settings in configuration as code (%s store)', (kind) => {
  let gateway: TestGateway;
  let routed: { secret: string; id: string; teamId: string };
  let bound: { secret: string; id: string; teamId: string };

  const snapshotVersion = async () =>
    (await ok(gateway.admin<{ snapshotVersion: number }>('GET', '/status'))).snapshotVersion;
  const exportDocument = () => ok(gateway.admin<ConfigDocument>('GET', '/config'));
  const readKey = (id: string) => ok(gateway.admin<KeyView>('GET', `/keys/${id}`));
  /** The exported document with one key's entry changed. */
  const withKey = (
    document: ConfigDocument,
    id: string,
    change: (key: ConfigKey) => Record<string, unknown>,
  ): ConfigDocument => ({
    ...document,
    keys: document.keys?.map((key) => (key.id === id ? (change(key) as ConfigKey) : key)),
  });

  beforeAll(async () => {
    gateway = await startTestGateway({ store: kind });
    await ok(gateway.admin('POST', '/providers', { id: 'echo-a', type: 'echo', displayName: 'Echo A' }));
    await ok(gateway.admin('POST', '/providers', { id: 'echo-b', type: 'echo', displayName: 'Echo B' }));
    for (const [id, providerId] of [
      ['chat', 'echo-a'],
      ['other', 'echo-b'],
    ]) {
      await ok(
        gateway.admin('POST', '/models', {
          id,
          kind: 'chat',
          deployments: [{ providerId, upstreamModel: 'echo' }],
        }),
      );
    }
    routed = await gateway.createKey({ team: 'routed' });
    await ok(
      gateway.admin('PATCH', `/keys/${routed.id}`, { routing: INITIAL_ROUTING, metadata: { tier: 'gold' } }),
    );
    bound = await gateway.createKey({ team: 'bound' });
    await ok(
      gateway.admin('PATCH', `/keys/${bound.id}`, {
        allowedModels: ['chat'],
        residency: 'eu',
        residencyHeader: true,
        expiresAt: EXPIRES_AT.toISOString(),
      }),
    );
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it("exports a key's routing policy, allowed models, metadata and residency, and no secret material", async () => {
    const exported = await exportDocument();
    const keys = new Map(exported.keys?.map((key) => [key.id, key]));
    expect(keys.get(routed.id)).toEqual({
      id: routed.id,
      name: 'test key',
      team: 'routed',
      environment: 'production',
      consumer: null,
      prefix: expect.any(String),
      expiresAt: null,
      revoked: false,
      routing: INITIAL_ROUTING,
      allowedModels: null,
      metadata: { tier: 'gold' },
      residency: null,
      residencyHeader: false,
      requestsPerMinute: null,
      tokensPerMinute: null,
      captureBodies: false,
    });
    expect(keys.get(bound.id)).toMatchObject({
      team: 'bound',
      expiresAt: EXPIRES_AT.toISOString(),
      routing: null,
      allowedModels: ['chat'],
      metadata: {},
      residency: 'eu',
      residencyHeader: true,
    });
    const text = JSON.stringify(exported);
    for (const secret of [routed.secret, bound.secret]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(-12));
      expect(text).not.toContain(hashSecret(secret));
    }
    expect(text).not.toMatch(/secret/i);
  });

  it('re-applies an exported document (through YAML) with every key unchanged', async () => {
    const exported = parse(stringify(await exportDocument())) as ConfigDocument;
    const plan = await ok(gateway.admin<ConfigPlan>('POST', '/config/plan', exported));
    expect(plan.changes).toEqual([]);
    const applied = await ok(gateway.admin<ConfigPlan>('POST', '/config/apply', exported));
    expect(applied.changes).toEqual([]);
    expect(applied.notes).toEqual([]);
    expect(applied.unchanged).toBe(
      (exported.environments?.length ?? 0) +
        (exported.providers?.length ?? 0) +
        (exported.teams?.length ?? 0) +
        (exported.models?.length ?? 0) +
        (exported.aliases?.length ?? 0) +
        (exported.keys?.length ?? 0),
    );
  });

  it("applies a key's and a team's per-minute limits and body capture, and exports them", async () => {
    let document = withKey(await exportDocument(), routed.id, (key) => ({
      ...key,
      requestsPerMinute: 30,
      tokensPerMinute: 40_000,
    }));
    document = {
      ...document,
      teams: document.teams?.map((team) =>
        team.name === 'routed' ? { ...team, requestsPerMinute: 100, captureBodies: true } : team,
      ),
    };
    const applied = await ok(gateway.admin<ConfigPlan>('POST', '/config/apply', document));
    expect(applied.changes).toEqual(
      expect.arrayContaining([
        { action: 'update', kind: 'key', id: routed.id, fields: ['requestsPerMinute', 'tokensPerMinute'] },
        { action: 'update', kind: 'team', id: 'routed', fields: ['requestsPerMinute', 'captureBodies'] },
      ]),
    );
    const exported = await exportDocument();
    expect(exported.keys?.find((key) => key.id === routed.id)).toMatchObject({
      requestsPerMinute: 30,
      tokensPerMinute: 40_000,
    });
    expect(exported.teams?.find((team) => team.name === 'routed')).toMatchObject({
      requestsPerMinute: 100,
      captureBodies: true,
    });
    // Back as they were, so later cases see the key unchanged.
    const restored = withKey(exported, routed.id, (key) => ({
      ...key,
      requestsPerMinute: null,
      tokensPerMinute: null,
    }));
    await ok(
      gateway.admin('POST', '/config/apply', {
        ...restored,
        teams: restored.teams?.map((team) =>
          team.name === 'routed' ? { ...team, requestsPerMinute: null, captureBodies: false } : team,
        ),
      }),
    );
  });

  it('applies budgets of keys and teams, exports them, and prunes them only with a budgets list', async () => {
    const base = await exportDocument();
    const budgets = [
      {
        name: 'monthly',
        scope: 'team' as const,
        team: 'routed',
        limitUsd: '250.00',
        period: 'month' as const,
        timezone: 'Europe/Paris',
        alertAtPercent: 80,
      },
      {
        name: 'daily tokens',
        scope: 'key' as const,
        key: routed.id,
        limitTokens: 100_000,
        period: 'day' as const,
      },
    ];
    const created = await ok(gateway.admin<ConfigPlan>('POST', '/config/apply', { ...base, budgets }));
    expect(created.changes).toEqual([
      { action: 'create', kind: 'budget', id: 'team:routed:monthly' },
      { action: 'create', kind: 'budget', id: `key:${routed.id}:daily tokens` },
    ]);
    const exported = await exportDocument();
    expect(exported.budgets).toEqual([
      expect.objectContaining({
        name: 'monthly',
        scope: 'team',
        team: 'routed',
        period: 'month',
        timezone: 'Europe/Paris',
        alertAtPercent: 80,
      }),
      expect.objectContaining({
        name: 'daily tokens',
        scope: 'key',
        key: routed.id,
        limitTokens: 100_000,
        limitUsd: null,
      }),
    ]);
    expect(Number(exported.budgets?.[0]?.limitUsd)).toBe(250);
    // Re-applying the export changes nothing; a changed limit is an update.
    expect((await ok(gateway.admin<ConfigPlan>('POST', '/config/plan', exported))).changes).toEqual([]);
    const raised = await ok(
      gateway.admin<ConfigPlan>('POST', '/config/plan', {
        ...exported,
        budgets: exported.budgets?.map((budget) =>
          budget.name === 'monthly' ? { ...budget, limitUsd: '300' } : budget,
        ),
      }),
    );
    expect(raised.changes).toEqual([
      { action: 'update', kind: 'budget', id: 'team:routed:monthly', fields: ['limitUsd'] },
    ]);
    // A bad budget names its path.
    const bad = await gateway.admin('POST', '/config/plan', {
      ...exported,
      budgets: [{ ...budgets[0], limitUsd: '1e9' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('budgets.0.limitUsd');
    // Prune without a budgets list keeps them; with an empty list deletes them.
    const { budgets: _kept, ...withoutBudgets } = exported;
    const keep = await ok(gateway.admin<ConfigPlan>('POST', '/config/plan?prune=true', withoutBudgets));
    expect(keep.changes.filter((change) => change.kind === 'budget')).toEqual([]);
    const removed = await ok(
      gateway.admin<ConfigPlan>('POST', '/config/apply?prune=true', { ...exported, budgets: [] }),
    );
    expect(removed.changes.filter((change) => change.kind === 'budget')).toHaveLength(2);
    expect((await exportDocument()).budgets).toEqual([]);
  });

  it('plans a routing change without making it', async () => {
    const document = withKey(await exportDocument(), routed.id, (key) => ({
      ...key,
      routing: HEADER_ROUTING,
    }));
    const before = await snapshotVersion();
    const plan = await ok(gateway.admin<ConfigPlan>('POST', '/config/plan', document));
    expect(plan).toEqual({
      changes: [{ action: 'update', kind: 'key', id: routed.id, fields: ['routing'] }],
      unchanged: expect.any(Number),
      notes: [],
      applied: false,
    });
    expect(await snapshotVersion()).toBe(before);
    expect((await readKey(routed.id)).routing).toEqual(INITIAL_ROUTING);
    const result = await gateway.call('POST', CHAT, chat('smart'), routed.secret, { 'x-beta': 'yes' });
    expect(result.status, result.text).toBe(200);
    expect(result.headers['x-junction-route']).toBe('initial');
    expect(result.headers['x-junction-backend']).toBe('echo-a/echo');
  });

  it("applies a key's new routing policy, and the next request follows it", async () => {
    const document = withKey(await exportDocument(), routed.id, (key) => ({
      ...key,
      routing: HEADER_ROUTING,
    }));
    const before = await snapshotVersion();
    const applied = await ok(gateway.admin<ConfigPlan>('POST', '/config/apply', document));
    expect(applied.changes).toEqual([{ action: 'update', kind: 'key', id: routed.id, fields: ['routing'] }]);
    expect(applied.applied).toBe(true);
    expect(await snapshotVersion()).toBe(before + 1);
    expect((await readKey(routed.id)).routing).toEqual(HEADER_ROUTING);

    const beta = await gateway.call('POST', CHAT, chat('smart'), routed.secret, { 'x-beta': 'yes' });
    expect(beta.status, beta.text).toBe(200);
    expect(beta.headers['x-junction-route']).toBe('beta-header');
    expect(beta.headers['x-junction-backend']).toBe('echo-b/echo');
    const plain = await gateway.call('POST', CHAT, chat('smart'), routed.secret);
    expect(plain.status, plain.text).toBe(200);
    expect(plain.headers['x-junction-route']).toBe('initial');
    expect(plain.headers['x-junction-backend']).toBe('echo-a/echo');

    // The same policy with its members in another order is no change.
    const reordered = withKey(await exportDocument(), routed.id, (key) => ({
      ...key,
      routing: {
        execution: HEADER_ROUTING.execution,
        rules: HEADER_ROUTING.rules.map(({ name, match, strategy }) => ({ strategy, match, name })),
      },
    }));
    expect((await ok(gateway.admin<ConfigPlan>('POST', '/config/plan', reordered))).changes).toEqual([]);
  });

  it('refuses a policy naming an unknown model, and applies nothing of the document', async () => {
    const exported = await exportDocument();
    const document: ConfigDocument = {
      ...withKey(
        withKey(exported, routed.id, (key) => ({
          ...key,
          routing: { rules: [], default: { type: 'fallback', targets: [{ model: 'ghost' }] } },
        })),
        bound.id,
        (key) => ({ ...key, metadata: { never: 'applied' } }),
      ),
      teams: [...(exported.teams ?? []), { name: 'never-created' }],
    };
    const before = await snapshotVersion();
    const refused = await gateway.admin('POST', '/config/apply', document);
    const problem = expectProblem(refused, 422, 'invalid_configuration');
    expect(problem.errors).toContainEqual({
      path: `keys/${routed.id}/routing/default`,
      message: expect.stringContaining('ghost'),
    });
    expect(await snapshotVersion()).toBe(before);
    expect((await readKey(routed.id)).routing).toEqual(HEADER_ROUTING);
    expect((await readKey(bound.id)).metadata).toEqual({});
    const teams = await ok(gateway.admin<{ data: { name: string }[] }>('GET', '/teams'));
    expect(teams.data.map((team) => team.name)).not.toContain('never-created');
    const beta = await gateway.call('POST', CHAT, chat('smart'), routed.secret, { 'x-beta': 'yes' });
    expect(beta.headers['x-junction-backend']).toBe('echo-b/echo');
  });

  it("refuses a document whose key settings fail the admin API's schemas", async () => {
    const exported = await exportDocument();
    const badStrategy = withKey(exported, routed.id, (key) => ({
      ...key,
      routing: {
        rules: [{ name: 'r', match: {}, strategy: { type: 'random', targets: [{ model: 'chat' }] } }],
      },
    }));
    const problem = expectProblem(
      await gateway.admin('POST', '/config/plan', badStrategy),
      400,
      'invalid_request',
    );
    expect(problem.errors?.[0]?.path).toMatch(/^keys\.\d+\.routing\.rules\.0\.strategy/);
    const badResidency = withKey(exported, bound.id, (key) => ({ ...key, residency: 'Europe West' }));
    expectProblem(await gateway.admin('POST', '/config/apply', badResidency), 400, 'invalid_request');
    const pastExpiry = withKey(exported, bound.id, (key) => ({ ...key, expiresAt: '2001-01-01T00:00:00Z' }));
    const refused = expectProblem(
      await gateway.admin('POST', '/config/apply', pastExpiry),
      400,
      'invalid_request',
    );
    expect(refused.detail).toContain('expiresAt must be in the future');
    expect((await readKey(bound.id)).expiresAt).toBe(EXPIRES_AT.toISOString());
  });

  it('leaves settings a document omits as they are, and clears those it sets to null', async () => {
    const exported = await exportDocument();
    const sparse = withKey(exported, bound.id, ({ id, name, team, environment }) => ({
      id,
      name,
      team,
      environment,
      metadata: { owner: 'search', a: 'first' },
    }));
    const applied = await ok(gateway.admin<ConfigPlan>('POST', '/config/apply', sparse));
    expect(applied.changes).toEqual([{ action: 'update', kind: 'key', id: bound.id, fields: ['metadata'] }]);
    expect((await ok(gateway.admin<ConfigPlan>('POST', '/config/plan', sparse))).changes).toEqual([]);
    expect(await readKey(bound.id)).toMatchObject({
      metadata: { owner: 'search', a: 'first' },
      routing: null,
      allowedModels: ['chat'],
      residency: 'eu',
      residencyHeader: true,
      expiresAt: EXPIRES_AT.toISOString(),
      revokedAt: null,
    });

    // The same expiry written with another offset is no change; a later one is.
    const offset = new Date(EXPIRES_AT.getTime() + 2 * 3600 * 1000).toISOString().replace('.000Z', '+02:00');
    const sameExpiry = withKey(exported, bound.id, (key) => ({
      ...key,
      metadata: undefined,
      expiresAt: offset,
    }));
    expect((await ok(gateway.admin<ConfigPlan>('POST', '/config/plan', sameExpiry))).changes).toEqual([]);

    const later = new Date(EXPIRES_AT.getTime() + 24 * 3600 * 1000).toISOString();
    const cleared = withKey(exported, bound.id, ({ id, name, team, environment }) => ({
      id,
      name,
      team,
      environment,
      allowedModels: null,
      residency: null,
      residencyHeader: false,
      expiresAt: later,
    }));
    const changed = await ok(gateway.admin<ConfigPlan>('POST', '/config/apply', cleared));
    expect(changed.changes).toEqual([
      {
        action: 'update',
        kind: 'key',
        id: bound.id,
        fields: ['allowedModels', 'residency', 'residencyHeader', 'expiresAt'],
      },
    ]);
    expect(await readKey(bound.id)).toMatchObject({
      metadata: { owner: 'search', a: 'first' },
      allowedModels: null,
      residency: null,
      residencyHeader: false,
      expiresAt: later,
    });
    // A document without the key at all leaves it alone too.
    const without = { ...exported, keys: exported.keys?.filter((key) => key.id !== bound.id) };
    expect((await ok(gateway.admin<ConfigPlan>('POST', '/config/apply', without))).changes).toEqual([]);
    expect((await readKey(bound.id)).metadata).toEqual({ owner: 'search', a: 'first' });
  });

  it('updates and revokes a key in one apply, and never creates a key', async () => {
    const exported = await exportDocument();
    const retired = withKey(exported, bound.id, (key) => ({
      ...key,
      metadata: { state: 'retired' },
      revoked: true,
    }));
    const document: ConfigDocument = {
      ...retired,
      keys: [
        ...(retired.keys ?? []),
        { id: 'key_not_issued', name: 'ghost key', team: 'bound', environment: 'production', metadata: {} },
      ],
    };
    const applied = await ok(gateway.admin<ConfigPlan>('POST', '/config/apply', document));
    expect(applied.changes).toEqual([
      { action: 'update', kind: 'key', id: bound.id, fields: ['metadata'] },
      { action: 'revoke', kind: 'key', id: bound.id },
    ]);
    expect(applied.notes).toEqual([
      expect.stringContaining('Key key_not_issued (ghost key) is not in the store'),
    ]);
    const key = await readKey(bound.id);
    expect(key.metadata).toEqual({ state: 'retired' });
    expect(key.revokedAt).not.toBeNull();
    expect((await gateway.admin('GET', '/keys/key_not_issued')).status).toBe(404);
  });
});
