/**
 * Records each data-plane request into the Prometheus metrics without hashing labels per request. prom-client
 * hashes (and validates) a label object on every `inc` and `observe`, children from `labels()` included; a request
 * records up to eight series. Here each series is created once per label combination (bounded by the snapshot's
 * models and backends): prom-client makes its record of the series (`inc(labels, 0)`, `zero(labels)`, or finds it), this keeps a
 * reference to that record and counts into it directly (a gauge's record too: `inc` and `dec` change it in place), so `/metrics` reads exactly what prom-client would have
 * counted. The records' shape is prom-client's (pinned in package.json); `test/dataplane/request-metrics.test.ts`
 * checks the exposition against prom-client's own counting.
 */
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { GatewayMetrics } from '../observability/metrics.js';

/** prom-client's record of one counter or gauge series. */
interface ValueRecord {
  labels: object;
  value: number;
}

/** prom-client's record of one histogram series. */
interface HistogramRecord {
  labels: object;
  bucketValues: Record<number, number>;
  sum: number;
  count: number;
}

interface Internals<T> {
  hashMap: Record<string, T>;
  upperBounds?: number[];
}

const sameLabels = (a: object, b: Record<string, string>): boolean => {
  const entries = Object.entries(b);
  return (
    Object.keys(a).length === entries.length &&
    entries.every(([name, value]) => (a as Record<string, unknown>)[name] === value)
  );
};

/** The record prom-client keeps for `labels`, if any (another recorder on the same registry may have made it). */
function recordOf<T extends { labels: object }>(
  metric: object,
  labels: Record<string, string>,
): T | undefined {
  return Object.values((metric as Internals<T>).hashMap).find((record) => sameLabels(record.labels, labels));
}

/** A counter's (or gauge's) series; prom-client changes its record in place on `inc` and `dec`. */
function valueSeries(metric: Counter<string> | Gauge<string>, labels: Record<string, string>): ValueRecord {
  metric.inc(labels, 0);
  const record = recordOf<ValueRecord>(metric, labels);
  if (!record) throw new Error('prom-client kept no record for a new series');
  return record;
}

/** A histogram series and the buckets it counts into. */
interface HistogramSeries {
  record: HistogramRecord;
  bounds: readonly number[];
}

function histogramSeries(histogram: Histogram<string>, labels: Record<string, string>): HistogramSeries {
  const bounds = (histogram as unknown as Internals<HistogramRecord>).upperBounds;
  if (!bounds) throw new Error('prom-client histogram without buckets');
  if (!recordOf(histogram, labels)) histogram.zero(labels);
  const record = recordOf<HistogramRecord>(histogram, labels);
  if (!record) throw new Error('prom-client kept no record for a new series');
  return { record, bounds };
}

function observe(series: HistogramSeries, value: number): void {
  const { record, bounds } = series;
  record.sum += value;
  record.count += 1;
  for (let i = 0; i < bounds.length; i++) {
    const bound = bounds[i]!;
    if (value <= bound) {
      record.bucketValues[bound]! += 1;
      return;
    }
  }
}

/**
 * The series of one endpoint, model and backend, each made on first use (a series appears in `/metrics` once it
 * has counted something, as with prom-client's own calls).
 */
interface BackendSeries {
  endpoint: string;
  model: string;
  backend: string;
  duration?: HistogramSeries;
  timeToFirstByte?: HistogramSeries;
  tokensIn?: ValueRecord;
  tokensOut?: ValueRecord;
  /** `junction_requests_total` by status. */
  requests: Map<number, ValueRecord>;
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

/** Nested maps keyed by each label in turn: a lookup allocates nothing. */
function nested<T>(): {
  get(a: string, b: string, c: string, create: () => T): T;
} {
  const top = new Map<string, Map<string, Map<string, T>>>();
  return {
    get(a, b, c, create) {
      let middle = top.get(a);
      if (!middle) {
        middle = new Map();
        top.set(a, middle);
      }
      let inner = middle.get(b);
      if (!inner) {
        inner = new Map();
        middle.set(b, inner);
      }
      let value = inner.get(c);
      if (value === undefined) {
        value = create();
        inner.set(c, value);
      }
      return value;
    },
  };
}

/** Creates the recorder; its series are made on first use. */
export function createRequestMetrics(metrics: GatewayMetrics): RequestMetrics {
  const backends = nested<BackendSeries>();
  const attempts = nested<ValueRecord>();
  const errors = new Map<string, ValueRecord>();
  const inFlight = new Map<string, ValueRecord>();

  const seriesOf = (endpoint: string, model: string, backend: string): BackendSeries =>
    backends.get(endpoint, model, backend, () => ({ endpoint, model, backend, requests: new Map() }));

  return {
    request(endpoint, model, backend, status) {
      const { requests } = seriesOf(endpoint, model, backend);
      let record = requests.get(status);
      if (!record) {
        record = valueSeries(metrics.requests, { endpoint, model, backend, status: String(status) });
        requests.set(status, record);
      }
      record.value += 1;
    },
    timing(endpoint, model, backend, seconds, firstByteSeconds) {
      const series = seriesOf(endpoint, model, backend);
      series.duration ??= histogramSeries(metrics.duration, { endpoint, model, backend });
      observe(series.duration, seconds);
      if (firstByteSeconds !== undefined) {
        series.timeToFirstByte ??= histogramSeries(metrics.timeToFirstByte, { model, backend });
        observe(series.timeToFirstByte, firstByteSeconds);
      }
    },
    tokens(endpoint, model, backend, input, output) {
      const series = seriesOf(endpoint, model, backend);
      series.tokensIn ??= valueSeries(metrics.tokens, { model, backend, direction: 'input' });
      series.tokensOut ??= valueSeries(metrics.tokens, { model, backend, direction: 'output' });
      series.tokensIn.value += input;
      series.tokensOut.value += output;
    },
    attempt(backend, outcome) {
      attempts.get(backend, outcome, '', () =>
        valueSeries(metrics.attempts, { backend, outcome }),
      ).value += 1;
    },
    error(endpoint, model, backend, code) {
      // Rare: keyed by a joined string.
      const key = `${endpoint}\u0000${model}\u0000${backend}\u0000${code}`;
      let record = errors.get(key);
      if (!record) {
        record = valueSeries(metrics.errors, { endpoint, model, backend, code });
        errors.set(key, record);
      }
      record.value += 1;
    },
    inFlight(endpoint, change) {
      let record = inFlight.get(endpoint);
      if (!record) {
        record = valueSeries(metrics.inFlight, { endpoint });
        inFlight.set(endpoint, record);
      }
      record.value += change;
    },
  };
}
