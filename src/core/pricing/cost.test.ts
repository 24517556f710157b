import { describe, expect, it } from 'vitest';
import { costPico, isPriceText, picoToUsd, priceAt } from './cost.js';

describe('costPico', () => {
  it('prices cached, cache-write and reasoning tokens apart, right to the micro-dollar (hand computation)', () => {
    // 120,000 prompt tokens of which 100,000 read from cache and 5,000 written to it; 30,000 completion tokens
    // of which 12,000 reasoning. At input $3.00, cached $0.30, cache write $3.75, output $15.00 per million:
    //   uncached 15,000 × 3.00 / 1e6  = 0.045
    //   cached  100,000 × 0.30 / 1e6  = 0.030
    //   written   5,000 × 3.75 / 1e6  = 0.01875
    //   answer   18,000 × 15.00 / 1e6 = 0.27
    //   reasoning 12,000 × 15.00 / 1e6 = 0.18
    //   total                          = 0.54375 USD
    const cost = costPico(
      {
        promptTokens: 120_000,
        completionTokens: 30_000,
        cachedTokens: 100_000,
        cacheWriteTokens: 5_000,
        reasoningTokens: 12_000,
      },
      { input: '3.00', cachedInput: '0.30', cacheWrite: '3.75', output: '15.00' },
    );
    expect(picoToUsd(cost)).toBe('0.543750000000');
  });

  it('keeps fractions of a micro-dollar exact', () => {
    // 7 tokens at $0.075 per million = 0.000000525 USD.
    expect(
      picoToUsd(costPico({ promptTokens: 7, completionTokens: 0 }, { input: '0.075', output: '0.3' })),
    ).toBe('0.000000525000');
    // One token at $0.000001 per million: a pico-dollar.
    expect(costPico({ promptTokens: 1, completionTokens: 0 }, { input: '0.000001', output: '0' })).toBe(1n);
  });

  it('uses the input and output prices where no cache or reasoning price is given', () => {
    const counts = { promptTokens: 1_000, completionTokens: 500, cachedTokens: 400, reasoningTokens: 100 };
    expect(costPico(counts, { input: '2', output: '8' })).toBe(
      costPico({ promptTokens: 1_000, completionTokens: 500 }, { input: '2', output: '8' }),
    );
    expect(picoToUsd(costPico(counts, { input: '2', output: '8', reasoning: '16' }))).toBe('0.006800000000');
  });

  it('refuses prices it cannot represent exactly', () => {
    expect(isPriceText('2.50')).toBe(true);
    for (const text of ['-1', '1e-6', '0.0000001', '', 'free', '1.']) expect(isPriceText(text)).toBe(false);
    expect(() =>
      costPico({ promptTokens: 1, completionTokens: 0 }, { input: '1e-6', output: '0' }),
    ).toThrow();
  });
});

describe('priceAt', () => {
  it('takes the latest price already in effect', () => {
    const prices = [
      { effectiveFrom: '2025-01-01T00:00:00.000Z', input: '5' },
      { effectiveFrom: '2025-06-01T00:00:00.000Z', input: '2' },
    ];
    expect(priceAt(prices, '2024-12-31T23:59:59.000Z')).toBeUndefined();
    expect(priceAt(prices, '2025-03-01T00:00:00.000Z')?.input).toBe('5');
    expect(priceAt(prices, '2025-06-01T00:00:00.000Z')?.input).toBe('2');
  });
});
