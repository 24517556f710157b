/**
 * The price book and what it says of usage rows: prices per logical model or per deployment, from a date on; a
 * usage row is priced with the deployment's price in effect at its time, else its model's, else the price Junction
 * ships for its provider type and upstream model (`core/pricing/default-prices.json`, unless turned off), else it
 * stays unpriced with a warning (never a silent $0). Correcting a price can re-price the rows of a period.
 */
import { and, asc, eq, gte, lt } from 'drizzle-orm';
import { GatewayError } from '../../core/errors/gateway-error.js';
import type { DatedPrice, PriceBook } from '../../core/pricing/book.js';
import { isPriceText } from '../../core/pricing/cost.js';
import { defaultPrices } from '../../core/pricing/defaults.js';
import { priceUsage, type UsagePrice } from '../../core/pricing/price-usage.js';
import type { Database } from '../../store/database.js';
import { prices, providers, usageRecords } from '../../store/schema.js';
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

/** The shipped default price table (optionally for one provider type or upstream model), as the admin API shows it. */
export function listDefaultPrices(filter: { providerType?: string; model?: string } = {}) {
  return defaultPrices
    .filter((price) => !filter.providerType || price.providerType === filter.providerType)
    .filter((price) => !filter.model || price.model === filter.model)
    .map((price) => ({
      providerType: price.providerType,
      model: price.model,
      effectiveFrom: price.effectiveFrom,
      input: price.input,
      cachedInput: price.cachedInput ?? null,
      cacheWrite: price.cacheWrite ?? null,
      output: price.output,
      reasoning: price.reasoning ?? null,
      source: price.source,
      note: price.note ?? null,
    }));
}

/**
 * The price book for pricing many rows at once: stored prices as the data plane's snapshot holds them and, unless
 * the shipped defaults are turned off, each provider entry's type (the defaults are keyed by it).
 */
export interface StoredPriceBook extends PriceBook {
  /** Provider id → provider type; absent when the shipped default prices are not used. */
  providerTypes?: Map<string, string>;
}

export interface PriceBookOptions {
  /** Fall back to the default prices shipped with Junction (JUNCTION_DEFAULT_PRICES); on by default. */
  defaults?: boolean;
}

export async function loadPriceBook(db: Database, options: PriceBookOptions = {}): Promise<StoredPriceBook> {
  const deployments = new Map<string, DatedPrice[]>();
  const models = new Map<string, DatedPrice[]>();
  for (const row of await db.select().from(prices).orderBy(asc(prices.effectiveFrom))) {
    const book = row.scope === 'deployment' ? deployments : models;
    const list = book.get(row.target) ?? [];
    list.push({
      effectiveFrom: row.effectiveFrom.toISOString(),
      input: row.input,
      output: row.output,
      ...(row.cachedInput ? { cachedInput: row.cachedInput } : {}),
      ...(row.cacheWrite ? { cacheWrite: row.cacheWrite } : {}),
      ...(row.reasoning ? { reasoning: row.reasoning } : {}),
    });
    book.set(row.target, list);
  }
  if (options.defaults === false) return { deployments, models };
  const types = await db.select({ id: providers.id, type: providers.type }).from(providers);
  return { deployments, models, providerTypes: new Map(types.map((row) => [row.id, row.type])) };
}

type Priceable = Pick<
  UsageRecord,
  | 'at'
  | 'model'
  | 'modelVersion'
  | 'backend'
  | 'providerId'
  | 'promptTokens'
  | 'completionTokens'
  | 'cachedTokens'
  | 'cacheWriteTokens'
  | 'reasoningTokens'
>;

/** The upstream model of a backend (`<provider id>/<upstream model>`; the model name may itself contain `/`). */
function upstreamModel(backend: string, providerId: string): string | undefined {
  return backend.startsWith(`${providerId}/`) ? backend.slice(providerId.length + 1) : undefined;
}

/**
 * A stored row's cost (USD, 12 decimals) and, when it has none, why, by the rules the data plane prices requests
 * with (`priceUsage`); `priceSource` says where the price came from (not stored).
 */
export function priceRecord(book: StoredPriceBook, record: Priceable): UsagePrice {
  const type =
    book.providerTypes && record.providerId ? book.providerTypes.get(record.providerId) : undefined;
  const upstream =
    type && record.backend && record.providerId
      ? upstreamModel(record.backend, record.providerId)
      : undefined;
  return priceUsage(book, {
    ...record,
    shipped: type && upstream ? { providerType: type, upstreamModel: upstream } : undefined,
  });
}

/** Whether two amounts are equal, whatever trailing zeros the store kept (PGlite drops them, PostgreSQL keeps 12). */
export function sameUsd(a: string | null, b: string | null): boolean {
  const trim = (value: string) => value.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  return a === null || b === null ? a === b : trim(a) === trim(b);
}

/** Re-prices the usage rows of `[from, to)` with the price book as it is now; returns how many changed. */
export async function repriceUsage(
  db: Database,
  from: string,
  to: string,
  options: PriceBookOptions = {},
): Promise<{ repriced: number }> {
  if (!(Date.parse(from) < Date.parse(to))) {
    throw new GatewayError('invalid_request', '`from` must be a date-time before `to`');
  }
  const book = await loadPriceBook(db, options);
  const rows = await db
    .select()
    .from(usageRecords)
    .where(and(gte(usageRecords.at, new Date(from)), lt(usageRecords.at, new Date(to))));
  let repriced = 0;
  for (const row of rows) {
    const { costUsd, priceWarning } = priceRecord(book, { ...row, at: row.at.toISOString() });
    if (sameUsd(costUsd, row.costUsd) && priceWarning === row.priceWarning) continue;
    await db.update(usageRecords).set({ costUsd, priceWarning }).where(eq(usageRecords.id, row.id));
    repriced++;
  }
  return { repriced };
}
