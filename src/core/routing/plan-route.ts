/**
 * Turns a request into its ordered attempts: the key's routing policy picks a strategy (the first matching rule,
 * else the default, else the requested model alone), the strategy orders its targets, and each target adds its
 * attempts (a logical model's pool through `planAttempts`, or one pinned deployment). Pure: the random source and
 * the health view are injected, and every target left out is reported with the reason, for explanations.
 */
import { GatewayError } from '../errors/gateway-error.js';
import type { CompiledKey, CompiledModel, Deployment, GatewaySnapshot } from '../snapshot/snapshot.js';
import type { HealthView } from './health.js';
import { planAttempts, servesNow } from './plan-attempts.js';
import {
  matchRule,
  type RouteRequest,
  type RouteTarget,
  type RoutingStrategy,
  targetName,
  type WeightedTarget,
} from './policy.js';

export interface PlannedAttempt {
  readonly deployment: Deployment;
  /** The logical model the attempt serves (its version, capabilities and dimension). */
  readonly model: CompiledModel;
}

export type ExclusionReason =
  | 'residency'
  | 'unknown'
  | 'audience'
  | 'environment'
  | 'kind'
  | 'capability'
  | 'health'
  | 'unavailable';

export interface Exclusion {
  readonly target: string;
  readonly reason: ExclusionReason;
  readonly detail: string;
}

/** Why a model cannot serve the request at all, with the error to answer when nothing else can. */
export interface Refusal {
  readonly reason: 'kind' | 'capability';
  readonly error: GatewayError;
}

export interface RouteInput {
  readonly request: RouteRequest;
  readonly key: CompiledKey;
  readonly snapshot: Pick<GatewaySnapshot, 'models' | 'deploymentsById'>;
  /** Says why a model cannot serve this request (wrong endpoint, a capability it lacks), or undefined. */
  readonly refuse: (model: CompiledModel) => Refusal | undefined;
  readonly random: () => number;
  readonly maxAttempts: number;
  readonly health?: HealthView;
}

export type RoutePlan =
  | {
      readonly ok: true;
      /** The matching rule's name; null when the requested model was routed as it is. */
      readonly rule: string | null;
      readonly attempts: readonly PlannedAttempt[];
      readonly excluded: readonly Exclusion[];
    }
  | {
      readonly ok: false;
      readonly rule: string | null;
      readonly error: GatewayError;
      readonly excluded: readonly Exclusion[];
    };

/** Plans a request's attempts under its key's policy. */
export function planRoute(input: RouteInput): RoutePlan {
  const { key, request } = input;
  // A key limited to some model names: any other name does not exist for it.
  if (key.allowedModels && !key.allowedModels.has(request.model)) {
    return { ok: false, rule: null, error: notFound(request.model), excluded: [] };
  }
  const residency =
    key.residency ?? (key.residencyHeader ? request.header('x-junction-residency') || null : null);
  const policy = key.routing;
  const rule = policy ? matchRule(policy, request, key.metadata) : undefined;
  const strategy: RoutingStrategy = rule?.strategy ??
    policy?.default ?? { type: 'fallback', targets: [{ model: request.model }] };
  const ruleName = rule?.name ?? (policy?.default ? 'default' : null);
  const excluded: Exclusion[] = [];
  const refusals: Refusal[] = [];
  const attempts: PlannedAttempt[] = [];
  const heldBack: PlannedAttempt[] = [];
  const seen = new Set<Deployment>();

  for (const target of orderTargets(strategy, input.random)) {
    if (attempts.length >= input.maxAttempts) break;
    addTarget(input, residency, target, attempts, seen, excluded, refusals, heldBack);
  }
  // Health never empties a plan: pinned deployments held back are tried when nothing else is left.
  if (attempts.length === 0) {
    for (const attempt of heldBack) {
      if (attempts.length >= input.maxAttempts) break;
      if (seen.has(attempt.deployment)) continue;
      seen.add(attempt.deployment);
      attempts.push(attempt);
    }
  }
  if (attempts.length > 0) return { ok: true, rule: ruleName, attempts, excluded };
  if (residency && excluded.some((each) => each.reason === 'residency')) {
    return {
      ok: false,
      rule: ruleName,
      error: new GatewayError(
        'no_backend_available',
        `No backend labelled geography=${residency} can serve ${request.model}; the request is bound to ${residency} and is not sent elsewhere`,
      ),
      excluded,
    };
  }
  return { ok: false, rule: ruleName, error: failure(input, ruleName, excluded, refusals), excluded };
}

/** The strategy's targets in the order they are tried. */
function orderTargets(strategy: RoutingStrategy, random: () => number): RouteTarget[] {
  if (strategy.type === 'fallback') return [...strategy.targets];
  const pending: WeightedTarget[] = strategy.targets.filter((target) => target.weight > 0);
  const ordered: RouteTarget[] = [];
  let total = 0;
  for (const target of pending) total += target.weight;
  while (pending.length > 0) {
    let draw = random() * total;
    let index = 0;
    for (; index < pending.length - 1; index++) {
      draw -= pending[index]!.weight;
      if (draw < 0) break;
    }
    const [picked] = pending.splice(index, 1);
    ordered.push(picked!);
    total -= picked!.weight;
  }
  return [...ordered, ...(strategy.fallback ?? [])];
}

/** Adds a target's attempts; false (with the reason recorded) when it cannot serve. */
function addTarget(
  input: RouteInput,
  residency: string | null,
  target: RouteTarget,
  attempts: PlannedAttempt[],
  seen: Set<Deployment>,
  excluded: Exclusion[],
  refusals: Refusal[],
  heldBack: PlannedAttempt[],
): boolean {
  const { key, snapshot } = input;
  const name = targetName(target);
  const exclude = (reason: ExclusionReason, detail: string): false => {
    excluded.push({ target: name, reason, detail });
    return false;
  };
  const found =
    'model' in target
      ? { model: snapshot.models.get(target.model), deployment: undefined }
      : snapshot.deploymentsById.get(target.deployment);
  const model = found?.model;
  if (!model) return exclude('unknown', `${name} does not exist or is disabled`);
  const audience = model.audience;
  if (audience && !audience.teams.has(key.teamId) && !audience.keys.has(key.id)) {
    return exclude('audience', `the key is outside the audience of ${model.id}`);
  }
  const refusal = input.refuse(model);
  if (refusal) {
    refusals.push(refusal);
    return exclude(refusal.reason, refusal.error.message);
  }
  if (found.deployment) {
    const deployment = found.deployment;
    if (residency && deployment.provider.labels.geography !== residency) {
      return exclude('residency', `${deployment.id} is not labelled geography=${residency}`);
    }
    if (!deployment.provider.enabled || !deployment.provider.environments.has(key.environment)) {
      return exclude('environment', `${deployment.id} is not active in ${key.environment}`);
    }
    if (input.health && !servesNow(input.health, deployment)) {
      // Held back like a pool member: tried only when nothing else in the plan can serve.
      heldBack.push({ deployment, model });
      return exclude(
        'health',
        input.health.statusOf(deployment.provider.id) === 'unhealthy'
          ? `${deployment.provider.id} is unhealthy`
          : `${deployment.id} is ${input.health.heldBack?.(deployment.id) === 'cooling' ? 'cooling after a 429' : 'ejected after consecutive failures'}` +
              ' (tried only when nothing else can serve)',
      );
    }
    if (!seen.has(deployment)) {
      seen.add(deployment);
      attempts.push({ deployment, model });
    }
    return true;
  }
  if (!model.environments.has(key.environment)) {
    return exclude('environment', `no backend of ${model.id} is active in ${key.environment}`);
  }
  const pool = planAttempts({
    model,
    environment: key.environment,
    random: input.random,
    maxAttempts: input.maxAttempts - attempts.length,
    health: input.health,
    ...(residency ? { geography: residency } : {}),
  });
  if (pool.length === 0 && residency) {
    return exclude('residency', `no backend of ${model.id} is labelled geography=${residency}`);
  }
  if (pool.length === 0)
    return exclude('unavailable', `no backend of ${model.id} is available in ${key.environment}`);
  for (const deployment of pool) {
    if (seen.has(deployment)) continue;
    seen.add(deployment);
    attempts.push({ deployment, model });
  }
  return true;
}

/** The answer when no target is left: the requested model's own error when it was routed as it is. */
function failure(
  input: RouteInput,
  rule: string | null,
  excluded: readonly Exclusion[],
  refusals: readonly Refusal[],
): GatewayError {
  const model = input.request.model;
  const first = excluded[0];
  // Routed as it is, the requested model answers as it always has: unknown, outside the audience or not in the
  // key's environment is the 404 of a model that does not exist.
  if (
    rule === null &&
    first &&
    (first.reason === 'unknown' || first.reason === 'audience' || first.reason === 'environment')
  ) {
    return notFound(model);
  }
  if (refusals.length > 0 && refusals.length === excluded.length) return refusals[0]!.error;
  const via = rule === null ? model : `the route ${rule}`;
  return new GatewayError(
    'no_backend_available',
    `No backend for ${via} can serve this request: ${excluded.map((each) => each.detail).join('; ') || 'no targets'}`,
  );
}

/** The 404 of a model that does not exist, is disabled, or is outside the key's audience: all look the same. */
export function notFound(model: string): GatewayError {
  return new GatewayError(
    'model_not_found',
    `The model \`${model}\` does not exist or you do not have access to it.`,
    {
      param: 'model',
    },
  );
}
