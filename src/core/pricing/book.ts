/** The price book as the data plane reads it: dated prices per deployment and per logical model. */
import type { Price } from './cost.js';

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
