import { defaultDatabaseUrl } from '../store/index.js';

/** The database URL: --db, else WARDEN_DATABASE_URL, else the embedded SQLite file. */
export function databaseUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env['WARDEN_DATABASE_URL'] ?? defaultDatabaseUrl;
}
