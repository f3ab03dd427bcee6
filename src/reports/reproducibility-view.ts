import type { ReproducibilityEvidence } from '../repro/index.js';
import { formatNumber, type ReportRow, type ReportView, type RowHeadings } from './report-view.js';

const headings: RowHeadings = ['item', 'path', 'what', 'recorded', 'now'];
const shortDigest = (digest: string | undefined) =>
  digest === undefined ? '-' : digest.startsWith('sha256:') ? `${digest.slice(0, 19)}…` : digest;

function subjectText(evidence: ReproducibilityEvidence): string {
  const { subject } = evidence;
  return subject.type === 'model-version' ? `${subject.name}@${subject.version}` : subject.name;
}

function facts(evidence: ReproducibilityEvidence): [string, string][] {
  const { run, source, environment } = evidence;
  const python = environment.python === null ? '' : `, python ${environment.python.version}`;
  return [
    ['subject', subjectText(evidence)],
    ['run', run.runId],
    ['command', run.command.join(' ')],
    ['commit', `${source.commit}${source.branch === null ? '' : ` (${source.branch})`}`],
    ['tree', source.dirty ? `dirty: ${source.changedPaths.length} changed paths` : 'clean'],
    ['env', `node ${environment.node}${python}, ${environment.platform}`],
  ];
}

/** What `warden capture` recorded: the run's exit code, its inputs, lockfiles and outputs. */
function captureRows(evidence: ReproducibilityEvidence): ReportRow[] {
  const rows: ReportRow[] = [
    {
      status: evidence.run.exitCode === 0 ? 'pass' : 'fail',
      id: 'run.exitCode',
      target: '-',
      metric: 'exit code',
      measured: String(evidence.run.exitCode),
      expected: '0',
      detail: evidence.run.exitCode === 0 ? '' : 'the command failed',
    },
  ];
  if (evidence.source.dirty) {
    rows.push({
      status: 'warn',
      id: 'source.dirty',
      target: '-',
      metric: 'uncommitted changes',
      measured: formatNumber(evidence.source.changedPaths.length),
      expected: '0',
      detail: `not in the commit, so a re-run cannot see them: ${evidence.source.changedPaths.slice(0, 5).join(', ')}`,
    });
  }
  const info = (id: string, path: string, what: string, digest: string, detail: string): ReportRow => ({
    status: 'info',
    id,
    target: path,
    metric: what,
    measured: shortDigest(digest),
    expected: '',
    detail,
  });
  for (const input of evidence.data) {
    const dvc = input.dvc === undefined ? '' : `, matches ${input.dvc.file}`;
    const files = input.files === undefined ? '' : `${formatNumber(input.files)} files, `;
    rows.push(
      info('input', input.path, 'input', input.digest, `${files}${formatNumber(input.bytes)} bytes${dvc}`),
    );
  }
  for (const lockfile of evidence.lockfiles)
    rows.push(info('lockfile', lockfile.path, 'lockfile', lockfile.digest, ''));
  for (const output of evidence.outputs) {
    rows.push(info('output', output.path, 'output', output.digest, `${formatNumber(output.bytes)} bytes`));
  }
  return rows;
}

function itemKind(evidence: ReproducibilityEvidence, path: string | undefined): string {
  if (path === undefined) return 'exit code';
  if (evidence.data.some((input) => input.path === path)) return 'input';
  if (evidence.lockfiles.some((lockfile) => lockfile.path === path)) return 'lockfile';
  return 'output';
}

/** What `warden check repro` found: one failing row per difference, with its cause. */
function verificationRows(evidence: ReproducibilityEvidence): ReportRow[] {
  const verification = evidence.verification;
  if (verification === undefined) return [];
  const rows: ReportRow[] = verification.differences.map((difference) => ({
    status: 'fail',
    id: difference.cause,
    target: difference.path ?? '-',
    metric: itemKind(evidence, difference.path),
    measured: shortDigest(difference.expected),
    expected: shortDigest(difference.actual),
    detail: difference.detail,
  }));
  const differing = new Set(verification.differences.map((difference) => difference.path));
  for (const output of evidence.outputs) {
    if (differing.has(output.path)) continue;
    rows.push({
      status: 'pass',
      id: 'output',
      target: output.path,
      metric: verification.mode === 'digest' ? 'identical' : 'recorded',
      measured: shortDigest(output.digest),
      expected: '',
      detail: '',
    });
  }
  return rows;
}

/** The terminal, JUnit and Markdown view of reproducibility evidence (a capture, or its re-run). */
export function reproducibilityView(evidence: ReproducibilityEvidence): ReportView {
  const verification = evidence.verification;
  if (verification === undefined) {
    return {
      title: 'Reproducibility capture',
      subject: subjectText(evidence),
      passed: evidence.passed,
      summary: `${evidence.run.command.join(' ')} exited ${evidence.run.exitCode}; recorded ${evidence.data.length} inputs, ${evidence.lockfiles.length} lockfiles, ${evidence.outputs.length} outputs`,
      facts: facts(evidence),
      rows: captureRows(evidence),
      headings,
    };
  }
  const how =
    verification.mode === 'digest' ? 'bit-identical outputs' : `predictions within ${verification.tolerance}`;
  const causes = [...new Set(verification.differences.map((difference) => difference.cause))];
  return {
    title: 'Reproducibility check',
    subject: subjectText(evidence),
    passed: verification.reproducible,
    summary: verification.reproducible
      ? `reproduced in ${verification.runs} re-run${verification.runs === 1 ? '' : 's'} of ${evidence.source.commit.slice(0, 12)}: ${how}`
      : `not reproducible: ${verification.differences.length} difference${verification.differences.length === 1 ? '' : 's'} (${causes.join(', ')}) in ${verification.runs} re-run${verification.runs === 1 ? '' : 's'}`,
    facts: [...facts(evidence), ['capture', verification.capture]],
    rows: verificationRows(evidence),
    headings: ['cause', 'path', 'what', 'recorded', 'now'],
    verdicts: { passed: 'REPRODUCIBLE', failed: 'NOT REPRODUCIBLE' },
  };
}
