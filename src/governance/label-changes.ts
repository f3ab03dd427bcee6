import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { canonicalJson, type Role, roleAllows, WardenError } from '../core/index.js';
import { protectedLabelKeys } from '../policy/index.js';
import {
  applyModelUpdate,
  type FieldChange,
  type ModelChanges,
  type ModelUpdateOptions,
  maxLabels,
} from '../registry/index.js';
import {
  type LabelChangeRow,
  labelChangeRepository,
  type ModelRecord,
  modelRepository,
  sameActor,
  type Tables,
} from '../store/index.js';
import type { GovernanceContext } from './promotions.js';

export const labelChangeStatuses = ['pending', 'approved', 'rejected'] as const;
export type LabelChangeStatus = (typeof labelChangeStatuses)[number];

const minReasonLength = 20;

export interface LabelChangeRecord {
  id: string;
  model: string;
  /** The labels when the request was made, and the labels it asks for (whole maps). */
  labels: FieldChange<Record<string, string>>;
  /** The team move asked for; null when the request leaves the team alone. */
  team: FieldChange<string | null> | null;
  reason: string;
  status: LabelChangeStatus;
  requestedAt: string;
  requestedBy: string;
  reviewedAt: string | null;
  reviewedBy: string | null;
  reviewComment: string | null;
}

export interface LabelChangeRequest {
  model: string;
  /** A merge patch: a value sets the key, null removes it, keys not named stay. */
  labels?: Record<string, string | null>;
  /** The team to move the model to (null: no team); absent leaves the team alone. */
  team?: string | null;
  reason: string;
}

/** What a change does to protected things: the label keys it adds, removes or alters, and the team. */
export function protectedChangesOf(changes: ModelChanges, protectedKeys: readonly string[]): string[] {
  const touched: string[] = [];
  if (changes.labels !== undefined) {
    const { old: before, new: after } = changes.labels;
    for (const key of protectedKeys) {
      if (before[key] !== after[key]) touched.push(key);
    }
  }
  if (changes.team !== undefined) touched.push('the model’s team');
  return touched;
}

const shellWord = (text: string) =>
  /^[A-Za-z0-9._:/=@-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;

/** The request a contributor files instead of a refused change, as a command to copy. */
function requestCommand(model: string, changes: ModelChanges, protectedKeys: readonly string[]): string {
  const words = ['warden models label-change request', shellWord(model)];
  if (changes.labels !== undefined) {
    const { old: before, new: after } = changes.labels;
    for (const key of protectedKeys) {
      if (before[key] === after[key]) continue;
      const value = after[key];
      words.push(
        value === undefined ? `--remove-label ${shellWord(key)}` : `--label ${shellWord(`${key}=${value}`)}`,
      );
    }
  }
  if (changes.team !== undefined) {
    words.push(changes.team.new === null ? '--no-team' : `--team ${shellWord(changes.team.new)}`);
  }
  words.push('--reason "…"');
  return words.join(' ');
}

const sameLabels = (a: Record<string, string>, b: Record<string, string>) =>
  canonicalJson(a) === canonicalJson(b);

/**
 * Protected labels (docs/control-plane.md, "Protected labels"). The labels that select which
 * policies judge a model — riskTier, domain, team, and every key a binding of the active policy
 * set selects on — and the model's team are changed by an approver, directly or by approving a
 * contributor's request (four-eyes, as for promotions and waivers). Each change is audited with
 * its old and new values.
 */
export class LabelChanges {
  constructor(private readonly context: GovernanceContext) {}

  /** The protected label keys now: the fixed ones and those the active policy set selects on. */
  async protectedKeys(): Promise<string[]> {
    return protectedLabelKeys((await this.context.policySets.activeIfAny())?.compiled);
  }

  /**
   * The check a direct model update runs in its transaction: approvers and admins may change
   * anything; anyone else is refused a change to a protected label or the team.
   */
  async directUpdateCheck(role: Role, actor: string): Promise<ModelUpdateOptions['check']> {
    if (roleAllows(role, 'approver')) return undefined;
    const keys = await this.protectedKeys();
    return (current: ModelRecord, changes: ModelChanges) => {
      const touched = protectedChangesOf(changes, keys);
      if (touched.length === 0) return;
      throw new WardenError(
        'WARDEN_ERR_GOVERNANCE_PROTECTED_LABEL',
        `${actor} may not change ${touched.join(', ')} of model "${current.name}": the protected labels (${keys.join(', ')}) and the team decide which policies judge a model, so changing them is an approver's act. Ask an approver, or file a label-change request: ${requestCommand(current.name, changes, keys)}`,
      );
    };
  }

  async request(request: LabelChangeRequest, actor: string): Promise<LabelChangeRecord> {
    const { store, clock } = this.context;
    const invalid = (why: string) => new WardenError('WARDEN_ERR_GOVERNANCE_INVALID_LABEL_CHANGE', why);
    const reason = request.reason.trim();
    if (reason.length < minReasonLength) {
      throw invalid(
        `the reason "${reason}" is too short to audit; say why the model's labels should change (at least ${minReasonLength} characters)`,
      );
    }
    const id = `lch_${randomBytes(6).toString('hex')}`;
    await store.transaction(async (trx) => {
      const model = await storedModel(trx, request.model);
      const wanted = { ...model.labels };
      for (const [key, value] of Object.entries(request.labels ?? {})) {
        if (value === null) delete wanted[key];
        else wanted[key] = value;
      }
      const team = request.team === undefined ? model.team : request.team;
      if (sameLabels(wanted, model.labels) && team === model.team) {
        throw invalid(
          `the request changes nothing: model "${model.name}" already has these labels${request.team === undefined ? '' : ' and team'}`,
        );
      }
      if (Object.keys(wanted).length > maxLabels) {
        throw invalid(
          `the request would leave model "${model.name}" with ${Object.keys(wanted).length} labels; a model has at most ${maxLabels} — remove some (null) in the same request`,
        );
      }
      await labelChangeRepository.insert(trx, {
        id,
        model_name: model.name,
        old_labels: JSON.stringify(model.labels),
        new_labels: JSON.stringify(wanted),
        old_team: model.team,
        new_team: team,
        reason,
        status: 'pending',
        requested_at: clock().toISOString(),
        requested_by: actor,
      });
      await this.log(trx, toRecord(await storedRequest(trx, id)), 'label-change.requested', actor, {
        reason,
      });
    });
    return this.get(id);
  }

  /**
   * An approver other than the requester applies the change, in the transaction of its audit
   * entries; refused when the model's labels or team changed since the request (it would undo
   * that change unseen).
   */
  async approve(id: string, comment: string, actor: string): Promise<LabelChangeRecord> {
    const { store, audit } = this.context;
    await store.transaction(async (trx) => {
      const record = await this.review(trx, id, actor, 'approve');
      await applyModelUpdate(
        store,
        trx,
        audit,
        {
          name: record.model,
          update: { labels: record.labels.new, ...(record.team === null ? {} : { team: record.team.new }) },
          actor,
        },
        {
          check: (current) => {
            const teamAsAsked = record.team === null || current.team === record.team.old;
            if (sameLabels(current.labels, record.labels.old) && teamAsAsked) return;
            throw new WardenError(
              'WARDEN_ERR_GOVERNANCE_CONFLICT',
              `the labels or team of model "${record.model}" changed since label change ${id} was requested (then ${describeState(record.labels.old, record.team?.old)}; now ${describeState(current.labels, record.team === null ? undefined : current.team)}); approving it would undo that change unseen — reject it and file a new request`,
            );
          },
          auditDetails: { labelChange: id, requestedBy: record.requestedBy },
        },
      );
      await this.finishReview(trx, record, 'approved', comment, actor);
    });
    return this.get(id);
  }

  async reject(id: string, comment: string, actor: string): Promise<LabelChangeRecord> {
    await this.context.store.transaction(async (trx) => {
      const record = await this.review(trx, id, actor, 'reject');
      await this.finishReview(trx, record, 'rejected', comment, actor);
    });
    return this.get(id);
  }

  async get(id: string): Promise<LabelChangeRecord> {
    return toRecord(await storedRequest(this.context.store.db, id));
  }

  /** Requests, newest first. */
  async list(filter: { model?: string; status?: LabelChangeStatus; limit: number }) {
    return (await labelChangeRepository.list(this.context.store.db, filter)).map(toRecord);
  }

  /** The pending request, if `actor` may decide it (four-eyes). */
  private async review(
    trx: Transaction<Tables>,
    id: string,
    actor: string,
    verb: 'approve' | 'reject',
  ): Promise<LabelChangeRecord> {
    const record = toRecord(await storedRequest(trx, id));
    if (record.status !== 'pending') throw notPending(record);
    if (sameActor(actor, record.requestedBy)) {
      throw new WardenError(
        'WARDEN_ERR_GOVERNANCE_SELF_APPROVAL',
        `${actor} requested label change ${id} and so cannot ${verb} it (four-eyes rule); another approver must`,
      );
    }
    return record;
  }

  private async finishReview(
    trx: Transaction<Tables>,
    record: LabelChangeRecord,
    status: 'approved' | 'rejected',
    comment: string,
    actor: string,
  ): Promise<void> {
    const settled = await labelChangeRepository.recordReview(trx, record.id, {
      status,
      reviewed_at: this.context.clock().toISOString(),
      reviewed_by: actor,
      review_comment: comment,
    });
    if (!settled) throw notPending(toRecord(await storedRequest(trx, record.id)));
    await this.log(trx, record, `label-change.${status}`, actor, { comment });
  }

  private async log(
    trx: Transaction<Tables>,
    record: LabelChangeRecord,
    action: 'label-change.requested' | 'label-change.approved' | 'label-change.rejected',
    actor: string,
    details: Record<string, string>,
  ): Promise<void> {
    const change = { labels: record.labels, ...(record.team === null ? {} : { team: record.team }) };
    await this.context.audit.append(trx, {
      actor,
      action,
      subject: { type: 'label-change', id: record.id, name: record.model },
      payload: { requestedBy: record.requestedBy, changes: change, ...details },
    });
    const model = await modelRepository.find(trx, record.model);
    await this.context.webhooks.enqueue(trx, {
      type: action,
      model: record.model,
      team: model?.team ?? null,
      summary: `label change ${record.id} for ${record.model} (${describeChange(record)}): ${action.slice('label-change.'.length)} by ${actor}`,
      data: { labelChange: record.id, model: record.model, ...change, actor, ...details },
    });
  }
}

function describeState(labels: Record<string, string>, team: string | null | undefined): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}=${value}`);
  const text = pairs.length === 0 ? 'no labels' : pairs.join(', ');
  return team === undefined ? text : `${text}; team ${team ?? 'none'}`;
}

/** `riskTier high → low, region removed, team risk → growth`. */
function describeChange(record: LabelChangeRecord): string {
  const { old: before, new: after } = record.labels;
  const parts: string[] = [];
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    if (before[key] === after[key]) continue;
    parts.push(
      before[key] === undefined
        ? `${key} = ${after[key]}`
        : after[key] === undefined
          ? `${key} removed`
          : `${key} ${before[key]} → ${after[key]}`,
    );
  }
  if (record.team !== null) parts.push(`team ${record.team.old ?? 'none'} → ${record.team.new ?? 'none'}`);
  return parts.join(', ');
}

function toRecord(row: LabelChangeRow): LabelChangeRecord {
  return {
    id: row.id,
    model: row.model_name,
    labels: {
      old: JSON.parse(row.old_labels) as Record<string, string>,
      new: JSON.parse(row.new_labels) as Record<string, string>,
    },
    team: row.old_team === row.new_team ? null : { old: row.old_team, new: row.new_team },
    reason: row.reason,
    status: row.status as LabelChangeStatus,
    requestedAt: row.requested_at,
    requestedBy: row.requested_by,
    reviewedAt: row.reviewed_at,
    reviewedBy: row.reviewed_by,
    reviewComment: row.review_comment,
  };
}

async function storedModel(db: Kysely<Tables>, name: string): Promise<ModelRecord> {
  const model = await modelRepository.find(db, name);
  if (model === undefined) {
    throw new WardenError(
      'WARDEN_ERR_REGISTRY_NOT_FOUND',
      `model "${name}" does not exist; check the name with warden models list`,
    );
  }
  return model;
}

async function storedRequest(db: Kysely<Tables>, id: string): Promise<LabelChangeRow> {
  const row = await labelChangeRepository.find(db, id);
  if (row === undefined) {
    throw new WardenError(
      'WARDEN_ERR_REGISTRY_NOT_FOUND',
      `label change ${id} does not exist; list them with warden models label-change list`,
    );
  }
  return row;
}

const notPending = (record: LabelChangeRecord) =>
  new WardenError(
    'WARDEN_ERR_GOVERNANCE_NOT_PENDING',
    `label change ${record.id} is ${record.status}${record.reviewedBy ? ` (by ${record.reviewedBy})` : ''}; only a pending request can be approved or rejected`,
  );
