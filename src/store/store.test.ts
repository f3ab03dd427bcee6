import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashTokenSecret, tokenSecretPattern, WardenError } from '../core/index.js';
import { openStore, parseDatabaseUrl, type Store } from './database.js';
import { testDatabases } from './test-support/databases.js';
import { issueToken, tokenRepository } from './token-repository.js';

async function failure(promise: Promise<unknown>): Promise<WardenError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof WardenError)) throw new Error(`expected a WardenError, got ${String(error)}`);
  return error;
}

describe.each(testDatabases())('tokens on $dialect', (database) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    const fresh = await database.fresh();
    cleanup = fresh.cleanup;
    store = await openStore(fresh.url);
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('stores only the hash of a token, finds it by hash, and revokes it once', async () => {
    const { token, secret } = await issueToken(
      store.db,
      { name: 'ci', role: 'contributor', teams: ['risk'], expiresAt: null },
      'bootstrap',
    );
    expect(secret).toMatch(tokenSecretPattern);
    expect(token).toMatchObject({
      name: 'ci',
      role: 'contributor',
      teams: ['risk'],
      createdBy: 'bootstrap',
      revokedAt: null,
    });
    const rows = await store.db.selectFrom('tokens').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(rows[0]?.secret_hash).toBe(hashTokenSecret(secret));
    expect((await tokenRepository.findByHash(store.db, hashTokenSecret(secret)))?.id).toBe(token.id);

    expect(
      (await failure(issueToken(store.db, { name: 'ci', role: 'viewer', teams: null, expiresAt: null }, 'x')))
        .code,
    ).toBe('WARDEN_ERR_REGISTRY_CONFLICT');
    expect(await tokenRepository.revoke(store.db, token.id, 'admin', '2026-11-22T00:00:00Z')).toBe(true);
    expect(await tokenRepository.revoke(store.db, token.id, 'admin', '2026-11-22T00:00:00Z')).toBe(false);
    const again = await issueToken(
      store.db,
      { name: 'ci', role: 'viewer', teams: null, expiresAt: null },
      'x',
    );
    expect(again.token.id).not.toBe(token.id);
    expect(await tokenRepository.count(store.db)).toBe(2);
  });

  it('refuses a database migrated by a newer Warden', async () => {
    await store.db
      .insertInto('warden_migrations' as never)
      .values({ name: '9999_future', timestamp: 'x' } as never)
      .execute();
    const error = await failure(store.migrate());
    expect(error.code).toBe('WARDEN_ERR_STORE_SCHEMA_MISMATCH');
    expect(error.message).toContain('9999_future');
  });
});

describe('database URLs and faults', () => {
  it('parses sqlite and postgres URLs and masks passwords', () => {
    expect(parseDatabaseUrl('sqlite:.warden/warden.db')).toEqual({
      dialect: 'sqlite',
      path: '.warden/warden.db',
    });
    expect(parseDatabaseUrl('sqlite:///var/lib/warden.db')).toEqual({
      dialect: 'sqlite',
      path: '/var/lib/warden.db',
    });
    const pg = parseDatabaseUrl('postgres://warden:s3cret@db:5432/gov?schema=reg');
    expect(pg).toMatchObject({
      dialect: 'postgres',
      schema: 'reg',
      shown: 'postgres://warden:***@db:5432/gov',
    });
    expect(JSON.stringify(failureSync(() => parseDatabaseUrl('mysql://u:pw@h/db')))).not.toContain('pw');
    expect(failureSync(() => parseDatabaseUrl('mysql://u:pw@h/db')).message).toContain('use sqlite:PATH');
    expect(failureSync(() => parseDatabaseUrl('postgres://h/db?schema=Bad-Name')).code).toBe(
      'WARDEN_ERR_STORE_INVALID_URL',
    );
  });

  it('reports PostgreSQL down at open as unavailable (exit 3), with the password masked', async () => {
    const port = await closedPort();
    const error = await failure(openStore(`postgres://warden:hunter2@127.0.0.1:${port}/warden`));
    expect(error.code).toBe('WARDEN_ERR_STORE_UNAVAILABLE');
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain(`postgres://warden:***@127.0.0.1:${port}/warden`);
    expect(error.message).not.toContain('hunter2');
  });

  it('reports a SQLite path that is a directory as unavailable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-dir-'));
    const error = await failure(openStore(`sqlite:${dir}`));
    expect(error.code).toBe('WARDEN_ERR_STORE_UNAVAILABLE');
    expect(error.message).toContain('is a directory');
  });
});

function failureSync(run: () => unknown): WardenError {
  try {
    run();
  } catch (error) {
    if (error instanceof WardenError) return error;
    throw error;
  }
  throw new Error('expected a WardenError');
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise((done) => server.close(done));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
