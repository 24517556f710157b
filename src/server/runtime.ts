/**
 * What serving `/v1` needs, whichever process runs it: the snapshot in service and its publisher, the usage spool
 * and its drainer, the budget ledger and rate limits (in memory or in Redis), the health board, and the data plane
 * itself. `junction serve` adds the management plane on top; `junction dataplane` runs this alone.
 */
import type { Server } from 'node:http';
import { join } from 'node:path';
import { createDataPlane, type DataPlane } from '../dataplane/data-plane.js';
import { createGovernor } from '../dataplane/governance.js';
import { SnapshotHolder } from '../dataplane/snapshot-holder.js';
import { HealthBoard } from '../health/health-board.js';
import { type BudgetLedger, MemoryLedger } from '../limits/ledger.js';
import { RateLimits } from '../limits/rate-limits.js';
import { BudgetKeeper } from '../management/budgets/keeper.js';
import { HealthService } from '../management/health/health-service.js';
import { ConfigurationPublisher } from '../management/publisher.js';
import { UsageDrainer } from '../management/usage/drain.js';
import type { Logger } from '../observability/logger.js';
import { createMetrics, type GatewayMetrics } from '../observability/metrics.js';
import type { MasterKey } from '../secrets/envelope.js';
import type { Store } from '../store/database.js';
import { SpoolWriter } from '../usage/spool.js';
import type { JunctionConfig } from './config.js';

export interface Runtime {
  readonly snapshots: SnapshotHolder;
  readonly metrics: GatewayMetrics;
  readonly publisher: ConfigurationPublisher;
  readonly dataPlane: DataPlane;
  readonly health: HealthService;
  readonly board: HealthBoard;
  readonly usage: UsageDrainer;
  readonly ledger: BudgetLedger;
  readonly budgets: BudgetKeeper;
  /** After the listener closed and in-flight requests ended: stops every part and stores the last usage. */
  stop(): Promise<void>;
}

/** What a started process offers its caller (the CLI's banner, tests). */
export interface ServingProcess extends Omit<Runtime, 'stop'> {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly store: Store;
  /** Stops accepting, lets in-flight requests finish (up to the drain timeout), then closes everything. */
  shutdown(): Promise<void>;
}

export interface RuntimeOptions {
  config: JunctionConfig;
  store: Store;
  masterKey: MasterKey;
  logger: Logger;
  /** Whether this process checks provider entries (on change and on schedule); a data-plane process does not. */
  probes: boolean;
  /** Runs once the publisher exists, before the stored configuration is first published (the demo seed). */
  beforePublish?: (publisher: ConfigurationPublisher) => Promise<void>;
  lookup?: import('node:net').LookupFunction;
  random?: () => number;
}

/** Starts every part in order; the first snapshot is in service when it resolves. */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config, store, masterKey, logger } = options;
  const metrics = createMetrics();
  const snapshots = new SnapshotHolder();
  snapshots.onSwap((snapshot) => metrics.snapshotVersion.set(snapshot.version));
  // Usage: the data plane appends to the spool, the drainer stores it (first what a previous run left).
  const spoolDir = config.spoolDir ?? join(config.dataDir, 'usage-spool');
  // Set once the data plane exists: scheduled drains wait for a moment with no request in flight.
  let whenIdle = (): Promise<void> => Promise.resolve();
  const usage = new UsageDrainer({
    dir: spoolDir,
    db: store.db,
    copyRows: store.copyRows,
    logger,
    defaultPrices: config.defaultPrices,
    quiet: () => whenIdle(),
    // The embedded store has no other writer: the version of the snapshot published last is the stored one.
    ...(store.kind === 'embedded' ? { configVersion: () => snapshots.current?.version } : {}),
  });
  await usage.start();
  // Each append wakes the drainer: an idle process has no drain to run and no reason to wake.
  const spool = new SpoolWriter(spoolDir, () => usage.wake());

  const sink = {
    offer: (snapshot: Parameters<SnapshotHolder['offer']>[0]) => {
      const result = snapshots.offer(snapshot);
      if (result === 'stale') metrics.snapshotRejected.inc();
      return result;
    },
  };
  const publisher = new ConfigurationPublisher(store.db, masterKey, sink, logger);
  await options.beforePublish?.(publisher);
  await publisher.publishCurrent();

  // Budgets and per-minute limits: counted in this process, or in Redis shared by every replica.
  const throttledWarn = throttle((message: string, error: unknown) => logger.warn({ err: error }, message));
  // The Redis client is loaded only when Redis is configured.
  const shared = config.redisUrl
    ? await (async (url) => {
        const [{ connectRedis, whenReady }, { RedisLedger }] = await Promise.all([
          import('../limits/redis.js'),
          import('../limits/redis-ledger.js'),
        ]);
        const client = connectRedis({
          url,
          commandTimeoutMs: config.redisTimeoutMs,
          onError: (error) => throttledWarn('redis connection error', error),
        });
        if (!(await whenReady(client, 3_000))) {
          logger.warn(
            { policy: config.limitsOnRedisFailure },
            'redis is not reachable yet: budgets and limits follow the failure policy until it is',
          );
        }
        const ledger = new RedisLedger({
          redis: client,
          onFailure: config.limitsOnRedisFailure,
          warn: throttledWarn,
        });
        return { client, ledger };
      })(config.redisUrl)
    : undefined;
  const redis = shared?.client;
  const ledger: BudgetLedger = shared?.ledger ?? new MemoryLedger();
  const rateLimits = new RateLimits({
    ...(redis ? { redis } : {}),
    onFailure: config.limitsOnRedisFailure,
    algorithm: config.rateLimitAlgorithm,
    warn: throttledWarn,
  });
  const governor = createGovernor({
    ledger,
    limits: rateLimits,
    defaultMaxTokens: config.budgetDefaultMaxTokens,
    charsPerToken: config.budgetCharsPerToken,
    defaultPrices: config.defaultPrices,
  });
  const budgets = new BudgetKeeper({ db: store.db, ledger, logger, snapshot: () => snapshots.current });
  snapshots.onSwap(() => void budgets.seed());
  redis?.on('ready', () => void budgets.seed());
  await budgets.start();

  const board = new HealthBoard({
    outlier: {
      consecutiveFailures: Math.max(1, config.ejectionFailures),
      baseEjectionMs: config.ejectionBaseMs,
      maxEjectionMs: Math.max(config.ejectionBaseMs, config.ejectionMaxMs),
    },
  });
  const health = new HealthService({
    db: store.db,
    board,
    logger,
    snapshot: () => snapshots.current,
    probeTimeoutMs: config.healthCheckTimeoutMs,
    intervalMs: options.probes ? config.healthCheckIntervalMs : 0,
    verifyOnChange: options.probes && config.autoVerify,
    lookup: options.lookup,
  });
  await health.start();
  // Entries never checked before (a new store, or entries created while the process was down) are checked now.
  if (options.probes && config.autoVerify) {
    for (const id of snapshots.current?.providers.keys() ?? []) if (!board.get(id)) health.verifySoon(id);
  }

  const dataPlane = createDataPlane({
    snapshots,
    metrics,
    logger,
    maxBodyBytes: config.maxBodyBytes,
    maxAttempts: config.maxAttempts,
    timeouts: {
      connectMs: config.connectTimeoutMs,
      firstByteMs: config.firstByteTimeoutMs,
      idleMs: config.streamIdleTimeoutMs,
    },
    random: options.random,
    health: board,
    usage: spool,
    captureMaxBytes: Math.floor(config.captureMaxBytes),
    governor,
    defaultPrices: config.defaultPrices,
    ...(options.lookup ? { lookup: options.lookup } : {}),
    authThrottle: {
      limit: config.authFailureLimit,
      windowMs: config.authFailureWindowMs,
      blockMs: config.authBlockMs,
    },
  });
  whenIdle = dataPlane.whenIdle;

  return {
    snapshots,
    metrics,
    publisher,
    dataPlane,
    health,
    board,
    usage,
    ledger,
    budgets,
    stop: async () => {
      await health.stop();
      await dataPlane.close();
      spool.close();
      await usage.stop();
      await budgets.stop();
      await ledger.close();
      await redis?.quit().catch(() => redis.disconnect());
    },
  };
}

/** A process's `shutdown()`: runs `steps` in order, once however often it is called, then logs `message`. */
export function shutdownOnce(
  logger: Logger,
  message: string,
  steps: ReadonlyArray<() => unknown>,
): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= (async () => {
      for (const step of steps) await step();
      logger.info(message);
      logger.flush?.();
    })();
    return done;
  };
}

/** Calls `fn` at most once per `intervalMs` (noisy warnings while Redis or the store is away). */
export function throttle<A extends unknown[]>(
  fn: (...args: A) => void,
  intervalMs = 10_000,
): (...args: A) => void {
  let last = 0;
  return (...args: A) => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    fn(...args);
  };
}
