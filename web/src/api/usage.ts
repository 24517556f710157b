import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { request } from './client';

// The usage API (`/admin/v1/usage*`). The server limits a team-bound principal (developer) to its team's rows;
// these hooks show whatever it answers.

const base = '/admin/v1/usage';

/** The filter every usage and request-log query takes (absent fields do not filter). */
export interface UsageFilter {
  /** ISO time, inclusive. */
  from?: string;
  /** ISO time, exclusive. */
  to?: string;
  keyId?: string;
  teamId?: string;
  /** The logical model that served. */
  model?: string;
  /** The provider entry that served. */
  provider?: string;
  environment?: string;
  endpoint?: string;
  status?: 'success' | 'error';
  outcome?: 'complete' | 'error' | 'truncated' | 'client_cancelled';
  requestId?: string;
  captured?: 'true' | 'false';
  stream?: 'true' | 'false';
}

/** The dimensions the Usage page groups by (the API knows a few more). */
export type UsageGroup = 'model' | 'provider' | 'team' | 'key';
export type UsageBucket = 'minute' | 'hour' | 'day';

export interface UsageMeasures {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** USD as exact decimal text (12 decimals). */
  costUsd: string;
  /** Requests with tokens but no price: their cost is missing from `costUsd`. */
  unpricedRequests: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  meanFirstByteMs: number | null;
}

export type UsageTotalsRow = UsageMeasures & Partial<Record<UsageGroup, string | null>>;
export type UsageSeriesPoint = UsageTotalsRow & { bucket: string };

export interface UsageTotals {
  data: UsageTotalsRow[];
  totals: UsageTotalsRow;
}

export interface Attempt {
  backend: string;
  outcome: string;
  status?: number;
}

/** How a request was routed: the key's rule that matched, the backends planned in order, the targets left out. */
export interface RouteTrace {
  rule: string | null;
  planned: string[];
  excluded: { target: string; reason: string; detail: string }[];
}

/** One usage record (also one request-log row). */
export interface UsageRecord {
  id: string;
  requestId: string;
  at: string;
  keyId: string | null;
  teamId: string | null;
  environment: string | null;
  endpoint: string;
  requestedModel: string | null;
  model: string | null;
  modelVersion: string | null;
  backend: string | null;
  providerId: string | null;
  attempts: Attempt[];
  /** Null when the request was refused before routing (and for records stored before routing was kept). */
  route: RouteTrace | null;
  status: number;
  outcome: string;
  errorCode: string | null;
  stream: boolean;
  promptTokens: number | null;
  completionTokens: number | null;
  cachedTokens: number | null;
  cacheWriteTokens: number | null;
  reasoningTokens: number | null;
  latencyMs: number;
  firstByteMs: number | null;
  costUsd: string | null;
  priceWarning: string | null;
  usageEstimated: boolean;
  captured: boolean;
}

/** A page of rows with the cursor of the next one (null on the last page). */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** `?a=1&b=2` from an object, leaving out empty values (`''` when nothing is left). */
export function queryString(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const usageKeys = {
  all: ['usage'] as const,
  totals: (filter: UsageFilter, groupBy: UsageGroup | null) => ['usage', 'totals', filter, groupBy] as const,
  series: (filter: UsageFilter, bucket: UsageBucket, timezone: string) =>
    ['usage', 'series', filter, bucket, timezone] as const,
};

/** Totals over the filter; `data` holds one row per group when `groupBy` is set. */
export function useUsageTotals(filter: UsageFilter, groupBy: UsageGroup | null) {
  return useQuery({
    queryKey: usageKeys.totals(filter, groupBy),
    queryFn: () =>
      request<UsageTotals>(`${base}${queryString({ ...filter, groupBy: groupBy ?? undefined })}`),
    placeholderData: keepPreviousData,
  });
}

/** The measures per bucket (buckets without requests are left out by the server). */
export function useUsageSeries(filter: UsageFilter, bucket: UsageBucket, timezone: string) {
  return useQuery({
    queryKey: usageKeys.series(filter, bucket, timezone),
    queryFn: async () =>
      (
        await request<{ data: UsageSeriesPoint[] }>(
          `${base}/series${queryString({ ...filter, bucket, timezone })}`,
        )
      ).data,
    placeholderData: keepPreviousData,
  });
}

/** The CSV export of the records the filter selects (a same-origin link; see `lib/download` use in pages). */
export function usageExportHref(filter: UsageFilter): string {
  return `${base}/export.csv${queryString({ ...filter })}`;
}
