/**
 * The Mann-Whitney U test (two-sided), with the normal approximation, average ranks for ties, the tie
 * correction of the variance and a continuity correction: the same as SciPy's
 * `mannwhitneyu(x, y, method='asymptotic')`. Meant for large samples (timing tests); for a handful of values
 * the exact distribution would be more accurate.
 */

export interface MannWhitneyResult {
  /** U of the first sample: the number of pairs (x, y) with x > y, ties counting one half. */
  u1: number;
  u2: number;
  z: number;
  /** Two-sided p-value. */
  p: number;
}

/** Runs the test on two samples of at least one value each. */
export function mannWhitneyU(
  x: readonly number[],
  y: readonly number[],
  options: { continuity?: boolean } = {},
): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new Error('both samples need at least one value');
  const n = n1 + n2;
  const all: Array<{ value: number; first: boolean }> = [];
  for (const value of x) all.push({ value, first: true });
  for (const value of y) all.push({ value, first: false });
  all.sort((a, b) => a.value - b.value);

  let rankSumX = 0;
  let tieTerm = 0; // sum of t^3 - t over groups of t tied values
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && all[end]!.value === all[start]!.value) end++;
    const ties = end - start;
    const averageRank = (start + 1 + end) / 2; // ranks start + 1 .. end
    for (let i = start; i < end; i++) if (all[i]!.first) rankSumX += averageRank;
    tieTerm += ties ** 3 - ties;
    start = end;
  }

  const u1 = rankSumX - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u1, u2, z: 0, p: 1 };
  const continuity = options.continuity === false ? 0 : 0.5;
  const distance = Math.max(Math.abs(u1 - mean) - continuity, 0);
  const z = distance / Math.sqrt(variance);
  return { u1, u2, z: u1 >= mean ? z : -z, p: Math.min(1, erfc(z / Math.SQRT2)) };
}

/** The median of a sample (the mean of the two middle values when even). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The complementary error function (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7), so that
 * the two-sided p of a standard normal z is erfc(|z| / sqrt 2).
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
