/** Runs the real `junction` command as a child process, as a user would. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/junction.mjs', import.meta.url));

export interface JunctionProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the first match of `pattern` in stdout+stderr, or rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns `junction <args>` with the sources (never a stale bundle), or with the built bundle (`dist/cli.js`) when
 * `options.bundle` is set.
 */
export function runJunction(
  args: string[],
  env: Record<string, string> = {},
  options: { bundle?: boolean } = {},
): JunctionProcess {
  const base: NodeJS.ProcessEnv = { ...process.env, JUNCTION_LOG_LEVEL: 'warn' };
  if (options.bundle) delete base.JUNCTION_FROM_SOURCE;
  else base.JUNCTION_FROM_SOURCE = '1';
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const waiter of waiters) waiter();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => output,
    exited,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (match) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; output so far:\n${output}`));
        }, timeoutMs);
        waiters.add(check);
        check();
        void exited.then(() => setTimeout(check, 10));
      }),
  };
}
