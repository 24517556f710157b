/** The bench keeps the newest runs and profiles in bench/results/ and removes older ones. */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: the bench is plain JavaScript without type declarations.
import { pruneResults } from '../../bench/lib/results.mjs';

describe('the bench results folder', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the newest runs and profile folders, and the latest files and anything else', () => {
    dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
    const base = Date.now() / 1000 - 1000;
    for (let i = 0; i < 5; i++) {
      const run = join(dir, `bench-full-run${i}.json`);
      writeFileSync(run, '{}');
      utimesSync(run, base + i, base + i);
      const profile = join(dir, `cpuprofile-p${i}`);
      mkdirSync(profile);
      writeFileSync(join(profile, 'CPU.cpuprofile'), '{}');
      utimesSync(profile, base + i, base + i);
    }
    writeFileSync(join(dir, 'latest-full.json'), '{}');
    writeFileSync(join(dir, 'latest-full.txt'), '');
    writeFileSync(join(dir, 'notes.md'), '');
    const removed: string[] = pruneResults(dir, 2);
    expect(removed.sort()).toEqual([
      'bench-full-run0.json',
      'bench-full-run1.json',
      'bench-full-run2.json',
      'cpuprofile-p0',
      'cpuprofile-p1',
      'cpuprofile-p2',
    ]);
    expect(readdirSync(dir).sort()).toEqual([
      'bench-full-run3.json',
      'bench-full-run4.json',
      'cpuprofile-p3',
      'cpuprofile-p4',
      'latest-full.json',
      'latest-full.txt',
      'notes.md',
    ]);
    // Nothing more to remove the second time; a missing folder is no error.
    expect(pruneResults(dir, 2)).toEqual([]);
    expect(pruneResults(join(dir, 'none'), 2)).toEqual([]);
  });
});
