import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  configurationSource,
  modelSource,
  providerSource,
  seededRandom,
} from '../../../test/support/configuration.js';
import { GatewayError } from '../errors/gateway-error.js';
import { compileSnapshot } from '../snapshot/compile.js';
import type { CompiledKey, CompiledModel, GatewaySnapshot } from '../snapshot/snapshot.js';
import type { HealthView } from './health.js';
import { planRoute, type Refusal } from './plan-route.js';
import type { RoutingPolicy } from './policy.js';

/** Models a, b (two members each), c (staging only), emb (embedding), and team-only t. */
function snapshot(): GatewaySnapshot {
  const result = compileSnapshot(
    configurationSource({
      providers: [
        providerSource({ id: 'p1', labels: { geography: 'eu' } }),
        providerSource({ id: 'p2', labels: { geography: 'us' } }),
        providerSource({ id: 'p3', labels: { geography: 'eu' } }),
        providerSource({ id: 'stg', environments: ['staging'] }),
      ],
      models: [
        modelSource({
          id: 'a',
          deployments: [
            { providerId: 'p1', upstreamModel: 'a1', weight: 1 },
            { providerId: 'p2', upstreamModel: 'a2', weight: 1 },
          ],
        }),
        modelSource({ id: 'b', deployments: [{ providerId: 'p3', upstreamModel: 'b1', weight: 1 }] }),
        modelSource({ id: 'c', deployments: [{ providerId: 'stg', upstreamModel: 'c1', weight: 1 }] }),
        modelSource({
          id: 'emb',
          kind: 'embedding',
          dimension: 8,
          deployments: [{ providerId: 'p1', upstreamModel: 'e1', weight: 1 }],
        }),
        modelSource({
          id: 't',
          audience: { teams: ['other-team'], keys: [] },
          deployments: [{ providerId: 'p1', upstreamModel: 't1', weight: 1 }],
        }),
      ],
    }),
  );
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.snapshot;
}

const compiled = snapshot();

function key(
  routing: RoutingPolicy | null = null,
  metadata: Record<string, string> = {},
  extra: Partial<CompiledKey> = {},
): CompiledKey {
  return {
    id: 'k1',
    name: 'k',
    teamId: 'team',
    environment: 'production',
    expiresAt: null,
    routing,
    metadata,
    allowedModels: null,
    residency: null,
    residencyHeader: false,
    governance: null,
    captureBodies: false,
    ...extra,
  };
}

const chatOnly = (model: CompiledModel): Refusal | undefined =>
  model.kind === 'chat'
    ? undefined
    : { reason: 'kind', error: new GatewayError('wrong_model_kind', 'not chat') };

function plan(
  model: string,
  routing: RoutingPolicy | null = null,
  extra: {
    headers?: Record<string, string>;
    metadata?: Record<string, string>;
    tags?: string[];
    seed?: number;
  } = {},
  keyMetadata: Record<string, string> = {},
) {
  return planRoute({
    request: {
      model,
      header: (name) => extra.headers?.[name],
      metadata: extra.metadata,
      tags: extra.tags ?? [],
    },
    key: key(routing, keyMetadata),
    snapshot: compiled,
    refuse: chatOnly,
    random: seededRandom(extra.seed ?? 1),
    maxAttempts: 10,
  });
}

const backends = (result: ReturnType<typeof plan>) =>
  result.ok ? result.attempts.map((attempt) => attempt.deployment.id) : result.error.code;

describe('planRoute without a policy', () => {
  it('plans the requested model pool', () => {
    const result = plan('a');
    expect(result.ok && result.rule).toBe(null);
    expect(backends(result)).toHaveLength(2);
  });

  it.each([
    ['unknown', 'nope', 'model_not_found'],
    ['outside its audience', 't', 'model_not_found'],
    ['not in the key environment', 'c', 'model_not_found'],
    ['of the wrong kind', 'emb', 'wrong_model_kind'],
  ])('answers a model %s with %s', (_what, model, code) => {
    expect(backends(plan(model))).toBe(code);
  });
});

describe('planRoute with rules', () => {
  const policy: RoutingPolicy = {
    rules: [
      {
        name: 'beta-users',
        match: { models: ['smart'], headers: { 'x-tier': 'beta' } },
        strategy: { type: 'fallback', targets: [{ model: 'b' }, { model: 'a' }] },
      },
      {
        name: 'eu-tenants',
        match: { models: ['smart'], metadata: { region: 'eu' } },
        strategy: { type: 'fallback', targets: [{ deployment: 'p2/a2' }, { model: 'b' }] },
      },
      {
        name: 'batch',
        match: { models: ['gpt-*'], tags: ['batch'] },
        strategy: { type: 'fallback', targets: [{ model: 'b' }] },
      },
    ],
    default: { type: 'fallback', targets: [{ model: 'a' }] },
  };

  it('uses the first rule whose model and header match, trying targets in order', () => {
    const result = plan('smart', policy, { headers: { 'x-tier': 'beta' } });
    expect(result.ok && result.rule).toBe('beta-users');
    expect(backends(result)).toEqual([
      'p3/b1',
      expect.stringMatching(/^p[12]\/a[12]$/),
      expect.stringMatching(/^p[12]\/a[12]$/),
    ]);
  });

  it('matches request metadata before key metadata, and pins a deployment', () => {
    expect(backends(plan('smart', policy, { metadata: { region: 'eu' } }))).toEqual(['p2/a2', 'p3/b1']);
    const fromKey = plan('smart', policy, {}, { region: 'eu' });
    expect(fromKey.ok && fromKey.rule).toBe('eu-tenants');
    const overridden = plan('smart', policy, { metadata: { region: 'us' } }, { region: 'eu' });
    expect(overridden.ok && overridden.rule).toBe('default');
  });

  it('matches model prefixes and tags, and falls back to the default strategy', () => {
    const tagged = plan('gpt-4o', policy, { tags: ['batch', 'nightly'] });
    expect(tagged.ok && tagged.rule).toBe('batch');
    const untagged = plan('gpt-4o', policy);
    expect(untagged.ok && untagged.rule).toBe('default');
  });

  it('reports targets left out and fails clearly when none is left', () => {
    const only: RoutingPolicy = {
      rules: [],
      default: {
        type: 'fallback',
        targets: [{ model: 'c' }, { model: 't' }, { model: 'emb' }, { model: 'gone' }],
      },
    };
    const result = plan('anything', only);
    expect(result.ok).toBe(false);
    expect(result.excluded.map((each) => each.reason)).toEqual([
      'environment',
      'audience',
      'kind',
      'unknown',
    ]);
    if (!result.ok) expect(result.error.code).toBe('no_backend_available');
  });
});

describe('split strategies', () => {
  const split: RoutingPolicy = {
    rules: [],
    default: {
      type: 'split',
      targets: [
        { deployment: 'p1/a1', weight: 70 },
        { deployment: 'p3/b1', weight: 30 },
      ],
      fallback: [{ deployment: 'p2/a2' }],
    },
  };

  it('draws the first target by weight (within 2 points over 10,000 seeded draws), the fallback last', () => {
    const random = seededRandom(42);
    let first = 0;
    for (let draw = 0; draw < 10_000; draw++) {
      const result = planRoute({
        request: { model: 'x', header: () => undefined, metadata: undefined, tags: [] },
        key: key(split),
        snapshot: compiled,
        refuse: chatOnly,
        random,
        maxAttempts: 10,
      });
      if (!result.ok) throw result.error;
      if (result.attempts[0]!.deployment.id === 'p1/a1') first++;
      expect(result.attempts.at(-1)!.deployment.id).toBe('p2/a2');
    }
    expect(Math.abs(first / 10_000 - 0.7)).toBeLessThan(0.02);
  });

  it('F1 (a): for any weights, first-pick frequencies converge to the weights', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer(),
        (w1, w2, seed) => {
          const policy: RoutingPolicy = {
            rules: [],
            default: {
              type: 'split',
              targets: [
                { deployment: 'p1/a1', weight: w1 },
                { deployment: 'p3/b1', weight: w2 },
              ],
            },
          };
          const random = seededRandom(seed);
          let first = 0;
          const draws = 4_000;
          for (let draw = 0; draw < draws; draw++) {
            const result = planRoute({
              request: { model: 'x', header: () => undefined, metadata: undefined, tags: [] },
              key: key(policy),
              snapshot: compiled,
              refuse: chatOnly,
              random,
              maxAttempts: 10,
            });
            if (result.ok && result.attempts[0]!.deployment.id === 'p1/a1') first++;
          }
          return Math.abs(first / draws - w1 / (w1 + w2)) < 0.04;
        },
      ),
      { numRuns: 30 },
    );
  });

  it('caps the attempts across targets', () => {
    const result = planRoute({
      request: { model: 'x', header: () => undefined, metadata: undefined, tags: [] },
      key: key({ rules: [], default: { type: 'fallback', targets: [{ model: 'a' }, { model: 'b' }] } }),
      snapshot: compiled,
      refuse: chatOnly,
      random: seededRandom(3),
      maxAttempts: 2,
    });
    expect(result.ok && result.attempts.length).toBe(2);
  });
});

describe('allowed models and residency', () => {
  const route = (model: string, extra: Partial<CompiledKey>, headers: Record<string, string> = {}) =>
    planRoute({
      request: { model, header: (name) => headers[name], metadata: undefined, tags: [] },
      key: key(null, {}, extra),
      snapshot: compiled,
      refuse: chatOnly,
      random: seededRandom(5),
      maxAttempts: 10,
    });

  it('hides every model name the key is not allowed, like an unknown one', () => {
    const allowed = new Set(['a']);
    expect(backends(route('a', { allowedModels: allowed }))).toHaveLength(2);
    expect(backends(route('b', { allowedModels: allowed }))).toBe('model_not_found');
  });

  it('keeps a key bound to a geography on entries labelled with it, fallback included', () => {
    expect(backends(route('a', { residency: 'eu' }))).toEqual(['p1/a1']);
    const policy: RoutingPolicy = {
      rules: [],
      default: { type: 'fallback', targets: [{ deployment: 'p2/a2' }, { model: 'b' }] },
    };
    const result = route('x', { residency: 'eu', routing: policy });
    expect(backends(result)).toEqual(['p3/b1']);
    expect(result.excluded.map((each) => each.reason)).toEqual(['residency']);
  });

  it('fails clearly rather than leave the geography', () => {
    const result = route('a', { residency: 'apac' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('no_backend_available');
      expect(result.error.message).toContain('apac');
    }
  });

  it('honours x-junction-residency only when the key allows it', () => {
    expect(backends(route('a', { residencyHeader: true }, { 'x-junction-residency': 'us' }))).toEqual([
      'p2/a2',
    ]);
    expect(backends(route('a', {}, { 'x-junction-residency': 'us' }))).toHaveLength(2);
  });
});

describe('planRoute with members held back by traffic', () => {
  const held = new Map<string, 'ejected' | 'cooling'>();
  const health: HealthView = { statusOf: () => 'healthy', heldBack: (id) => held.get(id) };
  const planWith = (model: string, routing: RoutingPolicy | null = null) =>
    planRoute({
      request: { model, header: () => undefined, metadata: undefined, tags: [] },
      key: key(routing),
      snapshot: compiled,
      refuse: chatOnly,
      random: seededRandom(3),
      maxAttempts: 10,
      health,
    });

  it('leaves an ejected or cooling pool member out, and tries it when the whole pool is held back', () => {
    held.clear();
    held.set('p1/a1', 'ejected');
    expect(backends(planWith('a'))).toEqual(['p2/a2']);
    held.set('p1/a1', 'cooling');
    expect(backends(planWith('a'))).toEqual(['p2/a2']);
    held.set('p2/a2', 'ejected');
    expect((backends(planWith('a')) as string[]).sort()).toEqual(['p1/a1', 'p2/a2']);
  });

  it('explains a pinned deployment held back, and tries it only when nothing else can serve', () => {
    held.clear();
    held.set('p2/a2', 'ejected');
    const chain: RoutingPolicy = {
      rules: [],
      default: { type: 'fallback', targets: [{ deployment: 'p2/a2' }, { model: 'b' }] },
    };
    const result = planWith('x', chain);
    expect(backends(result)).toEqual(['p3/b1']);
    expect(result.excluded).toEqual([
      {
        target: 'deployment p2/a2',
        reason: 'health',
        detail: expect.stringContaining('ejected after consecutive failures'),
      },
    ]);
    held.set('p3/b1', 'cooling');
    // b's pool is all held back, so it is still tried; the pinned member stays out while b can be tried.
    expect(backends(planWith('x', chain))).toEqual(['p3/b1']);
    const alone: RoutingPolicy = {
      rules: [],
      default: { type: 'fallback', targets: [{ deployment: 'p2/a2' }] },
    };
    expect(backends(planWith('x', alone))).toEqual(['p2/a2']);
  });
});
