/**
 * Keeps a process's snapshot in step with a store that other processes change: every `intervalMs` it reads the
 * stored configuration version and, when it moved past the snapshot in service, compiles and publishes what is
 * stored; it also loads provider health that another process checked since. Used by every process on PostgreSQL
 * (replicas of `junction serve` and `junction dataplane` processes). While the store cannot be reached the
 * snapshot in service stays, and requests keep being served from it.
 */
import { eq } from 'drizzle-orm';
import type { GatewaySnapshot } from '../core/snapshot/snapshot.js';
import type { Logger } from '../observability/logger.js';
import type { Database } from '../store/database.js';
import { meta } from '../store/schema.js';
import { CONFIG_VERSION_KEY } from './configuration.js';

export interface ConfigFollowerOptions {
  db: Database;
  publisher: { publishCurrent(): Promise<GatewaySnapshot> };
  health: { reload(): Promise<void> };
  snapshot: () => GatewaySnapshot | undefined;
  intervalMs: number;
  logger: Logger;
  /** Called after each check with whether the store answered. */
  onCheck?: (reachable: boolean) => void;
}

export class ConfigFollower {
  readonly #options: ConfigFollowerOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #failingSince: number | undefined;
  #lastWarning = 0;

  constructor(options: ConfigFollowerOptions) {
    this.#options = options;
  }

  /** Whether the last check reached the store (true before the first). */
  get reachable(): boolean {
    return this.#failingSince === undefined;
  }

  start(): void {
    this.#timer = setInterval(() => void this.check(), this.#options.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** Checks now (checks never overlap: a call during one waits for it). */
  check(): Promise<void> {
    this.#running ??= this.#check().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #check(): Promise<void> {
    const { db, logger } = this.#options;
    try {
      const [row] = await db.select({ value: meta.value }).from(meta).where(eq(meta.key, CONFIG_VERSION_KEY));
      const stored = row ? Number(row.value) : 0;
      const current = this.#options.snapshot()?.version ?? -1;
      if (stored > current) {
        const snapshot = await this.#options.publisher.publishCurrent();
        logger.info(
          { from: current, to: snapshot.version },
          'configuration changed in the store: snapshot replaced',
        );
      }
      await this.#options.health.reload();
      if (this.#failingSince !== undefined) {
        logger.info(
          { downForMs: Date.now() - this.#failingSince },
          'the store answers again: following configuration changes',
        );
      }
      this.#failingSince = undefined;
      this.#options.onCheck?.(true);
    } catch (error) {
      const now = Date.now();
      this.#failingSince ??= now;
      if (now - this.#lastWarning >= 30_000) {
        this.#lastWarning = now;
        logger.warn(
          {
            err: error,
            snapshotVersion: this.#options.snapshot()?.version,
            downForMs: now - this.#failingSince,
          },
          'cannot read the configuration version from the store: serving the snapshot in service',
        );
      }
      this.#options.onCheck?.(false);
    }
  }
}
