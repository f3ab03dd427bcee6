import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { AuditLog } from '../audit/index.js';
import { WardenError } from '../core/index.js';
import {
  type DeliveryRow,
  type DueDelivery,
  deliveryRepository,
  type Store,
  type Tables,
  type WebhookRow,
  webhookRepository,
} from '../store/index.js';
import { PrivateAddressError, privateAddressOf } from './webhook-address.js';
import { postWebhook } from './webhook-request.js';
import type { WebhookSecretBox } from './webhook-secrets.js';

/** What Warden tells webhooks about. */
export const webhookEvents = [
  'gate.denied',
  'version.tagged',
  'promotion.pending',
  'promotion.completed',
  'promotion.rejected',
  'waiver.requested',
  'waiver.approved',
  'waiver.rejected',
  'waiver.revoked',
  'waiver.expired',
  'waiver.audit_overdue',
  'label-change.requested',
  'label-change.approved',
  'label-change.rejected',
  'rollout.started',
  'rollout.promoted',
  'rollout.rolled_back',
  'rollout.aborted',
  'model.rolled_back',
  'runtime.alert',
  'audit.checkpoint',
] as const;
export type WebhookEvent = (typeof webhookEvents)[number];

export interface WebhookRecord {
  id: string;
  name: string;
  url: string;
  events: string[];
  team: string | null;
  model: string | null;
  format: 'json' | 'slack';
  createdAt: string;
  createdBy: string;
}

export interface NewWebhook {
  name: string;
  url: string;
  events: string[];
  team?: string;
  model?: string;
  format?: 'json' | 'slack';
}

export interface DeliveryRecord {
  id: string;
  webhookId: string;
  event: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

/** An event as it happened: what, about which model, and the details receivers get. */
export interface GovernanceEvent {
  type: WebhookEvent;
  model: string;
  team: string | null;
  data: Record<string, unknown>;
  /** One line for people (the Slack text). */
  summary: string;
}

export interface DeliverySettings {
  /** First retry delay; each further retry doubles it (with ±20% jitter), capped at an hour. */
  retryBaseMs: number;
  maxAttempts: number;
  timeoutMs: number;
  /** Send to loopback, private, link-local and metadata addresses too (`--allow-private-webhooks`). */
  allowPrivateAddresses: boolean;
}

export const defaultDeliverySettings: DeliverySettings = {
  retryBaseMs: 5_000,
  maxAttempts: 8,
  timeoutMs: 10_000,
  allowPrivateAddresses: false,
};

/**
 * The Standard Webhooks signature: base64 HMAC-SHA256, keyed with the bytes after `whsec_`, over
 * `{id}.{timestamp}.{body}`. Receivers check it and reject timestamps older than a few minutes.
 */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

const toRecord = (row: WebhookRow): WebhookRecord => ({
  id: row.id,
  name: row.name,
  url: withoutPassword(row.url),
  events: JSON.parse(row.events) as string[],
  team: row.team,
  model: row.model_name,
  format: row.format as 'json' | 'slack',
  createdAt: row.created_at,
  createdBy: row.created_by,
});

const toDelivery = (row: DeliveryRow): DeliveryRecord => ({
  id: row.id,
  webhookId: row.webhook_id,
  event: row.event,
  status: row.status as DeliveryRecord['status'],
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  lastStatus: row.last_status,
  lastError: row.last_error === null ? null : redactUrlsIn(row.last_error),
  createdAt: row.created_at,
  deliveredAt: row.delivered_at,
});

/**
 * Webhooks and their deliveries. Events are queued in the transaction of the change they report
 * (an outbox), so an alert is sent if and only if the change committed; a dispatcher sends them
 * afterwards, with retries, and keeps the log of every attempt.
 */
export class Webhooks {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly secrets: WebhookSecretBox,
    private readonly clock: () => Date,
    private readonly allowPrivateAddresses: boolean,
  ) {}

  async create(hook: NewWebhook, actor: string): Promise<{ webhook: WebhookRecord; secret: string }> {
    await checkWebhook(hook, this.allowPrivateAddresses);
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const id = `whk_${randomBytes(6).toString('hex')}`;
    const at = this.clock().toISOString();
    await this.store.transaction(async (trx) => {
      await webhookRepository.insert(trx, {
        id,
        name: hook.name,
        url: hook.url,
        secret: this.secrets.seal(secret),
        events: JSON.stringify(hook.events),
        team: hook.team ?? null,
        model_name: hook.model ?? null,
        format: hook.format ?? 'json',
        created_at: at,
        created_by: actor,
      });
      await this.audit.append(trx, {
        actor,
        action: 'webhook.created',
        subject: { type: 'webhook', id },
        payload: {
          name: hook.name,
          url: redactUrl(hook.url),
          events: hook.events,
          team: hook.team ?? null,
          model: hook.model ?? null,
        },
      });
    });
    return { webhook: await this.get(id), secret };
  }

  async get(id: string): Promise<WebhookRecord> {
    const row = await webhookRepository.find(this.store.db, id);
    if (row === undefined) {
      throw new WardenError(
        'WARDEN_ERR_REGISTRY_NOT_FOUND',
        `webhook ${id} does not exist; list them with warden webhook list`,
      );
    }
    return toRecord(row);
  }

  async list(): Promise<WebhookRecord[]> {
    return (await webhookRepository.list(this.store.db)).map(toRecord);
  }

  async remove(id: string, actor: string): Promise<WebhookRecord> {
    const hook = await this.get(id);
    await this.store.transaction(async (trx) => {
      await webhookRepository.remove(trx, id, this.clock().toISOString());
      await deliveryRepository.failPending(trx, id, 'the webhook was removed');
      await this.audit.append(trx, {
        actor,
        action: 'webhook.deleted',
        subject: { type: 'webhook', id },
        payload: {},
      });
    });
    return hook;
  }

  async deliveries(id: string, limit = 100): Promise<DeliveryRecord[]> {
    await this.get(id);
    return (await deliveryRepository.listForWebhook(this.store.db, id, limit)).map(toDelivery);
  }

  /** Queues the event for every webhook that listens to it, inside the change's transaction. */
  async enqueue(trx: Transaction<Tables>, event: GovernanceEvent): Promise<void> {
    const hooks = await webhookRepository.list(trx);
    const at = this.clock();
    for (const hook of hooks.map(toRecord)) {
      if (!(hook.events.includes(event.type) || hook.events.includes('*'))) continue;
      if (hook.model !== null && hook.model !== event.model) continue;
      if (hook.team !== null && hook.team !== event.team) continue;
      const id = `msg_${randomUUID().replaceAll('-', '')}`;
      const body =
        hook.format === 'slack'
          ? JSON.stringify({ text: `[warden] ${event.summary}` })
          : JSON.stringify({ id, type: event.type, timestamp: at.toISOString(), data: event.data });
      await deliveryRepository.insert(trx, {
        id,
        webhook_id: hook.id,
        event: event.type,
        body,
        created_at: at.toISOString(),
      });
    }
  }

  /** The plain secret of a webhook, for signing only. */
  secretOf(sealed: string): string {
    return this.secrets.open(sealed);
  }

  /**
   * Seals again with the webhook key every secret an earlier release sealed with the key derived
   * from the audit signing key, in one transaction with one audit entry (webhook ids only), and
   * checks that every live webhook's secret opens. Returns the ids sealed again. A live webhook
   * whose secret opens with neither key stops the start: its alerts could never be signed.
   */
  async resealLegacySecrets(actor: string): Promise<string[]> {
    return this.store.transaction(async (trx) => {
      // Replicas starting together take turns: the second finds the secrets sealed already.
      await this.store.exclusive(trx, 'webhook-secrets');
      const resealed: string[] = [];
      const unopened: string[] = [];
      for (const row of await webhookRepository.sealedSecrets(trx)) {
        let secret: string;
        try {
          secret = this.secrets.open(row.secret);
        } catch {
          if (row.deleted_at === null) unopened.push(row.id);
          continue;
        }
        if (this.secrets.isCurrent(row.secret)) continue;
        await webhookRepository.setSecret(trx, row.id, this.secrets.seal(secret));
        resealed.push(row.id);
      }
      if (unopened.length > 0) {
        throw new WardenError(
          'WARDEN_ERR_WEBHOOK_KEY_INVALID',
          `the secrets of webhook${unopened.length === 1 ? '' : 's'} ${unopened.join(', ')} do not open with this server's keys; start it with the --webhook-key (and, for secrets from before the webhook key, the --audit-key) the database was served with`,
        );
      }
      if (resealed.length > 0) {
        await this.audit.append(trx, {
          actor,
          action: 'webhook.secrets_resealed',
          subject: { type: 'webhook', ids: resealed },
          payload: { sealedWith: 'webhook key', count: resealed.length },
        });
      }
      return resealed;
    });
  }

  get db(): Kysely<Tables> {
    return this.store.db;
  }
}

async function checkWebhook(hook: NewWebhook, allowPrivateAddresses: boolean): Promise<void> {
  let url: URL;
  try {
    url = new URL(hook.url);
  } catch {
    throw new WardenError(
      'WARDEN_ERR_GOVERNANCE_INVALID_WEBHOOK',
      `"${redactUrl(hook.url)}" is not a URL; give http(s)://HOST/PATH`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new WardenError(
      'WARDEN_ERR_GOVERNANCE_INVALID_WEBHOOK',
      `webhook URLs are http or https, not ${url.protocol}`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new WardenError(
      'WARDEN_ERR_GOVERNANCE_INVALID_WEBHOOK',
      `"${redactUrl(hook.url)}" carries credentials (user:password@); receivers check the webhook-signature header instead, so give the URL without them`,
    );
  }
  // A name that does not resolve yet is accepted: every delivery checks the address it connects to.
  const refusal = allowPrivateAddresses
    ? undefined
    : await privateAddressOf(url.hostname).catch(() => undefined);
  if (refusal !== undefined) throw new WardenError('WARDEN_ERR_GOVERNANCE_INVALID_WEBHOOK', refusal);
  const unknown = hook.events.filter((e) => e !== '*' && !(webhookEvents as readonly string[]).includes(e));
  if (unknown.length > 0 || hook.events.length === 0) {
    throw new WardenError(
      'WARDEN_ERR_GOVERNANCE_INVALID_WEBHOOK',
      `${unknown.length > 0 ? `unknown event${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}` : 'no events given'}; the events are ${webhookEvents.join(', ')} (or * for all)`,
    );
  }
}

/** A webhook URL may carry a token (Slack's do); logs and the audit log get it without path and query. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}/…`;
  } catch {
    return '(not a URL)';
  }
}

/** A stored URL with its credentials replaced by *** (rows stored before credentials were refused). */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '' && parsed.username === '') return url;
    parsed.username = '***';
    parsed.password = '';
    return parsed.href;
  } catch {
    return url;
  }
}

/** Error texts may quote a URL: keep scheme and host, drop credentials, path and query. */
function redactUrlsIn(text: string): string {
  return text.replace(/\bhttps?:\/\/[^\s"'<>]+/gi, (url) => redactUrl(url));
}

/**
 * Sends due deliveries: claims each (so replicas do not send the same one twice at once), POSTs it
 * signed, and records the outcome. Failures worth retrying (network errors, timeouts, 429, 5xx) are
 * retried with exponential backoff; other 4xx answers end the delivery as failed.
 */
export class WebhookDispatcher {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly webhooks: Webhooks,
    private readonly settings: DeliverySettings,
    private readonly clock: () => Date,
  ) {}

  /** Starts a sending round now (or right after the current one). */
  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.sendDue();
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async sendDue(): Promise<void> {
    const due = await deliveryRepository.due(this.webhooks.db, this.clock().toISOString(), 50);
    await Promise.all(due.map((delivery) => this.send(delivery)));
  }

  private async send(delivery: DueDelivery): Promise<void> {
    const db = this.webhooks.db;
    const now = this.clock();
    const claimUntil = new Date(now.getTime() + this.settings.timeoutMs * 2).toISOString();
    if (!(await deliveryRepository.claim(db, delivery.id, now.toISOString(), claimUntil))) return;

    const timestamp = Math.floor(now.getTime() / 1000);
    const attempt = delivery.attempts + 1;
    let status: number | null = null;
    let error: string | null = null;
    let retryAfterMs: number | undefined;
    try {
      const answer = await postWebhook(
        delivery.url,
        {
          'content-type': 'application/json',
          'user-agent': 'warden-webhooks',
          'webhook-id': delivery.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(
            this.webhooks.secretOf(delivery.secret),
            delivery.id,
            timestamp,
            delivery.body,
          ),
          'x-warden-event': delivery.event,
        },
        delivery.body,
        { timeoutMs: this.settings.timeoutMs, allowPrivate: this.settings.allowPrivateAddresses },
      );
      status = answer.status;
      if (answer.retryAfterSeconds !== undefined)
        retryAfterMs = Math.min(answer.retryAfterSeconds, 3600) * 1000;
    } catch (cause) {
      error = redactUrlsIn(describeFailure(cause));
    }
    const delivered = status !== null && status >= 200 && status < 300;
    const retryable = status === null || status === 408 || status === 429 || status >= 500;
    const finished = delivered || !retryable || attempt >= this.settings.maxAttempts;
    const backoff =
      Math.min(this.settings.retryBaseMs * 2 ** (attempt - 1), 3_600_000) * (0.8 + Math.random() * 0.4);
    const doneAt = this.clock();
    await deliveryRepository.recordAttempt(db, delivery.id, {
      status: delivered ? 'delivered' : finished ? 'failed' : 'pending',
      attempts: attempt,
      last_status: status,
      last_error: delivered ? null : (error ?? `the receiver answered ${status}`),
      next_attempt_at: new Date(doneAt.getTime() + (retryAfterMs ?? backoff)).toISOString(),
      ...(delivered ? { delivered_at: doneAt.toISOString() } : {}),
    });
    if (!finished) this.scheduleRetry(retryAfterMs ?? backoff);
  }

  private timers = new Set<NodeJS.Timeout>();

  private scheduleRetry(delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.kick().catch(() => undefined);
    }, delayMs + 5);
    timer.unref();
    this.timers.add(timer);
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

function describeFailure(cause: unknown): string {
  const error = cause as { name?: string; message?: string; code?: string };
  if (error.name === 'TimeoutError') return 'the receiver did not answer in time';
  if (error instanceof PrivateAddressError) return `refused: ${error.message}`;
  return error.code ? `could not connect (${error.code})` : (error.message ?? 'the request failed');
}
