/**
 * A drifted holdout of the credit-risk example, for the drift demo: the same kind of applicants a
 * few years on, when applicants are older and earn more. Deterministic: the same input gives the
 * same output on every machine.
 *
 * - 2,000 rows drawn without replacement from the input (seeded mulberry32 shuffle), so that the
 *   untouched columns differ from the reference only by sampling;
 * - Age: +8 years (the ages move up; the column's standard deviation is about 11 years);
 * - Income: × 1.4, rounded to whole units (missing values, NA, stay missing).
 */
import { mulberry32 } from '../../core/index.js';

export const driftedHoldoutRows = 2000;
export const ageShiftYears = 8;
export const incomeFactor = 1.4;
const seed = 20_260_611;

export function driftedHoldout(csvText: string): string {
  const [header = '', ...records] = csvText.trimEnd().split(/\r?\n/);
  const columns = header.split(',').map((name) => name.replaceAll('"', ''));
  const age = columns.indexOf('Age');
  const income = columns.indexOf('Income');
  if (age === -1 || income === -1) {
    throw new Error('driftedHoldout: the credit-risk CSV needs the columns Age and Income');
  }
  const random = mulberry32(seed);
  const order = records.map((_, index) => index);
  for (let index = order.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other] as number, order[index] as number];
  }
  const shift = (field: string | undefined, change: (value: number) => number): string => {
    const value = Number(field);
    return field === undefined || field.trim() === '' || !Number.isFinite(value)
      ? (field ?? '')
      : String(change(value));
  };
  const rows = order.slice(0, driftedHoldoutRows).map((index) => {
    const fields = (records[index] as string).split(',');
    fields[age] = shift(fields[age], (value) => value + ageShiftYears);
    fields[income] = shift(fields[income], (value) => Math.round(value * incomeFactor));
    return fields.join(',');
  });
  return `${[header, ...rows].join('\n')}\n`;
}
