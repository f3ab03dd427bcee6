import {
  formatNumber,
  type ModelEvaluation,
  rateCharts,
  rateNames,
  type ThresholdResult,
} from '../../api/evidence';
import { Badge } from '../Badge';
import { BarChart } from '../BarChart';
import { type Column, DataTable } from '../DataTable';

const performanceFacts: [string, string][] = [
  ['rocAuc', 'ROC AUC'],
  ['accuracy', 'accuracy'],
  ['balancedAccuracy', 'balanced accuracy'],
  ['precision', 'precision'],
  ['recall', 'recall'],
  ['f1', 'F1'],
  ['selectionRate', 'selection rate'],
  ['brierScore', 'Brier score'],
];

const thresholdColumns: Column<ThresholdResult>[] = [
  {
    header: 'Result',
    className: 'narrow',
    cell: (t) => <Badge tone={t.passed ? 'pass' : 'fail'}>{t.passed ? 'pass' : 'fail'}</Badge>,
  },
  { header: 'Metric', cell: (t) => `${t.metric}${t.attributes ? ` on ${t.attributes.join(' × ')}` : ''}` },
  { header: 'Measured', className: 'narrow', cell: (t) => formatNumber(t.observed) },
  { header: 'Allowed', className: 'narrow', cell: (t) => `${t.operator} ${t.threshold}` },
  { header: 'Message', cell: (t) => t.message },
];

/** Performance, the evaluation's thresholds, and a bar chart per sensitive attribute and rate. */
export function ModelEvaluationView({ evidence }: { evidence: ModelEvaluation }) {
  const thresholds = evidence.thresholds ?? [];
  return (
    <>
      <dl className="facts">
        <dt>Rows</dt>
        <dd>{formatNumber(evidence.rowCount)}</dd>
        {performanceFacts
          .filter(
            ([key]) => typeof evidence.performance[key] === 'number' || evidence.performance[key] === null,
          )
          .map(([key, name]) => (
            <div key={key} className="contents">
              <dt>{name}</dt>
              <dd>{formatNumber(evidence.performance[key] as number | null)}</dd>
            </div>
          ))}
      </dl>
      {thresholds.length > 0 ? (
        <DataTable
          caption="Thresholds of the evaluation"
          columns={thresholdColumns}
          rows={thresholds}
          rowKey={(t) => `${t.metric}-${t.attributes?.join('.') ?? 'overall'}`}
          rowClass={(t) => (t.passed ? undefined : 'row-fail')}
        />
      ) : null}
      {(evidence.fairness ?? []).length === 0 ? (
        <p className="muted">No fairness results: the evaluation named no sensitive attribute.</p>
      ) : (
        (evidence.fairness ?? []).map((entry) => {
          const attribute = entry.attributes.join(' × ');
          return (
            <section key={attribute} aria-label={`Fairness by ${attribute}`}>
              <h4>Fairness by {attribute}</h4>
              <p className="small">
                equalized odds difference {formatNumber(entry.equalizedOddsDifference)}, demographic parity
                ratio {formatNumber(entry.demographicParityRatio)}
                {entry.minGroupSize ? `; groups under ${entry.minGroupSize} rows are too small to judge` : ''}
              </p>
              {rateCharts(entry, thresholds).map((chart) => (
                <BarChart
                  key={chart.rate}
                  title={`${rateNames[chart.rate]} by ${attribute}`}
                  description={`${chart.groups
                    .map((g) => `${g.label}: ${g.value === null ? 'undefined' : formatNumber(g.value, 3)}`)
                    .join('; ')}${
                    chart.band
                      ? `. Allowed band ${formatNumber(chart.band.from, 3)} to ${formatNumber(chart.band.to, 3)}; ${
                          chart.outside.length ? `outside: ${chart.outside.join(', ')}` : 'every group inside'
                        }`
                      : ''
                  }`}
                  max={1}
                  bars={chart.groups.map((g) => ({
                    label: g.label,
                    value: g.value,
                    text:
                      g.value === null
                        ? 'undefined'
                        : `${formatNumber(g.value, 3)}${g.tooSmall ? ' (too small)' : ''}`,
                    alert: chart.outside.includes(g.label),
                  }))}
                  {...(chart.band ? { band: chart.band } : {})}
                />
              ))}
            </section>
          );
        })
      )}
    </>
  );
}
