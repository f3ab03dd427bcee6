import { dirname, join } from 'node:path';
import { defaultDatabaseUrl } from '../store/index.js';

/** The database URL: --db, else WARDEN_DATABASE_URL, else the embedded SQLite file. */
export function databaseUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env['WARDEN_DATABASE_URL'] ?? defaultDatabaseUrl;
}

/**
 * Where the audit signing key lives unless --audit-key says: beside an SQLite database file (so the
 * two travel together), else in .warden/.
 */
export function auditKeyPathFor(url: string, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env['WARDEN_AUDIT_KEY'];
  if (configured) return configured;
  const sqlite = /^sqlite:(.+)$/.exec(url.trim());
  if (sqlite && sqlite[1] !== ':memory:') return join(dirname(sqlite[1] as string), 'audit-signing.key');
  return join('.warden', 'audit-signing.key');
}
