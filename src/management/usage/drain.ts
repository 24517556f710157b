/**
 * Drains the usage spool into `usage_records` (and captured bodies into `request_captures`): every `intervalMs`, in batches, off the request path. Inserting is
 * idempotent on the record id, so the checkpoint is saved after the insert commits and a crash in between only
 * reads some lines twice. At start the spool left by a previous run is drained first; `stop()` drains what the
 * last requests wrote before the process exits.
 */
import { eq, getTableColumns, sql } from 'drizzle-orm';
import type { Logger } from '../../observability/logger.js';
import type { Database, Store } from '../../store/database.js';
import { meta, requestCaptures, usageRecords } from '../../store/schema.js';
import type { CaptureRecord } from '../../usage/capture.js';
import type { UsageRecord } from '../../usage/record.js';
import { type SpoolLine, SpoolReader } from '../../usage/spool.js';
import { CONFIG_VERSION_KEY } from '../configuration.js';
import { loadPriceBook, type PriceBook, priceRecord } from '../services/prices.js';

/**
 * Lines stored per statement. The embedded store runs on the event loop's thread, so a batch is also the longest
 * time requests wait for it (about 7 ms for 250 rows); the drainer yields to pending I/O between batches.
 */
const BATCH = 250;
const UNIQUE_VIOLATION = '23505';
/**
 * How often the spool is drained. Often enough that a batch stays small at moderate traffic (at 200 requests a
 * second about 20 rows, a millisecond of the event loop, instead of 200 rows and 8 ms once a second, which every
 * request arriving meanwhile waited for); a batch costs about 0.6 ms beyond its rows, so not more often.
 */
const DRAIN_INTERVAL_MS = 100;
/** Record field → column name. */
const columnsOf = (table: typeof usageRecords | typeof requestCaptures) =>
  Object.entries(getTableColumns(table)).map(([key, column]) => [key, column.name] as const);
const COLUMNS = columnsOf(usageRecords);
const CAPTURE_COLUMNS = columnsOf(requestCaptures);

/** A table row keyed by column name from an object keyed by field name. */
function rowOf(columns: ReadonlyArray<readonly [string, string]>, values: object): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [key, column] of columns)
    if (key in values) row[column] = (values as Record<string, unknown>)[key];
  return row;
}

const SPECIAL = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One value in COPY's text format: `\N` for null, `t`/`f`, JSON for objects, backslash escapes in text. */
function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.replace(SPECIAL, (character) => ESCAPES[character]!);
}

/** Rows (keyed by column name) as COPY text: one line per row, values tab-separated in `columns` order. */
export function copyText(columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): string {
  let text = '';
  for (const row of rows) {
    for (let i = 0; i < columns.length; i++) text += (i === 0 ? '' : '\t') + copyValue(row[columns[i]!]);
    text += '\n';
  }
  return text;
}

/**
 * Between batches, requests get at least as much time as the batch took (up to 50 ms): a backlog is stored at no
 * more than half of the event loop, in slices, rather than in one burst that queues every request behind it.
 */
const pause = (batchMs: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.min(50, Math.ceil(batchMs))));

const isCapture = (line: SpoolLine): line is CaptureRecord => 'kind' in line && line.kind === 'capture';

export class UsageDrainer {
  /** The spool folder. */
  readonly dir: string;
  readonly #reader: SpoolReader;
  readonly #db: Database;
  readonly #copyRows: Store['copyRows'];
  readonly #logger: Logger;
  /** When the last "could not be stored" warning was logged. */
  #warnedAt = 0;
  readonly #intervalMs: number;
  readonly #defaultPrices: boolean;
  readonly #configVersion: (() => number | undefined) | undefined;
  /** The price book and the configuration version it was read at. */
  #book: { version: number; book: PriceBook } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  /** The run that follows the one under way, shared by every caller who asked meanwhile. */
  #following: Promise<void> | undefined;

  constructor(options: {
    dir: string;
    db: Database;
    /** The store's bulk append (embedded store), used before the idempotent INSERT. */
    copyRows?: Store['copyRows'];
    logger: Logger;
    intervalMs?: number;
    /** Price rows without an operator's price from the default table shipped with Junction (default true). */
    defaultPrices?: boolean;
    /**
     * The stored configuration's version as this process knows it, when no other process can change it (the
     * embedded store); otherwise, or while it is undefined, the drainer reads the version from the store.
     */
    configVersion?: () => number | undefined;
  }) {
    this.dir = options.dir;
    this.#reader = new SpoolReader(options.dir);
    this.#db = options.db;
    this.#copyRows = options.copyRows;
    this.#logger = options.logger;
    this.#intervalMs = options.intervalMs ?? DRAIN_INTERVAL_MS;
    this.#defaultPrices = options.defaultPrices ?? true;
    this.#configVersion = options.configVersion;
  }

  async start(): Promise<void> {
    await this.drain();
    // A tick that finds a run under way leaves it be (the next tick comes soon).
    this.#timer = setInterval(() => {
      if (!this.#running) void this.drain({ paced: true });
    }, this.#intervalMs);
    this.#timer.unref();
  }

  /**
   * Stores everything the spool holds now, lines written before the call included; runs never overlap. `paced`
   * (the schedule, while requests are served) leaves requests at least as much time as each batch took; at start,
   * at shutdown and when asked it runs at once.
   */
  drain(options: { paced?: boolean } = {}): Promise<void> {
    if (this.#running) {
      // The run under way may have read the spool before the caller's lines were written: one more run after it.
      this.#following ??= this.#running.then(() => {
        this.#following = undefined;
        return this.drain();
      });
      return this.#following;
    }
    const run = (async () => {
      // Yield first, so that `#running` is set before a run that finds nothing clears it.
      await Promise.resolve();
      try {
        for (;;) {
          const startedAt = performance.now();
          const { records, next } = this.#reader.read(BATCH);
          if (records.length > 0) await this.#store(records);
          if (next) this.#reader.commit(next);
          if (records.length < BATCH) break;
          if (options.paced) await pause(performance.now() - startedAt);
        }
      } catch (error) {
        // The store is away or refused: the lines stay in the spool and the next run tries again (every 100 ms,
        // so the warning is repeated at most every 30 seconds while it lasts).
        const now = Date.now();
        if (now - this.#warnedAt >= 30_000) {
          this.#warnedAt = now;
          this.#logger.warn({ err: error }, 'usage records could not be stored yet; they stay in the spool');
        }
      } finally {
        this.#running = undefined;
      }
    })();
    this.#running = run;
    return run;
  }

  /** Stops the schedule after storing what the spool holds. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
    await this.drain();
  }

  /**
   * The price book, read again from the store only when the configuration version moved (every change to a price
   * or a provider entry goes through the publisher, which bumps it in the same transaction).
   */
  async #priceBook(): Promise<PriceBook> {
    const version = this.#configVersion?.() ?? (await this.#storedVersion());
    if (this.#book?.version === version) return this.#book.book;
    const book = await loadPriceBook(this.#db, { defaults: this.#defaultPrices });
    // Queries on the embedded store run on the event loop's thread: requests get a turn between them and the
    // append, so neither adds to the other's wait.
    await new Promise((resolve) => setImmediate(resolve));
    this.#book = { version, book };
    return book;
  }

  async #storedVersion(): Promise<number> {
    const [row] = await this.#db
      .select({ value: meta.value })
      .from(meta)
      .where(eq(meta.key, CONFIG_VERSION_KEY));
    return row ? Number(row.value) : 0;
  }

  async #store(lines: SpoolLine[]): Promise<void> {
    const records: UsageRecord[] = [];
    const captures: CaptureRecord[] = [];
    for (const line of lines) {
      if (isCapture(line)) captures.push(line);
      else records.push(line);
    }
    if (records.length > 0) await this.#storeRecords(records, await this.#priceBook());
    if (captures.length > 0) await this.#storeCaptures(captures);
  }

  async #storeRecords(records: UsageRecord[], book: PriceBook): Promise<void> {
    const rows = records.map((record) => {
      const { costUsd, priceWarning } = priceRecord(book, record);
      const row = rowOf(COLUMNS, record);
      row.cost_usd = costUsd;
      row.price_warning = priceWarning;
      // jsonb_populate_recordset applies no column defaults: give every NOT NULL column a value.
      row.usage_estimated = record.usageEstimated === true;
      return row;
    });
    // Reading, parsing and pricing took about as long as the append will: requests get a turn in between.
    await new Promise((resolve) => setImmediate(resolve));
    await this.#insert('usage_records', rows);
  }

  async #storeCaptures(captures: CaptureRecord[]): Promise<void> {
    await this.#insert(
      'request_captures',
      captures.map((capture) => rowOf(CAPTURE_COLUMNS, { ...capture })),
    );
  }

  /**
   * One statement per batch. The embedded store appends with COPY; a batch holding an id already stored (lines
   * read again after a crash between storing and checkpointing) fails as a whole there and is stored by the
   * idempotent INSERT instead, which PostgreSQL always uses: the rows as one JSON parameter
   * (`jsonb_populate_recordset`), since binding parameters per row costs several times more.
   */
  async #insert(table: 'usage_records' | 'request_captures', rows: Record<string, unknown>[]): Promise<void> {
    if (this.#copyRows) {
      const columns = (table === 'usage_records' ? COLUMNS : CAPTURE_COLUMNS).map(([, column]) => column);
      try {
        await this.#copyRows(table, columns, copyText(columns, rows));
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      }
    }
    const name = sql.identifier(table);
    await this.#db.execute(
      sql`insert into ${name} select * from jsonb_populate_recordset(null::${name}, ${JSON.stringify(rows)}::jsonb) on conflict (id) do nothing`,
    );
  }
}
