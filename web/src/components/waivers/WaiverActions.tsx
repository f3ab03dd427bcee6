import { useId, useState } from 'react';
import { useAuth } from '../../api/auth';
import { post, segment } from '../../api/client';
import { ErrorAlert } from '../ErrorAlert';
import { fourEyesBlock, sameActor } from '../fourEyes';
import type { Waiver } from './waivers';

type Verb = 'approve' | 'reject' | 'revoke' | 'audit';

const done: Record<Verb, string> = {
  approve: 'Approved',
  reject: 'Rejected',
  revoke: 'Revoked',
  audit: 'Recorded the audit of',
};

/**
 * What an approver can do with a waiver, each with a required comment that goes into the audit
 * log: approve or reject a request (not their own, nor for a version they registered), revoke a
 * waiver before it expires, record the post-deployment audit with its finding (not the requester).
 * Lower roles see why there is nothing to do. The server enforces all of it again.
 */
export function WaiverActions({
  waiver,
  registeredBy,
  onDone,
}: {
  waiver: Waiver;
  registeredBy: string | undefined;
  onDone: (message: string) => void;
}) {
  const { principal, can } = useAuth();
  const id = useId();
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const reviewable = waiver.status === 'requested';
  const revocable = waiver.status === 'approved' && !waiver.expired;
  const auditable = waiver.status === 'approved' && waiver.auditedAt === null;
  if (!reviewable && !revocable && !auditable) return null;
  if (!can('approver')) {
    return (
      <p className="muted small">
        {reviewable
          ? 'An approver other than the requester decides this request.'
          : 'Approvers revoke and audit waivers.'}
      </p>
    );
  }
  const reviewBlock = reviewable ? fourEyesBlock(principal.actor, waiver, registeredBy) : undefined;
  const auditBlock =
    auditable && sameActor(principal.actor, waiver.requestedBy)
      ? 'You requested this waiver, so another approver must audit it (four-eyes rule).'
      : undefined;
  const blocked = [reviewBlock, auditBlock].filter((why) => why !== undefined);

  const act = async (verb: Verb) => {
    const what =
      verb === 'audit'
        ? 'the finding of the post-deployment audit'
        : `why you ${verb} it (kept in the audit log)`;
    if (comment.trim() === '') {
      setError(`Write ${what}.`);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await post<Waiver>(
        `/api/v1/waivers/${segment(waiver.id)}/${verb}`,
        verb === 'audit' ? { note: comment.trim() } : { comment: comment.trim() },
      );
      onDone(`${done[verb]} waiver ${waiver.id} for ${waiver.model} v${waiver.version}.`);
    } catch (failure) {
      setError((failure as Error).message);
      setBusy(false);
    }
  };
  const canComment = (reviewable && reviewBlock === undefined) || revocable || (auditable && !auditBlock);
  return (
    <form className="review" onSubmit={(event) => event.preventDefault()} aria-label={`Act on ${waiver.id}`}>
      <label htmlFor={`${id}-comment`}>
        {auditable ? 'Comment or audit finding (required)' : 'Comment (required)'}
      </label>
      <textarea
        id={`${id}-comment`}
        value={comment}
        required
        disabled={!canComment}
        aria-describedby={blocked.length > 0 ? `${id}-blocked` : undefined}
        onChange={(event) => setComment(event.target.value)}
      />
      <div className="review-actions">
        {reviewable ? (
          <>
            <button type="button" disabled={busy || reviewBlock !== undefined} onClick={() => act('approve')}>
              Approve
            </button>
            <button
              type="button"
              className="secondary"
              disabled={busy || reviewBlock !== undefined}
              onClick={() => act('reject')}
            >
              Reject
            </button>
          </>
        ) : null}
        {auditable ? (
          <button type="button" disabled={busy || auditBlock !== undefined} onClick={() => act('audit')}>
            Record audit
          </button>
        ) : null}
        {revocable ? (
          <button type="button" className="danger" disabled={busy} onClick={() => act('revoke')}>
            Revoke
          </button>
        ) : null}
        {blocked.length > 0 ? (
          <span id={`${id}-blocked`} className="notice" data-testid="four-eyes">
            {blocked.join(' ')}
          </span>
        ) : null}
      </div>
      <ErrorAlert>{error}</ErrorAlert>
    </form>
  );
}
