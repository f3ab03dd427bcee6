import { describe, expect, it } from 'vitest';
import {
  aggregatePredictionRows,
  difference,
  fairnessReport,
  type GroupInput,
  pythonMax,
  pythonMin,
  ratio,
} from './index.js';

const group = (key: (string | null)[], tp: number, fp: number, fn: number, tn: number): GroupInput => ({
  key,
  count: tp + fp + fn + tn,
  confusion: { truePositives: tp, falsePositives: fp, falseNegatives: fn, trueNegatives: tn },
});

describe('MetricFrame aggregates', () => {
  it('keep the float results Fairlearn prints (no rounding "fixes")', () => {
    expect(Object.is(difference([0.8, 0.6]), 0.20000000000000007)).toBe(true);
    expect(Object.is(ratio([0.8, 0.6]), 0.7499999999999999)).toBe(true);
    expect(Object.is(ratio([0.8, 0.6], 'toOverall', 0.7), 0.8571428571428572)).toBe(true);
  });

  it('reproduce the four-fifths boundary exactly: rates 1/3 and 5/12 give 0.7999999999999999', () => {
    const report = fairnessReport(['sf'], [group(['A'], 0, 1, 0, 2), group(['B'], 0, 5, 0, 7)]);
    expect(Object.is(report.demographicParityRatio, 0.7999999999999999)).toBe(true);
  });

  it('skip NaN groups, and give 0/0 = NaN but 0/x = 0 for ratios', () => {
    expect(difference([0.5, Number.NaN, 0.2])).toBe(0.3);
    expect(ratio([0, 0])).toBeNaN();
    expect(ratio([0, 0.4])).toBe(0);
    expect(difference([Number.NaN])).toBeNaN();
    expect(ratio([0.5, 2], 'toOverall', 0)).toBe(0);
  });

  it('order NaN as Python max/min do over [tpr, fpr]', () => {
    expect(pythonMax([Number.NaN, 0.5])).toBeNaN();
    expect(pythonMax([0.5, Number.NaN])).toBe(0.5);
    expect(pythonMin([Number.NaN, 0.5])).toBeNaN();
    expect(pythonMin([0.5, Number.NaN])).toBe(0.5);
  });
});

describe('fairnessReport', () => {
  it('sorts groups, drops missing values from the groups and keeps them in the overall values', () => {
    const report = fairnessReport(
      ['sex'],
      [group(['M'], 1, 1, 1, 2), group([null], 2, 0, 0, 0), group(['F'], 4, 0, 1, 0)],
      { method: 'toOverall' },
    );
    expect(report.byGroup.map((g) => g.group)).toEqual([{ sex: 'F' }, { sex: 'M' }]);
    expect(report.missingValueRows).toBe(2);
    // Overall selection rate counts the two rows without a value: 8 / 12.
    expect(report.demographicParityDifference).toBeCloseTo(8 / 12 - 0.4, 15);
    expect(report.rocAucDifference).toBeUndefined();
  });

  it('flags groups below the minimum size and leaves them out of the aggregates', () => {
    const inputs = [group(['a'], 5, 5, 5, 5), group(['b'], 4, 4, 4, 8), group(['tiny'], 0, 0, 1, 1)];
    const all = fairnessReport(['g'], inputs);
    expect(all.demographicParityRatio).toBe(0);
    const judged = fairnessReport(['g'], inputs, { minGroupSize: 5 });
    expect(judged.byGroup.map((g) => g.tooSmall)).toEqual([false, false, true]);
    expect(judged.judgedGroups).toBe(2);
    expect(judged.demographicParityRatio).toBe(0.4 / 0.5);
  });

  it('counts empty intersections of observed values', () => {
    const rows = aggregatePredictionRows(
      {
        labels: [true, false, true, false, true],
        predictions: [true, true, false, false, true],
        sensitive: { a: ['p', 'p', 'q', 'q', 'r'], b: ['u', 'v', 'u', 'u', null] },
      },
      { groupings: [['a', 'b']] },
    );
    const grouping = rows.groupings[0];
    if (grouping === undefined) throw new Error('no grouping');
    const report = fairnessReport(grouping.attributes, grouping.groups);
    // Observed values: a ∈ {p, q, r}, b ∈ {u, v}; groups (p,u) (p,v) (q,u); r only with a missing b.
    expect(report.byGroup).toHaveLength(3);
    expect(report.emptyGroups).toBe(3);
    expect(report.missingValueRows).toBe(1);
  });

  it('reports per-group ROC AUC when there are scores, null for a one-class group', () => {
    const rows = aggregatePredictionRows({
      labels: [true, false, true, true],
      scores: [0.9, 0.2, 0.4, 0.6],
      sensitive: { g: ['x', 'x', 'y', 'y'] },
    });
    const grouping = rows.groupings[0];
    if (grouping === undefined) throw new Error('no grouping');
    const report = fairnessReport(grouping.attributes, grouping.groups);
    expect(report.byGroup.map((g) => g.rocAuc)).toEqual([1, null]);
    expect(report.rocAucDifference).toBe(0);
  });

  it('rejects keys of the wrong length, repeated groups and no attributes', () => {
    const code = { code: 'WARDEN_ERR_EVAL_INVALID_ARGUMENT' };
    expect(() => fairnessReport(['a', 'b'], [group(['x'], 1, 0, 0, 0)])).toThrow(
      expect.objectContaining(code),
    );
    expect(() => fairnessReport(['a'], [group(['x'], 1, 0, 0, 0), group(['x'], 1, 0, 0, 0)])).toThrow(
      expect.objectContaining(code),
    );
    expect(() => fairnessReport([], [])).toThrow(expect.objectContaining(code));
    const negative = {
      ...group(['x'], 1, 0, 0, 0),
      confusion: { ...group(['x'], 1, 0, 0, 0).confusion, falsePositives: -1 },
    };
    expect(() => fairnessReport(['a'], [negative])).toThrow(
      expect.objectContaining({ code: 'WARDEN_ERR_EVAL_INVALID_WEIGHT' }),
    );
  });
});

describe('aggregatePredictionRows', () => {
  it('rejects columns of different lengths, NaN scores and negative weights', () => {
    expect(() => aggregatePredictionRows({ labels: [true], scores: [0.1, 0.2] })).toThrow(
      expect.objectContaining({ code: 'WARDEN_ERR_EVAL_INVALID_ARGUMENT' }),
    );
    expect(() => aggregatePredictionRows({ labels: [true], scores: [Number.NaN] })).toThrow(
      expect.objectContaining({
        code: 'WARDEN_ERR_EVAL_INVALID_SCORE',
        message: expect.stringContaining('row 1'),
      }),
    );
    expect(() => aggregatePredictionRows({ labels: [true], scores: [0.5], weights: [-2] })).toThrow(
      expect.objectContaining({
        code: 'WARDEN_ERR_EVAL_INVALID_WEIGHT',
        message: expect.stringContaining('-2'),
      }),
    );
  });
});
