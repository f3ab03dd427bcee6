import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../../src/store/test-support/databases.js';
import {
  creditEvaluation,
  type Harness,
  registerPipelineKey,
  signedByPipeline,
  startHarness,
} from '../server/harness.js';
import { expectNoStackTrace, runCli, writeFixture } from './run-cli.js';

const sqlite = testDatabases()[0];
const work = mkdtempSync(join(tmpdir(), 'warden-governance-cli-'));

describe('the governance commands against a live server', () => {
  let h: Harness;
  const as = (role: keyof Harness['tokens']) => ({
    env: { WARDEN_SERVER: h.server.url, WARDEN_TOKEN: h.tokens[role] },
  });
  beforeAll(async () => {
    h = await startHarness(sqlite as NonNullable<typeof sqlite>, { allowPrivateWebhooks: true });
    await registerPipelineKey(h);
    await h.call('POST', '/api/v1/models', {
      token: h.tokens.contributor,
      body: { name: 'credit-risk', team: 'risk', labels: { domain: 'credit', riskTier: 'medium' } },
    });
    for (const [version, eod] of [
      ['1', 0.05],
      ['2', 0.45],
    ] as const) {
      await h.call('POST', '/api/v1/models/credit-risk/versions', {
        token: h.tokens.contributor,
        body: { artifact: { uri: `s3://m/${version}` } },
      });
      await h.call('POST', `/api/v1/models/credit-risk/versions/${version}/evidence`, {
        token: h.tokens.contributor,
        body: signedByPipeline(creditEvaluation(version, eod)),
      });
    }
  });
  afterAll(async () => h.close());

  it('applies the policy set, promotes, denies, waives, and verifies and exports the audit log', async () => {
    const refused = await runCli(['promote', 'credit-risk', '1', '--to', 'production'], as('contributor'));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('no policy set has been applied');
    expectNoStackTrace(refused.stderr);

    const applied = await runCli(['policy', 'apply', 'examples/policies', '--revision', 'r1'], as('admin'));
    expect(applied.stdout).toMatch(/^applied policy set version 1 \(revision r1, sha256:/);
    const monitors = await runCli(
      ['monitors', 'set', 'credit-risk', 'examples/credit-risk/monitors.yaml'],
      as('contributor'),
    );
    expect(monitors.stdout).toBe('credit-risk: 1 monitor declared\n');

    const promoted = await runCli(['promote', 'credit-risk', '1', '--to', 'production'], as('contributor'));
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(promoted.stdout).toMatch(/prm_[0-9a-f]{12}: credit-risk version 1 is now production\n$/);

    const denied = await runCli(['promote', 'credit-risk', '2', '--to', 'production'], as('contributor'));
    expect(denied.code).toBe(1);
    expect(denied.stdout).toContain('credit-fairness/equalized-odds');
    expect(denied.stdout).toMatch(
      /credit-risk version 2 was NOT promoted to production: the policies deny it\n$/,
    );

    const raced = await runCli(
      ['promote', 'credit-risk', '2', '--to', 'production', '--expect', 'none'],
      as('contributor'),
    );
    expect(raced.code).toBe(2);
    expect(raced.stderr).toContain('points at version 1, not nothing');

    const requested = await runCli(
      [
        'waiver',
        'request',
        '--model',
        'credit-risk',
        '--version',
        '2',
        '--policy',
        'credit-fairness',
        '--validation',
        'equalized-odds',
        '--expires',
        '14d',
        '--audit-due',
        '30d',
        '--reason',
        'shadow evaluation only; manual review of every decline',
      ],
      as('contributor'),
    );
    expect(requested.code, requested.stderr).toBe(0);
    const id = /waiver\s+(wvr_[0-9a-f]{12})/.exec(requested.stdout)?.[1] as string;
    expect(id).toBeDefined();
    const byContributor = await runCli(['waiver', 'approve', id, '--comment', 'mine'], as('contributor'));
    expect(byContributor.code).toBe(2);
    expect(byContributor.stderr).toContain('needs the approver role');
    const approved = await runCli(
      ['waiver', 'approve', id, '--comment', 'manual review in place'],
      as('approver'),
    );
    expect(approved.stdout).toMatch(/state\s+active/);
    expect(approved.stdout).toMatch(/decided\s+\S+ by ann-approver: manual review in place/);
    const waived = await runCli(['promote', 'credit-risk', '2', '--to', 'production'], as('contributor'));
    expect(waived.code).toBe(0);
    expect(waived.stdout).toMatch(/waived \(wvr_/);
    const overdue = await runCli(['waiver', 'list', '--overdue'], as('viewer'));
    expect([overdue.code, overdue.stdout]).toEqual([0, 'nothing overdue\n']);

    const verified = await runCli(['audit', 'verify'], as('viewer'));
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^audit log verified \(server\): (\d+) entries, unbroken from entry 1/);
    const exported = join(work, 'audit.jsonl');
    const exportRun = await runCli(['audit', 'export', '--out', exported], as('viewer'));
    expect(exportRun.code).toBe(0);
    const lines = (await readFile(exported, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((entry) => entry.seq)).toEqual(lines.map((_, i) => i + 1));
    expect(lines.map((entry) => entry.action)).toContain('waiver.approved');
    expect(verified.stdout).toContain(`${lines.length} entries`);

    const checkpoint = await runCli(['audit', 'checkpoint'], as('admin'));
    expect(checkpoint.stdout).toMatch(/^signed checkpoint at entry \d+ \(ed25519:[0-9a-f]{16}\)\n$/);
    const direct = await runCli(['audit', 'verify', '--db', h.databaseUrl, '--audit-key', h.auditKeyPath]);
    expect(direct.code, direct.stderr).toBe(0);
    expect(direct.stdout).toMatch(/^audit log verified \(database\).*1 of 1 signed checkpoint matched/);

    await h.store.db.updateTable('audit_log').set({ actor: 'mallory' }).where('seq', '=', 3).execute();
    const broken = await runCli(['audit', 'verify'], as('viewer'));
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^AUDIT LOG BROKEN \(server\) at entry 3 \[edited\]/);
  });

  it('prints a webhook secret once, on stdout only, and never lists it', async () => {
    const added = await runCli(
      [
        'webhook',
        'add',
        '--name',
        'owners',
        '--url',
        'http://127.0.0.1:9/hook',
        '--events',
        'gate.denied,version.tagged',
      ],
      as('admin'),
    );
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^whsec_[A-Za-z0-9+/=]+\n$/);
    expect(added.stderr).not.toContain(added.stdout.trim());
    const listed = await runCli(['webhook', 'list'], as('admin'));
    expect(listed.stdout).toContain('gate.denied,version.tagged');
    expect(listed.stdout).not.toContain(added.stdout.trim());
    const bad = await runCli(
      ['webhook', 'add', '--name', 'x', '--url', 'ftp://x', '--events', 'gate.denied'],
      as('admin'),
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('webhook URLs are http or https');
  });

  it('refuses an unreadable or wrong verification key with exit 2', async () => {
    const missing = await runCli([
      'audit',
      'verify',
      '--db',
      h.databaseUrl,
      '--public-key',
      join(work, 'nope.pem'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.pem');
    expectNoStackTrace(missing.stderr);
    const notKey = await writeFixture(work, 'not-a-key.pem', 'hello\n');
    const wrong = await runCli(['audit', 'verify', '--db', h.databaseUrl, '--public-key', notKey]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('holds no PEM Ed25519 key');
  });
});
