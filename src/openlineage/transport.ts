import { appendFile } from 'node:fs/promises';
import { WardenError } from '../core/index.js';
import type { RunEvent } from './run-event.js';

/** Where events go: a JSON Lines file (appended) or an OpenLineage HTTP endpoint (POST per event). */
export interface OpenLineageTransport {
  /** The target as it may be printed: a URL without credentials or query, or the file path. */
  readonly target: string;
  emit(event: RunEvent): Promise<void>;
}

export interface TransportOptions {
  /** Sent as `Authorization: Bearer …` to an HTTP endpoint; never printed. */
  apiKey?: string | undefined;
  /** How long an HTTP endpoint has to answer one event (default 10 s). */
  timeoutMs?: number;
}

/** The env variable that holds the HTTP endpoint's bearer token. */
export const openLineageApiKeyVariable = 'WARDEN_OPENLINEAGE_API_KEY';

/**
 * The transport for `--openlineage TARGET`: an `http://` or `https://` URL is the OpenLineage HTTP
 * transport (each event POSTed as JSON, usually to `…/api/v1/lineage`); anything else is a file the
 * events are appended to, one JSON document per line.
 *
 * @example
 * const transport = openLineageTransport('http://marquez:5000/api/v1/lineage', { apiKey: process.env.WARDEN_OPENLINEAGE_API_KEY });
 * await transport.emit(event);
 */
export function openLineageTransport(target: string, options: TransportOptions = {}): OpenLineageTransport {
  if (target.trim() === '') {
    throw new WardenError(
      'WARDEN_ERR_OPENLINEAGE_TARGET_INVALID',
      '--openlineage needs a file path or an http(s) URL',
    );
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return httpTransport(target, options);
  return fileTransport(target);
}

function fileTransport(file: string): OpenLineageTransport {
  return {
    target: file,
    async emit(event) {
      try {
        await appendFile(file, `${JSON.stringify(event)}\n`);
      } catch (error) {
        throw new WardenError(
          'WARDEN_ERR_OPENLINEAGE_DELIVERY_FAILED',
          `could not append the OpenLineage ${event.eventType} event to ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)} (check that its directory exists and is writable)`,
          { cause: error },
        );
      }
    },
  };
}

function httpTransport(target: string, options: TransportOptions): OpenLineageTransport {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new WardenError(
      'WARDEN_ERR_OPENLINEAGE_TARGET_INVALID',
      '--openlineage is not a valid URL: pass http(s)://HOST:PORT/api/v1/lineage, or a file path for JSON Lines',
    );
  }
  const shown = `${url.protocol}//${url.host}${url.pathname}`;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WardenError(
      'WARDEN_ERR_OPENLINEAGE_TARGET_INVALID',
      `--openlineage ${url.protocol}//…: only http and https endpoints are supported; pass http(s)://HOST:PORT/api/v1/lineage, or a file path for JSON Lines`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new WardenError(
      'WARDEN_ERR_OPENLINEAGE_TARGET_INVALID',
      `--openlineage ${shown}: the URL carries credentials; remove them and put the token in ${openLineageApiKeyVariable} (sent as a bearer token)`,
    );
  }
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.apiKey) headers['authorization'] = `Bearer ${options.apiKey}`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    target: shown,
    async emit(event) {
      const failed = (reason: string, cause?: unknown) =>
        new WardenError(
          'WARDEN_ERR_OPENLINEAGE_DELIVERY_FAILED',
          `could not deliver the OpenLineage ${event.eventType} event to ${shown}: ${reason} (check the endpoint and ${openLineageApiKeyVariable}; --openlineage-optional makes this a warning)`,
          cause === undefined ? {} : { cause },
        );
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers,
          body: JSON.stringify(event),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause;
        const reason =
          (error as Error).name === 'TimeoutError'
            ? `no answer within ${timeoutMs / 1000} s`
            : (cause?.code ?? (error as Error).message);
        throw failed(reason, error);
      }
      await response.body?.cancel();
      if (!response.ok)
        throw failed(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
    },
  };
}
