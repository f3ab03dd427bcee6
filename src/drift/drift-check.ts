/**
 * The drift checks as one call each, from files to sealed evidence: a batch comparison of current
 * data with reference data (`runDriftCheck`), and a comparison of current data with a fixed-bin
 * baseline (`runBaselineDriftCheck`). The CLI, a monitor and the server run the same code.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import {
  type DatasetOptions,
  datasetInput,
  type EvidenceInput,
  fileReadError,
  sealEvidence,
  sha256Digest,
  WardenError,
} from '../core/index.js';
import { assertFeatureSet } from './baseline.js';
import { type DriftBaseline, type FeatureBaseline, parseBaseline } from './baseline-document.js';
import { newCategoryDigestKey } from './category-digest.js';
import { defaultDriftShare } from './dataset-drift.js';
import { DriftAccumulator, type DriftReport } from './drift-accumulator.js';
import { invalidDriftArgument } from './drift-errors.js';
import {
  type DriftFile,
  describeColumnKind,
  openDriftFile,
  openDriftFiles,
  type PlannedColumn,
  planDriftColumns,
  readDriftColumn,
  streamDriftColumns,
} from './drift-input.js';
import {
  type BatchColumnDrift,
  baselineDriftReport,
  checkDriftReportOptions,
  columnDriftEntry,
  type DriftReportEvidence,
  type DriftReportOptions,
  summarizeBatchDrift,
} from './drift-report.js';

/** What a drift check reads, besides its own inputs. */
interface DriftCheckInputs {
  /** The current data (CSV, Parquet, JSON Lines). */
  current: string;
  /** Compare only these columns, in this order; every column when absent. */
  columns?: readonly string[];
  /** The dataset name in the evidence; the current file's name without its extension when absent. */
  name?: string;
  /** How to read the data files (format, CSV delimiter, missing-value markers, encoding). */
  read?: DatasetOptions;
  /** Reading progress in percent, for a progress bar. */
  onProgress?: (percent: number) => void;
}

export interface DriftCheckOptions extends DriftCheckInputs, DriftReportOptions {
  /** The reference data, e.g. the training set. */
  reference: string;
  /** The target column; compared too, with Evidently's task rule. */
  target?: string;
  /** The prediction column; compared too, typed like the target. */
  prediction?: string;
}

export interface BaselineDriftCheckOptions extends DriftCheckInputs {
  /** A baseline file written from `createBaseline`. */
  baseline: string;
  /** Judge consecutive windows of this many rows, in file order; all rows as one window when absent. */
  windowRows?: number;
  /** Share of drifted features from which a window drifts (default 0.5). */
  driftShare?: number;
}

function subjectName(options: DriftCheckInputs): string {
  return options.name ?? basename(options.current, extname(options.current));
}

/**
 * Compares current data with reference data column by column, as Evidently does (each column's
 * test chosen by its type and size unless `method`/`methods` say otherwise), and seals the report
 * as drift-report evidence. Its `passed` is false when the dataset drifts.
 *
 * @example
 * const evidence = await runDriftCheck({ reference: 'train.csv', current: 'today.csv', target: 'Status' });
 * if (!evidence.passed) console.log(evidence.summary.driftedColumns);
 */
export async function runDriftCheck(options: DriftCheckOptions): Promise<DriftReportEvidence> {
  const selection = {
    ...(options.columns === undefined ? {} : { columns: options.columns }),
    ...(options.target === undefined ? {} : { target: options.target }),
    ...(options.prediction === undefined ? {} : { prediction: options.prediction }),
  };
  const wanted =
    options.columns === undefined
      ? undefined
      : [...options.columns, ...[options.target, options.prediction].filter((name) => name !== undefined)];
  const fileOptions = {
    ...(options.read === undefined ? {} : { read: options.read }),
    ...(wanted === undefined ? {} : { wanted }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  };
  const [reference, current] = (await openDriftFiles([
    { file: options.reference, role: 'reference', options: fileOptions },
    { file: options.current, role: 'current', options: fileOptions },
  ])) as [DriftFile, DriftFile];
  try {
    const plan = await planDriftColumns(reference, current, selection);
    checkDriftReportOptions(
      plan.columns.map((column) => column.name),
      options,
    );
    const reportOptions = { ...options, categoryDigest: options.categoryDigest ?? newCategoryDigestKey() };
    // Column by column, so that memory holds two columns at a time; the next one is read while
    // the current one is tested.
    const readBoth = (column: PlannedColumn) =>
      Promise.all([readDriftColumn(reference, column), readDriftColumn(current, column)]);
    const entries: [string, BatchColumnDrift][] = [];
    let next = plan.columns[0] === undefined ? undefined : readBoth(plan.columns[0]);
    for (const [index, column] of plan.columns.entries()) {
      const [referenceValues, currentValues] = await (next as ReturnType<typeof readBoth>);
      const following = plan.columns[index + 1];
      next = following === undefined ? undefined : readBoth(following);
      next?.catch(() => undefined);
      entries.push([
        column.name,
        columnDriftEntry(
          {
            name: column.name,
            type: column.type,
            role: column.role,
            reference: referenceValues,
            current: currentValues,
          },
          reportOptions,
        ),
      ]);
    }
    const report = summarizeBatchDrift(
      entries,
      options.driftShare ?? defaultDriftShare,
      reportOptions.categoryDigest,
    );
    const inputs = [
      datasetInput(reference.dataset, await reference.digest, reference.rows),
      datasetInput(current.dataset, await current.digest, current.rows),
    ];
    return sealEvidence({
      kind: 'drift-report',
      subject: { type: 'dataset', name: subjectName(options) },
      inputs,
      ...report,
      ...(plan.ignored.length === 0 ? {} : { ignoredColumns: plan.ignored }),
    }) as DriftReportEvidence;
  } finally {
    await Promise.all([reference.close(), current.close()]);
  }
}

/** Reads and checks a baseline file, and describes it as an evidence input. */
export async function loadBaseline(file: string): Promise<{ baseline: DriftBaseline; input: EvidenceInput }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw fileReadError(file, error, 'baseline');
  }
  const baseline = parseBaseline(bytes.toString('utf8'), file);
  return {
    baseline,
    input: { uri: file, digest: sha256Digest(bytes), bytes: bytes.length, format: 'json' },
  };
}

/**
 * Compares current data with a fixed-bin baseline: the rows are counted into a `DriftAccumulator`
 * chunk by chunk, so memory stays bounded whatever the file's size, and each window (or all rows as
 * one) is judged by the baseline's own thresholds. Seals the report as drift-report evidence.
 *
 * @example
 * const evidence = await runBaselineDriftCheck({ baseline: 'baseline.json', current: 'today.csv', windowRows: 500 });
 */
export async function runBaselineDriftCheck(
  options: BaselineDriftCheckOptions,
): Promise<DriftReportEvidence> {
  const driftShare = options.driftShare ?? defaultDriftShare;
  checkDriftReportOptions([], { driftShare });
  const { windowRows } = options;
  if (windowRows !== undefined && !(Number.isInteger(windowRows) && windowRows >= 1)) {
    throw invalidDriftArgument(`runBaselineDriftCheck: windowRows is ${windowRows}; give a whole number ≥ 1`);
  }
  const { baseline: whole, input } = await loadBaseline(options.baseline);
  const baseline = selectFeatures(whole, options.baseline, options.columns);
  const features = Object.entries(baseline.features);
  const current = await openDriftFile(options.current, 'current', {
    ...(options.read === undefined ? {} : { read: options.read }),
    wanted: features.map(([name]) => name),
    // One engine thread keeps the rows in file order, which windows need.
    ...(windowRows === undefined ? {} : { engine: { threads: 1 } }),
    inPlace: true,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  try {
    assertFeatureSet(baseline, current.allColumnNames, current.dataset.file);
    const readings = features.map(([name, feature]) => {
      const column = current.columns.find((candidate) => candidate.name === name);
      if (feature.type === 'numeric' && column !== undefined && !['numeric', 'empty'].includes(column.kind)) {
        throw new WardenError(
          'WARDEN_ERR_DRIFT_INCOMPATIBLE_COLUMNS',
          `column ${JSON.stringify(name)} is numeric in the baseline ${options.baseline} but ${describeColumnKind(column)} in the current ${current.dataset.file}; make it numeric (clean those values, or pass --null-value for a missing-value marker), or recreate the baseline`,
          { where: current.dataset.file },
        );
      }
      return { name, reading: feature.type === 'numeric' ? ('number' as const) : ('text' as const) };
    });
    const windows = await scoreWindows(baseline, current, readings, windowRows);
    const report = baselineDriftReport(baseline, windows.scored, driftShare);
    return sealEvidence({
      kind: 'drift-report',
      subject: { type: 'dataset', name: subjectName(options) },
      inputs: [input, datasetInput(current.dataset, await current.digest, current.rows)],
      ...report,
      ...(windows.leftOverRows === 0
        ? {}
        : {
            ignoredRows: {
              rows: windows.leftOverRows,
              reason: `the last ${windows.leftOverRows} rows make a window shorter than --window-rows ${windowRows}, which is not judged`,
            },
          }),
    }) as DriftReportEvidence;
  } finally {
    await current.close();
  }
}

/** The baseline restricted to `columns` (all features when absent); a column it lacks is an error. */
function selectFeatures(
  baseline: DriftBaseline,
  file: string,
  columns: readonly string[] | undefined,
): DriftBaseline {
  if (columns === undefined) return baseline;
  const known = Object.keys(baseline.features);
  const unknown = columns.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new WardenError(
      'WARDEN_ERR_DRIFT_FEATURE_MISMATCH',
      `${file}: the baseline has no feature ${unknown.map((name) => JSON.stringify(name)).join(', ')}; its features are ${known.map((name) => JSON.stringify(name)).join(', ')}; name those in --columns, or create a baseline with these columns`,
      { where: file },
    );
  }
  return {
    ...baseline,
    features: Object.fromEntries(columns.map((name) => [name, baseline.features[name] as FeatureBaseline])),
  };
}

/**
 * Counts the current rows into a DriftAccumulator chunk by chunk (memory stays at the
 * accumulator's counters and one chunk) and scores each window of `windowRows` rows, or all rows
 * as one window. A last window shorter than the others is left out when there are full ones.
 */
async function scoreWindows(
  baseline: DriftBaseline,
  file: DriftFile,
  columns: readonly { name: string; reading: 'number' | 'text' }[],
  windowRows: number | undefined,
): Promise<{ scored: DriftReport[]; leftOverRows: number }> {
  const accumulator = new DriftAccumulator(baseline, { sliceMillis: 1, windowSlices: 1 });
  const size = windowRows ?? Number.POSITIVE_INFINITY;
  const scored: DriftReport[] = [];
  let row = 0;
  await streamDriftColumns(file, columns, (batch, rows) => {
    let offset = 0;
    while (offset < rows) {
      const window = Math.floor(row / size);
      const inWindow = size === Number.POSITIVE_INFINITY ? rows : size - (row % size);
      const end = Math.min(rows, offset + inWindow);
      if (row > 0 && row % size === 0) scored.push(accumulator.scores());
      const slice = Object.fromEntries(
        columns.map((column, index) => [
          column.name,
          sliceOf(batch[index] as Float64Array | (string | null)[], offset, end),
        ]),
      );
      accumulator.addBatch(slice, window);
      row += end - offset;
      offset = end;
    }
  });
  const lastWindowRows = size === Number.POSITIVE_INFINITY ? row : row - Math.floor((row - 1) / size) * size;
  if (row === 0 || scored.length === 0 || lastWindowRows === size) {
    scored.push(accumulator.scores());
    return { scored, leftOverRows: 0 };
  }
  return { scored, leftOverRows: lastWindowRows };
}

function sliceOf(
  values: Float64Array | (string | null)[],
  start: number,
  end: number,
): Float64Array | (string | null)[] {
  if (start === 0 && end === values.length) return values;
  return values instanceof Float64Array ? values.subarray(start, end) : values.slice(start, end);
}
