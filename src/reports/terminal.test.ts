import { describe, expect, it } from 'vitest';
import { renderMarkdown, renderStepSummary } from './markdown.js';
import type { ReportView } from './report-view.js';
import { renderTerminal } from './terminal.js';

const view: ReportView = {
  title: 'Data check: credit',
  subject: 'credit',
  passed: false,
  summary: '2 checks: 1 passed, 1 failed',
  facts: [['file', 'credit.csv']],
  rows: [
    {
      status: 'pass',
      id: 'credit.Age.nulls',
      target: 'Age',
      metric: 'nullValues',
      measured: '0',
      expected: '0',
      detail: '',
    },
    {
      status: 'fail',
      id: 'credit.Age.max',
      target: 'Age',
      metric: 'maximum',
      measured: '130',
      expected: '≤ 100',
      detail: '3 rows',
    },
  ],
};

const ansiEscape = String.fromCharCode(27);

describe('renderTerminal', () => {
  it('paints only when asked to, and lists passes only when verbose', () => {
    const plain = renderTerminal(view, { color: false, verbose: false });
    expect(plain).not.toContain('\u001b[');
    expect(plain).toContain('✗ FAIL  credit.Age.max');
    expect(plain).toContain('✓ 1 more passed (--verbose lists them)');
    expect(plain.trimEnd().split('\n').at(-1)).toBe('FAILED  2 checks: 1 passed, 1 failed');

    const painted = renderTerminal(view, { color: true, verbose: true });
    expect(painted).toContain('\u001b[31m✗ FAIL\u001b[0m');
    expect(painted).toContain('credit.Age.nulls');
    expect(painted.replaceAll(new RegExp(`${ansiEscape}\\[[0-9;]*m`, 'g'), '')).toBe(
      renderTerminal(view, { color: false, verbose: true }),
    );
  });
});

describe('renderStepSummary', () => {
  it('is the Markdown report followed by a blank line', () => {
    expect(renderStepSummary(view)).toBe(`${renderMarkdown(view)}\n`);
    expect(renderMarkdown(view)).toContain('**Failed** — 2 checks: 1 passed, 1 failed');
  });
});
