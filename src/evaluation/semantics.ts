/**
 * How Warden computes each model metric, recorded in every model-evaluation evidence document so
 * a reader knows which reference it matches and which conventions were chosen where the reference
 * libraries disagree or leave a choice (research note: fairness-metrics.md).
 */
export const evaluationSemantics = {
  reference:
    'scikit-learn (1.2.1 conformance fixtures; single-class ROC AUC as in >= 1.6) and Fairlearn MetricFrame (main, 0.15.0.dev0); agreement to 1e-9 relative',
  prediction: 'a row is predicted positive when the prediction column says so, else when score >= threshold',
  rocAuc:
    'roc_auc_score: trapezoids over distinct thresholds (a tied positive/negative pair counts 1/2); NaN (null) when one class has no weight',
  averagePrecision:
    'average_precision_score: step-wise sum of (R_n - R_n-1) * P_n over distinct thresholds, not interpolated; 0 without positives',
  logLoss:
    'log_loss with labels=[0, 1]: probabilities clipped to [eps, 1 - eps], eps = 2.220446049250313e-16 (float64 machine epsilon)',
  brierScore: 'brier_score_loss: weighted mean of (y - p)^2',
  zeroDivision:
    'precision, recall and F1 are 0 on a zero denominator (scikit-learn zero_division="warn"); F1 = 2TP / (2TP + FP + FN)',
  balancedAccuracy: 'mean recall over the classes present in y_true (not adjusted)',
  rates:
    'true/false positive/negative rates as Fairlearn: 0, never NaN, when the denominator is 0 (a group without positives has TPR 0)',
  calibration:
    'calibration_curve strategy="uniform": edges numpy.linspace(0, 1, n + 1), a score on an interior edge goes to the lower bin, empty bins dropped, means weighted by the sample weight; ECE = sum over bins of (bin weight / total weight) * |fraction positive - mean score|',
  groups:
    'Fairlearn MetricFrame: groups sorted by value; rows with a missing attribute value are in no group but count in overall values; empty intersections and undefined (NaN) group values are skipped by min and max',
  aggregates:
    'difference = max - min, ratio = min / max (0/0 undefined, 0/x = 0); to_overall: max |m - overall|, and min of (m / overall, inverted when > 1); equalized odds worst case = Python max/min over [TPR, FPR] disparities',
  minGroupSize: 'groups with fewer rows are reported as tooSmall and left out of the aggregates',
  bootstrap:
    'rows resampled with replacement over all rows (not stratified), as Fairlearn; exact for unweighted rows, weights resampled with their cell; seeded xoshiro128** generator; quantiles with linear interpolation over the replicates that are defined',
} as const;
