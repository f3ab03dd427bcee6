import { maskIfPii } from '../core/index.js';
import {
  accuracy,
  addConfusion,
  type ConfusionCounts,
  falseNegativeRate,
  falsePositiveRate,
  selectionRate,
  trueNegativeRate,
  truePositiveRate,
  validateConfusion,
} from './confusion-metrics.js';
import {
  type ComparisonMethod,
  difference,
  meanSkipNaN,
  pythonMax,
  pythonMin,
  ratio,
} from './group-aggregates.js';
import { type Ranking, rocAuc } from './score-table.js';
import { invalidArgument, requireInteger } from './validation.js';

/**
 * A group's value of each sensitive attribute, in attribute order. `null` is a missing value (SQL
 * NULL; pandas None/NaN): such rows stay in the overall numbers but belong to no group.
 */
export type GroupKey = readonly (string | null)[];

/**
 * One group's compact input, one row of
 * `SELECT a, b, count(*), <confusion sums> FROM predictions GROUP BY a, b` — GROUP BY keeps the
 * NULL keys, and they must be passed too: they count in `missingValueRows` and in the overall
 * values that `toOverall` compares with.
 */
export interface GroupInput {
  key: GroupKey;
  /** Rows in the group (unweighted, as Fairlearn's `count`). */
  count: number;
  confusion: ConfusionCounts;
  /** The group's score table (or an accumulator fed it), when there is a score column. */
  ranking?: Ranking;
}

/** Whether equalized odds takes the worse of the TPR and FPR disparities or their mean. */
export type EqualizedOddsAggregation = 'worstCase' | 'mean';

export interface FairnessOptions {
  /**
   * Groups with fewer rows are reported with `tooSmall: true` and left out of the aggregates
   * ("too small to judge"). Default 0: every non-empty group is judged, exactly as Fairlearn.
   */
  minGroupSize?: number;
  /** Fairlearn's `method=`; default `betweenGroups`. */
  method?: ComparisonMethod;
  /** Fairlearn's `agg=` for equalized odds; default `worstCase`. */
  equalizedOdds?: EqualizedOddsAggregation;
  /** ROC AUC over all rows; needed only for `rocAucDifference` with `method: 'toOverall'`. */
  overallRocAuc?: number;
}

/** The per-group metrics of Fairlearn's base metric functions, as numbers (NaN = undefined). */
export interface GroupMetricValues {
  selectionRate: number;
  truePositiveRate: number;
  falsePositiveRate: number;
  falseNegativeRate: number;
  trueNegativeRate: number;
  accuracy: number;
  rocAuc: number;
}

/** The disparity aggregates, as numbers (NaN = undefined). */
export interface FairnessAggregateValues {
  demographicParityDifference: number;
  demographicParityRatio: number;
  equalizedOddsDifference: number;
  equalizedOddsRatio: number;
  equalOpportunityDifference: number;
  equalOpportunityRatio: number;
  rocAucDifference: number;
}

export type FairnessAggregateName = keyof FairnessAggregateValues;

export const fairnessAggregateNames: readonly FairnessAggregateName[] = [
  'demographicParityDifference',
  'demographicParityRatio',
  'equalizedOddsDifference',
  'equalizedOddsRatio',
  'equalOpportunityDifference',
  'equalOpportunityRatio',
  'rocAucDifference',
];

/** One group in the `byGroup` list of the evidence; `null` is an undefined metric. */
export interface GroupReport {
  /** Attribute name → value, e.g. `{ sex: 'F', age_band: '25-40' }`. */
  group: Record<string, string>;
  count: number;
  /** Weighted positive-label total (the row count when unweighted). */
  positives: number;
  /** Weighted negative-label total. */
  negatives: number;
  selectionRate: number | null;
  truePositiveRate: number;
  falsePositiveRate: number;
  falseNegativeRate: number;
  trueNegativeRate: number;
  accuracy: number | null;
  /** Absent without scores; null when the group has one class. */
  rocAuc?: number | null;
  tooSmall: boolean;
}

/** One entry of the `fairness` section: an attribute or an intersection of attributes. */
export interface FairnessReport {
  attributes: string[];
  method: ComparisonMethod;
  equalizedOdds: EqualizedOddsAggregation;
  minGroupSize: number;
  /** Non-empty groups, sorted by their values. */
  byGroup: GroupReport[];
  /** Groups that count in the aggregates (not too small). */
  judgedGroups: number;
  /** Combinations of observed values with no rows (Fairlearn's NaN rows); never judged. */
  emptyGroups: number;
  /** Rows with a missing value in one of the attributes: in no group, still in the overall values. */
  missingValueRows: number;
  demographicParityDifference: number | null;
  demographicParityRatio: number | null;
  equalizedOddsDifference: number | null;
  equalizedOddsRatio: number | null;
  equalOpportunityDifference: number | null;
  equalOpportunityRatio: number | null;
  /** Absent without scores. */
  rocAucDifference?: number | null;
}

/** Fairlearn's base metrics on one group (its rates are 0, never NaN, on empty denominators). */
export function groupMetricValues(confusion: ConfusionCounts, groupRocAuc = Number.NaN): GroupMetricValues {
  return {
    selectionRate: selectionRate(confusion),
    truePositiveRate: truePositiveRate(confusion),
    falsePositiveRate: falsePositiveRate(confusion),
    falseNegativeRate: falseNegativeRate(confusion),
    trueNegativeRate: trueNegativeRate(confusion),
    accuracy: accuracy(confusion),
    rocAuc: groupRocAuc,
  };
}

/**
 * Fairlearn's disparity metrics from per-group values: `demographic_parity_*` (selection rate),
 * `equalized_odds_*` (TPR and FPR; `worstCase` is Python's `max`/`min` over `[tpr, fpr]`, so a NaN
 * TPR disparity wins and a NaN FPR disparity is ignored), `equal_opportunity_*` (TPR), and the
 * difference of per-group ROC AUC. `overall` is needed for `toOverall` only.
 */
export function fairnessAggregates(
  groups: readonly GroupMetricValues[],
  options: {
    method?: ComparisonMethod;
    equalizedOdds?: EqualizedOddsAggregation;
    overall?: GroupMetricValues;
  } = {},
): FairnessAggregateValues {
  const method = options.method ?? 'betweenGroups';
  const overall = options.overall;
  const column = (name: keyof GroupMetricValues) => groups.map((group) => group[name]);
  const diff = (name: keyof GroupMetricValues) =>
    difference(column(name), method, overall?.[name] ?? Number.NaN);
  const rat = (name: keyof GroupMetricValues) => ratio(column(name), method, overall?.[name] ?? Number.NaN);
  const worstCase = (options.equalizedOdds ?? 'worstCase') === 'worstCase';
  const oddsDifferences = [diff('truePositiveRate'), diff('falsePositiveRate')];
  const oddsRatios = [rat('truePositiveRate'), rat('falsePositiveRate')];
  return {
    demographicParityDifference: diff('selectionRate'),
    demographicParityRatio: rat('selectionRate'),
    equalizedOddsDifference: worstCase ? pythonMax(oddsDifferences) : meanSkipNaN(oddsDifferences),
    equalizedOddsRatio: worstCase ? pythonMin(oddsRatios) : meanSkipNaN(oddsRatios),
    equalOpportunityDifference: diff('truePositiveRate'),
    equalOpportunityRatio: rat('truePositiveRate'),
    rocAucDifference: diff('rocAuc'),
  };
}

/** A group input checked, with its metric values; shared by the report and the bootstrap. */
export interface PreparedGroups {
  attributes: readonly string[];
  /** Non-empty groups without missing values, sorted by key. */
  groups: { key: string[]; input: GroupInput; values: GroupMetricValues; tooSmall: boolean }[];
  overall: GroupMetricValues;
  emptyGroups: number;
  missingValueRows: number;
  hasScores: boolean;
}

export function prepareGroups(
  attributes: readonly string[],
  inputs: readonly GroupInput[],
  options: FairnessOptions = {},
): PreparedGroups {
  if (attributes.length === 0)
    throw invalidArgument('a fairness report needs at least one sensitive attribute');
  const minGroupSize = options.minGroupSize ?? 0;
  requireInteger(minGroupSize, 'the minimum group size', 0);
  const seen = new Set<string>();
  const distinct = attributes.map(() => new Set<string>());
  let overallConfusion: ConfusionCounts = {
    truePositives: 0,
    falsePositives: 0,
    falseNegatives: 0,
    trueNegatives: 0,
  };
  let missingValueRows = 0;
  let hasScores = false;
  const groups: PreparedGroups['groups'] = [];
  for (const input of inputs) {
    if (input.key.length !== attributes.length) {
      throw invalidArgument(
        `group key ${JSON.stringify(input.key)} has ${input.key.length} values for ${attributes.length} attributes (${attributes.join(', ')})`,
      );
    }
    const id = JSON.stringify(input.key);
    if (seen.has(id)) throw invalidArgument(`group ${id} appears twice; GROUP BY every attribute`);
    seen.add(id);
    requireInteger(input.count, `the row count of group ${id}`, 0);
    validateConfusion(input.confusion);
    overallConfusion = addConfusion(overallConfusion, input.confusion);
    input.key.forEach((value, i) => {
      if (value !== null) distinct[i]?.add(value);
    });
    if (input.ranking !== undefined) hasScores = true;
    if (input.key.includes(null)) {
      missingValueRows += input.count;
      continue;
    }
    if (input.count === 0) continue;
    const groupRocAuc = input.ranking === undefined ? Number.NaN : rocAuc(input.ranking);
    groups.push({
      key: input.key as string[],
      input,
      values: groupMetricValues(input.confusion, groupRocAuc),
      tooSmall: input.count < minGroupSize,
    });
  }
  groups.sort((a, b) => compareKeys(a.key, b.key));
  const combinations = distinct.reduce((product, values) => product * values.size, 1);
  return {
    attributes,
    groups,
    overall: groupMetricValues(overallConfusion, options.overallRocAuc ?? Number.NaN),
    emptyGroups: combinations - groups.length,
    missingValueRows,
    hasScores,
  };
}

/**
 * The `fairness` entry for one attribute or intersection, with Fairlearn MetricFrame semantics:
 * groups sorted by value, rows with a missing value dropped from the groups (pandas
 * `groupby(dropna=True)`) but kept in the overall values, empty intersections skipped, NaN group
 * values skipped by min/max, difference = max − min, ratio = min / max.
 *
 * @example
 * fairnessReport(['sex'], [
 *   { key: ['F'], count: 5, confusion: { truePositives: 4, falsePositives: 0, falseNegatives: 1, trueNegatives: 0 } },
 *   { key: ['M'], count: 5, confusion: { truePositives: 1, falsePositives: 1, falseNegatives: 1, trueNegatives: 2 } },
 * ]).demographicParityRatio // 0.5
 */
export function fairnessReport(
  attributes: readonly string[],
  inputs: readonly GroupInput[],
  options: FairnessOptions = {},
): FairnessReport {
  const prepared = prepareGroups(attributes, inputs, options);
  const method = options.method ?? 'betweenGroups';
  const equalizedOdds = options.equalizedOdds ?? 'worstCase';
  const judged = prepared.groups.filter((group) => !group.tooSmall).map((group) => group.values);
  const aggregates = fairnessAggregates(judged, { method, equalizedOdds, overall: prepared.overall });
  const byGroup = prepared.groups.map(({ key, input, values, tooSmall }): GroupReport => {
    const report: GroupReport = {
      // A group value a PII detector flags is shown by its shape only (docs/model-gate.md).
      group: Object.fromEntries(attributes.map((attribute, i) => [attribute, maskIfPii(key[i] as string)])),
      count: input.count,
      positives: input.confusion.truePositives + input.confusion.falseNegatives,
      negatives: input.confusion.falsePositives + input.confusion.trueNegatives,
      selectionRate: orNull(values.selectionRate),
      truePositiveRate: values.truePositiveRate,
      falsePositiveRate: values.falsePositiveRate,
      falseNegativeRate: values.falseNegativeRate,
      trueNegativeRate: values.trueNegativeRate,
      accuracy: orNull(values.accuracy),
      tooSmall,
    };
    if (prepared.hasScores) report.rocAuc = orNull(values.rocAuc);
    return report;
  });
  const report: FairnessReport = {
    attributes: [...attributes],
    method,
    equalizedOdds,
    minGroupSize: options.minGroupSize ?? 0,
    byGroup,
    judgedGroups: judged.length,
    emptyGroups: prepared.emptyGroups,
    missingValueRows: prepared.missingValueRows,
    demographicParityDifference: orNull(aggregates.demographicParityDifference),
    demographicParityRatio: orNull(aggregates.demographicParityRatio),
    equalizedOddsDifference: orNull(aggregates.equalizedOddsDifference),
    equalizedOddsRatio: orNull(aggregates.equalizedOddsRatio),
    equalOpportunityDifference: orNull(aggregates.equalOpportunityDifference),
    equalOpportunityRatio: orNull(aggregates.equalOpportunityRatio),
  };
  if (prepared.hasScores) report.rocAucDifference = orNull(aggregates.rocAucDifference);
  return report;
}

/** Evidence JSON has no NaN: an undefined metric is `null`. */
export function orNull(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
