import { readFile, stat } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { fileReadError, WardenError } from '../core/index.js';
import { loadContract } from '../data/index.js';
import {
  type ContractView,
  checkEvidenceDocument,
  defaultLimits,
  type EvidenceDocument,
  type GateInput,
  type GateSubject,
  gateInputDigest,
  isGateName,
  latestEvidenceByKind,
} from '../policy/index.js';
import { parsePairs } from './options.js';

/**
 * Reads what `warden gate` (and the check commands' `--policies`) decide on: evidence files,
 * the subject and its labels, the data contract and the declared monitors, into a gate input.
 */

export interface GateInputFlags {
  subject?: string;
  labels?: string;
  owner?: string;
  tags?: string;
  contract?: string;
  monitors?: string;
  now?: string;
}

export function checkGateName(gate: string): string {
  if (!isGateName(gate)) {
    throw new WardenError(
      'WARDEN_ERR_USAGE_INVALID_OPTION',
      `"${gate}" is not a gate; gates are data, model, deploy, runtime and promote:<alias> (e.g. promote:production)`,
    );
  }
  return gate;
}

/**
 * A gate input file's text, refused unread when it is larger than `maxBytes` (the gate input limit,
 * or what is left of it).
 */
async function readInputFile(
  file: string,
  what: string,
  maxBytes: number,
  tooLarge: (size: number) => string,
): Promise<string> {
  const size = await fileSize(file, what);
  if (size > maxBytes) {
    throw new WardenError('WARDEN_ERR_GATE_INVALID_INPUT', `${file}: ${tooLarge(size)}`, { where: file });
  }
  return readText(file, what);
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw fileReadError(file, error, what);
  }
}

async function fileSize(file: string, what: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    throw fileReadError(file, error, what);
  }
}

/** Parses a file's text, turning a syntax error into a coded error that names the file. */
function parseInputFile<T>(
  file: string,
  text: string,
  parse: (text: string) => T,
  code: 'WARDEN_ERR_GATE_INVALID_EVIDENCE' | 'WARDEN_ERR_GATE_INVALID_INPUT',
  problem: (reason: string) => string,
): T {
  try {
    return parse(text);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0] ?? '';
    throw new WardenError(code, `${file}: ${problem(reason)}`, { where: file });
  }
}

/** Evidence files together may hold at most the gate input limit (16 MiB); checked before reading any. */
export async function readEvidenceFiles(files: readonly string[]): Promise<EvidenceDocument[]> {
  const limit = defaultLimits.maxInputBytes;
  let total = 0;
  for (const file of files) total += await fileSize(file, 'evidence');
  if (total > limit) {
    throw new WardenError(
      'WARDEN_ERR_GATE_INVALID_INPUT',
      `${files.join(', ')}: the evidence files add up to ${total} bytes; a gate input may hold at most ${limit}. Pass only the evidence this gate needs`,
    );
  }
  const documents: EvidenceDocument[] = [];
  for (const file of files) {
    const text = await readText(file, 'evidence');
    const value = parseInputFile(
      file,
      text,
      JSON.parse,
      'WARDEN_ERR_GATE_INVALID_EVIDENCE',
      (reason) => `is not JSON (${reason}); pass the evidence file a check wrote with --json`,
    );
    documents.push(checkEvidenceDocument(value, file));
  }
  return documents;
}

/**
 * The subject: from `--subject model=NAME,version=V` (or `dataset=NAME`, `deployment=NAME`), or
 * else from the evidence (a model version's evidence first).
 */
export function resolveSubject(flags: GateInputFlags, evidence: readonly EvidenceDocument[]): GateSubject {
  const labels = parsePairs('--labels', flags.labels);
  const tags = (flags.tags ?? '')
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
  const extras = { labels, tags, ...(flags.owner ? { owner: flags.owner } : {}) };
  if (flags.subject !== undefined) {
    const pairs = parsePairs('--subject', flags.subject);
    const version = pairs['version'];
    const kinds = [
      ['model', 'model-version'],
      ['dataset', 'dataset'],
      ['deployment', 'deployment'],
    ] as const;
    const found = kinds.filter(([key]) => pairs[key] !== undefined);
    const unknown = Object.keys(pairs).filter(
      (key) => key !== 'version' && !kinds.some(([known]) => known === key),
    );
    if (found.length !== 1 || unknown.length > 0) {
      throw new WardenError(
        'WARDEN_ERR_GATE_INVALID_INPUT',
        `--subject ${flags.subject}: name exactly one of model=NAME (with version=V), dataset=NAME or deployment=NAME${unknown.length ? `; unknown key ${unknown.join(', ')}` : ''}`,
      );
    }
    const [key, type] = found[0] as (typeof kinds)[number];
    return { type, name: pairs[key] as string, ...(version === undefined ? {} : { version }), ...extras };
  }
  const fromEvidence =
    evidence.find((document) => (document['subject'] as { type?: string }).type === 'model-version') ??
    evidence[0];
  const subject = fromEvidence?.['subject'] as
    | { type: GateSubject['type']; name: string; version?: string }
    | undefined;
  if (!subject) {
    throw new WardenError(
      'WARDEN_ERR_USAGE_INVALID_OPTION',
      'give --subject (e.g. model=credit-risk,version=7) or at least one --evidence file to take it from',
    );
  }
  return {
    type: subject.type,
    name: subject.name,
    ...('version' in subject ? { version: subject.version } : {}),
    ...extras,
  };
}

/** The contract's properties with their classification and tags, for PII and feature policies. */
export async function readContractView(file: string): Promise<ContractView> {
  const { contract, digest } = await loadContract(file);
  return {
    id: contract.id,
    version: contract.version,
    ...(contract.name === undefined ? {} : { name: contract.name }),
    uri: file,
    digest,
    properties: (contract.schema ?? []).flatMap((object) =>
      (object.properties ?? []).map((property) => {
        const extra = property as { criticalDataElement?: unknown; description?: unknown };
        return {
          table: object.name,
          name: property.name,
          logicalType: property.logicalType ?? null,
          classification: property.classification ?? null,
          tags: property.tags ?? [],
          required: property.required ?? false,
          criticalDataElement: extra.criticalDataElement === true,
          description: typeof extra.description === 'string' ? extra.description : null,
        };
      }),
    ),
  };
}

/** Declared monitors: a YAML or JSON list of objects (name, signals, owner, …). */
export async function readMonitors(file: string): Promise<unknown[]> {
  const text = await readInputFile(
    file,
    'monitors',
    defaultLimits.maxInputBytes,
    (size) => `is ${size} bytes; a gate input may hold at most ${defaultLimits.maxInputBytes}`,
  );
  const value: unknown = parseInputFile(
    file,
    text,
    parseYaml,
    'WARDEN_ERR_GATE_INVALID_INPUT',
    (reason) => `not valid YAML or JSON: ${reason}`,
  );
  const list =
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as { monitors?: unknown }).monitors
      : value;
  if (
    !Array.isArray(list) ||
    list.some((item) => item === null || typeof item !== 'object' || Array.isArray(item))
  ) {
    throw new WardenError(
      'WARDEN_ERR_GATE_INVALID_INPUT',
      `${file}: monitors are a list of objects (or a mapping with a "monitors" list), e.g. "- name: credit-risk-prod\\n  signals: [drift, performance]\\n  owner: risk-oncall"`,
      { where: file },
    );
  }
  return list;
}

export function decisionTime(now: string | undefined): string {
  if (now === undefined) return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const time = Date.parse(now);
  if (!/^\d{4}-\d\d-\d\dT/.test(now) || Number.isNaN(time)) {
    throw new WardenError(
      'WARDEN_ERR_USAGE_INVALID_OPTION',
      `--now "${now}" is not an ISO-8601 time; write e.g. 2026-11-22T10:00:00Z`,
    );
  }
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Assembles the gate input from files and flags; returns the evidence ids it used. */
export async function assembleGateInput(
  gate: string,
  evidenceFiles: readonly string[],
  flags: GateInputFlags,
): Promise<{ input: GateInput; evidenceIds: string[] }> {
  const documents = await readEvidenceFiles(evidenceFiles);
  const { evidence, ids } = latestEvidenceByKind(documents);
  const input: GateInput = {
    gate: checkGateName(gate),
    subject: resolveSubject(flags, documents),
    evidence,
    contract: flags.contract ? await readContractView(flags.contract) : {},
    monitors: flags.monitors ? await readMonitors(flags.monitors) : [],
    now: decisionTime(flags.now),
    waivers: [],
  };
  return { input, evidenceIds: ids };
}

/** A saved gate input (`--save-input`), read back for an exact replay. */
export async function readSavedInput(file: string): Promise<{ input: GateInput; evidenceIds: string[] }> {
  const text = await readInputFile(
    file,
    'gate input',
    defaultLimits.maxInputBytes,
    (size) => `is ${size} bytes; a gate input may hold at most ${defaultLimits.maxInputBytes}`,
  );
  const value = parseInputFile(
    file,
    text,
    (json) => JSON.parse(json) as { input?: Partial<GateInput>; evidenceIds?: string[] } | null,
    'WARDEN_ERR_GATE_INVALID_INPUT',
    (reason) => `is not JSON (${reason})`,
  );
  const input = value?.input;
  if (
    !input ||
    typeof input.gate !== 'string' ||
    typeof input.now !== 'string' ||
    !input.subject ||
    !input.evidence
  ) {
    throw new WardenError(
      'WARDEN_ERR_GATE_INVALID_INPUT',
      `${file}: is not a saved gate input (expected {"input": {gate, subject, evidence, contract, monitors, now}, "evidenceIds": […]}); write one with warden gate … --save-input FILE`,
      { where: file },
    );
  }
  checkGateName(input.gate);
  return {
    input: {
      gate: input.gate,
      subject: input.subject,
      evidence: input.evidence,
      now: input.now,
      contract: input.contract ?? {},
      monitors: input.monitors ?? [],
      waivers: input.waivers ?? [],
    },
    evidenceIds: value?.evidenceIds ?? [],
  };
}

export function savedInput(input: GateInput, evidenceIds: readonly string[]): string {
  return `${JSON.stringify({ digest: gateInputDigest(input), input, evidenceIds }, null, 2)}\n`;
}
