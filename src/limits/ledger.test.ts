/**
 * The in-process ledger: a fast-check model test (test plan B7, F1-c): for any interleaving of reserve, settle
 * and window resets, what is spent and reserved never passes a limit for admitted work (settlements are bounded
 * by their reservations here), the reserved balance returns to zero once everything settled, and spend equals the
 * sum of the settlements of the window. Plus B4: concurrent first requests and requests straddling a reset.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BudgetRule, Charge } from '../core/budget/rules.js';
import { type BudgetAlert, type BudgetHold, MemoryLedger } from './ledger.js';

const rule = (overrides: Partial<BudgetRule> = {}): BudgetRule => ({
  id: 'b1',
  name: 'team budget',
  scope: 'team',
  owner: 't1',
  limitNano: 1_000_000_000,
  limitTokens: null,
  period: 'day',
  timeZone: 'UTC',
  alertAtPercent: null,
  onStoreFailure: null,
  ...overrides,
});

const DAY = 24 * 3600_000;
const START = Date.parse('2026-11-22T00:00:00Z');

describe('memory ledger model (B7)', () => {
  it('keeps spent + reserved within the limit and returns reserved to zero, for any interleaving', () => {
    type Command =
      | { kind: 'reserve'; nano: number; tokens: number; budgets: number }
      | { kind: 'settle'; index: number; fraction: number }
      | { kind: 'tick'; ms: number };
    const command: fc.Arbitrary<Command> = fc.oneof(
      fc.record({
        kind: fc.constant('reserve' as const),
        nano: fc.integer({ min: 0, max: 400_000_000 }),
        tokens: fc.integer({ min: 0, max: 4_000 }),
        budgets: fc.integer({ min: 1, max: 3 }),
      }),
      fc.record({
        kind: fc.constant('settle' as const),
        index: fc.nat(),
        fraction: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: DAY / 2 }) }),
    );
    fc.assert(
      fc.property(fc.array(command, { maxLength: 60 }), (commands) => {
        const ledger = new MemoryLedger();
        const rules = [
          rule({ id: 'a', limitNano: 1_000_000_000 }),
          rule({ id: 'b', limitNano: null, limitTokens: 10_000, period: 'week' }),
          rule({ id: 'c', limitNano: 700_000_000, limitTokens: 8_000, period: 'lifetime' }),
        ];
        let now = START;
        const open: Array<{ hold: BudgetHold; rules: BudgetRule[] }> = [];
        const check = () => {
          for (const r of rules) {
            const status = ledger.statusNow(r, now);
            if (r.limitNano !== null)
              expect(status.spent.nano + status.reserved.nano).toBeLessThanOrEqual(r.limitNano);
            if (r.limitTokens !== null)
              expect(status.spent.tokens + status.reserved.tokens).toBeLessThanOrEqual(r.limitTokens);
            expect(status.reserved.nano).toBeGreaterThanOrEqual(0);
            expect(status.reserved.tokens).toBeGreaterThanOrEqual(0);
          }
        };
        for (const step of commands) {
          if (step.kind === 'reserve') {
            const chosen = rules.slice(0, step.budgets);
            const result = ledger.reserveNow(chosen, { nano: step.nano, tokens: step.tokens }, now);
            if (result.ok) open.push({ hold: result.hold, rules: chosen });
          } else if (step.kind === 'settle' && open.length > 0) {
            const [taken] = open.splice(step.index % open.length, 1);
            const estimate = taken!.hold.estimate;
            const actual: Charge = {
              nano: Math.floor(estimate.nano * step.fraction),
              tokens: Math.floor(estimate.tokens * step.fraction),
            };
            ledger.settleNow(taken!.hold, actual, now);
          } else if (step.kind === 'tick') {
            now += step.ms;
          }
          check();
        }
        for (const { hold } of open.splice(0)) ledger.settleNow(hold, { nano: 0, tokens: 0 }, now);
        for (const r of rules) {
          const status = ledger.statusNow(r, now);
          expect(status.reserved).toEqual({ nano: 0, tokens: 0 });
        }
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('memory ledger (B4)', () => {
  it('admits exactly what fits when the first requests of a new budget arrive together', async () => {
    const ledger = new MemoryLedger();
    const budget = rule({ limitNano: 1_000_000_000 });
    const results = await Promise.all(
      Array.from({ length: 100 }, () => ledger.reserve([budget], { nano: 100_000_000, tokens: 0 }, START)),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(10);
    const refused = results.find((result) => !result.ok);
    expect(refused).toMatchObject({ ok: false, reason: 'exhausted', rule: { id: 'b1' } });
  });

  it('charges a request straddling a reset to the window it reserved in, and resets exactly once', () => {
    const ledger = new MemoryLedger();
    const budget = rule({ limitNano: 1_000_000_000 });
    const late = START + DAY - 1;
    const first = ledger.reserveNow([budget], { nano: 600_000_000, tokens: 0 }, late);
    expect(first.ok).toBe(true);
    // Midnight passes while it runs: the new day starts empty.
    const next = START + DAY;
    expect(ledger.statusNow(budget, next)).toMatchObject({
      window: { id: 'day:2026-11-23' },
      spent: { nano: 0 },
      reserved: { nano: 0 },
    });
    const second = ledger.reserveNow([budget], { nano: 1_000_000_000, tokens: 0 }, next);
    expect(second.ok).toBe(true);
    // The straddling request settles: charged to neither the new day nor twice.
    if (first.ok) ledger.settleNow(first.hold, { nano: 600_000_000, tokens: 0 }, next + 10);
    expect(ledger.statusNow(budget, next + 10)).toMatchObject({
      spent: { nano: 0 },
      reserved: { nano: 1_000_000_000 },
    });
    // Exactly one reset per window: the same day keeps its counts.
    expect(ledger.statusNow(budget, next + DAY - 1).reserved.nano).toBe(1_000_000_000);
    expect(ledger.statusNow(budget, next + DAY).reserved.nano).toBe(0);
  });

  it('seeds what was spent before counting began, once', async () => {
    const ledger = new MemoryLedger();
    const budget = rule({ limitNano: 1_000_000_000 });
    const request = await ledger.seedNeeded(budget, START + 1000);
    expect(request).toMatchObject({ window: { id: 'day:2026-11-22' }, until: START + 1000 });
    await ledger.seed(budget, request!.window, { nano: 900_000_000, tokens: 5 });
    await ledger.seed(budget, request!.window, { nano: 900_000_000, tokens: 5 });
    expect(await ledger.seedNeeded(budget, START + 2000)).toBeUndefined();
    expect(ledger.reserveNow([budget], { nano: 200_000_000, tokens: 0 }, START + 2000).ok).toBe(false);
    expect(ledger.reserveNow([budget], { nano: 100_000_000, tokens: 0 }, START + 2000).ok).toBe(true);
  });

  it('raises a threshold alert once per window and an exhausted alert on the first refusal', () => {
    const ledger = new MemoryLedger();
    const alerts: BudgetAlert[] = [];
    ledger.onAlert((alert) => alerts.push(alert));
    const budget = rule({ limitNano: 1_000_000_000, alertAtPercent: 50 });
    for (let index = 0; index < 12; index++) {
      const result = ledger.reserveNow([budget], { nano: 100_000_000, tokens: 0 }, START + index);
      if (result.ok) ledger.settleNow(result.hold, { nano: 100_000_000, tokens: 0 }, START + index);
    }
    expect(alerts.map((alert) => [alert.kind, alert.spent.nano])).toEqual([
      ['threshold', 500_000_000],
      ['exhausted', 1_000_000_000],
    ]);
  });
});
