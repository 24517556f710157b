/**
 * Orders the members of a model's pool into the attempts a request will make. Pure: the random source is
 * injected so the plan can be table-tested with a seeded generator.
 */
import type { CompiledModel, Deployment } from '../snapshot/snapshot.js';
import type { HealthView } from './health.js';

export interface PlanInput {
  model: CompiledModel;
  environment: string;
  /** Returns a float in [0, 1). */
  random: () => number;
  /** Upper bound on attempts. */
  maxAttempts: number;
  /** Entries known to be unhealthy are skipped, unless every eligible member is: then all are tried. */
  health?: HealthView;
}

/**
 * Eligible deployments (enabled, active in the environment, weight > 0, not unhealthy) in weighted-random
 * order without replacement: the first is picked in proportion to weight, and the rest follow as in-pool
 * fallbacks. When every member is unhealthy they are all tried rather than none: health alone never empties
 * a pool.
 */
export function planAttempts(input: PlanInput): Deployment[] {
  let eligible: Deployment[] = [];
  for (const deployment of input.model.deployments) {
    if (
      deployment.weight > 0 &&
      deployment.provider.enabled &&
      deployment.provider.environments.has(input.environment)
    ) {
      eligible.push(deployment);
    }
  }
  const { health } = input;
  if (health) {
    const usable = eligible.filter((deployment) => health.statusOf(deployment.provider.id) !== 'unhealthy');
    if (usable.length > 0) eligible = usable;
  }
  if (eligible.length <= 1) return eligible;
  const plan: Deployment[] = [];
  let total = 0;
  for (const deployment of eligible) total += deployment.weight;
  while (eligible.length > 0 && plan.length < input.maxAttempts) {
    let target = input.random() * total;
    let index = 0;
    for (; index < eligible.length - 1; index++) {
      target -= eligible[index]!.weight;
      if (target < 0) break;
    }
    const [picked] = eligible.splice(index, 1);
    plan.push(picked!);
    total -= picked!.weight;
  }
  return plan;
}
