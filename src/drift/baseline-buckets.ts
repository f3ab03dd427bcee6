/**
 * The fixed buckets of a baseline and the lookups that put a value into one.
 *
 * A numeric feature with edges e0 < e1 < … < ek has k inner bins [e0, e1), [e1, e2), …, [ek-1, ek]
 * (the last one closed, as np.histogram does), laid out as
 * [below e0, inner bins…, above ek, missing]. Null, NaN and ±Infinity are missing.
 * A categorical feature is laid out as [categories…, other, missing]; null is missing.
 */

export const deciles = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] as const;

/**
 * The q-quantile of ascending values as NumPy's default `np.quantile(method='linear')` computes it
 * (Hyndman & Fan type 7): position h = (n − 1)·q between the values at ⌊h⌋ and ⌊h⌋ + 1.
 */
export function linearQuantile(sorted: Float64Array, probability: number): number {
  const position = (sorted.length - 1) * probability;
  const below = Math.floor(position);
  const lower = sorted[below] as number;
  const upper = sorted[Math.min(below + 1, sorted.length - 1)] as number;
  const fraction = position - below;
  // NumPy's _lerp interpolates from the nearer end, which keeps results monotonic and equal bit for bit.
  return fraction >= 0.5 ? upper - (upper - lower) * (1 - fraction) : lower + (upper - lower) * fraction;
}

/**
 * Edges of a numeric feature: min, the deciles and max of its finite values, with repeated values
 * kept once so that ties do not make empty inner bins. A constant feature keeps [c, c]: one inner
 * bin that holds exactly c.
 */
export function decileEdges(sorted: Float64Array): number[] {
  const candidates = [
    sorted[0] as number,
    ...deciles.map((q) => linearQuantile(sorted, q)),
    sorted[sorted.length - 1] as number,
  ];
  const edges: number[] = [];
  for (const candidate of candidates) {
    if (edges.length === 0 || candidate > (edges[edges.length - 1] as number)) edges.push(candidate);
  }
  if (edges.length === 1) edges.push(edges[0] as number);
  return edges;
}

export function numericBucketCount(edges: ArrayLike<number>): number {
  return edges.length - 1 + 3;
}

/**
 * Adds one to `counts[offset + bucket]` for each of `values[start..end)`. The hot loop of the
 * accumulator: one comparison pair for the outer buckets, then a binary search on the edges.
 */
export function countNumeric(
  values: ArrayLike<number>,
  edges: Float64Array,
  counts: Float64Array,
  offset: number,
  start = 0,
  end = values.length,
): void {
  const innerBins = edges.length - 1;
  const first = edges[0] as number;
  const last = edges[innerBins] as number;
  const above = offset + innerBins + 1;
  const missing = above + 1;
  for (let row = start; row < end; row++) {
    const value = values[row] as number;
    if (value >= first) {
      if (value <= last) {
        (counts[offset + 1 + innerBin(edges, innerBins, value)] as number)++;
      } else if (value === Number.POSITIVE_INFINITY) {
        (counts[missing] as number)++;
      } else {
        (counts[above] as number)++;
      }
    } else if (value < first && value !== Number.NEGATIVE_INFINITY) {
      (counts[offset] as number)++;
    } else {
      (counts[missing] as number)++;
    }
  }
}

/** The bucket of one numeric value (the same rule as countNumeric, for single rows). */
export function numericBucket(edges: Float64Array, value: unknown): number {
  const innerBins = edges.length - 1;
  if (typeof value !== 'number' || !Number.isFinite(value)) return innerBins + 2;
  if (value < (edges[0] as number)) return 0;
  if (value > (edges[innerBins] as number)) return innerBins + 1;
  return 1 + innerBin(edges, innerBins, value);
}

/** The inner bin of a value within [edges[0], edges[innerBins]]: the last edge ≤ value, by binary search. */
function innerBin(edges: Float64Array, innerBins: number, value: number): number {
  let low = 0;
  let high = innerBins - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((edges[middle] as number) <= value) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** Category → bucket index; `other` is categories.length and `missing` the one after. */
export function categoryIndex(categories: readonly string[]): Map<string, number> {
  return new Map(categories.map((category, index) => [category, index]));
}

/**
 * A categorical value as a category name: strings as they are, numbers and booleans as String()
 * writes them (so 1 and '1' are one category), null, undefined and NaN as missing.
 */
export function categoryOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isNaN(value) ? null : String(value);
  if (typeof value === 'boolean') return String(value);
  return null;
}

export function categoricalBucket(index: Map<string, number>, value: unknown): number {
  const category = categoryOf(value);
  if (category === null) return index.size + 1;
  return index.get(category) ?? index.size;
}

export function countCategorical(
  values: ArrayLike<string | number | null>,
  index: Map<string, number>,
  counts: Float64Array,
  offset: number,
  start = 0,
  end = values.length,
): void {
  const other = index.size;
  for (let row = start; row < end; row++) {
    const value = values[row];
    const bucket = typeof value === 'string' ? (index.get(value) ?? other) : categoricalBucket(index, value);
    (counts[offset + bucket] as number)++;
  }
}

const otherLabel = '(other)';
const missingLabel = '(missing)';

/** Human-readable names of a numeric feature's buckets, in bucket order. */
export function numericBucketLabels(edges: readonly number[]): string[] {
  const innerBins = edges.length - 1;
  const labels = [`< ${edges[0]}`];
  for (let bin = 0; bin < innerBins; bin++) {
    const closing = bin === innerBins - 1 ? ']' : ')';
    labels.push(`[${edges[bin]}, ${edges[bin + 1]}${closing}`);
  }
  labels.push(`> ${edges[innerBins]}`, missingLabel);
  return labels;
}

/** Names of a categorical feature's buckets: the categories, then `(other)` and `(missing)`. */
export function categoricalBucketLabels(categories: readonly string[]): string[] {
  return [...categories, otherLabel, missingLabel];
}
