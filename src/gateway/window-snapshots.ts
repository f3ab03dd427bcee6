import { z } from 'zod';
import { requestDurationBuckets, WardenError } from '../core/index.js';
import type { DriftAccumulatorSnapshot } from '../drift/index.js';

/**
 * A window snapshot: what one gateway replica counted for one served version in one monitoring
 * window (docs/gateway.md, "Several replicas"). Counts only — request counters, latency bucket counts
 * and the drift accumulator's bucket counts per time slice — so snapshots of the same window add up
 * exactly, and no request value ever leaves the gateway.
 */
export interface WindowCounts {
  /** Epoch milliseconds: the window's start (inclusive) and end (exclusive). */
  start: number;
  end: number;
  total: number;
  errors: number;
  undecodable: number;
  decoded: number;
  /** Answered requests whose bodies could be decoded, and those of them queued for it. */
  eligible: number;
  queued: number;
  /** Counts per latency bucket (`requestDurationBuckets`, then +Inf). */
  latency: number[];
}

export interface WindowSnapshot {
  kind: 'warden-window-snapshot';
  schemaVersion: 1;
  /** The replica (gateway process) that counted it. */
  replica: string;
  model: string;
  version: string;
  /**
   * The wall-clock window the counts belong to: its end, a multiple of the window length since the
   * epoch. `counts.end` is earlier when the replica stopped before the window was over.
   */
  windowEnd: number;
  /** True when the replica stopped: it will send no more windows. */
  final: boolean;
  counts: WindowCounts;
  drift: DriftAccumulatorSnapshot;
}

const count = z.number().int().nonnegative();
const millis = z.number().int();
const snapshotSchema = z.strictObject({
  kind: z.literal('warden-window-snapshot'),
  schemaVersion: z.literal(1),
  replica: z.string().min(1).max(128),
  model: z.string().min(1).max(128),
  version: z.string().min(1).max(128),
  windowEnd: millis,
  final: z.boolean(),
  counts: z.strictObject({
    start: millis,
    end: millis,
    total: count,
    errors: count,
    undecodable: count,
    decoded: count,
    eligible: count,
    queued: count,
    latency: z.array(count).length(requestDurationBuckets.length + 1),
  }),
  // Checked in full against the version's baseline by DriftAccumulator.fromSnapshot.
  drift: z.looseObject({ kind: z.literal('drift-accumulator-snapshot') }),
});

export function invalidSnapshot(source: string, why: string): WardenError {
  return new WardenError(
    'WARDEN_ERR_MONITOR_INVALID_SNAPSHOT',
    `${source}: ${why}; only warden gateway replicas publish on the snapshot subjects`,
  );
}

/** Parses a snapshot message; the error names the field, never a value of the message. */
export function parseWindowSnapshot(data: Uint8Array | string, source: string): WindowSnapshot {
  let value: unknown;
  try {
    value = JSON.parse(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
  } catch {
    throw invalidSnapshot(source, 'not JSON');
  }
  const parsed = snapshotSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue === undefined || issue.path.length === 0 ? '(document)' : issue.path.join('.');
    throw invalidSnapshot(source, `not a window snapshot: ${path}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data as unknown as WindowSnapshot;
}

/** The counts of several replicas' snapshots of one window, added; the window spans all of theirs. */
export function addWindowCounts(counts: readonly WindowCounts[]): WindowCounts {
  const [first, ...rest] = counts;
  if (first === undefined) throw new Error('addWindowCounts: no counts to add');
  const sum: WindowCounts = { ...first, latency: [...first.latency] };
  for (const other of rest) {
    if (other.latency.length !== sum.latency.length) {
      throw new Error(
        `addWindowCounts: latency buckets differ (${other.latency.length} and ${sum.latency.length})`,
      );
    }
    sum.start = Math.min(sum.start, other.start);
    sum.end = Math.max(sum.end, other.end);
    sum.total += other.total;
    sum.errors += other.errors;
    sum.undecodable += other.undecodable;
    sum.decoded += other.decoded;
    sum.eligible += other.eligible;
    sum.queued += other.queued;
    other.latency.forEach((value, index) => {
      sum.latency[index] = (sum.latency[index] as number) + value;
    });
  }
  return sum;
}

/** The end of the wall-clock window holding `at`: the next multiple of the window length. */
export function alignedWindowEnd(at: number, windowSeconds: number): number {
  const length = windowSeconds * 1000;
  return (Math.floor(at / length) + 1) * length;
}
