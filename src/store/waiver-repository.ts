import type { Kysely } from 'kysely';
import type { Tables, WaiverRow } from './schema.js';

/** A waiver as first stored: requested, not yet decided, audited or alerted about. */
export type NewWaiverRow = Pick<
  WaiverRow,
  | 'id'
  | 'model_name'
  | 'version'
  | 'policy'
  | 'validation'
  | 'reason'
  | 'status'
  | 'requested_at'
  | 'requested_by'
  | 'expires_at'
  | 'audit_due_at'
>;

/** Who settled a waiver (approved, rejected or revoked it), when and why. */
export type WaiverDecision = Pick<WaiverRow, 'status' | 'decided_at' | 'decided_by' | 'decision_comment'>;

/** The post-deployment audit of an approved waiver. */
export type WaiverAudit = Pick<WaiverRow, 'audited_at' | 'audited_by' | 'audit_note'>;

/** What a gate needs of an approved waiver. */
export type GateWaiverRow = Pick<WaiverRow, 'id' | 'policy' | 'validation' | 'expires_at'>;

/** The columns that remember a time-driven alert was raised, so it is raised once. */
export type WaiverAlertColumn = 'expiry_alerted_at' | 'overdue_alerted_at';

export interface WaiverFilter {
  model?: string | undefined;
  version?: number | undefined;
  status?: string | undefined;
  limit: number;
}

/** Time-bound exceptions to a policy for one version. `db` may be a transaction. */
export const waiverRepository = {
  async insert(db: Kysely<Tables>, waiver: NewWaiverRow): Promise<void> {
    await db
      .insertInto('waivers')
      .values({
        ...waiver,
        decided_at: null,
        decided_by: null,
        decision_comment: null,
        audited_at: null,
        audited_by: null,
        audit_note: null,
        expiry_alerted_at: null,
        overdue_alerted_at: null,
      })
      .execute();
  },

  async find(db: Kysely<Tables>, id: string): Promise<WaiverRow | undefined> {
    return db.selectFrom('waivers').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** Newest request first. */
  async list(db: Kysely<Tables>, filter: WaiverFilter): Promise<WaiverRow[]> {
    let query = db.selectFrom('waivers').selectAll().orderBy('requested_at', 'desc').orderBy('id');
    if (filter.model !== undefined) query = query.where('model_name', '=', filter.model);
    if (filter.version !== undefined) query = query.where('version', '=', filter.version);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    return query.limit(filter.limit).execute();
  },

  /** The approved waivers of a version, whether or not they have expired (the gate compares). */
  async approvedFor(db: Kysely<Tables>, model: string, version: number): Promise<GateWaiverRow[]> {
    return db
      .selectFrom('waivers')
      .select(['id', 'policy', 'validation', 'expires_at'])
      .where('model_name', '=', model)
      .where('version', '=', version)
      .where('status', '=', 'approved')
      .execute();
  },

  async recordDecision(db: Kysely<Tables>, id: string, decision: WaiverDecision): Promise<void> {
    await db.updateTable('waivers').set(decision).where('id', '=', id).execute();
  },

  async recordAudit(db: Kysely<Tables>, id: string, audit: WaiverAudit): Promise<void> {
    await db.updateTable('waivers').set(audit).where('id', '=', id).execute();
  },

  /**
   * Approved waivers with an alert not yet raised: expired at `now`, or with the post-deployment
   * audit past due and not done.
   */
  async alertCandidates(db: Kysely<Tables>, now: string): Promise<WaiverRow[]> {
    return db
      .selectFrom('waivers')
      .selectAll()
      .where('status', '=', 'approved')
      .where((eb) =>
        eb.or([
          eb.and([eb('expires_at', '<=', now), eb('expiry_alerted_at', 'is', null)]),
          eb.and([
            eb('audit_due_at', '<=', now),
            eb('audited_at', 'is', null),
            eb('overdue_alerted_at', 'is', null),
          ]),
        ]),
      )
      .execute();
  },

  /**
   * Marks an alert raised unless it was already: true for the one caller (across replicas) that
   * set it, who then sends the alert.
   */
  async claimAlert(db: Kysely<Tables>, id: string, column: WaiverAlertColumn, at: string): Promise<boolean> {
    const claim = await db
      .updateTable('waivers')
      .set({ [column]: at })
      .where('id', '=', id)
      .where(column, 'is', null)
      .executeTakeFirst();
    return Number(claim.numUpdatedRows) === 1;
  },
};
