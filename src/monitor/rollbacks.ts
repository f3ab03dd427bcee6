import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { WardenError } from '../core/index.js';
import { promotionRepository, rolloutRepository, type Tables, versionRepository } from '../store/index.js';
import type { MonitorContext } from './monitor-context.js';

/** Tags that keep a version from being rolled back onto (besides any tag a failing gate set). */
export const unsafeTags = ['rolled-back', 'biased'] as const;
export const rolledBackTag = 'rolled-back';
export const defaultRollbackCooldownMs = 3_600_000;

/** Why a version may not take traffic back, or undefined when it may. */
export async function unsafeToServe(
  db: Kysely<Tables>,
  model: string,
  version: number,
): Promise<string | undefined> {
  const record = await versionRepository.find(db, model, version);
  if (record === undefined) return `version ${version} does not exist`;
  const tags = Object.keys(record.tags);
  const named = tags.filter((tag) => (unsafeTags as readonly string[]).includes(tag));
  if (named.length > 0) return `version ${version} is tagged ${named.map((t) => `"${t}"`).join(', ')}`;
  const gateTags = await versionRepository.gateTags(db, model, version);
  if (gateTags.length > 0)
    return `version ${version} is blocked: tagged "${gateTags[0]?.key}" by ${gateTags[0]?.policy}/${gateTags[0]?.validation}`;
  return undefined;
}

/**
 * The version that held the alias before its holder: where the last completed promotion to it
 * came from, or the version the last rollback left. Null when the holder was the first.
 */
export async function previousHolder(
  db: Kysely<Tables>,
  model: string,
  alias: string,
  holder: number,
): Promise<number | null> {
  const [promotions, rollbacks] = await Promise.all([
    promotionRepository.list(db, { model, status: 'completed', limit: 500 }),
    rolloutRepository.rollbacks(db, model, 50),
  ]);
  const promoted = promotions
    .filter((row) => row.alias === alias && row.version === holder)
    .map((row) => ({ at: row.reviewed_at ?? row.requested_at, previous: row.previous_version }));
  const restored = rollbacks
    .filter((row) => row.alias === alias && row.to_version === holder)
    .map((row) => ({ at: row.rolled_back_at, previous: row.from_version }));
  const newest = [...promoted, ...restored].sort((a, b) => (a.at < b.at ? 1 : -1))[0];
  return newest?.previous ?? null;
}

/** Whether a version ever held the alias (a manual rollback goes only to such a version). */
async function heldBefore(db: Kysely<Tables>, model: string, alias: string, version: number) {
  const promotions = await promotionRepository.list(db, { model, status: 'completed', limit: 500 });
  if (promotions.some((row) => row.alias === alias && row.version === version)) return true;
  const rollbacks = await rolloutRepository.rollbacks(db, model, 200);
  return rollbacks.some(
    (row) => row.alias === alias && (row.to_version === version || row.from_version === version),
  );
}

/** Tags a version `rolled-back` (a gate tag: it stays blocked until an approver or a waiver clears it). */
export async function tagRolledBack(
  trx: Transaction<Tables>,
  context: MonitorContext,
  target: { model: string; version: number },
  reason: string,
  decisionId: string | null,
  actor: string,
): Promise<void> {
  const existing = await versionRepository.find(trx, target.model, target.version);
  if (existing !== undefined && rolledBackTag in existing.tags) return;
  await versionRepository.setTag(
    trx,
    target.model,
    target.version,
    {
      key: rolledBackTag,
      value: reason.slice(0, 500),
      source: { policy: 'warden:runtime', validation: 'rollback', decisionId: decisionId ?? 'none' },
    },
    actor,
    context.clock().toISOString(),
  );
  await context.audit.append(trx, {
    actor,
    action: 'tag.set',
    subject: { type: 'model-version', name: target.model, version: String(target.version) },
    payload: { key: rolledBackTag, gate: 'runtime', reason, decision: decisionId },
  });
}

export interface ProductionRollback {
  id: string;
  model: string;
  alias: string;
  from: string;
  to: string;
  automatic: boolean;
  reason: string;
  decision: string | null;
  rolledBackAt: string;
  rolledBackBy: string;
}

/**
 * Moves `production` back: to `to` (a version that held it before) or to the holder's previous
 * holder. Refuses a version that is tagged rolled-back, biased or blocked; tags the version taken
 * out `rolled-back`; records the rollback, audits it and alerts (`model.rolled_back`), all in one
 * transaction under the alias's lock. An automatic rollback also honours the cool-down.
 */
export async function rollbackProduction(
  context: MonitorContext,
  request: {
    model: string;
    to?: number;
    reason: string;
    actor: string;
    automatic: boolean;
    decisionId?: string | null;
    cooldownMs?: number;
  },
): Promise<ProductionRollback> {
  const alias = 'production';
  const { store } = context;
  const id = `rbk_${randomBytes(6).toString('hex')}`;
  const now = context.clock();
  return store.transaction(async (trx) => {
    await store.exclusive(trx, `alias:${request.model}/${alias}`);
    const current = await versionRepository.findAlias(trx, request.model, alias);
    if (current === undefined) {
      throw new WardenError(
        'WARDEN_ERR_RUNTIME_ROLLBACK_REFUSED',
        `"${request.model}" has no production version to roll back`,
      );
    }
    const from = Number(current.version);
    if (request.automatic) {
      const last = (await rolloutRepository.rollbacks(trx, request.model, 5)).find(
        (row) => row.automatic === 1,
      );
      const cooldown = request.cooldownMs ?? defaultRollbackCooldownMs;
      if (last !== undefined && now.getTime() - Date.parse(last.rolled_back_at) < cooldown) {
        throw new WardenError(
          'WARDEN_ERR_RUNTIME_ROLLBACK_REFUSED',
          `"${request.model}" was rolled back automatically at ${last.rolled_back_at}; at most one automatic rollback per ${Math.round(cooldown / 60_000)} min (rollbackCooldown of its monitors); a person decides now (warden rollback ${request.model})`,
        );
      }
    }
    let to: number | null;
    if (request.to === undefined) {
      to = await previousHolder(trx, request.model, alias, from);
      if (to === null) {
        throw new WardenError(
          'WARDEN_ERR_RUNTIME_ROLLBACK_REFUSED',
          `production of "${request.model}" has no previous holder to go back to (version ${from} was the first)`,
        );
      }
    } else {
      to = request.to;
      if (to === from) {
        throw new WardenError(
          'WARDEN_ERR_RUNTIME_ROLLBACK_REFUSED',
          `version ${to} already serves production of "${request.model}"`,
        );
      }
      if (!(await heldBefore(trx, request.model, alias, to))) {
        throw new WardenError(
          'WARDEN_ERR_RUNTIME_ROLLBACK_REFUSED',
          `version ${to} of "${request.model}" never served production; a rollback goes back to a version that did (promote a new one with warden promote)`,
        );
      }
    }
    const unsafe = await unsafeToServe(trx, request.model, to);
    if (unsafe !== undefined) {
      throw new WardenError(
        'WARDEN_ERR_RUNTIME_ROLLBACK_REFUSED',
        `will not roll "${request.model}" back onto ${unsafe}; choose another with --to, after clearing it`,
      );
    }
    const at = now.toISOString();
    await versionRepository.setAlias(trx, request.model, alias, to, request.actor, at);
    await rolloutRepository.insertRollback(trx, {
      id,
      model_name: request.model,
      alias,
      from_version: from,
      to_version: to,
      automatic: request.automatic ? 1 : 0,
      reason: request.reason,
      decision_id: request.decisionId ?? null,
      rolled_back_at: at,
      rolled_back_by: request.actor,
    });
    await tagRolledBack(
      trx,
      context,
      { model: request.model, version: from },
      request.reason,
      request.decisionId ?? null,
      request.actor,
    );
    await context.audit.append(trx, {
      actor: request.actor,
      action: 'model.rolled_back',
      subject: { type: 'model', name: request.model },
      payload: {
        rollback: id,
        alias,
        from: String(from),
        to: String(to),
        automatic: request.automatic,
        reason: request.reason,
        decision: request.decisionId ?? null,
      },
    });
    await context.governance.webhooks.enqueue(trx, {
      type: 'model.rolled_back',
      model: request.model,
      team: await context.teamOf(trx, request.model),
      summary: `${request.model}: production rolled back from v${from} to v${to}${request.automatic ? ' automatically' : ` by ${request.actor}`}: ${request.reason}`,
      data: {
        rollback: id,
        model: request.model,
        alias,
        from: String(from),
        to: String(to),
        automatic: request.automatic,
        reason: request.reason,
        decision: request.decisionId ?? null,
      },
    });
    return {
      id,
      model: request.model,
      alias,
      from: String(from),
      to: String(to),
      automatic: request.automatic,
      reason: request.reason,
      decision: request.decisionId ?? null,
      rolledBackAt: at,
      rolledBackBy: request.actor,
    };
  });
}
