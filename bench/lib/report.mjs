// The stdout tables: every target side by side, then the T1–T8 verdicts and the extra scenarios.
const n = (x, digits = 0) =>
  x == null || Number.isNaN(x)
    ? '–'
    : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pair = (a, b, digits = 2) => (a == null && b == null ? '–' : `${n(a, digits)} / ${n(b, digits)}`);
const signed = (x, digits = 2) => (x == null ? '–' : `${x >= 0 ? '+' : ''}${n(x, digits)}`);

/** A Markdown table; `align` is one 'l' or 'r' per column (default: first left, the rest right). */
function table(headers, rows, align = headers.map((_, i) => (i === 0 ? 'l' : 'r'))) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const cell = (c, i) => (align[i] === 'l' ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]));
  const line = (cells) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (align[i] === 'l' ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

export function targetsTable(summary) {
  const names = Object.keys(summary);
  const d = summary.direct;
  const col = (pick) => names.map((name) => pick(summary[name], name));
  const added = (pick) => (s, name) => (!d || name === 'direct' ? '–' : signed(pick(s) - pick(d)));
  const rows = [
    ['CPU µs/req, c64 (T1)', ...col((s) => n(s.cpuUsPerReq.c64))],
    ['CPU µs/req, c32', ...col((s) => n(s.cpuUsPerReq.c32))],
    ['CPU µs/req, at ~200 req/s', ...col((s) => n(s.cpuUsPerReq.rate))],
    ['req/s c32', ...col((s) => n(s.rps.c32))],
    ['req/s c64', ...col((s) => n(s.rps.c64))],
    ['c64 latency p50 / p99 ms (T3)', ...col((s) => pair(s.c64LatencyMs.p50, s.c64LatencyMs.p99))],
    ['~200 req/s latency p50 / p99 ms', ...col((s) => pair(s.rateLatencyMs.p50, s.rateLatencyMs.p99))],
    ['  added p50 vs direct ms (T2)', ...col(added((s) => s.rateLatencyMs.p50))],
    ['  added p99 vs direct ms (T2)', ...col(added((s) => s.rateLatencyMs.p99))],
    ['stream req/s c32', ...col((s) => n(s.rps.stream))],
    ['stream CPU µs/req', ...col((s) => n(s.cpuUsPerReq.stream))],
    ['stream TTFB p50 / p99 ms', ...col((s) => pair(s.ttfbMs.p50, s.ttfbMs.p99))],
    ['  TTFB added vs direct ms (T4)', ...col(added((s) => s.ttfbMs.p50))],
    ['embeddings req/s c64', ...col((s) => n(s.rps.embed))],
    ['embeddings CPU µs/req', ...col((s) => n(s.cpuUsPerReq.embed))],
    // Only Junction translates; the references show – here.
    ['Anthropic translation CPU µs/req (T6)', ...col((s) => n(s.translation?.cpuUsPerReq.chat))],
    ['  stream CPU µs/req (T6)', ...col((s) => n(s.translation?.cpuUsPerReq.stream))],
    ['  req/s c32 JSON / stream', ...col((s) => pair(s.translation?.rps.chat, s.translation?.rps.stream, 0))],
    [
      '  errors; disturbed',
      ...col((s) =>
        s.translation
          ? `${n(s.translation.errors.total)} / ${n(s.translation.errors.requests)}; ${s.translation.otherCpu.disturbedRuns}/${s.translation.otherCpu.runs}`
          : '–',
      ),
    ],
    [
      'RSS idle → peak MB (T5)',
      ...col((s) => (s.rssMb.idleFirst == null ? '–' : `${n(s.rssMb.idleFirst)} → ${n(s.rssMb.peak)}`)),
    ],
    ['RSS peak during c64 MB', ...col((s) => n(s.rssMb.peakC64))],
    ['errors (non-2xx + socket)', ...col((s) => `${n(s.errors.total)} / ${n(s.errors.requests)}`)],
    [
      'other CPU max % core; disturbed',
      ...col((s) => `${n(s.otherCpu.maxPctOfCore)} %; ${s.otherCpu.disturbedRuns}/${s.otherCpu.runs}`),
    ],
  ];
  return table(['figure (median of repetitions)', ...names], rows);
}

export function verdictTable(list) {
  return table(
    ['#', 'figure', 'target', 'status', 'measured'],
    list.map((x) => [x.id, x.figure, x.target, x.status, x.measured]),
    ['l', 'l', 'l', 'l', 'l'],
  );
}

export function profileText(profile) {
  if (!profile) return '';
  const lines = [
    `CPU profile of junction at c64 (${profile.windowed ? 'load window only' : 'whole process life'}): busy ${profile.busyMs} ms of ${profile.totalMs} ms; ${profile.file}`,
  ];
  lines.push('  busy time by area:');
  for (const a of profile.areas.slice(0, 12))
    lines.push(`    ${String(a.pctOfBusy).padStart(5)} %  ${a.name}`);
  lines.push('  top self-time functions:');
  for (const x of profile.topSelf.slice(0, 20))
    lines.push(`    ${String(x.pctOfBusy).padStart(5)} %  ${x.name}`);
  return lines.join('\n');
}
