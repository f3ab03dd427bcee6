import { WardenError } from '../core/index.js';

/** Throws unless `value` is a finite number ≥ 0 (weights, weighted counts, row counts). */
export function requireWeight(value: number, what: string): void {
  if (!(value >= 0) || value === Number.POSITIVE_INFINITY) {
    throw new WardenError(
      'WARDEN_ERR_EVAL_INVALID_WEIGHT',
      `${what} is ${String(value)}; weights and counts must be finite numbers ≥ 0`,
    );
  }
}

/** Throws unless `value` is a finite score (ranking metrics accept any finite score). */
export function requireFiniteScore(value: number, what: string): void {
  if (!Number.isFinite(value)) {
    throw new WardenError(
      'WARDEN_ERR_EVAL_INVALID_SCORE',
      `${what} is ${String(value)}; scores must be finite numbers (drop or fix NaN scores)`,
    );
  }
}

/** Throws unless `value` is a probability in [0, 1]. */
export function requireProbability(value: number, what: string): void {
  if (!(value >= 0 && value <= 1)) {
    throw new WardenError(
      'WARDEN_ERR_EVAL_INVALID_SCORE',
      `${what} is ${String(value)}; it must be a probability in [0, 1] (the score of the positive class)`,
    );
  }
}

export function invalidArgument(message: string): WardenError {
  return new WardenError('WARDEN_ERR_EVAL_INVALID_ARGUMENT', message);
}

/** Throws unless `value` is an integer in [min, max]. */
export function requireInteger(
  value: number,
  what: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `between ${min} and ${max}`;
    throw invalidArgument(`${what} is ${String(value)}; it must be an integer ${range}`);
  }
}
