import {
  type FairnessEntry,
  falsePositiveRate,
  type ModelEvaluationEvidence,
  type ThresholdResult,
  truePositiveRate,
} from '../evaluation/index.js';
import { formatNumber, type ReportRow, type ReportTable, type ReportView } from './report-view.js';

const metricText = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : formatNumber(value);

function thresholdRow(result: ThresholdResult): ReportRow {
  const target = result.attributes?.join(' × ') ?? 'overall';
  return {
    status: result.passed ? 'pass' : 'fail',
    id: `threshold.${result.attributes ? `${result.attributes.join('.')}.` : ''}${result.metric}`,
    target,
    metric: result.metric,
    measured: metricText(result.observed),
    expected: `${result.operator === '>=' ? '≥' : '≤'} ${result.threshold}`,
    detail: result.message,
  };
}

function performanceFact(evidence: ModelEvaluationEvidence): string {
  const p = evidence.performance;
  const parts: [string, number | null | undefined][] = [
    ['ROC AUC', p.rocAuc],
    ['average precision', p.averagePrecision],
    ['log loss', p.logLoss],
    ['Brier', p.brierScore],
    ['accuracy', p.accuracy],
    ['balanced accuracy', p.balancedAccuracy],
    ['precision', p.precision],
    ['recall', p.recall],
    ['F1', p.f1],
    ['selection rate', p.selectionRate],
    ['ECE', p.calibration?.expectedCalibrationError],
  ];
  return parts
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name} ${metricText(value)}`)
    .join(' · ');
}

function aggregatesTable(fairness: readonly FairnessEntry[]): ReportTable {
  const withAuc = fairness.some((entry) => entry.rocAucDifference !== undefined);
  return {
    title: 'Fairness by attribute (difference = max − min, ratio = min / max over judged groups)',
    columns: [
      'attributes',
      'groups',
      'parity diff',
      'parity ratio',
      'eq. odds diff',
      'eq. odds ratio',
      'eq. opp. diff',
      ...(withAuc ? ['AUC diff'] : []),
    ],
    rows: fairness.map((entry) => [
      entry.attributes.join(' × '),
      `${entry.judgedGroups}${entry.byGroup.length > entry.judgedGroups ? ` of ${entry.byGroup.length}` : ''}`,
      withInterval(entry, 'demographicParityDifference'),
      withInterval(entry, 'demographicParityRatio'),
      withInterval(entry, 'equalizedOddsDifference'),
      withInterval(entry, 'equalizedOddsRatio'),
      withInterval(entry, 'equalOpportunityDifference'),
      ...(withAuc ? [withInterval(entry, 'rocAucDifference')] : []),
    ]),
  };
}

type Aggregate =
  | 'demographicParityDifference'
  | 'demographicParityRatio'
  | 'equalizedOddsDifference'
  | 'equalizedOddsRatio'
  | 'equalOpportunityDifference'
  | 'rocAucDifference';

function withInterval(entry: FairnessEntry, name: Aggregate): string {
  const value = metricText(entry[name]);
  const interval = entry.confidenceIntervals?.intervals[name];
  if (interval === undefined || interval.length !== 2) return value;
  return `${value} [${metricText(interval[0])}, ${metricText(interval[1])}]`;
}

/**
 * Every group of every attribute, furthest from the overall rates first: the distance is the
 * largest gap between the group's and the overall selection, true positive and false positive
 * rates. Groups too small to judge come last.
 */
function groupsTable(evidence: ModelEvaluationEvidence): ReportTable {
  const p = evidence.performance;
  const overall = {
    selectionRate: p.selectionRate ?? 0,
    truePositiveRate: truePositiveRate(p.confusion),
    falsePositiveRate: falsePositiveRate(p.confusion),
  };
  const withAuc = evidence.performance.rocAuc !== undefined;
  const groups = evidence.fairness.flatMap((entry) =>
    entry.byGroup.map((group) => ({
      entry,
      group,
      gap: Math.max(
        Math.abs((group.selectionRate ?? 0) - overall.selectionRate),
        Math.abs(group.truePositiveRate - overall.truePositiveRate),
        Math.abs(group.falsePositiveRate - overall.falsePositiveRate),
      ),
    })),
  );
  groups.sort((a, b) => Number(a.group.tooSmall) - Number(b.group.tooSmall) || b.gap - a.gap);
  return {
    title: `Groups, furthest from the overall rates first (overall: selection ${formatNumber(overall.selectionRate)}, TPR ${formatNumber(overall.truePositiveRate)}, FPR ${formatNumber(overall.falsePositiveRate)})`,
    columns: ['group', 'rows', 'selection', 'TPR', 'FPR', 'accuracy', ...(withAuc ? ['AUC'] : []), 'note'],
    rows: groups.map(({ entry, group }) => [
      Object.entries(group.group)
        .map(([attribute, value]) => `${attribute}=${value}`)
        .join(', '),
      formatNumber(group.count),
      metricText(group.selectionRate),
      metricText(group.truePositiveRate),
      metricText(group.falsePositiveRate),
      metricText(group.accuracy),
      ...(withAuc ? [metricText(group.rocAuc)] : []),
      group.tooSmall ? `too small to judge (< ${entry.minGroupSize} rows)` : '',
    ]),
    terminalLimit: 10,
  };
}

/** The report of a model-evaluation evidence document. */
export function modelEvaluationView(evidence: ModelEvaluationEvidence): ReportView {
  const input = evidence.inputs[0];
  const rows = evidence.thresholds.map(thresholdRow);
  const failed = rows.filter((row) => row.status === 'fail').length;
  const { columns } = evidence;
  const sensitive = columns.sensitive
    .map((attribute) =>
      attribute.bins ? `${attribute.column} (bands at ${attribute.bins.join(', ')})` : attribute.column,
    )
    .join(', ');
  const predicted =
    columns.prediction === undefined
      ? `${columns.score} ≥ ${evidence.performance.threshold}`
      : `column ${columns.prediction}`;
  return {
    title: `Model check: ${evidence.subject.name}${evidence.subject.type === 'model-version' ? ` version ${evidence.subject.version}` : ''} on ${input?.uri ?? '?'}`,
    subject: evidence.subject.name,
    passed: evidence.passed,
    summary:
      rows.length === 0
        ? 'measured only: no thresholds given (gate with --min-auc, --min-ratio, --max-difference, or with --policies)'
        : `${rows.length} threshold${rows.length === 1 ? '' : 's'}: ${rows.length - failed} passed, ${failed} failed`,
    facts: [
      [
        'input',
        `${input?.uri ?? '?'} (${input?.format ?? '?'}, ${formatNumber(evidence.rowCount)} rows, ${input?.digest.slice(0, 19) ?? ''}…)`,
      ],
      ['label', `${columns.label}, positive = ${columns.positive}; predicted positive: ${predicted}`],
      ...(sensitive ? [['sensitive', sensitive] as [string, string]] : []),
      ['metrics', performanceFact(evidence)],
      ...(evidence.bootstrapNotes ?? []).map((note) => ['bootstrap', note] as [string, string]),
      ['evidence', evidence.id],
    ],
    headings: ['threshold', 'on', 'metric', 'measured', 'expected'],
    rows,
    tables: evidence.fairness.length > 0 ? [aggregatesTable(evidence.fairness), groupsTable(evidence)] : [],
  };
}
