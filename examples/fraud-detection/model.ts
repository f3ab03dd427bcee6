/**
 * Trains the fraud-detection example's two model versions on `transactions.csv` and writes
 * `model-v1.json` and `model-v2.json` (README: "The models"). Logistic regression with an L2
 * penalty, fitted by Newton's method for a fixed number of steps from zero weights; every sum runs
 * in row order, so the files are the same bytes on every run.
 *
 *   node dist/examples/fraud-detection/model.js [--data DIR] [--out DIR]
 *
 * The split: the first 15,000 rows train, the last 5,000 are the holdout (the generator draws rows
 * independently, so the last rows are as random a holdout as any).
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { aggregatePredictionRows, fitLogisticRegression, performanceReport } from '../../evaluation/index.js';
import { type FraudModel, fraudProbability, type ModelTerm, type Transform, transformed } from './scoring.js';
import { exampleFolder, runScript, scriptOptions } from './script.js';
import {
  merchantCategories,
  type NumericInput,
  numericInputs,
  numericInputsOf,
  parseTransactionsCsv,
  type Transaction,
} from './transactions.js';

export const trainingRows = 15_000;
/** Newton's method has converged to the last bit after about 8 steps on this data. */
const newtonSteps = 12;

interface VersionSpec {
  version: string;
  description: string;
  ridge: number;
  terms: { input: NumericInput; transform: Transform }[];
}

const baseTerms: VersionSpec['terms'] = [
  { input: 'amount', transform: 'log1p' },
  { input: 'hour', transform: 'identity' },
  { input: 'distance_km', transform: 'log1p' },
  { input: 'card_present', transform: 'identity' },
  { input: 'velocity_1h', transform: 'identity' },
  { input: 'account_age_days', transform: 'log1p' },
];

export const versions: VersionSpec[] = [
  {
    version: '1',
    description: 'logistic regression (L2 penalty 1) on the six numeric inputs and the merchant category',
    ridge: 1,
    terms: baseTerms,
  },
  {
    version: '2',
    description: 'version 1 plus a night-time indicator (hour before 06:00), L2 penalty 10',
    ridge: 10,
    terms: [...baseTerms, { input: 'hour', transform: 'night' }],
  },
];

export function trainVersion(
  spec: VersionSpec,
  transactions: readonly Transaction[],
  csv: string,
): FraudModel {
  const training = transactions.slice(0, trainingRows);
  const holdout = transactions.slice(trainingRows);
  const standardisation = spec.terms.map(({ input, transform }) => {
    const column = numericInputs.indexOf(input);
    const values = training.map((t) => transformed(transform, numericInputsOf(t)[column] as number));
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
    return { input, transform, column, mean, scale: Math.sqrt(variance) || 1 };
  });
  const encode = (t: Transaction): number[] => {
    const numeric = numericInputsOf(t);
    return [
      1,
      ...standardisation.map(
        (s) => (transformed(s.transform, numeric[s.column] as number) - s.mean) / s.scale,
      ),
      ...merchantCategories.map((category) => (t.merchantCategory === category ? 1 : 0)),
    ];
  };
  const weights = fitLogisticRegression(
    training.map(encode),
    training.map((t) => t.fraud === 1),
    { ridge: spec.ridge, steps: newtonSteps },
  );
  const terms = standardisation.map(
    ({ input, transform, mean, scale }, i): ModelTerm => ({
      input,
      transform,
      mean,
      scale,
      weight: weights[i + 1] as number,
    }),
  );
  const model: FraudModel = {
    name: 'fraud-detector',
    version: spec.version,
    description: spec.description,
    numericInputs: [...numericInputs],
    categoricalInput: 'merchant_category',
    intercept: weights[0] as number,
    terms,
    categories: Object.fromEntries(
      merchantCategories.map((category, i) => [category, weights[1 + terms.length + i] as number]),
    ),
    training: {
      data: 'transactions.csv',
      dataSha256: createHash('sha256').update(csv).digest('hex'),
      trainingRows: training.length,
      holdoutRows: holdout.length,
      ridge: spec.ridge,
      newtonSteps,
      holdoutRocAuc: Number.NaN,
    },
  };
  const { overall } = aggregatePredictionRows({
    labels: holdout.map((t) => t.fraud === 1),
    scores: holdout.map((t) => fraudProbability(model, numericInputsOf(t), t.merchantCategory)),
  });
  model.training.holdoutRocAuc = performanceReport(overall, { threshold: 0.5 }).rocAuc ?? Number.NaN;
  return model;
}

async function main(): Promise<void> {
  const { data, out } = scriptOptions({
    data: { describe: 'the folder holding transactions.csv', default: exampleFolder },
    out: { describe: 'the folder to write model-v1.json and model-v2.json to', default: exampleFolder },
  });
  const csvPath = join(data, 'transactions.csv');
  const csv = await readFile(csvPath, 'utf8');
  const transactions = parseTransactionsCsv(csv, csvPath);
  if (transactions.length <= trainingRows) {
    throw new Error(`${csvPath} has ${transactions.length} rows; the split needs more than ${trainingRows}`);
  }
  for (const spec of versions) {
    const model = trainVersion(spec, transactions, csv);
    const path = join(out, `model-v${spec.version}.json`);
    await writeFile(path, `${JSON.stringify(model, null, 2)}\n`);
    console.log(`${path}: holdout ROC AUC ${model.training.holdoutRocAuc.toFixed(4)}`);
  }
}

await runScript(main);
