/**
 * The usage API over `usage_records`: totals grouped by dimensions, series per hour or day in a time zone (one
 * whose day or hour boundary differs from UTC), filters, the records with keyset paging, the CSV export (header,
 * RFC 4180 quoting, the formula guard, paging), validation errors naming the field, team scoping at the service
 * level (X5: no foreign team's rows in totals, series, records or CSV), and, after a load test, totals that equal
 * a direct SQL sum of the rows. Rows come from real requests to echo providers and from records written to a
 * spool and stored by the drainer, like the data plane's. Runs on the embedded store and, when it is there, on
 * PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  usageCsv,
  usageRecord,
  usageRecordsPage,
  usageSeries,
  usageTotals,
} from '../../src/management/services/usage-query.js';
import { UsageDrainer } from '../../src/management/usage/drain.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { UsageRecord } from '../../src/usage/record.js';
import { SpoolWriter } from '../../src/usage/spool.js';
import { expectFieldError, expectProblem } from '../admin/admin-helpers.js';
import { chat } from '../dataplane/helpers.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { storeKinds } from '../support/stores.js';

const CHAT = '/v1/chat/completions';
const kinds = await storeKinds();

interface Measures {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  costUsd: string;
  unpricedRequests: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  meanFirstByteMs: number | null;
}
type TotalsRow = Measures & Record<string, unknown>;
type SeriesRow = TotalsRow & { bucket: string };
interface RecordView {
  id: string;
  at: string;
  teamId: string | null;
  costUsd: string | null;
  promptTokens: number | null;
}

/** USD text to pico-dollars (exact), for sums that must not go through floats. */
const pico = (usd: string | null): bigint => {
  if (usd === null) return 0n;
  const [whole, fraction = ''] = usd.split('.');
  return BigInt(whole!) * 10n ** 12n + BigInt(fraction.padEnd(12, '0').slice(0, 12));
};
const usd12 = (value: bigint): string =>
  `${value / 10n ** 12n}.${(value % 10n ** 12n).toString().padStart(12, '0')}`;

/** A minimal RFC 4180 reader: quoted cells, doubled quotes, CRLF line ends. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += char;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

let counter = 0;
/** A usage record as the data plane writes it, with `overrides`. */
const fixture = (overrides: Partial<UsageRecord>): UsageRecord => {
  counter++;
  return {
    id: `fx-${String(counter).padStart(5, '0')}`,
    requestId: `fx-req-${counter}`,
    at: '2026-03-01T00:00:00.000Z',
    keyId: 'key_fx',
    teamId: 'team_fx',
    environment: 'production',
    endpoint: 'chat',
    requestedModel: 'alpha',
    model: 'alpha',
    modelVersion: null,
    backend: 'echo-a/echo',
    providerId: 'echo-a',
    attempts: [{ backend: 'echo-a/echo', outcome: 'success', status: 200 }],
    status: 200,
    outcome: 'complete',
    errorCode: null,
    stream: false,
    promptTokens: 10,
    completionTokens: 5,
    cachedTokens: null,
    cacheWriteTokens: null,
    reasoningTokens: null,
    latencyMs: 100,
    firstByteMs: 50,
    usageEstimated: false,
    ...overrides,
  };
};

describe.each(kinds)('usage API (%s store)', (store) => {
  let gateway: TestGateway;
  let keyA: { secret: string; id: string; teamId: string };
  let keyB: { secret: string; id: string; teamId: string };
  let spoolDir: string;
  let spool: SpoolWriter;
  let drainer: UsageDrainer;
  /** The window of the traffic sent in `beforeAll`. */
  let traffic: { from: string; to: string };

  /** Stores records through the drainer's path (spool line, priced insert). */
  const storeRecords = async (records: UsageRecord[]) => {
    for (const record of records) spool.append(record);
    await drainer.drain();
  };
  const get = <T>(path: string) => gateway.admin<T>('GET', path);
  const query = (params: Record<string, string | number | undefined>) => {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(params))
      if (value !== undefined) search.set(name, String(value));
    return search.toString();
  };
  const sqlRows = async <T>(statement: ReturnType<typeof sql>) =>
    ((await gateway.store.db.execute(statement)) as unknown as { rows: T[] }).rows;
  const send = (key: string, body: Record<string, unknown>) => gateway.call('POST', CHAT, body, key);

  beforeAll(async () => {
    gateway = await startTestGateway({ store });
    for (const id of ['echo-a', 'echo-b']) {
      await ok(gateway.admin('POST', '/providers', { id, type: 'echo', displayName: id }));
    }
    for (const [id, providerId] of [
      ['alpha', 'echo-a'],
      ['beta', 'echo-b'],
      ['gamma', 'echo-a'],
    ] as const) {
      await ok(
        gateway.admin('POST', '/models', {
          id,
          kind: 'chat',
          deployments: [{ providerId, upstreamModel: 'echo' }],
        }),
      );
    }
    // alpha priced per model, beta per deployment, gamma not at all.
    await ok(
      gateway.admin('POST', '/prices', { scope: 'model', target: 'alpha', input: '2.50', output: '10' }),
    );
    await ok(
      gateway.admin('POST', '/prices', {
        scope: 'deployment',
        target: 'echo-b/echo',
        input: '0.15',
        output: '0.6',
      }),
    );
    keyA = await gateway.createKey();
    keyB = await gateway.createKey();

    spoolDir = mkdtempSync(join(tmpdir(), 'junction-usage-api-'));
    spool = new SpoolWriter(spoolDir);
    drainer = new UsageDrainer({ dir: spoolDir, db: gateway.store.db, logger: silentLogger() });

    const from = new Date().toISOString();
    for (let i = 0; i < 3; i++)
      expect((await send(keyA.secret, chat('alpha', `hello ${i}`))).status).toBe(200);
    expect((await send(keyA.secret, chat('nope'))).status).toBe(404);
    expect((await send(keyA.secret, chat('gamma'))).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const answer = await send(
        keyB.secret,
        chat('beta', 'streamed', { stream: true, stream_options: { include_usage: true } }),
      );
      expect(answer.text).toContain('[DONE]');
    }
    await gateway.running.usage.drain();
    traffic = { from, to: new Date(Date.now() + 1).toISOString() };
  });
  afterAll(async () => {
    spool?.close();
    await gateway?.close();
    if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
  });

  describe('totals', () => {
    it('groups by key and model, most requests first, with totals over every row', async () => {
      const result = await ok(
        get<{ data: TotalsRow[]; totals: TotalsRow }>(
          `/usage?${query({ ...traffic, groupBy: 'key,model' })}`,
        ),
      );
      expect(result.data.map((row) => [row.key, row.model, row.requests, row.errors])).toEqual([
        [keyA.id, 'alpha', 3, 0],
        [keyB.id, 'beta', 2, 0],
        [keyA.id, 'gamma', 1, 0],
        [keyA.id, null, 1, 1],
      ]);
      expect(result.totals).toMatchObject({ requests: 7, errors: 1, unpricedRequests: 1 });
      expect(result.totals.key).toBeUndefined();

      // Every measure equals the rows' own sums; the cost is exact text with 12 decimals.
      const rows = await sqlRows<{
        model: string | null;
        prompt: number;
        completion: number;
        cost: string | null;
        latency: number;
        first: number | null;
      }>(
        sql`select model, prompt_tokens as prompt, completion_tokens as completion, cost_usd::text as cost,
          latency_ms as latency, first_byte_ms as first
          from usage_records where at >= ${traffic.from}::timestamptz and at < ${traffic.to}::timestamptz`,
      );
      expect(rows).toHaveLength(7);
      for (const group of result.data) {
        const mine = rows.filter((row) => row.model === (group.model ?? null));
        expect(group.promptTokens).toBe(mine.reduce((sum, row) => sum + Number(row.prompt ?? 0), 0));
        expect(group.completionTokens).toBe(mine.reduce((sum, row) => sum + Number(row.completion ?? 0), 0));
        expect(group.costUsd).toBe(usd12(mine.reduce((sum, row) => sum + pico(row.cost), 0n)));
        expect(typeof group.latencyP50Ms).toBe('number');
      }
      const alpha = result.data.find((row) => row.model === 'alpha')!;
      expect(pico(alpha.costUsd)).toBeGreaterThan(0n);
      expect(result.data.find((row) => row.model === 'gamma')).toMatchObject({
        costUsd: '0.000000000000',
        unpricedRequests: 1,
      });
      expect(result.totals.costUsd).toBe(usd12(rows.reduce((sum, row) => sum + pico(row.cost), 0n)));
      expect(result.totals.promptTokens).toBeGreaterThan(0);
    });

    it('computes percentiles and the mean time to first byte', async () => {
      await storeRecords([
        fixture({ teamId: 'team_pct', latencyMs: 100, firstByteMs: 40 }),
        fixture({ teamId: 'team_pct', latencyMs: 200, firstByteMs: 60 }),
        fixture({ teamId: 'team_pct', latencyMs: 300, firstByteMs: null, status: 502, outcome: 'error' }),
      ]);
      const { data, totals } = await ok(
        get<{ data: TotalsRow[]; totals: TotalsRow }>(`/usage?${query({ teamId: 'team_pct' })}`),
      );
      expect(data).toEqual([totals]);
      expect(totals).toEqual({
        requests: 3,
        errors: 1,
        promptTokens: 30,
        completionTokens: 15,
        cachedTokens: 0,
        cacheWriteTokens: 0,
        reasoningTokens: 0,
        // 10 × 2.50 + 5 × 10 = 75 µUSD a row.
        costUsd: '0.000225000000',
        unpricedRequests: 0,
        latencyP50Ms: 200,
        latencyP95Ms: 290,
        meanFirstByteMs: 50,
      });
    });

    it('answers zeros for a window without rows', async () => {
      const { totals, data } = await ok(
        get<{ data: TotalsRow[]; totals: TotalsRow }>(
          `/usage?${query({ from: '1999-01-01T00:00:00Z', to: '1999-01-02T00:00:00Z', groupBy: 'model' })}`,
        ),
      );
      expect(data).toEqual([]);
      expect(totals).toMatchObject({ requests: 0, costUsd: '0.000000000000', latencyP50Ms: null });
    });
  });

  describe('filters', () => {
    const count = async (params: Record<string, string>) =>
      (await ok(get<{ totals: TotalsRow }>(`/usage?${query({ ...traffic, ...params })}`))).totals.requests;

    it('selects by key, team, model, provider, environment, endpoint and status class', async () => {
      expect(await count({ keyId: keyA.id })).toBe(5);
      expect(await count({ teamId: keyB.teamId })).toBe(2);
      expect(await count({ model: 'alpha' })).toBe(3);
      expect(await count({ provider: 'echo-a' })).toBe(4);
      expect(await count({ provider: 'echo-b', keyId: keyA.id })).toBe(0);
      expect(await count({ environment: 'production' })).toBe(7);
      expect(await count({ environment: 'staging' })).toBe(0);
      expect(await count({ endpoint: 'chat' })).toBe(7);
      expect(await count({ endpoint: 'embeddings' })).toBe(0);
      expect(await count({ status: 'error' })).toBe(1);
      expect(await count({ status: 'success' })).toBe(6);
      // `to` is exclusive: a window ending at the first request's time holds none of them.
      expect(await count({ to: traffic.from })).toBe(0);
    });

    it('takes filter values as data, never as SQL', async () => {
      expect(await count({ model: "alpha' or '1'='1" })).toBe(0);
      expect(await count({ keyId: `${keyA.id}"; drop table usage_records; --` })).toBe(0);
      expect(await count({})).toBe(7);
    });

    it('groups by every dimension', async () => {
      const { data } = await ok(
        get<{ data: TotalsRow[] }>(
          `/usage?${query({ ...traffic, groupBy: 'team,requestedModel,provider,backend,environment,endpoint' })}`,
        ),
      );
      expect(data.find((row) => row.requestedModel === 'beta')).toMatchObject({
        team: keyB.teamId,
        provider: 'echo-b',
        backend: 'echo-b/echo',
        environment: 'production',
        endpoint: 'chat',
        requests: 2,
      });
      // The request for an unknown model was refused before any provider.
      expect(data.find((row) => row.errors === 1)).toMatchObject({
        team: keyA.teamId,
        provider: null,
        backend: null,
        requests: 1,
      });
    });
  });

  describe('series', () => {
    beforeAll(async () => {
      await storeRecords([
        // Days: New York is UTC-5 in early March 2026, so its days start at 05:00 UTC.
        fixture({ teamId: 'team_day', at: '2026-03-01T03:00:00.000Z' }),
        fixture({ teamId: 'team_day', at: '2026-03-01T12:00:00.000Z' }),
        fixture({ teamId: 'team_day', at: '2026-03-02T02:00:00.000Z' }),
        // Hours: Kolkata is UTC+5:30, so its hours start at half past in UTC.
        fixture({ teamId: 'team_hour', at: '2026-03-03T10:05:00.000Z' }),
        fixture({ teamId: 'team_hour', at: '2026-03-03T10:55:00.000Z', model: 'beta' }),
        fixture({ teamId: 'team_hour', at: '2026-03-03T11:10:00.000Z' }),
      ]);
    });
    const series = async (params: Record<string, string>) =>
      (await ok(get<{ data: SeriesRow[] }>(`/usage/series?${query(params)}`))).data;
    const days = { from: '2026-02-27T00:00:00Z', to: '2026-03-04T00:00:00Z' };

    it('buckets by day in UTC and in a zone whose day starts elsewhere', async () => {
      const utc = await series({ ...days, teamId: 'team_day', bucket: 'day' });
      expect(utc.map((row) => [row.bucket, row.requests])).toEqual([
        ['2026-03-01T00:00:00.000Z', 2],
        ['2026-03-02T00:00:00.000Z', 1],
      ]);
      expect(utc[0]!.costUsd).toBe('0.000150000000');
      const newYork = await series({
        ...days,
        teamId: 'team_day',
        bucket: 'day',
        timezone: 'America/New_York',
      });
      expect(newYork.map((row) => [row.bucket, row.requests])).toEqual([
        ['2026-02-28T05:00:00.000Z', 1],
        ['2026-03-01T05:00:00.000Z', 2],
      ]);
      const auckland = await series({
        ...days,
        teamId: 'team_day',
        bucket: 'day',
        timezone: 'Pacific/Auckland',
      });
      // UTC+13: every row falls on 1 or 2 March local, starting 11:00 UTC the day before.
      expect(auckland.map((row) => [row.bucket, row.requests])).toEqual([
        ['2026-02-28T11:00:00.000Z', 1],
        ['2026-03-01T11:00:00.000Z', 2],
      ]);
    });

    it('buckets by hour, in a half-hour zone, and splits by a dimension', async () => {
      const hours = { ...days, teamId: 'team_hour', bucket: 'hour' };
      expect((await series(hours)).map((row) => [row.bucket, row.requests])).toEqual([
        ['2026-03-03T10:00:00.000Z', 2],
        ['2026-03-03T11:00:00.000Z', 1],
      ]);
      expect(
        (await series({ ...hours, timezone: 'Asia/Kolkata' })).map((row) => [row.bucket, row.requests]),
      ).toEqual([
        ['2026-03-03T09:30:00.000Z', 1],
        ['2026-03-03T10:30:00.000Z', 2],
      ]);
      expect(
        (await series({ ...hours, groupBy: 'model' })).map((row) => [row.bucket, row.model, row.requests]),
      ).toEqual([
        ['2026-03-03T10:00:00.000Z', 'alpha', 1],
        ['2026-03-03T10:00:00.000Z', 'beta', 1],
        ['2026-03-03T11:00:00.000Z', 'alpha', 1],
      ]);
    });

    it('covers the last 24 hours by default', async () => {
      const rows = await series({ teamId: keyA.teamId });
      expect(rows.reduce((sum, row) => sum + row.requests, 0)).toBe(5);
      expect(await series({ teamId: 'team_day' })).toEqual([]);
    });
  });

  describe('records', () => {
    beforeAll(async () => {
      const records: UsageRecord[] = [];
      // Ten rows share one time: the id breaks the tie, and paging neither repeats nor skips one.
      for (let i = 0; i < 25; i++) {
        const at = new Date(Date.parse('2026-04-01T00:00:00.000Z') + Math.max(0, i - 9) * 1000).toISOString();
        records.push(fixture({ id: `page-${String(i).padStart(3, '0')}`, teamId: 'team_page', at }));
      }
      await storeRecords(records);
    });

    it('pages newest first with a cursor until the end', async () => {
      const seen: RecordView[] = [];
      let cursor: string | undefined;
      const sizes: number[] = [];
      for (;;) {
        const page = await ok(
          get<{ data: RecordView[]; nextCursor: string | null }>(
            `/usage/records?${query({ teamId: 'team_page', limit: 10, cursor })}`,
          ),
        );
        sizes.push(page.data.length);
        seen.push(...page.data);
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      expect(sizes).toEqual([10, 10, 5]);
      const ids = seen.map((row) => row.id);
      expect(new Set(ids).size).toBe(25);
      expect(ids.slice(0, 3)).toEqual(['page-024', 'page-023', 'page-022']);
      expect(ids.slice(-10)).toEqual(
        Array.from({ length: 10 }, (_, i) => `page-${String(9 - i).padStart(3, '0')}`),
      );
      expect(seen[0]).toMatchObject({ teamId: 'team_page', costUsd: '0.000075000000', promptTokens: 10 });
    });

    it('defaults to 100 rows and shows one record by id', async () => {
      const page = await ok(get<{ data: RecordView[]; nextCursor: string | null }>('/usage/records'));
      expect(page.data.length).toBeLessThanOrEqual(100);
      const one = await ok(get<RecordView & { attempts: unknown[] }>('/usage/records/page-003'));
      expect(one).toMatchObject({ id: 'page-003', at: '2026-04-01T00:00:00.000Z', teamId: 'team_page' });
      expect(one.attempts).toEqual([{ backend: 'echo-a/echo', outcome: 'success', status: 200 }]);
      expectProblem(await get('/usage/records/none-such'), 404, 'not_found');
    });
  });

  describe('CSV export', () => {
    const tricky = {
      requestedModel: '=HYPERLINK("http://evil.example","x")',
      modelVersion: '-2+3',
      errorCode: 'a, b and "c"\nnext line',
      keyId: '@key',
      environment: '+staging',
    };
    beforeAll(async () => {
      await storeRecords([
        fixture({ id: 'csv-1', teamId: 'team_csv', at: '2026-05-01T00:00:00.000Z' }),
        fixture({ id: 'csv-2', teamId: 'team_csv', at: '2026-05-01T00:00:01.000Z', ...tricky }),
      ]);
    });

    it('exports a header and the rows, quoted per RFC 4180, with formulas defused', async () => {
      const answer = await get<undefined>(`/usage/export.csv?${query({ teamId: 'team_csv' })}`);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(answer.headers['content-disposition']).toMatch(/^attachment; filename="usage-.*\.csv"$/);
      expect(answer.text.endsWith('\r\n')).toBe(true);
      const [header, ...rows] = parseCsv(answer.text);
      expect(header!.slice(0, 4)).toEqual(['id', 'request_id', 'at', 'key_id']);
      expect(header).toContain('cost_usd');
      expect(rows).toHaveLength(2);
      const cell = (row: string[], name: string) => row[header!.indexOf(name)];
      const [newest, oldest] = rows as [string[], string[]];
      expect(cell(newest, 'id')).toBe('csv-2');
      expect(cell(newest, 'requested_model')).toBe(`'${tricky.requestedModel}`);
      expect(cell(newest, 'model_version')).toBe(`'${tricky.modelVersion}`);
      expect(cell(newest, 'key_id')).toBe(`'${tricky.keyId}`);
      expect(cell(newest, 'environment')).toBe(`'${tricky.environment}`);
      expect(cell(newest, 'error_code')).toBe(tricky.errorCode);
      expect(answer.text).toContain('"\'=HYPERLINK(""http://evil.example"",""x"")"');
      expect(cell(oldest, 'cost_usd')).toBe('0.000075000000');
      expect(cell(oldest, 'status')).toBe('200');
      expect(cell(oldest, 'stream')).toBe('false');
      expect(cell(oldest, 'error_code')).toBe('');
      expect(JSON.parse(cell(oldest, 'attempts')!)).toEqual([
        { backend: 'echo-a/echo', outcome: 'success', status: 200 },
      ]);
    });

    it('reads the export a page at a time', async () => {
      const chunks: string[] = [];
      for await (const chunk of usageCsv(gateway.store.db, { teamId: 'team_page' }, undefined, 10)) {
        chunks.push(chunk);
      }
      // The header, then pages of 10, 10 and 5 rows.
      expect(chunks.map((chunk) => chunk.split('\r\n').length - 1)).toEqual([1, 10, 10, 5]);
      const api = await get<undefined>(`/usage/export.csv?${query({ teamId: 'team_page' })}`);
      expect(api.text).toBe(chunks.join(''));
    });
  });

  describe('validation', () => {
    it.each([
      ['/usage?groupBy=model,secret', 'groupBy'],
      ['/usage/series?groupBy=price', 'groupBy'],
      ['/usage?from=yesterday', 'from'],
      ['/usage?to=2026-13-45T00:00:00Z', 'to'],
      ['/usage?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
      ['/usage/series?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
      ['/usage/series?timezone=Mars/Olympus_Mons', 'timezone'],
      ['/usage/series?timezone=%2B02:00', 'timezone'],
      ['/usage/series?bucket=week', 'bucket'],
      ['/usage/series?bucket=hour&from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
      ['/usage/records?limit=0', 'limit'],
      ['/usage/records?limit=1001', 'limit'],
      ['/usage/records?limit=many', 'limit'],
      ['/usage/records?cursor=not-a-cursor', 'cursor'],
      ['/usage/export.csv?status=maybe', 'status'],
      ['/usage/export.csv?from=soon', 'from'],
    ])('refuses %s naming %s', async (path, field) => {
      expectFieldError(await get(path), field);
    });

    it('publishes every usage route in the OpenAPI document, behind the admin token', async () => {
      const document = await ok(
        get<{ paths: Record<string, Record<string, { security?: unknown }>> }>('/openapi.json'),
      );
      const usagePaths = Object.keys(document.paths).filter((path) => path.startsWith('/admin/v1/usage'));
      expect(usagePaths.sort()).toEqual([
        '/admin/v1/usage',
        '/admin/v1/usage/export.csv',
        '/admin/v1/usage/records',
        '/admin/v1/usage/records/{id}',
        '/admin/v1/usage/series',
      ]);
      for (const path of usagePaths) {
        expect(Object.keys(document.paths[path]!), path).toEqual(['get']);
        expect(document.paths[path]!.get!.security, path).toEqual([{ bearer: [] }, { session: [] }]);
      }
      expect((await gateway.admin('GET', '/usage', undefined, 'jat_wrong')).status).toBe(401);
    });

    it('answers JSON numbers as numbers and the cost as a decimal string', async () => {
      const { totals } = await ok(get<{ totals: Record<string, unknown> }>(`/usage?${query(traffic)}`));
      for (const field of ['requests', 'errors', 'promptTokens', 'completionTokens', 'latencyP50Ms']) {
        expect(typeof totals[field], field).toBe('number');
      }
      expect(totals.costUsd).toMatch(/^\d+\.\d{12}$/);
    });
  });

  describe('team scope (X5)', () => {
    it('never shows a foreign team in totals, series, records or CSV', async () => {
      const db = gateway.store.db;
      const scope = keyA.teamId;
      const everything = { from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' };

      const totals = await usageTotals(db, everything, [], scope);
      expect(totals[0]!.requests).toBe(5);
      // Asking for another team's rows under a scope yields nothing, not that team.
      expect((await usageTotals(db, { teamId: keyB.teamId }, [], scope))[0]!.requests).toBe(0);
      expect((await usageTotals(db, { keyId: keyB.id }, ['key'], scope)).length).toBe(0);
      const byTeam = await usageTotals(db, everything, ['team', 'key'], scope);
      expect(byTeam.map((row) => row.team)).toEqual(byTeam.map(() => scope));
      expect(byTeam.map((row) => row.key)).toEqual([keyA.id]);

      const decade = { from: '2020-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' };
      const series = await usageSeries(db, decade, 'day', ['team'], 'UTC', scope);
      expect(series.reduce((sum, row) => sum + row.requests, 0)).toBe(5);
      expect(series.every((row) => row.team === scope)).toBe(true);
      expect(await usageSeries(db, { ...decade, teamId: 'team_day' }, 'day', [], 'UTC', scope)).toEqual([]);

      const page = await usageRecordsPage(db, everything, { limit: 1000 }, scope);
      expect(page.data).toHaveLength(5);
      expect(page.data.every((row) => row.teamId === scope)).toBe(true);
      const foreign = (await usageRecordsPage(db, { teamId: keyB.teamId }, { limit: 1 })).data[0]!;
      await expect(usageRecord(db, foreign.id, scope)).rejects.toMatchObject({ code: 'not_found' });
      expect((await usageRecord(db, foreign.id)).teamId).toBe(keyB.teamId);

      let csv = '';
      for await (const chunk of usageCsv(db, everything, scope, 2)) csv += chunk;
      const [header, ...rows] = parseCsv(csv);
      expect(rows).toHaveLength(5);
      const team = header!.indexOf('team_id');
      expect(rows.every((row) => row[team] === scope)).toBe(true);
    });
  });

  it('shows totals equal to the sum of the rows in the store after a load test', async () => {
    const from = new Date().toISOString();
    const total = 300;
    const concurrency = 32;
    const plan = Array.from({ length: total }, (_, i) => ({
      key: i % 2 === 0 ? keyA.secret : keyB.secret,
      body:
        i % 25 === 0
          ? chat('nope')
          : i % 3 === 0
            ? chat('beta', `load ${i}`, { stream: true, stream_options: { include_usage: true } })
            : chat(i % 7 === 0 ? 'gamma' : 'alpha', `load request number ${i} ${'x'.repeat(i % 50)}`),
    }));
    let next = 0;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < plan.length) {
          const item = plan[next++]!;
          statuses.push((await send(item.key, item.body)).status);
        }
      }),
    );
    expect(statuses).toHaveLength(total);
    expect(statuses.filter((status) => status === 404)).toHaveLength(12);
    await gateway.running.usage.drain();
    const to = new Date(Date.now() + 1).toISOString();

    const [direct] = await sqlRows<{
      requests: number;
      errors: number;
      prompt: number;
      completion: number;
      cost: string;
    }>(
      sql`select count(*) as requests,
        count(*) filter (where status >= 400 or outcome = 'error') as errors,
        coalesce(sum(prompt_tokens), 0) as prompt, coalesce(sum(completion_tokens), 0) as completion,
        coalesce(sum(cost_usd), 0)::numeric(36, 12)::text as cost
        from usage_records where at >= ${from}::timestamptz and at < ${to}::timestamptz`,
    );
    const costs = await sqlRows<{ cost: string | null }>(
      sql`select cost_usd::text as cost from usage_records where at >= ${from}::timestamptz and at < ${to}::timestamptz`,
    );
    const { totals, data } = await ok(
      get<{ data: TotalsRow[]; totals: TotalsRow }>(`/usage?${query({ from, to, groupBy: 'team' })}`),
    );
    expect(Number(direct!.requests)).toBe(total);
    expect(totals.requests).toBe(total);
    expect(totals.errors).toBe(Number(direct!.errors));
    expect(totals.promptTokens).toBe(Number(direct!.prompt));
    expect(totals.completionTokens).toBe(Number(direct!.completion));
    expect(totals.costUsd).toBe(direct!.cost);
    // The same amount summed exactly row by row in pico-dollars.
    expect(totals.costUsd).toBe(usd12(costs.reduce((sum, row) => sum + pico(row.cost), 0n)));
    expect(pico(totals.costUsd)).toBeGreaterThan(0n);
    // The groups add up to the totals.
    expect(data.reduce((sum, row) => sum + row.requests, 0)).toBe(total);
    expect(usd12(data.reduce((sum, row) => sum + pico(row.costUsd), 0n))).toBe(totals.costUsd);
    const series = await ok(
      get<{ data: SeriesRow[] }>(`/usage/series?${query({ from, to, bucket: 'hour' })}`),
    );
    expect(series.data.reduce((sum, row) => sum + row.requests, 0)).toBe(total);
    expect(usd12(series.data.reduce((sum, row) => sum + pico(row.costUsd), 0n))).toBe(totals.costUsd);

    const csv = await get<undefined>(`/usage/export.csv?${query({ from, to })}`);
    expect(parseCsv(csv.text)).toHaveLength(total + 1);
  });
});
