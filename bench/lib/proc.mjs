// Child processes of the bench: spawned pinned to a core with taskset, tracked by PID, and always stopped
// by their own PID (never by name), on success, failure or interrupt.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const children = new Set();

/** Spawns `command args` pinned to `core` (taskset execs the command, so the PID is the command's). */
export function spawnPinned(core, command, args, options = {}) {
  const child = spawn('taskset', ['-c', String(core), command, ...args], {
    stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.output = '';
  const keep = (chunk) => {
    child.output += chunk;
    if (child.output.length > 200_000) child.output = child.output.slice(-100_000);
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  return child;
}

/** Runs a pinned command to completion (bounded by `timeoutMs`) and returns its output and exit code. */
export function runPinned(core, command, args, { timeoutMs, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawnPinned(core, command, args, { env });
    const timer = setTimeout(() => {
      stopChild(child, 'SIGKILL');
      reject(new Error(`${command} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output: child.output });
    });
  });
}

/** Sends `signal` to one child by its PID and waits (bounded) for it to exit; escalates to SIGKILL. */
export async function stopChild(child, signal = 'SIGTERM', graceMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(child.pid, signal);
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {}
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

/** Stops every child still running, each by its own PID. */
export async function stopAll() {
  await Promise.all([...children].map((child) => stopChild(child)));
}

let cleaning = false;
/** Installs exit/interrupt handlers that stop every child (by PID) before the bench exits. */
export function installCleanup(extra = async () => {}) {
  const finish = async (code) => {
    if (cleaning) return;
    cleaning = true;
    await stopAll().catch(() => {});
    await extra().catch(() => {});
    process.exit(code);
  };
  process.on('SIGINT', () => finish(130));
  process.on('SIGTERM', () => finish(143));
  process.on('exit', () => {
    for (const child of children) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {}
    }
  });
  return finish;
}

/**
 * The fields of `/proc/<pid>/stat` after the command name (fields[0] is field 3, the state; the parent PID is field
 * 4, utime 14, stime 15, cutime 16, cstime 17), or undefined if the process is gone.
 */
function statFields(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

const ownTicks = (fields) => Number(fields[11]) + Number(fields[12]);
const childrenTicks = (fields) => Number(fields[13]) + Number(fields[14]);

/** utime+stime (+ cutime+cstime when `withChildren`) of a process, in clock ticks, or undefined if gone. */
export function cpuTicks(pid, withChildren = false) {
  const fields = statFields(pid);
  if (!fields) return undefined;
  return withChildren ? ownTicks(fields) + childrenTicks(fields) : ownTicks(fields);
}

/** The parent PID of a process, or undefined if it is gone. */
export function parentPid(pid) {
  const fields = statFields(pid);
  return fields ? Number(fields[1]) : undefined;
}

/**
 * CPU ticks of a process and of all its children: those running now, and those it has waited for (its cutime and
 * cstime). Differences of two readings count a child that started or ended between them, such as a database
 * server's worker started in the middle of a run. 0 when the process is gone.
 */
export function treeTicks(pid) {
  let ticks = cpuTicks(pid, true) ?? 0;
  for (const entry of readdirSync('/proc')) {
    if (entry.charCodeAt(0) > 57) continue;
    const fields = statFields(entry);
    if (fields && Number(fields[1]) === pid) ticks += ownTicks(fields) + childrenTicks(fields);
  }
  return ticks;
}

/** Busy clock ticks of the whole machine (all CPUs) from /proc/stat, idle and iowait excluded. */
export function machineBusyTicks() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return user + nice + system + irq + softirq + steal;
}

/** VmRSS of a process in kB, or undefined if gone. */
export function rssKb(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Clock ticks per second (USER_HZ); 100 on Linux x86_64. */
export const HZ = 100;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (bounded) until `check()` resolves truthy. */
export async function waitFor(check, { timeoutMs = 30_000, intervalMs = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
}
