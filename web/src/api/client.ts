import { session } from './session';

/** The server's coded error body, or a network failure, as the pages show it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | boolean | undefined>;

/** Fired when the server answers 401: the token is unknown, revoked or expired. */
export const unauthorizedEvent = 'warden:unauthorized';

function urlOf(path: string, query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error?.message)
      return new ApiError(response.status, body.error.code ?? 'UNKNOWN', body.error.message);
  } catch {
    // Not JSON: a proxy or an unbuilt server answered; show the status.
  }
  return new ApiError(
    response.status,
    'UNKNOWN',
    `the server answered ${response.status} ${response.statusText}`,
  );
}

/**
 * Calls the Warden API with the session's token. A 401 signs the session out and tells the app,
 * which shows the sign-in page with the server's message.
 */
export async function api<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  options: { query?: Query; body?: unknown; token?: string; signal?: AbortSignal } = {},
): Promise<T> {
  const token = options.token ?? session.token();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(urlOf(path, options.query), {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', 'the Warden server cannot be reached; is `warden server` running?');
  }
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401 && options.token === undefined) {
      session.signOut();
      window.dispatchEvent(new CustomEvent(unauthorizedEvent, { detail: error.message }));
    }
    throw error;
  }
  return (await response.json()) as T;
}

export const get = <T>(path: string, query?: Query, signal?: AbortSignal) =>
  api<T>('GET', path, { ...(query ? { query } : {}), ...(signal ? { signal } : {}) });

export const post = <T>(path: string, body?: unknown) =>
  api<T>('POST', path, body === undefined ? {} : { body });

/** A path segment as the API expects it (model names may hold dots and dashes). */
export const segment = (value: string) => encodeURIComponent(value);
