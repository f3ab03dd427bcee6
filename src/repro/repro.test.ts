import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dvcMd5 } from './dvc.js';
import { recordVariables } from './environment.js';
import { withoutCredentials } from './git.js';
import { comparePredictions } from './predictions.js';
import { looksSecret, secretArgument, withoutSecrets } from './secrets.js';

describe('withoutCredentials', () => {
  it.each([
    ['https://user:ghp_token@github.com/acme/churn.git', 'https://github.com/acme/churn.git'],
    [
      'https://oauth2:glpat-x@gitlab.example.com/ml/x.git?private_token=abc#frag',
      'https://gitlab.example.com/ml/x.git',
    ],
    ['ssh://git:pw@host:2222/repo.git', 'ssh://host:2222/repo.git'],
    ['git@github.com:acme/churn.git', 'git@github.com:acme/churn.git'],
    ['user:secret@host:repo.git', 'host:repo.git'],
    ['/srv/git/churn.git', '/srv/git/churn.git'],
  ])('%s → %s', (url, expected) => {
    expect(withoutCredentials(url)).toBe(expected);
  });
});

describe('looksSecret', () => {
  it.each([
    ['GITHUB_TOKEN', 'x'],
    ['AWS_SECRET_ACCESS_KEY', 'x'],
    ['db_password', 'x'],
    ['SESSION_ID', 'x'],
    ['HF_AUTH', 'x'],
    ['CONFIG', 'ghp_0123456789abcdefghijklmnopqrstuvwxyz'],
    ['DATABASE_URL', 'postgres://app:hunter2@db:5432/app'],
    ['SERVICE', '-----BEGIN PRIVATE KEY-----\nMC4CAQ'],
    ['OPAQUE', 'q8Zr2Lm5Nx7Vb1Kc4Hd6Jf9Gs3Pt0WyE'],
  ])('%s=%s is secret', (name, value) => {
    expect(looksSecret(name, value)).toBe(true);
  });

  it.each([
    ['TRAIN_MODE', 'full'],
    ['PATH', '/usr/local/bin:/usr/bin:/bin'],
    ['DATA_URL', 'https://data.example.com/ai4i.csv'],
    ['N_JOBS', '4'],
    ['OMP_NUM_THREADS', '12345678901234567890123456'],
  ])('%s=%s is recorded', (name, value) => {
    expect(looksSecret(name, value)).toBe(false);
  });

  it('records secret-looking variables by name only and reports unset ones', () => {
    expect(
      recordVariables(['B_TOKEN', 'A_MODE', 'MISSING', 'A_MODE'], { B_TOKEN: 't', A_MODE: 'fast' }),
    ).toEqual({
      variables: { A_MODE: 'fast', B_TOKEN: null },
      unset: ['MISSING'],
    });
  });
});

describe('secretArgument', () => {
  it.each([
    [['python3', 'train.py', '--api-token', 'abc'], 3],
    [['python3', 'train.py', '--password=hunter2'], 2],
    [['env', 'HF_TOKEN=abc', 'python3', 'train.py'], 1],
    [['python3', 'train.py', '--data', 'https://u:pw@data.example.com/x.csv'], 3],
    [['python3', 'train.py', 'ghp_0123456789abcdefghijklmnopqrstuvwxyz'], 2],
  ])('%j: argument %i', (command, index) => {
    expect(secretArgument(command)).toBe(index);
  });

  it.each([
    [['python3', 'train.py', '--seed', '42', '--data', 'data/train.csv']],
    [['python3', 'train.py', '--commit', '0123456789abcdef0123456789abcdef01234567']],
    [['node', 'train.js', '--key-file', 'keys/signing.pem', 'TOKEN_PATH=/run/secrets/t']],
    [['node', 'train.js', 'https://data.example.com/x.csv']],
  ])('%j: none', (command) => {
    expect(secretArgument(command)).toBeUndefined();
  });
});

describe('withoutSecrets', () => {
  it('replaces secret-named scalars and secret values in parameters, however deep', () => {
    expect(
      withoutSecrets({
        trees: 100,
        tracking: { uri: 'https://mlflow:pw-1@mlflow.example.com', api_key: 'k-1', key_file: 'keys/k.pem' },
        sources: ['data/a.csv', 'ghp_0123456789abcdefghijklmnopqrstuvwxyz'],
        session: { timeout: 30 },
      }),
    ).toEqual({
      trees: 100,
      tracking: { uri: null, api_key: null, key_file: 'keys/k.pem' },
      sources: ['data/a.csv', null],
      session: { timeout: 30 },
    });
  });
});

describe('comparePredictions', () => {
  const header = 'id,label,score\n';
  it('is equal within the tolerance and reports the largest difference', () => {
    const result = comparePredictions(
      `${header}1,a,0.5\n2,b,0.25\n`,
      `${header}1,a,0.5000000001\n2,b,0.25\n`,
      1e-9,
    );
    expect(result.withinTolerance).toBe(true);
    expect(result.maxAbsDiff).toBeCloseTo(1e-10, 15);
    expect(result.detail).toContain('row 1, column score');
  });

  it('fails beyond the tolerance, on a changed label, on other columns or rows', () => {
    expect(comparePredictions(`${header}1,a,0.5\n`, `${header}1,a,0.51\n`, 1e-9).withinTolerance).toBe(false);
    expect(comparePredictions(`${header}1,a,0.5\n`, `${header}1,b,0.5\n`, 1).detail).toBe(
      'row 1, column label: "a" → "b"',
    );
    expect(comparePredictions(`${header}1,a,0.5\n`, 'id,score\n1,0.5\n', 1).detail).toContain(
      'the columns differ',
    );
    expect(comparePredictions(`${header}1,a,0.5\n`, `${header}1,a,0.5\n2,a,0.5\n`, 1).detail).toBe(
      '1 rows → 2 rows',
    );
  });

  it('reads CRLF files like LF ones', () => {
    expect(comparePredictions(`${header}1,a,0.5\n`, 'id,label,score\r\n1,a,0.5\r\n', 0).withinTolerance).toBe(
      true,
    );
  });
});

describe('dvcMd5', () => {
  it('hashes a file by its bytes, and a legacy record of a text file with CRLF as LF', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'warden-dvc-'));
    try {
      await writeFile(join(dir, 'a.csv'), 'x\r\n1\r\n');
      expect(await dvcMd5(join(dir, 'a.csv'), false)).toBe(await md5Of('x\r\n1\r\n'));
      expect(await dvcMd5(join(dir, 'a.csv'), true)).toBe(await md5Of('x\n1\n'));
      expect(await dvcMd5(join(dir, 'missing.csv'), false)).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("hashes a directory as DVC does: the md5 of Python's json.dumps(sort_keys=True) of its listing, + .dir", async (context) => {
    const python = spawnSync('python3', ['--version']);
    if (python.status !== 0) context.skip();
    const dir = await mkdtemp(join(tmpdir(), 'warden-dvc-'));
    try {
      await mkdir(join(dir, 'data/sub'), { recursive: true });
      await writeFile(join(dir, 'data/b.csv'), 'b\n');
      await writeFile(join(dir, 'data/a "quoted".csv'), 'a\n');
      await writeFile(join(dir, 'data/sub/c.csv'), 'c\n');
      const script = [
        'import hashlib, json, os, sys',
        'root = sys.argv[1]',
        'entries = []',
        'for base, _, files in os.walk(root):',
        '    for name in files:',
        '        path = os.path.join(base, name)',
        "        entries.append({'md5': hashlib.md5(open(path, 'rb').read()).hexdigest(), 'relpath': os.path.relpath(path, root).replace(os.sep, '/')})",
        "entries.sort(key=lambda e: e['relpath'])",
        "print(hashlib.md5(json.dumps(entries, sort_keys=True).encode()).hexdigest() + '.dir')",
      ].join('\n');
      const expected = spawnSync('python3', ['-c', script, join(dir, 'data')], {
        encoding: 'utf8',
      }).stdout.trim();
      expect(expected).toMatch(/^[0-9a-f]{32}\.dir$/);
      expect(await dvcMd5(join(dir, 'data'), false)).toBe(expected);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

async function md5Of(text: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('md5').update(text).digest('hex');
}
