import type { Kysely } from 'kysely';
import type { PromotionRow, Tables } from './schema.js';

/** A promotion request as first stored: not reviewed yet. */
export type NewPromotionRow = Omit<PromotionRow, 'reviewed_at' | 'reviewed_by' | 'review_comment'>;

/** How a reviewer settled a pending promotion, and on which decision. */
export type PromotionReview = Pick<
  PromotionRow,
  'status' | 'decision_id' | 'reviewed_at' | 'reviewed_by' | 'review_comment'
>;

export interface PromotionFilter {
  model?: string;
  status?: string;
  limit: number;
}

/** Requests to move an alias, with the decision behind each. `db` may be a transaction. */
export const promotionRepository = {
  async insert(db: Kysely<Tables>, promotion: NewPromotionRow): Promise<void> {
    await db
      .insertInto('promotions')
      .values({ ...promotion, reviewed_at: null, reviewed_by: null, review_comment: null })
      .execute();
  },

  async find(db: Kysely<Tables>, id: string): Promise<PromotionRow | undefined> {
    return db.selectFrom('promotions').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** Newest request first. */
  async list(db: Kysely<Tables>, filter: PromotionFilter): Promise<PromotionRow[]> {
    let query = db
      .selectFrom('promotions')
      .selectAll()
      .orderBy('requested_at', 'desc')
      .orderBy('id')
      .limit(filter.limit);
    if (filter.model !== undefined) query = query.where('model_name', '=', filter.model);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    return query.execute();
  },

  async recordReview(db: Kysely<Tables>, id: string, review: PromotionReview): Promise<void> {
    await db.updateTable('promotions').set(review).where('id', '=', id).execute();
  },
};
