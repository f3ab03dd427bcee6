import { type FormEvent, useId, useState } from 'react';
import { get, post } from '../api/client';
import type { AuditEntry, AuditVerification, Checkpoint } from '../api/types';
import { AsyncView } from '../components/AsyncView';
import { AuditTable } from '../components/AuditTable';
import { Badge } from '../components/Badge';
import { PageTitle } from '../components/Layout';
import { navigate } from '../components/router';
import { Time } from '../components/Time';
import { useApi } from '../components/useApi';

const pageSize = 50;
const filterNames = ['actor', 'action', 'subject', 'version'] as const;
type Filter = Record<(typeof filterNames)[number], string>;

function filterOf(search: URLSearchParams): Filter {
  return {
    actor: search.get('actor') ?? '',
    action: search.get('action') ?? '',
    subject: search.get('subject') ?? '',
    version: search.get('version') ?? '',
  };
}

function Verification() {
  const [state, setState] = useState<
    | { state: 'idle' }
    | { state: 'running' }
    | { state: 'done'; result: AuditVerification }
    | { state: 'error'; message: string }
  >({ state: 'idle' });
  const run = async () => {
    setState({ state: 'running' });
    try {
      setState({ state: 'done', result: await post<AuditVerification>('/api/v1/audit/verify') });
    } catch (failure) {
      setState({ state: 'error', message: (failure as Error).message });
    }
  };
  return (
    <section aria-labelledby="verify-heading" className="card">
      <h2 id="verify-heading">Verification</h2>
      <p>
        The server recomputes the hash chain from entry 1 and checks every signed checkpoint against its key,
        as <code>warden audit verify</code> does.
      </p>
      <button type="button" onClick={run} disabled={state.state === 'running'}>
        {state.state === 'running' ? 'Verifying…' : 'Verify now'}
      </button>
      <div aria-live="polite" data-testid="verification">
        {state.state === 'done' && state.result.ok ? (
          <p>
            <Badge tone="pass">intact</Badge> {state.result.entries} entries verified, unbroken from entry 1
            {state.result.head ? ` to ${state.result.head.seq}` : ''}; {state.result.checkpoints.matched} of{' '}
            {state.result.checkpoints.total} signed checkpoints matched.
          </p>
        ) : null}
        {state.state === 'done' && !state.result.ok ? (
          <div className="state state-error" role="alert">
            <p>
              <strong>Audit log broken at entry {state.result.firstBad?.seq}</strong> [
              {state.result.firstBad?.kind}]: {state.result.firstBad?.reason}
            </p>
            <p>
              {state.result.entries} entries verified before it; {state.result.checkpoints.matched} of{' '}
              {state.result.checkpoints.total} signed checkpoints matched.
            </p>
          </div>
        ) : null}
        {state.state === 'error' ? (
          <p className="error" role="alert">
            Could not verify: {state.message}
          </p>
        ) : null}
      </div>
    </section>
  );
}

function LatestCheckpoint() {
  const loaded = useApi(
    (signal) => get<{ checkpoints: Checkpoint[] }>('/api/v1/audit/checkpoints', undefined, signal),
    [],
  );
  return (
    <section aria-labelledby="checkpoint-heading">
      <h2 id="checkpoint-heading">Latest signed checkpoint</h2>
      <AsyncView
        loaded={loaded}
        what="checkpoints"
        isEmpty={(data) => data.checkpoints.length === 0}
        empty={<p>No checkpoint is signed yet: the server signs the head every minute and when it stops.</p>}
      >
        {(data) => {
          const last = data.checkpoints.at(-1) as Checkpoint;
          return (
            <dl className="facts">
              <dt>Covers</dt>
              <dd>entries 1–{last.seq}</dd>
              <dt>Signed</dt>
              <dd>
                <Time at={last.at} /> by key <code>{last.keyId}</code>
              </dd>
              <dt>Head hash</dt>
              <dd>
                <code>{last.hash}</code>
              </dd>
              <dt>Checkpoints</dt>
              <dd>{data.checkpoints.length}</dd>
            </dl>
          );
        }}
      </AsyncView>
    </section>
  );
}

/** The audit log, newest first, filtered and paged; its latest checkpoint; verification on demand. */
export function AuditPage({ search }: { search: URLSearchParams }) {
  const id = useId();
  const applied = filterOf(search);
  const [draft, setDraft] = useState<Filter>(applied);
  const [cursors, setCursors] = useState<number[]>([]);
  const before = cursors.at(-1);
  const key = filterNames.map((name) => applied[name]).join('\u0000');
  const entries = useApi(
    (signal) =>
      get<{ entries: AuditEntry[]; nextBefore?: number }>(
        '/api/v1/audit',
        {
          order: 'desc',
          limit: pageSize,
          ...(before === undefined ? {} : { before }),
          ...Object.fromEntries(
            filterNames.filter((name) => applied[name]).map((name) => [name, applied[name]]),
          ),
        },
        signal,
      ),
    [key, before],
  );
  const apply = (event: FormEvent) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const name of filterNames) if (draft[name].trim()) params.set(name, draft[name].trim());
    setCursors([]);
    const query = params.toString();
    navigate(query ? `/audit?${query}` : '/audit');
  };
  const filtered = filterNames.some((name) => applied[name]);
  return (
    <>
      <PageTitle>Audit log</PageTitle>
      <Verification />
      <LatestCheckpoint />
      <section aria-labelledby="entries-heading">
        <h2 id="entries-heading">Entries</h2>
        <form className="filters" onSubmit={apply} aria-label="Filter the audit log">
          {filterNames.map((name) => (
            <div className="field" key={name}>
              <label htmlFor={`${id}-${name}`}>
                {name === 'subject'
                  ? 'Subject (model, key or token)'
                  : name[0]?.toUpperCase() + name.slice(1)}
              </label>
              <input
                id={`${id}-${name}`}
                value={draft[name]}
                placeholder={name === 'action' ? 'promotion or promotion.approved' : ''}
                onChange={(event) => setDraft({ ...draft, [name]: event.target.value })}
              />
            </div>
          ))}
          <button type="submit">Filter</button>
          {filtered ? (
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setDraft({ actor: '', action: '', subject: '', version: '' });
                setCursors([]);
                navigate('/audit');
              }}
            >
              Clear
            </button>
          ) : null}
        </form>
        <AsyncView
          loaded={entries}
          what="audit entries"
          isEmpty={(data) => data.entries.length === 0}
          empty={<p>{filtered ? 'No entry matches these filters.' : 'The audit log is empty.'}</p>}
        >
          {(data) => (
            <>
              <AuditTable
                caption={`Audit entries, newest first${filtered ? ' (filtered)' : ''}`}
                entries={data.entries}
              />
              <nav className="pager" aria-label="Audit log pages">
                <button
                  type="button"
                  className="secondary"
                  disabled={cursors.length === 0}
                  onClick={() => setCursors(cursors.slice(0, -1))}
                >
                  Newer
                </button>
                <span>
                  entries {data.entries[0]?.seq}–{data.entries.at(-1)?.seq}
                </span>
                <button
                  type="button"
                  className="secondary"
                  disabled={data.nextBefore === undefined}
                  onClick={() => data.nextBefore !== undefined && setCursors([...cursors, data.nextBefore])}
                >
                  Older
                </button>
              </nav>
            </>
          )}
        </AsyncView>
      </section>
    </>
  );
}
