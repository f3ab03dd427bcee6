import { createHash } from 'node:crypto';
import { canonicalJson, type Digest } from '../core/index.js';
import type { AuditRow } from '../store/index.js';

/** What an audit entry records: who did what to which subject, and the details. */
export interface AuditRecord {
  actor: string;
  action: string;
  subject: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/** One entry as the API and the export show it. */
export interface AuditEntry extends AuditRecord {
  seq: number;
  at: string;
  prevHash: Digest;
  hash: Digest;
}

/** The prevHash of entry 1. */
export const genesisHash: Digest = `sha256:${'0'.repeat(64)}`;

/** An entry's hashed content, subject and payload as their stored canonical JSON text. */
export interface EntryContentText {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subjectText: string;
  payloadText: string;
}

/**
 * The canonical JSON (RFC 8785) of an entry without its hashes, written directly from the stored
 * text: subject and payload are stored as canonical JSON already, and the other members are a
 * string or an integer, so the keys are emitted in their sorted order
 * (action, actor, at, payload, seq, subject). Equal to canonicalJson of the parsed entry.
 */
export function canonicalEntryText(entry: EntryContentText): string {
  return `{"action":${JSON.stringify(entry.action)},"actor":${JSON.stringify(entry.actor)},"at":${JSON.stringify(entry.at)},"payload":${entry.payloadText},"seq":${entry.seq},"subject":${entry.subjectText}}`;
}

/** hash = sha256(prevHash ‖ canonical JSON of the entry), prevHash as its `sha256:…` text. */
export function chainHash(prevHash: string, canonicalEntry: string): Digest {
  return `sha256:${createHash('sha256').update(prevHash).update(canonicalEntry).digest('hex')}`;
}

export function entryFromRow(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    subject: JSON.parse(row.subject) as Record<string, unknown>,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    prevHash: row.prev_hash as Digest,
    hash: row.hash as Digest,
  };
}

/** The stored texts of an entry that came back through the API (parsed JSON). */
export function entryTexts(entry: AuditEntry): { subjectText: string; payloadText: string } {
  return { subjectText: canonicalJson(entry.subject), payloadText: canonicalJson(entry.payload) };
}
