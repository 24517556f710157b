import { describe, expect, it } from 'vitest';
import { nanoToUsd, picoToNano, thresholdOf, usdToNano } from './rules.js';

describe('budget amounts', () => {
  it('converts decimal USD to whole nano-dollars and back exactly', () => {
    expect(usdToNano('1')).toBe(1_000_000_000);
    expect(usdToNano('0.1')).toBe(100_000_000);
    expect(usdToNano('12.000000001')).toBe(12_000_000_001);
    expect(usdToNano('1e3')).toBeUndefined();
    expect(usdToNano('-1')).toBeUndefined();
    expect(usdToNano('0.0000000001')).toBeUndefined();
    expect(nanoToUsd(100_000_000)).toBe('0.100000000');
    expect(nanoToUsd(12_000_000_001)).toBe('12.000000001');
    expect(nanoToUsd(-5)).toBe('-0.000000005');
  });

  it('rounds pico-dollars up so a budget never under-counts', () => {
    expect(picoToNano(0n)).toBe(0);
    expect(picoToNano(1n)).toBe(1);
    expect(picoToNano(1000n)).toBe(1);
    expect(picoToNano(1001n)).toBe(2);
  });

  it('computes alert thresholds', () => {
    expect(thresholdOf(1000, 80)).toBe(800);
    expect(thresholdOf(null, 80)).toBeNull();
    expect(thresholdOf(1000, null)).toBeNull();
  });
});
