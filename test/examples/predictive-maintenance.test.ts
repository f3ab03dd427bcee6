import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoStackTrace, repoRoot, runCli, testConfigHome } from '../cli/run-cli.js';

const example = join(repoRoot, 'examples/predictive-maintenance');
const dataset = join(example, 'ai4i2020.csv');
const contract = join(example, 'contract.yaml');

/** The first Python with scikit-learn: the PATH's python3 (maybe a pyenv) or Debian's. */
const sklearnPython = ['/usr/bin/python3', 'python3'].find(
  (python) => spawnSync(python, ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0,
);
const noSklearn =
  'skipped: no python3 here can import sklearn (install Debian python3-sklearn, as .ci/run does)';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'warden-maintenance-'));
});

interface Walkthrough {
  code: number;
  stdout: string;
  stderr: string;
}

function runWalkthrough(dir: string, python: string): Promise<Walkthrough> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(example, 'walkthrough.sh'), dir], {
      cwd: repoRoot,
      env: {
        ...process.env,
        NO_COLOR: '1',
        GITHUB_STEP_SUMMARY: '',
        XDG_CONFIG_HOME: testConfigHome(),
        WARDEN_AUDIT_KEY: '',
        WARDEN_WEBHOOK_KEY: '',
        WARDEN_SERVER: '',
        WARDEN_TOKEN: '',
        PYTHON: python,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function readDocument(path: string): Promise<Record<string, unknown>> {
  const value = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  return typeof value['payload'] === 'string'
    ? (JSON.parse(Buffer.from(value['payload'], 'base64').toString('utf8')).predicate as Record<
        string,
        unknown
      >)
    : value;
}

describe('the predictive-maintenance data contract', () => {
  it('passes the shipped data set', async () => {
    const run = await runCli(['check', 'data', dataset, '--contract', contract]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/PASSED {2}50 checks: 50 passed, 0 failed/);
  });

  it('fails a copy with an unknown Type, a repeated UDI, a negative torque and a process colder than the air', async () => {
    const lines = (await readFile(dataset, 'utf8')).split('\n');
    lines[1] = '1,M14860,X,298.1,308.6,1551,42.8,0,0,0,0,0,0,0';
    lines[2] = '1,L47181,L,298.2,308.7,1408,-46.3,3,0,0,0,0,0,0';
    lines[3] = '3,L47182,L,298.1,290.5,1498,49.4,5,0,0,0,0,0,0';
    const broken = join(work, 'broken.csv');
    await writeFile(broken, lines.join('\n'));
    const run = await runCli(['check', 'data', broken, '--contract', contract]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ FAIL {2}ai4i2020\.Type\.invalidValues .* e\.g\. "X"/);
    expect(run.stdout).toMatch(/✗ FAIL {2}ai4i2020\.UDI\.unique/);
    expect(run.stdout).toMatch(/✗ FAIL {2}ai4i2020\.Torque \[Nm\]\.minimum/);
    expect(run.stdout).toMatch(/✗ FAIL {2}ai4i2020\.Process temperature \[K\]\.minimum/);
    expect(run.stdout).toMatch(/✗ FAIL {2}process-hotter-than-air/);
    expectNoStackTrace(run.stderr);
  });
});

describe('the walkthrough script', () => {
  it('refuses (exit 2) a Python without scikit-learn, naming it and the fix, before it writes anything', async () => {
    const dir = join(work, 'no-sklearn');
    const run = await runWalkthrough(dir, '/bin/false');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /\/bin\/false cannot import sklearn; install Debian's python3-sklearn or set PYTHON/,
    );
    expect(run.stdout).toBe('');
  });
});

describe.skipIf(sklearnPython === undefined)(
  `the scikit-learn walkthrough${sklearnPython ? '' : ` (${noSklearn})`}`,
  () => {
    const python = sklearnPython as string;

    it('trains the same bytes twice, and refuses a missing data file with its path', async () => {
      const train = (dir: string) =>
        spawnSync(
          python,
          [
            join(example, 'train.py'),
            '--data',
            dataset,
            '--model',
            join(dir, 'model.pkl'),
            '--predictions',
            join(dir, 'predictions.csv'),
            '--seed',
            '42',
          ],
          { encoding: 'utf8' },
        );
      const first = train(await mkdtemp(join(work, 'train-')));
      const dirTwo = await mkdtemp(join(work, 'train-'));
      const second = train(dirTwo);
      expect(first.status, first.stderr).toBe(0);
      expect(second.stdout).toBe(first.stdout);
      expect(first.stdout).toMatch(/holdout of 2500: ROC AUC 0\.9\d+, failure recall 0\.\d+/);
      const header = (await readFile(join(dirTwo, 'predictions.csv'), 'utf8')).split('\n')[0];
      expect(header).toBe('id,actual,score,prediction,Type');
      const missing = spawnSync(python, [join(example, 'train.py'), '--data', join(work, 'nope.csv')], {
        encoding: 'utf8',
        cwd: work,
      });
      expect(missing.status).toBe(1);
      expect(missing.stderr).toMatch(/cannot read the data .*nope\.csv: No such file or directory/);
    });

    it('captures, checks, re-runs (reproducible), promotes through the audit, and names a changed byte', {
      timeout: 120_000,
    }, async () => {
      const dir = join(work, 'walkthrough');
      const run = await runWalkthrough(dir, python);
      expect(run.code, `${run.stdout.slice(-4000)}\n${run.stderr}`).toBe(0);
      expectNoStackTrace(run.stderr);

      const capture = await readDocument(join(dir, 'evidence/capture.json'));
      expect(capture).toMatchObject({ kind: 'reproducibility', passed: true, seeds: { SEED: '42' } });
      const source = capture['source'] as { dirty: boolean; commit: string };
      expect(source.dirty).toBe(false);
      const data = capture['data'] as { path: string; digest: string; dvc?: { matches: boolean } }[];
      expect(data.map((d) => d.path)).toEqual(['ai4i2020.csv']);
      expect(data[0]?.dvc?.matches).toBe(true);
      const dataCheck = await readDocument(join(dir, 'evidence/data-check.json'));
      expect((dataCheck['inputs'] as { digest: string }[])[0]?.digest).toBe(data[0]?.digest);

      const verified = await readDocument(join(dir, 'evidence/repro.json'));
      expect(verified['verification']).toMatchObject({ reproducible: true, differences: [] });
      expect(run.stdout).toMatch(/reproducible/i);

      expect(run.stdout).toMatch(/predictive-maintenance version 1 is now production/);
      expect(run.stdout).toMatch(/✓ PASS {2}unbroken-lineage\/data-checked /);
      expect(run.stdout).toMatch(/✓ PASS {2}reproducible-training\/verified-by-rerun /);

      const changed = await readDocument(join(dir, 'evidence/repro-changed.json'));
      const differences = changed['verification'] as {
        reproducible: boolean;
        differences: { cause: string; path?: string }[];
      };
      expect(differences.reproducible).toBe(false);
      expect(differences.differences).toContainEqual(
        expect.objectContaining({ cause: 'input-changed', path: 'ai4i2020.csv' }),
      );
      expect(run.stdout.split('== 7.')[1]).toMatch(/input-changed.*ai4i2020\.csv/);
    });
  },
);
