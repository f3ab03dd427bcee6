import type { Kysely } from 'kysely';
import {
  evidenceRepository,
  lineageRepository,
  type Tables,
  type VersionRecord,
  versionRepository,
} from '../store/index.js';

export interface LineageDatasetNode {
  name: string;
  uri: string | null;
  digest: string;
  /** Evidence about exactly this file (matched by digest): the data checks it passed or failed. */
  checks: { id: string; kind: string; passed: boolean; producedAt: string }[];
}

/**
 * A reproducibility evidence document attached to a version, as the walk shows it: a capture of the
 * training run (`warden capture`), or a verification that re-ran a capture (`warden check repro`).
 */
export interface ReproducibilityRecord {
  id: string;
  role: 'capture' | 'verification';
  producedAt: string;
  passed: boolean;
  runId: string | null;
  commit: string | null;
  /** Whether the work tree had uncommitted changes when the run was captured; null when not recorded. */
  dirty: boolean | null;
  /** The verification's verdict; null for a capture. */
  reproducible: boolean | null;
  /** The id of the capture a verification re-ran; null for a capture. */
  capture: string | null;
}

export interface LineageNode {
  model: string;
  version: string;
  artifact: { uri: string; digest: string | null };
  runId: string | null;
  /** False when the version was registered without lineage: its sources are unknown. */
  recorded: boolean;
  sourceCommit: string | null;
  environment: { lockfiles: Record<string, string>; image: string | null } | null;
  parameters: Record<string, unknown> | null;
  datasets: LineageDatasetNode[];
  /** The reproducibility evidence attached to this version, newest first. */
  reproducibility: ReproducibilityRecord[];
  /** Each parent run, with the versions it produced, walked back in turn. */
  parents: { runId: string; versions: LineageNode[] }[];
  /** Set when the walk stopped here because the version was already visited or too deep. */
  truncated?: 'cycle' | 'depth';
}

const maxDepth = 16;

/**
 * Walks from a version back to its sources: its run's datasets (with the checks recorded about
 * each file) and, through parent runs, the versions those runs produced, recursively. Cycles and
 * chains deeper than 16 are cut and marked, so a bad record cannot make the walk run forever.
 */
export async function walkLineage(db: Kysely<Tables>, root: VersionRecord): Promise<LineageNode> {
  const visited = new Set<string>();
  const visit = async (version: VersionRecord, depth: number): Promise<LineageNode> => {
    const key = `${version.model}\u0000${version.version}`;
    const lineage = await lineageRepository.find(db, {
      model: version.model,
      version: Number(version.version),
    });
    const node: LineageNode = {
      model: version.model,
      version: version.version,
      artifact: version.artifact,
      runId: version.runId,
      recorded: lineage !== undefined,
      sourceCommit: lineage?.sourceCommit ?? null,
      environment: lineage?.environment ?? null,
      parameters: lineage?.parameters ?? null,
      datasets: [],
      reproducibility: [],
      parents: [],
    };
    if (visited.has(key)) return { ...node, truncated: 'cycle' };
    if (depth >= maxDepth) return { ...node, truncated: 'depth' };
    visited.add(key);
    const reproducibility = reproducibilityOf(db, version);
    if (lineage === undefined) {
      node.reproducibility = await reproducibility;
      return node;
    }
    // The queries of one node are independent: on PostgreSQL they run side by side. Parents are
    // then visited in order, so which repeat is marked a cycle does not depend on timing.
    const [attachedRecords, checks, parentsByRun] = await Promise.all([
      reproducibility,
      evidenceRepository.aboutInputs(
        db,
        lineage.datasets.map((d) => d.digest),
      ),
      Promise.all(
        lineage.parentRuns.map(async (runId) => {
          const produced = await versionRepository.findByRun(db, runId);
          const records = await Promise.all(
            produced.map((p) => versionRepository.find(db, p.model, p.version)),
          );
          return { runId, records: records.filter((r): r is VersionRecord => r !== undefined) };
        }),
      ),
    ]);
    node.reproducibility = attachedRecords;
    node.datasets = lineage.datasets.map((d) => ({
      ...d,
      checks: checks.filter((c) => c.digest === d.digest).map(({ digest: _digest, ...check }) => check),
    }));
    for (const { runId, records } of parentsByRun) {
      const versions: LineageNode[] = [];
      for (const record of records) versions.push(await visit(record, depth + 1));
      node.parents.push({ runId, versions });
    }
    return node;
  };
  return visit(root, 0);
}

async function reproducibilityOf(
  db: Kysely<Tables>,
  version: VersionRecord,
): Promise<ReproducibilityRecord[]> {
  const attached = await evidenceRepository.listForVersion(
    db,
    { model: version.model, version: Number(version.version) },
    'reproducibility',
  );
  return Promise.all(
    attached.map(async (evidence) => {
      const text = await evidenceRepository.document(db, evidence.id);
      return reproducibilityRecord(
        { id: evidence.id, producedAt: evidence.producedAt, passed: evidence.passed },
        text === undefined ? {} : JSON.parse(text),
      );
    }),
  );
}

/**
 * The walk's summary of one document. The store checked the envelope on submit, not the sections
 * of its kind, so a section that is missing or of another shape is shown as unknown (null).
 */
function reproducibilityRecord(
  summary: { id: string; producedAt: string; passed: boolean },
  document: unknown,
): ReproducibilityRecord {
  const section = (value: unknown, name: string): Record<string, unknown> => {
    const inner =
      value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
    return inner !== null && typeof inner === 'object' ? (inner as Record<string, unknown>) : {};
  };
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  const flag = (value: unknown) => (typeof value === 'boolean' ? value : null);
  const source = section(document, 'source');
  const verification = section(document, 'verification');
  const verified = Object.keys(verification).length > 0;
  return {
    ...summary,
    role: verified ? 'verification' : 'capture',
    runId: text(section(document, 'run')['runId']),
    commit: text(source['commit']),
    dirty: flag(source['dirty']),
    reproducible: verified ? flag(verification['reproducible']) : null,
    capture: verified ? text(verification['capture']) : null,
  };
}
