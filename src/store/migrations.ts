import { type Kysely, type Migration, type MigrationResultSet, Migrator, sql } from 'kysely';
import { WardenError } from '../core/index.js';

/**
 * Versioned migrations, applied in name order and recorded in `warden_migrations`. A migration
 * never changes once released: later changes come as new entries. Column types are the portable
 * subset both dialects share (text, integer), so one migration serves SQLite and PostgreSQL.
 */
const migrations: Record<string, Migration> = {
  '0001_registry': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('models')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('owner', 'text')
        .addColumn('team', 'text')
        .addColumn('labels', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('latest_version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('models_team').on('models').column('team').execute();

      await db.schema
        .createTable('model_versions')
        .addColumn('model_name', 'text', (c) => c.notNull().references('models.name'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('artifact_uri', 'text', (c) => c.notNull())
        .addColumn('artifact_digest', 'text')
        .addColumn('run_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('model_versions_pk', ['model_name', 'version'])
        .execute();
      await db.schema.createIndex('model_versions_run').on('model_versions').column('run_id').execute();

      const versionReference = ['model_name', 'version'] as const;
      await db.schema
        .createTable('aliases')
        .addColumn('model_name', 'text', (c) => c.notNull())
        .addColumn('alias', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('set_at', 'text', (c) => c.notNull())
        .addColumn('set_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('aliases_pk', ['model_name', 'alias'])
        .addForeignKeyConstraint('aliases_version_fk', [...versionReference], 'model_versions', [
          ...versionReference,
        ])
        .execute();

      await db.schema
        .createTable('version_tags')
        .addColumn('model_name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('set_at', 'text', (c) => c.notNull())
        .addColumn('set_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('version_tags_pk', ['model_name', 'version', 'key'])
        .addForeignKeyConstraint('version_tags_version_fk', [...versionReference], 'model_versions', [
          ...versionReference,
        ])
        .execute();

      await db.schema
        .createTable('evidence')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('subject_type', 'text', (c) => c.notNull())
        .addColumn('subject_name', 'text', (c) => c.notNull())
        .addColumn('subject_version', 'text')
        .addColumn('produced_at', 'text', (c) => c.notNull())
        .addColumn('passed', 'integer', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('bytes', 'integer', (c) => c.notNull())
        .addColumn('stored_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('evidence_inputs')
        .addColumn('evidence_id', 'text', (c) => c.notNull().references('evidence.id'))
        .addColumn('digest', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('evidence_inputs_pk', ['evidence_id', 'digest'])
        .execute();
      await db.schema.createIndex('evidence_inputs_digest').on('evidence_inputs').column('digest').execute();

      await db.schema
        .createTable('version_evidence')
        .addColumn('model_name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('evidence_id', 'text', (c) => c.notNull().references('evidence.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('produced_at', 'text', (c) => c.notNull())
        .addColumn('attached_at', 'text', (c) => c.notNull())
        .addColumn('attached_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('version_evidence_pk', ['model_name', 'version', 'evidence_id'])
        .addForeignKeyConstraint('version_evidence_version_fk', [...versionReference], 'model_versions', [
          ...versionReference,
        ])
        .execute();
      await db.schema
        .createIndex('version_evidence_latest')
        .on('version_evidence')
        .columns(['model_name', 'version', 'kind', 'produced_at'])
        .execute();

      await db.schema
        .createTable('lineage')
        .addColumn('model_name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('run_id', 'text')
        .addColumn('source_commit', 'text')
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('parameters', 'text', (c) => c.notNull())
        .addColumn('parent_runs', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .addColumn('recorded_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('lineage_pk', ['model_name', 'version'])
        .addForeignKeyConstraint('lineage_version_fk', [...versionReference], 'model_versions', [
          ...versionReference,
        ])
        .execute();
      await db.schema.createIndex('lineage_run').on('lineage').column('run_id').execute();

      await db.schema
        .createTable('lineage_datasets')
        .addColumn('model_name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('uri', 'text')
        .addColumn('digest', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('lineage_datasets_pk', ['model_name', 'version', 'position'])
        .addForeignKeyConstraint('lineage_datasets_lineage_fk', [...versionReference], 'lineage', [
          ...versionReference,
        ])
        .execute();
      await db.schema
        .createIndex('lineage_datasets_digest')
        .on('lineage_datasets')
        .column('digest')
        .execute();

      await db.schema
        .createTable('tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('teams', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .addColumn('last_used_at', 'text')
        .addColumn('revoked_at', 'text')
        .addColumn('revoked_by', 'text')
        .execute();
    },
  },
  '0002_governance': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('audit_log')
        .addColumn('seq', 'integer', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('audit_checkpoints')
        .addColumn('seq', 'integer', (c) => c.primaryKey())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('signature', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('policy_sets')
        .addColumn('version', 'integer', (c) => c.primaryKey())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('revision', 'text', (c) => c.notNull())
        .addColumn('files', 'text', (c) => c.notNull())
        .addColumn('applied_at', 'text', (c) => c.notNull())
        .addColumn('applied_by', 'text', (c) => c.notNull())
        .execute();

      // Where a gate's tag came from: a tag set by a failing validation blocks promotion until a
      // waiver for that validation is approved (or an approver removes the tag).
      await db.schema.alterTable('version_tags').addColumn('policy', 'text').execute();
      await db.schema.alterTable('version_tags').addColumn('validation', 'text').execute();
      await db.schema.alterTable('version_tags').addColumn('decision_id', 'text').execute();

      await db.schema
        .createTable('model_monitors')
        .addColumn('model_name', 'text', (c) => c.primaryKey().references('models.name'))
        .addColumn('monitors', 'text', (c) => c.notNull())
        .addColumn('set_at', 'text', (c) => c.notNull())
        .addColumn('set_by', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('decisions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('gate', 'text', (c) => c.notNull())
        .addColumn('model_name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('allowed', 'integer', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('decisions_version')
        .on('decisions')
        .columns(['model_name', 'version', 'decided_at'])
        .execute();

      await db.schema
        .createTable('promotions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('model_name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('alias', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('expected_version', 'integer')
        .addColumn('previous_version', 'integer')
        .addColumn('decision_id', 'text', (c) => c.notNull())
        .addColumn('approval_required_by', 'text', (c) => c.notNull())
        .addColumn('comment', 'text')
        .addColumn('requested_at', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('reviewed_at', 'text')
        .addColumn('reviewed_by', 'text')
        .addColumn('review_comment', 'text')
        .execute();
      await db.schema
        .createIndex('promotions_model')
        .on('promotions')
        .columns(['model_name', 'status'])
        .execute();

      await db.schema
        .createTable('waivers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('model_name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('policy', 'text', (c) => c.notNull())
        .addColumn('validation', 'text')
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('requested_at', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('audit_due_at', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'text')
        .addColumn('decided_by', 'text')
        .addColumn('decision_comment', 'text')
        .addColumn('audited_at', 'text')
        .addColumn('audited_by', 'text')
        .addColumn('audit_note', 'text')
        .addColumn('expiry_alerted_at', 'text')
        .addColumn('overdue_alerted_at', 'text')
        .execute();
      await db.schema
        .createIndex('waivers_version')
        .on('waivers')
        .columns(['model_name', 'version', 'status'])
        .execute();

      await db.schema
        .createTable('webhooks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('team', 'text')
        .addColumn('model_name', 'text')
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('deleted_at', 'text')
        .execute();

      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id'))
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('claimed_until', 'text')
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('delivered_at', 'text')
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_due')
        .on('webhook_deliveries')
        .columns(['status', 'next_attempt_at'])
        .execute();
    },
  },
  '0003_actor_names_case_insensitive': {
    async up(db: Kysely<unknown>) {
      // Token names are actors, and `Approver1` and `approver1` must be one actor (four-eyes). Where
      // active tokens already differ only in case, the oldest keeps the name and the later ones
      // are revoked, by this migration, so the unique index below can be built.
      const active = await sql<{ id: string; name: string }>`
        select id, name from tokens where revoked_at is null order by created_at, id`.execute(db);
      const holder = new Map<string, string>();
      for (const token of active.rows) {
        const key = token.name.toLowerCase();
        const first = holder.get(key);
        if (first === undefined) {
          holder.set(key, token.id);
          continue;
        }
        await sql`update tokens set revoked_at = ${new Date().toISOString()},
          revoked_by = ${`migration 0003: the name differs only in case from active token ${first}`}
          where id = ${token.id}`.execute(db);
      }
      await db.schema
        .createIndex('tokens_active_name_unique')
        .on('tokens')
        .unique()
        .expression(sql`lower(name)`)
        .where(sql.ref('revoked_at'), 'is', null)
        .execute();
    },
  },
  '0004_label_changes': {
    async up(db: Kysely<unknown>) {
      // Requests to change a model's protected labels or team (four-eyes). `old_*` hold the values
      // when asked, so an approval refuses a request overtaken by another change.
      await db.schema
        .createTable('label_changes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('model_name', 'text', (c) => c.notNull().references('models.name'))
        .addColumn('old_labels', 'text', (c) => c.notNull())
        .addColumn('new_labels', 'text', (c) => c.notNull())
        .addColumn('old_team', 'text')
        .addColumn('new_team', 'text')
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('requested_at', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('reviewed_at', 'text')
        .addColumn('reviewed_by', 'text')
        .addColumn('review_comment', 'text')
        .execute();
      await db.schema
        .createIndex('label_changes_model')
        .on('label_changes')
        .columns(['model_name', 'status'])
        .execute();
    },
  },
  '0005_signed_evidence': {
    async up(db: Kysely<unknown>) {
      // The public keys that sign evidence, registered by an admin; a revoked key is kept so that
      // evidence it signed keeps a name.
      await db.schema
        .createTable('signing_keys')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('key_id', 'text', (c) => c.notNull().unique())
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('teams', 'text')
        .addColumn('evidence_kinds', 'text')
        .addColumn('registered_at', 'text', (c) => c.notNull())
        .addColumn('registered_by', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addColumn('revoked_by', 'text')
        .execute();
      // Who signed a stored document (verified on submit), and the envelope, so anyone can verify
      // it again.
      await db.schema.alterTable('evidence').addColumn('signer', 'text').execute();
      await db.schema.alterTable('evidence').addColumn('signer_key_id', 'text').execute();
      await db.schema.alterTable('evidence').addColumn('envelope', 'text').execute();
    },
  },
  '0006_version_endpoints': {
    async up(db: Kysely<unknown>) {
      // Where a version is served (its model server and protocol): gateways attached to the control
      // plane route a model's traffic to its production version's endpoint.
      await db.schema.alterTable('model_versions').addColumn('endpoint_url', 'text').execute();
      await db.schema.alterTable('model_versions').addColumn('endpoint_protocol', 'text').execute();
    },
  },
  '0007_rollouts': {
    async up(db: Kysely<unknown>) {
      // Canary rollouts run by the control plane: their state lives here so a restarted server
      // carries on where it stopped (docs/rollouts.md).
      await db.schema
        .createTable('rollouts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('model_name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('stable_version', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('step_index', 'integer', (c) => c.notNull())
        .addColumn('weight', 'integer', (c) => c.notNull())
        .addColumn('failed_checks', 'integer', (c) => c.notNull())
        .addColumn('no_data_checks', 'integer', (c) => c.notNull())
        .addColumn('step_started_at', 'text', (c) => c.notNull())
        .addColumn('next_check_at', 'text', (c) => c.notNull())
        .addColumn('last_check', 'text')
        .addColumn('stable_status', 'text')
        .addColumn('promotion_id', 'text')
        .addColumn('reason', 'text')
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('started_by', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .execute();
      await db.schema
        .createIndex('rollouts_model')
        .on('rollouts')
        .columns(['model_name', 'status'])
        .execute();
      // Every rollback of a served alias, by a person or by the monitor: the cool-down reads it.
      await db.schema
        .createTable('rollbacks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('model_name', 'text', (c) => c.notNull())
        .addColumn('alias', 'text', (c) => c.notNull())
        .addColumn('from_version', 'integer', (c) => c.notNull())
        .addColumn('to_version', 'integer', (c) => c.notNull())
        .addColumn('automatic', 'integer', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('decision_id', 'text')
        .addColumn('rolled_back_at', 'text', (c) => c.notNull())
        .addColumn('rolled_back_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('rollbacks_model')
        .on('rollbacks')
        .columns(['model_name', 'rolled_back_at'])
        .execute();
      await db.schema
        .createTable('model_slos')
        .addColumn('model_name', 'text', (c) => c.primaryKey())
        .addColumn('slos', 'text', (c) => c.notNull())
        .addColumn('set_at', 'text', (c) => c.notNull())
        .addColumn('set_by', 'text', (c) => c.notNull())
        .execute();
    },
  },
};

export const migrationTable = 'warden_migrations';

function migratorFor(db: Kysely<unknown>, schema: string | undefined): Migrator {
  return new Migrator({
    db,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
    provider: { getMigrations: async () => migrations },
    migrationTableName: migrationTable,
    migrationLockTableName: `${migrationTable}_lock`,
  });
}

/** The names of the migrations this build knows, oldest first. */
export const knownMigrations: readonly string[] = Object.keys(migrations).sort();

/**
 * Brings the schema up to this build's latest migration. Replicas starting together are safe:
 * Kysely takes a lock (an advisory lock on PostgreSQL) around the run. A database migrated by a
 * newer Warden is refused rather than touched.
 */
export async function migrateToLatest(db: Kysely<unknown>, schema: string | undefined): Promise<string[]> {
  const outcome: MigrationResultSet = await migratorFor(db, schema).migrateToLatest();
  if (outcome.error !== undefined) throw migrationError(outcome.error);
  return (outcome.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

function migrationError(error: unknown): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (/corrupted migrations/i.test(message)) {
    return new WardenError(
      'WARDEN_ERR_STORE_SCHEMA_MISMATCH',
      `the database has migrations this Warden does not know (${message.replace(/^corrupted migrations: /i, '')}); it was migrated by a newer Warden — upgrade Warden, or point --db at another database`,
    );
  }
  return error;
}
