/** The Mann-Whitney helper against textbook examples (values checked with SciPy's `mannwhitneyu`). */
import { describe, expect, it } from 'vitest';
import { erfc, mannWhitneyU, median } from './mann-whitney.js';

describe('mannWhitneyU', () => {
  it('matches the textbook example of Conover (male and female ages), as SciPy computes it', () => {
    // SciPy: mannwhitneyu(males, females, method='asymptotic') -> U = 17, p = 0.11134688653314041
    const males = [19, 22, 16, 29, 24];
    const females = [20, 11, 17, 12];
    const result = mannWhitneyU(males, females);
    expect(result.u1).toBe(17);
    expect(result.u2).toBe(3);
    expect(result.p).toBeCloseTo(0.11134688653314041, 6);
  });

  it('averages the ranks of ties and corrects the variance for them', () => {
    // SciPy: U = 15.5, p = 0.005625214779700691 (continuity), 0.005041625861312311 (without)
    const x = [1, 2, 2, 3, 3, 3, 4, 5, 5, 6];
    const y = [3, 4, 4, 5, 6, 6, 7, 7, 8, 8, 9];
    expect(mannWhitneyU(x, y).u1).toBe(15.5);
    expect(mannWhitneyU(x, y).p).toBeCloseTo(0.005625214779700691, 6);
    expect(mannWhitneyU(x, y, { continuity: false }).p).toBeCloseTo(0.005041625861312311, 6);
    // The test is symmetric.
    expect(mannWhitneyU(y, x).p).toBeCloseTo(mannWhitneyU(x, y).p, 12);
    expect(mannWhitneyU(y, x).u1).toBe(110 - 15.5);
  });

  it('gives p = 1 for identical samples and a tiny p for separated ones', () => {
    expect(mannWhitneyU([5, 5, 5], [5, 5, 5]).p).toBe(1);
    const low = Array.from({ length: 200 }, (_, i) => i);
    const high = Array.from({ length: 200 }, (_, i) => 1000 + i);
    expect(mannWhitneyU(low, high).p).toBeLessThan(1e-50);
  });

  it('computes erfc and the median', () => {
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(erfc(1.959963984540054 / Math.SQRT2)).toBeCloseTo(0.05, 7);
    expect(erfc(-1)).toBeCloseTo(1.8427007929497148, 7);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
