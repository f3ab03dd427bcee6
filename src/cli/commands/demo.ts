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
  const example = fileURLToPath(new URL('examples/credit-risk/', packageRoot));
  const shown = (path: string) => relative(process.cwd(), path) || '.';
  const dataset = shown(join(example, 'credit_data.csv'));
  const contract = shown(join(example, 'contract.yaml'));
  await mkdir(flags.workdir, { recursive: true });

  io.stdout.write(`${bold('Warden demo — the credit-risk training pipeline')}\n\n`);
  const dataGate = async (file: string, evidence: string) => {
    const json = join(flags.workdir, evidence);
    io.stdout.write(
      `  $ warden check data ${file} --contract ${contract} --null-value NA --json ${json}\n\n`,
    );
    return checkData(file, { contract, nullValue: ['NA'], piiScan: true, json }, io);
  };

  io.stdout.write(`${bold('Step 1/4')}  Data gate on the clean training set\n`);
  const clean = await dataGate(dataset, 'data-check-clean.json');

  const { csv, defects } = injectCreditDefects(await readFile(dataset, 'utf8'));
  const defective = join(flags.workdir, 'credit_data_defective.csv');
  await writeFile(defective, csv);
  io.stdout.write(`\n${bold('Step 2/4')}  Data gate on a copy with injected defects\n`);
  for (const defect of defects) {
    io.stdout.write(`  injected: ${defect.what} (${defect.rows} row${defect.rows === 1 ? '' : 's'})\n`);
  }
  const broken = await dataGate(defective, 'data-check-defective.json');

  const models = trainCreditRiskModels(await readFile(dataset, 'utf8'));
  const modelGate = async (variant: 'fair' | 'biased') => {
    const model = models[variant];
    const predictions = join(flags.workdir, `predictions-${variant}.csv`);
    await writeFile(predictions, predictionsCsv(model.rows));
    const json = join(flags.workdir, `model-evaluation-${variant}.json`);
    const gate = {
      label: 'Status',
      positive: 'bad',
      score: 'score',
      sensitive: 'Age,Marital',
      bins: ['Age=18,25,40,65'],
      minGroupSize: '30',
      minAuc: '0.75',
      maxDifference: ['equalizedOdds=0.2'],
      model: `credit-risk-${variant}`,
      version: '1',
      json,
    };
    io.stdout.write(
      `  model: ${model.description}\n  $ warden check model ${predictions} --label Status --positive bad --score score --sensitive Age,Marital --bins Age=18,25,40,65 --min-group-size 30 --min-auc 0.75 --max-difference equalizedOdds=0.2 --model ${gate.model} --version 1 --json ${json}\n\n`,
    );
    return checkModel(predictions, gate, io);
  };
  io.stdout.write(
    `\n${bold('Step 3/4')}  Model gate on a logistic regression trained on ${models.trainingRows} rows, scored on ${models.holdoutRows} held-out rows\n`,
  );
  const fair = await modelGate('fair');
  io.stdout.write(`\n${bold('Step 4/4')}  Model gate on a biased variant of the same model\n`);
  const biased = await modelGate('biased');

  const asExpected = clean === 0 && broken === 1 && fair === 0 && biased === 1;
  io.stdout.write(
    asExpected
      ? `\n${bold('Demo finished.')} The clean file passed the data gate and the defective copy was stopped, so a pipeline would not train on it. The model passed the model gate; the biased variant was stopped because good applicants under 25 are flagged as risky far more often than older ones (equalized odds). Evidence: ${flags.workdir}/*.json\n`
      : `\n${bold('Demo did not behave as expected')}: data gate exits ${clean} and ${broken} (expected 0 and 1), model gate exits ${fair} and ${biased} (expected 0 and 1).\n`,
  );
  return asExpected ? 0 : 1;
}
