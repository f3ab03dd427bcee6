import { requireWeight } from './validation.js';

/**
 * Weighted confusion counts at the decision threshold (row counts when unweighted). "Predicted
 * positive" is the prediction column when one is given, else `score >= threshold`.
 *
 * ```sql
 * coalesce(sum(w) FILTER (WHERE y AND p), 0)         AS true_positives,
 * coalesce(sum(w) FILTER (WHERE NOT y AND p), 0)     AS false_positives,
 * coalesce(sum(w) FILTER (WHERE y AND NOT p), 0)     AS false_negatives,
 * coalesce(sum(w) FILTER (WHERE NOT y AND NOT p), 0) AS true_negatives
 * ```
 */
export interface ConfusionCounts {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
}

/**
 * What precision, recall and F1 return when their denominator is 0: 0, 1 or NaN. scikit-learn's
 * default `zero_division="warn"` returns 0 (and warns); Warden's default is the same 0, and the
 * evidence says so. NaN (scikit-learn ≥ 1.3's `np.nan`) marks the value as undefined instead.
 */
export type ZeroDivision = number;

export const defaultZeroDivision: ZeroDivision = 0;

export function validateConfusion(counts: ConfusionCounts): void {
  requireWeight(counts.truePositives, 'the true-positive weight');
  requireWeight(counts.falsePositives, 'the false-positive weight');
  requireWeight(counts.falseNegatives, 'the false-negative weight');
  requireWeight(counts.trueNegatives, 'the true-negative weight');
}

export function addConfusion(a: ConfusionCounts, b: ConfusionCounts): ConfusionCounts {
  return {
    truePositives: a.truePositives + b.truePositives,
    falsePositives: a.falsePositives + b.falsePositives,
    falseNegatives: a.falseNegatives + b.falseNegatives,
    trueNegatives: a.trueNegatives + b.trueNegatives,
  };
}

function totalWeight(c: ConfusionCounts): number {
  return c.truePositives + c.falsePositives + c.falseNegatives + c.trueNegatives;
}

/** Fairlearn's rates: an empty denominator gives 0, never NaN (`confusion_matrix(normalize="true")`). */
function rate(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/** scikit-learn `accuracy_score` (weighted); NaN when the total weight is 0 (scikit-learn raises). */
export function accuracy(c: ConfusionCounts): number {
  const total = totalWeight(c);
  return total === 0 ? Number.NaN : (c.truePositives + c.trueNegatives) / total;
}

/**
 * scikit-learn `balanced_accuracy_score` (not adjusted): the mean recall over the classes that
 * have weight in `y_true`. A class without weight is left out (scikit-learn warns "y_pred contains
 * classes not in y_true"), so a one-class input scores that class's recall; NaN when neither has.
 */
export function balancedAccuracy(c: ConfusionCounts): number {
  const positives = c.truePositives + c.falseNegatives;
  const negatives = c.trueNegatives + c.falsePositives;
  if (positives > 0 && negatives > 0) return (c.truePositives / positives + c.trueNegatives / negatives) / 2;
  if (positives > 0) return c.truePositives / positives;
  if (negatives > 0) return c.trueNegatives / negatives;
  return Number.NaN;
}

/** scikit-learn `precision_score` (binary): TP / (TP + FP), `zeroDivision` when nothing is predicted positive. */
export function precision(c: ConfusionCounts, zeroDivision: ZeroDivision = defaultZeroDivision): number {
  const denominator = c.truePositives + c.falsePositives;
  return denominator === 0 ? zeroDivision : c.truePositives / denominator;
}

/** scikit-learn `recall_score` (binary): TP / (TP + FN), `zeroDivision` when there are no positives. */
export function recall(c: ConfusionCounts, zeroDivision: ZeroDivision = defaultZeroDivision): number {
  const denominator = c.truePositives + c.falseNegatives;
  return denominator === 0 ? zeroDivision : c.truePositives / denominator;
}

/**
 * scikit-learn `f1_score` (binary) in its current count form 2·TP / (2·TP + FP + FN);
 * `zeroDivision` only when TP + FP + FN is 0 (so P = R = 0 gives 0, scikit-learn issue #26864).
 */
export function f1(c: ConfusionCounts, zeroDivision: ZeroDivision = defaultZeroDivision): number {
  const denominator = 2 * c.truePositives + c.falsePositives + c.falseNegatives;
  return denominator === 0 ? zeroDivision : (2 * c.truePositives) / denominator;
}

/** Fairlearn `selection_rate`: predicted-positive weight over total weight; NaN when the weight is 0. */
export function selectionRate(c: ConfusionCounts): number {
  const total = totalWeight(c);
  return total === 0 ? Number.NaN : (c.truePositives + c.falsePositives) / total;
}

/** Fairlearn `true_positive_rate`: TP / (TP + FN), 0 when there are no positives. */
export function truePositiveRate(c: ConfusionCounts): number {
  return rate(c.truePositives, c.truePositives + c.falseNegatives);
}

/** Fairlearn `false_positive_rate`: FP / (FP + TN), 0 when there are no negatives. */
export function falsePositiveRate(c: ConfusionCounts): number {
  return rate(c.falsePositives, c.falsePositives + c.trueNegatives);
}

/** Fairlearn `false_negative_rate`: FN / (TP + FN), 0 when there are no positives. */
export function falseNegativeRate(c: ConfusionCounts): number {
  return rate(c.falseNegatives, c.truePositives + c.falseNegatives);
}

/** Fairlearn `true_negative_rate`: TN / (FP + TN), 0 when there are no negatives. */
export function trueNegativeRate(c: ConfusionCounts): number {
  return rate(c.trueNegatives, c.falsePositives + c.trueNegatives);
}
