/**
 * Evidently's buckets (`get_binned_data`) and the NumPy histogram rules they rest on. Numeric
 * samples arrive sorted ascending and cleaned of NaN and ±Infinity.
 */
import { invalidDriftArgument } from './drift-errors.js';

/** Counts of the same buckets in the reference and the current sample. */
export interface AlignedCounts {
  reference: Float64Array;
  current: Float64Array;
}

/**
 * `np.histogram_bin_edges(sample, bins='sturges')` for a sample of `size` values spanning
 * [minimum, maximum]: ⌈(max − min) / width⌉ equal bins of width (max − min) / (log₂ size + 1), the
 * edges from `np.linspace` (the last one exactly the maximum). A constant sample gets one bin,
 * [c − 0.5, c + 0.5]. Values are taken as float64, as pandas stores a column with missing values.
 */
export function sturgesEdges(minimum: number, maximum: number, size: number): Float64Array {
  const width = (maximum - minimum) / (Math.log2(size) + 1);
  let first = minimum;
  let last = maximum;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const binCount = width ? Math.ceil((last - first) / width) : 1;
  const edges = new Float64Array(binCount + 1);
  const span = last - first;
  const step = span / binCount;
  for (let index = 0; index < binCount; index++) {
    edges[index] = (step === 0 ? (index / binCount) * span : index * step) + first;
  }
  edges[binCount] = last;
  for (let index = 1; index <= binCount; index++) {
    if (!((edges[index - 1] as number) < (edges[index] as number))) {
      throw invalidDriftArgument(
        `cannot make ${binCount} bins of equal, non-zero width between ${minimum} and ${maximum}`,
      );
    }
  }
  return edges;
}

/** The number of values in `sorted` below `bound` (or at most `bound` when `inclusive`). */
function countBelow(sorted: Float64Array, bound: number, inclusive: boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const value = sorted[middle] as number;
    if (value < bound || (inclusive && value === bound)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * `np.histogram(sample, bins=edges)[0]`: bins are half-open [eᵢ, eᵢ₊₁) except the last, which is
 * closed; values outside [e₀, eₖ] are not counted.
 */
export function histogramCounts(sorted: Float64Array, edges: Float64Array): Float64Array {
  const binCount = edges.length - 1;
  const counts = new Float64Array(binCount);
  let below = countBelow(sorted, edges[0] as number, false);
  for (let bin = 0; bin < binCount; bin++) {
    const upTo = countBelow(sorted, edges[bin + 1] as number, bin === binCount - 1);
    counts[bin] = upTo - below;
    below = upTo;
  }
  return counts;
}

/** The number of distinct values in a sorted sample. */
export function distinctCount(sorted: Float64Array): number {
  return distinctCountOfBoth(sorted, new Float64Array(0));
}

/**
 * Walks the distinct values of two sorted samples in ascending order, with how often each sample
 * holds each value.
 */
function forEachDistinctValue(
  firstSorted: Float64Array,
  secondSorted: Float64Array,
  visit: (value: number, firstCount: number, secondCount: number) => void,
): void {
  let i = 0;
  let j = 0;
  while (i < firstSorted.length || j < secondSorted.length) {
    const value =
      i < firstSorted.length &&
      (j >= secondSorted.length || (firstSorted[i] as number) <= (secondSorted[j] as number))
        ? (firstSorted[i] as number)
        : (secondSorted[j] as number);
    const firstStart = i;
    const secondStart = j;
    while (i < firstSorted.length && firstSorted[i] === value) i++;
    while (j < secondSorted.length && secondSorted[j] === value) j++;
    visit(value, i - firstStart, j - secondStart);
  }
}

/** The number of distinct values over two sorted samples together. */
export function distinctCountOfBoth(firstSorted: Float64Array, secondSorted: Float64Array): number {
  let count = 0;
  forEachDistinctValue(firstSorted, secondSorted, () => {
    count++;
  });
  return count;
}

/**
 * One bucket per distinct value of either sorted sample, in ascending order: the distinct values
 * and how often each sample holds them.
 */
export function distinctValueCounts(
  referenceSorted: Float64Array,
  currentSorted: Float64Array,
): AlignedCounts & { values: Float64Array } {
  const values: number[] = [];
  const reference: number[] = [];
  const current: number[] = [];
  forEachDistinctValue(referenceSorted, currentSorted, (value, referenceCount, currentCount) => {
    values.push(value);
    reference.push(referenceCount);
    current.push(currentCount);
  });
  return {
    values: Float64Array.from(values),
    reference: Float64Array.from(reference),
    current: Float64Array.from(current),
  };
}

/**
 * The bucket counts of `get_binned_data` for a numeric column: equal-width Sturges bins over
 * reference and current together when the reference has more than 20 distinct values, one bucket
 * per distinct value otherwise.
 */
export function evidentlyNumericBuckets(
  referenceSorted: Float64Array,
  currentSorted: Float64Array,
): AlignedCounts {
  if (distinctCount(referenceSorted) <= 20) return distinctValueCounts(referenceSorted, currentSorted);
  const edges = sturgesEdges(
    Math.min(referenceSorted[0] as number, currentSorted[0] as number),
    Math.max(
      referenceSorted[referenceSorted.length - 1] as number,
      currentSorted[currentSorted.length - 1] as number,
    ),
    referenceSorted.length + currentSorted.length,
  );
  return {
    reference: histogramCounts(referenceSorted, edges),
    current: histogramCounts(currentSorted, edges),
  };
}

/** Counts divided by the sample size: the shares `get_binned_data` returns. */
export function sharesOf(counts: Float64Array, rows: number): Float64Array {
  const shares = new Float64Array(counts.length);
  for (let index = 0; index < counts.length; index++) shares[index] = (counts[index] as number) / rows;
  return shares;
}
