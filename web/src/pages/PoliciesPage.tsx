import { ApiError, get } from '../api/client';
import { AsyncView } from '../components/AsyncView';
import { Badge } from '../components/Badge';
import { type Column, DataTable } from '../components/DataTable';
import { PageTitle } from '../components/Layout';
import { Time } from '../components/Time';
import { useApi } from '../components/useApi';

interface PolicyOverview {
  name: string;
  description: string | null;
  controls: string[];
  requiredEvidence: string[];
  validations: { name: string; severity: string; message: string | null; tagsOnFailure: string[] }[];
  bindings: {
    name: string;
    gates: string[];
    action: string;
    subjects: Record<string, unknown>;
    params: Record<string, unknown>;
    requireApproval: boolean;
  }[];
}

interface ActivePolicySet {
  version: number;
  digest: string;
  revision: string;
  appliedAt: string;
  appliedBy: string;
  overview: PolicyOverview[];
}

type Binding = PolicyOverview['bindings'][number];
type Validation = PolicyOverview['validations'][number];

const json = (value: Record<string, unknown>) =>
  Object.keys(value).length === 0 ? '—' : JSON.stringify(value);

const bindingColumns: Column<Binding>[] = [
  { header: 'Binding', cell: (b) => b.name },
  { header: 'Gates', cell: (b) => b.gates.join(', ') },
  {
    header: 'Action',
    className: 'narrow',
    cell: (b) => (
      <Badge tone={b.action === 'deny' ? 'fail' : b.action === 'warn' ? 'warn' : 'info'}>{b.action}</Badge>
    ),
  },
  { header: 'Subjects', cell: (b) => <code>{json(b.subjects)}</code> },
  { header: 'Parameters', cell: (b) => <code>{json(b.params)}</code> },
  { header: 'Sign-off', className: 'narrow', cell: (b) => (b.requireApproval ? 'required' : '—') },
];

const validationColumns: Column<Validation>[] = [
  { header: 'Validation', cell: (v) => v.name },
  { header: 'Severity', className: 'narrow', cell: (v) => v.severity },
  { header: 'Message', cell: (v) => v.message ?? <span className="muted">computed when it fails</span> },
  { header: 'Tags on failure', cell: (v) => v.tagsOnFailure.join(', ') || '—' },
];

/** The active policy set: who applied which revision, and each policy with its validations and bindings. */
export function PoliciesPage() {
  const loaded = useApi(
    (signal) =>
      get<ActivePolicySet>('/api/v1/policy-set', undefined, signal).catch((error: unknown) => {
        if (error instanceof ApiError && error.code === 'WARDEN_ERR_GOVERNANCE_NO_POLICY_SET') return null;
        throw error;
      }),
    [],
  );
  return (
    <>
      <PageTitle>Policies</PageTitle>
      <AsyncView
        loaded={loaded}
        what="the active policy set"
        isEmpty={(set) => set === null}
        empty={
          <p>
            No policy set is applied yet, so gates decide by their defaults. An admin applies one with{' '}
            <code>warden policy apply DIRECTORY</code>.
          </p>
        }
      >
        {(found) => {
          const set = found as ActivePolicySet;
          return (
            <>
              <dl className="facts">
                <dt>Version</dt>
                <dd>
                  {set.version} (revision {set.revision})
                </dd>
                <dt>Digest</dt>
                <dd>
                  <code>{set.digest}</code>
                </dd>
                <dt>Applied</dt>
                <dd>
                  by {set.appliedBy}, <Time at={set.appliedAt} />
                </dd>
              </dl>
              {set.overview.map((policy) => (
                <section key={policy.name} className="card" aria-labelledby={`policy-${policy.name}`}>
                  <h2 id={`policy-${policy.name}`}>{policy.name}</h2>
                  {policy.description ? <p>{policy.description}</p> : null}
                  <dl className="facts">
                    <dt>Controls</dt>
                    <dd>{policy.controls.length ? policy.controls.join(', ') : '—'}</dd>
                    <dt>Requires</dt>
                    <dd>{policy.requiredEvidence.length ? policy.requiredEvidence.join(', ') : '—'}</dd>
                  </dl>
                  <DataTable
                    caption={`Validations of ${policy.name}`}
                    columns={validationColumns}
                    rows={policy.validations}
                    rowKey={(v) => v.name}
                  />
                  {policy.bindings.length === 0 ? (
                    <p className="muted">Not bound: this policy judges nothing until a binding names it.</p>
                  ) : (
                    <DataTable
                      caption={`Bindings of ${policy.name}`}
                      columns={bindingColumns}
                      rows={policy.bindings}
                      rowKey={(b) => b.name}
                    />
                  )}
                </section>
              ))}
            </>
          );
        }}
      </AsyncView>
    </>
  );
}
