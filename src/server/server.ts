/**
 * One node:http server carries everything: the data plane (`/v1/*`, a hand-written handler), the operations
 * endpoints, and the management plane (admin API and web app, a Hono app). The data plane never awaits the
 * store: the management plane compiles snapshots and hands them over in memory.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { GatewayError } from '../core/errors/gateway-error.js';
import { createDataPlane, type DataPlane } from '../dataplane/data-plane.js';
import { createGovernor } from '../dataplane/governance.js';
import { sendError } from '../dataplane/http/reply.js';
import { SnapshotHolder } from '../dataplane/snapshot-holder.js';
import { HealthBoard } from '../health/health-board.js';
import { type BudgetLedger, MemoryLedger } from '../limits/ledger.js';
import { RateLimits } from '../limits/rate-limits.js';
import { connectRedis, whenReady } from '../limits/redis.js';
import { RedisLedger } from '../limits/redis-ledger.js';
import { createAdminApp } from '../management/api/app.js';
import { BudgetKeeper } from '../management/budgets/keeper.js';
import { HealthService } from '../management/health/health-service.js';
import { ConfigurationPublisher } from '../management/publisher.js';
import { type BootstrapResult, ensureAdminToken, verifyMasterKey } from '../management/services/bootstrap.js';
import { UsageDrainer } from '../management/usage/drain.js';
import { CaptureRetention } from '../management/usage/retention.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { createMetrics, type GatewayMetrics } from '../observability/metrics.js';
import { resolveMasterKey } from '../secrets/master-key.js';
import { openStore, type Store } from '../store/database.js';
import { SpoolWriter } from '../usage/spool.js';
import type { JunctionConfig } from './config.js';
import { type DemoSeed, seedDemo } from './demo.js';
import { CONTENT_SECURITY_POLICY, loadWebAssets, type WebAssets } from './web-assets.js';

export interface RunningJunction {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly store: Store;
  readonly snapshots: SnapshotHolder;
  readonly metrics: GatewayMetrics;
  readonly dataPlane: DataPlane;
  readonly publisher: ConfigurationPublisher;
  readonly health: HealthService;
  readonly board: HealthBoard;
  /** Stores the usage spool; `drain()` stores what it holds now. */
  readonly usage: UsageDrainer;
  /** Deletes captured bodies past their retention; `sweep()` runs it now. */
  readonly retention: CaptureRetention;
  /** The budget ledger (in memory, or shared through Redis). */
  readonly ledger: BudgetLedger;
  /** Seeds budgets' spend from usage records and stores their alerts. */
  readonly budgets: BudgetKeeper;
  readonly bootstrap: BootstrapResult;
  readonly demo: DemoSeed | undefined;
  readonly masterKeyOrigin: 'environment' | 'file' | 'generated';
  /** Stops accepting, lets in-flight requests finish (up to the drain timeout), then closes everything. */
  shutdown(): Promise<void>;
}

export interface StartOptions {
  config: JunctionConfig;
  logger?: Logger;
  /** Tests resolve provider host names through their own lookup. */
  lookup?: import('node:net').LookupFunction;
  /** Tests inject a prepared embedded store (a migrated template) to skip initdb. */
  store?: Store;
  random?: () => number;
}

/** Starts Junction and resolves once it listens and serves its first snapshot. */
export async function startJunction(options: StartOptions): Promise<RunningJunction> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const store =
    options.store ?? (await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  try {
    if (config.migrate) await store.migrate();
    const masterKeySource = await resolveMasterKey({
      keyText: config.masterKey,
      keyFile: config.masterKeyFile,
      dataDir: config.dataDir,
      allowGenerate: store.kind === 'embedded',
    });
    const masterKey = masterKeySource.key;
    await verifyMasterKey(store.db, masterKey);
    const bootstrap = await ensureAdminToken(store.db, config.adminToken);

    const metrics = createMetrics();
    const snapshots = new SnapshotHolder();
    snapshots.onSwap((snapshot) => metrics.snapshotVersion.set(snapshot.version));
    // Usage: the data plane appends to the spool, the drainer stores it (first what a previous run left).
    const spoolDir = config.spoolDir ?? join(config.dataDir, 'usage-spool');
    const spool = new SpoolWriter(spoolDir);
    const usageDrainer = new UsageDrainer({
      dir: spoolDir,
      db: store.db,
      copyRows: store.copyRows,
      logger,
      defaultPrices: config.defaultPrices,
      // The embedded store has no other writer: the version of the snapshot published last is the stored one.
      ...(store.kind === 'embedded' ? { configVersion: () => snapshots.current?.version } : {}),
    });
    await usageDrainer.start();
    const retention = new CaptureRetention({ db: store.db, logger, days: config.captureRetentionDays });
    await retention.start();

    const sink = {
      offer: (snapshot: Parameters<SnapshotHolder['offer']>[0]) => {
        const result = snapshots.offer(snapshot);
        if (result === 'stale') metrics.snapshotRejected.inc();
        return result;
      },
    };
    const publisher = new ConfigurationPublisher(store.db, masterKey, sink, logger);
    const demo = config.demo ? await seedDemo(publisher, masterKey, config.demoKey) : undefined;
    await publisher.publishCurrent();
    // Budgets and per-minute limits: counted in this process, or in Redis shared by every replica.
    const throttledWarn = throttle((message: string, error: unknown) => logger.warn({ err: error }, message));
    const redis = config.redisUrl
      ? connectRedis({
          url: config.redisUrl,
          commandTimeoutMs: config.redisTimeoutMs,
          onError: (error) => throttledWarn('redis connection error', error),
        })
      : undefined;
    if (redis && !(await whenReady(redis, 3_000))) {
      logger.warn(
        { policy: config.limitsOnRedisFailure },
        'redis is not reachable yet: budgets and limits follow the failure policy until it is',
      );
    }
    const ledger = redis
      ? new RedisLedger({ redis, onFailure: config.limitsOnRedisFailure, warn: throttledWarn })
      : new MemoryLedger();
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
      intervalMs: config.healthCheckIntervalMs,
      verifyOnChange: config.autoVerify,
      lookup: options.lookup,
    });
    await health.start();
    // Entries never checked before (a new store, or entries created while the process was down) are checked now.
    if (config.autoVerify) {
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
      ...(options.lookup ? { lookup: options.lookup } : {}),
      authThrottle: {
        limit: config.authFailureLimit,
        windowMs: config.authFailureWindowMs,
        blockMs: config.authBlockMs,
      },
    });
    const webAssets = await loadWebAssets(config.webDir);
    const admin = createAdminApp({
      store,
      masterKey,
      publisher,
      logger,
      health,
      board,
      snapshotInfo: () => snapshots.current,
      verifyModel: (model, environment, options) => dataPlane.verify(model, environment, options),
      snapshot: () => snapshots.current,
      ledger,
      budgets,
      identity: {
        policy: { lifetimeMs: config.sessionHours * 3_600_000, idleMs: config.sessionIdleMinutes * 60_000 },
        secureCookies: config.secureCookies,
      },
    });
    const root = new Hono();
    root.route('/', admin);
    root.get('*', (c) => serveWeb(c.req.path, webAssets) ?? c.notFound());
    const managementListener = getRequestListener(root.fetch);

    let draining = false;
    const handler = (request: IncomingMessage, response: ServerResponse) => {
      const url = request.url ?? '/';
      if (url.startsWith('/v1/')) {
        if (draining) {
          response.setHeader('connection', 'close');
          return sendError(
            response,
            new GatewayError('shutting_down', 'The gateway is shutting down; retry'),
          );
        }
        return dataPlane.handle(request, response);
      }
      if (url === '/healthz') return plain(response, 200, '{"status":"ok"}');
      if (url === '/readyz') {
        const ready = !draining && snapshots.current !== undefined;
        return plain(response, ready ? 200 : 503, ready ? '{"status":"ready"}' : '{"status":"not ready"}');
      }
      if (url === '/metrics') {
        metrics.registry
          .metrics()
          .then((text) => {
            response.setHeader('content-type', metrics.registry.contentType);
            response.end(text);
          })
          .catch(() => plain(response, 500, '{"status":"metrics failed"}'));
        return;
      }
      void managementListener(request, response);
    };

    const server = createServer(
      { keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 30_000 },
      handler,
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    const displayHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const url = `http://${displayHost}:${port}`;
    logger.info(
      { url, store: store.kind, location: store.location, snapshotVersion: snapshots.current?.version },
      'junction is serving',
    );

    let shuttingDown: Promise<void> | undefined;
    const shutdown = () => {
      shuttingDown ??= (async () => {
        draining = true;
        logger.info({ inFlight: dataPlane.inFlight() }, 'shutting down: draining in-flight requests');
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const deadline = Date.now() + config.drainTimeoutMs;
        while (dataPlane.inFlight() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
        server.closeAllConnections();
        await closed;
        await health.stop();
        await dataPlane.close();
        spool.close();
        await usageDrainer.stop();
        await retention.stop();
        await budgets.stop();
        await ledger.close();
        await redis?.quit().catch(() => redis.disconnect());
        await store.close();
        logger.info('junction stopped');
        logger.flush?.();
      })();
      return shuttingDown;
    };

    return {
      url,
      port,
      server,
      store,
      snapshots,
      metrics,
      dataPlane,
      publisher,
      health,
      board,
      usage: usageDrainer,
      retention,
      ledger,
      budgets,
      bootstrap,
      demo,
      masterKeyOrigin: masterKeySource.origin,
      shutdown,
    };
  } catch (error) {
    if (!options.store) await store.close().catch(() => undefined);
    throw error;
  }
}

/** Calls `fn` at most once per `intervalMs` (noisy warnings while Redis is away). */
function throttle<A extends unknown[]>(fn: (...args: A) => void, intervalMs = 10_000): (...args: A) => void {
  let last = 0;
  return (...args: A) => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    fn(...args);
  };
}

function plain(response: ServerResponse, status: number, json: string): void {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json');
  response.setHeader('cache-control', 'no-store');
  response.end(json);
}

function serveWeb(path: string, assets: WebAssets): Response | undefined {
  const asset = assets.get(path) ?? (path.includes('.') ? undefined : assets.index);
  if (!asset) return undefined;
  return new Response(new Uint8Array(asset.body), {
    headers: {
      'content-type': asset.contentType,
      'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    },
  });
}
