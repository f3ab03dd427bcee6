import { canonicalJson } from '../core/index.js';
import { type SloStatus, SloTracker } from '../slo/index.js';
import type { GatewayRoute } from './gateway-config.js';

/** What the tracker reads of an exchange (the gateway's `Exchange` fits). */
interface AnsweredExchange {
  model: string;
  version: string;
  status: number;
  seconds: number;
}

/**
 * The SLO trackers of every routed model that has SLOs (docs/slo.md): the gateway's `onExchange`
 * feeds `observe` (a map lookup and a few counter increments per request), `/metrics` reads
 * `statuses` when scraped, and each monitor-status window reads `status` for its version. A model
 * keeps its tracker, and so its burn rates, across routing changes (a weight moved, a version added)
 * as long as its SLO documents stay the same.
 */
export class GatewaySlos {
  #byModel = new Map<string, { tracker: SloTracker; documents: string }>();
  readonly #clock: () => number;

  constructor(routes: readonly GatewayRoute[], options: { clock?: () => number } = {}) {
    this.#clock = options.clock ?? Date.now;
    this.updateRoutes(routes);
  }

  /** Follows a new routing table: new or changed SLOs start a new tracker; models gone drop theirs. */
  updateRoutes(routes: readonly GatewayRoute[]): void {
    const next = new Map<string, { tracker: SloTracker; documents: string }>();
    for (const route of routes) {
      if (route.slos === undefined || route.slos.length === 0) continue;
      const documents = canonicalJson(route.slos);
      const kept = this.#byModel.get(route.model);
      next.set(
        route.model,
        kept?.documents === documents
          ? kept
          : { tracker: new SloTracker(route.model, route.slos, { clock: this.#clock }), documents },
      );
    }
    this.#byModel = next;
  }

  /** True when some routed model has SLOs. */
  get active(): boolean {
    return this.#byModel.size > 0;
  }

  /** Counts one answered exchange for its model's SLOs, if it has any. */
  readonly observe = (exchange: AnsweredExchange): void => {
    this.#byModel.get(exchange.model)?.tracker.record(exchange.version, exchange, this.#clock());
  };

  /** A model's SLO statuses for one version (or all of its traffic); undefined when it has no SLOs. */
  status(model: string, version?: string): SloStatus[] | undefined {
    return this.#byModel.get(model)?.tracker.status(version);
  }

  /** Every model's SLO statuses over all its traffic, for the metrics. */
  *statuses(): Iterable<{ model: string; statuses: SloStatus[] }> {
    for (const [model, { tracker }] of this.#byModel) yield { model, statuses: tracker.status() };
  }
}
