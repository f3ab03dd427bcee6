import { requestDurationBuckets, sealEvidence } from '../core/index.js';
import { DriftAccumulator, type DriftBaseline, type DriftReport, datasetDrift } from '../drift/index.js';
import type { SloStatus } from '../slo/index.js';
import {
  decodeRequest,
  decodeResponse,
  type FeatureRow,
  type FeatureValue,
  type InferenceProtocol,
} from './protocols.js';
import {
  addWindowCounts,
  invalidSnapshot,
  type WindowCounts,
  type WindowSnapshot,
} from './window-snapshots.js';

/**
 * Live drift of one served model version (docs/gateway.md, "Live drift"): the gateway hands every
 * answered request to `observe`, which only queues it; decoding the bodies into feature rows and
 * scores, and counting them against the version's baseline, happens later, off the request path.
 * When the queue is full a request is still counted (requests, errors, latency) but its bodies are
 * not decoded: the share decoded is `sampling.ratio`. Each window closes into a snapshot of its counts;
 * the status is computed from the snapshots of every replica that counted the window (one, in
 * process), so that N replicas judge exactly as one process seeing all the traffic would.
 */

/** One answered request, as the gateway saw it. */
export interface ObservedExchange {
  status: number;
  /** Seconds from the request's arrival to the answer's end. */
  seconds: number;
  requestBody?: Buffer;
  responseBody?: Buffer;
  /** Milliseconds since the epoch; the monitor's clock when absent. */
  at?: number;
}

export interface LiveDriftOptions {
  model: string;
  version: string;
  protocol: InferenceProtocol;
  baseline: DriftBaseline;
  /** Names of the columns the request leaves unnamed (see protocols.ts). */
  featureNames?: readonly string[];
  /** The baseline feature that holds the model's score, if any: its drift is the prediction drift. */
  scoreFeature?: string;
  /** The V2 output or prediction field holding the score (see protocols.ts). */
  scoreOutput?: string;
  /** The sliding window the drift is measured over, in seconds (default 300). */
  windowSeconds?: number;
  /** Slices per window (default 10): the window slides by one slice at a time. */
  windowSlices?: number;
  /** Requests waiting to be decoded before new ones are only counted (default 1,000). */
  queueLimit?: number;
  /** Share of drifted features at which the whole input counts as drifted (Evidently's 0.5). */
  driftShare?: number;
  clock?: () => number;
}

export interface FeatureStatus {
  name: string;
  method: string;
  score: number | null;
  threshold: number;
  drifted: boolean | null;
}

/** The sections of a monitor-status document (issue 17's names; more may be added). */
export interface MonitorStatus {
  window: { start: string; end: string; seconds: number };
  requests: { total: number; errors: number; errorRatio: number | null; undecodable: number };
  latency: { p50: number | null; p95: number | null; p99: number | null };
  features: FeatureStatus[];
  prediction: FeatureStatus | null;
  datasetDrift: { driftedShare: number; driftShare: number; drifted: boolean } | null;
  /** ratio: the share of answered requests whose bodies were decoded (the rest only counted). */
  sampling: { ratio: number | null; decoded: number };
  /** How many gateway replicas counted the window. */
  replicas: number;
}

/**
 * Prometheus's `histogram_quantile`: linear interpolation within the bucket that holds the rank;
 * the upper bound of the last finite bucket when the rank falls in +Inf; null without observations.
 */
export function histogramQuantile(
  bounds: readonly number[],
  counts: readonly number[],
  q: number,
): number | null {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i] as number;
    if (below + count >= rank && count > 0) {
      if (i >= bounds.length) return bounds[bounds.length - 1] ?? null;
      const lower = i === 0 ? 0 : (bounds[i - 1] as number);
      const upper = bounds[i] as number;
      return lower + (upper - lower) * ((rank - below) / count);
    }
    below += count;
  }
  return bounds[bounds.length - 1] ?? null;
}

/** How long one turn of decoding may hold the event loop; requests waiting meanwhile are delayed by it. */
const drainTurnMillis = 1;

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The accumulator takes numbers, strings and nulls: a boolean counts as 1 or 0. */
function driftValue(value: FeatureValue | undefined): number | string | null {
  if (value === undefined) return null;
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

export class LiveDrift {
  readonly #options: Required<Omit<LiveDriftOptions, 'featureNames' | 'scoreFeature' | 'scoreOutput'>> &
    Pick<LiveDriftOptions, 'featureNames' | 'scoreFeature' | 'scoreOutput'>;
  readonly #accumulator: DriftAccumulator;
  readonly #inputFeatures: string[];
  #queue: ObservedExchange[] = [];
  #draining = false;
  #counts: WindowCounts;
  #idle: (() => void)[] = [];

  constructor(options: LiveDriftOptions) {
    this.#options = {
      windowSeconds: 300,
      windowSlices: 10,
      queueLimit: 1000,
      driftShare: 0.5,
      clock: Date.now,
      ...options,
    };
    const windowMillis = this.#options.windowSeconds * 1000;
    this.#accumulator = new DriftAccumulator(options.baseline, {
      sliceMillis: windowMillis / this.#options.windowSlices,
      windowSlices: this.#options.windowSlices,
    });
    this.#inputFeatures = Object.keys(options.baseline.features).filter(
      (name) => name !== options.scoreFeature,
    );
    this.#counts = emptyCounts(this.#options.clock());
  }

  get model(): string {
    return this.#options.model;
  }

  get version(): string {
    return this.#options.version;
  }

  /** Counts the exchange at once, and queues its bodies for decoding unless the queue is full. */
  observe(exchange: ObservedExchange): void {
    const counts = this.#counts;
    counts.total++;
    if (exchange.status >= 500) counts.errors++;
    let bucket = 0;
    while (
      bucket < requestDurationBuckets.length &&
      exchange.seconds > (requestDurationBuckets[bucket] as number)
    )
      bucket++;
    counts.latency[bucket] = (counts.latency[bucket] as number) + 1;
    if (exchange.status >= 400 || exchange.requestBody === undefined) return;
    counts.eligible++;
    if (this.#queue.length >= this.#options.queueLimit) return;
    counts.queued++;
    this.#queue.push({
      status: exchange.status,
      seconds: exchange.seconds,
      requestBody: exchange.requestBody,
      ...(exchange.responseBody ? { responseBody: exchange.responseBody } : {}),
      at: exchange.at ?? this.#options.clock(),
    });
    if (!this.#draining) {
      this.#draining = true;
      setImmediate(() => this.#drain());
    }
  }

  /** Resolves once every queued exchange has been decoded and counted. */
  settled(): Promise<void> {
    if (!this.#draining) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #drain(): void {
    const started = performance.now();
    // Decode in turns of about a millisecond, so that a long queue never holds requests back longer.
    while (this.#queue.length > 0 && performance.now() - started < drainTurnMillis) {
      this.#count(this.#queue.shift() as ObservedExchange);
    }
    if (this.#queue.length > 0) {
      setImmediate(() => this.#drain());
      return;
    }
    this.#draining = false;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  #count(exchange: ObservedExchange): void {
    const { protocol, featureNames, scoreFeature, scoreOutput } = this.#options;
    const request = decodeRequest(
      protocol,
      exchange.requestBody as Buffer,
      featureNames ? { featureNames } : {},
    );
    if ('undecodable' in request) {
      this.#counts.undecodable++;
      return;
    }
    let scores: number[] | undefined;
    if (scoreFeature !== undefined && exchange.responseBody !== undefined) {
      const response = decodeResponse(protocol, exchange.responseBody, scoreOutput ? { scoreOutput } : {});
      if ('scores' in response && response.scores.length === request.rows.length) scores = response.scores;
    }
    this.#counts.decoded++;
    request.rows.forEach((row: FeatureRow, index) => {
      const counted: Record<string, number | string | null> = {};
      for (const name of this.#inputFeatures) counted[name] = driftValue(row[name]);
      if (scoreFeature !== undefined) counted[scoreFeature] = scores?.[index] ?? null;
      this.#accumulator.add(counted, exchange.at);
    });
  }

  /**
   * Closes the window at `end` (default now) into this replica's snapshot: the request counts since
   * the last close, which start again from zero, and the drift counts of the sliding window ending
   * at `end`. Settle first (`settled()`) so that every queued request is counted.
   */
  closeSnapshot(
    options: { replica?: string; end?: number; windowEnd?: number; final?: boolean } = {},
  ): WindowSnapshot {
    const end = options.end ?? this.#options.clock();
    // The window is the slices up to the last millisecond before `end`: rows from `end` minus the
    // window onwards.
    this.#accumulator.advanceTo(end - 1);
    const counts = { ...this.#counts, end };
    this.#counts = emptyCounts(end);
    return {
      kind: 'warden-window-snapshot',
      schemaVersion: 1,
      replica: options.replica ?? 'local',
      model: this.#options.model,
      version: this.#options.version,
      windowEnd: options.windowEnd ?? end,
      final: options.final ?? false,
      counts,
      drift: this.#accumulator.snapshot(),
    };
  }

  /** Closes the window at `end` (default now) and judges it alone: the in-process monitor. */
  closeWindow(end?: number): MonitorStatus {
    return this.statusOf([this.closeSnapshot(end === undefined ? {} : { end })]);
  }

  /**
   * Checks that a snapshot was counted for this version, on its baseline and window, and returns
   * its drift counts; throws WARDEN_ERR_MONITOR_INVALID_SNAPSHOT naming the replica otherwise.
   */
  accumulatorOf(snapshot: WindowSnapshot): DriftAccumulator {
    const source = `window snapshot of replica "${snapshot.replica}" for ${snapshot.model} version ${snapshot.version}`;
    if (snapshot.model !== this.#options.model || snapshot.version !== this.#options.version) {
      throw invalidSnapshot(
        source,
        `it is not about ${this.#options.model} version ${this.#options.version}`,
      );
    }
    let accumulator: DriftAccumulator;
    try {
      accumulator = DriftAccumulator.fromSnapshot(this.#options.baseline, snapshot.drift, source);
    } catch (error) {
      throw invalidSnapshot(source, error instanceof Error ? error.message : String(error));
    }
    if (
      accumulator.sliceMillis !== this.#accumulator.sliceMillis ||
      accumulator.windowSlices !== this.#accumulator.windowSlices
    ) {
      throw invalidSnapshot(
        source,
        `its window is ${accumulator.windowSlices} slices of ${accumulator.sliceMillis} ms, this monitor's ${this.#accumulator.windowSlices} of ${this.#accumulator.sliceMillis} ms; give every replica and the aggregator the same monitoring settings`,
      );
    }
    return accumulator;
  }

  /**
   * The status of one window from the snapshots of every replica that counted it: the request and
   * latency counts add, the drift accumulators merge slice by slice, and the drift is scored once
   * over the merged counts — exactly what one process seeing all the traffic would report.
   */
  statusOf(snapshots: readonly WindowSnapshot[]): MonitorStatus {
    const [first, ...rest] = snapshots.map((snapshot) => this.accumulatorOf(snapshot));
    if (first === undefined) throw new Error('LiveDrift.statusOf: no snapshots');
    for (const other of rest) first.merge(other);
    const counts = addWindowCounts(snapshots.map((snapshot) => snapshot.counts));
    first.advanceTo(counts.end - 1);
    const report = first.scores();
    const status: MonitorStatus = {
      window: {
        start: isoSeconds(counts.start),
        end: isoSeconds(counts.end),
        seconds: (counts.end - counts.start) / 1000,
      },
      requests: {
        total: counts.total,
        errors: counts.errors,
        errorRatio: counts.total === 0 ? null : counts.errors / counts.total,
        undecodable: counts.undecodable,
      },
      latency: {
        p50: histogramQuantile(requestDurationBuckets, counts.latency, 0.5),
        p95: histogramQuantile(requestDurationBuckets, counts.latency, 0.95),
        p99: histogramQuantile(requestDurationBuckets, counts.latency, 0.99),
      },
      features: this.#inputFeatures.map((name) => featureStatus(name, report)),
      prediction:
        this.#options.scoreFeature === undefined ? null : featureStatus(this.#options.scoreFeature, report),
      datasetDrift: null,
      sampling: {
        ratio: counts.eligible === 0 ? null : counts.queued / counts.eligible,
        decoded: counts.decoded,
      },
      replicas: new Set(snapshots.map((snapshot) => snapshot.replica)).size,
    };
    const judged = status.features.filter((f) => f.drifted !== null) as { drifted: boolean }[];
    if (judged.length > 0) {
      const overall = datasetDrift(judged, this.#options.driftShare);
      status.datasetDrift = {
        driftedShare: overall.driftedShare,
        driftShare: overall.driftShare,
        drifted: overall.datasetDrift,
      };
    }
    return status;
  }

  /** The window's status as sealed `monitor-status` evidence about the served version. */
  /** The window's `monitor-status` evidence; `slo`, the version's SLO statuses at its close, when it has SLOs. */
  monitorStatusEvidence(status: MonitorStatus, slo?: readonly SloStatus[]) {
    const passed = status.datasetDrift?.drifted !== true && status.prediction?.drifted !== true;
    return sealEvidence(
      {
        kind: 'monitor-status',
        subject: { type: 'model-version', name: this.#options.model, version: this.#options.version },
        inputs: [],
        passed,
        ...status,
        ...(slo === undefined || slo.length === 0 ? {} : { slo: [...slo] }),
      },
      new Date(Date.parse(status.window.end)),
    );
  }
}

function emptyCounts(start: number): WindowCounts {
  return {
    start,
    end: start,
    total: 0,
    errors: 0,
    undecodable: 0,
    decoded: 0,
    eligible: 0,
    queued: 0,
    latency: new Array<number>(requestDurationBuckets.length + 1).fill(0),
  };
}

/** A feature's drift as the status reports it: the score that decided, or PSI when none did. */
function featureStatus(name: string, report: DriftReport): FeatureStatus {
  const feature = report.features[name];
  if (feature === undefined) return { name, method: 'psi', score: null, threshold: 0, drifted: null };
  const method = feature.driftedOn[0] ?? report.judgedBy[0] ?? 'psi';
  const score = (
    feature as unknown as Record<string, { value: number | null; threshold: number } | undefined>
  )[method];
  return {
    name,
    method,
    score: score?.value ?? null,
    threshold: score?.threshold ?? 0,
    drifted: feature.drifted,
  };
}
