export { DecisionBudget } from './cel-environment.js';
export {
  type CompiledPolicy,
  type CompiledPolicySet,
  compilePolicySet,
  lintPolicySet,
} from './compiled-policy-set.js';
export {
  type Decision,
  type DecisionResult,
  decide,
  type GateDefaultApplied,
  gateInputDigest,
  gateMatches,
  mergeParams,
  type Outcome,
  type SkippedPolicy,
  subjectMatches,
} from './decide.js';
export {
  apiVersion,
  type GateDefaultsDocument,
  isGateName,
  type PolicyBindingDocument,
  type PolicyDocument,
  type PolicyTestCase,
  type PolicyTestDocument,
  type TrustPolicyDocument,
} from './documents.js';
export {
  type EvidenceSigner,
  evidenceSigner,
  pinnedSignerKeys,
  type VerifiedSigner,
} from './evidence-trust.js';
export { defaultLimits, type Finding, type PolicyLimits } from './expression.js';
export {
  type ContractProperty,
  type ContractView,
  evidenceKey,
  evidenceKeys,
  type GateInput,
  type GateInputParts,
  type GateSubject,
  gateInput,
  latestEvidenceByKind,
  type RuntimeSection,
  type RuntimeSlo,
  type RuntimeTraffic,
  type Waiver,
} from './gate-input.js';
export {
  type Located,
  loadPolicySet,
  type PolicyFile,
  type PolicySet,
  policySetFromFiles,
  readPolicyFiles,
} from './policy-set-loader.js';
export {
  type PolicyTestCaseResult,
  type PolicyTestReport,
  runPolicyTests,
  type ValidationCoverage,
} from './policy-test.js';
export { alwaysProtectedLabels, labelKeysSelectedBy, protectedLabelKeys } from './protected-labels.js';
