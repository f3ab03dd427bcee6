import {
  type DataCheck,
  type DataCheckResult,
  formatNumber,
  resultsWorstFirst,
  thresholdText,
} from '../../api/evidence';
import { Badge, type Tone } from '../Badge';
import { type Column, DataTable } from '../DataTable';

function tone(result: DataCheckResult): Tone {
  if (result.passed) return 'pass';
  return result.severity === 'error' ? 'fail' : result.severity === 'warning' ? 'warn' : 'info';
}

const columns: Column<DataCheckResult>[] = [
  {
    header: 'Result',
    className: 'narrow',
    cell: (r) => (
      <Badge tone={tone(r)}>{r.passed ? 'pass' : r.severity === 'error' ? 'fail' : r.severity}</Badge>
    ),
  },
  { header: 'Check', cell: (r) => r.check },
  { header: 'Column', className: 'narrow', cell: (r) => r.column ?? '' },
  { header: 'Metric', className: 'narrow', cell: (r) => r.metric },
  {
    header: 'Measured',
    className: 'narrow',
    cell: (r) => `${formatNumber(r.unexpectedCount ?? r.observed)}${r.unit ? ` ${r.unit}` : ''}`,
  },
  { header: 'Expected', cell: (r) => thresholdText(r) },
];

/** The data check's summary and its results, failures first. */
export function DataCheckView({ evidence }: { evidence: DataCheck }) {
  const { summary } = evidence;
  return (
    <>
      <p>
        {summary.checks} checks over {formatNumber(evidence.rowCount)} rows: {summary.passed} passed,{' '}
        {summary.failed} failed, {summary.warnings} warning{summary.warnings === 1 ? '' : 's'},{' '}
        {summary.skipped} skipped
      </p>
      <DataTable
        caption="Data check results"
        columns={columns}
        rows={resultsWorstFirst(evidence.results)}
        rowKey={(r) => r.check}
        rowClass={(r) => (r.passed ? undefined : `row-${tone(r)}`)}
      />
    </>
  );
}
