import type { Command } from 'commander';
import { didYouMean } from '../../core/index.js';
import {
  type BaselineColumn,
  createBaseline,
  type DriftBaseline,
  defaultTopCategories,
} from '../../drift/index.js';
import type { CliIo } from '../cli-io.js';
import { type DriftFile, openDriftFile, streamDriftColumns } from '../drift-input.js';
import { addFileOptions, type CheckFileFlags, fileReadOptions } from '../options.js';
import { ProgressBar } from '../render/progress.js';
import { formatNumber } from '../render/report-view.js';
import { writeReportFile } from '../report-outputs.js';
import { parseColumnList, parsePositiveInteger } from './check-drift.js';
import { table } from './output.js';

interface BaselineCreateFlags
  extends Pick<CheckFileFlags, 'format' | 'delimiter' | 'nullValue' | 'encoding'> {
  out: string;
  columns?: string;
  windowRows: string;
  topK: string;
}

const defaultWindowRows = 1000;

export function registerBaseline(program: Command, io: CliIo): void {
  const baseline = program
    .command('baseline')
    .description('fixed-bin drift baselines, for bounded-memory drift checks and live monitoring');
  const create = baseline
    .command('create')
    .description(
      'record each feature’s fixed bins, reference shares and alert thresholds from reference data',
    )
    .argument('<file>', 'the reference data (CSV, Parquet, JSON Lines), rows in time order')
    .requiredOption('--out <file>', 'where to write the baseline (JSON)')
    .option('--columns <names>', 'only these features, comma-separated (default: every column)')
    .option(
      '--window-rows <n>',
      'rows of one production window: the thresholds are calibrated on reference chunks of this size',
      String(defaultWindowRows),
    )
    .option(
      '--top-k <k>',
      'the most frequent categories a categorical feature keeps as their own bucket',
      String(defaultTopCategories),
    );
  addFileOptions(create)
    .addHelpText(
      'after',
      `
Numeric features get the min, deciles and max of the reference as bin edges, plus buckets below,
above and missing; categorical ones their top-k categories plus (other) and (missing). With at least
two chunks of --window-rows rows, each score's threshold is the mean + 3 standard deviations of that
score over the chunks (NannyML's rule); with fewer, fixed defaults (PSI 0.2, the others 0.1).

Example:
  warden baseline create train.csv --out baseline.json --window-rows 500
  warden check drift --baseline baseline.json --current today.csv --window-rows 500
`,
    )
    .action(async (file: string, flags: BaselineCreateFlags) => {
      io.exitCode = await createBaselineFile(file, flags, io);
    });
}

async function createBaselineFile(file: string, flags: BaselineCreateFlags, io: CliIo): Promise<number> {
  const windowRows = parsePositiveInteger('--window-rows', flags.windowRows, io) as number;
  const topCategories = parsePositiveInteger('--top-k', flags.topK, io) as number;
  const listed = parseColumnList('--columns', flags.columns, io);
  const progress = new ProgressBar(io.stderr, `reading ${file}`);
  // One engine thread keeps the rows in file order: the thresholds come from consecutive chunks.
  const data = await openDriftFile(file, 'data', {
    read: fileReadOptions(flags, io),
    engine: { threads: 1 },
    inPlace: true,
    ...(listed === undefined ? {} : { wanted: listed }),
    onProgress: (percent) => progress.update(percent),
  }).finally(() => progress.clear());
  let baseline: DriftBaseline;
  try {
    const columns = await readBaselineColumns(data, listed, io);
    baseline = createBaseline(columns, {
      source: { uri: data.dataset.file, digest: await data.digest },
      windowRows,
      topCategories,
    });
  } finally {
    await data.close();
  }
  await writeReportFile(flags.out, `${JSON.stringify(baseline, null, 2)}\n`);
  io.stdout.write(baselineSummary(baseline, flags.out));
  return 0;
}

/**
 * The reference columns in file order: numbers where the file holds numbers (or nothing),
 * categories otherwise; typed date and time columns are left out unless listed.
 */
async function readBaselineColumns(
  data: DriftFile,
  listed: readonly string[] | undefined,
  io: CliIo,
): Promise<BaselineColumn[]> {
  for (const name of listed ?? []) {
    if (!data.allColumnNames.includes(name)) {
      io.usageError(
        `--columns names ${JSON.stringify(name)}, which ${data.dataset.file} does not have${didYouMean(name, data.allColumnNames)}; its columns are ${data.allColumnNames.map((column) => JSON.stringify(column)).join(', ')}`,
      );
    }
  }
  const chosen = data.columns.filter((column) => listed !== undefined || column.kind !== 'datetime');
  const readings = chosen.map((column) => ({
    name: column.name,
    reading: column.kind === 'numeric' || column.kind === 'empty' ? ('number' as const) : ('text' as const),
  }));
  const values = readings.map((column) =>
    column.reading === 'number' ? new Float64Array(data.rows) : new Array<string | null>(data.rows),
  );
  let row = 0;
  await streamDriftColumns(data, readings, (batch, rows) => {
    batch.forEach((chunk, index) => {
      const into = values[index] as Float64Array | (string | null)[];
      if (into instanceof Float64Array) into.set(chunk as Float64Array, row);
      else
        for (let offset = 0; offset < rows; offset++)
          into[row + offset] = (chunk as (string | null)[])[offset] ?? null;
    });
    row += rows;
  });
  return readings.map((column, index) => ({
    name: column.name,
    type: column.reading === 'number' ? 'numeric' : 'categorical',
    values: values[index] as Float64Array | (string | null)[],
  }));
}

function baselineSummary(baseline: DriftBaseline, out: string): string {
  const features = Object.entries(baseline.features);
  const numeric = features.filter(([, feature]) => feature.type === 'numeric').length;
  const [, first] = features[0] ?? [];
  const thresholds =
    first?.thresholdSource === 'reference-chunks'
      ? `mean + 3 std of each score over ${formatNumber(first.referenceChunks)} reference chunks of ${formatNumber(baseline.windowRows)} rows`
      : `defaults: fewer than two reference chunks of ${formatNumber(baseline.windowRows)} rows`;
  const rows = features.map(([name, feature]) => [
    name,
    feature.type,
    String(feature.buckets.length),
    formatNumber(feature.summary.missing),
    formatNumber(feature.thresholds.psi),
    formatNumber(feature.thresholds.jensenShannon),
  ]);
  return [
    `Baseline of ${baseline.source.uri}: ${features.length} features (${numeric} numeric, ${features.length - numeric} categorical) from ${formatNumber(baseline.source.rows)} rows`,
    `  thresholds: ${thresholds}`,
    '',
    table(['feature', 'type', 'buckets', 'missing', 'psi >', 'js >'], rows)
      .trimEnd()
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n'),
    '',
    `Wrote ${out}`,
    '',
  ].join('\n');
}
