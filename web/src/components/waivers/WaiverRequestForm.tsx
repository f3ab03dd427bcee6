import './waivers.css';
import { type FormEvent, useId, useState } from 'react';
import { get, post, segment } from '../../api/client';
import type { ModelRecord, VersionRecord } from '../../api/types';
import { ErrorAlert } from '../ErrorAlert';
import { useApi } from '../useApi';
import { dateInput, endOfDay, maxWaiverDays, minReasonLength, type Waiver } from './waivers';

interface PolicyChoice {
  name: string;
  validations: { name: string }[];
}

const day = 86_400_000;
/** An expiry on the last allowed day ends a little before the server's limit, not after it. */
const limitMarginMs = 5 * 60_000;

async function loadChoices(signal: AbortSignal) {
  const [{ models }, policies] = await Promise.all([
    get<{ models: ModelRecord[] }>('/api/v1/models', { limit: 500 }, signal),
    get<{ overview: PolicyChoice[] }>('/api/v1/policy-set', undefined, signal).then(
      (set) => set.overview,
      () => [] as PolicyChoice[],
    ),
  ]);
  return { models, policies };
}

/**
 * A contributor's waiver request: a version, a policy or one of its validations, the reason, the
 * expiry (at most 90 days away) and the post-deployment audit date. The server checks all of it
 * again; this form only spares a round trip for the obvious mistakes.
 */
export function WaiverRequestForm({ onRequested }: { onRequested: (waiver: Waiver) => void }) {
  const id = useId();
  const choices = useApi(loadChoices, []);
  const [model, setModel] = useState('');
  const [version, setVersion] = useState('');
  const [policy, setPolicy] = useState('');
  const [validation, setValidation] = useState('');
  const [reason, setReason] = useState('');
  const today = new Date();
  const [expires, setExpires] = useState(() => dateInput(today, 14));
  const [auditDue, setAuditDue] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const versions = useApi(
    (signal) =>
      model === ''
        ? Promise.resolve([] as VersionRecord[])
        : get<{ versions: VersionRecord[] }>(
            `/api/v1/models/${segment(model)}/versions`,
            { limit: 100 },
            signal,
          ).then((answer) => answer.versions),
    [model],
  );

  if (choices.state === 'loading') return <p className="state state-loading">Loading the form…</p>;
  if (choices.state === 'error')
    return (
      <p className="error" role="alert">
        Could not load models and policies: {choices.error.message}
      </p>
    );
  const { models, policies } = choices.data;
  if (policies.length === 0)
    return (
      <p className="state state-empty">
        No policy set is active, so there is nothing to waive. An admin applies one with{' '}
        <code>warden policy apply</code>.
      </p>
    );
  const chosenPolicy = policies.find((p) => p.name === policy);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const now = Date.now();
    const limit = now + maxWaiverDays * day - limitMarginMs;
    const expiresAt = endOfDay(expires);
    const auditDueAt = auditDue === '' ? undefined : endOfDay(auditDue);
    const problem =
      model === '' || version === ''
        ? 'Choose the model and the version the waiver is for.'
        : policy === ''
          ? 'Choose the policy to waive.'
          : reason.trim().length < minReasonLength
            ? `Say why the exception is acceptable and what compensates for it (at least ${minReasonLength} characters).`
            : expiresAt === undefined || Date.parse(expiresAt) <= now
              ? 'Choose an expiry date in the future.'
              : auditDue !== '' && (auditDueAt === undefined || Date.parse(auditDueAt) <= now)
                ? 'Choose an audit date in the future, or leave it empty to audit by the expiry.'
                : undefined;
    if (problem !== undefined || expiresAt === undefined) {
      setError(problem);
      return;
    }
    const clamp = (iso: string) => new Date(Math.min(Date.parse(iso), limit)).toISOString();
    setBusy(true);
    setError(undefined);
    try {
      const waiver = await post<Waiver>('/api/v1/waivers', {
        model,
        version,
        policy,
        ...(validation === '' ? {} : { validation }),
        reason: reason.trim(),
        expiresAt: clamp(expiresAt),
        ...(auditDueAt === undefined ? {} : { auditDueAt: clamp(auditDueAt) }),
      });
      setReason('');
      onRequested(waiver);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const maxDate = dateInput(today, maxWaiverDays);
  const minDate = dateInput(today, 1);
  return (
    <form className="waiver-form" onSubmit={submit} aria-label="Request a waiver" noValidate>
      <div className="waiver-form-grid">
        <div className="field">
          <label htmlFor={`${id}-model`}>Model</label>
          <select
            id={`${id}-model`}
            value={model}
            required
            onChange={(event) => {
              setModel(event.target.value);
              setVersion('');
            }}
          >
            <option value="">choose a model</option>
            {models.map((m) => (
              <option key={m.name}>{m.name}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-version`}>Version</label>
          <select
            id={`${id}-version`}
            value={version}
            required
            disabled={model === '' || versions.state !== 'ready'}
            onChange={(event) => setVersion(event.target.value)}
          >
            <option value="">{model === '' ? 'choose a model first' : 'choose a version'}</option>
            {versions.state === 'ready'
              ? versions.data.map((v) => (
                  <option key={v.version} value={v.version}>
                    v{v.version}
                    {v.aliases.length > 0 ? ` (${v.aliases.join(', ')})` : ''}
                  </option>
                ))
              : null}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-policy`}>Policy</label>
          <select
            id={`${id}-policy`}
            value={policy}
            required
            onChange={(event) => {
              setPolicy(event.target.value);
              setValidation('');
            }}
          >
            <option value="">choose a policy</option>
            {policies.map((p) => (
              <option key={p.name}>{p.name}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-validation`}>Validation</label>
          <select
            id={`${id}-validation`}
            value={validation}
            disabled={chosenPolicy === undefined}
            onChange={(event) => setValidation(event.target.value)}
          >
            <option value="">the whole policy</option>
            {chosenPolicy?.validations.map((v) => (
              <option key={v.name}>{v.name}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-expires`}>Expires on</label>
          <input
            id={`${id}-expires`}
            type="date"
            value={expires}
            min={minDate}
            max={maxDate}
            required
            aria-describedby={`${id}-expires-hint`}
            onChange={(event) => setExpires(event.target.value)}
          />
          <span id={`${id}-expires-hint`} className="hint">
            At most {maxWaiverDays} days away; the waiver ends at the end of that day.
          </span>
        </div>
        <div className="field">
          <label htmlFor={`${id}-audit`}>Post-deployment audit due</label>
          <input
            id={`${id}-audit`}
            type="date"
            value={auditDue}
            min={minDate}
            max={maxDate}
            aria-describedby={`${id}-audit-hint`}
            onChange={(event) => setAuditDue(event.target.value)}
          />
          <span id={`${id}-audit-hint`} className="hint">
            Empty: due when the waiver expires.
          </span>
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-reason`}>Reason</label>
        <textarea
          id={`${id}-reason`}
          value={reason}
          required
          minLength={minReasonLength}
          aria-describedby={`${id}-reason-hint`}
          onChange={(event) => setReason(event.target.value)}
        />
        <span id={`${id}-reason-hint`} className="hint">
          Why the exception is acceptable and what compensates for it (at least {minReasonLength} characters).
          An approver other than you decides.
        </span>
      </div>
      <div className="review-actions">
        <button type="submit" disabled={busy}>
          Request waiver
        </button>
      </div>
      <ErrorAlert>{error}</ErrorAlert>
    </form>
  );
}
