/**
 * The TypeScript trainer of the predictive-maintenance example, so that `npm start` shows the
 * example without Python: the inputs of `examples/predictive-maintenance/train.py` (the five
 * process readings, the product Type one-hot; never the failure-mode columns, which leak the
 * label), a seeded stratified holdout split, a logistic regression, and the same outputs: a model
 * file and a holdout predictions CSV (`id,actual,score,prediction,Type`). A linear model cannot
 * find the data set's failure mechanisms in the raw readings (a forest can), so it also gets the
 * three quantities its author defines them by: power (torque × angular speed), the process's
 * temperature gap over the air, and strain (tool wear × torque), all standardised.
 *
 * Deterministic: the split comes from mulberry32, the fit is a fixed number of Newton steps with
 * every sum in row order, and numbers are written in shortest round-trip form, so the same data and
 * seed give the same bytes on every run; that is what `warden check repro` verifies.
 */
import { mulberry32 } from '../../core/index.js';
import {
  aggregatePredictionRows,
  fitLogisticRegression,
  logisticProbability,
  performanceReport,
} from '../../evaluation/index.js';
import { parseCsv } from './credit-risk-model.js';

export const maintenanceReadings = [
  'Air temperature [K]',
  'Process temperature [K]',
  'Rotational speed [rpm]',
  'Torque [Nm]',
  'Tool wear [min]',
] as const;
export const productTypes = ['L', 'M', 'H'] as const;
const target = 'Machine failure';
const inputNames = [...maintenanceReadings, 'power [W]', 'temperature gap [K]', 'strain [min Nm]'];
const holdoutFraction = 0.25;
const ridge = 1;
const newtonSteps = 12;
/**
 * Failures are rare (3.4 %) and a missed one costs a breakdown, so the model flags a machine from
 * this probability on; the logistic regression's scores are calibrated to the base rate, hence
 * lower than the forest's threshold in train.py.
 */
export const maintenanceDecisionThreshold = 0.05;

/** One scored holdout product, as written to the predictions CSV. */
export interface MaintenancePrediction {
  /** The row's UDI. */
  id: number;
  actual: 0 | 1;
  /** Probability of a machine failure. */
  score: number;
  prediction: 0 | 1;
  type: string;
}

/** What the trainer writes as its model file. */
export interface MaintenanceModel {
  model: 'logistic-regression';
  features: string[];
  means: number[];
  scales: number[];
  weights: number[];
  threshold: number;
  seed: number;
}

export interface MaintenanceTraining {
  model: MaintenanceModel;
  trainingRows: number;
  holdout: MaintenancePrediction[];
  rocAuc: number | null;
  recall: number | null;
}

interface Reading {
  id: number;
  values: number[];
  type: string;
  failed: boolean;
}

/**
 * Trains on a seeded stratified split of an `ai4i2020.csv`-shaped text and scores the holdout.
 *
 * @example
 * const { model, holdout } = trainMaintenanceModel(await readFile('ai4i2020.csv', 'utf8'), 42);
 * await writeFile('predictions.csv', maintenancePredictionsCsv(holdout));
 */
export function trainMaintenanceModel(csvText: string, seed: number): MaintenanceTraining {
  const readings = parseReadings(csvText);
  const inHoldout = stratifiedHoldout(readings, seed);
  const training = readings.filter((_, i) => !inHoldout[i]);
  const holdoutRows = readings.filter((_, i) => inHoldout[i]);
  const columns = inputNames.map((_, j) => training.map((row) => row.values[j] as number));
  const means = columns.map((values) => values.reduce((sum, v) => sum + v, 0) / values.length);
  const scales = columns.map((values, j) => {
    const mean = means[j] as number;
    return Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length) || 1;
  });
  const encode = (row: Reading) => [
    1,
    ...row.values.map((v, j) => (v - (means[j] as number)) / (scales[j] as number)),
    ...productTypes.map((type) => (row.type === type ? 1 : 0)),
  ];
  const weights = fitLogisticRegression(
    training.map(encode),
    training.map((row) => row.failed),
    {
      ridge,
      steps: newtonSteps,
    },
  );
  const holdout = holdoutRows
    .map((row): MaintenancePrediction => {
      const score = logisticProbability(encode(row), weights);
      return {
        id: row.id,
        actual: row.failed ? 1 : 0,
        score,
        prediction: score >= maintenanceDecisionThreshold ? 1 : 0,
        type: row.type,
      };
    })
    .sort((a, b) => a.id - b.id);
  const { overall } = aggregatePredictionRows({
    labels: holdout.map((row) => row.actual === 1),
    scores: holdout.map((row) => row.score),
    predictions: holdout.map((row) => row.prediction === 1),
  });
  const performance = performanceReport(overall, { threshold: maintenanceDecisionThreshold });
  return {
    model: {
      model: 'logistic-regression',
      features: [...inputNames, ...productTypes.map((type) => `Type=${type}`)],
      means,
      scales,
      weights,
      threshold: maintenanceDecisionThreshold,
      seed,
    },
    trainingRows: training.length,
    holdout,
    rocAuc: performance.rocAuc ?? null,
    recall: performance.recall,
  };
}

/** The predictions CSV train.py writes too: `id,actual,score,prediction,Type`, in UDI order. */
export function maintenancePredictionsCsv(rows: readonly MaintenancePrediction[]): string {
  const lines = rows.map((row) =>
    [row.id, row.actual, String(row.score), row.prediction, row.type].join(','),
  );
  return `${['id,actual,score,prediction,Type', ...lines].join('\n')}\n`;
}

function parseReadings(csvText: string): Reading[] {
  const [header, ...records] = parseCsv(csvText);
  const names = (header ?? []).map((field) => field.value);
  const at = (name: string) => {
    const index = names.indexOf(name);
    if (index < 0)
      throw new Error(`the data has no column "${name}"; it must have the columns of ai4i2020.csv`);
    return index;
  };
  const readingAt = maintenanceReadings.map(at);
  const [udi, type, failure] = [at('UDI'), at('Type'), at(target)];
  return records.map((record, index) => {
    const number = (column: number) => {
      const value = Number(record[column]?.value);
      if (!Number.isFinite(value)) {
        throw new Error(`data row ${index + 1}: ${names[column]} "${record[column]?.value}" is not a number`);
      }
      return value;
    };
    const [air, process, speed, torque, wear] = readingAt.map(number) as [
      number,
      number,
      number,
      number,
      number,
    ];
    return {
      id: number(udi),
      values: [
        air,
        process,
        speed,
        torque,
        wear,
        (torque * speed * 2 * Math.PI) / 60,
        process - air,
        wear * torque,
      ],
      type: record[type]?.value ?? '',
      failed: number(failure) === 1,
    };
  });
}

/**
 * true for the holdout rows: a seeded Fisher–Yates shuffle of the failures and of the others, each
 * split at the holdout fraction, so both keep the data's failure rate.
 */
function stratifiedHoldout(readings: readonly Reading[], seed: number): boolean[] {
  const random = mulberry32(seed);
  const mask = new Array<boolean>(readings.length).fill(false);
  for (const failed of [true, false]) {
    const order = readings.flatMap((row, i) => (row.failed === failed ? [i] : []));
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    for (const index of order.slice(0, Math.round(order.length * holdoutFraction))) mask[index] = true;
  }
  return mask;
}
