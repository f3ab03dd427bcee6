import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import { WardenError } from '../core/index.js';
import { signedEvidenceFilter } from '../governance/index.js';
import type { CompiledPolicySet, Decision, RuntimeSection, RuntimeTraffic } from '../policy/index.js';
import {
  evidenceRepository,
  liveRolloutStatuses,
  promotionRepository,
  type RolloutRow,
  rolloutRepository,
  sameActor,
  type Tables,
  versionRepository,
} from '../store/index.js';
import type { MonitorContext } from './monitor-context.js';
import { tagRolledBack, unsafeToServe } from './rollbacks.js';
import {
  alignedEnd,
  checkSettings,
  defaultRolloutSettings,
  graceMs,
  nextCheckAt,
  type RolloutCheck,
  type RolloutEvent,
  type RolloutHistory,
  type RolloutRecord,
  type RolloutRequest,
  type RolloutSettings,
  refused,
  summary,
  toRecord,
  weightSettleMs,
} from './rollout-records.js';
import { blockingReasons, decideRuntimeGate } from './runtime-gate.js';
import { intervalTraffic } from './runtime-traffic.js';

/**
 * Canary rollouts run by the control plane (docs/rollouts.md). Traffic moves to the canary step by
 * step; every interval the `runtime` gate decides on both versions' signed monitor-status; Flagger's
 * semantics: a failed check counts, `threshold` of them roll back; too few requests is "no data",
 * which holds the step and counts as a failure after `maxNoData` intervals. Success at the last step
 * promotes through the governed path. All state is in the database, so a restarted server carries
 * on, and each check runs under a lock on the model, so replicas never decide one interval twice.
 */
const historyPageSize = 500;

export class Rollouts {
  constructor(private readonly context: MonitorContext) {}

  /**
   * `canApprove`: the caller holds the approver role. When promote:production asks for a person's
   * approval, the canary would take production traffic before anyone approved it, so starting the
   * rollout is that approval: an approver's act, and not by whoever registered the version.
   */
  async start(request: RolloutRequest, actor: string, canApprove = false): Promise<RolloutRecord> {
    const given = Object.entries(request.settings ?? {}).filter(([, value]) => value !== undefined);
    const settings: RolloutSettings = { ...defaultRolloutSettings, ...Object.fromEntries(given) };
    checkSettings(settings);
    const { store, clock } = this.context;
    const version = Number(request.version);
    const compiled = (await this.context.governance.policySets.active()).compiled;
    const id = `rol_${randomBytes(6).toString('hex')}`;
    // The canary takes production traffic: it must pass what a promotion to production would (an
    // approval a binding asks for is given at the end, when the alias moves). Decided and audited
    // as any gate, before the rollout's own transaction.
    const gate = await this.context.governance.promotions.evaluate(
      request.model,
      request.version,
      'promote:production',
      actor,
    );
    if (!gate.allowed) {
      throw refused(
        `version ${version} may not take production traffic: promote:production denies it (${blockingReasons(gate) || gate.gateDefault?.reason}); decision ${gate.id}`,
      );
    }
    if (gate.approvalRequiredBy !== undefined) {
      const creator = (await versionRepository.find(store.db, request.model, version))?.createdBy;
      if (!canApprove || sameActor(actor, creator)) {
        throw new WardenError(
          'WARDEN_ERR_RUNTIME_APPROVAL_REQUIRED',
          `promote:production asks for an approval (${gate.approvalRequiredBy.join(', ')}), and a canary takes production traffic from its first step: an approver ${canApprove ? `other than ${actor}, who registered version ${version},` : ''} starts this rollout`,
        );
      }
    }
    await store.transaction(async (trx) => {
      await store.exclusive(trx, `rollout:${request.model}`);
      const live = await rolloutRepository.live(trx, request.model);
      if (live !== undefined) {
        throw new WardenError(
          'WARDEN_ERR_GOVERNANCE_CONFLICT',
          `"${request.model}" already has a rollout (${live.id}, version ${live.version}, ${live.status}); abort it first with warden rollout abort ${request.model}`,
        );
      }
      const canary = await versionRepository.find(trx, request.model, version);
      if (canary === undefined) {
        throw new WardenError(
          'WARDEN_ERR_REGISTRY_NOT_FOUND',
          `version ${request.version} of "${request.model}" does not exist`,
        );
      }
      const production = await versionRepository.findAlias(trx, request.model, 'production');
      if (production === undefined) {
        throw refused(
          `"${request.model}" has no production version to compare the canary with; promote the first version with warden promote`,
        );
      }
      const stable = Number(production.version);
      if (stable === version)
        throw refused(`version ${version} already serves production of "${request.model}"`);
      const served = await versionRepository.aliasedVersions(trx, 'production');
      const stableEndpoint = served.find((row) => row.model === request.model)?.endpoint;
      if (stableEndpoint == null)
        throw refused(
          `production version ${stable} has no endpoint; set it with warden versions set-endpoint`,
        );
      if (canary.endpoint == null) {
        throw refused(
          `version ${version} has no endpoint to send traffic to; set it with warden versions set-endpoint ${request.model} ${version} --url URL`,
        );
      }
      if (canary.endpoint.protocol !== stableEndpoint.protocol) {
        throw refused(
          `version ${version} speaks ${canary.endpoint.protocol} but production speaks ${stableEndpoint.protocol}; clients cannot be split between them`,
        );
      }
      const unsafe = await unsafeToServe(trx, request.model, version);
      if (unsafe !== undefined) throw refused(`${unsafe}; a blocked version takes no production traffic`);
      const baselines = await evidenceRepository.listForVersion(
        trx,
        { model: request.model, version: stable },
        'drift-baseline',
      );
      if (!baselines.some(signedEvidenceFilter(compiled.set, 'drift-baseline').accepts)) {
        throw refused(
          `production version ${stable} has no signed drift-baseline evidence, so the gateways cannot judge either version's traffic; attach one (warden baseline create --evidence FILE --sign-key KEY)`,
        );
      }
      const now = clock();
      await rolloutRepository.insert(trx, {
        id,
        model_name: request.model,
        version,
        stable_version: stable,
        status: 'running',
        settings: JSON.stringify(settings),
        step_index: 0,
        weight: settings.steps[0] as number,
        failed_checks: 0,
        no_data_checks: 0,
        step_started_at: now.toISOString(),
        next_check_at: nextCheckAt(now, settings.intervalSeconds),
        last_check: null,
        stable_status: null,
        promotion_id: null,
        reason: request.comment ?? null,
        started_at: now.toISOString(),
        started_by: actor,
        finished_at: null,
      });
      await this.context.audit.append(trx, {
        actor,
        action: 'rollout.started',
        subject: { type: 'model-version', name: request.model, version: request.version },
        payload: {
          rollout: id,
          stableVersion: String(stable),
          settings,
          gateDecision: gate.id,
          comment: request.comment ?? null,
        },
      });
      await this.context.governance.webhooks.enqueue(trx, {
        type: 'rollout.started',
        model: request.model,
        team: await this.context.teamOf(trx, request.model),
        summary: `${request.model}: canary v${version} rollout started beside v${stable} at ${settings.steps[0]}%`,
        data: {
          rollout: id,
          model: request.model,
          version: request.version,
          stableVersion: String(stable),
          settings,
        },
      });
    });
    return this.get(id);
  }

  async get(id: string): Promise<RolloutRecord> {
    const row = await rolloutRepository.find(this.context.store.db, id);
    if (row === undefined)
      throw new WardenError('WARDEN_ERR_REGISTRY_NOT_FOUND', `rollout ${id} does not exist`);
    return toRecord(row);
  }

  /**
   * One rollout of a model with its history from the audit log, oldest first: the start, every
   * check with its outcome, weights and reason, each step, pause, resume and the end.
   */
  async history(model: string, id: string): Promise<RolloutHistory> {
    const row = await rolloutRepository.find(this.context.store.db, id);
    if (row === undefined || row.model_name !== model) {
      throw new WardenError(
        'WARDEN_ERR_REGISTRY_NOT_FOUND',
        `rollout ${id} of "${model}" does not exist; list them with warden rollout list --all`,
      );
    }
    const filter = { action: 'rollout', subject: model, version: String(row.version) };
    const events: RolloutEvent[] = [];
    for (let after = 0; ; ) {
      const page = await this.context.audit.search(filter, { limit: historyPageSize, after });
      for (const entry of page) {
        const { rollout, ...details } = entry.payload as { rollout?: unknown } & Record<string, unknown>;
        if (rollout !== id) continue;
        events.push({ seq: entry.seq, at: entry.at, actor: entry.actor, action: entry.action, details });
      }
      if (page.length < historyPageSize) break;
      after = (page[page.length - 1] as { seq: number }).seq;
    }
    return { ...toRecord(row), history: events };
  }

  /** The model's newest rollout, live or finished. */
  async status(model: string): Promise<RolloutRecord> {
    const row = await rolloutRepository.latest(this.context.store.db, model);
    if (row === undefined) {
      throw new WardenError(
        'WARDEN_ERR_REGISTRY_NOT_FOUND',
        `"${model}" has had no rollout; start one with warden rollout start ${model} --version V`,
      );
    }
    return toRecord(row);
  }

  async list(options: { all: boolean; limit: number }): Promise<RolloutRecord[]> {
    return (await rolloutRepository.list(this.context.store.db, options)).map(toRecord);
  }

  /** Holds the weights: no check runs, nothing advances, until resumed. */
  pause(model: string, actor: string, reason?: string): Promise<RolloutRecord> {
    return this.transition(model, actor, 'rollout.paused', reason, (row) => {
      if (row.status !== 'running') throw refused(`the rollout of "${model}" is ${row.status}, not running`);
      return { status: 'paused' };
    });
  }

  resume(model: string, actor: string, reason?: string): Promise<RolloutRecord> {
    return this.transition(model, actor, 'rollout.resumed', reason, (row, now) => {
      if (row.status !== 'paused') throw refused(`the rollout of "${model}" is ${row.status}, not paused`);
      const settings = JSON.parse(row.settings) as RolloutSettings;
      // The interval restarts: windows from before the pause are not judged.
      return {
        status: 'running',
        step_started_at: now.toISOString(),
        next_check_at: nextCheckAt(now, settings.intervalSeconds),
      };
    });
  }

  /** Stops the rollout: all traffic back on the stable version at once; the canary is not tagged. */
  abort(model: string, actor: string, reason: string): Promise<RolloutRecord> {
    return this.transition(
      model,
      actor,
      'rollout.aborted',
      reason,
      (_row, now) => ({
        status: 'aborted',
        weight: 0,
        reason,
        finished_at: now.toISOString(),
      }),
      'rollout.aborted',
    );
  }

  private async transition(
    model: string,
    actor: string,
    action: string,
    reason: string | undefined,
    change: (row: RolloutRow, now: Date) => Partial<RolloutRow>,
    event?: 'rollout.aborted',
  ): Promise<RolloutRecord> {
    const { store } = this.context;
    let id = '';
    await store.transaction(async (trx) => {
      await store.exclusive(trx, `rollout:${model}`);
      const row = await rolloutRepository.live(trx, model);
      if (row === undefined)
        throw new WardenError('WARDEN_ERR_REGISTRY_NOT_FOUND', `"${model}" has no live rollout`);
      id = row.id;
      await rolloutRepository.update(trx, row.id, change(row, this.context.clock()));
      await this.context.audit.append(trx, {
        actor,
        action,
        subject: { type: 'model-version', name: model, version: String(row.version) },
        payload: { rollout: row.id, reason: reason ?? null },
      });
      if (event !== undefined) {
        await this.context.governance.webhooks.enqueue(trx, {
          type: event,
          model,
          team: await this.context.teamOf(trx, model),
          summary: `${model}: canary v${row.version} rollout aborted by ${actor}: ${reason}; all traffic on v${row.stable_version}`,
          data: {
            rollout: row.id,
            model,
            version: String(row.version),
            stableVersion: String(row.stable_version),
            reason: reason ?? null,
          },
        });
      }
    });
    return this.get(id);
  }

  /** Runs every check that is due (the server calls it every few hundred milliseconds). */
  async tick(): Promise<void> {
    const now = this.context.clock().toISOString();
    for (const row of await rolloutRepository.due(this.context.store.db, now)) {
      await this.check(row.model_name);
    }
  }

  /** One interval of one model's rollout: judge, then advance, hold, promote or roll back. */
  async check(model: string): Promise<void> {
    const { store } = this.context;
    let promote: RolloutRow | undefined;
    // Read before the transaction: on SQLite the transaction holds the one connection.
    const compiled = (await this.context.governance.policySets.active()).compiled;
    await store.transaction(async (trx) => {
      await store.exclusive(trx, `rollout:${model}`);
      const row = await rolloutRepository.live(trx, model);
      const now = this.context.clock();
      if (row === undefined || row.status === 'paused' || Date.parse(row.next_check_at) > now.getTime())
        return;
      const settings = JSON.parse(row.settings) as RolloutSettings;
      const production = await versionRepository.findAlias(trx, model, 'production');
      const holder = production === undefined ? null : Number(production.version);
      if (holder === row.version) {
        await this.finish(trx, row, 'promoted', `version ${row.version} holds production`, now);
        return;
      }
      if (holder !== row.stable_version) {
        await this.finish(
          trx,
          row,
          'aborted',
          `production moved to ${holder === null ? 'nothing' : `version ${holder}`} outside the rollout`,
          now,
        );
        return;
      }
      if (row.status === 'awaiting-approval' && row.promotion_id !== null) {
        const promotion = await promotionRepository.find(trx, row.promotion_id);
        if (promotion !== undefined && (promotion.status === 'rejected' || promotion.status === 'denied')) {
          await this.rollBack(
            trx,
            row,
            `the promotion to production was ${promotion.status}${promotion.review_comment ? `: ${promotion.review_comment}` : ''}`,
            null,
            now,
          );
          return;
        }
      }
      const check = await this.judge(trx, compiled, row, settings, now);
      if ('settling' in check) {
        await rolloutRepository.update(trx, row.id, {
          next_check_at: nextCheckAt(now, settings.intervalSeconds),
        });
        return;
      }
      const changes: Partial<RolloutRow> = {
        last_check: JSON.stringify(check.check),
        next_check_at: nextCheckAt(now, settings.intervalSeconds),
        ...(check.stableStatus === undefined ? {} : { stable_status: JSON.stringify(check.stableStatus) }),
      };
      let failed = row.failed_checks;
      let noData = row.no_data_checks;
      if (check.check.outcome === 'no-data') {
        noData += 1;
        if (noData >= settings.maxNoData) {
          failed += 1;
          noData = 0;
        }
      } else {
        noData = 0;
        if (check.check.outcome === 'fail') failed += 1;
      }
      changes.failed_checks = failed;
      changes.no_data_checks = noData;
      await this.context.audit.append(trx, {
        actor: 'warden:monitor',
        action: 'rollout.check',
        subject: { type: 'model-version', name: model, version: String(row.version) },
        payload: { rollout: row.id, ...check.check, failedChecks: failed, threshold: settings.threshold },
      });
      if (failed >= settings.threshold) {
        await rolloutRepository.update(trx, row.id, changes);
        await this.rollBack(
          trx,
          { ...row, ...changes } as RolloutRow,
          `${failed} failed check${failed === 1 ? '' : 's'} (threshold ${settings.threshold}); last: ${check.check.reason}`,
          check.check.decision,
          now,
        );
        return;
      }
      if (check.check.outcome === 'pass' && row.status === 'running') {
        const next = row.step_index + 1;
        if (next >= settings.steps.length) {
          changes.status = 'awaiting-approval';
          promote = { ...row, ...changes } as RolloutRow;
        } else {
          changes.step_index = next;
          changes.weight = settings.steps[next] as number;
          changes.step_started_at = now.toISOString();
          await this.context.audit.append(trx, {
            actor: 'warden:monitor',
            action: 'rollout.advanced',
            subject: { type: 'model-version', name: model, version: String(row.version) },
            payload: { rollout: row.id, step: next + 1, weight: changes.weight },
          });
        }
      }
      await rolloutRepository.update(trx, row.id, changes);
    });
    if (promote !== undefined && promote.promotion_id === null) await this.promote(promote);
  }

  /** The last step passed: the alias moves through the governed path, as its starter's request. */
  private async promote(row: RolloutRow): Promise<void> {
    const { store, governance } = this.context;
    let record: Awaited<ReturnType<typeof governance.promotions.request>> | undefined;
    let failure: string | undefined;
    try {
      record = await governance.promotions.request(
        {
          model: row.model_name,
          version: String(row.version),
          alias: 'production',
          expectedVersion: String(row.stable_version),
          comment: `canary rollout ${row.id} passed every step`,
        },
        row.started_by,
      );
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    await store.transaction(async (trx) => {
      await store.exclusive(trx, `rollout:${row.model_name}`);
      const current = await rolloutRepository.find(trx, row.id);
      if (current === undefined || !(liveRolloutStatuses as readonly string[]).includes(current.status))
        return;
      const now = this.context.clock();
      if (record === undefined) {
        await this.rollBack(trx, current, `the promotion to production failed: ${failure}`, null, now, false);
      } else if (record.status === 'completed') {
        await this.finish(
          trx,
          { ...current, promotion_id: record.id },
          'promoted',
          `promoted through ${record.id}`,
          now,
        );
      } else if (record.status === 'pending') {
        await rolloutRepository.update(trx, row.id, { promotion_id: record.id });
        await this.context.audit.append(trx, {
          actor: 'warden:monitor',
          action: 'rollout.awaiting-approval',
          subject: { type: 'model-version', name: row.model_name, version: String(row.version) },
          payload: { rollout: row.id, promotion: record.id, approvalRequiredBy: record.approvalRequiredBy },
        });
      } else {
        await this.rollBack(
          trx,
          current,
          `promote:production denied the canary: ${blockingReasons(record.decision)}`,
          record.decision.id,
          now,
          false,
        );
      }
    });
  }

  private async judge(
    trx: Transaction<Tables>,
    compiled: CompiledPolicySet,
    row: RolloutRow,
    settings: RolloutSettings,
    now: Date,
  ) {
    const lastCheck = row.last_check === null ? null : (JSON.parse(row.last_check) as RolloutCheck);
    // Windows that began before the gateways could have taken the step's weights are not judged.
    const settled = new Date(Date.parse(row.step_started_at) + weightSettleMs);
    const after = new Date(
      Math.max(settled.getTime(), lastCheck?.windowEnd ? Date.parse(lastCheck.windowEnd) : 0),
    );
    const [canary, stableNow] = await Promise.all([
      intervalTraffic(
        trx,
        compiled.set,
        { model: row.model_name, version: row.version },
        after,
        now,
        settled,
      ),
      intervalTraffic(
        trx,
        compiled.set,
        { model: row.model_name, version: row.stable_version },
        after,
        now,
        settled,
      ),
    ]);
    const stable =
      stableNow.traffic ??
      (row.stable_status === null ? null : (JSON.parse(row.stable_status) as RuntimeTraffic));
    const base = {
      at: now.toISOString(),
      step: row.step_index + 1,
      weight: row.weight,
      canary: summary(canary.traffic),
      stable: summary(stable),
      windowEnd: canary.traffic?.window.end ?? lastCheck?.windowEnd ?? null,
    };
    const stableStatus = stableNow.traffic ?? undefined;
    const firstWindowDue =
      alignedEnd(settled.getTime(), settings.intervalSeconds) +
      settings.intervalSeconds * 1000 +
      graceMs(settings.intervalSeconds);
    if (canary.traffic === null && now.getTime() < firstWindowDue) return { settling: true as const };
    if (canary.traffic === null || canary.traffic.requests.total < settings.minRequests) {
      const unsigned =
        canary.unsigned > 0
          ? `; ${canary.unsigned} unsigned monitor-status ignored (gateways sign with --sign-key)`
          : '';
      return {
        check: {
          ...base,
          outcome: 'no-data' as const,
          reason: `no data: the canary answered ${canary.traffic?.requests.total ?? 0} requests in the interval, fewer than ${settings.minRequests}${unsigned}`,
          decision: null,
        },
        stableStatus,
      };
    }
    const runtime: RuntimeSection = {
      mode: 'rollout',
      canary: canary.traffic,
      stable,
      slo: canary.slo,
      step: row.step_index + 1,
      weight: row.weight,
    };
    const decision: Decision = await decideRuntimeGate(
      trx,
      compiled,
      { model: row.model_name, version: row.version },
      runtime,
      now,
      'warden:monitor',
    );
    return {
      check: {
        ...base,
        outcome: decision.allowed ? ('pass' as const) : ('fail' as const),
        reason: decision.allowed
          ? `runtime gate allowed (${decision.summary.pass} passed)`
          : blockingReasons(decision) || (decision.gateDefault?.reason ?? 'denied'),
        decision: decision.id,
      },
      stableStatus,
    };
  }

  /** The canary's weight goes to 0 at once, it is tagged rolled-back, and people are told why. */
  private async rollBack(
    trx: Transaction<Tables>,
    row: RolloutRow,
    reason: string,
    decisionId: string | null,
    now: Date,
    tag = true,
  ): Promise<void> {
    await rolloutRepository.update(trx, row.id, {
      status: 'rolled-back',
      weight: 0,
      reason,
      finished_at: now.toISOString(),
    });
    if (tag)
      await tagRolledBack(
        trx,
        this.context,
        { model: row.model_name, version: row.version },
        reason,
        decisionId,
        'warden:monitor',
      );
    await this.context.audit.append(trx, {
      actor: 'warden:monitor',
      action: 'rollout.rolled_back',
      subject: { type: 'model-version', name: row.model_name, version: String(row.version) },
      payload: { rollout: row.id, reason, decision: decisionId, stableVersion: String(row.stable_version) },
    });
    await this.context.governance.webhooks.enqueue(trx, {
      type: 'rollout.rolled_back',
      model: row.model_name,
      team: await this.context.teamOf(trx, row.model_name),
      summary: `${row.model_name}: canary v${row.version} rolled back, all traffic on v${row.stable_version}: ${reason}`,
      data: {
        rollout: row.id,
        model: row.model_name,
        version: String(row.version),
        stableVersion: String(row.stable_version),
        reason,
        decision: decisionId,
      },
    });
  }

  private async finish(
    trx: Transaction<Tables>,
    row: RolloutRow,
    status: 'promoted' | 'aborted',
    reason: string,
    now: Date,
  ) {
    await rolloutRepository.update(trx, row.id, {
      status,
      weight: status === 'promoted' ? 100 : 0,
      reason,
      finished_at: now.toISOString(),
      promotion_id: row.promotion_id,
    });
    await this.context.audit.append(trx, {
      actor: 'warden:monitor',
      action: status === 'promoted' ? 'rollout.promoted' : 'rollout.aborted',
      subject: { type: 'model-version', name: row.model_name, version: String(row.version) },
      payload: { rollout: row.id, reason, promotion: row.promotion_id },
    });
    await this.context.governance.webhooks.enqueue(trx, {
      type: status === 'promoted' ? 'rollout.promoted' : 'rollout.aborted',
      model: row.model_name,
      team: await this.context.teamOf(trx, row.model_name),
      summary: `${row.model_name}: canary v${row.version} ${status === 'promoted' ? 'promoted to production' : 'rollout aborted'}: ${reason}`,
      data: {
        rollout: row.id,
        model: row.model_name,
        version: String(row.version),
        stableVersion: String(row.stable_version),
        reason,
      },
    });
  }
}
