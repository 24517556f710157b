/**
 * The request log: `/logs` (each request's metadata, newest first, filtered like the usage records, with whether
 * its bodies were captured) and `/logs/{id}` (one request with its captured prompt and answer, redacted). A
 * principal bound to a team sees that team's requests only.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { requestLogEntry } from '../services/request-logs.js';
import { permission, teamScope } from './access.js';
import type { AdminApp, AdminDependencies } from './app.js';
import {
  idParam,
  jsonResponse,
  pageQueryFields,
  pageResponse,
  problemResponses,
  security,
} from './openapi-helpers.js';
import { filterFields, recordsPage, UsageRecordShape } from './routes-usage.js';

const tags = ['Request logs'];

const RequestLogSchema = z.object(UsageRecordShape).openapi('RequestLog');
const RequestLogEntrySchema = z
  .object({
    ...UsageRecordShape,
    capture: z
      .object({
        requestBody: z
          .string()
          .nullable()
          .openapi({ description: 'The request body as received, secrets redacted' }),
        responseBody: z.string().nullable().openapi({
          description:
            'The answer as sent, secrets redacted; a streamed answer is assembled into one chat completion',
        }),
        truncated: z.boolean().openapi({ description: 'A body was cut at the capture limit' }),
      })
      .nullable()
      .openapi({ description: 'Null when capture was off for the request, or its capture has expired' }),
  })
  .openapi('RequestLogEntry');

export function registerLogRoutes(app: AdminApp, deps: AdminDependencies): void {
  const { store } = deps;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/logs',
      ...permission('logs.read'),
      tags,
      summary: 'The request log, newest first, a page at a time',
      description:
        'Every chat and embeddings request, refused ones included. Bodies are captured only for keys or teams ' +
        'with `captureBodies` on; `captured` says which requests have them.',
      security,
      request: { query: z.object({ ...filterFields, ...pageQueryFields }) },
      responses: {
        200: pageResponse(RequestLogSchema, 'A page of requests'),
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
      path: '/logs/{id}',
      ...permission('logs.read'),
      tags,
      summary: 'One request with its attempts and, when captured, its prompt and answer',
      security,
      request: { params: idParam('Request log id (the usage record id)') },
      responses: { 200: jsonResponse(RequestLogEntrySchema, 'The request'), ...problemResponses },
    }),
    async (c) => c.json(await requestLogEntry(store.db, c.req.valid('param').id, teamScope(c)), 200),
  );
}
