import { canonicalJsonWithout } from './canonical-json.js';
import type { DatasetSource } from './dataset-source.js';
import { contentDigest, type Digest, sha256Digest } from './digest.js';
import { WardenError } from './errors.js';
import { producer } from './producer.js';
import { didYouMean } from './suggest.js';

export const evidenceKinds = [
  'data-check',
  'model-evaluation',
  'drift-report',
  'drift-baseline',
  'reproducibility',
  'monitor-status',
] as const;

export type EvidenceKind = (typeof evidenceKinds)[number];

export type Subject =
  | { type: 'dataset'; name: string }
  | { type: 'model-version'; name: string; version: string }
  | { type: 'deployment'; name: string };

/** One input a check read, identified by content. */
export interface EvidenceInput {
  uri: string;
  digest: Digest;
  bytes: number;
  rows?: number;
  format?: string;
}

/** The input record of a dataset a check read in full. */
export function datasetInput(dataset: DatasetSource, digest: Digest, rows: number): EvidenceInput {
  return { uri: dataset.file, digest, bytes: dataset.bytes, rows, format: dataset.format };
}

/** The envelope every evidence document shares (docs/architecture.md, "Shapes that everything shares"). */
export interface EvidenceEnvelope {
  kind: EvidenceKind;
  schemaVersion: 1;
  id: Digest;
  subject: Subject;
  inputs: EvidenceInput[];
  producedAt: string;
  producer: { name: string; version: string };
  passed: boolean;
}

/**
 * Completes an evidence document: adds the envelope fields and sets `id` to the digest of the
 * canonical JSON of the document without `id`.
 *
 * @example
 * const evidence = sealEvidence({ kind: 'data-check', subject, inputs, passed: true, results: [] });
 */
export function sealEvidence<
  T extends { kind: EvidenceKind; subject: Subject; inputs: EvidenceInput[]; passed: boolean },
>(body: T, producedAt: Date = new Date()): Omit<T, 'id'> & EvidenceEnvelope {
  const { kind, subject, inputs, passed, ...rest } = body;
  const withoutId = {
    kind,
    schemaVersion: 1 as const,
    subject,
    inputs,
    producedAt: producedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    producer: { ...producer },
    passed,
    ...rest,
  };
  const { kind: _kind, schemaVersion, ...afterVersion } = withoutId;
  const id = contentDigest(withoutId);
  return { kind, schemaVersion, id, ...afterVersion } as unknown as Omit<T, 'id'> & EvidenceEnvelope;
}

/** Recomputes an evidence document's id; true when the content still matches it. */
export function verifyEvidenceId<T extends { id: string }>(document: T): boolean {
  const { id, ...withoutId } = document as { id: string } & Record<string, unknown>;
  return contentDigest(withoutId) === id;
}

/**
 * The envelope fields Warden relies on when it reads evidence it did not just produce (a file at a
 * gate, a document submitted to the registry). Every other field is the kind's own.
 */
export interface EvidenceDocument {
  kind: EvidenceKind;
  id: Digest;
  producedAt: string;
  subject: Subject;
  passed: boolean;
}

/** An evidence document that passed `checkEvidence`, with its canonical JSON (whose digest is its id). */
export interface CheckedEvidence {
  evidence: EvidenceDocument;
  canonical: string;
}

/**
 * Checks that a parsed value is a Warden evidence document: a known kind, the envelope, and an id
 * that still matches the content, so an edited document is refused rather than trusted. `source`
 * names where the value came from (a file, or the request body) in the error message.
 */
export function checkEvidenceDocument(value: unknown, source: string): EvidenceDocument {
  return checkEvidence(value, source).evidence;
}

/**
 * `checkEvidenceDocument` that also returns the document's canonical JSON, from the same
 * serialisation that checked its id: what the registry stores, without canonicalising it again.
 */
export function checkEvidence(value: unknown, source: string): CheckedEvidence {
  const fail = (problem: string) =>
    new WardenError('WARDEN_ERR_EVIDENCE_INVALID', `${source}: ${problem}`, { where: source });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw fail(
      'is not a Warden evidence document (expected a JSON object with kind, id and producedAt); use the file a check wrote with --json',
    );
  }
  const document = value as Record<string, unknown>;
  const kind = document['kind'];
  if (typeof kind !== 'string') {
    throw fail(
      'has no "kind"; use the file a check wrote with --json (a decision or report is not evidence)',
    );
  }
  if (!(evidenceKinds as readonly string[]).includes(kind)) {
    throw fail(
      `evidence of kind "${kind}" is not one Warden knows${didYouMean(kind, evidenceKinds)}; the evidence kinds are ${evidenceKinds.join(', ')}`,
    );
  }
  const subject = document['subject'] as { type?: unknown; name?: unknown } | null | undefined;
  const producedAt = document['producedAt'];
  if (
    typeof document['id'] !== 'string' ||
    !/^sha256:[0-9a-f]{64}$/.test(document['id']) ||
    typeof subject !== 'object' ||
    subject === null ||
    typeof subject.type !== 'string' ||
    typeof subject.name !== 'string' ||
    typeof producedAt !== 'string' ||
    Number.isNaN(Date.parse(producedAt)) ||
    typeof document['passed'] !== 'boolean'
  ) {
    throw fail(
      `is a ${kind} document without its envelope (id sha256:<64 hex>, subject {type, name}, producedAt, passed); use the file the check wrote, unchanged`,
    );
  }
  if ('signer' in document) {
    throw fail(
      'carries a "signer" field; who signed evidence comes from its signature (warden check … --sign-key), never from the document',
    );
  }
  const { whole, without } = canonicalJsonWithout(document, 'id');
  if (sha256Digest(without) !== document['id']) {
    throw fail(
      `was changed after it was sealed: its content no longer matches its id ${document['id'].slice(0, 19)}…; use the file the check wrote, unchanged, or run the check again`,
    );
  }
  return { evidence: document as unknown as EvidenceDocument, canonical: whole };
}
