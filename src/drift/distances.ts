/**
 * Distances between two distributions given as aligned arrays: entry i of `reference` and of
 * `current` are the share (or count) of the same bucket. Natural logarithms throughout, as
 * Evidently and SciPy use them. Sums run in NumPy's pairwise order.
 */
import { chiSquareSurvival } from './distributions.js';
import { invalidDriftArgument } from './drift-errors.js';
import { pairwiseSum } from './pairwise-sum.js';

function checkAligned(name: string, reference: ArrayLike<number>, current: ArrayLike<number>): void {
  if (reference.length !== current.length) {
    throw invalidDriftArgument(
      `${name}: the reference has ${reference.length} buckets and the current ${current.length}; both must list the same buckets in the same order`,
    );
  }
  if (reference.length === 0) throw invalidDriftArgument(`${name}: there are no buckets to compare`);
}

function normalised(values: ArrayLike<number>): Float64Array {
  const total = pairwiseSum(values);
  const shares = new Float64Array(values.length);
  for (let index = 0; index < values.length; index++) shares[index] = (values[index] as number) / total;
  return shares;
}

/** SciPy's `rel_entr`: x·ln(x/y), 0 when x is 0, +∞ when only y is 0. */
function relativeEntropyTerm(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Number.POSITIVE_INFINITY;
}

function sumOfTerms(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  term: (referenceValue: number, currentValue: number) => number,
): number {
  const terms = new Float64Array(reference.length);
  for (let index = 0; index < terms.length; index++) {
    terms[index] = term(reference[index] as number, current[index] as number);
  }
  return pairwiseSum(terms);
}

/**
 * Evidently's empty-bucket rule for PSI and KL divergence (`get_binned_data`, `feel_zeroes`): zero
 * shares become min_nonzero / 1e6 when the smallest non-zero share is at most 0.0001, and 0.0001
 * otherwise. The shares are not renormalised afterwards. Returns a new array.
 */
export function fillEmptyShares(shares: ArrayLike<number>): Float64Array {
  let smallestNonZero = Number.POSITIVE_INFINITY;
  for (let index = 0; index < shares.length; index++) {
    const share = shares[index] as number;
    if (share !== 0 && share < smallestNonZero) smallestNonZero = share;
  }
  if (smallestNonZero === Number.POSITIVE_INFINITY) {
    throw invalidDriftArgument('fillEmptyShares: every share is zero, so there is no distribution to fill');
  }
  const fill = smallestNonZero <= 0.0001 ? smallestNonZero / 10 ** 6 : 0.0001;
  const filled = Float64Array.from(shares);
  for (let index = 0; index < filled.length; index++) if (filled[index] === 0) filled[index] = fill;
  return filled;
}

/**
 * Population stability index Σ (r − c)·ln(r / c) over shares, as Evidently computes it. The
 * shares are used as given (not normalised); pass them through `fillEmptyShares` first, as
 * Evidently does, or an empty bucket makes the index infinite.
 */
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  checkAligned('psi', reference, current);
  return sumOfTerms(reference, current, (r, c) => (r - c) * Math.log(r / c));
}

/** KL(reference ‖ current) in nats after normalising both sides: `scipy.stats.entropy(reference, current)`. */
export function klDivergence(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  checkAligned('klDivergence', reference, current);
  return sumOfTerms(normalised(reference), normalised(current), relativeEntropyTerm);
}

/**
 * Jensen-Shannon distance (the square root of the divergence) in nats after normalising both
 * sides: `scipy.spatial.distance.jensenshannon(reference, current)`. Ranges over [0, √ln 2].
 */
export function jensenShannonDistance(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  checkAligned('jensenShannonDistance', reference, current);
  const p = normalised(reference);
  const q = normalised(current);
  const mixture = new Float64Array(p.length);
  for (let index = 0; index < p.length; index++) {
    mixture[index] = ((p[index] as number) + (q[index] as number)) / 2;
  }
  const divergence =
    sumOfTerms(p, mixture, relativeEntropyTerm) + sumOfTerms(q, mixture, relativeEntropyTerm);
  return Math.sqrt(divergence / 2);
}

/**
 * Hellinger distance √(1 − Σ √(p·q)) after normalising both sides, with the affinity Σ √(p·q)
 * clipped to [0, 1] as Evidently's categorical form does.
 */
export function hellingerDistance(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  checkAligned('hellingerDistance', reference, current);
  const p = normalised(reference);
  const q = normalised(current);
  let affinity = 0;
  for (let index = 0; index < p.length; index++)
    affinity += Math.sqrt((p[index] as number) * (q[index] as number));
  return Math.sqrt(1 - Math.min(Math.max(affinity, 0), 1));
}

export interface ChiSquareResult {
  statistic: number;
  pValue: number;
  degreesOfFreedom: number;
}

/**
 * Pearson's goodness-of-fit test, `scipy.stats.chisquare(observedCounts, expectedCounts)`:
 * χ² = Σ (o − e)² / e with k − 1 degrees of freedom. As SciPy does, it refuses totals that differ
 * by more than √ε relative; rescale the expected counts first (`rescaleExpectedCounts`). An
 * expected count of 0 with a positive observed count makes χ² infinite and the p-value 0; with a
 * single bucket the p-value is NaN, as in SciPy.
 */
export function chiSquareGoodnessOfFit(
  observedCounts: ArrayLike<number>,
  expectedCounts: ArrayLike<number>,
): ChiSquareResult {
  checkAligned('chiSquareGoodnessOfFit', observedCounts, expectedCounts);
  const observedTotal = pairwiseSum(observedCounts);
  const expectedTotal = pairwiseSum(expectedCounts);
  const relativeGap = Math.abs(observedTotal - expectedTotal) / Math.min(observedTotal, expectedTotal);
  if (relativeGap > Math.sqrt(Number.EPSILON)) {
    throw invalidDriftArgument(
      `chiSquareGoodnessOfFit: the observed counts sum to ${observedTotal} and the expected counts to ${expectedTotal}; they must agree to a relative tolerance of ${Math.sqrt(Number.EPSILON)}`,
      'scale the expected counts to the observed total with rescaleExpectedCounts',
    );
  }
  const statistic = sumOfTerms(observedCounts, expectedCounts, (o, e) => ((o - e) * (o - e)) / e);
  const degreesOfFreedom = observedCounts.length - 1;
  return { statistic, pValue: chiSquareSurvival(statistic, degreesOfFreedom), degreesOfFreedom };
}

/**
 * Evidently's expected counts for the chi-square test: each reference count times
 * currentTotal / referenceTotal, where referenceTotal is the sum of the reference counts.
 */
export function rescaleExpectedCounts(
  referenceCounts: ArrayLike<number>,
  currentTotal: number,
): Float64Array {
  const scale = currentTotal / pairwiseSum(referenceCounts);
  const expected = new Float64Array(referenceCounts.length);
  for (let index = 0; index < expected.length; index++)
    expected[index] = (referenceCounts[index] as number) * scale;
  return expected;
}
