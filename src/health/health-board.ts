/**
 * The health of every provider entry, shared in memory by the active checks (management plane) and real
 * traffic (data plane). Reads are synchronous map lookups, so the request path can consult it freely;
 * listeners persist changes off the request path.
 */
import type { Diagnostic, HealthStatus, HealthView } from '../core/routing/health.js';

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

/** Consecutive failed requests that mark an entry unhealthy. */
export const TRAFFIC_FAILURE_THRESHOLD = 3;

export class HealthBoard implements HealthView {
  readonly #records = new Map<string, HealthRecord>();
  readonly #trafficFailures = new Map<string, number>();
  readonly #listeners = new Set<(observation: HealthObservation, record: HealthRecord) => void>();

  statusOf(providerId: string): HealthStatus {
    return this.#records.get(providerId)?.status ?? 'unverified';
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
   * Records one real request's outcome. Successes restore an unhealthy or unverified entry; consecutive
   * failures past the threshold mark it unhealthy. Only changes of status are reported to listeners.
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
