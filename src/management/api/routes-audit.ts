/**
 * The audit log: `/audit` (rows newest first, filtered, keyset paging), `/audit/{id}` and `/audit/export` (JSON
 * Lines or CSV, streamed page by page). Read only: no route creates, edits or deletes a row (methods other than
 * GET answer the catch-all 404). Also the middleware that runs every authenticated admin request inside its
 * audit context (actor, action, request id, source address, user agent).
 */
import type { IncomingMessage } from 'node:http';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, Next } from 'hono';
import { matchedRoutes } from 'hono/route';
import { actionOf, requestIdFrom, runWithAuditContext, userAgentFrom } from '../audit/context.js';
import { type AuditFilter, auditEntry, auditExport, auditPage } from '../services/audit.js';
import { permission, teamScope } from './access.js';
import type { AdminApp, AdminDependencies, AdminEnv } from './app.js';
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

/** The path the request's handler was registered with (`/admin/v1/keys/:id`), else the request's path. */
function handlerPath(c: Context): string {
  const route = matchedRoutes(c).find((candidate) => candidate.method !== 'ALL');
  return route?.path ?? c.req.path;
}

/**
 * Runs the rest of an authenticated request inside its audit context, and answers its request id in
 * `x-request-id` (a well-formed one the client sent, else a new UUID).
 */
export async function auditContextMiddleware(c: Context<AdminEnv>, next: Next): Promise<void> {
  const principal = c.get('principal');
  if (!principal) return next();
  const context = {
    actorId: principal.id,
    actorName: principal.name,
    role: principal.role,
    action: actionOf(c.req.method, handlerPath(c)),
    ...requestClient(c),
  };
  return runWithAuditContext(context, next);
}

/** The request's id (also answered in `x-request-id`), source address and user agent, for audit rows. */
export function requestClient(c: Context): {
  requestId: string;
  sourceAddress: string | null;
  userAgent: string | null;
} {
  const requestId = requestIdFrom(c.req.header('x-request-id'));
  c.header('x-request-id', requestId);
  // @hono/node-server's getRequestListener passes the Node request as `env.incoming`.
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return {
    requestId,
    sourceAddress: incoming?.socket?.remoteAddress ?? null,
    userAgent: userAgentFrom(c.req.header('user-agent')),
  };
}

const tags = ['Audit log'];
const text = (description: string) => z.string().min(1).max(300).optional().openapi({ description });

const filterFields = {
  from: z
    .string()
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'Start of the window, inclusive', example: '2026-11-22T00:00:00Z' }),
  to: z
    .string()
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'End of the window, exclusive', example: '2026-11-23T00:00:00Z' }),
  actor: text('Only changes by this actor (admin token id or name)'),
  action: text('Only this action (`keys.rotate`), or every action on an object (`keys.*`)'),
  targetType: text('Only changes of this kind of object (`providers`, `keys`, …)'),
  targetId: text('Only changes of this object'),
  teamId: text("Only changes of this team's objects"),
  requestId: text('Only the changes of this admin request (its `x-request-id`)'),
};

const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: z.string(),
    actorId: z.string().nullable(),
    actorName: z.string().nullable(),
    role: z.string().nullable(),
    action: z
      .string()
      .openapi({ description: '`<object>.<verb>`, like `providers.create` or `config.apply`' }),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    teamId: z.string().nullable(),
    before: z
      .unknown()
      .openapi({ description: 'The object before the change (secrets redacted); null if new' }),
    after: z
      .unknown()
      .openapi({ description: 'The object after the change (secrets redacted); null if deleted' }),
    requestId: z.string().nullable(),
    sourceAddress: z.string().nullable(),
    userAgent: z.string().nullable(),
  })
  .openapi('AuditEntry');

function filterOf(query: Record<string, unknown>): AuditFilter {
  const { from, to, actor, action, targetType, targetId, teamId, requestId } = query as AuditFilter;
  return { from, to, actor, action, targetType, targetId, teamId, requestId };
}

export function registerAuditRoutes(app: AdminApp, deps: AdminDependencies): void {
  const { store } = deps;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/audit',
      ...permission('audit.read'),
      tags,
      summary: 'The audit log, newest first, a page at a time',
      security,
      request: {
        query: z.object({
          ...filterFields,
          ...pageQueryFields,
        }),
      },
      responses: {
        200: pageResponse(AuditEntrySchema, 'A page of audit rows'),
        ...problemResponses,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const page = await auditPage(
        store.db,
        filterOf(query),
        { limit: query.limit, cursor: query.cursor },
        teamScope(c),
      );
      return c.json(page, 200);
    },
  );
  // Registered before `/audit/{id}` so `export` is not read as an id.
  app.openapi(
    createRoute({
      method: 'get',
      path: '/audit/export',
      ...permission('audit.read'),
      tags,
      summary: 'The audit log as JSON Lines or CSV (newest first), streamed',
      description:
        'JSON Lines (`application/x-ndjson`, one row per line) by default; `format=csv` for CSV with a header ' +
        "line (RFC 4180, `before` and `after` as JSON text). CSV text starting with `=`, `+`, `-` or `@` is prefixed with `'` so " +
        'spreadsheets do not read it as a formula.',
      security,
      request: {
        query: z.object({
          ...filterFields,
          format: z
            .enum(['jsonl', 'csv'])
            .default('jsonl')
            .openapi({ description: 'jsonl (default) or csv' }),
        }),
      },
      responses: {
        200: {
          content: {
            'application/x-ndjson': { schema: z.string() },
            'text/csv': { schema: z.string() },
          },
          description: 'The rows',
        },
        ...problemResponses,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const chunks = auditExport(store.db, filterOf(query), query.format, teamScope(c));
      const body = await downloadStream(chunks);
      const csv = query.format === 'csv';
      return c.body(body, 200, {
        'content-type': csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
        'content-disposition': `attachment; filename="${downloadName('audit', csv ? 'csv' : 'jsonl')}"`,
      });
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/audit/{id}',
      ...permission('audit.read'),
      tags,
      summary: 'One audit row',
      security,
      request: { params: idParam('Audit row id') },
      responses: { 200: jsonResponse(AuditEntrySchema, 'The row'), ...problemResponses },
    }),
    async (c) => c.json(await auditEntry(store.db, c.req.valid('param').id, teamScope(c)), 200),
  );
}
