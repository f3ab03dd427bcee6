import { describe, expect, it } from 'vitest';
import {
  alertConditions,
  budgetRemaining,
  budgetSpent,
  burnRate,
  burnWindows,
  durationName,
  errorBudget,
  firingAlert,
  workbookPeriodMs,
} from './burn-rate.js';

const hour = 3_600_000;

describe('the workbook’s multiwindow, multi-burn-rate conditions', () => {
  const conditions = alertConditions(workbookPeriodMs);

  it('are the workbook’s table for a 30-day period', () => {
    expect(
      conditions.map(({ severity, burnRate, long, short }) => [severity, burnRate, long.name, short.name]),
    ).toEqual([
      ['page', 14.4, '1h', '5m'],
      ['page', 6, '6h', '30m'],
      ['ticket', 3, '1d', '2h'],
      ['ticket', 1, '3d', '6h'],
    ]);
    expect(burnWindows(conditions).map((window) => window.name)).toEqual([
      '5m',
      '30m',
      '1h',
      '2h',
      '6h',
      '1d',
      '3d',
    ]);
  });

  it('spend the workbook’s share of the budget over their long window', () => {
    // Workbook ch. 5, table 5-8: 2% in 1 h, 5% in 6 h, 10% in 1 d, 10% in 3 d.
    const spent = conditions.map(({ burnRate, long }) => budgetSpent(burnRate, long.ms, workbookPeriodMs));
    expect(spent[0]).toBeCloseTo(0.02, 12);
    expect(spent[1]).toBeCloseTo(0.05, 12);
    expect(spent[2]).toBeCloseTo(0.1, 12);
    expect(spent[3]).toBeCloseTo(0.1, 12);
  });

  it('scale every window with the period, keeping the burn rates', () => {
    const oneHour = alertConditions(hour);
    expect(oneHour.map(({ burnRate }) => burnRate)).toEqual([14.4, 6, 3, 1]);
    // 1 h / 30 d = 1/720: 1 h → 5 s, 5 m → 417 ms, 3 d → 6 m.
    expect(oneHour[0]?.long).toEqual({ name: '5s', ms: 5000 });
    expect(oneHour[0]?.short).toEqual({ name: '417ms', ms: 417 });
    expect(oneHour[3]?.long).toEqual({ name: '6m', ms: 360_000 });
    const sevenDays = alertConditions(7 * 24 * hour);
    expect(sevenDays[0]?.long.name).toBe('14m');
    // A 1-day budget burnt at 14.4× over its long window still spends 2% of it.
    const [page] = alertConditions(24 * hour);
    expect(budgetSpent(page?.burnRate ?? 0, page?.long.ms ?? 0, 24 * hour)).toBeCloseTo(0.02, 4);
  });
});

describe('error budget and burn rate', () => {
  it('are the budget share the bad requests use', () => {
    expect(errorBudget(99.9)).toBe(0.001);
    expect(errorBudget(95)).toBe(0.05);
    // Workbook: a 99.9% SLO alerting at 14.4× fires at an error ratio of 1.44%.
    expect(burnRate(144, 10_000, errorBudget(99.9))).toBeCloseTo(14.4, 12);
    expect(burnRate(0, 0, 0.001)).toBeNull();
    expect(budgetRemaining(0, 0, 0.001)).toBe(1);
    expect(budgetRemaining(5, 10_000, 0.001)).toBeCloseTo(0.5, 12);
    // Overspent: twice the budget leaves −1.
    expect(budgetRemaining(20, 10_000, 0.001)).toBeCloseTo(-1, 12);
  });

  it('fire the most severe condition that holds over both of its windows', () => {
    const conditions = alertConditions(workbookPeriodMs);
    const rates = (values: Record<string, number | null>) => ({
      '5m': null,
      '30m': null,
      '1h': null,
      '2h': null,
      '6h': null,
      '1d': null,
      '3d': null,
      ...values,
    });
    expect(firingAlert(conditions, rates({ '1h': 15, '5m': 15 }))).toBe('page');
    // The long window alone (a burst that ended) does not page.
    expect(firingAlert(conditions, rates({ '1h': 15, '5m': 2 }))).toBeNull();
    expect(firingAlert(conditions, rates({ '6h': 7, '30m': 7, '1d': 7, '2h': 7 }))).toBe('page');
    expect(firingAlert(conditions, rates({ '1d': 4, '2h': 4, '6h': 4, '30m': 4 }))).toBe('ticket');
    expect(firingAlert(conditions, rates({ '3d': 1.5, '6h': 1.5 }))).toBe('ticket');
    // "Above", as the workbook's `>`: exactly at the threshold does not fire.
    expect(firingAlert(conditions, rates({ '3d': 1, '6h': 1 }))).toBeNull();
  });
});

describe('durationName', () => {
  it('writes the largest unit that divides the length', () => {
    expect(durationName(300_000)).toBe('5m');
    expect(durationName(86_400_000 * 3)).toBe('3d');
    expect(durationName(90_000)).toBe('90s');
    expect(durationName(2500)).toBe('2500ms');
  });
});
