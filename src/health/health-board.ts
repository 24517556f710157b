/**
 * The health of every provider entry, shared in memory by the active checks (management plane) and real
 * traffic (data plane). Reads are synchronous map lookups, so the request path can consult it freely;
 * listeners persist changes off the request path.
 */

import { withFields } from '../core/objects.js';
import type { Diagnostic, HealthStatus, HealthView, HoldBack } from '../core/routing/health.js';

export interface HealthRecord {
  status: HealthStatus;
  lastCheckedAt: number | null;
  lastVerifiedAt: number | null;
  latencyMs: number | null;
  diagnostic: Diagnostic | null;
}

export interface HealthObservation {
  providerId: string;
  source: 'check' | 'traffic' | 'configuration';
  status: HealthStatus;
  at: number;
  latencyMs: number | null;
  diagnostic: Diagnostic | null;
}

/** Consecutive requests whose credential the provider rejected that mark an entry unhealthy. */
export const TRAFFIC_FAILURE_THRESHOLD = 3;

/** Passive outlier ejection: how real traffic takes a failing deployment out of rotation. */
export interface OutlierSettings {
  /** Consecutive upstream failures (connection, timeout, broken connection, 5xx) that eject a deployment. */
  consecutiveFailures: number;
  /** The first ejection's length; each ejection that follows soon after doubles it. */
  baseEjectionMs: number;
  /** The longest ejection; also how long a deployment must serve again before its ejections are forgotten. */
  maxEjectionMs: number;
  /** The longest a 429's `Retry-After` keeps a deployment cooling. */
  maxCoolingMs: number;
}

export const DEFAULT_OUTLIER_SETTINGS: OutlierSettings = {
  consecutiveFailures: 3,
  baseEjectionMs: 5_000,
  maxEjectionMs: 30_000,
  maxCoolingMs: 300_000,
};

/** A deployment's standing with real traffic. */
interface DeploymentStanding {
  providerId: string;
  failures: number;
  /** Ejections in the current series (reset once the deployment has served for `maxEjectionMs`). */
  ejections: number;
  /** When the current ejection started; 0 when not ejected. */
  ejectedAt: number;
  /** When the current ejection ends and the deployment is probed; it stays out until a probe succeeds. */
  probeAt: number;
  lastRejoinedAt: number;
  lastDiagnostic: Diagnostic | null;
  /** Until when a 429 asked to wait; 0 when not cooling. */
  coolingUntil: number;
}

export interface Ejection {
  deploymentId: string;
  providerId: string;
  since: number;
  /** When the deployment is probed; it rejoins only when that probe succeeds. */
  probeAt: number;
  /** Ejections in a row (the period doubles with each). */
  ejections: number;
  diagnostic: Diagnostic | null;
}

export type OutlierEvent =
  | ({ kind: 'ejected' } & Ejection)
  | { kind: 'rejoined'; deploymentId: string; providerId: string; at: number };

export class HealthBoard implements HealthView {
  readonly #records = new Map<string, HealthRecord>();
  readonly #trafficFailures = new Map<string, number>();
  readonly #listeners = new Set<(observation: HealthObservation, record: HealthRecord) => void>();
  readonly #standings = new Map<string, DeploymentStanding>();
  readonly #outlierListeners = new Set<(event: OutlierEvent) => void>();
  readonly #now: () => number;
  readonly outlier: OutlierSettings;

  constructor(options: { outlier?: Partial<OutlierSettings>; now?: () => number } = {}) {
    this.outlier = withFields(DEFAULT_OUTLIER_SETTINGS, options.outlier ?? {}) as OutlierSettings;
    this.#now = options.now ?? Date.now;
  }

  statusOf(providerId: string): HealthStatus {
    return this.#records.get(providerId)?.status ?? 'unverified';
  }

  heldBack(deploymentId: string): HoldBack | undefined {
    const standing = this.#standings.get(deploymentId);
    if (standing === undefined) return undefined;
    if (standing.ejectedAt !== 0) return 'ejected';
    if (standing.coolingUntil !== 0) {
      if (standing.coolingUntil > this.#now()) return 'cooling';
      standing.coolingUntil = 0;
    }
    return undefined;
  }

  /** The deployments of an entry that traffic has ejected. */
  ejectionsOf(providerId: string): Ejection[] {
    const ejections: Ejection[] = [];
    for (const [deploymentId, standing] of this.#standings) {
      if (standing.providerId !== providerId || standing.ejectedAt === 0) continue;
      ejections.push(ejectionOf(deploymentId, standing));
    }
    return ejections;
  }

  onOutlier(listener: (event: OutlierEvent) => void): () => void {
    this.#outlierListeners.add(listener);
    return () => this.#outlierListeners.delete(listener);
  }

  /**
   * Records one real request's outcome for a deployment: a success clears its failure count; consecutive
   * failures past the threshold eject it for a period that doubles with each ejection in a series. Once ejected
   * it stays out until `probed` reports a successful probe (or a request reaches it because its whole pool is held
   * back, and succeeds). Failures of an ejected deployment (requests already in flight) change nothing.
   */
  reportDeployment(deploymentId: string, providerId: string, ok: boolean, diagnostic?: Diagnostic): void {
    let standing = this.#standings.get(deploymentId);
    if (ok) {
      if (standing === undefined) return;
      // An ejected deployment gets real traffic only when its whole pool is held back; a success proves it works.
      if (standing.ejectedAt !== 0) this.#rejoin(deploymentId, standing);
      else standing.failures = 0;
      return;
    }
    standing ??= this.#standing(deploymentId, providerId);
    if (standing.ejectedAt !== 0) return;
    standing.failures++;
    standing.lastDiagnostic = diagnostic ?? null;
    if (standing.failures >= this.outlier.consecutiveFailures) this.#eject(deploymentId, standing);
  }

  /** A 429 asked to wait: the deployment is tried after the others until then (bounded by `maxCoolingMs`). */
  coolDown(deploymentId: string, providerId: string, waitMs: number): void {
    if (!(waitMs > 0)) return;
    const until = this.#now() + Math.min(waitMs, this.outlier.maxCoolingMs);
    const standing = this.#standings.get(deploymentId) ?? this.#standing(deploymentId, providerId);
    if (until > standing.coolingUntil) standing.coolingUntil = until;
  }

  #standing(deploymentId: string, providerId: string): DeploymentStanding {
    const standing: DeploymentStanding = {
      providerId,
      failures: 0,
      ejections: 0,
      ejectedAt: 0,
      probeAt: 0,
      lastRejoinedAt: 0,
      lastDiagnostic: null,
      coolingUntil: 0,
    };
    this.#standings.set(deploymentId, standing);
    return standing;
  }

  /** The outcome of the probe of an ejected deployment: it rejoins, or is ejected again for longer. */
  probed(deploymentId: string, ok: boolean, diagnostic?: Diagnostic): void {
    const standing = this.#standings.get(deploymentId);
    if (standing === undefined || standing.ejectedAt === 0) return;
    if (!ok) {
      if (diagnostic) standing.lastDiagnostic = diagnostic;
      this.#eject(deploymentId, standing);
      return;
    }
    this.#rejoin(deploymentId, standing);
  }

  #rejoin(deploymentId: string, standing: DeploymentStanding): void {
    const at = this.#now();
    standing.ejectedAt = 0;
    standing.probeAt = 0;
    standing.failures = 0;
    standing.lastRejoinedAt = at;
    for (const listener of this.#outlierListeners)
      listener({ kind: 'rejoined', deploymentId, providerId: standing.providerId, at });
  }

  /** Forgets a deployment that no longer exists. */
  forgetDeployment(deploymentId: string): void {
    this.#standings.delete(deploymentId);
  }

  #eject(deploymentId: string, standing: DeploymentStanding): void {
    const now = this.#now();
    const { baseEjectionMs, maxEjectionMs } = this.outlier;
    // A deployment that served well for a while starts a new series at the base period.
    const fresh = standing.ejectedAt === 0 && now - standing.lastRejoinedAt > maxEjectionMs;
    standing.ejections = fresh ? 1 : standing.ejections + 1;
    const period = Math.min(baseEjectionMs * 2 ** (standing.ejections - 1), maxEjectionMs);
    if (standing.ejectedAt === 0) standing.ejectedAt = now;
    standing.probeAt = now + period;
    standing.failures = 0;
    const event: OutlierEvent = { kind: 'ejected', ...ejectionOf(deploymentId, standing) };
    for (const listener of this.#outlierListeners) listener(event);
  }

  get(providerId: string): HealthRecord | undefined {
    return this.#records.get(providerId);
  }

  /** Restores records read from the store at start (no listener is told). */
  load(providerId: string, record: HealthRecord): void {
    this.#records.set(providerId, record);
  }

  forget(providerId: string): void {
    this.#records.delete(providerId);
    this.#trafficFailures.delete(providerId);
    for (const [deploymentId, standing] of this.#standings) {
      if (standing.providerId === providerId) this.#standings.delete(deploymentId);
    }
  }

  onChange(listener: (observation: HealthObservation, record: HealthRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Records the outcome of an active check, or a status set by configuration (new entry, deferred type). */
  record(observation: HealthObservation): HealthRecord {
    const previous = this.#records.get(observation.providerId);
    const checked = observation.source === 'check';
    const record: HealthRecord = {
      status: observation.status,
      lastCheckedAt: checked ? observation.at : (previous?.lastCheckedAt ?? null),
      lastVerifiedAt:
        observation.status === 'healthy' && observation.source !== 'configuration'
          ? observation.at
          : (previous?.lastVerifiedAt ?? null),
      latencyMs: observation.latencyMs ?? previous?.latencyMs ?? null,
      diagnostic:
        observation.status === 'healthy' ? null : (observation.diagnostic ?? previous?.diagnostic ?? null),
    };
    this.#records.set(observation.providerId, record);
    if (observation.status === 'healthy') this.#trafficFailures.delete(observation.providerId);
    for (const listener of this.#listeners) listener(observation, record);
    return record;
  }

  /**
   * Records one real request's outcome for the entry as a whole. Successes restore an unhealthy, unverified or
   * deferred entry; consecutive failures that concern the whole entry (a rejected credential) past the threshold
   * mark it unhealthy. Only changes of status are reported to listeners. Failures of one deployment (5xx,
   * timeouts, broken connections) go to `reportDeployment` instead.
   */
  reportTraffic(providerId: string, ok: boolean, diagnostic?: Diagnostic): void {
    const current = this.statusOf(providerId);
    if (ok) {
      this.#trafficFailures.delete(providerId);
      if (current !== 'healthy') {
        this.record({
          providerId,
          source: 'traffic',
          status: 'healthy',
          at: Date.now(),
          latencyMs: null,
          diagnostic: null,
        });
      }
      return;
    }
    const failures = (this.#trafficFailures.get(providerId) ?? 0) + 1;
    this.#trafficFailures.set(providerId, failures);
    if (failures >= TRAFFIC_FAILURE_THRESHOLD && current !== 'unhealthy') {
      this.record({
        providerId,
        source: 'traffic',
        status: 'unhealthy',
        at: Date.now(),
        latencyMs: null,
        diagnostic: diagnostic ?? { stage: 'http', message: `${failures} consecutive requests failed` },
      });
    }
  }
}

function ejectionOf(deploymentId: string, standing: DeploymentStanding): Ejection {
  return {
    deploymentId,
    providerId: standing.providerId,
    since: standing.ejectedAt,
    probeAt: standing.probeAt,
    ejections: standing.ejections,
    diagnostic: standing.lastDiagnostic,
  };
}
