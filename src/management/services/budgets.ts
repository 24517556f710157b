/**
 * Budgets of keys and teams: limits in USD and/or tokens over a calendar window in a time zone, or the lifetime.
 * The stored rows are configuration (compiled into the snapshot); spend is the ledger's, read for the status.
 */
import { and, desc, eq } from 'drizzle-orm';
import { nanoToUsd, usdToNano } from '../../core/budget/rules.js';
import { BUDGET_PERIODS, type BudgetPeriod, isTimeZone } from '../../core/budget/window.js';
import type { GatewaySnapshot } from '../../core/snapshot/snapshot.js';
import type { BudgetLedger } from '../../limits/ledger.js';
import type { Database } from '../../store/database.js';
import { apiKeys, budgetAlerts, budgets, teams } from '../../store/schema.js';
import { invalidField } from './listing.js';
import { notFound } from './store-errors.js';
import { newId } from './teams-and-keys.js';

type BudgetRow = typeof budgets.$inferSelect;

export interface BudgetInput {
  name: string;
  scope: 'key' | 'team';
  keyId?: string | null;
  teamId?: string | null;
  limitUsd?: string | null;
  limitTokens?: number | null;
  period: BudgetPeriod;
  timezone?: string;
  alertAtPercent?: number | null;
  onStoreFailure?: 'open' | 'closed' | null;
  enabled?: boolean;
}

export type BudgetPatch = Partial<Omit<BudgetInput, 'scope' | 'keyId' | 'teamId'>>;

const invalid = invalidField;

/**
 * A stored numeric as decimal text. The drivers are set to give numbers, which are exact for any amount with at
 * most 9 decimals below 9 million.
 */
function normaliseUsd(value: string | number): string {
  return typeof value === 'string' ? value : value.toFixed(9);
}

export function budgetView(row: BudgetRow) {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope as 'key' | 'team',
    keyId: row.keyId,
    teamId: row.teamId,
    limitUsd: row.limitUsd === null ? null : normaliseUsd(row.limitUsd),
    limitTokens: row.limitTokens,
    period: row.period as BudgetPeriod,
    timezone: row.timezone,
    alertAtPercent: row.alertAtPercent,
    onStoreFailure: row.onStoreFailure as 'open' | 'closed' | null,
    enabled: row.enabled,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
export type BudgetView = ReturnType<typeof budgetView>;

function checkFields(input: BudgetPatch): void {
  if (input.limitUsd !== undefined && input.limitUsd !== null && usdToNano(input.limitUsd) === undefined)
    throw invalid('limitUsd', 'a decimal amount in USD with at most 9 decimals, like "250.00"');
  if (input.timezone !== undefined && !isTimeZone(input.timezone))
    throw invalid('timezone', `${JSON.stringify(input.timezone)} is not an IANA time zone name`);
  if (input.period !== undefined && !BUDGET_PERIODS.includes(input.period))
    throw invalid('period', `one of ${BUDGET_PERIODS.join(', ')}`);
}

function checkLimits(limitUsd: string | null, limitTokens: number | null): void {
  if (limitUsd === null && limitTokens === null)
    throw invalid('limitUsd', 'a budget needs limitUsd, limitTokens or both');
}

export async function listBudgets(db: Database, filter: { keyId?: string; teamId?: string } = {}) {
  const conditions = [
    ...(filter.keyId ? [eq(budgets.keyId, filter.keyId)] : []),
    ...(filter.teamId ? [eq(budgets.teamId, filter.teamId)] : []),
  ];
  const rows = await db
    .select()
    .from(budgets)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(budgets.createdAt);
  return rows.map(budgetView);
}

export async function getBudget(db: Database, id: string) {
  const [row] = await db.select().from(budgets).where(eq(budgets.id, id));
  if (!row) throw notFound('Budget', id);
  return budgetView(row);
}

export async function createBudget(db: Database, input: BudgetInput) {
  checkFields(input);
  checkLimits(input.limitUsd ?? null, input.limitTokens ?? null);
  if (input.scope === 'key') {
    if (!input.keyId || input.teamId) throw invalid('keyId', 'a key budget names its keyId (and no teamId)');
    const [key] = await db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.id, input.keyId));
    if (!key) throw invalid('keyId', `key ${input.keyId} does not exist`);
  } else {
    if (!input.teamId || input.keyId)
      throw invalid('teamId', 'a team budget names its teamId (and no keyId)');
    const [team] = await db.select({ id: teams.id }).from(teams).where(eq(teams.id, input.teamId));
    if (!team) throw invalid('teamId', `team ${input.teamId} does not exist`);
  }
  const [row] = await db
    .insert(budgets)
    .values({
      id: newId('budget'),
      name: input.name,
      scope: input.scope,
      keyId: input.scope === 'key' ? input.keyId! : null,
      teamId: input.scope === 'team' ? input.teamId! : null,
      limitUsd: input.limitUsd ?? null,
      limitTokens: input.limitTokens ?? null,
      period: input.period,
      timezone: input.timezone ?? 'UTC',
      alertAtPercent: input.alertAtPercent ?? null,
      onStoreFailure: input.onStoreFailure ?? null,
      enabled: input.enabled ?? true,
    })
    .returning();
  return budgetView(row!);
}

export async function updateBudget(db: Database, id: string, patch: BudgetPatch) {
  checkFields(patch);
  const [current] = await db.select().from(budgets).where(eq(budgets.id, id));
  if (!current) throw notFound('Budget', id);
  const limitUsd = patch.limitUsd === undefined ? current.limitUsd : patch.limitUsd;
  const limitTokens = patch.limitTokens === undefined ? current.limitTokens : patch.limitTokens;
  checkLimits(limitUsd === null ? null : String(limitUsd), limitTokens);
  const [row] = await db
    .update(budgets)
    .set({
      name: patch.name,
      limitUsd: patch.limitUsd,
      limitTokens: patch.limitTokens,
      period: patch.period,
      timezone: patch.timezone,
      alertAtPercent: patch.alertAtPercent,
      onStoreFailure: patch.onStoreFailure,
      enabled: patch.enabled,
      updatedAt: new Date(),
    })
    .where(eq(budgets.id, id))
    .returning();
  return budgetView(row!);
}

export async function deleteBudget(db: Database, id: string): Promise<void> {
  const deleted = await db.delete(budgets).where(eq(budgets.id, id)).returning({ id: budgets.id });
  if (deleted.length === 0) throw notFound('Budget', id);
}

/** What the budget has spent and holds in reserve in its current window (from the ledger in service). */
export async function budgetStatus(
  ledger: BudgetLedger | undefined,
  snapshot: GatewaySnapshot | undefined,
  budget: BudgetView,
  now = Date.now(),
) {
  const rule = snapshot?.budgets.get(budget.id);
  if (!ledger || !rule) return null;
  const status = await ledger.status(rule, now);
  const remaining = (limit: number | null, spent: number, reserved: number) =>
    limit === null ? null : Math.max(0, limit - spent - reserved);
  return {
    ledger: ledger.kind,
    window: {
      id: status.window.id,
      start: new Date(status.window.start).toISOString(),
      end: Number.isFinite(status.window.end) ? new Date(status.window.end).toISOString() : null,
    },
    spentUsd: nanoToUsd(status.spent.nano),
    reservedUsd: nanoToUsd(status.reserved.nano),
    remainingUsd:
      rule.limitNano === null
        ? null
        : nanoToUsd(remaining(rule.limitNano, status.spent.nano, status.reserved.nano)!),
    spentTokens: status.spent.tokens,
    reservedTokens: status.reserved.tokens,
    remainingTokens: remaining(rule.limitTokens, status.spent.tokens, status.reserved.tokens),
  };
}

export async function listBudgetAlerts(db: Database, budgetId: string, limit = 100) {
  const rows = await db
    .select()
    .from(budgetAlerts)
    .where(eq(budgetAlerts.budgetId, budgetId))
    .orderBy(desc(budgetAlerts.at))
    .limit(limit);
  return rows.map((row) => ({
    id: row.id,
    window: row.window,
    kind: row.kind as 'threshold' | 'exhausted',
    spentUsd: row.spentUsd === null ? null : normaliseUsd(row.spentUsd),
    spentTokens: row.spentTokens,
    at: row.at.toISOString(),
  }));
}
