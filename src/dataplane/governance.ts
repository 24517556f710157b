/**
 * Budgets and per-minute limits on the request path. A key with neither (its snapshot `governance` is null) costs
 * nothing here. Otherwise, before the request is sent:
 *
 * 1. the request and its estimated prompt tokens are taken from the key's and team's per-minute limits
 *    (429 `rate_limit_exceeded` with `Retry-After` when one is used up);
 * 2. its worst-case cost is reserved on every budget it falls under, all or nothing (429 `budget_exceeded` naming
 *    the budget): prompt tokens estimated from the body, completion tokens from `max_completion_tokens` /
 *    `max_tokens` or the configured default, priced at the most expensive deployment of its plan.
 *
 * When it ends, `settle` replaces the reservation by what it actually cost (its reported or estimated usage at the
 * serving deployment's price; nothing for a request that failed without an answer) and corrects the token limits.
 */
import { type Charge, NO_CHARGE, picoToNano } from '../core/budget/rules.js';
import { GatewayError } from '../core/errors/gateway-error.js';
import { withFields } from '../core/objects.js';
import { costPico, type TokenCounts } from '../core/pricing/cost.js';
import { findPrice } from '../core/pricing/price-usage.js';
import type { PlannedAttempt } from '../core/routing/plan-route.js';
import type { CompiledKey, Deployment, GatewaySnapshot, KeyGovernance } from '../core/snapshot/snapshot.js';
import type { ChatCompletionRequest, EmbeddingsRequest, Usage } from '../core/wire/openai.js';
import type { BudgetHold, BudgetLedger } from '../limits/ledger.js';
import type { LimitCheck, RateLimits } from '../limits/rate-limits.js';

export interface GovernorOptions {
  ledger: BudgetLedger;
  limits: RateLimits;
  /** Completion tokens reserved for a request that sets no `max_tokens`. */
  defaultMaxTokens: number;
  /** Characters of request body per estimated prompt token (lower reserves more). */
  charsPerToken: number;
  /** Fall back to the price table shipped with Junction (`JUNCTION_DEFAULT_PRICES`), as usage records do. */
  defaultPrices: boolean;
  now?: () => number;
}

/** What an admitted request holds until it settles. */
export interface Admission {
  readonly hold: BudgetHold | undefined;
  readonly tokenChecks: readonly LimitCheck[];
  readonly estimate: TokenCounts;
  readonly estimateCharge: Charge;
  settled: boolean;
}

export interface Governor {
  admit(
    key: CompiledKey & { governance: KeyGovernance },
    request: ChatCompletionRequest | EmbeddingsRequest,
    bodyLength: number,
    plan: readonly PlannedAttempt[],
    snapshot: GatewaySnapshot,
  ): Promise<Admission>;
  /** Settles once; later calls do nothing. `usage` undefined with `answered` true charges the estimate. */
  settle(
    admission: Admission,
    outcome: { usage: Usage | undefined; answered: boolean; backend: Deployment | undefined; model: string },
    snapshot: GatewaySnapshot,
  ): void;
}

export function createGovernor(options: GovernorOptions): Governor {
  const now = options.now ?? Date.now;

  const chargeOf = (
    counts: TokenCounts,
    deployment: Deployment,
    model: string,
    snapshot: GatewaySnapshot,
    at: string,
  ): number => {
    const found = findPrice(snapshot.prices, {
      at,
      backend: deployment.id,
      model,
      modelVersion: model,
      shipped: options.defaultPrices
        ? { providerType: deployment.provider.type, upstreamModel: deployment.upstreamModel }
        : undefined,
    });
    return found ? picoToNano(costPico(counts, found.price)) : 0;
  };

  return {
    async admit(key, request, bodyLength, plan, snapshot) {
      const governance = key.governance;
      const chat = 'messages' in request ? (request as ChatCompletionRequest) : undefined;
      const asked = chat ? (chat.max_completion_tokens ?? chat.max_tokens) : 0;
      const maxTokens =
        typeof asked === 'number' && Number.isFinite(asked) ? asked : options.defaultMaxTokens;
      const promptTokens = Math.ceil(bodyLength / options.charsPerToken);
      const estimate: TokenCounts = { promptTokens, completionTokens: Math.max(0, maxTokens) };
      const checks: LimitCheck[] = governance.limits.map((limit) =>
        withFields(limit, { points: limit.kind === 'rpm' ? 1 : promptTokens }),
      );
      if (checks.length > 0) {
        const taken = await options.limits.take(checks);
        if (!taken.ok) {
          if (taken.reason === 'unavailable') {
            throw new GatewayError(
              'limits_unavailable',
              'The rate-limit store cannot be reached and the gateway is set to refuse meanwhile; retry shortly.',
              { headers: { 'retry-after': '1' } },
            );
          }
          const seconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
          const [scope, id] = taken.check.subject.split(':') as [string, string];
          throw new GatewayError(
            'rate_limit_exceeded',
            `The ${scope} ${id} may make ${taken.check.limit} ${
              taken.check.kind === 'rpm' ? 'requests' : 'tokens'
            } per minute; retry after ${seconds} s.`,
            { headers: { 'retry-after': String(seconds) } },
          );
        }
      }
      const tokenChecks = checks.filter((check) => check.kind === 'tpm');
      let hold: BudgetHold | undefined;
      let estimateCharge: Charge = NO_CHARGE;
      if (governance.budgets.length > 0) {
        const at = new Date(now()).toISOString();
        let nano = 0;
        for (const attempt of plan) {
          nano = Math.max(nano, chargeOf(estimate, attempt.deployment, attempt.model.version, snapshot, at));
        }
        estimateCharge = { nano, tokens: estimate.promptTokens + estimate.completionTokens };
        const reservation = await options.ledger.reserve(governance.budgets, estimateCharge, now());
        if (!reservation.ok) {
          // Nothing will be used: give the per-minute tokens back.
          for (const check of tokenChecks) void options.limits.correct(check, 0);
          if (reservation.reason === 'unavailable') {
            throw new GatewayError(
              'limits_unavailable',
              `The budget \`${reservation.rule.name}\` cannot be checked (its ledger is unreachable) and is set to refuse meanwhile; retry shortly.`,
              { headers: { 'retry-after': '1' } },
            );
          }
          const { rule, window } = reservation;
          const retry = Number.isFinite(window.end)
            ? { 'retry-after': String(Math.max(1, Math.ceil((window.end - now()) / 1000))) }
            : undefined;
          throw new GatewayError(
            'budget_exceeded',
            `The ${rule.scope} budget \`${rule.name}\` (${rule.id}) has no room for this request${
              Number.isFinite(window.end) ? ` until ${new Date(window.end).toISOString()}` : ''
            }.`,
            retry ? { headers: retry } : {},
          );
        }
        hold = reservation.hold;
      }
      return { hold, tokenChecks, estimate, estimateCharge, settled: false };
    },

    settle(admission, outcome, snapshot) {
      if (admission.settled) return;
      admission.settled = true;
      const usage = outcome.usage;
      const counts: TokenCounts | undefined = usage
        ? {
            promptTokens: usage.prompt_tokens ?? 0,
            completionTokens: usage.completion_tokens ?? 0,
            cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
            cacheWriteTokens: usage.prompt_tokens_details?.cache_write_tokens ?? 0,
            reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
          }
        : outcome.answered
          ? admission.estimate
          : undefined;
      const tokens = counts ? counts.promptTokens + counts.completionTokens : 0;
      for (const check of admission.tokenChecks) void options.limits.correct(check, tokens);
      if (!admission.hold) return;
      let actual: Charge = NO_CHARGE;
      if (counts && usage) {
        const nano = outcome.backend
          ? chargeOf(counts, outcome.backend, outcome.model, snapshot, new Date(now()).toISOString())
          : admission.estimateCharge.nano;
        actual = { nano, tokens };
      } else if (counts) {
        actual = admission.estimateCharge;
      }
      void options.ledger.settle(admission.hold, actual, now());
    },
  };
}
