import { Badge } from '../Badge';
import { BarChart } from '../BarChart';
import { type Column, DataTable } from '../DataTable';
import { budgetPercent, type SloDocument, type SloStatus } from './runtime';

interface Row {
  document: SloDocument;
  status: SloStatus | undefined;
}

const indicatorText = (document: SloDocument) =>
  'latency' in document.spec.indicator
    ? `latency ≤ ${document.spec.indicator.latency.le} s`
    : 'availability (no 5xx)';

const columns: Column<Row>[] = [
  { header: 'SLO', cell: (r) => <strong>{r.document.metadata.name}</strong> },
  { header: 'Indicator', cell: (r) => indicatorText(r.document) },
  {
    header: 'Objective',
    className: 'narrow',
    cell: (r) => `${r.document.spec.objective}% over ${r.document.spec.period}`,
  },
  {
    header: 'Budget left',
    className: 'narrow',
    cell: (r) =>
      r.status ? `${budgetPercent(r.status.budgetRemaining)}%` : <span className="muted">no data</span>,
  },
  {
    header: 'Burn rates',
    cell: (r) =>
      r.status ? (
        <ul className="inline-list">
          {Object.entries(r.status.burnRates).map(([window, rate]) => (
            <li key={window}>
              {window}: {rate === null ? '—' : Number(rate.toFixed(2))}
            </li>
          ))}
        </ul>
      ) : (
        <span className="muted">—</span>
      ),
  },
  {
    header: 'Alert',
    className: 'narrow',
    cell: (r) =>
      r.status === undefined ? (
        <span className="muted">—</span>
      ) : r.status.alert ? (
        <Badge tone="fail">{r.status.alert}</Badge>
      ) : (
        <Badge tone="pass">none</Badge>
      ),
  },
];

/**
 * The declared SLOs of a model beside what the production version's latest signed window says of
 * them: the error budget left over the period (a bar each, 0–100 %) and the burn rate per window.
 */
export function SloPanel({
  model,
  slos,
  statuses,
}: {
  model: string;
  slos: readonly SloDocument[];
  statuses: readonly SloStatus[] | undefined;
}) {
  if (slos.length === 0)
    return (
      <p className="muted">
        No SLOs are declared for {model}; set them with <code>warden slo set</code> (docs/slo.md).
      </p>
    );
  const rows = slos.map((document) => ({
    document,
    status: statuses?.find((s) => s.name === document.metadata.name),
  }));
  const measured = rows.filter((r): r is Row & { status: SloStatus } => r.status !== undefined);
  return (
    <>
      <DataTable
        caption={`Service level objectives of ${model}`}
        columns={columns}
        rows={rows}
        rowKey={(r) => r.document.metadata.name}
      />
      {measured.length > 0 ? (
        <BarChart
          title={`Error budget left of ${model}'s SLOs`}
          description={measured
            .map(
              (r) =>
                `${r.document.metadata.name}: ${budgetPercent(r.status.budgetRemaining)}% of the budget left`,
            )
            .join('; ')}
          max={100}
          bars={measured.map((r) => ({
            label: r.document.metadata.name,
            value: Math.max(0, budgetPercent(r.status.budgetRemaining)),
            text: `${budgetPercent(r.status.budgetRemaining)}% left${r.status.alert ? ` (${r.status.alert})` : ''}`,
            alert: r.status.alert !== null || r.status.budgetRemaining <= 0,
          }))}
        />
      ) : (
        <p className="muted">
          No signed window of the production version reports these SLOs yet: the gateway adds an{' '}
          <code>slo</code> section to its monitor-status evidence when the route has SLOs (docs/slo.md).
        </p>
      )}
    </>
  );
}
