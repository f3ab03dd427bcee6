import { multinomial, Xoshiro128 } from './bootstrap-random.js';
import type { ConfusionCounts } from './confusion-metrics.js';
import {
  type FairnessAggregateName,
  type FairnessOptions,
  fairnessAggregateNames,
  fairnessAggregates,
  type GroupInput,
  type GroupKey,
  type GroupMetricValues,
  groupMetricValues,
  orNull,
  prepareGroups,
} from './fairness-report.js';
import { RankingAccumulator } from './score-table.js';
import { invalidArgument, requireFiniteScore, requireInteger, requireWeight } from './validation.js';

/**
 * Rows that the statistics cannot tell apart, counted: resampling rows with replacement is then a
 * Multinomial draw over the cells, with no row in memory. One row of
 *
 * ```sql
 * SELECT g, y, p, count(*) AS rows, sum(w) AS weight          -- add `score` for ROC AUC
 * FROM predictions GROUP BY g, y, p ORDER BY g, y, p
 * ```
 *
 * where `g` indexes the group keys, those with a missing (null) value included: such rows are
 * resampled like every row but belong to no group. Unweighted, the bootstrap is exactly the row
 * bootstrap. Weighted, each drawn row carries its cell's mean weight; add `w` to the GROUP BY (one
 * cell per distinct weight) to make that exact too. With `score` in the cells (and the GROUP BY),
 * per-group ROC AUC is recomputed in each replicate, at a cost of O(distinct scores) per replicate.
 */
export interface BootstrapCell {
  group: number;
  positive: boolean;
  predicted: boolean;
  rows: number;
  weight: number;
  score?: number;
}

export interface BootstrapOptions {
  /** Number of bootstrap replicates (Fairlearn's `n_boot`; about 100 is usual, ≤ 100 000). */
  replicates: number;
  /** Seed of the generator; the same seed and cells give the same intervals. */
  seed: number;
  /** Quantiles in (0, 1) (Fairlearn's `ci_quantiles`); default [0.025, 0.975]. */
  quantiles?: readonly number[];
}

/** Bootstrap intervals for the fairness aggregates, aligned with `quantiles`; null when undefined. */
export interface FairnessIntervals {
  replicates: number;
  seed: number;
  quantiles: number[];
  intervals: Record<FairnessAggregateName, (number | null)[]>;
  /** Replicates in which an aggregate was undefined (NaN), left out of its quantiles. */
  undefinedReplicates: Record<FairnessAggregateName, number>;
}

/**
 * Runs `statistic` on `replicates` resamples of `total` rows drawn with replacement from cells
 * of the given row counts; each call gets how many rows were drawn from each cell.
 *
 * @example
 * const means = bootstrapReplicates([30, 70], { replicates: 100, seed: 7 }, (drawn) => drawn[1] / 100);
 */
export function bootstrapReplicates<T>(
  rowsPerCell: ArrayLike<number>,
  options: Pick<BootstrapOptions, 'replicates' | 'seed'>,
  statistic: (drawn: Float64Array) => T,
): T[] {
  requireInteger(options.replicates, 'the number of bootstrap replicates', 1, 100_000);
  let total = 0;
  for (let i = 0; i < rowsPerCell.length; i++) {
    requireInteger(rowsPerCell[i] as number, 'the row count of a bootstrap cell', 0);
    total += rowsPerCell[i] as number;
  }
  const random = Xoshiro128.fromSeed(options.seed);
  const results: T[] = [];
  for (let r = 0; r < options.replicates; r++)
    results.push(statistic(multinomial(random, total, rowsPerCell)));
  return results;
}

/**
 * numpy `nanquantile(values, q)` with the default linear interpolation: NaN values are left out;
 * NaN when none is left.
 */
export function quantilesSkipNaN(values: readonly number[], quantiles: readonly number[]): number[] {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  return quantiles.map((q) => {
    if (sorted.length === 0) return Number.NaN;
    const position = (sorted.length - 1) * q;
    const lower = Math.floor(position);
    const a = sorted[lower] as number;
    const b = sorted[Math.min(lower + 1, sorted.length - 1)] as number;
    const t = position - lower;
    const span = b - a;
    return t >= 0.5 ? b - span * (1 - t) : a + span * t;
  });
}

/**
 * Bootstrap confidence intervals of the fairness aggregates (Fairlearn MetricFrame `n_boot`,
 * `ci_quantiles`, `random_state`): all rows resampled with replacement, not stratified, so a small
 * group may vanish from a replicate (it is then skipped, as in Fairlearn). The groups judged are
 * those judged on the original data (`minGroupSize` is applied once). Same algorithm as Fairlearn,
 * not the same random numbers: intervals agree statistically, not bit for bit.
 *
 * @example
 * const { intervals } = bootstrapFairness(['sex'], [['F'], ['M']], cells, { replicates: 200, seed: 1 });
 * intervals.demographicParityRatio; // [2.5 % quantile, 97.5 % quantile]
 */
export function bootstrapFairness(
  attributes: readonly string[],
  groupKeys: readonly GroupKey[],
  cells: readonly BootstrapCell[],
  options: FairnessOptions & BootstrapOptions,
): FairnessIntervals {
  const quantiles = [...(options.quantiles ?? [0.025, 0.975])];
  for (const q of quantiles) {
    if (!(q > 0 && q < 1)) throw invalidArgument(`bootstrap quantile ${q} is not strictly between 0 and 1`);
  }
  const withScores = validateCells(cells, groupKeys.length);
  const originalRows = new Float64Array(cells.length);
  cells.forEach((cell, i) => {
    originalRows[i] = cell.rows;
  });
  const original = groupInputs(groupKeys, cells, originalRows, withScores);
  const prepared = prepareGroups(attributes, original.inputs, options);
  const judgedKeys = new Set(prepared.groups.filter((g) => !g.tooSmall).map((g) => JSON.stringify(g.key)));
  const judgedIndexes = groupKeys.flatMap((key, i) => (judgedKeys.has(JSON.stringify(key)) ? [i] : []));
  const samples = bootstrapReplicates(
    originalRows,
    { replicates: options.replicates, seed: options.seed },
    (drawn) => {
      const { inputs, overall } = groupInputs(groupKeys, cells, drawn, withScores);
      const values: GroupMetricValues[] = judgedIndexes.map((i) => {
        const input = inputs[i] as GroupInput;
        if (input.count === 0) return groupMetricValues(input.confusion, Number.NaN);
        const auc = input.ranking instanceof RankingAccumulator ? input.ranking.rocAuc() : Number.NaN;
        return groupMetricValues(input.confusion, auc);
      });
      return fairnessAggregates(values, {
        method: options.method ?? 'betweenGroups',
        equalizedOdds: options.equalizedOdds ?? 'worstCase',
        overall,
      });
    },
  );
  const intervals = {} as Record<FairnessAggregateName, (number | null)[]>;
  const undefinedReplicates = {} as Record<FairnessAggregateName, number>;
  for (const name of fairnessAggregateNames) {
    const values = samples.map((sample) => sample[name]);
    intervals[name] = quantilesSkipNaN(values, quantiles).map(orNull);
    undefinedReplicates[name] = values.filter((value) => Number.isNaN(value)).length;
  }
  return { replicates: options.replicates, seed: options.seed, quantiles, intervals, undefinedReplicates };
}

function validateCells(cells: readonly BootstrapCell[], groupCount: number): boolean {
  const withScores = cells.length > 0 && cells[0]?.score !== undefined;
  for (const cell of cells) {
    requireInteger(cell.group, 'the group index of a bootstrap cell', 0, groupCount - 1);
    requireInteger(cell.rows, 'the row count of a bootstrap cell', 1);
    requireWeight(cell.weight, 'the weight of a bootstrap cell');
    if ((cell.score !== undefined) !== withScores) {
      throw invalidArgument('either every bootstrap cell has a score or none has');
    }
    if (cell.score !== undefined) requireFiniteScore(cell.score, 'the score of a bootstrap cell');
  }
  return withScores;
}

/** Group inputs (and the overall values) from cells with `drawn[i]` rows of cell i. */
function groupInputs(
  groupKeys: readonly GroupKey[],
  cells: readonly BootstrapCell[],
  drawn: Float64Array,
  withScores: boolean,
): { inputs: GroupInput[]; overall: GroupMetricValues } {
  const inputs: GroupInput[] = groupKeys.map((key) => ({
    key,
    count: 0,
    confusion: { truePositives: 0, falsePositives: 0, falseNegatives: 0, trueNegatives: 0 },
    ...(withScores ? { ranking: new RankingAccumulator() } : {}),
  }));
  const overall = { truePositives: 0, falsePositives: 0, falseNegatives: 0, trueNegatives: 0 };
  const overallRanking = new RankingAccumulator();
  // Scores are fed in descending order, as the ranking accumulators require.
  for (const i of withScores ? scoreOrder(cells) : cells.keys()) {
    const cell = cells[i] as BootstrapCell;
    const rows = drawn[i] as number;
    const input = inputs[cell.group] as GroupInput;
    const weight = rows === 0 ? 0 : (rows * cell.weight) / cell.rows;
    input.count += rows;
    addToCell(input.confusion, cell.positive, cell.predicted, weight);
    addToCell(overall, cell.positive, cell.predicted, weight);
    if (withScores) {
      const positive = cell.positive ? weight : 0;
      const negative = cell.positive ? 0 : weight;
      (input.ranking as RankingAccumulator).add(cell.score as number, positive, negative);
      overallRanking.add(cell.score as number, positive, negative);
    }
  }
  return {
    inputs,
    overall: groupMetricValues(overall, withScores ? overallRanking.rocAuc() : Number.NaN),
  };
}

const scoreOrders = new WeakMap<readonly BootstrapCell[], number[]>();

function scoreOrder(cells: readonly BootstrapCell[]): number[] {
  let order = scoreOrders.get(cells);
  if (order === undefined) {
    order = cells.map((_, i) => i).sort((a, b) => (cells[b]?.score as number) - (cells[a]?.score as number));
    scoreOrders.set(cells, order);
  }
  return order;
}

function addToCell(confusion: ConfusionCounts, positive: boolean, predicted: boolean, weight: number): void {
  if (positive && predicted) confusion.truePositives += weight;
  else if (positive) confusion.falseNegatives += weight;
  else if (predicted) confusion.falsePositives += weight;
  else confusion.trueNegatives += weight;
}
