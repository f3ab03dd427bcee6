/**
 * Error budgets and burn rates, after the Google SRE workbook, chapter 5 "Alerting on SLOs"
 * (multiwindow, multi-burn-rate alerts). A burn rate of 1 spends the budget exactly over the period;
 * 14.4 spends 2% of a 30-day budget in one hour.
 */

/** The period the workbook's windows are written for; other periods scale every window by period / 30d. */
export const workbookPeriodMs = 30 * 86_400_000;

export type AlertSeverity = 'page' | 'ticket';

/** A window of the alert conditions: its length and its name, a duration Prometheus reads (`5m`, `1d`, `417ms`). */
export interface BurnWindow {
  name: string;
  ms: number;
}

/** Fire when the burn rate is above `burnRate` over both the long and the short window. */
export interface AlertCondition {
  severity: AlertSeverity;
  burnRate: number;
  long: BurnWindow;
  short: BurnWindow;
}

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

/** The workbook's table for a 30-day period: the short window is 1/12 of the long one. */
const workbookConditions: readonly {
  severity: AlertSeverity;
  burnRate: number;
  long: number;
  short: number;
}[] = [
  { severity: 'page', burnRate: 14.4, long: hour, short: 5 * minute },
  { severity: 'page', burnRate: 6, long: 6 * hour, short: 30 * minute },
  { severity: 'ticket', burnRate: 3, long: day, short: 2 * hour },
  { severity: 'ticket', burnRate: 1, long: 3 * day, short: 6 * hour },
];

/** The alert conditions of an SLO with this period: the workbook's burn rates, its windows scaled. */
export function alertConditions(periodMs: number): AlertCondition[] {
  const scaled = (ms: number): BurnWindow => {
    const length = Math.max(1, Math.round((ms * periodMs) / workbookPeriodMs));
    return { name: durationName(length), ms: length };
  };
  return workbookConditions.map((condition) => ({
    severity: condition.severity,
    burnRate: condition.burnRate,
    long: scaled(condition.long),
    short: scaled(condition.short),
  }));
}

/** Every window the conditions use, once each, shortest first. */
export function burnWindows(conditions: readonly AlertCondition[]): BurnWindow[] {
  const byLength = new Map<number, BurnWindow>();
  for (const { long, short } of conditions) {
    byLength.set(long.ms, long);
    byLength.set(short.ms, short);
  }
  return [...byLength.values()].sort((a, b) => a.ms - b.ms);
}

/**
 * The share of requests allowed to be bad: 1 − objective/100, to 12 significant digits so that
 * 99.9 gives 0.001 and not 0.0010000000000000009.
 */
export function errorBudget(objectivePercent: number): number {
  return Number(((100 - objectivePercent) / 100).toPrecision(12));
}

/** (bad / total) / budget over a window; null when the window saw no request. */
export function burnRate(bad: number, total: number, budget: number): number | null {
  return total === 0 ? null : bad / total / budget;
}

/**
 * The share of the period's budget not spent yet: 1 − (bad / total) / budget, 1 when nothing was
 * served. Negative once the period's bad share is above the budget (overspent by that much).
 */
export function budgetRemaining(bad: number, total: number, budget: number): number {
  return total === 0 ? 1 : 1 - bad / total / budget;
}

/** The share of the period's budget a burn rate spends over a window, at steady traffic. */
export function budgetSpent(rate: number, windowMs: number, periodMs: number): number {
  return (rate * windowMs) / periodMs;
}

/** The most severe condition that holds for these burn rates (by window name), or null. */
export function firingAlert(
  conditions: readonly AlertCondition[],
  burnRates: Readonly<Record<string, number | null>>,
): AlertSeverity | null {
  const above = (window: BurnWindow, threshold: number) => {
    const rate = burnRates[window.name];
    return rate !== null && rate !== undefined && rate > threshold;
  };
  const holds = conditions.filter(
    (condition) => above(condition.long, condition.burnRate) && above(condition.short, condition.burnRate),
  );
  if (holds.some((condition) => condition.severity === 'page')) return 'page';
  return holds.length > 0 ? 'ticket' : null;
}

const units: readonly [string, number][] = [
  ['d', day],
  ['h', hour],
  ['m', minute],
  ['s', 1000],
];

/** Milliseconds as one duration in the largest unit that divides them (`5m`, `1d`, `2500ms`). */
export function durationName(ms: number): string {
  for (const [unit, size] of units) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
