import { readFile } from 'node:fs/promises';
import { fileReadError } from '../core/index.js';
import { auditRepository, openStore, type Store } from '../store/index.js';
import { type Checkpoint, checkpointFromRow } from './audit-log.js';
import { type AuditEntry, entryFromRow } from './chain.js';
import { type TrustedKey, trustedKeyFromPem } from './signing-key.js';
import {
  type VerifiableEntry,
  type VerificationReport,
  verifiableFromEntry,
  verifiableFromRow,
  verifyAuditLog,
} from './verify.js';

/**
 * Where a verifier or an exporter reads the audit log from: a database directly, or the server's
 * API. Either way the entries come in pages, in order, and the keys that may sign checkpoints are
 * the caller's own when it gives some.
 */
export interface AuditSource {
  pages(): AsyncIterable<VerifiableEntry[]>;
  entries(): AsyncIterable<AuditEntry[]>;
  checkpoints(): Promise<Checkpoint[]>;
  trustedKeys(): Promise<TrustedKey[]>;
  close(): Promise<void>;
}

/** What the API source needs of an HTTP client (audit/ knows no HTTP). */
export interface AuditApi {
  /** Entries after `after` (a seq), at most `limit`; nextAfter when there are more. */
  entriesAfter(after: number, limit: number): Promise<{ entries: AuditEntry[]; nextAfter?: number }>;
  checkpoints(): Promise<Checkpoint[]>;
  /** The key the server publishes for its checkpoints. */
  publishedKey(): Promise<TrustedKey>;
}

export const auditPageSize = 10_000;

/** A trusted public key (PEM) read from a file; a missing file names it. */
export async function readTrustedKey(path: string): Promise<TrustedKey> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    throw fileReadError(path, error, 'key');
  }
  return trustedKeyFromPem(pem, path);
}

/**
 * The log straight from the database at `url` (never migrated). Checkpoints are trusted under
 * `trustedKeys`, or when none are given, under the key in `keyFile` (the server's signing key).
 */
export async function databaseAuditSource(
  url: string,
  trustedKeys: readonly TrustedKey[],
  keyFile: string,
): Promise<AuditSource> {
  const store = await openStore(url, { migrate: false });
  return {
    ...storeAuditSource(store, async () =>
      trustedKeys.length > 0 ? [...trustedKeys] : [await readTrustedKey(keyFile)],
    ),
    close: () => store.close(),
  };
}

/**
 * The log of an open store (the server's own), trusted under the keys `trustedKeys` gives;
 * closing the source leaves the store open.
 */
export function storeAuditSource(store: Store, trustedKeys: () => Promise<TrustedKey[]>): AuditSource {
  const rows = async function* () {
    for (let after = 0; ; ) {
      const page = await auditRepository.page(store.db, after, auditPageSize);
      if (page.length === 0) return;
      yield page;
      after = page.at(-1)?.seq ?? after;
    }
  };
  return {
    async *pages() {
      for await (const page of rows()) yield page.map(verifiableFromRow);
    },
    async *entries() {
      for await (const page of rows()) yield page.map(entryFromRow);
    },
    checkpoints: async () => (await auditRepository.checkpoints(store.db)).map(checkpointFromRow),
    trustedKeys,
    close: async () => undefined,
  };
}

/** The log as the server's API serves it; without `trustedKeys`, the server's published key. */
export function apiAuditSource(api: AuditApi, trustedKeys: readonly TrustedKey[]): AuditSource {
  const entries = async function* () {
    for (let after = 0; ; ) {
      const answer = await api.entriesAfter(after, auditPageSize);
      if (answer.entries.length > 0) yield answer.entries;
      if (answer.nextAfter === undefined) return;
      after = answer.nextAfter;
    }
  };
  return {
    async *pages() {
      for await (const page of entries()) yield page.map(verifiableFromEntry);
    },
    entries,
    checkpoints: () => api.checkpoints(),
    trustedKeys: async () => (trustedKeys.length > 0 ? [...trustedKeys] : [await api.publishedKey()]),
    close: async () => undefined,
  };
}

/**
 * Verifies the whole log of a source: the chain from entry 1, every signed checkpoint, and, when
 * given, the checkpoints witnesses hold (`readWitnessed`).
 */
export async function verifyAuditSource(
  source: AuditSource,
  witnessed: Checkpoint[] = [],
): Promise<VerificationReport> {
  return verifyAuditLog(source.pages(), await source.checkpoints(), await source.trustedKeys(), witnessed);
}

/**
 * Verifies the log of an open store as `warden audit verify --db` does: the chain from entry 1 and
 * every signed checkpoint under `trustedKeys` (the server passes its own key).
 */
export function verifyStoredLog(
  store: Store,
  trustedKeys: readonly TrustedKey[],
): Promise<VerificationReport> {
  return verifyAuditSource(storeAuditSource(store, async () => [...trustedKeys]));
}
