/**
 * The two-sample Kolmogorov-Smirnov test, two-sided, as `scipy.stats.ks_2samp(reference, current)`
 * computes it with `method='auto'` (SciPy 1.17.1).
 */
import { invalidDriftArgument } from './drift-errors.js';
import { kolmogorovSurvival } from './kolmogorov-distribution.js';

/** SciPy computes the exact p-value when the larger sample has at most this many values. */
export const maxExactSampleSize = 10_000;

export interface KolmogorovSmirnovResult {
  /** D = sup |F_reference − F_current|; on the lcm(n₁, n₂) lattice when the p-value is exact. */
  statistic: number;
  pValue: number;
  /** `exact` (lattice-path counting) or `asymptotic` (the Kolmogorov distribution at n₁n₂/(n₁+n₂)). */
  pValueMethod: 'exact' | 'asymptotic';
}

/** NumPy's `round`: half-way cases go to the even neighbour. */
function roundHalfToEven(x: number): number {
  const rounded = Math.round(x);
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : rounded;
}

function greatestCommonDivisor(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/**
 * sup over x of F₁(x) − F₂(x) and of F₂(x) − F₁(x), the empirical CDFs taken right-continuous at
 * every pooled value, in one merge of the sorted samples. Each difference is i/n₁ − j/n₂ exactly as
 * SciPy forms it from `searchsorted(..., side='right')`.
 */
function largestCdfGaps(first: Float64Array, second: Float64Array): { above: number; below: number } {
  const n1 = first.length;
  const n2 = second.length;
  let i = 0;
  let j = 0;
  let above = Number.NEGATIVE_INFINITY;
  let lowest = Number.POSITIVE_INFINITY;
  while (i < n1 || j < n2) {
    const value =
      i < n1 && (j >= n2 || (first[i] as number) <= (second[j] as number))
        ? (first[i] as number)
        : (second[j] as number);
    while (i < n1 && (first[i] as number) <= value) i++;
    while (j < n2 && (second[j] as number) <= value) j++;
    const gap = i / n1 - j / n2;
    if (gap > above) above = gap;
    if (gap < lowest) lowest = gap;
  }
  return { above, below: Math.min(Math.max(-lowest, 0), 1) };
}

/**
 * P(D ≥ h / lcm) for equal sample sizes n: 2·Σ (−1)^(k+1) C(2n, n − kh) / C(2n, n), evaluated
 * Horner-style with each ratio of binomials as a product of h factors (`_compute_prob_outside_square`).
 */
function equalSizesExactPValue(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let ratio = 1;
    for (let j = 0; j < h; j++) ratio = ((n - k * h - j) * ratio) / (n + k * h + j + 1);
    p = ratio * (1 - p);
  }
  return 2 * p;
}

/**
 * The share of lattice paths from (0, 0) to (m, n) that leave the band |x/m − y/n| < h/lcm, by
 * Hodges' inside method with Viehmann's recursion for 1 − p (`_compute_outer_prob_inside_method`).
 * One column of the path-count table is kept, as a sliding window.
 */
function unequalSizesExactPValue(size1: number, size2: number, gcd: number, h: number): number {
  const m = Math.max(size1, size2);
  const n = Math.min(size1, size2);
  const mg = m / gcd;
  const ng = n / gcd;
  let minJ = 0;
  let maxJ = Math.min(Math.ceil(h / mg), n + 1);
  let currentLength = maxJ - minJ;
  const column = new Float64Array(Math.min(2 * maxJ + 2, n + 1)).fill(1);
  column.fill(0, minJ, maxJ);
  for (let i = 1; i <= m; i++) {
    const lastMinJ = minJ;
    const lastLength = currentLength;
    minJ = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxJ = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxJ <= minJ) return 1;
    let value = minJ === 0 ? 0 : 1;
    for (let offset = 0; offset < maxJ - minJ; offset++) {
      const j = offset + minJ;
      value = ((column[offset + minJ - lastMinJ] as number) * i + value * j) / (i + j);
      column[offset] = value;
    }
    currentLength = maxJ - minJ;
    if (lastLength > currentLength) column.fill(1, currentLength, lastLength);
  }
  return column[maxJ - minJ - 1] as number;
}

/**
 * Two-sided two-sample Kolmogorov-Smirnov test, `scipy.stats.ks_2samp(reference, current)`.
 *
 * Both arrays must be sorted ascending, NaN-free and non-empty; they are read, not copied, so a
 * caller can sort each column once and reuse it. The statistic takes one O(n₁ + n₂) merge. The
 * p-value is exact when max(n₁, n₂) ≤ 10 000 (falling back to the asymptotic form if the exact
 * computation leaves [0, 1], as SciPy does), and otherwise P(D_n ≥ D) of the one-sample
 * Kolmogorov distribution at n = round(n₁n₂ / (n₁ + n₂)).
 */
export function kolmogorovSmirnovTwoSample(
  reference: Float64Array,
  current: Float64Array,
): KolmogorovSmirnovResult {
  const n1 = reference.length;
  const n2 = current.length;
  if (n1 === 0 || n2 === 0) {
    throw invalidDriftArgument(
      `kolmogorovSmirnovTwoSample: the ${n1 === 0 ? 'reference' : 'current'} sample is empty; both need at least one value`,
    );
  }
  const { above, below } = largestCdfGaps(reference, current);
  let statistic = Math.max(above, below);

  if (Math.max(n1, n2) <= maxExactSampleSize) {
    const gcd = greatestCommonDivisor(n1, n2);
    const lcm = (n1 / gcd) * n2;
    const h = roundHalfToEven(statistic * lcm);
    statistic = h / lcm;
    if (h === 0) return { statistic, pValue: 1, pValueMethod: 'exact' };
    const pValue = n1 === n2 ? equalSizesExactPValue(n1, h) : unequalSizesExactPValue(n1, n2, gcd, h);
    if (pValue >= 0 && pValue <= 1) return { statistic, pValue, pValueMethod: 'exact' };
  }
  const larger = Math.max(n1, n2);
  const smaller = Math.min(n1, n2);
  const effectiveSize = (larger * smaller) / (larger + smaller);
  const pValue = Math.min(Math.max(kolmogorovSurvival(roundHalfToEven(effectiveSize), statistic), 0), 1);
  return { statistic, pValue, pValueMethod: 'asymptotic' };
}
