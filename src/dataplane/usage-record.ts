/**
 * One request's usage record, as the data plane appends it to the spool: who asked, what served it, its
 * attempts and routing decision, tokens and timings.
 */
import type { PriceBook } from '../core/pricing/book.js';
import { priceUsage } from '../core/pricing/price-usage.js';
import type { RoutePlan } from '../core/routing/plan-route.js';
import type { CompiledKey, CompiledModel } from '../core/snapshot/snapshot.js';
import type { RouteTrace, UsageRecord } from '../usage/record.js';
import { usageRecordId } from '../usage/record-id.js';
import type { ExecutionResult } from './execute.js';

/** What a request's handling learned before it ended, kept for its usage record when it fails. */
export interface RequestTrace {
  /** Date.now() when the handler took the request: the record's time. */
  arrivedAt: number;
  requestedModel: string | null;
  route: RouteTrace | null;
}

/** The routing decision as the usage record keeps it (backend ids, exclusions as plain data). */
export function routeTrace(route: RoutePlan): RouteTrace {
  return {
    rule: route.rule,
    planned: route.ok ? route.attempts.map((attempt) => attempt.deployment.id) : [],
    excluded: route.excluded.map(({ target, reason, detail }) => ({ target, reason, detail })),
  };
}

/** What a usage record says of the request itself. */
export interface UsageContext {
  requestId: string;
  /** performance.now() at arrival. */
  started: number;
  key: CompiledKey;
  endpoint: UsageRecord['endpoint'];
  requestedModel: string | null;
  stream: boolean;
  /** The snapshot's prices, and whether the price table shipped with Junction fills in where they have none. */
  prices: PriceBook;
  shippedPrices: boolean;
}

/** One request's usage record, from its execution (or the error that ended it before execution). */
export function usageRecord(
  context: UsageContext,
  result: Pick<
    ExecutionResult,
    'backend' | 'status' | 'attempts' | 'usage' | 'usageEstimated' | 'streamEnd' | 'error' | 'firstByteMs'
  >,
  model: CompiledModel | undefined,
  trace: RequestTrace,
): UsageRecord {
  const usage = result.usage;
  const latencyMs = Math.round(performance.now() - context.started);
  const at = new Date(trace.arrivedAt).toISOString();
  const backend = result.backend;
  const promptTokens = count(usage?.prompt_tokens);
  const completionTokens = count(usage?.completion_tokens);
  const cachedTokens = count(usage?.prompt_tokens_details?.cached_tokens);
  const cacheWriteTokens = count(usage?.prompt_tokens_details?.cache_write_tokens);
  const reasoningTokens = count(usage?.completion_tokens_details?.reasoning_tokens);
  // Priced now, from the snapshot, so the line is the row as stored (the drainer neither parses nor prices it).
  const { costUsd, priceWarning } = priceUsage(context.prices, {
    at,
    backend: backend?.id ?? null,
    model: model?.id ?? null,
    modelVersion: model?.version ?? null,
    shipped:
      backend && context.shippedPrices
        ? { providerType: backend.provider.type, upstreamModel: backend.upstreamModel }
        : undefined,
    promptTokens,
    completionTokens,
    cachedTokens,
    cacheWriteTokens,
    reasoningTokens,
  });
  return {
    id: usageRecordId(),
    requestId: context.requestId,
    at,
    keyId: context.key.id,
    teamId: context.key.teamId,
    environment: context.key.environment,
    endpoint: context.endpoint,
    requestedModel: context.requestedModel,
    model: model?.id ?? null,
    modelVersion: model?.version ?? null,
    backend: backend?.id ?? null,
    providerId: backend?.provider.id ?? null,
    attempts: result.attempts.map((attempt) => ({
      backend: attempt.backend,
      outcome: attempt.outcome,
      ...(attempt.status === undefined ? {} : { status: attempt.status }),
    })),
    route: trace.route,
    status: result.status,
    outcome: result.error
      ? 'error'
      : result.streamEnd === 'cancelled' || result.status === 499
        ? 'client_cancelled'
        : result.streamEnd === 'timeout' || result.streamEnd === 'interrupted'
          ? 'truncated'
          : 'complete',
    errorCode: result.error?.code ?? null,
    stream: context.stream,
    promptTokens,
    completionTokens,
    cachedTokens,
    cacheWriteTokens,
    reasoningTokens,
    usageEstimated: result.usageEstimated === true,
    latencyMs,
    firstByteMs: result.firstByteMs === undefined ? null : Math.round(result.firstByteMs),
    costUsd,
    priceWarning,
  };
}

const count = (value: unknown): number | null =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
