/**
 * Admin tokens: `/tokens` (list, issue with a role, a team for `developer`, and an expiry), `/tokens/{id}` and
 * `/tokens/{id}/revoke`. A new token's secret is in the creation answer only.
 */
import { createRoute } from '@hono/zod-openapi';
import {
  createAdminToken,
  getAdminToken,
  listAdminTokens,
  revokeAdminToken,
} from '../services/admin-tokens.js';
import { permission } from './access.js';
import type { AdminApp, AdminDependencies } from './app.js';
import { idParam, jsonBody, jsonResponse, problemResponses, security } from './openapi-helpers.js';
import { AdminTokenCreatedSchema, AdminTokenCreateSchema, AdminTokenSchema, listOf } from './schemas.js';

const tags = ['Admin tokens'];

export function registerAdminTokenRoutes(app: AdminApp, deps: AdminDependencies): void {
  const { store } = deps;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/tokens',
      ...permission('tokens.read'),
      tags,
      summary: 'List admin tokens (metadata and prefix only)',
      security,
      responses: { 200: jsonResponse(listOf(AdminTokenSchema), 'Admin tokens'), ...problemResponses },
    }),
    async (c) => c.json({ data: await listAdminTokens(store.db) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/tokens',
      ...permission('tokens.write'),
      tags,
      summary: 'Issue an admin token with a role; its secret is in this answer only',
      security,
      request: jsonBody(AdminTokenCreateSchema),
      responses: { 201: jsonResponse(AdminTokenCreatedSchema, 'Created'), ...problemResponses },
    }),
    async (c) => c.json(await createAdminToken(store.db, c.req.valid('json'), c.get('principal').id), 201),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/tokens/{id}',
      ...permission('tokens.read'),
      tags,
      summary: 'Read an admin token',
      security,
      request: { params: idParam('Admin token id') },
      responses: { 200: jsonResponse(AdminTokenSchema, 'The token'), ...problemResponses },
    }),
    async (c) => c.json(await getAdminToken(store.db, c.req.valid('param').id), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/tokens/{id}/revoke',
      ...permission('tokens.write'),
      tags,
      summary: 'Revoke an admin token; it stops working on its next request',
      description: 'The last working super_admin token cannot be revoked (409).',
      security,
      request: { params: idParam('Admin token id') },
      responses: { 200: jsonResponse(AdminTokenSchema, 'Revoked'), ...problemResponses },
    }),
    async (c) => c.json(await revokeAdminToken(store.db, c.req.valid('param').id), 200),
  );
}
