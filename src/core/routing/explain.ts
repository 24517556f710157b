/**
 * A routing plan as people read it: the rule that matched, each planned attempt with its weight, priority and
 * health, every target left out and why, and the error when nothing can serve. The admin API's explanation and
 * the key owner's (on the data plane, with the key) are built here from the same plan.
 */
import type { HealthView } from './health.js';
import type { Exclusion, RoutePlan } from './plan-route.js';

export interface PlannedStep {
  backend: string;
  provider: string;
  model: string;
  version: string;
  weight: number;
  priority: number;
  /** The entry's status, or `ejected` / `cooling` when real traffic holds the backend back. */
  health: string;
}

export interface Explanation {
  ok: boolean;
  rule: string | null;
  plan: PlannedStep[];
  excluded: Exclusion[];
  error?: { code: string; message: string };
}

export function explainRoute(route: RoutePlan, health: HealthView | undefined): Explanation {
  const plan = route.ok
    ? route.attempts.map(({ deployment, model }) => ({
        backend: deployment.id,
        provider: deployment.provider.id,
        model: model.id,
        version: model.version,
        weight: deployment.weight,
        priority: deployment.priority,
        health: health?.heldBack?.(deployment.id) ?? health?.statusOf(deployment.provider.id) ?? 'unverified',
      }))
    : [];
  return {
    ok: route.ok,
    rule: route.rule,
    plan,
    excluded: [...route.excluded],
    ...(route.ok ? {} : { error: { code: route.error.code, message: route.error.message } }),
  };
}
