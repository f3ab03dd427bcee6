import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '../../src/registry/index.js';
import { openStore } from '../../src/store/index.js';
import { expectNoStackTrace, repoRoot, runCli, writeFixture } from './run-cli.js';

const example = join(repoRoot, 'examples/credit-risk');
const dataset = join(example, 'credit_data.csv');
const contract = join(example, 'contract.yaml');

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'warden-cli-'));
});

const smallContract = `apiVersion: v3.1.0
kind: DataContract
id: people
version: 1.0.0
status: active
schema:
  - name: people
    properties:
      - name: id
        logicalType: integer
        required: true
        unique: true
      - name: age
        logicalType: integer
        logicalTypeOptions: { minimum: 0, maximum: 120 }
`;

describe('warden check data', () => {
  it('passes the clean credit-risk example with exit 0 and writes the evidence, JUnit and Markdown', async () => {
    const json = join(work, 'clean.json');
    const junit = join(work, 'clean.xml');
    const markdown = join(work, 'clean.md');
    const run = await runCli([
      'check',
      'data',
      dataset,
      '--contract',
      contract,
      '--null-value',
      'NA',
      '--json',
      json,
      '--junit',
      junit,
      '--markdown',
      markdown,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('PASSED');
    const evidence = JSON.parse(await readFile(json, 'utf8'));
    expect(evidence.kind).toBe('data-check');
    expect(evidence.rowCount).toBe(4454);
    expect(evidence.inputs[0].digest).toBe(
      'sha256:2392f2e9d9ebe7eef1b40b7e3c13fff748783ad64b3ad5af7f04a17556842fd9',
    );
    const xml = await readFile(junit, 'utf8');
    expect(xml).toContain('<testsuites name="warden"');
    expect(xml).toContain('failures="0"');
    expect(await readFile(markdown, 'utf8')).toContain('**Passed**');
  });

  it('fails with exit 1 and readable reasons when the data breaks the contract', async () => {
    const data = await writeFixture(work, 'people.csv', 'id,age\n1,30\n2,130\n2,40\n,50\n');
    const contractFile = await writeFixture(work, 'people.yaml', smallContract);
    const junit = join(work, 'people.xml');
    const summary = await writeFixture(work, 'step-summary.md', '# earlier step\n');
    const run = await runCli(['check', 'data', data, '--contract', contractFile, '--junit', junit], {
      env: { GITHUB_STEP_SUMMARY: summary },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ FAIL\s+people\.id\.required/);
    expect(run.stdout).toMatch(/✗ FAIL\s+people\.id\.unique/);
    expect(run.stdout).toMatch(/people\.age\.maximum\s+age\s+maximum\s+1 \(25\.00%\)/);
    expect(run.stdout).toContain('FAILED');
    const xml = await readFile(junit, 'utf8');
    expect(xml).toContain('failures="3"');
    const appended = await readFile(summary, 'utf8');
    expect(appended.startsWith('# earlier step\n')).toBe(true);
    expect(appended).toContain('**Failed**');
  });

  it('treats warnings as passing (exit 0)', async () => {
    const data = await writeFixture(work, 'warn.csv', 'id,age\n1,30\n2,\n');
    const contractFile = await writeFixture(
      work,
      'warn.yaml',
      `${smallContract}        quality:\n          - metric: nullValues\n            mustBe: 0\n            severity: warning\n`,
    );
    const run = await runCli(['check', 'data', data, '--contract', contractFile]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/! WARN\s+people\.age\.nullValues/);
  });

  const badInputs: [string, () => Promise<string[]>, RegExp][] = [
    [
      'a missing dataset',
      async () => [join(work, 'nope.csv'), '--contract', contract],
      /nope\.csv: no such dataset file/,
    ],
    [
      'a missing contract',
      async () => [dataset, '--contract', join(work, 'nope.yaml')],
      /nope\.yaml: no such contract file/,
    ],
    [
      'an empty file',
      async () => [await writeFixture(work, 'empty.csv', ''), '--contract', contract],
      /empty\.csv: the file is empty/,
    ],
    [
      'a ragged CSV row',
      async () => [
        await writeFixture(work, 'ragged.csv', 'id,age\n1,2\n3,4,5\n'),
        '--contract',
        await writeFixture(work, 'r.yaml', smallContract),
      ],
      /ragged\.csv: line 3: expected 2 fields, found 3/,
    ],
    [
      'a wrong delimiter',
      async () => [
        await writeFixture(work, 'semi.csv', 'id;age\n1;2\n'),
        '--contract',
        await writeFixture(work, 's.yaml', smallContract),
        '--delimiter',
        ',',
      ],
      /pass --delimiter ";"/,
    ],
    [
      'invalid UTF-8',
      async () => [
        await writeFixture(
          work,
          'latin.csv',
          Buffer.concat([Buffer.from('id,age\n1,2\n3,'), Buffer.from([0xe9, 0x0a])]),
        ),
        '--contract',
        await writeFixture(work, 'l.yaml', smallContract),
      ],
      /latin\.csv: line 3\b.*not valid UTF-8.*--encoding latin-1/,
    ],
    [
      'a contract that is not YAML',
      async () => [
        dataset,
        '--contract',
        await writeFixture(work, 'bad.yaml', 'apiVersion: v3.1.0\nkind: [DataContract\n'),
      ],
      /bad\.yaml:\d+:\d+: not valid YAML/,
    ],
    [
      'a contract that fails the ODCS schema',
      async () => [
        dataset,
        '--contract',
        await writeFixture(work, 'schema.yaml', smallContract.replace('version: 1.0.0\n', '')),
      ],
      /schema\.yaml:1:1: missing required key "version"/,
    ],
    [
      'an unknown metric',
      async () => [
        dataset,
        '--contract',
        await writeFixture(
          work,
          'metric.yaml',
          `${smallContract}        quality:\n          - metric: nulValues\n            mustBe: 0\n`,
        ),
      ],
      /metric\.yaml:17:13: unknown metric "nulValues" \(did you mean "nullValues"\?\)/,
    ],
    [
      'a malformed regex',
      async () => [
        await writeFixture(work, 're.csv', 'id,age\n1,2\n'),
        '--contract',
        await writeFixture(
          work,
          're.yaml',
          `${smallContract}      - name: code\n        logicalType: string\n        logicalTypeOptions:\n          pattern: '[a-'\n`,
        ),
      ],
      /re\.yaml:\d+:\d+: the pattern "\[a-" is not a valid regular expression/,
    ],
    [
      'a SQL rule that fails',
      async () => [
        await writeFixture(work, 'sql.csv', 'id,age\n1,2\n'),
        '--contract',
        await writeFixture(
          work,
          'sql.yaml',
          smallContract.replace(
            '    properties:',
            '    quality:\n      - type: sql\n        query: SELECT count(*) FROM {object} WHERE nosuchcolumn > 1\n        mustBe: 0\n    properties:',
          ),
        ),
      ],
      /sql\.yaml:\d+:\d+: SQL rule ".*" does not compile: Binder Error/,
    ],
    [
      'a --delimiter of two characters',
      async () => [dataset, '--contract', contract, '--delimiter', 'ab'],
      /--delimiter takes one character, got "ab"/,
    ],
    [
      'a file whose format cannot be told',
      async () => [await writeFixture(work, 'blank.dat', '   \n\n'), '--contract', contract],
      /blank\.dat: cannot tell the format.*pass --format csv, parquet or jsonl/,
    ],
    [
      'an unknown option',
      async () => [dataset, '--contract', contract, '--frobnicate'],
      /unknown option --frobnicate\n/,
    ],
    ['a missing --contract', async () => [dataset], /required option '-c, --contract <file>' not specified/],
    [
      'a bad --format',
      async () => [dataset, '--contract', contract, '--format', 'xlsx'],
      /Allowed choices are csv, parquet, jsonl/,
    ],
  ];

  it.each(badInputs)(
    'rejects %s with exit 2, a message naming the place and no stack trace',
    async (_, args, message) => {
      const run = await runCli(['check', 'data', ...(await args())]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expectNoStackTrace(run.stderr);
      expect(run.stdout).toBe('');
    },
  );

  it('reports a column the file lacks as a failed check (exit 1), not a crash', async () => {
    const data = await writeFixture(work, 'noage.csv', 'id,Age\n1,2\n');
    const run = await runCli([
      'check',
      'data',
      data,
      '--contract',
      await writeFixture(work, 'n.yaml', smallContract),
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/people\.age\.columnPresent.*it has "Age": names are case-sensitive/);
  });

  it('exits 3 when a report cannot be written', async () => {
    const run = await runCli([
      'check',
      'data',
      dataset,
      '--contract',
      contract,
      '--null-value',
      'NA',
      '--json',
      join(dataset, 'x.json'),
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/x\.json: cannot write the report/);
    expectNoStackTrace(run.stderr);
  });
});

describe('warden demo', () => {
  it('runs the credit-risk pipeline: the clean file passes, the defective copy is stopped', async () => {
    const run = await runCli(['demo', '--workdir', join(work, 'demo'), '--port', '0', '--no-serve']);
    expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/registered version 1 \(fair\) .* signed by credit-pipeline-ci/);
    expect(run.stdout).toMatch(/accepted as evidence sha256:[0-9a-f]{12}…, signer: none/);
    expect(run.stdout).toMatch(
      /denied: trusted-evidence\/evaluation-signed: the model evaluation is not signed/,
    );
    expect(run.stdout).toContain(
      'refused: risk-committee requested this promotion and so cannot approve it (four-eyes rule)',
    );
    expect(run.stdout).toContain(
      'completed: credit-risk@production is version 1, approved by model-risk-officer',
    );
    expect(run.stdout).toMatch(/owners' receiver got gate\.denied \(signature valid\)/);
    expect(run.stdout).toMatch(
      /completed: credit-risk@staging is version 2; waived: .*credit-fairness\/equalized-odds \(wvr_[0-9a-f]{12}\)/,
    );
    expect(run.stdout).toMatch(/^audit log verified \(server\): \d+ entries/m);
    expect(run.stdout).toMatch(/^NO DATASET DRIFT {2}2 of 14 columns drifted .*: Age, Income$/m);
    const driftPage = await readFile(join(work, 'demo/drift-report.html'), 'utf8');
    expect(driftPage.match(/<svg/g)?.length).toBeGreaterThanOrEqual(2);
    expect(driftPage).not.toContain('<script');
    expect(run.stdout).toMatch(/^AUDIT LOG BROKEN \(database\) at entry \d+ \[edited\]/m);
    const tokenFile = join(work, 'demo/admin.token');
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    const token = (await readFile(tokenFile, 'utf8')).trim();
    expect(token).toMatch(/^wdn_[A-Za-z0-9_-]{43}$/);
    expect(run.stdout).not.toContain(token);
    const viewerTokenFile = join(work, 'demo/viewer.token');
    expect((await stat(viewerTokenFile)).mode & 0o777).toBe(0o600);
    const viewerToken = (await readFile(viewerTokenFile, 'utf8')).trim();
    expect(viewerToken).toMatch(/^wdn_[A-Za-z0-9_-]{43}$/);
    expect(run.stdout).not.toContain(viewerToken);
    expect(run.stdout).toMatch(
      /^ {2}open http:\/\/127\.0\.0\.1:\d+\/ and sign in with .*cat \S+\/viewer\.token/m,
    );
    // The demo shows the right practice: its keys are not in the database's directory.
    expect((await readdir(join(work, 'demo/keys'))).sort()).toEqual([
      'audit-signing.key',
      'webhook-secrets.key',
    ]);
    expect((await readdir(join(work, 'demo/db'))).filter((name) => name.endsWith('.key'))).toEqual([]);
    const store = await openStore(`sqlite:${join(work, 'demo/db/warden.db')}`);
    try {
      const registry = new Registry(store);
      expect((await registry.versionByAlias('credit-risk', 'production')).version).toBe('1');
      expect((await registry.version('credit-risk', '2')).tags).toEqual({
        biased: 'credit-fairness/equalized-odds failed at promote:staging',
      });
      expect((await registry.versionByAlias('credit-risk', 'staging')).version).toBe('2');
      expect((await registry.listEvidence('credit-risk', '1', { latest: true })).map((e) => e.kind)).toEqual([
        'data-check',
        'drift-baseline',
        'model-evaluation',
        'monitor-status',
      ]);
      const statuses = (await registry.listEvidence('credit-risk', '1', {})).filter(
        (e) => e.kind === 'monitor-status',
      );
      // Step 10's two windows, then the 1-second windows of the canary scene: all signed.
      expect(statuses.length).toBeGreaterThanOrEqual(3);
      expect(new Set(statuses.map((e) => e.signer?.name))).toEqual(new Set(['credit-pipeline-ci']));
      // Step 11: the faulty canary rolled back by itself; production stayed on version 1.
      expect(Object.keys((await registry.version('credit-risk', '3')).tags)).toEqual(['rolled-back']);
      expect((await registry.version('credit-risk', '1')).endpoint?.protocol).toBe('mlflow');
      const lineage = await registry.lineage('credit-risk', '1');
      // The training set's evidence: its data check, and the drift baseline made from it.
      expect(lineage.datasets[0]?.checks.map((c) => [c.kind, c.passed]).sort()).toEqual([
        ['data-check', true],
        ['drift-baseline', true],
      ]);
    } finally {
      await store.close();
    }
    expect(run.stdout).toMatch(
      /set-endpoint credit-risk 1 .* as credit-pipeline: refused \(WARDEN_ERR_GOVERNANCE_SERVED_ENDPOINT\)/,
    );
    expect(run.stdout).toMatch(/gateway: routing table [0-9a-f]{12}: credit-risk v1 100%/);
    expect(run.stdout).toMatch(
      /300 applications like the training data, .*: 300 requests, 0 errors, p50 [\d.]+ ms; 0 of 13 inputs drifted\n/,
    );
    expect(run.stdout).toMatch(
      /300 applications a few years on .*: 300 requests, 0 errors, p50 [\d.]+ ms; 2 of 13 inputs drifted: Age \(psi [\d.]+ > [\d.]+\), Income \(psi [\d.]+ > [\d.]+\)\n/,
    );
    expect(run.stdout).toMatch(
      /warden_feature_drift_score\{model="credit-risk",version="1",feature="Age",method="psi"\} \d/,
    );
    expect(run.stdout).toMatch(
      /rolled back: 2 failed checks \(threshold 2\); last: warden:runtime-defaults\/error-ratio: canary error ratio [\d.]+% is above 1% or 1\.5× stable's 0\.00%/,
    );
    expect(run.stdout).toMatch(
      /rollout start credit-risk --version 3 … {3}# as credit-pipeline: refused \(WARDEN_ERR_RUNTIME_APPROVAL_REQUIRED\)/,
    );
    expect(run.stdout).toMatch(
      /version 3 answered 0 requests in the second after; clients saw 0 errors from the gateway itself/,
    );
    // Step 12: the predictive-maintenance run captured, re-run and promoted through the audit.
    expect(run.stdout).toMatch(/^Step 12\/12 {2}The pre-production audit/m);
    expect(run.stdout).toMatch(
      /^REPRODUCIBLE {2}reproduced in 1 re-run of [0-9a-f]{12}: bit-identical outputs/m,
    );
    expect(run.stdout).toContain(
      'with the capture alone, the production audit denies: reproducible-training/verified-by-rerun',
    );
    expect(run.stdout).toMatch(/examples\/predictive-maintenance\/walkthrough\.sh \(needs python3-sklearn\)/);
    const verified = JSON.parse(await readFile(join(work, 'demo/maintenance-repro.json'), 'utf8'));
    expect(
      JSON.parse(Buffer.from(verified.payload, 'base64').toString('utf8')).predicate.verification,
    ).toMatchObject({ reproducible: true, mode: 'digest', differences: [] });
    const audited = JSON.parse(
      await readFile(join(work, 'demo/maintenance-decision-production-verified.json'), 'utf8'),
    ) as { allowed: boolean; results: { policy: string; validation: string; outcome: string }[] };
    expect(audited.allowed).toBe(true);
    expect(
      audited.results
        .filter((r) => ['reproducible-training', 'unbroken-lineage', 'accountable-model'].includes(r.policy))
        .map((r) => `${r.policy}/${r.validation}:${r.outcome}`),
    ).toEqual([
      'reproducible-training/verified-by-rerun:pass',
      'reproducible-training/reproducible:pass',
      'reproducible-training/clean-work-tree:pass',
      'unbroken-lineage/commit-recorded:pass',
      'unbroken-lineage/data-declared:pass',
      'unbroken-lineage/outputs-recorded:pass',
      'unbroken-lineage/artifact-from-run:pass',
      'unbroken-lineage/data-checked:pass',
      'accountable-model/evaluation-passed:pass',
      'accountable-model/owner-declared:pass',
    ]);
    expect(run.stdout).toContain('Demo finished.');
    expect(run.stdout).toMatch(/credit_data\.Age\.maximum/);
    expect(run.stdout).toMatch(/notes\.piiDetected\.email/);
    expect(run.stdout).not.toMatch(/applicant\d+@example\.com/);
    // The demo signs its evidence: the document is the base64 payload of a DSSE envelope.
    const envelope = JSON.parse(await readFile(join(work, 'demo/data-check-defective.json'), 'utf8'));
    const evidence = Buffer.from(envelope.payload, 'base64').toString('utf8');
    expect(evidence).not.toMatch(/applicant\d+@example\.com/);
    expect(evidence).not.toContain('4111 1111 1111 1111');
    expect(JSON.parse(evidence).predicate.passed).toBe(false);
    const decision = async (name: string) =>
      JSON.parse(await readFile(join(work, `demo/decision-${name}.json`), 'utf8')) as {
        allowed: boolean;
        results: { policy: string; validation: string; outcome: string; tags?: string[] }[];
      };
    expect((await decision('data-clean')).allowed).toBe(true);
    const dataDenied = await decision('data-defective');
    expect(dataDenied.allowed).toBe(false);
    expect(dataDenied.results.find((r) => r.validation === 'no-raw-pii')?.outcome).toBe('fail');
    expect((await decision('model-fair')).allowed).toBe(true);
    const biased = await decision('model-biased');
    expect(biased.allowed).toBe(false);
    expect(biased.results.find((r) => r.validation === 'equalized-odds')).toMatchObject({
      outcome: 'fail',
      tags: ['biased'],
    });
    expect((await decision('promote-production')).allowed).toBe(true);
    expect(run.stdout).toMatch(
      /✗ FAIL {2}credit-fairness\/equalized-odds .* equalized odds difference above 0\.2 on Age \(0\.2471\)/,
    );
    expect(run.stdout).toMatch(/✗ FAIL {2}pii-features-hashed\/no-raw-pii .* notes holds 179 email values/);
  });
});
