import type { Kysely } from 'kysely';
import { type RequestFilter, requestQueries } from './request-queries.js';
import type { LabelChangeRow, Tables } from './schema.js';

/** A label-change request as first stored: not reviewed yet. */
export type NewLabelChangeRow = Omit<LabelChangeRow, 'reviewed_at' | 'reviewed_by' | 'review_comment'>;

/** How a reviewer settled a pending label change. */
export type LabelChangeReview = Pick<
  LabelChangeRow,
  'status' | 'reviewed_at' | 'reviewed_by' | 'review_comment'
>;

export type LabelChangeFilter = RequestFilter;

/** Requests to change a model's protected labels or team. `db` may be a transaction. */
export const labelChangeRepository = {
  ...requestQueries('label_changes'),

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
