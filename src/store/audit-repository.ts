import type { Kysely } from 'kysely';
import type { AuditRow, CheckpointRow, Tables } from './schema.js';

/** The audit log's rows as stored; the hash chain itself is computed by the audit module. */
export const auditRepository = {
  async head(db: Kysely<Tables>): Promise<Pick<AuditRow, 'seq' | 'hash'> | undefined> {
    return db
      .selectFrom('audit_log')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
  },

  async insert(db: Kysely<Tables>, row: AuditRow): Promise<void> {
    await db.insertInto('audit_log').values(row).execute();
  },

  /** Entries after `afterSeq` in order, at most `limit`: the verifier and export page with this. */
  async page(db: Kysely<Tables>, afterSeq: number, limit: number): Promise<AuditRow[]> {
    return db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
  },

  async entry(db: Kysely<Tables>, seq: number): Promise<AuditRow | undefined> {
    return db.selectFrom('audit_log').selectAll().where('seq', '=', seq).executeTakeFirst();
  },

  async checkpoints(db: Kysely<Tables>): Promise<CheckpointRow[]> {
    return db.selectFrom('audit_checkpoints').selectAll().orderBy('seq').execute();
  },

  async lastCheckpoint(db: Kysely<Tables>): Promise<CheckpointRow | undefined> {
    return db.selectFrom('audit_checkpoints').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst();
  },

  /** Another replica may have signed the same head first; then this one adds nothing. */
  async insertCheckpoint(db: Kysely<Tables>, row: CheckpointRow): Promise<boolean> {
    const result = await db
      .insertInto('audit_checkpoints')
      .values(row)
      .onConflict((oc) => oc.column('seq').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  },
};
