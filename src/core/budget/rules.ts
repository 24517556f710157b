/** Budgets as the data plane enforces them, and the amounts they count. */
import type { BudgetPeriod } from './window.js';

export interface BudgetRule {
  readonly id: string;
  readonly name: string;
  readonly scope: 'key' | 'team';
  /** The key's or team's id. */
  readonly owner: string;
  /** The limit in nano-dollars (1e-9 USD); null: no USD limit. */
  readonly limitNano: number | null;
  readonly limitTokens: number | null;
  readonly period: BudgetPeriod;
  readonly timeZone: string;
  /** Percent of a limit at which an alert is raised once per window; null: none. */
  readonly alertAtPercent: number | null;
  /** When the shared ledger cannot be reached: `open` admits, `closed` refuses; null: the gateway's default. */
  readonly onStoreFailure: 'open' | 'closed' | null;
}

/** What a request costs (or may cost): nano-dollars and tokens, whole numbers. */
export interface Charge {
  readonly nano: number;
  readonly tokens: number;
}

export const NO_CHARGE: Charge = { nano: 0, tokens: 0 };

const USD_PATTERN = /^(\d{1,9})(?:\.(\d{1,9}))?$/;

/** A decimal USD amount (at most 9 decimals) as whole nano-dollars; undefined when it is not one. */
export function usdToNano(text: string): number | undefined {
  const match = USD_PATTERN.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * 1e9 + Number((match[2] ?? '').padEnd(9, '0'));
}

/** Whole nano-dollars as a decimal USD string with 9 decimals. */
export function nanoToUsd(nano: number): string {
  const negative = nano < 0;
  const digits = String(Math.abs(Math.round(nano))).padStart(10, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -9)}.${digits.slice(-9)}`;
}

/** Pico-dollars rounded up to whole nano-dollars (a budget never under-counts a cost). */
export function picoToNano(pico: bigint): number {
  return Number((pico + 999n) / 1000n);
}

/** The alert threshold of a limit, in the limit's unit; null when the budget raises none. */
export function thresholdOf(limit: number | null, percent: number | null): number | null {
  if (limit === null || percent === null) return null;
  return Math.ceil((limit * percent) / 100);
}
