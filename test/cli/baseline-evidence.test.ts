import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvidenceEnvelope, verifyEvidenceId } from '../../src/core/index.js';
import { baselineFromEvidence, parseBaseline } from '../../src/drift/index.js';
import { testDatabases } from '../../src/store/test-support/databases.js';
import { type Harness, startHarness } from '../server/harness.js';
import { expectNoStackTrace, repoRoot, runCli } from './run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'warden-cli-baseline-evidence-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const at = (name: string) => join(work, name);
const creditData = join(repoRoot, 'examples/credit-risk/credit_data.csv');
const create = (...extra: string[]) =>
  runCli(['baseline', 'create', creditData, '--null-value', 'NA', '--window-rows', '500', ...extra]);
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

/** A policy that reads the attached baseline, bound at deploy for model versions. */
const baselinePolicy = `apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: baseline-attached
spec:
  requiredEvidence: [driftBaseline]
  validations:
    - name: calibrated-for-windows
      expression: evidence.driftBaseline.baseline.windowRows == 500 && evidence.driftBaseline.subject.type == 'dataset'
      message: the baseline is not calibrated for 500-row windows
---
apiVersion: warden.dev/v1
kind: PolicyBinding
metadata:
  name: baseline-at-deploy
spec:
  policyName: baseline-attached
  gates: [deploy]
  subjects:
    types: [model-version]
  action: deny
`;

describe('warden baseline create --evidence', () => {
  let created: Awaited<ReturnType<typeof runCli>>;
  beforeAll(async () => {
    expect((await runCli(['key', 'create', '--out', at('ci.key')])).code).toBe(0);
    created = await create('--out', at('baseline.json'), '--evidence', at('evidence.json'));
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
  });

  it('writes the baseline as drift-baseline evidence about the reference file, holding what --out holds', () => {
    const evidence = readJson(at('evidence.json'));
    const bytes = readFileSync(creditData);
    expect(evidence).toMatchObject({
      kind: 'drift-baseline',
      schemaVersion: 1,
      subject: { type: 'dataset', name: creditData },
      inputs: [
        {
          uri: creditData,
          digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
          bytes: statSync(creditData).size,
          rows: 4454,
          format: 'csv',
        },
      ],
      passed: true,
    });
    expect(verifyEvidenceId(evidence)).toBe(true);
    expect(evidence.baseline).toEqual(readJson(at('baseline.json')));
    expect(baselineFromEvidence(evidence, at('evidence.json'))).toEqual(
      parseBaseline(readFileSync(at('baseline.json'), 'utf8'), at('baseline.json')),
    );
    expect(created.stdout).toContain(`Wrote ${at('baseline.json')}\n`);
    expect(created.stdout).toContain(
      `Wrote ${at('evidence.json')} (drift-baseline evidence ${evidence.id.slice(0, 19)}…)`,
    );
  });

  it('signs it with --sign-key as the checks sign theirs, and needs no --out', async () => {
    const signed = await create('--evidence', at('signed.json'), '--sign-key', at('ci.key'));
    expect(signed.code).toBe(0);
    expect(signed.stdout).toMatch(
      /Wrote .*signed\.json \(drift-baseline evidence sha256:[0-9a-f]{12}…, signed\)/,
    );
    expect(signed.stdout).not.toContain('baseline.json');
    const envelope = readJson(at('signed.json'));
    expect(envelope.payloadType).toBe('application/vnd.in-toto+json');
    const opened = openEvidenceEnvelope(envelope, at('signed.json'));
    expect(opened.statement.predicateType).toBe('https://warden.dev/evidence/drift-baseline/v1');
    const baseline = baselineFromEvidence(opened.evidence, at('signed.json'));
    expect(opened.statement.subject[0]?.digest['sha256']).toBe(
      baseline.source.digest.slice('sha256:'.length),
    );
    expect(Object.keys(baseline.features)).toHaveLength(14);
  });

  it('needs somewhere to write, and a key only with --evidence', async () => {
    const nowhere = await create();
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toContain(
      'say where the baseline goes: --out FILE (the baseline), --evidence FILE',
    );
    expectNoStackTrace(nowhere.stderr);
    const keyOnly = await create('--out', at('unused.json'), '--sign-key', at('ci.key'));
    expect(keyOnly.code).toBe(2);
    expect(keyOnly.stderr).toContain('--sign-key signs the drift-baseline evidence; add --evidence FILE');
    const badKey = await create('--evidence', at('unused.json'), '--sign-key', at('ci.key.pub'));
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain('WARDEN_ERR_SIGNING_KEY_INVALID');
  });

  it('is evidence.driftBaseline at a gate, and a policy can require it', async () => {
    writeFileSync(at('baseline-policy.yaml'), baselinePolicy);
    const gate = (...extra: string[]) =>
      runCli([
        'gate',
        'deploy',
        '--policies',
        at('baseline-policy.yaml'),
        '--subject',
        'model=credit-risk,version=1',
        ...extra,
      ]);
    const allowed = await gate('--evidence', at('evidence.json'), '--verbose');
    expect(allowed.stdout).toMatch(/✓ .*baseline-attached\/calibrated-for-windows/);
    expect(allowed.stdout).toContain('ALLOWED  1 validation: 1 passed');
    expect(allowed.code).toBe(0);
    const missing = await gate();
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('produce it with warden baseline create … --evidence FILE');
  });
});

describe.each(testDatabases().slice(0, 1))('warden evidence submit of a baseline on $dialect', (database) => {
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

  it('attaches the signed baseline to a version under a key registered for drift-baseline', async () => {
    const as = (token: string) => ({ env: { WARDEN_SERVER: h.server.url, WARDEN_TOKEN: token } });
    const registered = await runCli(
      [
        'key',
        'register',
        'credit-pipeline-ci',
        '--public-key',
        at('ci.key.pub'),
        '--kinds',
        'drift-baseline',
      ],
      as(h.tokens.admin),
    );
    expect(registered.code).toBe(0);
    const submitted = await runCli(
      ['evidence', 'submit', at('signed.json'), '--model', 'credit-risk', '--version', '1'],
      as(h.tokens.admin),
    );
    expect(submitted.code).toBe(0);
    expect(submitted.stdout).toMatch(/kind\s+drift-baseline/);
    expect(submitted.stdout).toMatch(/signer\s+credit-pipeline-ci/);
    const listed = await runCli(['evidence', 'list', 'credit-risk', '1'], as(h.tokens.viewer));
    expect(listed.stdout).toMatch(/drift-baseline\s+passed\s+credit-pipeline-ci/);

    // A dataset's evidence names no model version: the command asks for one.
    const unnamed = await runCli(['evidence', 'submit', at('signed.json')], as(h.tokens.admin));
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toContain('--model NAME --version N');
  });
});
