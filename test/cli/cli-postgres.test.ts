/** `junction migrate` and `junction serve` on PostgreSQL, as the README tells an operator to run them. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http } from '../support/gateway.js';
import { runJunction } from '../support/process.js';
import { POSTGRES_ADMIN_URL, postgresUnavailableReason } from '../support/stores.js';

const unavailable = await postgresUnavailableReason();
const name = `junction_cli_${randomBytes(5).toString('hex')}`;
const databaseUrl = (() => {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
})();

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  await client.query(sql);
  await client.end();
}

describe.skipIf(unavailable !== undefined)('junction on PostgreSQL', () => {
  beforeAll(async () => admin(`create database ${name}`));
  afterAll(async () => admin(`drop database if exists ${name} with (force)`));

  it('refuses to start a data plane without the store or the master key', async () => {
    const withoutStore = runJunction(['dataplane', '--port', '0'], { DATABASE_URL: '' });
    expect((await withoutStore.exited).code).toBe(1);
    expect(withoutStore.output()).toContain('needs the PostgreSQL store');
    const emptyDataDir = mkdtempSync(join(tmpdir(), 'junction-cli-dp-nokey-'));
    const withoutKey = runJunction(
      ['dataplane', '--port', '0', '--database-url', databaseUrl, '--data-dir', emptyDataDir],
      { JUNCTION_MASTER_KEY: '', JUNCTION_MASTER_KEY_FILE: '' },
    );
    expect((await withoutKey.exited).code).toBe(1);
    expect(withoutKey.output()).toContain('No master key: set JUNCTION_MASTER_KEY');
    rmSync(emptyDataDir, { recursive: true, force: true });
  });

  it('requires a master key, migrates, serves, and stops cleanly', async () => {
    const withoutKey = runJunction(['serve', '--port', '0', '--database-url', databaseUrl]);
    expect((await withoutKey.exited).code).toBe(1);
    expect(withoutKey.output()).toContain('No master key');

    const migrate = runJunction(['migrate'], { DATABASE_URL: databaseUrl });
    expect((await migrate.exited).code).toBe(0);
    expect(migrate.output()).toContain('Migrations applied to the postgres store');

    const token = `jat_${randomBytes(24).toString('base64url')}`;
    const masterKey = randomBytes(32).toString('hex');
    const serve = runJunction(['serve', '--port', '0', '--host', '127.0.0.1', '--demo'], {
      DATABASE_URL: databaseUrl,
      JUNCTION_MASTER_KEY: masterKey,
      JUNCTION_ADMIN_TOKEN: token,
    });
    const [, url] = await serve.waitFor(/Junction is running at (http:\/\/127\.0\.0\.1:\d+)/);
    expect(serve.output()).toMatch(/store: postgres/);
    expect(serve.output()).not.toContain('Admin token (shown once');
    const [, key] = await serve.waitFor(/Demo API key: (jk_[A-Za-z0-9_-]+)/);
    const models = await http<{ data: { id: string }[] }>(`${url}/v1/models`, 'GET', undefined, {
      authorization: `Bearer ${key}`,
    });
    expect(models.json.data.map((model) => model.id)).toEqual(['demo-chat', 'demo-embed']);
    const status = await http<{ store: string }>(`${url}/admin/v1/status`, 'GET', undefined, {
      authorization: `Bearer ${token}`,
    });
    expect(status.json.store).toBe('postgres');

    // A data-plane process on the same store serves the same keys and models, and nothing else.
    const spool = mkdtempSync(join(tmpdir(), 'junction-cli-dp-'));
    const dataplane = runJunction(['dataplane', '--port', '0', '--host', '127.0.0.1', '--data-dir', spool], {
      DATABASE_URL: databaseUrl,
      JUNCTION_MASTER_KEY: masterKey,
    });
    const [, dataUrl] = await dataplane.waitFor(/Junction data plane serving on (http:\/\/127\.0\.0\.1:\d+)/);
    const viaDataPlane = await http<{ data: { id: string }[] }>(`${dataUrl}/v1/models`, 'GET', undefined, {
      authorization: `Bearer ${key}`,
    });
    expect(viaDataPlane.json.data.map((model) => model.id)).toEqual(['demo-chat', 'demo-embed']);
    const chat = await http<{ choices: { message: { content: string } }[] }>(
      `${dataUrl}/v1/chat/completions`,
      'POST',
      { model: 'demo-chat', messages: [{ role: 'user', content: 'hi' }] },
      { authorization: `Bearer ${key}` },
    );
    expect(chat.json.choices[0]?.message.content).toBe('You said: hi');
    const notHere = await http(`${dataUrl}/admin/v1/status`, 'GET', undefined, {
      authorization: `Bearer ${token}`,
    });
    expect(notHere.status).toBe(404);
    dataplane.child.kill('SIGTERM');
    expect((await dataplane.exited).code).toBe(0);
    rmSync(spool, { recursive: true, force: true });

    serve.child.kill('SIGTERM');
    expect((await serve.exited).code).toBe(0);
  });
});
