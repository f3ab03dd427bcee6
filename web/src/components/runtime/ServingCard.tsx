import { segment } from '../../api/client';
import type { EvidenceSummary, VersionRecord } from '../../api/types';
import { Badge } from '../Badge';
import { Link } from '../router';
import { Time } from '../Time';
import { DriftPanel } from './DriftPanel';
import { RollbackForm } from './RollbackForm';
import type { MonitorStatus, RolloutRecord, ServingRoute, SloDocument } from './runtime';
import { SloPanel } from './SloPanel';
import { TrafficSplit } from './TrafficSplit';

/** A version with the model server it is served from. */
export type ServedVersion = VersionRecord & { endpoint: { url: string; protocol: string } | null };

/** A model whose production alias points at a version, with what the runtime knows of it. */
export interface ServedModel {
  model: string;
  production: ServedVersion;
  /** Absent when attached gateways do not serve it (see `problems`). */
  route: ServingRoute | undefined;
  problems: string[];
  liveRollout: RolloutRecord | undefined;
  slos: SloDocument[];
  /** The production version's newest signed monitor-status, with its summary (signer). */
  status: { summary: EvidenceSummary; document: MonitorStatus } | undefined;
}

const percent = (ratio: number | null) => (ratio === null ? '—' : `${Number((ratio * 100).toFixed(2))}%`);
const ms = (seconds: number | null) => (seconds === null ? '—' : `${Number((seconds * 1000).toFixed(1))} ms`);

/** One served model: production version and endpoint, traffic split, SLOs, live drift, rollback. */
export function ServingCard({ served, onDone }: { served: ServedModel; onDone: (message: string) => void }) {
  const { model, production, route, status } = served;
  const headingId = `serving-${model}`;
  const versionHref = `/models/${segment(model)}/versions/${segment(production.version)}`;
  return (
    <article className="card serving-card" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {model}: production is <Link href={versionHref}>v{production.version}</Link>
      </h3>
      <dl className="facts">
        <dt>Endpoint</dt>
        <dd>
          {production.endpoint ? (
            <>
              <code>{production.endpoint.url}</code> ({production.endpoint.protocol})
            </>
          ) : (
            <span className="muted">none: not served</span>
          )}
        </dd>
        <dt>Drift baseline</dt>
        <dd>
          {route?.baseline ? (
            <>
              signed by {route.baseline.signer}{' '}
              <code className="small">{route.baseline.evidence.slice(0, 19)}…</code>
            </>
          ) : (
            <span className="muted">none: no live drift</span>
          )}
        </dd>
        {served.liveRollout ? (
          <>
            <dt>Rollout</dt>
            <dd>
              <Badge tone="info">{served.liveRollout.status}</Badge> v{served.liveRollout.version} at step{' '}
              {served.liveRollout.step} of {served.liveRollout.settings.steps.length}
            </dd>
          </>
        ) : null}
      </dl>
      {served.problems.map((problem) => (
        <p key={problem} className="notice">
          {problem}
        </p>
      ))}
      <h4>Traffic split</h4>
      {route ? (
        <TrafficSplit serve={route.serve} production={production.version} />
      ) : (
        <p className="muted">Attached gateways send no traffic to {model}.</p>
      )}
      <h4>Latest signed window</h4>
      {status ? (
        <dl className="facts">
          <dt>Window</dt>
          <dd>
            <Time at={status.document.window.start} /> – <Time at={status.document.window.end} /> (
            {status.document.window.seconds} s, {status.document.replicas} replica
            {status.document.replicas === 1 ? '' : 's'})
          </dd>
          <dt>Result</dt>
          <dd>
            <Badge tone={status.document.passed ? 'pass' : 'fail'}>
              {status.document.passed ? 'passed' : 'failed'}
            </Badge>{' '}
            signed by {status.summary.signer?.name ?? 'unknown'}
          </dd>
          <dt>Requests</dt>
          <dd>
            {status.document.requests.total} ({percent(status.document.requests.errorRatio)} errors), p50{' '}
            {ms(status.document.latency.p50)}, p99 {ms(status.document.latency.p99)}
          </dd>
        </dl>
      ) : (
        <p className="muted">
          No signed monitor-status evidence about v{production.version} yet: a gateway signs a window of its
          traffic with <code>--sign-key</code> and submits it (docs/gateway.md).
        </p>
      )}
      <h4>SLO budgets and burn rates</h4>
      <SloPanel model={model} slos={served.slos} statuses={status?.document.slo} />
      <h4>Live drift</h4>
      {status ? (
        <DriftPanel model={model} status={status.document} />
      ) : (
        <p className="muted">No window measured yet.</p>
      )}
      <RollbackForm model={model} production={production.version} onDone={onDone} />
    </article>
  );
}
