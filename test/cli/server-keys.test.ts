import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ServerKey } from '../../src/audit/index.js';
import { expectNoStackTrace, runCli, startCli } from './run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'warden-cli-keys-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A database directory and a config home of their own, for one test. */
function place(name: string) {
  const database = join(work, name, 'data');
  const config = join(work, name, 'config');
  return { database, db: `sqlite:${join(database, 'warden.db')}`, env: { XDG_CONFIG_HOME: config }, config };
}

describe('warden server and its key files', () => {
  it('keeps its keys under the config directory by default, and audit verify --db finds them', async () => {
    const { database, db, env, config } = place('default');
    const { child, output, exited } = startCli(
      ['server', '--port', '0', '--db', db, '--init', '--log-level', 'silent'],
      { env },
    );
    for (let i = 0; i < 200 && !/webhook key (\S+)/.test(output.stderr); i++)
      await new Promise((done) => setTimeout(done, 50));
    const base = /listening on (\S+)/.exec(output.stderr)?.[1];
    expect(base, output.stderr).toBeDefined();
    const auditKey = /audit key (\S+),/.exec(output.stderr)?.[1] ?? '';
    expect(auditKey).toMatch(
      new RegExp(`^${config}/warden/keys/warden\\.db-[0-9a-f]{12}/audit-signing\\.key$`),
    );
    const checkpoint = await fetch(`${base}/api/v1/audit/checkpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${output.stdout.trim()}` },
    });
    expect(checkpoint.status).toBe(201);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(readdirSync(database).filter((name) => name.endsWith('.key'))).toEqual([]);

    const verified = await runCli(['audit', 'verify', '--db', db], { env });
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(
      /audit log verified \(database\).*; [1-9]\d* of [1-9]\d* signed checkpoints? matched/,
    );
  });

  it('refuses, exit 2, an audit or webhook key inside the database directory unless --allow-colocated-key', async () => {
    const { database, db, env } = place('colocated');
    for (const keyFlags of [
      ['--audit-key', join(database, 'keys', 'audit-signing.key')],
      ['--webhook-key', join(database, 'webhook-secrets.key')],
    ]) {
      const run = await runCli(['server', '--port', '0', '--db', db, '--init', ...keyFlags], { env });
      expect(run.code).toBe(2);
      // Refused before --init made a token nobody could use yet.
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('[WARDEN_ERR_SERVER_KEY_LOCATION]');
      expect(run.stderr).toContain(`${keyFlags[1]} (${keyFlags[0]}) is inside ${database}`);
      expect(run.stderr).toContain('--allow-colocated-key');
      expectNoStackTrace(run.stderr);
    }
    expect(existsSync(join(database, 'keys'))).toBe(false);

    const allowed = startCli(
      [
        'server',
        '--port',
        '0',
        '--db',
        db,
        '--audit-key',
        join(database, 'keys', 'audit-signing.key'),
        '--allow-colocated-key',
        '--log-level',
        'silent',
      ],
      { env },
    );
    for (let i = 0; i < 200 && !/listening on/.test(allowed.output.stderr); i++)
      await new Promise((done) => setTimeout(done, 50));
    expect(allowed.output.stderr).toContain('listening on');
    allowed.child.kill('SIGTERM');
    expect(await allowed.exited).toBe(0);
    expect(existsSync(join(database, 'keys', 'webhook-secrets.key'))).toBe(true);
  });

  it('refuses to sign with a key an earlier release left beside the database, and says how to move it', async () => {
    const { database, db, env } = place('upgrade');
    const before = await runCli(['db', 'migrate', '--db', db], { env });
    expect(before.code).toBe(0);
    ServerKey.loadOrCreate(join(database, 'audit-signing.key'));

    const run = await runCli(['server', '--port', '0', '--db', db], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('[WARDEN_ERR_SERVER_KEY_LOCATION]');
    expect(run.stderr).toMatch(/where earlier releases kept it/);
    expect(run.stderr).toMatch(
      new RegExp(`mv ${join(database, 'audit-signing.key')} \\S+/audit-signing\\.key`),
    );
    expectNoStackTrace(run.stderr);

    // Reading the public half from there to verify is harmless, and still works.
    const verified = await runCli(['audit', 'verify', '--db', db], { env });
    expect(verified.code, verified.stderr).toBe(0);
  });
});
