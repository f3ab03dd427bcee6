import { type Command, Option } from 'commander';
import {
  differenceMetrics,
  evaluationSubject,
  type ModelEvaluationOptions,
  parseMetricThresholds,
  ratioMetrics,
  runModelEvaluation,
} from '../../evaluation/index.js';
import { modelEvaluationView } from '../../reports/index.js';
import type { CliIo } from '../cli-io.js';
import { addOpenLineageOptions, type OpenLineageFlags, startCheckLineage } from '../openlineage-options.js';
import {
  addFileOptions,
  addReportOptions,
  type CheckFileFlags,
  collect,
  commaList,
  fileReadOptions,
  parseNumber,
} from '../options.js';
import { ProgressBar } from '../progress.js';
import { outgoingEvidence, signingKeyFrom } from '../signing.js';
import { reportCheck } from './check-options.js';
import { addSubmitOptions, type SubmitFlags, submitCheckEvidence, submitPlan } from './evidence.js';
import { addCheckPolicyOptions, type CheckPolicyFlags, decideCheckGate, policiesForCheck } from './gate.js';

export interface CheckModelFlags
  extends CheckFileFlags,
    Partial<CheckPolicyFlags>,
    SubmitFlags,
    OpenLineageFlags {
  target?: string;
  /** The old name of --target, kept for one release. */
  label?: string;
  positive?: string;
  score?: string;
  prediction?: string;
  threshold?: string;
  weight?: string;
  sensitive?: string;
  bins?: string[];
  intersections?: boolean;
  minGroupSize?: string;
  maxGroups?: string;
  calibrationBins?: string;
  bootstrap?: string;
  seed?: string;
  minAuc?: string;
  minRatio?: string[];
  maxDifference?: string[];
  model?: string;
  version?: string;
}

export function registerCheckModel(check: Command, io: CliIo): void {
  const command = check
    .command('model')
    .description('measure performance and fairness from a predictions file, and gate on thresholds')
    .argument('<file>', 'the predictions file (CSV, Parquet, JSON Lines), one row per prediction')
    .option('--target <column>', 'the actual outcome (the ground truth); required')
    .addOption(new Option('--label <column>', 'deprecated: the old name of --target').hideHelp())
    .option(
      '--positive <value>',
      'the target value of the positive class, e.g. bad (optional for 0/1 targets)',
    )
    .option('--score <column>', 'the probability of the positive class')
    .option('--prediction <column>', 'the predicted label (default: score ≥ --threshold)')
    .option('--threshold <p>', 'decision threshold on the score when there is no --prediction', '0.5')
    .option('--weight <column>', 'sample weights')
    .option('--sensitive <columns>', 'sensitive attributes, comma-separated, e.g. Age,Marital')
    .option(
      '--bins <column=edges>',
      'band a numeric attribute at these edges, e.g. Age=18,25,40,65 (repeatable)',
      collect,
      [],
    )
    .option('--intersections', 'also evaluate every combination of the sensitive attributes')
    .option('--min-group-size <n>', 'report smaller groups as too small to judge, and leave them out', '0')
    .option('--max-groups <n>', 'the most distinct values a sensitive attribute may have', '100')
    .option('--calibration-bins <n>', 'uniform bins of the calibration curve', '10')
    .option('--bootstrap <n>', 'bootstrap replicates for confidence intervals of the fairness aggregates')
    .option('--seed <n>', 'seed of the bootstrap', '0')
    .option('--min-auc <x>', 'gate: the lowest acceptable ROC AUC')
    .option(
      '--min-ratio <name=x>',
      `gate: the lowest acceptable ratio (${ratioMetrics.join(', ')}) on every attribute (repeatable)`,
      collect,
      [],
    )
    .option(
      '--max-difference <name=x>',
      `gate: the highest acceptable difference (${differenceMetrics.join(', ')}) on every attribute (repeatable)`,
      collect,
      [],
    )
    .option('--model <name>', 'the model name in the evidence (default: the file name)')
    .option('--version <version>', 'the model version in the evidence', 'unversioned');
  addFileOptions(command);
  addCheckPolicyOptions(command);
  addSubmitOptions(command, 'MODEL@VERSION (default: --model at --version)');
  addOpenLineageOptions(command);
  addReportOptions(command, 'list passing thresholds and every group').action(
    async (file: string, flags: CheckModelFlags) => {
      io.exitCode = await checkModel(file, flags, io);
    },
  );
}

/** Runs the model gate and prints its report; returns the exit code (0 passed, 1 failed). */
export async function checkModel(file: string, flags: CheckModelFlags, io: CliIo): Promise<number> {
  const options = modelEvaluationOptions(flags, io);
  const policies = await policiesForCheck(flags);
  const signingKey = await signingKeyFrom(flags.signKey, io);
  const submit = submitPlan(flags, flags.version);
  const lineage = await startCheckLineage(flags, io, {
    kind: 'model-evaluation',
    subject: evaluationSubject(file, options).name,
    files: [file],
  });
  const progress = new ProgressBar(io.stderr, `reading ${file}`);
  const evidence = await runModelEvaluation(file, {
    ...options,
    onProgress: (percent) => progress.update(percent),
  }).finally(() => progress.clear());
  const outgoing = outgoingEvidence(evidence, signingKey);
  const checked = await reportCheck(outgoing, modelEvaluationView(evidence), flags, io);
  const verdict = policies
    ? Math.max(checked, await decideCheckGate(policies, 'model', outgoing, flags as CheckPolicyFlags, io))
    : checked;
  const exitCode = await submitCheckEvidence(submit, outgoing, verdict, io);
  await lineage.finish(evidence);
  return exitCode;
}

/**
 * The ground-truth column: --target, or the deprecated --label (with a notice on stderr, since
 * --label will mean key=value labels as everywhere else).
 */
function targetColumn(flags: CheckModelFlags, io: CliIo): string {
  if (flags.label !== undefined) {
    io.stderr.write('warning: --label is deprecated; use --target (--label will mean key=value labels)\n');
    if (flags.target !== undefined && flags.target !== flags.label) {
      io.usageError(`--target ${flags.target} and --label ${flags.label} disagree; pass only --target`);
    }
  }
  const target = flags.target ?? flags.label;
  if (target === undefined) io.usageError("required option '--target <column>' not specified");
  return target;
}

function modelEvaluationOptions(flags: CheckModelFlags, io: CliIo): ModelEvaluationOptions {
  const label = targetColumn(flags, io);
  const bins: Record<string, number[]> = {};
  for (const spec of flags.bins ?? []) {
    const match = /^(.+?)=(.+)$/.exec(spec);
    const edges = match?.[2]?.split(',').map((edge) => (edge.trim() === '' ? Number.NaN : Number(edge)));
    if (!match || !edges || edges.some((edge) => !Number.isFinite(edge))) {
      io.usageError(`--bins ${spec}: write COLUMN=e1,e2,… with numeric edges, e.g. --bins Age=18,25,40,65`);
    }
    bins[match[1] as string] = edges;
  }
  const sensitive = commaList(flags.sensitive);
  for (const column of Object.keys(bins)) if (!sensitive.includes(column)) sensitive.push(column);
  const bootstrap = parseNumber('--bootstrap', flags.bootstrap, true);
  const minAuc = parseNumber('--min-auc', flags.minAuc, false);
  const optional = <T>(key: string, value: T | undefined) => (value === undefined ? {} : { [key]: value });
  return {
    label,
    ...optional('positive', flags.positive),
    ...optional('score', flags.score),
    ...optional('prediction', flags.prediction),
    ...optional('threshold', parseNumber('--threshold', flags.threshold, false)),
    ...optional('weight', flags.weight),
    sensitive,
    bins,
    intersections: flags.intersections ?? false,
    ...optional('minGroupSize', parseNumber('--min-group-size', flags.minGroupSize, true)),
    ...optional('maxGroups', parseNumber('--max-groups', flags.maxGroups, true)),
    ...optional('calibrationBins', parseNumber('--calibration-bins', flags.calibrationBins, true)),
    ...(bootstrap === undefined
      ? {}
      : { bootstrap: { replicates: bootstrap, seed: parseNumber('--seed', flags.seed, true) ?? 0 } }),
    thresholds: {
      ...optional('minAuc', minAuc),
      minRatio: parseMetricThresholds('--min-ratio', flags.minRatio ?? [], ratioMetrics),
      maxDifference: parseMetricThresholds('--max-difference', flags.maxDifference ?? [], differenceMetrics),
    },
    ...optional('model', flags.model),
    ...optional('version', flags.version),
    ...fileReadOptions(flags, io),
  } as ModelEvaluationOptions;
}
