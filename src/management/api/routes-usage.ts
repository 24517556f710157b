/**
 * The usage API: `/usage` (totals, grouped), `/usage/series` (per minute, hour or day in a time zone), `/usage/records`
 * (the rows, newest first, keyset paging), `/usage/records/{id}` and `/usage/export.csv` (the rows as CSV, streamed
 * page by page). All take the same filter. A principal bound to a team sees that team's usage only.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../../store/database.js';
import {
  parseGroupBy,
  type UsageFilter,
  usageBuckets,
  usageCsv,
  usageGroups,
  usageRecord,
  usageRecordsPage,
  usageSeries,
  usageTotals,
} from '../services/usage-query.js';
import { permission, teamScope } from './access.js';
import type { AdminApp, AdminDependencies } from './app.js';
import {
  downloadName,
  downloadStream,
  idParam,
  jsonResponse,
  pageQueryFields,
  pageResponse,
  problemResponses,
  security,
} from './openapi-helpers.js';

const tags = ['Usage'];
const time = (description: string) =>
  z.string().datetime({ offset: true }).optional().openapi({ description, example: '2026-11-22T00:00:00Z' });
const text = (description: string) => z.string().min(1).max(300).optional().openapi({ description });

export const filterFields = {
  from: time('Start of the window, inclusive'),
  to: time('End of the window, exclusive'),
  keyId: text('Only this API key'),
  teamId: text('Only this team'),
  model: text('Only this logical model (the one that served)'),
  provider: text('Only this provider entry'),
  environment: text('Only this environment'),
  endpoint: text('Only this endpoint (`chat`, `embeddings`)'),
  status: z
    .enum(['success', 'error'])
    .optional()
    .openapi({ description: '`error`: status >= 400 or outcome `error`; `success`: the others' }),
  requestId: text('Only the request with this id (the `x-request-id` its client saw)'),
  outcome: z
    .enum(['complete', 'error', 'truncated', 'client_cancelled'])
    .optional()
    .openapi({ description: 'Only requests that ended this way' }),
  captured: z.enum(['true', 'false']).optional().openapi({
    description: 'Only requests whose bodies were captured (`true`), or only the others (`false`)',
  }),
  stream: z.enum(['true', 'false']).optional().openapi({
    description: 'Only streamed requests (`true`), or only the others (`false`)',
  }),
};
const groupByField = z
  .string()
  .max(300)
  .optional()
  .openapi({
    description: `Comma-separated dimensions to group by: ${usageGroups.join(', ')}`,
    example: 'model,key',
  });

const MeasuresShape = {
  requests: z.number().int(),
  errors: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  cachedTokens: z.number().int(),
  cacheWriteTokens: z.number().int(),
  reasoningTokens: z.number().int(),
  costUsd: z.string().openapi({ description: 'USD, 12 decimals, exact', example: '0.012345000000' }),
  unpricedRequests: z.number().int().openapi({ description: 'Requests with tokens but no price' }),
  latencyP50Ms: z.number().nullable(),
  latencyP95Ms: z.number().nullable(),
  meanFirstByteMs: z.number().nullable(),
};
const groupShape = Object.fromEntries(
  usageGroups.map((name) => [name, z.string().nullable().optional()]),
) as Record<(typeof usageGroups)[number], z.ZodOptional<z.ZodNullable<z.ZodString>>>;

const UsageTotalsSchema = z.object({ ...groupShape, ...MeasuresShape }).openapi('UsageTotals');
const UsageSeriesSchema = z
  .object({ bucket: z.string().openapi({ format: 'date-time' }), ...groupShape, ...MeasuresShape })
  .openapi('UsageSeriesPoint');
export const UsageRecordShape = {
  id: z.string(),
  requestId: z.string(),
  at: z.string().openapi({ format: 'date-time' }),
  keyId: z.string().nullable(),
  teamId: z.string().nullable(),
  environment: z.string().nullable(),
  endpoint: z.string(),
  requestedModel: z.string().nullable(),
  model: z.string().nullable(),
  modelVersion: z.string().nullable(),
  backend: z.string().nullable(),
  providerId: z.string().nullable(),
  attempts: z.array(z.object({ backend: z.string(), outcome: z.string(), status: z.number().optional() })),
  route: z
    .object({
      rule: z.string().nullable().openapi({ description: "The key's routing rule that matched; null: none" }),
      planned: z
        .array(z.string())
        .openapi({ description: 'The backends planned, in the order they would be tried' }),
      excluded: z
        .array(z.object({ target: z.string(), reason: z.string(), detail: z.string() }))
        .openapi({ description: 'Targets left out of the plan, with why' }),
    })
    .nullable()
    .openapi({ description: 'How the request was routed; null when it was refused before routing' }),
  status: z.number().int(),
  outcome: z.string(),
  errorCode: z.string().nullable(),
  stream: z.boolean(),
  promptTokens: z.number().int().nullable(),
  completionTokens: z.number().int().nullable(),
  cachedTokens: z.number().int().nullable(),
  cacheWriteTokens: z.number().int().nullable(),
  reasoningTokens: z.number().int().nullable(),
  latencyMs: z.number().int(),
  firstByteMs: z.number().int().nullable(),
  costUsd: z.string().nullable(),
  priceWarning: z.string().nullable(),
  usageEstimated: z.boolean(),
  captured: z.boolean().openapi({ description: 'The request log holds its bodies' }),
};
const UsageRecordSchema = z.object(UsageRecordShape).openapi('UsageRecord');

/** A page of usage records for a query of the usage filter and paging fields (`/usage/records` and `/logs`). */
export function recordsPage(
  db: Database,
  query: Record<string, unknown> & { limit?: number | undefined; cursor?: string | undefined },
  scope: string | undefined,
) {
  return usageRecordsPage(db, filterOf(query), { limit: query.limit, cursor: query.cursor }, scope);
}

export function filterOf(query: Record<string, unknown>): UsageFilter {
  const { from, to, keyId, teamId, model, provider, environment, endpoint, status, requestId, outcome } =
    query as UsageFilter;
  const captured = query.captured === undefined ? undefined : query.captured === 'true';
  const stream = query.stream === undefined ? undefined : query.stream === 'true';
  return {
    from,
    to,
    keyId,
    teamId,
    model,
    provider,
    environment,
    endpoint,
    status,
    requestId,
    outcome,
    captured,
    stream,
  };
}

export function registerUsageRoutes(app: AdminApp, deps: AdminDependencies): void {
  const { store } = deps;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/usage',
      ...permission('usage.read'),
      tags,
      summary: 'Usage totals (requests, errors, tokens, cost, latency), optionally grouped',
      description:
        'All time unless `from`/`to` say otherwise. `data` holds one row per group; `totals` all rows.',
      security,
      request: { query: z.object({ ...filterFields, groupBy: groupByField }) },
      responses: {
        200: jsonResponse(
          z.object({ data: z.array(UsageTotalsSchema), totals: UsageTotalsSchema }),
          'Usage totals',
        ),
        ...problemResponses,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const groupBy = parseGroupBy(query.groupBy);
      const filter = filterOf(query);
      const scope = teamScope(c);
      const [totals] = await usageTotals(store.db, filter, [], scope);
      const data = groupBy.length > 0 ? await usageTotals(store.db, filter, groupBy, scope) : [totals!];
      return c.json({ data, totals: totals! }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/usage/series',
      ...permission('usage.read'),
      tags,
      summary: 'Usage per minute, hour or day in a time zone, optionally split by dimensions',
      description:
        'The last 24 hours unless `from`/`to` say otherwise; buckets without requests are left out.',
      security,
      request: {
        query: z.object({
          ...filterFields,
          groupBy: groupByField,
          bucket: z
            .enum(usageBuckets as ['minute', 'hour', 'day'])
            .default('hour')
            .openapi({ description: 'Bucket size: `minute`, `hour` (default) or `day`' }),
          timezone: z
            .string()
            .max(64)
            .optional()
            .openapi({ description: 'IANA time zone of the buckets (default UTC)', example: 'Europe/Paris' }),
        }),
      },
      responses: {
        200: jsonResponse(z.object({ data: z.array(UsageSeriesSchema) }), 'Usage per bucket'),
        ...problemResponses,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const groupBy = parseGroupBy(query.groupBy);
      const data = await usageSeries(
        store.db,
        filterOf(query),
        query.bucket,
        groupBy,
        query.timezone ?? 'UTC',
        teamScope(c),
      );
      return c.json({ data }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/usage/records',
      ...permission('usage.read'),
      tags,
      summary: 'The usage records, newest first, a page at a time',
      security,
      request: {
        query: z.object({
          ...filterFields,
          ...pageQueryFields,
        }),
      },
      responses: {
        200: pageResponse(UsageRecordSchema, 'A page of records'),
        ...problemResponses,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      return c.json(await recordsPage(store.db, query, teamScope(c)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/usage/records/{id}',
      ...permission('usage.read'),
      tags,
      summary: 'One usage record',
      security,
      request: { params: idParam('Usage record id') },
      responses: { 200: jsonResponse(UsageRecordSchema, 'The record'), ...problemResponses },
    }),
    async (c) => c.json(await usageRecord(store.db, c.req.valid('param').id, teamScope(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/usage/export.csv',
      ...permission('usage.read'),
      tags,
      summary: 'The usage records as CSV (newest first), streamed',
      description:
        'A header line, then one line per record (RFC 4180). Text starting with `=`, `+`, `-` or `@` is prefixed ' +
        "with `'` so spreadsheets do not read it as a formula.",
      security,
      request: { query: z.object(filterFields) },
      responses: {
        200: { content: { 'text/csv': { schema: z.string() } }, description: 'The records as CSV' },
        ...problemResponses,
      },
    }),
    async (c) => {
      const chunks = usageCsv(store.db, filterOf(c.req.valid('query')), teamScope(c));
      const body = await downloadStream(chunks);
      return c.body(body, 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${downloadName('usage', 'csv')}"`,
      });
    },
  );
}
