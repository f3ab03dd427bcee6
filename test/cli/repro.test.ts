import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyEvidenceId } from '../../src/core/index.js';
import type { ReproducibilityEvidence } from '../../src/repro/index.js';
import { type RunningServer, startServer } from '../../src/server/index.js';
import { issueToken, openStore } from '../../src/store/index.js';
import { expectNoStackTrace, runCli } from './run-cli.js';

/**
 * `warden capture` and `warden check repro` on real git repositories made in temporary
 * directories, with real node scripts as the captured training command.
 */

const gitEnv = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};
const node = process.execPath;

/** A deterministic "training" script: a model whose content depends on the data, the seed and the code. */
const trainScript = `
const fs = require('node:fs');
const crypto = require('node:crypto');
const data = fs.readFileSync('data/train.csv');
fs.mkdirSync('out', { recursive: true });
const model = { weights: crypto.createHash('sha256').update(data).digest('hex'), seed: process.env.SEED ?? null, version: 1 };
fs.writeFileSync('out/model.json', JSON.stringify(model));
console.log('trained on', data.length, 'bytes');
`;

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'warden-repro-test-'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...gitEnv }, encoding: 'utf8' });
}

let repoCount = 0;

/** A git repository with these files, committed; returns its directory. */
async function makeRepo(files: Record<string, string>): Promise<string> {
  const dir = join(work, `repo-${++repoCount}`);
  await mkdir(dir);
  git(dir, 'init', '-q', '-b', 'main');
  // The data is ignored by git, as DVC-tracked data is: a re-run gets it by copy, not from the commit.
  await writeFiles(dir, { '.gitignore': 'out/\ndata/\n', ...files });
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'training code');
  return dir;
}

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

const trainingRepo = (extra: Record<string, string> = {}) =>
  makeRepo({
    'train.js': trainScript,
    'data/train.csv': 'x,y\n1,0\n2,1\n3,1\n',
    'package-lock.json':
      '{"name":"t","lockfileVersion":3,"packages":{"node_modules/lib":{"version":"1.0.0"}}}\n',
    ...extra,
  });

function warden(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return runCli(args, { cwd, env: { WARDEN_SIGNING_KEY: '', WARDEN_IMAGE_DIGEST: '', ...env } });
}

const captureArgs = ['--input', 'data/train.csv', '--output', 'out/model.json', '--seed', 'SEED=42'];

async function capture(repo: string, extra: string[] = [], command = [node, 'train.js']) {
  const run = await warden(repo, [
    'capture',
    ...captureArgs,
    '--evidence',
    'capture.json',
    ...extra,
    '--',
    ...command,
  ]);
  return run;
}

async function readEvidence(path: string): Promise<ReproducibilityEvidence> {
  return JSON.parse(await readFile(path, 'utf8')) as ReproducibilityEvidence;
}

function expectNoWorktreesLeft(repo: string): void {
  expect(git(repo, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
}

describe('warden capture', () => {
  it('records the source, inputs, lockfiles, environment, seeds, parameters and outputs from the machine, with secrets redacted', async () => {
    const repo = await trainingRepo({
      'requirements-dev.txt': 'numpy==1.26.4\n',
      'params.yaml': 'trees: 100\ndepth: 4\n',
      'features/a.csv': 'a\n1\n',
      'features/sub/b.csv': 'b\n2\n',
    });
    git(repo, 'remote', 'add', 'origin', 'https://ci-bot:hunter2-remote-pw@git.example.com/ml/train.git');
    await writeFile(join(repo, 'notes.txt'), 'not committed\n');
    await writeFile(join(repo, 'params.yaml'), 'trees: 200\ndepth: 4\ntracking_password: pw-params-991\n');
    const secret = 'ghp_Zx8Qw2Lk9Rt5Yu1Io3Pa7Sd4Fg6Hj0Kl2Mn';
    const secretInUrl = 'postgres://trainer:pg-pass-8842@db.internal/features';
    const run = await warden(
      repo,
      [
        'capture',
        ...captureArgs,
        '--input',
        'features',
        '--params',
        'params.yaml',
        '--env',
        'MY_API_TOKEN',
        '--env',
        'FEATURE_DB',
        '--env',
        'TRAIN_MODE',
        '--env',
        'NOT_SET_ANYWHERE',
        '--model',
        'churn',
        '--evidence',
        'capture.json',
        '--',
        node,
        'train.js',
      ],
      { MY_API_TOKEN: secret, FEATURE_DB: secretInUrl, TRAIN_MODE: 'full', NOT_SET_ANYWHERE: undefined },
    );
    expect(run.stderr).toContain('--env NOT_SET_ANYWHERE is not set');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('trained on 16 bytes');
    expect(run.stdout).toContain('PASSED');
    const text = await readFile(join(repo, 'capture.json'), 'utf8');
    for (const leaked of [secret, 'pg-pass-8842', 'hunter2-remote-pw', 'ci-bot', 'pw-params-991']) {
      expect(run.stdout).not.toContain(leaked);
      expect(run.stderr).not.toContain(leaked);
      expect(text).not.toContain(leaked);
    }
    const evidence = JSON.parse(text) as ReproducibilityEvidence;
    expect(verifyEvidenceId(evidence)).toBe(true);
    expect(evidence).toMatchObject({
      kind: 'reproducibility',
      subject: { type: 'model-version', name: 'churn', version: 'unversioned' },
      passed: true,
      source: {
        commit: git(repo, 'rev-parse', 'HEAD').trim(),
        branch: 'main',
        remote: 'https://git.example.com/ml/train.git',
        dirty: true,
        // The evidence file and the output are the run's own; the rest is not in the commit.
        changedPaths: ['notes.txt', 'params.yaml'],
      },
      seeds: { SEED: '42' },
      parameters: { file: 'params.yaml', values: { trees: 200, depth: 4, tracking_password: null } },
      environment: {
        image: null,
        node: process.version,
        python: null,
        variables: { MY_API_TOKEN: null, FEATURE_DB: null, TRAIN_MODE: 'full' },
      },
    });
    expect(evidence.run).toMatchObject({ command: [node, 'train.js'], workingDirectory: '.', exitCode: 0 });
    expect(evidence.run.runId).toMatch(/^capture-[0-9a-f]{12}-\d{8}T\d{6}Z$/);
    expect(evidence.lockfiles.map((lockfile) => lockfile.path)).toEqual([
      'package-lock.json',
      'requirements-dev.txt',
    ]);
    const sha = (content: string) => `sha256:${createHash('sha256').update(content).digest('hex')}`;
    expect(evidence.data).toEqual([
      { path: 'data/train.csv', digest: sha('x,y\n1,0\n2,1\n3,1\n'), bytes: 16 },
      {
        path: 'features',
        digest: sha(`${sha('a\n1\n').slice(7)}  a.csv\n${sha('b\n2\n').slice(7)}  sub/b.csv\n`),
        bytes: 8,
        files: 2,
      },
    ]);
    expect(evidence.inputs.map((input) => input.uri)).toEqual(['data/train.csv', 'features']);
    const model = await readFile(join(repo, 'out/model.json'), 'utf8');
    expect(JSON.parse(model).seed).toBe('42');
    expect(evidence.outputs).toEqual([{ path: 'out/model.json', digest: sha(model), bytes: model.length }]);
  });

  it('checks dvc.lock against the data: a match is recorded, a mismatch is refused naming the file and the fix', async () => {
    const data = 'x,y\n1,0\n2,1\n3,1\n';
    const md5 = createHash('md5').update(data).digest('hex');
    const repo = await trainingRepo({
      'dvc.lock': `schema: '2.0'\nstages:\n  train:\n    cmd: node train.js\n    deps:\n    - path: data/train.csv\n      hash: md5\n      md5: ${md5}\n      size: 16\n    outs:\n    - path: out/model.json\n      hash: md5\n      md5: 0123456789abcdef0123456789abcdef\n`,
    });
    const matched = await warden(repo, [
      'capture',
      '--output',
      'out/model.json',
      '--evidence',
      'capture.json',
      '--',
      node,
      'train.js',
    ]);
    expect(matched.stderr).toBe('');
    expect(matched.code).toBe(0);
    const evidence = await readEvidence(join(repo, 'capture.json'));
    expect(evidence.data).toEqual([
      expect.objectContaining({
        path: 'data/train.csv',
        bytes: 16,
        dvc: { file: 'dvc.lock', md5, matches: true },
      }),
    ]);

    await writeFile(join(repo, 'data/train.csv'), `${data}4,0\n`);
    const mismatch = await warden(repo, ['capture', '--output', 'out/model.json', '--', node, 'train.js']);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stdout).not.toContain('trained');
    expect(mismatch.stderr).toContain('dvc.lock (stage train) records md5');
    expect(mismatch.stderr).toContain('data/train.csv');
    expect(mismatch.stderr).toContain('dvc commit');
    expect(mismatch.stderr).toContain('[WARDEN_ERR_REPRO_DVC_MISMATCH]');
    expectNoStackTrace(mismatch.stderr);
  });

  it('checks a directory a .dvc file tracks by its .dir md5, and records it as an input', async () => {
    const repo = await trainingRepo({ 'features/a.csv': 'a\n1\n', 'features/sub/b.csv': 'b\n2\n' });
    // DVC's .dir md5: the md5 of Python's json.dumps(sort_keys=True) of the sorted listing.
    const md5 = (text: string) => createHash('md5').update(text).digest('hex');
    const listing = `[{"md5": "${md5('a\n1\n')}", "relpath": "a.csv"}, {"md5": "${md5('b\n2\n')}", "relpath": "sub/b.csv"}]`;
    const dirMd5 = `${md5(listing)}.dir`;
    await writeFiles(repo, {
      'features.dvc': `outs:\n- md5: ${dirMd5}\n  size: 8\n  nfiles: 2\n  hash: md5\n  path: features\n`,
    });
    const run = await capture(repo);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const evidence = await readEvidence(join(repo, 'capture.json'));
    expect(evidence.data.find((input) => input.path === 'features')).toMatchObject({
      files: 2,
      bytes: 8,
      dvc: { file: 'features.dvc', md5: dirMd5, matches: true },
    });

    await writeFile(join(repo, 'features/sub/c.csv'), 'c\n');
    const added = await capture(repo);
    expect(added.code).toBe(2);
    expect(added.stderr).toContain(`features.dvc records md5 ${dirMd5} for features`);
    expect(added.stderr).toContain('[WARDEN_ERR_REPRO_DVC_MISMATCH]');
  });

  it('refuses a directory that is not a git repository (exit 2)', async () => {
    const dir = join(work, 'not-a-repo');
    await mkdir(dir);
    const run = await warden(dir, ['capture', '--', node, '-e', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${dir} is not inside a git repository`);
    expect(run.stderr).toContain('[WARDEN_ERR_REPRO_NOT_A_REPOSITORY]');
    expectNoStackTrace(run.stderr);
  });

  it('records a failing command as evidence that did not pass (exit 1)', async () => {
    const repo = await trainingRepo({ 'fail.js': "console.error('out of memory'); process.exit(3);\n" });
    const run = await warden(repo, [
      'capture',
      '--input',
      'data/train.csv',
      '--output',
      'out/model.json',
      '--evidence',
      'capture.json',
      '--',
      node,
      'fail.js',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('out of memory');
    expect(run.stdout).toContain('FAILED');
    const evidence = await readEvidence(join(repo, 'capture.json'));
    expect(evidence.passed).toBe(false);
    expect(evidence.run.exitCode).toBe(3);
    expect(evidence.outputs).toEqual([]);
  });

  it('refuses a missing input before running anything, naming the path (exit 2)', async () => {
    const repo = await trainingRepo();
    const run = await warden(repo, ['capture', '--input', 'data/holdout.csv', '--', node, 'train.js']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`--input data/holdout.csv: nothing at ${join(repo, 'data/holdout.csv')}`);
    expect(run.stderr).toContain('[WARDEN_ERR_REPRO_INPUT_MISSING]');
    expectNoStackTrace(run.stderr);
  });

  it.each([
    [['--', 'no-such-trainer'], 'cannot start no-such-trainer', 'WARDEN_ERR_REPRO_COMMAND_NOT_FOUND'],
    [
      ['--output', 'out/elsewhere.json', '--', node, 'train.js'],
      '--output out/elsewhere.json: the command succeeded but never wrote',
      'WARDEN_ERR_REPRO_INPUT_MISSING',
    ],
    [
      ['--params', 'params.yaml', '--', node, 'train.js'],
      'params.yaml: the parameters file is neither JSON nor YAML',
      'WARDEN_ERR_REPRO_INVALID_PARAMS',
    ],
    [
      ['--seed', '42', '--', node, 'train.js'],
      '--seed 42: write NAME=VALUE',
      'WARDEN_ERR_USAGE_INVALID_OPTION',
    ],
    [
      ['--output', '../outside.json', '--', node, 'train.js'],
      'is outside the repository',
      'WARDEN_ERR_USAGE_INVALID_OPTION',
    ],
    [
      ['--image', 'latest', '--', node, 'train.js'],
      '--image "latest" is not an image digest',
      'WARDEN_ERR_USAGE_INVALID_OPTION',
    ],
    [
      ['--', node, 'train.js', '--api-token', 'tok-8842'],
      'argument 4 of the command after -- looks like a secret',
      'WARDEN_ERR_USAGE_INVALID_OPTION',
    ],
  ])('refuses bad input %j with a message naming it (exit 2)', async (args, message, code) => {
    const repo = await trainingRepo({ 'params.yaml': 'trees: [100\n' });
    const run = await warden(repo, ['capture', '--evidence', 'capture.json', ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain(`[${code}]`);
    expect(run.stderr).not.toContain('tok-8842');
    expectNoStackTrace(run.stderr);
  });

  it('records the Python version and packages when the command is Python', async (context) => {
    if (spawnSync('python3', ['--version']).status !== 0) context.skip();
    const repo = await trainingRepo({
      'train.py':
        "import os\nos.makedirs('out', exist_ok=True)\nopen('out/model.json', 'w').write('{\"seed\": %s}' % os.environ['SEED'])\n",
    });
    const run = await capture(repo, [], ['python3', 'train.py']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const evidence = await readEvidence(join(repo, 'capture.json'));
    const version = spawnSync('python3', ['-c', 'import sys; print(sys.version.split()[0])'], {
      encoding: 'utf8',
    }).stdout.trim();
    expect(evidence.environment.python?.version).toBe(version);
    expect(typeof evidence.environment.python?.packages).toBe('object');
    expect(await readFile(join(repo, 'out/model.json'), 'utf8')).toBe('{"seed": 42}');
  });
});

describe('warden check repro', () => {
  it('with --trusted-key re-runs only a capture those signers signed; anything else is refused before its command runs', async () => {
    const repo = await trainingRepo();
    const key = join(work, `pipeline-${repoCount}.key`);
    const other = join(work, `other-${repoCount}.key`);
    for (const file of [key, other])
      expect((await warden(repo, ['key', 'create', '--out', file])).code).toBe(0);
    expect((await capture(repo, ['--sign-key', key])).code).toBe(0);
    const trusted = await warden(repo, [
      'check',
      'repro',
      'capture.json',
      '--trusted-key',
      `pipeline=${key}.pub`,
    ]);
    expect(trusted.code).toBe(0);
    expect(trusted.stderr).toMatch(
      /^re-running \S+node train\.js \(captured at [0-9a-f]{12}, signed by pipeline\)$/m,
    );
    expect(trusted.stderr).toContain('trained on 16 bytes');

    const wrongSigner = await warden(repo, [
      'check',
      'repro',
      'capture.json',
      '--trusted-key',
      `other=${other}.pub`,
    ]);
    expect(wrongSigner.code).toBe(2);
    expect(wrongSigner.stderr).toContain('the capture is signed by none of the --trusted-key signers');
    expect(wrongSigner.stderr).toContain('[WARDEN_ERR_REPRO_UNTRUSTED_CAPTURE]');
    expect(wrongSigner.stderr).not.toContain('trained on');

    expect((await capture(repo)).code).toBe(0);
    const unsigned = await warden(repo, [
      'check',
      'repro',
      'capture.json',
      '--trusted-key',
      `pipeline=${key}.pub`,
    ]);
    expect(unsigned.code).toBe(2);
    expect(unsigned.stderr).toContain('capture.json: the capture is not signed, so its command (');
    expect(unsigned.stderr).not.toContain('trained on');
    expectNoStackTrace(unsigned.stderr);

    const unchecked = await warden(repo, ['check', 'repro', 'capture.json']);
    expect(unchecked.code).toBe(0);
    expect(unchecked.stderr).toContain("the capture's signature is not checked: pass --trusted-key");
  });

  it('re-runs a capture in a clean checkout and finds it reproducible (exit 0), leaving no worktree behind', async () => {
    const repo = await trainingRepo();
    expect((await capture(repo)).code).toBe(0);
    const run = await warden(repo, ['check', 'repro', 'capture.json', '--json', 'verified.json']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('REPRODUCIBLE');
    expect(run.stderr).toContain('trained on 16 bytes');
    const capturedEvidence = await readEvidence(join(repo, 'capture.json'));
    const verified = await readEvidence(join(repo, 'verified.json'));
    expect(verifyEvidenceId(verified)).toBe(true);
    expect(verified.passed).toBe(true);
    expect(verified.verification).toEqual({
      capture: capturedEvidence.id,
      reproducible: true,
      mode: 'digest',
      runs: 1,
      differences: [],
    });
    expect(verified.source).toEqual(capturedEvidence.source);
    expect(verified.outputs).toEqual(capturedEvidence.outputs);
    expectNoWorktreesLeft(repo);
  });

  it('re-runs in the recorded working directory, whatever directory check repro starts in', async () => {
    const repo = await trainingRepo({
      'pipeline/train.js': trainScript.replace("'data/train.csv'", "'../data/train.csv'"),
    });
    const pipeline = join(repo, 'pipeline');
    const run = await warden(pipeline, [
      'capture',
      '--input',
      '../data',
      '--output',
      'out/model.json',
      '--evidence',
      '../capture.json',
      '--',
      node,
      'train.js',
    ]);
    expect(run.stderr).toBe('');
    const captured = await readEvidence(join(repo, 'capture.json'));
    expect(captured.run.workingDirectory).toBe('pipeline');
    expect(captured.data).toEqual([expect.objectContaining({ path: 'data', files: 1 })]);
    expect(captured.outputs).toEqual([expect.objectContaining({ path: 'pipeline/out/model.json' })]);
    const verified = await warden(repo, ['check', 'repro', 'capture.json']);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('REPRODUCIBLE');
  });

  it('names environment-changed when the installed Python packages differ and nothing else does', async (context) => {
    if (spawnSync('python3', ['--version']).status !== 0) context.skip();
    const site = async (version: string) => {
      const dir = join(work, `site-${version}-${repoCount}`);
      await writeFiles(dir, {
        [`fakelib-${version}.dist-info/METADATA`]: `Metadata-Version: 2.1\nName: fakelib\nVersion: ${version}\n`,
      });
      return dir;
    };
    const repo = await trainingRepo({
      'train.py': [
        'import importlib.metadata, os',
        "os.makedirs('out', exist_ok=True)",
        "open('out/model.json', 'w').write('{\"fakelib\": \"%s\"}' % importlib.metadata.version('fakelib'))",
        '',
      ].join('\n'),
    });
    const before = await site('1.0');
    const after = await site('2.0');
    const captured = await warden(
      repo,
      ['capture', '--output', 'out/model.json', '--evidence', 'capture.json', '--', 'python3', 'train.py'],
      { PYTHONPATH: before },
    );
    expect(captured.code).toBe(0);
    expect((await readEvidence(join(repo, 'capture.json'))).environment.python?.packages['fakelib']).toBe(
      '1.0',
    );
    const run = await warden(repo, ['check', 'repro', 'capture.json', '--json', 'verified.json'], {
      PYTHONPATH: after,
    });
    expect(run.code).toBe(1);
    const { verification } = await readEvidence(join(repo, 'verified.json'));
    expect(verification?.differences).toEqual([
      expect.objectContaining({ cause: 'environment-changed', path: 'out/model.json' }),
    ]);
    expect(verification?.differences[0]?.detail).toContain('fakelib 1.0 → 2.0');
  });

  it('reads a signed capture, and a gate reads the verification as evidence.reproducibility', async () => {
    const repo = await trainingRepo();
    const key = join(work, `signing-${repoCount}.key`);
    expect((await warden(repo, ['key', 'create', '--out', key])).code).toBe(0);
    expect((await capture(repo, ['--sign-key', key])).code).toBe(0);
    expect(JSON.parse(await readFile(join(repo, 'capture.json'), 'utf8'))).toHaveProperty('payloadType');
    expect((await warden(repo, ['check', 'repro', 'capture.json', '--json', 'verified.json'])).code).toBe(0);
    await writeFiles(repo, {
      'policies/reproducible.yaml': `apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: reproducible-training
spec:
  requiredEvidence: [reproducibility]
  validations:
    - name: verified-by-check-repro
      expression: has(evidence.reproducibility.verification) && evidence.reproducibility.verification.reproducible
      message: the training run was not verified by warden check repro
    - name: clean-tree
      expression: "!evidence.reproducibility.source.dirty"
      message: the training run was captured from a dirty tree
---
apiVersion: warden.dev/v1
kind: PolicyBinding
metadata:
  name: production-is-reproducible
spec:
  policyName: reproducible-training
  gates: ["promote:production"]
  action: deny
`,
    });
    const gate = (evidence: string) =>
      warden(repo, ['gate', 'promote:production', '--policies', 'policies', '--evidence', evidence]);
    const verifiedGate = await gate('verified.json');
    expect(verifiedGate.code).toBe(0);
    const capturedGate = await gate('capture.json');
    expect(capturedGate.code).toBe(1);
    expect(capturedGate.stdout).toContain('the training run was not verified by warden check repro');
  });

  it('names input-changed when one byte of an input changed since the capture', async () => {
    const repo = await trainingRepo();
    expect((await capture(repo)).code).toBe(0);
    await writeFile(join(repo, 'data/train.csv'), 'x,y\n1,0\n2,1\n3,0\n');
    const run = await warden(repo, ['check', 'repro', 'capture.json', '--json', 'verified.json']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('NOT REPRODUCIBLE');
    const { verification } = await readEvidence(join(repo, 'verified.json'));
    expect(verification?.differences.map((d) => [d.cause, d.path])).toEqual([
      ['input-changed', 'data/train.csv'],
      ['input-changed', 'out/model.json'],
    ]);
    expect(verification?.differences[1]?.detail).toContain(
      'the inputs changed since the capture: data/train.csv',
    );
    expectNoWorktreesLeft(repo);
  });

  it('names lockfile-changed when a lockfile was bumped since the capture', async () => {
    const repo = await trainingRepo();
    expect((await capture(repo)).code).toBe(0);
    await writeFile(
      join(repo, 'package-lock.json'),
      '{"name":"t","lockfileVersion":3,"packages":{"node_modules/lib":{"version":"1.1.0"}}}\n',
    );
    git(repo, 'commit', '-q', '-am', 'bump lib');
    const run = await warden(repo, ['check', 'repro', 'capture.json', '--json', 'verified.json']);
    expect(run.code).toBe(1);
    const { verification } = await readEvidence(join(repo, 'verified.json'));
    expect(verification?.differences).toEqual([
      expect.objectContaining({ cause: 'lockfile-changed', path: 'package-lock.json' }),
    ]);
  });

  it('names non-determinism when two re-runs of a script without a fixed seed differ', async () => {
    const repo = await trainingRepo({
      'random.js':
        "require('node:fs').mkdirSync('out', { recursive: true });\nrequire('node:fs').writeFileSync('out/model.json', String(Math.random()));\n",
    });
    expect((await capture(repo, [], [node, 'random.js'])).code).toBe(0);
    const run = await warden(repo, ['check', 'repro', 'capture.json', '--json', 'verified.json']);
    expect(run.code).toBe(1);
    const { verification } = await readEvidence(join(repo, 'verified.json'));
    expect(verification?.runs).toBe(2);
    expect(verification?.differences).toEqual([
      expect.objectContaining({ cause: 'non-determinism', path: 'out/model.json' }),
    ]);
    expectNoWorktreesLeft(repo);
  });

  it('compares predictions within --tolerance: tiny noise is reproducible, larger noise is not', async () => {
    const predict = (scale: string) =>
      `const fs = require('node:fs');\nfs.mkdirSync('out', { recursive: true });\nconst rows = ['id,label,score'];\nfor (let i = 0; i < 50; i++) rows.push(\`\${i},\${i % 2},\${(i / 50 + Math.random() * ${scale}).toPrecision(17)}\`);\nfs.writeFileSync('out/predictions.csv', rows.join('\\n') + '\\n');\n`;
    const repo = await trainingRepo({ 'tiny.js': predict('1e-12'), 'large.js': predict('1e-3') });
    const captureWith = (script: string) =>
      warden(repo, [
        'capture',
        '--output',
        'out/predictions.csv',
        '--evidence',
        `${script}.json`,
        '--',
        node,
        script,
      ]);
    expect((await captureWith('tiny.js')).code).toBe(0);
    const tiny = await warden(repo, [
      'check',
      'repro',
      'tiny.js.json',
      '--compare',
      'predictions=out/predictions.csv',
      '--json',
      'tiny-verified.json',
    ]);
    expect(tiny.code).toBe(0);
    expect((await readEvidence(join(repo, 'tiny-verified.json'))).verification).toMatchObject({
      reproducible: true,
      mode: 'predictions',
      tolerance: 1e-9,
    });

    expect((await captureWith('large.js')).code).toBe(0);
    const large = await warden(repo, [
      'check',
      'repro',
      'large.js.json',
      '--compare',
      'predictions=out/predictions.csv',
      '--tolerance',
      '1e-9',
      '--json',
      'large-verified.json',
    ]);
    expect(large.code).toBe(1);
    const { verification } = await readEvidence(join(repo, 'large-verified.json'));
    expect(verification?.differences[0]).toMatchObject({
      cause: 'non-determinism',
      path: 'out/predictions.csv',
    });
    expect(verification?.differences[0]?.detail).toMatch(
      /max abs diff \S+ \(row \d+, column score\) > tolerance 1e-9/,
    );

    const notAnOutput = await warden(repo, [
      'check',
      'repro',
      'large.js.json',
      '--compare',
      'predictions=data/train.csv',
    ]);
    expect(notAnOutput.code).toBe(2);
    expect(notAnOutput.stderr).toContain('[WARDEN_ERR_REPRO_INVALID_COMPARE]');
  });

  it('exits 2 naming the commit when the recorded commit is not in the repository', async () => {
    const repo = await trainingRepo();
    const clone = join(work, `clone-${repoCount}`);
    git(work, 'clone', '-q', '--no-local', repo, clone);
    await writeFile(join(repo, 'train.js'), `${trainScript}// tuned\n`);
    git(repo, 'commit', '-q', '-am', 'tune');
    expect((await capture(repo)).code).toBe(0);
    const commit = git(repo, 'rev-parse', 'HEAD').trim();
    await writeFiles(clone, { 'capture.json': await readFile(join(repo, 'capture.json'), 'utf8') });
    const run = await warden(clone, ['check', 'repro', 'capture.json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `the recorded commit ${commit} (captured on branch main) is not in the repository at ${clone}`,
    );
    expect(run.stderr).toContain(`git fetch origin ${commit}`);
    expect(run.stderr).toContain('[WARDEN_ERR_REPRO_COMMIT_MISSING]');
    expectNoStackTrace(run.stderr);
  });

  it('names dirty-tree when the capture ran code that was not committed', async () => {
    const repo = await trainingRepo();
    await writeFile(join(repo, 'train.js'), trainScript.replace('version: 1', 'version: 2'));
    expect((await capture(repo)).code).toBe(0);
    const captured = await readEvidence(join(repo, 'capture.json'));
    expect(captured.source).toMatchObject({ dirty: true, changedPaths: ['train.js'] });
    const run = await warden(repo, ['check', 'repro', 'capture.json', '--json', 'verified.json']);
    expect(run.code).toBe(1);
    const { verification } = await readEvidence(join(repo, 'verified.json'));
    expect(verification?.runs).toBe(2);
    expect(verification?.differences).toEqual([
      expect.objectContaining({ cause: 'dirty-tree', path: 'out/model.json' }),
    ]);
    expect(verification?.differences[0]?.detail).toContain('dirty tree (train.js)');
  });

  it('refuses evidence that is not a capture (exit 2)', async () => {
    const repo = await trainingRepo();
    expect((await capture(repo)).code).toBe(0);
    expect((await warden(repo, ['check', 'repro', 'capture.json', '--json', 'verified.json'])).code).toBe(0);
    const run = await warden(repo, ['check', 'repro', 'verified.json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is the result of check repro');
    expect(run.stderr).toContain('[WARDEN_ERR_EVIDENCE_INVALID]');
  });
});

describe('capture and check repro with a Warden server', () => {
  let keys: string;
  let server: RunningServer;
  let token: string;

  beforeAll(async () => {
    keys = await mkdtemp(join(tmpdir(), 'warden-repro-keys-'));
    const store = await openStore(`sqlite:${join(work, 'warden.db')}`);
    token = (
      await issueToken(
        store.db,
        { name: 'pipeline', role: 'contributor', teams: null, expiresAt: null },
        'test',
      )
    ).secret;
    server = await startServer({
      store,
      host: '127.0.0.1',
      port: 0,
      logLevel: false,
      auditKeyPath: join(keys, 'audit-signing.key'),
    });
  });

  afterAll(async () => {
    await server?.close();
    if (keys) await rm(keys, { recursive: true, force: true });
  });

  it('submits capture and re-run evidence to the version, and derives the version lineage from the capture', async () => {
    const repo = await trainingRepo({ 'params.json': '{"trees": 100}' });
    const env = { WARDEN_SERVER: server.url, WARDEN_TOKEN: token };
    const reproEvidence = async (version: string) => {
      const list = await warden(
        repo,
        ['evidence', 'list', 'churn', version, '--kind', 'reproducibility', '--json'],
        env,
      );
      return JSON.parse(list.stdout).evidence as { id: string }[];
    };
    expect((await warden(repo, ['models', 'create', 'churn'], env)).code).toBe(0);

    // Captured before the version exists: unversioned, then the version's lineage is derived from it.
    const capturedRun = await warden(
      repo,
      [
        'capture',
        ...captureArgs,
        '--params',
        'params.json',
        '--model',
        'churn',
        '--evidence',
        'capture.json',
        '--',
        node,
        'train.js',
      ],
      env,
    );
    expect(capturedRun.code).toBe(0);
    const created = await warden(
      repo,
      ['versions', 'create', 'churn', '--artifact', 'out/model.json', '--lineage', 'capture.json'],
      env,
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const captured = await readEvidence(join(repo, 'capture.json'));
    const lineage = await warden(repo, ['lineage', 'churn@1', '--json'], env);
    expect(JSON.parse(lineage.stdout)).toMatchObject({
      recorded: true,
      runId: captured.run.runId,
      sourceCommit: captured.source.commit,
      parameters: { trees: 100 },
      environment: { lockfiles: { 'package-lock.json': captured.lockfiles[0]?.digest } },
    });
    expect(lineage.stdout).toContain(captured.data[0]?.digest);

    // The re-run's evidence is about the version registered since.
    const verified = await warden(
      repo,
      ['check', 'repro', 'capture.json', '--version', '1', '--submit'],
      env,
    );
    expect(verified.code).toBe(0);
    expect(verified.stderr).toMatch(
      /submitted evidence sha256:[0-9a-f]{64} \(reproducibility, unsigned\) to churn version 1: new/,
    );
    expect(await reproEvidence('1')).toHaveLength(1);

    // A capture submitted to a version that has lineage keeps that lineage.
    const again = await warden(
      repo,
      [
        'capture',
        ...captureArgs,
        '--model',
        'churn',
        '--version',
        '1',
        '--evidence',
        'capture.json',
        '--submit',
        '--',
        node,
        'train.js',
      ],
      env,
    );
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('churn version 1 already has its lineage (recorded once); kept it');
    expect(await reproEvidence('1')).toHaveLength(2);

    // A version registered without lineage gets it from the submitted capture.
    expect(
      (await warden(repo, ['versions', 'create', 'churn', '--artifact', 'out/model.json'], env)).code,
    ).toBe(0);
    const second = await warden(
      repo,
      [
        'capture',
        ...captureArgs,
        '--model',
        'churn',
        '--version',
        '2',
        '--evidence',
        'capture-2.json',
        '--submit',
        '--',
        node,
        'train.js',
      ],
      env,
    );
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('recorded the lineage of churn version 2 from this capture');
    const walk = await warden(repo, ['lineage', 'churn@2', '--json'], env);
    expect(JSON.parse(walk.stdout)).toMatchObject({ recorded: true, sourceCommit: captured.source.commit });
  });
});
