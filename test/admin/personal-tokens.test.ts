/**
 * Personal admin tokens: a signed-in user issues tokens for automation that act with the user's current role and
 * team, always expire, stop when the user is disabled or deleted, and can be revoked only by their user.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { expectProblem } from './admin-helpers.js';

interface Created {
  token: { id: string; userId: string | null; role: string; teamId: string | null; expiresAt: string };
  secret: string;
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

describe('personal admin tokens', () => {
  let gateway: TestGateway;
  let teamA: { teamId: string; id: string };
  let teamB: { teamId: string; id: string };
  let userId: string;
  let session: { cookie: string; csrf: string };

  const signIn = async (email: string, password: string) => {
    const answer = await http<{ csrfToken: string }>(`${gateway.url}/admin/v1/session`, 'POST', {
      email,
      password,
    });
    expect(answer.status, answer.text).toBe(200);
    return { cookie: String(answer.headers['set-cookie']).split(';')[0]!, csrf: answer.json.csrfToken };
  };
  const asUser = <T>(method: string, path: string, body?: unknown) =>
    http<T>(`${gateway.url}/admin/v1${path}`, method, body, {
      cookie: session.cookie,
      'x-csrf-token': session.csrf,
    });
  const withToken = <T>(secret: string, path: string) => gateway.admin<T>('GET', path, undefined, secret);

  beforeAll(async () => {
    gateway = await startTestGateway();
    teamA = await gateway.createKey();
    teamB = await gateway.createKey();
    const user = await ok(
      gateway.admin<{ id: string }>('POST', '/users', {
        email: 'dev@example.com',
        password: 'a long enough password',
        role: 'developer',
        teamId: teamA.teamId,
      }),
    );
    userId = user.id;
    session = await signIn('dev@example.com', 'a long enough password');
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('issues a token that acts as the user, within its team', async () => {
    const created = await asUser<Created>('POST', '/me/tokens', { name: 'ci', expiresAt: inDays(30) });
    expect(created.status, created.text).toBe(201);
    expect(created.json.token).toMatchObject({ userId, role: 'developer', teamId: teamA.teamId });
    const me = await ok(
      withToken<{ role: string; teamId: string; kind: string }>(created.json.secret, '/me'),
    );
    expect(me).toMatchObject({ role: 'developer', teamId: teamA.teamId, kind: 'token' });
    const keys = await ok(withToken<{ data: Array<{ teamId: string }> }>(created.json.secret, '/keys'));
    expect(keys.data.map((key) => key.teamId)).toEqual([teamA.teamId]);
    expectProblem(await withToken(created.json.secret, `/keys/${teamB.id}`), 404, 'not_found');
    const listed = await asUser<{ data: Array<{ id: string }> }>('GET', '/me/tokens');
    expect(listed.json.data.map((token) => token.id)).toEqual([created.json.token.id]);
    expect(listed.text).not.toContain(created.json.secret);
  });

  it('must expire within a year, needs a browser session and its CSRF token', async () => {
    expectProblem(await asUser('POST', '/me/tokens', { name: 'forever' }), 400, 'invalid_request');
    expectProblem(
      await asUser('POST', '/me/tokens', { name: 'long', expiresAt: inDays(400) }),
      400,
      'invalid_request',
    );
    expectProblem(
      await asUser('POST', '/me/tokens', { name: 'past', expiresAt: inDays(-1) }),
      400,
      'invalid_request',
    );
    const noCsrf = await http(
      `${gateway.url}/admin/v1/me/tokens`,
      'POST',
      { name: 'x', expiresAt: inDays(1) },
      {
        cookie: session.cookie,
      },
    );
    expectProblem(noCsrf, 403, 'csrf_failed');
    // An admin token cannot mint personal tokens (they belong to users).
    expectProblem(
      await gateway.admin('POST', '/me/tokens', { name: 'x', expiresAt: inDays(1) }),
      400,
      'invalid_request',
    );
    // Nor can a personal token mint more.
    const created = await ok(asUser<Created>('POST', '/me/tokens', { name: 'nested', expiresAt: inDays(1) }));
    expectProblem(
      await gateway.admin('POST', '/me/tokens', { name: 'y', expiresAt: inDays(1) }, created.secret),
      400,
      'invalid_request',
    );
  });

  it("follows the user's role, stops while the user is disabled, and goes with the user", async () => {
    const created = await ok(asUser<Created>('POST', '/me/tokens', { name: 'follow', expiresAt: inDays(7) }));
    await ok(gateway.admin('PATCH', `/users/${userId}`, { role: 'viewer' }));
    const me = await ok(withToken<{ role: string; teamId: string | null }>(created.secret, '/me'));
    expect(me).toMatchObject({ role: 'viewer', teamId: null });
    await ok(gateway.admin('PATCH', `/users/${userId}`, { disabled: true }));
    expect((await withToken(created.secret, '/me')).status).toBe(401);
    await ok(
      gateway.admin('PATCH', `/users/${userId}`, {
        disabled: false,
        role: 'developer',
        teamId: teamA.teamId,
      }),
    );
    expect((await withToken(created.secret, '/me')).status).toBe(200);
    // The role change ended the session: sign in again.
    session = await signIn('dev@example.com', 'a long enough password');
    const revoked = await asUser<{ revokedAt: string | null }>(
      'POST',
      `/me/tokens/${created.token.id}/revoke`,
    );
    expect(revoked.status, revoked.text).toBe(200);
    expect(revoked.json.revokedAt).not.toBeNull();
    expect((await withToken(created.secret, '/me')).status).toBe(401);
    const audit = await ok(
      gateway.admin<{ data: Array<{ action: string }> }>('GET', `/audit?targetId=${created.token.id}`),
    );
    expect(audit.data.map((row) => row.action).sort()).toEqual(['tokens.create', 'tokens.revoke']);

    const last = await ok(asUser<Created>('POST', '/me/tokens', { name: 'last', expiresAt: inDays(7) }));
    await ok(gateway.admin('DELETE', `/users/${userId}`));
    expect((await withToken(last.secret, '/me')).status).toBe(401);
    expectProblem(await gateway.admin('GET', `/tokens/${last.token.id}`), 404, 'not_found');
  });

  it("revokes only the user's own tokens, and a personal super_admin token is not the last super_admin", async () => {
    await ok(
      gateway.admin('POST', '/users', {
        email: 'root@example.com',
        password: 'a long enough password',
        role: 'super_admin',
      }),
    );
    session = await signIn('root@example.com', 'a long enough password');
    const mine = await ok(asUser<Created>('POST', '/me/tokens', { name: 'mine', expiresAt: inDays(7) }));
    const tokens = await ok(
      gateway.admin<{ data: Array<{ id: string; userId: string | null; role: string }> }>('GET', '/tokens'),
    );
    const bootstrap = tokens.data.find((token) => token.userId === null && token.role === 'super_admin')!;
    expectProblem(await asUser('POST', `/me/tokens/${bootstrap.id}/revoke`), 404, 'not_found');
    // The only token not tied to a user is the bootstrap one: it stays, whatever personal tokens exist.
    expectProblem(await gateway.admin('POST', `/tokens/${bootstrap.id}/revoke`), 409, 'conflict');
    expect((await withToken<{ role: string }>(mine.secret, '/me')).json.role).toBe('super_admin');
  });
});
