import { standardNormalCdf } from './distributions.js';
import { invalidDriftArgument } from './drift-errors.js';

export interface ZTestResult {
  /** z = (p₁ − p₂) / √(P(1 − P)(1/n₁ + 1/n₂)); absent when the pooled proportion P is 0 or 1. */
  statistic?: number;
  /** Two-sided 2·(1 − Φ(|z|)); 1 when the pooled proportion is 0 or 1. */
  pValue: number;
}

function checkCounts(side: string, successes: number, rows: number): void {
  if (!Number.isInteger(rows) || rows < 1) {
    throw invalidDriftArgument(
      `twoProportionZTest: the ${side} row count is ${rows}; it must be a positive integer`,
    );
  }
  if (!Number.isInteger(successes) || successes < 0 || successes > rows) {
    throw invalidDriftArgument(
      `twoProportionZTest: the ${side} sample has ${successes} successes in ${rows} rows; it must be an integer from 0 to ${rows}`,
    );
  }
}

/**
 * The pooled two-proportion Z-test of Evidently's `z` drift test (`proportions_diff_z_stat_ind`,
 * `proportions_diff_z_test`), on counts of "successes" (rows that are not the smallest category).
 * A pooled proportion of 0 or 1 leaves nothing to compare; the p-value is then 1, which is
 * Evidently's rule for two samples of one and the same constant.
 */
export function twoProportionZTest(
  referenceSuccesses: number,
  referenceRows: number,
  currentSuccesses: number,
  currentRows: number,
): ZTestResult {
  checkCounts('reference', referenceSuccesses, referenceRows);
  checkCounts('current', currentSuccesses, currentRows);
  const p1 = referenceSuccesses / referenceRows;
  const p2 = currentSuccesses / currentRows;
  const pooled = (p1 * referenceRows + p2 * currentRows) / (referenceRows + currentRows);
  if (pooled === 0 || pooled === 1) return { pValue: 1 };
  const statistic = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / referenceRows + 1 / currentRows));
  return { statistic, pValue: 2 * (1 - standardNormalCdf(Math.abs(statistic))) };
}
