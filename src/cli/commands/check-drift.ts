import type { Command } from 'commander';
import { WardenError } from '../../core/index.js';
import {
  type DriftMethod,
  type DriftReportEvidence,
  type DriftReportOptions,
  defaultDriftShare,
  driftMethods,
  runBaselineDriftCheck,
  runDriftCheck,
} from '../../drift/index.js';
import { driftReportView, renderDriftHtml } from '../../reports/index.js';
import type { CliIo } from '../cli-io.js';
import {
  addFileOptions,
  addReportOptions,
  type CheckFileFlags,
  collect,
  fileReadOptions,
  parseColumnList,
  parsePositiveInteger,
} from '../options.js';
import { ProgressBar } from '../progress.js';
import { writeReportFile } from '../report-outputs.js';
import { outgoingEvidence, signingKeyFrom } from '../signing.js';
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
  const signingKey = await signingKeyFrom(flags.signKey, io);
  const evidence =
    flags.baseline === undefined
      ? await batchDrift(flags.reference as string, flags, io)
      : await baselineDrift(flags.baseline, flags, io);
  if (flags.html) await writeReportFile(flags.html, renderDriftHtml(evidence));
  return reportCheck(
    outgoingEvidence(evidence, signingKey),
    driftReportView(evidence, { details: flags.verbose ?? false }),
    { ...flags, verbose: true },
    io,
  );
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

function batchDrift(referenceFile: string, flags: CheckDriftFlags, io: CliIo): Promise<DriftReportEvidence> {
  if (flags.windowRows !== undefined) {
    io.usageError(
      '--window-rows applies to --baseline; a batch comparison judges all rows of --current at once',
    );
  }
  const options = driftReportOptions(flags);
  const columns = parseColumnList('--columns', flags.columns);
  const read = fileReadOptions(flags, io);
  const progress = new ProgressBar(io.stderr, `reading ${referenceFile} and ${flags.current}`);
  return runDriftCheck({
    ...options,
    reference: referenceFile,
    current: flags.current,
    ...(columns === undefined ? {} : { columns }),
    ...(flags.target === undefined ? {} : { target: flags.target }),
    ...(flags.prediction === undefined ? {} : { prediction: flags.prediction }),
    ...(flags.name === undefined ? {} : { name: flags.name }),
    read,
    onProgress: (percent) => progress.update(percent),
  }).finally(() => progress.clear());
}

function baselineDrift(
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
  const { driftShare } = driftReportOptions(flags);
  const windowRows = parsePositiveInteger('--window-rows', flags.windowRows);
  const columns = parseColumnList('--columns', flags.columns);
  const read = fileReadOptions(flags, io);
  const progress = new ProgressBar(io.stderr, `reading ${flags.current}`);
  return runBaselineDriftCheck({
    baseline: baselineFile,
    current: flags.current,
    ...(driftShare === undefined ? {} : { driftShare }),
    ...(windowRows === undefined ? {} : { windowRows }),
    ...(columns === undefined ? {} : { columns }),
    ...(flags.name === undefined ? {} : { name: flags.name }),
    read,
    onProgress: (percent) => progress.update(percent),
  }).finally(() => progress.clear());
}
