import type { Decision, DecisionResult } from '../api/types';
import { Badge, type Tone } from './Badge';
import { type Column, DataTable } from './DataTable';
import { Time } from './Time';

/** How a result reads: blocking failures fail, warnings warn, audits and waivers inform. */
export function resultTone(result: DecisionResult): Tone {
  if (result.blocking) return 'fail';
  if (result.outcome === 'pass') return 'pass';
  if (result.outcome === 'waived') return 'info';
  return result.action === 'audit' ? 'info' : 'warn';
}

export function outcomeText(result: DecisionResult): string {
  if (result.outcome === 'error' && result.failurePolicy === 'Ignore') return 'error (ignored)';
  if (result.outcome === 'waived') return `waived (${result.waiver ?? ''})`;
  if (result.blocking) return `${result.outcome} (blocking)`;
  return result.outcome === 'fail' && result.action !== 'deny' ? `fail (${result.action})` : result.outcome;
}

const rank: Record<Tone, number> = { fail: 0, warn: 1, info: 2, pass: 3, neutral: 4 };

const columns: Column<DecisionResult>[] = [
  {
    header: 'Outcome',
    className: 'narrow',
    cell: (r) => <Badge tone={resultTone(r)}>{outcomeText(r)}</Badge>,
  },
  { header: 'Policy / validation', cell: (r) => `${r.policy} / ${r.validation}` },
  { header: 'Action', className: 'narrow', cell: (r) => r.action },
  { header: 'Severity', className: 'narrow', cell: (r) => r.severity },
  {
    header: 'Message',
    cell: (r) => (
      <>
        {r.message}
        {r.tags?.length ? <div className="muted small">tags the version {r.tags.join(', ')}</div> : null}
      </>
    ),
  },
  { header: 'Controls', cell: (r) => r.controls.join(' ') || <span className="muted">—</span> },
];

export function verdictWord(decision: Decision): string {
  const word = decision.allowed ? 'Allowed' : 'Denied';
  return decision.gateDefault ? `${word} by default` : word;
}

/** A gate decision: verdict, what it was decided on, and every validation's outcome and message. */
export function DecisionCard({ decision, heading = 'h3' }: { decision: Decision; heading?: 'h3' | 'h4' }) {
  const Heading = heading;
  const results = [...decision.results].sort((a, b) => rank[resultTone(a)] - rank[resultTone(b)]);
  const blocking = decision.results.filter((r) => r.blocking).length;
  const { summary } = decision;
  const counts = [
    `${summary.pass} passed`,
    blocking ? `${blocking} blocking` : '',
    summary.warnings ? `${summary.warnings} warning${summary.warnings === 1 ? '' : 's'}` : '',
    summary.waived ? `${summary.waived} waived` : '',
    summary.error ? `${summary.error} error${summary.error === 1 ? '' : 's'}` : '',
    summary.skipped ? `${summary.skipped} not applicable` : '',
  ].filter(Boolean);
  return (
    <article
      className={`card ${decision.allowed ? 'card-pass' : 'card-fail'}`}
      aria-label={`Gate ${decision.gate}`}
    >
      <Heading>
        Gate <code>{decision.gate}</code>:{' '}
        <Badge tone={decision.allowed ? 'pass' : 'fail'}>{verdictWord(decision)}</Badge>
      </Heading>
      <dl className="facts">
        <dt>Decided</dt>
        <dd>
          <Time at={decision.decidedAt} />, asked by {decision.actor}
        </dd>
        <dt>Validations</dt>
        <dd>
          {decision.results.length}: {counts.join(', ')}
        </dd>
        <dt>Policy set</dt>
        <dd>
          revision {decision.policySet.revision} (<code>{decision.policySet.digest.slice(0, 19)}…</code>)
        </dd>
        {decision.subject.labels && Object.keys(decision.subject.labels).length > 0 ? (
          <>
            <dt>Labels</dt>
            <dd>
              {Object.entries(decision.subject.labels)
                .map(([key, value]) => `${key}=${value}`)
                .join(', ')}
            </dd>
          </>
        ) : null}
        {decision.approvalRequiredBy?.length ? (
          <>
            <dt>Sign-off</dt>
            <dd>a person must approve ({decision.approvalRequiredBy.join(', ')})</dd>
          </>
        ) : null}
        {decision.gateDefault ? (
          <>
            <dt>Default</dt>
            <dd>
              no policy applied: {decision.gateDefault.reason} ({decision.gateDefault.declaredBy})
            </dd>
          </>
        ) : null}
      </dl>
      {results.length > 0 ? (
        <DataTable
          caption={`Validations of gate ${decision.gate}`}
          columns={columns}
          rows={results}
          rowKey={(r) => `${r.binding}/${r.policy}/${r.validation}`}
          rowClass={(r) => `row-${resultTone(r)}`}
        />
      ) : null}
      {decision.skipped.length > 0 ? (
        <details>
          <summary>
            {decision.skipped.length} polic{decision.skipped.length === 1 ? 'y' : 'ies'} did not apply
          </summary>
          <ul>
            {decision.skipped.map((s) => (
              <li key={`${s.binding}/${s.policy}`}>
                {s.policy} ({s.binding}): {s.reason}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </article>
  );
}
