/**
 * What a request cost, as its usage record keeps it: the serving deployment's price in effect at the request's
 * time, else its logical model's (the version that served it, then the name asked for, should an operator have
 * priced an alias), else the price Junction ships for the provider type and upstream model (unless turned off),
 * else no cost and a warning saying so (never a silent $0). The data plane prices each record from its snapshot as
 * it writes it; re-pricing a period prices stored rows with the same rules from the store's prices.
 */
import type { PriceBook } from './book.js';
import { costPico, type Price, picoToUsd, priceAt } from './cost.js';
import { defaultPrice } from './defaults.js';

/** Where a price came from: an operator's deployment or model price, or the shipped default table. */
export type PriceSource = 'deployment' | 'model' | 'default';

/** What is priced: the request's time, what served it, and the token counts it reported (null: none). */
export interface PricedRequest {
  /** ISO time the request arrived. */
  at: string;
  /** The serving deployment (`<provider id>/<upstream model>`), or null when nothing answered. */
  backend: string | null;
  /** The logical model asked for (an alias, perhaps) and the version that served it; priced version first. */
  model: string | null;
  modelVersion: string | null;
  /** The provider type and upstream model, for the shipped default prices; absent when they do not apply. */
  shipped?: { providerType: string; upstreamModel: string } | undefined;
  promptTokens: number | null;
  completionTokens: number | null;
  cachedTokens: number | null;
  cacheWriteTokens: number | null;
  reasoningTokens: number | null;
}

export interface UsagePrice {
  /** USD with 12 decimals, or null when there are no tokens or no price. */
  costUsd: string | null;
  /** Why there is no cost although there are tokens. */
  priceWarning: string | null;
  priceSource: PriceSource | null;
}

/** The price in effect for a request and where it came from; operators' prices always win over the defaults. */
export function findPrice(
  book: PriceBook,
  request: Pick<PricedRequest, 'at' | 'backend' | 'model' | 'modelVersion' | 'shipped'>,
): { price: Price; source: PriceSource } | undefined {
  const { at } = request;
  const dated = request.backend ? book.deployments.get(request.backend) : undefined;
  const deployment = dated ? priceAt(dated, at) : undefined;
  if (deployment) return { price: deployment, source: 'deployment' };
  for (const name of request.modelVersion === request.model
    ? [request.model]
    : [request.modelVersion, request.model]) {
    const list = name ? book.models.get(name) : undefined;
    const model = list ? priceAt(list, at) : undefined;
    if (model) return { price: model, source: 'model' };
  }
  const shipped = request.shipped
    ? defaultPrice(request.shipped.providerType, request.shipped.upstreamModel, at)
    : undefined;
  return shipped ? { price: shipped, source: 'default' } : undefined;
}

/** A request's cost and, when it has none although it reported tokens, why. */
export function priceUsage(book: PriceBook, request: PricedRequest): UsagePrice {
  if (request.promptTokens === null && request.completionTokens === null)
    return { costUsd: null, priceWarning: null, priceSource: null };
  const found = findPrice(book, request);
  if (!found) {
    return {
      costUsd: null,
      priceWarning: `No price for ${request.backend ?? request.model ?? 'this request'} at ${request.at}`,
      priceSource: null,
    };
  }
  const pico = costPico(
    {
      promptTokens: request.promptTokens ?? 0,
      completionTokens: request.completionTokens ?? 0,
      cachedTokens: request.cachedTokens ?? 0,
      cacheWriteTokens: request.cacheWriteTokens ?? 0,
      reasoningTokens: request.reasoningTokens ?? 0,
    },
    found.price,
  );
  return { costUsd: picoToUsd(pico), priceWarning: null, priceSource: found.source };
}
