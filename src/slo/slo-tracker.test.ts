import { describe, expect, it } from 'vitest';
import { isWardenError } from '../core/index.js';
import { parseSloDocuments, type SloDocument } from './slo-document.js';
import { SloTracker } from './slo-tracker.js';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const start = Date.UTC(2026, 0, 1);

function slo(name: string, indicator: object, period = '30d', objective = 99.9): SloDocument {
  const [document] = parseSloDocuments(
    {
      apiVersion: 'warden.dev/v1',
      kind: 'ServiceLevelObjective',
      metadata: { name },
      spec: { model: 'fraud-detector', objective, period, indicator },
    },
    'test',
  );
  return document as SloDocument;
}

/** `perMinute` requests a minute from `from` for `minutes`, `badShare` of them bad for the SLO's indicator. */
function traffic(
  tracker: SloTracker,
  version: string,
  from: number,
  minutes: number,
  perMinute: number,
  bad: (index: number) => boolean,
): void {
  for (let m = 0; m < minutes; m++) {
    for (let i = 0; i < perMinute; i++) {
      const failed = bad(i);
      tracker.record(
        version,
        { status: failed ? 502 : 200, seconds: failed ? 0.3 : 0.02 },
        from + m * minute + (i * minute) / perMinute,
      );
    }
  }
}

describe('SloTracker', () => {
  it('counts 5xx answers (the gateway’s own 502 and 504 too) against availability, and not 4xx', () => {
    const tracker = new SloTracker('fraud-detector', [slo('availability', { availability: {} })]);
    const at = start;
    for (const status of [200, 200, 404, 413, 500, 502, 504, 200, 200, 200]) {
      tracker.record('1', { status, seconds: 0.01 }, at);
    }
    const [status] = tracker.status('1', at);
    // 3 bad of 10 with a 0.1% budget: burn 300, the budget overspent 299 times.
    expect(status?.burnRates['5m']).toBeCloseTo(300, 9);
    expect(status?.budgetRemaining).toBeCloseTo(-299, 9);
    expect(status?.alert).toBe('page');
  });

  it('counts answers slower than le against latency; exactly le is good', () => {
    const tracker = new SloTracker('fraud-detector', [slo('latency', { latency: { le: 0.1 } }, '30d', 95)]);
    for (const seconds of [0.01, 0.1, 0.100001, 2]) tracker.record('1', { status: 500, seconds }, start);
    expect(tracker.status('1', start)[0]?.burnRates['1h']).toBeCloseTo(0.5 / 0.05, 9);
  });

  it('pages on a fast burn and tickets on a slow one, as the workbook’s windows say', () => {
    const fast = new SloTracker('fraud-detector', [slo('availability', { availability: {} })]);
    // Two hours of healthy traffic, then 2% errors (burn 20) for ten minutes.
    traffic(fast, '1', start, 120, 100, () => false);
    traffic(fast, '1', start + 120 * minute, 10, 100, (i) => i % 50 === 0);
    const [paged] = fast.status('1', start + 130 * minute - 1);
    expect(paged?.burnRates['5m']).toBeCloseTo(20, 6);
    // 1 h: 50 minutes healthy, 10 at 2% → 20 × 10/60.
    expect(paged?.burnRates['1h']).toBeGreaterThan(3);
    expect(paged?.burnRates['1h']).toBeLessThan(14.4);
    // Not yet a page; but 1.5× over 3 d (all it has seen) and 6 h is already a ticket.
    expect(paged?.alert).toBe('ticket');
    traffic(fast, '1', start + 130 * minute, 50, 100, (i) => i % 50 === 0);
    expect(fast.status('1', start + 180 * minute - 1)[0]?.alert).toBe('page');

    const slow = new SloTracker('fraud-detector', [slo('availability', { availability: {} })]);
    // 0.4% errors (burn 4) for a day: ticket (3× over 1 d and 2 h), not page (6× over 6 h).
    traffic(slow, '1', start, 24 * 60, 250, (i) => i % 250 === 0);
    const [ticket] = slow.status('1', start + day - 1);
    expect(ticket?.burnRates['1d']).toBeCloseTo(4, 6);
    expect(ticket?.alert).toBe('ticket');
  });

  it('reports a version, or the whole model over every version', () => {
    const tracker = new SloTracker('fraud-detector', [slo('availability', { availability: {} })]);
    traffic(tracker, '1', start, 10, 100, () => false);
    traffic(tracker, '2', start, 10, 100, (i) => i % 10 === 0);
    const at = start + 10 * minute - 1;
    expect(tracker.status('1', at)[0]?.burnRates['30m']).toBe(0);
    expect(tracker.status('2', at)[0]?.burnRates['30m']).toBeCloseTo(100, 9);
    expect(tracker.status(undefined, at)[0]?.burnRates['30m']).toBeCloseTo(50, 9);
    expect(tracker.status('3', at)[0]).toMatchObject({ budgetRemaining: 1, alert: null });
    expect(tracker.status('3', at)[0]?.burnRates['5m']).toBeNull();
  });

  it('forgets what left its windows and its period, in memory that does not grow', () => {
    const tracker = new SloTracker('fraud-detector', [slo('availability', { availability: {} }, '1h')]);
    // A 1-hour period: windows 417 ms … 6 min.
    expect(Object.keys(tracker.status('1', start)[0]?.burnRates ?? {})).toEqual([
      '417ms',
      '2500ms',
      '5s',
      '10s',
      '30s',
      '2m',
      '6m',
    ]);
    for (let i = 0; i < 600; i++) tracker.record('1', { status: 500, seconds: 0.01 }, start + i * 100);
    const statusAfter = (ms: number) => tracker.status('1', start + 60_000 + ms)[0];
    expect(statusAfter(0)?.burnRates['5s']).toBeCloseTo(1000, 9);
    expect(statusAfter(10_000)?.burnRates['5s']).toBeNull();
    expect(statusAfter(10_000)?.burnRates['2m']).toBeCloseTo(1000, 9);
    expect(statusAfter(10_000)?.budgetRemaining).toBeCloseTo(-999, 9);
    expect(statusAfter(10 * minute)?.burnRates['6m']).toBeNull();
    // Past the period the budget is whole again.
    tracker.record('1', { status: 200, seconds: 0.01 }, start + 2 * hour);
    expect(tracker.status('1', start + 2 * hour)[0]?.budgetRemaining).toBe(1);
    // An answer older than the rings remember is dropped, not counted into a newer bucket.
    tracker.record('1', { status: 500, seconds: 0.01 }, start);
    expect(tracker.status('1', start + 2 * hour)[0]?.budgetRemaining).toBe(1);
  });

  it('refuses an SLO of another model', () => {
    try {
      new SloTracker('credit-risk', [slo('availability', { availability: {} })]);
      expect.unreachable();
    } catch (error) {
      expect(isWardenError(error) && error.code).toBe('WARDEN_ERR_SLO_INVALID');
    }
  });
});
