import type { AuditLog } from '../audit/index.js';
import type { Governance } from '../governance/index.js';
import type { Store } from '../store/index.js';
import { type MonitorContext, monitorContext } from './monitor-context.js';
import { ProductionWatch } from './production-watch.js';
import { type ProductionRollback, rollbackProduction } from './rollbacks.js';
import { Rollouts } from './rollouts.js';

export interface RuntimeControlOptions {
  store: Store;
  audit: AuditLog;
  governance: Governance;
  clock?: () => Date;
  /** How often due rollout checks are looked for; default 200 ms. */
  tickMs?: number;
}

/**
 * The control plane's runtime loop: canary rollouts judged every interval, the production version
 * watched on every window, and rollbacks by people. `start()` runs the rollout checks in the
 * background; everything it needs is in the database, so a restarted server resumes.
 */
export class RuntimeControl {
  readonly rollouts: Rollouts;
  readonly production: ProductionWatch;
  readonly #context: MonitorContext;
  readonly #tickMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(options: RuntimeControlOptions) {
    this.#context = monitorContext({
      store: options.store,
      audit: options.audit,
      governance: options.governance,
      clock: options.clock ?? (() => new Date()),
    });
    this.#tickMs = options.tickMs ?? 200;
    this.rollouts = new Rollouts(this.#context);
    this.production = new ProductionWatch(this.#context, (error, task) => this.#report(error, task));
  }

  #report: (error: unknown, task: string) => void = () => undefined;

  /** A person moves production back (`warden rollback`), with a reason; audited and alerted. */
  async rollback(
    request: { model: string; to?: number; reason: string },
    actor: string,
  ): Promise<ProductionRollback> {
    const done = await rollbackProduction(this.#context, { ...request, actor, automatic: false });
    this.#context.governance.deliverSoon();
    return done;
  }

  start(onError: (error: unknown, task: string) => void): void {
    this.#report = onError;
    this.#timer = setInterval(() => {
      if (this.#running !== undefined) return;
      this.#running = this.rollouts
        .tick()
        .then(() => this.#context.governance.deliverSoon())
        .catch((error) => onError(error, 'rollout checks'))
        .finally(() => {
          this.#running = undefined;
        });
    }, this.#tickMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }
}
