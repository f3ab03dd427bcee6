import type { DatasetSource } from './dataset-source.js';
import { contentDigest, type Digest } from './digest.js';
import { producer } from './producer.js';

export const evidenceKinds = [
  'data-check',
  'model-evaluation',
  'drift-report',
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

/** The envelope every evidence document shares (DESIGN.md, "Shapes that everything shares"). */
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
