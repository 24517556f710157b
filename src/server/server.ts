import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { createAdminApp } from '../management/api/app.js';
import { ConfigFollower } from '../management/config-follower.js';
import { type BootstrapResult, ensureAdminToken, verifyMasterKey } from '../management/services/bootstrap.js';
import { CaptureRetention } from '../management/usage/retention.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { resolveMasterKey } from '../secrets/master-key.js';
import { openStore, type Store } from '../store/database.js';
import type { JunctionConfig } from './config.js';
import { type DemoSeed, seedDemo } from './demo.js';
import { listen } from './front.js';
import { type ServingProcess, shutdownOnce, startRuntime } from './runtime.js';
import { CONTENT_SECURITY_POLICY, loadWebAssets, type WebAssets } from './web-assets.js';

export interface RunningJunction extends ServingProcess {
  /** Deletes captured bodies past their retention; `sweep()` runs it now. */
  readonly retention: CaptureRetention;
  readonly bootstrap: BootstrapResult;
  readonly demo: DemoSeed | undefined;
  readonly masterKeyOrigin: 'environment' | 'file' | 'generated';
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
    let demo: DemoSeed | undefined;

    const retention = new CaptureRetention({ db: store.db, logger, days: config.captureRetentionDays });
    await retention.start();
    const runtime = await startRuntime({
      config,
      store,
      masterKey,
      logger,
      probes: true,
      ...(options.lookup ? { lookup: options.lookup } : {}),
      ...(options.random ? { random: options.random } : {}),
      beforePublish: async (publisher) => {
        demo = config.demo ? await seedDemo(publisher, masterKey, config.demoKey) : undefined;
      },
    });
    const { snapshots, publisher, dataPlane, health, board, ledger, budgets } = runtime;
    // On PostgreSQL other replicas change the configuration too: follow the stored version.
    const follower =
      store.kind === 'postgres' && config.configPollMs > 0
        ? new ConfigFollower({
            db: store.db,
            publisher,
            health,
            snapshot: () => snapshots.current,
            intervalMs: config.configPollMs,
            logger,
          })
        : undefined;
    follower?.start();
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

    const front = await listen({
      config,
      logger,
      runtime,
      other: (request, response) => void managementListener(request, response),
    });
    const { server, url, port } = front;
    logger.info(
      { url, store: store.kind, location: store.location, snapshotVersion: snapshots.current?.version },
      'junction is serving',
    );

    const shutdown = shutdownOnce(logger, 'junction stopped', [
      () => follower?.stop(),
      () => front.close(config.drainTimeoutMs),
      () => runtime.stop(),
      () => retention.stop(),
      () => store.close(),
    ]);

    return {
      ...runtime,
      url,
      port,
      server,
      store,
      retention,
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
