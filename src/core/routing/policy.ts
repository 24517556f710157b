/**
 * A key's routing policy: ordered rules that match a request (requested model, headers, metadata, tags) and
 * lead to a strategy, and a default strategy. A strategy lists targets: a logical model (its pool applies) or a
 * pinned deployment (`<provider id>/<upstream model>` of a member of some model's pool).
 */

export type RouteTarget = { readonly model: string } | { readonly deployment: string };

export type WeightedTarget = RouteTarget & { readonly weight: number };

export type RoutingStrategy =
  /** Targets in order: each one's attempts, then the next. */
  | { readonly type: 'fallback'; readonly targets: readonly RouteTarget[] }
  /** One target drawn by weight, the others behind it (weighted order), then `fallback`. */
  | {
      readonly type: 'split';
      readonly targets: readonly WeightedTarget[];
      readonly fallback?: readonly RouteTarget[];
    };

/** What a rule matches; every given part must match. */
export interface RouteMatch {
  /** Requested model names; a trailing `*` matches a prefix. */
  readonly models?: readonly string[];
  /** Request headers (names lower case) with exact values. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Values of the request body's `metadata`, or else of the key's metadata. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Tags the request carries in `x-junction-tags` (comma separated); all must be present. */
  readonly tags?: readonly string[];
}

export interface RoutingRule {
  readonly name: string;
  readonly match: RouteMatch;
  readonly strategy: RoutingStrategy;
}

/** How attempts are made: what moves on to the next one, and the time they may take together. */
export interface ExecutionPolicy {
  /** Failures that move on to the next attempt; all four by default. */
  readonly retryOn?: readonly ('connect' | 'timeout' | 'rate-limit' | 'server-error')[];
  /**
   * Send a request again after its connection broke once it was sent (it may have been processed and billed);
   * false by default.
   */
  readonly replayUncertain?: boolean;
  /** Budget for all attempts together, waits for `Retry-After` included; a 429's `Retry-After` is honoured within it. */
  readonly deadlineMs?: number;
  /** Fall back only on fast failures: a 5xx or timeout that took longer than this is returned, not re-run. */
  readonly fallbackWithinMs?: number;
  /**
   * A 5xx answered after this long may come after the work was done (and billed): like a connection broken after
   * the request was sent, it is not re-run unless `replayUncertain` says so. Default 4,000 ms.
   */
  readonly uncertainAfterMs?: number;
  /** Time to an upstream's response headers before the attempt moves on; the gateway's setting by default. */
  readonly firstByteTimeoutMs?: number;
  /** Most attempts per request, at most the gateway's `JUNCTION_MAX_ATTEMPTS`. */
  readonly maxAttempts?: number;
}

/** The default of `ExecutionPolicy.uncertainAfterMs`. */
export const DEFAULT_UNCERTAIN_AFTER_MS = 4_000;

export interface RoutingPolicy {
  readonly rules: readonly RoutingRule[];
  /** Used when no rule matches; without it the requested model is the only target. */
  readonly default?: RoutingStrategy;
  readonly execution?: ExecutionPolicy;
}

/** The parts of a request rules look at. */
export interface RouteRequest {
  readonly model: string;
  /** A header's value (lower-case name), or undefined. */
  header(name: string): string | undefined;
  /** The body's `metadata` values that are strings. */
  readonly metadata: Readonly<Record<string, string>> | undefined;
  readonly tags: readonly string[];
}

/** The first rule whose match holds, or undefined. */
export function matchRule(
  policy: RoutingPolicy,
  request: RouteRequest,
  keyMetadata: Readonly<Record<string, string>>,
): RoutingRule | undefined {
  return policy.rules.find((rule) => matches(rule.match, request, keyMetadata));
}

function matches(
  match: RouteMatch,
  request: RouteRequest,
  keyMetadata: Readonly<Record<string, string>>,
): boolean {
  if (match.models && !match.models.some((pattern) => modelMatches(pattern, request.model))) return false;
  for (const [name, value] of Object.entries(match.headers ?? {})) {
    if (request.header(name.toLowerCase()) !== value) return false;
  }
  for (const [name, value] of Object.entries(match.metadata ?? {})) {
    if ((request.metadata?.[name] ?? keyMetadata[name]) !== value) return false;
  }
  for (const tag of match.tags ?? []) if (!request.tags.includes(tag)) return false;
  return true;
}

function modelMatches(pattern: string, model: string): boolean {
  return pattern.endsWith('*') ? model.startsWith(pattern.slice(0, -1)) : pattern === model;
}

/** How a target reads in explanations and errors. */
export function targetName(target: RouteTarget): string {
  return 'model' in target ? target.model : `deployment ${target.deployment}`;
}
