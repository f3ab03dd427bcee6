import { sealEvidence } from '../core/index.js';
import { DriftAccumulator, type DriftBaseline, type DriftReport, datasetDrift } from '../drift/index.js';
import {
  decodeRequest,
  decodeResponse,
  type FeatureRow,
  type FeatureValue,
  type InferenceProtocol,
} from './protocols.js';

/**
 * Live drift of one served model version (docs/gateway.md, "Live drift"): the gateway hands every
 * answered request to `observe`, which only queues it; decoding the bodies into feature rows and
 * scores, and counting them against the version's baseline, happens later, off the request path.
 * When the queue is full a request is still counted (requests, errors, latency) but its bodies are
 * not decoded: the share decoded is `sampling.ratio`. Each window closes into a `monitor-status`
 * evidence document.
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

/** The buckets (seconds) of the latency histogram the window's quantiles are read from. */
export const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

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
  #windowStart: number;
  #total = 0;
  #errors = 0;
  #undecodable = 0;
  #decoded = 0;
  /** Answered requests whose bodies could be decoded, and those of them queued for it. */
  #eligible = 0;
  #queued = 0;
  #latency = new Array<number>(latencyBuckets.length + 1).fill(0);
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
    this.#windowStart = this.#options.clock();
  }

  /** Counts the exchange at once, and queues its bodies for decoding unless the queue is full. */
  observe(exchange: ObservedExchange): void {
    this.#total++;
    if (exchange.status >= 500) this.#errors++;
    let bucket = 0;
    while (bucket < latencyBuckets.length && exchange.seconds > (latencyBuckets[bucket] as number)) bucket++;
    this.#latency[bucket] = (this.#latency[bucket] as number) + 1;
    if (exchange.status >= 400 || exchange.requestBody === undefined) return;
    this.#eligible++;
    if (this.#queue.length >= this.#options.queueLimit) return;
    this.#queued++;
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
      this.#undecodable++;
      return;
    }
    let scores: number[] | undefined;
    if (scoreFeature !== undefined && exchange.responseBody !== undefined) {
      const response = decodeResponse(protocol, exchange.responseBody, scoreOutput ? { scoreOutput } : {});
      if ('scores' in response && response.scores.length === request.rows.length) scores = response.scores;
    }
    this.#decoded++;
    request.rows.forEach((row: FeatureRow, index) => {
      const counted: Record<string, number | string | null> = {};
      for (const name of this.#inputFeatures) counted[name] = driftValue(row[name]);
      if (scoreFeature !== undefined) counted[scoreFeature] = scores?.[index] ?? null;
      this.#accumulator.add(counted, exchange.at);
    });
  }

  /**
   * Closes the window: the status over the sliding window ending now, and the request counts since
   * the last close; those counts start again from zero.
   */
  closeWindow(): MonitorStatus {
    const now = this.#options.clock();
    // The window is the slices up to the last millisecond before `now`: rows from `now` minus the
    // window onwards.
    this.#accumulator.advanceTo(now - 1);
    const report = this.#accumulator.scores();
    const status: MonitorStatus = {
      window: {
        start: isoSeconds(this.#windowStart),
        end: isoSeconds(now),
        seconds: (now - this.#windowStart) / 1000,
      },
      requests: {
        total: this.#total,
        errors: this.#errors,
        errorRatio: this.#total === 0 ? null : this.#errors / this.#total,
        undecodable: this.#undecodable,
      },
      latency: {
        p50: histogramQuantile(latencyBuckets, this.#latency, 0.5),
        p95: histogramQuantile(latencyBuckets, this.#latency, 0.95),
        p99: histogramQuantile(latencyBuckets, this.#latency, 0.99),
      },
      features: this.#inputFeatures.map((name) => featureStatus(name, report)),
      prediction:
        this.#options.scoreFeature === undefined ? null : featureStatus(this.#options.scoreFeature, report),
      datasetDrift: null,
      sampling: {
        ratio: this.#eligible === 0 ? null : this.#queued / this.#eligible,
        decoded: this.#decoded,
      },
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
    this.#windowStart = now;
    this.#total = 0;
    this.#errors = 0;
    this.#undecodable = 0;
    this.#decoded = 0;
    this.#eligible = 0;
    this.#queued = 0;
    this.#latency.fill(0);
    return status;
  }

  /** The window's status as sealed `monitor-status` evidence about the served version. */
  monitorStatusEvidence(status: MonitorStatus) {
    const passed = status.datasetDrift?.drifted !== true && status.prediction?.drifted !== true;
    return sealEvidence(
      {
        kind: 'monitor-status',
        subject: { type: 'model-version', name: this.#options.model, version: this.#options.version },
        inputs: [],
        passed,
        ...status,
      },
      new Date(Date.parse(status.window.end)),
    );
  }
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
