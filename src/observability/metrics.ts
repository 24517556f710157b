/**
 * Prometheus metrics. Label values come from the snapshot (known model and backend ids), never from raw
 * request input, so a caller cannot blow up cardinality by inventing model names.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface GatewayMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'endpoint' | 'model' | 'backend' | 'status'>;
  readonly duration: Histogram<'endpoint' | 'model' | 'backend'>;
  readonly timeToFirstByte: Histogram<'model' | 'backend'>;
  readonly tokens: Counter<'model' | 'backend' | 'direction'>;
  readonly errors: Counter<'endpoint' | 'model' | 'backend' | 'code'>;
  readonly attempts: Counter<'backend' | 'outcome'>;
  readonly snapshotVersion: Gauge;
  readonly snapshotRejected: Counter;
  readonly inFlight: Gauge<'endpoint'>;
  readonly ejections: Counter<'backend'>;
  readonly ejected: Gauge<'backend'>;
}

/**
 * How often the event loop's delay is sampled for `junction_process_nodejs_eventloop_lag_*`. prom-client's default,
 * 10 ms, wakes the process 100 times a second whether it serves or not: on a small VM each wake-up costs a tenth of a
 * millisecond or more, and an idle gateway spent about 0.45 % of a core on them. Sampled every 100 ms, a lasting lag
 * shows as before, and a stall shorter than that is caught in proportion to its length.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

/** Creates a registry with Junction's metrics and Node's default process metrics. */
export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({
    register: registry,
    prefix: 'junction_process_',
    eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS,
  });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: 'junction_requests_total',
      help: 'Data-plane requests by endpoint, logical model, serving backend and HTTP status',
      labelNames: ['endpoint', 'model', 'backend', 'status'],
      registers,
    }),
    duration: new Histogram({
      name: 'junction_request_duration_seconds',
      help: 'Data-plane request duration from arrival to the last byte',
      labelNames: ['endpoint', 'model', 'backend'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    }),
    timeToFirstByte: new Histogram({
      name: 'junction_time_to_first_byte_seconds',
      help: 'Time from arrival to the first response byte sent to the client',
      labelNames: ['model', 'backend'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    tokens: new Counter({
      name: 'junction_tokens_total',
      help: 'Tokens reported by upstreams, by direction (input or output)',
      labelNames: ['model', 'backend', 'direction'],
      registers,
    }),
    errors: new Counter({
      name: 'junction_errors_total',
      help: 'Data-plane requests that ended in an error, by error code',
      labelNames: ['endpoint', 'model', 'backend', 'code'],
      registers,
    }),
    attempts: new Counter({
      name: 'junction_upstream_attempts_total',
      help: 'Upstream attempts by backend and outcome',
      labelNames: ['backend', 'outcome'],
      registers,
    }),
    snapshotVersion: new Gauge({
      name: 'junction_snapshot_version',
      help: 'Version of the configuration snapshot in service',
      registers,
    }),
    snapshotRejected: new Counter({
      name: 'junction_snapshot_rejected_total',
      help: 'Snapshots rejected because they failed to compile or were older than the one in service',
      registers,
    }),
    inFlight: new Gauge({
      name: 'junction_requests_in_flight',
      help: 'Data-plane requests being served',
      labelNames: ['endpoint'],
      registers,
    }),
    ejections: new Counter({
      name: 'junction_outlier_ejections_total',
      help: 'Times real traffic ejected a backend after consecutive failures (failed probes included)',
      labelNames: ['backend'],
      registers,
    }),
    ejected: new Gauge({
      name: 'junction_backend_ejected',
      help: '1 while a backend is ejected from rotation (it rejoins after a successful probe), else 0',
      labelNames: ['backend'],
      registers,
    }),
  };
}
