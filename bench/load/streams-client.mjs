// Holds N concurrent streamed chat requests open against 127.0.0.1 (one connection each), opened at a bounded
// rate. Prints `HELD <ms>` once every stream has received its first event, then one JSON line when all ended.
// Usage: node bench/load/streams-client.mjs '<json: { url, headers, body, streams, openPerSecond, timeoutSeconds }>'
import { Pool } from 'undici';

const {
  url,
  headers = {},
  body,
  streams,
  openPerSecond = 2000,
  timeoutSeconds = 60,
} = JSON.parse(process.argv[2]);
const target = new URL(url);
if (target.hostname !== '127.0.0.1') throw new Error('127.0.0.1 only');
if (streams > 20_000 || timeoutSeconds > 90) throw new Error('bounded to 20,000 streams and 90 s');
setTimeout(() => {
  process.stdout.write(`${JSON.stringify({ error: 'hard timeout', opened, completed, errors })}\n`);
  process.exit(2);
}, timeoutSeconds * 1000).unref();

const pool = new Pool(target.origin, {
  connections: streams,
  pipelining: 1,
  keepAliveTimeout: 1000,
  headersTimeout: 60_000,
  bodyTimeout: 60_000,
});
const started = performance.now();
let opened = 0;
let completed = 0;
let errors = 0;
let ended = 0;
let resolveAll;
const all = new Promise((resolve) => (resolveAll = resolve));
const settle = () => {
  if (++ended === streams) resolveAll();
};

function open() {
  let first = true;
  let tail = '';
  pool.dispatch(
    {
      path: target.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    },
    {
      onRequestStart() {},
      onResponseStart() {},
      onResponseData(_controller, chunk) {
        tail = (tail + chunk.toString('latin1')).slice(-32);
        if (first) {
          first = false;
          if (++opened === streams)
            process.stdout.write(`HELD ${(performance.now() - started).toFixed(0)}\n`);
        }
      },
      onResponseEnd() {
        if (tail.includes('[DONE]')) completed++;
        else errors++;
        settle();
      },
      onResponseError() {
        errors++;
        settle();
      },
    },
  );
}

const batch = Math.max(1, Math.round(openPerSecond / 100));
let launched = 0;
const timer = setInterval(() => {
  for (let i = 0; i < batch && launched < streams; i++, launched++) open();
  if (launched >= streams) clearInterval(timer);
}, 10);
await all;
process.stdout.write(
  `${JSON.stringify({ streams, opened, completed, errors, seconds: (performance.now() - started) / 1000 })}\n`,
);
await pool.destroy();
process.exit(0);
