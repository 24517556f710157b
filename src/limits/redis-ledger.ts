/**
 * The budget ledger shared by replicas through Redis. Each budget window is one hash (`sn`/`st` spent nano-dollars
 * and tokens, `rn`/`rt` reserved, `since` when counting began, `seeded` once the earlier spend was added); reserve
 * and settle are Lua scripts, so the check and the reservation over all of a request's budgets are one atomic
 * step whatever the number of replicas. The window is in the hash's name, so a reset needs no job, and a hold
 * settles in the window it reserved in.
 *
 * When Redis cannot be reached (refused, not ready, or silent past the command timeout) the budget's policy
 * applies: `closed` refuses the request, `open` admits it; what open requests spend is replayed into Redis when it
 * is back, and what was stored meanwhile is recovered from usage records by seeding.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { BudgetRule, Charge } from '../core/budget/rules.js';
import { thresholdOf } from '../core/budget/rules.js';
import { type BudgetWindow, windowAt } from '../core/budget/window.js';
import type {
  BudgetAlert,
  BudgetHold,
  BudgetLedger,
  BudgetStatus,
  Reservation,
  SeedRequest,
} from './ledger.js';

const RESERVE = `
local n = #KEYS
for i = 1, n do
  local b = 2 + (i - 1) * 5
  local v = redis.call('HMGET', KEYS[i], 'sn', 'rn', 'st', 'rt')
  local sn = tonumber(v[1]) or 0
  local rn = tonumber(v[2]) or 0
  local st = tonumber(v[3]) or 0
  local rt = tonumber(v[4]) or 0
  local ln = tonumber(ARGV[b + 1])
  local lt = tonumber(ARGV[b + 2])
  if (ln >= 0 and sn + rn + tonumber(ARGV[b + 3]) > ln) or (lt >= 0 and st + rt + tonumber(ARGV[b + 4]) > lt) then
    local first = redis.call('HSETNX', KEYS[i], 'ex', ARGV[1])
    return {i, first, sn, st}
  end
end
for i = 1, n do
  local b = 2 + (i - 1) * 5
  redis.call('HINCRBY', KEYS[i], 'rn', ARGV[b + 3])
  redis.call('HINCRBY', KEYS[i], 'rt', ARGV[b + 4])
  redis.call('HSET', KEYS[i], 'h:' .. ARGV[2], ARGV[b + 3] .. ':' .. ARGV[b + 4])
  redis.call('HSETNX', KEYS[i], 'since', ARGV[1])
  local expires = tonumber(ARGV[b + 5])
  if expires > 0 then redis.call('EXPIREAT', KEYS[i], expires) end
end
return {0}
`;

// Per key: the hold id ('' for a request admitted without a reservation), actual nano-dollars and tokens, the
// alert thresholds (-1: none), now. A reservation is released only if it is still there (so a release sent
// after a reserve that timed out on the client, and maybe never ran, is safe); spend is charged only into the
// window the hold reserved in, unless it has none.
const SETTLE = `
local out = {}
for i = 1, #KEYS do
  local b = (i - 1) * 6
  local hold = ARGV[b + 1]
  local crossed = 0
  local sn = 0
  local st = 0
  local reserved = false
  if hold ~= '' then
    local value = redis.call('HGET', KEYS[i], 'h:' .. hold)
    if value then
      reserved = true
      redis.call('HDEL', KEYS[i], 'h:' .. hold)
      local colon = string.find(value, ':', 1, true)
      redis.call('HINCRBY', KEYS[i], 'rn', 0 - tonumber(string.sub(value, 1, colon - 1)))
      redis.call('HINCRBY', KEYS[i], 'rt', 0 - tonumber(string.sub(value, colon + 1)))
    end
  end
  if reserved or hold == '' then
    local an = tonumber(ARGV[b + 2])
    local at = tonumber(ARGV[b + 3])
    sn = redis.call('HINCRBY', KEYS[i], 'sn', an)
    st = redis.call('HINCRBY', KEYS[i], 'st', at)
    local tn = tonumber(ARGV[b + 4])
    local tt = tonumber(ARGV[b + 5])
    if (tn >= 0 and sn - an < tn and sn >= tn) or (tt >= 0 and st - at < tt and st >= tt) then
      crossed = redis.call('HSETNX', KEYS[i], 'al', '1')
    end
    redis.call('HSETNX', KEYS[i], 'since', ARGV[b + 6])
  end
  out[i] = {crossed, sn, st}
end
return out
`;

const SEED = `
redis.call('HSETNX', KEYS[1], 'since', ARGV[3])
if redis.call('HSETNX', KEYS[1], 'seeded', '1') == 1 then
  redis.call('HINCRBY', KEYS[1], 'sn', ARGV[1])
  redis.call('HINCRBY', KEYS[1], 'st', ARGV[2])
  local expires = tonumber(ARGV[4])
  if expires > 0 then redis.call('EXPIREAT', KEYS[1], expires) end
  return 1
end
return 0
`;

interface LedgerCommands {
  junctionBudgetReserve(keys: number, ...args: string[]): Promise<number[]>;
  junctionBudgetSettle(keys: number, ...args: string[]): Promise<number[][]>;
  junctionBudgetSeed(key: string, ...args: string[]): Promise<number>;
}

export interface RedisLedgerOptions {
  redis: Redis;
  /** What a budget without its own policy does when Redis cannot be reached. */
  onFailure: 'open' | 'closed';
  /** Reports Redis failures (rate-limited by the caller's logger if need be). */
  warn?: (message: string, error: unknown) => void;
  /** Settlements kept for replay while Redis is away (the oldest are dropped beyond it). */
  maxPending?: number;
}

/** How long a window's hash outlives the window (for status reads of the last window). */
const KEEP_AFTER_END_S = 8 * 24 * 3600;

export class RedisLedger implements BudgetLedger {
  readonly kind = 'redis';
  readonly #redis: Redis & LedgerCommands;
  readonly #options: RedisLedgerOptions;
  readonly #listeners: Array<(alert: BudgetAlert) => void> = [];
  readonly #pending: Array<{ hold: BudgetHold; actual: Charge; now: number }> = [];
  #replaying = false;
  #holds = 0;
  /** Hold ids are unique per ledger instance (a random prefix, then a counter), and short. */
  readonly #holdPrefix = `${randomBytes(6).toString('base64url')}.`;
  readonly #timer: NodeJS.Timeout;

  constructor(options: RedisLedgerOptions) {
    this.#options = options;
    const redis = options.redis as Redis & LedgerCommands;
    redis.defineCommand('junctionBudgetReserve', { lua: RESERVE });
    redis.defineCommand('junctionBudgetSettle', { lua: SETTLE });
    redis.defineCommand('junctionBudgetSeed', { lua: SEED, numberOfKeys: 1 });
    redis.on('ready', () => void this.#replay());
    this.#redis = redis;
    // A frozen Redis that thaws keeps its connection (no `ready` event): retry waiting settlements every second.
    this.#timer = setInterval(() => {
      if (this.#pending.length > 0) void this.#replay();
    }, 1_000);
    this.#timer.unref();
  }

  /** Settlements waiting for Redis to come back. */
  get pending(): number {
    return this.#pending.length;
  }

  static keyOf(rule: BudgetRule, window: BudgetWindow): string {
    // One hash tag for every budget, so a multi-budget script stays in one slot on Redis Cluster.
    return `junction:{budgets}:${rule.id}:${window.id}`;
  }

  static expiryOf(window: BudgetWindow): string {
    return Number.isFinite(window.end) ? String(Math.ceil(window.end / 1000) + KEEP_AFTER_END_S) : '0';
  }

  async reserve(rules: readonly BudgetRule[], estimate: Charge, now: number): Promise<Reservation> {
    const windows = rules.map((rule) => windowAt(rule.period, rule.timeZone, now));
    const id = `${this.#holdPrefix}${(++this.#holds).toString(36)}`;
    const args: string[] = [String(now), id];
    for (let index = 0; index < rules.length; index++) {
      const rule = rules[index]!;
      args.push(
        String(rule.limitNano ?? -1),
        String(rule.limitTokens ?? -1),
        String(estimate.nano),
        String(estimate.tokens),
        RedisLedger.expiryOf(windows[index]!),
      );
    }
    const keys = rules.map((rule, index) => RedisLedger.keyOf(rule, windows[index]!));
    let result: number[];
    try {
      result = await this.#redis.junctionBudgetReserve(keys.length, ...keys, ...args);
    } catch (error) {
      this.#options.warn?.('the budget ledger (Redis) cannot be reached', error);
      const entries = rules.map((rule, index) => ({ rule, window: windows[index]! }));
      // The script may still run once Redis answers (a frozen server runs what it had received): release that
      // reservation then, if it exists. Sent on the same connection, it runs after the reserve.
      this.#queue({ hold: { entries, estimate, id }, actual: ZERO, now });
      const closed = rules.find((rule) => (rule.onStoreFailure ?? this.#options.onFailure) === 'closed');
      if (closed) return { ok: false, reason: 'unavailable', rule: closed };
      // Open: admitted without a reservation; its spend is written when Redis is back.
      return { ok: true, hold: { entries, estimate: ZERO, id: '' } };
    }
    const refused = result[0]!;
    if (refused === 0) {
      return {
        ok: true,
        hold: { entries: rules.map((rule, index) => ({ rule, window: windows[index]! })), estimate, id },
      };
    }
    const rule = rules[refused - 1]!;
    const window = windows[refused - 1]!;
    if (result[1] === 1) {
      this.#emit({
        rule,
        window,
        kind: 'exhausted',
        spent: { nano: result[2] ?? 0, tokens: result[3] ?? 0 },
        at: now,
      });
    }
    return { ok: false, reason: 'exhausted', rule, window };
  }

  async settle(hold: BudgetHold, actual: Charge, now: number): Promise<void> {
    try {
      await this.#settle(hold, actual, now);
    } catch (error) {
      this.#options.warn?.('a budget settlement waits for Redis', error);
      this.#queue({ hold, actual, now });
    }
  }

  #queue(entry: { hold: BudgetHold; actual: Charge; now: number }): void {
    this.#pending.push(entry);
    const max = this.#options.maxPending ?? 100_000;
    if (this.#pending.length > max) this.#pending.splice(0, this.#pending.length - max);
  }

  async #settle(hold: BudgetHold, actual: Charge, now: number): Promise<void> {
    const keys = hold.entries.map(({ rule, window }) => RedisLedger.keyOf(rule, window));
    const args: string[] = [];
    for (const { rule } of hold.entries) {
      args.push(
        hold.id ?? '',
        String(actual.nano),
        String(actual.tokens),
        String(thresholdOf(rule.limitNano, rule.alertAtPercent) ?? -1),
        String(thresholdOf(rule.limitTokens, rule.alertAtPercent) ?? -1),
        String(now),
      );
    }
    const result = await this.#redis.junctionBudgetSettle(keys.length, ...keys, ...args);
    hold.entries.forEach(({ rule, window }, index) => {
      const [crossed, nano, tokens] = result[index] ?? [0, 0, 0];
      if (crossed === 1) {
        this.#emit({ rule, window, kind: 'threshold', spent: { nano: nano!, tokens: tokens! }, at: now });
      }
    });
  }

  async #replay(): Promise<void> {
    if (this.#replaying) return;
    this.#replaying = true;
    try {
      while (this.#pending.length > 0) {
        const next = this.#pending[0]!;
        await this.#settle(next.hold, next.actual, next.now);
        this.#pending.shift();
      }
    } catch (error) {
      this.#options.warn?.('replaying budget settlements into Redis failed; will retry', error);
    } finally {
      this.#replaying = false;
    }
  }

  /** Replays waiting settlements now (tests, and the seeder's schedule). */
  flushPending(): Promise<void> {
    return this.#replay();
  }

  async status(rule: BudgetRule, now: number): Promise<BudgetStatus> {
    const window = windowAt(rule.period, rule.timeZone, now);
    const [sn, rn, st, rt] = await this.#redis.hmget(RedisLedger.keyOf(rule, window), 'sn', 'rn', 'st', 'rt');
    return {
      window,
      spent: { nano: Number(sn ?? 0), tokens: Number(st ?? 0) },
      reserved: { nano: Number(rn ?? 0), tokens: Number(rt ?? 0) },
    };
  }

  async seedNeeded(rule: BudgetRule, now: number): Promise<SeedRequest | undefined> {
    const window = windowAt(rule.period, rule.timeZone, now);
    const key = RedisLedger.keyOf(rule, window);
    await this.#redis.hsetnx(key, 'since', String(now));
    const [since, seeded] = await this.#redis.hmget(key, 'since', 'seeded');
    return seeded ? undefined : { window, until: Number(since ?? now) };
  }

  async seed(rule: BudgetRule, window: BudgetWindow, spent: Charge): Promise<void> {
    await this.#redis.junctionBudgetSeed(
      RedisLedger.keyOf(rule, window),
      String(spent.nano),
      String(spent.tokens),
      String(Date.now()),
      RedisLedger.expiryOf(window),
    );
  }

  onAlert(listener: (alert: BudgetAlert) => void): void {
    this.#listeners.push(listener);
  }

  #emit(alert: BudgetAlert): void {
    for (const listener of this.#listeners) listener(alert);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#replay().catch(() => undefined);
  }
}

const ZERO: Charge = { nano: 0, tokens: 0 };
