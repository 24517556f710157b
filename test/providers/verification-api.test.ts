/**
 * POST /admin/v1/providers/{id}/verify through the real admin API: a healthy answer, then one entry per
 * diagnostic stage (connect, dns through an injected lookup, timeout, auth, wrong-path, http), and how the
 * timestamps move. The probe's own unit tests are in test/health/probe.test.ts; this suite checks what the
 * API makes of it. Health lives in memory here, so the embedded store is enough.
 */
import type { LookupFunction } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../admin/admin-helpers.js';
import { closedPort } from '../dataplane/helpers.js';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { openAIError } from '../harness/openai-fixtures.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { createEntry, type ProviderView, readProvider, unresolvable, verify } from './helpers.js';

const CREDENTIAL = 'sk-verify-4f9a1c7e2d8b6035CRED';
const PROBE_TIMEOUT_MS = 300;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let gateway: TestGateway;
let upstream: FakeUpstream;
const looked: string[] = [];
const lookup: LookupFunction = (hostname, options, callback) => {
  looked.push(hostname);
  unresolvable(hostname, options, callback);
};

beforeAll(async () => {
  upstream = await startFakeUpstream();
  gateway = await startTestGateway({ lookup, config: { healthCheckTimeoutMs: PROBE_TIMEOUT_MS } });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

/** Creates an entry, verifies it through the API and returns the verified view. */
async function verified(id: string, baseUrl: string, apiKey = CREDENTIAL): Promise<ProviderView> {
  await createEntry(gateway, { id, baseUrl, apiKey });
  return verify(gateway, id);
}

/** Verifies, expects an unhealthy entry, and returns its diagnostic. */
async function failing(id: string, baseUrl: string) {
  const entry = await verified(id, baseUrl);
  expect(entry.health.status).toBe('unhealthy');
  expect(entry.health.lastCheckedAt).toMatch(ISO);
  expect(entry.health.lastVerifiedAt).toBeNull();
  expect(JSON.stringify(entry)).not.toContain(CREDENTIAL);
  const diagnostic = entry.health.diagnostic;
  if (!diagnostic) throw new Error(`no diagnostic on ${JSON.stringify(entry)}`);
  return diagnostic;
}

describe('POST /providers/{id}/verify', () => {
  it('returns the entry, healthy, with its latency and verification time', async () => {
    const entry = await verified('verify-ok', `${upstream.url}/v1`);
    expect(entry.id).toBe('verify-ok');
    expect(entry.credential?.hint).toBe(`****${CREDENTIAL.slice(-4)}`);
    expect(entry.health.status).toBe('healthy');
    expect(entry.health.diagnostic).toBeNull();
    expect(Number.isInteger(entry.health.latencyMs)).toBe(true);
    expect(entry.health.latencyMs).toBeGreaterThanOrEqual(0);
    expect(entry.health.lastVerifiedAt).toMatch(ISO);
    expect(entry.health.lastCheckedAt).toBe(entry.health.lastVerifiedAt);
    expect(entry).not.toHaveProperty('warnings');
    const probe = upstream.requests.find((r) => r.path === '/v1/models');
    expect(probe?.method).toBe('GET');
    expect(probe?.headers.authorization).toBe(`Bearer ${CREDENTIAL}`);
    // The read afterwards shows the same record.
    expect((await readProvider(gateway, 'verify-ok')).health).toEqual(entry.health);
  });

  it('says connect (ECONNREFUSED) for a port nothing listens on', async () => {
    const port = await closedPort();
    const diagnostic = await failing('verify-refused', `http://127.0.0.1:${port}/v1`);
    expect(diagnostic.stage).toBe('connect');
    expect(diagnostic.code).toBe('ECONNREFUSED');
    expect(diagnostic.message).toContain(`127.0.0.1:${port}`);
  });

  it('says dns (ENOTFOUND) for a name the injected lookup cannot resolve', async () => {
    const diagnostic = await failing('verify-dns', 'http://llm.internal.invalid:8000/v1');
    expect(looked).toContain('llm.internal.invalid');
    expect(diagnostic.stage).toBe('dns');
    expect(diagnostic.code).toBe('ENOTFOUND');
    expect(diagnostic.message).toContain('llm.internal.invalid could not be resolved');
  });

  it(`says timeout when the upstream accepts and never answers (budget ${PROBE_TIMEOUT_MS} ms)`, async () => {
    upstream.on({ path: '/stall/v1/models', reply: { kind: 'stall' } });
    const started = performance.now();
    const diagnostic = await failing('verify-stall', `${upstream.url}/stall/v1`);
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(diagnostic.stage).toBe('timeout');
    expect(diagnostic.message).toContain(`did not answer within ${PROBE_TIMEOUT_MS} ms`);
  });

  it('says auth for a 401 and never repeats the credential the provider echoes', async () => {
    upstream.on({
      path: '/auth/v1/models',
      reply: (request) => ({
        kind: 'json',
        status: 401,
        body: openAIError(
          `Incorrect API key provided: ${String(request.headers.authorization)}`,
          'invalid_request_error',
          'invalid_api_key',
        ),
      }),
    });
    const diagnostic = await failing('verify-auth', `${upstream.url}/auth/v1`);
    expect(diagnostic.stage).toBe('auth');
    expect(diagnostic.httpStatus).toBe(401);
    expect(diagnostic.message).toContain('rejected the credential (HTTP 401)');
    expect(diagnostic.message).toContain('Incorrect API key provided');
    expect(diagnostic.message).not.toContain(CREDENTIAL);
    expect(diagnostic.message).not.toContain(CREDENTIAL.slice(0, 12));
    const history = await gateway.admin('GET', '/providers/verify-auth/health');
    expect(history.text).not.toContain(CREDENTIAL);
  });

  it('says wrong-path for a doubled /v1 and names the base URL to use', async () => {
    upstream.on({
      path: '/v1/v1/models',
      reply: { kind: 'json', status: 404, body: openAIError('Invalid URL', 'invalid_request_error') },
    });
    const diagnostic = await failing('verify-doubled', `${upstream.url}/v1/v1`);
    expect(diagnostic.stage).toBe('wrong-path');
    expect(diagnostic.httpStatus).toBe(404);
    expect(diagnostic.message).toContain('/v1/v1/models');
    expect(diagnostic.message).toContain(`the base URL repeats /v1; set it to ${upstream.url}/v1`);
  });

  it('says http for a 500', async () => {
    upstream.on({
      path: '/broken/v1/models',
      reply: { kind: 'json', status: 500, body: openAIError('the model list is on fire', 'server_error') },
    });
    const diagnostic = await failing('verify-500', `${upstream.url}/broken/v1`);
    expect(diagnostic.stage).toBe('http');
    expect(diagnostic.httpStatus).toBe(500);
    expect(diagnostic.message).toContain('the model list is on fire');
  });

  it('keeps lastVerifiedAt at the last success while lastCheckedAt moves on a failure', async () => {
    const good = await verified('verify-flaky', `${upstream.url}/flaky/v1`);
    expect(good.health.status).toBe('healthy');
    const verifiedAt = good.health.lastVerifiedAt!;
    await new Promise((resolve) => setTimeout(resolve, 15));

    upstream.on({
      path: '/flaky/v1/models',
      times: 1,
      reply: { kind: 'json', status: 503, body: openAIError('down for a moment', 'server_error') },
    });
    const bad = await verify(gateway, 'verify-flaky');
    expect(bad.health.status).toBe('unhealthy');
    expect(bad.health.diagnostic).toMatchObject({ stage: 'http', httpStatus: 503 });
    expect(bad.health.lastVerifiedAt).toBe(verifiedAt);
    expect(Date.parse(bad.health.lastCheckedAt!)).toBeGreaterThan(Date.parse(verifiedAt));
    await new Promise((resolve) => setTimeout(resolve, 15));

    const again = await verify(gateway, 'verify-flaky');
    expect(again.health).toMatchObject({ status: 'healthy', diagnostic: null });
    expect(again.health.lastVerifiedAt).toBe(again.health.lastCheckedAt);
    expect(Date.parse(again.health.lastVerifiedAt!)).toBeGreaterThan(Date.parse(bad.health.lastCheckedAt!));
  });

  it('reports an echo entry healthy without reaching anything', async () => {
    await ok(gateway.admin('POST', '/providers', { id: 'verify-echo', type: 'echo', displayName: 'E' }));
    const entry = await verify(gateway, 'verify-echo');
    expect(entry.health).toMatchObject({ status: 'healthy', latencyMs: 0, diagnostic: null });
  });

  it('answers 404 for an unknown entry', async () => {
    expectProblem(await gateway.admin('POST', '/providers/verify-nobody/verify'), 404, 'not_found');
  });
});
