import { type FormEvent, useId, useState } from 'react';
import { useAuth } from '../../api/auth';
import { post, segment } from '../../api/client';
import { ErrorAlert } from '../ErrorAlert';

/**
 * An approver's manual rollback: production goes back to its previous holder (or to the version
 * named), the version taken out is tagged rolled-back. The reason is required and kept in the
 * audit log. Not shown to lower roles; the server enforces the role again.
 */
export function RollbackForm({
  model,
  production,
  onDone,
}: {
  model: string;
  production: string;
  onDone: (message: string) => void;
}) {
  const { can } = useAuth();
  const id = useId();
  const [reason, setReason] = useState('');
  const [to, setTo] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  if (!can('approver')) return null;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (reason.trim() === '') {
      setError('Write why production is rolled back: the reason goes into the audit log and the alerts.');
      return;
    }
    if (to !== '' && !/^[1-9]\d*$/.test(to)) {
      setError('The version to roll back to is a number, such as 3; leave it empty for the previous holder.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const answer = await post<{ from: string; to: string }>(`/api/v1/models/${segment(model)}/rollback`, {
        reason: reason.trim(),
        ...(to === '' ? {} : { to }),
      });
      setReason('');
      onDone(
        `Rolled back ${model}: production moved from v${answer.from} to v${answer.to}; v${answer.from} is tagged rolled-back.`,
      );
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <details className="rollback">
      <summary>Roll back production of {model}</summary>
      <form className="review" onSubmit={submit} aria-label={`Roll back ${model}`} noValidate>
        <label htmlFor={`${id}-reason`}>Reason (required)</label>
        <textarea
          id={`${id}-reason`}
          value={reason}
          required
          onChange={(event) => setReason(event.target.value)}
        />
        <label htmlFor={`${id}-to`}>Back to version (optional)</label>
        <input
          id={`${id}-to`}
          inputMode="numeric"
          value={to}
          placeholder="the previous holder"
          aria-describedby={`${id}-to-hint`}
          onChange={(event) => setTo(event.target.value.trim())}
        />
        <span id={`${id}-to-hint`} className="hint">
          Production is v{production}; by default it goes back to the version that held it before.
        </span>
        <div className="review-actions">
          <button type="submit" className="danger" disabled={busy}>
            Roll back
          </button>
        </div>
        <ErrorAlert>{error}</ErrorAlert>
      </form>
    </details>
  );
}
