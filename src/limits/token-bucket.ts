/**
 * Per-minute limits as token buckets. A subject's bucket holds at most its per-minute limit (the capacity) and
 * refills continuously at limit / 60 per second: a full bucket admits a minute's worth at once, then a steady
 * limit / 60 per second, with no window edge across which two minutes' worth pass within seconds.
 *
 * A request takes its points, or is refused without taking any and told how long until the bucket holds them.
 * Points estimated too high are given back (never above the capacity); points used beyond the estimate are
 * taken whatever is left, even below zero: a debt that later requests wait out.
 *
 * A bucket is its level and the instant it was at that level; the refill since is computed when it is next used.
 * A full bucket is the same as none, so neither store keeps one: `MemoryTokenBuckets` holds the buckets of this
 * process and drops the full ones once a minute; `RedisTokenBuckets` keeps each in a hash changed by one Lua
 * script on Redis's own clock (so replicas agree whatever their clocks, and share one bucket atomically) that
 * expires when the bucket would be full again.
 */
import type { Redis } from 'ioredis';

/** One per-minute limit on one subject: `rpm` or `tpm`, `key:<id>` or `team:<id>`, and the limit. */
export interface LimitRef {
  readonly kind: string;
  readonly subject: string;
  readonly limit: number;
}

export type Consumed = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

/** Where per-minute limits are counted. Every method rejects when its store cannot be reached. */
export interface LimitCounter {
  /** Takes `points`, or refuses taking nothing, with the milliseconds until they can be taken. */
  consume(ref: LimitRef, points: number): Promise<Consumed>;
  /** Returns `points` taken before: a refused request's, or tokens estimated too high. */
  giveBack(ref: LimitRef, points: number): Promise<void>;
  /** Takes `points` used beyond the estimate, whether or not they are there. */
  penalize(ref: LimitRef, points: number): Promise<void>;
}

const TAKEN: Consumed = { ok: true };

/**
 * Levels are kept in units of 1/60,000 of a point: a bucket of `limit` points a minute then refills by `limit`
 * units a millisecond, so on a whole-millisecond clock every level and wait is an exact integer.
 */
const UNITS = 60_000;

/** The level (in units) of a bucket that was at `units` `elapsedMs` ago. */
function refilled(units: number, elapsedMs: number, limit: number): number {
  return Math.min(limit * UNITS, units + Math.max(0, elapsedMs) * limit);
}

/** Milliseconds until a bucket refills by `missing` units (at least 1). */
function waitMs(missing: number, limit: number): number {
  return Math.max(1, Math.ceil(missing / limit));
}

interface Bucket {
  units: number;
  at: number;
  limit: number;
}

/** Buckets in this process: exact for one replica. */
export class MemoryTokenBuckets implements LimitCounter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;
  #swept: number;

  /** `now` is a clock in whole milliseconds (monotonic by default). */
  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? (() => Math.floor(performance.now()));
    this.#swept = this.#now();
  }

  /** Buckets held: the ones not full when last used. */
  get size(): number {
    return this.#buckets.size;
  }

  async consume(ref: LimitRef, points: number): Promise<Consumed> {
    const now = this.#now();
    const units = this.#level(ref, now);
    const needed = points * UNITS;
    if (units < needed) return { ok: false, retryAfterMs: waitMs(needed - units, ref.limit) };
    this.#set(ref, units - needed, now);
    return TAKEN;
  }

  async giveBack(ref: LimitRef, points: number): Promise<void> {
    this.#add(ref, points);
  }

  async penalize(ref: LimitRef, points: number): Promise<void> {
    this.#add(ref, -points);
  }

  #add(ref: LimitRef, points: number): void {
    const now = this.#now();
    this.#set(ref, Math.min(ref.limit * UNITS, this.#level(ref, now) + points * UNITS), now);
  }

  #level(ref: LimitRef, now: number): number {
    const bucket = this.#buckets.get(`${ref.kind}:${ref.subject}`);
    return bucket ? refilled(bucket.units, now - bucket.at, ref.limit) : ref.limit * UNITS;
  }

  #set(ref: LimitRef, units: number, now: number): void {
    this.#sweep(now);
    const name = `${ref.kind}:${ref.subject}`;
    if (units >= ref.limit * UNITS) this.#buckets.delete(name);
    else this.#buckets.set(name, { units, at: now, limit: ref.limit });
  }

  /** Drops the buckets that are full again, at most once a minute. */
  #sweep(now: number): void {
    if (now - this.#swept < 60_000) return;
    this.#swept = now;
    for (const [name, bucket] of this.#buckets) {
      if (refilled(bucket.units, now - bucket.at, bucket.limit) >= bucket.limit * UNITS) {
        this.#buckets.delete(name);
      }
    }
  }
}

// KEYS[1]: the bucket (`v` its level in units, `t` when it was at that level, in Redis milliseconds). ARGV: the
// limit, the points, and `take` (only if there are enough; else returns the milliseconds until there are) or
// `add` (points may be negative; never above the capacity). Returns 0 once applied. Redis 5 and later replicate a
// script by its effects, which lets it read TIME.
const BUCKET = `
local limit = tonumber(ARGV[1])
local units = tonumber(ARGV[2]) * 60000
local full = limit * 60000
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'v', 't')
local level = full
if state[1] then
  level = math.min(full, tonumber(state[1]) + math.max(0, now - tonumber(state[2])) * limit)
end
if ARGV[3] == 'take' then
  if level < units then return math.max(1, math.ceil((units - level) / limit)) end
  level = level - units
else
  level = math.min(full, level + units)
end
if level >= full then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], 'v', string.format('%.17g', level), 't', string.format('%d', now))
  redis.call('PEXPIRE', KEYS[1], string.format('%d', math.ceil((full - level) / limit)))
end
return 0
`;

interface BucketCommands {
  junctionTokenBucket(key: string, limit: string, points: string, mode: 'take' | 'add'): Promise<number>;
}

/** Buckets in Redis, one per kind and subject, shared by every replica. */
export class RedisTokenBuckets implements LimitCounter {
  readonly #redis: Redis & BucketCommands;

  constructor(redis: Redis) {
    redis.defineCommand('junctionTokenBucket', { lua: BUCKET, numberOfKeys: 1 });
    this.#redis = redis as Redis & BucketCommands;
  }

  static keyOf(ref: LimitRef): string {
    return `junction:tb:${ref.kind}:${ref.subject}`;
  }

  async consume(ref: LimitRef, points: number): Promise<Consumed> {
    const wait = await this.#run(ref, points, 'take');
    return wait === 0 ? TAKEN : { ok: false, retryAfterMs: wait };
  }

  async giveBack(ref: LimitRef, points: number): Promise<void> {
    await this.#run(ref, points, 'add');
  }

  async penalize(ref: LimitRef, points: number): Promise<void> {
    await this.#run(ref, -points, 'add');
  }

  #run(ref: LimitRef, points: number, mode: 'take' | 'add'): Promise<number> {
    return this.#redis.junctionTokenBucket(
      RedisTokenBuckets.keyOf(ref),
      String(ref.limit),
      String(points),
      mode,
    );
  }
}

/**
 * The `open` policy: counts in `shared`, and in `local` whenever `shared` fails (reported through `warn`), so
 * limits still hold per process while Redis is away.
 */
export function failOpen(
  shared: LimitCounter,
  local: LimitCounter,
  warn: (error: unknown) => void,
): LimitCounter {
  const either = async <T>(operation: (counter: LimitCounter) => Promise<T>): Promise<T> => {
    try {
      return await operation(shared);
    } catch (error) {
      warn(error);
      return operation(local);
    }
  };
  return {
    consume: (ref, points) => either((counter) => counter.consume(ref, points)),
    giveBack: (ref, points) => either((counter) => counter.giveBack(ref, points)),
    penalize: (ref, points) => either((counter) => counter.penalize(ref, points)),
  };
}
