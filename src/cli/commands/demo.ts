import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { packageRoot } from '../../core/index.js';
import { type CliIo, useColor } from '../cli-io.js';
import { injectCreditDefects } from '../demo/credit-risk-defects.js';
import { predictionsCsv, trainCreditRiskModels } from '../demo/credit-risk-model.js';
import { checkData } from './check-data.js';
import { checkModel } from './check-model.js';
import { decideGate } from './gate.js';

interface DemoFlags {
  workdir: string;
}

export function registerDemo(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description('run the example credit-risk pipeline through the gates (what `npm start` does)')
    .option('--workdir <dir>', 'where the demo writes its files and evidence', '.warden/demo')
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
  await mkdir(flags.workdir, { recursive: true });

  io.stdout.write(
    `${bold('Warden demo — the credit-risk training pipeline, decided by central policies')}\n`,
  );
  io.stdout.write(
    `  policies: ${policies} (PII, data quality, credit model quality and fairness, production monitoring)\n\n`,
  );
  const dataGate = async (file: string, name: string) => {
    const json = work(`data-check-${name}.json`);
    const decision = work(`decision-data-${name}.json`);
    io.stdout.write(
      `  $ warden check data ${file} --contract ${contract} --null-value NA --json ${json} --policies ${policies} --labels domain=credit --decision ${decision}\n\n`,
    );
    return checkData(file, { contract, nullValue: ['NA'], piiScan: true, json, decision, ...central }, io);
  };

  io.stdout.write(`${bold('Step 1/5')}  Data gate on the clean training set\n`);
  const clean = await dataGate(dataset, 'clean');

  const { csv, defects } = injectCreditDefects(await readFile(dataset, 'utf8'));
  const defective = work('credit_data_defective.csv');
  await writeFile(defective, csv);
  io.stdout.write(`\n${bold('Step 2/5')}  Data gate on a copy with injected defects\n`);
  for (const defect of defects) {
    io.stdout.write(`  injected: ${defect.what} (${defect.rows} row${defect.rows === 1 ? '' : 's'})\n`);
  }
  const broken = await dataGate(defective, 'defective');

  const models = trainCreditRiskModels(await readFile(dataset, 'utf8'));
  const modelGate = async (variant: 'fair' | 'biased') => {
    const model = models[variant];
    const predictions = work(`predictions-${variant}.csv`);
    await writeFile(predictions, predictionsCsv(model.rows));
    const json = work(`model-evaluation-${variant}.json`);
    const decision = work(`decision-model-${variant}.json`);
    const gate = {
      label: 'Status',
      positive: 'bad',
      score: 'score',
      sensitive: 'Age,Marital',
      bins: ['Age=18,25,40,65'],
      minGroupSize: '30',
      model: `credit-risk-${variant}`,
      version: '1',
      json,
      decision,
      ...central,
    };
    io.stdout.write(
      `  model: ${model.description}\n  $ warden check model ${predictions} --label Status --positive bad --score score --sensitive Age,Marital --bins Age=18,25,40,65 --min-group-size 30 --model ${gate.model} --version 1 --json ${json} --policies ${policies} --labels domain=credit --decision ${decision}\n\n`,
    );
    return checkModel(predictions, gate, io);
  };
  io.stdout.write(
    `\n${bold('Step 3/5')}  Model gate on a logistic regression trained on ${models.trainingRows} rows, scored on ${models.holdoutRows} held-out rows\n`,
  );
  io.stdout.write('  The pipeline sets no thresholds of its own: the central credit policies decide.\n');
  const fair = await modelGate('fair');
  io.stdout.write(`\n${bold('Step 4/5')}  Model gate on a biased variant of the same model\n`);
  const biased = await modelGate('biased');

  const promotionDecision = work('decision-promote-production.json');
  const evidence = work('model-evaluation-fair.json');
  io.stdout.write(
    `\n${bold('Step 5/5')}  Promotion of the fair model to production, with its declared monitors\n  $ warden gate promote:production --policies ${policies} --evidence ${evidence} --labels domain=credit --monitors ${monitors} --json ${promotionDecision}\n\n`,
  );
  const promotion = await decideGate(
    'promote:production',
    { evidence: [evidence], monitors, json: promotionDecision, actor: 'local', ...central },
    io,
  );

  const asExpected = clean === 0 && broken === 1 && fair === 0 && biased === 1 && promotion === 0;
  io.stdout.write(
    asExpected
      ? `\n${bold('Demo finished.')} The clean file passed the data gate; the defective copy was stopped by its contract and by the central PII policy, so a pipeline would not train on it. The model passed the credit policies (with a parity warning for the risk committee); the biased variant was denied and tagged biased, because good applicants under 25 are flagged as risky far more often than older ones. The fair model may go to production because it has a monitor with an owner. Evidence and decisions: ${flags.workdir}/*.json\n`
      : `\n${bold('Demo did not behave as expected')}: data gate exits ${clean} and ${broken} (expected 0 and 1), model gate exits ${fair} and ${biased} (expected 0 and 1), promotion exit ${promotion} (expected 0).\n`,
  );
  return asExpected ? 0 : 1;
}
