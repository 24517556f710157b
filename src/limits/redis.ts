/** The Redis connection shared by the budget ledger and the rate limits. */
import { Redis } from 'ioredis';

export interface RedisOptions {
  url: string;
  /** A command that takes longer counts as failed (the configured failure policy then applies). */
  commandTimeoutMs: number;
  onError?: (error: Error) => void;
}

/**
 * Connects without an offline queue and without retries per command: while Redis is away a command fails at
 * once (or after the command timeout when it never answers) instead of waiting, so the request path stays
 * bounded. The connection itself is retried in the background.
 */
export function connectRedis(options: RedisOptions): Redis {
  const redis = new Redis(options.url, {
    commandTimeout: options.commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
  });
  redis.on('error', (error: Error) => options.onError?.(error));
  return redis;
}

/** Resolves once `redis` is ready, or after `timeoutMs` whatever its state (false then). */
export function whenReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', ready);
      resolve(false);
    }, timeoutMs);
    const ready = () => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once('ready', ready);
  });
}
