import { z } from 'zod';
import { contentDigest, type Digest } from '../core/index.js';
import {
  categoricalBucket,
  categoryIndex,
  countCategorical,
  countNumeric,
  numericBucket,
  numericBucketCount,
} from './baseline-buckets.js';
import {
  type CategoricalDriftMetric,
  type CategoricalFeatureBaseline,
  type DriftBaseline,
  type DriftMetric,
  type FeatureBaseline,
  type NumericFeatureBaseline,
  numericDriftMetrics,
} from './baseline-document.js';
import { invalidBaseline } from './baseline-errors.js';
import {
  chiSquareOfBuckets,
  emptyBucketRule,
  ksApproximation,
  scoreBuckets,
  wassersteinApproximation,
} from './baseline-scores.js';
import { DigestedCategoryIndex } from './category-digest.js';
import type { ChiSquareResult } from './distances.js';
import { invalidDriftArgument } from './drift-errors.js';

export interface DriftAccumulatorOptions {
  /** Length of one time slice in milliseconds; rows are counted per slice. */
  sliceMillis: number;
  /** Slices in the window: the newest slice and the windowSlices − 1 before it. */
  windowSlices: number;
}

/** One batch of rows by feature; numeric features as Float64Array (NaN where missing) for speed. */
export type DriftColumns = Readonly<Record<string, Float64Array | readonly (string | number | null)[]>>;

/** A score computed exactly from the bucket counts. */
export interface ExactScore {
  /** null when the window has no rows. */
  value: number | null;
  threshold: number;
  aboveThreshold: boolean;
  approximate: false;
}

/** A score estimated from the bucket counts; `approximation` says how. */
export interface ApproximateScore {
  /** null when the window has no finite value of the feature. */
  value: number | null;
  threshold: number;
  aboveThreshold: boolean;
  approximate: true;
  approximation: string;
}

export interface FeatureDrift {
  type: FeatureBaseline['type'];
  /** Rows in the window (every row counts for every feature, missing ones in the missing bucket). */
  rows: number;
  missing: number;
  /** Window counts per bucket, aligned with the baseline's `buckets`. */
  counts: number[];
  psi: ExactScore;
  jensenShannon: ExactScore;
  klDivergence: ExactScore;
  hellinger: ExactScore;
  /** Window counts against reference shares × rows; null when the window has no rows. */
  chiSquare: (ChiSquareResult & { approximate: false }) | null;
  /** Numeric features only. */
  ks?: ApproximateScore;
  /** Numeric features only: normalised by the reference std; `distance` is in the feature's units. */
  wasserstein?: ApproximateScore & { distance: number | null };
  /** Whether a judged score is above its threshold; null when the window has no rows. */
  drifted: boolean | null;
  /** The judged scores above their thresholds. */
  driftedOn: DriftMetric[];
}

export interface DriftReport {
  windowRows: number;
  /** The window in epoch milliseconds, start inclusive, end exclusive; null before the first row. */
  windowStart: number | null;
  windowEnd: number | null;
  /** The window size the baseline's thresholds were calibrated for. */
  baselineWindowRows: number;
  /** Rows not counted because their slice had already left the window. */
  lateRows: number;
  /** The scores that decide `drifted`; scores above the threshold is the alert (NannyML's `>`). */
  judgedBy: DriftMetric[];
  emptyBucketRule: string;
  features: Record<string, FeatureDrift>;
  driftedFeatures: string[];
}

export interface DriftScoreOptions {
  /** Scores that decide `drifted` (default psi and jensenShannon); ks and wasserstein apply to numeric features. */
  judgeBy?: readonly DriftMetric[];
}

export const defaultJudgedMetrics: readonly DriftMetric[] = ['psi', 'jensenShannon'];

/** The counts of an accumulator as JSON, for replicas to ship and merge. */
export interface DriftAccumulatorSnapshot {
  kind: 'drift-accumulator-snapshot';
  schemaVersion: 1;
  /** contentDigest of the baseline the counts were made with. */
  baselineDigest: string;
  sliceMillis: number;
  windowSlices: number;
  /** ⌊epoch ms / sliceMillis⌋ of the newest slice; null before the first row. */
  newestSlice: number | null;
  lateRows: number;
  /** Slices that hold rows, oldest first; counts per feature aligned with the baseline's buckets. */
  slices: { slice: number; rows: number; counts: Record<string, number[]> }[];
}

interface LayoutCommon {
  name: string;
  /** Where the feature's buckets start within a slice. */
  offset: number;
  buckets: number;
}

type FeatureLayout =
  | (LayoutCommon & { type: 'numeric'; feature: NumericFeatureBaseline; edges: Float64Array })
  | (LayoutCommon & {
      type: 'categorical';
      feature: CategoricalFeatureBaseline;
      categories: Map<string, number>;
    });

/**
 * Bounded-memory drift monitoring against a fixed baseline. It keeps only bucket counts per time
 * slice in a ring of `windowSlices` slices, so its memory does not grow with the rows it sees:
 * windowSlices × (Σ buckets per feature + 1) float64 counters. A row newer than the newest slice
 * slides the window (the oldest slices are dropped); a row older than the window is not counted
 * (see `lateRows`). Accumulators on the same baseline merge by adding counts, slice by slice.
 */
export class DriftAccumulator {
  readonly baseline: DriftBaseline;
  readonly baselineDigest: Digest;
  readonly sliceMillis: number;
  readonly windowSlices: number;
  readonly #layouts: FeatureLayout[];
  readonly #bucketsPerSlice: number;
  readonly #counts: Float64Array;
  readonly #sliceRows: Float64Array;
  #newestSlice: number | null = null;
  #lateRows = 0;

  constructor(baseline: DriftBaseline, options: DriftAccumulatorOptions) {
    if (!(Number.isFinite(options.sliceMillis) && options.sliceMillis > 0)) {
      throw invalidDriftArgument(
        `DriftAccumulator: sliceMillis is ${options.sliceMillis}; give a duration > 0`,
      );
    }
    if (!(Number.isInteger(options.windowSlices) && options.windowSlices >= 1)) {
      throw invalidDriftArgument(
        `DriftAccumulator: windowSlices is ${options.windowSlices}; give a whole number ≥ 1`,
      );
    }
    this.baseline = baseline;
    this.baselineDigest = contentDigest(baseline);
    this.sliceMillis = options.sliceMillis;
    this.windowSlices = options.windowSlices;
    let offset = 0;
    this.#layouts = Object.entries(baseline.features).map(([name, feature]) => {
      const layout: FeatureLayout =
        feature.type === 'numeric'
          ? {
              type: 'numeric',
              name,
              feature,
              offset,
              buckets: numericBucketCount(feature.edges),
              edges: Float64Array.from(feature.edges),
            }
          : {
              type: 'categorical',
              name,
              feature,
              offset,
              buckets: feature.categories.length + 2,
              categories:
                feature.digested && baseline.categoryDigest !== undefined
                  ? new DigestedCategoryIndex(feature.categories, baseline.categoryDigest)
                  : categoryIndex(feature.categories),
            };
      offset += layout.buckets;
      return layout;
    });
    this.#bucketsPerSlice = offset;
    this.#counts = new Float64Array(this.windowSlices * this.#bucketsPerSlice);
    this.#sliceRows = new Float64Array(this.windowSlices);
  }

  /** Rebuilds an accumulator from `snapshot()` output, checking it against the baseline. */
  static fromSnapshot(
    baseline: DriftBaseline,
    snapshot: unknown,
    source = 'accumulator snapshot',
  ): DriftAccumulator {
    const parsed = snapshotDocument.safeParse(snapshot);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path =
        issue === undefined || issue.path.length === 0 ? '(document)' : issue.path.map(String).join('.');
      throw invalidBaseline(
        source,
        `not a drift accumulator snapshot: ${path}: ${issue?.message ?? 'invalid'}`,
        'pass what DriftAccumulator.snapshot() returned',
      );
    }
    const { data } = parsed;
    const accumulator = new DriftAccumulator(baseline, {
      sliceMillis: data.sliceMillis,
      windowSlices: data.windowSlices,
    });
    if (data.baselineDigest !== accumulator.baselineDigest) {
      throw invalidBaseline(
        source,
        `the snapshot was counted on baseline ${data.baselineDigest}, not on this one (${accumulator.baselineDigest})`,
        'load the baseline the replica used',
      );
    }
    accumulator.#lateRows = data.lateRows;
    if (data.newestSlice === null) return accumulator;
    accumulator.#newestSlice = data.newestSlice;
    const seen = new Set<number>();
    for (const slice of data.slices) {
      if (
        seen.has(slice.slice) ||
        slice.slice > data.newestSlice ||
        slice.slice <= data.newestSlice - data.windowSlices
      ) {
        throw invalidBaseline(
          source,
          `slice ${slice.slice} is repeated or outside the window ending at slice ${data.newestSlice}`,
          'pass what DriftAccumulator.snapshot() returned, unedited',
        );
      }
      seen.add(slice.slice);
      const base = accumulator.#slotOf(slice.slice) * accumulator.#bucketsPerSlice;
      for (const layout of accumulator.#layouts) {
        const counts = slice.counts[layout.name];
        const total = counts?.reduce((sum, value) => sum + value, 0);
        if (counts === undefined || counts.length !== layout.buckets || total !== slice.rows) {
          throw invalidBaseline(
            source,
            `slice ${slice.slice}: feature "${layout.name}" needs ${layout.buckets} counts summing to ${slice.rows} rows`,
            'pass what DriftAccumulator.snapshot() returned, unedited',
          );
        }
        accumulator.#counts.set(counts, base + layout.offset);
      }
      accumulator.#sliceRows[accumulator.#slotOf(slice.slice)] = slice.rows;
    }
    return accumulator;
  }

  /** Rows in the window. */
  get windowRows(): number {
    let rows = 0;
    for (const sliceRows of this.#sliceRows) rows += sliceRows;
    return rows;
  }

  get lateRows(): number {
    return this.#lateRows;
  }

  /** Bytes held in typed arrays: the counters and the numeric edges. Constant for the accumulator's life. */
  get retainedBytes(): number {
    let bytes = this.#counts.byteLength + this.#sliceRows.byteLength;
    for (const layout of this.#layouts) if (layout.type === 'numeric') bytes += layout.edges.byteLength;
    return bytes;
  }

  /**
   * Counts one row at time `at` (epoch ms). A feature absent from the row counts as missing; for
   * numeric features anything but a finite number is missing. Returns false when the row's slice
   * has left the window and the row was not counted.
   */
  add(row: Readonly<Record<string, number | string | null>>, at: number = Date.now()): boolean {
    const slot = this.#slotForRows(at, 1);
    if (slot < 0) return false;
    const base = slot * this.#bucketsPerSlice;
    for (const layout of this.#layouts) {
      const value = row[layout.name];
      const bucket =
        layout.type === 'numeric'
          ? numericBucket(layout.edges, value)
          : categoricalBucket(layout.categories, value);
      (this.#counts[base + layout.offset + bucket] as number)++;
    }
    (this.#sliceRows[slot] as number)++;
    return true;
  }

  /**
   * Counts a batch of rows, all at time `at`. Columns the baseline does not know are ignored; a
   * baseline feature without a column counts as missing in every row. Returns the rows counted
   * (0 when the slice has left the window).
   */
  addBatch(columns: DriftColumns, at: number = Date.now()): number {
    const rows = this.#batchRows(columns);
    const slot = this.#slotForRows(at, rows);
    if (slot < 0 || rows === 0) return 0;
    const base = slot * this.#bucketsPerSlice;
    const counts = this.#counts;
    for (const layout of this.#layouts) {
      const offset = base + layout.offset;
      const values = columns[layout.name];
      if (values === undefined) {
        (counts[offset + layout.buckets - 1] as number) += rows;
      } else if (layout.type === 'categorical') {
        countCategorical(values, layout.categories, counts, offset);
      } else if (values instanceof Float64Array) {
        countNumeric(values, layout.edges, counts, offset);
      } else {
        for (const value of values) (counts[offset + numericBucket(layout.edges, value)] as number)++;
      }
    }
    (this.#sliceRows[slot] as number) += rows;
    return rows;
  }

  /** Slides the window so that its newest slice is the one holding `at`, dropping older slices. */
  advanceTo(at: number): void {
    const slice = this.#sliceOf(at);
    if (this.#newestSlice === null || slice > this.#newestSlice) this.#slideTo(slice);
  }

  /**
   * Adds another accumulator's counts (a replica on the same baseline, slice length and window),
   * slice by slice. The merged window ends at the newer of the two newest slices.
   */
  merge(other: DriftAccumulator): void {
    if (other.baselineDigest !== this.baselineDigest) {
      throw invalidDriftArgument(
        `DriftAccumulator.merge: the accumulators count against different baselines (${this.baselineDigest} and ${other.baselineDigest})`,
      );
    }
    if (other.sliceMillis !== this.sliceMillis || other.windowSlices !== this.windowSlices) {
      throw invalidDriftArgument(
        `DriftAccumulator.merge: slices of ${other.sliceMillis} ms × ${other.windowSlices} cannot be added to slices of ${this.sliceMillis} ms × ${this.windowSlices}`,
      );
    }
    this.#lateRows += other.#lateRows;
    if (other.#newestSlice === null) return;
    if (this.#newestSlice === null || other.#newestSlice > this.#newestSlice)
      this.#slideTo(other.#newestSlice);
    const oldestKept = (this.#newestSlice as number) - this.windowSlices + 1;
    for (
      let slice = Math.max(oldestKept, other.#newestSlice - this.windowSlices + 1);
      slice <= other.#newestSlice;
      slice++
    ) {
      const slot = this.#slotOf(slice);
      const base = slot * this.#bucketsPerSlice;
      for (let bucket = 0; bucket < this.#bucketsPerSlice; bucket++) {
        (this.#counts[base + bucket] as number) += other.#counts[base + bucket] as number;
      }
      (this.#sliceRows[slot] as number) += other.#sliceRows[slot] as number;
    }
  }

  snapshot(): DriftAccumulatorSnapshot {
    const slices: DriftAccumulatorSnapshot['slices'] = [];
    if (this.#newestSlice !== null) {
      for (let slice = this.#newestSlice - this.windowSlices + 1; slice <= this.#newestSlice; slice++) {
        const slot = this.#slotOf(slice);
        const rows = this.#sliceRows[slot] as number;
        if (rows === 0) continue;
        const base = slot * this.#bucketsPerSlice;
        const counts: Record<string, number[]> = {};
        for (const layout of this.#layouts) {
          counts[layout.name] = Array.from(
            this.#counts.subarray(base + layout.offset, base + layout.offset + layout.buckets),
          );
        }
        slices.push({ slice, rows, counts });
      }
    }
    return {
      kind: 'drift-accumulator-snapshot',
      schemaVersion: 1,
      baselineDigest: this.baselineDigest,
      sliceMillis: this.sliceMillis,
      windowSlices: this.windowSlices,
      newestSlice: this.#newestSlice,
      lateRows: this.#lateRows,
      slices,
    };
  }

  /** Window counts per bucket of one feature. */
  windowCounts(feature: string): Float64Array {
    const layout = this.#layouts.find((candidate) => candidate.name === feature);
    if (layout === undefined) {
      throw invalidDriftArgument(`DriftAccumulator.windowCounts: the baseline has no feature "${feature}"`);
    }
    const counts = new Float64Array(layout.buckets);
    for (let slot = 0; slot < this.windowSlices; slot++) {
      const base = slot * this.#bucketsPerSlice + layout.offset;
      for (let bucket = 0; bucket < layout.buckets; bucket++) {
        (counts[bucket] as number) += this.#counts[base + bucket] as number;
      }
    }
    return counts;
  }

  /** Drift scores of every feature over the current window, judged against the baseline thresholds. */
  scores(options: DriftScoreOptions = {}): DriftReport {
    const judgeBy = [...(options.judgeBy ?? defaultJudgedMetrics)];
    for (const metric of judgeBy) {
      if (!(numericDriftMetrics as readonly string[]).includes(metric)) {
        throw invalidDriftArgument(
          `DriftAccumulator.scores: cannot judge by "${metric}"; choose from ${numericDriftMetrics.join(', ')}`,
        );
      }
    }
    const windowRows = this.windowRows;
    const features: Record<string, FeatureDrift> = {};
    const driftedFeatures: string[] = [];
    for (const layout of this.#layouts) {
      const drift = featureDrift(layout.feature, this.windowCounts(layout.name), windowRows, judgeBy);
      features[layout.name] = drift;
      if (drift.drifted === true) driftedFeatures.push(layout.name);
    }
    const newest = this.#newestSlice;
    return {
      windowRows,
      windowStart: newest === null ? null : (newest - this.windowSlices + 1) * this.sliceMillis,
      windowEnd: newest === null ? null : (newest + 1) * this.sliceMillis,
      baselineWindowRows: this.baseline.windowRows,
      lateRows: this.#lateRows,
      judgedBy: judgeBy,
      emptyBucketRule,
      features,
      driftedFeatures,
    };
  }

  #batchRows(columns: DriftColumns): number {
    let rows: number | undefined;
    let first = '';
    for (const layout of this.#layouts) {
      const values = columns[layout.name];
      if (values === undefined) continue;
      if (rows === undefined) {
        rows = values.length;
        first = layout.name;
      } else if (values.length !== rows) {
        throw invalidDriftArgument(
          `DriftAccumulator.addBatch: column "${layout.name}" has ${values.length} values and "${first}" ${rows}; give one value per row in every column`,
        );
      }
    }
    if (rows === undefined) {
      throw invalidDriftArgument(
        `DriftAccumulator.addBatch: the batch has none of the baseline's features (${this.#layouts.map((layout) => layout.name).join(', ')})`,
      );
    }
    return rows;
  }

  #sliceOf(at: number): number {
    if (!Number.isFinite(at)) {
      throw invalidDriftArgument(`DriftAccumulator: the time ${at} is not a finite epoch millisecond value`);
    }
    return Math.floor(at / this.sliceMillis);
  }

  #slotOf(slice: number): number {
    return ((slice % this.windowSlices) + this.windowSlices) % this.windowSlices;
  }

  /** The ring slot for rows at `at`, sliding the window forward if needed; -1 when they are too old. */
  #slotForRows(at: number, rows: number): number {
    const slice = this.#sliceOf(at);
    if (this.#newestSlice === null || slice > this.#newestSlice) this.#slideTo(slice);
    if (slice <= (this.#newestSlice as number) - this.windowSlices) {
      this.#lateRows += rows;
      return -1;
    }
    return this.#slotOf(slice);
  }

  /** Makes `slice` the newest, clearing the slots of the slices that enter the window. */
  #slideTo(slice: number): void {
    const previous = this.#newestSlice ?? slice - this.windowSlices;
    const entering = Math.min(slice - previous, this.windowSlices);
    for (let step = entering - 1; step >= 0; step--) {
      const slot = this.#slotOf(slice - step);
      this.#counts.fill(0, slot * this.#bucketsPerSlice, (slot + 1) * this.#bucketsPerSlice);
      this.#sliceRows[slot] = 0;
    }
    this.#newestSlice = slice;
  }
}

function featureDrift(
  feature: FeatureBaseline,
  counts: Float64Array,
  rows: number,
  judgeBy: readonly DriftMetric[],
): FeatureDrift {
  const scores = rows > 0 ? scoreBuckets(feature, counts) : undefined;
  const thresholds = feature.thresholds as Partial<Record<DriftMetric, number>>;
  const exact = (metric: CategoricalDriftMetric): ExactScore => {
    const value = scores?.[metric] ?? null;
    const threshold = thresholds[metric] as number;
    return { value, threshold, aboveThreshold: value !== null && value > threshold, approximate: false };
  };
  const drift: FeatureDrift = {
    type: feature.type,
    rows,
    missing: counts[counts.length - 1] as number,
    counts: Array.from(counts),
    psi: exact('psi'),
    jensenShannon: exact('jensenShannon'),
    klDivergence: exact('klDivergence'),
    hellinger: exact('hellinger'),
    chiSquare: rows > 0 ? { ...chiSquareOfBuckets(feature, counts), approximate: false } : null,
    drifted: null,
    driftedOn: [],
  };
  if (feature.type === 'numeric') {
    const approximate = (
      value: number | null,
      threshold: number,
      approximation: string,
    ): ApproximateScore => ({
      value,
      threshold,
      aboveThreshold: value !== null && value > threshold,
      approximate: true,
      approximation,
    });
    drift.ks = approximate(scores?.ks ?? null, feature.thresholds.ks, ksApproximation);
    drift.wasserstein = {
      ...approximate(scores?.wasserstein ?? null, feature.thresholds.wasserstein, wassersteinApproximation),
      distance: scores?.wassersteinDistance ?? null,
    };
  }
  if (rows > 0) {
    drift.driftedOn = judgeBy.filter((metric) => drift[metric]?.aboveThreshold === true);
    drift.drifted = drift.driftedOn.length > 0;
  }
  return drift;
}

const snapshotCount = z.number().int().nonnegative();
const snapshotDocument = z.strictObject({
  kind: z.literal('drift-accumulator-snapshot'),
  schemaVersion: z.literal(1),
  baselineDigest: z.string(),
  sliceMillis: z.number().positive(),
  windowSlices: z.number().int().min(1),
  newestSlice: z.number().int().nullable(),
  lateRows: snapshotCount,
  slices: z.array(
    z.strictObject({
      slice: z.number().int(),
      rows: snapshotCount,
      counts: z.record(z.string(), z.array(snapshotCount)),
    }),
  ),
});
