// Open-loop load at a fixed rate (wrk 4 has none): fires requests on a schedule with undici, whatever the
// answers do, for a bounded time, and prints one JSON line with latency percentiles.
// mode=latency: time from send to the end of the answer. mode=ttfb: time from send to the first body byte
// (for an SSE stream: the first event), the rest of the stream is read and checked to end with [DONE].
// Usage: node bench/load/rate-client.mjs '<json options>'
//   { url, body, headers, rate, seconds, mode, connections, warmup }
import { Pool } from 'undici';

const options = JSON.parse(process.argv[2]);
const {
  url,
  body,
  headers = {},
  rate = 200,
  seconds = 10,
  mode = 'latency',
  connections = 16,
  warmup = 50,
} = options;
const target = new URL(url);
if (target.hostname !== '127.0.0.1')
  throw new Error(`the rate client targets 127.0.0.1 only, not ${target.hostname}`);
if (seconds > 10 || rate > 5000) throw new Error('bounded to 10 s and 5,000 req/s');

// Hard stop, whatever happens.
setTimeout(
  () => {
    process.stdout.write(`${JSON.stringify({ error: 'hard timeout' })}\n`);
    process.exit(2);
  },
  (seconds + 10) * 1000,
).unref();

const pool = new Pool(target.origin, { connections, keepAliveTimeout: 30_000 });
const allHeaders = { 'content-type': 'application/json', ...headers };
const total = Math.round(rate * seconds);
const interval = 1e9 / rate;
const samples = [];
let errors = 0;
let incomplete = 0;
let finished = 0;
let resolveAll;
const allDone = new Promise((resolve) => (resolveAll = resolve));
const now = () => Number(process.hrtime.bigint());

// undici's dispatcher API with a plain handler: no body stream objects, so the client adds little of its own.
function fire(index) {
  const sent = now();
  let status = 0;
  let first;
  let tail = '';
  const settle = (failed) => {
    const end = now();
    if (failed || status < 200 || status >= 300) errors++;
    else if (mode === 'ttfb' && !tail.includes('data: [DONE]')) incomplete++;
    else if (index >= warmup) samples.push(((mode === 'ttfb' ? (first ?? end) : end) - sent) / 1e6);
    if (++finished === total) resolveAll();
  };
  pool.dispatch(
    { path: target.pathname, method: 'POST', headers: allHeaders, body },
    {
      onRequestStart() {},
      onResponseStart(_controller, statusCode) {
        status = statusCode;
      },
      onResponseData(_controller, chunk) {
        first ??= now();
        if (mode === 'ttfb') tail = (tail + chunk.toString('latin1')).slice(-64);
      },
      onResponseEnd() {
        settle(false);
      },
      onResponseError() {
        settle(true);
      },
    },
  );
}

const start = now();
let next = 0;
function tick() {
  const t = now();
  while (next < total && start + next * interval <= t) fire(next++);
  if (next < total) setTimeout(tick, Math.max(0, (start + next * interval - t) / 1e6));
}
tick();
await allDone;
const elapsed = (now() - start) / 1e9;
samples.sort((a, b) => a - b);
const pct = (p) =>
  samples.length ? samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))] : null;
process.stdout.write(
  `${JSON.stringify({ sent: total, measured: samples.length, errors, incomplete, achievedRps: total / elapsed, p50Ms: pct(50), p90Ms: pct(90), p99Ms: pct(99), maxMs: samples.at(-1) ?? null })}\n`,
);
await pool.close();
process.exit(0);
