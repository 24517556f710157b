/**
 * The `junction` command line. Output meant for a person (banners, the one-time bootstrap token) goes to
 * the terminal directly; everything else goes through the structured logger.
 */
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createLogger, type Logger } from '../observability/logger.js';
import { packageRoot } from '../package-root.js';
import { MasterKeyError } from '../secrets/master-key.js';
import { resolveConfig } from '../server/config.js';
import { keepTickObjectShape } from '../server/tick-shape.js';
import { openStore } from '../store/database.js';
import { banner } from './banner.js';
import { addConfigCommands, CliError } from './config-commands.js';
import { addUserCommands } from './user-commands.js';

const VERSION = '0.1.0';

const port = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535)
    throw new InvalidArgumentError('a port from 0 to 65535');
  return parsed;
};

const write = (text: string) => process.stdout.write(`${text}\n`);
const fail = (text: string): never => {
  process.stderr.write(`junction: ${text}\n`);
  process.exit(1);
};

/**
 * Starts a process and stops it on SIGTERM or SIGINT. Signals are handled from the very start: one that arrives
 * while starting stops the process right after.
 */
async function runUntilSignal(
  logger: Logger,
  start: (logger: Logger) => Promise<{ shutdown(): Promise<void> }>,
): Promise<void> {
  // A serving process holds V8's heap to bounds made for it (src/server/heap.ts), unless its flags say otherwise.
  const { boundHeap } = await import('../server/heap.js');
  const heap = boundHeap();
  logger.debug({ youngGenerationBound: heap.young, oldGenerationGrowthBound: heap.growth }, 'heap bounds');
  let running: { shutdown(): Promise<void> } | undefined;
  let stopRequested = false;
  const stop = (signal: string) => {
    logger.info({ signal }, 'signal received');
    if (!running) {
      stopRequested = true;
      return;
    }
    running.shutdown().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  try {
    running = await start(logger);
  } catch (error) {
    if (error instanceof MasterKeyError) return fail(error.message);
    return fail(`could not start: ${(error as Error).message}`);
  }
  if (stopRequested) stop('SIGTERM');
}

/** The options every serving command takes: where to listen and how much to log. */
function withListenOptions(command: Command): Command {
  return command
    .option('-p, --port <port>', 'port to listen on (env JUNCTION_PORT, default 8080)', port)
    .option('--host <host>', 'address to listen on (env JUNCTION_HOST, default 0.0.0.0)')
    .option('--log-level <level>', 'trace, debug, info, warn, error or silent (env JUNCTION_LOG_LEVEL)');
}

function listenOptions(options: Record<string, unknown>) {
  return {
    port: options.port as number | undefined,
    host: options.host as string | undefined,
    logLevel: options.logLevel as string | undefined,
  };
}

/** Builds the command tree (exported for tests of the help texts). */
export function buildProgram(): Command {
  const program = new Command()
    .name('junction')
    .description('Junction: one OpenAI-compatible endpoint in front of every AI provider.')
    .version(VERSION)
    .showHelpAfterError();

  withListenOptions(program.command('serve'))
    .description('Run the data plane, the management plane and the web app in one process')
    .option(
      '--data-dir <dir>',
      'data folder of the embedded store (env JUNCTION_DATA_DIR, default ./.junction)',
    )
    .option('--database-url <url>', 'use PostgreSQL instead of the embedded store (env DATABASE_URL)')
    .option(
      '--demo',
      'seed an echo provider, demo-chat and demo-embed models, a team and a key, and print them',
    )
    .addOption(new Option('--no-migrate', 'do not apply pending store migrations at start'))
    .action(async (options: Record<string, unknown>) => {
      const config = resolveConfig({
        ...listenOptions(options),
        dataDir: options.dataDir as string | undefined,
        databaseUrl: options.databaseUrl as string | undefined,
        demo: Boolean(options.demo),
        migrate: options.migrate !== false,
        webDir: join(packageRoot(), 'web', 'dist'),
      });
      await runUntilSignal(createLogger({ level: config.logLevel }), async (logger) => {
        const { startJunction } = await import('../server/server.js');
        const started = await startJunction({ config, logger });
        write(banner(started));
        return started;
      });
    });

  withListenOptions(program.command('dataplane'))
    .description(
      'Run a data plane only (/v1, /healthz, /readyz, /metrics) on the PostgreSQL store of a management plane',
    )
    .option(
      '--database-url <url>',
      'the PostgreSQL store of the management plane (env DATABASE_URL; required)',
    )
    .option(
      '--data-dir <dir>',
      'local folder for the usage spool (env JUNCTION_DATA_DIR, default ./.junction)',
    )
    .action(async (options: Record<string, unknown>) => {
      const config = resolveConfig({
        ...listenOptions(options),
        dataDir: options.dataDir as string | undefined,
        databaseUrl: options.databaseUrl as string | undefined,
      });
      await runUntilSignal(createLogger({ level: config.logLevel }), async (logger) => {
        const { startDataPlaneProcess } = await import('../server/data-plane-process.js');
        const started = await startDataPlaneProcess({ config, logger });
        write(
          `Junction data plane serving on ${started.url} (snapshot version ${started.snapshots.current?.version}).`,
        );
        return started;
      });
    });

  program
    .command('migrate')
    .description('Apply pending migrations to the store and exit')
    .option(
      '--data-dir <dir>',
      'data folder of the embedded store (env JUNCTION_DATA_DIR, default ./.junction)',
    )
    .option('--database-url <url>', 'migrate PostgreSQL instead of the embedded store (env DATABASE_URL)')
    .action(async (options: Record<string, unknown>) => {
      const config = resolveConfig({
        dataDir: options.dataDir as string | undefined,
        databaseUrl: options.databaseUrl as string | undefined,
      });
      try {
        const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
        await store.migrate();
        await store.close();
        write(`Migrations applied to the ${store.kind} store (${store.location}).`);
      } catch (error) {
        fail(`migration failed: ${(error as Error).message}`);
      }
    });
  addConfigCommands(program, write);
  addUserCommands(program, write);
  return program;
}

/** Runs the CLI with process arguments. */
export async function main(argv: string[] = process.argv): Promise<void> {
  // Before anything collects garbage (src/server/tick-shape.ts).
  keepTickObjectShape();
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CliError) fail(error.message);
    throw error;
  }
}
