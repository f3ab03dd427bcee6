import type { z } from 'zod';
import { type ErrorCode, errorRegistry, WardenError } from '../core/index.js';
import { type ApiRoutes, apiRoutes, type RawJson, type Route } from '../server/index.js';

/**
 * A typed client of the Warden HTTP API (/api/v1) for the CLI and the demo, derived from the
 * server's route table: `client.call('createModel', {body})` knows the path, the method, the
 * parameters and the answer's type. The server is `--server URL`, else WARDEN_SERVER, else
 * http://127.0.0.1:8080; the token comes only from WARDEN_TOKEN (a flag would leave it in shell
 * history and process lists) and is never printed.
 */

export const defaultServerUrl = 'http://127.0.0.1:8080';

/** How long one request may take before the server counts as unreachable. */
const requestTimeoutMs = 30_000;

export interface ServerFlags {
  server?: string;
}

/** A query parameter's value; an array repeats the parameter, undefined leaves it out. */
type QueryValue = string | number | boolean | readonly string[] | undefined;

interface RequestOptions {
  body?: unknown;
  query?: Record<string, QueryValue>;
}

export type OperationId = keyof ApiRoutes;

/**
 * What a call sends: path parameters and query parameters by name (text on the wire; the server
 * validates them), and the body as the route's schema takes it.
 */
type CallInput<R> =
  R extends Route<infer Params, infer Query, infer Body, unknown>
    ? (Params extends z.ZodType ? { params: { [K in keyof z.input<Params>]: string } } : unknown) &
        (Query extends z.ZodType ? { query?: { [K in keyof z.input<Query>]?: QueryValue } } : unknown) &
        (Body extends z.ZodType ? { body: z.input<Body> } : unknown)
    : never;

/** The answer of a call: the handler's result as JSON (a stored document is any JSON). */
export type CallAnswer<K extends OperationId> =
  ApiRoutes[K] extends Route<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined, infer A>
    ? A extends RawJson
      ? unknown
      : A
    : never;

/** The input argument of `call`: optional when the operation takes nothing required. */
export type CallArguments<K extends OperationId> =
  Record<never, never> extends CallInput<ApiRoutes[K]>
    ? [input?: CallInput<ApiRoutes[K]>]
    : [input: CallInput<ApiRoutes[K]>];

/** An error answer of the API: `{error: {code, status, message, issues?, requiredRole?}}`. */
interface ErrorAnswer {
  code?: unknown;
  message?: unknown;
  issues?: unknown;
  requiredRole?: unknown;
}

export class ServerClient {
  constructor(
    /** The server's base URL, without a trailing slash. */
    readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  /**
   * Calls one operation of the API by its operationId and returns its JSON answer; every failure
   * comes out as a coded WardenError.
   *
   * @example
   * const model = await client.call('getModel', { params: { model: 'credit-risk' } });
   */
  call<K extends OperationId>(operation: K, ...[input]: CallArguments<K>): Promise<CallAnswer<K>> {
    const route: Route = apiRoutes[operation];
    const given = (input ?? {}) as {
      params?: Record<string, string>;
      query?: RequestOptions['query'];
      body?: unknown;
    };
    const path = route.path.replace(/:([A-Za-z]+)/g, (_, name: string) =>
      encodeURIComponent(given.params?.[name] ?? ''),
    );
    return this.request(route.method, path, {
      ...(given.query === undefined ? {} : { query: given.query }),
      ...(given.body === undefined ? {} : { body: given.body }),
    }) as Promise<CallAnswer<K>>;
  }

  private async request(method: string, path: string, options: RequestOptions): Promise<unknown> {
    const token = this.requireToken();
    const url = `${this.baseUrl}${path}${queryString(options.query)}`;
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw this.unreachable(networkReason(error), error);
    }
    let answer: unknown;
    try {
      answer = text === '' ? undefined : JSON.parse(text);
    } catch {
      answer = undefined;
    }
    if (response.ok) {
      if (answer === undefined) {
        throw this.unreachable(
          `it answered ${method} ${path} with HTTP ${response.status} but no JSON; is it a Warden server?`,
        );
      }
      return answer;
    }
    throw this.answerError(response.status, answer);
  }

  /** The token, or a usage error telling to set WARDEN_TOKEN. */
  requireToken(): string {
    if (this.token === undefined) {
      throw new WardenError(
        'WARDEN_ERR_USAGE_INVALID_OPTION',
        'set WARDEN_TOKEN to a Warden API token (wdn_…) to call the server; an admin creates one with warden token create (or warden server --init prints the first)',
      );
    }
    return this.token;
  }

  private unreachable(why: string, cause?: unknown): WardenError {
    return new WardenError(
      'WARDEN_ERR_SERVER_UNREACHABLE',
      `cannot reach the Warden server at ${this.baseUrl} (${why}); start it with warden server, or set --server / WARDEN_SERVER`,
      cause === undefined ? {} : { cause },
    );
  }

  /** The server's coded error as the CLI's own, with the role it asks for or its field issues. */
  private answerError(status: number, answer: unknown): WardenError {
    const error = (answer as { error?: ErrorAnswer } | undefined)?.error;
    const code = typeof error?.code === 'string' ? error.code : undefined;
    const message = typeof error?.message === 'string' ? error.message : undefined;
    if (code === undefined || message === undefined || !isErrorCode(code)) {
      return new WardenError(
        'WARDEN_ERR_SERVER_UNREACHABLE',
        `the Warden server at ${this.baseUrl} answered HTTP ${status}${message === undefined ? '' : `: ${message}`}; retry, and if it persists check the server log`,
      );
    }
    if (status >= 500)
      return new WardenError(code, `the Warden server at ${this.baseUrl} failed: ${message}`);
    const lines = [message];
    if (typeof error?.requiredRole === 'string') lines.push(`  required role: ${error.requiredRole}`);
    const issues = Array.isArray(error?.issues)
      ? (error.issues as { path?: unknown; message?: unknown }[])
      : [];
    // One issue is already the message; several are listed one a line.
    if (issues.length > 1) {
      for (const issue of issues) lines.push(`  - ${String(issue.path)}: ${String(issue.message)}`);
    }
    return new WardenError(code, lines.join('\n'));
  }
}

function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorRegistry, code);
}

function queryString(query: RequestOptions['query']): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value as readonly string[]) params.append(key, item);
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** Why a request never got an answer, in words: refused, unknown host, timed out. */
function networkReason(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${requestTimeoutMs / 1000} s`;
  }
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'the connection was closed before an answer';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'the connection timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to the host';
    default:
      return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  }
}

/** The client for `--server` / WARDEN_SERVER and WARDEN_TOKEN; a malformed URL is a usage error. */
export function serverClient(flags: ServerFlags, env: NodeJS.ProcessEnv = process.env): ServerClient {
  const given = flags.server ?? env['WARDEN_SERVER'] ?? defaultServerUrl;
  const from = flags.server !== undefined ? '--server' : env['WARDEN_SERVER'] ? 'WARDEN_SERVER' : 'default';
  let url: URL;
  try {
    url = new URL(given.trim() === '' ? defaultServerUrl : given.trim());
  } catch {
    throw badServer(given, from);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badServer(given, from);
  if (url.username !== '' || url.password !== '') {
    throw new WardenError(
      'WARDEN_ERR_USAGE_INVALID_OPTION',
      `${from}: put no user or password in the server URL; the API takes a token from WARDEN_TOKEN`,
    );
  }
  const base = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  const token = env['WARDEN_TOKEN']?.trim();
  return new ServerClient(base, token === undefined || token === '' ? undefined : token);
}

function badServer(given: string, from: string): WardenError {
  return new WardenError(
    'WARDEN_ERR_USAGE_INVALID_OPTION',
    `${from} "${given}" is not an http:// or https:// URL; pass it like --server http://127.0.0.1:8080`,
  );
}
