import {
  defaultHeadings,
  type ReportRow,
  type ReportView,
  type RowHeadings,
  type RowStatus,
  rowsWorstFirst,
  verdictWord,
} from './report-view.js';

const icons: Record<RowStatus, string> = { fail: '❌', warn: '⚠️', info: 'ℹ️', pass: '✅', skip: '⏭️' };

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function table(rows: ReportRow[], headings: RowHeadings): string[] {
  return [
    `| | ${headings.join(' | ')} | detail |`,
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${icons[row.status]} | \`${cell(row.id)}\` | ${cell(row.target)} | ${cell(row.metric)} | ${cell(row.measured)} | ${cell(row.expected)} | ${cell(row.detail)} |`,
    ),
  ];
}

/** A Markdown summary for CI pages (GitHub's step summary): problems in a table, passes folded away. */
export function renderMarkdown(view: ReportView): string {
  const rows = rowsWorstFirst(view.rows);
  const problems = rows.filter((row) => row.status !== 'pass');
  const passes = rows.filter((row) => row.status === 'pass');
  const lines = [
    `### ${view.passed ? '✅' : '❌'} ${cell(view.title)}`,
    '',
    `**${verdictWord(view)}** — ${view.summary}`,
    '',
    ...view.facts.map(([name, value]) => `- **${name}**: ${cell(value)}`),
    '',
  ];
  const headings = view.headings ?? defaultHeadings;
  if (problems.length > 0) lines.push(...table(problems, headings), '');
  if (passes.length > 0) {
    lines.push(
      `<details><summary>${passes.length} checks passed</summary>`,
      '',
      ...table(passes, headings),
      '',
      '</details>',
      '',
    );
  }
  for (const extra of view.tables ?? []) {
    lines.push(
      `**${cell(extra.title)}**`,
      '',
      `| ${extra.columns.map(cell).join(' | ')} |`,
      `|${extra.columns.map(() => '---').join('|')}|`,
      ...extra.rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
      '',
    );
  }
  return lines.join('\n');
}

/**
 * What a run appends to GitHub Actions' step summary ($GITHUB_STEP_SUMMARY): the Markdown report
 * and a blank line, so that the reports of several steps stay apart.
 */
export function renderStepSummary(view: ReportView): string {
  return `${renderMarkdown(view)}\n`;
}
