import { createRoute } from '@hono/zod-openapi';
import { ROLE_PERMISSIONS, type Role } from '../../core/access/roles.js';
import { GatewayError } from '../../core/errors/gateway-error.js';
import { csrfTokenFor } from '../identity/sessions.js';
import { permission } from './access.js';
import type { AdminApp, AdminDependencies } from './app.js';
import { jsonResponse, problemResponses, security } from './openapi-helpers.js';
import { PrincipalSchema, StatusSchema } from './schemas.js';

/** `GET /me` and `GET /status`. */
export function registerStatusRoutes(app: AdminApp, deps: AdminDependencies): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/me',
      ...permission('status.read'),
      summary: 'The principal behind the credential',
      security,
      responses: { 200: jsonResponse(PrincipalSchema, 'The principal'), 401: problemResponses[401] },
    }),
    (c) => {
      const principal = c.get('principal');
      const permissions = [...(ROLE_PERMISSIONS[principal.role as Role] ?? [])];
      const session = c.get('session');
      return c.json(
        { ...principal, permissions, ...(session ? { csrfToken: csrfTokenFor(session) } : {}) },
        200,
      );
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/status',
      ...permission('status.read'),
      summary: 'The configuration snapshot in service',
      security,
      responses: { 200: jsonResponse(StatusSchema, 'Status'), 401: problemResponses[401] },
    }),
    (c) => {
      const info = deps.snapshotInfo();
      if (!info) throw new GatewayError('not_ready', 'No configuration snapshot is in service yet');
      return c.json(
        {
          snapshotVersion: info.version,
          compiledAt: info.compiledAt,
          providers: info.counts.providers,
          models: info.counts.models,
          keys: info.counts.keys,
          store: deps.store.kind,
        },
        200,
      );
    },
  );
}
