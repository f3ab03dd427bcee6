import type { Kysely } from 'kysely';
import type { DeliveryRow, Tables, WebhookRow } from './schema.js';

/** A delivery as queued: pending, not tried yet. */
export type NewDeliveryRow = Pick<DeliveryRow, 'id' | 'webhook_id' | 'event' | 'body' | 'created_at'>;

/** A delivery due to be sent, with where to send it and the sealed secret to sign it with. */
export type DueDelivery = Pick<DeliveryRow, 'id' | 'body' | 'event' | 'attempts'> &
  Pick<WebhookRow, 'url' | 'secret'>;

/** The outcome of one attempt to send a delivery; it also releases the claim. */
export type DeliveryAttempt = Pick<
  DeliveryRow,
  'status' | 'attempts' | 'last_status' | 'last_error' | 'next_attempt_at'
> &
  Partial<Pick<DeliveryRow, 'delivered_at'>>;

/**
 * The webhook outbox: deliveries queued in the transaction of the change they report, then claimed
 * and sent by a dispatcher. `db` may be a transaction.
 */
export const deliveryRepository = {
  /** Queues a delivery, due at once. */
  async insert(db: Kysely<Tables>, delivery: NewDeliveryRow): Promise<void> {
    await db
      .insertInto('webhook_deliveries')
      .values({
        ...delivery,
        status: 'pending',
        attempts: 0,
        next_attempt_at: delivery.created_at,
        claimed_until: null,
        last_status: null,
        last_error: null,
        delivered_at: null,
      })
      .execute();
  },

  /** A webhook's deliveries, newest first. */
  async listForWebhook(db: Kysely<Tables>, webhookId: string, limit: number): Promise<DeliveryRow[]> {
    return db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('webhook_id', '=', webhookId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
  },

  /** Ends the webhook's pending deliveries as failed, with the reason as their last error. */
  async failPending(db: Kysely<Tables>, webhookId: string, reason: string): Promise<void> {
    await db
      .updateTable('webhook_deliveries')
      .set({ status: 'failed', last_error: reason })
      .where('webhook_id', '=', webhookId)
      .where('status', '=', 'pending')
      .execute();
  },

  /** Pending deliveries due at `now` and not claimed (or whose claim ran out), earliest first. */
  async due(db: Kysely<Tables>, now: string, limit: number): Promise<DueDelivery[]> {
    return db
      .selectFrom('webhook_deliveries')
      .innerJoin('webhooks', 'webhooks.id', 'webhook_deliveries.webhook_id')
      .select([
        'webhook_deliveries.id',
        'webhook_deliveries.body',
        'webhook_deliveries.event',
        'webhook_deliveries.attempts',
        'webhooks.url',
        'webhooks.secret',
      ])
      .where('webhook_deliveries.status', '=', 'pending')
      .where('webhook_deliveries.next_attempt_at', '<=', now)
      .where((eb) =>
        eb.or([
          eb('webhook_deliveries.claimed_until', 'is', null),
          eb('webhook_deliveries.claimed_until', '<', now),
        ]),
      )
      .orderBy('webhook_deliveries.next_attempt_at')
      .limit(limit)
      .execute();
  },

  /**
   * Claims a pending delivery until `until` unless another sender holds an unexpired claim; true
   * for the one that got it, so replicas do not send the same delivery twice at once.
   */
  async claim(db: Kysely<Tables>, id: string, now: string, until: string): Promise<boolean> {
    const claim = await db
      .updateTable('webhook_deliveries')
      .set({ claimed_until: until })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .executeTakeFirst();
    return Number(claim.numUpdatedRows) === 1;
  },

  async recordAttempt(db: Kysely<Tables>, id: string, attempt: DeliveryAttempt): Promise<void> {
    await db
      .updateTable('webhook_deliveries')
      .set({ ...attempt, claimed_until: null })
      .where('id', '=', id)
      .execute();
  },
};
