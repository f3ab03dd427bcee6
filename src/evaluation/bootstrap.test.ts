import { describe, expect, it } from 'vitest';
import {
  aggregatePredictionRows,
  binomial,
  bootstrapFairness,
  bootstrapReplicates,
  multinomial,
  quantilesSkipNaN,
  Xoshiro128,
} from './index.js';
import { loadFixture } from './test-support/conformance.js';

interface BootstrapFixture {
  rows: { label: number[]; prediction: number[]; sensitive: Record<string, string[]> };
  quantiles: number[];
  fairlearn?: { intervals: Record<string, number[]> };
  reference: { intervals: Record<string, number[]> };
}

describe('Xoshiro128', () => {
  it('matches the reference xoshiro128** stream from state [1, 2, 3, 4]', () => {
    const random = Xoshiro128.fromState([1, 2, 3, 4]);
    const values = Array.from({ length: 6 }, () => random.nextUint32());
    expect(values).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('is deterministic per seed and gives doubles in [0, 1)', () => {
    const a = Xoshiro128.fromSeed(20261122);
    const b = Xoshiro128.fromSeed(20261122);
    const c = Xoshiro128.fromSeed(20261123);
    const first = Array.from({ length: 5 }, () => a.nextDouble());
    expect(Array.from({ length: 5 }, () => b.nextDouble())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c.nextDouble())).not.toEqual(first);
    for (const value of first) expect(value >= 0 && value < 1).toBe(true);
    expect(() => Xoshiro128.fromSeed(-1)).toThrow(
      expect.objectContaining({ code: 'WARDEN_ERR_EVAL_INVALID_ARGUMENT' }),
    );
  });
});

describe('binomial and multinomial draws', () => {
  it.each([
    [20, 0.1],
    [1000, 0.003],
    [1000, 0.4],
    [5_000_000, 0.7],
  ])('Binomial(%d, %d) has the right mean and variance', (n, p) => {
    const random = Xoshiro128.fromSeed(n);
    const draws = 4000;
    let sum = 0;
    let squares = 0;
    let valid = true;
    for (let i = 0; i < draws; i++) {
      const x = binomial(random, n, p);
      valid &&= Number.isInteger(x) && x >= 0 && x <= n;
      sum += x;
      squares += x * x;
    }
    expect(valid).toBe(true);
    const mean = sum / draws;
    const variance = squares / draws - mean * mean;
    const sd = Math.sqrt(n * p * (1 - p));
    expect(Math.abs(mean - n * p)).toBeLessThan((5 * sd) / Math.sqrt(draws));
    expect(variance / (sd * sd)).toBeGreaterThan(0.85);
    expect(variance / (sd * sd)).toBeLessThan(1.15);
  });

  it('always draws the total', () => {
    const random = Xoshiro128.fromSeed(3);
    for (let i = 0; i < 50; i++) {
      const counts = multinomial(random, 1000, [5, 0, 300, 1, 694]);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(1000);
      expect(counts[1]).toBe(0);
    }
  });
});

describe('quantilesSkipNaN', () => {
  it('matches numpy.nanquantile with linear interpolation', () => {
    const values = [0.3, 0.1, Number.NaN, 0.7, 0.25, 0.9, 0.55];
    expect(quantilesSkipNaN(values, [0.025, 0.159, 0.5, 0.841, 0.975])).toEqual([
      0.11875000000000001, 0.21925, 0.42500000000000004, 0.741, 0.875,
    ]);
    expect(quantilesSkipNaN([Number.NaN], [0.5])[0]).toBeNaN();
  });
});

// Fairlearn's confidence_interval_estimation.rst example (research note V6).
const v6 = {
  labels: [0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1].map((y) => y === 1),
  predictions: [0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0].map((y) => y === 1),
  sensitive: {
    sf: ['b', 'b', 'a', 'b', 'b', 'a', 'a', 'a', 'b', 'a', 'b', 'a', 'b', 'b', 'a', 'b', 'b', 'b'],
  },
};

function v6Cells() {
  const grouping = aggregatePredictionRows(v6).groupings[0];
  if (grouping === undefined) throw new Error('no grouping');
  return { keys: grouping.groups.map((g) => g.key), cells: grouping.cells };
}

describe('bootstrapFairness', () => {
  it('is reproducible from its seed', () => {
    const { keys, cells } = v6Cells();
    const options = { replicates: 200, seed: 20231019, quantiles: [0.159, 0.5, 0.841] };
    const first = bootstrapFairness(['sf'], keys, cells, options);
    expect(bootstrapFairness(['sf'], keys, cells, options)).toEqual(first);
    expect(bootstrapFairness(['sf'], keys, cells, { ...options, seed: 1 })).not.toEqual(first);
    expect(first.quantiles).toEqual([0.159, 0.5, 0.841]);
  });

  it.each(loadFixture('bootstrap.json').cases.map((c) => [c.name, c] as const))(
    'agrees statistically with a 20000-replicate row bootstrap: %s',
    (_name, fixture) => {
      const reference = fixture as unknown as BootstrapFixture;
      const grouping = aggregatePredictionRows({
        labels: reference.rows.label.map((y) => y === 1),
        predictions: reference.rows.prediction.map((y) => y === 1),
        sensitive: reference.rows.sensitive,
      }).groupings[0];
      if (grouping === undefined) throw new Error('no grouping');
      const result = bootstrapFairness(
        ['sf'],
        grouping.groups.map((g) => g.key),
        grouping.cells,
        { replicates: 3000, seed: 11, quantiles: reference.quantiles },
      );
      // The small example's statistics take few distinct values, so its quantiles move in steps.
      const tolerance = reference.rows.label.length < 50 ? 0.06 : 0.025;
      for (const [name, expected] of Object.entries(reference.reference.intervals)) {
        const actual = result.intervals[name as keyof typeof result.intervals];
        expected.forEach((value, i) => {
          expect(Math.abs((actual[i] ?? Number.NaN) - value), `${name}[${i}]`).toBeLessThan(tolerance);
        });
      }
      for (const [name, expected] of Object.entries(reference.fairlearn?.intervals ?? {})) {
        const actual = result.intervals[name as keyof typeof result.intervals];
        expected.forEach((value, i) => {
          expect(Math.abs((actual[i] ?? Number.NaN) - value), `Fairlearn ${name}[${i}]`).toBeLessThan(0.06);
        });
      }
    },
  );

  it('resamples ROC AUC per group when the cells carry scores', () => {
    const rows = aggregatePredictionRows(
      {
        labels: [true, false, true, false, true, false, true, false],
        scores: [0.9, 0.1, 0.8, 0.3, 0.4, 0.6, 0.7, 0.5],
        sensitive: { g: ['x', 'x', 'x', 'x', 'y', 'y', 'y', 'y'] },
      },
      { cellsWithScores: true },
    );
    const grouping = rows.groupings[0];
    if (grouping === undefined) throw new Error('no grouping');
    const result = bootstrapFairness(
      ['g'],
      grouping.groups.map((g) => g.key),
      grouping.cells,
      { replicates: 300, seed: 5 },
    );
    const [low, high] = result.intervals.rocAucDifference.map((value) => value ?? Number.NaN) as [
      number,
      number,
    ];
    expect(low).toBeGreaterThanOrEqual(0);
    expect(high).toBeLessThanOrEqual(1);
    expect(low).toBeLessThanOrEqual(high);
    expect(result.undefinedReplicates.rocAucDifference).toBeGreaterThan(0);
  });

  it('rejects bad replicates, quantiles and cells', () => {
    const { keys, cells } = v6Cells();
    const code = { code: 'WARDEN_ERR_EVAL_INVALID_ARGUMENT' };
    expect(() => bootstrapFairness(['sf'], keys, cells, { replicates: 0, seed: 1 })).toThrow(
      expect.objectContaining(code),
    );
    expect(() => bootstrapFairness(['sf'], keys, cells, { replicates: 10, seed: 1, quantiles: [1] })).toThrow(
      expect.objectContaining(code),
    );
    const badCell = { group: 9, positive: true, predicted: true, rows: 1, weight: 1 };
    expect(() => bootstrapFairness(['sf'], keys, [badCell], { replicates: 10, seed: 1 })).toThrow(
      expect.objectContaining(code),
    );
    expect(() => bootstrapReplicates([1.5], { replicates: 1, seed: 1 }, () => 0)).toThrow(
      expect.objectContaining(code),
    );
  });
});
