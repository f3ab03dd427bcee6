import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Role, sealEvidence } from '../../src/core/index.js';
import { type RunningServer, startServer } from '../../src/server/index.js';
import { issueToken, openStore } from '../../src/store/index.js';
import { expectNoStackTrace, repoRoot, runCli, writeFixture } from './run-cli.js';

const example = join(repoRoot, 'examples/credit-risk');
const predictions = join(example, 'predictions.csv');
const modelGate = ['--target', 'Status', '--positive', 'bad', '--score', 'score', '--sensitive', 'Marital'];
const secretLine = /^wdn_[A-Za-z0-9_-]{43}$/;

let work: string;
/** The servers' keys, outside the databases' directory. */
let keys: string;
let database: string;
let server: RunningServer;
const tokens = {} as Record<Role, string>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'warden-cli-registry-'));
  keys = await mkdtemp(join(tmpdir(), 'warden-cli-registry-keys-'));
  database = `sqlite:${join(work, 'warden.db')}`;
  const store = await openStore(database);
  for (const role of ['viewer', 'contributor', 'admin'] as const) {
    tokens[role] = (
      await issueToken(store.db, { name: `test-${role}`, role, teams: null, expiresAt: null }, 'test')
    ).secret;
  }
  server = await startServer({
    store,
    host: '127.0.0.1',
    port: 0,
    logLevel: false,
    auditKeyPath: auditKey(),
  });
});

afterAll(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
  if (keys) await rm(keys, { recursive: true, force: true });
});

const auditKey = () => join(keys, 'audit-signing.key');

/** Runs the CLI against the test server as the holder of `token` ('' for none). */
function warden(args: string[], token: string) {
  return runCli(args, {
    cwd: work,
    env: { WARDEN_SERVER: server.url, WARDEN_TOKEN: token, WARDEN_DATABASE_URL: database },
  });
}

/** A model with one version, registered through the CLI as the contributor. */
async function modelWithVersion(name: string): Promise<void> {
  expect((await warden(['models', 'create', name], tokens.contributor)).code).toBe(0);
  const version = await warden(
    ['versions', 'create', name, '--artifact', `s3://models/${name}/1.pkl`],
    tokens.contributor,
  );
  expect(version.stderr).toBe('');
  expect(version.code).toBe(0);
}

describe('warden registry commands against a running server', () => {
  it('walks the newcomer path: a token from the database, a model, a version with lineage, evidence, lineage', async () => {
    // The first admin token, straight from the database the server uses.
    const admin = await runCli(
      ['token', 'create', '--db', database, '--name', 'newcomer', '--role', 'admin'],
      { cwd: work, env: { WARDEN_TOKEN: '' } },
    );
    expect(admin.code).toBe(0);
    const adminSecret = admin.stdout.trimEnd();
    expect(admin.stdout.split('\n')).toEqual([adminSecret, '']);
    expect(adminSecret).toMatch(secretLine);
    expect(admin.stderr).toContain('shown once');
    expect(admin.stderr).not.toContain(adminSecret);

    // The admin makes a contributor token for the pipeline, through the API.
    const pipeline = await warden(
      ['token', 'create', '--name', 'pipeline', '--role', 'contributor', '--team', 'risk'],
      adminSecret,
    );
    expect(pipeline.code).toBe(0);
    const token = pipeline.stdout.trimEnd();
    expect(pipeline.stdout.split('\n')).toEqual([token, '']);
    expect(token).toMatch(secretLine);
    expect(pipeline.stderr).not.toContain(token);

    const model = await warden(
      [
        'models',
        'create',
        'credit-risk',
        '--team',
        'risk',
        '--owner',
        'ana',
        '--label',
        'domain=credit,riskTier=high',
        '--label',
        'region=eu',
      ],
      token,
    );
    expect(model.stderr).toBe('');
    expect(model.code).toBe(0);
    expect(model.stdout).toContain('created model credit-risk');
    expect(model.stdout).toMatch(/^labels\s+domain=credit,riskTier=high,region=eu$/m);
    expect(model.stdout).toMatch(/^created\s+\S+ by pipeline$/m);

    // A data check on the training file; its digest goes into the version's lineage.
    const dataEvidence = join(work, 'credit-data.json');
    const data = await warden(
      [
        'check',
        'data',
        join(example, 'credit_data.csv'),
        '-c',
        join(example, 'contract.yaml'),
        '--json',
        dataEvidence,
        '-q',
      ],
      token,
    );
    expect(data.code).toBe(1);
    const trainDigest = JSON.parse(await readFile(dataEvidence, 'utf8')).inputs[0].digest as string;
    const lineage = await writeFixture(
      work,
      'lineage.json',
      JSON.stringify({
        sourceCommit: 'abc1234',
        datasets: [{ name: 'train', uri: 's3://data/credit.csv', digest: trainDigest }],
        environment: { lockfiles: { 'uv.lock': `sha256:${'1'.repeat(64)}` } },
        parameters: { depth: 4 },
      }),
    );
    const version = await warden(
      [
        'versions',
        'create',
        'credit-risk',
        '--artifact',
        's3://models/credit-risk/1.pkl',
        '--run-id',
        'run-1',
        '--lineage',
        lineage,
      ],
      token,
    );
    expect(version.stderr).toBe('');
    expect(version.code).toBe(0);
    expect(version.stdout).toContain('registered credit-risk version 1');

    // Evidence: the data check (about the dataset) and a model check of version 1.
    const submittedData = await warden(
      ['evidence', 'submit', dataEvidence, '--model', 'credit-risk', '--version', '1'],
      token,
    );
    expect(submittedData.code).toBe(0);
    expect(submittedData.stdout).toMatch(/^kind\s+data-check$/m);
    expect(submittedData.stdout).toMatch(/^stored\s+new/m);
    const modelEvidence = join(work, 'credit-model.json');
    const check = await warden(
      [
        'check',
        'model',
        predictions,
        ...modelGate,
        '--model',
        'credit-risk',
        '--version',
        '1',
        '--json',
        modelEvidence,
      ],
      token,
    );
    expect(check.code).toBe(0);
    const id = JSON.parse(await readFile(modelEvidence, 'utf8')).id as string;
    const submitted = await warden(['evidence', 'submit', modelEvidence], token);
    expect(submitted.stderr).toBe('');
    expect(submitted.code).toBe(0);
    expect(submitted.stdout).toMatch(new RegExp(`^id\\s+${id}$`, 'm'));
    expect(submitted.stdout).toMatch(/^kind\s+model-evaluation$/m);
    expect(submitted.stdout).toMatch(/^stored\s+new/m);
    const again = await warden(['evidence', 'submit', modelEvidence], token);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^stored\s+already stored/m);

    const list = await warden(['evidence', 'list', 'credit-risk', '1'], token);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^id\s+kind\s+result/);
    expect(list.stdout).toContain(id);
    expect(list.stdout).toMatch(/data-check\s+failed/);
    expect(list.stdout).toMatch(/model-evaluation\s+passed/);

    const walk = await warden(['lineage', 'credit-risk', '1'], token);
    expect(walk.stderr).toBe('');
    expect(walk.code).toBe(0);
    const lines = walk.stdout.split('\n');
    expect(lines[0]).toBe('credit-risk version 1');
    expect(walk.stdout).toMatch(/^ {2}commit\s+abc1234$/m);
    expect(walk.stdout).toMatch(/^ {4}lockfile\s+uv\.lock {2}sha256:1{64}$/m);
    expect(walk.stdout).toContain(`    train  ${trainDigest}  s3://data/credit.csv`);
    expect(walk.stdout).toMatch(/^ {6}✗ failed {2}data-check {2}/m);

    const tokenList = await warden(['token', 'list'], adminSecret);
    expect(tokenList.code).toBe(0);
    expect(tokenList.stdout).toMatch(/newcomer\s+admin/);
    expect(tokenList.stdout).toMatch(/pipeline\s+contributor\s+risk/);
    expect(tokenList.stdout).not.toMatch(/wdn_/);
  });

  it('draws a lineage with its reproducibility evidence as text, Mermaid, DOT (Graphviz reads it) and JSON', async () => {
    expect((await warden(['models', 'create', 'pm-graph'], tokens.contributor)).code).toBe(0);
    const lineage = await writeFixture(
      work,
      'pm-lineage.json',
      JSON.stringify({
        sourceCommit: 'c0ffee1',
        datasets: [{ name: 'sensors "raw"', uri: 'data/ai4i.csv', digest: `sha256:${'a'.repeat(64)}` }],
      }),
    );
    const created = await warden(
      [
        'versions',
        'create',
        'pm-graph',
        '--artifact',
        's3://models/pm.pkl',
        '--run-id',
        'capture-c0ffee1',
        '--lineage',
        lineage,
      ],
      tokens.contributor,
    );
    expect(created.code).toBe(0);
    const capture = sealEvidence({
      kind: 'reproducibility',
      subject: { type: 'model-version', name: 'pm-graph', version: '1' },
      inputs: [],
      passed: true,
      run: { runId: 'capture-c0ffee1', command: ['python3', 'train.py'], exitCode: 0 },
      source: { commit: 'c0ffee1', branch: 'main', remote: null, dirty: true, changedPaths: ['train.py'] },
    });
    const captureFile = await writeFixture(work, 'pm-capture.json', JSON.stringify(capture));
    expect(
      (
        await warden(
          ['evidence', 'submit', captureFile, '--model', 'pm-graph', '--version', '1'],
          tokens.contributor,
        )
      ).code,
    ).toBe(0);

    const text = await warden(['lineage', 'pm-graph@1'], tokens.viewer);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `  reproducibility\n    capture  ✓ passed  commit c0ffee1  dirty tree  ${capture.producedAt}  ${capture.id}\n`,
    );

    const json = await warden(['lineage', 'pm-graph@1', '--format', 'json'], tokens.viewer);
    expect(JSON.parse(json.stdout).reproducibility).toEqual([
      expect.objectContaining({
        id: capture.id,
        role: 'capture',
        commit: 'c0ffee1',
        dirty: true,
        runId: 'capture-c0ffee1',
      }),
    ]);

    const mermaid = await warden(['lineage', 'pm-graph@1', '--format', 'mermaid'], tokens.viewer);
    expect(mermaid.code).toBe(0);
    const mermaidLines = mermaid.stdout.trimEnd().split('\n');
    expect(mermaidLines[0]).toBe('flowchart LR');
    expect(mermaidLines).toContain(
      '  n5[("dataset sensors #34;raw#34;<br/>data/ai4i.csv<br/>sha256:aaaaaaaaaaaa…")]',
    );
    expect(mermaidLines.filter((line) => line.includes('-->'))).toEqual([
      '  n1 -->|"captured by"| n2',
      '  n1 -->|"produced by"| n3',
      '  n3 -->|"source"| n4',
      '  n3 -->|"read"| n5',
    ]);

    const dot = await warden(['lineage', 'pm-graph@1', '--format', 'dot'], tokens.viewer);
    expect(dot.code).toBe(0);
    const drawn = spawnSync('dot', ['-Tjson'], { input: dot.stdout, encoding: 'utf8' });
    expect(drawn.error, 'dot is not installed: apt-get install graphviz (.ci/run does)').toBeUndefined();
    expect(drawn.status).toBe(0);
    const layout = JSON.parse(drawn.stdout) as { objects: { label: string }[]; edges: { label: string }[] };
    expect(layout.objects.map((o) => o.label.split('\\n')[0])).toEqual([
      'pm-graph version 1',
      'capture ✓ passed',
      'run capture-c0ffee1',
      'commit c0ffee1',
      'dataset sensors "raw"',
    ]);
    expect(layout.edges.map((e) => e.label).sort()).toEqual(['captured by', 'produced by', 'read', 'source']);

    const bad = await warden(['lineage', 'pm-graph@1', '--format', 'svg'], tokens.viewer);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('svg');
    expectNoStackTrace(bad.stderr);
  });

  it('prints the raw JSON answer with --json', async () => {
    await modelWithVersion('json-model');
    const models = await warden(['models', 'list', '--json'], tokens.viewer);
    expect(models.code).toBe(0);
    expect(JSON.parse(models.stdout).models.map((m: { name: string }) => m.name)).toContain('json-model');
    const show = await warden(['models', 'show', 'json-model', '--json'], tokens.viewer);
    expect(JSON.parse(show.stdout)).toMatchObject({ name: 'json-model', latestVersion: 1, aliases: [] });
    const version = await warden(['versions', 'show', 'json-model@1', '--json'], tokens.viewer);
    expect(JSON.parse(version.stdout)).toMatchObject({ model: 'json-model', version: '1', status: 'ready' });
    const versions = await warden(['versions', 'list', 'json-model', '--json'], tokens.viewer);
    expect(JSON.parse(versions.stdout).versions).toHaveLength(1);
    const walk = await warden(['lineage', 'json-model@1', '--json'], tokens.viewer);
    expect(JSON.parse(walk.stdout)).toMatchObject({ model: 'json-model', version: '1', recorded: false });
    const evidence = await warden(['evidence', 'list', 'json-model', '1', '--json'], tokens.viewer);
    expect(JSON.parse(evidence.stdout)).toEqual({ evidence: [] });
    const created = await warden(
      ['token', 'create', '--name', 'json-bot', '--role', 'viewer', '--json'],
      tokens.admin,
    );
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'json-bot', role: 'viewer', revokedAt: null });
    expect(JSON.parse(created.stdout).secret).toMatch(secretLine);
  });

  it('names the role needed when a viewer token tries to change something (exit 2)', async () => {
    const run = await warden(['models', 'create', 'not-allowed'], tokens.viewer);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('needs the contributor role');
    expect(run.stderr).toContain('required role: contributor');
    expect(run.stderr).toContain('[WARDEN_ERR_AUTH_FORBIDDEN]');
    expectNoStackTrace(run.stderr);
    const tokensRun = await warden(['token', 'list'], tokens.viewer);
    expect(tokensRun.code).toBe(2);
    expect(tokensRun.stderr).toContain('required role: admin');
  });

  it('exits 3 without a stack trace when the server is down', async () => {
    const store = await openStore(`sqlite:${join(work, 'down.db')}`);
    const down = await startServer({
      store,
      host: '127.0.0.1',
      port: 0,
      logLevel: false,
      auditKeyPath: auditKey(),
    });
    await down.close();
    const run = await runCli(['models', 'list'], {
      cwd: work,
      env: { WARDEN_SERVER: down.url, WARDEN_TOKEN: tokens.viewer },
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`cannot reach the Warden server at ${down.url} (connection refused)`);
    expect(run.stderr).toContain('[WARDEN_ERR_SERVER_UNREACHABLE]');
    expectNoStackTrace(run.stderr);
  });

  it('asks for WARDEN_TOKEN when it is not set (exit 2)', async () => {
    const run = await warden(['models', 'list'], '');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('set WARDEN_TOKEN');
    expectNoStackTrace(run.stderr);
  });

  it('refuses an evidence file changed after sealing, or not JSON, naming the file (exit 2)', async () => {
    await modelWithVersion('tamper-model');
    const sealed = sealEvidence(
      {
        kind: 'model-evaluation',
        subject: { type: 'model-version', name: 'tamper-model', version: '1' },
        inputs: [],
        passed: false,
        performance: { rocAuc: 0.61 },
      },
      new Date('2026-11-01T10:00:00Z'),
    );
    const tampered = await writeFixture(work, 'tampered.json', JSON.stringify({ ...sealed, passed: true }));
    const run = await warden(['evidence', 'submit', tampered], tokens.contributor);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${tampered}: was changed after it was sealed`);
    expect(run.stderr).toContain('[WARDEN_ERR_EVIDENCE_INVALID]');
    expectNoStackTrace(run.stderr);

    const notJson = await writeFixture(work, 'not-json.json', '{"kind": ');
    const broken = await warden(
      ['evidence', 'submit', notJson, '--model', 'tamper-model', '--version', '1'],
      tokens.contributor,
    );
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(`${notJson}: is not JSON`);
    expectNoStackTrace(broken.stderr);

    const untouched = await writeFixture(work, 'sealed.json', JSON.stringify(sealed));
    const ok = await warden(['evidence', 'submit', untouched], tokens.contributor);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^id\s+sha256:[0-9a-f]{64}$/m);
  });

  it('token create prints only the secret on stdout, and token revoke stops it working', async () => {
    const created = await warden(
      ['token', 'create', '--name', 'short-lived', '--role', 'viewer'],
      tokens.admin,
    );
    expect(created.code).toBe(0);
    const lines = created.stdout.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(secretLine);
    expect(lines[1]).toBe('');
    const secret = lines[0] as string;
    expect(created.stderr).not.toContain(secret);
    expect((await warden(['models', 'list'], secret)).code).toBe(0);
    const id = /created token (tok_[0-9a-f]{12})/.exec(created.stderr)?.[1] as string;
    const revoked = await runCli(['token', 'revoke', '--db', id], {
      cwd: work,
      env: { WARDEN_DATABASE_URL: database, WARDEN_TOKEN: '' },
    });
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`token ${id} "short-lived" is revoked`);
    const refused = await warden(['models', 'list'], secret);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('was revoked');
    expect(refused.stderr).not.toContain(secret);
  });

  it('check model --submit attaches the evidence to the checked version', async () => {
    const submitModelCheck = (version: string, extra: string[] = []) =>
      warden(
        [
          'check',
          'model',
          predictions,
          ...modelGate,
          ...extra,
          '--model',
          'submit-model',
          '--version',
          version,
          '-q',
          '--submit',
        ],
        tokens.contributor,
      );
    await modelWithVersion('submit-model');
    const run = await submitModelCheck('1');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^PASSED/);
    expect(run.stderr).toMatch(
      /submitted evidence sha256:[0-9a-f]{64} \(model-evaluation, unsigned\) to submit-model version 1: new/,
    );
    const list = await warden(
      ['evidence', 'list', 'submit-model@1', '--kind', 'model-evaluation', '--json'],
      tokens.viewer,
    );
    expect(JSON.parse(list.stdout).evidence).toHaveLength(1);

    // A failed upload after a passing check exits with the upload's code; the verdict still shows.
    const missing = await submitModelCheck('9');
    expect(missing.code).toBe(2);
    expect(missing.stdout).toMatch(/^PASSED/);
    expect(missing.stderr).toContain('--submit failed: version 9 of model "submit-model" does not exist');
    expectNoStackTrace(missing.stderr);

    // A failing check keeps exit 1 whatever the upload does.
    const failing = await submitModelCheck('9', ['--min-auc', '0.99']);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/^FAILED/);
    expect(failing.stderr).toContain('--submit failed');
  });

  it('check data --submit needs MODEL@VERSION, and a server down exits 3 after a passing check', async () => {
    const data = await writeFixture(work, 'people.csv', 'id,age\n1,30\n2,41\n');
    const contract = await writeFixture(
      work,
      'people.yaml',
      `apiVersion: v3.1.0
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
`,
    );
    const bare = await warden(['check', 'data', data, '-c', contract, '--submit'], tokens.contributor);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('--submit MODEL@VERSION');

    await modelWithVersion('data-model');
    const run = await warden(
      ['check', 'data', data, '-c', contract, '-q', '--submit', 'data-model@1'],
      tokens.contributor,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^PASSED/);
    expect(run.stderr).toContain('(data-check, unsigned) to data-model version 1: new');

    const store = await openStore(`sqlite:${join(work, 'gone.db')}`);
    const gone = await startServer({
      store,
      host: '127.0.0.1',
      port: 0,
      logLevel: false,
      auditKeyPath: auditKey(),
    });
    await gone.close();
    const down = await runCli(['check', 'data', data, '-c', contract, '-q', '--submit', 'data-model@1'], {
      cwd: work,
      env: { WARDEN_SERVER: gone.url, WARDEN_TOKEN: tokens.contributor },
    });
    expect(down.code).toBe(3);
    expect(down.stdout).toMatch(/^PASSED/);
    expect(down.stderr).toContain('cannot reach the Warden server');
    expectNoStackTrace(down.stderr);
  });
  it('registers a version with its model server and moves it with set-endpoint', async () => {
    expect((await warden(['models', 'create', 'served-model'], tokens.contributor)).code).toBe(0);
    const created = await warden(
      [
        'versions',
        'create',
        'served-model',
        '--artifact',
        's3://m/1',
        '--endpoint',
        'http://127.0.0.1:9001/',
        '--protocol',
        'mlflow',
      ],
      tokens.contributor,
    );
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(/endpoint\s+http:\/\/127\.0\.0\.1:9001 \(mlflow\)/);
    const moved = await warden(
      ['versions', 'set-endpoint', 'served-model', '1', '--url', 'http://127.0.0.1:9002', '--json'],
      tokens.contributor,
    );
    expect(moved.code, moved.stderr).toBe(0);
    expect(JSON.parse(moved.stdout).endpoint).toEqual({ url: 'http://127.0.0.1:9002', protocol: 'v2' });
    const removed = await warden(
      ['versions', 'set-endpoint', 'served-model', '1', '--remove'],
      tokens.contributor,
    );
    expect(removed.stdout).toContain('removed the endpoint of served-model version 1');
    expect(removed.stdout).toMatch(/endpoint\s+-/);
  });

  it('refuses bad endpoint flags before calling the server, and an endpoint with credentials without echoing them', async () => {
    await modelWithVersion('unserved-model');
    const credentials = await warden(
      ['versions', 'set-endpoint', 'unserved-model', '1', '--url', 'http://svc:hunter2@127.0.0.1:9002'],
      tokens.contributor,
    );
    expect(credentials.code).toBe(2);
    expect(credentials.stderr).toContain('url carries credentials');
    expect(credentials.stderr).not.toContain('hunter2');
    expectNoStackTrace(credentials.stderr);
    for (const [args, problem] of [
      [['--url', 'http://127.0.0.1:9002', '--remove'], 'either --url URL (and --protocol) or --remove'],
      [['--remove', '--protocol', 'v1'], '--protocol goes with --url'],
      [
        ['--url', 'http://127.0.0.1:9002', '--protocol', 'grpc'],
        '--protocol must be one of v2, mlflow, v1, not "grpc"',
      ],
    ] as const) {
      const refused = await warden(
        ['versions', 'set-endpoint', 'served-model', '1', ...args],
        tokens.contributor,
      );
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(problem);
    }
    const protocolAlone = await warden(
      ['versions', 'create', 'unserved-model', '--artifact', 's3://m/2', '--protocol', 'v1'],
      tokens.contributor,
    );
    expect(protocolAlone.code).toBe(2);
    expect(protocolAlone.stderr).toContain('give --endpoint URL too');
  });
});
