import { describe, expect, it } from 'vitest';
import { isWardenError } from '../core/index.js';
import {
  type ColumnDriftInput,
  columnDrift,
  type DriftComparison,
  type DriftMethod,
  defaultDriftMethod,
} from './column-drift.js';
import { datasetDrift } from './dataset-drift.js';

function repeat<T>(counts: readonly (readonly [T, number])[]): T[] {
  return counts.flatMap(([value, count]) => Array<T>(count).fill(value));
}

const range = (size: number, offset = 0): number[] =>
  Array.from({ length: size }, (_, index) => index + offset);

/** Shares [.5, .3, .2] and [.3, .3, .4]: the research note's distance vectors as categorical rows. */
const noteCategories: ColumnDriftInput = {
  type: 'categorical',
  name: 'channel',
  reference: repeat([
    ['a', 50],
    ['b', 30],
    ['c', 20],
  ]),
  current: repeat([
    ['a', 30],
    ['b', 30],
    ['c', 40],
  ]),
};

function thrown(action: () => unknown): { code: string; message: string; hint: string | undefined } {
  try {
    action();
  } catch (error) {
    if (isWardenError(error)) return { code: error.code, message: error.message, hint: error.hint };
    throw error;
  }
  throw new Error('expected a WardenError');
}

describe('defaultDriftMethod', () => {
  it.each([
    ['numeric', 1000, 6, 'ks'],
    ['numeric', 1000, 5, 'chisquare'],
    ['numeric', 1000, 3, 'chisquare'],
    ['numeric', 1000, 2, 'z'],
    ['numeric', 1000, 1, 'z'],
    ['numeric', 1001, 6, 'wasserstein'],
    ['numeric', 1001, 5, 'jensenshannon'],
    ['numeric', 1001, 2, 'jensenshannon'],
    ['categorical', 1000, 3, 'chisquare'],
    ['categorical', 1000, 50, 'chisquare'],
    ['categorical', 1000, 2, 'z'],
    ['categorical', 1001, 2, 'jensenshannon'],
    ['categorical', 1001, 50, 'jensenshannon'],
  ] as const)('%s, %i reference rows, %i distinct values: %s', (type, rows, unique, method) => {
    expect(defaultDriftMethod(type, rows, unique)).toBe(method);
  });
});

/** Research note §1.5: the exact comparison each Evidently test makes. */
const researchNoteComparisons: Record<DriftMethod, DriftComparison> = {
  ks: 'p <= threshold',
  chisquare: 'p < threshold',
  z: 'p < threshold',
  wasserstein: 'distance >= threshold',
  jensenshannon: 'distance >= threshold',
  psi: 'distance >= threshold',
  kl_div: 'distance >= threshold',
  hellinger: 'distance >= threshold',
};

describe('thresholds exactly on the boundary', () => {
  const view = new DataView(new ArrayBuffer(8));
  /** The neighbouring double of x > 0, one step up or down. */
  const neighbour = (x: number, step: 1n | -1n): number => {
    view.setFloat64(0, x);
    view.setBigUint64(0, view.getBigUint64(0) + step);
    return view.getFloat64(0);
  };
  const chiSquareNote: ColumnDriftInput = {
    type: 'categorical',
    reference: repeat([
      ['a', 500],
      ['b', 300],
      ['c', 200],
    ]),
    current: repeat([
      ['a', 40],
      ['b', 35],
      ['c', 25],
    ]),
  };
  // Each score is SciPy's (research note §3.5 where it has one); ours may differ in the last bit.
  const cases: readonly { method: DriftMethod; column: ColumnDriftInput; score: number }[] = [
    {
      method: 'ks',
      column: { type: 'numeric', reference: [1, 2, 3, 4, 5], current: [3, 4, 5, 6, 7, 8] },
      score: 0.35714285714285715,
    },
    { method: 'chisquare', column: chiSquareNote, score: 0.12981217685543797 },
    {
      method: 'z',
      column: {
        type: 'categorical',
        reference: repeat([
          ['no', 30],
          ['yes', 70],
        ]),
        current: repeat([
          ['no', 45],
          ['yes', 55],
        ]),
      },
      score: 0.02845973691631065,
    },
    { method: 'psi', column: noteCategories, score: 0.2407945608651872 },
    { method: 'kl_div', column: noteCategories, score: 0.11678337577100631 },
    { method: 'jensenshannon', column: noteCategories, score: 0.17211473103812178 },
    { method: 'hellinger', column: noteCategories, score: 0.17279743315408114 },
    {
      method: 'wasserstein',
      column: { type: 'numeric', reference: range(100), current: range(100, 5) },
      score: 0.17321374166049874,
    },
  ];

  it.each(cases.map((testCase) => [testCase.method, testCase] as const))('%s', (method, testCase) => {
    const { statistic, comparison } = columnDrift(testCase.column, { method });
    expect(Math.abs(statistic - testCase.score)).toBeLessThanOrEqual(1e-15 * testCase.score);
    const at = columnDrift(testCase.column, { method, threshold: statistic }).drifted;
    const below = columnDrift(testCase.column, { method, threshold: neighbour(statistic, -1n) }).drifted;
    const above = columnDrift(testCase.column, { method, threshold: neighbour(statistic, 1n) }).drifted;
    if (comparison === 'p <= threshold') expect([below, at, above]).toEqual([false, true, true]);
    if (comparison === 'p < threshold') expect([below, at, above]).toEqual([false, false, true]);
    if (comparison === 'distance >= threshold') expect([below, at, above]).toEqual([true, true, false]);
    expect(comparison).toBe(researchNoteComparisons[method]);
  });

  it('reports the comparison it applied', () => {
    expect(columnDrift(noteCategories, { method: 'chisquare' }).comparison).toBe('p < threshold');
    expect(columnDrift(noteCategories, { method: 'psi' }).comparison).toBe('distance >= threshold');
    expect(
      columnDrift({ type: 'numeric', reference: [1, 2, 3, 4, 5], current: [3, 4, 5, 6, 7, 8] }).comparison,
    ).toBe('p <= threshold');
  });
});

describe('results', () => {
  it('uses the default method and threshold, and carries p-value and test statistic', () => {
    const result = columnDrift({ type: 'numeric', reference: [1, 2, 3, 4, 5], current: [3, 4, 5, 6, 7, 8] });
    expect(result).toEqual({
      method: 'ks',
      statistic: 0.35714285714285715,
      pValue: 0.35714285714285715,
      testStatistic: 0.5,
      threshold: 0.05,
      comparison: 'p <= threshold',
      drifted: false,
      referenceRows: 5,
      currentRows: 6,
      uniqueValues: 8,
    });
  });

  it('gives distances without a p-value', () => {
    const result = columnDrift(noteCategories, { method: 'jensenshannon' });
    expect(result.pValue).toBeUndefined();
    expect(result.testStatistic).toBeUndefined();
    expect(result.threshold).toBe(0.1);
    expect(result.drifted).toBe(true);
  });

  it('finds no drift between identical samples, whatever the method', () => {
    const values = range(40).map((value) => (value * 7) % 11);
    const numeric: ColumnDriftInput = { type: 'numeric', reference: values, current: [...values].reverse() };
    for (const method of [
      'ks',
      'chisquare',
      'z',
      'wasserstein',
      'jensenshannon',
      'psi',
      'kl_div',
      'hellinger',
    ] as const) {
      const result = columnDrift(numeric, { method });
      expect(result.drifted, method).toBe(false);
      expect(result.statistic, method).toBe(result.pValue === undefined ? 0 : 1);
    }
  });

  it('finds drift between disjoint samples, whatever the method', () => {
    const numeric: ColumnDriftInput = { type: 'numeric', reference: range(40), current: range(40, 100) };
    for (const method of [
      'ks',
      'chisquare',
      'wasserstein',
      'jensenshannon',
      'psi',
      'kl_div',
      'hellinger',
    ] as const) {
      expect(columnDrift(numeric, { method }).drifted, method).toBe(true);
    }
    const constants: ColumnDriftInput = {
      type: 'numeric',
      reference: [0, 0, 0, 0, 0, 0],
      current: [1, 1, 1, 1, 1],
    };
    expect(columnDrift(constants).method).toBe('z');
    expect(columnDrift(constants).drifted).toBe(true);
    const categorical: ColumnDriftInput = {
      type: 'categorical',
      reference: repeat([['a', 10]]),
      current: repeat([['b', 10]]),
    };
    expect(columnDrift(categorical, { method: 'jensenshannon' }).statistic).toBeCloseTo(
      Math.sqrt(Math.LN2),
      15,
    );
    expect(columnDrift(categorical, { method: 'hellinger' }).statistic).toBe(1);
  });

  it('treats a constant column on both sides as no drift for z (p = 1, no z)', () => {
    const result = columnDrift({ type: 'numeric', reference: [4, 4, 4], current: [4, 4] });
    expect(result.method).toBe('z');
    expect(result.statistic).toBe(1);
    expect(result.testStatistic).toBeUndefined();
    expect(result.drifted).toBe(false);
    expect(result.uniqueValues).toBe(1);
  });

  it('normalises the Wasserstein distance by max(σ, 0.001) of the reference', () => {
    const result = columnDrift(
      { type: 'numeric', reference: Array<number>(10).fill(2), current: Array<number>(10).fill(2.5) },
      { method: 'wasserstein' },
    );
    expect(result.statistic).toBeCloseTo(500, 9);
  });

  it('drops null, NaN and ±Infinity before counting rows and values', () => {
    const result = columnDrift({
      type: 'numeric',
      reference: [1, null, 2, Number.NaN, 3, undefined, Number.POSITIVE_INFINITY],
      current: [Number.NEGATIVE_INFINITY, 2, 3, 4],
    });
    expect(result.referenceRows).toBe(3);
    expect(result.currentRows).toBe(3);
    expect(result.uniqueValues).toBe(4);
    const categorical = columnDrift({
      type: 'categorical',
      reference: ['a', null, 'b', undefined, Number.NaN],
      current: ['a', 'a'],
    });
    expect(categorical.referenceRows).toBe(2);
    expect(categorical.uniqueValues).toBe(2);
  });

  it('orders categories as Python does to pick the z-test reference category', () => {
    // 'B' < 'a' by code point, so the z-test compares the share of rows that are not 'B'.
    const result = columnDrift({
      type: 'categorical',
      reference: repeat([
        ['a', 70],
        ['B', 30],
      ]),
      current: repeat([
        ['a', 55],
        ['B', 45],
      ]),
    });
    expect(result.method).toBe('z');
    expect(result.testStatistic).toBeCloseTo(2.1908902300206634, 14);
    // Astral code points sort after U+E000..U+FFFF by code point (not by UTF-16 code unit).
    const astral = columnDrift({
      type: 'categorical',
      reference: repeat([
        ['\u{1F600}', 70],
        ['\uE000', 30],
      ]),
      current: repeat([
        ['\u{1F600}', 55],
        ['\uE000', 45],
      ]),
    });
    expect(astral.testStatistic).toBeCloseTo(2.1908902300206634, 14);
  });

  it('reads typed arrays', () => {
    const result = columnDrift({
      type: 'numeric',
      reference: Float64Array.from([1, 2, 3, 4, 5]),
      current: Float64Array.from([3, 4, 5, 6, 7, 8]),
    });
    expect(result.pValue).toBe(0.35714285714285715);
  });
});

describe('errors', () => {
  it('refuses a side left empty after dropping missing values', () => {
    const error = thrown(() =>
      columnDrift({ type: 'numeric', name: 'age', reference: [1, 2], current: [Number.NaN, null] }),
    );
    expect(error.code).toBe('WARDEN_ERR_DRIFT_TOO_FEW_ROWS');
    expect(error.message).toBe(
      "column 'age': the current sample has no values left after dropping missing ones (null, NaN, ±Infinity): 2 rows given, 0 kept",
    );
    expect(thrown(() => columnDrift({ type: 'categorical', reference: [], current: ['a'] })).message).toMatch(
      /^column: the reference sample has no values left .*: 0 rows given, 0 kept$/,
    );
  });

  it('refuses chi-square over a single category instead of reporting an undefined p-value', () => {
    const error = thrown(() =>
      columnDrift(
        { type: 'categorical', name: 'plan', reference: ['x', 'x'], current: ['x'] },
        { method: 'chisquare' },
      ),
    );
    expect(error.message).toMatch(/^column 'plan': the chi-square test needs at least two distinct values/);
    expect(error.hint).toMatch(/method 'z'/);
  });

  it('refuses numeric-only methods on categorical columns', () => {
    for (const method of ['ks', 'wasserstein'] as const) {
      const error = thrown(() => columnDrift(noteCategories, { method }));
      expect(error.message).toBe(
        `column 'channel': method '${method}' needs numeric values and the column is categorical`,
      );
    }
  });

  it('refuses unknown methods and thresholds that are not finite', () => {
    expect(thrown(() => columnDrift(noteCategories, { method: 'cramer' as DriftMethod })).message).toBe(
      "column 'channel': unknown drift method 'cramer'",
    );
    expect(thrown(() => columnDrift(noteCategories, { threshold: Number.NaN })).message).toMatch(
      /threshold NaN/,
    );
  });

  it('refuses to order strings against numbers for the z-test, as Python does', () => {
    const error = thrown(() => columnDrift({ type: 'categorical', reference: ['a', 1], current: ['a'] }));
    expect(error.message).toMatch(/cannot order 1 against "x"/);
  });
});

describe('datasetDrift', () => {
  const columns = (drifted: number, total: number) =>
    Array.from({ length: total }, (_, index) => ({ drifted: index < drifted }));

  it('drifts when the drifted share reaches drift_share (default 0.5)', () => {
    expect(datasetDrift(columns(2, 4))).toEqual({
      columns: 4,
      driftedColumns: 2,
      driftedShare: 0.5,
      driftShare: 0.5,
      datasetDrift: true,
    });
    expect(datasetDrift(columns(1, 3)).datasetDrift).toBe(false);
    expect(datasetDrift(columns(1, 3), 1 / 3).datasetDrift).toBe(true);
    expect(datasetDrift(columns(0, 3), 0).datasetDrift).toBe(true);
  });

  it('refuses no columns and drift shares outside [0, 1]', () => {
    expect(() => datasetDrift([])).toThrow(/no column results/);
    expect(() => datasetDrift(columns(1, 2), 1.5)).toThrow(/drift share 1.5/);
    expect(() => datasetDrift(columns(1, 2), Number.NaN)).toThrow(/drift share NaN/);
  });
});
