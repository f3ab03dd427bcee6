import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { isDsseEnvelope, openEvidenceEnvelope, packageRoot, sha256Digest } from '../../core/index.js';
import { type CliIo, useColor } from '../cli-io.js';
import { type CanaryOutcome, runCanaryStep } from '../demo/canary.js';
import { type DemoControlPlane, readJsonFile, startDemoControlPlane } from '../demo/control-plane.js';
import { injectCreditDefects } from '../demo/credit-risk-defects.js';
import {
  ageShiftYears,
  driftedHoldout,
  driftedHoldoutRows,
  incomeFactor,
} from '../demo/credit-risk-drift.js';
import { predictionsCsv, trainCreditRiskModels } from '../demo/credit-risk-model.js';
import { startCreditRiskServer } from '../demo/credit-risk-server.js';
import { type GovernanceOutcome, runGovernedPromotion } from '../demo/governed-promotion.js';
import { type MaintenanceOutcome, runPredictiveMaintenanceStep } from '../demo/predictive-maintenance.js';
import { type RuntimeOutcome, runRuntimeStep } from '../demo/runtime.js';
import { checkData } from './check-data.js';
import { checkDrift } from './check-drift.js';
import { checkModel } from './check-model.js';
import { decideGate } from './gate.js';
import { createKeyFiles } from './key.js';

interface DemoFlags {
  workdir: string;
  port: string;
  serve?: boolean;
}

export function registerDemo(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description('run the example credit-risk pipeline through the gates (what `npm start` does)')
    .option('--workdir <dir>', 'where the demo writes its files, evidence and database', '.warden/demo')
    .option('--port <port>', 'port of the embedded control plane (a free one if taken)', '8080')
    .option('--serve', 'keep the control plane running after the demo (default on a terminal)')
    .option('--no-serve', 'stop the control plane when the demo ends (default off a terminal and in CI)')
    .action(async (flags: DemoFlags) => {
      io.exitCode = await runDemo(flags, io);
    });
}

async function runDemo(flags: DemoFlags, io: CliIo): Promise<number> {
  const color = useColor(io.stdout);
  const bold = (text: string) => (color ? `\u001b[1m${text}\u001b[0m` : text);
  const shown = (path: string) => relative(process.cwd(), path) || '.';
  const example = (name: string) => shown(fileURLToPath(new URL(`examples/${name}`, packageRoot)));
  const dataset = example('credit-risk/credit_data.csv');
  const contract = example('credit-risk/contract.yaml');
  const policies = example('policies');
  const monitors = example('credit-risk/monitors.yaml');
  const work = (name: string) => join(flags.workdir, name);
  const central = { policies, labels: 'domain=credit' };
  const signKey = work('credit-pipeline-ci.key');
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    io.usageError(`--port must be 0 to 65535, not "${flags.port}"`);
  const serve = flags.serve ?? (io.stdout.isTTY === true && !process.env['CI']);
  await mkdir(flags.workdir, { recursive: true });

  io.stdout.write(
    `${bold('Warden demo — the credit-risk training pipeline, decided by central policies')}\n`,
  );
  io.stdout.write(
    `  policies: ${policies} (PII, data quality, credit model quality and fairness, production monitoring, signed evidence)\n`,
  );
  for (const file of [signKey, `${signKey}.pub`]) await rm(file, { force: true });
  const keyId = await createKeyFiles(signKey);
  io.stdout.write(
    `  $ warden key create --out ${signKey}   # the pipeline's signing key (key id ${keyId.slice(0, 12)}…); every check below signs its evidence with it\n\n`,
  );
  const dataGate = async (file: string, name: string) => {
    const json = work(`data-check-${name}.json`);
    const decision = work(`decision-data-${name}.json`);
    io.stdout.write(
      `  $ warden check data ${file} --contract ${contract} --null-value NA --json ${json} --sign-key ${signKey} --policies ${policies} --labels domain=credit --decision ${decision}\n\n`,
    );
    return checkData(
      file,
      { contract, nullValue: ['NA'], piiScan: true, json, decision, signKey, ...central },
      io,
    );
  };

  io.stdout.write(`${bold('Step 1/12')}  Data gate on the clean training set\n`);
  const clean = await dataGate(dataset, 'clean');

  const { csv, defects } = injectCreditDefects(await readFile(dataset, 'utf8'));
  const defective = work('credit_data_defective.csv');
  await writeFile(defective, csv);
  io.stdout.write(`\n${bold('Step 2/12')}  Data gate on a copy with injected defects\n`);
  for (const defect of defects) {
    io.stdout.write(`  injected: ${defect.what} (${defect.rows} row${defect.rows === 1 ? '' : 's'})\n`);
  }
  const broken = await dataGate(defective, 'defective');

  const models = trainCreditRiskModels(await readFile(dataset, 'utf8'));
  const versionOf = { fair: '1', biased: '2' } as const;
  const modelGate = async (variant: 'fair' | 'biased') => {
    const model = models[variant];
    const predictions = work(`predictions-${variant}.csv`);
    await writeFile(predictions, predictionsCsv(model.rows));
    const json = work(`model-evaluation-${variant}.json`);
    const decision = work(`decision-model-${variant}.json`);
    const gate = {
      target: 'Status',
      positive: 'bad',
      score: 'score',
      sensitive: 'Age,Marital',
      bins: ['Age=18,25,40,65'],
      minGroupSize: '30',
      model: 'credit-risk',
      version: versionOf[variant],
      json,
      decision,
      signKey,
      ...central,
    };
    io.stdout.write(
      `  model: ${model.description}\n  $ warden check model ${predictions} --target Status --positive bad --score score --sensitive Age,Marital --bins Age=18,25,40,65 --min-group-size 30 --model ${gate.model} --version ${gate.version} --json ${json} --sign-key ${signKey} --policies ${policies} --labels domain=credit --decision ${decision}\n\n`,
    );
    return checkModel(predictions, gate, io);
  };
  io.stdout.write(
    `\n${bold('Step 3/12')}  Model gate on a logistic regression trained on ${models.trainingRows} rows, scored on ${models.holdoutRows} held-out rows\n`,
  );
  io.stdout.write('  The pipeline sets no thresholds of its own: the central credit policies decide.\n');
  const fair = await modelGate('fair');
  io.stdout.write(`\n${bold('Step 4/12')}  Model gate on a biased variant of the same model\n`);
  const biased = await modelGate('biased');

  const promotionDecision = work('decision-promote-production.json');
  const evidence = work('model-evaluation-fair.json');
  io.stdout.write(
    `\n${bold('Step 5/12')}  Promotion of the fair model to production, with its declared monitors and signed evidence\n  $ warden gate promote:production --policies ${policies} --evidence ${evidence} --trusted-key credit-pipeline-ci=${signKey}.pub --labels domain=credit --monitors ${monitors} --json ${promotionDecision}\n\n`,
  );
  const promotion = await decideGate(
    'promote:production',
    {
      evidence: [evidence],
      monitors,
      json: promotionDecision,
      actor: 'local',
      trustedKey: [`credit-pipeline-ci=${signKey}.pub`],
      ...central,
    },
    io,
  );

  const drifted = work('credit_data_drifted.csv');
  await writeFile(drifted, driftedHoldout(await readFile(dataset, 'utf8')));
  const driftJson = work('drift-report.json');
  const driftHtml = work('drift-report.html');
  io.stdout.write(
    `\n${bold('Step 6/12')}  Drift: ${driftedHoldoutRows.toLocaleString('en')} applicants a few years on (ages +${ageShiftYears}, incomes ×${incomeFactor}) against the training data\n  $ warden check drift --reference ${dataset} --current ${drifted} --null-value NA --json ${driftJson} --html ${driftHtml} --sign-key ${signKey}\n\n`,
  );
  const drift = await checkDrift(
    {
      reference: dataset,
      current: drifted,
      nullValue: ['NA'],
      json: driftJson,
      html: driftHtml,
      driftShare: '0.5',
      signKey,
    },
    io,
  );
  const driftReport = (await readEvidenceJson(driftJson)) as {
    columns: Record<string, { drifted: boolean | null }>;
  };
  const driftedColumns = Object.entries(driftReport.columns)
    .filter(([, column]) => column.drifted === true)
    .map(([name]) => name)
    .sort();
  io.stdout.write(`  the HTML report, with a chart per drifted column: ${driftHtml}\n`);

  io.stdout.write(
    `\n${bold('Step 7/12')}  The control plane: register the model, its versions, evidence and lineage\n`,
  );
  const plane = await startDemoControlPlane(flags.workdir, port);
  let governance: GovernanceOutcome;
  let runtime: RuntimeOutcome;
  let canary: CanaryOutcome;
  let maintenance: MaintenanceOutcome;
  try {
    await registerInControlPlane(plane, { work, dataset, versionOf, signKey }, io);
    governance = await runGovernedPromotion(
      plane,
      { policies, monitors, work, versionOf },
      io,
      (step, title) => io.stdout.write(`\n${bold(`Step ${step}/12`)}  ${title}\n`),
    );
    io.stdout.write(
      `\n${bold('Step 10/12')}  The runtime: the production version behind warden gateway, its traffic watched against its training baseline\n`,
    );
    const production = await startCreditRiskServer(models.fair);
    try {
      runtime = await runRuntimeStep(
        plane,
        { dataset, drifted, work, signKey, model: models.fair, version: versionOf.fair, server: production },
        io,
      );
      io.stdout.write(
        `\n${bold('Step 11/12')}  A canary rollout: a new release beside production, judged every second on live traffic, rolled back by itself\n`,
      );
      canary = await runCanaryStep(
        plane,
        {
          dataset,
          work,
          signKey,
          model: models.fair,
          predictions: work('predictions-fair.csv'),
          stable: { version: versionOf.fair, server: production },
        },
        io,
      );
    } finally {
      await production.close();
    }
    io.stdout.write(
      `\n${bold('Step 12/12')}  The pre-production audit: a predictive-maintenance training run captured, re-run by Warden and promoted only once it reproduced\n`,
    );
    maintenance = await runPredictiveMaintenanceStep({ work, policies }, io);
  } catch (error) {
    await plane.server.close();
    throw error;
  }

  const asExpected =
    clean === 0 &&
    broken === 1 &&
    fair === 0 &&
    biased === 1 &&
    promotion === 0 &&
    drift === 0 &&
    driftedColumns.join(',') === 'Age,Income' &&
    governance.asExpected &&
    runtime.asExpected &&
    canary.asExpected &&
    maintenance.asExpected;
  io.stdout.write(
    asExpected
      ? `\n${bold('Demo finished.')} The clean file passed the data gate; the defective copy was stopped by its contract and by the central PII policy, so a pipeline would not train on it. The model passed the credit policies (with a parity warning for the risk committee); the biased variant was denied and tagged biased, because good applicants under 25 are flagged as risky far more often than older ones. The drift check named the columns that moved (Age and Income) and wrote an HTML report. The fair model may go to production because it has a monitor with an owner; on the control plane it got there only after a second person signed off, the biased version was denied, tagged and reported to its owners, and reached staging only under an approved, time-bound waiver; an evaluation edited to look fair, but unsigned, could not carry it to production. Every one of those decisions is in the audit log, which verifies — and an edited copy does not. In production, the model served behind warden gateway, attached to the control plane: traffic like the training data left its inputs undrifted, and applications a few years on drifted Age and Income on /metrics and in signed monitor-status evidence on the version. A new release rolled out beside it as a canary crashed on some applications; the runtime gate failed it on live traffic twice and Warden took it out of traffic by itself, tagged it rolled-back and kept production where it was. Last, a predictive-maintenance model's training run was captured from its commit with its data's digest, re-run in a clean checkout with the same output bytes, and promoted through the pre-production audit, which had denied the bare capture. Evidence and decisions: ${flags.workdir}/*.json\n`
      : `\n${bold('Demo did not behave as expected')}: data gate exits ${clean} and ${broken} (expected 0 and 1), model gate exits ${fair} and ${biased} (expected 0 and 1), promotion exit ${promotion} (expected 0), drift exit ${drift} (expected 0), drifted columns ${driftedColumns.join(', ') || 'none'} (expected Age, Income)${[...governance.problems, ...runtime.problems, ...canary.problems, ...maintenance.problems].map((p) => `; ${p}`).join('')}.\n`,
  );
  io.stdout.write(tryIt(plane, serve));
  if (serve) {
    io.stdout.write(`\nThe control plane keeps running at ${plane.server.url} — press Ctrl-C to stop it.\n`);
    await untilInterrupted();
  }
  await plane.server.close();
  return asExpected ? 0 : 1;
}

interface DemoRun {
  work: (name: string) => string;
  dataset: string;
  versionOf: { fair: string; biased: string };
  signKey: string;
}

/** An evidence file the demo wrote: the document, unwrapped from its signed envelope. */
async function readEvidenceJson(path: string): Promise<Record<string, unknown>> {
  const value = await readJsonFile(path);
  return isDsseEnvelope(value)
    ? (openEvidenceEnvelope(value, path).statement.predicate as Record<string, unknown>)
    : value;
}

/** What a pipeline and a risk committee would do against the API, each with its own token. */
async function registerInControlPlane(plane: DemoControlPlane, run: DemoRun, io: CliIo): Promise<void> {
  const say = (text: string) => io.stdout.write(`  ${text}\n`);
  say(`server ${plane.server.url} (database ${plane.database})`);
  await plane.call('pipeline', 'createModel', {
    body: {
      name: 'credit-risk',
      description: 'Probability that a credit applicant defaults (logistic regression)',
      owner: 'credit-risk-ml',
      team: 'risk',
      labels: { domain: 'credit', riskTier: 'high' },
    },
  });
  say('registered model credit-risk (team risk, domain=credit, riskTier=high) as credit-pipeline');
  const kinds = [
    'data-check',
    'model-evaluation',
    'drift-report',
    'drift-baseline',
    'monitor-status',
  ] as const;
  io.stdout.write(
    `  $ warden key register credit-pipeline-ci --public-key ${run.signKey}.pub --teams risk --kinds ${kinds.join(',')}   # as demo-admin\n`,
  );
  const registered = await plane.call('admin', 'registerSigningKey', {
    body: {
      name: 'credit-pipeline-ci',
      publicKey: await readFile(`${run.signKey}.pub`, 'utf8'),
      teams: ['risk'],
      evidenceKinds: [...kinds],
    },
  });
  say(
    `the server now verifies evidence signed by key ${registered.keyId.slice(0, 12)}… and names it credit-pipeline-ci`,
  );
  const cleanCheckFile = await readJsonFile(run.work('data-check-clean.json'));
  const cleanCheck = await readEvidenceJson(run.work('data-check-clean.json'));
  const trainingSet = (cleanCheck['inputs'] as { uri: string; digest: string }[])[0];
  const lockfile = await readFile(fileURLToPath(new URL('package-lock.json', packageRoot)));
  for (const variant of ['fair', 'biased'] as const) {
    const version = run.versionOf[variant];
    const evaluation = await readJsonFile(run.work(`model-evaluation-${variant}.json`));
    await plane.call('pipeline', 'createVersion', {
      params: { model: 'credit-risk' },
      body: {
        artifact: {
          uri: `file://${run.work(`predictions-${variant}.csv`)}`,
          digest: sha256Digest(await readFile(run.work(`predictions-${variant}.csv`))),
        },
        runId: `demo-train-${variant}`,
        description:
          variant === 'fair'
            ? 'logistic regression, seeded 70/30 split'
            : 'retrained variant that leans on age',
        lineage: {
          datasets:
            trainingSet === undefined
              ? []
              : [{ name: 'credit-train', uri: trainingSet.uri, digest: trainingSet.digest }],
          environment: { lockfiles: { 'package-lock.json': sha256Digest(lockfile) } },
          parameters: { model: 'logistic-regression', split: '70/30', seed: 42, variant },
        },
      },
    });
    const signers = new Set<string>();
    for (const evidence of [cleanCheckFile, evaluation]) {
      const receipt = await plane.call('pipeline', 'submitEvidence', {
        params: { model: 'credit-risk', version },
        body: evidence,
      });
      signers.add(receipt.signer ?? 'nobody');
    }
    say(
      `registered version ${version} (${variant}) with its lineage; submitted its data-check and model-evaluation evidence, signed by ${[...signers].join(', ')}`,
    );
  }
}

function tryIt(plane: DemoControlPlane, serving: boolean): string {
  const url = plane.server.url;
  return [
    '',
    serving
      ? 'Try it (the admin token is in a file only you can read):'
      : `Serve the same database with \`npx warden server --db sqlite:${plane.database} --audit-key ${plane.auditKey} --port ${new URL(url).port}\` (or run npm start in a terminal), then try it (the admin token is in a file only you can read):`,
    `  open ${url}/ and sign in with the auditor's read-only token: cat ${plane.viewerTokenFile}   # the dashboard`,
    `  export WARDEN_SERVER=${url} WARDEN_TOKEN=$(cat ${plane.tokenFile})`,
    '  npx warden models show credit-risk',
    '  npx warden versions list credit-risk',
    '  npx warden evidence list credit-risk 1 --latest',
    '  npx warden lineage credit-risk 1',
    `  curl -s -H "Authorization: Bearer $WARDEN_TOKEN" ${url}/api/v1/models/credit-risk/aliases/production`,
    `  curl -s -H "Authorization: Bearer $WARDEN_TOKEN" ${url}/api/v1/gateway/routes   # what an attached warden gateway serves`,
    `  curl -s ${url}/api/v1/openapi.json | head -c 300`,
    '',
  ].join('\n');
}

function untilInterrupted(): Promise<void> {
  return new Promise((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
}
