import type { Decision, DecisionResult } from '../policy/index.js';
import type { ReportRow, ReportView, RowStatus } from './report-view.js';

/** How a result reads in a report: blocking failures fail, warnings warn, audits inform. */
function statusOf(result: DecisionResult): RowStatus {
  if (result.blocking) return 'fail';
  if (result.outcome === 'pass') return 'pass';
  if (result.outcome === 'waived') return 'info';
  return result.action === 'audit' ? 'info' : 'warn';
}

function describeOutcome(result: DecisionResult): string {
  if (result.outcome === 'error' && result.failurePolicy === 'Ignore') return 'error (ignored)';
  if (result.outcome === 'waived') return `waived (${result.waiver ?? ''})`;
  return result.outcome;
}

const short = (digest: string) => `${digest.slice(0, 19)}…`;

export function subjectLine(subject: Decision['subject']): string {
  return subject.version === undefined ? subject.name : `${subject.name} version ${subject.version}`;
}

/** The summary's words for a decision no policy applied to. */
function byDefault(gate: string, applied: NonNullable<Decision['gateDefault']>): string {
  const outcome =
    applied.onNoPolicy === 'deny'
      ? `denied because gate ${gate} is closed by default`
      : `allowed only because gate ${gate} is open by default`;
  return `no policy applied, so nothing judged this subject: ${outcome} (${applied.declaredBy})`;
}

/** A decision as a report: one row per validation, then the policies that did not apply. */
export function decisionView(decision: Decision, policySource: string): ReportView {
  // Decisions stored before the subject carried its labels have none.
  const labels = decision.subject.labels ?? {};
  const rows: ReportRow[] = decision.results.map((result) => ({
    status: statusOf(result),
    id: `${result.policy}/${result.validation}`,
    target: result.action,
    metric: result.severity,
    measured: describeOutcome(result),
    expected: result.controls.join(' '),
    detail: [
      result.message.split('\n').join(' '),
      result.tags?.length ? `(tags the subject ${result.tags.join(', ')})` : '',
    ]
      .filter(Boolean)
      .join(' '),
  }));
  for (const skipped of decision.skipped) {
    rows.push({
      status: 'skip',
      id: `${skipped.policy}`,
      target: '',
      metric: '',
      measured: 'skipped',
      expected: '',
      detail: skipped.reason,
    });
  }
  if (decision.gateDefault) {
    rows.push({
      status: decision.gateDefault.onNoPolicy === 'deny' ? 'fail' : 'info',
      id: `gate default ${decision.gateDefault.gate}`,
      target: decision.gateDefault.declaredBy,
      metric: '',
      measured: `onNoPolicy: ${decision.gateDefault.onNoPolicy}`,
      expected: '',
      detail: decision.gateDefault.reason,
    });
  }
  const { summary } = decision;
  const blocking = decision.results.filter((result) => result.blocking).length;
  const counts = [
    `${summary.pass} passed`,
    blocking ? `${blocking} blocking` : '',
    summary.warnings ? `${summary.warnings} warning${summary.warnings === 1 ? '' : 's'}` : '',
    summary.waived ? `${summary.waived} waived` : '',
    summary.error ? `${summary.error} error${summary.error === 1 ? '' : 's'}` : '',
    summary.skipped ? `${summary.skipped} polic${summary.skipped === 1 ? 'y' : 'ies'} not applicable` : '',
    decision.gateDefault ? byDefault(decision.gate, decision.gateDefault) : '',
  ].filter(Boolean);
  const labelText = Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
  return {
    title: `Gate ${decision.gate}: ${decision.subject.type} ${subjectLine(decision.subject)}`,
    subject: `${decision.gate}.${decision.subject.name}`,
    passed: decision.allowed,
    // A gate no policy judged must not read as checked: its verdict says the default decided.
    verdicts: decision.gateDefault
      ? { passed: 'ALLOWED BY DEFAULT', failed: 'DENIED BY DEFAULT' }
      : { passed: 'ALLOWED', failed: 'DENIED' },
    summary: `${decision.results.length} validation${decision.results.length === 1 ? '' : 's'}: ${counts.join(', ')}`,
    facts: [
      ['subject', `${subjectLine(decision.subject)}${labelText ? ` (${labelText})` : ''}`],
      [
        'policies',
        `${policySource} revision ${decision.policySet.revision} (${short(decision.policySet.digest)})`,
      ],
      [
        'evidence',
        decision.evidence.length
          ? decision.evidence.map((id) => withSigner(decision, id)).join(', ')
          : 'none',
      ],
      ['input', `${short(decision.input.digest)} at ${decision.decidedAt}`],
      ['decision', decision.id],
    ],
    rows,
    headings: ['policy/validation', 'action', 'severity', 'outcome', 'controls'],
  };
}

/** `sha256:ab12…` and who signed it, as the decision recorded. */
function withSigner(decision: Decision, id: string): string {
  const signed = (decision.signers ?? []).find((s) => s.evidence === id);
  if (signed === undefined) return short(id);
  const by =
    signed.signer === null
      ? 'unsigned'
      : `signed by ${signed.signer}${signed.trusted ? ', trusted' : ', not trusted'}`;
  return `${short(id)} (${by})`;
}
