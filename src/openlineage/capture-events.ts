import { posix } from 'node:path';
import { isWardenError } from '../core/index.js';
import type { DataCheckEvidence, LoadedContract } from '../data/index.js';
import type { ReproducibilityEvidence, RunHooks, RunInfo } from '../repro/index.js';
import { contractSchemaFacet, dataQualityFacets } from './check-events.js';
import {
  datasetIdentity,
  type Facets,
  facet,
  type InputDataset,
  jobNamespace,
  type RunEvent,
  runEvent,
  runUuid,
  sourceCodeFacets,
  wardenJobType,
  wardenRunFacets,
} from './run-event.js';

export interface CaptureEventOptions {
  /** Data checks of the run's inputs: matched by digest, they add the schema and data-quality facets. */
  dataChecks?: { evidence: DataCheckEvidence; contract?: LoadedContract }[];
  env?: NodeJS.ProcessEnv;
}

/** What the events of a captured (or re-run) command are made of: repro's `RunInfo`, or a capture read back. */
export type ReproRun = Pick<
  RunInfo,
  | 'kind'
  | 'runId'
  | 'subject'
  | 'command'
  | 'repositoryRoot'
  | 'workingDirectory'
  | 'startedAt'
  | 'source'
  | 'data'
>;

const reproJobs = {
  capture: { name: 'capture', jobType: 'TRAINING' },
  'check-repro': { name: 'check-repro', jobType: 'REPRODUCIBILITY_CHECK' },
} as const;

function commandLanguage(command: readonly string[]): string {
  const program = posix.basename(command[0] ?? '');
  if (/^python/.test(program) || command.some((arg) => arg.endsWith('.py'))) return 'python';
  if (/^(node|npx|tsx)$/.test(program)) return 'javascript';
  return 'shell';
}

/** A parameter's value as the executionParameters facet holds it: a string. */
function parameterText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The events of one captured run (`warden capture`) or re-run (`warden check repro`): `start` as the
 * command starts, `end` with its evidence, `abort` when bad input or a fault stops it. The job is
 * `capture/<model>` (jobType TRAINING) or `check-repro/<model>` (REPRODUCIBILITY_CHECK); the run id is
 * derived from the run's start, commit and id, so a capture read back later gives the same run.
 */
export function reproRunEvents(run: ReproRun, options: CaptureEventOptions = {}) {
  const runId = runUuid(new Date(run.startedAt), `${run.source.commit}\u0000${run.runId}`);
  const job = {
    namespace: jobNamespace(options.env),
    name: `${reproJobs[run.kind].name}/${run.subject.name}`,
    facets: {
      ...wardenJobType(reproJobs[run.kind].jobType),
      ...sourceCodeFacets({
        commit: run.source.commit,
        remote: run.source.remote,
        branch: run.source.branch,
        root: run.repositoryRoot,
        ...(run.workingDirectory && run.workingDirectory !== '.' ? { path: run.workingDirectory } : {}),
      }),
    },
  };
  const location = (path: string) => datasetIdentity(posix.join(run.repositoryRoot, path));
  const checks = options.dataChecks ?? [];
  const inputs: InputDataset[] = run.data.map((data) => {
    const checked = checks.find((c) => c.evidence.inputs.some((input) => input.digest === data.digest));
    const schema = checked?.contract && contractSchemaFacet(checked.contract, checked.evidence.table);
    return {
      ...location(data.path),
      facets: { ...(schema ? { schema } : {}), version: facet('version', { datasetVersion: data.digest }) },
      ...(checked ? { inputFacets: dataQualityFacets(checked.evidence) } : {}),
    };
  });
  const failed = (message: string): Facets => ({
    errorMessage: facet('errorMessage', { message, programmingLanguage: commandLanguage(run.command) }),
  });
  return {
    start: (): RunEvent =>
      runEvent('START', run.startedAt, {
        run: { runId, facets: wardenRunFacets(run.startedAt) },
        job,
        inputs,
      }),

    end: (evidence: ReproducibilityEvidence, endedAt = new Date().toISOString()): RunEvent => {
      const end = run.kind === 'capture' ? evidence.run.endedAt : endedAt;
      const outputs = evidence.outputs.map((output) => ({
        ...location(output.path),
        facets: { version: facet('version', { datasetVersion: output.digest }) },
        outputFacets: { outputStatistics: facet('outputStatistics', { size: output.bytes, fileCount: 1 }) },
      }));
      const values = evidence.parameters?.values;
      const parameters = [
        ...Object.entries(evidence.seeds).map(([name, value]) => ({ key: `seed.${name}`, value })),
        ...(values !== null && typeof values === 'object' && !Array.isArray(values)
          ? Object.entries(values).map(([key, value]) => ({
              key: `param.${key}`,
              value: parameterText(value),
            }))
          : []),
        { key: 'command', value: evidence.run.command.join(' ') },
      ];
      const variables = Object.entries(evidence.environment.variables).flatMap(([name, value]) =>
        value === null ? [] : [{ name, value }],
      );
      const facets: Facets = {
        ...wardenRunFacets(run.startedAt, end),
        executionParameters: facet('executionParameters', { parameters }),
        ...(variables.length > 0
          ? { environmentVariables: facet('environmentVariables', { environmentVariables: variables }) }
          : {}),
        ...(evidence.passed ? {} : failed(failureMessage(evidence))),
      };
      return runEvent(evidence.passed ? 'COMPLETE' : 'FAIL', end, {
        run: { runId, facets },
        job,
        inputs,
        outputs,
      });
    },

    abort: (error: unknown, endedAt = new Date().toISOString()): RunEvent =>
      runEvent('FAIL', endedAt, {
        run: {
          runId,
          facets: {
            ...wardenRunFacets(run.startedAt, endedAt),
            ...failed(
              isWardenError(error) ? `${error.message} [${error.code}]` : 'the run stopped on a fault',
            ),
          },
        },
        job,
        inputs,
      }),
  };
}

function failureMessage(evidence: ReproducibilityEvidence): string {
  const verification = evidence.verification;
  if (verification !== undefined) {
    const causes = [...new Set(verification.differences.map((d) => d.cause))].join(', ');
    return `not reproducible: ${verification.differences.length} difference(s) (${causes}) against capture ${verification.capture} (evidence ${evidence.id})`;
  }
  return `the command ${evidence.run.command.join(' ')} exited with ${evidence.run.exitCode} (evidence ${evidence.id})`;
}

/**
 * The START and COMPLETE (exit code 0) or FAIL events of a captured training run, made from its
 * evidence after the fact: the same events `warden capture --openlineage` sends as it runs, with the
 * same run id. `repositoryRoot` is where the repository is (the evidence's paths are relative to it).
 *
 * @example
 * for (const event of captureRunEvents(evidence, { repositoryRoot })) await transport.emit(event);
 */
export function captureRunEvents(
  evidence: ReproducibilityEvidence,
  options: CaptureEventOptions & { repositoryRoot: string },
): [RunEvent, RunEvent] {
  const events = reproRunEvents(
    {
      kind: 'capture',
      runId: evidence.run.runId,
      subject: evidence.subject,
      command: evidence.run.command,
      repositoryRoot: options.repositoryRoot,
      workingDirectory: evidence.run.workingDirectory,
      startedAt: evidence.run.startedAt,
      source: evidence.source,
      data: evidence.data,
    },
    options,
  );
  return [events.start(), events.end(evidence)];
}

/**
 * repro's hooks that send a capture's or a re-run's events as it goes: START before the command,
 * COMPLETE/FAIL with its evidence, FAIL when bad input or a fault stops it after the start.
 */
export function openLineageRunHooks(
  emit: (event: RunEvent) => Promise<void>,
  options: CaptureEventOptions = {},
): Required<RunHooks> {
  const runs = new WeakMap<RunInfo, ReturnType<typeof reproRunEvents>>();
  const eventsOf = (run: RunInfo) => {
    let events = runs.get(run);
    if (events === undefined) {
      events = reproRunEvents(run, options);
      runs.set(run, events);
    }
    return events;
  };
  return {
    onStart: (run) => emit(eventsOf(run).start()),
    onEnd: (evidence, run) => emit(eventsOf(run).end(evidence)),
    onAbort: (error, run) => emit(eventsOf(run).abort(error)),
  };
}
