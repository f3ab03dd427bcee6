import type { Kysely } from 'kysely';
import type { Tables, WebhookRow } from './schema.js';

/** A webhook subscription as first stored (not deleted). */
export type NewWebhookRow = Omit<WebhookRow, 'deleted_at'>;

/**
 * Webhook subscriptions. A removed webhook keeps its row (its deliveries refer to it) with
 * `deleted_at` set, and is no longer found or listed. `db` may be a transaction.
 */
export const webhookRepository = {
  async insert(db: Kysely<Tables>, webhook: NewWebhookRow): Promise<void> {
    await db
      .insertInto('webhooks')
      .values({ ...webhook, deleted_at: null })
      .execute();
  },

  async find(db: Kysely<Tables>, id: string): Promise<WebhookRow | undefined> {
    return db
      .selectFrom('webhooks')
      .selectAll()
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
  },

  /** Oldest first. */
  async list(db: Kysely<Tables>): Promise<WebhookRow[]> {
    return db
      .selectFrom('webhooks')
      .selectAll()
      .where('deleted_at', 'is', null)
      .orderBy('created_at')
      .execute();
  },

  /** Every webhook's sealed secret, removed ones too (their rows keep the secret they had). */
  async sealedSecrets(db: Kysely<Tables>): Promise<Pick<WebhookRow, 'id' | 'secret' | 'deleted_at'>[]> {
    return db.selectFrom('webhooks').select(['id', 'secret', 'deleted_at']).orderBy('created_at').execute();
  },

  async setSecret(db: Kysely<Tables>, id: string, secret: string): Promise<void> {
    await db.updateTable('webhooks').set({ secret }).where('id', '=', id).execute();
  },

  async remove(db: Kysely<Tables>, id: string, at: string): Promise<void> {
    await db.updateTable('webhooks').set({ deleted_at: at }).where('id', '=', id).execute();
  },
};
