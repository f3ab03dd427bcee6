import { useState } from 'react';
import { Badge, type Tone } from '../Badge';
import { type Column, DataTable } from '../DataTable';
import { Time } from '../Time';
import { RolloutHistoryTable } from './RolloutHistoryTable';
import type { RolloutRecord } from './runtime';

const statusTone: Record<RolloutRecord['status'], Tone> = {
  running: 'info',
  paused: 'warn',
  'awaiting-approval': 'warn',
  promoted: 'pass',
  'rolled-back': 'fail',
  aborted: 'neutral',
};

const columns = (shown: string | undefined, show: (id: string) => void): Column<RolloutRecord>[] => [
  {
    header: 'Status',
    className: 'narrow',
    cell: (r) => <Badge tone={statusTone[r.status]}>{r.status}</Badge>,
  },
  {
    header: 'Rollout',
    cell: (r) => (
      <>
        <strong>{r.model}</strong> v{r.version} beside v{r.stableVersion}
        <div className="muted small">{r.id}</div>
      </>
    ),
  },
  {
    header: 'Step',
    className: 'narrow',
    cell: (r) => `${r.step} of ${r.settings.steps.length} · ${r.weight}%`,
  },
  {
    header: 'Failed checks',
    className: 'narrow',
    cell: (r) => `${r.failedChecks} of ${r.settings.threshold}`,
  },
  {
    header: 'Started / finished',
    cell: (r) => (
      <>
        {r.startedBy}, <Time at={r.startedAt} />
        {r.finishedAt ? (
          <div className="small">
            finished <Time at={r.finishedAt} />
          </div>
        ) : null}
      </>
    ),
  },
  { header: 'Reason', cell: (r) => r.reason ?? <span className="muted">—</span> },
  {
    header: 'History',
    className: 'narrow',
    cell: (r) => (
      <button
        type="button"
        className="secondary"
        aria-pressed={shown === r.id}
        aria-controls="rollout-history"
        aria-label={`Step history of ${r.id}`}
        onClick={() => show(r.id)}
      >
        Step history
      </button>
    ),
  },
];

/** Rollouts, newest first; the step history of the one chosen (the newest at first) below them. */
export function RolloutTable({ rollouts }: { rollouts: readonly RolloutRecord[] }) {
  const [shown, setShown] = useState<string | undefined>(rollouts[0]?.id);
  const rollout = rollouts.find((r) => r.id === shown);
  return (
    <>
      <DataTable
        caption="Canary rollouts, newest first"
        columns={columns(shown, setShown)}
        rows={rollouts}
        rowKey={(r) => r.id}
        rowClass={(r) => (r.status === 'rolled-back' ? 'row-fail' : undefined)}
      />
      {rollout ? (
        <section id="rollout-history" aria-labelledby="rollout-history-heading">
          <h3 id="rollout-history-heading">
            Step history of {rollout.model} v{rollout.version} ({rollout.id})
          </h3>
          <RolloutHistoryTable rollout={rollout} />
        </section>
      ) : null}
    </>
  );
}
