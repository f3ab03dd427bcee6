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
};
