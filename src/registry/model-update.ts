import type { Transaction } from 'kysely';
import type { AuditLog } from '../audit/index.js';
import { canonicalJson, WardenError } from '../core/index.js';
import { isoNow, type ModelRecord, modelRepository, type Store, type Tables } from '../store/index.js';
import type { UpdateModelBody } from './schemas.js';

/** One field's value before and after a change. */
export interface FieldChange<T> {
  old: T;
  new: T;
}

/** What an update changes, field by field; a field sent with its current value is not a change. */
export interface ModelChanges {
  description?: FieldChange<string>;
  owner?: FieldChange<string | null>;
  team?: FieldChange<string | null>;
  labels?: FieldChange<Record<string, string>>;
}

export interface ModelUpdateOptions {
  /**
   * Runs inside the update's transaction with the model as it is and what the update would change;
   * throwing refuses the update (who may change protected labels is decided by the caller).
   */
  check?: (current: ModelRecord, changes: ModelChanges) => void;
  /** More for the `model.updated` audit entry (the label-change request an approval applies). */
  auditDetails?: Record<string, unknown>;
}

/** Label maps compare by content, whatever the order of their keys. */
const sameValue = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

export function modelChanges(current: ModelRecord, update: UpdateModelBody): ModelChanges {
  const changes: ModelChanges = {};
  if (update.description !== undefined && update.description !== current.description)
    changes.description = { old: current.description, new: update.description };
  if (update.owner !== undefined && update.owner !== current.owner)
    changes.owner = { old: current.owner, new: update.owner };
  if (update.team !== undefined && update.team !== current.team)
    changes.team = { old: current.team, new: update.team };
  if (update.labels !== undefined && !sameValue(update.labels, current.labels))
    changes.labels = { old: current.labels, new: update.labels };
  return changes;
}

/**
 * Updates a model inside `trx` and appends `model.updated` with what was sent (as before) and
 * `changes`: the old and new value of every field that changed. The model is locked for the rest
 * of the transaction, so a check sees the values the update replaces.
 */
export async function applyModelUpdate(
  store: Store,
  trx: Transaction<Tables>,
  audit: AuditLog,
  target: { name: string; update: UpdateModelBody; actor: string },
  options: ModelUpdateOptions = {},
): Promise<ModelChanges> {
  const { name, update, actor } = target;
  await store.exclusive(trx, `model:${name}`);
  const current = await modelRepository.find(trx, name);
  if (current === undefined) {
    throw new WardenError('WARDEN_ERR_REGISTRY_NOT_FOUND', `model "${name}" does not exist; create it first`);
  }
  const changes = modelChanges(current, update);
  options.check?.(current, changes);
  const sent = {
    ...(update.description === undefined ? {} : { description: update.description }),
    ...(update.owner === undefined ? {} : { owner: update.owner }),
    ...(update.team === undefined ? {} : { team: update.team }),
    ...(update.labels === undefined ? {} : { labels: update.labels }),
  };
  await modelRepository.update(trx, name, sent, actor, isoNow());
  await audit.append(trx, {
    actor,
    action: 'model.updated',
    subject: { type: 'model', name },
    payload: { ...sent, changes, ...options.auditDetails },
  });
  return changes;
}
