import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../../src/store/test-support/databases.js';
import { type Harness, startHarness } from '../server/harness.js';
import { expectNoStackTrace, runCli } from './run-cli.js';

const sqlite = testDatabases()[0];
const labels = { domain: 'credit', riskTier: 'high', region: 'eu' };

describe('warden models label-change against a live server', () => {
  let h: Harness;
  const as = (role: keyof Harness['tokens']) => ({
    env: { WARDEN_SERVER: h.server.url, WARDEN_TOKEN: h.tokens[role] },
  });
  const model = async () =>
    (await h.call('GET', '/api/v1/models/credit-risk', { token: h.tokens.viewer })).body;
  beforeAll(async () => {
    h = await startHarness(sqlite as NonNullable<typeof sqlite>);
    await h.call('POST', '/api/v1/models', {
      token: h.tokens.contributor,
      body: { name: 'credit-risk', team: 'risk', labels },
    });
  });
  afterAll(async () => h.close());

  it('requests a change, refuses the requester as approver, and applies it on another approver’s word', async () => {
    const requested = await runCli(
      [
        'models',
        'label-change',
        'request',
        'credit-risk',
        '--label',
        'riskTier=medium',
        '--remove-label',
        'region',
        '--team',
        'growth',
        '--reason',
        'the model only ranks marketing offers since the redesign',
      ],
      as('approver'),
    );
    expect(requested.code, requested.stderr).toBe(0);
    expect(requested.stdout).toContain(
      'region: eu → (removed); riskTier: high → medium; team: risk → growth',
    );
    const id = /label change\s+(lch_[0-9a-f]{12})/.exec(requested.stdout)?.[1] as string;
    expect(id).toBeDefined();
    expect(requested.stdout).toContain(`warden models label-change approve ${id} --comment`);

    const self = await runCli(
      ['models', 'label-change', 'approve', id, '--comment', 'fine by me'],
      as('approver'),
    );
    expect(self.code).toBe(2);
    expect(self.stderr).toContain('WARDEN_ERR_GOVERNANCE_SELF_APPROVAL');
    expectNoStackTrace(self.stderr);

    const pending = await runCli(
      ['models', 'label-change', 'list', '--status', 'pending', '--model', 'credit-risk'],
      as('viewer'),
    );
    expect(pending.stdout).toMatch(
      new RegExp(
        `^${id}\\s+credit-risk\\s+pending\\s+region: eu → \\(removed\\); riskTier: high → medium`,
        'm',
      ),
    );

    const approved = await runCli(
      ['models', 'label-change', 'approve', id, '--comment', 'checked with model risk'],
      as('admin'),
    );
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toMatch(/state\s+approved/);
    expect(await model()).toMatchObject({ labels: { domain: 'credit', riskTier: 'medium' }, team: 'growth' });
    const shown = await runCli(['models', 'label-change', 'show', id, '--json'], as('viewer'));
    expect(JSON.parse(shown.stdout)).toMatchObject({ id, status: 'approved', reviewedBy: 'ada-admin' });
  });

  it('rejects a request, and explains a refused one with its code and exit 2', async () => {
    const requested = await runCli(
      [
        'models',
        'label-change',
        'request',
        'credit-risk',
        '--no-team',
        '--reason',
        'teams are being merged next quarter',
        '--json',
      ],
      as('contributor'),
    );
    expect(requested.code, requested.stderr).toBe(0);
    const record = JSON.parse(requested.stdout);
    expect(record.team).toEqual({ old: 'growth', new: null });
    const rejected = await runCli(
      ['models', 'label-change', 'reject', record.id, '--comment', 'not before the merger'],
      as('approver'),
    );
    expect(rejected.code, rejected.stderr).toBe(0);
    expect(rejected.stdout).toMatch(/state\s+rejected/);
    expect((await model()).team).toBe('growth');

    const nothing = await runCli(
      [
        'models',
        'label-change',
        'request',
        'credit-risk',
        '--label',
        'riskTier=medium',
        '--reason',
        'restating what is already true',
      ],
      as('contributor'),
    );
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('changes nothing');
    expectNoStackTrace(nothing.stderr);
  });
});
