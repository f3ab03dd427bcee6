import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import {
  datasetInput,
  type EvidenceInput,
  fileReadError,
  sealEvidence,
  sha256Digest,
  WardenError,
} from '../../core/index.js';
import {
  assertFeatureSet,
  type BatchColumnDrift,
  baselineDriftReport,
  checkDriftReportOptions,
  columnDriftEntry,
  DriftAccumulator,
  type DriftBaseline,
  type DriftMethod,
  type DriftReport,
  type DriftReportEvidence,
  type DriftReportOptions,
  defaultDriftShare,
  driftMethods,
  type FeatureBaseline,
  parseBaseline,
  summarizeBatchDrift,
} from '../../drift/index.js';
import type { CliIo } from '../cli-io.js';
import {
  type DriftFile,
  describeColumnKind,
  openDriftFile,
  openDriftFiles,
  type PlannedColumn,
  planDriftColumns,
  readDriftColumn,
  streamDriftColumns,
} from '../drift-input.js';
import { addFileOptions, addReportOptions, type CheckFileFlags, fileReadOptions } from '../options.js';
import { renderDriftHtml } from '../render/drift-html.js';
import { driftReportView } from '../render/drift-view.js';
import { ProgressBar } from '../render/progress.js';
import { writeReportFile } from '../report-outputs.js';
import { reportCheck } from './check-options.js';

export interface CheckDriftFlags extends CheckFileFlags {
  reference?: string;
  current: string;
  baseline?: string;
  columns?: string;
  target?: string;
  prediction?: string;
  method?: string[];
  threshold?: string[];
  driftShare?: string;
  windowRows?: string;
  name?: string;
  html?: string;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export function registerCheckDrift(check: Command, io: CliIo): void {
  const command = check
    .command('drift')
    .description(
      'compare current data with a reference as Evidently does (batch drift), or with a fixed-bin baseline',
    )
    .option('--reference <file>', 'the reference data (CSV, Parquet, JSON Lines), e.g. the training set')
    .requiredOption('--current <file>', 'the current data to compare')
    .option('--baseline <file>', 'a baseline from `warden baseline create`, instead of --reference')
    .option('--columns <names>', 'compare only these columns, comma-separated (default: every column)')
    .option('--target <column>', 'the target column; compared too, numeric only with ≥ 5 distinct values')
    .option('--prediction <column>', 'the prediction column; compared too, typed like the target')
    .option(
      '--method <[column=]method>',
      `the test instead of Evidently's default choice, for one column or all (${driftMethods.join(', ')}); repeatable`,
      collect,
    )
    .option(
      '--threshold <[column=]x>',
      "the threshold instead of the method's default, for one column or all; repeatable",
      collect,
    )
    .option(
      '--drift-share <x>',
      'the dataset drifts when this share of the tested columns drifts',
      String(defaultDriftShare),
    )
    .option(
      '--window-rows <n>',
      'with --baseline: judge consecutive windows of n rows, in file order (default: all rows as one window)',
    )
    .option('--name <name>', 'the dataset name in the evidence (default: the current file name)')
    .option('--html <file>', 'write a self-contained HTML report with a chart per drifted column');
  addFileOptions(command);
  addReportOptions(command, 'also list values, missing values and distinct values per column')
    .addHelpText(
      'after',
      `
Columns: numeric when both files hold numbers (text such as NA, N/A, null or None counts as missing,
as pandas reads it), categorical otherwise (booleans too); typed date and time columns are left out.
Each column's test follows Evidently: up to 1000 reference values ks (numeric, > 5 distinct values),
chisquare (> 2) or z; beyond that wasserstein (numeric, > 5 distinct values) or jensenshannon.

Exit codes: 0 no dataset drift, 1 dataset drift, 2 bad input, 3 an engine or output failure.

Examples:
  warden check drift --reference train.csv --current holdout.csv --target Status --html drift.html
  warden check drift --reference train.parquet --current today.parquet --method Income=psi --threshold Income=0.2
  warden baseline create train.csv --out baseline.json && warden check drift --baseline baseline.json --current today.csv
`,
    )
    .action(async (flags: CheckDriftFlags) => {
      io.exitCode = await checkDrift(flags, io);
    });
}

/** Runs the drift check and prints its report; returns the exit code (0 no dataset drift, 1 drift). */
export async function checkDrift(flags: CheckDriftFlags, io: CliIo): Promise<number> {
  if ((flags.reference === undefined) === (flags.baseline === undefined)) {
    io.usageError(
      'give the data to compare with: --reference FILE (batch drift) or --baseline FILE (a fixed-bin baseline), one of the two',
    );
  }
  const evidence =
    flags.baseline === undefined
      ? await batchDrift(flags.reference as string, flags, io)
      : await baselineDrift(flags.baseline, flags, io);
  if (flags.html) await writeReportFile(flags.html, renderDriftHtml(evidence));
  return reportCheck(
    evidence,
    driftReportView(evidence, { details: flags.verbose ?? false }),
    { ...flags, verbose: true },
    io,
  );
}

/** A comma-separated list of column names, or undefined when the option is absent. */
export function parseColumnList(flag: string, value: string | undefined, io: CliIo): string[] | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0)
    io.usageError(`${flag} takes column names, comma-separated, e.g. ${flag} Age,Income`);
  return [...new Set(names)];
}

/** A whole number ≥ 1, or undefined when the option is absent. */
export function parsePositiveInteger(flag: string, value: string | undefined, io: CliIo): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isInteger(parsed) || parsed < 1) {
    io.usageError(`${flag} takes a whole number ≥ 1, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

function invalidDriftOption(message: string): WardenError {
  return new WardenError('WARDEN_ERR_DRIFT_INVALID_ARGUMENT', message);
}

/** `--method [column=]method` and `--threshold [column=]x` as report options; names are checked later. */
function driftReportOptions(flags: CheckDriftFlags): DriftReportOptions {
  const options: {
    method?: DriftMethod;
    methods: Record<string, DriftMethod>;
    threshold?: number;
    thresholds: Record<string, number>;
    driftShare: number;
  } = { methods: {}, thresholds: {}, driftShare: Number(flags.driftShare ?? defaultDriftShare) };
  const split = (spec: string): [string | undefined, string] => {
    const at = spec.lastIndexOf('=');
    return at === -1 ? [undefined, spec.trim()] : [spec.slice(0, at).trim(), spec.slice(at + 1).trim()];
  };
  for (const spec of flags.method ?? []) {
    const [column, method] = split(spec);
    if (column === undefined) options.method = method as DriftMethod;
    else options.methods[column] = method as DriftMethod;
  }
  for (const spec of flags.threshold ?? []) {
    const [column, text] = split(spec);
    const threshold = text === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(threshold)) {
      throw invalidDriftOption(
        `--threshold ${spec}: ${JSON.stringify(text)} is not a number; write --threshold COLUMN=0.2, or --threshold 0.2 for every column`,
      );
    }
    if (column === undefined) options.threshold = threshold;
    else options.thresholds[column] = threshold;
  }
  if ((flags.driftShare ?? '').trim() === '' || Number.isNaN(options.driftShare)) {
    throw invalidDriftOption(
      `--drift-share ${JSON.stringify(flags.driftShare ?? '')} is not a number; give a share from 0 to 1, e.g. 0.5`,
    );
  }
  return options;
}

function subjectName(flags: CheckDriftFlags): string {
  return flags.name ?? basename(flags.current, extname(flags.current));
}

async function batchDrift(
  referenceFile: string,
  flags: CheckDriftFlags,
  io: CliIo,
): Promise<DriftReportEvidence> {
  if (flags.windowRows !== undefined) {
    io.usageError(
      '--window-rows applies to --baseline; a batch comparison judges all rows of --current at once',
    );
  }
  const options = driftReportOptions(flags);
  const listed = parseColumnList('--columns', flags.columns, io);
  const selection = {
    ...(listed === undefined ? {} : { columns: listed }),
    ...(flags.target === undefined ? {} : { target: flags.target }),
    ...(flags.prediction === undefined ? {} : { prediction: flags.prediction }),
  };
  const wanted =
    listed === undefined
      ? undefined
      : [...listed, ...[flags.target, flags.prediction].filter((name) => name !== undefined)];
  const read = fileReadOptions(flags, io);
  const progress = new ProgressBar(io.stderr, `reading ${referenceFile} and ${flags.current}`);
  const fileOptions = {
    read,
    ...(wanted === undefined ? {} : { wanted }),
    onProgress: (percent: number) => progress.update(percent),
  };
  const [reference, current] = (await openDriftFiles([
    { file: referenceFile, role: 'reference', options: fileOptions },
    { file: flags.current, role: 'current', options: fileOptions },
  ]).finally(() => progress.clear())) as [DriftFile, DriftFile];
  try {
    const plan = await planDriftColumns(reference, current, selection);
    checkDriftReportOptions(
      plan.columns.map((column) => column.name),
      options,
    );
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
          options,
        ),
      ]);
    }
    const report = summarizeBatchDrift(entries, options.driftShare);
    const inputs = [
      datasetInput(reference.dataset, await reference.digest, reference.rows),
      datasetInput(current.dataset, await current.digest, current.rows),
    ];
    return sealEvidence({
      kind: 'drift-report',
      subject: { type: 'dataset', name: subjectName(flags) },
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

async function baselineDrift(
  baselineFile: string,
  flags: CheckDriftFlags,
  io: CliIo,
): Promise<DriftReportEvidence> {
  for (const [flag, given] of [
    ['--method', flags.method !== undefined],
    ['--threshold', flags.threshold !== undefined],
    ['--target', flags.target !== undefined],
    ['--prediction', flags.prediction !== undefined],
  ] as const) {
    if (given) {
      io.usageError(
        `${flag} applies to --reference; a baseline judges every feature by its own bins and thresholds (recreate it to change them)`,
      );
    }
  }
  const driftShare = driftReportOptions(flags).driftShare ?? defaultDriftShare;
  checkDriftReportOptions([], { driftShare });
  const windowRows = parsePositiveInteger('--window-rows', flags.windowRows, io);
  const { baseline: whole, input } = await loadBaseline(baselineFile);
  const baseline = selectFeatures(whole, baselineFile, parseColumnList('--columns', flags.columns, io));
  const features = Object.entries(baseline.features);
  const progress = new ProgressBar(io.stderr, `reading ${flags.current}`);
  const current = await openDriftFile(flags.current, 'current', {
    read: fileReadOptions(flags, io),
    wanted: features.map(([name]) => name),
    // One engine thread keeps the rows in file order, which windows need.
    ...(windowRows === undefined ? {} : { engine: { threads: 1 } }),
    inPlace: true,
    onProgress: (percent) => progress.update(percent),
  }).finally(() => progress.clear());
  try {
    assertFeatureSet(baseline, current.allColumnNames, current.dataset.file);
    const readings = features.map(([name, feature]) => {
      const column = current.columns.find((candidate) => candidate.name === name);
      if (feature.type === 'numeric' && column !== undefined && !['numeric', 'empty'].includes(column.kind)) {
        throw new WardenError(
          'WARDEN_ERR_DRIFT_INCOMPATIBLE_COLUMNS',
          `column ${JSON.stringify(name)} is numeric in the baseline ${baselineFile} but ${describeColumnKind(column)} in the current ${current.dataset.file}; make it numeric (clean those values, or pass --null-value for a missing-value marker), or recreate the baseline`,
          { where: current.dataset.file },
        );
      }
      return { name, reading: feature.type === 'numeric' ? ('number' as const) : ('text' as const) };
    });
    const windows = await scoreWindows(baseline, current, readings, windowRows);
    const report = baselineDriftReport(baseline, windows.scored, driftShare);
    return sealEvidence({
      kind: 'drift-report',
      subject: { type: 'dataset', name: subjectName(flags) },
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
function selectFeatures(baseline: DriftBaseline, file: string, columns: string[] | undefined): DriftBaseline {
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
