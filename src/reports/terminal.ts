import {
  defaultHeadings,
  type ReportRow,
  type ReportTable,
  type ReportView,
  type RowStatus,
  rowsWorstFirst,
} from './report-view.js';
import { pad } from './text-layout.js';

export interface TerminalOptions {
  color: boolean;
  /** Show passing rows too (otherwise they are counted in one line). */
  verbose: boolean;
}

const labels: Record<RowStatus, string> = {
  fail: '✗ FAIL',
  warn: '! WARN',
  info: 'i INFO',
  pass: '✓ PASS',
  skip: '- SKIP',
};
const colors: Record<RowStatus, string> = { fail: '31', warn: '33', info: '36', pass: '32', skip: '2' };

function paint(text: string, code: string, enabled: boolean): string {
  return enabled ? `\u001b[${code}m${text}\u001b[0m` : text;
}

function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** A readable report for a terminal: worst rows first, columns aligned. */
export function renderTerminal(view: ReportView, options: TerminalOptions): string {
  const lines: string[] = [paint(view.title, '1', options.color)];
  for (const [name, value] of view.facts) lines.push(`  ${pad(name, 9)} ${value}`);
  lines.push('');
  const shown = rowsWorstFirst(view.rows).filter((row) => options.verbose || row.status !== 'pass');
  const hiddenPasses =
    view.rows.filter((row) => row.status === 'pass').length -
    shown.filter((row) => row.status === 'pass').length;
  const cells = (row: ReportRow) => [
    clip(row.id, 44),
    clip(row.target, 18),
    clip(row.metric, 26),
    row.measured,
    row.expected,
  ];
  const headings = view.headings ?? defaultHeadings;
  const widths = [0, 1, 2, 3, 4].map((index) =>
    Math.max(...shown.map((row) => cells(row)[index]?.length ?? 0), headings[index]?.length ?? 0),
  );
  if (shown.length > 0) {
    const header = headings.map((name, index) => pad(name, widths[index] ?? 0));
    lines.push(paint(`  ${pad('', 6)}  ${header.join('  ')}  detail`, '2', options.color));
    for (const row of shown) {
      const text = cells(row)
        .map((cell, index) => pad(cell, widths[index] ?? 0))
        .join('  ');
      lines.push(
        `  ${paint(labels[row.status], colors[row.status], options.color)}  ${text}  ${row.detail}`.trimEnd(),
      );
    }
  }
  if (hiddenPasses > 0)
    lines.push(paint(`  ✓ ${hiddenPasses} more passed (--verbose lists them)`, '32', options.color));
  for (const table of view.tables ?? []) lines.push('', ...renderTable(table, options));
  lines.push('');
  const words = view.verdicts ?? { passed: 'PASSED', failed: 'FAILED' };
  const verdict = view.passed
    ? paint(words.passed, '1;32', options.color)
    : paint(words.failed, '1;31', options.color);
  lines.push(`${verdict}  ${view.summary}`);
  return `${lines.join('\n')}\n`;
}

function renderTable(table: ReportTable, options: TerminalOptions): string[] {
  const limit = options.verbose
    ? Number.POSITIVE_INFINITY
    : (table.terminalLimit ?? Number.POSITIVE_INFINITY);
  const rows = table.rows.slice(0, limit);
  const widths = table.columns.map((name, index) =>
    Math.max(name.length, ...rows.map((row) => row[index]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    `  ${cells.map((cell, index) => pad(cell, widths[index] ?? 0)).join('  ')}`.trimEnd();
  const hidden = table.rows.length - rows.length;
  return [
    paint(table.title, '1', options.color),
    paint(line(table.columns), '2', options.color),
    ...rows.map(line),
    ...(hidden > 0 ? [paint(`  … ${hidden} more (--verbose lists them)`, '2', options.color)] : []),
  ];
}
