// One closed-loop wrk run (1 thread, N connections, D seconds) pinned to the load core, posting a fixed body.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPinned } from './proc.mjs';

const SCRIPT = fileURLToPath(new URL('../load/post.lua', import.meta.url));
let files;
let counter = 0;

/** Removes the body and header files written for wrk. */
export function removeWrkFiles() {
  if (files) rmSync(files, { recursive: true, force: true });
  files = undefined;
}

/** Runs wrk; returns requests, req/s, latency percentiles (ms) and errors (non-2xx/3xx + socket errors). */
export async function runWrk({ core, url, body, headers = {}, connections, seconds }) {
  if (!url.startsWith('http://127.0.0.1:')) throw new Error(`wrk targets 127.0.0.1 only, not ${url}`);
  files ??= mkdtempSync(join(tmpdir(), 'junction-bench-wrk-'));
  const id = ++counter;
  const bodyFile = join(files, `body-${id}.json`);
  const headersFile = join(files, `headers-${id}.txt`);
  writeFileSync(bodyFile, body);
  writeFileSync(
    headersFile,
    Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\n`)
      .join(''),
  );
  const { code, output } = await runPinned(
    core,
    'wrk',
    ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', '-s', SCRIPT, url],
    {
      timeoutMs: (seconds + 15) * 1000,
      env: { ...process.env, BENCH_BODY_FILE: bodyFile, BENCH_HEADERS_FILE: headersFile },
    },
  );
  const line = output.split('\n').find((l) => l.startsWith('BENCHJSON '));
  if (code !== 0 || !line) throw new Error(`wrk failed (${code}): ${output.slice(-1000)}`);
  const s = JSON.parse(line.slice('BENCHJSON '.length));
  const socketErrors = s.connect + s.read + s.write + s.timeout;
  return {
    requests: s.requests,
    rps: s.requests / (s.duration_us / 1e6),
    p50Ms: s.p50_us / 1000,
    p90Ms: s.p90_us / 1000,
    p99Ms: s.p99_us / 1000,
    maxMs: s.max_us / 1000,
    non2xx: s.status,
    socketErrors,
    errors: s.status + socketErrors,
  };
}
