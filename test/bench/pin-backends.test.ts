/**
 * The bench moves the PostgreSQL backends serving a target's database to the load core and counts their CPU with the
 * mock: a run whose only other work is theirs is not "disturbed".
 */
import { execFileSync, spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the bench is plain JavaScript without type declarations.
import { measureOnce } from '../../bench/lib/measure.mjs';
// @ts-expect-error: the bench is plain JavaScript without type declarations.
import { createDatabase, pinBackends, serverProcessPids } from '../../bench/lib/pgdb.mjs';
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

  it("lists the server's own background processes, which write the rows out, without moving them", async () => {
    const { rows } = await client.query<{ pid: number }>(
      "select pid from pg_stat_activity where backend_type in ('walwriter', 'checkpointer')",
    );
    expect(rows.length).toBeGreaterThan(0);
    const before = rows.map((row) => affinity(row.pid));
    const pids: number[] = await serverProcessPids();
    for (const row of rows) expect(pids).toContain(row.pid);
    // No client backend is among them, and none of them was moved.
    const {
      rows: [own],
    } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    expect(pids).not.toContain(own!.pid);
    expect(rows.map((row) => affinity(row.pid))).toEqual(before);
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
});
