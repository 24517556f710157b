/**
 * The serving process's heap bounds (src/server/heap.ts): the young generation held at two 8 MB semi-spaces and the
 * old generation's growth at 30 %, unless the operator gave V8 flags of their own. Checked with fakes for the
 * decisions, and in a real Node process for the young generation's size under churn.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { boundHeap, OLD_GENERATION_GROWTH_PERCENT, YOUNG_GENERATION_BYTES } from '../../src/server/heap.js';

const MB = 1024 * 1024;

/** boundHeap with fakes: the young generation's size as the test sets it, and the flags it set. */
function fake(execArgv: string[] = [], nodeOptions?: string) {
  const set: string[] = [];
  let size = 1 * MB;
  let onGc: (() => void) | undefined;
  const bounds = boundHeap({
    execArgv,
    nodeOptions,
    youngSize: () => size,
    setFlags: (flags) => set.push(flags),
    observe: (callback) => {
      onGc = callback;
      return () => {
        onGc = undefined;
      };
    },
  });
  const gc = (youngBytes: number) => {
    size = youngBytes;
    onGc?.();
  };
  return { bounds, set, gc, observed: () => onGc !== undefined };
}

describe('heap bounds', () => {
  it('holds the old generation growth and stops the young generation growing at its bound, and lets it grow again once V8 shrinks it', () => {
    const { bounds, set, gc } = fake();
    expect(bounds).toMatchObject({ young: true, growth: true });
    expect(set).toEqual([`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`]);
    gc(4 * MB);
    gc(8 * MB);
    expect(set).toHaveLength(1);
    gc(YOUNG_GENERATION_BYTES);
    expect(set.at(-1)).toBe('--semi-space-growth-factor=1');
    gc(YOUNG_GENERATION_BYTES);
    expect(set).toHaveLength(2);
    gc(2 * MB);
    expect(set.at(-1)).toBe('--semi-space-growth-factor=2');
    expect(set).toHaveLength(3);
  });

  it("leaves V8's flags as the operator gave them, on the command line or in NODE_OPTIONS", () => {
    const young = fake(['--max-semi-space-size=32']);
    expect(young.bounds).toMatchObject({ young: false, growth: true });
    expect(young.observed()).toBe(false);
    expect(young.set).toEqual([`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`]);

    const growth = fake([], '--max-old-space-size=512 --heap_growing_percent=50');
    expect(growth.bounds).toMatchObject({ young: true, growth: false });
    expect(growth.set).toEqual([]);

    const both = fake(['--semi-space-growth-factor', '4'], '--heap-growing-percent=80');
    expect(both.bounds).toMatchObject({ young: false, growth: false });
    expect(both.set).toEqual([]);
  });

  it('stops observing collections when stopped', () => {
    const { bounds, observed } = fake();
    expect(observed()).toBe(true);
    bounds.stop();
    expect(observed()).toBe(false);
  });

  it("holds a real process's young generation at its bound under churn, where V8 alone doubles it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'junction-heap-'));
    const script = join(dir, 'churn.mjs');
    // Keeps 20,000 objects alive while allocating millions: survivors call for a larger young generation.
    writeFileSync(
      script,
      `import { getHeapSpaceStatistics } from 'node:v8';
const { boundHeap } = await import(process.env.HEAP_MODULE);
if (process.argv[2] === 'bound') boundHeap({ execArgv: [], nodeOptions: '' });
const size = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size;
let max = 0;
const live = new Array(20000);
for (let i = 0; i < 4_000_000; i++) {
  live[i % live.length] = { i, text: 'item ' + i };
  if (i % 5000 === 0) {
    await new Promise((resolve) => setImmediate(resolve));
    max = Math.max(max, size());
  }
}
console.log(JSON.stringify({ max }));
`,
    );
    const run = async (mode: string) => {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, mode], {
        env: {
          ...process.env,
          NODE_OPTIONS: '',
          HEAP_MODULE: fileURLToPath(new URL('../../src/server/heap.ts', import.meta.url)),
        },
      });
      return (JSON.parse(stdout.trim()) as { max: number }).max;
    };
    const [free, bound] = await Promise.all([run('free'), run('bound')]);
    expect(free).toBeGreaterThan(YOUNG_GENERATION_BYTES);
    expect(bound).toBe(YOUNG_GENERATION_BYTES);
  });
});
