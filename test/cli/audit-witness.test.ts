import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { expectNoStackTrace, runCli, startCli } from './run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'warden-cli-witness-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('warden server --audit-witness and warden audit verify --witness', () => {
  it('publishes each signed checkpoint to a file witness; a log cut with its checkpoints verifies alone but not against the witness', async () => {
    const db = `sqlite:${join(work, 'db', 'warden.db')}`;
    const witness = `file:${join(work, 'checkpoints.jsonl')}`;
    const key = join(work, 'keys', 'audit-signing.key');
    const token = (
      await runCli(['token', 'create', '--db', db, '--name', 'admin', '--role', 'admin'])
    ).stdout.trim();
    const env = { WARDEN_TOKEN: token };
    const server = startCli(
      [
        'server',
        '--db',
        db,
        '--port',
        '0',
        '--audit-key',
        key,
        '--audit-witness',
        witness,
        '--log-level',
        'silent',
      ],
      { env },
    );
    const listening = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const match = /listening on (http:\/\/\S+)/.exec(server.output.stderr);
        if (match) {
          clearInterval(timer);
          resolve(match[1] as string);
        }
      }, 50);
      void server.exited.then((code) => {
        clearInterval(timer);
        reject(new Error(`the server exited with ${code}: ${server.output.stderr}`));
      });
    });
    const cli = (args: string[]) => runCli([...args, '--server', listening], { env });
    expect((await cli(['models', 'create', 'credit-risk', '--team', 'risk'])).code).toBe(0);
    expect((await cli(['audit', 'checkpoint'])).code).toBe(0);
    expect((await cli(['models', 'create', 'fraud', '--team', 'risk'])).code).toBe(0);
    expect((await cli(['audit', 'checkpoint'])).code).toBe(0);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    const intact = await runCli(['audit', 'verify', '--db', db, '--audit-key', key, '--witness', witness]);
    expect(intact.stdout).toMatch(
      /^audit log verified \(database\): \d+ entries.*witnessed checkpoints? held/,
    );
    expect(intact.code).toBe(0);

    // Someone with the database removes the second model's entry and every checkpoint that covers it.
    const sqlite = new Database(join(work, 'db', 'warden.db'));
    const firstSigned = (
      sqlite.prepare('select min(seq) as seq from audit_checkpoints').get() as { seq: number }
    ).seq;
    sqlite.prepare('delete from audit_log where seq > ?').run(firstSigned);
    sqlite.prepare('delete from audit_checkpoints where seq > ?').run(firstSigned);
    sqlite.close();

    expect((await runCli(['audit', 'verify', '--db', db, '--audit-key', key])).code).toBe(0);
    const caught = await runCli(['audit', 'verify', '--db', db, '--audit-key', key, '--witness', witness]);
    expect(caught.code).toBe(1);
    expect(caught.stdout).toContain(`AUDIT LOG BROKEN (database) at entry ${firstSigned + 1} [truncated]`);
    expect(caught.stdout).toContain('(held by a witness)');

    const badWitness = await runCli([
      'audit',
      'verify',
      '--db',
      db,
      '--audit-key',
      key,
      '--witness',
      'ftp://x',
    ]);
    expect(badWitness.code).toBe(2);
    expect(badWitness.stderr).toContain('[WARDEN_ERR_AUDIT_WITNESS_INVALID]');
    expectNoStackTrace(badWitness.stderr);
  }, 180_000);
});
