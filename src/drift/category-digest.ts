/**
 * Categories of a column that holds personal data are stored only as digests, in reports and in
 * baselines (docs/drift.md, "Personal data"): `sha256:` and the hex HMAC-SHA-256 of the value,
 * keyed by a random salt that the report or baseline carries. Within one document the same value
 * always has the same digest, so counts and charts still line up; across documents they differ,
 * so digests cannot be matched between reports. A baseline keeps its salt, and the accumulator
 * digests current values with it, so a digested baseline scores exactly as a raw one would.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { detectPii } from '../core/index.js';

/** How a document's category digests were made: the algorithm and its salt (hex). */
export interface CategoryDigestKey {
  algorithm: 'hmac-sha256';
  salt: string;
}

export const categorySaltPattern = /^[0-9a-f]{32,128}$/;

/** A fresh key for one report or baseline: a 128-bit random salt. */
export function newCategoryDigestKey(): CategoryDigestKey {
  return { algorithm: 'hmac-sha256', salt: randomBytes(16).toString('hex') };
}

/** The digest a category is stored as under `key`. */
export function categoryDigest(key: CategoryDigestKey, value: string): string {
  return `sha256:${createHmac('sha256', Buffer.from(key.salt, 'hex')).update(value, 'utf8').digest('hex')}`;
}

/**
 * Whether a column's categories are stored as digests: it is named as personal data (a contract's
 * classification, passed by the caller), or a PII detector flags any one of its distinct values.
 */
export function digestsCategories(
  column: string,
  distinctValues: Iterable<string>,
  piiColumns: readonly string[] | undefined,
): boolean {
  if (piiColumns?.includes(column)) return true;
  for (const value of distinctValues) if (detectPii(value) !== undefined) return true;
  return false;
}

/** Distinct values digested at most once; past this many the cache starts again. */
const digestCacheSize = 100_000;

/**
 * A category → bucket index over digested categories: `get` takes a raw value and looks up its
 * digest under the baseline's key, so counting code stays the same for raw and digested features.
 */
export class DigestedCategoryIndex extends Map<string, number> {
  readonly #key: CategoryDigestKey;
  readonly #digests = new Map<string, string>();

  constructor(digests: readonly string[], key: CategoryDigestKey) {
    super(digests.map((digest, index) => [digest, index]));
    this.#key = key;
  }

  override get(value: string): number | undefined {
    let digest = this.#digests.get(value);
    if (digest === undefined) {
      if (this.#digests.size >= digestCacheSize) this.#digests.clear();
      digest = categoryDigest(this.#key, value);
      this.#digests.set(value, digest);
    }
    return super.get(digest);
  }
}
