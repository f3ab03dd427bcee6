import type { Kysely, Selectable } from 'kysely';
import { readJson, writeJson } from './json-columns.js';
import type { ModelRow, Tables } from './schema.js';

export interface ModelRecord {
  name: string;
  description: string;
  owner: string | null;
  team: string | null;
  labels: Record<string, string>;
  latestVersion: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

export interface NewModel {
  name: string;
  description: string;
  owner: string | null;
  team: string | null;
  labels: Record<string, string>;
}

export interface ModelFilter {
  team?: string;
  labels?: Record<string, string>;
  /** Only names after this one (the page token). */
  after?: string;
  limit: number;
}

function toRecord(row: Selectable<ModelRow>): ModelRecord {
  return {
    name: row.name,
    description: row.description,
    owner: row.owner,
    team: row.team,
    labels: readJson(row.labels, {}),
    latestVersion: Number(row.latest_version),
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

/** Registered models. `db` may be a transaction. */
export const modelRepository = {
  /** Inserts unless the name is taken; returns whether it inserted. */
  async insert(db: Kysely<Tables>, model: NewModel, actor: string, at: string): Promise<boolean> {
    const result = await db
      .insertInto('models')
      .values({
        name: model.name,
        description: model.description,
        owner: model.owner,
        team: model.team,
        labels: writeJson(model.labels),
        created_at: at,
        created_by: actor,
        updated_at: at,
        updated_by: actor,
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  },

  async find(db: Kysely<Tables>, name: string): Promise<ModelRecord | undefined> {
    const row = await db.selectFrom('models').selectAll().where('name', '=', name).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  },

  /**
   * Models in name order. Label filters are applied after the query (labels are a JSON column),
   * so a page may hold fewer than `limit` matches; the token still moves forward.
   */
  async list(db: Kysely<Tables>, filter: ModelFilter): Promise<{ models: ModelRecord[]; last?: string }> {
    let query = db.selectFrom('models').selectAll().orderBy('name').limit(filter.limit);
    if (filter.team !== undefined) query = query.where('team', '=', filter.team);
    if (filter.after !== undefined) query = query.where('name', '>', filter.after);
    const rows = await query.execute();
    const wanted = Object.entries(filter.labels ?? {});
    const models = rows.map(toRecord).filter((m) => wanted.every(([key, value]) => m.labels[key] === value));
    const lastRow = rows.length === filter.limit ? rows.at(-1) : undefined;
    return lastRow === undefined ? { models } : { models, last: lastRow.name };
  },

  async update(
    db: Kysely<Tables>,
    name: string,
    changes: Partial<Omit<NewModel, 'name'>>,
    actor: string,
    at: string,
  ): Promise<boolean> {
    const result = await db
      .updateTable('models')
      .set({
        ...(changes.description === undefined ? {} : { description: changes.description }),
        ...(changes.owner === undefined ? {} : { owner: changes.owner }),
        ...(changes.team === undefined ? {} : { team: changes.team }),
        ...(changes.labels === undefined ? {} : { labels: writeJson(changes.labels) }),
        updated_at: at,
        updated_by: actor,
      })
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },

  /**
   * Hands out the model's next version number. One UPDATE … RETURNING: the row lock (PostgreSQL)
   * or the single writer (SQLite) makes concurrent registrations get distinct numbers.
   */
  async nextVersion(db: Kysely<Tables>, name: string): Promise<number | undefined> {
    const row = await db
      .updateTable('models')
      .set((eb) => ({ latest_version: eb('latest_version', '+', 1) }))
      .where('name', '=', name)
      .returning('latest_version')
      .executeTakeFirst();
    return row === undefined ? undefined : Number(row.latest_version);
  },
};
