import { type Kysely, sql } from 'kysely';
import type { AuditRow, CheckpointRow, Tables } from './schema.js';

/** Which entries a reader wants: all filters are optional and combine with AND. */
export interface AuditFilter {
  /** The actor, compared case-insensitively (actors are unique whatever their case). */
  actor?: string;
  /** An action (`promotion.approved`), or its family (`promotion` matches `promotion.*`). */
  action?: string;
  /** The subject's name or id (a model, a token id, …). */
  subject?: string;
  /** With `subject`: the model version. */
  version?: string;
}

/** A LIKE pattern matching `text` literally (the store's LIKE uses `\` as its escape). */
const literal = (text: string) => text.replace(/[\\%_]/g, '\\$&');

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

  /**
   * Entries matching `filter`, oldest first after `after`, or newest first before `before`. The
   * subject is matched in its stored canonical JSON (keys sorted, no spaces), so `"name":"x"`
   * matches exactly the subject named x.
   */
  async search(
    db: Kysely<Tables>,
    filter: AuditFilter,
    page: { limit: number; after?: number } | { limit: number; newestFirst: true; before?: number },
  ): Promise<AuditRow[]> {
    let query = db.selectFrom('audit_log').selectAll();
    if (filter.actor !== undefined) query = query.where(sql`lower(actor)`, '=', filter.actor.toLowerCase());
    if (filter.action !== undefined) {
      const action = filter.action;
      query = query.where((eb) =>
        eb.or([
          eb('action', '=', action),
          eb('action', 'like', sql<string>`${`${literal(action)}.%`} escape '\\'`),
        ]),
      );
    }
    for (const [key, value] of [
      ['name', filter.subject],
      ['version', filter.version],
    ] as const) {
      if (value === undefined) continue;
      const member = `%${literal(`${JSON.stringify(key)}:${JSON.stringify(value)}`)}%`;
      const idMember = `%${literal(`"id":${JSON.stringify(value)}`)}%`;
      query = query.where((eb) =>
        key === 'name'
          ? eb.or([
              eb('subject', 'like', sql<string>`${member} escape '\\'`),
              eb('subject', 'like', sql<string>`${idMember} escape '\\'`),
            ])
          : eb('subject', 'like', sql<string>`${member} escape '\\'`),
      );
    }
    if ('newestFirst' in page) {
      if (page.before !== undefined) query = query.where('seq', '<', page.before);
      return query.orderBy('seq', 'desc').limit(page.limit).execute();
    }
    return query
      .where('seq', '>', page.after ?? 0)
      .orderBy('seq')
      .limit(page.limit)
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
