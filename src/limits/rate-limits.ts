/**
 * Requests and tokens per minute, per key and per team, with rate-limiter-flexible: counters in this process
 * (`RateLimiterMemory`), or in Redis (`RateLimiterRedis`, one atomic increment per check) so every replica
 * enforces one limit. Windows are fixed minutes starting at a key's first request in them.
 *
 * Tokens per minute are checked with the request's estimated prompt tokens before it is sent and corrected to its
 * actual tokens after, so a window is refused once it has used its tokens.
 *
 * When Redis cannot be reached: `open` falls back to the same limits counted in this process (an insurance
 * limiter), `closed` refuses with 503 `limits_unavailable`.
 */
import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';

export type LimitKind = 'rpm' | 'tpm';

export interface LimitCheck {
  /** `key:<id>` or `team:<id>`. */
  readonly subject: string;
  readonly kind: LimitKind;
  readonly limit: number;
  /** Points to take now: 1 for requests, the estimated tokens for tokens. */
  readonly points: number;
}

export type LimitOutcome =
  | { readonly ok: true; readonly taken: readonly LimitCheck[] }
  | {
      readonly ok: false;
      readonly reason: 'limited';
      readonly check: LimitCheck;
      readonly retryAfterMs: number;
    }
  | { readonly ok: false; readonly reason: 'unavailable' };

export interface RateLimitsOptions {
  redis?: Redis;
  onFailure: 'open' | 'closed';
  warn?: (message: string, error: unknown) => void;
}

const WINDOW_S = 60;

export class RateLimits {
  readonly #limiters = new Map<string, RateLimiterAbstract>();
  readonly #options: RateLimitsOptions;

  constructor(options: RateLimitsOptions) {
    this.#options = options;
  }

  get shared(): boolean {
    return this.#options.redis !== undefined;
  }

  #limiter(kind: LimitKind, limit: number): RateLimiterAbstract {
    const name = `${kind}:${limit}`;
    let limiter = this.#limiters.get(name);
    if (!limiter) {
      const keyPrefix = `junction:${kind}`;
      const local = new RateLimiterMemory({ points: limit, duration: WINDOW_S, keyPrefix });
      limiter = this.#options.redis
        ? new RateLimiterRedis({
            storeClient: this.#options.redis,
            points: limit,
            duration: WINDOW_S,
            keyPrefix,
            rejectIfRedisNotReady: true,
            ...(this.#options.onFailure === 'open' ? { insuranceLimiter: local } : {}),
          })
        : local;
      this.#limiters.set(name, limiter);
    }
    return limiter;
  }

  /** Takes every check's points, or none: a refusal gives back what the earlier checks took. */
  async take(checks: readonly LimitCheck[]): Promise<LimitOutcome> {
    const taken: LimitCheck[] = [];
    for (const check of checks) {
      try {
        await this.#limiter(check.kind, check.limit).consume(check.subject, check.points);
        taken.push(check);
      } catch (error) {
        // A refused check still counted its points; give them back so a refusal uses nothing.
        await this.#giveBack([...taken, ...(error instanceof RateLimiterRes ? [check] : [])]);
        if (error instanceof RateLimiterRes) {
          return { ok: false, reason: 'limited', check, retryAfterMs: Math.max(1, error.msBeforeNext) };
        }
        this.#options.warn?.('the rate-limit store (Redis) cannot be reached', error);
        return { ok: false, reason: 'unavailable' };
      }
    }
    return { ok: true, taken };
  }

  /** Corrects a token check by the difference between the actual and the estimated tokens. */
  async correct(check: LimitCheck, actualPoints: number): Promise<void> {
    const difference = Math.round(actualPoints - check.points);
    if (difference === 0) return;
    const limiter = this.#limiter(check.kind, check.limit);
    try {
      if (difference > 0) await limiter.penalty(check.subject, difference);
      else await limiter.reward(check.subject, -difference);
    } catch (error) {
      this.#options.warn?.('a token count could not be corrected in the rate-limit store', error);
    }
  }

  async #giveBack(checks: readonly LimitCheck[]): Promise<void> {
    for (const check of checks) {
      try {
        await this.#limiter(check.kind, check.limit).reward(check.subject, check.points);
      } catch {
        // The store is away: the points expire with their window.
      }
    }
  }
}
