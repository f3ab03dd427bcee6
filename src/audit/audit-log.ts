import type { Transaction } from 'kysely';
import { canonicalJson, type Digest } from '../core/index.js';
import {
  type AuditFilter,
  auditRepository,
  type CheckpointRow,
  type Store,
  type Tables,
} from '../store/index.js';
import {
  type AuditEntry,
  type AuditRecord,
  canonicalEntryText,
  chainHash,
  entryFromRow,
  genesisHash,
} from './chain.js';
import type { ServerKey } from './signing-key.js';

/** A signed statement that the log held `seq` entries ending in `hash`. */
export interface Checkpoint {
  seq: number;
  hash: Digest;
  at: string;
  keyId: string;
  signature: string;
}

/** What a checkpoint's signature covers: the canonical JSON of these four members. */
export function checkpointStatement(checkpoint: Omit<Checkpoint, 'signature'>): string {
  return canonicalJson({
    seq: checkpoint.seq,
    hash: checkpoint.hash,
    at: checkpoint.at,
    keyId: checkpoint.keyId,
  });
}

export function checkpointFromRow(row: CheckpointRow): Checkpoint {
  return { seq: row.seq, hash: row.hash as Digest, at: row.at, keyId: row.key_id, signature: row.signature };
}

/**
 * The append-only, hash-chained audit log. Appends happen inside the caller's transaction, so a
 * state change and its entry commit together or not at all; the store's exclusive lock makes
 * appenders on several replicas take turns, so the chain never forks.
 */
export class AuditLog {
  constructor(
    private readonly store: Store,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Appends inside `trx`; call it last in the transaction, since it holds the log's lock until commit. */
  async append(trx: Transaction<Tables>, record: AuditRecord): Promise<AuditEntry> {
    await this.store.exclusive(trx, 'audit-log');
    const head = await auditRepository.head(trx);
    const seq = (head?.seq ?? 0) + 1;
    const prevHash = (head?.hash ?? genesisHash) as Digest;
    const at = this.clock().toISOString();
    const subjectText = canonicalJson(record.subject);
    const payloadText = canonicalJson(record.payload);
    const hash = chainHash(
      prevHash,
      canonicalEntryText({ seq, at, actor: record.actor, action: record.action, subjectText, payloadText }),
    );
    await auditRepository.insert(trx, {
      seq,
      at,
      actor: record.actor,
      action: record.action,
      subject: subjectText,
      payload: payloadText,
      prev_hash: prevHash,
      hash,
    });
    return { seq, at, ...record, prevHash, hash };
  }

  /** Appends in a transaction of its own. */
  async record(record: AuditRecord): Promise<AuditEntry> {
    return this.store.transaction((trx) => this.append(trx, record));
  }

  async page(afterSeq: number, limit: number): Promise<AuditEntry[]> {
    return (await auditRepository.page(this.store.db, afterSeq, limit)).map(entryFromRow);
  }

  /** Entries matching `filter`: oldest first after `after`, or newest first before `before`. */
  async search(
    filter: AuditFilter,
    page: Parameters<typeof auditRepository.search>[2],
  ): Promise<AuditEntry[]> {
    return (await auditRepository.search(this.store.db, filter, page)).map(entryFromRow);
  }

  async checkpoints(): Promise<Checkpoint[]> {
    return (await auditRepository.checkpoints(this.store.db)).map(checkpointFromRow);
  }

  /**
   * Signs the current head unless a checkpoint already covers it. Returns the new checkpoint, or
   * undefined when there was nothing new to sign.
   */
  async checkpoint(key: ServerKey): Promise<Checkpoint | undefined> {
    const db = this.store.db;
    const [head, last] = await Promise.all([auditRepository.head(db), auditRepository.lastCheckpoint(db)]);
    if (head === undefined || (last !== undefined && last.seq >= head.seq)) return undefined;
    const unsigned = {
      seq: head.seq,
      hash: head.hash as Digest,
      at: this.clock().toISOString(),
      keyId: key.keyId,
    };
    const checkpoint = { ...unsigned, signature: key.sign(checkpointStatement(unsigned)) };
    const inserted = await auditRepository.insertCheckpoint(db, {
      seq: checkpoint.seq,
      hash: checkpoint.hash,
      at: checkpoint.at,
      key_id: checkpoint.keyId,
      signature: checkpoint.signature,
    });
    return inserted ? checkpoint : undefined;
  }
}
