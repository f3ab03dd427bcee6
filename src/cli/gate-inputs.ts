import { isDigest, WardenError } from '../core/index.js';
import type { GateInputFiles, NamedSubject, SubjectDetails } from '../governance/index.js';
import { commaList, parsePairs } from './options.js';

/** The flags of `warden gate` (and the check commands' `--policies`) that describe the gate input. */

export interface GateInputFlags {
  subject?: string;
  labels?: string;
  owner?: string;
  artifactDigest?: string;
  tags?: string;
  contract?: string;
  monitors?: string;
  now?: string;
}

/** `--subject model=NAME,version=V` (or `dataset=NAME`, `deployment=NAME`) as a subject. */
export function subjectFlag(text: string): NamedSubject {
  const pairs = parsePairs('--subject', text);
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
      `--subject ${text}: name exactly one of model=NAME (with version=V), dataset=NAME or deployment=NAME${unknown.length ? `; unknown key ${unknown.join(', ')}` : ''}`,
    );
  }
  const [key, type] = found[0] as (typeof kinds)[number];
  return { type, name: pairs[key] as string, ...(version === undefined ? {} : { version }) };
}

/** `--labels`, `--tags`, `--owner` and `--artifact-digest` as the subject's details. */
export function subjectDetails(
  flags: Pick<GateInputFlags, 'labels' | 'tags' | 'owner' | 'artifactDigest'>,
): SubjectDetails {
  if (flags.artifactDigest !== undefined && !isDigest(flags.artifactDigest)) {
    throw new WardenError(
      'WARDEN_ERR_GATE_INVALID_INPUT',
      `--artifact-digest ${flags.artifactDigest}: write sha256:<64 lowercase hex> (sha256sum FILE prints the hex)`,
    );
  }
  return {
    labels: parsePairs('--labels', flags.labels),
    tags: commaList(flags.tags),
    ...(flags.owner ? { owner: flags.owner } : {}),
    ...(flags.artifactDigest ? { artifactDigest: flags.artifactDigest } : {}),
  };
}

/** What `warden gate GATE --evidence … [flags]` asks to be assembled. */
export function gateInputFiles(
  gate: string,
  evidenceFiles: readonly string[],
  flags: GateInputFlags,
): GateInputFiles {
  return {
    gate,
    evidenceFiles,
    ...(flags.subject === undefined ? {} : { subject: subjectFlag(flags.subject) }),
    ...subjectDetails(flags),
    ...(flags.contract ? { contractFile: flags.contract } : {}),
    ...(flags.monitors ? { monitorsFile: flags.monitors } : {}),
    now: decisionTime(flags.now),
  };
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
