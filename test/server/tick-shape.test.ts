/**
 * The kept `process.nextTick` entry (src/server/tick-shape.ts): what is kept, and, in real processes, that it keeps
 * the inline caches of `nextTick` trained where full collections otherwise drive them megamorphic.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { keepTickObjectShape } from '../../src/server/tick-shape.js';

describe('keepTickObjectShape', () => {
  it('keeps one nextTick queue entry, once, and leaves no hook on', async () => {
    const kept = keepTickObjectShape();
    expect(kept).toBeDefined();
    const entry = kept as Record<string | symbol, unknown>;
    // The entry as task_queues builds it: two symbol keys (its async ids), then callback and args.
    expect(Object.keys(entry)).toEqual(['callback', 'args']);
    expect(Object.getOwnPropertySymbols(entry)).toHaveLength(2);
    expect(typeof entry.callback).toBe('function');
    expect(keepTickObjectShape()).toBe(kept);
    // Later ticks still run, and are not kept.
    await new Promise<void>((resolve) => process.nextTick(resolve));
    expect(keepTickObjectShape()).toBe(kept);
  });

  it("keeps nextTick's inline caches monomorphic through full collections, where they otherwise go megamorphic", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'junction-tick-'));
    const script = join(dir, 'ticks.mjs');
    // Ticks queued and run between full collections that find none of them alive; then V8 prints the feedback of
    // nextTick, one line per inline cache, the four that add the entry's properties among them.
    writeFileSync(
      script,
      `const { keepTickObjectShape } = await import(process.env.TICK_MODULE);
if (process.argv[2] === 'kept') keepTickObjectShape();
const noop = () => {};
for (let round = 0; round < 12; round++) {
  for (let i = 0; i < 100; i++) process.nextTick(noop);
  await new Promise((resolve) => setImmediate(resolve));
  globalThis.gc();
}
new Function('f', '%DebugPrint(f)')(process.nextTick);
`,
    );
    // V8 prints to the process's standard output directly: into a file, as a pipe that is full drops what it prints.
    const run = async (mode: string) => {
      const output = join(dir, `${mode}.txt`);
      const fd = openSync(output, 'w');
      try {
        const child = spawn(
          process.execPath,
          ['--expose-gc', '--allow-natives-syntax', '--import', 'tsx', script, mode],
          {
            env: {
              ...process.env,
              NODE_OPTIONS: '',
              TICK_MODULE: fileURLToPath(new URL('../../src/server/tick-shape.ts', import.meta.url)),
            },
            stdio: ['ignore', fd, 'inherit'],
          },
        );
        const [code] = (await once(child, 'exit')) as [number | null];
        expect(code).toBe(0);
      } finally {
        closeSync(fd);
      }
      return [...readFileSync(output, 'utf8').matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map(
        (match) => match[1],
      );
    };
    const [free, kept] = await Promise.all([run('free'), run('kept')]);
    expect(free).toHaveLength(4);
    expect(free).toContain('MEGAMORPHIC');
    expect(kept).toEqual(['MONOMORPHIC', 'MONOMORPHIC', 'MONOMORPHIC', 'MONOMORPHIC']);
  });
});
