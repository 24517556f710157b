#!/usr/bin/env node
// `npm run bench`: Junction side by side with direct calls, an nginx proxy, a bare Node pass-through and the
// Portkey gateway, all against one nginx mock on 127.0.0.1, following ../shared/BENCH.md (see bench/README.md).
//   node bench/run.mjs                 full run: 3 repetitions, 10 s runs, every target and scenario (about 25 min)
//   node bench/run.mjs --quick         CI smoke: 1 repetition, 3 s runs, junction + direct + node-bare only
// Other flags: --targets=a,b  --reps=N  --scale-reps=N (T6 and T7 repetitions)  --seconds=N  --no-scale
//   --no-translation-pairs  --no-cold  --no-profile  --no-streams  --no-dataplane
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, hostname, release } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coldStartScenario } from './lib/coldstart.mjs';
import { repeatedStreams } from './lib/concurrent-streams.mjs';
import { dataPlaneScenario } from './lib/dataplane.mjs';
import { ensureTools } from './lib/deps.mjs';
import { ensureBuilt } from './lib/junction.mjs';
import { startMock } from './lib/nginx.mjs';
import { passthroughRepetition } from './lib/passthrough.mjs';
import { postgresAvailable } from './lib/pgdb.mjs';
import { installCleanup, stopAll, stopChild } from './lib/proc.mjs';
import { profileJunction } from './lib/profile.mjs';
import { profileText, targetsTable, verdictTable } from './lib/report.mjs';
import { KEEP_RUNS, pruneResults } from './lib/results.mjs';
import { scaleScenario } from './lib/scale.mjs';
import { median, summariseTarget } from './lib/stats.mjs';
import { addSlowModel, forwardingCheck, startSlowMock } from './lib/streams.mjs';
import { newWorkDir, startTarget, TARGET_NAMES } from './lib/targets.mjs';
import { translationPairs, translationRepetition } from './lib/translation.mjs';
import { verdicts } from './lib/verdicts.mjs';
import { removeWrkFiles } from './lib/wrk.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(ROOT, 'bench', 'results');
const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const quick = flag('quick');

const plan = {
  // A full run given any option (fewer targets, repetitions, seconds, scenarios skipped) is a partial one: its
  // results go to latest-partial.*, leaving latest-full.* to the last run of everything.
  mode: quick ? 'quick' : args.some((a) => !a.startsWith('--redo-budget=')) ? 'partial' : 'full',
  targets: option('targets')?.split(',') ?? (quick ? ['direct', 'node-bare', 'junction'] : TARGET_NAMES),
  repetitions: Number(option('reps') ?? (quick ? 1 : 3)),
  // T7 compares two configurations within 5 %, finer than this machine's drift between runs: more pairs.
  scaleRepetitions: Number(option('scale-reps') ?? option('reps') ?? 5),
  // T6 likewise compares two figures side by side: repetitions of a pair of fresh Junctions (one in the smoke, so
  // that the path T6 is judged by runs in CI too).
  translationRepetitions: flag('no-translation-pairs')
    ? 0
    : Number(option('scale-reps') ?? option('reps') ?? (quick ? 1 : 5)),
  seconds: Number(option('seconds') ?? (quick ? 3 : 10)),
  warmupSeconds: quick ? 1 : 2,
  rate: 200,
  rateSeconds: quick ? 3 : 8,
  shortSeconds: quick ? 2 : 5,
  ttfbRate: 100,
  ttfbSeconds: quick ? 2 : 3,
  redos: quick ? 0 : 2,
  scale: !quick && !flag('no-scale'),
  dataplane: !quick && !flag('no-dataplane'),
  cold: !flag('no-cold'),
  coldRepetitions: quick ? 1 : 3,
  profile: !quick && !flag('no-profile'),
  profileSeconds: 8,
  streams: !quick && !flag('no-streams'),
  streamCounts: (option('streams') ?? '1000,10000').split(',').map(Number),
};
for (const name of plan.targets) if (!TARGET_NAMES.includes(name)) throw new Error(`unknown target ${name}`);

const began = Date.now();
const log = (line) => console.log(`[${((Date.now() - began) / 1000).toFixed(0).padStart(4)}s] ${line}`);
const cleanups = [];
const finish = installCleanup(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

// Redos of disturbed runs are bounded in total so the full run stays under 20 minutes.
const budget = {
  redoSecondsLeft: quick ? 0 : Number(option('redo-budget') ?? 60),
  allowRedo() {
    return this.redoSecondsLeft > 0;
  },
  spend(seconds) {
    this.redoSecondsLeft -= seconds;
  },
};

const cores = availableParallelism();
const LOAD_CORE = 0;
const TARGET_CORE = cores > 1 ? 1 : 0;

async function main() {
  log(
    `junction bench, ${plan.mode} mode: targets ${plan.targets.join(', ')}; ${plan.repetitions} repetition(s) of ${plan.seconds} s runs`,
  );
  if (cores < 2)
    log('WARNING: one CPU only: the load generator and the target share it; figures are not per core');
  const tools = ensureTools(log);
  log(`tools: nginx ${tools.nginx}; ${tools.wrk}; node ${tools.node}`);
  ensureBuilt(ROOT, log);
  const workDir = newWorkDir();
  cleanups.push(async () => rmSync(workDir, { recursive: true, force: true }));
  cleanups.push(async () => removeWrkFiles());

  const mock = await startMock(join(workDir, 'mock'), LOAD_CORE);
  log(
    `mock upstream (nginx) on ${mock.url}, pinned to core ${LOAD_CORE} with the load; targets on core ${TARGET_CORE}`,
  );

  const targets = {};
  for (const name of plan.targets) {
    targets[name] = await startTarget(name, { core: TARGET_CORE, mock, root: ROOT, workDir });
    log(
      `target ${name} ready (${targets[name].info}${targets[name].pid ? `, pid ${targets[name].pid}` : ''})`,
    );
  }

  // Repetitions interleaved by target, so drift on a shared machine spreads over every target alike.
  const reps = Object.fromEntries(plan.targets.map((name) => [name, []]));
  for (let rep = 0; rep < plan.repetitions; rep++) {
    log(`repetition ${rep + 1} of ${plan.repetitions}`);
    for (const name of plan.targets) {
      const context = { mock, loadCore: LOAD_CORE, plan, budget, log };
      const result = await passthroughRepetition(targets[name], context);
      // Right after the same target's pass-through runs, so T6's ratios compare figures of one repetition.
      if (targets[name].translation) result.translation = await translationRepetition(targets[name], context);
      reps[name].push(result);
    }
  }
  const summary = Object.fromEntries(plan.targets.map((name) => [name, summariseTarget(reps[name])]));

  let streamForwarding;
  let slowMock;
  if (targets.junction) {
    slowMock = await startSlowMock(LOAD_CORE);
    const junctionUrl = new URL(targets.junction.routes.chat.url).origin;
    const secret = targets.junction.routes.chat.headers.authorization.slice('Bearer '.length);
    const model = await addSlowModel(junctionUrl, slowMock, 20);
    streamForwarding = await forwardingCheck({ slowMock, junctionUrl, secret, model });
    log(`stream forwarding: ${streamForwarding.summary}`);
  }
  for (const target of Object.values(targets)) await stopChild(target.child);
  // What the scenarios run on fresh processes of their own (T6 side by side, and on PostgreSQL T7 and T5 on a
  // data-plane process) run with.
  const scenarioContext = {
    root: ROOT,
    core: TARGET_CORE,
    loadCore: LOAD_CORE,
    mock,
    workDir,
    plan,
    budget,
    log,
    onCleanup: (fn) => cleanups.push(fn),
  };
  let translation;
  if (plan.translationRepetitions > 0 && targets.junction) {
    log('T6: pass-through and translated streams side by side on pairs of fresh Junctions');
    const pairs = await translationPairs(scenarioContext);
    translation = { pairs, ratio: median(pairs.map((pair) => pair.ratio)) };
  }
  let streams;
  if (slowMock && plan.streams) {
    log(`concurrent slow streams (${plan.streamCounts.join(', ')}) for memory per stream`);
    streams = await repeatedStreams(
      {
        slowMock,
        counts: plan.streamCounts,
        loadCore: LOAD_CORE,
        log,
        root: ROOT,
        core: TARGET_CORE,
        workDir,
        onCleanup: (fn) => cleanups.push(fn),
      },
      plan.repetitions,
    );
  }
  if (slowMock) await stopChild(slowMock.child);

  let scale;
  if (plan.scale && plan.targets.includes('junction')) {
    const available = await postgresAvailable();
    if (available === true) {
      const raw = await scaleScenario(scenarioContext);
      scale = {
        ...raw,
        tinyCpuUs: median(raw.runs.tiny.map((r) => r.cpuUsPerReq)),
        largeCpuUs: median(raw.runs.large.map((r) => r.cpuUsPerReq)),
        pairedRatio: median(raw.pairs.map((pair) => pair.ratio)),
        tinyRps: median(raw.runs.tiny.map((r) => r.rps)),
        largeRps: median(raw.runs.large.map((r) => r.rps)),
        tinyIdleRssMb: raw.idleRssKb.tiny / 1024,
        largeIdleRssMb: raw.idleRssKb.large / 1024,
      };
    } else log(`scale scenario skipped: PostgreSQL on 127.0.0.1:5432 is not available (${available})`);
  }

  // T5 is judged on a data-plane process (`junction dataplane` on PostgreSQL beside a management plane).
  let dataplane;
  if (plan.dataplane && plan.targets.includes('junction')) {
    const available = await postgresAvailable();
    if (available === true) {
      log(
        'data-plane process (junction dataplane on PostgreSQL, a junction serve beside it on the load core)',
      );
      const raw = await dataPlaneScenario(scenarioContext);
      dataplane = {
        ...raw,
        idleRssMb: raw.idleRssKb / 1024,
        peakC64Mb: Math.max(...raw.runs.map((r) => r.peakRssKb)) / 1024,
        cpuUs: median(raw.runs.map((r) => r.cpuUsPerReq)),
        rps: median(raw.runs.map((r) => r.rps)),
        p50Ms: median(raw.runs.map((r) => r.p50Ms)),
        p99Ms: median(raw.runs.map((r) => r.p99Ms)),
        errors: raw.runs.reduce((sum, r) => sum + r.errors, 0),
        rateP50Ms: median(raw.rateRuns.map((r) => r.p50Ms)),
        rateP99Ms: median(raw.rateRuns.map((r) => r.p99Ms)),
      };
    } else log(`data-plane scenario skipped: PostgreSQL on 127.0.0.1:5432 is not available (${available})`);
  }

  let cold;
  if (plan.cold && plan.targets.includes('junction')) {
    const raw = await coldStartScenario({
      root: ROOT,
      core: TARGET_CORE,
      mock,
      workDir,
      repetitions: plan.coldRepetitions,
      log,
    });
    cold = { ...raw, freshMedianMs: median(raw.freshMs), existingMedianMs: median(raw.existingMs) };
  }

  let profile;
  if (plan.profile && plan.targets.includes('junction')) {
    profile = await profileJunction({
      root: ROOT,
      core: TARGET_CORE,
      loadCore: LOAD_CORE,
      mock,
      workDir,
      resultsDir: RESULTS,
      seconds: plan.profileSeconds,
      log,
    });
    profile.file = relative(ROOT, profile.file);
  }

  await stopChild(mock.child);
  const judged = verdicts({ summary, translation, scale, cold, streamForwarding, streams, dataplane });
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  const header = `Junction bench, ${plan.mode} mode, ${new Date().toISOString()}, ${hostname()} (${cores} CPUs, ${cpu}, Linux ${release()}), node ${process.version}, ${tools.nginx}, wrk ${tools.wrk.split(' ')[1] ?? ''}`;
  const lines = [
    '',
    header,
    `${plan.repetitions} repetition(s), medians; closed-loop runs ${plan.seconds} s (stream/embeddings/translation ${plan.shortSeconds} s), fixed rate ${plan.rate} req/s for ${plan.rateSeconds} s, TTFB at ${plan.ttfbRate} req/s for ${plan.ttfbSeconds} s.`,
    `Load (wrk / Node client) and nginx mock on core ${LOAD_CORE}; each target alone on core ${TARGET_CORE}. direct and nginx req/s are bound by the load core.`,
    '',
    targetsTable(summary),
    '',
    verdictTable(judged),
  ];
  if (dataplane) {
    lines.push(
      '',
      `Data-plane process (junction dataplane on PostgreSQL, c64, ${plan.repetitions} repetitions): ${dataplane.cpuUs?.toFixed(0)} µs/req, ${dataplane.rps?.toFixed(0)} req/s, p50 ${dataplane.p50Ms.toFixed(2)} / p99 ${dataplane.p99Ms.toFixed(2)} ms, RSS idle ${dataplane.idleRssMb.toFixed(0)} → peak ${dataplane.peakC64Mb.toFixed(0)} MB, errors ${dataplane.errors}; at ${plan.rate} req/s p50 ${dataplane.rateP50Ms.toFixed(2)} / p99 ${dataplane.rateP99Ms.toFixed(2)} ms${summary.direct ? ` (added vs direct: p50 +${(dataplane.rateP50Ms - summary.direct.rateLatencyMs.p50).toFixed(2)} / p99 +${(dataplane.rateP99Ms - summary.direct.rateLatencyMs.p99).toFixed(2)} ms)` : ''}`,
    );
  }
  if (scale) {
    lines.push(
      '',
      `T7 detail (PostgreSQL, ${scale.pairs.length} repetitions on fresh processes, tiny and large side by side at c32 each; large/tiny in each: ${scale.pairs.map((pair) => `${pair.ratio >= 1 ? '+' : ''}${((pair.ratio - 1) * 100).toFixed(1)} %`).join(', ')}): tiny ${scale.tinyCpuUs?.toFixed(0)} µs/req, ${scale.tinyRps?.toFixed(0)} req/s, idle RSS ${scale.tinyIdleRssMb.toFixed(0)} MB; large (${scale.scale.keys} keys, ${scale.scale.providers} provider entries, ${scale.scale.models} models) ${scale.largeCpuUs?.toFixed(0)} µs/req, ${scale.largeRps?.toFixed(0)} req/s, idle RSS ${scale.largeIdleRssMb.toFixed(0)} MB, restart ${scale.largeStartMs} ms`,
    );
  }
  if (translation) {
    const times = (ratio) => `${ratio.toFixed(2)}×`;
    lines.push(
      '',
      `T6 detail (${translation.pairs.length} repetitions on fresh pairs of Junctions, the pass-through and the translated stream side by side at c32 each; translated/pass-through in each: ${translation.pairs.map((pair) => times(pair.ratio)).join(', ')}): pass-through ${median(translation.pairs.map((pair) => pair.passthrough)).toFixed(0)} µs/req, translated ${median(translation.pairs.map((pair) => pair.translated)).toFixed(0)} µs/req (medians), errors ${translation.pairs.reduce((sum, pair) => sum + pair.errors, 0)}`,
    );
  }
  if (cold)
    lines.push(
      '',
      `T8 detail: fresh data dir ${cold.freshMs.map((x) => x.toFixed(0)).join(', ')} ms; existing data dir ${cold.existingMs.map((x) => x.toFixed(0)).join(', ')} ms`,
    );
  if (streams) {
    for (const [name, list] of Object.entries(streams)) {
      for (const s of list)
        lines.push(
          `T5 streams, ${s.store ?? name}: ${s.streams} concurrent slow streams: RSS ${s.rssBeforeMb.toFixed(0)} → ${s.rssHeldMb.toFixed(0)} MB (${s.kbPerStream.toFixed(1)} KB per stream${s.kbPerStreamRuns?.length > 1 ? `, median of ${s.kbPerStreamRuns.map((kb) => kb.toFixed(1)).join(', ')}` : ''}), ${s.completed} completed, ${s.errors} errors`,
        );
    }
  }
  if (profile) lines.push('', profileText(profile));
  console.log(lines.join('\n'));

  mkdirSync(RESULTS, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(RESULTS, `bench-${plan.mode}-${stamp}.json`);
  const document = {
    header,
    plan,
    tools,
    machine: { cores, cpu, release: release() },
    summary,
    verdicts: judged,
    translation,
    scale,
    dataplane,
    cold,
    streamForwarding,
    streams,
    profile,
    raw: reps,
    elapsedSeconds: (Date.now() - began) / 1000,
  };
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  writeFileSync(join(RESULTS, `latest-${plan.mode}.json`), `${JSON.stringify(document, null, 2)}\n`);
  writeFileSync(join(RESULTS, `latest-${plan.mode}.txt`), `${lines.join('\n')}\n`);
  log(`results written to ${relative(ROOT, file)} (${((Date.now() - began) / 60000).toFixed(1)} min)`);
  const pruned = pruneResults(RESULTS);
  if (pruned.length)
    log(
      `removed ${pruned.length} older result(s) from bench/results/ (the newest ${KEEP_RUNS} runs and profiles stay)`,
    );

  // A smoke run fails only when a path is broken (every request of a target, or of its translation runs,
  // failed), never on timings.
  const allFailed = (errors) => errors && errors.requests > 0 && errors.total >= errors.requests;
  const broken = Object.entries(summary).filter(
    ([, s]) => allFailed(s.errors) || allFailed(s.translation?.errors),
  );
  if (broken.length) {
    console.error(`every request failed for: ${broken.map(([name]) => name).join(', ')}`);
    return 1;
  }
  return 0;
}

main()
  .then(async (code) => {
    await stopAll();
    await finish(code);
  })
  .catch(async (error) => {
    console.error(`bench failed: ${error.stack ?? error.message}`);
    await stopAll();
    await finish(1);
  });
