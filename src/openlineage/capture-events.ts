import { posix } from 'node:path';
import type { EvidenceEnvelope } from '../core/index.js';
import type { DataCheckEvidence, LoadedContract } from '../data/index.js';
import { contractSchemaFacet, dataQualityFacets } from './check-events.js';
import {
  datasetIdentity,
  type Facets,
  facet,
  jobNamespace,
  type RunEvent,
  runEvent,
  runUuid,
  sourceCodeFacets,
  wardenJobType,
  wardenRunFacets,
} from './run-event.js';

/**
 * The sections of a capture (a `reproducibility` evidence document written by `warden capture`)
 * that its OpenLineage events are made from (docs/lineage.md).
 */
export interface CaptureEvidence extends EvidenceEnvelope {
  kind: 'reproducibility';
  run: {
    runId: string;
    command: string[];
    workingDirectory: string;
    startedAt: string;
    endedAt: string;
    exitCode: number | null;
  };
  source: {
    commit: string;
    branch: string | null;
    remote: string | null;
    dirty: boolean;
    changedPaths: string[];
  };
  data: { path: string; digest: string; bytes: number; files?: number }[];
  environment: { variables: Record<string, string | null> };
  seeds: Record<string, string>;
  parameters: { file: string; digest: string; values: unknown } | null;
  outputs: { path: string; digest: string; bytes: number }[];
}

export interface CaptureEventOptions {
  /** The repository's root directory: the evidence's paths are relative to it. */
  repositoryRoot: string;
  /** Data checks of the captured inputs: matched by digest, they add the data-quality facets. */
  dataChecks?: { evidence: DataCheckEvidence; contract?: LoadedContract }[];
  env?: NodeJS.ProcessEnv;
}

/** A parameter's value as the executionParameters facet holds it: a string. */
function parameterText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The START and COMPLETE (exit code 0) or FAIL events of a captured training run, made from its
 * evidence after the fact: job `capture/<model>`, the run id derived from the capture's run id (the
 * same capture always gives the same OpenLineage run), the commit as sourceCodeLocation, the data as
 * inputs and the outputs as outputs (each with its digest as version), seeds and parameters as
 * execution parameters, the recorded environment variables (never the redacted ones).
 *
 * @example
 * for (const event of captureRunEvents(evidence, { repositoryRoot })) await transport.emit(event);
 */
export function captureRunEvents(
  evidence: CaptureEvidence,
  options: CaptureEventOptions,
): [RunEvent, RunEvent] {
  const { run, source } = evidence;
  const runId = runUuid(new Date(run.startedAt), `${source.commit}\u0000${run.runId}`);
  const job = {
    namespace: jobNamespace(options.env),
    name: `capture/${evidence.subject.name}`,
    facets: {
      ...wardenJobType('TRAINING'),
      ...sourceCodeFacets({
        commit: source.commit,
        remote: source.remote,
        branch: source.branch,
        root: options.repositoryRoot,
        ...(run.workingDirectory && run.workingDirectory !== '.' ? { path: run.workingDirectory } : {}),
      }),
    },
  };
  const location = (path: string) => datasetIdentity(posix.join(options.repositoryRoot, path));
  const checks = options.dataChecks ?? [];
  const inputs = evidence.data.map((data) => {
    const checked = checks.find((c) => c.evidence.inputs.some((input) => input.digest === data.digest));
    const schema = checked?.contract && contractSchemaFacet(checked.contract, checked.evidence.table);
    const facets: Facets = {
      ...(schema ? { schema } : {}),
      version: facet('version', { datasetVersion: data.digest }),
    };
    return {
      ...location(data.path),
      facets,
      ...(checked ? { inputFacets: dataQualityFacets(checked.evidence) } : {}),
    };
  });
  const outputs = evidence.outputs.map((output) => ({
    ...location(output.path),
    facets: { version: facet('version', { datasetVersion: output.digest }) },
    outputFacets: { outputStatistics: facet('outputStatistics', { size: output.bytes, fileCount: 1 }) },
  }));
  const parameters = [
    ...Object.entries(evidence.seeds).map(([name, value]) => ({ key: `seed.${name}`, value })),
    ...(evidence.parameters !== null &&
    evidence.parameters.values !== null &&
    typeof evidence.parameters.values === 'object'
      ? Object.entries(evidence.parameters.values as Record<string, unknown>).map(([key, value]) => ({
          key: `param.${key}`,
          value: parameterText(value),
        }))
      : []),
    { key: 'command', value: run.command.join(' ') },
  ];
  const variables = Object.entries(evidence.environment.variables).flatMap(([name, value]) =>
    value === null ? [] : [{ name, value }],
  );
  const runFacets: Facets = {
    ...wardenRunFacets(run.startedAt, run.endedAt),
    executionParameters: facet('executionParameters', { parameters }),
    ...(variables.length > 0
      ? { environmentVariables: facet('environmentVariables', { environmentVariables: variables }) }
      : {}),
  };
  const start = runEvent('START', run.startedAt, {
    run: { runId, facets: wardenRunFacets(run.startedAt) },
    job,
    inputs,
  });
  const end = runEvent(evidence.passed ? 'COMPLETE' : 'FAIL', run.endedAt, {
    run: {
      runId,
      facets: {
        ...runFacets,
        ...(evidence.passed
          ? {}
          : {
              errorMessage: facet('errorMessage', {
                message: `the command ${run.command.join(' ')} exited with ${run.exitCode ?? 'no exit code (killed by a signal)'} (evidence ${evidence.id})`,
                programmingLanguage: commandLanguage(run.command),
              }),
            }),
      },
    },
    job,
    inputs,
    outputs,
  });
  return [start, end];
}

function commandLanguage(command: string[]): string {
  const program = posix.basename(command[0] ?? '');
  if (/^python/.test(program) || command.some((arg) => arg.endsWith('.py'))) return 'python';
  if (/^(node|npx|tsx)$/.test(program)) return 'javascript';
  return 'shell';
}
