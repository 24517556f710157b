/**
 * Admin tokens: `/tokens` (list, issue with a role, a team for `developer`, and an expiry), `/tokens/{id}` and
 * `/tokens/{id}/revoke`; and a signed-in user's own personal tokens, `/me/tokens`. A new token's secret is in the
 * creation answer only.
 */
import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { GatewayError } from '../../core/errors/gateway-error.js';
import {
  createAdminToken,
  createPersonalToken,
  getAdminToken,
  listAdminTokens,
  listPersonalTokens,
  revokeAdminToken,
  revokePersonalToken,
} from '../services/admin-tokens.js';
import { permission } from './access.js';
import type { AdminApp, AdminDependencies, AdminEnv } from './app.js';
import { idParam, jsonBody, jsonResponse, problemResponses, security } from './openapi-helpers.js';
import {
  AdminTokenCreatedSchema,
  AdminTokenCreateSchema,
  AdminTokenSchema,
  listOf,
  PersonalTokenCreateSchema,
} from './schemas.js';

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

  const personal = ['Personal tokens'];
  app.openapi(
    createRoute({
      method: 'get',
      path: '/me/tokens',
      ...permission('status.read'),
      tags: personal,
      summary: "The signed-in user's personal tokens",
      security,
      responses: { 200: jsonResponse(listOf(AdminTokenSchema), 'Personal tokens'), ...problemResponses },
    }),
    async (c) => c.json({ data: await listPersonalTokens(store.db, signedInUser(c).id) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/me/tokens',
      ...permission('status.read'),
      tags: personal,
      summary: 'Issue a personal token for automation; its secret is in this answer only',
      description:
        "It acts with the user's role and team as they are when it is used, stops working when the user is " +
        'disabled or deleted, and always expires (at most 366 days ahead).',
      security,
      request: jsonBody(PersonalTokenCreateSchema),
      responses: { 201: jsonResponse(AdminTokenCreatedSchema, 'Created'), ...problemResponses },
    }),
    async (c) => c.json(await createPersonalToken(store.db, signedInUser(c), c.req.valid('json')), 201),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/me/tokens/{id}/revoke',
      ...permission('status.read'),
      tags: personal,
      summary: "Revoke one of the signed-in user's personal tokens",
      security,
      request: { params: idParam('Admin token id') },
      responses: { 200: jsonResponse(AdminTokenSchema, 'Revoked'), ...problemResponses },
    }),
    async (c) =>
      c.json(await revokePersonalToken(store.db, signedInUser(c).id, c.req.valid('param').id), 200),
  );
}

/** The signed-in user (personal tokens are made in a browser session, not with another token). */
function signedInUser(c: Context<AdminEnv>) {
  const principal = c.get('principal');
  if (principal.kind !== 'user') {
    throw new GatewayError(
      'invalid_request',
      'Personal tokens belong to users: sign in as a user to manage them',
    );
  }
  return principal;
}
