export type {
  CheckResult,
  DataMetric,
  PiiColumnReport,
  Severity,
  SkippedRule,
  Unit,
} from './check-results.js';
export type { DataContract } from './contract-document.js';
export { type LoadedContract, loadContract } from './contract-loader.js';
export {
  type DataCheckEvidence,
  type DataCheckOptions,
  pinnedSemantics,
  runDataCheck,
} from './data-check.js';
export { describeExpectation, type OperatorName, type Threshold } from './operators.js';
export { maskValue, type PiiDetectorName, piiDetectorNames } from './pii-detectors.js';
