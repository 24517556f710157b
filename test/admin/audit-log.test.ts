/**
 * The audit log on both stores: every change through the admin API (and config apply, which the CLI uses) is
 * recorded in the transaction of the change with its actor, request id, source address and user agent, before
 * and after with secrets redacted; a change that fails leaves no row; rows can be filtered, paged and exported
 * but never changed; a team scope never shows another team's rows (test plan X5, at the service level).
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionOf, runWithAuditContext, userAgentFrom } from '../../src/management/audit/context.js';
import { redactAuditValue } from '../../src/management/audit/state.js';
import type { ConfigDocument } from '../../src/management/config/document.js';
import {
  type AuditEntryView,
  auditEntry,
  auditExport,
  auditPage,
} from '../../src/management/services/audit.js';
import { csvCell } from '../../src/management/services/listing.js';
import { hashSecret } from '../../src/secrets/hash.js';
import { apiKeys, auditLog, teams, usageRecords } from '../../src/store/schema.js';
import {
  type HttpResult,
  http,
  ok,
  startTestGateway,
  TEST_ADMIN_TOKEN,
  type TestGateway,
} from '../support/gateway.js';
import { storeKinds } from '../support/stores.js';
import { expectProblem, type KeyCreated, type TeamView, unique } from './admin-helpers.js';

const kinds = await storeKinds();

interface AuditPage {
  data: AuditEntryView[];
  nextCursor: string | null;
}

describe('audit context helpers', () => {
  it('derives the action from the route', () => {
    expect(actionOf('POST', '/admin/v1/providers')).toBe('providers.create');
    expect(actionOf('PATCH', '/admin/v1/keys/:id')).toBe('keys.update');
    expect(actionOf('DELETE', '/admin/v1/models/:id')).toBe('models.delete');
    expect(actionOf('POST', '/admin/v1/keys/:id/rotate')).toBe('keys.rotate');
    expect(actionOf('POST', '/admin/v1/config/apply')).toBe('config.apply');
    expect(actionOf('POST', '/admin/v1/prices/reprice')).toBe('prices.reprice');
    expect(actionOf('GET', '/admin/v1/audit')).toBe('audit.read');
  });

  it('keeps at most 512 characters of a user agent, without control characters', () => {
    expect(userAgentFrom(`a\u0000b\nc${'x'.repeat(600)}`)).toBe(`abc${'x'.repeat(509)}`);
    expect(userAgentFrom(undefined)).toBeNull();
  });

  it('redacts secret-named fields and token-shaped text, and keeps the markers', () => {
    expect(
      redactAuditValue({
        secret: { stored: true, changed: true },
        credential: 'plain text credential',
        tokensPerMinute: 5,
        config: {
          headers: { 'x-api-key': 'abc', Authorization: 'Basic abc' },
          note: 'uses sk-abcdefghijklmnop',
        },
        labels: { password: 'hunter2', team: 'search' },
      }),
    ).toEqual({
      secret: { stored: true, changed: true },
      credential: '[redacted]',
      tokensPerMinute: 5,
      config: {
        headers: { 'x-api-key': '[redacted]', Authorization: '[redacted]' },
        note: 'uses [redacted]',
      },
      labels: { password: '[redacted]', team: 'search' },
    });
  });

  it('guards CSV cells against formulas', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell(null)).toBe('');
  });
});

describe.each(kinds)('audit log (%s store)', (kind) => {
  let gateway: TestGateway;
  const canary = `sk-canary-${randomBytes(12).toString('hex')}`;
  const rotatedCanary = `sk-canary-rotated-${randomBytes(12).toString('hex')}`;
  /** Every API key secret issued in this suite: none may appear in the log, nor its hash. */
  const keySecrets: string[] = [];

  /** An admin call with chosen headers. */
  const call = <T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpResult<T>> =>
    http<T>(`${gateway.url}/admin/v1${path}`, method, body, {
      authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
      ...headers,
    });

  const requestId = () => `audit-test-${unique()}`;

  const rowsOf = async (request: string) =>
    (await ok(gateway.admin<AuditPage>('GET', `/audit?requestId=${request}&limit=1000`))).data;

  const allRows = () => gateway.store.db.select().from(auditLog);

  beforeAll(async () => {
    gateway = await startTestGateway({ store: kind });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('records the bootstrap admin token as created by Junction at start-up, without its hash', async () => {
    const page = await ok(gateway.admin<AuditPage>('GET', '/audit?action=tokens.create'));
    expect(page.data).toHaveLength(1);
    expect(page.data[0]).toMatchObject({
      actorId: null,
      actorName: 'junction (start-up)',
      role: 'system',
      targetType: 'admin_tokens',
      before: null,
      after: { name: 'bootstrap (JUNCTION_ADMIN_TOKEN)', role: 'super_admin', secret: { stored: true } },
    });
    expect(JSON.stringify(page.data)).not.toContain(hashSecret(TEST_ADMIN_TOKEN));
  });

  it("records a provider's create, update, rotation and delete with actor, request id, address and user agent", async () => {
    const id = `audited-${unique()}`;
    const created = requestId();
    const answer = await call(
      'POST',
      '/providers',
      {
        id,
        type: 'openai-compatible',
        displayName: 'Audited',
        baseUrl: 'http://127.0.0.1:9/v1',
        apiKey: canary,
        labels: { owner: 'search' },
      },
      { 'x-request-id': created, 'user-agent': 'audit-test/1.0 (=formula)' },
    );
    expect(answer.status, answer.text).toBe(201);
    expect(answer.headers['x-request-id']).toBe(created);

    const [row] = await rowsOf(created);
    expect(row).toMatchObject({
      action: 'providers.create',
      targetType: 'providers',
      targetId: id,
      teamId: null,
      actorId: expect.stringMatching(/^adm_/),
      actorName: 'bootstrap (JUNCTION_ADMIN_TOKEN)',
      role: 'super_admin',
      requestId: created,
      userAgent: 'audit-test/1.0 (=formula)',
      before: null,
      after: {
        id,
        displayName: 'Audited',
        type: 'openai-compatible',
        labels: { owner: 'search' },
        credential: { stored: true },
        credentialHint: `****${canary.slice(-4)}`,
      },
    });
    expect(row!.sourceAddress).toMatch(/127\.0\.0\.1$/);
    expect(row!.at).toEqual(expect.any(String));
    expect(JSON.stringify(row!.after)).not.toMatch(/ciphertext/i);

    const updated = requestId();
    await ok(
      call('PATCH', `/providers/${id}`, { displayName: 'Audited again' }, { 'x-request-id': updated }),
    );
    const [update] = await rowsOf(updated);
    expect(update).toMatchObject({
      action: 'providers.update',
      targetId: id,
      before: { displayName: 'Audited', credential: { stored: true } },
      after: { displayName: 'Audited again', credential: { stored: true, changed: false } },
    });

    const rotated = requestId();
    await ok(call('POST', `/providers/${id}/rotate`, { apiKey: rotatedCanary }, { 'x-request-id': rotated }));
    const [rotation] = await rowsOf(rotated);
    expect(rotation).toMatchObject({
      action: 'providers.rotate',
      after: {
        credential: { stored: true, changed: true },
        credentialHint: `****${rotatedCanary.slice(-4)}`,
      },
    });

    const deleted = requestId();
    await ok(call('DELETE', `/providers/${id}`, undefined, { 'x-request-id': deleted }));
    const [deletion] = await rowsOf(deleted);
    expect(deletion).toMatchObject({
      action: 'providers.delete',
      targetId: id,
      before: { displayName: 'Audited again' },
      after: null,
    });
  });

  it('answers a new request id when the client sends none or a malformed one', async () => {
    const none = await gateway.admin('GET', '/audit?limit=1');
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const bad = await call('GET', '/audit?limit=1', undefined, { 'x-request-id': 'not ok!' });
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('records a model with its deployments: create, update of the pool, delete', async () => {
    const provider = `echo-${unique()}`;
    await ok(gateway.admin('POST', '/providers', { id: provider, type: 'echo', displayName: 'Echo' }));
    const model = `chat-${unique()}`;
    const created = requestId();
    await ok(
      call(
        'POST',
        '/models',
        { id: model, kind: 'chat', deployments: [{ providerId: provider, upstreamModel: 'echo' }] },
        { 'x-request-id': created },
      ),
    );
    const [creation] = await rowsOf(created);
    expect(creation).toMatchObject({
      action: 'models.create',
      targetType: 'models',
      targetId: model,
      before: null,
      after: {
        id: model,
        kind: 'chat',
        deployments: [{ providerId: provider, upstreamModel: 'echo', weight: 1 }],
      },
    });

    const updated = requestId();
    await ok(
      call(
        'PATCH',
        `/models/${model}`,
        {
          deployments: [
            { providerId: provider, upstreamModel: 'echo', weight: 3 },
            { providerId: provider, upstreamModel: 'echo-2' },
          ],
        },
        { 'x-request-id': updated },
      ),
    );
    const rows = await rowsOf(updated);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'models.update',
      before: { deployments: [{ upstreamModel: 'echo', weight: 1 }] },
      after: {
        deployments: [
          { upstreamModel: 'echo', weight: 3, position: 0 },
          { upstreamModel: 'echo-2', weight: 1, position: 1 },
        ],
      },
    });

    const deleted = requestId();
    await ok(call('DELETE', `/models/${model}`, undefined, { 'x-request-id': deleted }));
    expect(await rowsOf(deleted)).toMatchObject([
      { action: 'models.delete', targetId: model, before: { deployments: [{}, {}] }, after: null },
    ]);
  });

  it('records teams and keys with their team, and a rotation as a changed secret marker, never a hash', async () => {
    const teamRequest = requestId();
    const team = await ok(
      call<TeamView>('POST', '/teams', { name: `audit-${unique()}` }, { 'x-request-id': teamRequest }),
    );
    expect(await rowsOf(teamRequest)).toMatchObject([
      { action: 'teams.create', targetType: 'teams', targetId: team.id, teamId: team.id },
    ]);

    const keyRequest = requestId();
    const key = await ok(
      call<KeyCreated>(
        'POST',
        '/keys',
        { name: 'audited key', teamId: team.id, metadata: { app: 'search' } },
        { 'x-request-id': keyRequest },
      ),
    );
    keySecrets.push(key.secret);
    const [creation] = await rowsOf(keyRequest);
    expect(creation).toMatchObject({
      action: 'keys.create',
      targetType: 'keys',
      targetId: key.key.id,
      teamId: team.id,
      before: null,
      after: { name: 'audited key', metadata: { app: 'search' }, secret: { stored: true } },
    });

    const patchRequest = requestId();
    await ok(call('PATCH', `/keys/${key.key.id}`, { name: 'renamed key' }, { 'x-request-id': patchRequest }));
    expect(await rowsOf(patchRequest)).toMatchObject([
      {
        action: 'keys.update',
        teamId: team.id,
        before: { name: 'audited key' },
        after: { name: 'renamed key', secret: { stored: true, changed: false } },
      },
    ]);

    const rotateRequest = requestId();
    const rotated = await ok(
      call<KeyCreated>(
        'POST',
        `/keys/${key.key.id}/rotate`,
        { gracePeriodSeconds: 60 },
        { 'x-request-id': rotateRequest },
      ),
    );
    keySecrets.push(rotated.secret);
    const [rotation] = await rowsOf(rotateRequest);
    expect(rotation).toMatchObject({
      action: 'keys.rotate',
      teamId: team.id,
      before: { secret: { stored: true }, previousSecret: { stored: false } },
      after: { secret: { stored: true, changed: true }, previousSecret: { stored: true, changed: true } },
    });
    expect(rotation!.after).toHaveProperty('previousSecretExpiresAt', expect.any(String));
    const [stored] = await gateway.store.db.select().from(apiKeys).where(eq(apiKeys.id, key.key.id));
    const text = JSON.stringify(rotation);
    expect(text).not.toContain(stored!.secretHash);
    expect(text).not.toContain(stored!.previousSecretHash!);
    expect(text).not.toContain(rotated.secret);

    const revokeRequest = requestId();
    await ok(call('POST', `/keys/${key.key.id}/revoke`, undefined, { 'x-request-id': revokeRequest }));
    expect(await rowsOf(revokeRequest)).toMatchObject([
      { action: 'keys.revoke', before: { revokedAt: null }, after: { revokedAt: expect.any(String) } },
    ]);
    // Revoking again changes nothing, so nothing is recorded.
    const again = requestId();
    await ok(call('POST', `/keys/${key.key.id}/revoke`, undefined, { 'x-request-id': again }));
    expect(await rowsOf(again)).toEqual([]);
  });

  it('records each object a config apply changes with the action config.apply', async () => {
    const exported = await ok(gateway.admin<ConfigDocument>('GET', '/config'));
    const environment = `env-${unique()}`;
    const teamName = `applied-${unique()}`;
    const document: ConfigDocument = {
      ...exported,
      environments: [...(exported.environments ?? []), { id: environment, description: 'from config' }],
      teams: [...(exported.teams ?? []), { name: teamName }],
    };
    const applied = requestId();
    await ok(
      call('POST', '/config/apply', document, { 'x-request-id': applied, 'user-agent': 'junction-cli' }),
    );
    const rows = await rowsOf(applied);
    expect(rows.map((row) => row.action)).toEqual(['config.apply', 'config.apply']);
    expect(rows.map((row) => row.targetType).sort()).toEqual(['environments', 'teams']);
    expect(rows.find((row) => row.targetType === 'environments')).toMatchObject({
      targetId: environment,
      before: null,
      after: { id: environment, description: 'from config' },
      userAgent: 'junction-cli',
    });
    expect(rows.find((row) => row.targetType === 'teams')).toMatchObject({ after: { name: teamName } });
  });

  it('leaves no row for a change that fails or is rolled back', async () => {
    const team = await ok(gateway.admin<TeamView>('POST', '/teams', { name: `failing-${unique()}` }));
    const key = await ok(gateway.admin<KeyCreated>('POST', '/keys', { name: 'k', teamId: team.id }));
    keySecrets.push(key.secret);
    const refusedRequest = requestId();
    const refused = await call(
      'PATCH',
      `/keys/${key.key.id}`,
      { routing: { rules: [], default: { type: 'fallback', targets: [{ model: 'ghost' }] } } },
      { 'x-request-id': refusedRequest },
    );
    expectProblem(refused, 422, 'invalid_configuration');
    expect(await rowsOf(refusedRequest)).toEqual([]);

    const exported = await ok(gateway.admin<ConfigDocument>('GET', '/config'));
    const applyRequest = requestId();
    const failed = await call(
      'POST',
      '/config/apply',
      {
        ...exported,
        teams: [...(exported.teams ?? []), { name: `never-${unique()}` }],
        models: [
          ...(exported.models ?? []),
          { id: 'broken', kind: 'chat', deployments: [{ providerId: 'missing', upstreamModel: 'x' }] },
        ],
      },
      { 'x-request-id': applyRequest },
    );
    expect(failed.status).toBe(400);
    expect(await rowsOf(applyRequest)).toEqual([]);

    const missing = requestId();
    expectProblem(
      await call('DELETE', '/providers/no-such-provider', undefined, { 'x-request-id': missing }),
      404,
      'not_found',
    );
    expect(await rowsOf(missing)).toEqual([]);
  });

  it('finds rows written in a savepoint, and a deletion that an insertion hides from the row count', async () => {
    const gone = await ok(gateway.admin<TeamView>('POST', '/teams', { name: `gone-${unique()}` }));
    const added = `team_direct_${unique()}`;
    const context = {
      actorId: 'adm_service_test',
      actorName: 'service test',
      role: 'super_admin',
      action: 'teams.replace',
      requestId: requestId(),
      sourceAddress: null,
      userAgent: null,
    };
    await runWithAuditContext(context, () =>
      gateway.running.publisher.change(async (tx) => {
        await tx.transaction(async (savepoint) => {
          await savepoint.insert(teams).values({ id: added, name: added });
        });
        await tx.delete(teams).where(eq(teams.id, gone.id));
      }),
    );
    const rows = await rowsOf(context.requestId);
    expect(
      rows.map((row) => [row.action, row.targetId, row.before === null, row.after === null]).sort(),
    ).toEqual(
      [
        ['teams.replace', added, true, false],
        ['teams.replace', gone.id, false, true],
      ].sort(),
    );
    expect(rows[0]).toMatchObject({
      actorId: 'adm_service_test',
      actorName: 'service test',
      sourceAddress: null,
    });
  });

  it('records a re-pricing of usage in its transaction', async () => {
    const model = `priced-${unique()}`;
    await gateway.store.db.insert(usageRecords).values({
      id: `usage-${unique()}`,
      requestId: 'r',
      at: new Date('2026-01-02T00:00:00Z'),
      endpoint: 'chat',
      model,
      attempts: [],
      status: 200,
      outcome: 'complete',
      stream: false,
      promptTokens: 1000,
      completionTokens: 1000,
      latencyMs: 5,
    });
    await ok(gateway.admin('POST', '/prices', { scope: 'model', target: model, input: '1', output: '2' }));
    const reprice = requestId();
    const result = await ok(
      call<{ repriced: number }>(
        'POST',
        '/prices/reprice',
        { from: '2026-01-01T00:00:00Z', to: '2026-01-03T00:00:00Z' },
        { 'x-request-id': reprice },
      ),
    );
    expect(result.repriced).toBeGreaterThan(0);
    expect(await rowsOf(reprice)).toMatchObject([
      {
        action: 'prices.reprice',
        targetType: 'usage',
        after: { from: '2026-01-01T00:00:00Z', to: '2026-01-03T00:00:00Z', repriced: result.repriced },
      },
    ]);
    const created = await ok(
      gateway.admin<AuditPage>('GET', `/audit?action=prices.create&targetType=prices`),
    );
    expect(created.data[0]).toMatchObject({ after: { target: model, input: '1', output: '2' } });
  });

  it('never holds a credential, key secret or hash in any column, nor in the export', async () => {
    const rows = await allRows();
    expect(rows.length).toBeGreaterThan(10);
    const hashes = keySecrets.map(hashSecret);
    const jsonl = await gateway.admin('GET', '/audit/export');
    const csv = await gateway.admin('GET', '/audit/export?format=csv');
    for (const text of [JSON.stringify(rows), jsonl.text, csv.text]) {
      expect(text).not.toContain(canary);
      expect(text).not.toContain(rotatedCanary);
      expect(text).not.toContain(TEST_ADMIN_TOKEN);
      expect(text).not.toContain(hashSecret(TEST_ADMIN_TOKEN));
      for (const secret of keySecrets) expect(text).not.toContain(secret);
      for (const hash of hashes) expect(text).not.toContain(hash);
      expect(text).not.toMatch(/ciphertext|secretHash|secret_hash/i);
    }
  });

  it('filters by action (or an object), actor, target, team and time', async () => {
    const everything = (await ok(gateway.admin<AuditPage>('GET', '/audit?limit=1000'))).data;
    const byAction = (await ok(gateway.admin<AuditPage>('GET', '/audit?action=keys.rotate'))).data;
    expect(byAction.length).toBeGreaterThan(0);
    expect(byAction.every((row) => row.action === 'keys.rotate')).toBe(true);
    const byObject = (await ok(gateway.admin<AuditPage>('GET', '/audit?action=keys.*&limit=1000'))).data;
    expect(new Set(byObject.map((row) => row.action))).toEqual(
      new Set(everything.filter((row) => row.action.startsWith('keys.')).map((row) => row.action)),
    );
    const admin = everything.find((row) => row.actorId !== null)!;
    const byActor = (await ok(gateway.admin<AuditPage>('GET', `/audit?actor=${admin.actorId}&limit=1000`)))
      .data;
    expect(byActor).toHaveLength(everything.filter((row) => row.actorId === admin.actorId).length);
    const byName = (
      await ok(gateway.admin<AuditPage>('GET', '/audit?actor=junction%20(start-up)&limit=1000'))
    ).data;
    expect(byName.map((row) => row.action)).toEqual(['tokens.create']);
    const keyRow = everything.find((row) => row.targetType === 'keys')!;
    const byTarget = (
      await ok(gateway.admin<AuditPage>('GET', `/audit?targetType=keys&targetId=${keyRow.targetId}`))
    ).data;
    expect(byTarget.length).toBeGreaterThan(0);
    expect(byTarget.every((row) => row.targetId === keyRow.targetId && row.targetType === 'keys')).toBe(true);
    const byTeam = (await ok(gateway.admin<AuditPage>('GET', `/audit?teamId=${keyRow.teamId}&limit=1000`)))
      .data;
    expect(byTeam.length).toBeGreaterThan(1);
    expect(byTeam.every((row) => row.teamId === keyRow.teamId)).toBe(true);
    const future = (await ok(gateway.admin<AuditPage>('GET', '/audit?from=2100-01-01T00:00:00Z'))).data;
    expect(future).toEqual([]);
    const past = (await ok(gateway.admin<AuditPage>('GET', '/audit?to=2000-01-01T00:00:00Z'))).data;
    expect(past).toEqual([]);
    const now = (
      await ok(
        gateway.admin<AuditPage>(
          'GET',
          `/audit?from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}&limit=1000`,
        ),
      )
    ).data;
    expect(now).toHaveLength(everything.length);
    expectProblem(await gateway.admin('GET', '/audit?from=yesterday'), 400, 'invalid_request');
  });

  it('pages newest first with a cursor, and reads one row', async () => {
    const everything = (await ok(gateway.admin<AuditPage>('GET', '/audit?limit=1000'))).data;
    const seen: AuditEntryView[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const page: AuditPage = await ok(gateway.admin<AuditPage>('GET', `/audit?limit=3${query}`));
      expect(page.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((row) => row.id)).toEqual(everything.map((row) => row.id));
    const times = seen.map((row) => Date.parse(row.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // The rows of one change keep the order they were written in (newest first).
    const one = await ok(gateway.admin<AuditEntryView>('GET', `/audit/${seen[2]!.id}`));
    expect(one).toEqual(seen[2]);
    expectProblem(await gateway.admin('GET', '/audit/aud_missing'), 404, 'not_found');
    expectProblem(await gateway.admin('GET', '/audit?limit=1001'), 400, 'invalid_request');
    expectProblem(await gateway.admin('GET', '/audit?limit=0'), 400, 'invalid_request');
    expectProblem(await gateway.admin('GET', '/audit?cursor=bm90LWEtY3Vyc29y'), 400, 'invalid_request');
  });

  it('exports JSON Lines and CSV with the formula guard', async () => {
    const everything = (await ok(gateway.admin<AuditPage>('GET', '/audit?limit=1000'))).data;
    const jsonl = await gateway.admin('GET', '/audit/export');
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = jsonl.text.trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line) as AuditEntryView)).toEqual(everything);

    const csv = await gateway.admin('GET', '/audit/export?format=csv&action=providers.create');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const csvLines = csv.text.trimEnd().split('\r\n');
    expect(csvLines[0]).toBe(
      'id,at,actor_id,actor_name,role,action,target_type,target_id,team_id,before,after,request_id,source_address,user_agent',
    );
    expect(csvLines.length).toBe(everything.filter((row) => row.action === 'providers.create').length + 1);
    await ok(call('POST', '/teams', { name: `csv-${unique()}` }, { 'user-agent': '=HYPERLINK("http://x")' }));
    const guarded = await gateway.admin('GET', '/audit/export?format=csv&action=teams.create');
    expect(guarded.text).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(guarded.text).not.toContain(`,=HYPERLINK`);

    const empty = await gateway.admin('GET', '/audit/export?from=2100-01-01T00:00:00Z');
    expect(empty.status).toBe(200);
    expect(empty.text).toBe('');
    expectProblem(await gateway.admin('GET', '/audit/export?format=xml'), 400, 'invalid_request');
  });

  it('has no route that creates, edits or deletes an audit row', async () => {
    const [row] = (await ok(gateway.admin<AuditPage>('GET', '/audit?limit=1'))).data;
    for (const path of ['/audit', `/audit/${row!.id}`, '/audit/export']) {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const result = await gateway.admin(method, path, method === 'DELETE' ? undefined : { action: 'x' });
        expect([404, 405], `${method} ${path}`).toContain(result.status);
        expect(result.headers['content-type']).toBe('application/problem+json');
      }
    }
    expect(await ok(gateway.admin<AuditEntryView>('GET', `/audit/${row!.id}`))).toEqual(row);
  });

  it('shows a team scope only its own rows, whatever the filter asks (X5)', async () => {
    const one = await ok(gateway.admin<TeamView>('POST', '/teams', { name: `scope-a-${unique()}` }));
    const two = await ok(gateway.admin<TeamView>('POST', '/teams', { name: `scope-b-${unique()}` }));
    const keyOne = await ok(gateway.admin<KeyCreated>('POST', '/keys', { name: 'a', teamId: one.id }));
    const keyTwo = await ok(gateway.admin<KeyCreated>('POST', '/keys', { name: 'b', teamId: two.id }));
    keySecrets.push(keyOne.secret, keyTwo.secret);
    await ok(gateway.admin('PATCH', `/keys/${keyTwo.key.id}`, { name: 'b2' }));

    const db = gateway.store.db;
    const scoped = await auditPage(db, {}, { limit: 1000 }, one.id);
    expect(scoped.data.length).toBe(2);
    expect(scoped.data.every((row) => row.teamId === one.id)).toBe(true);
    expect(new Set(scoped.data.map((row) => row.targetId))).toEqual(new Set([one.id, keyOne.key.id]));
    // Asking for the other team, or for its objects, within the scope finds nothing.
    expect((await auditPage(db, { teamId: two.id }, {}, one.id)).data).toEqual([]);
    expect((await auditPage(db, { targetId: keyTwo.key.id }, {}, one.id)).data).toEqual([]);
    expect((await auditPage(db, { targetType: 'providers' }, {}, one.id)).data).toEqual([]);
    const foreign = (await auditPage(db, { teamId: two.id }, {})).data;
    expect(foreign.length).toBe(3);
    await expect(auditEntry(db, foreign[0]!.id, one.id)).rejects.toMatchObject({ code: 'not_found' });
    expect((await auditEntry(db, scoped.data[0]!.id, one.id)).teamId).toBe(one.id);
    // Paging inside the scope, and the export, stay in it.
    const first = await auditPage(db, {}, { limit: 1 }, one.id);
    const second = await auditPage(db, {}, { limit: 1, cursor: first.nextCursor! }, one.id);
    expect(second.nextCursor).toBeNull();
    expect([...first.data, ...second.data].every((row) => row.teamId === one.id)).toBe(true);
    let exported = '';
    for await (const chunk of auditExport(db, {}, 'jsonl', one.id, 1)) exported += chunk;
    const exportedRows = exported
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditEntryView);
    expect(exportedRows.map((row) => row.id)).toEqual(scoped.data.map((row) => row.id));
    let csv = '';
    for await (const chunk of auditExport(db, {}, 'csv', one.id)) csv += chunk;
    expect(csv).not.toContain(two.id);
    expect(csv).not.toContain(keyTwo.key.id);
  });
});
