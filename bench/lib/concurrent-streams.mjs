// T5's memory per in-flight stream: N streams held open at once (bench/load/streams-client.mjs) through a
// dedicated Junction and a node-bare reference, in front of the slow mock (50 ms to the first byte, then one
// event every 0.7 s: each stream stays open ~11 s). Per stream = (RSS with all N open − RSS before) / N.
// The Junction here is a data-plane process (`junction dataplane`, as BENCH.md asks) on a throwaway PostgreSQL
// database when one answers on 127.0.0.1:5432, beside a management plane on the load core; otherwise
// `junction serve` on the embedded store, whose WebAssembly heap drifts by hundreds of MB.
// Each proxied stream needs two sockets in the gateway and this sandbox caps open files at 20,000 (hard limit),
// so counts are capped at 9,000.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { startDataPlanePair } from './dataplane.mjs';
import { configureJunction, startJunction } from './junction.mjs';
import { chatBody } from './mock-bodies.mjs';
import { postgresAvailable } from './pgdb.mjs';
import { freePort, waitForPort } from './ports.mjs';
import { rssKb, sleep, spawnPinned, stopChild, waitFor } from './proc.mjs';
import { median } from './stats.mjs';
import { addSlowModel } from './streams.mjs';

const CLIENT = fileURLToPath(new URL('../load/streams-client.mjs', import.meta.url));
const BARE = fileURLToPath(new URL('../targets/node-bare.mjs', import.meta.url));
const GAP_MS = 700;
export const MAX_STREAMS = 9_000;

async function hold({ name, pid, url, headers, body, streams, loadCore, log, quiet = false }) {
  const before = rssKb(pid);
  const client = spawnPinned(loadCore, process.execPath, [
    CLIENT,
    JSON.stringify({ url, headers, body, streams, openPerSecond: 2500, timeoutSeconds: 75 }),
  ]);
  let held;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssKb(pid) ?? 0);
  }, 100);
  const exited = new Promise((resolve) => client.once('exit', resolve));
  const deadline = Date.now() + 80_000;
  while (client.exitCode === null && Date.now() < deadline) {
    if (held === undefined && client.output.includes('HELD ')) {
      await sleep(500);
      held = rssKb(pid);
    }
    await sleep(100);
  }
  clearInterval(sampler);
  await Promise.race([exited, sleep(1000)]);
  await stopChild(client);
  let outcome;
  try {
    outcome = JSON.parse(client.output.trim().split('\n').at(-1));
  } catch {
    outcome = {};
  }
  const during = held ?? peak;
  const result = {
    target: name,
    streams,
    rssBeforeMb: before / 1024,
    rssHeldMb: during / 1024,
    rssPeakMb: peak / 1024,
    kbPerStream: (during - before) / streams,
    allHeld: held !== undefined,
    completed: outcome.completed ?? 0,
    errors: outcome.errors ?? streams - (outcome.completed ?? 0),
  };
  if (!quiet) {
    log(
      `  ${name}: ${streams} streams: RSS ${result.rssBeforeMb.toFixed(0)} → ${result.rssHeldMb.toFixed(0)} MB (${result.kbPerStream.toFixed(1)} KB/stream), ${result.completed} completed, ${result.errors} errors${held === undefined ? ', NOT all held at once' : ''}`,
    );
  }
  return result;
}

async function modelServed(url, secret, model) {
  const response = await request(`${url}/v1/models`, { headers: { authorization: `Bearer ${secret}` } });
  const text = await response.body.text();
  return response.statusCode === 200 && JSON.parse(text).data.some((entry) => entry.id === model);
}

/**
 * Repetitions of the whole scenario, each on fresh processes (RSS never shrinks back, so a second hold in the same
 * process measures little), combined by `combineStreamRuns`. One hold varies by about 15 % between runs of the
 * same build.
 */
export async function repeatedStreams(options, repetitions) {
  const runs = [];
  for (let rep = 0; rep < repetitions; rep++) {
    if (repetitions > 1) options.log(`  streams: repetition ${rep + 1} of ${repetitions}`);
    runs.push(await concurrentStreams(options));
  }
  return combineStreamRuns(runs);
}

/**
 * Per target and count: the median KB per stream, every run's figure beside it, and the RSS figures of the run
 * closest to the median; complete only when every run was.
 */
export function combineStreamRuns(runs) {
  const combined = {};
  for (const name of Object.keys(runs[0])) {
    combined[name] = runs[0][name].map((_, index) => {
      const results = runs.map((run) => run[name][index]).filter(Boolean);
      const middle = median(results.map((result) => result.kbPerStream));
      const sorted = [...results].sort(
        (a, b) =>
          Math.abs(a.kbPerStream - middle) - Math.abs(b.kbPerStream - middle) ||
          a.kbPerStream - b.kbPerStream,
      );
      return {
        ...sorted[0],
        kbPerStream: middle,
        kbPerStreamRuns: results.map((result) => result.kbPerStream),
        completed: Math.min(...results.map((result) => result.completed)),
        errors: Math.max(...results.map((result) => result.errors)),
      };
    });
  }
  return combined;
}

export async function concurrentStreams({ slowMock, counts, loadCore, log, root, core, workDir, onCleanup }) {
  const results = { junction: [], 'node-bare': [] };
  const available = await postgresAvailable();
  // With PostgreSQL: a data-plane process (T5's subject) beside a management plane on the load core.
  const pair =
    available === true
      ? await startDataPlanePair({
          root,
          core,
          managementCore: loadCore,
          workDir,
          mockUrl: 'http://127.0.0.1:9',
          onCleanup,
          label: 'streams',
        })
      : undefined;
  const store = pair
    ? `junction dataplane on PostgreSQL (${pair.database.name})`
    : 'junction serve, embedded store';
  log(`  streams: ${store}; node-bare reference`);
  const junction =
    pair?.dataPlane ?? (await startJunction({ root, core, dataDir: mkdtempSync(join(workDir, 'streams-')) }));
  const barePort = await freePort();
  const bare = spawnPinned(core, process.execPath, [
    BARE,
    `--port=${barePort}`,
    `--upstream=${slowMock.url}`,
    '--connections=20000',
  ]);
  try {
    await waitForPort(barePort);
    const secret = pair?.secret ?? (await configureJunction(junction.url, 'http://127.0.0.1:9')).secret;
    const model = await addSlowModel(pair?.management.url ?? junction.url, slowMock, GAP_MS);
    // The data plane picks the new model up from the store within its poll period.
    await waitFor(async () => (await modelServed(junction.url, secret, model)) === true, {
      timeoutMs: 30_000,
      what: `the data plane to serve ${model}`,
    });
    const runs = [
      {
        name: 'junction',
        pid: junction.pid,
        url: `${junction.url}/v1/chat/completions`,
        headers: { authorization: `Bearer ${secret}` },
        body: chatBody(model, true),
      },
      {
        name: 'node-bare',
        pid: bare.pid,
        url: `http://127.0.0.1:${barePort}/gap-${GAP_MS}/v1/chat/completions`,
        headers: {},
        body: chatBody('gpt-4o-mini', true),
      },
    ];
    // Warm-up: 200 streams each, so pools, buffers and compiled code exist before the baseline.
    await Promise.all(runs.map((run) => hold({ ...run, streams: 200, loadCore, log, quiet: true })));
    for (const asked of counts) {
      const streams = Math.min(asked, MAX_STREAMS);
      if (streams !== asked) log(`  streams: ${asked} asked, ${streams} run (open-file limit 20,000 here)`);
      for (const run of runs) {
        await sleep(2000);
        const result = await hold({ ...run, streams, loadCore, log });
        results[run.name].push({ ...result, asked, store: run.name === 'junction' ? store : undefined });
      }
    }
  } finally {
    await stopChild(bare);
    if (pair) await pair.stop().catch(() => {});
    else await stopChild(junction.child);
  }
  return results;
}
