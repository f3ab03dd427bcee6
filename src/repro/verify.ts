import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { sealEvidence, WardenError } from '../core/index.js';
import { pathDigest } from './digests.js';
import { environmentChanges, imageDigest, machine, pythonEnvironment } from './environment.js';
import type {
  CaptureEnvironment,
  CaptureEvidence,
  Difference,
  ReproducibilityEvidence,
  Verification,
} from './evidence.js';
import { addWorktree, hasCommit, removeWorktree, repositoryRoot } from './git.js';
import { type RunHooks, type RunInfo, withHooks } from './hooks.js';
import { findLockfiles } from './lockfiles.js';
import { insideRepository, pathIn, recordedPath } from './paths.js';
import { comparePredictions } from './predictions.js';
import { type CommandStreams, runCommand } from './run-command.js';

export interface ReproCheckOptions {
  /** Where check repro runs: inside the repository the capture was taken in (or a clone of it). */
  cwd: string;
  /** The capture's file, named in messages. */
  source: string;
  /** Predictions files (relative to cwd) to compare within `tolerance` instead of output digests. */
  compare?: string[];
  tolerance?: number;
  /** How many re-runs; default one, and a second when the outputs differ (to tell non-determinism). */
  runs?: number;
  /** Keep the temporary checkouts (their paths go to `warn`). */
  keep?: boolean;
  /** Where the re-run command's output goes. */
  streams: CommandStreams;
  warn?: (message: string) => void;
  processEnv?: NodeJS.ProcessEnv;
  now?: () => Date;
}

interface RerunResult {
  exitCode: number;
  /** Each recorded output's digest in this run, null when it was not written. */
  digests: Map<string, string | null>;
  /** The compared predictions files' text, null when not written. */
  predictions: Map<string, string | null>;
}

export const defaultTolerance = 1e-9;

const secondPrecision = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
const short = (list: readonly string[], max = 5) =>
  list.length <= max ? list.join(', ') : `${list.slice(0, max).join(', ')} and ${list.length - max} more`;

function commitMissing(capture: CaptureEvidence, source: string, root: string): WardenError {
  const { commit, branch, remote } = capture.source;
  const from =
    branch === null ? '' : ` (captured on branch ${branch}${remote === null ? '' : ` of ${remote}`})`;
  return new WardenError(
    'WARDEN_ERR_REPRO_COMMIT_MISSING',
    `${source}: the recorded commit ${commit}${from} is not in the repository at ${root}. Fetch it (git fetch ${remote ?? 'origin'} ${commit}) or run check repro in a clone that has it; if history was rewritten since (rebase, force-push), the commit is gone and the run must be captured again`,
    { where: source },
  );
}

/** Input and lockfile changes since the capture: each one is a difference on its own. */
async function environmentDrift(
  capture: CaptureEvidence,
  source: string,
  root: string,
): Promise<{ inputs: Difference[]; lockfiles: Difference[] }> {
  const inputs: Difference[] = [];
  for (const input of capture.data) {
    const now = await pathDigest(pathIn(root, input.path));
    if (now === undefined) {
      throw new WardenError(
        'WARDEN_ERR_REPRO_INPUT_MISSING',
        `${source}: the recorded input ${input.path} is not at ${pathIn(root, input.path)}; restore it (dvc pull or dvc checkout, if DVC tracks it) and run check repro again`,
        { where: input.path },
      );
    }
    if (now.digest !== input.digest) {
      inputs.push({
        cause: 'input-changed',
        path: input.path,
        expected: input.digest,
        actual: now.digest,
        detail: `${input.path} changed since the capture (${input.bytes} → ${now.bytes} bytes): the re-run cannot use the recorded data`,
      });
    }
  }
  const recorded = new Map(capture.lockfiles.map((lockfile) => [lockfile.path, lockfile.digest]));
  const current = new Map(
    (await findLockfiles(root, capture.run.workingDirectory)).map((lockfile) => [
      lockfile.path,
      lockfile.digest,
    ]),
  );
  const lockfiles: Difference[] = [];
  for (const path of [...new Set([...recorded.keys(), ...current.keys()])].sort()) {
    const expected = recorded.get(path);
    const actual = current.get(path);
    if (expected === actual) continue;
    lockfiles.push({
      cause: 'lockfile-changed',
      path,
      ...(expected === undefined ? {} : { expected }),
      ...(actual === undefined ? {} : { actual }),
      detail:
        expected === undefined
          ? `${path} is new since the capture: the environment is pinned differently now`
          : actual === undefined
            ? `${path} was removed since the capture`
            : `${path} changed since the capture: the environment it pins is not the recorded one`,
    });
  }
  return { inputs, lockfiles };
}

/** The recorded predictions files to compare: each must be a recorded output, unchanged since. */
async function expectedPredictions(
  capture: CaptureEvidence,
  options: ReproCheckOptions,
  root: string,
): Promise<Map<string, string>> {
  const expected = new Map<string, string>();
  for (const file of options.compare ?? []) {
    const path = recordedPath(root, options.cwd, file);
    const output = capture.outputs.find((recorded) => recorded.path === path);
    if (output === undefined) {
      throw new WardenError(
        'WARDEN_ERR_REPRO_INVALID_COMPARE',
        `--compare predictions=${file}: ${path} is not an output the capture recorded (${short(capture.outputs.map((o) => o.path)) || 'none'}); capture with --output ${file}`,
        { where: file },
      );
    }
    const now = await pathDigest(pathIn(root, path));
    if (now?.digest !== output.digest) {
      throw new WardenError(
        'WARDEN_ERR_REPRO_INVALID_COMPARE',
        `--compare predictions=${file}: ${path} ${now === undefined ? 'is gone' : 'changed'} since the capture, and the re-run's predictions are compared with the captured ones; restore it or capture again`,
        { where: file },
      );
    }
    expected.set(path, await readFile(pathIn(root, path), 'utf8'));
  }
  return expected;
}

async function rerun(
  capture: CaptureEvidence,
  root: string,
  dir: string,
  comparePaths: readonly string[],
  options: ReproCheckOptions,
): Promise<RerunResult> {
  await addWorktree(root, dir, capture.source.commit);
  for (const input of capture.data.filter((data) => insideRepository(data.path))) {
    const target = pathIn(dir, input.path);
    await rm(target, { recursive: true, force: true });
    await mkdir(dirname(target), { recursive: true });
    await cp(pathIn(root, input.path), target, { recursive: true });
  }
  const cwd = pathIn(dir, capture.run.workingDirectory);
  await mkdir(cwd, { recursive: true });
  const recordedVariables = Object.fromEntries(
    Object.entries(capture.environment.variables).filter(
      (entry): entry is [string, string] => entry[1] !== null,
    ),
  );
  const env = { ...(options.processEnv ?? process.env), ...recordedVariables, ...capture.seeds };
  const exitCode = await runCommand(capture.run.command, cwd, env, options.streams);
  const digests = new Map<string, string | null>();
  for (const output of capture.outputs) {
    digests.set(output.path, (await pathDigest(pathIn(dir, output.path)))?.digest ?? null);
  }
  const predictions = new Map<string, string | null>();
  for (const path of comparePaths) {
    predictions.set(path, await readFile(pathIn(dir, path), 'utf8').catch(() => null));
  }
  return { exitCode, digests, predictions };
}

/** The environment of this machine, in the capture's terms, for what differs from the recorded one. */
async function currentEnvironment(capture: CaptureEvidence, root: string, env: NodeJS.ProcessEnv) {
  const python =
    capture.environment.python === null
      ? null
      : ((await pythonEnvironment(capture.run.command, root, env)) ?? null);
  let image: string | null = null;
  try {
    image = imageDigest(undefined, env);
  } catch {
    image = null;
  }
  return { ...capture.environment, ...machine(), image, python } satisfies CaptureEnvironment;
}

/**
 * Re-runs a captured command in clean checkouts of the recorded commit, with the recorded inputs
 * (verified by digest first), and compares the outputs with the capture: bit for bit, or the
 * predictions files within a tolerance. Each difference is given its cause. Returns the
 * reproducibility evidence with a `verification` section; `passed` is whether the run reproduced.
 */
export async function runReproCheck(
  capture: CaptureEvidence,
  options: ReproCheckOptions,
  hooks: RunHooks = {},
): Promise<ReproducibilityEvidence> {
  const now = options.now ?? (() => new Date());
  const processEnv = options.processEnv ?? process.env;
  const tolerance = options.tolerance ?? defaultTolerance;
  const root = await repositoryRoot(options.cwd);
  if (!(await hasCommit(root, capture.source.commit))) throw commitMissing(capture, options.source, root);
  const drift = await environmentDrift(capture, options.source, root);
  const expected = await expectedPredictions(capture, options, root);
  const mode: Verification['mode'] = expected.size > 0 ? 'predictions' : 'digest';
  const compared =
    mode === 'predictions' ? [...expected.keys()] : capture.outputs.map((output) => output.path);
  const startedAt = now();
  const run: RunInfo = {
    kind: 'check-repro',
    runId: `repro-${capture.source.commit.slice(0, 12)}-${secondPrecision(startedAt).replace(/[-:]/g, '')}`,
    subject: capture.subject,
    command: [...capture.run.command],
    repositoryRoot: root,
    workingDirectory: capture.run.workingDirectory,
    startedAt: secondPrecision(startedAt),
    source: capture.source,
    data: capture.data,
    outputs: capture.outputs.map((output) => output.path),
  };

  const same = (path: string, a: RerunResult, b: RerunResult | 'capture'): boolean => {
    if (mode === 'digest') {
      const other =
        b === 'capture' ? capture.outputs.find((o) => o.path === path)?.digest : b.digests.get(path);
      return a.digests.get(path) === other;
    }
    const mine = a.predictions.get(path);
    const other = b === 'capture' ? expected.get(path) : b.predictions.get(path);
    if (mine == null || other == null) return mine === other;
    return comparePredictions(other, mine, tolerance).withinTolerance;
  };

  return withHooks(hooks, run, async () => {
    const base = await mkdtemp(join(tmpdir(), 'warden-repro-'));
    const runs: RerunResult[] = [];
    const dirs: string[] = [];
    const once = async () => {
      const dir = join(base, `run-${runs.length + 1}`);
      dirs.push(dir);
      runs.push(await rerun(capture, root, dir, compared, options));
    };
    try {
      for (let i = 0; i < (options.runs ?? 1); i++) await once();
      const first = runs[0] as RerunResult;
      const differs =
        first.exitCode !== capture.run.exitCode || compared.some((path) => !same(path, first, 'capture'));
      if (options.runs === undefined && differs) await once();
    } finally {
      if (options.keep)
        options.warn?.(
          `kept the re-run checkouts: ${dirs.join(', ')} (remove them with git worktree remove)`,
        );
      else for (const dir of dirs) await removeWorktree(root, dir);
      if (!options.keep) await rm(base, { recursive: true, force: true });
    }

    const outputDifferences: {
      path?: string;
      expected?: string;
      actual?: string;
      what: string;
      varies: boolean;
    }[] = [];
    for (const path of compared) {
      const differing = runs.find((result) => !same(path, result, 'capture'));
      if (differing === undefined) continue;
      const varies = runs.some((result) => !same(path, result, runs[0] as RerunResult));
      if (mode === 'digest') {
        const recorded = capture.outputs.find((o) => o.path === path)?.digest as string;
        const actual = differing.digests.get(path) ?? null;
        outputDifferences.push({
          path,
          expected: recorded,
          actual: actual ?? 'missing',
          what:
            actual === null
              ? `${path} was not written by the re-run`
              : `${path} differs from the captured output`,
          varies,
        });
      } else {
        const text = differing.predictions.get(path);
        const what =
          text == null
            ? `${path} was not written by the re-run`
            : `${path}: ${comparePredictions(expected.get(path) as string, text, tolerance).detail}`;
        outputDifferences.push({ path, what, varies });
      }
    }
    const exitDiffers = runs.find((result) => result.exitCode !== capture.run.exitCode);
    if (exitDiffers !== undefined) {
      outputDifferences.push({
        expected: `exit ${capture.run.exitCode}`,
        actual: `exit ${exitDiffers.exitCode}`,
        what: `the command exited ${exitDiffers.exitCode}, the captured run ${capture.run.exitCode}`,
        varies: runs.some((result) => result.exitCode !== (runs[0] as RerunResult).exitCode),
      });
    }

    const environment =
      outputDifferences.length === 0
        ? []
        : environmentChanges(capture.environment, await currentEnvironment(capture, root, processEnv));
    const explain = (what: string, varies: boolean): Pick<Difference, 'cause' | 'detail'> => {
      if (drift.inputs.length > 0) {
        return {
          cause: 'input-changed',
          detail: `${what}; the inputs changed since the capture: ${short(drift.inputs.map((d) => d.path as string))}`,
        };
      }
      if (varies) {
        return {
          cause: 'non-determinism',
          detail: `${what}, and two re-runs of the same commit and inputs differ from each other: the command is not deterministic (seed its random generators and declare the seeds with --seed NAME=VALUE)`,
        };
      }
      if (capture.source.dirty) {
        return {
          cause: 'dirty-tree',
          detail: `${what}; the capture ran from a dirty tree (${short(capture.source.changedPaths)}) that a checkout of ${capture.source.commit.slice(0, 12)} does not hold: commit the changes and capture again`,
        };
      }
      if (drift.lockfiles.length > 0) {
        return {
          cause: 'lockfile-changed',
          detail: `${what}; lockfiles changed since the capture: ${short(drift.lockfiles.map((d) => d.path as string))}`,
        };
      }
      if (environment.length > 0) {
        return {
          cause: 'environment-changed',
          detail: `${what}; the environment changed since the capture: ${short(environment, 10)}`,
        };
      }
      return {
        cause: 'output-differs',
        detail: `${what}, and nothing the capture recorded explains it (same commit, inputs, lockfiles and versions): look for an input it does not declare, the clock or the network`,
      };
    };

    const differences: Difference[] = [
      ...drift.inputs,
      ...drift.lockfiles,
      ...outputDifferences.map(({ what, varies, ...where }) => ({ ...explain(what, varies), ...where })),
    ];
    const verification: Verification = {
      capture: capture.id,
      reproducible: differences.length === 0,
      mode,
      ...(mode === 'predictions' ? { tolerance } : {}),
      runs: runs.length,
      differences,
    };
    const {
      id: _id,
      kind,
      schemaVersion: _v,
      producedAt: _p,
      producer: _producer,
      passed: _passed,
      ...sections
    } = capture;
    return sealEvidence(
      { ...sections, kind, passed: verification.reproducible, verification },
      now(),
    ) as ReproducibilityEvidence;
  });
}
