/**
 * Requests and tokens per minute, per key and per team, counted by one of two algorithms:
 *
 * - `fixed-window` (the default), with rate-limiter-flexible: counters in this process (`RateLimiterMemory`), or
 *   in Redis (`RateLimiterRedis`, one atomic increment per check). Windows are fixed minutes starting at a key's
 *   first request in them.
 * - `token-bucket` (./token-bucket.ts): a bucket of one minute's worth that refills continuously, in this
 *   process or in Redis (one Lua script per check).
 *
 * With Redis every replica enforces one limit. Tokens per minute are checked with the request's estimated prompt
 * tokens before it is sent and corrected to its actual tokens after, so a window (or bucket) is refused once it
 * has used its tokens.
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
import {
  type Consumed,
  failOpen,
  type LimitCounter,
  type LimitRef,
  MemoryTokenBuckets,
  RedisTokenBuckets,
} from './token-bucket.js';

export type LimitKind = 'rpm' | 'tpm';

export type RateLimitAlgorithm = 'fixed-window' | 'token-bucket';

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
  /** `fixed-window` by default. */
  algorithm?: RateLimitAlgorithm;
  warn?: (message: string, error: unknown) => void;
}

const WINDOW_S = 60;

/** Fixed windows with rate-limiter-flexible: one limiter per kind and limit. */
class FixedWindows implements LimitCounter {
  readonly #limiters = new Map<string, RateLimiterAbstract>();
  readonly #options: RateLimitsOptions;

  constructor(options: RateLimitsOptions) {
    this.#options = options;
  }

  #limiter(ref: LimitRef): RateLimiterAbstract {
    const name = `${ref.kind}:${ref.limit}`;
    let limiter = this.#limiters.get(name);
    if (!limiter) {
      const keyPrefix = `junction:${ref.kind}`;
      const local = new RateLimiterMemory({ points: ref.limit, duration: WINDOW_S, keyPrefix });
      limiter = this.#options.redis
        ? new RateLimiterRedis({
            storeClient: this.#options.redis,
            points: ref.limit,
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

  async consume(ref: LimitRef, points: number): Promise<Consumed> {
    const limiter = this.#limiter(ref);
    try {
      await limiter.consume(ref.subject, points);
      return { ok: true };
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      // A refused check still counted its points; give them back so a refusal uses nothing.
      await limiter.reward(ref.subject, points).catch(() => undefined);
      return { ok: false, retryAfterMs: error.msBeforeNext };
    }
  }

  async giveBack(ref: LimitRef, points: number): Promise<void> {
    await this.#limiter(ref).reward(ref.subject, points);
  }

  async penalize(ref: LimitRef, points: number): Promise<void> {
    await this.#limiter(ref).penalty(ref.subject, points);
  }
}

/** Token buckets in this process, or in Redis (with this process's buckets as insurance when `open`). */
function tokenBuckets(options: RateLimitsOptions): LimitCounter {
  if (!options.redis) return new MemoryTokenBuckets();
  const shared = new RedisTokenBuckets(options.redis);
  if (options.onFailure === 'closed') return shared;
  return failOpen(shared, new MemoryTokenBuckets(), (error) =>
    options.warn?.(
      'the rate-limit store (Redis) cannot be reached; counting in this process meanwhile',
      error,
    ),
  );
}

export class RateLimits {
  readonly #counter: LimitCounter;
  readonly #options: RateLimitsOptions;

  constructor(options: RateLimitsOptions) {
    this.#options = options;
    this.#counter = options.algorithm === 'token-bucket' ? tokenBuckets(options) : new FixedWindows(options);
  }

  get shared(): boolean {
    return this.#options.redis !== undefined;
  }

  /** Takes every check's points, or none: a refusal gives back what the earlier checks took. */
  async take(checks: readonly LimitCheck[]): Promise<LimitOutcome> {
    const taken: LimitCheck[] = [];
    for (const check of checks) {
      let consumed: Consumed;
      try {
        consumed = await this.#counter.consume(check, check.points);
      } catch (error) {
        await this.#giveBack(taken);
        this.#options.warn?.('the rate-limit store (Redis) cannot be reached', error);
        return { ok: false, reason: 'unavailable' };
      }
      if (!consumed.ok) {
        await this.#giveBack(taken);
        return { ok: false, reason: 'limited', check, retryAfterMs: Math.max(1, consumed.retryAfterMs) };
      }
      taken.push(check);
    }
    return { ok: true, taken };
  }

  /** Corrects a token check by the difference between the actual and the estimated tokens. */
  async correct(check: LimitCheck, actualPoints: number): Promise<void> {
    const difference = Math.round(actualPoints - check.points);
    if (difference === 0) return;
    try {
      if (difference > 0) await this.#counter.penalize(check, difference);
      else await this.#counter.giveBack(check, -difference);
    } catch (error) {
      this.#options.warn?.('a token count could not be corrected in the rate-limit store', error);
    }
  }

  async #giveBack(checks: readonly LimitCheck[]): Promise<void> {
    for (const check of checks) {
      try {
        await this.#counter.giveBack(check, check.points);
      } catch {
        // The store is away: the points expire with their window, or refill into their bucket.
      }
    }
  }
}
