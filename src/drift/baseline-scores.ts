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
  'PSI, KL, Jensen–Shannon, Hellinger and chi-square score numeric features on open-ended outer bins (the below and above buckets count into the first and last decile bin; the reference has no rows there by construction) and leave out buckets empty in both reference and window. PSI and KL: on each side separately, the remaining empty buckets take Evidently’s epsilon (the smallest non-zero share / 1e6 when that share is ≤ 0.0001, else 0.0001; not renormalised, KL then normalises as scipy.stats.entropy does). Jensen–Shannon and Hellinger use the shares as they are. Chi-square’s expected counts are the epsilon-filled reference shares, renormalised to the window’s row count. KS and Wasserstein use every value bucket.';

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
  const { reference, current } = scoredBuckets(feature, counts);
  const rows = pairwiseSum(current);
  const shares = current.map((count) => count / rows);
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
 * The reference shares and the window counts that the share-based scores compare: a numeric
 * feature's below and above buckets folded into its outer bins, and buckets empty on both sides
 * left out. Without this, a bucket the reference cannot fill (below its minimum, above its maximum,
 * missing in a complete reference) would add a term set by the epsilons alone, which differ by side
 * once a large window holds a single row there — a score that grows with the window, not the drift.
 */
export function scoredBuckets(
  feature: FeatureBaseline,
  counts: ArrayLike<number>,
): { reference: number[]; current: number[] } {
  let referenceShares = [...feature.referenceShares];
  let currentCounts = Array.from(counts);
  if (feature.type === 'numeric' && referenceShares.length > 3) {
    // [below, inner bins…, above, missing] → [below + first inner, …, last inner + above, missing]
    const fold = (buckets: number[]): number[] => {
      const inner = buckets.slice(1, -2);
      inner[0] = (inner[0] as number) + (buckets[0] as number);
      inner[inner.length - 1] = (inner[inner.length - 1] as number) + (buckets[buckets.length - 2] as number);
      return [...inner, buckets[buckets.length - 1] as number];
    };
    referenceShares = fold(referenceShares);
    currentCounts = fold(currentCounts);
  }
  const reference: number[] = [];
  const current: number[] = [];
  for (let bucket = 0; bucket < currentCounts.length; bucket++) {
    if (referenceShares[bucket] === 0 && currentCounts[bucket] === 0) continue;
    reference.push(referenceShares[bucket] as number);
    current.push(currentCounts[bucket] as number);
  }
  return { reference, current };
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
export function chiSquareOfBuckets(feature: FeatureBaseline, counts: ArrayLike<number>): ChiSquareResult {
  const { reference, current: observed } = scoredBuckets(feature, counts);
  const expectedShares = fillEmptyShares(reference);
  if (observed.length < 2) return { statistic: 0, pValue: 1, degreesOfFreedom: 0 };
  const rows = pairwiseSum(observed);
  const shareTotal = pairwiseSum(expectedShares);
  const expected = expectedShares.map((share) => (share / shareTotal) * rows);
  return chiSquareGoodnessOfFit(observed, expected);
}
