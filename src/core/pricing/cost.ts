/**
 * The cost of a request from its token counts and a price, exactly: prices are decimal strings in USD per million
 * tokens (as providers publish them), turned into whole pico-dollars per token, so sums are integer arithmetic
 * and a cost is right to the micro-dollar (and below) whatever the counts.
 */

/** USD per 1,000,000 tokens, as decimal strings with at most 6 decimals. */
export interface Price {
  input: string;
  /** Prompt tokens read from a cache; the input price when absent. */
  cachedInput?: string;
  /** Prompt tokens written to a cache; the input price when absent. */
  cacheWrite?: string;
  output: string;
  /** Reasoning tokens (part of the completion tokens); the output price when absent. */
  reasoning?: string;
}

/** Token counts as OpenAI reports them: prompt tokens include cached and cache-write ones, completion tokens include reasoning ones. */
export interface TokenCounts {
  promptTokens: number;
  completionTokens: number;
  cachedTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

const PRICE_PATTERN = /^\d{1,6}(\.\d{1,6})?$/;

/** Whether a price text is a valid amount in USD per million tokens (at most 6 decimals). */
export function isPriceText(text: string): boolean {
  return PRICE_PATTERN.test(text);
}

/**
 * Prices already turned into pico-dollars per token: every request is priced as its usage record is written, from
 * the few price texts a configuration holds (cleared should it ever hold more than `PARSED_LIMIT`).
 */
const parsed = new Map<string, bigint>();
const PARSED_LIMIT = 10_000;

/** USD per million tokens → pico-dollars per token (1 USD / 1e6 tokens = 1 µUSD per token = 1e6 pUSD). */
function picoPerToken(text: string): bigint {
  const known = parsed.get(text);
  if (known !== undefined) return known;
  if (!PRICE_PATTERN.test(text))
    throw new Error(`Not a price in USD per million tokens: ${JSON.stringify(text)}`);
  const [whole, fraction = ''] = text.split('.');
  const pico = BigInt(whole!) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
  if (parsed.size >= PARSED_LIMIT) parsed.clear();
  parsed.set(text, pico);
  return pico;
}

/** The cost in pico-dollars (1e-12 USD). */
export function costPico(counts: TokenCounts, price: Price): bigint {
  const cached = BigInt(counts.cachedTokens ?? 0);
  const written = BigInt(counts.cacheWriteTokens ?? 0);
  const reasoning = BigInt(counts.reasoningTokens ?? 0);
  const uncached = BigInt(Math.max(0, counts.promptTokens)) - cached - written;
  const answered = BigInt(Math.max(0, counts.completionTokens)) - reasoning;
  const input = picoPerToken(price.input);
  const output = picoPerToken(price.output);
  return (
    (uncached > 0n ? uncached : 0n) * input +
    cached * (price.cachedInput === undefined ? input : picoPerToken(price.cachedInput)) +
    written * (price.cacheWrite === undefined ? input : picoPerToken(price.cacheWrite)) +
    (answered > 0n ? answered : 0n) * output +
    reasoning * (price.reasoning === undefined ? output : picoPerToken(price.reasoning))
  );
}

/** Pico-dollars as a decimal USD string with 12 decimals (`"0.000312500000"`). */
export function picoToUsd(pico: bigint): string {
  const negative = pico < 0n;
  const digits = (negative ? -pico : pico).toString().padStart(13, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -12)}.${digits.slice(-12)}`;
}

/** The price in effect at `at` among dated prices (the latest whose `effectiveFrom` is not after it). */
export function priceAt<T extends { effectiveFrom: string }>(
  prices: readonly T[],
  at: string,
): T | undefined {
  let found: T | undefined;
  for (const price of prices) {
    if (price.effectiveFrom <= at && (!found || price.effectiveFrom > found.effectiveFrom)) found = price;
  }
  return found;
}
