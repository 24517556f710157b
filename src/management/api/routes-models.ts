import { createRoute } from '@hono/zod-openapi';
import { GatewayError } from '../../core/errors/gateway-error.js';
import { createModel, deleteModel, getModel, listModels, updateModel } from '../services/models.js';
import { permission } from './access.js';
import type { AdminApp, AdminDependencies } from './app.js';
import { idParam, jsonBody, jsonResponse, problemResponses, security } from './openapi-helpers.js';
import {
  listOf,
  ModelCreateSchema,
  ModelSchema,
  ModelUpdateSchema,
  ModelVerificationSchema,
  ModelVerifyRequestSchema,
} from './schemas.js';

const tags = ['Models'];
const params = idParam('Logical model name');

/** CRUD for logical models and their pools. */
export function registerModelRoutes(app: AdminApp, deps: AdminDependencies): void {
  const { store, publisher } = deps;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/models',
      ...permission('models.read'),
      tags,
      summary: 'List logical models',
      security,
      responses: { 200: jsonResponse(listOf(ModelSchema), 'Models'), 401: problemResponses[401] },
    }),
    async (c) => c.json({ data: await listModels(store.db) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/models',
      ...permission('models.write'),
      tags,
      summary: 'Create a logical model served by a pool of deployments',
      security,
      request: jsonBody(ModelCreateSchema),
      responses: { 201: jsonResponse(ModelSchema, 'Created'), ...problemResponses },
    }),
    async (c) => {
      const input = c.req.valid('json');
      return c.json(await publisher.change((tx) => createModel(tx, input)), 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/models/{id}',
      ...permission('models.read'),
      tags,
      summary: 'Read a logical model',
      security,
      request: { params },
      responses: { 200: jsonResponse(ModelSchema, 'The model'), ...problemResponses },
    }),
    async (c) => c.json(await getModel(store.db, c.req.valid('param').id), 200),
  );
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/models/{id}',
      ...permission('models.write'),
      tags,
      summary: 'Change a logical model (deployments, when given, replace the pool)',
      security,
      request: { params, ...jsonBody(ModelUpdateSchema) },
      responses: { 200: jsonResponse(ModelSchema, 'Updated'), ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      return c.json(await publisher.change((tx) => updateModel(tx, id, patch)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/models/{id}/verify',
      ...permission('models.verify'),
      tags,
      summary:
        'Send a short request for the model (or alias) through the data plane, as a developer would, and report the result',
      security,
      request: { params, ...jsonBody(ModelVerifyRequestSchema) },
      responses: {
        200: jsonResponse(ModelVerificationSchema, 'What the request found'),
        ...problemResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { environment, eachDeployment } = c.req.valid('json');
      if (!deps.verifyModel)
        throw new GatewayError('not_ready', 'This process serves no data plane to verify through');
      return c.json(await deps.verifyModel(id, environment ?? 'production', { eachDeployment }), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/models/{id}',
      ...permission('models.write'),
      tags,
      summary: 'Delete a logical model',
      security,
      request: { params },
      responses: { 204: { description: 'Deleted' }, ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await publisher.change((tx) => deleteModel(tx, id));
      return c.body(null, 204);
    },
  );
}
