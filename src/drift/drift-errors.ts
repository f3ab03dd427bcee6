import { type ErrorCode, WardenError } from '../core/index.js';

const invalidArgumentCode: ErrorCode = 'WARDEN_ERR_DRIFT_INVALID_ARGUMENT';
const tooFewRowsCode: ErrorCode = 'WARDEN_ERR_DRIFT_TOO_FEW_ROWS';

/** A drift function was called with arguments it cannot use (lengths, weights, options). */
export function invalidDriftArgument(message: string, hint?: string): WardenError {
  return new WardenError(invalidArgumentCode, message, hint === undefined ? {} : { hint });
}

/** A test lacks the data it needs: an empty side, or a single category for chi-square. */
export function tooFewRows(message: string, hint?: string): WardenError {
  return new WardenError(tooFewRowsCode, message, hint === undefined ? {} : { hint });
}
