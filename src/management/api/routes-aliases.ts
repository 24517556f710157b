import { createRoute } from '@hono/zod-openapi';
import {
  aliasHistory,
  createAlias,
  deleteAlias,
  getAlias,
  listAliases,
  moveAlias,
  rollbackAlias,
  updateAlias,
} from '../services/aliases.js';
import { permission } from './access.js';
import type { AdminApp, AdminDependencies } from './app.js';
import { idParam, jsonBody, jsonResponse, problemResponses, security } from './openapi-helpers.js';
import {
  AliasCreateSchema,
  AliasHistoryEntrySchema,
  AliasMoveSchema,
  AliasSchema,
  AliasUpdateSchema,
  listOf,
} from './schemas.js';

const tags = ['Aliases'];
const params = idParam('Alias name');

/** Aliases over model versions: create, read, move, roll back, delete. */
export function registerAliasRoutes(app: AdminApp, deps: AdminDependencies): void {
  const { store, publisher } = deps;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/aliases',
      ...permission('models.read'),
      tags,
      summary: 'List aliases and the versions they serve',
      security,
      responses: { 200: jsonResponse(listOf(AliasSchema), 'Aliases'), 401: problemResponses[401] },
    }),
    async (c) => c.json({ data: await listAliases(store.db) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/aliases',
      ...permission('models.write'),
      tags,
      summary: 'Create a stable name that serves one model version',
      security,
      request: jsonBody(AliasCreateSchema),
      responses: { 201: jsonResponse(AliasSchema, 'Created'), ...problemResponses },
    }),
    async (c) => {
      const input = c.req.valid('json');
      return c.json(await publisher.change((tx) => createAlias(tx, input)), 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/aliases/{id}',
      ...permission('models.read'),
      tags,
      summary: 'Read an alias',
      security,
      request: { params },
      responses: { 200: jsonResponse(AliasSchema, 'The alias'), ...problemResponses },
    }),
    async (c) => c.json(await getAlias(store.db, c.req.valid('param').id), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/aliases/{id}/history',
      ...permission('models.read'),
      tags,
      summary: 'The versions the alias served over time, newest first (from the audit log, at most 100)',
      security,
      request: { params },
      responses: {
        200: jsonResponse(listOf(AliasHistoryEntrySchema), 'Changes to the alias'),
        ...problemResponses,
      },
    }),
    async (c) => c.json({ data: await aliasHistory(store.db, c.req.valid('param').id) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/aliases/{id}',
      ...permission('models.write'),
      tags,
      summary: "Change an alias's description (moves go through /move)",
      security,
      request: { params, ...jsonBody(AliasUpdateSchema) },
      responses: { 200: jsonResponse(AliasSchema, 'Updated'), ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      return c.json(await publisher.change((tx) => updateAlias(tx, id, patch)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/aliases/{id}/move',
      ...permission('models.write'),
      tags,
      summary: 'Point the alias at another version, from the next request on; the previous one stays enabled',
      security,
      request: { params, ...jsonBody(AliasMoveSchema) },
      responses: { 200: jsonResponse(AliasSchema, 'Moved'), ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const move = c.req.valid('json');
      return c.json(await publisher.change((tx) => moveAlias(tx, id, move)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/aliases/{id}/rollback',
      ...permission('models.write'),
      tags,
      summary: 'Return the alias to the version it served before its last move',
      security,
      request: { params },
      responses: { 200: jsonResponse(AliasSchema, 'Rolled back'), ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      return c.json(await publisher.change((tx) => rollbackAlias(tx, id)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/aliases/{id}',
      ...permission('models.write'),
      tags,
      summary: 'Delete an alias (its versions stay)',
      security,
      request: { params },
      responses: { 204: { description: 'Deleted' }, ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await publisher.change((tx) => deleteAlias(tx, id));
      return c.body(null, 204);
    },
  );
}
