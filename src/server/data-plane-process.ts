/**
 * `junction dataplane`: a process that serves only `/v1` (and `/healthz`, `/readyz`, `/metrics`), for running
 * any number of data-plane replicas beside one management plane (`junction serve`) on a shared PostgreSQL store.
 * It loads the stored configuration at start and follows its changes by polling the stored version; appends
 * usage to its own local spool and drains it into the store; counts budgets and limits in Redis when
 * `JUNCTION_REDIS_URL` is set; reports provider health from its traffic and reads what the management plane
 * checked. It loads no admin API, web app or embedded store. While the store is away it keeps serving from the
 * snapshot in service and keeps usage in its spool until the store answers again.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigFollower } from '../management/config-follower.js';
import { verifyMasterKey } from '../management/services/bootstrap.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { resolveMasterKey } from '../secrets/master-key.js';
import { openStore, type Store } from '../store/database.js';
import type { JunctionConfig } from './config.js';
import { listen, plain } from './front.js';
import { type ServingProcess, shutdownOnce, startRuntime } from './runtime.js';

export interface RunningDataPlane extends ServingProcess {
  /** Follows the stored configuration; `check()` checks now. */
  readonly follower: ConfigFollower;
}

export interface DataPlaneStartOptions {
  config: JunctionConfig;
  logger?: Logger;
  /** Tests pass an open PostgreSQL store (shared with a management plane) instead of a URL. */
  store?: Store;
  lookup?: import('node:net').LookupFunction;
  random?: () => number;
}

const UNDEFINED_TABLE = '42P01';

/** Starts a data-plane process and resolves once it listens with the stored configuration in service. */
export async function startDataPlaneProcess(options: DataPlaneStartOptions): Promise<RunningDataPlane> {
  const { config } = options;
  if (!options.store && !config.databaseUrl) {
    throw new Error(
      'junction dataplane needs the PostgreSQL store its management plane uses (--database-url or DATABASE_URL)',
    );
  }
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const store =
    options.store ?? (await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  try {
    if (store.kind !== 'postgres') throw new Error('junction dataplane runs on a PostgreSQL store only');
    const masterKey = (
      await resolveMasterKey({
        keyText: config.masterKey,
        keyFile: config.masterKeyFile,
        dataDir: config.dataDir,
        allowGenerate: false,
      })
    ).key;
    try {
      await verifyMasterKey(store.db, masterKey);
    } catch (error) {
      if ((error as { code?: string }).code === UNDEFINED_TABLE) {
        throw new Error(
          'the store holds no Junction schema yet: run `junction migrate` or start `junction serve` on it first',
        );
      }
      throw error;
    }

    const runtime = await startRuntime({
      config,
      store,
      masterKey,
      logger,
      probes: false,
      ...(options.lookup ? { lookup: options.lookup } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
    const { snapshots } = runtime;
    const follower = new ConfigFollower({
      db: store.db,
      publisher: runtime.publisher,
      health: runtime.health,
      snapshot: () => snapshots.current,
      // A data plane always follows the store; 0 (off, for `serve`) falls back to the default period.
      intervalMs: config.configPollMs > 0 ? config.configPollMs : 2_000,
      logger,
    });
    follower.start();

    const front = await listen({ config, logger, runtime, other: notFound });
    logger.info(
      { url: front.url, store: store.location, snapshotVersion: snapshots.current?.version },
      'junction data plane is serving',
    );

    const shutdown = shutdownOnce(logger, 'junction data plane stopped', [
      () => follower.stop(),
      () => front.close(config.drainTimeoutMs),
      () => runtime.stop(),
      () => store.close(),
    ]);

    return {
      ...runtime,
      url: front.url,
      port: front.port,
      server: front.server,
      store,
      follower,
      shutdown,
    };
  } catch (error) {
    if (!options.store) await store.close().catch(() => undefined);
    throw error;
  }
}

/** Everything but `/v1` and the operations endpoints lives on the management plane. */
function notFound(request: IncomingMessage, response: ServerResponse): void {
  request.resume();
  plain(
    response,
    404,
    JSON.stringify({
      error: {
        message: `${request.method ?? 'GET'} ${(request.url ?? '/').split('?')[0]} is not served here: this is a data-plane process; the admin API and web app are on the management plane (junction serve)`,
        type: 'invalid_request_error',
        param: null,
        code: 'not_found',
      },
    }),
  );
}
