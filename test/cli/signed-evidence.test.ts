import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../../src/store/test-support/databases.js';
import { type Harness, startHarness } from '../server/harness.js';
import { expectNoStackTrace, runCli } from './run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'warden-cli-signing-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const at = (name: string) => join(work, name);

const evaluate = (json: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) =>
  runCli(
    [
      'check',
      'model',
      'examples/credit-risk/predictions.csv',
      '--target',
      'Status',
      '--positive',
      'bad',
      '--score',
      'score',
      '--model',
      'credit-risk',
      '--version',
      '1',
      '--json',
      json,
      '-q',
      ...extra,
    ],
    { env },
  );

/** A policy set of the example trusted-evidence policy, with the pipeline's key pinned. */
function pinnedPolicies(publicKeyFile: string): string {
  const dir = at('policies');
  mkdirSync(dir, { recursive: true });
  const pem = readFileSync(publicKeyFile, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => `        ${line}`);
  const text = readFileSync('examples/policies/trusted-evidence.yaml', 'utf8').replace(
    '      evidenceKinds: [data-check, model-evaluation, drift-report]',
    `      evidenceKinds: [data-check, model-evaluation, drift-report]\n      publicKey: |\n${pem.join('\n')}`,
  );
  writeFileSync(join(dir, 'trusted-evidence.yaml'), text);
  return dir;
}

const gate = (policies: string, evidence: string, extra: string[] = []) =>
  runCli(['gate', 'promote:production', '--policies', policies, '--evidence', evidence, ...extra]);

describe('warden key create and check --sign-key', () => {
  beforeAll(async () => {
    const created = await runCli(['key', 'create', '--out', at('ci.key')]);
    expect(created.code).toBe(0);
  });

  it('writes the private key 0600 and the public key beside it, prints neither, and never overwrites', async () => {
    expect(statSync(at('ci.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(at('ci.key'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(readFileSync(at('ci.key.pub'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const again = await runCli(['key', 'create', '--out', at('ci.key')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists already; warden key create never overwrites a key');
    expectNoStackTrace(again.stderr);
    const secretLine = readFileSync(at('ci.key'), 'utf8').split('\n')[1] as string;
    const fresh = await runCli(['key', 'create', '--out', at('other.key')]);
    expect(fresh.stdout).not.toContain(secretLine);
    expect(fresh.stdout).not.toContain(readFileSync(at('other.key'), 'utf8').split('\n')[1]);
  });

  it('signs the evidence: --json holds an in-toto statement in a DSSE envelope', async () => {
    expect((await evaluate(at('signed.json'), ['--sign-key', at('ci.key')])).code).toBe(0);
    const envelope = JSON.parse(readFileSync(at('signed.json'), 'utf8'));
    expect(envelope.payloadType).toBe('application/vnd.in-toto+json');
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString());
    expect(statement).toMatchObject({
      _type: 'https://in-toto.io/Statement/v1',
      predicateType: 'https://warden.dev/evidence/model-evaluation/v1',
      predicate: { kind: 'model-evaluation', subject: { name: 'credit-risk', version: '1' } },
    });
    expect(statement.subject[0].digest.sha256).toBe(statement.predicate.inputs[0].digest.slice(7));
  });

  it('takes WARDEN_SIGNING_KEY as a file or as the PEM itself, and warns about a key others can read', async () => {
    const pem = readFileSync(at('ci.key'), 'utf8');
    const fromText = await evaluate(at('env-pem.json'), [], { WARDEN_SIGNING_KEY: pem });
    expect(fromText.code).toBe(0);
    expect(JSON.parse(readFileSync(at('env-pem.json'), 'utf8')).signatures).toHaveLength(1);
    writeFileSync(at('loose.key'), pem);
    chmodSync(at('loose.key'), 0o644);
    const loose = await evaluate(at('env-file.json'), [], { WARDEN_SIGNING_KEY: at('loose.key') });
    expect(loose.stderr).toContain(`the signing key ${at('loose.key')} can be read by other users`);
    const bad = await evaluate(at('bad.json'), ['--sign-key', at('ci.key.pub')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not a PEM private key');
    expect(bad.stderr).toContain('WARDEN_ERR_SIGNING_KEY_INVALID');
  });

  it('a gate on files trusts the pinned signer, and refuses a signed file that was edited', async () => {
    const policies = pinnedPolicies(at('ci.key.pub'));
    await evaluate(at('signed-gate.json'), ['--sign-key', at('ci.key')]);
    const trusted = await gate(policies, at('signed-gate.json'), ['--json', at('decision.json')]);
    expect(trusted.code).toBe(0);
    expect(trusted.stdout).toMatch(/signed by credit-pipeline-ci, trusted/);
    expect(JSON.parse(readFileSync(at('decision.json'), 'utf8')).signers).toEqual([
      expect.objectContaining({ kind: 'model-evaluation', signer: 'credit-pipeline-ci', trusted: true }),
    ]);

    await evaluate(at('unsigned.json'));
    const unsigned = await gate(policies, at('unsigned.json'));
    expect(unsigned.code).toBe(1);
    expect(unsigned.stdout).toContain('trusted-evidence/evaluation-signed');

    const envelope = JSON.parse(readFileSync(at('signed-gate.json'), 'utf8'));
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString());
    statement.predicate.performance.rocAuc = 0.99;
    const { contentDigest } = await import('../../src/core/index.js');
    const { id: _id, ...body } = statement.predicate;
    statement.predicate = { ...body, id: contentDigest(body) };
    envelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    writeFileSync(at('edited.json'), JSON.stringify(envelope));
    const edited = await gate(policies, at('edited.json'));
    expect(edited.code).toBe(2);
    expect(edited.stderr).toContain('WARDEN_ERR_EVIDENCE_SIGNATURE_INVALID');
    expect(edited.stderr).toContain('changed after it was signed');
    expectNoStackTrace(edited.stderr);
  });

  it('counts a file signed by a key the gate does not know as unsigned, and says so', async () => {
    const policies = pinnedPolicies(at('ci.key.pub'));
    await evaluate(at('stranger.json'), ['--sign-key', at('other.key')]);
    const stranger = await gate(policies, at('stranger.json'));
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toContain('is signed by a key this gate does not know');
    // --trusted-key names it, but the TrustPolicy does not trust that name.
    const named = await gate(policies, at('stranger.json'), [
      '--trusted-key',
      `laptop=${at('other.key.pub')}`,
    ]);
    expect(named.code).toBe(1);
    expect(named.stdout).toContain('signed by laptop, not trusted');
    expect(named.stdout).toContain('whom no TrustPolicy trusts for model-evaluation evidence');
  });
});

describe.each(testDatabases().slice(0, 1))(
  'warden key register and evidence submit on $dialect',
  (database) => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(database);
      await h.call('POST', '/api/v1/models', {
        token: h.tokens.admin,
        body: { name: 'credit-risk', team: 'risk' },
      });
      await h.call('POST', '/api/v1/models/credit-risk/versions', {
        token: h.tokens.admin,
        body: { artifact: { uri: 's3://m/1' } },
      });
    });
    afterAll(async () => h?.close());

    it('registers the public key as an admin, submits signed evidence and lists its signer', async () => {
      const as = (token: string) => ({ env: { WARDEN_SERVER: h.server.url, WARDEN_TOKEN: token } });
      const registered = await runCli(
        [
          'key',
          'register',
          'credit-pipeline-ci',
          '--public-key',
          at('ci.key.pub'),
          '--teams',
          'risk',
          '--kinds',
          'model-evaluation',
        ],
        as(h.tokens.admin),
      );
      expect(registered.code).toBe(0);
      expect(registered.stdout).toContain('registered signing key credit-pipeline-ci');
      const denied = await runCli(
        ['key', 'register', 'mine', '--public-key', at('other.key.pub')],
        as(h.tokens.contributor),
      );
      expect(denied.code).toBe(2);
      expect(denied.stderr).toContain('WARDEN_ERR_AUTH_FORBIDDEN');

      await evaluate(at('to-submit.json'), ['--sign-key', at('ci.key')]);
      const submitted = await runCli(['evidence', 'submit', at('to-submit.json')], as(h.tokens.admin));
      expect(submitted.code).toBe(0);
      expect(submitted.stdout).toMatch(/signer\s+credit-pipeline-ci/);
      const listed = await runCli(['evidence', 'list', 'credit-risk', '1'], as(h.tokens.viewer));
      expect(listed.stdout).toMatch(/model-evaluation\s+passed\s+credit-pipeline-ci/);

      const stranger = await runCli(['evidence', 'submit', at('stranger.json')], as(h.tokens.admin));
      expect(stranger.code).toBe(2);
      expect(stranger.stderr).toContain('WARDEN_ERR_EVIDENCE_SIGNATURE_INVALID');

      const keys = await runCli(['key', 'list'], as(h.tokens.viewer));
      expect(keys.stdout).toMatch(/credit-pipeline-ci\s+\S+…\s+risk\s+model-evaluation/);
      expect((await runCli(['key', 'revoke', 'credit-pipeline-ci'], as(h.tokens.admin))).stdout).toContain(
        'revoked signing key credit-pipeline-ci',
      );
    });
  },
);
