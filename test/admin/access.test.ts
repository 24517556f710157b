/**
 * Roles on the admin API, driven by the route table (test plan X4): every operation in the OpenAPI document
 * declares a permission from the one table in code, and every route is called with a token of every role (403
 * exactly when the role lacks the permission). A developer token sees and changes only its own team's objects;
 * X5 at the route level: fast-check random filters, group-bys, cursors and foreign ids over the usage, request
 * log and key views never show the other team. Also the admin token API: roles, team binding, expiry,
 * revocation and the last super_admin.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allows, PERMISSIONS, ROLES, type Role } from '../../src/core/access/roles.js';
import { PUBLIC, PUBLIC_ROUTES } from '../../src/management/api/access.js';
import { chat } from '../dataplane/helpers.js';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { chatCompletion } from '../harness/openai-fixtures.js';
import { addChatModel, http, ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { expectProblem } from './admin-helpers.js';

const CHAT = '/v1/chat/completions';

interface Operation {
  method: string;
  path: string;
  permission: string | undefined;
}

describe('admin access by role (X4, X5)', () => {
  let gateway: TestGateway;
  let upstream: FakeUpstream;
  let operations: Operation[] = [];
  const tokens = {} as Record<Role, string>;
  let teamA: { secret: string; id: string; teamId: string };
  let teamB: { secret: string; id: string; teamId: string };
  const as = <T = unknown>(role: Role, method: string, path: string, body?: unknown) =>
    gateway.admin<T>(method, path, body, tokens[role]);

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    upstream.on({
      method: 'POST',
      path: CHAT,
      reply: { kind: 'json', body: chatCompletion({ model: 'u', content: 'ok' }) },
    });
    gateway = await startTestGateway();
    await addChatModel(gateway, upstream.url);
    teamA = await gateway.createKey();
    teamB = await gateway.createKey();
    for (const team of [teamA, teamB]) {
      await ok(gateway.admin('PATCH', `/teams/${team.teamId}`, { captureBodies: true }));
      for (const body of [chat('m', 'one'), chat('m', 'two'), chat('missing', 'three')])
        await gateway.call('POST', CHAT, body, team.secret);
    }
    await gateway.running.usage.drain();
    for (const role of ROLES) {
      const created = await ok(
        gateway.admin<{ secret: string }>('POST', '/tokens', {
          name: `${role} token`,
          role,
          ...(role === 'developer' ? { teamId: teamA.teamId } : {}),
        }),
      );
      tokens[role] = created.secret;
    }
    const document = await http<{ paths: Record<string, Record<string, Record<string, unknown>>> }>(
      `${gateway.url}/admin/v1/openapi.json`,
      'GET',
    );
    operations = Object.entries(document.json.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        permission: operation['x-junction-permission'] as string | undefined,
      })),
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  it('every admin route declares a permission from the table; only the sign-in routes are public', () => {
    expect(operations.length).toBeGreaterThan(60);
    const undeclared = operations.filter((operation) => operation.permission === undefined);
    expect(undeclared).toEqual([]);
    const open = operations.filter((operation) => operation.permission === PUBLIC);
    expect(open.map((operation) => `${operation.method} ${operation.path}`).sort()).toEqual(
      PUBLIC_ROUTES.map((route) => route.replace(/:([a-zA-Z]+)/g, '{$1}')).sort(),
    );
    for (const operation of operations.filter((operation) => operation.permission !== PUBLIC))
      expect(PERMISSIONS).toContain(operation.permission);
  });

  it('the public routes answer without a credential, and nothing else does', async () => {
    for (const operation of operations) {
      const path = operation.path.replace(/\{[^}]+\}/g, 'no-such-object');
      const body = operation.method === 'GET' || operation.method === 'DELETE' ? undefined : {};
      const answer = await http(`${gateway.url}${path}`, operation.method, body);
      if (operation.permission === PUBLIC) expect(answer.status, `${operation.method} ${path}`).not.toBe(401);
      else expect(answer.status, `${operation.method} ${path}`).toBe(401);
    }
  });

  it('X4: every route answers 403 to exactly the roles its permission excludes', async () => {
    const mismatches: string[] = [];
    for (const operation of operations.filter((operation) => operation.permission !== PUBLIC)) {
      // Ids that match nothing: an allowed call ends in 404 or 400, never changes an object here.
      const path = operation.path.replace('/admin/v1', '').replace(/\{[^}]+\}/g, 'no-such-object');
      const body = operation.method === 'GET' || operation.method === 'DELETE' ? undefined : {};
      for (const role of ROLES) {
        const answer = await as(role, operation.method, path, body);
        const refused = answer.status === 403;
        const expected = !allows(role, operation.permission!);
        if (refused !== expected || answer.status === 401 || answer.status >= 500) {
          mismatches.push(
            `${role} ${operation.method} ${operation.path}: ${answer.status} ${answer.text.slice(0, 120)}`,
          );
        }
        if (refused) expect(answer.headers['content-type']).toContain('application/problem+json');
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("a developer sees and changes only its team's keys and team", async () => {
    const keys = await ok(as<{ data: Array<{ id: string; teamId: string }> }>('developer', 'GET', '/keys'));
    expect(keys.data.map((key) => key.teamId)).toEqual([teamA.teamId]);
    const teams = await ok(as<{ data: Array<{ id: string }> }>('developer', 'GET', '/teams'));
    expect(teams.data.map((team) => team.id)).toEqual([teamA.teamId]);
    expectProblem(await as('developer', 'GET', `/teams/${teamB.teamId}`), 404, 'not_found');
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['PATCH', '', { name: 'taken' }],
      ['POST', '/rotate', {}],
      ['POST', '/revoke', undefined],
    ] as const) {
      expectProblem(await as('developer', method, `/keys/${teamB.id}${suffix}`, body), 404, 'not_found');
    }
    expect(
      (await ok(gateway.admin<{ name: string; revokedAt: string | null }>('GET', `/keys/${teamB.id}`)))
        .revokedAt,
    ).toBeNull();
    expectProblem(
      await as('developer', 'POST', '/keys', { name: 'k', teamId: teamB.teamId }),
      403,
      'forbidden',
    );
    expectProblem(
      await as('developer', 'POST', '/routing/explain', { keyId: teamB.id, model: 'm' }),
      404,
      'not_found',
    );
    // Its own team: allowed, but not the operator's controls.
    const own = await ok(
      as<{ key: { id: string } }>('developer', 'POST', '/keys', { name: 'mine', teamId: teamA.teamId }),
    );
    await ok(as('developer', 'PATCH', `/keys/${own.key.id}`, { name: 'renamed' }));
    for (const field of [
      { requestsPerMinute: 1_000_000 },
      { captureBodies: false },
      { allowedModels: null },
    ]) {
      expectProblem(await as('developer', 'PATCH', `/keys/${own.key.id}`, field), 403, 'forbidden');
    }
    await ok(as('developer', 'POST', '/routing/explain', { keyId: own.key.id, model: 'm' }));
    await ok(as('developer', 'POST', `/keys/${own.key.id}/revoke`));
  });

  it('X5: random usage, request log and key queries of a developer never show the other team', async () => {
    const foreign = {
      teamId: teamB.teamId,
      keyId: teamB.id,
      records: (
        await ok(
          gateway.admin<{ data: Array<{ id: string; requestId: string }> }>(
            'GET',
            `/logs?teamId=${teamB.teamId}`,
          ),
        )
      ).data,
    };
    expect(foreign.records.length).toBe(3);
    const own = (await ok(as<{ data: Array<{ id: string }> }>('developer', 'GET', '/logs?limit=1000'))).data;
    expect(own.length).toBeGreaterThanOrEqual(3);
    const cursorOf = async (path: string) =>
      (
        await as<{ nextCursor: string | null }>(
          'developer',
          'GET',
          `${path}${path.includes('?') ? '&' : '?'}limit=1`,
        )
      ).json?.nextCursor ?? undefined;
    const cursors = [await cursorOf('/logs'), await cursorOf('/usage/records')].filter(Boolean) as string[];
    const filter = fc.record(
      {
        teamId: fc.constantFrom(teamA.teamId, teamB.teamId, 'team_none'),
        keyId: fc.constantFrom(teamA.id, teamB.id),
        model: fc.constantFrom('m', 'missing'),
        status: fc.constantFrom('success', 'error'),
        outcome: fc.constantFrom('complete', 'error'),
        captured: fc.constantFrom('true', 'false'),
        requestId: fc.constantFrom(...foreign.records.map((record) => record.requestId)),
        groupBy: fc.constantFrom('team', 'key', 'team,key', 'model,team', 'provider'),
        from: fc.constantFrom('2000-01-01T00:00:00Z', new Date(Date.now() - 3_600_000).toISOString()),
        limit: fc.integer({ min: 1, max: 5 }).map(String),
        cursor: fc.constantFrom(...cursors),
      },
      { requiredKeys: [] },
    );
    const view = fc.constantFrom(
      '/usage',
      '/usage/series',
      '/usage/records',
      '/usage/export.csv',
      '/logs',
      ...foreign.records.map((record) => `/logs/${record.id}`),
      ...foreign.records.map((record) => `/usage/records/${record.id}`),
      `/keys/${teamB.id}`,
      `/teams/${teamB.teamId}`,
      '/keys',
      '/teams',
    );
    const forbidden = [teamB.teamId, teamB.id, ...foreign.records.map((record) => record.id)];
    await fc.assert(
      fc.asyncProperty(view, filter, async (path, query) => {
        const search = new URLSearchParams(query as Record<string, string>).toString();
        const answer = await as('developer', 'GET', `${path}?${search}`);
        expect(answer.status).not.toBe(500);
        // A foreign object asked for by id is not found (the answer repeats only the id that was asked).
        const asked = path.split('/').pop()!;
        if (forbidden.includes(asked)) expect(answer.status).toBe(404);
        for (const id of forbidden) {
          if (id !== asked) expect(answer.text, `${path}?${search}`).not.toContain(id);
        }
        // Counts and sums cover the developer's team only: three requests at most.
        if (path === '/usage' && answer.status === 200) {
          const totals = (answer.json as { totals: { requests: number } }).totals;
          expect(totals.requests).toBeLessThanOrEqual(own.length);
        }
      }),
      { numRuns: 10_000 },
    );
  }, 240_000);

  it('admin tokens: roles, team binding, expiry, revocation, and the last super_admin stays', async () => {
    expectProblem(
      await gateway.admin('POST', '/tokens', { name: 'x', role: 'root' }),
      400,
      'invalid_request',
    );
    expectProblem(
      await gateway.admin('POST', '/tokens', { name: 'x', role: 'developer' }),
      400,
      'invalid_request',
    );
    expectProblem(
      await gateway.admin('POST', '/tokens', { name: 'x', role: 'viewer', teamId: teamA.teamId }),
      400,
      'invalid_request',
    );
    expectProblem(
      await gateway.admin('POST', '/tokens', { name: 'x', role: 'developer', teamId: 'team_nope' }),
      404,
      'not_found',
    );
    const me = await ok(
      as<{ role: string; teamId: string; permissions: string[] }>('developer', 'GET', '/me'),
    );
    expect(me).toMatchObject({ role: 'developer', teamId: teamA.teamId });
    expect(me.permissions).toContain('keys.write');
    expect(me.permissions).not.toContain('budgets.read');

    const list = await ok(gateway.admin<{ data: Array<Record<string, unknown>> }>('GET', '/tokens'));
    expect(list.data.length).toBeGreaterThanOrEqual(6);
    expect(JSON.stringify(list.data)).not.toMatch(/secretHash|secret_hash|"secret"/);
    for (const secret of Object.values(tokens)) expect(JSON.stringify(list.data)).not.toContain(secret);

    const short = await ok(
      gateway.admin<{ secret: string; token: { id: string } }>('POST', '/tokens', {
        name: 'short',
        role: 'viewer',
        expiresAt: new Date(Date.now() + 1_000).toISOString(),
      }),
    );
    await ok(gateway.admin('GET', '/status', undefined, short.secret));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expectProblem(await gateway.admin('GET', '/status', undefined, short.secret), 401, 'invalid_api_key');

    const revoked = await ok(
      gateway.admin<{ revokedAt: string }>(
        'POST',
        `/tokens/${(await ok(as<{ id: string }>('viewer', 'GET', '/me'))).id}/revoke`,
      ),
    );
    expect(revoked.revokedAt).not.toBeNull();
    expectProblem(await as('viewer', 'GET', '/status'), 401, 'invalid_api_key');

    // Revoking every super_admin token but one works; the last one is refused.
    const supers = (
      await ok(
        gateway.admin<{ data: Array<{ id: string; role: string; revokedAt: string | null }> }>(
          'GET',
          '/tokens',
        ),
      )
    ).data.filter((token) => token.role === 'super_admin' && token.revokedAt === null);
    expect(supers.length).toBe(2);
    const mine = (await ok(as<{ id: string }>('super_admin', 'GET', '/me'))).id;
    const bootstrap = supers.find((token) => token.id !== mine)!;
    await ok(as('super_admin', 'POST', `/tokens/${bootstrap.id}/revoke`));
    expectProblem(await as('super_admin', 'POST', `/tokens/${mine}/revoke`), 409, 'conflict');
    await ok(as('super_admin', 'GET', '/status'));
    const audit = await ok(
      as<{ data: Array<{ action: string; targetId: string }> }>(
        'super_admin',
        'GET',
        '/audit?targetType=admin_tokens',
      ),
    );
    expect(audit.data.map((row) => row.action)).toEqual(
      expect.arrayContaining(['tokens.create', 'tokens.revoke']),
    );
  });
});
