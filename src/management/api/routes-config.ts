import { createRoute, z } from '@hono/zod-openapi';
import { applyConfiguration, planConfiguration } from '../config/apply.js';
import { ConfigDocumentSchema, ConfigPlanSchema } from '../config/document.js';
import { exportConfiguration } from '../config/export.js';
import { permission } from './access.js';
import type { AdminApp, AdminDependencies } from './app.js';
import { jsonBody, jsonResponse, problemResponses, security } from './openapi-helpers.js';

const tags = ['Configuration'];
const query = z.object({
  prune: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: 'Also delete models, providers and environments the document leaves out' }),
});

/** Configuration as code: export the whole configuration, plan a document against it, apply it. */
export function registerConfigRoutes(app: AdminApp, deps: AdminDependencies): void {
  const { store, masterKey, publisher, health } = deps;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/config',
      ...permission('config.read'),
      tags,
      summary: 'The whole configuration as a document (credentials as references, keys as metadata)',
      security,
      responses: {
        200: jsonResponse(ConfigDocumentSchema, 'The configuration document'),
        401: problemResponses[401],
      },
    }),
    async (c) => c.json(await exportConfiguration(store.db), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/config/plan',
      ...permission('config.write'),
      tags,
      summary: 'What applying the document would change; changes nothing',
      security,
      request: { query, ...jsonBody(ConfigDocumentSchema) },
      responses: { 200: jsonResponse(ConfigPlanSchema, 'The plan'), ...problemResponses },
    }),
    async (c) => {
      const document = c.req.valid('json');
      const prune = c.req.valid('query').prune === 'true';
      return c.json(await planConfiguration(store.db, masterKey, document, prune), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/config/apply',
      ...permission('config.write'),
      tags,
      summary: 'Make the configuration match the document, in one transaction',
      security,
      request: { query, ...jsonBody(ConfigDocumentSchema) },
      responses: { 200: jsonResponse(ConfigPlanSchema, 'What was changed'), ...problemResponses },
    }),
    async (c) => {
      const document = c.req.valid('json');
      const prune = c.req.valid('query').prune === 'true';
      const result = await publisher.change((tx) => applyConfiguration(tx, masterKey, document, prune));
      for (const change of result.changes) {
        if (change.kind === 'provider' && change.action !== 'delete') health.verifySoon(change.id);
        if (change.kind === 'provider' && change.action === 'delete') health.forget(change.id);
      }
      return c.json(result, 200);
    },
  );
}
