/**
 * `junction users`: creating a local user and setting its password through the admin API, the password read
 * from standard input or JUNCTION_USER_PASSWORD (never an argument), then signing in with it.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startTestGateway, TEST_ADMIN_TOKEN, type TestGateway } from '../support/gateway.js';
import { runJunction } from '../support/process.js';

const BIN = new URL('../../bin/junction.mjs', import.meta.url).pathname;

/** Runs the CLI with `input` on standard input. */
function runWithInput(args: string[], input: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, JUNCTION_FROM_SOURCE: '1', JUNCTION_USER_PASSWORD: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stdin.end(input);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

const signIn = (gateway: TestGateway, email: string, password: string) =>
  http<{ user: { email: string; role: string } }>(`${gateway.url}/admin/v1/session`, 'POST', {
    email,
    password,
  });

describe('junction users', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('creates a local user from standard input, lists it, and changes its password', async () => {
    const connection = ['--url', gateway.url, '--token', TEST_ADMIN_TOKEN];
    const created = await runWithInput(
      ['users', 'create', '--email', 'Ops@Example.com', '--role', 'viewer', '--name', 'Ops', ...connection],
      'first password 123\n',
    );
    expect(created.output).toMatch(/Created ops@example\.com \(viewer\), id usr_/);
    expect(created.code).toBe(0);
    const id = /id (usr_\S+)/.exec(created.output)![1]!;
    expect((await signIn(gateway, 'ops@example.com', 'first password 123')).status).toBe(200);

    const listed = runJunction(['users', 'list', ...connection]);
    expect((await listed.exited).code).toBe(0);
    expect(listed.output()).toContain(`${id}\tops@example.com\tviewer\t-\tlocal\tactive`);

    const changed = runJunction(['users', 'set-password', id, ...connection], {
      JUNCTION_USER_PASSWORD: 'second password 456',
    });
    expect((await changed.exited).code).toBe(0);
    expect(changed.output()).toContain('Password of ops@example.com changed');
    expect((await signIn(gateway, 'ops@example.com', 'first password 123')).status).toBe(401);
    expect((await signIn(gateway, 'ops@example.com', 'second password 456')).status).toBe(200);
    // The password was never an argument, so it is in no audit row either.
    const audit = await gateway.admin<{ data: unknown[] }>('GET', '/audit?targetType=users');
    expect(JSON.stringify(audit.json)).not.toMatch(/first password|second password/);
  });

  it('refuses a short password and a developer without a team, with the API’s reason', async () => {
    const connection = ['--url', gateway.url, '--token', TEST_ADMIN_TOKEN];
    const short = await runWithInput(
      ['users', 'create', '--email', 'a@example.com', '--role', 'viewer', ...connection],
      'short\n',
    );
    expect(short.code).not.toBe(0);
    expect(short.output).toMatch(/password/);
    const teamless = await runWithInput(
      ['users', 'create', '--email', 'b@example.com', '--role', 'developer', ...connection],
      'long enough password\n',
    );
    expect(teamless.code).not.toBe(0);
    expect(teamless.output).toMatch(/teamId: a developer needs a team/);
    const empty = await runWithInput(
      ['users', 'create', '--email', 'c@example.com', '--role', 'viewer', ...connection],
      '',
    );
    expect(empty.output).toMatch(/no password on standard input/);
  });
});
