/**
 * The budget ledger: per budget and window, what was spent and what is reserved by requests under way. A request
 * reserves its worst-case cost on every budget it falls under before it is sent (all or nothing), and settles to
 * its actual cost when it ends, so parallel requests cannot overspend: `spent + reserved ≤ limit` always holds for
 * what was admitted. A hold remembers the window it reserved in, so a request straddling a reset is charged to
 * one window only.
 *
 * `MemoryLedger` keeps the counts in this process; `RedisLedger` (./redis-ledger.ts) shares them between
 * replicas.
 */
import type { BudgetRule, Charge } from '../core/budget/rules.js';
import { thresholdOf } from '../core/budget/rules.js';
import { type BudgetWindow, windowAt } from '../core/budget/window.js';

export interface HoldEntry {
  readonly rule: BudgetRule;
  readonly window: BudgetWindow;
}

/** What one admitted request reserved; settle it exactly once. */
export interface BudgetHold {
  readonly entries: readonly HoldEntry[];
  readonly estimate: Charge;
  /** The shared ledger's name for the reservation ('' when admitted without one). */
  readonly id?: string;
}

export type Reservation =
  | { readonly ok: true; readonly hold: BudgetHold }
  | {
      readonly ok: false;
      readonly reason: 'exhausted';
      readonly rule: BudgetRule;
      readonly window: BudgetWindow;
    }
  | { readonly ok: false; readonly reason: 'unavailable'; readonly rule: BudgetRule };

export interface BudgetStatus {
  readonly window: BudgetWindow;
  readonly spent: Charge;
  readonly reserved: Charge;
}

export interface BudgetAlert {
  readonly rule: BudgetRule;
  readonly window: BudgetWindow;
  /** `threshold`: the alert percentage was crossed; `exhausted`: a request was refused for this budget. */
  readonly kind: 'threshold' | 'exhausted';
  readonly spent: Charge;
  readonly at: number;
}

/** A window whose counting began in this ledger without the spend recorded before (after a start or a change). */
export interface SeedRequest {
  readonly window: BudgetWindow;
  /** Usage recorded from the window's start until this instant is not counted yet. */
  readonly until: number;
}

export interface BudgetLedger {
  readonly kind: 'memory' | 'redis';
  reserve(rules: readonly BudgetRule[], estimate: Charge, now: number): Promise<Reservation>;
  /** Replaces the hold's reservation by the actual charge (zero for a request that cost nothing). */
  settle(hold: BudgetHold, actual: Charge, now: number): Promise<void>;
  status(rule: BudgetRule, now: number): Promise<BudgetStatus>;
  /** Whether the current window of `rule` still needs the spend recorded before counting began. */
  seedNeeded(rule: BudgetRule, now: number): Promise<SeedRequest | undefined>;
  /** Adds the spend recorded in `window` before counting began (once per window; later calls do nothing). */
  seed(rule: BudgetRule, window: BudgetWindow, spent: Charge): Promise<void>;
  onAlert(listener: (alert: BudgetAlert) => void): void;
  close(): Promise<void>;
}

interface WindowState {
  /** The period and time zone the window was computed for. */
  readonly calendar: string;
  readonly window: BudgetWindow;
  spentNano: number;
  spentTokens: number;
  reservedNano: number;
  reservedTokens: number;
  /** When this state began counting, and whether the spend recorded before that was added. */
  readonly since: number;
  seeded: boolean;
  thresholdRaised: boolean;
  exhaustedRaised: boolean;
}

/** Whether `estimate` fits under `rule`'s limits on top of what is spent and reserved. */
export function fits(rule: BudgetRule, spent: Charge, reserved: Charge, estimate: Charge): boolean {
  if (rule.limitNano !== null && spent.nano + reserved.nano + estimate.nano > rule.limitNano) return false;
  if (rule.limitTokens !== null && spent.tokens + reserved.tokens + estimate.tokens > rule.limitTokens)
    return false;
  return true;
}

/** Whether going from `before` to `after` crossed `rule`'s alert threshold (USD or tokens). */
export function crossedThreshold(rule: BudgetRule, before: Charge, after: Charge): boolean {
  const nano = thresholdOf(rule.limitNano, rule.alertAtPercent);
  const tokens = thresholdOf(rule.limitTokens, rule.alertAtPercent);
  return (
    (nano !== null && before.nano < nano && after.nano >= nano) ||
    (tokens !== null && before.tokens < tokens && after.tokens >= tokens)
  );
}

/** Counts in this process: exact for one replica, lost at exit (and re-seeded from usage records at start). */
export class MemoryLedger implements BudgetLedger {
  readonly kind = 'memory';
  readonly #states = new Map<string, WindowState>();
  readonly #listeners: Array<(alert: BudgetAlert) => void> = [];

  #state(rule: BudgetRule, now: number): WindowState {
    const state = this.#states.get(rule.id);
    const calendar = `${rule.period}|${rule.timeZone}`;
    // Computing a window costs a time-zone conversion: only when the current one ends (or the budget changed).
    if (state && state.calendar === calendar && now >= state.window.start && now < state.window.end)
      return state;
    const window = windowAt(rule.period, rule.timeZone, now);
    if (state && state.calendar === calendar && state.window.id === window.id) return state;
    const fresh: WindowState = {
      calendar,
      window,
      spentNano: 0,
      spentTokens: 0,
      reservedNano: 0,
      reservedTokens: 0,
      since: now,
      seeded: false,
      thresholdRaised: false,
      exhaustedRaised: false,
    };
    this.#states.set(rule.id, fresh);
    return fresh;
  }

  reserve(rules: readonly BudgetRule[], estimate: Charge, now: number): Promise<Reservation> {
    return Promise.resolve(this.reserveNow(rules, estimate, now));
  }

  /** `reserve` without the promise (the model test drives it directly). */
  reserveNow(rules: readonly BudgetRule[], estimate: Charge, now: number): Reservation {
    const states = rules.map((rule) => this.#state(rule, now));
    for (let index = 0; index < rules.length; index++) {
      const rule = rules[index]!;
      const state = states[index]!;
      if (
        !fits(
          rule,
          { nano: state.spentNano, tokens: state.spentTokens },
          { nano: state.reservedNano, tokens: state.reservedTokens },
          estimate,
        )
      ) {
        if (!state.exhaustedRaised) {
          state.exhaustedRaised = true;
          this.#emit({
            rule,
            window: state.window,
            kind: 'exhausted',
            spent: { nano: state.spentNano, tokens: state.spentTokens },
            at: now,
          });
        }
        return { ok: false, reason: 'exhausted', rule, window: state.window };
      }
    }
    for (const state of states) {
      state.reservedNano += estimate.nano;
      state.reservedTokens += estimate.tokens;
    }
    return {
      ok: true,
      hold: { entries: rules.map((rule, index) => ({ rule, window: states[index]!.window })), estimate },
    };
  }

  settle(hold: BudgetHold, actual: Charge, now: number): Promise<void> {
    this.settleNow(hold, actual, now);
    return Promise.resolve();
  }

  settleNow(hold: BudgetHold, actual: Charge, now: number): void {
    for (const { rule, window } of hold.entries) {
      const state = this.#states.get(rule.id);
      // The window this request reserved in is over (or the budget changed): it is charged nowhere else.
      if (!state || state.window.id !== window.id) continue;
      state.reservedNano -= hold.estimate.nano;
      state.reservedTokens -= hold.estimate.tokens;
      const before = { nano: state.spentNano, tokens: state.spentTokens };
      state.spentNano += actual.nano;
      state.spentTokens += actual.tokens;
      const after = { nano: state.spentNano, tokens: state.spentTokens };
      if (!state.thresholdRaised && crossedThreshold(rule, before, after)) {
        state.thresholdRaised = true;
        this.#emit({ rule, window, kind: 'threshold', spent: after, at: now });
      }
    }
  }

  status(rule: BudgetRule, now: number): Promise<BudgetStatus> {
    return Promise.resolve(this.statusNow(rule, now));
  }

  statusNow(rule: BudgetRule, now: number): BudgetStatus {
    const state = this.#state(rule, now);
    return {
      window: state.window,
      spent: { nano: state.spentNano, tokens: state.spentTokens },
      reserved: { nano: state.reservedNano, tokens: state.reservedTokens },
    };
  }

  seedNeeded(rule: BudgetRule, now: number): Promise<SeedRequest | undefined> {
    const state = this.#state(rule, now);
    return Promise.resolve(state.seeded ? undefined : { window: state.window, until: state.since });
  }

  seed(rule: BudgetRule, window: BudgetWindow, spent: Charge): Promise<void> {
    const state = this.#states.get(rule.id);
    if (state && state.window.id === window.id && !state.seeded) {
      state.seeded = true;
      state.spentNano += spent.nano;
      state.spentTokens += spent.tokens;
      // Past the threshold once the earlier spend is added: the alert was due when that happened, not now.
      const after = { nano: state.spentNano, tokens: state.spentTokens };
      if (crossedThreshold(rule, { nano: 0, tokens: 0 }, after)) state.thresholdRaised = true;
    }
    return Promise.resolve();
  }

  onAlert(listener: (alert: BudgetAlert) => void): void {
    this.#listeners.push(listener);
  }

  #emit(alert: BudgetAlert): void {
    for (const listener of this.#listeners) listener(alert);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
