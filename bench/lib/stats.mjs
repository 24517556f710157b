// Medians and the per-target summary of the repetitions.
export function median(values) {
  const list = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (list.length === 0) return null;
  const mid = Math.floor(list.length / 2);
  return list.length % 2 ? list[mid] : (list[mid - 1] + list[mid]) / 2;
}

const RUNS = ['c32', 'c64', 'rate', 'stream', 'ttfb', 'embed'];
const TRANSLATION_RUNS = ['chat', 'stream'];

/**
 * The translation runs (T6) of a target that has them, apart from the pass-through figures: their errors say
 * whether translation works, not whether pass-through does.
 */
function summariseTranslation(reps) {
  if (!reps.every((rep) => rep.translation)) return undefined;
  const m = (pick) => median(reps.map((rep) => pick(rep.translation)));
  const all = reps.flatMap((rep) => TRANSLATION_RUNS.map((run) => rep.translation[run]));
  return {
    cpuUsPerReq: { chat: m((t) => t.chat.cpuUsPerReq), stream: m((t) => t.stream.cpuUsPerReq) },
    rps: { chat: m((t) => t.chat.rps), stream: m((t) => t.stream.rps) },
    errors: {
      total: all.reduce((sum, run) => sum + run.errors, 0),
      requests: all.reduce((sum, run) => sum + run.requests, 0),
    },
    otherCpu: {
      maxPctOfCore: Math.max(...all.map((run) => run.otherCoreFraction)) * 100,
      disturbedRuns: all.filter((run) => run.disturbed).length,
      runs: all.length,
    },
  };
}

/** Summarises a target's repetitions: medians of each figure, max RSS, total errors, disturbed runs. */
export function summariseTarget(reps) {
  const m = (pick) => median(reps.map(pick));
  const all = reps.flatMap((rep) => RUNS.map((run) => rep[run]));
  return {
    cpuUsPerReq: {
      c64: m((r) => r.c64.cpuUsPerReq),
      c32: m((r) => r.c32.cpuUsPerReq),
      rate: m((r) => r.rate.cpuUsPerReq),
      stream: m((r) => r.stream.cpuUsPerReq),
      embed: m((r) => r.embed.cpuUsPerReq),
    },
    rps: {
      c32: m((r) => r.c32.rps),
      c64: m((r) => r.c64.rps),
      stream: m((r) => r.stream.rps),
      embed: m((r) => r.embed.rps),
    },
    c64LatencyMs: { p50: m((r) => r.c64.p50Ms), p99: m((r) => r.c64.p99Ms) },
    rateLatencyMs: {
      p50: m((r) => r.rate.p50Ms),
      p99: m((r) => r.rate.p99Ms),
      achievedRps: m((r) => r.rate.achievedRps),
    },
    ttfbMs: { p50: m((r) => r.ttfb.p50Ms), p99: m((r) => r.ttfb.p99Ms) },
    rssMb: {
      idleFirst: reps[0].idleRssKb == null ? null : reps[0].idleRssKb / 1024,
      idle: m((r) => (r.idleRssKb == null ? null : r.idleRssKb / 1024)),
      peak:
        reps[0].peakRssKb == null
          ? null
          : Math.max(...reps.map((r) => Math.max(r.peakRssKb, r.idleRssKb ?? 0))) / 1024,
      peakC64: reps[0].c64.peakRssKb == null ? null : Math.max(...reps.map((r) => r.c64.peakRssKb)) / 1024,
    },
    errors: {
      c64: reps.reduce((sum, r) => sum + r.c64.errors, 0),
      total: all.reduce((sum, run) => sum + (run.errors ?? 0) + (run.incomplete ?? 0), 0),
      requests: all.reduce((sum, run) => sum + (run.requests ?? run.sent ?? 0), 0),
    },
    otherCpu: {
      maxPctOfCore: Math.max(...all.map((run) => run.otherCoreFraction)) * 100,
      disturbedRuns: all.filter((run) => run.disturbed).length,
      runs: all.length,
    },
    translation: summariseTranslation(reps),
  };
}
