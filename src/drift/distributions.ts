import gammainc from '@stdlib/math-base-special-gammainc';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';

/**
 * P(X ≥ statistic) for X ~ χ²(degreesOfFreedom), with SciPy's `chdtrc` edge cases: 0 at an infinite
 * statistic, and with 0 degrees of freedom 0 for a positive statistic and NaN otherwise.
 */
export function chiSquareSurvival(statistic: number, degreesOfFreedom: number): number {
  if (Number.isNaN(statistic) || Number.isNaN(degreesOfFreedom) || degreesOfFreedom < 0) return Number.NaN;
  if (statistic < 0) return 1;
  if (statistic === Number.POSITIVE_INFINITY) return 0;
  if (degreesOfFreedom === 0) return statistic > 0 ? 0 : Number.NaN;
  return gammainc(statistic / 2, degreesOfFreedom / 2, true, true);
}

/** Φ(x), the standard normal CDF (SciPy's `norm.cdf`). */
export function standardNormalCdf(x: number): number {
  return normalCdf(x, 0, 1);
}
