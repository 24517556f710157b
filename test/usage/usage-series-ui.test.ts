/**
 * The usage series as the Usage page reads it: per bucket (minute, hour, day) the request count, the error count
 * and the latency p50 and p95, compared with values computed by hand from the inserted records (continuous
 * percentiles, as PostgreSQL's `percentile_cont`), for an operator (every team) and for a developer token bound
 * to one team (only that team's rows, whatever the filter asks). Runs on the embedded store and, when it is
 * there, on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageRecords } from '../../src/store/schema.js';
import { expectFieldError } from '../admin/admin-helpers.js';
import { ok, startTestGateway, type TestGateway } from '../support/gateway.js';
import { storeKinds } from '../support/stores.js';

const kinds = await storeKinds();

interface SeriesRow {
  bucket: string;
  model?: string | null;
  team?: string | null;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

interface Row {
  minute: number;
  team: 'A' | 'B';
  model: string;
  latencyMs: number;
  status: number;
  outcome: 'complete' | 'error' | 'truncated' | 'client_cancelled';
}

/** Continuous percentile (linear interpolation between the closest ranks), like `percentile_cont`. */
function percentile(values: readonly number[], fraction: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = fraction * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  // Interpolated as the store does, and rounded to the hundredth of a millisecond as the API answers.
  return Math.round((sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower)) * 100) / 100;
}

const isError = (row: Row) => row.status >= 400 || row.outcome === 'error';

/** The window: 2026-03-01 10:00 to 10:05 UTC; rows in minutes 0, 1 and 3. */
const FROM = '2026-03-01T10:00:00.000Z';
const TO = '2026-03-01T10:05:00.000Z';
const minuteIso = (minute: number) => new Date(Date.parse(FROM) + minute * 60_000).toISOString();

const ROWS: Row[] = [
  { minute: 0, team: 'A', model: 'alpha', latencyMs: 100, status: 200, outcome: 'complete' },
  { minute: 0, team: 'A', model: 'alpha', latencyMs: 200, status: 200, outcome: 'complete' },
  { minute: 0, team: 'A', model: 'beta', latencyMs: 300, status: 502, outcome: 'error' },
  { minute: 0, team: 'A', model: 'alpha', latencyMs: 400, status: 200, outcome: 'complete' },
  { minute: 0, team: 'A', model: 'beta', latencyMs: 1000, status: 429, outcome: 'error' },
  // A stream the upstream broke: status 200 but outcome error.
  { minute: 0, team: 'A', model: 'alpha', latencyMs: 750, status: 200, outcome: 'error' },
  { minute: 0, team: 'B', model: 'alpha', latencyMs: 5000, status: 500, outcome: 'error' },
  { minute: 0, team: 'B', model: 'alpha', latencyMs: 6000, status: 200, outcome: 'complete' },
  { minute: 1, team: 'A', model: 'alpha', latencyMs: 50, status: 200, outcome: 'complete' },
  { minute: 1, team: 'A', model: 'alpha', latencyMs: 70, status: 200, outcome: 'truncated' },
  { minute: 3, team: 'B', model: 'beta', latencyMs: 9000, status: 503, outcome: 'error' },
  { minute: 3, team: 'A', model: 'beta', latencyMs: 33, status: 200, outcome: 'client_cancelled' },
];

/** The expected measures of some rows, computed by hand. */
function expected(rows: readonly Row[]) {
  const latencies = rows.map((row) => row.latencyMs);
  return {
    requests: rows.length,
    errors: rows.filter(isError).length,
    promptTokens: rows.length * 10,
    completionTokens: rows.length * 5,
    latencyP50Ms: percentile(latencies, 0.5),
    latencyP95Ms: percentile(latencies, 0.95),
  };
}

/** The expected series of some rows per minute bucket, in bucket order. */
function expectedPerMinute(rows: readonly Row[]) {
  const minutes = [...new Set(rows.map((row) => row.minute))].sort((a, b) => a - b);
  return minutes.map((minute) => ({
    bucket: minuteIso(minute),
    ...expected(rows.filter((row) => row.minute === minute)),
  }));
}

const measures = (row: SeriesRow) => ({
  bucket: row.bucket,
  requests: row.requests,
  errors: row.errors,
  promptTokens: row.promptTokens,
  completionTokens: row.completionTokens,
  latencyP50Ms: row.latencyP50Ms,
  latencyP95Ms: row.latencyP95Ms,
});

describe.each(kinds)('usage series for the Usage page (%s store)', (store) => {
  let gateway: TestGateway;
  let teams: Record<'A' | 'B', { id: string; teamId: string }>;
  let developer: string;
  const get = <T>(path: string, token?: string) => gateway.admin<T>('GET', path, undefined, token);
  const series = async (params: Record<string, string>, token?: string) => {
    const search = new URLSearchParams({ from: FROM, to: TO, ...params });
    return (await ok(get<{ data: SeriesRow[] }>(`/usage/series?${search}`, token))).data;
  };

  beforeAll(async () => {
    gateway = await startTestGateway({ store });
    const a = await gateway.createKey();
    const b = await gateway.createKey();
    teams = { A: a, B: b };
    developer = (
      await ok(
        gateway.admin<{ secret: string }>('POST', '/tokens', {
          name: 'developer of A',
          role: 'developer',
          teamId: a.teamId,
        }),
      )
    ).secret;
    await gateway.store.db.insert(usageRecords).values(
      ROWS.map((row, index) => ({
        id: `series-ui-${String(index).padStart(3, '0')}`,
        requestId: `series-ui-req-${index}`,
        // Spread inside the minute so rows do not share a timestamp.
        at: new Date(Date.parse(minuteIso(row.minute)) + index * 1000),
        keyId: teams[row.team].id,
        teamId: teams[row.team].teamId,
        environment: 'production',
        endpoint: 'chat',
        requestedModel: row.model,
        model: row.model,
        backend: `echo-${row.model}/echo`,
        providerId: `echo-${row.model}`,
        attempts: [{ backend: `echo-${row.model}/echo`, outcome: 'success', status: row.status }],
        status: row.status,
        outcome: row.outcome,
        stream: index % 3 === 0,
        promptTokens: 10,
        completionTokens: 5,
        latencyMs: row.latencyMs,
        firstByteMs: Math.floor(row.latencyMs / 2),
        costUsd: '0.000001000000',
      })),
    );
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('per minute: requests, errors, tokens and latency p50/p95 equal the hand-computed values', async () => {
    const data = await series({ bucket: 'minute' });
    expect(data.map(measures)).toEqual(expectedPerMinute(ROWS));
    // The broken stream (status 200, outcome error) counts as an error; truncated and cancelled do not.
    expect(data[0]!.errors).toBe(4);
    expect(data[1]!.errors).toBe(0);
  });

  it('per hour and per day: one bucket with the measures of every row', async () => {
    for (const bucket of ['hour', 'day']) {
      const data = await series({ bucket });
      const start = bucket === 'hour' ? '2026-03-01T10:00:00.000Z' : '2026-03-01T00:00:00.000Z';
      expect(data.map(measures)).toEqual([{ bucket: start, ...expected(ROWS) }]);
    }
  });

  it('split by model per minute, each group with its own percentiles', async () => {
    const data = await series({ bucket: 'minute', groupBy: 'model' });
    const want = [0, 1, 3].flatMap((minute) =>
      ['alpha', 'beta']
        .map((model) => ({
          model,
          rows: ROWS.filter((row) => row.minute === minute && row.model === model),
        }))
        .filter((group) => group.rows.length > 0)
        .map((group) => ({ bucket: minuteIso(minute), model: group.model, ...expected(group.rows) })),
    );
    expect(data.map((row) => ({ ...measures(row), model: row.model }))).toEqual(want);
  });

  it('the totals strip: /usage gives the window totals and per-team groups with the same percentiles', async () => {
    const search = new URLSearchParams({ from: FROM, to: TO, groupBy: 'team' });
    const answer = await ok(
      get<{ data: Array<SeriesRow & { team: string }>; totals: SeriesRow }>(`/usage?${search}`),
    );
    expect(answer.totals).toMatchObject(expected(ROWS));
    for (const team of ['A', 'B'] as const) {
      const row = answer.data.find((group) => group.team === teams[team].teamId);
      expect(row).toMatchObject(expected(ROWS.filter((r) => r.team === team)));
    }
  });

  it("a developer sees only its team's buckets, whatever the filter asks", async () => {
    const mine = ROWS.filter((row) => row.team === 'A');
    expect((await series({ bucket: 'minute' }, developer)).map(measures)).toEqual(expectedPerMinute(mine));
    // Asking for the other team under the developer's scope yields nothing, not that team.
    expect(await series({ bucket: 'minute', teamId: teams.B.teamId }, developer)).toEqual([]);
    const byTeam = await series({ bucket: 'hour', groupBy: 'team' }, developer);
    expect(byTeam.map((row) => row.team)).toEqual([teams.A.teamId]);
    expect(measures(byTeam[0]!)).toEqual({ bucket: '2026-03-01T10:00:00.000Z', ...expected(mine) });
  });

  it('filters apply to the series (status=error, model)', async () => {
    const errors = ROWS.filter(isError);
    expect((await series({ bucket: 'minute', status: 'error' })).map(measures)).toEqual(
      expectedPerMinute(errors),
    );
    const beta = ROWS.filter((row) => row.model === 'beta');
    expect((await series({ bucket: 'minute', model: 'beta' })).map(measures)).toEqual(
      expectedPerMinute(beta),
    );
  });

  it('the `stream` filter (Request logs page) selects streamed or other requests in logs, records and usage', async () => {
    const streamed = ROWS.map((_, index) => `series-ui-${String(index).padStart(3, '0')}`).filter(
      (_, index) => index % 3 === 0,
    );
    const window = `from=${FROM}&to=${TO}`;
    const logs = await ok(
      get<{ data: Array<{ id: string; stream: boolean }> }>(`/logs?${window}&stream=true`),
    );
    expect(logs.data.map((row) => row.id).sort()).toEqual(streamed);
    const records = await ok(
      get<{ data: Array<{ id: string; stream: boolean }> }>(
        `/usage/records?${window}&stream=false&limit=100`,
      ),
    );
    expect(records.data).toHaveLength(ROWS.length - streamed.length);
    expect(records.data.every((row) => !row.stream)).toBe(true);
    const totals = await ok(get<{ totals: SeriesRow }>(`/usage?${window}&stream=true`));
    expect(totals.totals.requests).toBe(streamed.length);
    // Under a developer's scope, only its team's streamed requests.
    const mine = ROWS.flatMap((row, index) => (row.team === 'A' && index % 3 === 0 ? [index] : []));
    const scoped = await ok(get<{ data: unknown[] }>(`/logs?${window}&stream=true`, developer));
    expect(scoped.data).toHaveLength(mine.length);
    expectFieldError(await get('/logs?stream=maybe'), 'stream');
  });

  it('refuses a minute series longer than the bucket limit, naming `from`', async () => {
    const search = new URLSearchParams({
      bucket: 'minute',
      from: '2026-01-01T00:00:00Z',
      to: '2026-02-01T00:00:00Z',
    });
    expectFieldError(await get(`/usage/series?${search}`), 'from');
    expectFieldError(await get('/usage/series?bucket=second'), 'bucket');
  });
});
