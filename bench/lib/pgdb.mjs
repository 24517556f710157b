// Throwaway PostgreSQL databases on 127.0.0.1:5432 (trust auth): `junction_bench_<random>_<label>`, created
// through the server's `postgres` database and dropped afterwards. The shared `test` database is never used.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { parentPid } from './proc.mjs';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

async function withAdmin(fn) {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** true when the server answers, otherwise the reason. */
export async function postgresAvailable() {
  try {
    await withAdmin((client) => client.query('select 1'));
    return true;
  } catch (error) {
    return error.message;
  }
}

/** Creates a fresh database; returns its name, URL and a drop() that is safe to call twice. */
export async function createDatabase(label) {
  const name = `junction_bench_${randomBytes(4).toString('hex')}_${label}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  let dropped;
  return {
    name,
    url: `postgres://postgres@127.0.0.1:5432/${name}`,
    drop: () => {
      dropped ??= withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      return dropped;
    },
  };
}

/** PIDs of the server processes serving connections to the databases `names` (pg_stat_activity). */
export async function backendPids(names) {
  return withAdmin(async (client) => {
    const { rows } = await client.query('select pid from pg_stat_activity where datname = any($1)', [names]);
    return rows.map((row) => row.pid);
  });
}

/**
 * Pins the server processes serving `names` to `core` and returns their PIDs. They work for the target the way the
 * mock upstream does (in production the database runs elsewhere), so they belong on the load core, not beside the
 * target on its own; a backend that has exited meanwhile, or one the bench may not move, is left as it is.
 */
export async function pinBackends(names, core) {
  const pids = await backendPids(names);
  for (const pid of pids) {
    try {
      execFileSync('taskset', ['-pc', String(core), String(pid)], { stdio: 'ignore' });
    } catch {
      // Gone, or not ours to move.
    }
  }
  return pids;
}

/**
 * The PID of the PostgreSQL server (the parent of every backend and background process), when it runs on this
 * machine; undefined otherwise. The bench counts the server's whole process tree with the mock: the backends
 * serving the scenario's databases, and the WAL writer, checkpointer and autovacuum workers that write out the
 * usage rows a scenario stores, including a worker that starts in the middle of a run.
 */
export async function serverPid() {
  return withAdmin(async (client) => {
    const { rows } = await client.query('select pg_backend_pid() as pid');
    const parent = parentPid(rows[0].pid);
    return parent && parent > 1 ? parent : undefined;
  });
}

/**
 * VACUUM (ANALYZE) of a database, between runs: after a run has stored tens of thousands of usage rows, PostgreSQL's
 * autovacuum would otherwise take them up by itself about a minute later, in the middle of another run, competing
 * with the target for the CPU (it is the database's maintenance, which in production runs elsewhere).
 */
export async function vacuum(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query('VACUUM (ANALYZE)');
  } finally {
    await client.end();
  }
}
