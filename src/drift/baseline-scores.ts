import type { FeatureBaseline, NumericFeatureBaseline } from './baseline-document.js';
import {
  type ChiSquareResult,
  chiSquareGoodnessOfFit,
  fillEmptyShares,
  hellingerDistance,
  jensenShannonDistance,
  klDivergence,
  psi,
} from './distances.js';
import { pairwiseSum } from './pairwise-sum.js';
import { wassersteinDistance } from './wasserstein.js';

/** How every bucket score treats empty buckets; reported with each set of scores. */
export const emptyBucketRule =
  'PSI and KL: on each side separately, empty buckets take Evidently’s epsilon (the smallest non-zero share / 1e6 when that share is ≤ 0.0001, else 0.0001; not renormalised, KL then normalises as scipy.stats.entropy does). Jensen–Shannon, Hellinger, KS and Wasserstein use the shares as they are. Chi-square leaves out buckets empty in both reference and window; its expected counts are the epsilon-filled reference shares of the other buckets, renormalised to the window’s row count.';

export const ksApproximation =
  'max |ΔCDF| at the bucket boundaries only (missing values left out): a lower bound of the true two-sample KS statistic D';

export const wassersteinApproximation =
  'weighted Wasserstein-1 between bucket points (inner bins at their midpoints, below/above at the baseline min/max, missing left out), divided by max(reference std, 0.001) as Evidently does';

/** Scores of one feature's bucket counts against its baseline shares; null where undefined. */
export interface BucketScores {
  psi: number;
  jensenShannon: number;
  klDivergence: number;
  hellinger: number;
  /** Numeric features only; null when the counts hold no finite value. */
  ks?: number | null;
  /** Normalised by the reference std; numeric features only; null when the counts hold no finite value. */
  wasserstein?: number | null;
  /** The same Wasserstein distance before normalisation, in the feature's units. */
  wassersteinDistance?: number | null;
}

/** All bucket scores of `counts` (aligned with `feature.buckets`, at least one row) against the baseline. */
export function scoreBuckets(feature: FeatureBaseline, counts: ArrayLike<number>): BucketScores {
  const rows = pairwiseSum(counts);
  const shares = new Float64Array(counts.length);
  for (let bucket = 0; bucket < counts.length; bucket++) shares[bucket] = (counts[bucket] as number) / rows;
  const reference = feature.referenceShares;
  const filledReference = fillEmptyShares(reference);
  const filledShares = fillEmptyShares(shares);
  const scores: BucketScores = {
    psi: psi(filledReference, filledShares),
    jensenShannon: jensenShannonDistance(reference, shares),
    klDivergence: klDivergence(filledReference, filledShares),
    hellinger: hellingerDistance(reference, shares),
  };
  if (feature.type === 'numeric') Object.assign(scores, valueScores(feature, counts));
  return scores;
}

/**
 * KS and Wasserstein from the value buckets (all but missing). Both are approximations, see
 * `ksApproximation` and `wassersteinApproximation`.
 */
function valueScores(
  feature: NumericFeatureBaseline,
  counts: ArrayLike<number>,
): Pick<BucketScores, 'ks' | 'wasserstein' | 'wassersteinDistance'> {
  const valueBuckets = counts.length - 1;
  const reference = feature.referenceCounts.slice(0, valueBuckets);
  const current = Array.from({ length: valueBuckets }, (_, bucket) => counts[bucket] as number);
  const referenceTotal = pairwiseSum(reference);
  const currentTotal = pairwiseSum(current);
  if (currentTotal === 0) return { ks: null, wasserstein: null, wassersteinDistance: null };
  let referenceCumulative = 0;
  let currentCumulative = 0;
  let ks = 0;
  for (let bucket = 0; bucket < valueBuckets; bucket++) {
    referenceCumulative += reference[bucket] as number;
    currentCumulative += current[bucket] as number;
    ks = Math.max(ks, Math.abs(referenceCumulative / referenceTotal - currentCumulative / currentTotal));
  }
  const points = bucketPoints(feature.edges);
  const distance = wassersteinDistance(points, points, reference, current);
  return { ks, wasserstein: distance / Math.max(feature.summary.std, 0.001), wassersteinDistance: distance };
}

/** One representative value per value bucket: min, the inner bin midpoints, max. */
export function bucketPoints(edges: readonly number[]): number[] {
  const points = [edges[0] as number];
  for (let bin = 0; bin + 1 < edges.length; bin++) {
    points.push(((edges[bin] as number) + (edges[bin + 1] as number)) / 2);
  }
  points.push(edges[edges.length - 1] as number);
  return points;
}

/**
 * Pearson's goodness of fit of the window counts to the reference shares (see `emptyBucketRule`).
 * When a single bucket holds everything on both sides the two distributions are the same: χ² = 0,
 * p = 1, no degrees of freedom.
 */
export function chiSquareOfBuckets(
  referenceShares: readonly number[],
  counts: ArrayLike<number>,
): ChiSquareResult {
  const filledReference = fillEmptyShares(referenceShares);
  const observed: number[] = [];
  const expectedShares: number[] = [];
  for (let bucket = 0; bucket < counts.length; bucket++) {
    const observedCount = counts[bucket] as number;
    if (observedCount === 0 && referenceShares[bucket] === 0) continue;
    observed.push(observedCount);
    expectedShares.push(filledReference[bucket] as number);
  }
  if (observed.length < 2) return { statistic: 0, pValue: 1, degreesOfFreedom: 0 };
  const rows = pairwiseSum(observed);
  const shareTotal = pairwiseSum(expectedShares);
  const expected = expectedShares.map((share) => (share / shareTotal) * rows);
  return chiSquareGoodnessOfFit(observed, expected);
}
