import { type ReactNode, useState } from 'react';
import { useAuth } from '../api/auth';
import { get, segment } from '../api/client';
import type { VersionRecord } from '../api/types';
import { AsyncView } from '../components/AsyncView';
import { PageTitle } from '../components/Layout';
import { Time } from '../components/Time';
import { useApi } from '../components/useApi';
import { WaiverActions } from '../components/waivers/WaiverActions';
import { WaiverRequestForm } from '../components/waivers/WaiverRequestForm';
import { AuditState, WaiverSubject, WaiverTable } from '../components/waivers/WaiverTable';
import { expiringWithinDays, groupWaivers, type Waiver, waivedTarget } from '../components/waivers/waivers';

interface WaiverData {
  waivers: Waiver[];
  overdue: Waiver[];
  /** Who registered each version a waiver is for (`model@version`): the four-eyes rule needs it. */
  registeredBy: Map<string, string>;
  loadedAt: number;
}

async function loadWaivers(signal: AbortSignal): Promise<WaiverData> {
  const [{ waivers }, { waivers: overdue }] = await Promise.all([
    get<{ waivers: Waiver[] }>('/api/v1/waivers', { limit: 500 }, signal),
    get<{ waivers: Waiver[] }>('/api/v1/waivers', { overdue: true, limit: 500 }, signal),
  ]);
  const versions = [
    ...new Set(waivers.filter((w) => w.status === 'requested').map((w) => `${w.model}@${w.version}`)),
  ];
  const registeredBy = new Map<string, string>();
  await Promise.all(
    versions.map(async (key) => {
      const [model, version] = key.split('@') as [string, string];
      const record = await get<VersionRecord>(
        `/api/v1/models/${segment(model)}/versions/${segment(version)}`,
        undefined,
        signal,
      ).catch(() => undefined);
      if (record) registeredBy.set(key, record.createdBy);
    }),
  );
  return { waivers, overdue, registeredBy, loadedAt: Date.now() };
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/**
 * Time-bound exceptions: requests waiting for an approver, active waivers (those ending within a
 * week first), expired ones, post-deployment audits overdue on serving versions, and the form to
 * request one.
 */
export function WaiversPage() {
  const { can } = useAuth();
  const [message, setMessage] = useState<string | undefined>();
  const loaded = useApi(loadWaivers, []);
  const done = (text: string) => {
    setMessage(text);
    loaded.reload();
  };
  return (
    <>
      <PageTitle>Waivers</PageTitle>
      {message ? (
        <p className="notice" role="status">
          {message}
        </p>
      ) : null}
      {can('contributor') ? (
        <details className="card">
          <summary>Request a waiver</summary>
          <WaiverRequestForm
            onRequested={(waiver) =>
              done(
                `Requested waiver ${waiver.id} of ${waivedTarget(waiver)} for ${waiver.model} v${waiver.version}; an approver other than you decides it.`,
              )
            }
          />
        </details>
      ) : null}
      <AsyncView
        loaded={loaded}
        what="waivers"
        isEmpty={(data) => data.waivers.length === 0}
        empty={
          <p>
            No waiver was requested yet. A waiver sets a policy aside for one version, for at most 90 days,
            with a reason and a post-deployment audit.
          </p>
        }
      >
        {(data) => {
          const groups = groupWaivers(data.waivers, data.loadedAt);
          const table = (caption: string, waivers: Waiver[], none: string) =>
            waivers.length === 0 ? (
              <p className="muted">{none}</p>
            ) : (
              <WaiverTable
                caption={caption}
                waivers={waivers}
                registeredBy={data.registeredBy}
                onDone={done}
              />
            );
          return (
            <>
              <p className="muted" data-testid="waiver-counts">
                {groups.requested.length} waiting for approval ·{' '}
                {groups.expiringSoon.length + groups.active.length} active ({groups.expiringSoon.length}{' '}
                ending within {expiringWithinDays} days) · {groups.expired.length} expired ·{' '}
                {data.overdue.length} needing attention on serving versions
              </p>
              <Section id="overdue-heading" title="Overdue on serving versions">
                {table(
                  'Approved waivers on serving versions that expired or whose post-deployment audit is past due',
                  data.overdue,
                  'No serving version has an expired waiver or an overdue audit.',
                )}
              </Section>
              <Section id="requested-heading" title="Waiting for approval">
                {groups.requested.length === 0 ? (
                  <p className="muted">No waiver request waits for an approver.</p>
                ) : (
                  groups.requested.map((waiver) => (
                    <article
                      key={waiver.id}
                      className="card card-warn"
                      aria-labelledby={`${waiver.id}-title`}
                    >
                      <h3 id={`${waiver.id}-title`}>
                        <WaiverSubject waiver={waiver} />: waive <code>{waivedTarget(waiver)}</code>
                      </h3>
                      <dl className="facts">
                        <dt>Reason</dt>
                        <dd>{waiver.reason}</dd>
                        <dt>Requested</dt>
                        <dd>
                          by {waiver.requestedBy}, <Time at={waiver.requestedAt} />
                        </dd>
                        <dt>Version registered by</dt>
                        <dd>{data.registeredBy.get(`${waiver.model}@${waiver.version}`) ?? 'unknown'}</dd>
                        <dt>Expires</dt>
                        <dd>
                          <Time at={waiver.expiresAt} />
                        </dd>
                        <dt>Post-deployment audit</dt>
                        <dd>
                          <AuditState waiver={waiver} />
                        </dd>
                      </dl>
                      <WaiverActions
                        waiver={waiver}
                        registeredBy={data.registeredBy.get(`${waiver.model}@${waiver.version}`)}
                        onDone={done}
                      />
                    </article>
                  ))
                )}
              </Section>
              <Section id="expiring-heading" title={`Expiring within ${expiringWithinDays} days`}>
                {table(
                  `Active waivers ending within ${expiringWithinDays} days, soonest first`,
                  groups.expiringSoon,
                  `No active waiver ends within ${expiringWithinDays} days.`,
                )}
              </Section>
              <Section id="active-heading" title="Active">
                {table('Active waivers', groups.active, 'No other waiver is active.')}
              </Section>
              <Section id="expired-heading" title="Expired">
                {table(
                  'Approved waivers past their expiry',
                  groups.expired,
                  'No approved waiver has expired.',
                )}
              </Section>
              <Section id="closed-heading" title="Rejected and revoked">
                {table('Rejected and revoked waivers', groups.closed, 'No waiver was rejected or revoked.')}
              </Section>
            </>
          );
        }}
      </AsyncView>
    </>
  );
}
