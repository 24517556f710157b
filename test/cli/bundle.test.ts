/**
 * The built bundle (`dist/cli.js`, made by `npm run build:server` with the JavaScript dependencies inside it) runs
 * as shipped: on the embedded store, and on PostgreSQL with budgets counted in Redis, so the bundled database
 * driver, Redis client and rate limiter are all exercised. The other suites run the sources.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http } from '../support/gateway.js';
import { type JunctionProcess, runJunction } from '../support/process.js';
import { redisUnavailableReason, startPrivateRedis } from '../support/redis.js';
import { POSTGRES_ADMIN_URL, postgresUnavailableReason } from '../support/stores.js';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const built = existsSync(join(DIST, 'cli.js'));
if (!built) {
  if (process.env.CI === 'true') throw new Error('dist/cli.js is missing: CI builds it before the tests');
  process.stdout.write('[skip] no dist/cli.js (run npm run build:server): bundle tests skipped\n');
}

const chat = (url: string, key: string) =>
  http<{ choices: { message: { content: string } }[] }>(
    `${url}/v1/chat/completions`,
    'POST',
    { model: 'demo-chat', messages: [{ role: 'user', content: 'Hello from the bundle' }] },
    { authorization: `Bearer ${key}` },
  );

async function started(serve: JunctionProcess): Promise<{ url: string; key: string }> {
  const [, url] = await serve.waitFor(/Junction is running at (http:\/\/127\.0\.0\.1:\d+)/);
  const [, key] = await serve.waitFor(/Demo API key: (jk_[A-Za-z0-9_-]+)/);
  return { url: url!, key: key! };
}

async function stopped(serve: JunctionProcess): Promise<number | null> {
  serve.child.kill('SIGTERM');
  return (await serve.exited).code;
}

describe.skipIf(!built)('the built bundle', () => {
  it('lists the licence of every package bundled into it', () => {
    const licences = readFileSync(join(DIST, 'THIRD_PARTY_LICENSES.txt'), 'utf8');
    for (const name of ['hono', 'undici', 'zod', 'drizzle-orm', 'pg', 'ioredis', 'prom-client', 'pino'])
      expect(licences).toMatch(new RegExp(`^${name} \\d+\\.\\d+\\.\\d+ \\(`, 'm'));
  });

  it('serves on the embedded store and stops cleanly', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'junction-bundle-'));
    const serve = runJunction(
      ['serve', '--demo', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir],
      {},
      { bundle: true },
    );
    try {
      const { url, key } = await started(serve);
      expect(serve.output()).toMatch(/store: embedded/);
      const answer = await chat(url, key);
      expect(answer.status).toBe(200);
      expect(answer.json.choices[0]?.message.content.length).toBeGreaterThan(0);
      const metrics = await http(`${url}/metrics`, 'GET');
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain('junction_requests_total');
    } finally {
      expect(await stopped(serve)).toBe(0);
    }
  });
});

const postgres = built ? await postgresUnavailableReason() : 'no bundle';
const redis = built ? redisUnavailableReason() : 'no bundle';

describe.skipIf(postgres !== undefined || redis !== undefined)(
  'the built bundle on PostgreSQL and Redis',
  () => {
    const name = `junction_bundle_${randomBytes(5).toString('hex')}`;
    const databaseUrl = (() => {
      const url = new URL(POSTGRES_ADMIN_URL);
      url.pathname = `/${name}`;
      return url.toString();
    })();
    const admin = async (statement: string) => {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(statement);
      await client.end();
    };
    beforeAll(async () => admin(`create database ${name}`));
    afterAll(async () => admin(`drop database if exists ${name} with (force)`));

    it('migrates, serves and counts a budget in Redis', async () => {
      const server = await startPrivateRedis();
      const token = `jat_${randomBytes(24).toString('base64url')}`;
      const serve = runJunction(
        ['serve', '--port', '0', '--host', '127.0.0.1', '--demo'],
        {
          DATABASE_URL: databaseUrl,
          JUNCTION_REDIS_URL: server.url,
          JUNCTION_MASTER_KEY: randomBytes(32).toString('hex'),
          JUNCTION_ADMIN_TOKEN: token,
        },
        { bundle: true },
      );
      try {
        const { url, key } = await started(serve);
        expect(serve.output()).toMatch(/store: postgres/);
        const auth = { authorization: `Bearer ${token}` };
        const teams = await http<{ data: { id: string; name: string }[] }>(
          `${url}/admin/v1/teams`,
          'GET',
          undefined,
          auth,
        );
        const team = teams.json.data[0];
        expect(team).toBeDefined();
        const budget = await http<{ id: string }>(
          `${url}/admin/v1/budgets`,
          'POST',
          { name: 'bundle', scope: 'team', teamId: team!.id, limitTokens: 1_000_000, period: 'month' },
          auth,
        );
        expect(budget.status).toBe(201);
        expect((await chat(url, key)).status).toBe(200);
        const status = await http<{ status: { ledger: string; spentTokens: number } }>(
          `${url}/admin/v1/budgets/${budget.json.id}`,
          'GET',
          undefined,
          auth,
        );
        expect(status.json.status.ledger).toBe('redis');
        expect(status.json.status.spentTokens).toBeGreaterThan(0);
      } finally {
        expect(await stopped(serve)).toBe(0);
        await server.stop();
      }
    });
  },
);
