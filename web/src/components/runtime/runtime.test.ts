import { describe, expect, it } from 'vitest';
import { budgetPercent, driftBars, featureDrifts, relativeDrift, trafficSplit } from './runtime';

describe('relativeDrift', () => {
  it('puts distances and p-values on one scale where past 1 means drift', () => {
    expect(relativeDrift({ method: 'psi', score: 0.3, threshold: 0.1 })).toBeCloseTo(3);
    expect(relativeDrift({ method: 'wasserstein', score: 0.05, threshold: 0.1 })).toBeCloseTo(0.5);
    expect(relativeDrift({ method: 'ks', score: 0.01, threshold: 0.05 })).toBeCloseTo(5);
    expect(relativeDrift({ method: 'chisquare', score: 0.5, threshold: 0.05 })).toBeCloseTo(0.1);
    expect(relativeDrift({ method: 'z', score: 0, threshold: 0.05 })).toBe(10);
  });

  it('has no value for an unmeasured feature or a threshold of 0', () => {
    expect(relativeDrift({ method: 'psi', score: null, threshold: 0.1 })).toBeNull();
    expect(relativeDrift({ method: 'psi', score: 0.2, threshold: 0 })).toBeNull();
  });
});

describe('the drift chart', () => {
  it('has a bar per feature and the prediction, marked when drifted, with the rule in words', () => {
    const features = featureDrifts({
      features: [
        { name: 'amount', method: 'psi', score: 0.31, threshold: 0.1, drifted: true },
        { name: 'hour', method: 'ks', score: null, threshold: 0.05, drifted: null },
      ],
      prediction: { name: 'score', method: 'ks', score: 0.5, threshold: 0.05, drifted: false },
    });
    expect(features.map((f) => [f.name, f.driftsWhen])).toEqual([
      ['amount', 'at or above 0.1'],
      ['hour', 'p below 0.05'],
      ['score (prediction)', 'p below 0.05'],
    ]);
    expect(driftBars(features)).toEqual([
      { label: 'amount', value: expect.closeTo(3.1), text: '3.1×', alert: true },
      { label: 'hour', value: null, text: 'not measured', alert: false },
      { label: 'score (prediction)', value: expect.closeTo(0.1), text: '0.1×', alert: false },
    ]);
  });
});

describe('trafficSplit', () => {
  it('puts the stable production version first whatever the key order, then the canary', () => {
    expect(trafficSplit({ serve: { '10': 5, '9': 95 } }, '9')).toEqual([
      { version: '9', weight: 95, role: 'stable' },
      { version: '10', weight: 5, role: 'canary' },
    ]);
    expect(trafficSplit({ serve: { '3': 100 } }, '3')).toEqual([
      { version: '3', weight: 100, role: 'stable' },
    ]);
  });
});

it('writes the budget left as a percentage, negative when overspent', () => {
  expect(budgetPercent(0.623)).toBe(62.3);
  expect(budgetPercent(-0.25)).toBe(-25);
});
