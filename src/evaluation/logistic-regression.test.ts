import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../core/index.js';
import { fitLogisticRegression, logisticProbability } from './logistic-regression.js';

describe('fitLogisticRegression', () => {
  const random = mulberry32(7);
  const x = Array.from({ length: 400 }, () => [1, random() * 4 - 2, random() < 0.5 ? 1 : 0]);
  const y = x.map(([, a = 0, b = 0]) => random() < logisticProbability([1, a, b], [-0.5, 1.5, -1]));

  it('reaches the minimum of the penalised log-loss: its gradient is zero', () => {
    for (const ridge of [0.1, 1, 10]) {
      const weights = fitLogisticRegression(x, y, { ridge, steps: 12 });
      const gradient = weights.map((w, j) => (j === 0 ? 0 : ridge * w));
      x.forEach((features, i) => {
        const residual = logisticProbability(features, weights) - (y[i] ? 1 : 0);
        features.forEach((value, j) => {
          gradient[j] = (gradient[j] as number) + residual * value;
        });
      });
      for (const component of gradient) expect(Math.abs(component)).toBeLessThan(1e-9);
    }
  });

  it('shrinks the weights, not the intercept, as the penalty grows', () => {
    const loose = fitLogisticRegression(x, y, { ridge: 0.01, steps: 12 });
    const tight = fitLogisticRegression(x, y, { ridge: 1000, steps: 12 });
    expect(Math.abs(tight[1] as number)).toBeLessThan(Math.abs(loose[1] as number) / 5);
    // With the weights near zero the intercept is the log-odds of the positive rate.
    const rate = y.filter(Boolean).length / y.length;
    expect(tight[0]).toBeCloseTo(Math.log(rate / (1 - rate)), 1);
  });

  it('adds an offset to the log-odds', () => {
    expect(logisticProbability([1, 2], [0.5, -0.25], Math.log(3))).toBeCloseTo(0.75, 12);
  });
});
