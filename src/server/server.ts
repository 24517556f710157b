import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError, toProblem } from '../core/errors/gateway-error.js';
import { ConfigFollower } from '../management/config-follower.js';
import { type BootstrapResult, ensureAdminToken, verifyMasterKey } from '../management/services/bootstrap.js';
import { CaptureRetention } from '../management/usage/retention.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { resolveMasterKey } from '../secrets/master-key.js';
import { openStore, type Store } from '../store/database.js';
import type { JunctionConfig } from './config.js';
import type { DemoSeed } from './demo.js';
import { listen } from './front.js';
import type { ManagementListener } from './management-app.js';
import { type ServingProcess, shutdownOnce, startRuntime } from './runtime.js';
import { loadWebAssets } from './web-assets.js';

/**
 * The admin API and the web app load this long after the data plane listens, or at the first request for them if
 * that comes sooner. Loading them is the largest piece of start-up work (about 1.2 MB of code to compile and run,
 * and the admin app's routes to build) and blocks the event loop while it runs, so it waits until the first
 * requests to `/v1` have had their turn.
 */
const MANAGEMENT_LOAD_DELAY_MS = 1_000;

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
        if (!config.demo) return;
        const { seedDemo } = await import('./demo.js');
        demo = await seedDemo(publisher, masterKey, config.demoKey);
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
    // Read now, so that a web folder that cannot be read stops the start as before.
    const webAssets = await loadWebAssets(config.webDir);
    let management: Promise<ManagementListener> | undefined;
    const loadManagement = () =>
      (management ??= import('./management-app.js')
        .then(({ createManagementListener }) =>
          createManagementListener({
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
              policy: {
                lifetimeMs: config.sessionHours * 3_600_000,
                idleMs: config.sessionIdleMinutes * 60_000,
              },
              secureCookies: config.secureCookies,
            },
            webAssets,
          }),
        )
        .catch((error: unknown) => {
          // Logged once, whoever asked first; every request for it then gets the 500 below.
          logger.error({ err: error }, 'the admin API could not be loaded');
          throw error;
        }));
    const managementRequest = (request: IncomingMessage, response: ServerResponse): void => {
      loadManagement().then(
        (listener) => void listener(request, response),
        () => {
          const problem = toProblem(new GatewayError('internal_error', 'The admin API could not be loaded'));
          response.writeHead(500, { 'content-type': 'application/problem+json' });
          response.end(JSON.stringify(problem));
        },
      );
    };

    const front = await listen({ config, logger, runtime, other: managementRequest });
    const managementTimer = setTimeout(
      () => loadManagement().catch(() => undefined),
      MANAGEMENT_LOAD_DELAY_MS,
    );
    managementTimer.unref();
    const { server, url, port } = front;
    logger.info(
      { url, store: store.kind, location: store.location, snapshotVersion: snapshots.current?.version },
      'junction is serving',
    );

    const shutdown = shutdownOnce(logger, 'junction stopped', [
      () => clearTimeout(managementTimer),
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
