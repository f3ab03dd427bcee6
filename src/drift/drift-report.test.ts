import { describe, expect, it } from 'vitest';
import { isWardenError, mulberry32, sealEvidence, verifyEvidenceId } from '../core/index.js';
import { baselineFromColumns } from './baseline.js';
import { sturgesEdges } from './binning.js';
import { columnDrift } from './column-drift.js';
import { fillEmptyShares, jensenShannonDistance, psi } from './distances.js';
import { DriftAccumulator } from './drift-accumulator.js';
import {
  type BatchColumnDrift,
  baselineDriftReport,
  batchDriftReport,
  columnDriftEntry,
  columnsBySeverity,
  type DriftColumnInput,
  type DriftHistogram,
  type TestedColumnDrift,
  type UntestedColumnDrift,
} from './drift-report.js';

const uniform = (seed: number, size: number, offset = 0, scale = 1): Float64Array => {
  const random = mulberry32(seed);
  return Float64Array.from({ length: size }, () => offset + random() * scale);
};

const categories = (seed: number, size: number, names: readonly string[], weights: readonly number[]) => {
  const random = mulberry32(seed);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return Array.from({ length: size }, () => {
    let draw = random() * total;
    for (const [index, weight] of weights.entries()) {
      draw -= weight;
      if (draw < 0) return names[index] as string;
    }
    return names.at(-1) as string;
  });
};

const numeric = (name: string, reference: Float64Array, current: Float64Array): DriftColumnInput => ({
  name,
  type: 'numeric',
  role: 'feature',
  reference,
  current,
});

const categorical = (
  name: string,
  reference: readonly (string | null)[],
  current: readonly (string | null)[],
): DriftColumnInput => ({ name, type: 'categorical', role: 'feature', reference, current });

function thrown(action: () => unknown): { code: string; message: string } {
  try {
    action();
  } catch (error) {
    if (isWardenError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a WardenError');
}

const tested = (entry: BatchColumnDrift | undefined) => entry as TestedColumnDrift;
const untested = (entry: BatchColumnDrift | undefined) => entry as UntestedColumnDrift;
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

describe('batchDriftReport', () => {
  const shifted = numeric('income', uniform(1, 400, 0, 100), uniform(2, 300, 30, 100));
  const stable = categorical(
    'channel',
    categories(3, 400, ['web', 'shop', 'phone'], [5, 3, 2]),
    categories(4, 300, ['web', 'shop', 'phone'], [5, 3, 2]),
  );
  const steady = numeric('age', uniform(5, 400, 20, 50), uniform(6, 300, 20, 50));

  it('tests each column as columnDrift does and judges the dataset by the share of drifted columns', () => {
    const report = batchDriftReport([shifted, stable, steady]);
    expect(report.mode).toBe('batch');
    expect(Object.keys(report.columns)).toEqual(['income', 'channel', 'age']);
    for (const column of [shifted, stable, steady]) {
      const expected = columnDrift({ ...column, type: column.type } as never);
      const entry = tested(report.columns[column.name]);
      expect(entry.method).toBe(expected.method);
      expect(entry.statistic).toBe(expected.statistic);
      expect(entry.threshold).toBe(expected.threshold);
      expect(entry.drifted).toBe(expected.drifted);
    }
    expect(tested(report.columns['income']).method).toBe('ks');
    expect(tested(report.columns['income']).drifted).toBe(true);
    expect(tested(report.columns['channel']).method).toBe('chisquare');
    expect(report).toMatchObject({
      totalColumns: 3,
      testedColumns: 3,
      driftedColumns: 1,
      driftedShare: 1 / 3,
      driftShare: 0.5,
      datasetDrift: false,
      passed: true,
      driftedColumnNames: ['income'],
      skipped: [],
    });
  });

  it('reaches dataset drift at the configured share', () => {
    const report = batchDriftReport([shifted, stable, steady], { driftShare: 1 / 3 });
    expect(report.datasetDrift).toBe(true);
    expect(report.passed).toBe(false);
  });

  it('applies methods and thresholds per column and for all columns', () => {
    const report = batchDriftReport([shifted, stable, steady], {
      method: 'psi',
      methods: { channel: 'jensenshannon' },
      thresholds: { age: 0.5 },
    });
    expect(tested(report.columns['income']).method).toBe('psi');
    expect(tested(report.columns['channel']).method).toBe('jensenshannon');
    expect(tested(report.columns['age'])).toMatchObject({ method: 'psi', threshold: 0.5 });
  });

  it('counts missing values (null, NaN, ±Infinity) and leaves them out of the test', () => {
    const entry = tested(
      columnDriftEntry(
        numeric(
          'x',
          Float64Array.of(1, 2, Number.NaN, 3, Number.POSITIVE_INFINITY),
          Float64Array.of(1, 2, 3),
        ),
      ),
    );
    expect(entry).toMatchObject({ referenceRows: 3, referenceMissing: 2, currentRows: 3, currentMissing: 0 });
    const labels = tested(columnDriftEntry(categorical('c', ['a', null, 'b'], ['a', 'b', null, null])));
    expect(labels).toMatchObject({
      referenceMissing: 1,
      currentMissing: 2,
      referenceRows: 2,
      currentRows: 2,
    });
  });

  it('reports a column whose test cannot run instead of inventing a score, and leaves it out of the share', () => {
    const empty = numeric(
      'blank',
      uniform(7, 50),
      Float64Array.from({ length: 20 }, () => Number.NaN),
    );
    const report = batchDriftReport([shifted, empty, stable]);
    const entry = untested(report.columns['blank']);
    expect(entry.drifted).toBeNull();
    expect(entry.errorCode).toBe('WARDEN_ERR_DRIFT_TOO_FEW_ROWS');
    expect(entry.error).toMatch(/column 'blank': the current sample has no values left/);
    expect(entry).not.toHaveProperty('statistic');
    expect(entry).not.toHaveProperty('pValue');
    expect(report).toMatchObject({
      totalColumns: 3,
      testedColumns: 2,
      driftedColumns: 1,
      driftedShare: 0.5,
      datasetDrift: true,
    });
    expect(report.skipped).toEqual([{ column: 'blank', reason: entry.error }]);
  });

  it('keeps a chi-square over a single category untested, with the fix', () => {
    const constant = categorical('flag', Array(30).fill('yes'), Array(10).fill('yes'));
    const entry = untested(columnDriftEntry(constant, { method: 'chisquare' }));
    expect(entry).toMatchObject({ drifted: null, method: 'chisquare' });
    expect(entry.error).toMatch(/one, so its p-value is undefined; use method 'z'/);
    expect(tested(columnDriftEntry(constant))).toMatchObject({ method: 'z', statistic: 1, drifted: false });
  });

  it('refuses a report in which no column could be tested, naming each reason', () => {
    const { code, message } = thrown(() =>
      batchDriftReport([
        numeric('a', Float64Array.of(Number.NaN), Float64Array.of(1)),
        categorical('b', [null], ['x']),
      ]),
    );
    expect(code).toBe('WARDEN_ERR_DRIFT_TOO_FEW_ROWS');
    expect(message).toMatch(
      /^no column could be tested: a: column 'a': the reference sample .*; b: column 'b'/,
    );
  });

  it('writes a non-finite test statistic as null, so the evidence stays JSON', () => {
    const report = batchDriftReport([categorical('c', ['a', 'a', 'b', 'b'], ['a', 'b', 'c', 'c'])]);
    const entry = tested(report.columns['c']);
    expect(entry).toMatchObject({ method: 'chisquare', statistic: 0, testStatistic: null, drifted: true });
    const evidence = sealEvidence({
      kind: 'drift-report',
      subject: { type: 'dataset', name: 'x' },
      inputs: [],
      ...report,
    });
    expect(verifyEvidenceId(evidence)).toBe(true);
  });

  it('checks options before reading data: methods, columns, thresholds, drift share', () => {
    expect(thrown(() => batchDriftReport([shifted], { method: 'kss' as never }))).toMatchObject({
      code: 'WARDEN_ERR_DRIFT_INVALID_ARGUMENT',
      message: expect.stringMatching(/unknown drift method 'kss' \(did you mean "ks"\?\)/),
    });
    expect(thrown(() => batchDriftReport([shifted, stable], { thresholds: { incme: 0.2 } })).message).toMatch(
      /the threshold incme=0.2 names column 'incme', which is not compared \(did you mean "income"\?\)/,
    );
    expect(thrown(() => batchDriftReport([shifted], { threshold: Number.NaN })).code).toBe(
      'WARDEN_ERR_DRIFT_INVALID_ARGUMENT',
    );
    expect(thrown(() => batchDriftReport([shifted], { driftShare: 2 })).message).toMatch(/from 0 to 1/);
    expect(thrown(() => batchDriftReport([shifted, stable], { methods: { channel: 'ks' } }))).toMatchObject({
      code: 'WARDEN_ERR_DRIFT_INVALID_ARGUMENT',
      message: expect.stringMatching(/'ks' needs numeric values/),
    });
    expect(thrown(() => batchDriftReport([shifted, shifted])).message).toMatch(/given twice/);
  });
});

describe('histograms', () => {
  const histogram = (entry: BatchColumnDrift | undefined) => entry?.histogram as DriftHistogram;

  it('draws the Sturges bins PSI used, so the chart shows what was measured', () => {
    const reference = uniform(11, 600, 0, 50);
    const current = uniform(12, 500, 10, 50);
    const entry = tested(columnDriftEntry(numeric('x', reference, current), { method: 'psi' }));
    const bins = histogram(entry);
    if (bins.kind !== 'bins') throw new Error(`expected bins, got ${bins.kind}`);
    expect(bins.edges).toEqual(Array.from(sturgesEdges(Math.min(...reference), Math.max(...current), 1100)));
    expect(sum(bins.reference)).toBeCloseTo(1, 12);
    expect(sum(bins.current)).toBeCloseTo(1, 12);
    expect(psi(fillEmptyShares(bins.reference), fillEmptyShares(bins.current))).toBeCloseTo(
      entry.statistic,
      12,
    );
  });

  it('draws one bar per value where the method counted values', () => {
    const reference = Float64Array.from({ length: 200 }, (_, index) => index % 4);
    const current = Float64Array.from({ length: 100 }, (_, index) => (index % 5) % 4);
    const entry = tested(columnDriftEntry(numeric('grade', reference, current), { method: 'jensenshannon' }));
    const values = histogram(entry);
    expect(values).toEqual({
      kind: 'values',
      values: [0, 1, 2, 3],
      reference: [0.25, 0.25, 0.25, 0.25],
      current: [0.4, 0.2, 0.2, 0.2],
    });
    expect(jensenShannonDistance(values.reference, values.current)).toBeCloseTo(entry.statistic, 12);
  });

  it('draws Sturges bins over both samples for tests that do not bin', () => {
    const entry = tested(columnDriftEntry(numeric('x', uniform(13, 80), uniform(14, 40, 0.2))));
    expect(entry.method).toBe('ks');
    const bins = histogram(entry);
    expect(bins.kind).toBe('bins');
    if (bins.kind === 'bins') expect(bins.edges).toHaveLength(Math.ceil(Math.log2(120) + 1) + 1);
  });

  it('keeps the 20 most frequent categories over both samples and sums the rest', () => {
    const names = Array.from({ length: 25 }, (_, index) => `c${String(index).padStart(2, '0')}`);
    const weights = names.map((_, index) => 25 - index);
    const entry = tested(
      columnDriftEntry(
        categorical('shop', categories(15, 2000, names, weights), categories(16, 1500, names, weights)),
      ),
    );
    const top = histogram(entry);
    if (top.kind !== 'categories') throw new Error(`expected categories, got ${top.kind}`);
    expect(top.categories).toHaveLength(20);
    expect(top.categories[0]).toBe('c00');
    expect(top.other?.categories).toBe(5);
    expect(sum(top.reference) + (top.other?.reference ?? 0)).toBeCloseTo(1, 12);
    expect(sum(top.current) + (top.other?.current ?? 0)).toBeCloseTo(1, 12);
  });
});

describe('columnsBySeverity', () => {
  it('lists drifted columns first, furthest past the threshold first, untested ones last', () => {
    const report = batchDriftReport([
      numeric('steady', uniform(21, 300), uniform(22, 300)),
      numeric('blank', uniform(23, 30), Float64Array.of(Number.NaN)),
      numeric('slight', uniform(24, 300), uniform(25, 300, 0.15)),
      numeric('far', uniform(26, 300), uniform(27, 300, 0.8)),
    ]);
    expect(columnsBySeverity(report.columns)).toEqual(['far', 'slight', 'steady', 'blank']);
  });
});

describe('baselineDriftReport', () => {
  const rows = 3000;
  const referenceAge = uniform(31, rows, 20, 50);
  const referenceCity = categories(32, rows, ['north', 'south', 'east'], [3, 2, 1]);
  const baseline = baselineFromColumns(
    [
      { name: 'age', type: 'numeric', values: referenceAge },
      { name: 'city', type: 'categorical', values: referenceCity },
    ],
    {
      source: { uri: 'reference.csv', digest: `sha256:${'cd'.repeat(32)}` },
      windowRows: 500,
      createdAt: '2026-01-01T00:00:00.000Z',
    },
  );
  const windowOf = (age: Float64Array, city: string[], at: number) => {
    const accumulator = new DriftAccumulator(baseline, { sliceMillis: 1, windowSlices: 1 });
    accumulator.addBatch({ age, city }, at);
    return accumulator.scores();
  };

  it('reports the accumulator scores with their approximate flags and the baseline thresholds', () => {
    const window = windowOf(
      uniform(33, 500, 35, 50),
      categories(34, 500, ['north', 'south', 'east'], [3, 2, 1]),
      0,
    );
    const report = baselineDriftReport(baseline, [window]);
    expect(report.mode).toBe('baseline');
    const age = report.columns['age'];
    expect(age?.drifted).toBe(true);
    expect(age?.driftedOn).toEqual(window.features['age']?.driftedOn);
    expect(age?.scores.ks).toMatchObject({
      approximate: true,
      approximation: expect.stringMatching(/lower bound/),
    });
    expect(age?.scores.psi).toMatchObject({
      approximate: false,
      threshold: baseline.features['age']?.thresholds.psi,
    });
    expect(age?.comparison).toBe('distance > threshold');
    expect(age?.histogram).toMatchObject({ kind: 'buckets', buckets: baseline.features['age']?.buckets });
    expect(report.columns['city']?.drifted).toBe(false);
    expect(report.columns['city']?.scores.ks).toBeUndefined();
    expect(report).toMatchObject({
      testedColumns: 2,
      driftedColumns: 1,
      datasetDrift: true,
      passed: false,
      judgedBy: ['psi', 'jensenShannon'],
      baseline: { windowRows: 500, source: { uri: 'reference.csv', rows } },
    });
  });

  it('shows the worst window and fails when any window drifts', () => {
    const calm = windowOf(
      uniform(35, 500, 20, 50),
      categories(36, 500, ['north', 'south', 'east'], [3, 2, 1]),
      0,
    );
    const shiftedCity = windowOf(
      uniform(37, 500, 20, 50),
      categories(38, 500, ['north', 'south', 'east'], [1, 1, 6]),
      1,
    );
    const report = baselineDriftReport(baseline, [calm, shiftedCity, calm], 0.5);
    expect(report.windows.map((window) => window.datasetDrift)).toEqual([false, true, false]);
    expect(report.shownWindow).toBe(1);
    expect(report.driftedColumnNames).toEqual(['city']);
    expect(report.passed).toBe(false);
  });

  it('refuses a window without rows', () => {
    const empty = new DriftAccumulator(baseline, { sliceMillis: 1, windowSlices: 1 }).scores();
    expect(thrown(() => baselineDriftReport(baseline, [empty]))).toMatchObject({
      code: 'WARDEN_ERR_DRIFT_TOO_FEW_ROWS',
      message: expect.stringMatching(/feature 'age': the window has no rows/),
    });
  });
});
