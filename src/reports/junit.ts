import { type ReportView, verdictWord } from './report-view.js';

function escapeXml(text: string): string {
  return (
    text
      .replaceAll('&', '&amp;')
      .replaceAll('<', '&lt;')
      .replaceAll('>', '&gt;')
      .replaceAll('"', '&quot;')
      .replaceAll("'", '&apos;')
      // XML 1.0 cannot carry most control characters, even escaped.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
      .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD]/gu, '')
  );
}

/**
 * JUnit XML, one test case per check: failures as <failure>, warnings and rules that were not run
 * as <skipped> (as datacontract-cli does), so CI systems show them without failing the build.
 */
export function renderJunit(view: ReportView, timestamp: string): string {
  const failures = view.rows.filter((row) => row.status === 'fail').length;
  const skipped = view.rows.filter((row) => row.status === 'warn' || row.status === 'skip').length;
  const cases = view.rows.map((row) => {
    const message = `${row.metric}: measured ${row.measured}, expected ${row.expected}${row.detail ? ` — ${row.detail}` : ''}`;
    const open = `    <testcase classname="${escapeXml(view.subject)}.${escapeXml(row.target)}" name="${escapeXml(row.id)}">`;
    if (row.status === 'fail') {
      return `${open}\n      <failure type="${escapeXml(row.metric)}" message="${escapeXml(message)}">${escapeXml(message)}</failure>\n    </testcase>`;
    }
    if (row.status === 'warn' || row.status === 'skip') {
      return `${open}\n      <skipped message="${escapeXml(`${row.status === 'warn' ? 'warning' : 'not run'}: ${row.status === 'warn' ? message : row.detail}`)}"/>\n    </testcase>`;
    }
    // Information rows (a gate's default, an audit-only finding) keep their words in the report.
    if (row.status === 'info' && row.detail) {
      return `${open}\n      <system-out>${escapeXml(row.detail)}</system-out>\n    </testcase>`;
    }
    return `${open}</testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="warden" tests="${view.rows.length}" failures="${failures}" skipped="${skipped}">`,
    `  <testsuite name="${escapeXml(view.title)}" tests="${view.rows.length}" failures="${failures}" errors="0" skipped="${skipped}" timestamp="${escapeXml(timestamp)}">`,
    '    <properties>',
    `      <property name="verdict" value="${escapeXml(`${verdictWord(view)}: ${view.summary}`)}"/>`,
    ...view.facts.map(
      ([name, value]) => `      <property name="${escapeXml(name)}" value="${escapeXml(value)}"/>`,
    ),
    '    </properties>',
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
