import type { Kysely } from 'kysely';
import type { EvidenceRow, Tables, VersionEvidenceRow } from './schema.js';

/** An evidence document as the registry keeps it: whole, canonical, addressed by its digest. */
export interface StoredEvidence {
  id: string;
  kind: string;
  subject: { type: string; name: string; version?: string };
  producedAt: string;
  passed: boolean;
  /** The canonical JSON text whose SHA-256 digest is `id`. */
  document: string;
  inputDigests: string[];
  /** The verified signer, and the envelope as received; absent when unsigned. */
  signature?: { signer: string; keyId: string; envelope: string };
}

export interface AttachedEvidence {
  id: string;
  kind: string;
  subject: { type: string; name: string; version?: string };
  producedAt: string;
  passed: boolean;
  bytes: number;
  attachedAt: string;
  attachedBy: string;
  /** The registered key that signed it, verified on submit; null when unsigned. */
  signer: { name: string; keyId: string } | null;
}

const summaryColumns = [
  'evidence.id',
  'evidence.kind',
  'evidence.subject_type',
  'evidence.subject_name',
  'evidence.subject_version',
  'evidence.produced_at',
  'evidence.passed',
  'evidence.bytes',
  'evidence.signer',
  'evidence.signer_key_id',
  'version_evidence.attached_at',
  'version_evidence.attached_by',
] as const;

type SummaryRow = Pick<
  EvidenceRow,
  | 'id'
  | 'kind'
  | 'subject_type'
  | 'subject_name'
  | 'subject_version'
  | 'produced_at'
  | 'passed'
  | 'bytes'
  | 'signer'
  | 'signer_key_id'
> &
  Pick<VersionEvidenceRow, 'attached_at' | 'attached_by'>;

function toAttached(row: SummaryRow): AttachedEvidence {
  return {
    id: row.id,
    kind: row.kind,
    subject: {
      type: row.subject_type,
      name: row.subject_name,
      ...(row.subject_version === null ? {} : { version: row.subject_version }),
    },
    producedAt: row.produced_at,
    passed: Number(row.passed) === 1,
    bytes: Number(row.bytes),
    attachedAt: row.attached_at,
    attachedBy: row.attached_by,
    signer:
      row.signer === null || row.signer_key_id === null
        ? null
        : { name: row.signer, keyId: row.signer_key_id },
  };
}

/** Evidence documents (content-addressed, stored once) and their attachment to versions. */
export const evidenceRepository = {
  /**
   * Stores the document unless a document with the same id is already there; true when new. A
   * signed copy of a document stored unsigned adds its signature to it.
   */
  async store(db: Kysely<Tables>, evidence: StoredEvidence, at: string): Promise<boolean> {
    const result = await db
      .insertInto('evidence')
      .values({
        id: evidence.id,
        kind: evidence.kind,
        subject_type: evidence.subject.type,
        subject_name: evidence.subject.name,
        subject_version: evidence.subject.version ?? null,
        produced_at: evidence.producedAt,
        passed: evidence.passed ? 1 : 0,
        document: evidence.document,
        bytes: Buffer.byteLength(evidence.document),
        stored_at: at,
        signer: evidence.signature?.signer ?? null,
        signer_key_id: evidence.signature?.keyId ?? null,
        envelope: evidence.signature?.envelope ?? null,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    const inserted = Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    if (!inserted && evidence.signature !== undefined) {
      await db
        .updateTable('evidence')
        .set({
          signer: evidence.signature.signer,
          signer_key_id: evidence.signature.keyId,
          envelope: evidence.signature.envelope,
        })
        .where('id', '=', evidence.id)
        .where('signer', 'is', null)
        .execute();
    }
    if (inserted && evidence.inputDigests.length > 0) {
      const digests = [...new Set(evidence.inputDigests)];
      await db
        .insertInto('evidence_inputs')
        .values(digests.map((digest) => ({ evidence_id: evidence.id, digest })))
        .onConflict((oc) => oc.columns(['evidence_id', 'digest']).doNothing())
        .execute();
    }
    return inserted;
  },

  /** Attaches stored evidence to a version; false when it was attached already. */
  async attach(
    db: Kysely<Tables>,
    target: { model: string; version: number },
    evidence: { id: string; kind: string; producedAt: string },
    actor: string,
    at: string,
  ): Promise<boolean> {
    const result = await db
      .insertInto('version_evidence')
      .values({
        model_name: target.model,
        version: target.version,
        evidence_id: evidence.id,
        kind: evidence.kind,
        produced_at: evidence.producedAt,
        attached_at: at,
        attached_by: actor,
      })
      .onConflict((oc) => oc.columns(['model_name', 'version', 'evidence_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  },

  /** The evidence attached to a version, newest first, optionally of one kind. */
  async listForVersion(
    db: Kysely<Tables>,
    target: { model: string; version: number },
    kind?: string,
  ): Promise<AttachedEvidence[]> {
    let query = db
      .selectFrom('version_evidence')
      .innerJoin('evidence', 'evidence.id', 'version_evidence.evidence_id')
      .select(summaryColumns)
      .where('version_evidence.model_name', '=', target.model)
      .where('version_evidence.version', '=', target.version)
      .orderBy('version_evidence.produced_at', 'desc')
      .orderBy('evidence.id');
    if (kind !== undefined) query = query.where('version_evidence.kind', '=', kind);
    return (await query.execute()).map(toAttached);
  },

  /** The version's evidence of one kind produced at or after `since` (ISO-8601), newest first. */
  async listForVersionSince(
    db: Kysely<Tables>,
    target: { model: string; version: number },
    kind: string,
    since: string,
  ): Promise<AttachedEvidence[]> {
    const rows = await db
      .selectFrom('version_evidence')
      .innerJoin('evidence', 'evidence.id', 'version_evidence.evidence_id')
      .select(summaryColumns)
      .where('version_evidence.model_name', '=', target.model)
      .where('version_evidence.version', '=', target.version)
      .where('version_evidence.kind', '=', kind)
      .where('version_evidence.produced_at', '>=', since)
      .orderBy('version_evidence.produced_at', 'desc')
      .orderBy('evidence.id')
      .execute();
    return rows.map(toAttached);
  },

  /** The newest evidence of each kind attached to a version (what a gate reads). */
  async latestPerKind(
    db: Kysely<Tables>,
    target: { model: string; version: number },
  ): Promise<AttachedEvidence[]> {
    const all = await evidenceRepository.listForVersion(db, target);
    const latest = new Map<string, AttachedEvidence>();
    for (const item of all) if (!latest.has(item.kind)) latest.set(item.kind, item);
    return [...latest.values()].sort((a, b) => a.kind.localeCompare(b.kind));
  },

  async document(db: Kysely<Tables>, id: string): Promise<string | undefined> {
    const row = await db.selectFrom('evidence').select('document').where('id', '=', id).executeTakeFirst();
    return row?.document;
  },

  /** The DSSE envelope a document was submitted in, for anyone to verify again; undefined when unsigned. */
  async envelope(db: Kysely<Tables>, id: string): Promise<string | null | undefined> {
    const row = await db.selectFrom('evidence').select('envelope').where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : row.envelope;
  },

  /** Evidence about files with one of these digests (data checks of a training set, say). */
  async aboutInputs(
    db: Kysely<Tables>,
    digests: string[],
  ): Promise<{ digest: string; id: string; kind: string; passed: boolean; producedAt: string }[]> {
    if (digests.length === 0) return [];
    const rows = await db
      .selectFrom('evidence_inputs')
      .innerJoin('evidence', 'evidence.id', 'evidence_inputs.evidence_id')
      .select([
        'evidence_inputs.digest',
        'evidence.id',
        'evidence.kind',
        'evidence.passed',
        'evidence.produced_at',
      ])
      .where('evidence_inputs.digest', 'in', digests)
      .orderBy('evidence.produced_at', 'desc')
      .execute();
    return rows.map((r) => ({
      digest: r.digest,
      id: r.id,
      kind: r.kind,
      passed: Number(r.passed) === 1,
      producedAt: r.produced_at,
    }));
  },
};
