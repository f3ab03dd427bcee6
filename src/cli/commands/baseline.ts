import type { Command } from 'commander';
import {
  createBaselineEvidence,
  type DriftBaseline,
  defaultBaselineWindowRows,
  defaultTopCategories,
} from '../../drift/index.js';
import { formatNumber } from '../../reports/index.js';
import type { CliIo } from '../cli-io.js';
import {
  addFileOptions,
  addSignKeyOption,
  type CheckFileFlags,
  fileReadOptions,
  parseColumnList,
  parsePositiveInteger,
} from '../options.js';
import { ProgressBar } from '../progress.js';
import { writeReportFile } from '../report-outputs.js';
import { outgoingEvidence, signingKeyFrom, writeOutgoingEvidence } from '../signing.js';
import { table } from './output.js';

interface BaselineCreateFlags
  extends Pick<CheckFileFlags, 'format' | 'delimiter' | 'nullValue' | 'encoding' | 'signKey'> {
  out?: string;
  evidence?: string;
  columns?: string;
  windowRows: string;
  topK: string;
}

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
    .option('--out <file>', 'where to write the baseline (JSON)')
    .option(
      '--evidence <file>',
      'where to write the baseline as drift-baseline evidence, to attach to a model version with warden evidence submit',
    )
    .option('--columns <names>', 'only these features, comma-separated (default: every column)')
    .option(
      '--window-rows <n>',
      'rows of one production window: the thresholds are calibrated on reference chunks of this size',
      String(defaultBaselineWindowRows),
    )
    .option(
      '--top-k <k>',
      'the most frequent categories a categorical feature keeps as their own bucket',
      String(defaultTopCategories),
    );
  addSignKeyOption(addFileOptions(create), '--evidence')
    .addHelpText(
      'after',
      `
Numeric features get the min, deciles and max of the reference as bin edges, plus buckets below,
above and missing; categorical ones their top-k categories plus (other) and (missing). With at least
two chunks of --window-rows rows, each score's threshold is the mean + 3 standard deviations of that
score over the chunks (NannyML's rule); with fewer, fixed defaults (PSI 0.2, the others 0.1).
Give --out, --evidence or both: --evidence holds the same baseline sealed as evidence about the
reference file, signed with --sign-key, for the gateway to take from the version it serves.

Example:
  warden baseline create train.csv --out baseline.json --window-rows 500
  warden check drift --baseline baseline.json --current today.csv --window-rows 500
  warden baseline create train.csv --evidence baseline-evidence.json --sign-key ci.key
  warden evidence submit baseline-evidence.json --model credit-risk --version 3
`,
    )
    .action(async (file: string, flags: BaselineCreateFlags) => {
      io.exitCode = await createBaselineFile(file, flags, io);
    });
}

export async function createBaselineFile(
  file: string,
  flags: BaselineCreateFlags,
  io: CliIo,
): Promise<number> {
  const windowRows = parsePositiveInteger('--window-rows', flags.windowRows) as number;
  const topCategories = parsePositiveInteger('--top-k', flags.topK) as number;
  const columns = parseColumnList('--columns', flags.columns);
  const read = fileReadOptions(flags, io);
  if (flags.out === undefined && flags.evidence === undefined) {
    io.usageError(
      'say where the baseline goes: --out FILE (the baseline), --evidence FILE (drift-baseline evidence to attach to a model version), or both',
    );
  }
  if (flags.signKey !== undefined && flags.evidence === undefined) {
    io.usageError('--sign-key signs the drift-baseline evidence; add --evidence FILE');
  }
  const signingKey = flags.evidence === undefined ? undefined : await signingKeyFrom(flags.signKey, io);
  const progress = new ProgressBar(io.stderr, `reading ${file}`);
  const evidence = await createBaselineEvidence({
    file,
    ...(columns === undefined ? {} : { columns }),
    windowRows,
    topCategories,
    read,
    onProgress: (percent) => progress.update(percent),
  }).finally(() => progress.clear());
  const written: string[] = [];
  if (flags.out !== undefined) {
    await writeReportFile(flags.out, `${JSON.stringify(evidence.baseline, null, 2)}\n`);
    written.push(flags.out);
  }
  if (flags.evidence !== undefined) {
    const outgoing = outgoingEvidence(evidence, signingKey);
    await writeOutgoingEvidence(flags.evidence, outgoing);
    written.push(
      `${flags.evidence} (drift-baseline evidence ${evidence.id.slice(0, 19)}…${outgoing.envelope ? ', signed' : ''})`,
    );
  }
  io.stdout.write(baselineSummary(evidence.baseline, written));
  return 0;
}

function baselineSummary(baseline: DriftBaseline, written: readonly string[]): string {
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
    ...written.map((file) => `Wrote ${file}`),
    '',
  ].join('\n');
}
