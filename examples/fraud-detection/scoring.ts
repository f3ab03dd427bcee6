/**
 * The fraud model as the model server reads it from `model-v*.json`: a logistic regression over
 * transformed, standardised numeric inputs and a one-hot merchant category. No Warden imports.
 */
import { type NumericInput, numericInputs } from './transactions.js';

/** `night`: 1 for an hour before 06:00, else 0. */
export type Transform = 'identity' | 'log1p' | 'night';

export interface ModelTerm {
  input: NumericInput;
  transform: Transform;
  /** Training mean and standard deviation of the transformed input. */
  mean: number;
  scale: number;
  weight: number;
}

export interface FraudModel {
  name: 'fraud-detector';
  version: string;
  description: string;
  /** The V2 `features` tensor's columns, in order. */
  numericInputs: NumericInput[];
  categoricalInput: 'merchant_category';
  intercept: number;
  terms: ModelTerm[];
  /** One-hot weights; a category not listed (not seen in training) adds 0. */
  categories: Record<string, number>;
  training: {
    data: string;
    dataSha256: string;
    trainingRows: number;
    holdoutRows: number;
    ridge: number;
    newtonSteps: number;
    holdoutRocAuc: number;
  };
}

export function transformed(transform: Transform, value: number): number {
  if (transform === 'log1p') return Math.log1p(value);
  if (transform === 'night') return value < 6 ? 1 : 0;
  return value;
}

/** The probability of fraud for one transaction: `numeric` in the order of `numericInputs`. */
export function fraudProbability(model: FraudModel, numeric: readonly number[], category: string): number {
  let logOdds = model.intercept + (model.categories[category] ?? 0);
  for (const term of model.terms) {
    const value = numeric[numericInputs.indexOf(term.input)] as number;
    logOdds += (term.weight * (transformed(term.transform, value) - term.mean)) / term.scale;
  }
  return 1 / (1 + Math.exp(-logOdds));
}

/** Checks the shape of a parsed `model-v*.json`, so that a wrong file fails at start, not per request. */
export function checkModel(value: unknown, fileName: string): FraudModel {
  const model = value as Partial<FraudModel> | null;
  const fail = (what: string) => {
    throw new Error(`${fileName}: ${what}; write it with model.js (see the example's README)`);
  };
  if (typeof model !== 'object' || model === null || model.name !== 'fraud-detector') {
    fail('not a fraud-detector model (its "name" must be "fraud-detector")');
  }
  if (JSON.stringify(model?.numericInputs) !== JSON.stringify(numericInputs)) {
    fail(`"numericInputs" must be ${JSON.stringify(numericInputs)}`);
  }
  if (
    !Array.isArray(model?.terms) ||
    typeof model?.intercept !== 'number' ||
    typeof model.categories !== 'object'
  ) {
    fail('"terms", "intercept" and "categories" are missing');
  }
  return model as FraudModel;
}
