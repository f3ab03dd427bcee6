import { useAuth } from '../../api/auth';
import { segment } from '../../api/client';
import { Badge, type Tone } from '../Badge';
import { type Column, DataTable } from '../DataTable';
import { Link } from '../router';
import { Time } from '../Time';
import { WaiverActions } from './WaiverActions';
import { type Waiver, waivedTarget } from './waivers';

const versionHref = (w: { model: string; version: string }) =>
  `/models/${segment(w.model)}/versions/${segment(w.version)}`;

/** The waiver's state in one word, as the sections name it. */
export function waiverState(waiver: Waiver): { tone: Tone; text: string } {
  if (waiver.status === 'requested') return { tone: 'info', text: 'requested' };
  if (waiver.status === 'rejected') return { tone: 'neutral', text: 'rejected' };
  if (waiver.status === 'revoked') return { tone: 'neutral', text: 'revoked' };
  if (waiver.expired) return { tone: 'fail', text: 'expired' };
  return { tone: 'pass', text: 'active' };
}

export function WaiverSubject({ waiver }: { waiver: Waiver }) {
  return (
    <>
      <Link href={versionHref(waiver)}>
        {waiver.model} v{waiver.version}
      </Link>
      {waiver.servingAs.length > 0 ? (
        <span className="muted small"> serving {waiver.servingAs.join(', ')}</span>
      ) : null}
    </>
  );
}

export function AuditState({ waiver }: { waiver: Waiver }) {
  if (waiver.auditedAt)
    return (
      <>
        <Badge tone="pass">audited</Badge> by {waiver.auditedBy}, <Time at={waiver.auditedAt} />
        {waiver.auditNote ? <div className="small">“{waiver.auditNote}”</div> : null}
      </>
    );
  return (
    <>
      {waiver.auditOverdue ? <Badge tone="fail">overdue</Badge> : null} due <Time at={waiver.auditDueAt} />
    </>
  );
}

/** Waivers in a table; approvers act on each row (revoke, record the audit) under "Act". */
export function WaiverTable({
  caption,
  waivers,
  registeredBy,
  onDone,
}: {
  caption: string;
  waivers: readonly Waiver[];
  registeredBy: ReadonlyMap<string, string>;
  onDone: (message: string) => void;
}) {
  const { can } = useAuth();
  const columns: Column<Waiver>[] = [
    {
      header: 'State',
      className: 'narrow',
      cell: (w) => {
        const state = waiverState(w);
        return <Badge tone={state.tone}>{state.text}</Badge>;
      },
    },
    { header: 'Version', cell: (w) => <WaiverSubject waiver={w} /> },
    {
      header: 'Waives',
      cell: (w) => (
        <>
          <code>{waivedTarget(w)}</code>
          <div className="small">{w.reason}</div>
        </>
      ),
    },
    {
      header: 'Requested / decided',
      cell: (w) => (
        <>
          {w.requestedBy}, <Time at={w.requestedAt} />
          {w.decidedBy ? (
            <div className="small">
              {w.status} by {w.decidedBy}, <Time at={w.decidedAt} />
              {w.decisionComment ? ` — “${w.decisionComment}”` : ''}
            </div>
          ) : null}
        </>
      ),
    },
    { header: 'Expires', className: 'narrow', cell: (w) => <Time at={w.expiresAt} /> },
    { header: 'Post-deployment audit', cell: (w) => <AuditState waiver={w} /> },
  ];
  const act: Column<Waiver> = {
    header: 'Act',
    cell: (w) =>
      w.status === 'approved' && (!w.expired || w.auditedAt === null) ? (
        <details>
          <summary>Revoke or audit</summary>
          <WaiverActions
            waiver={w}
            registeredBy={registeredBy.get(`${w.model}@${w.version}`)}
            onDone={onDone}
          />
        </details>
      ) : (
        <span className="muted">—</span>
      ),
  };
  return (
    <DataTable
      caption={caption}
      columns={can('approver') ? [...columns, act] : columns}
      rows={waivers}
      rowKey={(w) => w.id}
      rowClass={(w) => (w.status === 'approved' && (w.auditOverdue || w.expired) ? 'row-fail' : undefined)}
    />
  );
}
