/**
 * Failed-authentication throttling: per client address, failed authentications are counted in a fixed
 * window; `limit` failures within `windowMs` block the address for `blockMs`, during which every data-plane
 * request from it is refused before its key is even hashed, so a blocked brute-forcer learns nothing.
 *
 * Cost: a request whose address has no entry pays one Map lookup; recording a failure is O(1). Memory is
 * bounded: the table holds at most `maxAddresses` entries (the least recently failed is evicted first), and
 * one unref'd interval drops entries whose window and block are both over.
 */

export interface AuthThrottleOptions {
  /** Failures within `windowMs` that block an address; 0 disables the throttle. */
  limit: number;
  windowMs: number;
  blockMs: number;
  /** Most addresses tracked at once (default 100,000); the least recently failed is evicted first. */
  maxAddresses?: number;
  /** The clock, in milliseconds (tests inject one). */
  now?: () => number;
  /** Period of the sweep that drops expired entries (default: the longer of window and block, at most 60 s). */
  sweepIntervalMs?: number;
}

export interface AuthThrottle {
  /** Milliseconds the address remains blocked, or 0 when it is not blocked. */
  blockedFor(address: string | undefined): number;
  /** Records one failed authentication from the address. */
  recordFailure(address: string | undefined): void;
  /** Addresses tracked right now. */
  size(): number;
  /** Drops expired entries (the interval calls it; exposed for tests). */
  sweep(): void;
  /** Stops the sweep interval. */
  close(): void;
}

interface Entry {
  /** Start of the current counting window. */
  windowStart: number;
  failures: number;
  /** 0 when not blocked. */
  blockedUntil: number;
  /** Time of the last failure: the table is kept in this order (oldest first). */
  touched: number;
}

export const DEFAULT_MAX_ADDRESSES = 100_000;

const DISABLED: AuthThrottle = {
  blockedFor: () => 0,
  recordFailure: () => undefined,
  size: () => 0,
  sweep: () => undefined,
  close: () => undefined,
};

/** Creates the throttle; with `limit` 0 it is a no-op and starts no interval. */
export function createAuthThrottle(options: AuthThrottleOptions): AuthThrottle {
  const { limit, windowMs, blockMs } = options;
  if (!(limit > 0)) return DISABLED;
  const maxAddresses = Math.max(1, options.maxAddresses ?? DEFAULT_MAX_ADDRESSES);
  const now = options.now ?? Date.now;
  // An entry last touched at t has nothing left to say after t + retention (its window and its block are over).
  const retention = Math.max(windowMs, blockMs);
  // Map iteration follows insertion order; an entry is re-inserted on every failure, so the first is the oldest.
  const entries = new Map<string, Entry>();

  const sweep = (): void => {
    const horizon = now() - retention;
    for (const [address, entry] of entries) {
      if (entry.touched > horizon) break;
      entries.delete(address);
    }
  };
  const sweepIntervalMs = options.sweepIntervalMs ?? Math.min(Math.max(retention, 1000), 60_000);
  const timer = setInterval(sweep, sweepIntervalMs);
  timer.unref();

  return {
    blockedFor(address) {
      if (address === undefined) return 0;
      const entry = entries.get(address);
      if (entry === undefined || entry.blockedUntil === 0) return 0;
      const remaining = entry.blockedUntil - now();
      if (remaining > 0) return remaining;
      entry.blockedUntil = 0;
      return 0;
    },
    recordFailure(address) {
      if (address === undefined) return;
      const at = now();
      let entry = entries.get(address);
      if (entry === undefined) {
        if (entries.size >= maxAddresses) {
          const oldest = entries.keys().next();
          if (!oldest.done) entries.delete(oldest.value);
        }
        entry = { windowStart: at, failures: 0, blockedUntil: 0, touched: at };
      } else {
        entries.delete(address);
        if (at - entry.windowStart >= windowMs) {
          entry.windowStart = at;
          entry.failures = 0;
        }
      }
      entry.touched = at;
      entry.failures++;
      if (entry.failures >= limit) {
        entry.blockedUntil = at + blockMs;
        // Counting starts afresh once the block is over.
        entry.failures = 0;
        entry.windowStart = entry.blockedUntil;
      }
      entries.set(address, entry);
    },
    size: () => entries.size,
    sweep,
    close() {
      clearInterval(timer);
    },
  };
}
