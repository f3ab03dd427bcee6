import type { Kysely } from 'kysely';
import type { Tables } from './schema.js';

/** The tables of requests a second person reviews: promotions and label changes. */
type RequestTable = 'promotions' | 'label_changes';

export interface RequestFilter {
  model?: string | undefined;
  status?: string | undefined;
  limit: number;
}

/**
 * The queries every reviewed-request table shares: insert a request not reviewed yet, find one by
 * id, list the newest first. `db` may be a transaction.
 */
export function requestQueries<T extends RequestTable>(table: T) {
  type Row = Tables[T];
  // Kysely cannot type a query over a union of tables; both tables have these columns.
  const name = table as 'promotions';
  return {
    async insert(
      db: Kysely<Tables>,
      request: Omit<Row, 'reviewed_at' | 'reviewed_by' | 'review_comment'>,
    ): Promise<void> {
      await db
        .insertInto(name)
        .values({ ...request, reviewed_at: null, reviewed_by: null, review_comment: null } as never)
        .execute();
    },

    async find(db: Kysely<Tables>, id: string): Promise<Row | undefined> {
      return (await db.selectFrom(name).selectAll().where('id', '=', id).executeTakeFirst()) as
        | Row
        | undefined;
    },

    /** Newest request first. */
    async list(db: Kysely<Tables>, filter: RequestFilter): Promise<Row[]> {
      let query = db
        .selectFrom(name)
        .selectAll()
        .orderBy('requested_at', 'desc')
        .orderBy('id')
        .limit(filter.limit);
      if (filter.model !== undefined) query = query.where('model_name', '=', filter.model);
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      return (await query.execute()) as Row[];
    },
  };
}
