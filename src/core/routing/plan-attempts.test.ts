import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  configurationSource,
  modelSource,
  providerSource,
  seededRandom,
} from '../../../test/support/configuration.js';
import { compileSnapshot } from '../snapshot/compile.js';
import type { CompiledModel } from '../snapshot/snapshot.js';
import type { HealthView } from './health.js';
import { planAttempts } from './plan-attempts.js';

function pool(
  weights: number[],
  environments: string[][] = weights.map(() => ['production']),
): CompiledModel {
  const result = compileSnapshot(
    configurationSource({
      providers: weights.map((_, index) =>
        providerSource({ id: `p${index}`, environments: environments[index]! }),
      ),
      models: [
        modelSource({
          id: 'm',
          deployments: weights.map((weight, index) => ({
            providerId: `p${index}`,
            upstreamModel: 'u',
            weight,
          })),
        }),
      ],
    }),
  );
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.snapshot.models.get('m')!;
}

describe('planAttempts', () => {
  it('spreads first picks by weight (within 2 points over 10,000 seeded picks)', () => {
    const model = pool([50, 30, 20]);
    const random = seededRandom(42);
    const counts = [0, 0, 0];
    for (let i = 0; i < 10_000; i++) {
      const [first] = planAttempts({ model, environment: 'production', random, maxAttempts: 3 });
      counts[Number(first!.provider.id.slice(1))]!++;
    }
    expect(Math.abs(counts[0]! / 100 - 50)).toBeLessThan(2);
    expect(Math.abs(counts[1]! / 100 - 30)).toBeLessThan(2);
    expect(Math.abs(counts[2]! / 100 - 20)).toBeLessThan(2);
  });

  it('never plans a weight-0 member or a member outside the environment', () => {
    const model = pool([1, 0, 1], [['production'], ['production'], ['staging']]);
    for (let seed = 0; seed < 200; seed++) {
      const plan = planAttempts({
        model,
        environment: 'production',
        random: seededRandom(seed),
        maxAttempts: 5,
      });
      expect(plan.map((deployment) => deployment.provider.id)).toEqual(['p0']);
    }
  });

  it('orders the rest of the pool behind the first pick, without repeats, capped', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer(),
        (weights, cap, seed) => {
          const model = pool(weights);
          const plan = planAttempts({
            model,
            environment: 'production',
            random: seededRandom(seed),
            maxAttempts: cap,
          });
          const eligible = weights.filter((weight) => weight > 0).length;
          expect(plan.length).toBe(eligible <= 1 ? eligible : Math.min(eligible, cap));
          expect(new Set(plan.map((deployment) => deployment.provider.id)).size).toBe(plan.length);
          for (const deployment of plan) expect(deployment.weight).toBeGreaterThan(0);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('skips unhealthy members, and tries them all when every member is unhealthy', () => {
    const model = pool([1, 1, 1]);
    const sick = new Set(['p0']);
    const health: HealthView = { statusOf: (id) => (sick.has(id) ? 'unhealthy' : 'healthy') };
    for (let seed = 0; seed < 100; seed++) {
      const plan = planAttempts({
        model,
        environment: 'production',
        random: seededRandom(seed),
        maxAttempts: 3,
        health,
      });
      expect(plan.map((deployment) => deployment.provider.id).sort()).toEqual(['p1', 'p2']);
    }
    sick.add('p1').add('p2');
    const all = planAttempts({
      model,
      environment: 'production',
      random: seededRandom(1),
      maxAttempts: 3,
      health,
    });
    expect(all.map((deployment) => deployment.provider.id).sort()).toEqual(['p0', 'p1', 'p2']);
  });
});

describe('planAttempts with priorities', () => {
  function tiered(members: Array<{ weight: number; priority: number }>): CompiledModel {
    const result = compileSnapshot(
      configurationSource({
        providers: members.map((_, index) =>
          providerSource({ id: `p${index}`, environments: ['production'] }),
        ),
        models: [
          modelSource({
            id: 'm',
            deployments: members.map((member, index) => ({
              providerId: `p${index}`,
              upstreamModel: 'u',
              weight: member.weight,
              priority: member.priority,
            })),
          }),
        ],
      }),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    return result.snapshot.models.get('m')!;
  }

  it('tries every member of a lower priority first, spreading by weight inside each tier', () => {
    const model = tiered([
      { weight: 1, priority: 1 },
      { weight: 3, priority: 0 },
      { weight: 1, priority: 0 },
      { weight: 9, priority: 2 },
    ]);
    const random = seededRandom(7);
    const firsts = new Map<string, number>();
    for (let pick = 0; pick < 10_000; pick++) {
      const plan = planAttempts({ model, environment: 'production', random, maxAttempts: 10 });
      expect(plan.map((deployment) => deployment.priority)).toEqual([0, 0, 1, 2]);
      const first = plan[0]!.provider.id;
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    expect(firsts.get('p1')! / 10_000).toBeCloseTo(0.75, 1);
    expect(firsts.get('p2')! / 10_000).toBeCloseTo(0.25, 1);
  });

  it('reaches a higher tier only when the lower one is unhealthy, and caps attempts across tiers', () => {
    const model = tiered([
      { weight: 1, priority: 0 },
      { weight: 1, priority: 1 },
    ]);
    const health = { statusOf: (id: string) => (id === 'p0' ? 'unhealthy' : 'healthy') } as HealthView;
    const plan = planAttempts({
      model,
      environment: 'production',
      random: seededRandom(1),
      maxAttempts: 3,
      health,
    });
    expect(plan.map((deployment) => deployment.provider.id)).toEqual(['p1']);
    const capped = planAttempts({
      model,
      environment: 'production',
      random: seededRandom(1),
      maxAttempts: 1,
    });
    expect(capped.map((deployment) => deployment.provider.id)).toEqual(['p0']);
  });
});
