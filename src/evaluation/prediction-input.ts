import { didYouMean, maskIfPii, maskValue, sqlNumber, WardenError } from '../core/index.js';
import { attributeColumn, type PredictionColumns } from './prediction-queries.js';

/**
 * Checks of a predictions file before anything is computed: every named column exists, the
 * label is binary with a known positive value, scores are probabilities, weights are usable and
 * every sensitive attribute has a manageable number of groups. Each failure is a coded error
 * (exit 2) that names the column, what is wrong with how many rows, and the fix.
 */

const integer = new Intl.NumberFormat('en-US');
const rowsText = (count: number) => `${integer.format(count)} row${count === 1 ? '' : 's'}`;

export function requireColumns(file: string, available: readonly string[], columns: PredictionColumns): void {
  const named: [string, string | undefined][] = [
    ['--target', columns.label],
    ['--score', columns.score],
    ['--prediction', columns.prediction],
    ['--weight', columns.weight],
    ...columns.sensitive.map(
      (attribute) => [attribute.edges ? '--bins' : '--sensitive', attribute.column] as [string, string],
    ),
  ];
  for (const [flag, column] of named) {
    if (column === undefined || available.includes(column)) continue;
    throw new WardenError(
      'WARDEN_ERR_EVAL_MISSING_COLUMN',
      `${file}: ${flag} names column ${JSON.stringify(column)}, which the file does not have${didYouMean(column, available)}; its columns are ${available.map((name) => JSON.stringify(name)).join(', ')}`,
      { where: file },
    );
  }
}

/** Throws the first reason the validation row (see `validationSql`) makes the input unusable. */
export function requireUsableRows(
  file: string,
  columns: PredictionColumns,
  row: Record<string, unknown>,
  maxGroups: number,
): number {
  const count = (name: string) => sqlNumber(row[name]);
  const rows = count('rows');
  if (rows === 0) {
    throw new WardenError(
      'WARDEN_ERR_EVAL_EMPTY_INPUT',
      `${file}: the file has no prediction rows; evaluate a file with at least one row`,
      { where: file },
    );
  }
  if (count('label_nulls') > 0) {
    throw new WardenError(
      'WARDEN_ERR_EVAL_INVALID_LABEL',
      `${file}: ${rowsText(count('label_nulls'))} of ${integer.format(rows)} have no value in the label column ${JSON.stringify(columns.label)}; drop those rows or fill in their actual outcome`,
      { where: file },
    );
  }
  if (columns.score !== undefined) requireProbabilities(file, columns.score, row);
  if (columns.weight !== undefined) requireWeights(file, columns.weight, row);
  if (columns.prediction !== undefined && count('prediction_nulls') > 0) {
    throw new WardenError(
      'WARDEN_ERR_EVAL_INVALID_LABEL',
      `${file}: ${rowsText(count('prediction_nulls'))} have no value in the prediction column ${JSON.stringify(columns.prediction)}; every row needs a predicted label`,
      { where: file },
    );
  }
  columns.sensitive.forEach((attribute, i) => {
    const name = attributeColumn(i);
    const unreadable = attribute.edges === undefined ? 0 : count(`${name}_unreadable`);
    if (unreadable > 0) {
      throw new WardenError(
        'WARDEN_ERR_EVAL_INVALID_ATTRIBUTE',
        `${file}: ${rowsText(unreadable)} in ${JSON.stringify(attribute.column)} are not numbers, so --bins cannot band them; clean the column (empty means missing) or drop --bins ${attribute.column}`,
        { where: file },
      );
    }
    const distinct = count(`${name}_distinct`);
    if (distinct > maxGroups) {
      throw new WardenError(
        'WARDEN_ERR_EVAL_INVALID_ATTRIBUTE',
        `${file}: the sensitive attribute ${JSON.stringify(attribute.column)} has ${integer.format(distinct)} distinct values, more than the limit of ${integer.format(maxGroups)} groups; band it with --bins ${attribute.column}=e1,e2,… if it is numeric, group its values into a coarser column, or raise the limit explicitly with --max-groups ${distinct}`,
        { where: file },
      );
    }
  });
  return rows;
}

function requireProbabilities(file: string, column: string, row: Record<string, unknown>): void {
  const count = (name: string) => sqlNumber(row[name]);
  const where = `the score column ${JSON.stringify(column)}`;
  const fail = (message: string) => {
    throw new WardenError('WARDEN_ERR_EVAL_INVALID_SCORE', `${file}: ${message}`, { where: file });
  };
  if (count('score_nulls') > 0) {
    fail(`${rowsText(count('score_nulls'))} have no value in ${where}; every row needs a score`);
  }
  if (count('score_unreadable') > 0) {
    const example = String(row['score_unreadable_example']);
    fail(
      /^[+-]?nan$/i.test(example.trim())
        ? `${rowsText(count('score_unreadable'))} have a NaN score in ${where}; fix the model output or drop those rows`
        : `${rowsText(count('score_unreadable'))} in ${where} are not numbers (e.g. ${JSON.stringify(maskValue(example))} masked); scores must be probabilities in [0, 1]`,
    );
  }
  if (count('score_outside') > 0) {
    fail(
      `${rowsText(count('score_outside'))} in ${where} lie outside [0, 1] (smallest ${String(row['score_min'])}, largest ${String(row['score_max'])}); --score must be the probability of the positive class, not a logit or a margin (apply the sigmoid first)`,
    );
  }
}

function requireWeights(file: string, column: string, row: Record<string, unknown>): void {
  const count = (name: string) => sqlNumber(row[name]);
  const where = `the weight column ${JSON.stringify(column)}`;
  const fail = (message: string) => {
    throw new WardenError('WARDEN_ERR_EVAL_INVALID_WEIGHT', `${file}: ${message}`, { where: file });
  };
  if (count('weight_nulls') > 0) {
    fail(
      `${rowsText(count('weight_nulls'))} have no value in ${where}; give every row a weight (1 by default)`,
    );
  }
  if (count('weight_unreadable') > 0) {
    fail(
      `${rowsText(count('weight_unreadable'))} in ${where} are not numbers (e.g. ${JSON.stringify(maskValue(String(row['weight_unreadable_example'])))} masked); weights must be finite numbers ≥ 0`,
    );
  }
  if (count('weight_invalid') > 0) {
    fail(
      `${rowsText(count('weight_invalid'))} in ${where} are negative or infinite (smallest ${String(row['weight_min'])}); weights must be finite numbers ≥ 0`,
    );
  }
}

export interface ValueCount {
  value: string;
  rows: number;
}

const describeValues = (values: readonly ValueCount[]) =>
  values.map(({ value, rows }) => `${JSON.stringify(maskIfPii(value))} (${rowsText(rows)})`).join(', ');

/** Label pairs whose positive value goes without saying. */
const conventionalPositives: Record<string, string> = { '0': '1', false: 'true', '0.0': '1.0', no: 'yes' };

/**
 * The positive label value: `--positive` when given (it must be one of the labels, unless every
 * row has the other one), else the conventional one of 0/1, false/true, no/yes.
 */
export function resolvePositive(
  file: string,
  labelColumn: string,
  labels: readonly ValueCount[],
  positive: string | undefined,
): string {
  const values = labels.map((label) => label.value);
  if (labels.length > 2) {
    throw new WardenError(
      'WARDEN_ERR_EVAL_INVALID_LABEL',
      `${file}: the label column ${JSON.stringify(labelColumn)} has more than two values (${describeValues(labels)}${labels.length > 5 ? ', …' : ''}); a binary model gate needs two classes: map the labels to two values, then pick the positive one with --positive`,
      { where: file },
    );
  }
  if (positive !== undefined) {
    if (values.includes(positive) || labels.length < 2) return positive;
    throw new WardenError(
      'WARDEN_ERR_EVAL_INVALID_LABEL',
      `${file}: --positive ${JSON.stringify(positive)} is not a value of the label column ${JSON.stringify(labelColumn)}${didYouMean(positive, values)}; its values are ${describeValues(labels)}`,
      { where: file },
    );
  }
  const sorted = [...values].sort();
  const conventional = sorted.length === 2 ? conventionalPositives[sorted[0] as string] : undefined;
  if (conventional !== undefined && conventional === sorted[1]) return conventional;
  if (sorted.length === 1 && Object.values(conventionalPositives).includes(sorted[0] as string)) {
    return sorted[0] as string;
  }
  throw new WardenError(
    'WARDEN_ERR_EVAL_INVALID_LABEL',
    `${file}: say which label is the positive class (the outcome the score predicts): the label column ${JSON.stringify(labelColumn)} has ${describeValues(labels)}; pass ${values.map((value) => `--positive ${maskIfPii(value)}`).join(' or ')}`,
    { where: file },
  );
}

/**
 * The prediction values that mean "positive": the positive label itself when the prediction column
 * uses the label's values, else 1/true/yes when it is 0/1, false/true or no/yes.
 */
export function positivePredictionValues(
  file: string,
  predictionColumn: string,
  predictions: readonly ValueCount[],
  labelValues: readonly string[],
  positive: string,
): string[] {
  const values = predictions.map((prediction) => prediction.value);
  if (values.every((value) => labelValues.includes(value) || value === positive)) return [positive];
  const conventional = Object.entries(conventionalPositives).find(([negative, positiveValue]) =>
    values.every((value) => value === negative || value === positiveValue),
  );
  if (conventional !== undefined && predictions.length <= 2) return [conventional[1]];
  throw new WardenError(
    'WARDEN_ERR_EVAL_INVALID_LABEL',
    `${file}: the prediction column ${JSON.stringify(predictionColumn)} has values ${describeValues(predictions)}${predictions.length > 5 ? ', …' : ''}; predicted labels must be the label's own values (${labelValues.map((value) => JSON.stringify(value)).join(', ')}) or 0/1`,
    { where: file },
  );
}
