import type { PolicyTestReport } from '../policy/index.js';
import type { ReportView } from './report-view.js';

/** Policy test results as a report: one row per case; the coverage table lists untested denials. */
export function policyTestView(report: PolicyTestReport, source: string, revision: string): ReportView {
  const { summary } = report;
  const neverFailed = report.coverage.filter((entry) => !entry.failSeen);
  const neverPassed = report.coverage.filter((entry) => !entry.passSeen);
  const covered = report.coverage.length - new Set([...neverFailed, ...neverPassed]).size;
  return {
    title: `Policy tests: ${source}`,
    subject: 'policy-test',
    passed: summary.failed === 0,
    summary: `${summary.total} case${summary.total === 1 ? '' : 's'}: ${summary.passed} passed, ${summary.failed} failed${summary.skipped ? `, ${summary.skipped} skipped` : ''}; ${covered} of ${report.coverage.length} validations seen both passing and failing`,
    facts: [
      ['policies', `${source} revision ${revision}`],
      ['cases', `${summary.total}`],
    ],
    rows: report.cases.map((result) => ({
      status: result.status,
      id: result.name,
      target: result.suite,
      metric: result.file,
      measured: result.status,
      expected: `${result.durationMs.toFixed(2)} ms`,
      detail: result.problems.join('; '),
    })),
    headings: ['case', 'suite', 'file', 'result', 'time'],
    tables:
      neverFailed.length + neverPassed.length > 0
        ? [
            {
              title: 'Coverage gaps: validations no test case saw both pass and fail',
              columns: ['policy/validation', 'seen passing', 'seen failing'],
              rows: [...new Set([...neverFailed, ...neverPassed])].map((entry) => [
                `${entry.policy}/${entry.validation}`,
                entry.passSeen ? 'yes' : 'no',
                entry.failSeen ? 'yes' : 'no',
              ]),
              terminalLimit: 20,
            },
          ]
        : [],
  };
}
