import type { EvidenceInput } from '../core/index.js';
import { type ColumnDriftEntry, columnsBySeverity, type DriftReportEvidence } from '../drift/index.js';
import { formatNumber, type ReportRow, type ReportTable, type ReportView } from './report-view.js';

/** A score as people read it: four decimals, or two significant digits in scientific notation when tiny. */
export function formatScore(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (value !== 0 && Math.abs(value) < 1e-4) return value.toExponential(2);
  return formatNumber(value);
}

export function formatPercent(share: number): string {
  return `${formatNumber(Math.round(share * 1000) / 10)}%`;
}

const isPValue = (entry: ColumnDriftEntry) => 'comparison' in entry && entry.comparison?.startsWith('p ');

/** The measured score: `p = 0.0012` for a test, the distance otherwise. */
export function scoreText(entry: ColumnDriftEntry): string {
  if (!('statistic' in entry)) return '—';
  return isPValue(entry) ? `p = ${formatScore(entry.statistic)}` : formatScore(entry.statistic);
}

/** The comparison that flags drift, and its opposite. */
const operators: Record<string, { drift: string; noDrift: string }> = {
  'p <= threshold': { drift: '≤', noDrift: '>' },
  'p < threshold': { drift: '<', noDrift: '≥' },
  'distance >= threshold': { drift: '≥', noDrift: '<' },
  'distance > threshold': { drift: '>', noDrift: '≤' },
};

/** What the score must be for the column not to drift, e.g. `p > 0.05`, `< 0.1`. */
export function noDriftCondition(entry: ColumnDriftEntry): string {
  if (!('comparison' in entry) || entry.threshold === undefined) return '—';
  const operator = operators[entry.comparison]?.noDrift ?? '?';
  return `${isPValue(entry) ? 'p ' : ''}${operator} ${formatScore(entry.threshold)}`;
}

const methodNames: Record<string, string> = {
  ks: 'Kolmogorov–Smirnov test',
  chisquare: 'chi-square test',
  z: 'two-proportion z-test',
  wasserstein: 'Wasserstein distance (normed)',
  jensenshannon: 'Jensen–Shannon distance',
  jensenShannon: 'Jensen–Shannon distance',
  psi: 'PSI',
  kl_div: 'KL divergence',
  klDivergence: 'KL divergence',
  hellinger: 'Hellinger distance',
};

/** The method's name in words. */
export function methodName(method: string | undefined): string {
  return method === undefined ? 'not tested' : (methodNames[method] ?? method);
}

/** One sentence on the column's verdict: `drifted: Wasserstein distance (normed) 0.41 ≥ 0.1`. */
export function driftFinding(entry: ColumnDriftEntry): string {
  if (entry.drifted === null || !('statistic' in entry))
    return `not tested: ${'error' in entry ? entry.error : ''}`;
  const operator = operators[entry.comparison]?.[entry.drifted ? 'drift' : 'noDrift'] ?? '?';
  const score = isPValue(entry) ? `p-value ${formatScore(entry.statistic)}` : formatScore(entry.statistic);
  return `${entry.drifted ? 'drifted' : 'no drift'}: ${methodName(entry.method)} ${score} ${operator} ${formatScore(entry.threshold)}`;
}

function valuesText(entry: ColumnDriftEntry): string {
  const missing =
    entry.referenceMissing + entry.currentMissing > 0
      ? `; missing ${formatNumber(entry.referenceMissing)} / ${formatNumber(entry.currentMissing)}`
      : '';
  return `${entry.type}, ${formatNumber(entry.referenceRows)} vs ${formatNumber(entry.currentRows)} values${missing}`;
}

function extraText(entry: ColumnDriftEntry): string {
  if ('scores' in entry) {
    const approximate = Object.entries(entry.scores)
      .filter(([, score]) => score?.approximate)
      .map(([metric]) => metric);
    return approximate.length === 0 ? '' : ` (${approximate.join(', ')} approximate)`;
  }
  if (!('testStatistic' in entry)) return '';
  const name = entry.method === 'ks' ? 'D' : entry.method === 'chisquare' ? 'χ²' : 'z';
  return entry.testStatistic === null ? `, ${name} = ∞` : `, ${name} = ${formatScore(entry.testStatistic)}`;
}

function columnRow(name: string, entry: ColumnDriftEntry): ReportRow {
  const tested = entry.drifted !== null;
  return {
    status: entry.drifted === true ? 'fail' : entry.drifted === false ? 'pass' : 'skip',
    id: `drift.${name}`,
    target: entry.role === 'feature' ? name : `${name} (${entry.role})`,
    metric: 'method' in entry && entry.method !== undefined ? entry.method : '—',
    measured: tested ? scoreText(entry) : '—',
    expected: noDriftCondition(entry),
    detail: tested
      ? `${valuesText(entry)}${extraText(entry)}`
      : `not tested: ${'error' in entry ? entry.error : ''}`,
  };
}

function inputFact(input: EvidenceInput | undefined): string {
  if (input === undefined) return '?';
  const rows = input.rows === undefined ? '' : `, ${formatNumber(input.rows)} rows`;
  return `${input.uri} (${input.format ?? '?'}${rows}, ${input.digest.slice(0, 19)}…)`;
}

/** The columns table of --verbose: rows, missing values and distinct values per column. */
function valuesTable(evidence: DriftReportEvidence, order: readonly string[]): ReportTable {
  return {
    title: 'Values by column (reference / current)',
    columns: ['column', 'role', 'type', 'values', 'missing', 'distinct'],
    rows: order.map((name) => {
      const entry = evidence.columns[name] as ColumnDriftEntry;
      return [
        name,
        entry.role,
        entry.type,
        `${formatNumber(entry.referenceRows)} / ${formatNumber(entry.currentRows)}`,
        `${formatNumber(entry.referenceMissing)} / ${formatNumber(entry.currentMissing)}`,
        'uniqueValues' in entry ? formatNumber(entry.uniqueValues) : '—',
      ];
    }),
  };
}

/** The summary line: which columns drifted, the share, and the rule. */
export function driftSummary(evidence: DriftReportEvidence): string {
  const drifted = evidence.driftedColumnNames;
  const skipped = evidence.skipped.map((entry) => entry.column);
  const share = `${formatPercent(evidence.driftedShare)}; dataset drift from ${formatPercent(evidence.driftShare)}`;
  const names = drifted.length > 0 ? `: ${drifted.join(', ')}` : '';
  const notTested = skipped.length > 0 ? `; ${skipped.length} not tested: ${skipped.join(', ')}` : '';
  return `${drifted.length} of ${evidence.testedColumns} column${evidence.testedColumns === 1 ? '' : 's'} drifted (${share})${names}${notTested}`;
}

/** The report of a drift-report evidence document; `details` adds the values-by-column table. */
export function driftReportView(
  evidence: DriftReportEvidence,
  options: { details?: boolean } = {},
): ReportView {
  const order = columnsBySeverity(evidence.columns);
  const [first, second] = evidence.inputs;
  const facts: [string, string][] =
    evidence.mode === 'batch'
      ? [
          ['reference', inputFact(first)],
          ['current', inputFact(second)],
        ]
      : [
          [
            'baseline',
            `${first?.uri ?? '?'} (from ${evidence.baseline.source.uri}, ${formatNumber(evidence.baseline.source.rows)} rows, created ${evidence.baseline.createdAt}; thresholds for windows of ${formatNumber(evidence.baseline.windowRows)} rows)`,
          ],
          ['current', inputFact(second)],
          ...(evidence.windows.length > 1
            ? [
                [
                  'windows',
                  `${evidence.windows.length} windows of ${formatNumber(evidence.windows[0]?.rows ?? 0)} rows, ${evidence.windows.filter((window) => window.datasetDrift).length} with dataset drift; shown: window ${evidence.shownWindow + 1}`,
                ] as [string, string],
              ]
            : []),
          ['judged by', `${evidence.judgedBy.join(', ')} above the baseline's thresholds`],
        ];
  const ignored = evidence.ignoredColumns ?? [];
  if (ignored.length > 0) {
    facts.push(['ignored', ignored.map((entry) => `${entry.column} (${entry.reason})`).join('; ')]);
  }
  if (evidence.ignoredRows !== undefined) facts.push(['ignored', evidence.ignoredRows.reason]);
  facts.push(['evidence', evidence.id]);
  return {
    title: `Drift check: ${evidence.subject.name}${evidence.mode === 'baseline' ? ' against its baseline' : ''}`,
    subject: evidence.subject.name,
    passed: evidence.passed,
    summary: driftSummary(evidence),
    facts,
    headings: ['check', 'column', 'method', 'score', 'no drift if'],
    rows: order.map((name) => columnRow(name, evidence.columns[name] as ColumnDriftEntry)),
    tables: options.details ? [valuesTable(evidence, order)] : [],
    verdicts: { passed: 'NO DATASET DRIFT', failed: 'DATASET DRIFT' },
  };
}
