import type { Kysely } from 'kysely';
import { readJson, writeJson } from './json-columns.js';
import type { Tables } from './schema.js';

/** The monitors declared for each model (what policies read as `monitors`). `db` may be a transaction. */
export const monitorRepository = {
  /** Replaces the model's declared monitors. */
  async set(
    db: Kysely<Tables>,
    model: string,
    monitors: unknown[],
    actor: string,
    at: string,
  ): Promise<void> {
    const stored = { monitors: writeJson(monitors), set_at: at, set_by: actor };
    await db
      .insertInto('model_monitors')
      .values({ model_name: model, ...stored })
      .onConflict((oc) => oc.column('model_name').doUpdateSet(stored))
      .execute();
  },

  /** The model's declared monitors; empty when none were declared. */
  async listForModel(db: Kysely<Tables>, model: string): Promise<unknown[]> {
    const row = await db
      .selectFrom('model_monitors')
      .select('monitors')
      .where('model_name', '=', model)
      .executeTakeFirst();
    return row === undefined ? [] : readJson<unknown[]>(row.monitors, []);
  },
};

/** The service-level objectives declared for each model (docs/slo.md). `db` may be a transaction. */
export const sloRepository = {
  async set(db: Kysely<Tables>, model: string, slos: unknown[], actor: string, at: string): Promise<void> {
    const stored = { slos: writeJson(slos), set_at: at, set_by: actor };
    await db
      .insertInto('model_slos')
      .values({ model_name: model, ...stored })
      .onConflict((oc) => oc.column('model_name').doUpdateSet(stored))
      .execute();
  },

  async listForModel(db: Kysely<Tables>, model: string): Promise<unknown[]> {
    const row = await db
      .selectFrom('model_slos')
      .select('slos')
      .where('model_name', '=', model)
      .executeTakeFirst();
    return row === undefined ? [] : readJson<unknown[]>(row.slos, []);
  },
};
