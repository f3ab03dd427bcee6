import { didYouMean, producer } from '../core/index.js';
import {
  categoricalBucketLabels,
  categoryIndex,
  categoryOf,
  countCategorical,
  countNumeric,
  decileEdges,
  deciles,
  linearQuantile,
  numericBucketCount,
  numericBucketLabels,
} from './baseline-buckets.js';
import {
  baselineSchemaVersion,
  type CategoricalFeatureBaseline,
  categoricalDriftMetrics,
  type DriftBaseline,
  type DriftMetric,
  defaultThresholds,
  type FeatureBaseline,
  type NumericFeatureBaseline,
  numericDriftMetrics,
} from './baseline-document.js';
import { featureMismatch } from './baseline-errors.js';
import { type BucketScores, scoreBuckets } from './baseline-scores.js';
import {
  type CategoryDigestKey,
  categoryDigest,
  digestsCategories,
  newCategoryDigestKey,
} from './category-digest.js';
import { invalidDriftArgument } from './drift-errors.js';
import { pairwiseSum } from './pairwise-sum.js';
import { populationStandardDeviation } from './wasserstein.js';

/**
 * One reference column, already read. Numeric values are a Float64Array, NaN where missing;
 * categorical ones are strings, null where missing (numbers are read as String() writes them).
 */
export interface BaselineColumn {
  name: string;
  type: 'numeric' | 'categorical';
  values: Float64Array | (string | null)[];
}

export interface BaselineOptions {
  /** Where the reference data came from and its content digest (`sha256:…`). */
  source: { uri: string; digest: string };
  /** The rows of one production window; the reference is cut into chunks of this size for thresholds. */
  windowRows: number;
  /** How many of the most frequent values a categorical feature keeps as its own bucket (default 20). */
  topCategories?: number;
  /** ISO 8601 creation time (default: now). */
  createdAt?: string;
  /** Columns holding personal data (e.g. classified so by a data contract): their categories are digested. */
  piiColumns?: readonly string[];
  /** The key of digested categories (default: a fresh random salt). */
  categoryDigest?: CategoryDigestKey;
}

export const defaultTopCategories = 20;

/** The largest each score can be; a chunk-derived threshold is clipped to it, as NannyML does. */
const scoreLimits: Partial<Record<DriftMetric, number>> = {
  jensenShannon: Math.sqrt(Math.LN2),
  hellinger: 1,
  ks: 1,
};

/**
 * Builds a drift baseline from reference columns: fixed buckets per feature, the reference shares
 * in them, a summary, and NannyML-style alert levels (see `ThresholdSource`). Pure: no I/O.
 */
export function baselineFromColumns(
  columns: readonly BaselineColumn[],
  options: BaselineOptions,
): DriftBaseline {
  const rows = checkColumns(columns);
  if (!(Number.isInteger(options.windowRows) && options.windowRows >= 1)) {
    throw invalidDriftArgument(
      `createBaseline: windowRows is ${options.windowRows}; give a whole number ≥ 1`,
    );
  }
  const topCategories = options.topCategories ?? defaultTopCategories;
  if (!(Number.isInteger(topCategories) && topCategories >= 1)) {
    throw invalidDriftArgument(`createBaseline: topCategories is ${topCategories}; give a whole number ≥ 1`);
  }
  const digestKey = options.categoryDigest ?? newCategoryDigestKey();
  const features: Record<string, FeatureBaseline> = {};
  for (const column of columns) {
    features[column.name] =
      column.type === 'numeric'
        ? numericFeature(column, options.windowRows)
        : categoricalFeature(column, topCategories, options.windowRows, {
            key: digestKey,
            piiColumns: options.piiColumns,
          });
  }
  const digested = Object.values(features).some(
    (feature) => feature.type === 'categorical' && feature.digested,
  );
  return {
    kind: 'drift-baseline',
    schemaVersion: baselineSchemaVersion,
    producer: { name: producer.name, version: producer.version },
    createdAt: options.createdAt ?? new Date().toISOString(),
    source: { uri: options.source.uri, digest: options.source.digest, rows },
    windowRows: options.windowRows,
    ...(digested ? { categoryDigest: digestKey } : {}),
    features,
  };
}

function checkColumns(columns: readonly BaselineColumn[]): number {
  const first = columns[0];
  if (first === undefined) {
    throw invalidDriftArgument('createBaseline: no columns; a baseline needs at least one');
  }
  const names = new Set<string>();
  for (const column of columns) {
    if (names.has(column.name)) {
      throw invalidDriftArgument(`createBaseline: column "${column.name}" is given twice; give each once`);
    }
    names.add(column.name);
    if (column.values.length !== first.values.length) {
      throw invalidDriftArgument(
        `createBaseline: column "${column.name}" has ${column.values.length} values and "${first.name}" ${first.values.length}; all columns must have one value per row`,
      );
    }
    if (column.type === 'numeric' && !(column.values instanceof Float64Array)) {
      throw invalidDriftArgument(
        `createBaseline: numeric column "${column.name}" must be a Float64Array (NaN where missing)`,
      );
    }
  }
  if (first.values.length === 0) throw invalidDriftArgument('createBaseline: the reference has no rows');
  return first.values.length;
}

function numericFeature(column: BaselineColumn, windowRows: number): NumericFeatureBaseline {
  const values = column.values as Float64Array;
  const finiteValues = finiteOnly(values);
  if (finiteValues.length === 0) {
    throw invalidDriftArgument(
      `createBaseline: numeric column "${column.name}" has no finite value in the reference, so it has no range to bin`,
      'leave the column out of the baseline or declare it categorical',
    );
  }
  const sorted = Float64Array.from(finiteValues).sort();
  const edges = decileEdges(sorted);
  const edgeArray = Float64Array.from(edges);
  const bucketCount = numericBucketCount(edges);
  const counts = new Float64Array(bucketCount);
  countNumeric(values, edgeArray, counts, 0);
  const feature: NumericFeatureBaseline = {
    type: 'numeric',
    edges,
    buckets: numericBucketLabels(edges),
    referenceCounts: Array.from(counts),
    referenceShares: Array.from(counts, (count) => count / values.length),
    summary: {
      count: finiteValues.length,
      missing: values.length - finiteValues.length,
      mean: mean(finiteValues),
      std: populationStandardDeviation(finiteValues),
      min: sorted[0] as number,
      max: sorted[sorted.length - 1] as number,
      quantiles: deciles.map((probability) => ({ probability, value: linearQuantile(sorted, probability) })),
    },
    thresholds: { ...defaultThresholds },
    thresholdSource: 'default',
    referenceChunks: 0,
  };
  return withChunkThresholds(feature, numericDriftMetrics, windowRows, values.length, (start, end) => {
    const chunkCounts = new Float64Array(bucketCount);
    countNumeric(values, edgeArray, chunkCounts, 0, start, end);
    return chunkCounts;
  });
}

function finiteOnly(values: Float64Array): Float64Array {
  const finite = new Float64Array(values.length);
  let count = 0;
  for (const value of values) if (Number.isFinite(value)) finite[count++] = value;
  return finite.subarray(0, count);
}

function categoricalFeature(
  column: BaselineColumn,
  topCategories: number,
  windowRows: number,
  protection: { key: CategoryDigestKey; piiColumns: readonly string[] | undefined },
): CategoricalFeatureBaseline {
  const { values } = column;
  const valueCounts = new Map<string, number>();
  let missing = 0;
  for (let row = 0; row < values.length; row++) {
    const category = categoryOf(values[row]);
    if (category === null) missing++;
    else valueCounts.set(category, (valueCounts.get(category) ?? 0) + 1);
  }
  const categories = [...valueCounts]
    .sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, topCategories)
    .map(([category]) => category);
  const index = categoryIndex(categories);
  const bucketCount = categories.length + 2;
  const counts = new Float64Array(bucketCount);
  countCategorical(values, index, counts, 0);
  // Counting uses the raw values; only what is stored is digested.
  const digested = digestsCategories(column.name, valueCounts.keys(), protection.piiColumns);
  const stored = digested
    ? categories.map((category) => categoryDigest(protection.key, category))
    : categories;
  const feature: CategoricalFeatureBaseline = {
    type: 'categorical',
    categories: stored,
    ...(digested ? { digested: true as const } : {}),
    buckets: categoricalBucketLabels(stored),
    referenceCounts: Array.from(counts),
    referenceShares: Array.from(counts, (count) => count / values.length),
    summary: { count: values.length - missing, missing, distinct: valueCounts.size },
    thresholds: pickThresholds(defaultThresholds, categoricalDriftMetrics),
    thresholdSource: 'default',
    referenceChunks: 0,
  };
  return withChunkThresholds(feature, categoricalDriftMetrics, windowRows, values.length, (start, end) => {
    const chunkCounts = new Float64Array(bucketCount);
    countCategorical(values, index, chunkCounts, 0, start, end);
    return chunkCounts;
  });
}

/**
 * NannyML's StandardDeviationThreshold (upper side only): the reference rows in order, cut into
 * consecutive chunks of `windowRows` (a final short chunk is dropped), each chunk scored against
 * the whole reference; threshold = mean + 3·std (population) of the chunk scores, clipped to the
 * score's range. A score that is undefined in a chunk (KS without finite values) is skipped, as
 * np.nanmean skips NaN; with fewer than two chunks every score keeps its default.
 */
function withChunkThresholds<Feature extends FeatureBaseline>(
  feature: Feature,
  metrics: readonly (keyof Feature['thresholds'] & DriftMetric)[],
  windowRows: number,
  rows: number,
  countChunk: (start: number, end: number) => Float64Array,
): Feature {
  const chunks = Math.floor(rows / windowRows);
  if (chunks < 2) return feature;
  const chunkScores: BucketScores[] = [];
  for (let chunk = 0; chunk < chunks; chunk++) {
    chunkScores.push(scoreBuckets(feature, countChunk(chunk * windowRows, (chunk + 1) * windowRows)));
  }
  const thresholds: Record<string, number> = { ...feature.thresholds };
  for (const metric of metrics) {
    const scores = chunkScores.map((scores) => scores[metric]).filter((score) => typeof score === 'number');
    if (scores.length < 2) continue;
    const upper = mean(scores) + 3 * populationStandardDeviation(scores);
    thresholds[metric] = Math.min(upper, scoreLimits[metric] ?? Number.POSITIVE_INFINITY);
  }
  return {
    ...feature,
    thresholds: thresholds as Feature['thresholds'],
    thresholdSource: 'reference-chunks',
    referenceChunks: chunks,
  };
}

function mean(values: ArrayLike<number>): number {
  return pairwiseSum(values) / values.length;
}

function pickThresholds<Metric extends DriftMetric>(
  thresholds: Readonly<Record<DriftMetric, number>>,
  metrics: readonly Metric[],
): Record<Metric, number> {
  return Object.fromEntries(metrics.map((metric) => [metric, thresholds[metric]])) as Record<Metric, number>;
}

export interface FeatureSetCheck {
  /** True when the data has every baseline feature (extra columns are allowed and ignored). */
  complete: boolean;
  /** Baseline features the data lacks. */
  missing: string[];
  /** Columns of the data the baseline does not know; they are not monitored. */
  extra: string[];
  /** One line for people: what is missing, with a suggestion for near-miss names, and what is ignored. */
  message: string;
}

/** Compares a baseline's features with the columns of the data to monitor. */
export function checkFeatureSet(baseline: DriftBaseline, columnNames: readonly string[]): FeatureSetCheck {
  const features = Object.keys(baseline.features);
  const columns = new Set(columnNames);
  const known = new Set(features);
  const missing = features.filter((feature) => !columns.has(feature));
  const extra = columnNames.filter((column) => !known.has(column));
  const parts: string[] = [];
  if (missing.length > 0) {
    const named = missing.map((feature) => `"${feature}"${didYouMean(feature, extra)}`);
    parts.push(
      `the data lacks ${missing.length} of the baseline's ${features.length} features: ${named.join(', ')}`,
    );
  }
  if (extra.length > 0) {
    parts.push(
      `${extra.length} column${extra.length === 1 ? ' is' : 's are'} not in the baseline and will not be monitored: ${extra.map((column) => `"${column}"`).join(', ')}`,
    );
  }
  return {
    complete: missing.length === 0,
    missing,
    extra,
    message: parts.length === 0 ? `the data has all ${features.length} baseline features` : parts.join('; '),
  };
}

/**
 * Throws when the data lacks baseline features, naming them, the near-miss column names, and the
 * fix. `source` names the data in the message.
 */
export function assertFeatureSet(
  baseline: DriftBaseline,
  columnNames: readonly string[],
  source: string,
): void {
  const check = checkFeatureSet(baseline, columnNames);
  if (!check.complete) {
    throw featureMismatch(
      source,
      check.message,
      'rename the columns to match the baseline, or create a new baseline from data with these columns',
    );
  }
}
