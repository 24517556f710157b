/**
 * Reading `usage_records`: totals grouped by a few dimensions, the same measures per hour or day in a time zone,
 * the rows themselves newest first with keyset paging, and a CSV export paged the same way. Sums are computed by
 * the store (cost as SQL numeric, returned as text: never through a JS float). Every filter value is bound as a
 * parameter; group-by columns come from a fixed map. A team scope, when given, is added to every query whatever
 * the filter says, so a caller limited to one team never sees another team's rows.
 */
import { and, desc, eq, getTableColumns, gte, lt, or, type SQL, sql } from 'drizzle-orm';
import { GatewayError } from '../../core/errors/gateway-error.js';
import type { Database } from '../../store/database.js';
import { requestCaptures, usageRecords } from '../../store/schema.js';
import { csvLine, decodeKeysetCursor, encodeKeysetCursor, invalidField, pageLimit } from './listing.js';
import { sqlState } from './store-errors.js';

/** The dimensions usage can be grouped by, and the column each one reads. */
const GROUP_COLUMNS = {
  key: usageRecords.keyId,
  team: usageRecords.teamId,
  model: usageRecords.model,
  requestedModel: usageRecords.requestedModel,
  provider: usageRecords.providerId,
  backend: usageRecords.backend,
  environment: usageRecords.environment,
  endpoint: usageRecords.endpoint,
} as const;

export type UsageGroup = keyof typeof GROUP_COLUMNS;
export const usageGroups = Object.keys(GROUP_COLUMNS) as UsageGroup[];
export type UsageBucket = 'minute' | 'hour' | 'day';
export const usageBuckets: readonly UsageBucket[] = ['minute', 'hour', 'day'];

export interface UsageFilter {
  /** ISO time, inclusive. */
  from?: string | undefined;
  /** ISO time, exclusive. */
  to?: string | undefined;
  keyId?: string | undefined;
  teamId?: string | undefined;
  /** The logical model that served (`model`). */
  model?: string | undefined;
  /** The provider entry that served (`provider_id`). */
  provider?: string | undefined;
  environment?: string | undefined;
  endpoint?: string | undefined;
  /** `error`: status >= 400 or outcome `error`; `success`: every other row. */
  status?: 'success' | 'error' | undefined;
  /** The request id the client saw (`x-request-id`). */
  requestId?: string | undefined;
  /** `complete`, `error`, `truncated` or `client_cancelled`. */
  outcome?: string | undefined;
  /** Only requests whose bodies were captured (true), or only those without (false). */
  captured?: boolean | undefined;
  /** Only streamed requests (true), or only the others (false). */
  stream?: boolean | undefined;
}

/** The measures of a set of rows. */
export interface UsageMeasures {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** USD, a decimal with 12 decimals, summed exactly by the store (rows without a price add nothing). */
  costUsd: string;
  /** Requests that have tokens but no price (their cost is missing from `costUsd`). */
  unpricedRequests: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  meanFirstByteMs: number | null;
}

/** A totals row: the measures, and one field per group-by dimension named as the dimension. */
export type UsageTotalsRow = UsageMeasures & Partial<Record<UsageGroup, string | null>>;
export type UsageSeriesRow = UsageTotalsRow & { bucket: string };

/** One usage record as the API shows it. */
export interface UsageRecordView {
  id: string;
  requestId: string;
  at: string;
  keyId: string | null;
  teamId: string | null;
  environment: string | null;
  endpoint: string;
  requestedModel: string | null;
  model: string | null;
  modelVersion: string | null;
  backend: string | null;
  providerId: string | null;
  attempts: Array<{ backend: string; outcome: string; status?: number }>;
  route: {
    rule: string | null;
    planned: string[];
    excluded: Array<{ target: string; reason: string; detail: string }>;
  } | null;
  status: number;
  outcome: string;
  errorCode: string | null;
  stream: boolean;
  promptTokens: number | null;
  completionTokens: number | null;
  cachedTokens: number | null;
  cacheWriteTokens: number | null;
  reasoningTokens: number | null;
  latencyMs: number;
  firstByteMs: number | null;
  costUsd: string | null;
  priceWarning: string | null;
  usageEstimated: boolean;
  /** The request's bodies are in the request log. */
  captured: boolean;
}

/** Most buckets one series may span (about 6.9 days of minutes, 416 days of hours, 27 years of days). */
export const MAX_SERIES_BUCKETS = 10_000;
const DAY_MS = 24 * 60 * 60 * 1000;
const BUCKET_MS: Record<UsageBucket, number> = { minute: 60 * 1000, hour: 60 * 60 * 1000, day: DAY_MS };

const invalid = invalidField;

/** The group-by list of a query (`"model,key"` or an array); unknown names are refused, repeats dropped. */
export function parseGroupBy(input: string | readonly string[] | undefined): UsageGroup[] {
  if (input === undefined) return [];
  const names = (typeof input === 'string' ? input.split(',') : input)
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const groups: UsageGroup[] = [];
  for (const name of names) {
    if (!Object.hasOwn(GROUP_COLUMNS, name)) {
      throw invalid('groupBy', `unknown dimension "${name.slice(0, 64)}"; use ${usageGroups.join(', ')}`);
    }
    if (!groups.includes(name as UsageGroup)) groups.push(name as UsageGroup);
  }
  return groups;
}

/** A time zone both the runtime and the store know by its IANA name (`UTC`, `Europe/Paris`). */
export function checkTimeZone(zone: string): string {
  // Only names: PostgreSQL reads a bare offset like "+02:00" as a POSIX zone, with the sign reversed.
  const named = zone.length <= 64 && /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone);
  if (named) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return zone;
    } catch {
      // Falls through to the error.
    }
  }
  throw invalid('timezone', `"${zone.slice(0, 64)}" is not an IANA time zone name like "Europe/Paris"`);
}

function isoTime(value: string, path: string): string {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || !Number.isFinite(ms)) {
    throw invalid(path, 'must be an ISO 8601 date-time like 2026-11-22T10:00:00Z');
  }
  return new Date(ms).toISOString();
}

/** The filter's window as ISO times; `defaultSpanMs` gives a window ending now when none is asked. */
function timeWindow(filter: UsageFilter, defaultSpanMs?: number): { from?: string; to?: string } {
  let from = filter.from === undefined ? undefined : isoTime(filter.from, 'from');
  let to = filter.to === undefined ? undefined : isoTime(filter.to, 'to');
  if (defaultSpanMs !== undefined) {
    to ??= new Date().toISOString();
    from ??= new Date(Date.parse(to) - defaultSpanMs).toISOString();
  }
  if (from !== undefined && to !== undefined && Date.parse(from) > Date.parse(to)) {
    throw invalid('from', 'must not be after `to`');
  }
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** Whether a record's bodies were captured (a capture has its record's id). */
const CAPTURED = sql<boolean>`exists (select 1 from ${requestCaptures} as c where c.id = ${sql.raw('"usage_records"."id"')})`;

/** The WHERE clause of a filter, every value a bound parameter; the team scope always applies. */
function conditions(filter: UsageFilter, range: { from?: string; to?: string }, teamScope?: string): SQL {
  if (filter.status !== undefined && filter.status !== 'error' && filter.status !== 'success') {
    throw invalid('status', 'must be `success` or `error`');
  }
  const error = or(gte(usageRecords.status, 400), eq(usageRecords.outcome, 'error'))!;
  const parts: Array<SQL | undefined> = [
    range.from ? gte(usageRecords.at, new Date(range.from)) : undefined,
    range.to ? lt(usageRecords.at, new Date(range.to)) : undefined,
    filter.keyId !== undefined ? eq(usageRecords.keyId, filter.keyId) : undefined,
    filter.teamId !== undefined ? eq(usageRecords.teamId, filter.teamId) : undefined,
    filter.model !== undefined ? eq(usageRecords.model, filter.model) : undefined,
    filter.provider !== undefined ? eq(usageRecords.providerId, filter.provider) : undefined,
    filter.environment !== undefined ? eq(usageRecords.environment, filter.environment) : undefined,
    filter.endpoint !== undefined ? eq(usageRecords.endpoint, filter.endpoint) : undefined,
    filter.status === 'error' ? error : filter.status === 'success' ? sql`not (${error})` : undefined,
    filter.requestId !== undefined ? eq(usageRecords.requestId, filter.requestId) : undefined,
    filter.outcome !== undefined ? eq(usageRecords.outcome, filter.outcome) : undefined,
    filter.captured === true ? CAPTURED : filter.captured === false ? sql`not ${CAPTURED}` : undefined,
    filter.stream !== undefined ? eq(usageRecords.stream, filter.stream) : undefined,
    teamScope !== undefined ? eq(usageRecords.teamId, teamScope) : undefined,
  ];
  return and(...parts) ?? sql`true`;
}

/** The measures' select list, named as the fields of `UsageMeasures` (read back by `measuresOf`). */
const MEASURES = sql`count(*) as "requests",
  count(*) filter (where ${usageRecords.status} >= 400 or ${usageRecords.outcome} = 'error') as "errors",
  coalesce(sum(${usageRecords.promptTokens}), 0) as "promptTokens",
  coalesce(sum(${usageRecords.completionTokens}), 0) as "completionTokens",
  coalesce(sum(${usageRecords.cachedTokens}), 0) as "cachedTokens",
  coalesce(sum(${usageRecords.cacheWriteTokens}), 0) as "cacheWriteTokens",
  coalesce(sum(${usageRecords.reasoningTokens}), 0) as "reasoningTokens",
  coalesce(sum(${usageRecords.costUsd}), 0)::numeric(36, 12)::text as "costUsd",
  count(*) filter (where ${usageRecords.costUsd} is null
    and (${usageRecords.promptTokens} is not null or ${usageRecords.completionTokens} is not null)) as "unpricedRequests",
  (percentile_cont(0.5) within group (order by ${usageRecords.latencyMs}))::float8 as "latencyP50Ms",
  (percentile_cont(0.95) within group (order by ${usageRecords.latencyMs}))::float8 as "latencyP95Ms",
  avg(${usageRecords.firstByteMs})::float8 as "meanFirstByteMs"`;

type RawRow = Record<string, unknown>;

const num = (value: unknown): number => Number(value ?? 0);
const numOrNull = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);
/** Milliseconds to the hundredth: percentiles interpolate, and 77.14999999999999 says nothing 77.15 does not. */
const msOrNull = (value: unknown): number | null => {
  const ms = numOrNull(value);
  return ms === null ? null : Math.round(ms * 100) / 100;
};

function measuresOf(row: RawRow): UsageMeasures {
  return {
    requests: num(row.requests),
    errors: num(row.errors),
    promptTokens: num(row.promptTokens),
    completionTokens: num(row.completionTokens),
    cachedTokens: num(row.cachedTokens),
    cacheWriteTokens: num(row.cacheWriteTokens),
    reasoningTokens: num(row.reasoningTokens),
    costUsd: String(row.costUsd ?? '0.000000000000'),
    unpricedRequests: num(row.unpricedRequests),
    latencyP50Ms: msOrNull(row.latencyP50Ms),
    latencyP95Ms: msOrNull(row.latencyP95Ms),
    meanFirstByteMs: msOrNull(row.meanFirstByteMs),
  };
}

function groupsOf(row: RawRow, groupBy: readonly UsageGroup[]): Partial<Record<UsageGroup, string | null>> {
  const groups: Partial<Record<UsageGroup, string | null>> = {};
  for (const name of groupBy) groups[name] = (row[name] as string | null | undefined) ?? null;
  return groups;
}

async function rowsOf(db: Database, query: SQL): Promise<RawRow[]> {
  const result = (await db.execute(query)) as unknown as { rows: RawRow[] };
  return result.rows;
}

/** The group-by select items, each named as its dimension (GROUP BY takes their positions). */
function groupSelect(groupBy: readonly UsageGroup[]): SQL[] {
  return groupBy.map((name) => sql`${GROUP_COLUMNS[name]} as ${sql.identifier(name)}`);
}

/**
 * Totals of the rows the filter selects (all time unless `from`/`to` say otherwise), one row per combination of
 * the group-by dimensions (one row in all without any), most requests first.
 */
export async function usageTotals(
  db: Database,
  filter: UsageFilter = {},
  groupBy: readonly UsageGroup[] = [],
  teamScope?: string,
): Promise<UsageTotalsRow[]> {
  const groups = parseGroupBy(groupBy);
  const where = conditions(filter, timeWindow(filter), teamScope);
  const select = [...groupSelect(groups), MEASURES];
  const positions = groups.map((_, index) => sql.raw(String(index + 1)));
  const query = sql`select ${sql.join(select, sql`, `)} from ${usageRecords} where ${where}`;
  if (groups.length > 0) {
    query.append(sql` group by ${sql.join(positions, sql`, `)}`);
    const order = groups.map((name) => sql`${sql.identifier(name)} asc nulls last`);
    query.append(sql` order by "requests" desc, ${sql.join(order, sql`, `)}`);
  }
  const rows = await rowsOf(db, query);
  return rows.map((row) => ({ ...groupsOf(row, groups), ...measuresOf(row) }));
}

/**
 * The measures per minute, hour or day (a bucket starts on the minute, on the hour or at midnight in `timezone`),
 * optionally split by
 * dimensions, in bucket order. The window defaults to the last 24 hours; buckets without requests are left out.
 */
export async function usageSeries(
  db: Database,
  filter: UsageFilter,
  bucket: UsageBucket,
  groupBy: readonly UsageGroup[] = [],
  timezone = 'UTC',
  teamScope?: string,
): Promise<UsageSeriesRow[]> {
  if (!usageBuckets.includes(bucket)) throw invalid('bucket', 'must be `minute`, `hour` or `day`');
  const zone = checkTimeZone(timezone);
  const groups = parseGroupBy(groupBy);
  const range = timeWindow(filter, DAY_MS) as { from: string; to: string };
  if ((Date.parse(range.to) - Date.parse(range.from)) / BUCKET_MS[bucket] > MAX_SERIES_BUCKETS) {
    throw invalid('from', `the window spans more than ${MAX_SERIES_BUCKETS} ${bucket} buckets`);
  }
  const where = conditions(filter, range, teamScope);
  // The local wall time truncated, then read back as a time in the zone: a bucket starts at local midnight.
  const start = sql`(date_trunc(${bucket}::text, ${usageRecords.at} at time zone ${zone}::text) at time zone ${zone}::text) as "bucket"`;
  const select = [start, ...groupSelect(groups), MEASURES];
  const positions = [start, ...groups].map((_, index) => sql.raw(String(index + 1)));
  const order = groups.map((name) => sql`, ${sql.identifier(name)} asc nulls last`);
  const query = sql`select ${sql.join(select, sql`, `)} from ${usageRecords} where ${where}
    group by ${sql.join(positions, sql`, `)} order by "bucket" asc${sql.join(order)}`;
  let rows: RawRow[];
  try {
    rows = await rowsOf(db, query);
  } catch (error) {
    // A zone the runtime knows but the store's time zone database does not (invalid_parameter_value).
    if (sqlState(error) === '22023') {
      throw invalid('timezone', `the store does not know the time zone "${zone}"`);
    }
    throw error;
  }
  return rows.map((row) => ({
    bucket: toIso(row.bucket),
    ...groupsOf(row, groups),
    ...measuresOf(row),
  }));
}

function toIso(value: unknown): string {
  return (value instanceof Date ? value : new Date(String(value))).toISOString();
}

/** The record columns, with the cost as exact text and the keyset position at full (microsecond) precision. */
const RECORD_SELECT = {
  ...getTableColumns(usageRecords),
  costText: sql<string | null>`${usageRecords.costUsd}::text`,
  cursorAt: sql<string>`to_char(${usageRecords.at} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
  captured: CAPTURED,
};

type RecordRow = typeof usageRecords.$inferSelect & {
  costText: string | null;
  cursorAt: string;
  captured: boolean;
};

function recordView(row: RecordRow): UsageRecordView {
  return {
    id: row.id,
    requestId: row.requestId,
    at: row.at.toISOString(),
    keyId: row.keyId,
    teamId: row.teamId,
    environment: row.environment,
    endpoint: row.endpoint,
    requestedModel: row.requestedModel,
    model: row.model,
    modelVersion: row.modelVersion,
    backend: row.backend,
    providerId: row.providerId,
    attempts: row.attempts,
    route: row.route ?? null,
    status: row.status,
    outcome: row.outcome,
    errorCode: row.errorCode,
    stream: row.stream,
    promptTokens: row.promptTokens,
    completionTokens: row.completionTokens,
    cachedTokens: row.cachedTokens,
    cacheWriteTokens: row.cacheWriteTokens,
    reasoningTokens: row.reasoningTokens,
    latencyMs: row.latencyMs,
    firstByteMs: row.firstByteMs,
    costUsd: row.costText,
    priceWarning: row.priceWarning,
    usageEstimated: row.usageEstimated,
    captured: row.captured === true,
  };
}

const encodeCursor = (row: RecordRow) => encodeKeysetCursor(row.cursorAt, row.id);

/** One page of records, newest first; `nextCursor` continues after its last row (null on the last page). */
export async function usageRecordsPage(
  db: Database,
  filter: UsageFilter,
  page: { limit?: number | undefined; cursor?: string | undefined } = {},
  teamScope?: string,
): Promise<{ data: UsageRecordView[]; nextCursor: string | null }> {
  const limit = pageLimit(page.limit);
  const where = conditions(filter, timeWindow(filter), teamScope);
  const after = page.cursor === undefined ? undefined : decodeKeysetCursor(page.cursor);
  const keyset = after
    ? sql`(${usageRecords.at}, ${usageRecords.id}) < (${after.at}::timestamptz, ${after.id})`
    : undefined;
  const rows = (await db
    .select(RECORD_SELECT)
    .from(usageRecords)
    .where(and(where, keyset))
    .orderBy(desc(usageRecords.at), desc(usageRecords.id))
    .limit(limit + 1)) satisfies RecordRow[];
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  return {
    data: shown.map(recordView),
    nextCursor: more ? encodeCursor(shown[shown.length - 1]!) : null,
  };
}

/** One record, or 404 (also when it belongs to a team outside the scope). */
export async function usageRecord(db: Database, id: string, teamScope?: string): Promise<UsageRecordView> {
  const scope = teamScope !== undefined ? eq(usageRecords.teamId, teamScope) : undefined;
  const [row] = (await db
    .select(RECORD_SELECT)
    .from(usageRecords)
    .where(and(eq(usageRecords.id, id), scope))) satisfies RecordRow[];
  if (!row) throw new GatewayError('not_found', `Usage record ${id} does not exist`);
  return recordView(row);
}

/** The CSV columns: the table's column names, in table order. */
const CSV_COLUMNS: Array<[string, (record: UsageRecordView) => unknown]> = [
  ['id', (r) => r.id],
  ['request_id', (r) => r.requestId],
  ['at', (r) => r.at],
  ['key_id', (r) => r.keyId],
  ['team_id', (r) => r.teamId],
  ['environment', (r) => r.environment],
  ['endpoint', (r) => r.endpoint],
  ['requested_model', (r) => r.requestedModel],
  ['model', (r) => r.model],
  ['model_version', (r) => r.modelVersion],
  ['backend', (r) => r.backend],
  ['provider_id', (r) => r.providerId],
  ['attempts', (r) => JSON.stringify(r.attempts)],
  ['status', (r) => r.status],
  ['outcome', (r) => r.outcome],
  ['error_code', (r) => r.errorCode],
  ['stream', (r) => r.stream],
  ['prompt_tokens', (r) => r.promptTokens],
  ['completion_tokens', (r) => r.completionTokens],
  ['cached_tokens', (r) => r.cachedTokens],
  ['cache_write_tokens', (r) => r.cacheWriteTokens],
  ['reasoning_tokens', (r) => r.reasoningTokens],
  ['latency_ms', (r) => r.latencyMs],
  ['first_byte_ms', (r) => r.firstByteMs],
  ['cost_usd', (r) => r.costUsd],
  ['price_warning', (r) => r.priceWarning],
  ['usage_estimated', (r) => r.usageEstimated],
];

export const USAGE_CSV_HEADER = csvLine(CSV_COLUMNS.map(([name]) => name));

/**
 * The records the filter selects as CSV text chunks (the header, then one chunk per page of `pageSize` rows,
 * newest first), read page by page with the keyset query so an export never sits whole in memory.
 */
export async function* usageCsv(
  db: Database,
  filter: UsageFilter,
  teamScope?: string,
  pageSize = 500,
): AsyncGenerator<string> {
  // The first page is read before the header goes out, so a bad filter fails before any byte is sent.
  let page = await usageRecordsPage(db, filter, { limit: pageSize }, teamScope);
  yield USAGE_CSV_HEADER;
  for (;;) {
    if (page.data.length > 0) {
      yield page.data.map((record) => csvLine(CSV_COLUMNS.map(([, read]) => read(record)))).join('');
    }
    if (page.nextCursor === null) return;
    page = await usageRecordsPage(db, filter, { limit: pageSize, cursor: page.nextCursor }, teamScope);
  }
}
