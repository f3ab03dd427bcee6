import type { EvidenceEnvelope } from '../core/index.js';
import { type DataCheckEvidence, describeExpectation, type LoadedContract } from '../data/index.js';
import {
  datasetIdentity,
  type Facet,
  type Facets,
  facet,
  type InputDataset,
  jobNamespace,
  type RunEvent,
  runEvent,
  runUuid,
  type SourceLocation,
  sourceCodeFacets,
  wardenJobType,
  wardenRunFacets,
} from './run-event.js';

/** What OpenLineage calls the job of each check: its jobType and the first part of its name. */
const checkJobs = {
  'data-check': 'DATA_QUALITY',
  'model-evaluation': 'MODEL_EVALUATION',
  'drift-report': 'DRIFT_REPORT',
} as const;

export type CheckKind = keyof typeof checkJobs;

export interface CheckRunOptions {
  kind: CheckKind;
  /** The check's subject: the dataset's name for a data check, the model for the others. */
  subject: string;
  /** The files the check reads, as given on the command line. */
  files: string[];
  /** The data contract of a data check: its columns become the schema facet. */
  contract?: LoadedContract;
  /** The contract's schema object that describes the file, when known before the check runs. */
  table?: string;
  source?: SourceLocation | null;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

/** The two events of one check run, built around it: `start()` before, `finish(evidence)` after. */
export interface CheckRun {
  start(): RunEvent;
  finish(evidence: EvidenceEnvelope): RunEvent;
}

/**
 * The OpenLineage run of a check: job `<evidence kind>/<subject>` (stable across runs, so every run
 * of the same check is one job), the checked files as inputs. A check that passed COMPLETEs, one that
 * failed FAILs with an error message; a data check adds its schema, metrics and assertions.
 *
 * @example
 * const run = checkRun({ kind: 'data-check', subject: 'credit', files: ['train.csv'], contract });
 * await transport.emit(run.start());
 * const evidence = await runDataCheck('train.csv', contract);
 * await transport.emit(run.finish(evidence));
 */
export function checkRun(options: CheckRunOptions): CheckRun {
  const now = options.now ?? (() => new Date());
  const started = now();
  const startedAt = started.toISOString();
  const runId = runUuid(started);
  const job = {
    namespace: jobNamespace(options.env),
    name: `${options.kind}/${options.subject}`,
    facets: { ...wardenJobType(checkJobs[options.kind]), ...sourceCodeFacets(options.source) },
  };
  const schemaFor = (table: string | undefined): Facets => {
    const schema = options.contract && contractSchemaFacet(options.contract, table);
    return schema ? { schema } : {};
  };
  const identity = (file: string) => datasetIdentity(file, options.cwd);
  return {
    start: () =>
      runEvent('START', startedAt, {
        run: { runId, facets: wardenRunFacets(startedAt) },
        job,
        inputs: options.files.map((file) => ({ ...identity(file), facets: schemaFor(options.table) })),
      }),
    finish: (evidence) => {
      const endedAt = now().toISOString();
      const dataCheck = evidence.kind === 'data-check' ? (evidence as DataCheckEvidence) : undefined;
      const inputs: InputDataset[] = evidence.inputs.map((input) => ({
        ...identity(input.uri),
        facets: {
          ...schemaFor(dataCheck?.table ?? options.table),
          version: facet('version', { datasetVersion: input.digest }),
        },
        ...(dataCheck ? { inputFacets: dataQualityFacets(dataCheck) } : {}),
      }));
      return runEvent(evidence.passed ? 'COMPLETE' : 'FAIL', endedAt, {
        run: {
          runId,
          facets: {
            ...wardenRunFacets(startedAt, endedAt),
            ...(evidence.passed ? {} : { errorMessage: checkFailure(evidence) }),
          },
        },
        job,
        inputs,
      });
    },
  };
}

function checkFailure(evidence: EvidenceEnvelope): Facet {
  const summary = (evidence as Partial<DataCheckEvidence>).summary;
  const message =
    summary === undefined
      ? `the ${evidence.kind} of ${evidence.subject.name} failed (evidence ${evidence.id})`
      : `${summary.failed} of ${summary.checks} checks failed on ${evidence.subject.name} (evidence ${evidence.id})`;
  return facet('errorMessage', { message, programmingLanguage: 'TypeScript' });
}

/**
 * The schema facet of a contract's schema object: each property with its logical (or physical) type
 * and description, in the contract's order. Undefined when the contract does not say which object
 * describes the file (several objects and no `table`).
 */
export function contractSchemaFacet(contract: LoadedContract, table?: string): Facet | undefined {
  const objects = contract.contract.schema ?? [];
  const object =
    table === undefined
      ? objects.length === 1
        ? objects[0]
        : undefined
      : objects.find((o) => o.name === table);
  if (object === undefined) return undefined;
  return facet('schema', {
    fields: (object.properties ?? []).map((property, index) => ({
      name: property.name,
      ...(property.logicalType || property.physicalType
        ? { type: property.logicalType ?? property.physicalType }
        : {}),
      ...(property.description ? { description: property.description } : {}),
      ordinal_position: index + 1,
    })),
  });
}

/** The metrics that count nulls: their `unexpectedCount` is the column's null count over all rows. */
const nullCountMetrics = new Set(['nullValues', 'required']);

/**
 * The data-quality input facets of a data check: rows, bytes and each column's null count
 * (dataQualityMetrics), and every check as an assertion (dataQualityAssertions).
 */
export function dataQualityFacets(evidence: DataCheckEvidence): Facets {
  const columnMetrics: Record<string, { nullCount: number }> = {};
  for (const result of evidence.results) {
    if (
      result.column !== undefined &&
      nullCountMetrics.has(result.metric) &&
      result.unexpectedCount !== undefined
    ) {
      columnMetrics[result.column] = { nullCount: result.unexpectedCount };
    }
  }
  const bytes = evidence.inputs.reduce((sum, input) => sum + input.bytes, 0);
  return {
    dataQualityMetrics: facet('dataQualityMetrics', {
      rowCount: evidence.rowCount,
      bytes,
      fileCount: evidence.inputs.length,
      columnMetrics,
    }),
    dataQualityAssertions: facet('dataQualityAssertions', {
      assertions: evidence.results.map((result) => ({
        assertion: result.metric,
        success: result.passed,
        ...(result.column === undefined ? {} : { column: result.column }),
        severity: result.severity === 'warning' ? 'warn' : result.severity,
        name: result.check,
        ...(result.description ? { description: result.description } : {}),
        expected: describeExpectation(result.operator, result.threshold, result.unit),
        actual: `${result.observed}${result.unit === 'percent' ? '%' : ''}`,
      })),
    }),
  };
}
