import { describe, expect, it } from 'vitest';
import {
  chiSquareGoodnessOfFit,
  fillEmptyShares,
  hellingerDistance,
  jensenShannonDistance,
  klDivergence,
  psi,
  rescaleExpectedCounts,
} from './distances.js';

const reference = [0.5, 0.3, 0.2];
const current = [0.3, 0.3, 0.4];

describe('research note §3.5 vectors', () => {
  it('Jensen-Shannon distance, natural log', () => {
    expect(jensenShannonDistance(reference, current)).toBeCloseTo(0.17211473103812178, 15);
  });

  it('PSI of the same shares', () => {
    expect(psi(reference, current)).toBeCloseTo(0.2407945608651872, 15);
  });

  it('entropy (KL divergence)', () => {
    expect(klDivergence(reference, current)).toBeCloseTo(0.11678337577100631, 15);
  });

  it('Evidently-style chisquare', () => {
    const result = chiSquareGoodnessOfFit([40, 35, 25], rescaleExpectedCounts([500, 300, 200], 100));
    expect(result.statistic).toBeCloseTo(4.083333333333334, 13);
    expect(result.pValue).toBeCloseTo(0.12981217685543797, 14);
    expect(result.degreesOfFreedom).toBe(2);
  });
});

describe('normalisation', () => {
  it('KL, JS and Hellinger accept counts as well as shares; PSI uses shares as given', () => {
    const referenceCounts = [50, 30, 20];
    const currentCounts = [3, 3, 4];
    expect(klDivergence(referenceCounts, currentCounts)).toBeCloseTo(klDivergence(reference, current), 15);
    expect(jensenShannonDistance(referenceCounts, currentCounts)).toBeCloseTo(
      jensenShannonDistance(reference, current),
      15,
    );
    expect(hellingerDistance(referenceCounts, currentCounts)).toBeCloseTo(
      hellingerDistance(reference, current),
      15,
    );
    expect(psi(referenceCounts, currentCounts)).not.toBeCloseTo(psi(reference, current), 3);
  });
});

describe('identical and disjoint distributions', () => {
  it('are 0 apart when identical', () => {
    expect(psi(reference, reference)).toBe(0);
    expect(klDivergence(reference, reference)).toBe(0);
    expect(jensenShannonDistance(reference, reference)).toBe(0);
    expect(hellingerDistance(reference, reference)).toBeCloseTo(0, 7);
    expect(chiSquareGoodnessOfFit([5, 3, 2], [5, 3, 2])).toEqual({
      statistic: 0,
      pValue: 1,
      degreesOfFreedom: 2,
    });
  });

  it('reach the maximum when disjoint', () => {
    expect(jensenShannonDistance([1, 0], [0, 1])).toBeCloseTo(Math.sqrt(Math.LN2), 15);
    expect(hellingerDistance([1, 0], [0, 1])).toBe(1);
    expect(klDivergence([1, 0], [0, 1])).toBe(Number.POSITIVE_INFINITY);
    expect(psi([1, 0], [0, 1])).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('fillEmptyShares', () => {
  it('fills zeros with 0.0001 when the smallest non-zero share is above 0.0001', () => {
    expect(Array.from(fillEmptyShares([0.6, 0, 0.4]))).toEqual([0.6, 0.0001, 0.4]);
  });

  it('fills zeros with min_nonzero / 1e6 when the smallest non-zero share is at most 0.0001', () => {
    expect(Array.from(fillEmptyShares([0.9999, 0, 0.0001]))).toEqual([0.9999, 0.0001 / 1e6, 0.0001]);
    expect(Array.from(fillEmptyShares([0.99995, 0, 0.00005]))).toEqual([0.99995, 0.00005 / 1e6, 0.00005]);
  });

  it('does not renormalise, and leaves its input alone', () => {
    const shares = [0.5, 0, 0.5];
    const filled = fillEmptyShares(shares);
    expect(filled.reduce((sum, share) => sum + share, 0)).toBeGreaterThan(1);
    expect(shares).toEqual([0.5, 0, 0.5]);
  });

  it('refuses an all-zero distribution', () => {
    expect(() => fillEmptyShares([0, 0])).toThrow(/every share is zero/);
  });
});

describe('chiSquareGoodnessOfFit', () => {
  it('gives an infinite statistic and p = 0 for a bucket missing from the expected counts', () => {
    const result = chiSquareGoodnessOfFit([4, 1], [5, 0]);
    expect(result.statistic).toBe(Number.POSITIVE_INFINITY);
    expect(result.pValue).toBe(0);
  });

  it('gives NaN for a single bucket (0 degrees of freedom), as SciPy does', () => {
    const result = chiSquareGoodnessOfFit([5], [5]);
    expect(result.statistic).toBe(0);
    expect(result.pValue).toBeNaN();
  });

  it('refuses totals that differ by more than √ε relative', () => {
    expect(() => chiSquareGoodnessOfFit([40, 35, 25], [500, 300, 200])).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/sum to 100 and the expected counts to 1000/),
        hint: expect.stringMatching(/rescaleExpectedCounts/),
      }),
    );
    expect(() => chiSquareGoodnessOfFit([1, 1], [1, 1 + 1e-9])).not.toThrow();
  });
});

describe('argument checks', () => {
  it('refuses arrays of different lengths, or none', () => {
    expect(() => psi([0.5, 0.5], [1])).toThrow(/2 buckets and the current 1/);
    expect(() => klDivergence([], [])).toThrow(/no buckets/);
  });
});
