/**
 * Per-column batch drift as Evidently computes it (`get_one_column_drift` with the defaults of
 * `_get_default_stattest`, evidently legacy calculations): clean both samples, pick the test from
 * the column type, the reference size and the number of distinct values, run it, and compare its
 * score with the threshold using that test's own operator.
 */
import { maskValue } from '../core/index.js';
import {
  type AlignedCounts,
  distinctCountOfBoth,
  distinctValueCounts,
  evidentlyNumericBuckets,
  histogramCounts,
  sharesOf,
  sturgesEdges,
} from './binning.js';
import {
  chiSquareGoodnessOfFit,
  fillEmptyShares,
  hellingerDistance,
  jensenShannonDistance,
  klDivergence,
  psi,
  rescaleExpectedCounts,
} from './distances.js';
import { invalidDriftArgument, tooFewRows } from './drift-errors.js';
import { kolmogorovSmirnovTwoSample } from './kolmogorov-smirnov.js';
import { normedWassersteinDistanceOfSorted } from './wasserstein.js';
import { twoProportionZTest } from './z-test.js';

export const driftMethods = [
  'ks',
  'chisquare',
  'z',
  'wasserstein',
  'jensenshannon',
  'psi',
  'kl_div',
  'hellinger',
] as const;
export type DriftMethod = (typeof driftMethods)[number];

/** The comparison that flags drift: a p-value at or below, or under, the threshold; a distance at or above it. */
export type DriftComparison = 'p <= threshold' | 'p < threshold' | 'distance >= threshold';

interface MethodRule {
  defaultThreshold: number;
  comparison: DriftComparison;
}

/** Evidently's default thresholds and the exact comparison each test uses (research note §1.5). */
export const driftMethodRules: Readonly<Record<DriftMethod, MethodRule>> = {
  ks: { defaultThreshold: 0.05, comparison: 'p <= threshold' },
  chisquare: { defaultThreshold: 0.05, comparison: 'p < threshold' },
  z: { defaultThreshold: 0.05, comparison: 'p < threshold' },
  wasserstein: { defaultThreshold: 0.1, comparison: 'distance >= threshold' },
  jensenshannon: { defaultThreshold: 0.1, comparison: 'distance >= threshold' },
  psi: { defaultThreshold: 0.1, comparison: 'distance >= threshold' },
  kl_div: { defaultThreshold: 0.1, comparison: 'distance >= threshold' },
  hellinger: { defaultThreshold: 0.1, comparison: 'distance >= threshold' },
};

/** Up to this many reference rows a column counts as small and gets a p-value test. */
export const smallReferenceRows = 1000;

export type CategoryValue = string | number | boolean;

export type ColumnDriftInput =
  | {
      type: 'numeric';
      /** Used in error messages. */
      name?: string;
      reference: ArrayLike<number | null | undefined>;
      current: ArrayLike<number | null | undefined>;
    }
  | {
      type: 'categorical';
      name?: string;
      reference: ArrayLike<CategoryValue | null | undefined>;
      current: ArrayLike<CategoryValue | null | undefined>;
    };

export interface ColumnDriftOptions {
  /** The test to run instead of Evidently's default choice. */
  method?: DriftMethod;
  /** The threshold instead of the method's default. */
  threshold?: number;
}

export interface ColumnDriftResult {
  method: DriftMethod;
  /** The score compared with the threshold: the p-value of a test, the distance otherwise. */
  statistic: number;
  /** The p-value (ks, chisquare, z). */
  pValue?: number;
  /** The test's own statistic: D for ks, χ² for chisquare, z for z (absent when z is undefined). */
  testStatistic?: number;
  threshold: number;
  comparison: DriftComparison;
  drifted: boolean;
  /** Rows left after dropping null, NaN and ±Infinity. */
  referenceRows: number;
  currentRows: number;
  /** Distinct values over both cleaned samples. */
  uniqueValues: number;
}

/**
 * Evidently's default test (`_get_default_stattest`): with at most 1000 reference rows a p-value
 * test (ks for numeric columns with more than 5 distinct values, chisquare for more than 2,
 * z otherwise); with more rows a distance (wasserstein for numeric columns with more than 5
 * distinct values, jensenshannon otherwise). Counts are of cleaned rows.
 */
export function defaultDriftMethod(
  type: ColumnDriftInput['type'],
  referenceRows: number,
  uniqueValues: number,
): DriftMethod {
  if (referenceRows <= smallReferenceRows) {
    if (type === 'numeric' && uniqueValues > 5) return 'ks';
    return uniqueValues > 2 ? 'chisquare' : 'z';
  }
  return type === 'numeric' && uniqueValues > 5 ? 'wasserstein' : 'jensenshannon';
}

function isDrifted(comparison: DriftComparison, score: number, threshold: number): boolean {
  if (comparison === 'p <= threshold') return score <= threshold;
  if (comparison === 'p < threshold') return score < threshold;
  return score >= threshold;
}

function describeColumn(name: string | undefined): string {
  return name === undefined ? 'column' : `column '${name}'`;
}

function checkNotEmpty(name: string | undefined, side: string, kept: number, given: number): void {
  if (kept > 0) return;
  throw tooFewRows(
    `${describeColumn(name)}: the ${side} sample has no values left after dropping missing ones (null, NaN, ±Infinity): ${given} rows given, 0 kept`,
    'drift needs at least one value on each side',
  );
}

function sortedFiniteValues(values: ArrayLike<number | null | undefined>): Float64Array {
  const kept = new Float64Array(values.length);
  let count = 0;
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (typeof value === 'number' && Number.isFinite(value)) kept[count++] = value;
  }
  return kept.subarray(0, count).sort();
}

interface RowCounts {
  reference: number;
  current: number;
}

/** What a method reports: the score compared with the threshold, and for a test its p-value and own statistic. */
interface MethodScore {
  statistic: number;
  pValue?: number;
  testStatistic?: number;
}

function chiSquareScore(name: string | undefined, counts: AlignedCounts, currentRows: number): MethodScore {
  if (counts.reference.length < 2) {
    throw tooFewRows(
      `${describeColumn(name)}: the chi-square test needs at least two distinct values over both samples; there is one, so its p-value is undefined`,
      "use method 'z', which reports p = 1 for two samples of one and the same value",
    );
  }
  const { statistic, pValue } = chiSquareGoodnessOfFit(
    counts.current,
    rescaleExpectedCounts(counts.reference, currentRows),
  );
  return { statistic: pValue, pValue, testStatistic: statistic };
}

/** Evidently maps the smallest category to 0 and every other one to 1, and compares the shares of 1. */
function zScore(smallestCategoryRows: RowCounts, rows: RowCounts): MethodScore {
  const { statistic, pValue } = twoProportionZTest(
    rows.reference - smallestCategoryRows.reference,
    rows.reference,
    rows.current - smallestCategoryRows.current,
    rows.current,
  );
  return statistic === undefined
    ? { statistic: pValue, pValue }
    : { statistic: pValue, pValue, testStatistic: statistic };
}

/** JS on plain shares; PSI and KL on shares with Evidently's empty-bucket fill. */
function bucketDistance(
  method: 'jensenshannon' | 'psi' | 'kl_div',
  counts: AlignedCounts,
  rows: RowCounts,
): number {
  const referenceShares = sharesOf(counts.reference, rows.reference);
  const currentShares = sharesOf(counts.current, rows.current);
  if (method === 'jensenshannon') return jensenShannonDistance(referenceShares, currentShares);
  const distance = method === 'psi' ? psi : klDivergence;
  return distance(fillEmptyShares(referenceShares), fillEmptyShares(currentShares));
}

/**
 * Evidently's numeric Hellinger distance: density histograms of both samples on Sturges edges
 * made from the distinct values (not the rows) of both samples, Σ √(h₁·h₂)·width clipped to
 * [0, 1], then √(1 − ·).
 */
function numericHellingerDistance(
  referenceSorted: Float64Array,
  currentSorted: Float64Array,
  uniqueValues: number,
): number {
  const minimum = Math.min(referenceSorted[0] as number, currentSorted[0] as number);
  const maximum = Math.max(
    referenceSorted[referenceSorted.length - 1] as number,
    currentSorted[currentSorted.length - 1] as number,
  );
  const edges = sturgesEdges(minimum, maximum, uniqueValues);
  const referenceCounts = histogramCounts(referenceSorted, edges);
  const currentCounts = histogramCounts(currentSorted, edges);
  const binWidth = ((edges[edges.length - 1] as number) - (edges[0] as number)) / (edges.length - 1);
  let affinity = 0;
  for (let bin = 0; bin < referenceCounts.length; bin++) {
    const binSpan = (edges[bin + 1] as number) - (edges[bin] as number);
    const referenceDensity = (referenceCounts[bin] as number) / binSpan / referenceSorted.length;
    const currentDensity = (currentCounts[bin] as number) / binSpan / currentSorted.length;
    affinity += Math.sqrt(referenceDensity * currentDensity) * binWidth;
  }
  return Math.sqrt(1 - Math.min(Math.max(affinity, 0), 1));
}

function numericScore(
  method: DriftMethod,
  name: string | undefined,
  referenceSorted: Float64Array,
  currentSorted: Float64Array,
  uniqueValues: number,
): MethodScore {
  const rows = { reference: referenceSorted.length, current: currentSorted.length };
  switch (method) {
    case 'ks': {
      const { statistic, pValue } = kolmogorovSmirnovTwoSample(referenceSorted, currentSorted);
      return { statistic: pValue, pValue, testStatistic: statistic };
    }
    case 'wasserstein':
      return { statistic: normedWassersteinDistanceOfSorted(referenceSorted, currentSorted) };
    case 'chisquare':
      return chiSquareScore(name, distinctValueCounts(referenceSorted, currentSorted), rows.current);
    case 'z': {
      const smallest = Math.min(referenceSorted[0] as number, currentSorted[0] as number);
      return zScore(
        { reference: countOf(referenceSorted, smallest), current: countOf(currentSorted, smallest) },
        rows,
      );
    }
    case 'hellinger':
      return { statistic: numericHellingerDistance(referenceSorted, currentSorted, uniqueValues) };
    default:
      return {
        statistic: bucketDistance(method, evidentlyNumericBuckets(referenceSorted, currentSorted), rows),
      };
  }
}

/** How many leading values of a sorted sample equal `value` (its smallest value or not at all). */
function countOf(sorted: Float64Array, value: number): number {
  let count = 0;
  while (count < sorted.length && sorted[count] === value) count++;
  return count;
}

/** Python's order for the categories a z-test sorts: numbers (and booleans) by value, strings by code point. */
function compareCategories(a: CategoryValue, b: CategoryValue): number {
  if (typeof a === 'string' && typeof b === 'string') {
    const length = Math.min(a.length, b.length);
    for (let index = 0; index < length; index++) {
      const x = a.codePointAt(index) as number;
      const y = b.codePointAt(index) as number;
      if (x !== y) return x - y;
      if (x > 0xffff) index++;
    }
    return a.length - b.length;
  }
  if (typeof a !== 'string' && typeof b !== 'string') return Number(a) - Number(b);
  const shown = (value: unknown) =>
    typeof value === 'string' ? JSON.stringify(maskValue(value)) : String(value);
  throw invalidDriftArgument(
    `the z-test sorts the categories to pick its reference category and cannot order ${shown(a)} against ${shown(b)} (text shown masked; Evidently's Python sort refuses strings mixed with numbers too)`,
    'give the column values of one type',
  );
}

function isMissingCategory(value: CategoryValue | null | undefined): value is null | undefined {
  return value === null || value === undefined || (typeof value === 'number' && !Number.isFinite(value));
}

/** The categories of both samples in order of first appearance, with their counts on each side. */
function categoryCounts(
  reference: ArrayLike<CategoryValue | null | undefined>,
  current: ArrayLike<CategoryValue | null | undefined>,
): { categories: CategoryValue[]; counts: AlignedCounts; rows: RowCounts } {
  const index = new Map<CategoryValue, number>();
  const referenceCounts: number[] = [];
  const currentCounts: number[] = [];
  const rows = { reference: 0, current: 0 };
  const tally = (
    values: ArrayLike<CategoryValue | null | undefined>,
    side: 'reference' | 'current',
  ): void => {
    for (let row = 0; row < values.length; row++) {
      const value = values[row];
      if (isMissingCategory(value)) continue;
      let bucket = index.get(value);
      if (bucket === undefined) {
        bucket = index.size;
        index.set(value, bucket);
        referenceCounts.push(0);
        currentCounts.push(0);
      }
      const counts = side === 'reference' ? referenceCounts : currentCounts;
      counts[bucket] = (counts[bucket] as number) + 1;
      rows[side]++;
    }
  };
  tally(reference, 'reference');
  tally(current, 'current');
  return {
    categories: [...index.keys()],
    counts: { reference: Float64Array.from(referenceCounts), current: Float64Array.from(currentCounts) },
    rows,
  };
}

function categoricalScore(
  method: DriftMethod,
  name: string | undefined,
  categories: CategoryValue[],
  counts: AlignedCounts,
  rows: RowCounts,
): MethodScore {
  switch (method) {
    case 'chisquare':
      return chiSquareScore(name, counts, rows.current);
    case 'z': {
      let first = 0;
      for (let bucket = 1; bucket < categories.length; bucket++) {
        if (compareCategories(categories[bucket] as CategoryValue, categories[first] as CategoryValue) < 0)
          first = bucket;
      }
      return zScore(
        { reference: counts.reference[first] as number, current: counts.current[first] as number },
        rows,
      );
    }
    case 'hellinger':
      return { statistic: hellingerDistance(counts.reference, counts.current) };
    case 'jensenshannon':
    case 'psi':
    case 'kl_div':
      return { statistic: bucketDistance(method, counts, rows) };
    default:
      throw invalidDriftArgument(
        `${describeColumn(name)}: method '${method}' needs numeric values and the column is categorical`,
        "use 'chisquare', 'z', 'jensenshannon', 'psi', 'kl_div' or 'hellinger'",
      );
  }
}

function checkOptions(name: string | undefined, options: ColumnDriftOptions): void {
  if (options.method !== undefined && !driftMethods.includes(options.method)) {
    throw invalidDriftArgument(
      `${describeColumn(name)}: unknown drift method '${String(options.method)}'`,
      `use one of ${driftMethods.join(', ')}`,
    );
  }
  if (options.threshold !== undefined && !Number.isFinite(options.threshold)) {
    throw invalidDriftArgument(
      `${describeColumn(name)}: the threshold ${options.threshold} is not a finite number`,
    );
  }
}

/**
 * Drift of one column between a reference and a current sample, as Evidently's batch drift
 * computes it. Null, NaN and ±Infinity are dropped first; an empty side is an error. The method
 * defaults to `defaultDriftMethod` and the threshold to that method's default; `drifted` applies
 * the method's own comparison (ks: p ≤ t; chisquare, z: p < t; distances: d ≥ t).
 *
 * Numeric values are treated as float64 (NumPy's integer rule of at least unit-wide bins does not
 * apply).
 */
export function columnDrift(column: ColumnDriftInput, options: ColumnDriftOptions = {}): ColumnDriftResult {
  checkOptions(column.name, options);
  let method: DriftMethod;
  let score: MethodScore;
  let rows: RowCounts;
  let uniqueValues: number;
  if (column.type === 'numeric') {
    const referenceSorted = sortedFiniteValues(column.reference);
    const currentSorted = sortedFiniteValues(column.current);
    checkNotEmpty(column.name, 'reference', referenceSorted.length, column.reference.length);
    checkNotEmpty(column.name, 'current', currentSorted.length, column.current.length);
    rows = { reference: referenceSorted.length, current: currentSorted.length };
    uniqueValues = distinctCountOfBoth(referenceSorted, currentSorted);
    method = options.method ?? defaultDriftMethod('numeric', rows.reference, uniqueValues);
    score = numericScore(method, column.name, referenceSorted, currentSorted, uniqueValues);
  } else {
    const tallies = categoryCounts(column.reference, column.current);
    checkNotEmpty(column.name, 'reference', tallies.rows.reference, column.reference.length);
    checkNotEmpty(column.name, 'current', tallies.rows.current, column.current.length);
    rows = tallies.rows;
    uniqueValues = tallies.categories.length;
    method = options.method ?? defaultDriftMethod('categorical', rows.reference, uniqueValues);
    score = categoricalScore(method, column.name, tallies.categories, tallies.counts, rows);
  }
  const rule = driftMethodRules[method];
  const threshold = options.threshold ?? rule.defaultThreshold;
  return {
    method,
    ...score,
    threshold,
    comparison: rule.comparison,
    drifted: isDrifted(rule.comparison, score.statistic, threshold),
    referenceRows: rows.reference,
    currentRows: rows.current,
    uniqueValues,
  };
}
