// Wraps one load run: the target's CPU (utime+stime from /proc/<pid>/stat, before and after), its RSS sampled
// every 100 ms, and the CPU the rest of the machine used meanwhile (all CPUs from /proc/stat, minus the target,
// the mock and the bench itself with its finished children: wrk and the rate client; and `helperPids`, processes
// that work for the target as the mock does, and `helperTrees`, processes counted with all their children, such as a
// PostgreSQL server whose backends and maintenance workers store the target's usage rows). A run where
// that "other" CPU exceeds 10 % of one core is redone (bounded), and flagged if it stays disturbed.
import { cpuTicks, HZ, machineBusyTicks, rssKb, sleep, treeTicks } from './proc.mjs';

export const DISTURBED_FRACTION = 0.1;

/** Runs `load()` once while measuring; returns the load's result plus cpu, rss and disturbance figures. */
/** CPU ticks of the processes that work for the target (a PID that has exited counts 0). */
const helperTicks = (pids = [], trees = []) =>
  pids.reduce((sum, pid) => sum + (cpuTicks(pid) ?? 0), 0) +
  trees.reduce((sum, pid) => sum + treeTicks(pid), 0);

export async function measureOnce({ targetPid, mockPid, helperPids, helperTrees, load }) {
  const before = {
    target: targetPid ? cpuTicks(targetPid) : 0,
    mock: (cpuTicks(mockPid) ?? 0) + helperTicks(helperPids, helperTrees),
    self: cpuTicks(process.pid, true),
    busy: machineBusyTicks(),
    at: process.hrtime.bigint(),
  };
  let peak = targetPid ? (rssKb(targetPid) ?? 0) : 0;
  const sampler = targetPid
    ? setInterval(() => {
        peak = Math.max(peak, rssKb(targetPid) ?? 0);
      }, 100)
    : undefined;
  let result;
  try {
    result = await load();
  } finally {
    if (sampler) clearInterval(sampler);
  }
  const after = {
    target: targetPid ? cpuTicks(targetPid) : 0,
    mock: (cpuTicks(mockPid) ?? 0) + helperTicks(helperPids, helperTrees),
    self: cpuTicks(process.pid, true),
    busy: machineBusyTicks(),
    at: process.hrtime.bigint(),
  };
  if (targetPid && after.target === undefined) throw new Error(`target ${targetPid} died during the run`);
  const seconds = Number(after.at - before.at) / 1e9;
  const targetTicks = after.target - before.target;
  const ownTicks = targetTicks + (after.mock - before.mock) + (after.self - before.self);
  const otherTicks = Math.max(0, after.busy - before.busy - ownTicks);
  const requests = result.requests ?? result.sent;
  return {
    ...result,
    seconds,
    targetCpuMs: (targetTicks / HZ) * 1000,
    cpuUsPerReq: targetPid && requests ? ((targetTicks / HZ) * 1e6) / requests : null,
    otherCoreFraction: otherTicks / HZ / seconds,
    peakRssKb: targetPid ? Math.max(peak, rssKb(targetPid) ?? 0) : null,
  };
}

/** Other CPU (fraction of a core) over a `ms` window while the bench is idle. */
async function otherLoad({ targetPid, mockPid, helperPids, helperTrees }, ms) {
  const own = () =>
    (targetPid ? (cpuTicks(targetPid) ?? 0) : 0) +
    (cpuTicks(mockPid) ?? 0) +
    helperTicks(helperPids, helperTrees) +
    cpuTicks(process.pid, true);
  const busy0 = machineBusyTicks();
  const own0 = own();
  await sleep(ms);
  return (machineBusyTicks() - busy0 - (own() - own0)) / HZ / (ms / 1000);
}

/** Waits (at most `maxMs`) until a 1-second window shows other CPU under the threshold. */
export async function waitForQuiet(options, maxMs) {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    if ((await otherLoad(options, 1000)) <= DISTURBED_FRACTION) return true;
  }
  return false;
}

/**
 * Waits (at most `maxMs`) until the processes `pids` and the process trees `trees` together use under `fraction`
 * of a core over a 1-second window: a process still finishing the work of an earlier run (a Junction storing its
 * usage rows, the database server writing them) is let finish before the next run starts.
 */
export async function waitForIdle(pids, maxMs, { fraction = 0.05, trees = [] } = {}) {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const before = helperTicks(pids, trees);
    await sleep(1000);
    if ((helperTicks(pids, trees) - before) / HZ <= fraction) return true;
  }
  return false;
}

/**
 * measureOnce, redone while disturbed (other CPU > 10 % of a core), at most `redos` times and only while
 * `budget.remaining()` allows; keeps the least disturbed run and marks it `disturbed` if it still is.
 */
export async function measure(options, { redos = 2, budget, log = () => {} } = {}) {
  let best;
  for (let attempt = 0; attempt <= redos; attempt++) {
    const started = Date.now();
    const run = await measureOnce(options);
    if (attempt > 0) budget?.spend((Date.now() - started) / 1000);
    run.attempts = attempt + 1;
    if (!best || run.otherCoreFraction < best.otherCoreFraction) best = { ...run, attempts: attempt + 1 };
    if (run.otherCoreFraction <= DISTURBED_FRACTION) break;
    if (attempt === redos || (budget && !budget.allowRedo())) break;
    log(
      `    disturbed (other processes used ${(run.otherCoreFraction * 100).toFixed(0)} % of a core): waiting for a quiet machine, then redoing`,
    );
    const redoStarted = Date.now();
    await waitForQuiet(options, 10_000);
    budget?.spend((Date.now() - redoStarted) / 1000);
  }
  best.disturbed = best.otherCoreFraction > DISTURBED_FRACTION;
  return best;
}

/**
 * Two processes loaded at once on the core they share (`first` and `second`, each `{ pid, load }`), so that the
 * machine's drift slows both alike and their ratio holds where runs one after the other drift apart by a fifth.
 * `first` is measured as the target (CPU, RSS, disturbance, redone while disturbed); `second` is counted with the
 * mock, and its own CPU a request is read around the same load. Returns `{ first, second, ratio }`, the ratio being
 * second's CPU a request over first's.
 */
export async function measureSideBySide(
  { first, second, mockPid, helperPids = [], helperTrees = [] },
  options,
) {
  const run = await measure(
    {
      targetPid: first.pid,
      mockPid,
      helperPids: [second.pid, ...helperPids],
      helperTrees,
      load: async () => {
        const before = cpuTicks(second.pid);
        const [a, b] = await Promise.all([first.load(), second.load()]);
        const after = cpuTicks(second.pid);
        if (after === undefined) throw new Error(`process ${second.pid} died during the run`);
        const requests = b.requests ?? b.sent;
        const cpuUsPerReq = requests ? (((after - before) / HZ) * 1e6) / requests : null;
        return { ...a, second: { ...b, cpuUsPerReq } };
      },
    },
    options,
  );
  const { second: other, ...own } = run;
  return {
    first: own,
    second: { ...other, otherCoreFraction: run.otherCoreFraction, disturbed: run.disturbed },
    ratio: other.cpuUsPerReq / own.cpuUsPerReq,
  };
}
