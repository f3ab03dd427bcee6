import { requireProbability, requireWeight } from './validation.js';

/**
 * The clipping bound of `log_loss`: float64 machine epsilon, 2.220446049250313e-16. scikit-learn
 * clips probabilities to [eps, 1 − eps] with `eps = np.finfo(float64).eps` (`eps="auto"` in 1.2–1.4,
 * the only behaviour since the parameter was removed in 1.5; 1e-15 before 1.2).
 */
export const logLossEpsilon = Number.EPSILON;

/** `np.clip(p, eps, 1 − eps)`. */
export function clipProbability(probability: number): number {
  return Math.min(Math.max(probability, logLossEpsilon), 1 - logLossEpsilon);
}

/**
 * One row's log-loss term: −ln(clip(p)) for a positive row, −ln(1 − clip(p)) for a negative one.
 * In SQL, with `e` = 2.220446049250313e-16 and `c` = `greatest(least(score, 1 - e), e)`:
 * `-ln(CASE WHEN y THEN c ELSE 1 - c END)`.
 */
export function logLossTerm(positive: boolean, probability: number): number {
  requireProbability(probability, 'a score used for log loss');
  const clipped = clipProbability(probability);
  return -Math.log(positive ? clipped : 1 - clipped);
}

/** One row's Brier term (y − p)², y being 1 for a positive row and 0 for a negative one. */
export function squaredErrorTerm(positive: boolean, probability: number): number {
  requireProbability(probability, 'a score used for the Brier score');
  const error = (positive ? 1 : 0) - probability;
  return error * error;
}

/**
 * Weighted sums over rows, enough for log loss and the Brier score without holding the rows:
 *
 * ```sql
 * sum(w)                                                        AS weight,
 * sum(w * -ln(CASE WHEN y THEN c ELSE 1 - c END))               AS log_loss,      -- see logLossTerm
 * sum(w * ((CASE WHEN y THEN 1.0 ELSE 0.0 END) - score) ** 2)   AS squared_error
 * ```
 *
 * Scores must be probabilities in [0, 1]; check that in the same scan (scikit-learn raises).
 */
export interface ProbabilitySums {
  weight: number;
  logLoss: number;
  squaredError: number;
}

function validate(sums: ProbabilitySums): void {
  requireWeight(sums.weight, 'the total weight');
  requireWeight(sums.logLoss, 'the weighted log-loss sum');
  requireWeight(sums.squaredError, 'the weighted squared-error sum');
}

/**
 * scikit-learn `log_loss(y, p, sample_weight=w, labels=[0, 1])`: the weighted mean of the clipped
 * terms. `labels=[0, 1]` is implied because the positive label is always known, so a one-class
 * input has a log loss (scikit-learn without `labels` raises). NaN when the total weight is 0.
 */
export function logLoss(sums: ProbabilitySums): number {
  validate(sums);
  return sums.weight === 0 ? Number.NaN : sums.logLoss / sums.weight;
}

/** scikit-learn `brier_score_loss(y, p, sample_weight=w)`: weighted mean of (y − p)²; NaN without weight. */
export function brierScore(sums: ProbabilitySums): number {
  validate(sums);
  return sums.weight === 0 ? Number.NaN : sums.squaredError / sums.weight;
}
