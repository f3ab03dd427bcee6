/**
 * The logistic regression the examples train (the credit-risk demo model, the fraud-detection
 * model versions): deterministic, so a committed model or predictions file is the same bytes on
 * every run and machine.
 */

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

const dot = (a: readonly number[], b: readonly number[]) =>
  a.reduce((sum, value, i) => sum + value * (b[i] as number), 0);

/** The probability of the positive class: the sigmoid of the features' log-odds plus `offset`. */
export function logisticProbability(
  features: readonly number[],
  weights: readonly number[],
  offset = 0,
): number {
  return sigmoid(dot(features, weights) + offset);
}

export interface LogisticRegressionOptions {
  /** The L2 penalty on the weights (not on the intercept): scikit-learn's C is 1 / ridge. */
  ridge: number;
  /** Newton steps from zero weights; a fixed number, so that the result does not depend on a tolerance. */
  steps: number;
}

/**
 * Minimises Σ log-loss + ridge/2 · ‖w‖² (the intercept `x[i][0]` unpenalised) by Newton's method
 * (IRLS) from zero weights, the objective of scikit-learn's LogisticRegression with C = 1/ridge.
 * The penalty makes it strictly convex even when one-hot columns sum to the intercept column, so
 * the steps converge to its one minimum. Every sum runs in row order.
 */
export function fitLogisticRegression(
  x: readonly (readonly number[])[],
  y: readonly boolean[],
  { ridge, steps }: LogisticRegressionOptions,
): number[] {
  const width = x[0]?.length ?? 0;
  let weights = new Array<number>(width).fill(0);
  for (let step = 0; step < steps; step++) {
    const gradient = weights.map((w, j) => (j === 0 ? 0 : ridge * w));
    const hessian = Array.from({ length: width }, (_, j) =>
      Array.from({ length: width }, (_, k) => (j === k && j > 0 ? ridge : 0)),
    );
    x.forEach((features, i) => {
      const p = logisticProbability(features, weights);
      const residual = p - (y[i] ? 1 : 0);
      const curvature = p * (1 - p);
      features.forEach((value, j) => {
        gradient[j] = (gradient[j] as number) + residual * value;
        const hessianRow = hessian[j] as number[];
        for (let k = 0; k <= j; k++)
          hessianRow[k] = (hessianRow[k] as number) + curvature * value * (features[k] as number);
      });
    });
    const newtonStep = choleskySolve(hessian, gradient);
    weights = weights.map((w, j) => w - (newtonStep[j] as number));
  }
  return weights;
}

/** Solves `a · x = b` for a symmetric positive definite `a`, reading only its lower triangle. */
function choleskySolve(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const lower = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const at = (m: readonly (readonly number[])[], i: number, j: number) =>
    (m[i] as readonly number[])[j] as number;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = at(a, i, j);
      for (let k = 0; k < j; k++) sum -= at(lower, i, k) * at(lower, j, k);
      (lower[i] as number[])[j] = i === j ? Math.sqrt(sum) : sum / at(lower, j, j);
    }
  }
  const forward = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let sum = b[i] as number;
    for (let k = 0; k < i; k++) sum -= at(lower, i, k) * (forward[k] as number);
    forward[i] = sum / at(lower, i, i);
  }
  const solution = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let sum = forward[i] as number;
    for (let k = i + 1; k < n; k++) sum -= at(lower, k, i) * (solution[k] as number);
    solution[i] = sum / at(lower, i, i);
  }
  return solution;
}
