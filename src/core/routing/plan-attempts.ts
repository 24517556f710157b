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
  /**
   * Members whose entry is unhealthy, or that traffic ejected or a 429 cools, are skipped, unless every eligible
   * member is: then all are tried (health never empties a pool).
   */
  health?: HealthView;
  /** Only members whose entry is labelled with this geography (residency), fallback included. */
  geography?: string;
}

/**
 * Eligible deployments (enabled, active in the environment, weight > 0, not unhealthy, ejected or cooling) by priority tier, lowest
 * first, and within a tier in weighted-random order without replacement: the first is picked in proportion to
 * weight, and the rest follow as in-pool fallbacks. When every member is unhealthy they are all tried rather than none: health alone never empties
 * a pool.
 */
export function planAttempts(input: PlanInput): Deployment[] {
  let eligible: Deployment[] = [];
  for (const deployment of input.model.deployments) {
    if (
      deployment.weight > 0 &&
      deployment.provider.enabled &&
      deployment.provider.environments.has(input.environment) &&
      (input.geography === undefined || deployment.provider.labels.geography === input.geography)
    ) {
      eligible.push(deployment);
    }
  }
  const { health } = input;
  if (health) {
    const usable = eligible.filter((deployment) => servesNow(health, deployment));
    if (usable.length > 0) eligible = usable;
  }
  if (eligible.length <= 1) return eligible;
  const plan: Deployment[] = [];
  const first = eligible[0]!.priority;
  if (eligible.every((deployment) => deployment.priority === first)) {
    drawByWeight(eligible, plan, input);
    return plan;
  }
  // Priority tiers in order; weight decides the order inside each tier.
  const tiers = [...new Set(eligible.map((deployment) => deployment.priority))].sort((a, b) => a - b);
  for (const tier of tiers) {
    if (plan.length >= input.maxAttempts) break;
    drawByWeight(
      eligible.filter((deployment) => deployment.priority === tier),
      plan,
      input,
    );
  }
  return plan;
}

/** Whether a deployment takes traffic now: its entry is not unhealthy and traffic does not hold it back. */
export function servesNow(health: HealthView, deployment: Deployment): boolean {
  return (
    health.statusOf(deployment.provider.id) !== 'unhealthy' && health.heldBack?.(deployment.id) === undefined
  );
}

/** Appends `members` to `plan` in weighted-random order without replacement, up to the attempt cap. */
function drawByWeight(members: Deployment[], plan: Deployment[], input: PlanInput): void {
  let total = 0;
  for (const deployment of members) total += deployment.weight;
  while (members.length > 0 && plan.length < input.maxAttempts) {
    let target = input.random() * total;
    let index = 0;
    for (; index < members.length - 1; index++) {
      target -= members[index]!.weight;
      if (target < 0) break;
    }
    const [picked] = members.splice(index, 1);
    plan.push(picked!);
    total -= picked!.weight;
  }
}
