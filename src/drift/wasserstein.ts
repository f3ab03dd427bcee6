/**
 * The first Wasserstein distance between two one-dimensional distributions, as
 * `scipy.stats.wasserstein_distance` computes it, and Evidently's normed form.
 */
import { invalidDriftArgument } from './drift-errors.js';
import { pairwiseSum } from './pairwise-sum.js';

/** Values sorted ascending with their cumulative weights (total last), or without weights. */
interface SortedDistribution {
  values: Float64Array;
  cumulativeWeights: Float64Array | undefined;
}

function checkDistribution(
  side: string,
  values: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
): void {
  if (values.length === 0)
    throw invalidDriftArgument(`wassersteinDistance: the ${side} distribution is empty`);
  for (let index = 0; index < values.length; index++) {
    if (Number.isNaN(values[index])) {
      throw invalidDriftArgument(`wassersteinDistance: the ${side} values contain NaN at index ${index}`);
    }
  }
  if (weights === undefined) return;
  if (weights.length !== values.length) {
    throw invalidDriftArgument(
      `wassersteinDistance: the ${side} distribution has ${values.length} values but ${weights.length} weights`,
    );
  }
  for (let index = 0; index < weights.length; index++) {
    const weight = weights[index] as number;
    if (!(weight >= 0)) {
      throw invalidDriftArgument(
        `wassersteinDistance: the ${side} weight at index ${index} is ${weight}; weights must be non-negative`,
      );
    }
  }
  const total = pairwiseSum(weights);
  if (!(total > 0 && total < Number.POSITIVE_INFINITY)) {
    throw invalidDriftArgument(
      `wassersteinDistance: the ${side} weights sum to ${total}; the sum must be positive and finite`,
    );
  }
}

function sortDistribution(
  values: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
): SortedDistribution {
  if (weights === undefined)
    return { values: Float64Array.from(values).sort(), cumulativeWeights: undefined };
  const order = Array.from({ length: values.length }, (_, index) => index).sort(
    (a, b) => (values[a] as number) - (values[b] as number),
  );
  const sortedValues = new Float64Array(order.length);
  const cumulativeWeights = new Float64Array(order.length);
  let running = 0;
  for (let rank = 0; rank < order.length; rank++) {
    const index = order[rank] as number;
    sortedValues[rank] = values[index] as number;
    running += weights[index] as number;
    cumulativeWeights[rank] = running;
  }
  return { values: sortedValues, cumulativeWeights };
}

/** The CDF after the first `count` sorted values: count / size, or their weight share. */
function cdfAfter(distribution: SortedDistribution, count: number): number {
  const { values, cumulativeWeights } = distribution;
  if (cumulativeWeights === undefined) return count / values.length;
  return count === 0
    ? 0
    : (cumulativeWeights[count - 1] as number) / (cumulativeWeights[values.length - 1] as number);
}

/**
 * ∫ |U(x) − V(x)| dx over the pooled support, in one merge of the two sorted distributions: each
 * gap between consecutive pooled values is weighted by the difference of the two CDFs at its
 * left end (SciPy's `_cdf_distance` with p = 1).
 */
function sortedWassersteinDistance(u: SortedDistribution, v: SortedDistribution): number {
  const uValues = u.values;
  const vValues = v.values;
  let i = 0;
  let j = 0;
  let distance = 0;
  let compensation = 0;
  let value = Math.min(uValues[0] as number, vValues[0] as number);
  while (i < uValues.length || j < vValues.length) {
    while (i < uValues.length && (uValues[i] as number) <= value) i++;
    while (j < vValues.length && (vValues[j] as number) <= value) j++;
    if (i === uValues.length && j === vValues.length) break;
    const next =
      i < uValues.length && (j === vValues.length || (uValues[i] as number) <= (vValues[j] as number))
        ? (uValues[i] as number)
        : (vValues[j] as number);
    const term = Math.abs(cdfAfter(u, i) - cdfAfter(v, j)) * (next - value);
    // Neumaier summation: up to two million positive terms.
    const total = distance + term;
    compensation += Math.abs(distance) >= Math.abs(term) ? distance - total + term : term - total + distance;
    distance = total;
    value = next;
  }
  return distance + compensation;
}

/**
 * `scipy.stats.wasserstein_distance(u, v, uWeights, vWeights)`: the first Wasserstein (earth
 * mover's) distance between two empirical distributions, optionally weighted (weights are
 * normalised per side, so bin counts work as weights for histogram bin centres). The inputs are
 * not modified.
 */
export function wassersteinDistance(
  u: ArrayLike<number>,
  v: ArrayLike<number>,
  uWeights?: ArrayLike<number>,
  vWeights?: ArrayLike<number>,
): number {
  checkDistribution('first', u, uWeights);
  checkDistribution('second', v, vWeights);
  return sortedWassersteinDistance(sortDistribution(u, uWeights), sortDistribution(v, vWeights));
}

/**
 * The same distance for unweighted samples already sorted ascending and NaN-free (for callers
 * that sort a column once); the arrays are read, not copied.
 */
export function wassersteinDistanceOfSorted(uSorted: Float64Array, vSorted: Float64Array): number {
  checkDistribution('first', uSorted, undefined);
  checkDistribution('second', vSorted, undefined);
  return sortedWassersteinDistance(
    { values: uSorted, cumulativeWeights: undefined },
    { values: vSorted, cumulativeWeights: undefined },
  );
}

/** NumPy's `np.std` (population, ddof = 0) with NumPy's pairwise sums. */
export function populationStandardDeviation(values: ArrayLike<number>): number {
  const mean = pairwiseSum(values) / values.length;
  const squaredDeviations = new Float64Array(values.length);
  for (let index = 0; index < values.length; index++) {
    const deviation = (values[index] as number) - mean;
    squaredDeviations[index] = deviation * deviation;
  }
  return Math.sqrt(pairwiseSum(squaredDeviations) / values.length);
}

/**
 * Evidently's normed Wasserstein distance: W₁(reference, current) / max(σ, 0.001), σ the population
 * standard deviation of the reference. Both samples sorted ascending and NaN-free.
 */
export function normedWassersteinDistanceOfSorted(
  referenceSorted: Float64Array,
  currentSorted: Float64Array,
): number {
  const scale = Math.max(populationStandardDeviation(referenceSorted), 0.001);
  return wassersteinDistanceOfSorted(referenceSorted, currentSorted) / scale;
}
