import type { Budget, BudgetFieldsInput, BudgetPeriod } from '../../api/budgets';
import { uid } from './routingForm';

/** One budget being typed: text and number fields as the inputs hold them. */
export interface BudgetDraft {
  uid: string;
  name: string;
  period: BudgetPeriod;
  limitUsd: string;
  limitTokens: number | '';
  alertAtPercent: number | '';
  enabled: boolean;
}

export function newBudgetDraft(name = ''): BudgetDraft {
  return {
    uid: uid(),
    name,
    period: 'month',
    limitUsd: '',
    limitTokens: '',
    alertAtPercent: 80,
    enabled: true,
  };
}

export function budgetDraft(budget: Budget): BudgetDraft {
  return {
    uid: uid(),
    name: budget.name,
    period: budget.period,
    limitUsd: budget.limitUsd === null ? '' : trimDecimals(budget.limitUsd),
    limitTokens: budget.limitTokens ?? '',
    alertAtPercent: budget.alertAtPercent ?? '',
    enabled: budget.enabled,
  };
}

/** "250.000000000" → "250", "12.500000000" → "12.5". */
function trimDecimals(value: string): string {
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}

const USD = /^\d{1,9}(\.\d{1,9})?$/;

export type BudgetProblems = Partial<Record<'name' | 'limitUsd' | 'limitTokens' | 'alertAtPercent', string>>;

export function budgetProblems(draft: BudgetDraft): BudgetProblems {
  const usd = draft.limitUsd.trim();
  const problems: BudgetProblems = {};
  if (!draft.name.trim()) problems.name = 'Required';
  if (usd && !USD.test(usd)) problems.limitUsd = 'An amount like 250 or 250.00';
  if (!usd && draft.limitTokens === '') problems.limitUsd = 'Set a USD limit, a token limit, or both';
  if (draft.limitTokens !== '' && draft.limitTokens < 1) problems.limitTokens = 'At least 1';
  if (draft.alertAtPercent !== '' && (draft.alertAtPercent <= 0 || draft.alertAtPercent > 100))
    problems.alertAtPercent = 'Above 0, at most 100';
  return problems;
}

export function budgetInput(draft: BudgetDraft): BudgetFieldsInput {
  const usd = draft.limitUsd.trim();
  return {
    name: draft.name.trim(),
    period: draft.period,
    limitUsd: usd ? usd : null,
    limitTokens: draft.limitTokens === '' ? null : draft.limitTokens,
    alertAtPercent: draft.alertAtPercent === '' ? null : draft.alertAtPercent,
    enabled: draft.enabled,
  };
}

/** "$12.34", keeping the API's decimal text (no float rounding beyond 2 places shown). */
export function formatUsd(value: string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const number = Number(value);
  if (!Number.isFinite(number)) return value;
  return `$${number.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 4 })}`;
}

export function formatTokens(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toLocaleString();
}
