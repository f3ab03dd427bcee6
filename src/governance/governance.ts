import { type AuditLog, CheckpointPublisher, type ServerKey, type Witness } from '../audit/index.js';
import { WardenError } from '../core/index.js';
import { parseSloDocuments, type SloDocument } from '../slo/index.js';
import { modelRepository, monitorRepository, type Store, sloRepository } from '../store/index.js';
import { LabelChanges } from './label-changes.js';
import { PolicySets } from './policy-sets.js';
import { Promotions } from './promotions.js';
import { type ServingTable, servingTable } from './serving.js';
import { Waivers } from './waivers.js';
import { WebhookSecretBox } from './webhook-secrets.js';
import { type DeliverySettings, defaultDeliverySettings, WebhookDispatcher, Webhooks } from './webhooks.js';

export interface GovernanceOptions {
  store: Store;
  audit: AuditLog;
  /** Signs audit checkpoints. */
  key: ServerKey;
  /** The 32-byte key that seals webhook secrets (`loadOrCreateWebhookKey`). */
  webhookKey: Buffer;
  clock?: () => Date;
  delivery?: Partial<DeliverySettings>;
  /** How often to look for due deliveries, expired waivers and overdue audits; default 1 s. */
  sweepIntervalMs?: number;
  /** How often to sign the audit log's head when it moved; default 60 s. */
  checkpointIntervalMs?: number;
  /** Where each signed checkpoint is published, outside the database. */
  witnesses?: readonly Witness[];
}

/**
 * Everything that decides and records on the server: the active policy set, promotions and gates,
 * waivers, protected labels and their change requests, and alerts. `start()` runs the background work (sending webhooks, raising time-driven
 * alerts, signing audit checkpoints); `stop()` ends it and signs the head one last time.
 */
export class Governance {
  readonly policySets: PolicySets;
  readonly promotions: Promotions;
  readonly waivers: Waivers;
  readonly labelChanges: LabelChanges;
  readonly webhooks: Webhooks;
  readonly dispatcher: WebhookDispatcher;
  readonly key: ServerKey;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly publisher: CheckpointPublisher;
  private reportError: (error: unknown, task: string) => void = () => undefined;

  constructor(private readonly options: GovernanceOptions) {
    const clock = options.clock ?? (() => new Date());
    this.key = options.key;
    this.policySets = new PolicySets(options.store, options.audit, clock);
    const delivery = { ...defaultDeliverySettings, ...options.delivery };
    this.webhooks = new Webhooks(
      options.store,
      options.audit,
      // Secrets sealed by earlier releases used a key derived from the audit key; they open with
      // it until `resealLegacySecrets` seals them again with the webhook key.
      new WebhookSecretBox(options.webhookKey, options.key.deriveKey('webhook-secrets')),
      clock,
      delivery.allowPrivateAddresses,
    );
    const context = {
      store: options.store,
      audit: options.audit,
      policySets: this.policySets,
      webhooks: this.webhooks,
      clock,
    };
    this.promotions = new Promotions(context);
    this.waivers = new Waivers(context);
    this.labelChanges = new LabelChanges(context);
    this.dispatcher = new WebhookDispatcher(this.webhooks, delivery, clock);
    this.publisher = new CheckpointPublisher(
      [...(options.witnesses ?? []), this.webhookWitness()],
      (error, witness) => this.reportError(error, `audit witness ${witness.name}`),
    );
  }
  /** The routing table of gateways attached to this server (docs/gateway.md). */
  servingTable(): Promise<ServingTable> {
    return servingTable(this.options.store, this.policySets);
  }

  /**
   * Webhook receivers that listen to `audit.checkpoint` are witnesses too: each checkpoint is
   * queued for them (with no audit entry of its own, which would move the head again).
   */
  private webhookWitness(): Witness {
    const { store } = this.options;
    return {
      name: 'webhooks (audit.checkpoint)',
      publish: async (checkpoint) => {
        await store.transaction((trx) =>
          this.webhooks.enqueue(trx, {
            type: 'audit.checkpoint',
            model: '',
            team: null,
            data: { ...checkpoint },
            summary: `audit log signed at entry ${checkpoint.seq} (${checkpoint.hash.slice(0, 19)}…)`,
          }),
        );
        this.deliverSoon();
      },
      read: async () => [],
      close: async () => undefined,
    };
  }

  /** Declares the monitors that watch a model in production (what `monitors` holds in its gates). */
  async setMonitors(model: string, monitors: unknown[], actor: string): Promise<unknown[]> {
    const { store, audit } = this.options;
    await store.transaction(async (trx) => {
      if ((await modelRepository.find(trx, model)) === undefined) {
        throw new WardenError(
          'WARDEN_ERR_REGISTRY_NOT_FOUND',
          `model "${model}" does not exist; create it first`,
        );
      }
      await monitorRepository.set(trx, model, monitors, actor, new Date().toISOString());
      await audit.append(trx, {
        actor,
        action: 'monitors.set',
        subject: { type: 'model', name: model },
        payload: { monitors },
      });
    });
    return monitors;
  }

  /** Declares the model's service level objectives (docs/slo.md); attached gateways track them. */
  async setSlos(model: string, slos: unknown, actor: string): Promise<SloDocument[]> {
    const { store, audit } = this.options;
    const documents = parseSloDocuments(slos, `the SLOs of "${model}"`, { model });
    await store.transaction(async (trx) => {
      if ((await modelRepository.find(trx, model)) === undefined) {
        throw new WardenError(
          'WARDEN_ERR_REGISTRY_NOT_FOUND',
          `model "${model}" does not exist; create it first`,
        );
      }
      await sloRepository.set(trx, model, documents, actor, new Date().toISOString());
      await audit.append(trx, {
        actor,
        action: 'slos.set',
        subject: { type: 'model', name: model },
        payload: { slos: documents.map((document) => document.metadata.name) },
      });
    });
    return documents;
  }

  async slos(model: string): Promise<SloDocument[]> {
    return (await sloRepository.listForModel(this.options.store.db, model)) as SloDocument[];
  }

  async monitors(model: string): Promise<unknown[]> {
    return monitorRepository.listForModel(this.options.store.db, model);
  }

  start(onError: (error: unknown, task: string) => void): void {
    this.reportError = onError;
    const every = (ms: number, task: string, work: () => Promise<unknown>) => {
      let busy = false;
      const timer = setInterval(() => {
        if (busy) return;
        busy = true;
        work()
          .catch((error) => onError(error, task))
          .finally(() => {
            busy = false;
          });
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.options.sweepIntervalMs ?? 1_000, 'alerts', async () => {
      await this.waivers.sweep();
      await this.dispatcher.kick();
    });
    every(this.options.checkpointIntervalMs ?? 60_000, 'checkpoint', () => this.checkpoint());
  }

  /** Sends what is due now (after a change that queued alerts). */
  deliverSoon(): void {
    void this.dispatcher.kick().catch(() => undefined);
  }

  /** Signs the head when it moved and publishes the checkpoint to the witnesses (retrying any behind). */
  async checkpoint() {
    const checkpoint = await this.options.audit.checkpoint(this.key);
    if (checkpoint === undefined) await this.publisher.retry();
    else await this.publisher.publish(checkpoint);
    return checkpoint;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.length = 0;
    this.dispatcher.stop();
    await this.dispatcher.idle();
    await this.checkpoint().catch(() => undefined);
    await this.publisher.close();
  }
}
