// Evidence documents as the checks write them (docs/model-gate.md, data-gate.md, drift.md), with
// the helpers the version page draws them with.

export interface EvidenceBase {
  kind: string;
  id: string;
  producedAt: string;
  passed: boolean;
  subject: { type: string; name: string; version?: string };
  inputs?: { uri: string; digest: string; rows?: number }[];
}

export interface ThresholdResult {
  metric: string;
  operator: string;
  threshold: number;
  observed: number | null;
  passed: boolean;
  message: string;
  attributes?: string[];
}

export interface GroupMetrics {
  group: Record<string, string>;
  count: number;
  selectionRate: number | null;
  truePositiveRate: number | null;
  falsePositiveRate: number | null;
  tooSmall: boolean;
}

export interface FairnessEntry {
  attributes: string[];
  byGroup: GroupMetrics[];
  minGroupSize?: number;
  equalizedOddsDifference?: number | null;
  demographicParityDifference?: number | null;
  demographicParityRatio?: number | null;
}

export interface ModelEvaluation extends EvidenceBase {
  kind: 'model-evaluation';
  rowCount: number;
  performance: Record<string, unknown> & {
    rocAuc?: number | null;
    accuracy?: number;
    precision?: number;
    recall?: number;
    f1?: number;
  };
  fairness?: FairnessEntry[];
  thresholds?: ThresholdResult[];
}

export interface DataCheckResult {
  check: string;
  column?: string;
  metric: string;
  severity: 'error' | 'warning' | 'info';
  passed: boolean;
  observed: number;
  operator?: string;
  threshold?: number | string | (number | string)[];
  unit?: string;
  unexpectedCount?: number;
  message?: string;
}

export interface DataCheck extends EvidenceBase {
  kind: 'data-check';
  rowCount: number;
  summary: { checks: number; passed: number; failed: number; warnings: number; skipped: number };
  results: DataCheckResult[];
}

export interface DriftColumn {
  type: string;
  method?: string;
  statistic?: number;
  threshold?: number;
  comparison?: string;
  drifted?: boolean;
}

export interface DriftReport extends EvidenceBase {
  kind: 'drift-report';
  driftShare: number;
  testedColumns: number;
  driftedColumns: number;
  datasetDrift: boolean;
  columns: Record<string, DriftColumn>;
}

export type AnyEvidence = ModelEvaluation | DataCheck | DriftReport | EvidenceBase;

export type Rate = 'selectionRate' | 'truePositiveRate' | 'falsePositiveRate';

export const rateNames: Record<Rate, string> = {
  selectionRate: 'selection rate',
  truePositiveRate: 'true positive rate',
  falsePositiveRate: 'false positive rate',
};

/** Which group rates a fairness threshold constrains. */
const ratesOf: Record<string, Rate[]> = {
  equalizedOddsDifference: ['truePositiveRate', 'falsePositiveRate'],
  equalOpportunityDifference: ['truePositiveRate'],
  demographicParityDifference: ['selectionRate'],
  demographicParityRatio: ['selectionRate'],
};

export interface RateChart {
  rate: Rate;
  groups: { label: string; value: number | null; tooSmall: boolean }[];
  /** Where every judged group's rate must lie for the threshold to hold, if one applies. */
  band?: { from: number; to: number; label: string };
  outside: string[];
}

const groupLabel = (group: Record<string, string>) => Object.values(group).join(' × ');

/**
 * The rate charts of one sensitive attribute (or intersection): one chart per rate a threshold of
 * the evaluation constrains (equalized odds: TPR and FPR), else the selection rate. The band is
 * anchored at the lowest judged group: a difference threshold d allows [min, min + d], a ratio
 * threshold r allows [max × r, max].
 */
export function rateCharts(entry: FairnessEntry, thresholds: readonly ThresholdResult[]): RateChart[] {
  const key = entry.attributes.join('|');
  const applying = thresholds.filter(
    (t) => t.attributes?.join('|') === key && ratesOf[t.metric] !== undefined,
  );
  const charts: RateChart[] = [];
  const rates: Rate[] = applying.length
    ? [...new Set(applying.flatMap((t) => ratesOf[t.metric] ?? []))]
    : ['selectionRate'];
  for (const rate of rates) {
    const groups = entry.byGroup.map((g) => ({
      label: groupLabel(g.group),
      value: g[rate],
      tooSmall: g.tooSmall,
    }));
    const judged = groups.filter((g) => !g.tooSmall && g.value !== null).map((g) => g.value as number);
    const threshold = applying.find((t) => ratesOf[t.metric]?.includes(rate));
    let band: RateChart['band'];
    if (threshold !== undefined && judged.length > 0) {
      const low = Math.min(...judged);
      const high = Math.max(...judged);
      band = threshold.metric.endsWith('Ratio')
        ? { from: high * threshold.threshold, to: high, label: `allowed: ≥ ${threshold.threshold} × highest` }
        : {
            from: low,
            to: Math.min(1, low + threshold.threshold),
            label: `allowed: lowest + ${threshold.threshold}`,
          };
    }
    const outside = band
      ? groups
          .filter(
            (g) =>
              !g.tooSmall &&
              g.value !== null &&
              (g.value < (band as { from: number }).from - 1e-12 ||
                g.value > (band as { to: number }).to + 1e-12),
          )
          .map((g) => g.label)
      : [];
    charts.push({ rate, groups, ...(band ? { band } : {}), outside });
  }
  return charts;
}

/** Data-check results worst first: failed errors, failed warnings, then the rest in check order. */
export function resultsWorstFirst(results: readonly DataCheckResult[]): DataCheckResult[] {
  const rank = (r: DataCheckResult) =>
    r.passed ? 3 : r.severity === 'error' ? 0 : r.severity === 'warning' ? 1 : 2;
  return results
    .map((result, index) => ({ result, index }))
    .sort((a, b) => rank(a.result) - rank(b.result) || a.index - b.index)
    .map(({ result }) => result);
}

export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined) return '—';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return Number(value.toFixed(digits)).toString();
}

export function thresholdText(result: DataCheckResult): string {
  const t = result.threshold;
  const value = Array.isArray(t) ? t.join(', ') : t === undefined ? '' : String(t);
  return [result.operator, value].filter(Boolean).join(' ');
}
