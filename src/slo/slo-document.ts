import { readFile, stat } from 'node:fs/promises';
import { type Document, isMap, isScalar, LineCounter, parseAllDocuments } from 'yaml';
import { z } from 'zod';
import {
  describeSchemaIssue,
  fileReadError,
  type JsonPath,
  locateInYaml,
  parseDuration,
  requestDurationBuckets,
  servedNamePattern,
  servedNameRule,
  WardenError,
  yamlData,
  yamlErrorFix,
  yamlErrorSummary,
} from '../core/index.js';

export const sloApiVersion = 'warden.dev/v1';
export const defaultSloPeriod = '30d';
/** The shortest period: its alert windows scale down to seconds (for demos and tests). */
const minPeriodMs = 60_000;
const maxSloFileBytes = 1024 * 1024;
const maxProblemsShown = 20;

const objectiveRule = 'is the percent of good requests: above 0 and below 100 (99.9 for three nines)';
const name = z.string().regex(servedNamePattern, servedNameRule);

// One of the two, checked after the schema so that a misspelt key gets "did you mean".
const indicatorSchema = z.strictObject({
  availability: z.strictObject({}).optional(),
  latency: z.strictObject({ le: z.number().positive() }).optional(),
});

const sloSchema = z.strictObject({
  apiVersion: z.literal(sloApiVersion),
  kind: z.literal('ServiceLevelObjective'),
  metadata: z.strictObject({
    name,
    description: z.string().max(2000).optional(),
  }),
  spec: z.strictObject({
    model: name,
    objective: z.number().gt(0, objectiveRule).lt(100, objectiveRule),
    period: z.string().optional(),
    indicator: indicatorSchema,
  }),
});

type ParsedSlo = z.infer<typeof sloSchema>;

/** A ServiceLevelObjective as written, with its period filled in (`30d` when absent). */
export interface SloDocument {
  apiVersion: typeof sloApiVersion;
  kind: 'ServiceLevelObjective';
  metadata: { name: string; description?: string | undefined };
  spec: {
    model: string;
    /** Percent of good requests, 0 < objective < 100. */
    objective: number;
    /** A Warden duration (`30d`, `1h`, …), at least `1m`. */
    period: string;
    /**
     * availability: good = answered without a 5xx (the gateway's own 502 and 504 are bad);
     * latency: good = answered within `le` seconds, a bucket bound of the request-duration histogram.
     */
    indicator: { availability: Record<string, never> } | { latency: { le: number } };
  };
}

export interface SloLoadOptions {
  /** Every document must be about this model (the gateway route that names the file). */
  model?: string;
}

/**
 * Reads a YAML file of one or more `ServiceLevelObjective` documents (separated by `---`) and checks
 * them whole: every problem is reported at once with its `file:line:col` and the fix
 * (WARDEN_ERR_SLO_INVALID).
 */
export async function loadSloDocuments(file: string, options: SloLoadOptions = {}): Promise<SloDocument[]> {
  let content: string;
  try {
    const info = await stat(file);
    if (info.isFile() && info.size > maxSloFileBytes) {
      throw invalidSlo(file, [
        `${file}: is ${info.size} bytes; an SLO file may hold at most ${maxSloFileBytes}`,
      ]);
    }
    content = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof WardenError) throw error;
    throw fileReadError(file, error, 'SLO');
  }
  const problems: string[] = [];
  const lineCounter = new LineCounter();
  const located: { data: unknown; locate: (path: JsonPath) => string }[] = [];
  parseAllDocuments(content, { lineCounter, uniqueKeys: true }).forEach((document, index, all) => {
    const read = readDocument(file, document, lineCounter, all.length > 1 ? index + 1 : undefined);
    if ('problem' in read) problems.push(read.problem);
    else if (read.data !== undefined) located.push({ data: read.data, locate: read.locate });
  });
  const documents = checkDocuments(located, problems, options);
  if (problems.length > 0) throw invalidSlo(file, problems);
  if (documents.length === 0) {
    throw invalidSlo(file, [
      `${file}: holds no document; write one or more ServiceLevelObjective documents (docs/slo.md)`,
    ]);
  }
  return documents;
}

/**
 * Checks SLO documents already parsed (a JSON body on the server, a control plane's routing table):
 * a list of documents or one. `source` names them in messages, e.g. `request body`.
 */
export function parseSloDocuments(
  value: unknown,
  source: string,
  options: SloLoadOptions = {},
): SloDocument[] {
  const list = Array.isArray(value) ? value : [value];
  const problems: string[] = [];
  const documents = checkDocuments(
    list.map((data, index) => ({
      data,
      locate: (path: JsonPath) =>
        `${source}${list.length > 1 || Array.isArray(value) ? `[${index}]` : ''}${path.length > 0 ? ` at ${path.join('.')}` : ''}`,
    })),
    problems,
    options,
  );
  if (problems.length > 0) throw invalidSlo(source, problems);
  return documents;
}

/** One YAML document as plain data, nothing for an empty one, or why it cannot be read. */
function readDocument(
  file: string,
  document: Document.Parsed,
  lineCounter: LineCounter,
  ordinal: number | undefined,
): { data: unknown; locate: (path: JsonPath) => string } | { problem: string } {
  const locate = (path: JsonPath) => locateInYaml(file, document, lineCounter, path);
  const yamlError = document.errors[0];
  if (yamlError) {
    const position = yamlError.linePos?.[0];
    return {
      problem: `${position ? `${file}:${position.line}:${position.col}` : file}: not valid YAML: ${yamlErrorSummary(yamlError.message)}; ${yamlErrorFix(yamlError.code)}`,
    };
  }
  const contents = document.contents;
  // An empty document: a file with only comments, or a trailing `---`.
  if (contents === null || (isScalar(contents) && contents.value === null && contents.source === ''))
    return { data: undefined, locate };
  const where = ordinal === undefined ? locate([]) : `${locate([])} (document ${ordinal})`;
  if (!isMap(contents)) {
    return {
      problem: `${where}: an SLO is a YAML mapping with apiVersion: ${sloApiVersion}, kind: ServiceLevelObjective, metadata and spec`,
    };
  }
  const converted = yamlData(document);
  if ('problem' in converted) return { problem: `${where}: not valid YAML: ${converted.problem}` };
  return { data: converted.data, locate };
}

/** Validates each document and what the schema cannot say; pushes problems, returns the good ones. */
function checkDocuments(
  located: readonly { data: unknown; locate: (path: JsonPath) => string }[],
  problems: string[],
  options: SloLoadOptions,
): SloDocument[] {
  const documents: SloDocument[] = [];
  const seen = new Map<string, string>();
  for (const { data, locate } of located) {
    const parsed = sloSchema.safeParse(data);
    if (!parsed.success) {
      problems.push(
        ...parsed.error.issues.map((issue) => describeSchemaIssue(issue, data, sloSchema, locate)),
      );
      continue;
    }
    const found = semanticProblems(parsed.data, locate, options);
    const key = `${parsed.data.spec.model}\u0000${parsed.data.metadata.name}`;
    const first = seen.get(key);
    if (first !== undefined) {
      found.push(
        `${locate(['metadata', 'name'])}: model "${parsed.data.spec.model}" has an SLO named "${parsed.data.metadata.name}" already (at ${first}); give each SLO of a model its own name`,
      );
    } else seen.set(key, locate(['metadata', 'name']));
    problems.push(...found);
    if (found.length === 0) documents.push(withDefaults(parsed.data));
  }
  return documents;
}

function semanticProblems(
  slo: ParsedSlo,
  locate: (path: JsonPath) => string,
  options: SloLoadOptions,
): string[] {
  const problems: string[] = [];
  const { spec } = slo;
  if (spec.period !== undefined) {
    const ms = parseDuration(spec.period);
    if (ms === undefined || ms < minPeriodMs) {
      problems.push(
        `${locate(['spec', 'period'])}: period ${JSON.stringify(spec.period)} is not a duration of at least 1m; write a whole number and a unit (m, h, d, w), e.g. 30d`,
      );
    }
  }
  const kinds = Object.keys(spec.indicator);
  if (kinds.length !== 1) {
    problems.push(
      `${locate(['spec', 'indicator'])}: an indicator is exactly one of availability: {} or latency: { le: SECONDS }${kinds.length > 1 ? `, not ${kinds.join(' and ')}; write one SLO document for each` : ''}`,
    );
  }
  if (spec.indicator.latency !== undefined && !requestDurationBuckets.includes(spec.indicator.latency.le)) {
    problems.push(
      `${locate(['spec', 'indicator', 'latency', 'le'])}: le ${spec.indicator.latency.le} is not a bucket bound of warden_gateway_request_duration_seconds, so neither the gateway nor Prometheus can count requests under it; use one of ${requestDurationBuckets.join(', ')}`,
    );
  }
  if (options.model !== undefined && spec.model !== options.model) {
    problems.push(
      `${locate(['spec', 'model'])}: this SLO is about model "${spec.model}", but the route that names it serves "${options.model}"; keep each model's SLOs in a file of their own`,
    );
  }
  return problems;
}

function withDefaults(slo: ParsedSlo): SloDocument {
  const { latency } = slo.spec.indicator;
  return {
    ...slo,
    spec: {
      ...slo.spec,
      period: slo.spec.period ?? defaultSloPeriod,
      indicator: latency === undefined ? { availability: {} } : { latency: { le: latency.le } },
    },
  };
}

/** The indicator's kind. */
export function sloIndicator(slo: SloDocument): 'availability' | 'latency' {
  return 'latency' in slo.spec.indicator ? 'latency' : 'availability';
}

function invalidSlo(source: string, problems: string[]): WardenError {
  const shown = problems.slice(0, maxProblemsShown);
  const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
  return new WardenError(
    'WARDEN_ERR_SLO_INVALID',
    `${source}: the SLOs are not valid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${shown.join('\n  ')}${more}`,
    { where: source },
  );
}
