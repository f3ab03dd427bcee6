/**
 * What every check report shows, whatever the check: the renderers (terminal, JUnit, Markdown)
 * draw this, and each kind of evidence has an adapter that builds it.
 */
export type RowStatus = 'pass' | 'fail' | 'warn' | 'info' | 'skip';

export interface ReportRow {
  status: RowStatus;
  /** Stable id of the check, e.g. `credit_data.Age.maximum`. */
  id: string;
  /** What was checked, e.g. the column. */
  target: string;
  metric: string;
  measured: string;
  expected: string;
  /** Why it failed or what it found, in words; samples included. */
  detail: string;
}

/** A table of measurements shown after the checks (e.g. metrics by group). */
export interface ReportTable {
  title: string;
  columns: string[];
  rows: string[][];
  /** Rows past this many are left out of the terminal unless --verbose. */
  terminalLimit?: number;
}

/** The names of the five row columns; the defaults suit data checks. */
export const defaultHeadings: RowHeadings = ['check', 'column', 'metric', 'measured', 'expected'];
export type RowHeadings = [string, string, string, string, string];

export interface ReportView {
  title: string;
  subject: string;
  passed: boolean;
  /** One line: `40 checks: 37 passed, 2 failed, 1 warning` */
  summary: string;
  facts: [string, string][];
  rows: ReportRow[];
  headings?: RowHeadings;
  tables?: ReportTable[];
  /** The words of the verdict line; PASSED / FAILED unless a gate says ALLOWED / DENIED. */
  verdicts?: { passed: string; failed: string };
}

/** The verdict as a word for prose: `Allowed by default`, `Passed`. */
export function verdictWord(view: ReportView): string {
  const word = view.passed ? (view.verdicts?.passed ?? 'passed') : (view.verdicts?.failed ?? 'failed');
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}

const order: Record<RowStatus, number> = { fail: 0, warn: 1, info: 2, pass: 3, skip: 4 };

/** Failures first, then warnings, then the rest, keeping the check order inside each group. */
export function rowsWorstFirst(rows: readonly ReportRow[]): ReportRow[] {
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => order[a.row.status] - order[b.row.status] || a.index - b.index)
    .map(({ row }) => row);
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });

/** A count with thousands separators, or a measurement to four decimals. */
export function formatNumber(value: number): string {
  return Number.isInteger(value) ? integer.format(value) : decimal.format(value);
}
