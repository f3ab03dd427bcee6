import { CompensatedSum } from './compensated-sum.js';
import type { ConfusionCounts } from './confusion-metrics.js';
import { invalidArgument, requireFiniteScore, requireWeight } from './validation.js';

/**
 * The compact input of the ranking metrics: for each distinct score, the total weight of the rows
 * whose label is positive and of those whose label is negative, in DESCENDING score order (the
 * order in which scikit-learn sweeps thresholds, so cumulative sums run from the top score down).
 * Unweighted data uses weight 1 per row, so the totals are row counts. Columns are parallel arrays
 * (plain arrays or Float64Arrays), so a million distinct scores cost 24 MB, not a million objects.
 *
 * Produce it in one DuckDB pass per group (`y` is the label compared with the positive value, `w`
 * the weight column or 1):
 *
 * ```sql
 * SELECT score,
 *        coalesce(sum(w) FILTER (WHERE y), 0)     AS positive_weight,
 *        coalesce(sum(w) FILTER (WHERE NOT y), 0) AS negative_weight
 * FROM predictions GROUP BY score ORDER BY score DESC
 * ```
 *
 * (per group: `GROUP BY g, score ORDER BY g, score DESC`, and feed each group's rows to its own
 * {@link RankingAccumulator}). Scores must be finite; they need not lie in [0, 1] for ranking.
 */
export interface ScoreTable {
  readonly scores: ArrayLike<number>;
  readonly positiveWeights: ArrayLike<number>;
  readonly negativeWeights: ArrayLike<number>;
}

/**
 * Streams a score table (chunk by chunk, scores non-increasing) and yields scikit-learn's
 * `roc_auc_score` and `average_precision_score` without holding the table: memory is O(1).
 * Consecutive entries with the same score are one tie block (they may be split across chunks);
 * entries whose two weights are 0 are skipped, as scikit-learn drops zero-weight rows. Read the
 * results after the last row: once read, the accumulator takes no more rows.
 *
 * @example
 * const ranking = new RankingAccumulator();
 * for await (const chunk of reader) ranking.add(chunk.score, chunk.positive, chunk.negative);
 * ranking.rocAuc(); // NaN when only one class has weight
 */
export class RankingAccumulator {
  private previousScore = Number.POSITIVE_INFINITY;
  private started = false;
  private blockPositive = 0;
  private blockNegative = 0;
  private truePositives = 0;
  private falsePositives = 0;
  private readonly doubleArea = new CompensatedSum();
  private readonly precisionMass = new CompensatedSum();
  private finished = false;

  /**
   * A finished accumulator from the sums a database computed over a score table in descending
   * order (see {@link RankingTotals}); it gives the same results as one fed the table.
   */
  static fromTotals(totals: RankingTotals): RankingAccumulator {
    requireWeight(totals.positiveWeight, 'the positive weight of a ranking');
    requireWeight(totals.negativeWeight, 'the negative weight of a ranking');
    const accumulator = new RankingAccumulator();
    accumulator.truePositives = totals.positiveWeight;
    accumulator.falsePositives = totals.negativeWeight;
    accumulator.doubleArea.add(totals.doubleArea);
    accumulator.precisionMass.add(totals.precisionMass);
    accumulator.finished = true;
    return accumulator;
  }

  /** Adds the weights of one distinct score; scores must come in non-increasing order. */
  add(score: number, positiveWeight: number, negativeWeight: number): void {
    if (this.finished) throw invalidArgument('a ranking accumulator takes no rows after its result was read');
    requireFiniteScore(score, 'a score in the score table');
    requireWeight(positiveWeight, `the positive weight at score ${score}`);
    requireWeight(negativeWeight, `the negative weight at score ${score}`);
    if (this.started && score > this.previousScore) {
      throw invalidArgument(
        `score table is not in descending score order: ${score} comes after ${this.previousScore} (ORDER BY score DESC)`,
      );
    }
    if (this.started && score < this.previousScore) this.flush();
    this.started = true;
    this.previousScore = score;
    this.blockPositive += positiveWeight;
    this.blockNegative += negativeWeight;
  }

  /** Adds every row of a score table (or of one chunk of it). */
  addTable(table: ScoreTable): void {
    const length = requireSameLengths(table);
    for (let i = 0; i < length; i++) {
      this.add(
        table.scores[i] as number,
        table.positiveWeights[i] as number,
        table.negativeWeights[i] as number,
      );
    }
  }

  /** Total positive weight seen so far. */
  get positiveWeight(): number {
    return this.truePositives + this.blockPositive;
  }

  /** Total negative weight seen so far. */
  get negativeWeight(): number {
    return this.falsePositives + this.blockNegative;
  }

  /**
   * Area under the ROC curve, scikit-learn's `roc_auc_score` (trapezoids between distinct
   * thresholds, so a tied positive/negative pair counts ½). NaN when the positive or the negative
   * weight is 0 — scikit-learn ≥ 1.6 returns NaN for a single class (1.5 and older raised).
   */
  rocAuc(): number {
    this.finish();
    if (this.truePositives === 0 || this.falsePositives === 0) return Number.NaN;
    return this.doubleArea.value / 2 / this.truePositives / this.falsePositives;
  }

  /**
   * scikit-learn's `average_precision_score`: the step-wise sum Σ (Rₙ − Rₙ₋₁)·Pₙ over distinct
   * thresholds (not interpolated, not the trapezoid PR-AUC). 0 when there is no positive weight
   * (scikit-learn warns and returns 0); NaN when there is no weight at all.
   */
  averagePrecision(): number {
    this.finish();
    if (this.truePositives === 0) return this.falsePositives === 0 ? Number.NaN : 0;
    return Math.max(0, this.precisionMass.value / this.truePositives);
  }

  private finish(): void {
    this.finished = true;
    this.flush();
  }

  private flush(): void {
    const positive = this.blockPositive;
    const negative = this.blockNegative;
    if (positive === 0 && negative === 0) return;
    const truePositives = this.truePositives + positive;
    const falsePositives = this.falsePositives + negative;
    this.doubleArea.add(negative * (this.truePositives + truePositives));
    if (positive > 0) this.precisionMass.add(positive * (truePositives / (truePositives + falsePositives)));
    this.truePositives = truePositives;
    this.falsePositives = falsePositives;
    this.blockPositive = 0;
    this.blockNegative = 0;
  }
}

/**
 * What the ranking metrics need of a score table, as sums a database computes in one window pass:
 * with `tp`, `fp` the cumulative positive and negative weights down to and including each distinct
 * score (score descending), and `pw`, `nw` that score's own weights,
 *
 * ```sql
 * sum(pw) AS positive_weight, sum(nw) AS negative_weight,
 * sum(nw * (2 * tp - pw)) AS double_area,                      -- twice the trapezoid area
 * sum(CASE WHEN pw > 0 THEN pw * tp / (tp + fp) END) AS precision_mass
 * ```
 */
export interface RankingTotals {
  positiveWeight: number;
  negativeWeight: number;
  doubleArea: number;
  precisionMass: number;
}

/** A score table, or an accumulator that was fed one (streaming). */
export type Ranking = ScoreTable | RankingAccumulator;

function accumulate(ranking: Ranking): RankingAccumulator {
  if (ranking instanceof RankingAccumulator) return ranking;
  const accumulator = new RankingAccumulator();
  accumulator.addTable(ranking);
  return accumulator;
}

/**
 * scikit-learn `roc_auc_score(y, score, sample_weight=w)` from a score table; NaN for one class.
 *
 * @example rocAuc({ scores: [0.8, 0.4, 0.35, 0.1], positiveWeights: [1, 0, 1, 0], negativeWeights: [0, 1, 0, 1] }) // 0.75
 */
export function rocAuc(ranking: Ranking): number {
  return accumulate(ranking).rocAuc();
}

/**
 * scikit-learn `average_precision_score(y, score, sample_weight=w)` from a score table.
 *
 * @example averagePrecision({ scores: [0.8, 0.4, 0.35, 0.1], positiveWeights: [1, 0, 1, 0], negativeWeights: [0, 1, 0, 1] }) // 0.8333…
 */
export function averagePrecision(ranking: Ranking): number {
  return accumulate(ranking).averagePrecision();
}

/**
 * Weighted confusion counts when a row is predicted positive iff `score >= threshold`. The same
 * counts come from SQL as `sum(w) FILTER (WHERE y AND score >= t)` and so on; this form serves the
 * bootstrap and callers that already hold a score table.
 */
export function confusionAtThreshold(table: ScoreTable, threshold: number): ConfusionCounts {
  const length = requireSameLengths(table);
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  let trueNegatives = 0;
  for (let i = 0; i < length; i++) {
    const positive = table.positiveWeights[i] as number;
    const negative = table.negativeWeights[i] as number;
    if ((table.scores[i] as number) >= threshold) {
      truePositives += positive;
      falsePositives += negative;
    } else {
      falseNegatives += positive;
      trueNegatives += negative;
    }
  }
  return { truePositives, falsePositives, falseNegatives, trueNegatives };
}

function requireSameLengths(table: ScoreTable): number {
  const length = table.scores.length;
  if (table.positiveWeights.length !== length || table.negativeWeights.length !== length) {
    throw invalidArgument(
      `score table columns differ in length: ${length} scores, ${table.positiveWeights.length} positive and ${table.negativeWeights.length} negative weights`,
    );
  }
  return length;
}
