/**
 * Budgets: `/budgets` (list, create), `/budgets/{id}` (read with the current window's spend, change, delete) and
 * `/budgets/{id}/alerts`.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { BUDGET_PERIODS } from '../../core/budget/window.js';
import {
  budgetStatus,
  createBudget,
  deleteBudget,
  getBudget,
  listBudgetAlerts,
  listBudgets,
  updateBudget,
} from '../services/budgets.js';
import { permission } from './access.js';
import type { AdminApp, AdminDependencies } from './app.js';
import { idParam, jsonBody, jsonResponse, problemResponses, security } from './openapi-helpers.js';
import { listOf } from './schemas.js';

const tags = ['Budgets'];
const periods = BUDGET_PERIODS as unknown as ['day', 'week', 'month', 'lifetime'];

const budgetFields = {
  name: z.string().trim().min(1).max(100),
  limitUsd: z
    .string()
    .regex(/^\d{1,9}(\.\d{1,9})?$/, 'a decimal amount in USD with at most 9 decimals, like "250.00"')
    .nullable()
    .optional()
    .openapi({ description: 'The most the window may cost, in USD', example: '250.00' }),
  limitTokens: z
    .number()
    .int()
    .min(1)
    .max(Number.MAX_SAFE_INTEGER)
    .nullable()
    .optional()
    .openapi({ description: 'The most prompt + completion tokens the window may use' }),
  period: z.enum(periods).openapi({ description: 'day, week (from Monday), month, or lifetime' }),
  timezone: z.string().min(1).max(64).optional().openapi({
    description: 'IANA time zone of the calendar windows (default UTC)',
    example: 'Europe/Paris',
  }),
  alertAtPercent: z
    .number()
    .gt(0)
    .max(100)
    .nullable()
    .optional()
    .openapi({ description: 'Raise an alert once per window when this share of a limit is spent' }),
  onStoreFailure: z.enum(['open', 'closed']).nullable().optional().openapi({
    description:
      'When the shared ledger (Redis) cannot be reached: open admits, closed refuses with 503 (null: the gateway default)',
  }),
  enabled: z.boolean().optional(),
};

const BudgetInputSchema = z
  .object({
    ...budgetFields,
    scope: z.enum(['key', 'team']),
    keyId: z.string().min(1).max(64).nullable().optional(),
    teamId: z.string().min(1).max(64).nullable().optional(),
  })
  .strict()
  .openapi('BudgetInput');

const BudgetPatchSchema = z
  .object({ ...budgetFields, name: budgetFields.name.optional(), period: budgetFields.period.optional() })
  .strict()
  .openapi('BudgetPatch');

const BudgetStatusSchema = z
  .object({
    ledger: z.enum(['memory', 'redis']),
    window: z.object({ id: z.string(), start: z.string(), end: z.string().nullable() }),
    spentUsd: z.string(),
    reservedUsd: z.string(),
    remainingUsd: z.string().nullable(),
    spentTokens: z.number().int(),
    reservedTokens: z.number().int(),
    remainingTokens: z.number().int().nullable(),
  })
  .openapi('BudgetStatus');

const BudgetSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    scope: z.enum(['key', 'team']),
    keyId: z.string().nullable(),
    teamId: z.string().nullable(),
    limitUsd: z.string().nullable(),
    limitTokens: z.number().int().nullable(),
    period: z.enum(periods),
    timezone: z.string(),
    alertAtPercent: z.number().nullable(),
    onStoreFailure: z.enum(['open', 'closed']).nullable(),
    enabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
    status: BudgetStatusSchema.nullable().openapi({
      description: 'Spend of the current window (null for a disabled budget)',
    }),
  })
  .openapi('Budget');

const BudgetAlertSchema = z
  .object({
    id: z.string(),
    window: z.string(),
    kind: z.enum(['threshold', 'exhausted']),
    spentUsd: z.string().nullable(),
    spentTokens: z.number().int().nullable(),
    at: z.string(),
  })
  .openapi('BudgetAlert');

export function registerBudgetRoutes(app: AdminApp, deps: AdminDependencies): void {
  const { store, publisher } = deps;
  const withStatus = async <T extends Awaited<ReturnType<typeof getBudget>>>(budget: T) => ({
    ...budget,
    status: await budgetStatus(deps.ledger, deps.snapshot?.(), budget),
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/budgets',
      ...permission('budgets.read'),
      tags,
      summary: "List budgets with their current window's spend",
      security,
      request: {
        query: z.object({ keyId: z.string().optional(), teamId: z.string().optional() }),
      },
      responses: { 200: jsonResponse(listOf(BudgetSchema), 'Budgets'), ...problemResponses },
    }),
    async (c) => {
      const budgets = await listBudgets(store.db, c.req.valid('query'));
      return c.json({ data: await Promise.all(budgets.map(withStatus)) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/budgets',
      ...permission('budgets.write'),
      tags,
      summary: 'Create a budget for a key or a team',
      security,
      request: jsonBody(BudgetInputSchema),
      responses: { 201: jsonResponse(BudgetSchema, 'Created'), ...problemResponses },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const budget = await publisher.change((tx) => createBudget(tx, input));
      await deps.budgets?.seed();
      return c.json(await withStatus(budget), 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/budgets/{id}',
      ...permission('budgets.read'),
      tags,
      summary: "Read a budget with its current window's spend",
      security,
      request: { params: idParam('Budget id') },
      responses: { 200: jsonResponse(BudgetSchema, 'The budget'), ...problemResponses },
    }),
    async (c) => c.json(await withStatus(await getBudget(store.db, c.req.valid('param').id)), 200),
  );
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/budgets/{id}',
      ...permission('budgets.write'),
      tags,
      summary: "Change a budget's limits, window, alert or policy",
      security,
      request: { params: idParam('Budget id'), ...jsonBody(BudgetPatchSchema) },
      responses: { 200: jsonResponse(BudgetSchema, 'The budget'), ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      const budget = await publisher.change((tx) => updateBudget(tx, id, patch));
      await deps.budgets?.seed();
      return c.json(await withStatus(budget), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/budgets/{id}',
      ...permission('budgets.write'),
      tags,
      summary: 'Delete a budget',
      security,
      request: { params: idParam('Budget id') },
      responses: { 204: { description: 'Deleted' }, ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await publisher.change((tx) => deleteBudget(tx, id));
      return c.body(null, 204);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/budgets/{id}/alerts',
      ...permission('budgets.read'),
      tags,
      summary: 'Alerts the budget raised (threshold crossed, exhausted), newest first',
      security,
      request: { params: idParam('Budget id') },
      responses: { 200: jsonResponse(listOf(BudgetAlertSchema), 'Alerts'), ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await getBudget(store.db, id);
      return c.json({ data: await listBudgetAlerts(store.db, id) }, 200);
    },
  );
}
