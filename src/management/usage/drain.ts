/**
 * Drains the usage spool into `usage_records` (and captured bodies into `request_captures`): within `intervalMs` of
 * an append in this process (`wake`), in batches, off the request path; an idle process only looks at the spool
 * folder every `idleCheckMs`. Inserting is
 * idempotent on the record id, so the checkpoint is saved after the insert commits and a crash in between only
 * reads some lines twice. At start the spool left by a previous run is drained first; `stop()` drains what the
 * last requests wrote before the process exits.
 */
import { eq, getTableColumns, getTableName, type SQL, sql } from 'drizzle-orm';
import type { Logger } from '../../observability/logger.js';
import type { Database, Store } from '../../store/database.js';
import { meta, requestCaptures, usageRecords } from '../../store/schema.js';
import type { CaptureRecord } from '../../usage/capture.js';
import type { UsageRecord } from '../../usage/record.js';
import { parseLines, type SpoolLine, SpoolReader } from '../../usage/spool.js';
import { CONFIG_VERSION_KEY } from '../configuration.js';
import { loadPriceBook, priceRecord, type StoredPriceBook } from '../services/prices.js';
import { sqlState } from '../services/store-errors.js';

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
/**
 * How often an idle drainer looks at the spool folder for lines no append in this process announced (another process
 * writing there, which Junction never does; lines a previous run left are stored at start). Runs otherwise follow
 * appends: every wake-up of an idle process costs a tenth of a millisecond or more on a small VM, and the drain's old
 * 100 ms tick (with the folder read it made) kept an idle gateway at about a quarter of a percent of a core.
 */
const IDLE_CHECK_MS = 5_000;
/**
 * Longest a scheduled run waits for a quiet moment (no request in flight) before storing anyway. At moderate
 * traffic requests leave gaps, and a batch stored in one delays none; under steady load there are none, and the
 * run goes ahead after this wait, so the spool never waits more than about twice the interval.
 */
const QUIET_WAIT_MS = 100;
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

/**
 * The idempotent INSERT of rows given as a JSON array of spool lines, keyed by field name as the spool writes them
 * (keys that are not columns, a capture's `kind`, are ignored): PostgreSQL takes each line's values by name and
 * type (`jsonb_to_recordset`), so a priced line is stored as it was written, never parsed or re-encoded here.
 * NOT NULL columns with a default get it when a line lacks the field.
 */
function insertFromJson(table: typeof usageRecords | typeof requestCaptures): (json: string) => SQL {
  const columns = Object.entries(getTableColumns(table));
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const names = columns.map(([, column]) => quote(column.name)).join(', ');
  const values = columns
    .map(([key, column]) =>
      column.notNull && column.hasDefault && typeof column.default === 'boolean'
        ? `coalesce(r.${quote(key)}, ${column.default})`
        : `r.${quote(key)}`,
    )
    .join(', ');
  const types = columns.map(([key, column]) => `${quote(key)} ${column.getSQLType()}`).join(', ');
  const head = sql.raw(
    `insert into ${quote(getTableName(table))} (${names}) select ${values} from jsonb_to_recordset(`,
  );
  const tail = sql.raw(`::jsonb) as r(${types}) on conflict (id) do nothing`);
  return (json) => sql`${head}${json}${tail}`;
}
const INSERT_USAGE = insertFromJson(usageRecords);
const INSERT_CAPTURES = insertFromJson(requestCaptures);

const SPECIAL = /[\\\n\r\t]/g;
const HAS_SPECIAL = /[\\\n\r\t]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One value in COPY's text format: `\N` for null, `t`/`f`, JSON for objects, backslash escapes in text. */
function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return HAS_SPECIAL.test(text) ? text.replace(SPECIAL, (character) => ESCAPES[character]!) : text;
}

/** First size of a batch's COPY buffer; it doubles as needed (a usage row is about 400 bytes). */
const COPY_BUFFER_BYTES = 64 * 1024;

/**
 * COPY text written straight into one buffer, outside the JS heap: values in PostgreSQL's text format separated by
 * tabs, a newline after each row. No string is built for a row or for the batch: a row's line built by
 * concatenation made a string for every value and another for the whole, about 2.5 KB of garbage a row.
 */
export class CopyText {
  #buffer = Buffer.allocUnsafe(COPY_BUFFER_BYTES);
  #length = 0;
  #rowStarted = false;

  /** Appends one value to the current row. */
  value(value: unknown): void {
    const text = copyValue(value);
    // UTF-8 takes at most 3 bytes for each UTF-16 unit, plus the separator.
    this.#reserve(text.length * 3 + 1);
    if (this.#rowStarted) this.#buffer[this.#length++] = TAB;
    this.#rowStarted = true;
    this.#length += this.#buffer.write(text, this.#length);
  }

  /** Ends the current row. */
  endRow(): void {
    this.#reserve(1);
    this.#buffer[this.#length++] = NEWLINE;
    this.#rowStarted = false;
  }

  /** The rows written so far (a view of the buffer, valid until the next write). */
  bytes(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#length + bytes));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }
}

const TAB = 9;
const NEWLINE = 10;

/** Rows (keyed by column name) as COPY text, in `columns` order. */
export function copyText(
  columns: readonly string[],
  rows: ReadonlyArray<Record<string, unknown>>,
): Uint8Array {
  const text = new CopyText();
  for (const row of rows) {
    for (const column of columns) text.value(row[column]);
    text.endRow();
  }
  return text.bytes();
}

/**
 * Most characters of JSON in one INSERT's parameter. Larger strings are allocated as large objects, which stay in
 * the heap's old generation until a full collection; under load that grew the heap by megabytes a second.
 */
const MAX_INSERT_CHARS = 64 * 1024;

/** JSON texts (one row each) in groups of at most `maxChars` characters as a JSON array (a longer row alone). */
function jsonGroups(rows: readonly string[], maxChars = MAX_INSERT_CHARS): string[][] {
  const groups: string[][] = [];
  let parts: string[] = [];
  let size = 0;
  for (const json of rows) {
    if (parts.length > 0 && size + json.length + 1 > maxChars) {
      groups.push(parts);
      parts = [];
      size = 0;
    }
    parts.push(json);
    size += json.length + 1;
  }
  if (parts.length > 0) groups.push(parts);
  return groups;
}

const jsonArray = (rows: readonly string[]) => `[${rows.join(',')}]`;

/** JSON texts (one row each) as JSON arrays of at most `maxChars` characters each (a longer row alone). */
export function jsonPieces(rows: readonly string[], maxChars = MAX_INSERT_CHARS): string[] {
  return jsonGroups(rows, maxChars).map(jsonArray);
}

/**
 * Between batches, requests get at least as much time as the batch took (up to 50 ms): a backlog is stored at no
 * more than half of the event loop, in slices, rather than in one burst that queues every request behind it.
 */
const pause = (batchMs: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.min(50, Math.ceil(batchMs))));

type Table = 'usage_records' | 'request_captures';

/** What one statement (or a few, for an INSERT) stores: COPY text, or spool lines as JSON arrays. */
type PreparedBatch =
  | { table: Table; groups: string[][]; copy?: undefined }
  | { table: Table; copy: Uint8Array; groups?: undefined };

/** Whether a usage record carries its cost (the data plane priced it as it wrote it). */
const isPriced = (record: UsageRecord) => record.costUsd !== undefined;

/**
 * Whether a spool line is a priced usage record, told without parsing it: the `"costUsd":` key. In JSON text every
 * quote inside a string is escaped, so the quoted name followed by a colon occurs only as a key, and no nested
 * object of a record (attempts, route) has that key.
 */
const PRICED_KEY = '"costUsd":';
const CAPTURE_START = '{"kind":"capture"';

/** `usage_records`' fields in column order. */
const USAGE_FIELDS = COLUMNS.map(([key]) => key);

/**
 * A usage record as one row of `usage_records` in COPY text, written straight from the record: its own cost, or
 * `price` when it has none (a line written before requests were priced as they were served).
 */
export function writeUsageRow(
  text: CopyText,
  record: UsageRecord,
  price: Pick<UsageRecord, 'costUsd' | 'priceWarning'> = record,
): void {
  const values = record as unknown as Record<string, unknown>;
  for (const field of USAGE_FIELDS) {
    text.value(
      field === 'costUsd'
        ? (price.costUsd ?? null)
        : field === 'priceWarning'
          ? (price.priceWarning ?? null)
          : field === 'usageEstimated'
            ? values.usageEstimated === true
            : values[field],
    );
  }
  text.endRow();
}

const isCapture = (line: SpoolLine): line is CaptureRecord => 'kind' in line && line.kind === 'capture';

/** The SQLSTATE of text PostgreSQL could not read as the type asked (here: a spool line that is not JSON). */
const INVALID_TEXT = '22P02';

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
  readonly #idleCheckMs: number;
  readonly #defaultPrices: boolean;
  readonly #configVersion: (() => number | undefined) | undefined;
  readonly #quiet: (() => Promise<void>) | undefined;
  readonly #quietWaitMs: number;
  /** The price book and the configuration version it was read at. */
  #book: { version: number; book: StoredPriceBook } | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The timer is set for `intervalMs` (a run is due for lines appended), not for the idle check. */
  #soon = false;
  #stopped = false;
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
    idleCheckMs?: number;
    /** Price rows without an operator's price from the default table shipped with Junction (default true). */
    defaultPrices?: boolean;
    /**
     * The stored configuration's version as this process knows it, when no other process can change it (the
     * embedded store); otherwise, or while it is undefined, the drainer reads the version from the store.
     */
    configVersion?: () => number | undefined;
    /**
     * Resolves when no request is being served (the data plane's `whenIdle`): a scheduled run waits for it, up to
     * `quietWaitMs` (default 100 ms), since the embedded store works on the thread that serves requests.
     */
    quiet?: () => Promise<void>;
    quietWaitMs?: number;
  }) {
    this.dir = options.dir;
    this.#reader = new SpoolReader(options.dir);
    this.#db = options.db;
    this.#copyRows = options.copyRows;
    this.#logger = options.logger;
    this.#intervalMs = options.intervalMs ?? DRAIN_INTERVAL_MS;
    this.#idleCheckMs = options.idleCheckMs ?? IDLE_CHECK_MS;
    this.#defaultPrices = options.defaultPrices ?? true;
    this.#configVersion = options.configVersion;
    this.#quiet = options.quiet;
    this.#quietWaitMs = options.quietWaitMs ?? QUIET_WAIT_MS;
  }

  async start(): Promise<void> {
    await this.drain();
    if (!this.#timer) this.#arm(this.#reader.pending() ? this.#intervalMs : this.#idleCheckMs);
  }

  /**
   * Lines were appended in this process: a run follows within `intervalMs`. Called on every append, so it costs one
   * field read while a run is already due.
   */
  wake(): void {
    if (this.#soon || this.#stopped) return;
    clearTimeout(this.#timer);
    this.#arm(this.#intervalMs);
  }

  #arm(ms: number): void {
    this.#soon = ms === this.#intervalMs;
    this.#timer = setTimeout(this.#tick, ms);
    this.#timer.unref();
  }

  /** A scheduled run; then another soon while lines are left (a backlog, a store that refused), else the idle check. */
  readonly #tick = (): void => {
    this.#timer = undefined;
    this.#soon = false;
    void (this.#running ?? this.drain({ paced: true })).finally(() => {
      if (this.#stopped || this.#timer) return;
      let left = true;
      try {
        left = this.#reader.pending();
      } catch {
        // The folder could not be read: looked at again soon.
      }
      this.#arm(left ? this.#intervalMs : this.#idleCheckMs);
    });
  };

  /**
   * Stores everything the spool holds now, lines written before the call included; runs never overlap. `paced`
   * (the schedule, while requests are served) first waits for a quiet moment (see `quiet`), then leaves requests
   * at least as much time as each batch took; at start, at shutdown and when asked it runs at once.
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
        for (let first = true; ; first = false) {
          if (!this.#reader.pending()) break;
          if (first && options.paced) await this.#quietMoment();
          const startedAt = performance.now();
          const { lines, next } = this.#reader.readText(BATCH);
          const count = lines.length;
          if (count > 0 && !(await this.#store(lines))) {
            // The batch holds a row stored already: read the same lines again (and any written since, stored again
            // by a later run without harm) and store them idempotently.
            await this.#store(this.#reader.readText(BATCH).lines, true);
          }
          if (next) this.#reader.commit(next);
          if (count < BATCH) break;
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

  /** Waits until no request is in flight, or `quietWaitMs` at most. */
  async #quietMoment(): Promise<void> {
    if (!this.#quiet) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#quiet(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.#quietWaitMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Stops the schedule after storing what the spool holds. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
    await this.drain();
  }

  /**
   * The price book, for lines written before requests were priced as they were served (after an upgrade, what the
   * previous version left in the spool); read again from the store only when the configuration version moved
   * (every change to a price or a provider entry goes through the publisher, which bumps it in the same
   * transaction).
   */
  async #priceBook(): Promise<StoredPriceBook> {
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

  /**
   * Stores lines read from the spool, and empties `lines`. The embedded store appends with COPY, which needs each
   * line parsed; PostgreSQL takes priced lines as they were written (see `insertFromJson`), and only a line without
   * its cost is parsed and priced here. Everything is turned into what is sent before the first wait, so the parsed
   * records are garbage by then: held across a store's round trips, a batch of them outlived the young generation's
   * collections and was promoted, which grew the heap under load. Resolves false when a COPY found a row already
   * stored (nothing of that statement was kept): the caller stores the batch again with `insertOnly`.
   */
  async #store(lines: string[], insertOnly = false): Promise<boolean> {
    const copy = Boolean(this.#copyRows) && !insertOnly;
    const batches = copy ? await this.#prepareCopy(lines) : await this.#prepareInsert(lines);
    lines.length = 0;
    for (const batch of batches) {
      // Reading and preparing took about as long as the append will: requests get a turn in between.
      if (batch.table === 'usage_records') await new Promise((resolve) => setImmediate(resolve));
      if (!(await this.#insert(batch))) return false;
    }
    return true;
  }

  /** COPY text of the usage records and of the captures among `lines`. */
  async #prepareCopy(lines: readonly string[]): Promise<PreparedBatch[]> {
    const records: UsageRecord[] = [];
    const captures: CaptureRecord[] = [];
    for (const line of parseLines(lines)) {
      if (isCapture(line)) captures.push(line);
      else records.push(line);
    }
    const book = records.every(isPriced) ? undefined : await this.#priceBook();
    const batches: PreparedBatch[] = [];
    if (records.length > 0) {
      const text = new CopyText();
      for (const record of records)
        writeUsageRow(text, record, book && !isPriced(record) ? priceRecord(book, record) : record);
      batches.push({ table: 'usage_records', copy: text.bytes() });
    }
    if (captures.length > 0) {
      const columns = CAPTURE_COLUMNS.map(([, column]) => column);
      batches.push({
        table: 'request_captures',
        copy: copyText(
          columns,
          captures.map((capture) => rowOf(CAPTURE_COLUMNS, capture)),
        ),
      });
    }
    return batches;
  }

  /**
   * JSON arrays of the usage lines and of the capture lines, for the INSERT. A priced usage line and a capture line
   * go as written (a priced record always has the key); any other is parsed (a torn one dropped) and, a usage
   * record, priced and written again.
   */
  async #prepareInsert(lines: readonly string[]): Promise<PreparedBatch[]> {
    const usage: string[] = [];
    const captures: string[] = [];
    const unpriced: UsageRecord[] = [];
    for (const line of lines) {
      if (line.startsWith(CAPTURE_START)) captures.push(line);
      else if (line.includes(PRICED_KEY)) usage.push(line);
      else {
        const [parsed] = parseLines([line]);
        if (!parsed) continue;
        if (isCapture(parsed)) captures.push(line);
        else unpriced.push(parsed);
      }
    }
    if (unpriced.length > 0) {
      const book = await this.#priceBook();
      for (const record of unpriced) {
        const { costUsd, priceWarning } = priceRecord(book, record);
        usage.push(JSON.stringify({ ...record, costUsd, priceWarning }));
      }
    }
    const batches: PreparedBatch[] = [];
    if (usage.length > 0) batches.push({ table: 'usage_records', groups: jsonGroups(usage) });
    if (captures.length > 0) batches.push({ table: 'request_captures', groups: jsonGroups(captures) });
    return batches;
  }

  /**
   * One statement per batch. The embedded store appends with COPY, which fails as a whole on a batch holding an
   * id already stored (lines read again after a crash between storing and checkpointing): false, and the caller
   * stores it with the idempotent INSERT instead, which PostgreSQL always uses: the lines as one JSON parameter
   * (`insertFromJson`), since binding parameters per row costs several times more, in statements of at most
   * `MAX_INSERT_CHARS` each. A piece PostgreSQL cannot read as JSON (a line a crash tore, then completed by a
   * later write) is sent again without the lines that do not parse.
   */
  async #insert(batch: PreparedBatch): Promise<boolean> {
    if (batch.copy) {
      const columns = (batch.table === 'usage_records' ? COLUMNS : CAPTURE_COLUMNS).map(
        ([, column]) => column,
      );
      try {
        await this.#copyRows!(batch.table, columns, batch.copy);
        return true;
      } catch (error) {
        if (sqlState(error) === UNIQUE_VIOLATION) return false;
        throw error;
      }
    }
    const statement = batch.table === 'usage_records' ? INSERT_USAGE : INSERT_CAPTURES;
    for (const rows of batch.groups) {
      try {
        await this.#db.execute(statement(jsonArray(rows)));
      } catch (error) {
        if (sqlState(error) !== INVALID_TEXT) throw error;
        const valid = rows.filter((row) => parseLines([row]).length === 1);
        if (valid.length === rows.length) throw error;
        if (valid.length > 0) await this.#db.execute(statement(jsonArray(valid)));
      }
    }
    return true;
  }
}
