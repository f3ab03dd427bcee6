export {
  assertFeatureSet,
  type BaselineColumn,
  type BaselineOptions,
  baselineFromColumns,
  checkFeatureSet,
  defaultTopCategories,
  type FeatureSetCheck,
} from './baseline.js';
export {
  baselineSchemaVersion,
  type CategoricalFeatureBaseline,
  type DriftBaseline,
  type DriftMetric,
  defaultThresholds,
  type FeatureBaseline,
  type NumericFeatureBaseline,
  parseBaseline,
} from './baseline-document.js';
export {
  baselineFromEvidence,
  type DriftBaselineEvidence,
  sealBaselineEvidence,
} from './baseline-evidence.js';
export {
  type CategoryDigestKey,
  categoryDigest,
  digestsCategories,
  newCategoryDigestKey,
} from './category-digest.js';
export {
  type CategoryValue,
  type ColumnDriftInput,
  type ColumnDriftOptions,
  type ColumnDriftResult,
  columnDrift,
  type DriftComparison,
  type DriftMethod,
  defaultDriftMethod,
  driftMethodRules,
  driftMethods,
  smallReferenceRows,
} from './column-drift.js';
export {
  type CreateBaselineOptions,
  createBaseline,
  createBaselineEvidence,
  defaultBaselineWindowRows,
} from './create-baseline.js';
export { type DatasetDriftResult, datasetDrift, defaultDriftShare } from './dataset-drift.js';
export {
  type ChiSquareResult,
  chiSquareGoodnessOfFit,
  fillEmptyShares,
  hellingerDistance,
  jensenShannonDistance,
  klDivergence,
  psi,
  rescaleExpectedCounts,
} from './distances.js';
export {
  DriftAccumulator,
  type DriftAccumulatorOptions,
  type DriftAccumulatorSnapshot,
  type DriftColumns,
  type DriftReport,
  defaultJudgedMetrics,
  type FeatureDrift,
} from './drift-accumulator.js';
export {
  type BaselineDriftCheckOptions,
  type DriftCheckOptions,
  runBaselineDriftCheck,
  runDriftCheck,
} from './drift-check.js';
export {
  type BaselineColumnDrift,
  type BaselineDriftReport,
  type BaselineScore,
  type BatchColumnDrift,
  type BatchDriftReport,
  baselineDriftReport,
  batchDriftReport,
  type ColumnDriftEntry,
  checkDriftReportOptions,
  columnDriftEntry,
  columnsBySeverity,
  type DriftColumnInput,
  type DriftColumnRole,
  type DriftColumnType,
  type DriftHistogram,
  type DriftReportBody,
  type DriftReportEvidence,
  type DriftReportOptions,
  driftSeverity,
  summarizeBatchDrift,
  type TestedColumnDrift,
  type UntestedColumnDrift,
  type WindowSummary,
} from './drift-report.js';
export { kolmogorovSurvival } from './kolmogorov-distribution.js';
export {
  type KolmogorovSmirnovResult,
  kolmogorovSmirnovTwoSample,
  maxExactSampleSize,
} from './kolmogorov-smirnov.js';
export {
  normedWassersteinDistanceOfSorted,
  populationStandardDeviation,
  wassersteinDistance,
  wassersteinDistanceOfSorted,
} from './wasserstein.js';
export { twoProportionZTest, type ZTestResult } from './z-test.js';
