// BENCH.md's targets T1–T8, each judged pass / fail / not measured from the summary.
const v = (id, figure, target, status, measured) => ({ id, figure, target, status, measured });
const f = (x, digits = 0) => (x == null ? 'n/a' : x.toFixed(digits));

export function verdicts({ summary, translation, scale, cold, streamForwarding, streams, dataplane }) {
  const j = summary.junction;
  const out = [];
  if (!j) return [v('T1–T8', 'all', '', 'not measured', 'junction was not run')];
  const bare = summary['node-bare'];
  const portkey = summary.portkey;
  const direct = summary.direct;

  // T1
  const cpu = j.cpuUsPerReq.c64;
  const vsBare = bare ? j.rps.c64 / bare.rps.c64 : null;
  const vsPortkey = portkey ? j.rps.c64 / portkey.rps.c64 : null;
  const t1 =
    cpu != null && cpu <= 100 && (vsBare == null || vsBare >= 0.75) && (vsPortkey == null || vsPortkey >= 11);
  out.push(
    v(
      'T1',
      'CPU per request (c64)',
      '≤ 100 µs; ≥ 0.75× node-bare req/s; ≥ 11× Portkey',
      t1 ? 'pass' : 'fail',
      `${f(cpu)} µs; ${f(j.rps.c64)} req/s = ${f(vsBare, 2)}× node-bare, ${vsPortkey == null ? 'Portkey not run' : `${f(vsPortkey, 1)}× Portkey`}`,
    ),
  );

  // T2
  if (direct) {
    const p50 = j.rateLatencyMs.p50 - direct.rateLatencyMs.p50;
    const p99 = j.rateLatencyMs.p99 - direct.rateLatencyMs.p99;
    out.push(
      v(
        'T2',
        'added latency at ~200 req/s',
        'p50 ≤ +0.6 ms, p99 ≤ +1.5 ms',
        p50 <= 0.6 && p99 <= 1.5 ? 'pass' : 'fail',
        `p50 +${f(p50, 2)} ms, p99 +${f(p99, 2)} ms` +
          (dataplane
            ? `; data-plane process on PostgreSQL, for information: p50 +${f(dataplane.rateP50Ms - direct.rateLatencyMs.p50, 2)} ms, p99 +${f(dataplane.rateP99Ms - direct.rateLatencyMs.p99, 2)} ms`
            : ''),
      ),
    );
  } else
    out.push(
      v('T2', 'added latency at ~200 req/s', 'p50 ≤ +0.6 ms, p99 ≤ +1.5 ms', 'not measured', 'no direct run'),
    );

  // T3
  const ratio = j.c64LatencyMs.p99 / j.c64LatencyMs.p50;
  out.push(
    v(
      'T3',
      'tail at saturation (c64)',
      'p99 ≤ 2× p50, zero errors',
      ratio <= 2 && j.errors.total === 0 ? 'pass' : 'fail',
      `p50 ${f(j.c64LatencyMs.p50, 2)} ms, p99 ${f(j.c64LatencyMs.p99, 2)} ms (${f(ratio, 2)}×); errors ${j.errors.total} of ${j.errors.requests}`,
    ),
  );

  // T4
  if (direct) {
    const added = j.ttfbMs.p50 - direct.ttfbMs.p50;
    const forwarded = streamForwarding?.forwarded;
    const ok = added <= 0.5 && forwarded !== false;
    out.push(
      v(
        'T4',
        'streaming TTFB; chunks not buffered',
        'TTFB ≤ direct + 0.5 ms; chunks forwarded as they arrive',
        ok ? 'pass' : 'fail',
        `TTFB +${f(added, 2)} ms (p50); ${streamForwarding ? streamForwarding.summary : 'chunk forwarding not checked'}`,
      ),
    );
  } else out.push(v('T4', 'streaming TTFB', 'TTFB ≤ direct + 0.5 ms', 'not measured', 'no direct run'));

  // T5: on the data-plane process when it ran (BENCH.md: "a data-plane process"); otherwise on `junction serve`,
  // whose figures include the embedded store. Both are printed.
  const memOk = dataplane
    ? dataplane.idleRssMb <= 80 && dataplane.peakC64Mb <= 110
    : j.rssMb.idleFirst <= 80 && j.rssMb.peakC64 <= 110;
  const perStream = streams?.junction?.length ? streams.junction : undefined;
  // Judged at the largest count run (fixed costs dominate small counts).
  const largest = perStream?.at(-1);
  const perStreamOk = largest
    ? largest.kbPerStream <= 20 && largest.completed === largest.streams
    : undefined;
  const t5 =
    !memOk || perStreamOk === false
      ? 'fail'
      : perStreamOk
        ? 'pass'
        : 'pass (idle/peak); per-stream not measured';
  out.push(
    v(
      'T5',
      'memory (RSS)',
      'idle ≤ 80 MB, peak ≤ 110 MB at c64; ≤ 20 KB per idle stream at 10,000 streams',
      t5,
      (dataplane
        ? `data-plane process: idle ${f(dataplane.idleRssMb)} MB, peak at c64 ${f(dataplane.peakC64Mb)} MB; junction serve (embedded store in the process): `
        : '') +
        `idle ${f(j.rssMb.idleFirst)} MB (median before each repetition ${f(j.rssMb.idle)} MB), peak at c64 ${f(j.rssMb.peakC64)} MB, peak overall ${f(j.rssMb.peak)} MB` +
        (scale ? `; on PostgreSQL (no embedded store) idle ${f(scale.tinyIdleRssMb)} MB` : '') +
        (perStream
          ? `; per in-flight stream (${perStream[0].store}): ${perStream.map((s) => `${f(s.kbPerStream, 1)} KB at ${s.streams} streams (${s.completed} completed)`).join(', ')}${largest.asked !== largest.streams ? ` (${largest.asked} asked; the open-file limit here allows ${largest.streams})` : ''}`
          : '; per-stream memory: not yet (needs the slow-stream run)'),
    ),
  );

  // T6: judged on the stream (BENCH.md's figure), on the median of the side-by-side repetitions (translation.mjs):
  // two fresh Junctions, the pass-through and the translated stream loaded at once. Without them
  // (--no-translation-pairs), against Junction's own pass-through stream run of the same connections and duration,
  // minutes apart.
  // The JSON ratio (against pass-through c32) is shown for information. A run with errors fails: failed requests
  // are cheap, so its CPU per request would flatter translation.
  const t = j.translation;
  const jsonNote = t
    ? `JSON ${f(t.cpuUsPerReq.chat)} µs vs pass-through c32 ${f(j.cpuUsPerReq.c32)} µs (${f(t.cpuUsPerReq.chat / j.cpuUsPerReq.c32, 2)}×, for information); `
    : '';
  if (translation?.pairs.length) {
    const errors = translation.pairs.reduce((sum, pair) => sum + pair.errors, 0) + (t?.errors.total ?? 0);
    out.push(
      v(
        'T6',
        'translation OpenAI ↔ Anthropic (stream)',
        'CPU ≤ 1.5× pass-through',
        translation.ratio <= 1.5 && errors === 0 ? 'pass' : 'fail',
        `${f(translation.ratio, 2)}× (median of ${translation.pairs.length} side-by-side ratios: ${translation.pairs.map((pair) => f(pair.ratio, 2)).join(', ')}); ${jsonNote}errors ${errors}`,
      ),
    );
  } else if (t) {
    const streamRatio = t.cpuUsPerReq.stream / j.cpuUsPerReq.stream;
    out.push(
      v(
        'T6',
        'translation OpenAI ↔ Anthropic (stream)',
        'CPU ≤ 1.5× pass-through',
        streamRatio <= 1.5 && t.errors.total === 0 ? 'pass' : 'fail',
        `stream ${f(t.cpuUsPerReq.stream)} µs vs pass-through stream ${f(j.cpuUsPerReq.stream)} µs (${f(streamRatio, 2)}×, runs minutes apart); ${jsonNote}errors ${t.errors.total} of ${t.errors.requests}`,
      ),
    );
  } else
    out.push(
      v(
        'T6',
        'translation OpenAI ↔ Anthropic (stream)',
        'CPU ≤ 1.5× pass-through',
        'not measured',
        'no translation runs',
      ),
    );

  // T7
  if (scale) {
    // The median of the repetitions' ratios: in each, both ran at once on fresh processes (scale.mjs).
    const delta = scale.pairedRatio - 1;
    out.push(
      v(
        'T7',
        'configuration scale',
        'CPU/req with 100,000 keys and 1,000 rules within 5 % of tiny',
        Math.abs(delta) <= 0.05 ? 'pass' : 'fail',
        `${delta >= 0 ? '+' : ''}${f(delta * 100, 1)} % (median of ${scale.pairs.length} side-by-side ratios); medians tiny ${f(scale.tinyCpuUs)} µs, large ${f(scale.largeCpuUs)} µs, on PostgreSQL; large start ${f(scale.largeStartMs)} ms`,
      ),
    );
  } else
    out.push(
      v(
        'T7',
        'configuration scale',
        'within 5 % of tiny',
        'not measured',
        'skipped (--quick, or PostgreSQL unavailable)',
      ),
    );

  // T8
  if (cold) {
    const existing = cold.existingMedianMs;
    const fresh = cold.freshMedianMs;
    out.push(
      v(
        'T8',
        'cold start to first served request (embedded store)',
        '≤ 1.5 s',
        existing <= 1500 && fresh <= 1500
          ? 'pass'
          : existing <= 1500
            ? 'pass (existing) / fail (fresh)'
            : 'fail',
        `existing data dir ${f(existing)} ms, fresh data dir ${f(fresh)} ms (medians)`,
      ),
    );
  } else out.push(v('T8', 'cold start', '≤ 1.5 s', 'not measured', 'skipped'));
  return out;
}
