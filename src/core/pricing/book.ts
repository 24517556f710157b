/** The price book as the data plane reads it: dated prices per deployment and per logical model. */
import { type Price, priceAt } from './cost.js';

export interface DatedPrice extends Price {
  /** ISO time from which the price applies. */
  readonly effectiveFrom: string;
}

export interface PriceBook {
  /** By deployment id (`<provider id>/<upstream model>`). */
  readonly deployments: ReadonlyMap<string, readonly DatedPrice[]>;
  /** By logical model id. */
  readonly models: ReadonlyMap<string, readonly DatedPrice[]>;
}

export const EMPTY_PRICE_BOOK: PriceBook = { deployments: new Map(), models: new Map() };

/** The price in effect at `at` (ISO): the deployment's, else its logical model's; undefined when neither has one. */
export function priceOf(
  book: PriceBook,
  deploymentId: string,
  modelId: string,
  at: string,
): Price | undefined {
  const deployment = book.deployments.get(deploymentId);
  const found = deployment ? priceAt(deployment, at) : undefined;
  if (found) return found;
  const model = book.models.get(modelId);
  return model ? priceAt(model, at) : undefined;
}
