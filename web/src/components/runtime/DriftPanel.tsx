import { Badge } from '../Badge';
import { BarChart } from '../BarChart';
import { type Column, DataTable } from '../DataTable';
import { driftBars, type FeatureDrift, featureDrifts, type MonitorStatus } from './runtime';

const number = (value: number | null) => (value === null ? '—' : Number(value.toFixed(4)).toString());

const columns: Column<FeatureDrift>[] = [
  {
    header: 'Result',
    className: 'narrow',
    cell: (f) =>
      f.drifted === null ? (
        <Badge tone="neutral">not measured</Badge>
      ) : (
        <Badge tone={f.drifted ? 'fail' : 'pass'}>{f.drifted ? 'drifted' : 'stable'}</Badge>
      ),
  },
  { header: 'Feature', cell: (f) => f.name },
  { header: 'Method', className: 'narrow', cell: (f) => f.method },
  { header: 'Score', className: 'narrow', cell: (f) => number(f.score) },
  { header: 'Drifts when', cell: (f) => f.driftsWhen },
];

/**
 * Live drift of the production version's latest signed window: a bar per feature as a multiple of
 * its threshold (the shaded band is "below the threshold"), the scores in a table, and whether the
 * dataset drifted.
 */
export function DriftPanel({ model, status }: { model: string; status: MonitorStatus }) {
  const features = featureDrifts(status);
  if (features.length === 0)
    return (
      <p className="muted">
        The window measured no feature drift: the route names no drift baseline, or no request body was
        decoded.
      </p>
    );
  const bars = driftBars(features);
  return (
    <>
      {status.datasetDrift ? (
        <p>
          {Math.round(status.datasetDrift.driftedShare * 100)}% of the features drifted (the dataset drifts
          from {Math.round(status.datasetDrift.driftShare * 100)}%):{' '}
          <Badge tone={status.datasetDrift.drifted ? 'fail' : 'pass'}>
            {status.datasetDrift.drifted ? 'dataset drift' : 'no dataset drift'}
          </Badge>
        </p>
      ) : null}
      <BarChart
        title={`Live drift per feature of ${model}, as a multiple of each feature's threshold`}
        description={features
          .map(
            (f) =>
              `${f.name}: ${f.method} ${number(f.score)}, drifts ${f.driftsWhen}${f.drifted ? ', drifted' : ''}`,
          )
          .join('; ')}
        bars={bars}
        band={{ from: 0, to: 1, label: 'below its threshold (1×)' }}
      />
      <DataTable
        caption={`Live drift of ${model} per feature`}
        columns={columns}
        rows={features}
        rowKey={(f) => f.name}
      />
    </>
  );
}
