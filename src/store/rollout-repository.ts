import type { Kysely } from 'kysely';
import type { RollbackRow, RolloutRow, Tables } from './schema.js';

/** Rollouts still moving traffic: a paused one keeps its weights. */
export const liveRolloutStatuses = ['running', 'paused', 'awaiting-approval'] as const;

/** Canary rollouts and rollbacks of served aliases. `db` may be a transaction. */
export const rolloutRepository = {
  async insert(db: Kysely<Tables>, row: RolloutRow): Promise<void> {
    await db.insertInto('rollouts').values(row).execute();
  },

  async update(db: Kysely<Tables>, id: string, changes: Partial<Omit<RolloutRow, 'id'>>): Promise<void> {
    await db.updateTable('rollouts').set(changes).where('id', '=', id).execute();
  },

  async find(db: Kysely<Tables>, id: string): Promise<RolloutRow | undefined> {
    return db.selectFrom('rollouts').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** The model's rollout that still moves traffic, if any (there is at most one). */
  async live(db: Kysely<Tables>, model: string): Promise<RolloutRow | undefined> {
    return db
      .selectFrom('rollouts')
      .selectAll()
      .where('model_name', '=', model)
      .where('status', 'in', liveRolloutStatuses)
      .executeTakeFirst();
  },

  /** The model's newest rollout, live or finished. */
  async latest(db: Kysely<Tables>, model: string): Promise<RolloutRow | undefined> {
    return db
      .selectFrom('rollouts')
      .selectAll()
      .where('model_name', '=', model)
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
  },

  /** Every rollout still moving traffic, by model. */
  async listLive(db: Kysely<Tables>): Promise<RolloutRow[]> {
    return db
      .selectFrom('rollouts')
      .selectAll()
      .where('status', 'in', liveRolloutStatuses)
      .orderBy('model_name')
      .execute();
  },

  /** Rollouts, newest first; only live ones unless `all`. */
  async list(db: Kysely<Tables>, options: { all: boolean; limit: number }): Promise<RolloutRow[]> {
    let query = db.selectFrom('rollouts').selectAll();
    if (!options.all) query = query.where('status', 'in', liveRolloutStatuses);
    return query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
  },

  /** Running rollouts whose next check is due at `now` (ISO-8601). */
  async due(db: Kysely<Tables>, now: string): Promise<RolloutRow[]> {
    return db
      .selectFrom('rollouts')
      .selectAll()
      .where('status', 'in', ['running', 'awaiting-approval'])
      .where('next_check_at', '<=', now)
      .execute();
  },

  async insertRollback(db: Kysely<Tables>, row: RollbackRow): Promise<void> {
    await db.insertInto('rollbacks').values(row).execute();
  },

  /** The model's rollbacks, newest first. */
  async rollbacks(db: Kysely<Tables>, model: string, limit = 20): Promise<RollbackRow[]> {
    return db
      .selectFrom('rollbacks')
      .selectAll()
      .where('model_name', '=', model)
      .orderBy('rolled_back_at', 'desc')
      .limit(limit)
      .execute();
  },
};
