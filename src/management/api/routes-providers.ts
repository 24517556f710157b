import { createRoute, z } from '@hono/zod-openapi';
import {
  compileDraftProvider,
  createProvider,
  deleteProvider,
  getProvider,
  healthView,
  listProviders,
  updateProvider,
} from '../services/providers.js';
import { permission, requirePermission } from './access.js';
import type { AdminApp, AdminDependencies } from './app.js';
import { idParam, jsonBody, jsonResponse, problemResponses, security } from './openapi-helpers.js';
import {
  HealthSchema,
  listOf,
  ProviderCreateSchema,
  ProviderSchema,
  ProviderUpdateSchema,
} from './schemas.js';

const tags = ['Providers'];
const params = idParam('Provider identifier');

/** A provider entry to check before saving it: the create's shape, identifier and display name optional. */
const ProviderDraftSchema = ProviderCreateSchema.omit({ models: true })
  .extend({
    id: ProviderCreateSchema.shape.id.optional(),
    displayName: ProviderCreateSchema.shape.displayName.optional(),
  })
  .openapi('ProviderDraft');

const ConnectionTestSchema = z
  .object({
    ok: z.boolean().openapi({ description: 'False only when a check ran and failed' }),
    status: z.enum(['healthy', 'unhealthy', 'deferred']),
    verification: z.enum(['ahead', 'deferred', 'in-process']).openapi({
      description:
        '`ahead`: checked now by fetching the model list; `deferred`: the first real request validates the entry (types that cannot be checked ahead, BYOK passthrough); `in-process`: nothing to reach',
    }),
    message: z.string(),
    diagnostic: HealthSchema.shape.diagnostic,
    latencyMs: z.number().int().nullable(),
    models: z.array(z.string()).openapi({ description: 'Model ids the provider listed, sorted' }),
  })
  .openapi('ConnectionTest');

const ProviderCreatedSchema = ProviderSchema.extend({
  models: z
    .array(z.object({ id: z.string(), upstreamModel: z.string(), created: z.boolean() }))
    .optional()
    .openapi({ description: 'The logical models the entry joined (only when `models` was given)' }),
}).openapi('ProviderCreated');

/** CRUD for provider entries. */
export function registerProviderRoutes(app: AdminApp, deps: AdminDependencies): void {
  const { store, masterKey, publisher, health, board } = deps;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/providers',
      ...permission('providers.read'),
      tags,
      summary: 'List provider entries',
      security,
      responses: {
        200: jsonResponse(listOf(ProviderSchema), 'Provider entries'),
        401: problemResponses[401],
      },
    }),
    async (c) => c.json({ data: await listProviders(store.db, board) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/providers',
      ...permission('providers.write'),
      tags,
      summary: 'Create a provider entry',
      security,
      request: jsonBody(ProviderCreateSchema),
      responses: { 201: jsonResponse(ProviderCreatedSchema, 'Created'), ...problemResponses },
    }),
    async (c) => {
      const input = c.req.valid('json');
      if (input.models?.length) requirePermission(c, 'models.write', 'models');
      const created = await publisher.change((tx) => createProvider(tx, masterKey, input));
      health.verifySoon(created.id);
      return c.json({ ...created, health: healthView(board, created.id) }, 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/providers/test-connection',
      ...permission('providers.write'),
      tags,
      summary:
        'Check a draft entry without saving it: the connection check and model list a saved entry gets; the credential is never echoed',
      security,
      request: jsonBody(ProviderDraftSchema),
      responses: { 200: jsonResponse(ConnectionTestSchema, 'The outcome of the check'), ...problemResponses },
    }),
    async (c) => {
      const draft = c.req.valid('json');
      const provider = await compileDraftProvider(store.db, draft);
      return c.json(await health.testConnection(provider), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/providers/{id}',
      ...permission('providers.read'),
      tags,
      summary: 'Read a provider entry',
      security,
      request: { params },
      responses: { 200: jsonResponse(ProviderSchema, 'The provider entry'), ...problemResponses },
    }),
    async (c) => c.json(await getProvider(store.db, c.req.valid('param').id, board), 200),
  );
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/providers/{id}',
      ...permission('providers.write'),
      tags,
      summary: 'Change a provider entry (a new apiKey rotates the credential)',
      security,
      request: { params, ...jsonBody(ProviderUpdateSchema) },
      responses: { 200: jsonResponse(ProviderSchema, 'Updated'), ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      const updated = await publisher.change((tx) => updateProvider(tx, masterKey, id, patch));
      health.verifySoon(id);
      return c.json({ ...updated, health: healthView(board, id) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/providers/{id}',
      ...permission('providers.write'),
      tags,
      summary: 'Delete a provider entry (refused while a model uses it)',
      security,
      request: { params },
      responses: { 204: { description: 'Deleted' }, ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await publisher.change((tx) => deleteProvider(tx, id));
      health.forget(id);
      return c.body(null, 204);
    },
  );
}
