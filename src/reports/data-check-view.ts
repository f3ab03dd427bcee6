import type { CheckResult, DataCheckEvidence } from '../data/index.js';
import { describeExpectation } from '../data/index.js';
import { formatNumber, type ReportRow, type ReportView, type RowStatus } from './report-view.js';

function percentText(value: number): string {
  if (value === 0) return '0%';
  if (value < 0.01) return '<0.01%';
  return `${value.toFixed(2)}%`;
}

function statusOf(result: CheckResult): RowStatus {
  if (result.passed) return result.severity === 'info' && result.metric === 'piiDetected' ? 'info' : 'pass';
  return result.severity === 'error' ? 'fail' : result.severity === 'warning' ? 'warn' : 'info';
}

function measured(result: CheckResult): string {
  if (result.unit === 'percent') return percentText(result.observed);
  if (result.metric === 'rowCount' || result.metric === 'sql') return formatNumber(result.observed);
  if (result.metric === 'columnPresent') return 'absent';
  const count = result.unexpectedCount ?? result.observed;
  return result.unexpectedPercent !== undefined && count > 0
    ? `${formatNumber(count)} (${percentText(result.unexpectedPercent)})`
    : formatNumber(count);
}

const metricNouns: Partial<Record<CheckResult['metric'], [string, string]>> = {
  required: ['null value', 'null values'],
  unique: ['duplicate value', 'duplicate values'],
  logicalType: ['value of another type', 'values of another type'],
  minimum: ['value below the minimum', 'values below the minimum'],
  maximum: ['value above the maximum', 'values above the maximum'],
  minLength: ['value too short', 'values too short'],
  maxLength: ['value too long', 'values too long'],
  pattern: ['value not matching the pattern', 'values not matching the pattern'],
  format: ['value not in the format', 'values not in the format'],
  multipleOf: ['value not a multiple', 'values not a multiple'],
  piiHashed: ['value that is not a digest', 'values that are not digests'],
  invalidValues: ['invalid value', 'invalid values'],
  missingValues: ['missing value', 'missing values'],
  nullValues: ['null value', 'null values'],
  duplicateValues: ['duplicate value', 'duplicate values'],
};

function detail(result: CheckResult): string {
  const parts: string[] = [];
  if (result.description) parts.push(result.description);
  else {
    const noun = metricNouns[result.metric];
    const count = result.unexpectedCount ?? 0;
    if (!result.passed && noun && count > 0)
      parts.push(`${formatNumber(count)} ${count === 1 ? noun[0] : noun[1]}`);
  }
  const bound = result.details?.['bound'];
  if (bound !== undefined) parts.push(`${result.details?.['boundKind']} ${bound}`);
  if (result.details?.['logicalType']) parts.push(`expected ${result.details['logicalType']}`);
  if (result.details?.['pattern']) parts.push(`pattern ${result.details['pattern']}`);
  const emptyDigests = result.details?.['emptyDigestCount'];
  if (typeof emptyDigests === 'number' && emptyDigests > 0)
    parts.push(`${emptyDigests} digests of the empty string`);
  if (result.samples?.length) {
    parts.push(
      `e.g. ${result.samples.map((sample) => JSON.stringify(sample)).join(', ')}${result.samplesMasked ? ' (masked)' : ''}`,
    );
  }
  return parts.join('; ');
}

function expected(result: CheckResult): string {
  if (result.metric === 'columnPresent') return 'present';
  return describeExpectation(result.operator, result.threshold, result.unit);
}

/** The report of a data-check evidence document. */
export function dataCheckView(evidence: DataCheckEvidence): ReportView {
  const rows: ReportRow[] = evidence.results.map((result) => ({
    status: statusOf(result),
    id: result.check,
    target: result.column ?? result.columns?.join(', ') ?? evidence.table,
    metric: result.metric === 'piiDetected' ? `piiDetected (${result.details?.['detector']})` : result.metric,
    measured: measured(result),
    expected: expected(result),
    detail: detail(result),
  }));
  for (const skipped of evidence.skipped) {
    rows.push({
      status: 'skip',
      id: skipped.check,
      target: skipped.column ?? evidence.table,
      metric: '—',
      measured: '—',
      expected: '—',
      detail: skipped.reason,
    });
  }
  const { summary } = evidence;
  const input = evidence.inputs[0];
  return {
    title: `Data check: ${input?.uri ?? evidence.table} against ${evidence.contract.uri}`,
    subject: evidence.subject.name,
    passed: evidence.passed,
    summary: `${summary.checks} checks: ${summary.passed} passed, ${summary.failed} failed, ${summary.warnings} warning${summary.warnings === 1 ? '' : 's'}${summary.skipped ? `, ${summary.skipped} not run` : ''}`,
    facts: [
      [
        'dataset',
        `${input?.uri ?? '?'} (${input?.format ?? '?'}, ${formatNumber(evidence.rowCount)} rows, ${input?.digest.slice(0, 19) ?? ''}…)`,
      ],
      ['contract', `${evidence.contract.id} ${evidence.contract.version} (${evidence.contract.uri})`],
      ['evidence', evidence.id],
    ],
    rows,
  };
}
