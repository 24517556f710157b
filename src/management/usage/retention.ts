/**
 * Retention of captured bodies: captures older than the retention period are deleted at start and then every
 * hour, a bounded batch at a time so a large backlog never holds a long transaction. The usage records (the
 * request log's metadata) are the accounting ledger budgets are seeded from, and are kept.
 */
import { sql } from 'drizzle-orm';
import type { Logger } from '../../observability/logger.js';
import type { Database } from '../../store/database.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 5_000;

export class CaptureRetention {
  readonly #db: Database;
  readonly #logger: Logger;
  readonly #days: number;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;

  constructor(options: {
    db: Database;
    logger: Logger;
    /** Days a capture is kept; 0 keeps captures forever. */
    days: number;
    intervalMs?: number;
  }) {
    this.#db = options.db;
    this.#logger = options.logger;
    this.#days = options.days;
    this.#intervalMs = options.intervalMs ?? 60 * 60 * 1000;
  }

  async start(): Promise<void> {
    if (this.#days <= 0) return;
    await this.sweep();
    this.#timer = setInterval(() => void this.sweep(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Deletes every capture older than the period now; resolves to how many went. Runs never overlap. */
  sweep(now = Date.now()): Promise<number> {
    if (this.#days <= 0) return Promise.resolve(0);
    if (this.#running) return this.#running;
    const run = (async () => {
      // Yield first, so that `#running` is set before a run that finishes at once clears it.
      await Promise.resolve();
      const cutoff = new Date(now - this.#days * DAY_MS);
      let deleted = 0;
      try {
        for (;;) {
          const result = await this.#db.execute(
            sql`delete from request_captures where id in (select id from request_captures where at < ${cutoff} limit ${BATCH})`,
          );
          const count = rowCount(result);
          deleted += count;
          if (count < BATCH) break;
        }
        if (deleted > 0)
          this.#logger.info({ deleted, olderThan: cutoff.toISOString() }, 'request captures expired');
      } catch (error) {
        this.#logger.warn({ err: error }, 'expired request captures could not be deleted yet');
      } finally {
        this.#running = undefined;
      }
      return deleted;
    })();
    this.#running = run;
    return run;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
  }
}

/** Rows a statement touched, from either driver's result. */
function rowCount(result: unknown): number {
  const value = result as { rowCount?: number | null; affectedRows?: number };
  return Number(value.rowCount ?? value.affectedRows ?? 0);
}
