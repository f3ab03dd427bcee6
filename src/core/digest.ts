import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** A digest as Warden writes it everywhere: `sha256:<64 lowercase hex>`. */
export type Digest = `sha256:${string}`;

/** True when `text` is a digest as Warden writes it. */
export function isDigest(text: string): text is Digest {
  return /^sha256:[0-9a-f]{64}$/.test(text);
}

export function sha256Digest(data: string | Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The digest of a value's canonical JSON (RFC 8785). */
export function contentDigest(value: unknown): Digest {
  return sha256Digest(canonicalJson(value));
}
