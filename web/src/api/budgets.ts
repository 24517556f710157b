import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import type { ListResponse } from './types';

const base = '/admin/v1/budgets';

export const budgetPeriods = ['day', 'week', 'month', 'lifetime'] as const;
export type BudgetPeriod = (typeof budgetPeriods)[number];

export const budgetPeriodLabels: Record<BudgetPeriod, string> = {
  day: 'Per day',
  week: 'Per week (from Monday)',
  month: 'Per month',
  lifetime: 'Lifetime (never resets)',
};

/** The spend of a budget's current window. */
export interface BudgetStatus {
  ledger: 'memory' | 'redis';
  window: { id: string; start: string; end: string | null };
  spentUsd: string;
  reservedUsd: string;
  remainingUsd: string | null;
  spentTokens: number;
  reservedTokens: number;
  remainingTokens: number | null;
}

export interface Budget {
  id: string;
  name: string;
  scope: 'key' | 'team';
  keyId: string | null;
  teamId: string | null;
  /** A decimal amount in USD, as text ("250.00"). */
  limitUsd: string | null;
  limitTokens: number | null;
  period: BudgetPeriod;
  timezone: string;
  alertAtPercent: number | null;
  onStoreFailure: 'open' | 'closed' | null;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  /** Null for a disabled budget. */
  status: BudgetStatus | null;
}

export interface BudgetFieldsInput {
  name: string;
  limitUsd?: string | null;
  limitTokens?: number | null;
  period: BudgetPeriod;
  timezone?: string;
  alertAtPercent?: number | null;
  onStoreFailure?: 'open' | 'closed' | null;
  enabled?: boolean;
}

export interface CreateBudgetInput extends BudgetFieldsInput {
  scope: 'key' | 'team';
  keyId?: string | null;
  teamId?: string | null;
}

export type UpdateBudgetInput = Partial<BudgetFieldsInput>;

const budgetsKey = ['budgets'] as const;

/** Budgets of one key or one team, with the current window's spend. */
export function useBudgets(filter: { keyId?: string; teamId?: string }, enabled = true) {
  const params = new URLSearchParams();
  if (filter.keyId) params.set('keyId', filter.keyId);
  if (filter.teamId) params.set('teamId', filter.teamId);
  return useQuery({
    queryKey: [...budgetsKey, filter] as const,
    queryFn: async () => (await request<ListResponse<Budget>>(`${base}?${params.toString()}`)).data,
    enabled,
  });
}

function useInvalidateBudgets() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: budgetsKey });
}

export function createBudget(input: CreateBudgetInput): Promise<Budget> {
  return request<Budget>(base, { method: 'POST', body: input });
}

export function useCreateBudget() {
  const invalidate = useInvalidateBudgets();
  return useMutation({ mutationFn: createBudget, onSuccess: invalidate });
}

export function useUpdateBudget() {
  const invalidate = useInvalidateBudgets();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: UpdateBudgetInput }) =>
      request<Budget>(`${base}/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch }),
    onSuccess: invalidate,
  });
}

export function useDeleteBudget() {
  const invalidate = useInvalidateBudgets();
  return useMutation({
    mutationFn: (id: string) => request<void>(`${base}/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: invalidate,
  });
}

/** Invalidates every budget list (after budgets were created outside `useCreateBudget`). */
export { useInvalidateBudgets };
