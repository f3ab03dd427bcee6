import { WardenError } from '../core/index.js';
import {
  type CalibrationBin,
  type CalibrationBinAggregate,
  calibrationCurve,
  expectedCalibrationError,
} from './calibration.js';
import {
  accuracy,
  balancedAccuracy,
  type ConfusionCounts,
  defaultZeroDivision,
  f1,
  precision,
  recall,
  selectionRate,
  validateConfusion,
  type ZeroDivision,
} from './confusion-metrics.js';
import { orNull } from './fairness-report.js';
import { brierScore, logLoss, type ProbabilitySums } from './probability-losses.js';
import { averagePrecision, type Ranking, RankingAccumulator, rocAuc } from './score-table.js';
import { requireInteger } from './validation.js';

/**
 * Everything the performance section needs, computed over all rows (including rows whose
 * sensitive attributes are missing). Without a score column only `count` and `confusion` exist.
 */
export interface PredictionSummary {
  /** Rows (unweighted). */
  count: number;
  confusion: ConfusionCounts;
  /** The score table of all rows, or an accumulator that was fed it. */
  ranking?: Ranking;
  probability?: ProbabilitySums;
  /** Per-bin sums for `calibrationBins` uniform bins. */
  calibration?: readonly CalibrationBinAggregate[];
}

export interface PerformanceOptions {
  /** The decision threshold used for `confusion` (null when a prediction column was given). */
  threshold: number | null;
  /** Uniform calibration bins; default 10. */
  calibrationBins?: number;
  /** Precision, recall and F1 on a zero denominator; default 0 (scikit-learn's "warn"). */
  zeroDivision?: ZeroDivision;
}

/** The `performance` section of model-evaluation evidence; `null` is an undefined metric. */
export interface PerformanceReport {
  count: number;
  /** Weighted positive-label total (the row count when unweighted). */
  positives: number;
  negatives: number;
  threshold: number | null;
  confusion: ConfusionCounts;
  accuracy: number | null;
  balancedAccuracy: number | null;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  selectionRate: number | null;
  zeroDivision: number | null;
  /** The score-based metrics are absent without a score column. */
  rocAuc?: number | null;
  averagePrecision?: number | null;
  logLoss?: number | null;
  brierScore?: number | null;
  calibration?: {
    strategy: 'uniform';
    binCount: number;
    bins: CalibrationBin[];
    expectedCalibrationError: number | null;
  };
}

/**
 * The performance section from compact inputs, with scikit-learn semantics (see
 * {@link evaluationSemantics}). Throws WARDEN_ERR_EVAL_EMPTY_INPUT when there are no rows or no
 * weight, as scikit-learn raises on empty input.
 *
 * @example
 * performanceReport({ count: 4, confusion: { truePositives: 1, falsePositives: 1, falseNegatives: 1, trueNegatives: 1 } }, { threshold: 0.5 }).f1 // 0.5
 */
export function performanceReport(
  summary: PredictionSummary,
  options: PerformanceOptions,
): PerformanceReport {
  requireInteger(summary.count, 'the row count', 0);
  validateConfusion(summary.confusion);
  const c = summary.confusion;
  const positives = c.truePositives + c.falseNegatives;
  const negatives = c.falsePositives + c.trueNegatives;
  if (summary.count === 0) {
    throw new WardenError('WARDEN_ERR_EVAL_EMPTY_INPUT', 'there are no predictions to evaluate (0 rows)');
  }
  if (positives + negatives === 0) {
    throw new WardenError(
      'WARDEN_ERR_EVAL_EMPTY_INPUT',
      `all ${summary.count} rows have weight 0; there is nothing to evaluate (check the weight column)`,
    );
  }
  const zeroDivision = options.zeroDivision ?? defaultZeroDivision;
  const report: PerformanceReport = {
    count: summary.count,
    positives,
    negatives,
    threshold: options.threshold,
    confusion: { ...c },
    accuracy: orNull(accuracy(c)),
    balancedAccuracy: orNull(balancedAccuracy(c)),
    precision: orNull(precision(c, zeroDivision)),
    recall: orNull(recall(c, zeroDivision)),
    f1: orNull(f1(c, zeroDivision)),
    selectionRate: orNull(selectionRate(c)),
    zeroDivision: orNull(zeroDivision),
  };
  if (summary.ranking !== undefined) {
    const accumulator =
      summary.ranking instanceof RankingAccumulator ? summary.ranking : rankingOf(summary.ranking);
    report.rocAuc = orNull(rocAuc(accumulator));
    report.averagePrecision = orNull(averagePrecision(accumulator));
  }
  if (summary.probability !== undefined) {
    report.logLoss = orNull(logLoss(summary.probability));
    report.brierScore = orNull(brierScore(summary.probability));
  }
  if (summary.calibration !== undefined) {
    const binCount = options.calibrationBins ?? 10;
    const bins = calibrationCurve(summary.calibration, binCount);
    report.calibration = {
      strategy: 'uniform',
      binCount,
      bins,
      expectedCalibrationError: orNull(expectedCalibrationError(bins)),
    };
  }
  return report;
}

function rankingOf(table: Exclude<Ranking, RankingAccumulator>): RankingAccumulator {
  const accumulator = new RankingAccumulator();
  accumulator.addTable(table);
  return accumulator;
}
