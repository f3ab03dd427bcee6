import type { Kysely } from 'kysely';
import type { DecisionRow, Tables } from './schema.js';

/** Gate decisions, kept whole (the document) and addressed by their id. `db` may be a transaction. */
export const decisionRepository = {
  /** Stores a decision unless one with the same id is stored already. */
  async insert(db: Kysely<Tables>, row: DecisionRow): Promise<void> {
    await db
      .insertInto('decisions')
      .values(row)
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  },

  /** The decision's JSON document as stored. */
  async document(db: Kysely<Tables>, id: string): Promise<string | undefined> {
    const row = await db.selectFrom('decisions').select('document').where('id', '=', id).executeTakeFirst();
    return row?.document;
  },

  /** A version's decisions, newest first (the latest decision of each gate is the one in force). */
  async listForVersion(db: Kysely<Tables>, model: string, version: number, limit: number): Promise<string[]> {
    const rows = await db
      .selectFrom('decisions')
      .select('document')
      .where('model_name', '=', model)
      .where('version', '=', version)
      .orderBy('decided_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((row) => row.document);
  },
};
