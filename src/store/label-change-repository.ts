import type { Kysely } from 'kysely';
import type { LabelChangeRow, Tables } from './schema.js';

/** A label-change request as first stored: not reviewed yet. */
export type NewLabelChangeRow = Omit<LabelChangeRow, 'reviewed_at' | 'reviewed_by' | 'review_comment'>;

/** How a reviewer settled a pending label change. */
export type LabelChangeReview = Pick<
  LabelChangeRow,
  'status' | 'reviewed_at' | 'reviewed_by' | 'review_comment'
>;

export interface LabelChangeFilter {
  model?: string | undefined;
  status?: string | undefined;
  limit: number;
}

/** Requests to change a model's protected labels or team. `db` may be a transaction. */
export const labelChangeRepository = {
  async insert(db: Kysely<Tables>, request: NewLabelChangeRow): Promise<void> {
    await db
      .insertInto('label_changes')
      .values({ ...request, reviewed_at: null, reviewed_by: null, review_comment: null })
      .execute();
  },

  async find(db: Kysely<Tables>, id: string): Promise<LabelChangeRow | undefined> {
    return db.selectFrom('label_changes').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** Newest request first. */
  async list(db: Kysely<Tables>, filter: LabelChangeFilter): Promise<LabelChangeRow[]> {
    let query = db
      .selectFrom('label_changes')
      .selectAll()
      .orderBy('requested_at', 'desc')
      .orderBy('id')
      .limit(filter.limit);
    if (filter.model !== undefined) query = query.where('model_name', '=', filter.model);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    return query.execute();
  },

  /**
   * Settles a request that is still pending; false when another reviewer settled it first, so
   * two approvers racing cannot both apply it.
   */
  async recordReview(db: Kysely<Tables>, id: string, review: LabelChangeReview): Promise<boolean> {
    const result = await db
      .updateTable('label_changes')
      .set(review)
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },
};
