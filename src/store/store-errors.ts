import { isWardenError, WardenError } from '../core/index.js';

/** How a database error is to be treated, whatever the dialect that raised it. */
export type StoreErrorKind = 'unique' | 'foreign-key' | 'unavailable' | 'other';

export interface ErrorClassifier {
  classify(error: unknown): StoreErrorKind;
}

function codeOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export const sqliteErrors: ErrorClassifier = {
  classify(error) {
    const code = codeOf(error);
    if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') return 'unique';
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign-key';
    if (/^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|READONLY|NOTADB|CORRUPT)/.test(code)) return 'unavailable';
    return 'other';
  },
};

export const postgresErrors: ErrorClassifier = {
  classify(error) {
    const code = codeOf(error);
    if (code === '23505') return 'unique';
    if (code === '23503') return 'foreign-key';
    // Class 08 is connection exceptions, 57P0x the server shutting down or not yet accepting
    // connections, 53300 too many connections.
    if (networkCodes.has(code) || /^08/.test(code) || /^57P0/.test(code) || code === '53300')
      return 'unavailable';
    if (
      /connection terminated|connection error|timeout exceeded when trying to connect|Connection ended/i.test(
        messageOf(error),
      )
    ) {
      return 'unavailable';
    }
    return 'other';
  },
};

/**
 * Turns a database error into a coded WardenError: the database unreachable is
 * WARDEN_ERR_STORE_UNAVAILABLE (503, exit 3), a constraint broken by a concurrent writer is
 * WARDEN_ERR_STORE_CONFLICT (409), anything else WARDEN_ERR_STORE_FAILURE. Coded errors pass through.
 */
export function storeFault(error: unknown, errors: ErrorClassifier, location: string): WardenError {
  if (isWardenError(error)) return error;
  const detail = messageOf(error).split('\n')[0] ?? '';
  switch (errors.classify(error)) {
    case 'unavailable':
      return new WardenError(
        'WARDEN_ERR_STORE_UNAVAILABLE',
        `the database at ${location} cannot be reached (${detail || codeOf(error)}); check that it is running and the URL is right, then retry`,
        { cause: error },
      );
    case 'unique':
    case 'foreign-key':
      return new WardenError(
        'WARDEN_ERR_STORE_CONFLICT',
        `a concurrent change to the same record got there first (${detail}); read the record again and retry`,
        { cause: error },
      );
    default:
      return new WardenError('WARDEN_ERR_STORE_FAILURE', `the database at ${location} failed: ${detail}`, {
        cause: error,
      });
  }
}
