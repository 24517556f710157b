/**
 * X1 canary, on both stores: provider credentials `sk-canary-<random>` go through every path that handles
 * them (create, automatic and scheduled checks, verify against a provider that echoes the Authorization
 * header, discovery, data-plane success, streams, echoed 401s and 500s, fallback, rotation and PATCH), and
 * then no log line at level trace, no admin or data-plane answer, no /metrics text and no stored row holds
 * one of them: raw, base64 or base64url at any alignment, hex, or URL-encoded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, streamRequest } from '../dataplane/helpers.js';
import {
  type FakeUpstream,
  type RecordedRequest,
  type Reply,
  startFakeUpstream,
} from '../harness/fake-upstream.js';
import { openAIError } from '../harness/openai-fixtures.js';
import { dumpTables } from '../store/store-helpers.js';
import { canary, encodings, traceLogger } from '../support/canary.js';
import { type HttpResult, startTestGateway, type TestGateway } from '../support/gateway.js';
import { storeKinds } from '../support/stores.js';
import { until } from './helpers.js';

const kinds = await storeKinds();
const CHAT = '/v1/chat/completions';
/** A reply that repeats the request's Authorization header (raw and URL-encoded) in its body and headers. */
const echoing =
  (status: number) =>
  (request: RecordedRequest): Reply => {
    const authorization = String(request.headers.authorization);
    return {
      kind: 'json',
      status,
      headers: {
        'x-echo-authorization': authorization,
        'www-authenticate': `Bearer realm="${authorization}"`,
      },
      body: openAIError(`Rejected ${authorization} (${encodeURIComponent(authorization)})`),
    };
  };

describe.each(kinds)('credentials never reach a sink (%s store)', (kind) => {
  const canaries = {
    ok: canary(),
    denied: canary(),
    failing: canary(),
    rotatedTo: canary(),
    patchedTo: canary(),
  };
  const trace = traceLogger();
  const logLines = trace.lines;
  const answers: string[] = [];
  let gateway: TestGateway;
  let upstream: FakeUpstream;
  let closed = false;
  let tables = '';
  let metrics = '';

  const collect = (result: HttpResult): HttpResult => {
    answers.push(result.text, JSON.stringify(result.headers));
    return result;
  };
  const admin = async (method: string, path: string, body?: unknown) =>
    collect(await gateway.admin(method, path, body));
  const call = async (model: string) => collect(await gateway.call('POST', CHAT, chat(model), key));
  let key = '';

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    upstream.on({ path: /^\/deny\/v1\//, reply: echoing(401) });
    upstream.on({ path: /^\/fail\/v1\//, reply: echoing(500) });
    gateway = await startTestGateway({
      store: kind,
      random: () => 0,
      logger: trace.logger,
      config: { autoVerify: true, healthCheckIntervalMs: 100, logLevel: 'trace' },
    });
    key = (await gateway.createKey()).secret;

    const entries = [
      { id: 'canary-ok', path: 'ok', apiKey: canaries.ok },
      { id: 'canary-denied', path: 'deny', apiKey: canaries.denied },
      { id: 'canary-failing', path: 'fail', apiKey: canaries.failing },
    ];
    for (const entry of entries) {
      const created = await admin('POST', '/providers', {
        id: entry.id,
        type: 'openai-compatible',
        displayName: entry.id,
        baseUrl: `${upstream.url}/${entry.path}/v1`,
        apiKey: ` ${entry.apiKey} `,
      });
      expect(created.status, created.text).toBe(201);
      const model = await admin('POST', '/models', {
        id: `${entry.id}-model`,
        kind: 'chat',
        deployments: [{ providerId: entry.id, upstreamModel: `${entry.path}-upstream` }],
      });
      expect(model.status, model.text).toBe(201);
    }
    await admin('POST', '/models', {
      id: 'canary-fallback',
      kind: 'chat',
      deployments: [
        { providerId: 'canary-failing', upstreamModel: 'fail-upstream' },
        { providerId: 'canary-ok', upstreamModel: 'ok-upstream' },
      ],
    });

    for (const entry of entries) {
      await admin('POST', `/providers/${entry.id}/verify`);
      await admin('GET', `/providers/${entry.id}/discovered-models`);
    }
    expect((await call('canary-ok-model')).status).toBe(200);
    const stream = await streamRequest(gateway.url, {
      key,
      body: chat('canary-ok-model', 'hi', { stream: true }),
    });
    answers.push(stream.text, JSON.stringify(stream.headers));
    for (let i = 0; i < 3; i++) expect((await call('canary-denied-model')).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await call('canary-failing-model')).status).toBe(500);
    expect((await call('canary-fallback')).status).toBe(200);

    expect((await admin('POST', '/providers/canary-ok/rotate', { apiKey: canaries.rotatedTo })).status).toBe(
      200,
    );
    expect((await admin('PATCH', '/providers/canary-failing', { apiKey: canaries.patchedTo })).status).toBe(
      200,
    );
    expect((await call('canary-ok-model')).status).toBe(200);
    expect((await call('canary-failing-model')).status).toBe(500);
    // Let the schedule run a few sweeps over the echoing providers.
    const sweeps = upstream.requests.length;
    await until(
      async () => upstream.requests.length,
      (count) => count >= sweeps + 9,
      3_000,
    );
    for (const entry of entries) {
      await admin('GET', `/providers/${entry.id}`);
      await admin('GET', `/providers/${entry.id}/health`);
    }
    await admin('GET', '/providers');
    await admin('GET', '/status');
    await admin('GET', '/openapi.json');
    const scraped = await gateway.call('GET', '/metrics', undefined, undefined);
    metrics = scraped.text;
    tables = JSON.stringify(await dumpTables(gateway.store));
    await gateway.close();
    closed = true;
  });
  afterAll(async () => {
    if (!closed) await gateway?.close();
    await upstream?.close();
  });

  it('sent every canary to the provider (so the search below is not vacuous)', () => {
    const sent = new Set(upstream.requests.map((request) => request.headers.authorization));
    for (const value of Object.values(canaries)) expect(sent.has(`Bearer ${value}`), value).toBe(true);
    expect(logLines.some((line) => line.includes('junction is serving'))).toBe(true);
    expect(logLines.some((line) => line.includes('junction stopped'))).toBe(true);
    expect(metrics).toContain('junction_requests_total');
    expect(answers.length).toBeGreaterThan(40);
    // The echoed header came back through the diagnostics and the data plane, redacted.
    expect(answers.some((text) => text.includes('Rejected [redacted]'))).toBe(true);
    expect(tables).toContain('Rejected [redacted]');
  });

  it.each([
    ['log lines', () => logLines.join('\n')],
    ['admin and data-plane answers', () => answers.join('\n')],
    ['/metrics', () => metrics],
    ['stored rows', () => tables],
  ])('finds no canary in the %s', (_name, text) => {
    const haystack = text();
    expect(haystack.length).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(canaries)) {
      for (const form of encodings(value)) expect(haystack.includes(form), `${name} as ${form}`).toBe(false);
    }
    expect(haystack).not.toContain('sk-canary-');
  });

  it('keeps each credential only as ciphertext, which does not hold it either', () => {
    const dump = JSON.parse(tables) as Record<string, Array<Record<string, unknown>>>;
    const rows = dump.providers!.filter((row) => String(row.id).startsWith('canary-'));
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      const sealed = String(row.credential_ciphertext);
      expect(sealed).toMatch(/^v1\./);
      for (const value of Object.values(canaries)) {
        for (const form of encodings(value)) expect(sealed.includes(form)).toBe(false);
      }
    }
    expect(dump.provider_health_events!.length).toBeGreaterThan(0);
  });
});
