import { useId, useState } from 'react';
import { useAuth } from '../api/auth';
import { get, post, segment } from '../api/client';
import type { PromotionRecord, VersionRecord } from '../api/types';
import { AsyncView } from '../components/AsyncView';
import { Badge, type Tone } from '../components/Badge';
import { type Column, DataTable } from '../components/DataTable';
import { DecisionCard } from '../components/DecisionCard';
import { ErrorAlert } from '../components/ErrorAlert';
import { fourEyesBlock } from '../components/fourEyes';
import { PageTitle } from '../components/Layout';
import { Link } from '../components/router';
import { Time } from '../components/Time';
import { useApi } from '../components/useApi';

interface Pending {
  promotion: PromotionRecord;
  registeredBy: string | undefined;
}

const statusTone: Record<string, Tone> = {
  completed: 'pass',
  denied: 'fail',
  rejected: 'warn',
  pending: 'info',
};

const versionHref = (p: { model: string; version: string }) =>
  `/models/${segment(p.model)}/versions/${segment(p.version)}`;

function Review({ item, onDone }: { item: Pending; onDone: (message: string) => void }) {
  const { principal, can } = useAuth();
  const id = useId();
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const { promotion } = item;
  if (!can('approver')) {
    return <p className="muted">Only an approver can approve or reject this request.</p>;
  }
  const blocked = fourEyesBlock(principal.actor, promotion, item.registeredBy);
  const act = async (verb: 'approve' | 'reject') => {
    if (comment.trim() === '') {
      setError(`Write a comment saying why you ${verb} it: the comment is kept in the audit log.`);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const result = await post<PromotionRecord>(`/api/v1/promotions/${segment(promotion.id)}/${verb}`, {
        comment: comment.trim(),
      });
      onDone(
        result.status === 'completed'
          ? `${result.model} v${result.version} is now ${result.alias}.`
          : result.status === 'denied'
            ? `Denied on re-evaluation: ${result.model} v${result.version} did not pass the gate again.`
            : `Rejected the promotion of ${result.model} v${result.version} to ${result.alias}.`,
      );
    } catch (failure) {
      setError((failure as Error).message);
      setBusy(false);
    }
  };
  return (
    <form
      className="review"
      onSubmit={(event) => event.preventDefault()}
      aria-label={`Review ${promotion.id}`}
    >
      <label htmlFor={`${id}-comment`}>Comment (required)</label>
      <textarea
        id={`${id}-comment`}
        value={comment}
        required
        disabled={blocked !== undefined}
        aria-describedby={blocked ? `${id}-blocked` : undefined}
        onChange={(event) => setComment(event.target.value)}
      />
      <div className="review-actions">
        <button type="button" disabled={busy || blocked !== undefined} onClick={() => act('approve')}>
          Approve
        </button>
        <button
          type="button"
          className="secondary"
          disabled={busy || blocked !== undefined}
          onClick={() => act('reject')}
        >
          Reject
        </button>
        {blocked ? (
          <span id={`${id}-blocked`} className="notice" data-testid="four-eyes">
            {blocked}
          </span>
        ) : null}
      </div>
      <ErrorAlert>{error}</ErrorAlert>
    </form>
  );
}

const historyColumns: Column<PromotionRecord>[] = [
  {
    header: 'Status',
    className: 'narrow',
    cell: (p) => <Badge tone={statusTone[p.status] ?? 'neutral'}>{p.status}</Badge>,
  },
  {
    header: 'Promotion',
    cell: (p) => (
      <Link href={versionHref(p)}>
        {p.model} v{p.version} → {p.alias}
      </Link>
    ),
  },
  {
    header: 'Requested',
    cell: (p) => (
      <>
        {p.requestedBy}, <Time at={p.requestedAt} />
      </>
    ),
  },
  {
    header: 'Reviewed',
    cell: (p) =>
      p.reviewedBy ? (
        <>
          {p.reviewedBy}, <Time at={p.reviewedAt} />
          {p.reviewComment ? <div className="small">“{p.reviewComment}”</div> : null}
        </>
      ) : (
        <span className="muted">—</span>
      ),
  },
];

/** The approver's inbox: pending promotions with the decision behind each, then the recent history. */
export function PromotionsPage() {
  const [message, setMessage] = useState<string | undefined>();
  const pending = useApi(async (signal) => {
    const { promotions } = await get<{ promotions: PromotionRecord[] }>(
      '/api/v1/promotions',
      { status: 'pending' },
      signal,
    );
    return Promise.all(
      promotions.map(async (promotion) => {
        const version = await get<VersionRecord>(
          `/api/v1/models/${segment(promotion.model)}/versions/${segment(promotion.version)}`,
          undefined,
          signal,
        ).catch(() => undefined);
        return { promotion, registeredBy: version?.createdBy };
      }),
    );
  }, []);
  const history = useApi(
    (signal) => get<{ promotions: PromotionRecord[] }>('/api/v1/promotions', { limit: 50 }, signal),
    [],
  );
  const done = (text: string) => {
    setMessage(text);
    pending.reload();
    history.reload();
  };
  return (
    <>
      <PageTitle>Promotions</PageTitle>
      {message ? (
        <p className="notice" role="status">
          {message}
        </p>
      ) : null}
      <section aria-labelledby="pending-heading">
        <h2 id="pending-heading">Waiting for approval</h2>
        <AsyncView
          loaded={pending}
          what="pending promotions"
          isEmpty={(items) => items.length === 0}
          empty={<p>Nothing waits for approval.</p>}
        >
          {(items) =>
            items.map((item) => (
              <article
                key={item.promotion.id}
                className="card card-warn"
                aria-labelledby={`${item.promotion.id}-title`}
              >
                <h3 id={`${item.promotion.id}-title`}>
                  <Link href={versionHref(item.promotion)}>
                    {item.promotion.model} v{item.promotion.version}
                  </Link>{' '}
                  → {item.promotion.alias}
                </h3>
                <dl className="facts">
                  <dt>Requested</dt>
                  <dd>
                    by {item.promotion.requestedBy}, <Time at={item.promotion.requestedAt} />
                    {item.promotion.comment ? ` — “${item.promotion.comment}”` : ''}
                  </dd>
                  <dt>Version registered by</dt>
                  <dd>{item.registeredBy ?? 'unknown'}</dd>
                  <dt>Currently {item.promotion.alias}</dt>
                  <dd>{item.promotion.previousVersion ? `v${item.promotion.previousVersion}` : 'none'}</dd>
                  <dt>Sign-off asked by</dt>
                  <dd>{item.promotion.approvalRequiredBy.join(', ') || '—'}</dd>
                </dl>
                <details>
                  <summary>The decision behind this request</summary>
                  <DecisionCard decision={item.promotion.decision} heading="h4" />
                </details>
                <Review item={item} onDone={done} />
              </article>
            ))
          }
        </AsyncView>
      </section>
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">Recent promotions</h2>
        <AsyncView
          loaded={history}
          what="promotions"
          isEmpty={(data) => data.promotions.length === 0}
          empty={<p>No promotion was requested yet.</p>}
        >
          {(data) => (
            <DataTable
              caption="Promotion requests, newest first"
              columns={historyColumns}
              rows={data.promotions}
              rowKey={(p) => p.id}
            />
          )}
        </AsyncView>
      </section>
    </>
  );
}
