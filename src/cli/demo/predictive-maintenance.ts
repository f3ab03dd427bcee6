import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { packageRoot, sha256Digest } from '../../core/index.js';
import type { CliIo } from '../cli-io.js';
import { checkData } from '../commands/check-data.js';
import { checkModel } from '../commands/check-model.js';
import { decideGate } from '../commands/gate.js';
import { createKeyFiles } from '../commands/key.js';

const run = promisify(execFile);
const model = 'predictive-maintenance';
const signer = 'maintenance-pipeline-ci';
const labels = 'domain=maintenance,audit=pre-production';
const owner = 'maintenance-ml';

export interface MaintenanceRun {
  work: (name: string) => string;
  policies: string;
}

export interface MaintenanceOutcome {
  asExpected: boolean;
  problems: string[];
}

/**
 * The predictive-maintenance audit in short, without Python: the TypeScript trainer committed in a
 * git repository of its own under the demo's workdir, its run captured with `warden capture`, its
 * data and model checked, the run repeated by `warden check repro`, and the production promotion
 * decided by the pre-production audit policies, first on the bare capture (denied), then on the
 * verified re-run (allowed).
 */
export async function runPredictiveMaintenanceStep(
  demo: MaintenanceRun,
  io: CliIo,
): Promise<MaintenanceOutcome> {
  const say = (text: string) => io.stdout.write(`  ${text}\n`);
  const shown = (path: string) => relative(process.cwd(), path) || '.';
  const example = (name: string) =>
    fileURLToPath(new URL(`examples/predictive-maintenance/${name}`, packageRoot));
  const repo = resolve(demo.work('predictive-maintenance'));
  const evidence = (name: string) => resolve(demo.work(`maintenance-${name}.json`));
  const signKey = resolve(demo.work(`${signer}.key`));
  const problems: string[] = [];
  const expectExit = (what: string, code: number, expected: number) => {
    if (code !== expected) problems.push(`${what} exit ${code} (expected ${expected})`);
  };

  await createTrainingRepository(repo, example);
  for (const file of [signKey, `${signKey}.pub`]) await rm(file, { force: true });
  await createKeyFiles(signKey);
  say(
    `a git repository with the AI4I 2020 data (10,000 machine readings, CC BY 4.0), its dvc.lock and a TypeScript trainer: ${shown(repo)}`,
  );

  const capture = evidence('capture');
  const captureArgs = [
    'capture',
    '--input',
    'ai4i2020.csv',
    '--output',
    'model.json',
    '--output',
    'predictions.csv',
    '--seed',
    'SEED=42',
    '--model',
    model,
    '--version',
    '1',
    '--json',
    capture,
    '--sign-key',
    signKey,
    '--',
    'node',
    'train.mjs',
  ];
  io.stdout.write(`  $ cd ${shown(repo)} && warden ${captureArgs.map(shownArg).join(' ')}\n\n`);
  expectExit('capture', await runWarden(captureArgs, repo, io), 0);

  const dataCheck = evidence('data-check');
  io.stdout.write(
    `\n  $ warden check data ai4i2020.csv --contract ${shown(example('contract.yaml'))} --json ${shown(dataCheck)} --sign-key ${shown(signKey)}\n\n`,
  );
  expectExit(
    'data check',
    await checkData(
      join(repo, 'ai4i2020.csv'),
      { contract: example('contract.yaml'), piiScan: true, json: dataCheck, signKey },
      io,
    ),
    0,
  );

  const evaluation = evidence('model-evaluation');
  io.stdout.write(
    `\n  $ warden check model predictions.csv --target actual --score score --prediction prediction --model ${model} --version 1 --json ${shown(evaluation)} --sign-key ${shown(signKey)} --policies ${demo.policies} --labels ${labels} --decision ${shown(evidence('decision-model'))}   # failure recall is the key metric\n\n`,
  );
  expectExit(
    'model check',
    await checkModel(
      join(repo, 'predictions.csv'),
      {
        target: 'actual',
        score: 'score',
        prediction: 'prediction',
        model,
        version: '1',
        json: evaluation,
        signKey,
        policies: demo.policies,
        labels,
        decision: evidence('decision-model'),
      },
      io,
    ),
    0,
  );

  const verified = evidence('repro');
  const reproArgs = [
    'check',
    'repro',
    capture,
    '--json',
    verified,
    '--sign-key',
    signKey,
    '--trusted-key',
    `${signer}=${signKey}.pub`,
  ];
  io.stdout.write(`\n  $ warden ${reproArgs.map(shownArg).join(' ')}\n\n`);
  expectExit('check repro', await runWarden(reproArgs, repo, io), 0);

  const artifactDigest = sha256Digest(await readFile(join(repo, 'model.json')));
  const gate = (reproducibility: string, out: CliIo) =>
    decideGate(
      'promote:production',
      {
        policies: demo.policies,
        evidence: [dataCheck, evaluation, reproducibility],
        labels,
        owner,
        artifactDigest,
        monitors: example('monitors.yaml'),
        trustedKey: [`${signer}=${signKey}.pub`],
        json: evidence(`decision-production-${reproducibility === capture ? 'capture' : 'verified'}`),
        actor: 'local',
      },
      out,
    );
  const unverified = await gate(capture, silent(io));
  const bare = JSON.parse(await readFile(evidence('decision-production-capture'), 'utf8')) as {
    allowed: boolean;
    results: { policy: string; validation: string; outcome: string }[];
  };
  const failed = bare.results.filter((r) => r.outcome === 'fail').map((r) => `${r.policy}/${r.validation}`);
  io.stdout.write(
    `\n  with the capture alone, the production audit denies: ${failed.join(', ') || 'nothing failed'} (a record of a run is not proof that it repeats)\n`,
  );
  if (unverified !== 1 || !failed.includes('reproducible-training/verified-by-rerun')) {
    problems.push('the bare capture was not denied by reproducible-training/verified-by-rerun');
  }
  io.stdout.write(
    `\n  $ warden gate promote:production --policies ${demo.policies} --evidence ${[dataCheck, evaluation, verified].map(shown).join(' ')} --labels ${labels} --owner ${owner} --artifact-digest ${artifactDigest} --monitors ${shown(example('monitors.yaml'))} --trusted-key ${signer}=${shown(signKey)}.pub\n\n`,
  );
  expectExit('the audited promotion', await gate(verified, io), 0);
  io.stdout.write(
    `\n  The same audit with scikit-learn (a random forest in train.py, a local server, a changed byte named by check repro): ${shown(example('walkthrough.sh'))} (needs python3-sklearn)\n`,
  );
  return { asExpected: problems.length === 0, problems };
}

/** A fresh git repository holding the data, its dvc.lock and the trainer, committed. */
async function createTrainingRepository(repo: string, example: (name: string) => string): Promise<void> {
  await rm(repo, { recursive: true, force: true });
  await mkdir(repo, { recursive: true });
  for (const file of ['ai4i2020.csv', 'DATA-LICENSE.md', 'dvc.lock']) {
    await copyFile(example(file), join(repo, file));
  }
  const trainer = new URL('./predictive-maintenance-model.js', import.meta.url).href;
  await writeFile(
    join(repo, 'train.mjs'),
    `// Trains the predictive-maintenance model of \`warden demo\`: a logistic regression fitted by
// Warden's deterministic trainer, seeded by SEED (warden capture --seed SEED=42 sets it).
import { readFileSync, writeFileSync } from 'node:fs';
import { maintenancePredictionsCsv, trainMaintenanceModel } from '${trainer}';

const seed = Number(process.env.SEED ?? '42');
const trained = trainMaintenanceModel(readFileSync('ai4i2020.csv', 'utf8'), seed);
writeFileSync('model.json', \`\${JSON.stringify(trained.model, null, 2)}\\n\`);
writeFileSync('predictions.csv', maintenancePredictionsCsv(trained.holdout));
console.log(
  \`trained a logistic regression on \${trained.trainingRows} rows (seed \${seed}); holdout of \${trained.holdout.length}: \` +
    \`ROC AUC \${trained.rocAuc?.toFixed(4)}, failure recall \${trained.recall?.toFixed(4)}\`,
);
`,
  );
  await writeFile(join(repo, '.gitignore'), 'model.json\npredictions.csv\n');
  const git = (...args: string[]) =>
    run('git', args, {
      cwd: repo,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: owner,
        GIT_AUTHOR_EMAIL: `${owner}@example.com`,
        GIT_COMMITTER_NAME: owner,
        GIT_COMMITTER_EMAIL: `${owner}@example.com`,
      },
    });
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'predictive-maintenance: data and trainer');
}

/** Runs the `warden` bin in `cwd` (capture and check repro read the repository they run in). */
function runWarden(args: string[], cwd: string, io: CliIo): Promise<number> {
  const bin = fileURLToPath(new URL('bin/warden.js', packageRoot));
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => io.stdout.write(chunk));
    child.stderr.on('data', (chunk) => io.stderr.write(chunk));
    child.on('error', fail);
    child.on('close', (code) => done(code ?? 1));
  });
}

function shownArg(arg: string): string {
  const path = isAbsolute(arg) ? relative(process.cwd(), arg) : arg;
  return /[\s"'$]/.test(path) ? `'${path}'` : path;
}

/** Where a decision nobody needs to read in full is printed: nowhere. */
function silent(io: CliIo): CliIo {
  const sink = new PassThrough().resume() as unknown as NodeJS.WriteStream;
  return { ...io, stdout: sink, stderr: sink };
}
