// bench/results/ keeps each run's JSON (`bench-<mode>-<time>.json`) and CPU profile folder (`cpuprofile-*`), plus the
// latest run of each mode (`latest-<mode>.json`/`.txt`). Older runs are pruned so the folder does not grow without
// bound: the newest `keep` of each kind stay.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const KEEP_RUNS = 20;

/** Removes all but the newest `keep` run files and `keep` profile folders in `dir`; returns the names removed. */
export function pruneResults(dir, keep = KEEP_RUNS) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const newestFirst = (list) =>
    list
      .map((name) => ({ name, mtime: statSync(join(dir, name)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name))
      .map((entry) => entry.name);
  const removed = [];
  for (const kind of [/^bench-.*\.json$/, /^cpuprofile-/]) {
    for (const name of newestFirst(names.filter((n) => kind.test(n))).slice(keep)) {
      rmSync(join(dir, name), { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}
