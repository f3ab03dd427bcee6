import {
  didYouMean,
  type EvidenceKind,
  evidenceKinds,
  type Subject,
  verifyEvidenceId,
  WardenError,
} from '../core/index.js';

/** What a policy knows about the thing at the gate. */
export interface GateSubject {
  type: Subject['type'];
  name: string;
  version?: string;
  labels: Record<string, string>;
  owner?: string;
  tags: string[];
}

/**
 * One declared property of a data contract, as a policy sees it. Every field is present (null when
 * the contract leaves it out), so `p.classification == 'pii'` needs no has() guard.
 */
export interface ContractProperty {
  table: string;
  name: string;
  logicalType: string | null;
  classification: string | null;
  tags: string[];
  required: boolean;
  criticalDataElement: boolean;
  description: string | null;
}

/** The data contract behind the subject, reduced to what policies reason about. */
export interface ContractView {
  id: string;
  version: string;
  name?: string;
  uri?: string;
  digest?: string;
  properties: ContractProperty[];
}

/** A waiver that turns a matching failed validation into `waived` until it expires. */
export interface Waiver {
  id: string;
  policy: string;
  /** Every validation of the policy when absent. */
  validation?: string;
  expiresAt: string;
}

/**
 * The document every CEL expression reads (docs/policies.md, "The gate input"). Evidence is keyed
 * by kind in camelCase (`evidence.modelEvaluation`), the latest of each kind.
 */
export interface GateInput {
  gate: string;
  subject: GateSubject;
  evidence: Record<string, object>;
  /** An empty object when no contract was given: test with has(contract.id). */
  contract: ContractView | Record<string, never>;
  monitors: unknown[];
  /** ISO-8601 UTC; the only clock a policy can read. */
  now: string;
  waivers: Waiver[];
}

/** `model-evaluation` → `modelEvaluation`. */
export function evidenceKey(kind: string): string {
  return kind.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

export const evidenceKeys: readonly string[] = evidenceKinds.map(evidenceKey);

/** The envelope fields a gate relies on; any evidence document has them. */
export interface EvidenceDocument {
  kind: EvidenceKind;
  id: string;
  producedAt: string;
  subject: Subject;
}

/**
 * Checks that a parsed file is a Warden evidence document: the envelope, a kind Warden knows, and
 * an id that still matches the content (so an edited file is refused, not trusted).
 */
export function checkEvidenceDocument(value: unknown, source: string): EvidenceDocument {
  const fail = (problem: string) =>
    new WardenError('WARDEN_ERR_GATE_INVALID_EVIDENCE', `${source}: ${problem}`, { where: source });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw fail(
      'is not a Warden evidence document (expected a JSON object with kind, id and producedAt); pass the file a check wrote with --json',
    );
  }
  const document = value as Record<string, unknown>;
  const kind = document['kind'];
  if (typeof kind !== 'string') {
    throw fail(
      'has no "kind"; pass the file a check wrote with --json (a decision or report is not evidence)',
    );
  }
  if (!(evidenceKinds as readonly string[]).includes(kind)) {
    throw fail(
      `evidence of kind "${kind}" is not one Warden knows${didYouMean(kind, evidenceKinds)}; the kinds are ${evidenceKinds.join(', ')}`,
    );
  }
  if (
    typeof document['id'] !== 'string' ||
    typeof document['producedAt'] !== 'string' ||
    typeof (document['subject'] as { name?: unknown } | undefined)?.name !== 'string'
  ) {
    throw fail(
      `is a ${kind} document without its envelope (id, producedAt, subject); pass the file the check wrote, unchanged`,
    );
  }
  if (!verifyEvidenceId(document as { id: string })) {
    throw fail(
      `its content no longer matches its id ${String(document['id']).slice(0, 19)}…: the file was changed after the check sealed it. Run the check again instead of editing its evidence`,
    );
  }
  return document as unknown as EvidenceDocument;
}

/**
 * Keeps the latest evidence of each kind (by producedAt; the later file wins a tie) and keys it by
 * kind in camelCase. Returns the ids of the documents kept, for the decision.
 */
export function latestEvidenceByKind<T extends EvidenceDocument>(
  documents: readonly T[],
): {
  evidence: GateInput['evidence'];
  ids: string[];
} {
  const latest = new Map<string, T>();
  for (const document of documents) {
    const current = latest.get(document.kind);
    if (!current || Date.parse(document.producedAt) >= Date.parse(current.producedAt)) {
      latest.set(document.kind, document);
    }
  }
  const evidence: GateInput['evidence'] = {};
  for (const [kind, document] of latest) evidence[evidenceKey(kind)] = document;
  return { evidence, ids: [...latest.values()].map((document) => document.id) };
}
