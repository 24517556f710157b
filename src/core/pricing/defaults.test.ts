import { describe, expect, it } from 'vitest';
import { providerTypes } from '../snapshot/source.js';
import { costPico, isPriceText, picoToUsd } from './cost.js';
import { defaultPrice, defaultPrices } from './defaults.js';

describe('the shipped default price table', () => {
  it('holds only valid prices, dates, provider types and https sources', () => {
    expect(defaultPrices.length).toBeGreaterThan(0);
    for (const price of defaultPrices) {
      const where = `${price.providerType}/${price.model}`;
      for (const field of ['input', 'cachedInput', 'cacheWrite', 'output', 'reasoning'] as const) {
        const value = price[field];
        if (value !== undefined) expect(isPriceText(value), `${where} ${field} ${value}`).toBe(true);
      }
      expect(providerTypes, where).toContain(price.providerType);
      expect(price.effectiveFrom, where).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Number.isNaN(Date.parse(price.effectiveFrom)), where).toBe(false);
      expect(new URL(price.source).protocol, where).toBe('https:');
      expect(price.model.trim(), where).toBe(price.model);
    }
  });

  it('has no duplicate (provider type, model, effectiveFrom)', () => {
    const keys = defaultPrices.map((price) => `${price.providerType} ${price.model} ${price.effectiveFrom}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(defaultPrices)).toBe(true);
    expect(Object.isFrozen(defaultPrices[0])).toBe(true);
  });

  it('finds a price by exact provider type and upstream model, in effect at the time', () => {
    expect(defaultPrice('anthropic', 'claude-sonnet-4-5', '2026-01-01T00:00:00.000Z')?.input).toBe('3');
    // The release day counts from its start (UTC); the day before has no price.
    expect(defaultPrice('anthropic', 'claude-sonnet-4-5', '2025-09-29T00:00:00.000Z')).toBeDefined();
    expect(defaultPrice('anthropic', 'claude-sonnet-4-5', '2025-09-28T23:59:59.999Z')).toBeUndefined();
    // Nothing clever: other provider types, prefixes and case do not match.
    expect(defaultPrice('openai', 'claude-sonnet-4-5', '2026-01-01T00:00:00.000Z')).toBeUndefined();
    expect(defaultPrice('anthropic', 'claude-sonnet-4', '2026-01-01T00:00:00.000Z')).toBeUndefined();
    expect(defaultPrice('anthropic', 'Claude-Sonnet-4-5', '2026-01-01T00:00:00.000Z')).toBeUndefined();
    expect(defaultPrice('openai-compatible', 'gpt-5-mini', '2026-01-01T00:00:00.000Z')).toBeUndefined();
  });

  it('prices an Anthropic request with cache reads and writes right to the micro-dollar (hand computation)', () => {
    // claude-sonnet-4-5: input $3, cache read $0.30, 5-minute cache write $3.75, output $15 per million.
    // 2,000 prompt tokens of which 1,500 read from the cache and 300 written to it; 400 completion tokens:
    //   uncached   200 ×  3.00 = 600 µUSD
    //   read     1,500 ×  0.30 = 450 µUSD
    //   written    300 ×  3.75 = 1,125 µUSD
    //   output     400 × 15.00 = 6,000 µUSD
    //   total                  = 8,175 µUSD = $0.008175
    const price = defaultPrice('anthropic', 'claude-sonnet-4-5', '2026-11-01T12:00:00.000Z');
    expect(price).toMatchObject({ input: '3', cachedInput: '0.30', cacheWrite: '3.75', output: '15' });
    const pico = costPico(
      { promptTokens: 2_000, completionTokens: 400, cachedTokens: 1_500, cacheWriteTokens: 300 },
      price!,
    );
    expect(pico).toBe(8_175_000_000n);
    expect(picoToUsd(pico)).toBe('0.008175000000');
  });

  it('prices an OpenAI request with cached and reasoning tokens right to the micro-dollar (hand computation)', () => {
    // gpt-5-mini: input $0.25, cached input $0.025, output $2.00 per million; reasoning is billed as output.
    // 10,000 prompt tokens of which 8,000 cached; 1,000 completion tokens of which 600 reasoning:
    //   uncached  2,000 × 0.25  =   500 µUSD
    //   cached    8,000 × 0.025 =   200 µUSD
    //   answer      400 × 2.00  =   800 µUSD
    //   reasoning   600 × 2.00  = 1,200 µUSD
    //   total                   = 2,700 µUSD = $0.0027
    const price = defaultPrice('openai', 'gpt-5-mini', '2026-11-01T12:00:00.000Z');
    expect(price).toMatchObject({ input: '0.25', cachedInput: '0.025', output: '2.00' });
    expect(price?.reasoning).toBeUndefined();
    const pico = costPico(
      { promptTokens: 10_000, completionTokens: 1_000, cachedTokens: 8_000, reasoningTokens: 600 },
      price!,
    );
    expect(pico).toBe(2_700_000_000n);
    expect(picoToUsd(pico)).toBe('0.002700000000');
  });
});
