import { parseDuration, WardenError } from '../core/index.js';
import {
  type AlertCondition,
  type AlertSeverity,
  alertConditions,
  type BurnWindow,
  budgetRemaining,
  burnRate,
  burnWindows,
  errorBudget,
  firingAlert,
} from './burn-rate.js';
import { type SloDocument, sloIndicator } from './slo-document.js';

/** One SLO's state, for one version or the whole model (the `slo` section of monitor-status evidence). */
export interface SloStatus {
  name: string;
  objective: number;
  indicator: 'availability' | 'latency';
  /** 1 − (bad share over the period) / budget: 1 untouched, 0 spent, below 0 overspent. */
  budgetRemaining: number;
  /** Burn rate by window name (`5m`, `1h`, …); null for a window that saw no request. */
  burnRates: Record<string, number | null>;
  /** The most severe multiwindow condition that holds now. */
  alert: AlertSeverity | null;
}

/** What the tracker needs of an answer. */
export interface SloAnswer {
  status: number;
  seconds: number;
}

/** Fine buckets per shortest window: a window's sum is exact to within a tenth of the shortest one. */
const fineBucketsPerShortestWindow = 10;
/** Coarse buckets over the period (one hour each for 30 days). */
const coarseBucketsPerPeriod = 720;

/**
 * Request and bad-request counts in time buckets of a fixed width, in a ring that covers a fixed
 * span: memory is set at construction, and adding is O(1) (moving into a new bucket clears the
 * buckets skipped since the last add, at most the ring's length, once per bucket width).
 */
class CountRing {
  readonly #total: Float64Array;
  readonly #bad: Float64Array;
  /** The absolute index (time / width) of the newest bucket written; -1 before the first. */
  #head = -1;

  constructor(
    readonly width: number,
    readonly length: number,
  ) {
    this.#total = new Float64Array(length);
    this.#bad = new Float64Array(length);
  }

  add(atMs: number, bad: boolean): void {
    const index = Math.floor(atMs / this.width);
    if (index > this.#head) {
      const from = Math.max(this.#head + 1, index - this.length + 1);
      for (let skipped = from; skipped <= index; skipped++) {
        const slot = skipped % this.length;
        this.#total[slot] = 0;
        this.#bad[slot] = 0;
      }
      this.#head = index;
    } else if (index <= this.#head - this.length) {
      return; // older than the ring remembers
    }
    const slot = index % this.length;
    this.#total[slot] = (this.#total[slot] as number) + 1;
    if (bad) this.#bad[slot] = (this.#bad[slot] as number) + 1;
  }

  /**
   * The sums over the last `spans[i]` buckets up to the one holding `atMs` (spans ascending), in
   * one walk back through the ring.
   */
  sums(atMs: number, spans: readonly number[]): { total: number; bad: number }[] {
    const now = Math.floor(atMs / this.width);
    const sums: { total: number; bad: number }[] = [];
    let total = 0;
    let bad = 0;
    let walked = 0;
    for (const span of spans) {
      for (; walked < span; walked++) {
        const index = now - walked;
        if (index > this.#head || index <= this.#head - this.length || index < 0) continue;
        const slot = index % this.length;
        total += this.#total[slot] as number;
        bad += this.#bad[slot] as number;
      }
      sums.push({ total, bad });
    }
    return sums;
  }
}

interface TrackedSlo {
  name: string;
  objective: number;
  indicator: 'availability' | 'latency';
  /** Latency: the bound in seconds; availability: undefined. */
  le: number | undefined;
  budget: number;
  conditions: AlertCondition[];
  windows: BurnWindow[];
  fineWidth: number;
  /** Fine buckets per window, in the order of `windows`. */
  fineSpans: number[];
  coarseWidth: number;
}

/** One version's counts for one SLO. */
interface Series {
  fine: CountRing;
  coarse: CountRing;
}

export interface SloTrackerOptions {
  /** Milliseconds since the epoch; Date.now by default. */
  clock?: () => number;
}

/**
 * The SLOs of one model, from the answers the gateway sees: per version and SLO, fine buckets over
 * the longest alert window and coarse ones over the period, so memory does not grow with traffic
 * (about 140 kB per version and SLO) and `record` is O(1) without allocating. The period's memory
 * starts when the tracker does: a restarted gateway has forgotten the budget spent before it (the
 * Prometheus rules of `warden slo rules` are the durable alternative).
 */
export class SloTracker {
  readonly model: string;
  readonly #slos: readonly TrackedSlo[];
  readonly #versions = new Map<string, Series[]>();
  readonly #clock: () => number;

  constructor(model: string, slos: readonly SloDocument[], options: SloTrackerOptions = {}) {
    const foreign = slos.find((slo) => slo.spec.model !== model);
    if (foreign !== undefined) {
      throw new WardenError(
        'WARDEN_ERR_SLO_INVALID',
        `SLO "${foreign.metadata.name}" is about model "${foreign.spec.model}", not "${model}"; give each model its own SLOs`,
      );
    }
    this.model = model;
    this.#slos = slos.map(trackedSlo);
    this.#clock = options.clock ?? Date.now;
  }

  /** The SLOs' names, in the order `status` reports them. */
  get names(): string[] {
    return this.#slos.map((slo) => slo.name);
  }

  /** Counts one answer of a version at `atMs` (the clock's now by default). */
  record(version: string, answer: SloAnswer, atMs: number = this.#clock()): void {
    let series = this.#versions.get(version);
    if (series === undefined) {
      series = this.#slos.map((slo) => ({
        fine: new CountRing(slo.fineWidth, (slo.fineSpans.at(-1) as number) + 1),
        coarse: new CountRing(slo.coarseWidth, coarseBucketsPerPeriod + 1),
      }));
      this.#versions.set(version, series);
    }
    for (let index = 0; index < series.length; index++) {
      const slo = this.#slos[index] as TrackedSlo;
      const bad = slo.le === undefined ? answer.status >= 500 : answer.seconds > slo.le;
      const counts = series[index] as Series;
      counts.fine.add(atMs, bad);
      counts.coarse.add(atMs, bad);
    }
  }

  /** Each SLO's status for one version, or for the whole model (every version it has seen) when none is named. */
  status(version?: string, atMs: number = this.#clock()): SloStatus[] {
    const versions =
      version === undefined ? [...this.#versions.values()] : [this.#versions.get(version) ?? []];
    return this.#slos.map((slo, index) => {
      const windows = slo.windows.map(() => ({ total: 0, bad: 0 }));
      const period = { total: 0, bad: 0 };
      for (const series of versions) {
        const counts = series[index];
        if (counts === undefined) continue;
        counts.fine.sums(atMs, slo.fineSpans).forEach((sum, at) => {
          const window = windows[at] as { total: number; bad: number };
          window.total += sum.total;
          window.bad += sum.bad;
        });
        const [overPeriod] = counts.coarse.sums(atMs, [coarseBucketsPerPeriod]);
        period.total += overPeriod?.total ?? 0;
        period.bad += overPeriod?.bad ?? 0;
      }
      const burnRates: Record<string, number | null> = {};
      slo.windows.forEach((window, at) => {
        const sum = windows[at] as { total: number; bad: number };
        burnRates[window.name] = burnRate(sum.bad, sum.total, slo.budget);
      });
      return {
        name: slo.name,
        objective: slo.objective,
        indicator: slo.indicator,
        budgetRemaining: budgetRemaining(period.bad, period.total, slo.budget),
        burnRates,
        alert: firingAlert(slo.conditions, burnRates),
      };
    });
  }
}

function trackedSlo(slo: SloDocument): TrackedSlo {
  const periodMs = parseDuration(slo.spec.period);
  if (periodMs === undefined) {
    throw new WardenError(
      'WARDEN_ERR_SLO_INVALID',
      `SLO "${slo.metadata.name}": period ${JSON.stringify(slo.spec.period)} is not a duration; load SLOs with loadSloDocuments`,
    );
  }
  const conditions = alertConditions(periodMs);
  const windows = burnWindows(conditions);
  const fineWidth = (windows[0] as BurnWindow).ms / fineBucketsPerShortestWindow;
  const indicator = sloIndicator(slo);
  const { indicator: definition } = slo.spec;
  return {
    name: slo.metadata.name,
    objective: slo.spec.objective,
    indicator,
    le: 'latency' in definition ? definition.latency.le : undefined,
    budget: errorBudget(slo.spec.objective),
    conditions,
    windows,
    fineWidth,
    fineSpans: windows.map((window) => Math.max(1, Math.round(window.ms / fineWidth))),
    coarseWidth: periodMs / coarseBucketsPerPeriod,
  };
}
