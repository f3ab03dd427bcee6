import { type DriftColumn, type DriftReport, formatNumber } from '../../api/evidence';
import { Badge } from '../Badge';
import { BarChart } from '../BarChart';
import { type Column, DataTable } from '../DataTable';

type Row = DriftColumn & { name: string };

const columns: Column<Row>[] = [
  {
    header: 'Result',
    className: 'narrow',
    cell: (c) =>
      c.drifted === undefined ? (
        <Badge tone="neutral">not tested</Badge>
      ) : (
        <Badge tone={c.drifted ? 'fail' : 'pass'}>{c.drifted ? 'drifted' : 'stable'}</Badge>
      ),
  },
  { header: 'Feature', cell: (c) => c.name },
  { header: 'Type', className: 'narrow', cell: (c) => c.type },
  { header: 'Method', className: 'narrow', cell: (c) => c.method ?? '—' },
  { header: 'Score', className: 'narrow', cell: (c) => formatNumber(c.statistic) },
  { header: 'Drifts when', cell: (c) => `${c.comparison ?? ''} (${formatNumber(c.threshold)})` },
];

/**
 * The drift report: whether the dataset drifted, a bar per feature (its score as a multiple of its
 * threshold, so tests and distances share one scale) and the table of methods and scores.
 */
export function DriftReportView({ evidence }: { evidence: DriftReport }) {
  const rows: Row[] = Object.entries(evidence.columns).map(([name, column]) => ({ name, ...column }));
  const relative = rows
    .filter((c) => c.statistic !== undefined && c.threshold !== undefined && c.threshold > 0)
    .map((c) => {
      const statistic = c.statistic as number;
      const threshold = c.threshold as number;
      // A p-value drifts when it is below its threshold: invert so that past 1 always means drift.
      const isPValue = c.comparison?.startsWith('p ') ?? false;
      const value = isPValue ? Math.min(10, threshold / Math.max(statistic, 1e-12)) : statistic / threshold;
      return {
        label: c.name,
        value,
        text: `${formatNumber(value, 2)}× (${formatNumber(statistic)})`,
        alert: c.drifted === true,
      };
    });
  return (
    <>
      <p>
        {evidence.driftedColumns} of {evidence.testedColumns} features drifted (the dataset drifts past a
        share of {evidence.driftShare}):{' '}
        <Badge tone={evidence.datasetDrift ? 'fail' : 'pass'}>
          {evidence.datasetDrift ? 'dataset drift' : 'no dataset drift'}
        </Badge>
      </p>
      {relative.length > 0 ? (
        <BarChart
          title="Drift score per feature, as a multiple of its threshold"
          description={relative
            .map(
              (r) =>
                `${r.label}: ${formatNumber(r.value, 2)} times the threshold${r.alert ? ', drifted' : ''}`,
            )
            .join('; ')}
          bars={relative}
          band={{ from: 0, to: 1, label: 'below the threshold: no drift' }}
        />
      ) : null}
      <DataTable caption="Drift by feature" columns={columns} rows={rows} rowKey={(c) => c.name} />
    </>
  );
}
