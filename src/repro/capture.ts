import { basename } from 'node:path';
import { type EvidenceInput, type Subject, sealEvidence, WardenError } from '../core/index.js';
import { pathDigest } from './digests.js';
import { dvcEntries, dvcMd5, dvcMismatch } from './dvc.js';
import { imageDigest, isPythonCommand, machine, pythonEnvironment, recordVariables } from './environment.js';
import type { CaptureEvidence, CaptureSections, DataInput, RecordedFile } from './evidence.js';
import { repositoryRoot, sourceFacts } from './git.js';
import { type RunHooks, type RunInfo, withHooks } from './hooks.js';
import { findLockfiles } from './lockfiles.js';
import { readParameters } from './parameters.js';
import { insideRepository, pathIn, recordedPath } from './paths.js';
import { type CommandStreams, runCommand } from './run-command.js';
import { secretArgument } from './secrets.js';

export interface CaptureOptions {
  /** The command and its arguments, run without a shell. */
  command: string[];
  /** Where the command runs; relative paths below are relative to it. */
  cwd: string;
  inputs?: string[];
  outputs?: string[];
  params?: string;
  seeds?: Record<string, string>;
  /** Environment variables to record (values that look secret are recorded by name only). */
  env?: string[];
  image?: string;
  runId?: string;
  model?: string;
  version?: string;
  /** Files the capture itself writes (its evidence), left out of the dirty check like the outputs. */
  ownFiles?: string[];
  streams: CommandStreams;
  /** Notices (an --env variable that is not set, a Python that cannot be asked). */
  warn?: (message: string) => void;
  /** The environment the command runs with (default: this process's). */
  processEnv?: NodeJS.ProcessEnv;
  now?: () => Date;
}

const isUnder = (path: string, parent: string) => path === parent || path.startsWith(`${parent}/`);

/** The declared inputs, digested; a missing one is bad input naming the path. */
async function declaredInputs(root: string, cwd: string, given: readonly string[]): Promise<DataInput[]> {
  const inputs: DataInput[] = [];
  for (const input of given) {
    const path = recordedPath(root, cwd, input);
    if (inputs.some((known) => known.path === path)) continue;
    const digest = await pathDigest(pathIn(root, path));
    if (digest === undefined) {
      throw new WardenError(
        'WARDEN_ERR_REPRO_INPUT_MISSING',
        `--input ${input}: nothing at ${pathIn(root, path)}; check the path, or produce the data first (dvc pull, if DVC tracks it)`,
        { where: input },
      );
    }
    inputs.push({ path, ...digest });
  }
  return inputs;
}

/**
 * The DVC-tracked data present in the repository, each checked against the md5 DVC recorded (a
 * mismatch is bad input), added to `inputs` (or marking the declared input it is) unless the run
 * writes it. Entries whose data is not there (never pulled) are left out.
 */
async function addDvcInputs(root: string, inputs: DataInput[], outputs: readonly string[]): Promise<void> {
  for (const entry of await dvcEntries(root)) {
    if (outputs.some((output) => isUnder(entry.path, output))) continue;
    const md5 = await dvcMd5(pathIn(root, entry.path), entry.legacy);
    if (md5 === undefined) continue;
    if (md5 !== entry.md5) throw dvcMismatch(entry, md5);
    const dvc = { file: entry.file, md5, matches: true };
    const declared = inputs.find((input) => input.path === entry.path);
    if (declared !== undefined) {
      declared.dvc ??= dvc;
      continue;
    }
    const digest = await pathDigest(pathIn(root, entry.path));
    if (digest !== undefined) inputs.push({ path: entry.path, ...digest, dvc });
  }
}

/** The outputs' digests after the run; one that never appeared after a successful run is bad input. */
async function recordOutputs(
  root: string,
  outputs: readonly string[],
  given: readonly string[],
  exitCode: number,
): Promise<RecordedFile[]> {
  const recorded: RecordedFile[] = [];
  for (const [index, path] of outputs.entries()) {
    const digest = await pathDigest(pathIn(root, path));
    if (digest === undefined) {
      if (exitCode !== 0) continue;
      throw new WardenError(
        'WARDEN_ERR_REPRO_INPUT_MISSING',
        `--output ${given[index]}: the command succeeded but never wrote ${pathIn(root, path)}; check the path matches where the command writes its output`,
        { where: given[index] ?? path },
      );
    }
    recorded.push({ path, digest: digest.digest, bytes: digest.bytes });
  }
  return recorded;
}

function compactTimestamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

const secondPrecision = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The evidence `inputs` of a reproducibility document: its data, by content. */
export function evidenceInputs(data: readonly DataInput[]): EvidenceInput[] {
  return data.map((input) => ({ uri: input.path, digest: input.digest, bytes: input.bytes }));
}

/**
 * Runs a training command and records, from the machine, what it ran from: the commit and whether
 * the tree was dirty, the inputs and DVC data (checked against their md5s), lockfiles, the
 * environment, seeds and parameters, and the outputs' digests. The command's failure is a result
 * (`passed: false`); bad input (not a repository, a missing input, a DVC mismatch) is thrown.
 *
 * @example
 * const evidence = await runCapture({ command: ['python3', 'train.py'], cwd, inputs: ['data.csv'],
 *   outputs: ['model.pkl'], streams: process });
 */
export async function runCapture(options: CaptureOptions, hooks: RunHooks = {}): Promise<CaptureEvidence> {
  const now = options.now ?? (() => new Date());
  const processEnv = options.processEnv ?? process.env;
  const secret = secretArgument(options.command);
  if (secret !== undefined) {
    throw new WardenError(
      'WARDEN_ERR_USAGE_INVALID_OPTION',
      `argument ${secret + 1} of the command after -- looks like a secret; the command line is recorded as it is, so pass the secret through an environment variable (which a capture records only when --env names it, and then by name only)`,
    );
  }
  const root = await repositoryRoot(options.cwd);
  const workingDirectory = recordedPath(root, options.cwd, '.');
  const outputs = (options.outputs ?? []).map((output) => recordedPath(root, options.cwd, output));
  const outside = outputs.find((output) => !insideRepository(output));
  if (outside !== undefined) {
    throw new WardenError(
      'WARDEN_ERR_USAGE_INVALID_OPTION',
      `--output ${outside} is outside the repository ${root}; check repro re-runs the command in a checkout and would overwrite it there, so write outputs inside the repository`,
    );
  }
  const ownFiles = (options.ownFiles ?? []).map((file) => recordedPath(root, options.cwd, file));
  const source = await sourceFacts(root, [...outputs, ...ownFiles]);
  const data = await declaredInputs(root, options.cwd, options.inputs ?? []);
  await addDvcInputs(root, data, outputs);
  const parameters =
    options.params === undefined
      ? null
      : await readParameters(options.params, options.cwd, recordedPath(root, options.cwd, options.params));
  const seeds = options.seeds ?? {};
  const { variables, unset } = recordVariables(options.env ?? [], processEnv);
  for (const name of unset) options.warn?.(`--env ${name} is not set; it is not recorded`);
  const runEnv = { ...processEnv, ...seeds };
  let python: CaptureSections['environment']['python'] = null;
  if (isPythonCommand(options.command)) {
    python = (await pythonEnvironment(options.command, options.cwd, runEnv)) ?? null;
    if (python === null)
      options.warn?.(`cannot ask ${options.command[0]} for its version and packages; recording none`);
  }
  const environment = { image: imageDigest(options.image, processEnv), ...machine(), python, variables };
  const lockfiles = await findLockfiles(root, workingDirectory);
  const startedAt = now();
  const runId = options.runId ?? `capture-${source.commit.slice(0, 12)}-${compactTimestamp(startedAt)}`;
  const subject: Subject = {
    type: 'model-version',
    name: options.model ?? basename(root),
    version: options.version ?? 'unversioned',
  };
  const run: RunInfo = {
    kind: 'capture',
    runId,
    subject,
    command: [...options.command],
    repositoryRoot: root,
    workingDirectory,
    startedAt: secondPrecision(startedAt),
    source,
    data,
    outputs,
  };
  return withHooks(hooks, run, async () => {
    const exitCode = await runCommand(options.command, options.cwd, runEnv, options.streams);
    const endedAt = now();
    const recordedOutputs = await recordOutputs(root, outputs, options.outputs ?? [], exitCode);
    return sealEvidence(
      {
        kind: 'reproducibility' as const,
        subject,
        inputs: evidenceInputs(data),
        passed: exitCode === 0,
        run: {
          runId,
          command: [...options.command],
          workingDirectory,
          startedAt: run.startedAt,
          endedAt: secondPrecision(endedAt),
          exitCode,
        },
        source,
        data,
        lockfiles,
        environment,
        seeds,
        parameters,
        outputs: recordedOutputs,
      },
      endedAt,
    ) as CaptureEvidence;
  });
}
