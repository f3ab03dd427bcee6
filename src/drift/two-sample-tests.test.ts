import { describe, expect, it } from 'vitest';
import { kolmogorovSurvival, smirnovSurvival } from './kolmogorov-distribution.js';
import { kolmogorovSmirnovTwoSample } from './kolmogorov-smirnov.js';
import { wassersteinDistance, wassersteinDistanceOfSorted } from './wasserstein.js';
import { twoProportionZTest } from './z-test.js';

describe('kolmogorovSmirnovTwoSample', () => {
  it('reproduces the research note vectors (exact and asymptotic)', () => {
    expect(
      kolmogorovSmirnovTwoSample(Float64Array.of(1, 2, 3, 4, 5), Float64Array.of(3, 4, 5, 6, 7, 8)),
    ).toEqual({
      statistic: 0.5,
      pValue: 0.35714285714285715,
      pValueMethod: 'exact',
    });
    expect(
      kolmogorovSmirnovTwoSample(Float64Array.of(0, 0, 1, 1, 1, 2), Float64Array.of(0, 1, 1, 2, 2, 2, 2)),
    ).toEqual({ statistic: 0.40476190476190477, pValue: 0.5279720279720281, pValueMethod: 'exact' });
  });

  it('is symmetric in its samples and leaves them alone', () => {
    const a = Float64Array.of(-1, 0.5, 0.5, 2, 3.25, 8);
    const b = Float64Array.of(0, 0.5, 1, 1, 9, 10, 11);
    const forward = kolmogorovSmirnovTwoSample(a, b);
    expect(kolmogorovSmirnovTwoSample(b, a)).toEqual(forward);
    expect(Array.from(a)).toEqual([-1, 0.5, 0.5, 2, 3.25, 8]);
  });

  it('switches to the asymptotic p-value above 10 000 values in the larger sample', () => {
    const small = Float64Array.from({ length: 10_000 }, (_, index) => index / 10_000);
    const large = Float64Array.from({ length: 10_001 }, (_, index) => index / 10_001 + 0.01);
    expect(
      kolmogorovSmirnovTwoSample(
        small,
        small.map((value) => value + 0.01),
      ).pValueMethod,
    ).toBe('exact');
    expect(kolmogorovSmirnovTwoSample(small, large).pValueMethod).toBe('asymptotic');
  });

  it('gives D = 0 and p = 1 for identical samples, D = 1 for disjoint ones', () => {
    const values = Float64Array.of(1, 2, 2, 3);
    expect(kolmogorovSmirnovTwoSample(values, values)).toEqual({
      statistic: 0,
      pValue: 1,
      pValueMethod: 'exact',
    });
    expect(kolmogorovSmirnovTwoSample(values, Float64Array.of(4, 5)).statistic).toBe(1);
  });

  it('refuses an empty sample', () => {
    expect(() => kolmogorovSmirnovTwoSample(new Float64Array(0), Float64Array.of(1))).toThrow(
      /the reference sample is empty/,
    );
    expect(() => kolmogorovSmirnovTwoSample(Float64Array.of(1), new Float64Array(0))).toThrow(
      /the current sample is empty/,
    );
  });
});

describe('kolmogorovSurvival and smirnovSurvival', () => {
  it('have the closed forms at the ends of the range', () => {
    expect(kolmogorovSurvival(10, 0)).toBe(1);
    expect(kolmogorovSurvival(10, 1)).toBe(0);
    expect(kolmogorovSurvival(10, 0.04)).toBe(1);
    expect(kolmogorovSurvival(2, 0.75)).toBe(0.125);
    expect(smirnovSurvival(1, 0.3)).toBe(0.7);
    expect(smirnovSurvival(5, 0)).toBe(1);
    expect(smirnovSurvival(5, 1)).toBe(0);
  });

  it('returns NaN outside its domain', () => {
    expect(kolmogorovSurvival(2.5, 0.3)).toBeNaN();
    expect(kolmogorovSurvival(0, 0.3)).toBeNaN();
    expect(kolmogorovSurvival(5, Number.NaN)).toBeNaN();
    expect(smirnovSurvival(5, 1.5)).toBeNaN();
  });

  it('decreases in d', () => {
    for (const n of [7, 140, 141, 5000, 200_000]) {
      let previous = 1;
      for (let step = 1; step <= 60; step++) {
        const p = kolmogorovSurvival(n, (step / 60) * Math.min(1, 6 / Math.sqrt(n)));
        expect(p, `n ${n}, step ${step}`).toBeLessThanOrEqual(previous + 1e-15);
        previous = p;
      }
    }
  });
});

describe('wassersteinDistance', () => {
  it('reproduces the research note vectors', () => {
    expect(wassersteinDistance([0, 1, 3], [5, 6, 8])).toBe(5);
    expect(wassersteinDistance([0, 1], [0, 1], [3, 1], [2, 2])).toBe(0.25);
  });

  it('treats bin counts as weights on bin centres like repeated values', () => {
    const repeated = wassersteinDistance([0.5, 0.5, 0.5, 1.5, 2.5, 2.5], [0.5, 1.5, 1.5, 1.5, 2.5]);
    const weighted = wassersteinDistance([0.5, 1.5, 2.5], [0.5, 1.5, 2.5], [3, 1, 2], [1, 3, 1]);
    expect(weighted).toBeCloseTo(repeated, 15);
  });

  it('does not depend on input order and leaves the inputs alone', () => {
    const u = [3, -1, 2, 2, 7];
    const v = [0, 5, 1];
    const weights = [1, 2, 3, 4, 5];
    const distance = wassersteinDistance(u, v, weights);
    expect(wassersteinDistance([7, 2, 2, -1, 3], [1, 5, 0], [5, 4, 3, 2, 1])).toBeCloseTo(distance, 15);
    expect(u).toEqual([3, -1, 2, 2, 7]);
    expect(weights).toEqual([1, 2, 3, 4, 5]);
    expect(wassersteinDistanceOfSorted(Float64Array.of(-1, 2, 2, 3, 7), Float64Array.of(0, 1, 5))).toBe(
      wassersteinDistance(u, v),
    );
  });

  it('is 0 between identical distributions', () => {
    expect(wassersteinDistance([1, 2, 2, 9], [9, 2, 1, 2])).toBe(0);
  });

  it('refuses empty inputs, NaN, bad weights', () => {
    expect(() => wassersteinDistance([], [1])).toThrow(/the first distribution is empty/);
    expect(() => wassersteinDistance([1, Number.NaN], [1])).toThrow(/NaN at index 1/);
    expect(() => wassersteinDistance([1, 2], [1], [1])).toThrow(/2 values but 1 weights/);
    expect(() => wassersteinDistance([1, 2], [1], [1, -1])).toThrow(/weight at index 1 is -1/);
    expect(() => wassersteinDistance([1, 2], [1], undefined, [0])).toThrow(/weights sum to 0/);
  });
});

describe('twoProportionZTest', () => {
  it('computes the pooled z and the two-sided p-value', () => {
    const result = twoProportionZTest(70, 100, 55, 100);
    expect(result.statistic).toBeCloseTo(2.1908902300206634, 14);
    expect(result.pValue).toBeCloseTo(0.02845973691631065, 15);
  });

  it('gives p = 1 without a z when the pooled proportion is 0 or 1', () => {
    expect(twoProportionZTest(0, 10, 0, 5)).toEqual({ pValue: 1 });
    expect(twoProportionZTest(10, 10, 5, 5)).toEqual({ pValue: 1 });
  });

  it('refuses counts that are not counts', () => {
    expect(() => twoProportionZTest(11, 10, 0, 5)).toThrow(/11 successes in 10 rows/);
    expect(() => twoProportionZTest(1, 10, 0, 0)).toThrow(/current row count is 0/);
    expect(() => twoProportionZTest(1.5, 10, 0, 5)).toThrow(/1.5 successes/);
  });
});
