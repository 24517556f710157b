/**
 * The `junction` command as a person uses it: help on every command, a demo start on a fresh data folder
 * with nothing else installed, the one-time secrets, SIGTERM, and a wrong master key that fails closed.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http } from '../support/gateway.js';
import { runJunction } from '../support/process.js';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'junction-cli-'));
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('junction CLI', () => {
  it.each([
    [[] as string[], /serve[\s\S]*migrate/],
    [['serve'], /--port[\s\S]*--data-dir[\s\S]*--database-url[\s\S]*--demo/],
    [['migrate'], /--data-dir[\s\S]*--database-url/],
  ])('prints help for %j', async (command, expected) => {
    const run = runJunction([...command, '--help']);
    const { code } = await run.exited;
    expect(code).toBe(0);
    expect(run.output()).toMatch(expected);
  });

  it('rejects an invalid port with a clear message', async () => {
    const run = runJunction(['serve', '--port', 'eighty']);
    const { code } = await run.exited;
    expect(code).not.toBe(0);
    expect(run.output()).toMatch(/port/);
  });

  it('starts in demo mode on the embedded store, serves the demo key, and stops cleanly on SIGTERM', async () => {
    const run = runJunction(['serve', '--demo', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir]);
    const [, url] = await run.waitFor(/Junction is running at (http:\/\/127\.0\.0\.1:\d+)/);
    const [, key] = await run.waitFor(/Demo API key: (jk_[A-Za-z0-9_-]+)/);
    const [, adminToken] = await run.waitFor(/\n {2}(jat_[A-Za-z0-9_-]+)/);
    expect(run.output()).toContain('a new master key was generated');
    expect(run.output()).toContain(`curl ${url}/v1/chat/completions`);

    const chat = await http<{ choices: { message: { content: string } }[] }>(
      `${url}/v1/chat/completions`,
      'POST',
      { model: 'demo-chat', messages: [{ role: 'user', content: 'Hello, Junction' }] },
      { authorization: `Bearer ${key}` },
    );
    expect(chat.status).toBe(200);
    expect(chat.json.choices[0]?.message.content).toBe('You said: Hello, Junction');
    const me = await http<{ role: string }>(`${url}/admin/v1/me`, 'GET', undefined, {
      authorization: `Bearer ${adminToken}`,
    });
    expect(me.json.role).toBe('super_admin');
    expect((await http(`${url}/healthz`, 'GET')).status).toBe(200);
    expect((await http(`${url}/readyz`, 'GET')).status).toBe(200);
    const metrics = await http(`${url}/metrics`, 'GET');
    expect(metrics.text).toContain('junction_requests_total');

    const keyFile = await stat(join(dataDir, 'master.key'));
    expect(keyFile.mode & 0o777).toBe(0o600);

    run.child.kill('SIGTERM');
    const { code } = await run.exited;
    expect(code).toBe(0);
    // The admin token is printed once: never on a later start.
    const again = runJunction(['serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir]);
    await again.waitFor(/Junction is running at/);
    expect(again.output()).not.toContain('Admin token');
    again.child.kill('SIGTERM');
    const stopped = await again.exited;
    expect(stopped, again.output()).toEqual({ code: 0, signal: null });
  });

  it('refuses to start with a master key other than the one the store was set up with', async () => {
    const run = runJunction(['serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {
      JUNCTION_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
    });
    const { code } = await run.exited;
    expect(code).toBe(1);
    expect(run.output()).toMatch(/master key .* is not the one this store was set up with/);
    expect(run.output()).not.toContain(Buffer.alloc(32, 9).toString('base64'));
  });

  it('migrates a store and exits', async () => {
    const run = runJunction(['migrate', '--data-dir', dataDir]);
    const { code } = await run.exited;
    expect(code).toBe(0);
    expect(run.output()).toContain('Migrations applied to the embedded store');
  });
});
