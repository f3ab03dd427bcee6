import { type ErrorCode, WardenError } from '../core/index.js';

const invalidBaselineCode: ErrorCode = 'WARDEN_ERR_DRIFT_INVALID_BASELINE';
const featureMismatchCode: ErrorCode = 'WARDEN_ERR_DRIFT_FEATURE_MISMATCH';

/**
 * A baseline (or an accumulator snapshot) that cannot be used: unreadable, malformed, of another
 * version. The message reads `<source>: <problem>; <fix>`.
 */
export function invalidBaseline(source: string, problem: string, fix: string): WardenError {
  return new WardenError(invalidBaselineCode, `${source}: ${problem}; ${fix}`, { where: source, hint: fix });
}

/** The data to monitor lacks features the baseline has. */
export function featureMismatch(source: string, problem: string, fix: string): WardenError {
  return new WardenError(featureMismatchCode, `${source}: ${problem}; ${fix}`, { where: source, hint: fix });
}
