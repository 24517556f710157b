/**
 * The price book and what it says of usage rows: prices per logical model or per deployment, from a date on; a
 * usage row is priced with the deployment's price in effect at its time, else its model's, else it stays unpriced
 * with a warning (never a silent $0). Correcting a price can re-price the rows of a period.
 */
import { and, asc, eq, gte, lt } from 'drizzle-orm';
import { GatewayError } from '../../core/errors/gateway-error.js';
import { costPico, isPriceText, type Price, picoToUsd, priceAt } from '../../core/pricing/cost.js';
import type { Database } from '../../store/database.js';
import { prices, usageRecords } from '../../store/schema.js';
import type { UsageRecord } from '../../usage/record.js';
import { notFound } from './store-errors.js';
import { newId } from './teams-and-keys.js';

type PriceRow = typeof prices.$inferSelect;

export interface PriceInput {
  scope: 'model' | 'deployment';
  target: string;
  effectiveFrom?: string;
  input: string;
  cachedInput?: string | null;
  cacheWrite?: string | null;
  output: string;
  reasoning?: string | null;
  note?: string | null;
}

export function priceView(row: PriceRow) {
  return {
    id: row.id,
    scope: row.scope as 'model' | 'deployment',
    target: row.target,
    effectiveFrom: row.effectiveFrom.toISOString(),
    input: row.input,
    cachedInput: row.cachedInput,
    cacheWrite: row.cacheWrite,
    output: row.output,
    reasoning: row.reasoning,
    note: row.note,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function listPrices(db: Database, filter: { scope?: string; target?: string } = {}) {
  const conditions = [
    ...(filter.scope ? [eq(prices.scope, filter.scope)] : []),
    ...(filter.target ? [eq(prices.target, filter.target)] : []),
  ];
  const rows = await db
    .select()
    .from(prices)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(asc(prices.scope), asc(prices.target), asc(prices.effectiveFrom));
  return rows.map(priceView);
}

export async function createPrice(db: Database, input: PriceInput) {
  for (const field of ['input', 'cachedInput', 'cacheWrite', 'output', 'reasoning'] as const) {
    const value = input[field];
    if (value !== undefined && value !== null && !isPriceText(value)) {
      throw new GatewayError(
        'invalid_request',
        `${field} must be USD per million tokens as a decimal with at most 6 decimals, like "2.50"`,
        { details: [{ path: field, message: 'not a price' }] },
      );
    }
  }
  const [row] = await db
    .insert(prices)
    .values({
      id: newId('price'),
      scope: input.scope,
      target: input.target,
      effectiveFrom: input.effectiveFrom ? new Date(input.effectiveFrom) : new Date(0),
      input: input.input,
      cachedInput: input.cachedInput ?? null,
      cacheWrite: input.cacheWrite ?? null,
      output: input.output,
      reasoning: input.reasoning ?? null,
      note: input.note ?? null,
    })
    .returning();
  return priceView(row!);
}

export async function deletePrice(db: Database, id: string): Promise<void> {
  const deleted = await db.delete(prices).where(eq(prices.id, id)).returning({ id: prices.id });
  if (deleted.length === 0) throw notFound('Price', id);
}

/** Prices by `<scope>:<target>`, each list in date order, for pricing many rows at once. */
export async function loadPriceBook(db: Database): Promise<PriceBook> {
  const book: PriceBook = new Map();
  for (const row of await db.select().from(prices).orderBy(asc(prices.effectiveFrom))) {
    const key = `${row.scope}:${row.target}`;
    const list = book.get(key) ?? [];
    list.push({
      effectiveFrom: row.effectiveFrom.toISOString(),
      input: row.input,
      output: row.output,
      ...(row.cachedInput ? { cachedInput: row.cachedInput } : {}),
      ...(row.cacheWrite ? { cacheWrite: row.cacheWrite } : {}),
      ...(row.reasoning ? { reasoning: row.reasoning } : {}),
    });
    book.set(key, list);
  }
  return book;
}

export type PriceBook = Map<string, Array<Price & { effectiveFrom: string }>>;

type Priceable = Pick<
  UsageRecord,
  | 'at'
  | 'model'
  | 'backend'
  | 'promptTokens'
  | 'completionTokens'
  | 'cachedTokens'
  | 'cacheWriteTokens'
  | 'reasoningTokens'
>;

/** A row's cost (USD, 12 decimals) and, when it has none, why. */
export function priceRecord(
  book: PriceBook,
  record: Priceable,
): { costUsd: string | null; priceWarning: string | null } {
  if (record.promptTokens === null && record.completionTokens === null)
    return { costUsd: null, priceWarning: null };
  const price =
    (record.backend ? priceAt(book.get(`deployment:${record.backend}`) ?? [], record.at) : undefined) ??
    (record.model ? priceAt(book.get(`model:${record.model}`) ?? [], record.at) : undefined);
  if (!price) {
    return {
      costUsd: null,
      priceWarning: `No price for ${record.backend ?? record.model ?? 'this request'} at ${record.at}`,
    };
  }
  const pico = costPico(
    {
      promptTokens: record.promptTokens ?? 0,
      completionTokens: record.completionTokens ?? 0,
      cachedTokens: record.cachedTokens ?? 0,
      cacheWriteTokens: record.cacheWriteTokens ?? 0,
      reasoningTokens: record.reasoningTokens ?? 0,
    },
    price,
  );
  return { costUsd: picoToUsd(pico), priceWarning: null };
}

/** Whether two amounts are equal, whatever trailing zeros the store kept (PGlite drops them, PostgreSQL keeps 12). */
export function sameUsd(a: string | null, b: string | null): boolean {
  const trim = (value: string) => value.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  return a === null || b === null ? a === b : trim(a) === trim(b);
}

/** Re-prices the usage rows of `[from, to)` with the price book as it is now; returns how many changed. */
export async function repriceUsage(db: Database, from: string, to: string): Promise<{ repriced: number }> {
  if (!(Date.parse(from) < Date.parse(to))) {
    throw new GatewayError('invalid_request', '`from` must be a date-time before `to`');
  }
  const book = await loadPriceBook(db);
  const rows = await db
    .select()
    .from(usageRecords)
    .where(and(gte(usageRecords.at, new Date(from)), lt(usageRecords.at, new Date(to))));
  let repriced = 0;
  for (const row of rows) {
    const priced = priceRecord(book, { ...row, at: row.at.toISOString() });
    if (sameUsd(priced.costUsd, row.costUsd) && priced.priceWarning === row.priceWarning) continue;
    await db.update(usageRecords).set(priced).where(eq(usageRecords.id, row.id));
    repriced++;
  }
  return { repriced };
}
