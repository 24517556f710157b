/**
 * The data plane counts into prom-client's records directly (no label hashing per request): whatever it records,
 * `/metrics` must read exactly as if every call had gone through prom-client's own `inc` and `observe`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRequestMetrics } from '../../src/dataplane/request-metrics.js';
import { createMetrics, type GatewayMetrics } from '../../src/observability/metrics.js';

const NAMES = [
  'junction_requests_total',
  'junction_request_duration_seconds',
  'junction_time_to_first_byte_seconds',
  'junction_tokens_total',
  'junction_errors_total',
  'junction_upstream_attempts_total',
  'junction_requests_in_flight',
];

type Call =
  | { kind: 'request'; endpoint: string; model: string; backend: string; status: number }
  | { kind: 'timing'; endpoint: string; model: string; backend: string; seconds: number; firstByte?: number }
  | { kind: 'tokens'; endpoint: string; model: string; backend: string; input: number; output: number }
  | { kind: 'attempt'; backend: string; outcome: string }
  | { kind: 'error'; endpoint: string; model: string; backend: string; code: string }
  | { kind: 'inFlight'; endpoint: string; change: 1 | -1 };

/** The same call through prom-client's public API. */
function reference(metrics: GatewayMetrics, call: Call): void {
  switch (call.kind) {
    case 'request':
      metrics.requests.inc({ ...pick(call), status: String(call.status) });
      return;
    case 'timing':
      metrics.duration.observe(pick(call), call.seconds);
      if (call.firstByte !== undefined)
        metrics.timeToFirstByte.observe({ model: call.model, backend: call.backend }, call.firstByte);
      return;
    case 'tokens':
      metrics.tokens.inc({ model: call.model, backend: call.backend, direction: 'input' }, call.input);
      metrics.tokens.inc({ model: call.model, backend: call.backend, direction: 'output' }, call.output);
      return;
    case 'attempt':
      metrics.attempts.inc({ backend: call.backend, outcome: call.outcome });
      return;
    case 'error':
      metrics.errors.inc({ ...pick(call), code: call.code });
      return;
    case 'inFlight':
      metrics.inFlight.inc({ endpoint: call.endpoint }, call.change);
  }
}

const pick = (call: { endpoint: string; model: string; backend: string }) => ({
  endpoint: call.endpoint,
  model: call.model,
  backend: call.backend,
});

function recordInto(recorder: ReturnType<typeof createRequestMetrics>, call: Call): void {
  if (call.kind === 'request') recorder.request(call.endpoint, call.model, call.backend, call.status);
  else if (call.kind === 'timing')
    recorder.timing(call.endpoint, call.model, call.backend, call.seconds, call.firstByte);
  else if (call.kind === 'tokens')
    recorder.tokens(call.endpoint, call.model, call.backend, call.input, call.output);
  else if (call.kind === 'attempt') recorder.attempt(call.backend, call.outcome);
  else if (call.kind === 'error') recorder.error(call.endpoint, call.model, call.backend, call.code);
  else recorder.inFlight(call.endpoint, call.change);
}

const exposition = async (metrics: GatewayMetrics) =>
  Promise.all(NAMES.map((name) => metrics.registry.getSingleMetricAsString(name)));

// Durations on and around the bucket bounds, beyond the last, and zero.
const seconds = fc.oneof(
  fc.constantFrom(0, 0.005, 0.01, 0.025, 0.1, 1, 30, 60, 120, 121, 1e6),
  fc.double({ min: 0, max: 200, noNaN: true }),
);
const series = fc.record({
  endpoint: fc.constantFrom('chat', 'embeddings'),
  model: fc.constantFrom('gpt-4o', 'claude', 'embed'),
  backend: fc.constantFrom('a/x', 'b/y', ''),
});
const call: fc.Arbitrary<Call> = fc.oneof(
  series.chain((s) =>
    fc.constantFrom(200, 400, 429, 502).map((status) => ({ kind: 'request' as const, ...s, status })),
  ),
  series.chain((s) =>
    fc
      .record({ seconds, firstByte: fc.option(seconds, { nil: undefined }) })
      .map((t) => ({ kind: 'timing' as const, ...s, ...t })),
  ),
  series.chain((s) =>
    fc
      .record({ input: fc.nat(100_000), output: fc.nat(100_000) })
      .map((t) => ({ kind: 'tokens' as const, ...s, ...t })),
  ),
  fc.record({
    kind: fc.constant('attempt' as const),
    backend: fc.constantFrom('a/x', 'b/y'),
    outcome: fc.constantFrom('success', 'timeout', 'http-error'),
  }),
  series.chain((s) =>
    fc
      .constantFrom('upstream_timeout', 'budget_exceeded')
      .map((code) => ({ kind: 'error' as const, ...s, code })),
  ),
  fc.record({
    kind: fc.constant('inFlight' as const),
    endpoint: fc.constantFrom('chat', 'embeddings'),
    change: fc.constantFrom(1 as const, -1 as const),
  }),
);

describe('data-plane request metrics', () => {
  it('expose exactly what prom-client counts through its own API, scrape after scrape', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(call, { maxLength: 80 }),
        fc.array(call, { maxLength: 40 }),
        async (first, then) => {
          const fast = createMetrics();
          const slow = createMetrics();
          const recorder = createRequestMetrics(fast);
          for (const c of first) {
            recordInto(recorder, c);
            reference(slow, c);
          }
          expect(await exposition(fast)).toEqual(await exposition(slow));
          // A scrape resets nothing: counting goes on into the same records.
          for (const c of then) {
            recordInto(recorder, c);
            reference(slow, c);
          }
          expect(await exposition(fast)).toEqual(await exposition(slow));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('shares a registry with another recorder without losing or resetting counts', async () => {
    const shared = createMetrics();
    const slow = createMetrics();
    const [one, two] = [createRequestMetrics(shared), createRequestMetrics(shared)];
    for (const recorder of [one, two, one]) {
      recorder.request('chat', 'gpt-4o', 'a/x', 200);
      recorder.timing('chat', 'gpt-4o', 'a/x', 0.02, 0.004);
      recorder.tokens('chat', 'gpt-4o', 'a/x', 10, 5);
      reference(slow, { kind: 'request', endpoint: 'chat', model: 'gpt-4o', backend: 'a/x', status: 200 });
      reference(slow, {
        kind: 'timing',
        endpoint: 'chat',
        model: 'gpt-4o',
        backend: 'a/x',
        seconds: 0.02,
        firstByte: 0.004,
      });
      reference(slow, {
        kind: 'tokens',
        endpoint: 'chat',
        model: 'gpt-4o',
        backend: 'a/x',
        input: 10,
        output: 5,
      });
    }
    expect(await exposition(shared)).toEqual(await exposition(slow));
  });

  it('counts a request into the series of its endpoint, model, backend and status', async () => {
    const metrics = createMetrics();
    const recorder = createRequestMetrics(metrics);
    recorder.request('chat', 'gpt-4o', 'a/x', 200);
    recorder.request('chat', 'gpt-4o', 'a/x', 200);
    recorder.timing('chat', 'gpt-4o', 'a/x', 0.02, 0.004);
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'junction_requests_total{endpoint="chat",model="gpt-4o",backend="a/x",status="200"} 2',
    );
    expect(text).toContain(
      'junction_request_duration_seconds_bucket{le="0.025",endpoint="chat",model="gpt-4o",backend="a/x"} 1',
    );
    expect(text).toContain('junction_time_to_first_byte_seconds_count{model="gpt-4o",backend="a/x"} 1');
  });
});
