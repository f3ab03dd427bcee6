import type { Command } from 'commander';
import { isWardenError } from '../../core/index.js';
import { reproducibilityView } from '../../reports/index.js';
import { type CaptureEvidence, lineageFromCapture, runCapture } from '../../repro/index.js';
import type { CliIo } from '../cli-io.js';
import { addReportOptions, type CheckFileFlags, collect } from '../options.js';
import { addRunHookOptions, type RunHookFlags, runHooksFrom } from '../run-hooks.js';
import { outgoingEvidence, signingKeyFrom } from '../signing.js';
import { reportCheck } from './check-options.js';
import {
  addSubmitOptions,
  type SubmitFlags,
  type SubmitPlan,
  submitCheckEvidence,
  submitPlan,
} from './evidence.js';
import { addEvidenceFileOption, type EvidenceFileFlags, evidenceFileFlags } from './repro-options.js';

interface CaptureFlags extends CheckFileFlags, SubmitFlags, EvidenceFileFlags, RunHookFlags {
  input: string[];
  output: string[];
  params?: string;
  seed: string[];
  env: string[];
  image?: string;
  runId?: string;
  model?: string;
  version: string;
}

/** --seed NAME=VALUE (repeatable): NAME becomes an environment variable of the command. */
function parseSeeds(values: readonly string[], io: CliIo): Record<string, string> {
  const seeds: Record<string, string> = {};
  for (const value of values) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(value);
    if (match === null) {
      io.usageError(
        `--seed ${value}: write NAME=VALUE with NAME an environment variable name, e.g. --seed RANDOM_SEED=42`,
      );
    }
    seeds[match[1] as string] = match[2] as string;
  }
  return seeds;
}

export function registerCapture(program: Command, io: CliIo): void {
  const command = program
    .command('capture')
    .description('run a training command and record, from the machine, what it ran from and what it wrote')
    .usage('[options] -- <command...>')
    .argument('<command...>', 'the command and its arguments, after --: warden capture … -- python3 train.py')
    .passThroughOptions()
    .option('--input <path>', 'a data input, file or directory (repeatable)', collect, [])
    .option(
      '--output <path>',
      'an output the command writes; its digest is recorded (repeatable)',
      collect,
      [],
    )
    .option('--params <file>', 'the parameters file (JSON or YAML): its digest and values')
    .option(
      '--seed <name=value>',
      'a random seed, also passed to the command as env NAME=VALUE (repeatable)',
      collect,
      [],
    )
    .option(
      '--env <name>',
      'record this environment variable (secret-looking ones by name only; repeatable)',
      collect,
      [],
    )
    .option('--image <ref>', 'the container image: sha256:… or NAME@sha256:… (default: $WARDEN_IMAGE_DIGEST)')
    .option('--run-id <id>', 'the run id (default: capture-<commit>-<time>)')
    .option('--model <name>', 'the model name in the evidence (default: the repository directory name)')
    .option('--version <version>', 'the model version in the evidence', 'unversioned');
  addEvidenceFileOption(command);
  addSubmitOptions(command, 'MODEL@VERSION (default: --model at --version)');
  addRunHookOptions(command);
  addReportOptions(command, 'list the passing rows too').action(
    async (commandLine: string[], flags: CaptureFlags) => {
      const report = evidenceFileFlags(flags, io);
      const signingKey = await signingKeyFrom(flags.signKey, io);
      const submit = submitPlan(flags, flags.version);
      const hooks = await runHooksFrom(flags, io);
      const evidence = await runCapture(
        {
          command: commandLine,
          cwd: process.cwd(),
          inputs: flags.input,
          outputs: flags.output,
          ...(flags.params === undefined ? {} : { params: flags.params }),
          seeds: parseSeeds(flags.seed, io),
          env: flags.env,
          ...(flags.image === undefined ? {} : { image: flags.image }),
          ...(flags.runId === undefined ? {} : { runId: flags.runId }),
          ...(flags.model === undefined ? {} : { model: flags.model }),
          version: flags.version,
          ownFiles: [report.json, report.junit, report.markdown].filter((file) => file !== undefined),
          streams: io,
          warn: (message) => io.stderr.write(`warning: ${message}\n`),
        },
        hooks,
      );
      const outgoing = outgoingEvidence(evidence, signingKey);
      const checked = await reportCheck(outgoing, reproducibilityView(evidence), report, io);
      const submitted = await submitCheckEvidence(submit, outgoing, checked, io);
      io.exitCode = submitted === 0 ? await recordLineage(submit, evidence, io) : submitted;
      await hooks.settle();
    },
  );
}

/**
 * With --submit, a successful capture is also the version's lineage (recorded once: a version that
 * has lineage keeps it, with a notice). Returns the exit code.
 */
async function recordLineage(
  plan: SubmitPlan | undefined,
  evidence: CaptureEvidence,
  io: CliIo,
): Promise<number> {
  if (plan === undefined || !evidence.passed) return 0;
  const { subject } = evidence;
  const target = plan.target ?? {
    model: subject.name,
    version: subject.type === 'model-version' ? subject.version : '',
  };
  try {
    await plan.client.call('recordLineage', { params: target, body: lineageFromCapture(evidence) });
    io.stderr.write(
      `warden: recorded the lineage of ${target.model} version ${target.version} from this capture\n`,
    );
    return 0;
  } catch (error) {
    if (!isWardenError(error)) throw error;
    if (error.code === 'WARDEN_ERR_REGISTRY_CONFLICT') {
      io.stderr.write(
        `warden: ${target.model} version ${target.version} already has its lineage (recorded once); kept it\n`,
      );
      return 0;
    }
    io.stderr.write(`warden: recording the lineage failed: ${error.message}\n  [${error.code}]\n`);
    return error.exitCode;
  }
}
