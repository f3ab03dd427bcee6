import type { Kysely } from 'kysely';
import type { PolicySetRow, Tables } from './schema.js';

/** Applied policy sets, numbered; the highest version is the active one. `db` may be a transaction. */
export const policySetRepository = {
  /** The highest version applied so far; undefined before the first. */
  async latestVersion(db: Kysely<Tables>): Promise<number | undefined> {
    const row = await db
      .selectFrom('policy_sets')
      .select('version')
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : Number(row.version);
  },

  async insert(db: Kysely<Tables>, row: PolicySetRow): Promise<void> {
    await db.insertInto('policy_sets').values(row).execute();
  },

  async find(db: Kysely<Tables>, version: number): Promise<PolicySetRow | undefined> {
    return db.selectFrom('policy_sets').selectAll().where('version', '=', version).executeTakeFirst();
  },
};
