import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { WardenError } from '../core/index.js';
import {
  modelRepository,
  sameActor,
  type Tables,
  versionRepository,
  type WaiverRow,
  waiverRepository,
} from '../store/index.js';
import type { GovernanceContext } from './promotions.js';

export const waiverStatuses = ['requested', 'approved', 'rejected', 'revoked'] as const;
export type WaiverStatus = (typeof waiverStatuses)[number];

/** The longest a waiver may run: exceptions are temporary by design. */
export const maxWaiverDays = 90;
const minReasonLength = 20;
const day = 86_400_000;

export interface WaiverRecord {
  id: string;
  model: string;
  version: string;
  policy: string;
  validation: string | null;
  reason: string;
  status: WaiverStatus;
  /** approved and not yet expired, at the time of reading. */
  active: boolean;
  expired: boolean;
  requestedAt: string;
  requestedBy: string;
  expiresAt: string;
  auditDueAt: string;
  auditOverdue: boolean;
  decidedAt: string | null;
  decidedBy: string | null;
  decisionComment: string | null;
  auditedAt: string | null;
  auditedBy: string | null;
  auditNote: string | null;
  /** Aliases the version holds now: a waiver on a serving version is the one that matters. */
  servingAs: string[];
}

export interface WaiverRequest {
  model: string;
  version: string;
  policy: string;
  validation?: string;
  reason: string;
  expiresAt: string;
  /** When the post-deployment audit is due; the expiry when not given. */
  auditDueAt?: string;
}

/**
 * Time-bound exceptions. A contributor requests one for a policy (or one validation) of one
 * version, with a reason and an expiry; an approver who is neither the requester nor the version's
 * creator approves it. Decisions see an approved waiver only while `now` is before its expiry, so
 * expiry needs no job to run. Each waiver carries a post-deployment audit with a due date.
 */
export class Waivers {
  constructor(private readonly context: GovernanceContext) {}

  async request(request: WaiverRequest, actor: string): Promise<WaiverRecord> {
    const { store, clock, policySets } = this.context;
    const now = clock();
    const { compiled } = await policySets.active();
    const policy = compiled.policies.get(request.policy);
    const invalid = (why: string) => new WardenError('WARDEN_ERR_GOVERNANCE_INVALID_WAIVER', why);
    if (policy === undefined) {
      throw invalid(
        `policy "${request.policy}" is not in the active policy set; its policies are ${[...compiled.policies.keys()].join(', ')}`,
      );
    }
    if (
      request.validation !== undefined &&
      !policy.validations.some((v) => v.document.name === request.validation)
    ) {
      throw invalid(
        `policy "${request.policy}" has no validation "${request.validation}"; its validations are ${policy.validations.map((v) => v.document.name).join(', ')}`,
      );
    }
    if (request.reason.trim().length < minReasonLength) {
      throw invalid(
        `the reason "${request.reason.trim()}" is too short to audit; say why the exception is acceptable and what compensates for it (at least ${minReasonLength} characters)`,
      );
    }
    const expires = checkedTime(request.expiresAt, 'the expiry', now, invalid);
    const auditDue =
      request.auditDueAt === undefined
        ? expires
        : checkedTime(request.auditDueAt, 'the audit due date', now, invalid);
    const id = `wvr_${randomBytes(6).toString('hex')}`;
    await store.transaction(async (trx) => {
      if (!(await versionRepository.exists(trx, request.model, Number(request.version)))) {
        throw new WardenError(
          'WARDEN_ERR_REGISTRY_NOT_FOUND',
          `version ${request.version} of model "${request.model}" does not exist; check it with warden versions list ${request.model}`,
        );
      }
      await waiverRepository.insert(trx, {
        id,
        model_name: request.model,
        version: Number(request.version),
        policy: request.policy,
        validation: request.validation ?? null,
        reason: request.reason.trim(),
        status: 'requested',
        requested_at: now.toISOString(),
        requested_by: actor,
        expires_at: expires.toISOString(),
        audit_due_at: auditDue.toISOString(),
      });
      await this.log(trx, id, request, 'waiver.requested', actor, {
        reason: request.reason.trim(),
        expiresAt: expires.toISOString(),
        auditDueAt: auditDue.toISOString(),
      });
    });
    return this.get(id);
  }

  async approve(id: string, comment: string, actor: string): Promise<WaiverRecord> {
    return this.decide(id, 'approved', comment, actor);
  }

  async reject(id: string, comment: string, actor: string): Promise<WaiverRecord> {
    return this.decide(id, 'rejected', comment, actor);
  }

  /** Ends an approved waiver early; later decisions no longer see it. */
  async revoke(id: string, comment: string, actor: string): Promise<WaiverRecord> {
    await this.context.store.transaction(async (trx) => {
      const row = await storedWaiver(trx, id);
      if (row.status !== 'approved' && row.status !== 'requested') throw notPending(row, 'revoked');
      await waiverRepository.recordDecision(trx, id, {
        status: 'revoked',
        decided_at: this.context.clock().toISOString(),
        decided_by: actor,
        decision_comment: comment,
      });
      await this.log(trx, id, fromRow(row), 'waiver.revoked', actor, { comment });
    });
    return this.get(id);
  }

  /** Records the post-deployment audit as done (by someone other than the requester). */
  async completeAudit(id: string, note: string, actor: string): Promise<WaiverRecord> {
    await this.context.store.transaction(async (trx) => {
      const row = await storedWaiver(trx, id);
      if (row.status !== 'approved') throw notPending(row, 'audited (only approved waivers are audited)');
      if (row.audited_at !== null) {
        throw new WardenError(
          'WARDEN_ERR_GOVERNANCE_NOT_PENDING',
          `waiver ${id}'s audit was already recorded by ${row.audited_by} at ${row.audited_at}`,
        );
      }
      if (sameActor(actor, row.requested_by)) {
        throw new WardenError(
          'WARDEN_ERR_GOVERNANCE_SELF_APPROVAL',
          `${actor} requested waiver ${id} and so cannot audit it (four-eyes rule)`,
        );
      }
      await waiverRepository.recordAudit(trx, id, {
        audited_at: this.context.clock().toISOString(),
        audited_by: actor,
        audit_note: note,
      });
      await this.log(trx, id, fromRow(row), 'waiver.audited', actor, { note });
    });
    return this.get(id);
  }

  async get(id: string): Promise<WaiverRecord> {
    const db = this.context.store.db;
    return (await this.records(db, [await storedWaiver(db, id)]))[0] as WaiverRecord;
  }

  /**
   * Waivers, newest first. `overdue` keeps those that need attention on a serving version: an
   * approved waiver past its expiry, or one whose post-deployment audit is past due.
   */
  async list(filter: {
    model?: string;
    version?: string;
    status?: WaiverStatus;
    overdue?: boolean;
    limit: number;
  }) {
    const db = this.context.store.db;
    const rows = await waiverRepository.list(db, {
      model: filter.model,
      version: filter.version === undefined ? undefined : Number(filter.version),
      status: filter.overdue ? 'approved' : filter.status,
      limit: filter.overdue ? 10_000 : filter.limit,
    });
    const records = await this.records(db, rows);
    return filter.overdue
      ? records.filter((w) => w.servingAs.length > 0 && (w.expired || w.auditOverdue)).slice(0, filter.limit)
      : records;
  }

  /**
   * Raises the time-driven alerts once each: an approved waiver that expired on a serving version,
   * and a post-deployment audit past due. Claiming a row (setting its alerted time where it was
   * null) makes one replica send each alert.
   */
  async sweep(): Promise<number> {
    const { store, clock } = this.context;
    const now = clock().toISOString();
    const candidates = await waiverRepository.alertCandidates(store.db, now);
    let raised = 0;
    for (const waiver of await this.records(store.db, candidates)) {
      if (waiver.servingAs.length === 0) continue;
      for (const alert of [
        { due: waiver.expired, column: 'expiry_alerted_at', event: 'waiver.expired' },
        { due: waiver.auditOverdue, column: 'overdue_alerted_at', event: 'waiver.audit_overdue' },
      ] as const) {
        if (!alert.due) continue;
        const sent = await store.transaction(async (trx) => {
          if (!(await waiverRepository.claimAlert(trx, waiver.id, alert.column, now))) return false;
          await this.log(trx, waiver.id, waiver, alert.event, 'warden', {
            expiresAt: waiver.expiresAt,
            auditDueAt: waiver.auditDueAt,
            servingAs: waiver.servingAs,
          });
          return true;
        });
        if (sent) raised++;
      }
    }
    return raised;
  }

  private async decide(id: string, status: 'approved' | 'rejected', comment: string, actor: string) {
    await this.context.store.transaction(async (trx) => {
      const row = await storedWaiver(trx, id);
      if (row.status !== 'requested') throw notPending(row, status);
      const version = await versionRepository.find(trx, row.model_name, row.version);
      if (sameActor(actor, row.requested_by) || sameActor(actor, version?.createdBy)) {
        throw new WardenError(
          'WARDEN_ERR_GOVERNANCE_SELF_APPROVAL',
          `${actor} ${sameActor(actor, row.requested_by) ? 'requested this waiver' : `registered version ${row.version}`} and so cannot ${status === 'approved' ? 'approve' : 'reject'} it (four-eyes rule); another approver must`,
        );
      }
      if (status === 'approved' && Date.parse(row.expires_at) <= this.context.clock().getTime()) {
        throw new WardenError(
          'WARDEN_ERR_GOVERNANCE_INVALID_WAIVER',
          `waiver ${id} expired at ${row.expires_at} before it was approved; request a new one`,
        );
      }
      await waiverRepository.recordDecision(trx, id, {
        status,
        decided_at: this.context.clock().toISOString(),
        decided_by: actor,
        decision_comment: comment,
      });
      await this.log(
        trx,
        id,
        fromRow(row),
        status === 'approved' ? 'waiver.approved' : 'waiver.rejected',
        actor,
        { comment },
      );
    });
    return this.get(id);
  }

  private async log(
    trx: Transaction<Tables>,
    id: string,
    waiver: { model: string; version: string; policy: string; validation?: string | null | undefined },
    action:
      | 'waiver.requested'
      | 'waiver.approved'
      | 'waiver.rejected'
      | 'waiver.revoked'
      | 'waiver.audited'
      | 'waiver.expired'
      | 'waiver.audit_overdue',
    actor: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    const target = { policy: waiver.policy, validation: waiver.validation ?? null };
    await this.context.audit.append(trx, {
      actor,
      action,
      subject: { type: 'waiver', id, name: waiver.model, version: waiver.version },
      payload: { ...target, ...details },
    });
    if (action === 'waiver.audited') return;
    await this.context.webhooks.enqueue(trx, {
      type: action,
      model: waiver.model,
      team: (await modelRepository.find(trx, waiver.model))?.team ?? null,
      summary: `waiver ${id} for ${waiver.model} v${waiver.version} (${waiver.policy}${waiver.validation ? `/${waiver.validation}` : ''}): ${action.slice('waiver.'.length).replace('_', ' ')} by ${actor}`,
      data: { waiver: id, model: waiver.model, version: waiver.version, ...target, actor, ...details },
    });
  }

  private async records(db: Kysely<Tables>, rows: WaiverRow[]): Promise<WaiverRecord[]> {
    const now = this.context.clock().getTime();
    const aliases = new Map<string, string[]>();
    for (const model of new Set(rows.map((r) => r.model_name))) {
      for (const alias of await versionRepository.aliases(db, model)) {
        const key = `${model}@${alias.version}`;
        aliases.set(key, [...(aliases.get(key) ?? []), alias.alias]);
      }
    }
    return rows.map((row) => {
      const expired = Date.parse(row.expires_at) <= now;
      return {
        id: row.id,
        model: row.model_name,
        version: String(row.version),
        policy: row.policy,
        validation: row.validation,
        reason: row.reason,
        status: row.status as WaiverStatus,
        active: row.status === 'approved' && !expired,
        expired,
        requestedAt: row.requested_at,
        requestedBy: row.requested_by,
        expiresAt: row.expires_at,
        auditDueAt: row.audit_due_at,
        auditOverdue:
          row.status === 'approved' && row.audited_at === null && Date.parse(row.audit_due_at) <= now,
        decidedAt: row.decided_at,
        decidedBy: row.decided_by,
        decisionComment: row.decision_comment,
        auditedAt: row.audited_at,
        auditedBy: row.audited_by,
        auditNote: row.audit_note,
        servingAs: aliases.get(`${row.model_name}@${row.version}`) ?? [],
      };
    });
  }
}

async function storedWaiver(db: Kysely<Tables>, id: string): Promise<WaiverRow> {
  const row = await waiverRepository.find(db, id);
  if (row === undefined) throw missing(id);
  return row;
}

const fromRow = (row: WaiverRow) => ({
  model: row.model_name,
  version: String(row.version),
  policy: row.policy,
  ...(row.validation === null ? {} : { validation: row.validation }),
});

function checkedTime(value: string, what: string, now: Date, invalid: (why: string) => WardenError): Date {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw invalid(`${what} "${value}" is not an ISO-8601 time`);
  if (time.getTime() <= now.getTime()) throw invalid(`${what} ${value} is not in the future`);
  if (time.getTime() > now.getTime() + maxWaiverDays * day) {
    throw invalid(
      `${what} ${value} is more than ${maxWaiverDays} days away; waivers are temporary — request a shorter one and renew it if needed`,
    );
  }
  return time;
}

const missing = (id: string) =>
  new WardenError(
    'WARDEN_ERR_REGISTRY_NOT_FOUND',
    `waiver ${id} does not exist; list them with warden waiver list`,
  );

const notPending = (row: WaiverRow, wanted: string) =>
  new WardenError(
    'WARDEN_ERR_GOVERNANCE_NOT_PENDING',
    `waiver ${row.id} is ${row.status}${row.decided_by ? ` (by ${row.decided_by})` : ''}, so it cannot be ${wanted}`,
  );
