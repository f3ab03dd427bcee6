import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WardenError } from '../core/index.js';
import {
  defaultKeyDirectory,
  refuseColocatedKeys,
  refuseLegacyAuditKey,
  serverKeyFiles,
} from './key-files.js';

let work: string | undefined;
afterEach(() => {
  if (work) rmSync(work, { recursive: true, force: true });
  work = undefined;
});
const workDirectory = () => {
  work = mkdtempSync(join(tmpdir(), 'warden-key-files-'));
  return work;
};

describe('default key directory', () => {
  const env = { XDG_CONFIG_HOME: '/config', HOME: '/home/ann' };

  it('is one directory per database under $XDG_CONFIG_HOME/warden/keys, else ~/.config', () => {
    const dir = workDirectory();
    const a = defaultKeyDirectory(`sqlite:${join(dir, 'a.db')}`, env);
    const b = defaultKeyDirectory(`sqlite:${join(dir, 'b.db')}`, env);
    expect(a).toMatch(/^\/config\/warden\/keys\/a\.db-[0-9a-f]{12}$/);
    expect(b).not.toBe(a);
    expect(defaultKeyDirectory(`sqlite:${join(dir, 'a.db')}`, { HOME: '/home/ann' })).toMatch(
      /^\/home\/ann\/\.config\/warden\/keys\/a\.db-/,
    );
    // A relative XDG_CONFIG_HOME is ignored, as the XDG spec says.
    expect(defaultKeyDirectory('sqlite::memory:', { XDG_CONFIG_HOME: 'rel', HOME: '/h' })).toMatch(
      /^\/h\/\.config\/warden\/keys\/memory-/,
    );
  });

  it('is the same for one SQLite file however it is named, so audit verify --db finds the server’s key', () => {
    const dir = workDirectory();
    mkdirSync(join(dir, 'data'));
    const absolute = defaultKeyDirectory(`sqlite:${join(dir, 'data', 'warden.db')}`, env);
    expect(
      defaultKeyDirectory(`sqlite:${relative(process.cwd(), join(dir, 'data', 'warden.db'))}`, env),
    ).toBe(absolute);
    expect(defaultKeyDirectory(`sqlite:${join(dir, 'data', '..', 'data', 'warden.db')}`, env)).toBe(absolute);
  });

  it('names a PostgreSQL database by host, port, database and schema, never by its password', () => {
    const plain = defaultKeyDirectory('postgres://warden@db.internal/registry', env);
    expect(plain).toMatch(/\/keys\/registry-[0-9a-f]{12}$/);
    expect(defaultKeyDirectory('postgres://warden:s3cret@db.internal:5432/registry', env)).toBe(plain);
    expect(defaultKeyDirectory('postgres://warden@db.internal/registry?schema=team_a', env)).toMatch(
      /\/keys\/registry\.team_a-/,
    );
    expect(defaultKeyDirectory('postgres://warden@db.other/registry', env)).not.toBe(plain);
  });
});

describe('server key files', () => {
  const url = 'postgres://warden@db.internal/registry';
  const env = { XDG_CONFIG_HOME: '/config' };

  it('takes --audit-key, else WARDEN_AUDIT_KEY, else the default; the webhook key sits beside the audit key', () => {
    const defaults = serverKeyFiles(url, {}, env);
    expect(defaults.auditKeyPath).toBe(join(defaultKeyDirectory(url, env), 'audit-signing.key'));
    expect(defaults.webhookKeyPath).toBe(join(defaultKeyDirectory(url, env), 'webhook-secrets.key'));
    const fromEnv = serverKeyFiles(url, {}, { ...env, WARDEN_AUDIT_KEY: '/etc/warden/audit.key' });
    expect(fromEnv).toEqual({
      auditKeyPath: '/etc/warden/audit.key',
      webhookKeyPath: '/etc/warden/webhook-secrets.key',
    });
    const fromFlags = serverKeyFiles(
      url,
      { auditKey: '/k/a.key', webhookKey: '/w/w.key' },
      { ...env, WARDEN_AUDIT_KEY: '/etc/x', WARDEN_WEBHOOK_KEY: '/etc/y' },
    );
    expect(fromFlags).toEqual({ auditKeyPath: '/k/a.key', webhookKeyPath: '/w/w.key' });
    expect(serverKeyFiles(url, {}, { ...env, WARDEN_WEBHOOK_KEY: '/etc/y' }).webhookKeyPath).toBe('/etc/y');
  });

  it('points at a key left beside the SQLite file by an earlier release, and refuses to use it there', () => {
    const dir = workDirectory();
    const db = `sqlite:${join(dir, 'warden.db')}`;
    const env = { XDG_CONFIG_HOME: join(dir, 'config') };
    expect(serverKeyFiles(db, {}, env).legacyAuditKeyPath).toBeUndefined();
    writeFileSync(join(dir, 'audit-signing.key'), 'old key');
    const files = serverKeyFiles(db, {}, env);
    expect(files.legacyAuditKeyPath).toBe(join(dir, 'audit-signing.key'));
    let error: unknown;
    try {
      refuseLegacyAuditKey(files);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(WardenError);
    expect((error as WardenError).code).toBe('WARDEN_ERR_SERVER_KEY_LOCATION');
    expect((error as WardenError).message).toContain(
      `mv ${join(dir, 'audit-signing.key')} ${files.auditKeyPath}`,
    );
    // Named keys are taken as named; a key at the default place wins over the old one.
    expect(
      serverKeyFiles(db, { auditKey: join(dir, 'elsewhere.key') }, env).legacyAuditKeyPath,
    ).toBeUndefined();
    mkdirSync(defaultKeyDirectory(db, env), { recursive: true });
    writeFileSync(files.auditKeyPath, 'moved key');
    expect(serverKeyFiles(db, {}, env).legacyAuditKeyPath).toBeUndefined();
  });
});

describe('colocated keys', () => {
  it('are refused inside the database directory, not beside it in a sibling, and not for PostgreSQL', () => {
    const dir = workDirectory();
    const database = join(dir, 'db');
    const refused = (path: string, allow = false) => {
      try {
        refuseColocatedKeys(database, [{ path, flag: '--audit-key' }], allow);
        return undefined;
      } catch (error) {
        return (error as WardenError).code;
      }
    };
    expect(refused(join(database, 'audit-signing.key'))).toBe('WARDEN_ERR_SERVER_KEY_LOCATION');
    expect(refused(join(database, 'a', 'b', 'audit-signing.key'))).toBe('WARDEN_ERR_SERVER_KEY_LOCATION');
    expect(refused(join(dir, 'db-keys', 'audit-signing.key'))).toBeUndefined();
    expect(refused(join(dir, 'audit-signing.key'))).toBeUndefined();
    expect(refused(join(database, 'audit-signing.key'), true)).toBeUndefined();
    expect(() =>
      refuseColocatedKeys(undefined, [{ path: '/anywhere', flag: '--audit-key' }], false),
    ).not.toThrow();
  });
});
