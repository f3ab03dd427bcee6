/**
 * The body of a `drift-report` evidence document (the envelope in docs/architecture.md): one entry per column with
 * its test result, missing-value counts and a small histogram for charts, and the dataset verdict.
 * Two modes: 'batch' compares a reference sample with a current one as Evidently does
 * (`columnDrift`); 'baseline' judges current windows against a fixed-bin baseline
 * (`DriftAccumulator` scores). Pure: the caller reads the data.
 */
import { didYouMean, type ErrorCode, type EvidenceEnvelope, isWardenError } from '../core/index.js';
import { countNumeric } from './baseline-buckets.js';
import type { DriftBaseline, DriftMetric, FeatureBaseline } from './baseline-document.js';
import { sturgesEdges } from './binning.js';
import {
  type CategoryDigestKey,
  categoryDigest,
  digestsCategories,
  newCategoryDigestKey,
} from './category-digest.js';
import { type ColumnDriftResult, columnDrift, type DriftMethod, driftMethods } from './column-drift.js';
import { datasetDrift, defaultDriftShare } from './dataset-drift.js';
import type { FeatureDrift, DriftReport as WindowScores } from './drift-accumulator.js';
import { invalidDriftArgument, tooFewRows } from './drift-errors.js';

export type DriftColumnType = 'numeric' | 'categorical';
/** Evidently includes the target and the prediction in data drift; they are judged like features. */
export type DriftColumnRole = 'feature' | 'target' | 'prediction';

/** One column of both samples, already read. */
export interface DriftColumnInput {
  name: string;
  type: DriftColumnType;
  role: DriftColumnRole;
  /** Numeric: NaN or ±Infinity where missing. Categorical: null where missing. Order does not matter. */
  reference: Float64Array | readonly (string | null)[];
  current: Float64Array | readonly (string | null)[];
}

export interface DriftReportOptions {
  /** The test for every column instead of Evidently's default choice. */
  method?: DriftMethod;
  /** Per-column tests; they win over `method`. */
  methods?: Readonly<Record<string, DriftMethod>>;
  /** The threshold for every column instead of each method's default. */
  threshold?: number;
  /** Per-column thresholds; they win over `threshold`. */
  thresholds?: Readonly<Record<string, number>>;
  /** Share of drifted columns from which the dataset drifts (default 0.5, Evidently's). */
  driftShare?: number;
  /** Columns holding personal data (e.g. classified so by a data contract): their categories are digested. */
  piiColumns?: readonly string[];
  /** The key of digested categories, one per report (default: a fresh random salt). */
  categoryDigest?: CategoryDigestKey;
}

/**
 * Reference and current shares over a column's non-missing values, for a chart:
 * - `bins`: equal-width bins [eᵢ, eᵢ₊₁), the last one closed (the method's own Sturges bins when it
 *   binned, else Sturges over both samples);
 * - `values`: one bucket per distinct number (the method's buckets for chisquare, z, and psi, KL and
 *   JS on columns with at most 20 distinct reference values);
 * - `categories`: the 20 categories most frequent over both samples, the rest summed in `other`;
 * - `buckets`: a baseline's fixed buckets (below, inner bins, above, missing), shares over all rows.
 */
export type DriftHistogram =
  | { kind: 'bins'; edges: number[]; reference: number[]; current: number[] }
  | { kind: 'values'; values: number[]; reference: number[]; current: number[] }
  | {
      kind: 'categories';
      /** Digests under the report's `categoryDigest` key when `digested`. */
      categories: string[];
      digested?: true;
      reference: number[];
      current: number[];
      other?: { categories: number; reference: number; current: number };
    }
  | { kind: 'buckets'; buckets: string[]; reference: number[]; current: number[] };

interface ColumnFacts {
  type: DriftColumnType;
  role: DriftColumnRole;
  /** Values left after dropping missing ones (null, NaN, ±Infinity). */
  referenceRows: number;
  currentRows: number;
  referenceMissing: number;
  currentMissing: number;
}

/** A column whose test ran. Non-finite test statistics (χ² of a category new in current) are null. */
export interface TestedColumnDrift
  extends ColumnFacts,
    Omit<ColumnDriftResult, 'testStatistic' | 'referenceRows' | 'currentRows'> {
  testStatistic?: number | null;
  histogram?: DriftHistogram;
}

/** A column whose test could not run: it has no score, is not judged, and does not count in the share. */
export interface UntestedColumnDrift extends ColumnFacts {
  method?: DriftMethod;
  threshold?: number;
  drifted: null;
  error: string;
  errorCode: ErrorCode;
  histogram?: DriftHistogram;
}

export type BatchColumnDrift = TestedColumnDrift | UntestedColumnDrift;

/** A baseline score of one metric, as the accumulator reports it. */
export interface BaselineScore {
  value: number | null;
  threshold: number;
  aboveThreshold: boolean;
  approximate: boolean;
  approximation?: string;
}

/**
 * A feature judged against a baseline. `method`, `statistic` and `threshold` repeat the judged
 * score furthest above (or least below) its threshold; `scores` holds every score.
 */
export interface BaselineColumnDrift extends ColumnFacts {
  method: DriftMetric;
  statistic: number | null;
  threshold: number;
  /** NannyML's alert rule: a score strictly above its threshold. */
  comparison: 'distance > threshold';
  drifted: boolean | null;
  driftedOn: DriftMetric[];
  scores: Partial<Record<DriftMetric, BaselineScore>>;
  chiSquare: { statistic: number | null; pValue: number; degreesOfFreedom: number } | null;
  histogram: DriftHistogram;
  error?: string;
}

export type ColumnDriftEntry = BatchColumnDrift | BaselineColumnDrift;

interface DriftReportSummary {
  passed: boolean;
  driftShare: number;
  /** Every column in the report. */
  totalColumns: number;
  /** Columns whose test ran: the denominator of `driftedShare`. */
  testedColumns: number;
  driftedColumns: number;
  driftedShare: number;
  /** driftedShare ≥ driftShare. */
  datasetDrift: boolean;
  driftedColumnNames: string[];
  /** Columns not judged and why. */
  skipped: { column: string; reason: string }[];
}

/** Present when a column's categories are digests: the key they were made with. */
interface DigestedCategories {
  categoryDigest?: CategoryDigestKey;
}

export interface BatchDriftReport extends DriftReportSummary, DigestedCategories {
  mode: 'batch';
  /** By column name, in input order. */
  columns: Record<string, BatchColumnDrift>;
}

/** One window of current rows scored against the baseline. */
export interface WindowSummary {
  index: number;
  rows: number;
  driftedColumnNames: string[];
  driftedShare: number;
  datasetDrift: boolean;
}

export interface BaselineDriftReport extends DriftReportSummary, DigestedCategories {
  mode: 'baseline';
  baseline: {
    createdAt: string;
    producer: { name: string; version: string };
    source: { uri: string; digest: string; rows: number };
    windowRows: number;
  };
  judgedBy: DriftMetric[];
  emptyBucketRule: string;
  /** Every window scored, in order; `columns` shows the one with the largest drifted share. */
  windows: WindowSummary[];
  shownWindow: number;
  columns: Record<string, BaselineColumnDrift>;
}

export type DriftReportBody = BatchDriftReport | BaselineDriftReport;

/**
 * A sealed drift-report evidence document. `inputs` lists the reference (or the baseline) first,
 * then the current data; `ignoredColumns` and `ignoredRows` say what the reader left out, and why.
 */
export type DriftReportEvidence = EvidenceEnvelope & { kind: 'drift-report' } & DriftReportBody & {
    ignoredColumns?: { column: string; reason: string }[];
    ignoredRows?: { rows: number; reason: string };
  };

const topCategories = 20;
/** More distinct numbers than this are drawn as bins even when the method counted values. */
const maxValueBuckets = 50;
const valueBucketMethods: ReadonlySet<DriftMethod> = new Set(['chisquare', 'z']);
const evidentlyBucketMethods: ReadonlySet<DriftMethod> = new Set(['psi', 'kl_div', 'jensenshannon']);

/**
 * Checks the options against the columns before any data is read: known methods and columns,
 * finite thresholds, a drift share from 0 to 1.
 */
export function checkDriftReportOptions(columnNames: readonly string[], options: DriftReportOptions): void {
  const known = new Set(columnNames);
  const checkMethod = (method: string, where: string) => {
    if (!(driftMethods as readonly string[]).includes(method)) {
      throw invalidDriftArgument(
        `${where}: unknown drift method '${method}'${didYouMean(method, driftMethods)}; use one of ${driftMethods.join(', ')}`,
      );
    }
  };
  const checkThreshold = (threshold: number, where: string) => {
    if (!Number.isFinite(threshold) || threshold < 0) {
      throw invalidDriftArgument(`${where}: the threshold ${threshold} is not a finite number ≥ 0`);
    }
  };
  const checkColumn = (column: string, what: string) => {
    if (!known.has(column)) {
      throw invalidDriftArgument(
        `${what} names column '${column}', which is not compared${didYouMean(column, columnNames)}; the compared columns are ${columnNames.join(', ')}`,
      );
    }
  };
  if (options.method !== undefined) checkMethod(options.method, 'the method for all columns');
  for (const [column, method] of Object.entries(options.methods ?? {})) {
    checkColumn(column, `the method ${column}=${method}`);
    checkMethod(method, `column '${column}'`);
  }
  if (options.threshold !== undefined) checkThreshold(options.threshold, 'the threshold for all columns');
  for (const [column, threshold] of Object.entries(options.thresholds ?? {})) {
    checkColumn(column, `the threshold ${column}=${threshold}`);
    checkThreshold(threshold, `column '${column}'`);
  }
  const share = options.driftShare ?? defaultDriftShare;
  if (!(share >= 0 && share <= 1)) {
    throw invalidDriftArgument(`the drift share ${share} is not a number from 0 to 1`);
  }
}

/**
 * Tests one column as Evidently's batch drift does and adds what a report shows. A test that
 * cannot run for lack of data (no values left on a side, chi-square over one category) gives an
 * untested entry with the reason, never an invented score; any other misuse throws.
 */
export function columnDriftEntry(
  column: DriftColumnInput,
  options: DriftReportOptions = {},
): BatchColumnDrift {
  const method = options.methods?.[column.name] ?? options.method;
  const threshold = options.thresholds?.[column.name] ?? options.threshold;
  const facts = columnFacts(column);
  let result: ColumnDriftResult;
  try {
    result = columnDrift(
      column.type === 'numeric'
        ? {
            type: 'numeric',
            name: column.name,
            reference: column.reference as Float64Array,
            current: column.current as Float64Array,
          }
        : {
            type: 'categorical',
            name: column.name,
            reference: column.reference as readonly (string | null)[],
            current: column.current as readonly (string | null)[],
          },
      {
        ...(method === undefined ? {} : { method }),
        ...(threshold === undefined ? {} : { threshold }),
      },
    );
  } catch (error) {
    if (!isWardenError(error) || error.code !== 'WARDEN_ERR_DRIFT_TOO_FEW_ROWS') throw error;
    const histogram =
      facts.referenceRows > 0 && facts.currentRows > 0
        ? fallbackHistogram(column, facts, protectionOf(options))
        : undefined;
    return {
      ...facts,
      ...(method === undefined ? {} : { method }),
      ...(threshold === undefined ? {} : { threshold }),
      drifted: null,
      error: error.hint === undefined ? error.message : `${error.message}; ${error.hint}`,
      errorCode: error.code,
      ...(histogram === undefined ? {} : { histogram }),
    };
  }
  if (Number.isNaN(result.statistic)) {
    return {
      ...facts,
      method: result.method,
      threshold: result.threshold,
      drifted: null,
      error: `column '${column.name}': the ${result.method} score is undefined (NaN) for these samples`,
      errorCode: 'WARDEN_ERR_DRIFT_TOO_FEW_ROWS',
    };
  }
  const { testStatistic, referenceRows: _referenceRows, currentRows: _currentRows, ...scored } = result;
  const histogram = columnHistogram(column, result, protectionOf(options));
  return {
    ...facts,
    ...scored,
    ...(testStatistic === undefined ? {} : { testStatistic: finiteOrNull(testStatistic) }),
    ...(histogram === undefined ? {} : { histogram }),
  };
}

/**
 * The batch report of already tested columns (see `columnDriftEntry`), in the order given. Throws
 * WARDEN_ERR_DRIFT_TOO_FEW_ROWS when no column could be tested, naming each reason.
 */
export function summarizeBatchDrift(
  entries: readonly (readonly [string, BatchColumnDrift])[],
  driftShare: number = defaultDriftShare,
  categoryDigest?: CategoryDigestKey,
): BatchDriftReport {
  const digested = entries.some(
    ([, entry]) => entry.histogram?.kind === 'categories' && entry.histogram.digested === true,
  );
  if (digested && categoryDigest === undefined) {
    throw invalidDriftArgument('summarizeBatchDrift: digested categories need the key they were made with');
  }
  return {
    mode: 'batch',
    ...summarize(entries, driftShare),
    ...(digested && categoryDigest !== undefined ? { categoryDigest } : {}),
    columns: Object.fromEntries(entries),
  };
}

/**
 * The batch drift report of columns read in full: each column tested as Evidently does (method
 * by column type, reference size and distinct values, unless configured), and the dataset drifts
 * when the share of drifted columns among the tested ones reaches `driftShare`.
 *
 * @example
 * const report = batchDriftReport(
 *   [{ name: 'Age', type: 'numeric', role: 'feature', reference: Float64Array.of(30, 41), current: Float64Array.of(52, 60) }],
 *   { thresholds: { Age: 0.2 } },
 * );
 * report.columns.Age.drifted; // true or false; null when the test could not run
 */
export function batchDriftReport(
  columns: readonly DriftColumnInput[],
  options: DriftReportOptions = {},
): BatchDriftReport {
  const names = columns.map((column) => column.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined)
    throw invalidDriftArgument(`column '${duplicate}' is given twice; give each once`);
  checkDriftReportOptions(names, options);
  const keyed = { ...options, categoryDigest: options.categoryDigest ?? newCategoryDigestKey() };
  return summarizeBatchDrift(
    columns.map((column) => [column.name, columnDriftEntry(column, keyed)] as const),
    options.driftShare,
    keyed.categoryDigest,
  );
}

/**
 * The baseline report of one or more windows scored by a `DriftAccumulator` on `baseline`, in
 * order. The dataset drifts when any window does; `columns` shows the window with the largest
 * share of drifted features (the first of equals). A feature of an empty window is not judged.
 */
export function baselineDriftReport(
  baseline: DriftBaseline,
  windows: readonly WindowScores[],
  driftShare: number = defaultDriftShare,
): BaselineDriftReport {
  const first = windows[0];
  if (first === undefined) throw invalidDriftArgument('baselineDriftReport: there is no window to report');
  const reports = windows.map((window) => {
    const entries = Object.entries(window.features).map(
      ([name, drift]) =>
        [
          name,
          baselineColumnEntry(name, baseline.features[name] as FeatureBaseline, drift, window.judgedBy),
        ] as const,
    );
    return { entries, summary: summarize(entries, driftShare), rows: window.windowRows };
  });
  let shown = 0;
  reports.forEach((report, index) => {
    if (report.summary.driftedShare > (reports[shown] as (typeof reports)[number]).summary.driftedShare)
      shown = index;
  });
  const shownReport = reports[shown] as (typeof reports)[number];
  const anyDrift = reports.some((report) => report.summary.datasetDrift);
  return {
    mode: 'baseline',
    ...shownReport.summary,
    passed: !anyDrift,
    datasetDrift: anyDrift,
    ...(baseline.categoryDigest === undefined ? {} : { categoryDigest: { ...baseline.categoryDigest } }),
    baseline: {
      createdAt: baseline.createdAt,
      producer: { ...baseline.producer },
      source: { ...baseline.source },
      windowRows: baseline.windowRows,
    },
    judgedBy: [...first.judgedBy],
    emptyBucketRule: first.emptyBucketRule,
    windows: reports.map((report, index) => ({
      index,
      rows: report.rows,
      driftedColumnNames: report.summary.driftedColumnNames,
      driftedShare: report.summary.driftedShare,
      datasetDrift: report.summary.datasetDrift,
    })),
    shownWindow: shown,
    columns: Object.fromEntries(shownReport.entries),
  };
}

/**
 * How far a column is past its threshold, for ordering: a distance over its threshold, or the
 * threshold over the p-value; 1 at the threshold, larger is worse. Untested columns come last.
 */
export function driftSeverity(entry: ColumnDriftEntry): number {
  if (!('statistic' in entry) || entry.drifted === null || entry.statistic === null)
    return Number.NEGATIVE_INFINITY;
  const { statistic, threshold } = entry;
  const ratio = entry.comparison.startsWith('p ') ? threshold / statistic : statistic / threshold;
  return Number.isNaN(ratio) ? 0 : ratio;
}

/** Column names ordered as a reader wants them: drifted first, then by severity, untested last. */
export function columnsBySeverity(columns: Readonly<Record<string, ColumnDriftEntry>>): string[] {
  const rank = (entry: ColumnDriftEntry) => (entry.drifted === true ? 0 : entry.drifted === false ? 1 : 2);
  return Object.keys(columns)
    .map((name, index) => ({ name, index, entry: columns[name] as ColumnDriftEntry }))
    .sort(
      (a, b) =>
        rank(a.entry) - rank(b.entry) || driftSeverity(b.entry) - driftSeverity(a.entry) || a.index - b.index,
    )
    .map(({ name }) => name);
}

function summarize(
  entries: readonly (readonly [string, ColumnDriftEntry])[],
  driftShare: number,
): DriftReportSummary {
  const tested = entries.filter(([, entry]) => entry.drifted !== null) as [
    string,
    ColumnDriftEntry & { drifted: boolean },
  ][];
  const skipped = entries
    .filter(([, entry]) => entry.drifted === null)
    .map(([column, entry]) => ({ column, reason: ('error' in entry && entry.error) || 'not tested' }));
  if (tested.length === 0) {
    throw tooFewRows(
      `no column could be tested: ${skipped.map(({ column, reason }) => `${column}: ${reason}`).join('; ') || 'there are no columns'}`,
      'compare files with values in the columns, or pick the columns with values',
    );
  }
  const result = datasetDrift(
    tested.map(([, entry]) => entry),
    driftShare,
  );
  return {
    passed: !result.datasetDrift,
    driftShare: result.driftShare,
    totalColumns: entries.length,
    testedColumns: result.columns,
    driftedColumns: result.driftedColumns,
    driftedShare: result.driftedShare,
    datasetDrift: result.datasetDrift,
    driftedColumnNames: tested.filter(([, entry]) => entry.drifted).map(([name]) => name),
    skipped,
  };
}

function isMissingNumber(value: number): boolean {
  return !Number.isFinite(value);
}

function columnFacts(column: DriftColumnInput): ColumnFacts {
  const missing = (values: DriftColumnInput['reference']): number => {
    let count = 0;
    if (values instanceof Float64Array) {
      for (const value of values) if (isMissingNumber(value)) count++;
    } else {
      for (const value of values) if (value === null) count++;
    }
    return count;
  };
  const referenceMissing = missing(column.reference);
  const currentMissing = missing(column.current);
  return {
    type: column.type,
    role: column.role,
    referenceRows: column.reference.length - referenceMissing,
    currentRows: column.current.length - currentMissing,
    referenceMissing,
    currentMissing,
  };
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** How a categorical column's histogram protects personal data: the report's key and the declared columns. */
interface CategoryProtection {
  key: CategoryDigestKey;
  piiColumns: readonly string[] | undefined;
}

/** A report's columns are tested one by one; without a key in the options each gets its own. */
function protectionOf(options: DriftReportOptions): CategoryProtection {
  return { key: options.categoryDigest ?? newCategoryDigestKey(), piiColumns: options.piiColumns };
}

function columnHistogram(
  column: DriftColumnInput,
  result: ColumnDriftResult,
  protection: CategoryProtection,
): DriftHistogram | undefined {
  if (column.type === 'categorical') return categoryHistogram(column, protection);
  const reference = column.reference as Float64Array;
  const current = column.current as Float64Array;
  const countsValues =
    valueBucketMethods.has(result.method) ||
    (evidentlyBucketMethods.has(result.method) && distinctAtMost(reference, 20));
  if (countsValues) {
    const histogram = valueHistogram(reference, current);
    if (histogram !== undefined) return histogram;
  }
  const size =
    result.method === 'hellinger' ? result.uniqueValues : result.referenceRows + result.currentRows;
  return binHistogram(reference, current, size);
}

/** The histogram of a column whose test did not run: Sturges bins or top categories over both samples. */
function fallbackHistogram(
  column: DriftColumnInput,
  facts: ColumnFacts,
  protection: CategoryProtection,
): DriftHistogram | undefined {
  if (column.type === 'categorical') return categoryHistogram(column, protection);
  return binHistogram(
    column.reference as Float64Array,
    column.current as Float64Array,
    facts.referenceRows + facts.currentRows,
  );
}

function distinctAtMost(values: Float64Array, limit: number): boolean {
  const seen = new Set<number>();
  for (const value of values) {
    if (isMissingNumber(value)) continue;
    seen.add(value);
    if (seen.size > limit) return false;
  }
  return true;
}

function valueHistogram(reference: Float64Array, current: Float64Array): DriftHistogram | undefined {
  const counts = new Map<number, [number, number]>();
  const rows: [number, number] = [0, 0];
  for (const side of [0, 1] as const) {
    for (const value of side === 0 ? reference : current) {
      if (isMissingNumber(value)) continue;
      let pair = counts.get(value);
      if (pair === undefined) {
        if (counts.size === maxValueBuckets) return undefined;
        pair = [0, 0];
        counts.set(value, pair);
      }
      pair[side]++;
      rows[side]++;
    }
  }
  const values = [...counts.keys()].sort((a, b) => a - b);
  return {
    kind: 'values',
    values,
    reference: values.map((value) => (counts.get(value) as [number, number])[0] / rows[0]),
    current: values.map((value) => (counts.get(value) as [number, number])[1] / rows[1]),
  };
}

/** Sturges bins over both samples' range, `np.histogram` counting (last bin closed). */
function binHistogram(
  reference: Float64Array,
  current: Float64Array,
  size: number,
): DriftHistogram | undefined {
  const { minimum, maximum } = finiteRange(reference, current);
  if (!Number.isFinite(minimum)) return undefined;
  let edges: Float64Array;
  try {
    edges = sturgesEdges(minimum, maximum, size);
  } catch (error) {
    if (isWardenError(error)) return undefined;
    throw error;
  }
  const shares = (values: Float64Array) => {
    // countNumeric's layout: [below, inner bins…, above, missing]; only the inner bins are drawn.
    const counts = new Float64Array(edges.length + 2);
    countNumeric(values, edges, counts, 0);
    const inner = Array.from(counts.subarray(1, edges.length));
    const rows = inner.reduce((sum, count) => sum + count, 0);
    return inner.map((count) => (rows === 0 ? 0 : count / rows));
  };
  return { kind: 'bins', edges: Array.from(edges), reference: shares(reference), current: shares(current) };
}

function finiteRange(...samples: Float64Array[]): { minimum: number; maximum: number } {
  let minimum = Number.POSITIVE_INFINITY;
  let maximum = Number.NEGATIVE_INFINITY;
  for (const values of samples) {
    for (const value of values) {
      if (isMissingNumber(value)) continue;
      if (value < minimum) minimum = value;
      if (value > maximum) maximum = value;
    }
  }
  return { minimum, maximum };
}

/**
 * The top categories over both samples; stored as digests when the column holds personal data
 * (declared, or a detector flags one of its distinct values).
 */
function categoryHistogram(column: DriftColumnInput, protection: CategoryProtection): DriftHistogram {
  const reference = column.reference as readonly (string | null)[];
  const current = column.current as readonly (string | null)[];
  const counts = new Map<string, [number, number]>();
  const rows: [number, number] = [0, 0];
  for (const side of [0, 1] as const) {
    for (const value of side === 0 ? reference : current) {
      if (value === null) continue;
      let pair = counts.get(value);
      if (pair === undefined) {
        pair = [0, 0];
        counts.set(value, pair);
      }
      pair[side]++;
      rows[side]++;
    }
  }
  const share = (count: number, side: 0 | 1) => (rows[side] === 0 ? 0 : count / rows[side]);
  const ranked = [...counts]
    .map(([category, [referenceCount, currentCount]]) => ({
      category,
      reference: share(referenceCount, 0),
      current: share(currentCount, 1),
    }))
    .sort(
      (a, b) =>
        b.reference + b.current - (a.reference + a.current) ||
        (a.category < b.category ? -1 : a.category > b.category ? 1 : 0),
    );
  const shown = ranked.slice(0, topCategories);
  const rest = ranked.slice(topCategories);
  const digested = digestsCategories(column.name, counts.keys(), protection.piiColumns);
  return {
    kind: 'categories',
    categories: shown.map((entry) =>
      digested ? categoryDigest(protection.key, entry.category) : entry.category,
    ),
    ...(digested ? { digested: true as const } : {}),
    reference: shown.map((entry) => entry.reference),
    current: shown.map((entry) => entry.current),
    ...(rest.length === 0
      ? {}
      : {
          other: {
            categories: rest.length,
            reference: rest.reduce((sum, entry) => sum + entry.reference, 0),
            current: rest.reduce((sum, entry) => sum + entry.current, 0),
          },
        }),
  };
}

function baselineColumnEntry(
  name: string,
  feature: FeatureBaseline,
  drift: FeatureDrift,
  judgedBy: readonly DriftMetric[],
): BaselineColumnDrift {
  const scores: Partial<Record<DriftMetric, BaselineScore>> = {};
  for (const metric of ['psi', 'jensenShannon', 'klDivergence', 'hellinger', 'ks', 'wasserstein'] as const) {
    const score = drift[metric];
    if (score === undefined) continue;
    scores[metric] = {
      value: score.value === null ? null : finiteOrNull(score.value),
      threshold: score.threshold,
      aboveThreshold: score.aboveThreshold,
      approximate: score.approximate,
      ...(score.approximate ? { approximation: score.approximation } : {}),
    };
  }
  // The judged score furthest past its threshold: the one that flagged the drift, or came closest to.
  const judged = judgedBy.filter((metric) => scores[metric] !== undefined);
  let method = judged[0] ?? 'psi';
  for (const metric of judged) {
    if (ratioOf(scores[metric]) > ratioOf(scores[method])) method = metric;
  }
  const shown = scores[method] as BaselineScore;
  const windowRows = drift.rows;
  return {
    type: feature.type,
    role: 'feature',
    referenceRows: feature.summary.count,
    currentRows: windowRows - drift.missing,
    referenceMissing: feature.summary.missing,
    currentMissing: drift.missing,
    method,
    statistic: shown.value,
    threshold: shown.threshold,
    comparison: 'distance > threshold',
    drifted: drift.drifted,
    driftedOn: [...drift.driftedOn],
    scores,
    chiSquare:
      drift.chiSquare === null
        ? null
        : {
            statistic: finiteOrNull(drift.chiSquare.statistic),
            pValue: drift.chiSquare.pValue,
            degreesOfFreedom: drift.chiSquare.degreesOfFreedom,
          },
    histogram: {
      kind: 'buckets',
      buckets: [...feature.buckets],
      reference: [...feature.referenceShares],
      current: drift.counts.map((count) => (windowRows === 0 ? 0 : count / windowRows)),
    },
    ...(drift.drifted === null ? { error: `feature '${name}': the window has no rows` } : {}),
  };
}

function ratioOf(score: BaselineScore | undefined): number {
  if (score === undefined || score.value === null) return Number.NEGATIVE_INFINITY;
  return score.threshold === 0 ? Number.POSITIVE_INFINITY : score.value / score.threshold;
}
