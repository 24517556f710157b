import { createRoute } from '@hono/zod-openapi';
import { GatewayError } from '../../core/errors/gateway-error.js';
import {
  createKey,
  createTeam,
  deleteTeam,
  getKey,
  getTeam,
  listKeys,
  listTeams,
  revokeKey,
  rotateKey,
  updateKey,
  updateTeam,
} from '../services/teams-and-keys.js';
import { permission, refuseOperatorFields, teamScope } from './access.js';
import type { AdminApp, AdminDependencies } from './app.js';
import { idParam, jsonBody, jsonResponse, problemResponses, security } from './openapi-helpers.js';
import {
  ApiKeyCreatedSchema,
  ApiKeyCreateSchema,
  ApiKeyRotateSchema,
  ApiKeySchema,
  ApiKeyUpdateSchema,
  listOf,
  TeamCreateSchema,
  TeamSchema,
  TeamUpdateSchema,
} from './schemas.js';

/** Teams and API keys. */
export function registerTeamAndKeyRoutes(app: AdminApp, deps: AdminDependencies): void {
  const { store, publisher } = deps;
  const teamTags = ['Teams'];
  const keyTags = ['API keys'];
  app.openapi(
    createRoute({
      method: 'get',
      path: '/teams',
      ...permission('teams.read'),
      tags: teamTags,
      summary: 'List teams',
      security,
      responses: { 200: jsonResponse(listOf(TeamSchema), 'Teams'), 401: problemResponses[401] },
    }),
    async (c) => c.json({ data: await listTeams(store.db, teamScope(c)) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/teams',
      ...permission('teams.write'),
      tags: teamTags,
      summary: 'Create a team',
      security,
      request: jsonBody(TeamCreateSchema),
      responses: { 201: jsonResponse(TeamSchema, 'Created'), ...problemResponses },
    }),
    async (c) => {
      const input = c.req.valid('json');
      return c.json(await publisher.change((tx) => createTeam(tx, input)), 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/teams/{id}',
      ...permission('teams.read'),
      tags: teamTags,
      summary: 'Read a team',
      security,
      request: { params: idParam('Team id') },
      responses: { 200: jsonResponse(TeamSchema, 'The team'), ...problemResponses },
    }),
    async (c) => c.json(await getTeam(store.db, c.req.valid('param').id, teamScope(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/teams/{id}',
      ...permission('teams.write'),
      tags: teamTags,
      summary: "Change a team's description, per-minute limits or body capture",
      security,
      request: { params: idParam('Team id'), ...jsonBody(TeamUpdateSchema) },
      responses: { 200: jsonResponse(TeamSchema, 'The team'), ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      return c.json(await publisher.change((tx) => updateTeam(tx, id, patch)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/teams/{id}',
      ...permission('teams.write'),
      tags: teamTags,
      summary: 'Delete a team that has no API keys',
      security,
      request: { params: idParam('Team id') },
      responses: { 204: { description: 'Deleted' }, ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await publisher.change((tx) => deleteTeam(tx, id));
      return c.body(null, 204);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/keys',
      ...permission('keys.read'),
      tags: keyTags,
      summary: 'List API keys (metadata and prefix only)',
      security,
      responses: { 200: jsonResponse(listOf(ApiKeySchema), 'API keys'), 401: problemResponses[401] },
    }),
    async (c) => c.json({ data: await listKeys(store.db, teamScope(c)) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/keys',
      ...permission('keys.write'),
      tags: keyTags,
      summary: 'Issue an API key; its secret is in this answer only',
      security,
      request: jsonBody(ApiKeyCreateSchema),
      responses: { 201: jsonResponse(ApiKeyCreatedSchema, 'Created'), ...problemResponses },
    }),
    async (c) => {
      const input = c.req.valid('json');
      refuseOperatorFields(c, input);
      const scope = teamScope(c);
      if (scope !== undefined && input.teamId !== scope) {
        throw new GatewayError('forbidden', 'Keys can be issued only in your own team');
      }
      return c.json(await publisher.change((tx) => createKey(tx, input)), 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/keys/{id}',
      ...permission('keys.read'),
      tags: keyTags,
      summary: 'Read an API key',
      security,
      request: { params: idParam('API key id') },
      responses: { 200: jsonResponse(ApiKeySchema, 'The API key'), ...problemResponses },
    }),
    async (c) => c.json(await getKey(store.db, c.req.valid('param').id, teamScope(c)), 200),
  );
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/keys/{id}',
      ...permission('keys.write'),
      tags: keyTags,
      summary:
        "Change a key's name, consumer, metadata, routing policy or expiry (effective on the next request)",
      security,
      request: { params: idParam('API key id'), ...jsonBody(ApiKeyUpdateSchema) },
      responses: { 200: jsonResponse(ApiKeySchema, 'Updated'), ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      refuseOperatorFields(c, patch);
      return c.json(
        await publisher.change(async (tx) => {
          await getKey(tx, id, teamScope(c));
          return updateKey(tx, id, patch);
        }),
        200,
      );
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/keys/{id}/rotate',
      ...permission('keys.write'),
      tags: keyTags,
      summary: 'Issue a new secret; the old one keeps working for the grace period',
      security,
      request: { params: idParam('API key id'), ...jsonBody(ApiKeyRotateSchema) },
      responses: {
        200: jsonResponse(ApiKeyCreatedSchema, 'The key and its new secret (shown once)'),
        ...problemResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { gracePeriodSeconds } = c.req.valid('json');
      return c.json(
        await publisher.change(async (tx) => {
          await getKey(tx, id, teamScope(c));
          return rotateKey(tx, id, gracePeriodSeconds ?? 0);
        }),
        200,
      );
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/keys/{id}/revoke',
      ...permission('keys.write'),
      tags: keyTags,
      summary: 'Revoke an API key; it stops working on the next request',
      security,
      request: { params: idParam('API key id') },
      responses: { 200: jsonResponse(ApiKeySchema, 'Revoked'), ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      return c.json(
        await publisher.change(async (tx) => {
          await getKey(tx, id, teamScope(c));
          return revokeKey(tx, id);
        }),
        200,
      );
    },
  );
}
