import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * The databases the shared store suite runs against: always SQLite (a temporary file), and
 * PostgreSQL when WARDEN_TEST_DATABASE_URL names one (.ci/run sets it). Each test gets a fresh
 * database: a new file, or a new schema dropped afterwards.
 */
export interface TestDatabase {
  dialect: 'sqlite' | 'postgres';
  /** A fresh, empty database URL; `cleanup` removes everything it made. */
  fresh(): Promise<{ url: string; cleanup: () => Promise<void> }>;
}

const postgresUrl = process.env['WARDEN_TEST_DATABASE_URL'];
let noticeShown = false;

export function testDatabases(): TestDatabase[] {
  const sqlite: TestDatabase = {
    dialect: 'sqlite',
    async fresh() {
      const dir = mkdtempSync(join(tmpdir(), 'warden-store-'));
      return {
        url: `sqlite:${join(dir, 'warden.db')}`,
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  };
  if (postgresUrl === undefined || postgresUrl === '') {
    if (!noticeShown) {
      noticeShown = true;
      process.stderr.write(
        '\nNOTICE: WARDEN_TEST_DATABASE_URL is not set: the PostgreSQL half of the store suite is skipped (.ci/run sets it).\n\n',
      );
    }
    return [sqlite];
  }
  const postgres: TestDatabase = {
    dialect: 'postgres',
    async fresh() {
      const schema = `warden_test_${randomBytes(6).toString('hex')}`;
      const url = new URL(postgresUrl);
      url.searchParams.set('schema', schema);
      return {
        url: url.href,
        cleanup: async () => {
          const client = new pg.Client({ connectionString: postgresUrl });
          await client.connect();
          try {
            await client.query(`drop schema if exists "${schema}" cascade`);
          } finally {
            await client.end();
          }
        },
      };
    },
  };
  return [sqlite, postgres];
}
