import { get, segment } from '../api/client';
import type { AnyEvidence, DataCheck, DriftReport, ModelEvaluation } from '../api/evidence';
import type {
  AuditEntry,
  Decision,
  EvidenceSummary,
  LineageNode,
  ModelDetail,
  VersionRecord,
  WaiverRecord,
} from '../api/types';
import { AsyncView } from '../components/AsyncView';
import { AuditTable } from '../components/AuditTable';
import { Badge } from '../components/Badge';
import { type Column, DataTable } from '../components/DataTable';
import { DecisionCard } from '../components/DecisionCard';
import { DataCheckView } from '../components/evidence/DataCheckView';
import { DriftReportView } from '../components/evidence/DriftReportView';
import { ModelEvaluationView } from '../components/evidence/ModelEvaluationView';
import { PageTitle } from '../components/Layout';
import { Lineage } from '../components/Lineage';
import { Link } from '../components/router';
import { Time } from '../components/Time';
import { useApi } from '../components/useApi';

const evidenceTitles: Record<string, string> = {
  'data-check': 'Data check',
  'model-evaluation': 'Model evaluation',
  'drift-report': 'Drift report',
};

function EvidenceBody({ evidence }: { evidence: AnyEvidence }) {
  switch (evidence.kind) {
    case 'model-evaluation':
      return <ModelEvaluationView evidence={evidence as ModelEvaluation} />;
    case 'data-check':
      return <DataCheckView evidence={evidence as DataCheck} />;
    case 'drift-report':
      return <DriftReportView evidence={evidence as DriftReport} />;
    default:
      return (
        <p className="muted">
          Shown by the CLI: <code>warden evidence show {evidence.id}</code>.
        </p>
      );
  }
}

function EvidenceSection({ model, version }: { model: string; version: string }) {
  const loaded = useApi(
    async (signal) => {
      const { evidence } = await get<{ evidence: EvidenceSummary[] }>(
        `/api/v1/models/${segment(model)}/versions/${segment(version)}/evidence`,
        { latest: 'true' },
        signal,
      );
      return Promise.all(
        evidence.map(async (summary) => ({
          summary,
          document: await get<AnyEvidence>(`/api/v1/evidence/${segment(summary.id)}`, undefined, signal),
        })),
      );
    },
    [model, version],
  );
  return (
    <section aria-labelledby="evidence-heading">
      <h2 id="evidence-heading">Evidence</h2>
      <AsyncView
        loaded={loaded}
        what="evidence"
        isEmpty={(items) => items.length === 0}
        empty={<p>No evidence is attached to this version yet.</p>}
      >
        {(items) =>
          items.map(({ summary, document }) => (
            <article key={summary.id} className={`card ${document.passed ? 'card-pass' : 'card-fail'}`}>
              <h3>
                {evidenceTitles[document.kind] ?? document.kind}{' '}
                <Badge tone={document.passed ? 'pass' : 'fail'}>
                  {document.passed ? 'passed' : 'failed'}
                </Badge>
              </h3>
              <p className="small muted">
                produced <Time at={document.producedAt} />
                {summary.signer ? `, signed by ${summary.signer.name}` : ', unsigned'} ·{' '}
                <code title={summary.id}>{summary.id.slice(0, 19)}…</code>
              </p>
              <EvidenceBody evidence={document} />
            </article>
          ))
        }
      </AsyncView>
    </section>
  );
}

function DecisionsSection({ model, version }: { model: string; version: string }) {
  const loaded = useApi(
    (signal) =>
      get<{ decisions: Decision[] }>(
        `/api/v1/models/${segment(model)}/versions/${segment(version)}/decisions`,
        undefined,
        signal,
      ),
    [model, version],
  );
  return (
    <section aria-labelledby="decisions-heading">
      <h2 id="decisions-heading">Gate decisions</h2>
      <AsyncView
        loaded={loaded}
        what="decisions"
        isEmpty={(data) => data.decisions.length === 0}
        empty={<p>No gate has decided on this version yet.</p>}
      >
        {(data) => data.decisions.map((decision) => <DecisionCard key={decision.id} decision={decision} />)}
      </AsyncView>
    </section>
  );
}

const waiverColumns: Column<WaiverRecord>[] = [
  {
    header: 'Status',
    className: 'narrow',
    cell: (w) => (
      <Badge tone={w.active ? 'info' : w.status === 'rejected' || w.expired ? 'neutral' : 'warn'}>
        {w.active ? 'active' : w.expired ? 'expired' : w.status}
      </Badge>
    ),
  },
  { header: 'Waives', cell: (w) => `${w.policy}${w.validation ? ` / ${w.validation}` : ''}` },
  { header: 'Reason', cell: (w) => w.reason },
  {
    header: 'Requested',
    cell: (w) => (
      <>
        {w.requestedBy}, <Time at={w.requestedAt} />
      </>
    ),
  },
  {
    header: 'Decided',
    cell: (w) =>
      w.decidedBy ? (
        <>
          {w.decidedBy}, <Time at={w.decidedAt} />
        </>
      ) : (
        '—'
      ),
  },
  { header: 'Expires', className: 'narrow', cell: (w) => <Time at={w.expiresAt} /> },
];

function WaiversSection({ model, version }: { model: string; version: string }) {
  const loaded = useApi(
    (signal) => get<{ waivers: WaiverRecord[] }>('/api/v1/waivers', { model, version }, signal),
    [model, version],
  );
  return (
    <section aria-labelledby="waivers-heading">
      <h2 id="waivers-heading">Waivers</h2>
      <AsyncView
        loaded={loaded}
        what="waivers"
        isEmpty={(data) => data.waivers.length === 0}
        empty={<p>No waiver was requested for this version.</p>}
      >
        {(data) => (
          <DataTable
            caption="Waivers for this version"
            columns={waiverColumns}
            rows={data.waivers}
            rowKey={(w) => w.id}
          />
        )}
      </AsyncView>
    </section>
  );
}

function LineageSection({ model, version }: { model: string; version: string }) {
  const loaded = useApi(
    (signal) =>
      get<LineageNode>(
        `/api/v1/models/${segment(model)}/versions/${segment(version)}/lineage`,
        undefined,
        signal,
      ),
    [model, version],
  );
  return (
    <section aria-labelledby="lineage-heading">
      <h2 id="lineage-heading">Lineage</h2>
      <AsyncView loaded={loaded} what="lineage">
        {(node) => <Lineage node={node} />}
      </AsyncView>
    </section>
  );
}

function AuditSection({ model, version }: { model: string; version: string }) {
  const loaded = useApi(
    (signal) =>
      get<{ entries: AuditEntry[] }>(
        '/api/v1/audit',
        { subject: model, version, order: 'desc', limit: 100 },
        signal,
      ),
    [model, version],
  );
  return (
    <section aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit entries</h2>
      <AsyncView
        loaded={loaded}
        what="audit entries"
        isEmpty={(data) => data.entries.length === 0}
        empty={<p>The audit log holds no entry about this version.</p>}
      >
        {(data) => (
          <>
            <AuditTable
              caption={`Audit entries about ${model} v${version}, newest first`}
              entries={data.entries}
            />
            <p>
              <Link href={`/audit?subject=${segment(model)}&version=${segment(version)}`}>
                Open in the audit log
              </Link>
            </p>
          </>
        )}
      </AsyncView>
    </section>
  );
}

export function VersionPage({ model, version }: { model: string; version: string }) {
  const loaded = useApi(
    async (signal) => {
      const [record, detail] = await Promise.all([
        get<VersionRecord>(
          `/api/v1/models/${segment(model)}/versions/${segment(version)}`,
          undefined,
          signal,
        ),
        get<ModelDetail>(`/api/v1/models/${segment(model)}`, undefined, signal),
      ]);
      return { record, detail };
    },
    [model, version],
  );
  return (
    <>
      <PageTitle>
        {model} version {version}
      </PageTitle>
      <AsyncView loaded={loaded} what={`${model} version ${version}`}>
        {({ record, detail }) => (
          <>
            <dl className="facts">
              <dt>Model</dt>
              <dd>
                {detail.name}
                {detail.description ? ` — ${detail.description}` : ''}
              </dd>
              <dt>Risk tier</dt>
              <dd>{detail.labels['riskTier'] ?? '—'}</dd>
              <dt>Team / owner</dt>
              <dd>
                {detail.team ?? '—'} / {detail.owner ?? '—'}
              </dd>
              <dt>Aliases</dt>
              <dd>{record.aliases.length ? record.aliases.join(', ') : 'none'}</dd>
              <dt>Tags</dt>
              <dd>
                {Object.keys(record.tags).length === 0 ? (
                  'none'
                ) : (
                  <ul className="inline-list">
                    {Object.entries(record.tags).map(([key, value]) => (
                      <li key={key}>
                        <Badge tone={key === 'biased' || key === 'blocked' ? 'fail' : 'neutral'}>{key}</Badge>{' '}
                        <span className="small">{value}</span>
                      </li>
                    ))}
                  </ul>
                )}
              </dd>
              <dt>Registered</dt>
              <dd>
                by {record.createdBy}, <Time at={record.createdAt} />
              </dd>
              <dt>Artifact</dt>
              <dd>
                <code>{record.artifact.uri}</code>
              </dd>
              <dt>Other versions</dt>
              <dd>
                <ul className="inline-list">
                  {Array.from({ length: detail.latestVersion }, (_, i) =>
                    String(detail.latestVersion - i),
                  ).map((v) => (
                    <li key={v}>
                      {v === version ? (
                        <strong aria-current="page">v{v}</strong>
                      ) : (
                        <Link href={`/models/${segment(model)}/versions/${v}`}>v{v}</Link>
                      )}
                    </li>
                  ))}
                </ul>
              </dd>
            </dl>
            <DecisionsSection model={model} version={version} />
            <EvidenceSection model={model} version={version} />
            <WaiversSection model={model} version={version} />
            <LineageSection model={model} version={version} />
            <AuditSection model={model} version={version} />
          </>
        )}
      </AsyncView>
    </>
  );
}
