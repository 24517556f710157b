/**
 * The request log, on both stores: metadata of every request, bodies only for keys and teams with capture on,
 * the `/logs` API with its filters, the capture limit, retention, and X11: prompts carrying an OpenAI-style key,
 * a JWT and an AWS key (and a model echoing them back, in JSON and split across stream events), with the log at
 * trace level. No canary secret is stored anywhere (tables, spool, logs, admin answers) in any encoding; with
 * capture off no prompt text at all is stored.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../harness/fake-upstream.js';
import { chatChunk, chatCompletion } from '../harness/openai-fixtures.js';
import { dumpTables } from '../store/store-helpers.js';
import { canary, leaksIn, traceLogger } from '../support/canary.js';
import { type HttpResult, ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { storeKinds } from '../support/stores.js';

const kinds = await storeKinds();
const CHAT = '/v1/chat/completions';

interface LogRow {
  id: string;
  requestId: string;
  keyId: string;
  status: number;
  outcome: string;
  stream: boolean;
  captured: boolean;
  attempts: Array<{ backend: string; outcome: string }>;
}
interface LogEntry extends LogRow {
  capture: { requestBody: string | null; responseBody: string | null; truncated: boolean } | null;
}

const jwt = () =>
  `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: randomBytes(8).toString('hex') })).toString('base64url')}.${randomBytes(16).toString('base64url')}`;
const awsKey = () => `AKIA${randomBytes(10).toString('hex').toUpperCase().slice(0, 16)}`;

describe.each(kinds)('request logs (%s store)', (kind) => {
  const secrets = { openai: canary(), jwt: jwt(), aws: awsKey() };
  const secretList = Object.values(secrets);
  /** Plain prompt text: stored only for requests with capture on. */
  const prompts = {
    plain: `prompt-canary-plain-${randomBytes(8).toString('hex')}`,
    captured: `prompt-canary-captured-${randomBytes(8).toString('hex')}`,
  };
  const trace = traceLogger();
  const logLines = trace.lines;
  const adminAnswers: string[] = [];
  const spoolDir = mkdtempSync(join(tmpdir(), 'junction-capture-spool-'));
  let gateway: TestGateway;
  let upstream: FakeUpstream;
  let plainKey: { secret: string; id: string; teamId: string };
  let capturedKey: { secret: string; id: string; teamId: string };
  let teamKey: { secret: string; id: string; teamId: string };

  const admin = async <T>(method: string, path: string, body?: unknown): Promise<HttpResult<T>> => {
    const result = await gateway.admin<T>(method, path, body);
    adminAnswers.push(result.text);
    return result;
  };
  const prompt = (text: string, extra: Record<string, unknown> = {}) => ({
    model: 'm',
    messages: [
      { role: 'system', content: `Credentials: api_key=${secrets.openai}` },
      { role: 'user', content: `${text} my token is ${secrets.jwt} and my AWS key ${secrets.aws}` },
    ],
    ...extra,
  });
  const logs = async (query: string) => (await ok(admin<{ data: LogRow[] }>('GET', `/logs?${query}`))).data;
  const entry = (id: string) => ok(admin<LogEntry>('GET', `/logs/${id}`));

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    // The model repeats the secrets: in a JSON answer, and split across the events of a stream.
    upstream.on({
      method: 'POST',
      path: CHAT,
      reply: (request) => {
        const body = JSON.parse(request.body) as { stream?: boolean };
        const echo = `You said ${secrets.openai} and ${secrets.aws}`;
        if (!body.stream) return { kind: 'json', body: chatCompletion({ model: 'u', content: echo }) };
        const cut = echo.indexOf('sk-canary') + 7;
        return {
          kind: 'sse',
          events: [
            chatChunk({ model: 'u', role: 'assistant', content: '' }),
            chatChunk({ model: 'u', content: echo.slice(0, cut) }),
            chatChunk({ model: 'u', content: echo.slice(cut, cut + 9) }),
            chatChunk({ model: 'u', content: echo.slice(cut + 9) }),
            chatChunk({ model: 'u', finishReason: 'stop' }),
            chatChunk({ model: 'u', usage: { prompt_tokens: 9, completion_tokens: 7, total_tokens: 16 } }),
          ],
        };
      },
    });
    gateway = await startTestGateway({
      store: kind,
      logger: trace.logger,
      config: { logLevel: 'trace', spoolDir, captureMaxBytes: 4096 },
    });
    await ok(
      admin('POST', '/providers', {
        id: 'up',
        type: 'openai-compatible',
        displayName: 'up',
        baseUrl: `${upstream.url}/v1`,
      }),
    );
    await ok(
      admin('POST', '/models', {
        id: 'm',
        kind: 'chat',
        deployments: [{ providerId: 'up', upstreamModel: 'u' }],
      }),
    );
    plainKey = await gateway.createKey();
    capturedKey = await gateway.createKey();
    teamKey = await gateway.createKey();
    await ok(admin('PATCH', `/keys/${capturedKey.id}`, { captureBodies: true }));
    await ok(admin('PATCH', `/teams/${teamKey.teamId}`, { captureBodies: true }));

    const calls: Array<[string, Record<string, unknown>]> = [
      [plainKey.secret, prompt(prompts.plain)],
      [plainKey.secret, prompt(prompts.plain, { stream: true })],
      [capturedKey.secret, prompt(prompts.captured)],
      [
        capturedKey.secret,
        prompt(prompts.captured, { stream: true, stream_options: { include_usage: true } }),
      ],
      // Refused before any upstream call (an unknown model): captured too.
      [capturedKey.secret, { ...prompt(prompts.captured), model: 'missing' }],
      // Larger than the capture limit.
      [capturedKey.secret, prompt(`${prompts.captured} ${'lorem ipsum '.repeat(600)}`)],
      [teamKey.secret, prompt(prompts.captured)],
    ];
    for (const [key, body] of calls) {
      const answer = await gateway.call('POST', CHAT, body, key);
      expect([200, 404]).toContain(answer.status);
    }
    await gateway.running.usage.drain();
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('logs every request with its metadata, and bodies only where capture is on', async () => {
    const plain = await logs(`keyId=${plainKey.id}`);
    expect(plain).toHaveLength(2);
    expect(plain.every((row) => !row.captured && row.status === 200)).toBe(true);
    expect(plain.map((row) => row.stream).sort()).toEqual([false, true]);
    expect((await entry(plain[0]!.id)).capture).toBeNull();

    const captured = await logs(`keyId=${capturedKey.id}`);
    expect(captured).toHaveLength(4);
    expect(captured.every((row) => row.captured)).toBe(true);
    const team = await logs(`teamId=${teamKey.teamId}&captured=true`);
    expect(team).toHaveLength(1);
    expect(await logs(`keyId=${capturedKey.id}&captured=false`)).toEqual([]);
  });

  it('shows a captured request with its attempts, its prompt and the answer, secrets redacted', async () => {
    const [json] = await logs(`keyId=${capturedKey.id}&outcome=complete&limit=10`).then((rows) =>
      rows.filter((row) => !row.stream && row.status === 200).slice(-1),
    );
    const detail = await entry(json!.id);
    expect(detail.attempts).toEqual([{ backend: 'up/u', outcome: 'success', status: 200 }]);
    expect(detail.capture!.truncated).toBe(false);
    const request = JSON.parse(detail.capture!.requestBody!) as { messages: Array<{ content: string }> };
    expect(request.messages[1]!.content).toBe(
      `${prompts.captured} my token is [redacted] and my AWS key [redacted]`,
    );
    expect(request.messages[0]!.content).toBe('Credentials: api_key=[redacted]');
    const answer = JSON.parse(detail.capture!.responseBody!) as {
      choices: Array<{ message: { content: string } }>;
    };
    expect(answer.choices[0]!.message.content).toBe('You said [redacted] and [redacted]');

    // The stream's answer is assembled into one completion before redaction: the split secret is whole again.
    const [stream] = (await logs(`keyId=${capturedKey.id}`)).filter((row) => row.stream);
    const streamed = await entry(stream!.id);
    const assembled = JSON.parse(streamed.capture!.responseBody!) as {
      object: string;
      choices: Array<{ message: { content: string }; finish_reason: string }>;
      usage: { total_tokens: number };
    };
    expect(assembled.object).toBe('chat.completion');
    expect(assembled.choices[0]!.message.content).toBe('You said [redacted] and [redacted]');
    expect(assembled.choices[0]!.finish_reason).toBe('stop');
    expect(assembled.usage.total_tokens).toBe(16);
  });

  it('records how each request was routed: the rule, the backends planned and every target left out', async () => {
    await ok(
      admin('POST', '/providers', {
        id: 'up-staging',
        type: 'openai-compatible',
        displayName: 'up staging',
        baseUrl: `${upstream.url}/v1`,
        environments: ['staging'],
      }),
    );
    await ok(
      admin('POST', '/models', {
        id: 'staging-only',
        kind: 'chat',
        deployments: [{ providerId: 'up-staging', upstreamModel: 'u' }],
      }),
    );
    const routed = await gateway.createKey();
    await ok(
      admin('PATCH', `/keys/${routed.id}`, {
        routing: {
          rules: [
            {
              name: 'chain',
              match: { models: ['smart'] },
              strategy: { type: 'fallback', targets: [{ model: 'staging-only' }, { model: 'm' }] },
            },
            {
              name: 'dead-end',
              match: { models: ['nowhere'] },
              strategy: { type: 'fallback', targets: [{ model: 'staging-only' }] },
            },
          ],
        },
      }),
    );
    expect((await gateway.call('POST', CHAT, prompt('routed'), routed.secret)).status).toBe(200);
    const served = await gateway.call('POST', CHAT, { ...prompt('routed'), model: 'smart' }, routed.secret);
    expect(served.status).toBe(200);
    const refused = await gateway.call(
      'POST',
      CHAT,
      { ...prompt('routed'), model: 'nowhere' },
      routed.secret,
    );
    expect(refused.status).toBeGreaterThanOrEqual(400);
    await gateway.running.usage.drain();

    type Routed = LogRow & {
      requestedModel: string | null;
      route: {
        rule: string | null;
        planned: string[];
        excluded: { target: string; reason: string }[];
      } | null;
    };
    const rows = (await logs(`keyId=${routed.id}`)) as Routed[];
    const byModel = new Map(rows.map((row) => [row.requestedModel, row]));
    expect(byModel.get('m')?.route).toEqual({ rule: null, planned: ['up/u'], excluded: [] });
    expect(byModel.get('smart')?.route).toMatchObject({
      rule: 'chain',
      planned: ['up/u'],
      excluded: [{ target: 'staging-only', reason: 'environment' }],
    });
    // Nothing could serve it: the refusal keeps the rule and why each target was left out.
    expect(byModel.get('nowhere')?.route).toMatchObject({
      rule: 'dead-end',
      planned: [],
      excluded: [{ target: 'staging-only', reason: 'environment' }],
    });
    const one = (await entry(byModel.get('smart')!.id)) as unknown as Routed;
    expect(one.route?.rule).toBe('chain');
  });

  it('captures refused requests, filters by request id and outcome, and cuts bodies at the limit', async () => {
    const refused = await logs(`keyId=${capturedKey.id}&outcome=error`);
    expect(refused).toHaveLength(1);
    const detail = await entry(refused[0]!.id);
    expect(detail.status).toBe(404);
    expect(detail.capture!.requestBody).toContain('"model":"missing"');
    expect(JSON.parse(detail.capture!.responseBody!)).toMatchObject({ error: { code: 'model_not_found' } });
    const byRequestId = await logs(`requestId=${refused[0]!.requestId}`);
    expect(byRequestId.map((row) => row.id)).toEqual([refused[0]!.id]);

    const all = await Promise.all((await logs(`keyId=${capturedKey.id}`)).map((row) => entry(row.id)));
    const long = all.find((item) => item.capture?.truncated);
    expect(long).toBeDefined();
    expect(Buffer.byteLength(long!.capture!.requestBody!)).toBeLessThanOrEqual(4096);
    expect(long!.capture!.requestBody).toContain('[redacted]');

    const missing = await gateway.admin<{ status: number; title: string }>('GET', '/logs/no-such-request');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    const bad = await gateway.admin('GET', '/logs?outcome=sideways');
    expect(bad.status).toBe(400);
  });

  it('X11: no canary secret stored or logged in any encoding; no prompt text at all with capture off', async () => {
    const tables = JSON.stringify(await dumpTables(gateway.store));
    const spool = readdirSync(spoolDir)
      .map((file) => readFileSync(join(spoolDir, file), 'utf8'))
      .join('\n');
    const logs = logLines.join('\n');
    const answers = adminAnswers.join('\n');
    for (const [sink, text] of Object.entries({ tables, spool, logs, answers })) {
      expect(leaksIn(text, secretList), sink).toEqual([]);
      expect(leaksIn(text, [prompts.plain]), sink).toEqual([]);
    }
    // Capture on: the prompt itself is stored (only the secrets in it are not), in captures and nowhere else.
    expect(tables).toContain(prompts.captured);
    expect(logs).not.toContain(prompts.captured);
    const usageOnly = JSON.stringify((await dumpTables(gateway.store)).usage_records);
    expect(usageOnly).not.toContain(prompts.captured);
  });

  it('deletes captures past the retention period and keeps the request metadata', async () => {
    const [row] = await logs(`teamId=${teamKey.teamId}`);
    await gateway.store.db.execute(
      sql`update request_captures set at = now() - interval '31 days' where id = ${row!.id}`,
    );
    expect(await gateway.running.retention.sweep()).toBe(1);
    const after = await entry(row!.id);
    expect(after.capture).toBeNull();
    expect(after.captured).toBe(false);
    expect(await gateway.running.retention.sweep()).toBe(0);
  });
});
