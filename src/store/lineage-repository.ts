import type { Kysely } from 'kysely';
import { readJson, writeJson } from './json-columns.js';
import type { LineageDatasetRow, Tables } from './schema.js';

export type LineageDataset = Pick<LineageDatasetRow, 'name' | 'uri' | 'digest'>;

export interface LineageRecord {
  model: string;
  version: string;
  runId: string | null;
  sourceCommit: string | null;
  datasets: LineageDataset[];
  environment: { lockfiles: Record<string, string>; image: string | null };
  parameters: Record<string, unknown>;
  parentRuns: string[];
  recordedAt: string;
  recordedBy: string;
}

export type NewLineage = Omit<LineageRecord, 'model' | 'version' | 'recordedAt' | 'recordedBy'>;

/** What produced a version: commit, datasets by digest, environment, parameters, parent runs. */
export const lineageRepository = {
  /** Records lineage once per version; false when the version has lineage already. */
  async insert(
    db: Kysely<Tables>,
    target: { model: string; version: number },
    lineage: NewLineage,
    actor: string,
    at: string,
  ): Promise<boolean> {
    const result = await db
      .insertInto('lineage')
      .values({
        model_name: target.model,
        version: target.version,
        run_id: lineage.runId,
        source_commit: lineage.sourceCommit,
        environment: writeJson(lineage.environment),
        parameters: writeJson(lineage.parameters),
        parent_runs: writeJson(lineage.parentRuns),
        recorded_at: at,
        recorded_by: actor,
      })
      .onConflict((oc) => oc.columns(['model_name', 'version']).doNothing())
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0) !== 1) return false;
    if (lineage.datasets.length > 0) {
      await db
        .insertInto('lineage_datasets')
        .values(
          lineage.datasets.map((d, position) => ({
            model_name: target.model,
            version: target.version,
            position,
            name: d.name,
            uri: d.uri,
            digest: d.digest,
          })),
        )
        .execute();
    }
    return true;
  },

  async find(
    db: Kysely<Tables>,
    target: { model: string; version: number },
  ): Promise<LineageRecord | undefined> {
    const [row, datasets] = await Promise.all([
      db
        .selectFrom('lineage')
        .selectAll()
        .where('model_name', '=', target.model)
        .where('version', '=', target.version)
        .executeTakeFirst(),
      db
        .selectFrom('lineage_datasets')
        .select(['name', 'uri', 'digest'])
        .where('model_name', '=', target.model)
        .where('version', '=', target.version)
        .orderBy('position')
        .execute(),
    ]);
    if (row === undefined) return undefined;
    return {
      model: row.model_name,
      version: String(row.version),
      runId: row.run_id,
      sourceCommit: row.source_commit,
      datasets,
      environment: readJson(row.environment, { lockfiles: {}, image: null }),
      parameters: readJson(row.parameters, {}),
      parentRuns: readJson(row.parent_runs, []),
      recordedAt: row.recorded_at,
      recordedBy: row.recorded_by,
    };
  },
};
