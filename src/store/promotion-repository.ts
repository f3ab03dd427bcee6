import type { Kysely } from 'kysely';
import { type RequestFilter, requestQueries } from './request-queries.js';
import type { PromotionRow, Tables } from './schema.js';

/** A promotion request as first stored: not reviewed yet. */
export type NewPromotionRow = Omit<PromotionRow, 'reviewed_at' | 'reviewed_by' | 'review_comment'>;

/** How a reviewer settled a pending promotion, and on which decision. */
export type PromotionReview = Pick<
  PromotionRow,
  'status' | 'decision_id' | 'reviewed_at' | 'reviewed_by' | 'review_comment'
>;

export type PromotionFilter = RequestFilter;

/** Requests to move an alias, with the decision behind each. `db` may be a transaction. */
export const promotionRepository = {
  ...requestQueries('promotions'),

  /** The aliases a version waits to be promoted to (pending requests). */
  async pendingAliases(db: Kysely<Tables>, model: string, version: number): Promise<string[]> {
    const rows = await db
      .selectFrom('promotions')
      .select('alias')
      .where('model_name', '=', model)
      .where('version', '=', version)
      .where('status', '=', 'pending')
      .orderBy('alias')
      .execute();
    return rows.map((row) => row.alias);
  },

  async recordReview(db: Kysely<Tables>, id: string, review: PromotionReview): Promise<void> {
    await db.updateTable('promotions').set(review).where('id', '=', id).execute();
  },
};
