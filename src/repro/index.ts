/**
 * Reproducibility (docs/reproducibility.md): `runCapture` records a training run from the machine
 * (commit, inputs and DVC data, lockfiles, environment, seeds, parameters, outputs) as
 * `reproducibility` evidence; `runReproCheck` re-runs it in a clean checkout and names the cause of
 * each difference; `lineageFromCapture` turns a capture into a version's lineage.
 */
export { type CaptureOptions, runCapture } from './capture.js';
export {
  type CaptureEvidence,
  type CaptureSections,
  captureFromEvidence,
  type DataInput,
  type Difference,
  type DifferenceCause,
  differenceCauses,
  type ReproducibilityEvidence,
  type Verification,
} from './evidence.js';
export { type SourceFacts, withoutCredentials } from './git.js';
export type { RunHooks, RunInfo } from './hooks.js';
export { type CapturedLineage, lineageFromCapture } from './lineage.js';
export { comparePredictions, type PredictionsComparison } from './predictions.js';
export { looksSecret, secretArgument, withoutSecrets } from './secrets.js';
export { defaultTolerance, type ReproCheckOptions, runReproCheck } from './verify.js';
