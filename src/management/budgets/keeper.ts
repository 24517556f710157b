/**
 * Keeps the budget ledger whole, off the request path:
 *
 * - **Seeding.** A ledger counts from the moment it first sees a budget's window (at start, after a budget is
 *   created or its period changes, when Redis lost its data). The spend recorded in `usage_records` from the
 *   window's start until then is added once, so a restart or a new budget mid-month starts from what was spent.
 *   Runs at start (after the usage spool was stored, before the server listens), on every new snapshot, on a
 *   schedule, and when Redis is back.
 * - **Alerts.** A threshold crossed or a refusal for an exhausted budget is written to `budget_alerts` once per
 *   budget, window and kind (replicas racing to write the same alert store one), logged, and counted.
 */
import { and, gte, lt, sql } from 'drizzle-orm';
import { nanoToUsd } from '../../core/budget/rules.js';
import type { GatewaySnapshot } from '../../core/snapshot/snapshot.js';
import type { BudgetAlert, BudgetLedger } from '../../limits/ledger.js';
import type { Logger } from '../../observability/logger.js';
import type { Database } from '../../store/database.js';
import { budgetAlerts, usageRecords } from '../../store/schema.js';
import { newId } from '../services/teams-and-keys.js';

export interface BudgetKeeperOptions {
  db: Database;
  ledger: BudgetLedger;
  logger: Logger;
  snapshot: () => GatewaySnapshot | undefined;
  intervalMs?: number;
  onAlert?: (alert: BudgetAlert) => void;
}

export class BudgetKeeper {
  readonly #options: BudgetKeeperOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  readonly #writes = new Set<Promise<void>>();

  constructor(options: BudgetKeeperOptions) {
    this.#options = options;
    options.ledger.onAlert((alert) => {
      options.onAlert?.(alert);
      const write = this.#storeAlert(alert).finally(() => this.#writes.delete(write));
      this.#writes.add(write);
    });
  }

  async start(): Promise<void> {
    await this.seed();
    const interval = this.#options.intervalMs ?? 5_000;
    if (interval > 0) {
      this.#timer = setInterval(() => void this.seed(), interval);
      this.#timer.unref();
    }
  }

  /** Seeds every budget of the snapshot in service whose window still needs it (one run at a time). */
  seed(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    const run = (async () => {
      try {
        do {
          this.#again = false;
          await this.#seedAll();
        } while (this.#again);
      } catch (error) {
        this.#options.logger.warn({ err: error }, 'budget spend could not be seeded yet; will retry');
      } finally {
        this.#running = undefined;
      }
    })();
    this.#running = run;
    return run;
  }

  async #seedAll(): Promise<void> {
    const snapshot = this.#options.snapshot();
    if (!snapshot) return;
    const { ledger, db } = this.#options;
    for (const rule of snapshot.budgets.values()) {
      const request = await ledger.seedNeeded(rule, Date.now());
      if (!request) continue;
      const owner =
        rule.scope === 'key'
          ? sql`${usageRecords.keyId} = ${rule.owner}`
          : sql`${usageRecords.teamId} = ${rule.owner}`;
      const [row] = await db
        .select({
          nano: sql<number>`ceil(coalesce(sum(${usageRecords.costUsd}), 0) * 1000000000)::bigint`,
          tokens: sql<number>`coalesce(sum(coalesce(${usageRecords.promptTokens}, 0) + coalesce(${usageRecords.completionTokens}, 0)), 0)::bigint`,
        })
        .from(usageRecords)
        .where(
          and(
            owner,
            gte(usageRecords.at, new Date(request.window.start)),
            lt(usageRecords.at, new Date(request.until)),
          ),
        );
      await ledger.seed(rule, request.window, {
        nano: Number(row?.nano ?? 0),
        tokens: Number(row?.tokens ?? 0),
      });
    }
  }

  async #storeAlert(alert: BudgetAlert): Promise<void> {
    const { rule } = alert;
    this.#options.logger.warn(
      {
        budget: rule.id,
        name: rule.name,
        scope: rule.scope,
        owner: rule.owner,
        window: alert.window.id,
        kind: alert.kind,
        spentUsd: nanoToUsd(alert.spent.nano),
        spentTokens: alert.spent.tokens,
      },
      alert.kind === 'threshold'
        ? 'budget alert threshold crossed'
        : 'budget exhausted: requests are refused',
    );
    try {
      await this.#options.db
        .insert(budgetAlerts)
        .values({
          id: newId('alert'),
          budgetId: rule.id,
          window: alert.window.id,
          kind: alert.kind,
          spentUsd: nanoToUsd(alert.spent.nano),
          spentTokens: alert.spent.tokens,
          at: new Date(alert.at),
        })
        .onConflictDoNothing();
    } catch (error) {
      // The budget may have been deleted meanwhile (foreign key); the log line above stays.
      this.#options.logger.warn({ err: error, budget: rule.id }, 'a budget alert could not be stored');
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
    await Promise.all(this.#writes);
  }
}
