/**
 * The price book: `/prices` (list, add, delete), `/prices/defaults` (the price table shipped with Junction) and
 * `/prices/reprice` (re-price the usage of a period).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { providerTypes } from '../../core/snapshot/source.js';
import type { Database } from '../../store/database.js';
import { recordAudit } from '../audit/record.js';
import { createPrice, deletePrice, listDefaultPrices, listPrices, repriceUsage } from '../services/prices.js';
import { permission } from './access.js';
import type { AdminApp, AdminDependencies } from './app.js';
import { idParam, jsonBody, jsonResponse, problemResponses, security } from './openapi-helpers.js';
import { listOf } from './schemas.js';

const tags = ['Prices'];
const amount = (description: string) =>
  z
    .string()
    .regex(/^\d{1,6}(\.\d{1,6})?$/, 'USD per million tokens, at most 6 decimals, like "2.50"')
    .openapi({ description, example: '2.50' });

const PriceInputSchema = z
  .object({
    scope: z.enum(['model', 'deployment']).openapi({
      description: 'A logical model (its id), or one deployment (`<provider id>/<upstream model>`)',
    }),
    target: z.string().min(1).max(300),
    effectiveFrom: z.string().datetime({ offset: true }).optional().openapi({
      description: 'From when the price applies (default: always, i.e. also to past usage when re-priced)',
    }),
    input: amount('Prompt tokens, USD per million'),
    cachedInput: amount('Prompt tokens read from a cache (default: the input price)').nullable().optional(),
    cacheWrite: amount('Prompt tokens written to a cache (default: the input price)').nullable().optional(),
    output: amount('Completion tokens, USD per million'),
    reasoning: amount('Reasoning tokens (default: the output price)').nullable().optional(),
    note: z.string().max(500).nullable().optional(),
  })
  .strict()
  .openapi('PriceInput');

const PriceSchema = z
  .object({
    id: z.string(),
    scope: z.enum(['model', 'deployment']),
    target: z.string(),
    effectiveFrom: z.string(),
    input: z.string(),
    cachedInput: z.string().nullable(),
    cacheWrite: z.string().nullable(),
    output: z.string(),
    reasoning: z.string().nullable(),
    note: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Price');

const DefaultPriceSchema = z
  .object({
    providerType: z.enum(providerTypes),
    model: z
      .string()
      .openapi({ description: 'The upstream model name (sent to the provider), matched exactly' }),
    effectiveFrom: z
      .string()
      .openapi({ description: 'From this day on (UTC), `YYYY-MM-DD`', example: '2025-09-29' }),
    input: z.string(),
    cachedInput: z.string().nullable(),
    cacheWrite: z.string().nullable(),
    output: z.string(),
    reasoning: z.string().nullable(),
    source: z.string().openapi({ description: "The provider's pricing page the price was read on" }),
    note: z.string().nullable(),
  })
  .openapi('DefaultPrice');

const RepriceSchema = z
  .object({ from: z.string().datetime({ offset: true }), to: z.string().datetime({ offset: true }) })
  .strict()
  .openapi('RepriceRequest');

export function registerPriceRoutes(app: AdminApp, deps: AdminDependencies): void {
  const { store } = deps;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/prices',
      ...permission('prices.read'),
      tags,
      summary: 'List the price book (optionally for one scope and target)',
      security,
      request: {
        query: z.object({ scope: z.enum(['model', 'deployment']).optional(), target: z.string().optional() }),
      },
      responses: { 200: jsonResponse(listOf(PriceSchema), 'Prices'), ...problemResponses },
    }),
    async (c) => c.json({ data: await listPrices(store.db, c.req.valid('query')) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/prices/defaults',
      ...permission('prices.read'),
      tags,
      summary: 'The default prices shipped with Junction (used when no model or deployment price applies)',
      description:
        'USD per million tokens by provider type and upstream model, read from each provider’s own pricing page. ' +
        'A model or deployment price in the price book always wins; JUNCTION_DEFAULT_PRICES=off ignores this table.',
      security,
      request: {
        query: z.object({ providerType: z.enum(providerTypes).optional(), model: z.string().optional() }),
      },
      responses: { 200: jsonResponse(listOf(DefaultPriceSchema), 'Default prices'), ...problemResponses },
    }),
    async (c) => c.json({ data: listDefaultPrices(c.req.valid('query')) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/prices',
      ...permission('prices.write'),
      tags,
      summary: 'Add a price for a model or a deployment from a date on',
      security,
      request: jsonBody(PriceInputSchema),
      responses: { 201: jsonResponse(PriceSchema, 'Added'), ...problemResponses },
    }),
    async (c) => {
      const input = c.req.valid('json');
      // Through the publisher: prices are part of the snapshot (budgets price requests on the request path).
      return c.json(await deps.publisher.change((tx) => createPrice(tx, input)), 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/prices/{id}',
      ...permission('prices.write'),
      tags,
      summary: 'Delete a price',
      security,
      request: { params: idParam('Price id') },
      responses: { 204: { description: 'Deleted' }, ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await deps.publisher.change((tx) => deletePrice(tx, id));
      return c.body(null, 204);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/prices/reprice',
      ...permission('prices.write'),
      tags,
      summary: 'Re-price the usage rows of a period with the price book as it is now',
      security,
      request: jsonBody(RepriceSchema),
      responses: {
        200: jsonResponse(z.object({ repriced: z.number().int() }), 'How many rows changed'),
        ...problemResponses,
      },
    }),
    async (c) => {
      const { from, to } = c.req.valid('json');
      // One transaction: the re-priced rows and the audit row of the re-pricing commit together.
      const result = await store.db.transaction(async (tx) => {
        const repriced = await repriceUsage(tx as unknown as Database, from, to);
        if (repriced.repriced > 0) {
          await recordAudit(tx as unknown as Database, {
            targetType: 'usage',
            targetId: null,
            after: { from, to, repriced: repriced.repriced },
          });
        }
        return repriced;
      });
      return c.json(result, 200);
    },
  );
}
