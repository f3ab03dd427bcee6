export {
  type BootstrapCell,
  type BootstrapOptions,
  bootstrapFairness,
  bootstrapReplicates,
  type FairnessIntervals,
  quantilesSkipNaN,
} from './bootstrap.js';
export { binomial, multinomial, Xoshiro128 } from './bootstrap-random.js';
export {
  type CalibrationBin,
  type CalibrationBinAggregate,
  calibrationBinIndex,
  calibrationCurve,
  expectedCalibrationError,
  uniformBinEdges,
} from './calibration.js';
export {
  accuracy,
  balancedAccuracy,
  type ConfusionCounts,
  defaultZeroDivision,
  f1,
  falseNegativeRate,
  falsePositiveRate,
  precision,
  recall,
  selectionRate,
  trueNegativeRate,
  truePositiveRate,
  type ZeroDivision,
} from './confusion-metrics.js';
export {
  type EqualizedOddsAggregation,
  type FairnessAggregateName,
  type FairnessAggregateValues,
  type FairnessOptions,
  type FairnessReport,
  fairnessAggregateNames,
  fairnessAggregates,
  fairnessReport,
  type GroupInput,
  type GroupKey,
  type GroupMetricValues,
  type GroupReport,
  groupMetricValues,
} from './fairness-report.js';
export {
  type ComparisonMethod,
  difference,
  groupMax,
  groupMin,
  meanSkipNaN,
  pythonMax,
  pythonMin,
  ratio,
} from './group-aggregates.js';
export {
  fitLogisticRegression,
  type LogisticRegressionOptions,
  logisticProbability,
} from './logistic-regression.js';
export {
  evaluationSubject,
  type FairnessEntry,
  type ModelEvaluationEvidence,
  type ModelEvaluationOptions,
  runModelEvaluation,
} from './model-evaluation.js';
export {
  type PerformanceOptions,
  type PerformanceReport,
  type PredictionSummary,
  performanceReport,
} from './performance-report.js';
export { bandLabels } from './prediction-queries.js';
export {
  brierScore,
  clipProbability,
  logLoss,
  logLossEpsilon,
  logLossTerm,
  type ProbabilitySums,
  squaredErrorTerm,
} from './probability-losses.js';
export {
  type AggregatedGroup,
  type AggregatedGrouping,
  type AggregatedPredictions,
  aggregatePredictionRows,
  type PredictionRows,
  type RowAggregationOptions,
  type RowSummary,
} from './row-aggregation.js';
export {
  averagePrecision,
  confusionAtThreshold,
  type Ranking,
  RankingAccumulator,
  type RankingTotals,
  rocAuc,
  type ScoreTable,
} from './score-table.js';
export { evaluationSemantics } from './semantics.js';
export {
  type DifferenceMetric,
  differenceMetrics,
  type GateThresholds,
  parseMetricThresholds,
  type RatioMetric,
  ratioMetrics,
  type ThresholdResult,
} from './thresholds.js';
