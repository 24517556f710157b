import { createRoute, z } from '@hono/zod-openapi';
import { GatewayError } from '../../core/errors/gateway-error.js';
import { getProvider, rotateCredential } from '../services/providers.js';
import { permission } from './access.js';
import type { AdminApp, AdminDependencies } from './app.js';
import { idParam, jsonBody, jsonResponse, problemResponses, security } from './openapi-helpers.js';
import {
  DiscoveredModelsSchema,
  HealthEventSchema,
  HealthSchema,
  ProviderSchema,
  RotateSchema,
} from './schemas.js';

const tags = ['Providers'];
const params = idParam('Provider identifier');

/** Verification, health history, credential rotation and model discovery of provider entries. */
export function registerProviderHealthRoutes(app: AdminApp, deps: AdminDependencies): void {
  const { store, masterKey, publisher, health, board } = deps;
  app.openapi(
    createRoute({
      method: 'post',
      path: '/providers/{id}/verify',
      ...permission('providers.write'),
      tags,
      summary: 'Check the connection now and return the entry with its new health',
      security,
      request: { params },
      responses: { 200: jsonResponse(ProviderSchema, 'The entry, verified'), ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await getProvider(store.db, id);
      await health.verify(id);
      return c.json(await getProvider(store.db, id, board), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/providers/{id}/health',
      ...permission('providers.read'),
      tags,
      summary: 'The health of the entry and its recent history, newest first',
      security,
      request: { params },
      responses: {
        200: jsonResponse(z.object({ current: HealthSchema, history: z.array(HealthEventSchema) }), 'Health'),
        ...problemResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const provider = await getProvider(store.db, id, board);
      return c.json({ current: provider.health, history: await health.history(id) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/providers/{id}/rotate',
      ...permission('providers.write'),
      tags,
      summary: 'Replace the credential atomically, then verify the entry with it',
      security,
      request: { params, ...jsonBody(RotateSchema) },
      responses: {
        200: jsonResponse(ProviderSchema, 'The entry with its new credential hint'),
        ...problemResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const fields = c.req.valid('json');
      const rotated = await publisher.change((tx) => rotateCredential(tx, masterKey, id, fields));
      await health.verify(id);
      const view = await getProvider(store.db, id, board);
      return c.json(rotated.warnings ? { ...view, warnings: rotated.warnings } : view, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/providers/{id}/discovered-models',
      ...permission('providers.read'),
      tags,
      summary: 'Ask the provider for its models: which are enabled, which are new, which disappeared',
      security,
      request: { params },
      responses: {
        200: jsonResponse(DiscoveredModelsSchema, 'Models offered by the provider'),
        502: problemResponses[422],
        ...problemResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await getProvider(store.db, id);
      const result = await health.discover(id);
      if (!result.ok) throw new GatewayError('upstream_error', `Model discovery failed: ${result.message}`);
      return c.json(
        { providerId: result.providerId, models: result.models, new: result.new, missing: result.missing },
        200,
      );
    },
  );
}
