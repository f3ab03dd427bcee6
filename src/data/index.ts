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
export {
  ibanLengths,
  maskValue,
  type PiiDetectorName,
  patterns as piiPatterns,
  piiDetectorNames,
  piiMacros,
  piiPredicate,
  sampleSsns,
} from './pii-detectors.js';
export { type CheckPlan, type PlanInput, planChecks } from './plan/index.js';
