import { createHash, randomBytes } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { producer as warden } from '../core/index.js';

/** The OpenLineage specification these events follow (schemas/openlineage/OpenLineage.json). */
export const openLineageSpec = 'https://openlineage.io/spec/2-0-2/OpenLineage.json';

/** The `producer` of every event and facet Warden writes. */
export const openLineageProducer = `https://warden.dev/warden/v${warden.version}`;

/**
 * The facets Warden writes, each with the version of its schema shipped in schemas/openlineage/facets.
 * The key is the facet's name in an event, as its schema names it.
 */
export const facetSchemas = {
  processing_engine: 'facets/1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet',
  nominalTime: 'facets/1-0-1/NominalTimeRunFacet.json#/$defs/NominalTimeRunFacet',
  errorMessage: 'facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet',
  executionParameters: 'facets/1-0-0/ExecutionParametersRunFacet.json#/$defs/ExecutionParametersRunFacet',
  environmentVariables: 'facets/1-0-0/EnvironmentVariablesRunFacet.json#/$defs/EnvironmentVariablesRunFacet',
  sourceCodeLocation: 'facets/1-1-0/SourceCodeLocationJobFacet.json#/$defs/SourceCodeLocationJobFacet',
  jobType: 'facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet',
  schema: 'facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet',
  version: 'facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet',
  dataQualityMetrics:
    'facets/1-0-3/DataQualityMetricsInputDatasetFacet.json#/$defs/DataQualityMetricsInputDatasetFacet',
  dataQualityAssertions:
    'facets/1-1-0/DataQualityAssertionsDatasetFacet.json#/$defs/DataQualityAssertionsDatasetFacet',
  outputStatistics:
    'facets/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet',
} as const;

export type FacetName = keyof typeof facetSchemas;

export interface Facet {
  _producer: string;
  _schemaURL: string;
  [field: string]: unknown;
}

export type Facets = Partial<Record<FacetName, Facet>>;

/** A facet of one of the kinds in `facetSchemas`, stamped with Warden as producer and its schema. */
export function facet(name: FacetName, fields: Record<string, unknown>): Facet {
  return {
    _producer: openLineageProducer,
    _schemaURL: `https://openlineage.io/spec/${facetSchemas[name]}`,
    ...fields,
  };
}

export interface DatasetRef {
  namespace: string;
  name: string;
  facets?: Facets;
}

export interface InputDataset extends DatasetRef {
  inputFacets?: Facets;
}

export interface OutputDataset extends DatasetRef {
  outputFacets?: Facets;
}

export type RunState = 'START' | 'COMPLETE' | 'FAIL';

/** An OpenLineage 2-0-2 RunEvent, as far as Warden fills it. */
export interface RunEvent {
  eventType: RunState;
  eventTime: string;
  producer: string;
  schemaURL: string;
  run: { runId: string; facets?: Facets };
  job: { namespace: string; name: string; facets?: Facets };
  inputs: InputDataset[];
  outputs: OutputDataset[];
}

/** The job namespace: OPENLINEAGE_NAMESPACE as the OpenLineage clients read it, else `warden`. */
export function jobNamespace(env: NodeJS.ProcessEnv = process.env): string {
  const named = env['OPENLINEAGE_NAMESPACE']?.trim();
  return named ? named : 'warden';
}

/**
 * A dataset's namespace and name by the OpenLineage naming conventions: a local file is namespace
 * `file://` (no host: the same path on another machine is the same dataset) and its absolute path;
 * an object store URI `s3://bucket/key` is namespace `s3://bucket` and name `key`; any other URI is
 * `scheme://authority` and its path.
 */
export function datasetIdentity(location: string, cwd = process.cwd()): { namespace: string; name: string } {
  const uri = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)(\/.*)?$/i.exec(location);
  if (uri && uri[1]?.toLowerCase() !== 'file') {
    const authority = (uri[2] ?? '').replace(/^.*@/, '');
    const path = uri[3] ?? '/';
    return {
      namespace: `${uri[1]?.toLowerCase()}://${authority}`,
      name: /^(s3a?|gs|gcs|abfss?|wasbs?)$/i.test(uri[1] ?? '') ? path.replace(/^\/+/, '') : path,
    };
  }
  const path = uri ? decodeURIComponent(uri[3] ?? '/') : location;
  return { namespace: 'file://', name: isAbsolute(path) ? path : resolve(cwd, path).split('\\').join('/') };
}

/**
 * A run id as OpenLineage wants it: a UUID, version 7 (its first 48 bits are the start time in
 * milliseconds, so ids sort by time). With `seed`, the other bits come from the seed's SHA-256, so the
 * same run described twice gets the same id.
 */
export function runUuid(startedAt: Date, seed?: string): string {
  const bytes = Buffer.alloc(16);
  const random = seed === undefined ? randomBytes(10) : createHash('sha256').update(seed).digest();
  bytes.writeUIntBE(Math.max(0, startedAt.getTime()) % 2 ** 48, 0, 6);
  random.copy(bytes, 6, 0, 10);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The facets every Warden run carries: the engine (Warden and its version) and the nominal time. */
export function wardenRunFacets(startedAt: string, endedAt?: string): Facets {
  return {
    processing_engine: facet('processing_engine', { name: 'warden', version: warden.version }),
    nominalTime: facet('nominalTime', {
      nominalStartTime: startedAt,
      ...(endedAt === undefined ? {} : { nominalEndTime: endedAt }),
    }),
  };
}

/** The jobType facet: a batch job of Warden's, of the given kind (`DATA_QUALITY`, `TRAINING`, …). */
export function wardenJobType(jobType: string): Facets {
  return { jobType: facet('jobType', { processingType: 'BATCH', integration: 'WARDEN', jobType }) };
}

/** Where the job's code lives: a git repository at a commit. */
export interface SourceLocation {
  commit: string;
  /** The remote URL, credentials already stripped; null for a repository without one. */
  remote: string | null;
  branch?: string | null;
  /** The repository's root directory, used as its URL when it has no remote. */
  root: string;
  /** The job's directory inside the repository (POSIX, relative). */
  path?: string;
}

/**
 * A git remote as a URL, credentials dropped: `git@host:org/repo.git` (scp-like, whose user is not a
 * secret) stays as the repository's URL and becomes `https://host/org/repo.git` as its web URL.
 */
function remoteUrls(remote: string): { url: string; repoUrl: string } | null {
  const scp = /^[^@/:]+@([^:/]+):(.+)$/.exec(remote);
  try {
    const url = new URL(scp ? `https://${scp[1]}/${scp[2]}` : remote);
    url.username = '';
    url.password = '';
    return { url: url.href, repoUrl: scp ? remote : url.href };
  } catch {
    return null;
  }
}

/** The sourceCodeLocation facet: git, the repository's URL (or its directory), the commit, the branch. */
export function sourceCodeFacets(source: SourceLocation | null | undefined): Facets {
  if (!source) return {};
  const local = new URL(`file://${resolve(source.root)}`).href;
  const urls = (source.remote === null ? null : remoteUrls(source.remote)) ?? { url: local, repoUrl: local };
  return {
    sourceCodeLocation: facet('sourceCodeLocation', {
      type: 'git',
      ...urls,
      version: source.commit,
      ...(source.branch ? { branch: source.branch } : {}),
      ...(source.path ? { path: source.path } : {}),
    }),
  };
}

/** An event of one run: the event type and time vary, the rest is the caller's. */
export function runEvent(
  eventType: RunState,
  eventTime: string,
  parts: Pick<RunEvent, 'run' | 'job'> & Partial<Pick<RunEvent, 'inputs' | 'outputs'>>,
): RunEvent {
  return {
    eventType,
    eventTime,
    producer: openLineageProducer,
    schemaURL: `${openLineageSpec}#/$defs/RunEvent`,
    run: parts.run,
    job: parts.job,
    inputs: parts.inputs ?? [],
    outputs: parts.outputs ?? [],
  };
}
