import { createRoute } from '@hono/zod-openapi';
import { providerCatalog } from '../../core/providers/catalog.js';
import {
  createEnvironment,
  deleteEnvironment,
  getEnvironment,
  listEnvironments,
} from '../services/environments.js';
import { permission } from './access.js';
import type { AdminApp, AdminDependencies } from './app.js';
import { idParam, jsonBody, jsonResponse, problemResponses, security } from './openapi-helpers.js';
import { EnvironmentCreateSchema, EnvironmentSchema, listOf, ProviderTypeSchema } from './schemas.js';

/** Environments, and the catalog of provider types. */
export function registerEnvironmentRoutes(app: AdminApp, deps: AdminDependencies): void {
  const { store, publisher } = deps;
  const tags = ['Environments'];
  app.openapi(
    createRoute({
      method: 'get',
      path: '/provider-types',
      ...permission('status.read'),
      tags: ['Providers'],
      summary: 'The provider types Junction can route to, with their defaults',
      security,
      responses: {
        200: jsonResponse(listOf(ProviderTypeSchema), 'Provider types'),
        401: problemResponses[401],
      },
    }),
    (c) =>
      c.json(
        {
          data: providerCatalog.map((info) => ({
            ...info,
            authMethods: [...info.authMethods],
            settings: info.settings.map((setting) => ({ ...setting })),
          })),
        },
        200,
      ),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/environments',
      ...permission('environments.read'),
      tags,
      summary: 'List environments',
      security,
      responses: { 200: jsonResponse(listOf(EnvironmentSchema), 'Environments'), 401: problemResponses[401] },
    }),
    async (c) => c.json({ data: await listEnvironments(store.db) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/environments',
      ...permission('environments.write'),
      tags,
      summary: 'Create an environment',
      security,
      request: jsonBody(EnvironmentCreateSchema),
      responses: { 201: jsonResponse(EnvironmentSchema, 'Created'), ...problemResponses },
    }),
    async (c) => {
      const input = c.req.valid('json');
      return c.json(await publisher.change((tx) => createEnvironment(tx, input)), 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/environments/{id}',
      ...permission('environments.read'),
      tags,
      summary: 'Read an environment',
      security,
      request: { params: idParam('Environment name') },
      responses: { 200: jsonResponse(EnvironmentSchema, 'The environment'), ...problemResponses },
    }),
    async (c) => c.json(await getEnvironment(store.db, c.req.valid('param').id), 200),
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/environments/{id}',
      ...permission('environments.write'),
      tags,
      summary: 'Delete an environment that no key and no provider entry uses',
      security,
      request: { params: idParam('Environment name') },
      responses: { 204: { description: 'Deleted' }, ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await publisher.change((tx) => deleteEnvironment(tx, id));
      return c.body(null, 204);
    },
  );
}
