// A CPU profile of Junction under load (node --cpu-prof), written under bench/results/, summarised as the
// top self-time functions and the share of busy time per area (Junction's bundle, each package, Node
// internals, GC). Attribution is approximate: native work is charged to the nearest JavaScript frame.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configureJunction, MODELS, startJunction } from './junction.mjs';
import { chatBody } from './mock-bodies.mjs';
import { stopChild } from './proc.mjs';
import { runWrk } from './wrk.mjs';

function area(url) {
  if (!url) return 'native/other';
  if (url.includes('/dist/cli.js') || url.includes('/dist/chunks/')) return 'junction (dist/)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `package ${pkg[1]}`;
  if (url.startsWith('node:')) return 'node internals';
  return url.replace(/^file:\/\//, '');
}

/** Summarises a .cpuprofile: total, busy, top self-time functions, time per area. */
export function summariseProfile(path, top = 20, window = undefined) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  // Sample times are on the monotonic clock (µs), like process.hrtime: keep those inside the load window.
  const inWindow = (from, to) => {
    const self = new Map();
    let at = profile.startTime;
    profile.samples.forEach((id, i) => {
      at += profile.timeDeltas[i] ?? 0;
      if (at >= from && at <= to) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
    });
    return self;
  };
  let self = window ? inWindow(window.fromUs, window.toUs) : undefined;
  const windowed = Boolean(self && self.size > 0);
  if (!windowed) self = inWindow(-Infinity, Infinity);
  let total = 0;
  let idle = 0;
  const functions = new Map();
  const areas = new Map();
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id);
    total += us;
    if (callFrame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const special = callFrame.functionName.startsWith('(');
    const name = special
      ? callFrame.functionName
      : `${callFrame.functionName || '(anonymous)'} ${area(callFrame.url)}:${callFrame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    const where = special ? callFrame.functionName : area(callFrame.url);
    areas.set(where, (areas.get(where) ?? 0) + us);
  }
  const busy = total - idle;
  const share = (entries) =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({
        name,
        ms: Math.round(us / 1000),
        pctOfBusy: Number(((us / busy) * 100).toFixed(1)),
      }));
  return {
    file: path,
    windowed,
    totalMs: Math.round(total / 1000),
    busyMs: Math.round(busy / 1000),
    topSelf: share(functions),
    areas: share(areas),
  };
}

/** Profiles Junction at c64 for `seconds`; the .cpuprofile lands in `resultsDir`. */
export async function profileJunction({ root, core, loadCore, mock, workDir, resultsDir, seconds, log }) {
  mkdirSync(resultsDir, { recursive: true });
  const profileDir = mkdtempSync(join(resultsDir, 'cpuprofile-'));
  const window = {};
  const junction = await startJunction({
    root,
    core,
    dataDir: mkdtempSync(join(workDir, 'profile-')),
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
  });
  try {
    const { secret } = await configureJunction(junction.url, mock.url);
    const load = {
      core: loadCore,
      url: `${junction.url}/v1/chat/completions`,
      headers: { authorization: `Bearer ${secret}` },
      body: chatBody(MODELS.chat),
    };
    await runWrk({ ...load, connections: 32, seconds: 2 });
    log(`  profile: junction under chat c64 for ${seconds}s with --cpu-prof`);
    window.fromUs = Number(process.hrtime.bigint() / 1000n);
    await runWrk({ ...load, connections: 64, seconds });
    window.toUs = Number(process.hrtime.bigint() / 1000n);
  } finally {
    await stopChild(junction.child, 'SIGTERM', 15_000);
  }
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error('no .cpuprofile was written');
  return summariseProfile(join(profileDir, file), 20, window);
}
