/**
 * Records each data-plane request into the Prometheus metrics through cached label children. prom-client
 * hashes a label object on every `inc({...})`; a request records up to eight series, so the children are looked
 * up once per label combination (bounded by the snapshot's models and backends) and reused.
 */
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { GatewayMetrics } from '../observability/metrics.js';

type CounterChild = ReturnType<Counter<string>['labels']>;
type HistogramChild = ReturnType<Histogram<string>['labels']>;
type GaugeChild = ReturnType<Gauge<string>['labels']>;

interface BackendSeries {
  duration: HistogramChild;
  timeToFirstByte: HistogramChild;
  tokensIn: CounterChild;
  tokensOut: CounterChild;
}

export interface RequestMetrics {
  /** One request ended with `status`. */
  request(endpoint: string, model: string, backend: string, status: number): void;
  /** Seconds from arrival to the last byte, and to the first byte when known. */
  timing(endpoint: string, model: string, backend: string, seconds: number, firstByteSeconds?: number): void;
  tokens(endpoint: string, model: string, backend: string, input: number, output: number): void;
  attempt(backend: string, outcome: string): void;
  error(endpoint: string, model: string, backend: string, code: string): void;
  inFlight(endpoint: string, change: 1 | -1): void;
}

/** Creates the recorder with its caches of label children. */
export function createRequestMetrics(metrics: GatewayMetrics): RequestMetrics {
  const requests = new Map<string, CounterChild>();
  const backends = new Map<string, BackendSeries>();
  const attempts = new Map<string, CounterChild>();
  const errors = new Map<string, CounterChild>();
  const inFlight = new Map<string, GaugeChild>();

  const cached = <T>(cache: Map<string, T>, key: string, create: () => T): T => {
    let child = cache.get(key);
    if (child === undefined) {
      child = create();
      cache.set(key, child);
    }
    return child;
  };
  const seriesOf = (endpoint: string, model: string, backend: string): BackendSeries =>
    cached(backends, `${endpoint}\u0000${model}\u0000${backend}`, () => ({
      duration: metrics.duration.labels(endpoint, model, backend),
      timeToFirstByte: metrics.timeToFirstByte.labels(model, backend),
      tokensIn: metrics.tokens.labels(model, backend, 'input'),
      tokensOut: metrics.tokens.labels(model, backend, 'output'),
    }));

  return {
    request(endpoint, model, backend, status) {
      cached(requests, `${endpoint}\u0000${model}\u0000${backend}\u0000${status}`, () =>
        metrics.requests.labels(endpoint, model, backend, String(status)),
      ).inc();
    },
    timing(endpoint, model, backend, seconds, firstByteSeconds) {
      const series = seriesOf(endpoint, model, backend);
      series.duration.observe(seconds);
      if (firstByteSeconds !== undefined) series.timeToFirstByte.observe(firstByteSeconds);
    },
    tokens(endpoint, model, backend, input, output) {
      const series = seriesOf(endpoint, model, backend);
      series.tokensIn.inc(input);
      series.tokensOut.inc(output);
    },
    attempt(backend, outcome) {
      cached(attempts, `${backend}\u0000${outcome}`, () => metrics.attempts.labels(backend, outcome)).inc();
    },
    error(endpoint, model, backend, code) {
      cached(errors, `${endpoint}\u0000${model}\u0000${backend}\u0000${code}`, () =>
        metrics.errors.labels(endpoint, model, backend, code),
      ).inc();
    },
    inFlight(endpoint, change) {
      cached(inFlight, endpoint, () => metrics.inFlight.labels(endpoint)).inc(change);
    },
  };
}
