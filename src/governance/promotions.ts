import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { AuditLog } from '../audit/index.js';
import { WardenError } from '../core/index.js';
import { type Decision, decide } from '../policy/index.js';
import {
  decisionRepository,
  modelRepository,
  type PromotionRow,
  promotionRepository,
  type Store,
  sameActor,
  type Tables,
  versionRepository,
} from '../store/index.js';
import { assembleGate } from './gate-assembly.js';
import type { PolicySets } from './policy-sets.js';
import type { Webhooks } from './webhooks.js';

export const promotionStatuses = ['completed', 'denied', 'pending', 'rejected'] as const;
export type PromotionStatus = (typeof promotionStatuses)[number];

export interface PromotionRecord {
  id: string;
  model: string;
  version: string;
  alias: string;
  status: PromotionStatus;
  /** Who held the alias when the request was decided (where a rollback goes back to). */
  previousVersion: string | null;
  expectedVersion: string | null;
  decision: Decision;
  approvalRequiredBy: string[];
  comment: string | null;
  requestedAt: string;
  requestedBy: string;
  reviewedAt: string | null;
  reviewedBy: string | null;
  reviewComment: string | null;
}

export interface PromotionRequest {
  model: string;
  version: string;
  alias: string;
  /** The version the caller believes holds the alias now (null: unset); the promotion fails if not. */
  expectedVersion?: string | null;
  comment?: string;
}

export interface GovernanceContext {
  store: Store;
  audit: AuditLog;
  policySets: PolicySets;
  webhooks: Webhooks;
  clock: () => Date;
}

const text = (value: number | null) => (value === null ? null : String(value));

/**
 * Gates and promotions. A promotion evaluates the active policies bound to `promote:<alias>` on the
 * version's latest evidence and either moves the alias, refuses (tagging the version from the
 * failed validations' tagsOnFailure), or waits for an approver when a binding asks for one. The
 * decision, the alias change, the tags, the audit entry and the alerts commit in one transaction,
 * under a lock on the alias, so two promotions of one alias take turns.
 */
export class Promotions {
  constructor(private readonly context: GovernanceContext) {}

  async request(request: PromotionRequest, actor: string): Promise<PromotionRecord> {
    const { store, clock } = this.context;
    const policySet = await this.context.policySets.active();
    const gate = `promote:${request.alias}`;
    const id = `prm_${randomBytes(6).toString('hex')}`;
    await store.transaction(async (trx) => {
      await store.exclusive(trx, `alias:${request.model}/${request.alias}`);
      const current = await versionRepository.findAlias(trx, request.model, request.alias);
      const holder = current?.version ?? null;
      if (request.expectedVersion !== undefined && request.expectedVersion !== holder) {
        throw conflict(request, holder, request.expectedVersion);
      }
      const decision = await this.decide(trx, policySet, request.model, request.version, gate, actor);
      const status: PromotionStatus = !decision.allowed
        ? 'denied'
        : decision.approvalRequiredBy
          ? 'pending'
          : 'completed';
      const now = clock().toISOString();
      await promotionRepository.insert(trx, {
        id,
        model_name: request.model,
        version: Number(request.version),
        alias: request.alias,
        status,
        expected_version: request.expectedVersion == null ? null : Number(request.expectedVersion),
        previous_version: holder === null ? null : Number(holder),
        decision_id: decision.id,
        approval_required_by: JSON.stringify(decision.approvalRequiredBy ?? []),
        comment: request.comment ?? null,
        requested_at: now,
        requested_by: actor,
      });
      if (status === 'completed') await this.moveAlias(trx, request, actor);
      const action =
        status === 'completed'
          ? 'promotion.completed'
          : status === 'denied'
            ? 'promotion.denied'
            : 'promotion.requested';
      await this.context.audit.append(trx, {
        actor,
        action,
        subject: { type: 'model-version', name: request.model, version: request.version },
        payload: {
          promotion: id,
          alias: request.alias,
          previousVersion: holder,
          decision: decisionSummary(decision),
        },
      });
      const team = await teamOf(trx, request.model);
      const summary = `${request.model} v${request.version} → ${request.alias}: ${status === 'denied' ? 'denied' : status === 'pending' ? 'waiting for approval' : 'promoted'}`;
      if (status === 'denied') {
        await this.context.webhooks.enqueue(trx, {
          type: 'gate.denied',
          model: request.model,
          team,
          summary: `${summary} (${blockingMessages(decision)})`,
          data: {
            promotion: id,
            gate,
            model: request.model,
            version: request.version,
            decision: decisionSummary(decision),
          },
        });
      } else {
        await this.context.webhooks.enqueue(trx, {
          type: status === 'pending' ? 'promotion.pending' : 'promotion.completed',
          model: request.model,
          team,
          summary,
          data: {
            promotion: id,
            alias: request.alias,
            model: request.model,
            version: request.version,
            previousVersion: holder,
          },
        });
      }
    });
    return this.get(id);
  }

  /** An approver other than the requester and the version's creator lets a pending promotion through. */
  async approve(id: string, comment: string, actor: string): Promise<PromotionRecord> {
    const { store } = this.context;
    const policySet = await this.context.policySets.active();
    const pending = await this.get(id);
    await store.transaction(async (trx) => {
      await store.exclusive(trx, `alias:${pending.model}/${pending.alias}`);
      const record = await this.review(trx, id, actor, 'approve');
      const current = (await versionRepository.findAlias(trx, record.model, record.alias))?.version ?? null;
      if (current !== record.previousVersion) {
        throw new WardenError(
          'WARDEN_ERR_GOVERNANCE_CONFLICT',
          `alias "${record.alias}" of "${record.model}" moved to ${current === null ? 'nothing' : `version ${current}`} since promotion ${id} was requested (it held ${record.previousVersion ?? 'nothing'}); reject this request and ask for a new one`,
        );
      }
      // Evidence, waivers and policies may have changed while the request waited: decide again.
      const decision = await this.decide(
        trx,
        policySet,
        record.model,
        record.version,
        `promote:${record.alias}`,
        actor,
      );
      const status: PromotionStatus = decision.allowed ? 'completed' : 'denied';
      await this.finishReview(trx, record, status, decision.id, comment, actor);
      if (status === 'completed') await this.moveAlias(trx, record, actor);
      await this.context.audit.append(trx, {
        actor,
        action: status === 'completed' ? 'promotion.approved' : 'promotion.denied',
        subject: { type: 'model-version', name: record.model, version: record.version },
        payload: {
          promotion: id,
          alias: record.alias,
          previousVersion: record.previousVersion,
          comment,
          decision: decisionSummary(decision),
        },
      });
      await this.context.webhooks.enqueue(trx, {
        type: status === 'completed' ? 'promotion.completed' : 'gate.denied',
        model: record.model,
        team: await teamOf(trx, record.model),
        summary: `${record.model} v${record.version} → ${record.alias}: ${status === 'completed' ? `approved by ${actor} and promoted` : `denied on re-evaluation (${blockingMessages(decision)})`}`,
        data: {
          promotion: id,
          alias: record.alias,
          model: record.model,
          version: record.version,
          approvedBy: actor,
        },
      });
    });
    return this.get(id);
  }

  async reject(id: string, comment: string, actor: string): Promise<PromotionRecord> {
    await this.context.store.transaction(async (trx) => {
      const record = await this.review(trx, id, actor, 'reject');
      await this.finishReview(trx, record, 'rejected', record.decision.id, comment, actor);
      await this.context.audit.append(trx, {
        actor,
        action: 'promotion.rejected',
        subject: { type: 'model-version', name: record.model, version: record.version },
        payload: { promotion: id, alias: record.alias, comment },
      });
      await this.context.webhooks.enqueue(trx, {
        type: 'promotion.rejected',
        model: record.model,
        team: await teamOf(trx, record.model),
        summary: `${record.model} v${record.version} → ${record.alias}: rejected by ${actor}: ${comment}`,
        data: {
          promotion: id,
          alias: record.alias,
          model: record.model,
          version: record.version,
          rejectedBy: actor,
          comment,
        },
      });
    });
    return this.get(id);
  }

  /** Evaluates a gate on the server (model, deploy, promote:… without moving anything) and records it. */
  async evaluate(model: string, version: string, gate: string, actor: string): Promise<Decision> {
    const policySet = await this.context.policySets.active();
    return this.context.store.transaction(async (trx) => {
      const decision = await this.decide(trx, policySet, model, version, gate, actor);
      await this.context.audit.append(trx, {
        actor,
        action: 'gate.decided',
        subject: { type: 'model-version', name: model, version },
        payload: { gate, decision: decisionSummary(decision) },
      });
      if (!decision.allowed) {
        await this.context.webhooks.enqueue(trx, {
          type: 'gate.denied',
          model,
          team: await teamOf(trx, model),
          summary: `${model} v${version} failed gate ${gate} (${blockingMessages(decision)})`,
          data: { gate, model, version, decision: decisionSummary(decision) },
        });
      }
      return decision;
    });
  }

  async get(id: string): Promise<PromotionRecord> {
    const db = this.context.store.db;
    return this.toRecord(db, await storedPromotion(db, id));
  }

  async list(filter: {
    model?: string;
    status?: PromotionStatus;
    limit: number;
  }): Promise<PromotionRecord[]> {
    const db = this.context.store.db;
    const rows = await promotionRepository.list(db, filter);
    return Promise.all(rows.map((row) => this.toRecord(db, row)));
  }

  async decision(id: string): Promise<Decision> {
    const document = await decisionRepository.document(this.context.store.db, id);
    if (document === undefined)
      throw new WardenError('WARDEN_ERR_REGISTRY_NOT_FOUND', `decision ${id} does not exist`);
    return JSON.parse(document) as Decision;
  }

  /** The gate decisions recorded about a version, newest first; an unknown version is not found. */
  async decisions(model: string, version: string, limit: number): Promise<Decision[]> {
    const db = this.context.store.db;
    if ((await versionRepository.find(db, model, Number(version))) === undefined)
      throw new WardenError(
        'WARDEN_ERR_REGISTRY_NOT_FOUND',
        `version ${version} of model "${model}" does not exist; list its versions with GET /api/v1/models/${model}/versions`,
      );
    const documents = await decisionRepository.listForVersion(db, model, Number(version), limit);
    return documents.map((document) => JSON.parse(document) as Decision);
  }

  private async toRecord(db: Kysely<Tables>, row: PromotionRow): Promise<PromotionRecord> {
    const decision = await decisionRepository.document(db, row.decision_id);
    if (decision === undefined) {
      throw new WardenError(
        'WARDEN_ERR_STORE_FAILURE',
        `decision ${row.decision_id} of promotion ${row.id} is not stored`,
      );
    }
    return {
      id: row.id,
      model: row.model_name,
      version: String(row.version),
      alias: row.alias,
      status: row.status as PromotionStatus,
      previousVersion: text(row.previous_version),
      expectedVersion: text(row.expected_version),
      decision: JSON.parse(decision) as Decision,
      approvalRequiredBy: JSON.parse(row.approval_required_by) as string[],
      comment: row.comment,
      requestedAt: row.requested_at,
      requestedBy: row.requested_by,
      reviewedAt: row.reviewed_at,
      reviewedBy: row.reviewed_by,
      reviewComment: row.review_comment,
    };
  }

  /** The pending request, if `actor` may decide it (four-eyes). */
  private async review(trx: Transaction<Tables>, id: string, actor: string, verb: 'approve' | 'reject') {
    const record = await this.toRecord(trx, await storedPromotion(trx, id));
    if (record.status !== 'pending') {
      throw new WardenError(
        'WARDEN_ERR_GOVERNANCE_NOT_PENDING',
        `promotion ${id} is ${record.status}${record.reviewedBy ? ` (by ${record.reviewedBy})` : ''}; only a pending promotion can be approved or rejected`,
      );
    }
    const version = await versionRepository.find(trx, record.model, Number(record.version));
    if (sameActor(actor, record.requestedBy) || sameActor(actor, version?.createdBy)) {
      throw new WardenError(
        'WARDEN_ERR_GOVERNANCE_SELF_APPROVAL',
        `${actor} ${sameActor(actor, record.requestedBy) ? 'requested this promotion' : `registered version ${record.version}`} and so cannot ${verb} it (four-eyes rule); another approver must`,
      );
    }
    return record;
  }

  private async finishReview(
    trx: Transaction<Tables>,
    record: PromotionRecord,
    status: PromotionStatus,
    decisionId: string,
    comment: string,
    actor: string,
  ): Promise<void> {
    await promotionRepository.recordReview(trx, record.id, {
      status,
      decision_id: decisionId,
      reviewed_at: this.context.clock().toISOString(),
      reviewed_by: actor,
      review_comment: comment,
    });
  }

  /** Decides the gate inside `trx`, stores the decision and applies its tags on a denial. */
  private async decide(
    trx: Transaction<Tables>,
    policySet: Awaited<ReturnType<PolicySets['active']>>,
    model: string,
    version: string,
    gate: string,
    actor: string,
  ): Promise<Decision> {
    const now = this.context.clock();
    const assembled = await assembleGate(
      trx,
      { model, version: Number(version), gate },
      now,
      policySet.compiled.set,
    );
    const decision = decide(policySet.compiled, assembled.input, {
      evidenceIds: assembled.evidenceIds,
      actor,
      preconditions: assembled.preconditions,
    });
    await decisionRepository.insert(trx, {
      id: decision.id,
      gate,
      model_name: model,
      version: Number(version),
      allowed: decision.allowed ? 1 : 0,
      document: JSON.stringify(decision),
      decided_at: decision.decidedAt,
    });
    if (!decision.allowed) await this.applyTags(trx, decision, model, version, gate, actor);
    return decision;
  }

  private async applyTags(
    trx: Transaction<Tables>,
    decision: Decision,
    model: string,
    version: string,
    gate: string,
    actor: string,
  ): Promise<void> {
    const existing = new Set(
      (await versionRepository.gateTags(trx, model, Number(version))).map((t) => t.key),
    );
    for (const result of decision.results) {
      if (result.action !== 'deny' || !result.tags) continue;
      for (const key of result.tags) {
        if (existing.has(key)) continue;
        existing.add(key);
        await versionRepository.setTag(
          trx,
          model,
          Number(version),
          {
            key,
            value: `${result.policy}/${result.validation} failed at ${gate}`,
            source: { policy: result.policy, validation: result.validation, decisionId: decision.id },
          },
          actor,
          this.context.clock().toISOString(),
        );
        await this.context.audit.append(trx, {
          actor,
          action: 'tag.set',
          subject: { type: 'model-version', name: model, version },
          payload: { key, policy: result.policy, validation: result.validation, gate, decision: decision.id },
        });
        await this.context.webhooks.enqueue(trx, {
          type: 'version.tagged',
          model,
          team: await teamOf(trx, model),
          summary: `${model} v${version} tagged "${key}": ${result.message}`,
          data: {
            model,
            version,
            tag: key,
            policy: result.policy,
            validation: result.validation,
            gate,
            message: result.message,
          },
        });
      }
    }
  }

  private async moveAlias(
    trx: Transaction<Tables>,
    target: { model: string; version: string; alias: string },
    actor: string,
  ) {
    await versionRepository.setAlias(
      trx,
      target.model,
      target.alias,
      Number(target.version),
      actor,
      this.context.clock().toISOString(),
    );
  }
}

async function storedPromotion(db: Kysely<Tables>, id: string): Promise<PromotionRow> {
  const row = await promotionRepository.find(db, id);
  if (row === undefined) {
    throw new WardenError(
      'WARDEN_ERR_REGISTRY_NOT_FOUND',
      `promotion ${id} does not exist; list them with warden promotions list`,
    );
  }
  return row;
}

async function teamOf(trx: Transaction<Tables>, model: string): Promise<string | null> {
  return (await modelRepository.find(trx, model))?.team ?? null;
}

function conflict(request: PromotionRequest, holder: string | null, expected: string | null): WardenError {
  return new WardenError(
    'WARDEN_ERR_GOVERNANCE_CONFLICT',
    `alias "${request.alias}" of "${request.model}" points at ${holder === null ? 'nothing' : `version ${holder}`}, not ${expected === null ? 'nothing' : `version ${expected}`} as the request expected: another promotion moved it first; read it again and retry`,
  );
}

/** What the audit log and alerts keep of a decision: its id, verdict and the results that matter. */
export function decisionSummary(decision: Decision) {
  return {
    id: decision.id,
    gate: decision.gate,
    allowed: decision.allowed,
    // What the gate saw: a relabelled model's earlier decisions keep the labels they were made on.
    labels: decision.subject.labels ?? {},
    policySet: decision.policySet,
    summary: decision.summary,
    results: decision.results
      .filter((r) => r.outcome !== 'pass')
      .map((r) => ({
        policy: r.policy,
        validation: r.validation,
        action: r.action,
        outcome: r.outcome,
        message: r.message,
        ...(r.waiver ? { waiver: r.waiver } : {}),
      })),
    ...(decision.approvalRequiredBy ? { approvalRequiredBy: decision.approvalRequiredBy } : {}),
  };
}

const blockingMessages = (decision: Decision) =>
  decision.results
    .filter((r) => r.blocking)
    .map((r) => `${r.policy}/${r.validation}: ${r.message}`)
    .join('; ');
