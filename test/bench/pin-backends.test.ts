/**
 * The bench moves the PostgreSQL backends serving a target's database to the load core and counts the server's whole
 * process tree with the mock: a run whose only other work is theirs is not "disturbed", even when the server starts
 * a worker in the middle of it.
 */
import { execFileSync, spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the bench is plain JavaScript without type declarations.
import { measureOnce, measureSideBySide } from '../../bench/lib/measure.mjs';
// @ts-expect-error: the bench is plain JavaScript without type declarations.
import { createDatabase, pinBackends, serverPid, vacuum } from '../../bench/lib/pgdb.mjs';
// @ts-expect-error: the bench is plain JavaScript without type declarations.
import { parentPid, treeTicks } from '../../bench/lib/proc.mjs';
import { postgresUnavailableReason } from '../support/stores.js';

const unavailable = await postgresUnavailableReason();
const affinity = (pid: number) => execFileSync('taskset', ['-pc', String(pid)], { encoding: 'utf8' }).trim();

describe.skipIf(Boolean(unavailable))('the bench and PostgreSQL backends', () => {
  let database: { name: string; url: string; drop(): Promise<void> };
  let client: pg.Client;
  beforeAll(async () => {
    database = await createDatabase('pin');
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  it('pins the backends serving a database to the load core', async () => {
    const {
      rows: [row],
    } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    const pids: number[] = await pinBackends([database.name], 0);
    expect(pids).toContain(row!.pid);
    expect(affinity(row!.pid)).toMatch(/list: 0$/);
    // Another database's backends are left alone.
    expect(await pinBackends(['junction_bench_none_such'], 0)).toEqual([]);
  });

  it('finds the server whose process tree holds every backend and background process, and vacuums', async () => {
    const server: number = await serverPid();
    expect(server).toBeGreaterThan(1);
    const { rows } = await client.query<{ pid: number }>(
      "select pid from pg_stat_activity where backend_type in ('walwriter', 'checkpointer', 'client backend')",
    );
    expect(rows.length).toBeGreaterThan(2);
    for (const row of rows) expect(parentPid(row.pid)).toBe(server);
    // A new table's rows, then a vacuum: PostgreSQL records it, so autovacuum has nothing left to take up.
    await client.query('create table bench_rows as select g from generate_series(1, 5000) g');
    await vacuum(database.url);
    const {
      rows: [stats],
    } = await client.query<{ vacuumed: Date | null; analyzed: Date | null }>(
      "select last_vacuum as vacuumed, last_analyze as analyzed from pg_stat_user_tables where relname = 'bench_rows'",
    );
    expect(stats?.vacuumed).toBeTruthy();
    expect(stats?.analyzed).toBeTruthy();
  });
});

describe('the bench measuring a run', () => {
  it("counts a helper's CPU with the mock, not as other load", async () => {
    // A process that spins for the whole run, standing in for a backend storing rows.
    const spinner = spawn(process.execPath, [
      '-e',
      'const end = Date.now() + 3000; while (Date.now() < end);',
    ]);
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const load = async () => {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        return { requests: 1 };
      };
      // The same window measured twice: with the spinner as a helper, and without.
      const [counted, foreign] = await Promise.all([
        measureOnce({ mockPid: process.pid, helperPids: [spinner.pid], load }),
        measureOnce({ mockPid: process.pid, load }),
      ]);
      // Whatever else the machine did, only the spinner's share differs (it gets a fair part of a core at least).
      expect(foreign.otherCoreFraction - counted.otherCoreFraction).toBeGreaterThan(0.2);
    } finally {
      spinner.kill();
    }
  });

  it("counts a helper's children with it, those started during the run and those that ended in it", async () => {
    // A server standing in for PostgreSQL: one worker spins and exits (waited for) during the run, a second starts
    // during the run and still spins at its end.
    const spin = (ms: number) => `const end = Date.now() + ${ms}; while (Date.now() < end);`;
    const server = spawn(process.execPath, [
      '-e',
      `const { spawn } = require('node:child_process');
setTimeout(() => spawn(process.execPath, ['-e', ${JSON.stringify(spin(500))}]), 200);
setTimeout(() => spawn(process.execPath, ['-e', ${JSON.stringify(spin(1500))}]), 800);
setTimeout(() => {}, 3000);`,
    ]);
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const load = async () => {
        await new Promise((resolve) => setTimeout(resolve, 1400));
        return { requests: 1 };
      };
      const before = treeTicks(server.pid);
      const [counted, foreign] = await Promise.all([
        measureOnce({ mockPid: process.pid, helperTrees: [server.pid], load }),
        measureOnce({ mockPid: process.pid, load }),
      ]);
      // The two workers' CPU (well over half a core over the run) is the difference.
      expect(treeTicks(server.pid) - before).toBeGreaterThan(40);
      expect(foreign.otherCoreFraction - counted.otherCoreFraction).toBeGreaterThan(0.3);
    } finally {
      server.kill();
    }
  });

  it('reads two processes loaded at once, each per request, and their ratio', async () => {
    // Two workers that burn the CPU asked of them (process CPU time, so however the machine shares its cores):
    // the second costs three times the first per "request".
    const worker = () =>
      spawn(process.execPath, [
        '-e',
        `process.stdin.on('data', (line) => {
  const ms = Number(String(line).trim());
  const start = process.cpuUsage();
  for (;;) { const used = process.cpuUsage(start); if ((used.user + used.system) / 1000 >= ms) break; }
  process.stdout.write('done\\n');
});`,
      ]);
    const first = worker();
    const second = worker();
    const burn = (child: ReturnType<typeof spawn>, ms: number, requests: number) => async () => {
      const done = new Promise((resolve) => child.stdout!.once('data', resolve));
      child.stdin!.write(`${ms}\n`);
      await done;
      return { requests };
    };
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const pair = await measureSideBySide(
        {
          first: { pid: first.pid, load: burn(first, 400, 100) },
          second: { pid: second.pid, load: burn(second, 1200, 100) },
          mockPid: process.pid,
        },
        { redos: 0 },
      );
      // 4 ms and 12 ms a request, within the 10 ms ticks of /proc over 100 requests (and node's own start-up work).
      expect(pair.first.cpuUsPerReq).toBeGreaterThan(3800);
      expect(pair.first.cpuUsPerReq).toBeLessThan(5000);
      expect(pair.second.cpuUsPerReq).toBeGreaterThan(11_800);
      expect(pair.second.cpuUsPerReq).toBeLessThan(13_000);
      expect(pair.ratio).toBeGreaterThan(2.5);
      expect(pair.ratio).toBeLessThan(3.2);
      // The second is counted with the mock: its CPU is not "other" load.
      expect(pair.first.otherCoreFraction).toBeLessThan(0.5);
    } finally {
      first.kill();
      second.kill();
    }
  });
});
