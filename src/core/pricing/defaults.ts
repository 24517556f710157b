/**
 * The default price table shipped with Junction (`default-prices.json`): prices of widely used models as their
 * providers publish them, keyed by provider type and upstream model name (the name sent to the provider). The
 * price book falls back to it after an operator's deployment and model prices, which always win.
 *
 * Matching is exact: no aliases are guessed and no date suffixes are stripped. An Azure OpenAI entry is keyed by the
 * OpenAI model name, so it applies to a deployment whose upstream model name is that name.
 */
import type { ProviderType } from '../snapshot/source.js';
import { type Price, priceAt } from './cost.js';
import table from './default-prices.json' with { type: 'json' };

/** One shipped price: USD per million tokens from `effectiveFrom` (a `YYYY-MM-DD` date, UTC) on. */
export interface DefaultPrice extends Price {
  providerType: ProviderType;
  /** The upstream model name, matched exactly. */
  model: string;
  effectiveFrom: string;
  /** The provider's own pricing page the price was read on. */
  source: string;
  note?: string;
}

interface TableEntry {
  providerType: string;
  model: string;
  effectiveFrom: string;
  input: string;
  cachedInput: string | null;
  cacheWrite: string | null;
  output: string;
  reasoning: string | null;
  source: string;
  note?: string | null;
}

function entry(raw: TableEntry): DefaultPrice {
  return Object.freeze({
    providerType: raw.providerType as ProviderType,
    model: raw.model,
    effectiveFrom: raw.effectiveFrom,
    input: raw.input,
    ...(raw.cachedInput !== null ? { cachedInput: raw.cachedInput } : {}),
    ...(raw.cacheWrite !== null ? { cacheWrite: raw.cacheWrite } : {}),
    output: raw.output,
    ...(raw.reasoning !== null ? { reasoning: raw.reasoning } : {}),
    source: raw.source,
    ...(raw.note ? { note: raw.note } : {}),
  });
}

/** The whole shipped table, in file order. */
export const defaultPrices: readonly DefaultPrice[] = Object.freeze(
  (table.prices as TableEntry[]).map(entry),
);

const byModel = new Map<string, DefaultPrice[]>();
for (const price of defaultPrices) {
  const key = `${price.providerType}\u0000${price.model}`;
  byModel.set(key, [...(byModel.get(key) ?? []), price]);
}

/**
 * The shipped price in effect at `at` (an ISO time) for an upstream model of a provider type, or undefined.
 * `effectiveFrom` dates compare as the start of that day in UTC.
 */
export function defaultPrice(
  providerType: string,
  upstreamModel: string,
  at: string,
): DefaultPrice | undefined {
  return priceAt(byModel.get(`${providerType}\u0000${upstreamModel}`) ?? [], at);
}
