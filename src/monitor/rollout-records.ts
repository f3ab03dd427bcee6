import { WardenError } from '../core/index.js';
import type { RuntimeTraffic } from '../policy/index.js';
import { liveRolloutStatuses, type RolloutRow } from '../store/index.js';

/** What a rollout is, as stored and as answered: its settings, checks, timing and records. */

export const rolloutStatuses = [
  'running',
  'paused',
  'awaiting-approval',
  'promoted',
  'rolled-back',
  'aborted',
] as const;
export type RolloutStatus = (typeof rolloutStatuses)[number];

export interface RolloutSettings {
  /** The canary's weight at each step, in percent, rising; the last is usually 100. */
  steps: number[];
  intervalSeconds: number;
  /** Failed checks that roll the canary back (Flagger's threshold). */
  threshold: number;
  /** Intervals in a row without enough requests that count as one failed check. */
  maxNoData: number;
  /** Fewest canary requests in an interval for the interval to be judged. */
  minRequests: number;
}

export const defaultRolloutSettings: RolloutSettings = {
  steps: [5, 10, 25, 50, 100],
  intervalSeconds: 60,
  threshold: 2,
  maxNoData: 3,
  minRequests: 20,
};

/** One interval's verdict. */
export interface RolloutCheck {
  at: string;
  step: number;
  weight: number;
  outcome: 'pass' | 'fail' | 'no-data';
  reason: string;
  decision: string | null;
  canary: TrafficSummary | null;
  stable: TrafficSummary | null;
  /** The end of the newest window read: the next check reads windows after it. */
  windowEnd: string | null;
}

interface TrafficSummary {
  requests: number;
  errorRatio: number | null;
  p99: number | null;
}

export interface RolloutRecord {
  id: string;
  model: string;
  version: string;
  stableVersion: string;
  status: RolloutStatus;
  settings: RolloutSettings;
  /** 1-based step, of settings.steps.length. */
  step: number;
  weight: number;
  failedChecks: number;
  noDataChecks: number;
  stepStartedAt: string;
  nextCheckAt: string | null;
  lastCheck: RolloutCheck | null;
  promotion: string | null;
  reason: string | null;
  startedAt: string;
  startedBy: string;
  finishedAt: string | null;
}

/**
 * One audit entry about a rollout: `rollout.started`, `rollout.check` (its details are a
 * `RolloutCheck` with `failedChecks` and `threshold`), `rollout.advanced`, `rollout.paused`, …
 */
export interface RolloutEvent {
  seq: number;
  at: string;
  actor: string;
  action: string;
  details: Record<string, unknown>;
}

/** A rollout with its history, oldest first. */
export interface RolloutHistory extends RolloutRecord {
  history: RolloutEvent[];
}

export interface RolloutRequest {
  model: string;
  version: string;
  /** Unset (or undefined) settings take the defaults. */
  settings?: { [K in keyof RolloutSettings]?: RolloutSettings[K] | undefined };
  comment?: string;
}

/** Time after an interval's end before it is judged, so the gateways' windows have arrived. */
export const graceMs = (intervalSeconds: number) => Math.min(intervalSeconds * 500, 5_000);

/**
 * How long attached gateways may take to route by a step's new weights: they read the routing
 * table every second by default. A step is judged on windows that began after it.
 */
export const weightSettleMs = 1000;

/** The end of the wall-clock-aligned interval holding `at` (gateway windows end on these). */
export const alignedEnd = (at: number, intervalSeconds: number) =>
  (Math.floor(at / (intervalSeconds * 1000)) + 1) * intervalSeconds * 1000;

/** The next check: the end of the next wall-clock-aligned interval, plus the grace. */
export function nextCheckAt(now: Date, intervalSeconds: number): string {
  return new Date(alignedEnd(now.getTime(), intervalSeconds) + graceMs(intervalSeconds)).toISOString();
}

export const summary = (traffic: RuntimeTraffic | null): TrafficSummary | null =>
  traffic === null
    ? null
    : { requests: traffic.requests.total, errorRatio: traffic.requests.errorRatio, p99: traffic.latency.p99 };

export function refused(message: string): WardenError {
  return new WardenError('WARDEN_ERR_RUNTIME_ROLLOUT_REFUSED', message);
}

export function checkSettings(settings: RolloutSettings): void {
  const { steps } = settings;
  const rising = steps.every((weight, index) => index === 0 || weight > (steps[index - 1] as number));
  if (
    steps.length === 0 ||
    steps.length > 20 ||
    !steps.every((w) => Number.isInteger(w) && w >= 1 && w <= 100) ||
    !rising
  ) {
    throw new WardenError(
      'WARDEN_ERR_RUNTIME_INVALID_ROLLOUT',
      `steps ${steps.join(',')} are not rising whole percentages from 1 to 100 (at most 20), such as 5,10,25,50,100`,
    );
  }
}

export function toRecord(row: RolloutRow): RolloutRecord {
  const settings = JSON.parse(row.settings) as RolloutSettings;
  const live = (liveRolloutStatuses as readonly string[]).includes(row.status);
  return {
    id: row.id,
    model: row.model_name,
    version: String(row.version),
    stableVersion: String(row.stable_version),
    status: row.status as RolloutStatus,
    settings,
    step: row.step_index + 1,
    weight: row.weight,
    failedChecks: row.failed_checks,
    noDataChecks: row.no_data_checks,
    stepStartedAt: row.step_started_at,
    nextCheckAt: live && row.status !== 'paused' ? row.next_check_at : null,
    lastCheck: row.last_check === null ? null : (JSON.parse(row.last_check) as RolloutCheck),
    promotion: row.promotion_id,
    reason: row.reason,
    startedAt: row.started_at,
    startedBy: row.started_by,
    finishedAt: row.finished_at,
  };
}
