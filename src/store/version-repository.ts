import type { Kysely } from 'kysely';
import type { InferenceProtocol, ServingEndpoint } from '../core/index.js';
import type { Tables, VersionRow } from './schema.js';

export const versionStatuses = ['pending', 'ready', 'failed', 'archived'] as const;
export type VersionStatus = (typeof versionStatuses)[number];

export interface VersionRecord {
  model: string;
  /** Version numbers are integers, written as strings in the API (as in MLflow and evidence). */
  version: string;
  description: string;
  artifact: { uri: string; digest: string | null };
  runId: string | null;
  status: VersionStatus;
  createdAt: string;
  createdBy: string;
  /** The model server serving it, when one is registered (gateways attached to the server route to it). */
  endpoint: ServingEndpoint | null;
  aliases: string[];
  tags: Record<string, string>;
}

export interface NewVersion {
  description: string;
  artifactUri: string;
  artifactDigest: string | null;
  runId: string | null;
  status: VersionStatus;
  endpoint: ServingEndpoint | null;
}

/** Where a gate tag came from: the validation that failed, in which decision. */
export interface GateTagSource {
  policy: string;
  validation: string;
  decisionId: string;
}

export interface GateTag extends GateTagSource {
  key: string;
  value: string;
  setAt: string;
  setBy: string;
}

export interface AliasRecord {
  alias: string;
  version: string;
  setAt: string;
  setBy: string;
}

function toRecord(row: VersionRow, aliases: string[], tags: Record<string, string>): VersionRecord {
  return {
    model: row.model_name,
    version: String(row.version),
    description: row.description,
    artifact: { uri: row.artifact_uri, digest: row.artifact_digest },
    runId: row.run_id,
    status: row.status as VersionStatus,
    createdAt: row.created_at,
    createdBy: row.created_by,
    endpoint:
      row.endpoint_url === null
        ? null
        : { url: row.endpoint_url, protocol: (row.endpoint_protocol ?? 'v2') as InferenceProtocol },
    aliases,
    tags,
  };
}

/** Versions with their aliases and tags, read in three queries however many versions. */
async function withLabels(db: Kysely<Tables>, model: string, rows: VersionRow[]): Promise<VersionRecord[]> {
  if (rows.length === 0) return [];
  const numbers = rows.map((r) => r.version);
  const [aliases, tags] = await Promise.all([
    db
      .selectFrom('aliases')
      .select(['alias', 'version'])
      .where('model_name', '=', model)
      .where('version', 'in', numbers)
      .orderBy('alias')
      .execute(),
    db
      .selectFrom('version_tags')
      .select(['key', 'value', 'version'])
      .where('model_name', '=', model)
      .where('version', 'in', numbers)
      .orderBy('key')
      .execute(),
  ]);
  return rows.map((row) =>
    toRecord(
      row,
      aliases.filter((a) => a.version === row.version).map((a) => a.alias),
      Object.fromEntries(tags.filter((t) => t.version === row.version).map((t) => [t.key, t.value])),
    ),
  );
}

/** Model versions, their aliases and tags. `db` may be a transaction. */
export const versionRepository = {
  async insert(
    db: Kysely<Tables>,
    model: string,
    version: number,
    fields: NewVersion,
    actor: string,
    at: string,
  ): Promise<void> {
    await db
      .insertInto('model_versions')
      .values({
        model_name: model,
        version,
        description: fields.description,
        artifact_uri: fields.artifactUri,
        artifact_digest: fields.artifactDigest,
        run_id: fields.runId,
        status: fields.status,
        created_at: at,
        created_by: actor,
        endpoint_url: fields.endpoint?.url ?? null,
        endpoint_protocol: fields.endpoint?.protocol ?? null,
      })
      .execute();
  },

  async setEndpoint(
    db: Kysely<Tables>,
    model: string,
    version: number,
    endpoint: ServingEndpoint | null,
  ): Promise<void> {
    await db
      .updateTable('model_versions')
      .set({ endpoint_url: endpoint?.url ?? null, endpoint_protocol: endpoint?.protocol ?? null })
      .where('model_name', '=', model)
      .where('version', '=', version)
      .execute();
  },

  /**
   * Every version an alias points at, with the model's name: what attached gateways serve (the
   * `production` alias today). One query however many models.
   */
  async aliasedVersions(
    db: Kysely<Tables>,
    alias: string,
  ): Promise<{ model: string; version: string; endpoint: ServingEndpoint | null }[]> {
    const rows = await db
      .selectFrom('aliases')
      .innerJoin('model_versions', (join) =>
        join
          .onRef('model_versions.model_name', '=', 'aliases.model_name')
          .onRef('model_versions.version', '=', 'aliases.version'),
      )
      .selectAll('model_versions')
      .where('aliases.alias', '=', alias)
      .orderBy('model_versions.model_name')
      .execute();
    return rows.map((row) => {
      const { model, version, endpoint } = toRecord(row, [alias], {});
      return { model, version, endpoint };
    });
  },

  async find(db: Kysely<Tables>, model: string, version: number): Promise<VersionRecord | undefined> {
    const row = await db
      .selectFrom('model_versions')
      .selectAll()
      .where('model_name', '=', model)
      .where('version', '=', version)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return (await withLabels(db, model, [row]))[0];
  },

  async exists(db: Kysely<Tables>, model: string, version: number): Promise<boolean> {
    const row = await db
      .selectFrom('model_versions')
      .select('version')
      .where('model_name', '=', model)
      .where('version', '=', version)
      .executeTakeFirst();
    return row !== undefined;
  },

  /** Newest first; `before` is the page token (a version number). */
  async list(
    db: Kysely<Tables>,
    model: string,
    page: { before?: number; limit: number },
  ): Promise<{ versions: VersionRecord[]; last?: number }> {
    let query = db
      .selectFrom('model_versions')
      .selectAll()
      .where('model_name', '=', model)
      .orderBy('version', 'desc')
      .limit(page.limit);
    if (page.before !== undefined) query = query.where('version', '<', page.before);
    const rows = await query.execute();
    const versions = await withLabels(db, model, rows);
    const lastRow = rows.length === page.limit ? rows.at(-1) : undefined;
    return lastRow === undefined ? { versions } : { versions, last: lastRow.version };
  },

  async findByRun(db: Kysely<Tables>, runId: string): Promise<{ model: string; version: number }[]> {
    const rows = await db
      .selectFrom('model_versions')
      .select(['model_name', 'version'])
      .where('run_id', '=', runId)
      .orderBy('model_name')
      .orderBy('version')
      .execute();
    return rows.map((r) => ({ model: r.model_name, version: r.version }));
  },

  async setStatus(
    db: Kysely<Tables>,
    model: string,
    version: number,
    status: VersionStatus,
  ): Promise<boolean> {
    const result = await db
      .updateTable('model_versions')
      .set({ status })
      .where('model_name', '=', model)
      .where('version', '=', version)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },

  async aliases(db: Kysely<Tables>, model: string): Promise<AliasRecord[]> {
    const rows = await db
      .selectFrom('aliases')
      .selectAll()
      .where('model_name', '=', model)
      .orderBy('alias')
      .execute();
    return rows.map((r) => ({
      alias: r.alias,
      version: String(r.version),
      setAt: r.set_at,
      setBy: r.set_by,
    }));
  },

  async findAlias(db: Kysely<Tables>, model: string, alias: string): Promise<AliasRecord | undefined> {
    const row = await db
      .selectFrom('aliases')
      .selectAll()
      .where('model_name', '=', model)
      .where('alias', '=', alias)
      .executeTakeFirst();
    return row === undefined
      ? undefined
      : { alias: row.alias, version: String(row.version), setAt: row.set_at, setBy: row.set_by };
  },

  /** Points an alias at a version, moving it if it pointed elsewhere (one version per alias). */
  async setAlias(
    db: Kysely<Tables>,
    model: string,
    alias: string,
    version: number,
    actor: string,
    at: string,
  ): Promise<void> {
    await db
      .insertInto('aliases')
      .values({ model_name: model, alias, version, set_at: at, set_by: actor })
      .onConflict((oc) =>
        oc.columns(['model_name', 'alias']).doUpdateSet({ version, set_at: at, set_by: actor }),
      )
      .execute();
  },

  async deleteAlias(db: Kysely<Tables>, model: string, alias: string): Promise<boolean> {
    const result = await db
      .deleteFrom('aliases')
      .where('model_name', '=', model)
      .where('alias', '=', alias)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  },

  async setTag(
    db: Kysely<Tables>,
    model: string,
    version: number,
    tag: { key: string; value: string; source?: GateTagSource },
    actor: string,
    at: string,
  ): Promise<void> {
    const source = {
      policy: tag.source?.policy ?? null,
      validation: tag.source?.validation ?? null,
      decision_id: tag.source?.decisionId ?? null,
    };
    await db
      .insertInto('version_tags')
      .values({
        model_name: model,
        version,
        key: tag.key,
        value: tag.value,
        set_at: at,
        set_by: actor,
        ...source,
      })
      .onConflict((oc) =>
        oc
          .columns(['model_name', 'version', 'key'])
          .doUpdateSet({ value: tag.value, set_at: at, set_by: actor, ...source }),
      )
      .execute();
  },

  /** Tags a failing gate set on this version, with the validation behind each. */
  async gateTags(db: Kysely<Tables>, model: string, version: number): Promise<GateTag[]> {
    const rows = await db
      .selectFrom('version_tags')
      .selectAll()
      .where('model_name', '=', model)
      .where('version', '=', version)
      .where('policy', 'is not', null)
      .orderBy('key')
      .execute();
    return rows.map((row) => ({
      key: row.key,
      value: row.value,
      policy: row.policy ?? '',
      validation: row.validation ?? '',
      decisionId: row.decision_id ?? '',
      setAt: row.set_at,
      setBy: row.set_by,
    }));
  },

  async deleteTag(db: Kysely<Tables>, model: string, version: number, key: string): Promise<boolean> {
    const result = await db
      .deleteFrom('version_tags')
      .where('model_name', '=', model)
      .where('version', '=', version)
      .where('key', '=', key)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  },
};
