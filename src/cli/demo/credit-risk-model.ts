import { mulberry32 } from '../../core/index.js';
/**
 * The model step of the credit-risk example: a logistic regression trained in plain TypeScript on a
 * seeded split of `credit_data.csv`, scoring the holdout rows that the model gate then judges.
 *
 * Everything is deterministic: the split comes from a seeded PRNG, the fit is Newton's method for a
 * fixed number of steps, and every sum runs in row order, so the written predictions are the same
 * bytes on every run and machine (the committed `examples/credit-risk/predictions*.csv` are checked
 * against a fresh run in the tests).
 */
import {
  aggregatePredictionRows,
  fitLogisticRegression,
  logisticProbability,
  performanceReport,
} from '../../evaluation/index.js';

/** A model variant of the example. */
export type CreditRiskVariant = 'fair' | 'biased';

/** One scored holdout applicant, as written to the predictions CSV. */
export interface HoldoutPrediction {
  /** The applicant's data row in `credit_data.csv`, 1-based (the header is row 0). */
  id: number;
  status: 'good' | 'bad';
  /** Probability of `bad` (the positive class). */
  score: number;
  age: number | null;
  marital: string | null;
}

export interface ModelPredictions {
  variant: CreditRiskVariant;
  /** What the model is, in one sentence. */
  description: string;
  /** The model's input columns, as named in `credit_data.csv`. */
  features: string[];
  /** Holdout rows in file order. */
  rows: HoldoutPrediction[];
  /** ROC AUC of `score` against `status === 'bad'` on the holdout rows. */
  holdoutRocAuc: number;
  /** The model itself: the probability of `bad` for one application (values as in the CSV, null missing). */
  score(application: CreditApplication): number;
}

/** One applicant's row of `credit_data.csv` without its Status: column name → value (null when missing). */
export type CreditApplication = ReadonlyMap<string, string | null>;

/** The applications of a `credit_data.csv`-shaped text, in file order, Status left out. */
export function creditApplications(csvText: string): CreditApplication[] {
  return parseCreditData(csvText).map(
    (row) => new Map([...row.values].filter(([name]) => name !== 'Status')),
  );
}

export interface CreditRiskModels {
  seed: number;
  trainingRows: number;
  holdoutRows: number;
  fair: ModelPredictions;
  biased: ModelPredictions;
}

/** The seed of the train/holdout split. */
export const creditRiskSeed = 20_250_101;
const holdoutFraction = 0.3;
/** The L2 penalty on the weights (not on the intercept). */
const ridge = 1;
/** Newton's method has converged to the last bit after about 8 steps on this data. */
const newtonSteps = 10;

const numericColumns = ['Seniority', 'Time', 'Expenses', 'Income', 'Assets', 'Debt', 'Amount', 'Price'];
const categoricalColumns = ['Home', 'Records', 'Job'];

/** The age below which the biased variant's rule applies. */
export const youngApplicantAge = 25;
/** How much the biased variant's rule multiplies a young applicant's odds of default. */
export const youngApplicantOddsFactor = 2;

interface VariantSpec {
  description: string;
  numeric: readonly string[];
  categorical: readonly string[];
  /** Added to the fitted model's log-odds of `bad` (a hand-written rule on top of the model). */
  logOddsRule?: (row: CreditRow) => number;
}

const variants: Record<CreditRiskVariant, VariantSpec> = {
  fair: {
    description: 'logistic regression on the application data, without Age or Marital',
    numeric: numericColumns,
    categorical: categoricalColumns,
  },
  biased: {
    description: `the same model plus one hand-written rule: the odds of default are multiplied by ${youngApplicantOddsFactor} for every applicant under ${youngApplicantAge}`,
    numeric: numericColumns,
    categorical: categoricalColumns,
    logOddsRule: (row) => {
      const age = numberOf(row, 'Age');
      return age !== null && age < youngApplicantAge ? Math.log(youngApplicantOddsFactor) : 0;
    },
  },
};

/**
 * Trains both variants of the example model on the seeded training split of `credit_data.csv` and
 * scores the holdout split.
 *
 * @example
 * const { fair, biased } = trainCreditRiskModels(await readFile('examples/credit-risk/credit_data.csv', 'utf8'));
 * await writeFile('predictions.csv', predictionsCsv(fair.rows));
 */
export function trainCreditRiskModels(csvText: string): CreditRiskModels {
  const rows = parseCreditData(csvText);
  const holdout = holdoutMask(rows.length, holdoutFraction, creditRiskSeed);
  const training = rows.filter((_, i) => !holdout[i]);
  const test = rows.filter((_, i) => holdout[i]);
  const train = (variant: CreditRiskVariant) => trainVariant(variant, variants[variant], training, test);
  return {
    seed: creditRiskSeed,
    trainingRows: training.length,
    holdoutRows: test.length,
    fair: train('fair'),
    biased: train('biased'),
  };
}

/**
 * The predictions CSV: `id,Status,score,Age,Marital`, one row per holdout applicant, `NA` for a
 * missing value, scores in shortest round-trip form.
 */
export function predictionsCsv(rows: readonly HoldoutPrediction[]): string {
  const lines = rows.map((row) =>
    [row.id, row.status, String(row.score), row.age ?? 'NA', row.marital ?? 'NA'].join(','),
  );
  return `${['id,Status,score,Age,Marital', ...lines].join('\n')}\n`;
}

/** A data row of `credit_data.csv`: column name → raw value, null for `NA`. */
interface CreditRow {
  id: number;
  values: ReadonlyMap<string, string | null>;
}

function parseCreditData(csvText: string): CreditRow[] {
  const [header, ...records] = parseCsv(csvText);
  if (header === undefined) throw new Error('credit_data.csv is empty');
  return records.map((record, index) => {
    if (record.length !== header.length) {
      throw new Error(
        `credit_data.csv row ${index + 1} has ${record.length} fields for ${header.length} columns`,
      );
    }
    return {
      id: index + 1,
      values: new Map(header.map((name, i) => [name.value, missingAsNull(record[i])])),
    };
  });
}

interface CsvField {
  value: string;
  quoted: boolean;
}

/** An unquoted `NA` is missing (R's `write.csv`); a quoted "NA" would be the text NA. */
function missingAsNull(field: CsvField | undefined): string | null {
  if (field === undefined || (!field.quoted && (field.value === 'NA' || field.value === ''))) return null;
  return field.value;
}

/** RFC 4180 records: `"` quotes a field, `""` inside quotes is one `"`, LF or CRLF ends a record. */
export function parseCsv(text: string): CsvField[][] {
  const records: CsvField[][] = [];
  let record: CsvField[] = [];
  let field: CsvField = { value: '', quoted: false };
  let inQuotes = false;
  const endField = () => {
    record.push(field);
    field = { value: '', quoted: false };
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (inQuotes) {
      if (char !== '"') field.value += char;
      else if (text[i + 1] === '"') {
        field.value += '"';
        i++;
      } else inQuotes = false;
    } else if (char === '"') {
      inQuotes = true;
      field.quoted = true;
    } else if (char === ',') endField();
    else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      endField();
      records.push(record);
      record = [];
    } else field.value += char;
  }
  if (inQuotes) throw new Error('CSV text ends inside a quoted field');
  if (field.value !== '' || field.quoted || record.length > 0) {
    endField();
    records.push(record);
  }
  return records;
}

/** true for the rows of the holdout: the first `fraction` of a seeded Fisher–Yates shuffle. */
function holdoutMask(length: number, fraction: number, seed: number): boolean[] {
  const random = mulberry32(seed);
  const order = Array.from({ length }, (_, i) => i);
  for (let i = length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const mask = new Array<boolean>(length).fill(false);
  for (const index of order.slice(0, Math.round(length * fraction))) mask[index] = true;
  return mask;
}

/** Turns a row into a feature vector (intercept first); fitted on the training rows only. */
type FeatureEncoder = (row: CreditRow) => number[];

function numberOf(row: CreditRow, column: string): number | null {
  const raw = row.values.get(column) ?? null;
  if (raw === null) return null;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`row ${row.id}: ${column} "${raw}" is not a number`);
  return value;
}

function levelOf(row: CreditRow, column: string): string {
  return row.values.get(column) ?? 'NA';
}

/**
 * Numeric columns standardised with the training mean and standard deviation, a missing value set
 * to the mean (0) with a 0/1 missing indicator when the training rows have any; categorical
 * columns one-hot over the training levels (`NA` is a level; an unseen level is all zeros).
 */
function fitEncoder(spec: VariantSpec, training: readonly CreditRow[]): FeatureEncoder {
  const parts: FeatureEncoder[] = [() => [1]];
  for (const column of spec.numeric) {
    const present = training.map((row) => numberOf(row, column)).filter((value) => value !== null);
    const mean = present.reduce((sum, value) => sum + value, 0) / present.length;
    const variance = present.reduce((sum, value) => sum + (value - mean) ** 2, 0) / present.length;
    const scale = Math.sqrt(variance) || 1;
    const hasMissing = present.length < training.length;
    parts.push((row) => {
      const value = numberOf(row, column);
      const standardised = value === null ? 0 : (value - mean) / scale;
      return hasMissing ? [standardised, value === null ? 1 : 0] : [standardised];
    });
  }
  for (const column of spec.categorical) {
    const levels = [...new Set(training.map((row) => levelOf(row, column)))].sort();
    parts.push((row) => {
      const level = levelOf(row, column);
      return levels.map((candidate) => (candidate === level ? 1 : 0));
    });
  }
  return (row) => parts.flatMap((part) => part(row));
}

function trainVariant(
  variant: CreditRiskVariant,
  spec: VariantSpec,
  training: readonly CreditRow[],
  holdout: readonly CreditRow[],
): ModelPredictions {
  const encode = fitEncoder(spec, training);
  const isBad = (row: CreditRow) => statusOf(row) === 'bad';
  const weights = fitLogisticRegression(training.map(encode), training.map(isBad), {
    ridge,
    steps: newtonSteps,
  });
  const rows = holdout.map(
    (row): HoldoutPrediction => ({
      id: row.id,
      status: statusOf(row),
      score: logisticProbability(encode(row), weights, spec.logOddsRule?.(row) ?? 0),
      age: numberOf(row, 'Age'),
      marital: row.values.get('Marital') ?? null,
    }),
  );
  return {
    variant,
    description: spec.description,
    features: [...spec.numeric, ...spec.categorical],
    rows,
    holdoutRocAuc: rocAucOf(rows),
    score: (application) => {
      const row = { id: 0, values: application };
      return logisticProbability(encode(row), weights, spec.logOddsRule?.(row) ?? 0);
    },
  };
}

function statusOf(row: CreditRow): 'good' | 'bad' {
  const status = row.values.get('Status');
  if (status !== 'good' && status !== 'bad') {
    throw new Error(`credit_data.csv row ${row.id}: Status is ${JSON.stringify(status)}, not good or bad`);
  }
  return status;
}

function rocAucOf(rows: readonly HoldoutPrediction[]): number {
  const { overall } = aggregatePredictionRows({
    labels: rows.map((row) => row.status === 'bad'),
    scores: rows.map((row) => row.score),
  });
  return performanceReport(overall, { threshold: 0.5 }).rocAuc ?? Number.NaN;
}
