import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import {
  guardedLookup,
  PrivateAddressError,
  privateAddressKind,
  privateAddressRefusal,
} from './webhook-address.js';

export interface WebhookAnswer {
  status: number;
  /** The receiver's Retry-After, in seconds, when it sent a positive number. */
  retryAfterSeconds: number | undefined;
}

/**
 * POSTs one delivery. Unless private receivers are allowed, the connection goes only to an
 * address checked by `guardedLookup` (names) or checked here (literal addresses). Redirects are
 * not followed: a receiver that answers 3xx has not taken the event.
 */
export function postWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; allowPrivate: boolean },
): Promise<WebhookAnswer> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!options.allowPrivate && isIP(host) !== 0) {
    const kind = privateAddressKind(host);
    if (kind !== undefined)
      return Promise.reject(new PrivateAddressError(privateAddressRefusal(host, host, kind)));
  }
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const deadline = AbortSignal.timeout(options.timeoutMs);
  return new Promise((resolve, reject) => {
    const request = send(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        signal: deadline,
        ...(options.allowPrivate ? {} : { lookup: guardedLookup as never }),
      },
      (response) => {
        response.resume();
        const retryAfter = Number(response.headers['retry-after']);
        resolve({
          status: response.statusCode ?? 0,
          retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
        });
      },
    );
    request.on('error', (error) => reject(deadline.aborted ? deadline.reason : error));
    request.end(body);
  });
}
