import { get, segment } from '../../api/client';
import { AsyncView } from '../AsyncView';
import { Badge, type Tone } from '../Badge';
import { type Column, DataTable } from '../DataTable';
import { Time } from '../Time';
import { useApi } from '../useApi';
import type { RolloutEvent, RolloutHistory, RolloutRecord } from './runtime';

interface Traffic {
  requests: number;
  errorRatio: number | null;
  p99: number | null;
}

const outcomeTone: Record<string, Tone> = { pass: 'pass', fail: 'fail', 'no-data': 'warn' };

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
const num = (value: unknown) => (typeof value === 'number' ? value : undefined);

function trafficText(traffic: unknown): string {
  if (traffic === null || typeof traffic !== 'object') return '—';
  const t = traffic as Traffic;
  const errors = t.errorRatio === null ? '—' : `${Number((t.errorRatio * 100).toFixed(2))}% errors`;
  const p99 = t.p99 === null ? '' : `, p99 ${Number((t.p99 * 1000).toFixed(1))} ms`;
  return `${t.requests} req, ${errors}${p99}`;
}

/** What happened, in words: the outcome of a check, the step taken, who paused it and why. */
function what(event: RolloutEvent): { badge?: { tone: Tone; text: string }; text: string } {
  const d = event.details;
  const action = event.action.replace(/^rollout\./, '');
  switch (action) {
    case 'check': {
      const outcome = str(d['outcome']) ?? 'unknown';
      return {
        badge: { tone: outcomeTone[outcome] ?? 'neutral', text: outcome },
        text: `${str(d['reason']) ?? ''} — failed checks ${num(d['failedChecks']) ?? 0} of ${num(d['threshold']) ?? '?'}`,
      };
    }
    case 'started':
      return {
        text: `started beside stable v${str(d['stableVersion']) ?? '?'}${d['comment'] ? `: ${String(d['comment'])}` : ''}`,
      };
    case 'advanced':
      return {
        badge: { tone: 'info', text: 'step' },
        text: `to step ${num(d['step'])} at ${num(d['weight'])}%`,
      };
    case 'rolled_back':
      return { badge: { tone: 'fail', text: 'rolled back' }, text: str(d['reason']) ?? '' };
    case 'promoted':
      return { badge: { tone: 'pass', text: 'promoted' }, text: str(d['reason']) ?? '' };
    case 'aborted':
      return { badge: { tone: 'warn', text: 'aborted' }, text: str(d['reason']) ?? '' };
    default:
      return { text: `${action.replace(/[-_]/g, ' ')}${d['reason'] ? `: ${String(d['reason'])}` : ''}` };
  }
}

const columns: Column<RolloutEvent>[] = [
  { header: 'When', className: 'narrow', cell: (e) => <Time at={e.at} /> },
  {
    header: 'Step',
    className: 'narrow',
    cell: (e) =>
      num(e.details['step']) === undefined ? (
        <span className="muted">—</span>
      ) : (
        `${num(e.details['step'])}${num(e.details['weight']) === undefined ? '' : ` · ${num(e.details['weight'])}%`}`
      ),
  },
  {
    header: 'What',
    cell: (e) => {
      const described = what(e);
      return (
        <>
          {described.badge ? <Badge tone={described.badge.tone}>{described.badge.text}</Badge> : null}{' '}
          {described.text}
        </>
      );
    },
  },
  {
    header: 'Canary / stable',
    cell: (e) =>
      e.action === 'rollout.check' ? (
        <>
          <div className="small">canary: {trafficText(e.details['canary'])}</div>
          <div className="small">stable: {trafficText(e.details['stable'])}</div>
        </>
      ) : (
        <span className="muted">—</span>
      ),
  },
  { header: 'By', className: 'narrow', cell: (e) => e.actor },
];

/** A rollout's step history from the audit log, loaded when it is opened. */
export function RolloutHistoryTable({ rollout }: { rollout: RolloutRecord }) {
  const loaded = useApi(
    (signal) =>
      get<RolloutHistory>(
        `/api/v1/models/${segment(rollout.model)}/rollouts/${segment(rollout.id)}`,
        undefined,
        signal,
      ),
    [rollout.id],
  );
  return (
    <AsyncView
      loaded={loaded}
      what="the rollout's history"
      isEmpty={(data) => data.history.length === 0}
      empty={<p>The audit log holds nothing about this rollout yet.</p>}
    >
      {(data) => (
        <DataTable
          caption={`History of rollout ${data.id}: ${data.model} v${data.version} beside v${data.stableVersion}, oldest first`}
          columns={columns}
          rows={data.history}
          rowKey={(e) => String(e.seq)}
          rowClass={(e) =>
            e.details['outcome'] === 'fail' || e.action === 'rollout.rolled_back'
              ? 'row-fail'
              : e.details['outcome'] === 'no-data'
                ? 'row-warn'
                : undefined
          }
        />
      )}
    </AsyncView>
  );
}
