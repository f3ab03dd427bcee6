import { parseDuration } from '../core/index.js';
import type { RuntimeSection } from '../policy/index.js';
import {
  evidenceRepository,
  monitorRepository,
  rolloutRepository,
  versionRepository,
} from '../store/index.js';
import type { MonitorContext } from './monitor-context.js';
import { rollbackProduction } from './rollbacks.js';
import { blockingReasons, decideRuntimeGate } from './runtime-gate.js';
import { intervalTraffic } from './runtime-traffic.js';

interface DeclaredMonitor {
  name: string;
  enabled?: boolean;
  rollback?: 'alert' | 'automatic';
  rollbackCooldown?: string;
}

/**
 * Watches each model's production version (docs/rollouts.md, "Automatic rollback"): every signed
 * monitor-status window of the serving version is decided at the `runtime` gate. A failed
 * `action: rollback` validation or a page-level SLO burn moves production back to its previous
 * holder when one of the model's monitors says `rollback: automatic`, and alerts otherwise; a
 * failed `deny` validation alerts. Alerts fire when the verdict turns, not every window.
 */
export class ProductionWatch {
  /** Model → whether its last decided window was allowed (alerts fire on the change). */
  readonly #lastAllowed = new Map<string, boolean>();

  constructor(
    private readonly context: MonitorContext,
    private readonly report: (error: unknown, task: string) => void = () => undefined,
  ) {}

  /** Called when a monitor-status document is attached to a version. */
  async onMonitorStatus(model: string, version: number, evidenceId: string): Promise<void> {
    const { store, governance } = this.context;
    const db = store.db;
    const text = await evidenceRepository.document(db, evidenceId);
    const window =
      text === undefined ? undefined : (JSON.parse(text) as { window?: { end?: string } }).window;
    if (window?.end === undefined) return;
    const production = await versionRepository.findAlias(db, model, 'production');
    if (production === undefined || Number(production.version) !== version) return;
    if ((await rolloutRepository.live(db, model)) !== undefined) return;
    const active = await governance.policySets.activeIfAny();
    if (active === undefined) return;
    const end = new Date(window.end);
    const traffic = await intervalTraffic(
      db,
      active.compiled.set,
      { model, version },
      new Date(end.getTime() - 1),
      end,
    );
    if (traffic.traffic === null) return;
    const runtime: RuntimeSection = {
      mode: 'production',
      canary: null,
      stable: traffic.traffic,
      slo: traffic.slo,
      step: null,
      weight: null,
    };
    const decision = await store.transaction((trx) =>
      decideRuntimeGate(
        trx,
        active.compiled,
        { model, version },
        runtime,
        this.context.clock(),
        'warden:monitor',
      ),
    );
    const wasAllowed = this.#lastAllowed.get(model) ?? true;
    this.#lastAllowed.set(model, decision.allowed);
    if (decision.allowed) return;
    const monitors = (await monitorRepository.listForModel(db, model)) as DeclaredMonitor[];
    const enabled = monitors.filter((m) => m.enabled !== false);
    const automatic = enabled.find((m) => m.rollback === 'automatic');
    const rollbackAsked = decision.results.some((r) => r.blocking && r.action === 'rollback');
    const reason = blockingReasons(decision);
    if (rollbackAsked && automatic !== undefined) {
      try {
        await rollbackProduction(this.context, {
          model,
          reason: `runtime gate: ${reason}`,
          actor: 'warden:monitor',
          automatic: true,
          decisionId: decision.id,
          ...(automatic.rollbackCooldown === undefined
            ? {}
            : { cooldownMs: parseDuration(automatic.rollbackCooldown) as number }),
        });
        this.#lastAllowed.delete(model);
        governance.deliverSoon();
        return;
      } catch (error) {
        if (!wasAllowed) return;
        await this.alert(
          model,
          version,
          `would roll back but cannot: ${error instanceof Error ? error.message : String(error)}; runtime gate: ${reason}`,
          decision.id,
        );
        return;
      }
    }
    if (!wasAllowed) return;
    await this.alert(
      model,
      version,
      rollbackAsked
        ? `runtime gate asks for a rollback (monitors say rollback: alert; set rollback: automatic to let Warden act): ${reason}`
        : `runtime gate denies the production version: ${reason}`,
      decision.id,
    );
  }

  private async alert(model: string, version: number, message: string, decision: string): Promise<void> {
    const { store, audit, governance } = this.context;
    await store.transaction(async (trx) => {
      await audit.append(trx, {
        actor: 'warden:monitor',
        action: 'runtime.alert',
        subject: { type: 'model-version', name: model, version: String(version) },
        payload: { message, decision },
      });
      await governance.webhooks.enqueue(trx, {
        type: 'runtime.alert',
        model,
        team: await this.context.teamOf(trx, model),
        summary: `${model} v${version} (production): ${message}`,
        data: { model, version: String(version), message, decision },
      });
    });
    governance.deliverSoon();
  }

  /** Runs `onMonitorStatus` without letting its failure reach the request that submitted the evidence. */
  observe(model: string, version: number, evidenceId: string): void {
    this.onMonitorStatus(model, version, evidenceId).catch((error) =>
      this.report(error, `production watch of ${model}`),
    );
  }
}
