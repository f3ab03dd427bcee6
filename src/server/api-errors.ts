import type { z } from 'zod';
import { type ErrorCode, errorRegistry, isWardenError, type Role, WardenError } from '../core/index.js';

/** The body of every error answer: a stable code, a message naming the fix, details if any. */
export interface ErrorBody {
  error: {
    code: ErrorCode | 'WARDEN_ERR_INTERNAL';
    status: number;
    message: string;
    issues?: { path: string; message: string }[];
    requiredRole?: Role;
  };
}

/** A WardenError with the role a 403 asks for, or the field issues of a 400. */
export class ApiError extends WardenError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly details: { issues?: { path: string; message: string }[]; requiredRole?: Role } = {},
  ) {
    super(code, message);
  }
}

export function invalidRequest(where: 'body' | 'query' | 'path', error: z.ZodError): ApiError {
  const issues = error.issues.map((issue) => {
    const path = [where, ...issue.path.map(String)].join('.');
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const message =
      keys.length > 0
        ? `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => JSON.stringify(k)).join(', ')}; remove ${keys.length > 1 ? 'them' : 'it'} (GET /api/v1/openapi.json lists the fields)`
        : issue.message;
    return { path, message };
  });
  const first = issues[0];
  const summary = first === undefined ? 'the request is invalid' : `${first.path}: ${first.message}`;
  const more =
    issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return new ApiError('WARDEN_ERR_API_INVALID_REQUEST', `${summary}${more}`, { issues });
}

/** Fastify's own errors (bad JSON, a body over the limit, a wrong media type) as coded ones. */
function fromFramework(error: {
  code?: string;
  statusCode?: number;
  message: string;
}): WardenError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new WardenError(
        'WARDEN_ERR_API_BODY_TOO_LARGE',
        'the request body is larger than this server accepts (--body-limit); send a smaller document',
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new WardenError(
        'WARDEN_ERR_API_INVALID_REQUEST',
        'the body must be JSON: send Content-Type: application/json',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new WardenError(
        'WARDEN_ERR_API_INVALID_REQUEST',
        'the body is empty but Content-Type says JSON; send a JSON document',
      );
    case 'FST_STATIC_FORBIDDEN_PATH':
      return new WardenError(
        'WARDEN_ERR_API_NOT_FOUND',
        'no such page: the path leaves the dashboard (dot segments are not followed)',
      );
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new WardenError(
        'WARDEN_ERR_API_INVALID_REQUEST',
        `the body is not valid JSON (${error.message}); check the quoting and commas`,
      );
    default:
      if (error instanceof SyntaxError && (error as { statusCode?: number }).statusCode === 400) {
        return new WardenError(
          'WARDEN_ERR_API_INVALID_REQUEST',
          `the body is not valid JSON (${error.message}); check the quoting and commas`,
        );
      }
      return undefined;
  }
}

/** Maps any error a handler raised to a status and body; `internal` is true for bugs (logged). */
export function errorAnswer(error: unknown): { status: number; body: ErrorBody; internal: boolean } {
  const coded = isWardenError(error)
    ? error
    : fromFramework(error as { code?: string; statusCode?: number; message: string });
  if (coded === undefined) {
    return {
      status: 500,
      internal: true,
      body: {
        error: {
          code: 'WARDEN_ERR_INTERNAL',
          status: 500,
          message: 'internal error; the server log has the details',
        },
      },
    };
  }
  const status = errorRegistry[coded.code].httpStatus;
  const details = coded instanceof ApiError ? coded.details : {};
  return {
    status,
    internal: false,
    body: { error: { code: coded.code, status, message: coded.message, ...details } },
  };
}
