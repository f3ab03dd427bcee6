import { Badge } from '../Badge';
import { BarChart } from '../BarChart';
import { driftBars, type MonitorStatus } from './runtime';

/**
 * Live drift of the production version's latest signed window: a bar per feature as a multiple of
 * its threshold (the shaded band is "below the threshold"), and whether the dataset drifted.
 */
export function DriftPanel({ model, status }: { model: string; status: MonitorStatus }) {
  const bars = driftBars(status);
  if (bars.length === 0)
    return (
      <p className="muted">
        The window measured no feature drift: the route names no drift baseline, or no request body was
        decoded.
      </p>
    );
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
        description={bars.map((bar) => `${bar.label}: ${bar.text}${bar.alert ? ', drifted' : ''}`).join('; ')}
        bars={bars}
        band={{ from: 0, to: 1, label: 'below its threshold (1×)' }}
      />
    </>
  );
}
