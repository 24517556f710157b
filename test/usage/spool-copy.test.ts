/**
 * The embedded store appends drained usage rows with COPY: every value arrives as the idempotent INSERT would
 * store it (tabs, newlines, backslashes, quotes and non-ASCII text in names and in the JSON columns included),
 * and a batch holding a row already stored is stored by the INSERT instead, adding nothing twice. On its schedule
 * the drainer stores a backlog in slices, leaving the event loop to requests between batches; asked while a run is
 * under way, it also stores what was written after that run read the spool.
 */
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopyText, copyText, jsonPieces, UsageDrainer } from '../../src/management/usage/drain.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { Store } from '../../src/store/database.js';
import { usageRecords } from '../../src/store/schema.js';
import type { UsageRecord } from '../../src/usage/record.js';
import { SpoolWriter } from '../../src/usage/spool.js';
import { openEmbeddedTestStore, openTestStore, storeKinds } from '../support/stores.js';

const NASTY = 'tab\there, line\nbreak, cr\r, back\\slash \\N \\t, "quoted", é, 日本, 😀';

function record(id: string, overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    id,
    requestId: `req-${id}`,
    at: '2026-11-22T10:00:00.123Z',
    keyId: 'key_1',
    teamId: 'team_1',
    environment: 'production',
    endpoint: 'chat',
    requestedModel: NASTY,
    model: 'm',
    modelVersion: null,
    backend: 'up/u',
    providerId: 'up',
    attempts: [
      { backend: 'up/u', outcome: NASTY, status: 502 },
      { backend: 'up/u2', outcome: 'ok' },
    ],
    route: {
      rule: NASTY,
      planned: ['up/u', 'up/u2'],
      excluded: [{ target: 'x', reason: 'r', detail: NASTY }],
    },
    status: 200,
    outcome: 'complete',
    errorCode: NASTY,
    stream: true,
    promptTokens: 120,
    completionTokens: 30,
    cachedTokens: 0,
    cacheWriteTokens: null,
    reasoningTokens: null,
    usageEstimated: false,
    latencyMs: 12,
    firstByteMs: null,
    ...overrides,
  };
}

describe('usage rows appended with COPY (embedded store)', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openEmbeddedTestStore();
  });
  afterAll(async () => {
    await store?.close();
  });

  /** A spool and its drainer, appending with COPY or not; `beforeAppend` runs before each COPY. */
  const drainer = (
    copy: boolean,
    beforeAppend?: () => unknown,
    options: { quiet?: () => Promise<void>; quietWaitMs?: number } = {},
  ) => {
    const dir = mkdtempSync(join(tmpdir(), 'junction-spool-copy-'));
    const copyRows: Store['copyRows'] = async (table, columns, text) => {
      await beforeAppend?.();
      await store.copyRows!(table, columns, text);
    };
    return {
      spool: new SpoolWriter(dir),
      drainer: new UsageDrainer({
        dir,
        db: store.db,
        logger: silentLogger(),
        ...options,
        ...(copy ? { copyRows } : {}),
      }),
    };
  };
  const stored = async () => {
    const rows = await store.db.select().from(usageRecords);
    return new Map(rows.map((row) => [row.id, row]));
  };

  it('writes COPY text into one growing buffer, byte for byte, multi-byte characters included', () => {
    const values = [`a\t${NASTY}`, '', 'x'.repeat(70_000), 'é😀', null, 7];
    const text = new CopyText();
    for (const value of values) text.value(value);
    text.endRow();
    text.value('second');
    text.endRow();
    const expected = `a\\t${NASTY.replaceAll('\\', '\\\\').replaceAll('\t', '\\t').replaceAll('\n', '\\n').replaceAll('\r', '\\r')}\t\t${'x'.repeat(70_000)}\té😀\t\\N\t7\nsecond\n`;
    expect(Buffer.from(text.bytes()).toString('utf8')).toBe(expected);
    expect(text.bytes().byteLength).toBe(Buffer.byteLength(expected));
    expect(new CopyText().bytes().byteLength).toBe(0);
  });

  it('writes COPY text with nulls, booleans, JSON and escapes', () => {
    const text = copyText(
      ['a', 'b', 'c', 'd', 'e'],
      [
        { a: null, b: true, c: 1.5, d: { k: 'x\ty' }, e: 'p\\q\nr' },
        { a: 'x', b: false, c: 0 },
      ],
    );
    expect(Buffer.from(text).toString('utf8')).toBe(
      '\\N\tt\t1.5\t{"k":"x\\\\ty"}\tp\\\\q\\nr\nx\tf\t0\t\\N\t\\N\n',
    );
  });

  it('splits rows for INSERT into JSON arrays of bounded size, a longer row alone', () => {
    const rows = [{ a: 'x'.repeat(10) }, { a: 'y'.repeat(10) }, { a: 'z'.repeat(50) }, { a: 1 }];
    const pieces = jsonPieces(
      rows.map((row) => JSON.stringify(row)),
      40,
    );
    expect(pieces.map((piece) => JSON.parse(piece))).toEqual([[rows[0], rows[1]], [rows[2]], [rows[3]]]);
    expect(pieces.flatMap((piece) => JSON.parse(piece) as unknown[])).toEqual(rows);
    expect(jsonPieces([])).toEqual([]);
  });

  it('stores every value as the INSERT path does', async () => {
    expect(store.copyRows).toBeTypeOf('function');
    const copied = drainer(true);
    const inserted = drainer(false);
    copied.spool.append(record('by-copy'));
    copied.spool.append(
      record('by-copy-2', { route: null, stream: false, usageEstimated: true, errorCode: null }),
    );
    inserted.spool.append(record('by-insert'));
    inserted.spool.append(
      record('by-insert-2', { route: null, stream: false, usageEstimated: true, errorCode: null }),
    );
    await copied.drainer.drain();
    await inserted.drainer.drain();
    const rows = await stored();
    for (const [a, b] of [
      ['by-copy', 'by-insert'],
      ['by-copy-2', 'by-insert-2'],
    ] as const) {
      const { id: _a, requestId: _ra, ...fromCopy } = rows.get(a)!;
      const { id: _b, requestId: _rb, ...fromInsert } = rows.get(b)!;
      expect(fromCopy).toEqual(fromInsert);
    }
    const row = rows.get('by-copy')!;
    expect(row.requestedModel).toBe(NASTY);
    expect(row.errorCode).toBe(NASTY);
    expect(row.route?.excluded[0]?.detail).toBe(NASTY);
    expect(row.attempts[0]?.outcome).toBe(NASTY);
    expect(row.at.toISOString()).toBe('2026-11-22T10:00:00.123Z');
    expect(row.stream).toBe(true);
    expect(rows.get('by-copy-2')?.usageEstimated).toBe(true);
  });

  it('stores a priced line with its own cost, and prices a line written without one', async () => {
    for (const copy of [true, false]) {
      const { spool, drainer: usage } = drainer(copy);
      const tag = copy ? 'copy' : 'insert';
      // The data plane's lines carry their cost; a price the store does not know proves it is not re-priced.
      spool.append(record(`priced-${tag}`, { costUsd: '0.000123456789', priceWarning: null }));
      spool.append(
        record(`warned-${tag}`, {
          costUsd: null,
          priceWarning: 'No price for up/u at 2026-11-22T10:00:00.123Z',
        }),
      );
      spool.append(
        record(`untokened-${tag}`, {
          costUsd: null,
          priceWarning: null,
          promptTokens: null,
          completionTokens: null,
        }),
      );
      // A line from before requests were priced as they were served: priced here (nothing prices `up/u`).
      spool.append(record(`old-${tag}`));
      await usage.drain();
      const rows = await stored();
      expect(Number(rows.get(`priced-${tag}`)?.costUsd)).toBe(0.000123456789);
      expect(rows.get(`priced-${tag}`)?.priceWarning).toBeNull();
      expect(rows.get(`warned-${tag}`)?.costUsd).toBeNull();
      expect(rows.get(`warned-${tag}`)?.priceWarning).toBe('No price for up/u at 2026-11-22T10:00:00.123Z');
      expect(rows.get(`untokened-${tag}`)?.priceWarning).toBeNull();
      expect(rows.get(`old-${tag}`)?.costUsd).toBeNull();
      expect(rows.get(`old-${tag}`)?.priceWarning).toBe('No price for up/u at 2026-11-22T10:00:00.123Z');
      expect(rows.get(`old-${tag}`)?.route?.excluded[0]?.detail).toBe(NASTY);
    }
  });

  it('stores a batch holding an id already stored without a second row, and keeps the new ones', async () => {
    const { spool, drainer: copying } = drainer(true);
    spool.append(record('dup-1'));
    await copying.drain();
    spool.append(record('dup-2'));
    spool.append(record('dup-1', { status: 500 }));
    spool.append(record('dup-3'));
    await copying.drain();
    const rows = await stored();
    expect(rows.get('dup-1')?.status).toBe(200);
    expect(rows.has('dup-2')).toBe(true);
    expect(rows.has('dup-3')).toBe(true);
    // Everything is checkpointed: a further drain finds nothing to store.
    expect(copying.dir).toBeTruthy();
    spool.append(record('dup-4'));
    await copying.drain();
    expect((await stored()).has('dup-4')).toBe(true);
  });

  it('lets the event loop run between batches when paced, and stores everything', async () => {
    const { spool, drainer: paced } = drainer(true);
    for (let i = 0; i < 1000; i++) spool.append(record(`paced-${i}`));
    let turns = 0;
    let ticking = true;
    const tick = () => {
      turns += 1;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    await paced.drain({ paced: true });
    ticking = false;
    // 1,000 lines are four batches of 250: requests got turns between each of them.
    expect(turns).toBeGreaterThanOrEqual(3);
    const rows = await stored();
    for (let i = 0; i < 1000; i++) expect(rows.has(`paced-${i}`)).toBe(true);
  });

  it('stores, when asked during a run, the lines written after that run read the spool', async () => {
    // A slow store: the run reads its one batch, then waits on the store while the next line is written.
    const { spool, drainer: usage } = drainer(true, () => new Promise((resolve) => setTimeout(resolve, 50)));
    for (let i = 0; i < 100; i++) spool.append(record(`during-${i}`));
    const first = usage.drain({ paced: true });
    await new Promise((resolve) => setImmediate(resolve));
    spool.append(record('written-during-the-run'));
    await usage.drain();
    await first;
    const rows = await stored();
    expect(rows.has('written-during-the-run')).toBe(true);
    expect(rows.has('during-99')).toBe(true);
  });

  it('gives pending I/O a turn between preparing the rows and appending them', async () => {
    const order: string[] = [];
    const { spool, drainer: usage } = drainer(true, () => order.push('append'));
    spool.append(record('turn-1'));
    const run = usage.drain();
    setImmediate(() => order.push('a request'));
    await run;
    expect(order).toEqual(['a request', 'append']);
    expect((await stored()).has('turn-1')).toBe(true);
  });

  it('on its schedule, waits for a moment with no request in flight before storing', async () => {
    let quiet!: () => void;
    const gate = new Promise<void>((resolve) => {
      quiet = resolve;
    });
    const { spool, drainer: usage } = drainer(true, undefined, { quiet: () => gate, quietWaitMs: 10_000 });
    spool.append(record('quiet-1'));
    let done = false;
    const run = usage.drain({ paced: true }).then(() => {
      done = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(done).toBe(false);
    expect((await stored()).has('quiet-1')).toBe(false);
    quiet();
    await run;
    expect((await stored()).has('quiet-1')).toBe(true);
  });

  it('stores after quietWaitMs when requests never stop, and at once when asked', async () => {
    const never = () => new Promise<void>(() => {});
    const { spool, drainer: usage } = drainer(true, undefined, { quiet: never, quietWaitMs: 100 });
    spool.append(record('busy-1'));
    const started = performance.now();
    await usage.drain({ paced: true });
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    expect((await stored()).has('busy-1')).toBe(true);

    const { spool: other, drainer: asked } = drainer(true, undefined, { quiet: never, quietWaitMs: 60_000 });
    other.append(record('asked-1'));
    // Unpaced (start, shutdown, a caller's request): no wait at all.
    await asked.drain();
    expect((await stored()).has('asked-1')).toBe(true);
  });
});

const kinds = await storeKinds();

describe.each(kinds)('usage rows stored with INSERT (%s store)', (kind) => {
  let store: Store;
  beforeAll(async () => {
    store = await openTestStore(kind);
  });
  afterAll(async () => {
    await store?.close();
  });
  const inserting = () => {
    const dir = mkdtempSync(join(tmpdir(), 'junction-spool-insert-'));
    return {
      spool: new SpoolWriter(dir),
      drainer: new UsageDrainer({ dir, db: store.db, logger: silentLogger() }),
    };
  };
  const storedRows = async () => {
    const rows = await store.db.select().from(usageRecords);
    return new Map(rows.map((row) => [row.id, row]));
  };

  it('stores priced lines as written, every value included', async () => {
    const { spool, drainer: usage } = inserting();
    spool.append(
      record('as-written', { costUsd: '0.000123456789', priceWarning: null, usageEstimated: true }),
    );
    await usage.drain();
    const row = (await storedRows()).get('as-written')!;
    expect(Number(row.costUsd)).toBe(0.000123456789);
    expect(row.requestedModel).toBe(NASTY);
    expect(row.route?.excluded[0]?.detail).toBe(NASTY);
    expect(row.attempts).toEqual(record('x').attempts);
    expect(row.at.toISOString()).toBe('2026-11-22T10:00:00.123Z');
    expect(row.usageEstimated).toBe(true);
    expect(row.cachedTokens).toBe(0);
    expect(row.cacheWriteTokens).toBeNull();
  });

  it('drops a line that is not JSON and stores the others of its statement', async () => {
    const { spool, drainer: usage } = inserting();
    spool.append(record('around-1', { costUsd: '0.000001000000', priceWarning: null }));
    // A line that looks priced but is not JSON (a torn write completed by a later one) goes to the store as is.
    appendFileSync(join(usage.dir, spool.currentFile), '{"id":"torn","costUsd":"0.1\n');
    spool.append(record('around-2', { costUsd: '0.000002000000', priceWarning: null }));
    await usage.drain();
    const rows = await storedRows();
    expect(rows.has('around-1')).toBe(true);
    expect(rows.has('around-2')).toBe(true);
    expect(rows.has('torn')).toBe(false);
    // Checkpointed past it: the next run stores only what is new.
    spool.append(record('around-3', { costUsd: '0.000003000000', priceWarning: null }));
    await usage.drain();
    expect((await storedRows()).has('around-3')).toBe(true);
  });
});
