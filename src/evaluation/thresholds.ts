import type { FairnessReport, GroupReport } from './fairness-report.js';
import type { PerformanceReport } from './performance-report.js';
import { invalidArgument } from './validation.js';

/** Disparities with a ratio (`--min-ratio NAME=x`). */
export const ratioMetrics = ['demographicParity', 'equalizedOdds', 'equalOpportunity'] as const;
/** Disparities with a difference (`--max-difference NAME=x`). */
export const differenceMetrics = [...ratioMetrics, 'rocAuc'] as const;
export type RatioMetric = (typeof ratioMetrics)[number];
export type DifferenceMetric = (typeof differenceMetrics)[number];

/** The local gate of a model evaluation (central policies come on top of this). */
export interface GateThresholds {
  /** Minimum overall ROC AUC. */
  minAuc?: number;
  /** Minimum between-group ratio of each disparity, on every attribute and intersection. */
  minRatio?: Partial<Record<RatioMetric, number>>;
  /** Maximum between-group difference of each disparity, on every attribute and intersection. */
  maxDifference?: Partial<Record<DifferenceMetric, number>>;
}

/** One threshold applied to one measured value, with the reason in words. */
export interface ThresholdResult {
  /** The evidence field judged, e.g. `rocAuc` or `demographicParityRatio`. */
  metric: string;
  /** The attributes of the fairness entry; absent for overall performance. */
  attributes?: string[];
  operator: '>=' | '<=';
  threshold: number;
  /** null when the metric is undefined (e.g. one class, or fewer than two groups large enough). */
  observed: number | null;
  passed: boolean;
  message: string;
}

const words: Record<string, string> = {
  rocAuc: 'ROC AUC',
  demographicParity: 'demographic parity',
  equalizedOdds: 'equalized odds',
  equalOpportunity: 'equal opportunity',
};

/** Reads `NAME=x` pairs of `--min-ratio` / `--max-difference`, naming the valid metrics on a typo. */
export function parseMetricThresholds<T extends string>(
  flag: string,
  pairs: readonly string[],
  metrics: readonly T[],
): Partial<Record<T, number>> {
  const parsed: Partial<Record<T, number>> = {};
  for (const pair of pairs) {
    const match = /^([A-Za-z]+)=(.+)$/.exec(pair.trim());
    const name = match?.[1] as T | undefined;
    const value = Number(match?.[2]);
    if (match === null || name === undefined || !metrics.includes(name)) {
      throw invalidArgument(
        `${flag} ${pair}: write NAME=VALUE with NAME one of ${metrics.join(', ')} (e.g. ${flag} ${metrics[0]}=0.8)`,
      );
    }
    if (!(Number.isFinite(value) && value >= 0)) {
      throw invalidArgument(`${flag} ${pair}: the value must be a number ≥ 0`);
    }
    parsed[name] = value;
  }
  return parsed;
}

/**
 * Judges the measured values against the thresholds. An undefined value fails: a gate that cannot
 * measure what it was asked to bound does not pass.
 */
export function judgeThresholds(
  performance: PerformanceReport,
  fairness: readonly FairnessReport[],
  thresholds: GateThresholds,
): ThresholdResult[] {
  const results: ThresholdResult[] = [];
  if (thresholds.minAuc !== undefined) {
    results.push(judge('rocAuc', 'ROC AUC', performance.rocAuc ?? null, '>=', thresholds.minAuc));
  }
  for (const entry of fairness) {
    const on = ` on ${entry.attributes.join(' × ')}`;
    for (const name of ratioMetrics) {
      const bound = thresholds.minRatio?.[name];
      if (bound === undefined) continue;
      const metric = `${name}Ratio` as const;
      const result = judge(metric, `${words[name]} ratio`, entry[metric], '>=', bound, on);
      results.push(explainDisparity(result, entry, name));
    }
    for (const name of differenceMetrics) {
      const bound = thresholds.maxDifference?.[name];
      if (bound === undefined) continue;
      const metric = `${name}Difference` as const;
      const result = judge(metric, `${words[name]} difference`, entry[metric] ?? null, '<=', bound, on);
      results.push(explainDisparity(result, entry, name));
    }
  }
  return results;
}

function judge(
  metric: string,
  label: string,
  observed: number | null,
  operator: '>=' | '<=',
  threshold: number,
  on = '',
): ThresholdResult {
  const shown = (value: number) => String(Number(value.toPrecision(4)));
  if (observed === null) {
    return {
      metric,
      operator,
      threshold,
      observed,
      passed: false,
      message: `${label}${on} is undefined (one class only, or fewer than two groups large enough to judge), so it cannot be shown to be ${operator === '>=' ? 'at least' : 'at most'} ${threshold}`,
    };
  }
  const passed = operator === '>=' ? observed >= threshold : observed <= threshold;
  const relation = passed
    ? operator === '>='
      ? 'is at least'
      : 'is at most'
    : operator === '>='
      ? 'is below'
      : 'is above';
  return {
    metric,
    operator,
    threshold,
    observed,
    passed,
    message: `${label}${on} ${shown(observed)} ${relation} ${threshold}`,
  };
}

type GroupRate = 'selectionRate' | 'truePositiveRate' | 'falsePositiveRate' | 'rocAuc';

const groupRates: Record<DifferenceMetric, GroupRate[]> = {
  demographicParity: ['selectionRate'],
  equalizedOdds: ['truePositiveRate', 'falsePositiveRate'],
  equalOpportunity: ['truePositiveRate'],
  rocAuc: ['rocAuc'],
};

const rateWords: Record<GroupRate, string> = {
  selectionRate: 'selection rate',
  truePositiveRate: 'true positive rate',
  falsePositiveRate: 'false positive rate',
  rocAuc: 'ROC AUC',
};

/**
 * Adds the attributes and, on a failure, the two judged groups furthest apart on the rate behind
 * the disparity (for equalized odds, the wider of TPR and FPR), so the reason names who is affected.
 */
function explainDisparity(
  result: ThresholdResult,
  entry: FairnessReport,
  disparity: DifferenceMetric,
): ThresholdResult {
  const explained = { ...result, attributes: [...entry.attributes] };
  if (result.passed) return explained;
  const judged = entry.byGroup.filter((group) => !group.tooSmall);
  const spreads = groupRates[disparity].flatMap((rate) => {
    const valued = judged.flatMap((group) => {
      const value = group[rate];
      return typeof value === 'number' ? [{ group, value }] : [];
    });
    if (valued.length < 2) return [];
    const low = valued.reduce((a, b) => (b.value < a.value ? b : a));
    const high = valued.reduce((a, b) => (b.value > a.value ? b : a));
    return [{ rate, low, high, spread: high.value - low.value }];
  });
  const widest = spreads.sort((a, b) => b.spread - a.spread)[0];
  if (widest === undefined) return explained;
  const show = (side: { group: GroupReport; value: number }) =>
    `${String(Number(side.value.toPrecision(3)))} for ${groupName(side.group)}`;
  explained.message += ` (${rateWords[widest.rate]} ${show(widest.high)} vs ${show(widest.low)})`;
  return explained;
}

function groupName(group: GroupReport): string {
  return Object.entries(group.group)
    .map(([attribute, value]) => `${attribute} ${value}`)
    .join(', ');
}
