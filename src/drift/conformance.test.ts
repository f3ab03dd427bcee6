import { afterAll, describe, expect, it } from 'vitest';
import { histogramCounts, sturgesEdges } from './binning.js';
import {
  type ColumnDriftInput,
  type ColumnDriftResult,
  columnDrift,
  type DriftMethod,
} from './column-drift.js';
import {
  chiSquareGoodnessOfFit,
  fillEmptyShares,
  hellingerDistance,
  jensenShannonDistance,
  klDivergence,
  psi,
  rescaleExpectedCounts,
} from './distances.js';
import { kolmogorovSurvival } from './kolmogorov-distribution.js';
import { kolmogorovSmirnovTwoSample } from './kolmogorov-smirnov.js';
import { pairwiseSum } from './pairwise-sum.js';
import { ErrorTally, loadFixture, type SampleSpec, sample, sortedNumbers } from './test-support/fixtures.js';
import {
  normedWassersteinDistanceOfSorted,
  populationStandardDeviation,
  wassersteinDistance,
  wassersteinDistanceOfSorted,
} from './wasserstein.js';
import { twoProportionZTest } from './z-test.js';

/**
 * Conformance with SciPy 1.17.1 and Evidently's batch drift: every value recorded by
 * fixtures/generate.py is reproduced. Statistics and distances agree to 1e-9 relative; p-values to
 * 1e-6 absolute, which is the contract, and — where they are normal floats — to 1e-9 relative,
 * which is what the port achieves. The largest gaps are printed at the end.
 */

const statisticTolerance = 1e-9;
const pValueAbsoluteTolerance = 1e-6;
const pValueRelativeTolerance = 1e-9;
const tally = new ErrorTally();
afterAll(() => {
  console.log(`largest gaps to SciPy / Evidently:\n${tally.summary()}`);
});

function expectStatistic(label: string, actual: number | undefined, expected: number): void {
  expect(actual, label).toBeTypeOf('number');
  tally.record(label, actual as number, expected);
  if (!Number.isFinite(expected)) {
    expect(actual, label).toBe(expected);
    return;
  }
  const gap = Math.abs((actual as number) - expected);
  expect(gap, `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    statisticTolerance * Math.abs(expected),
  );
}

function expectPValue(label: string, actual: number | undefined, expected: number): void {
  expect(actual, label).toBeTypeOf('number');
  tally.record(label, actual as number, expected);
  const gap = Math.abs((actual as number) - expected);
  expect(gap, `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(pValueAbsoluteTolerance);
  if (expected >= 2.2250738585072014e-308) {
    expect(gap, `${label} (relative): ${actual} vs ${expected}`).toBeLessThanOrEqual(
      pValueRelativeTolerance * expected,
    );
  }
}

interface Fixture {
  description: string;
  versions: Record<string, string>;
}

interface KsCase {
  name: string;
  reference: SampleSpec;
  current: SampleSpec;
  expected: { statistic: number; pValue: number; pValueMethod: 'exact' | 'asymptotic' };
}

interface ChiSquareCase {
  name: string;
  observed: number[];
  referenceCounts: number[];
  expected: { expectedCounts: number[]; statistic: number; pValue: number; degreesOfFreedom: number };
}

type WassersteinCase = { name: string; expected: number } & (
  | { u: number[]; v: number[]; uWeights?: number[]; vWeights?: number[] }
  | { uSample: SampleSpec; vSample: SampleSpec; expectedNormed: number }
);

interface DistanceCase {
  name: string;
  reference: number[];
  current: number[];
  expected: {
    filledReference: number[];
    filledCurrent: number[];
    psi: number;
    psiUnfilled: number | null;
    klDivergence: number;
    klDivergenceUnfilled: number;
    jensenShannon: number;
    hellinger: number;
  };
}

interface ZCase {
  name: string;
  referenceSuccesses: number;
  referenceRows: number;
  currentSuccesses: number;
  currentRows: number;
  expected: { statistic: number; pValue: number };
}

interface KolmogorovCase {
  region: string;
  n: number;
  d: number;
  sf: number;
}

interface HistogramCase {
  name: string;
  sample: SampleSpec;
  edges: number[];
  counts: number[];
  sum: number;
  std: number;
}

interface ColumnCase {
  name: string;
  type: 'numeric' | 'categorical';
  method?: DriftMethod;
  threshold?: number;
  reference: SampleSpec;
  current: SampleSpec;
  expected: Omit<ColumnDriftResult, 'comparison'>;
}

const scipyCases = loadFixture<
  Fixture & {
    ks: KsCase[];
    chisquare: ChiSquareCase[];
    wasserstein: WassersteinCase[];
    distances: DistanceCase[];
    z: ZCase[];
    kstwo: KolmogorovCase[];
    histograms: HistogramCase[];
  }
>('scipy-cases.json');
const evidentlyColumns = loadFixture<Fixture & { columns: ColumnCase[] }>('evidently-columns.json');

it('fixtures were generated with SciPy 1.17.1 and NumPy 2.4', () => {
  for (const fixture of [scipyCases, evidentlyColumns]) {
    expect(fixture.versions.scipy).toBe('1.17.1');
    expect(fixture.versions.numpy).toMatch(/^2\.4\./);
  }
});

describe('ks_2samp', () => {
  it('covers exact and asymptotic p-values', () => {
    const methods = scipyCases.ks.map((testCase) => testCase.expected.pValueMethod);
    expect(methods.filter((method) => method === 'exact').length).toBeGreaterThan(50);
    expect(methods.filter((method) => method === 'asymptotic').length).toBeGreaterThan(10);
  });

  it.each(scipyCases.ks.map((testCase) => [testCase.name, testCase] as const))('%s', (_name, testCase) => {
    const result = kolmogorovSmirnovTwoSample(
      sortedNumbers(testCase.reference),
      sortedNumbers(testCase.current),
    );
    expect(result.pValueMethod).toBe(testCase.expected.pValueMethod);
    expectStatistic(`ks D (${result.pValueMethod})`, result.statistic, testCase.expected.statistic);
    expectPValue(`ks p (${result.pValueMethod})`, result.pValue, testCase.expected.pValue);
  });
});

describe('chisquare', () => {
  it.each(scipyCases.chisquare.map((testCase) => [testCase.name, testCase] as const))(
    '%s',
    (_name, testCase) => {
      const observedTotal = testCase.observed.reduce((sum, count) => sum + count, 0);
      const expectedCounts = rescaleExpectedCounts(testCase.referenceCounts, observedTotal);
      expect(Array.from(expectedCounts)).toEqual(testCase.expected.expectedCounts);
      const result = chiSquareGoodnessOfFit(testCase.observed, expectedCounts);
      expect(result.degreesOfFreedom).toBe(testCase.expected.degreesOfFreedom);
      expectStatistic('chisquare χ²', result.statistic, testCase.expected.statistic);
      expectPValue('chisquare p', result.pValue, testCase.expected.pValue);
    },
  );
});

describe('wasserstein_distance', () => {
  it.each(scipyCases.wasserstein.map((testCase) => [testCase.name, testCase] as const))(
    '%s',
    (_name, testCase) => {
      if ('u' in testCase) {
        const distance = wassersteinDistance(testCase.u, testCase.v, testCase.uWeights, testCase.vWeights);
        const label = testCase.uWeights === undefined ? 'wasserstein' : 'wasserstein, weighted';
        expectStatistic(label, distance, testCase.expected);
        return;
      }
      const u = sortedNumbers(testCase.uSample);
      const v = sortedNumbers(testCase.vSample);
      expectStatistic('wasserstein', wassersteinDistanceOfSorted(u, v), testCase.expected);
      expectStatistic(
        'wasserstein',
        wassersteinDistance(sample(testCase.uSample) as number[], v),
        testCase.expected,
      );
      expectStatistic(
        'wasserstein, normed',
        normedWassersteinDistanceOfSorted(u, v),
        testCase.expectedNormed,
      );
    },
  );
});

describe('distances over shares', () => {
  it.each(scipyCases.distances.map((testCase) => [testCase.name, testCase] as const))(
    '%s',
    (_name, testCase) => {
      const { reference, current, expected } = testCase;
      const filledReference = fillEmptyShares(reference);
      const filledCurrent = fillEmptyShares(current);
      expect(Array.from(filledReference)).toEqual(expected.filledReference);
      expect(Array.from(filledCurrent)).toEqual(expected.filledCurrent);
      expectStatistic('psi (Evidently fill)', psi(filledReference, filledCurrent), expected.psi);
      if (expected.psiUnfilled !== null)
        expectStatistic('psi', psi(reference, current), expected.psiUnfilled);
      expectStatistic(
        'entropy (Evidently fill)',
        klDivergence(filledReference, filledCurrent),
        expected.klDivergence,
      );
      expectStatistic('entropy', klDivergence(reference, current), expected.klDivergenceUnfilled);
      expectStatistic('jensenshannon', jensenShannonDistance(reference, current), expected.jensenShannon);
      expectStatistic('hellinger', hellingerDistance(reference, current), expected.hellinger);
    },
  );
});

describe('two-proportion Z-test', () => {
  it.each(scipyCases.z.map((testCase) => [testCase.name, testCase] as const))('%s', (_name, testCase) => {
    const result = twoProportionZTest(
      testCase.referenceSuccesses,
      testCase.referenceRows,
      testCase.currentSuccesses,
      testCase.currentRows,
    );
    expectStatistic('z', result.statistic, testCase.expected.statistic);
    expectPValue('z p', result.pValue, testCase.expected.pValue);
  });
});

describe('kstwo.sf', () => {
  it.each(
    scipyCases.kstwo.map(
      (testCase) => [`${testCase.region}: n ${testCase.n}, d ${testCase.d}`, testCase] as const,
    ),
  )('%s', (_name, testCase) => {
    expectPValue('kstwo.sf', kolmogorovSurvival(testCase.n, testCase.d), testCase.sf);
  });
});

describe('NumPy Sturges edges, histograms, sums', () => {
  it.each(scipyCases.histograms.map((testCase) => [testCase.name, testCase] as const))(
    '%s',
    (_name, testCase) => {
      const sorted = sortedNumbers(testCase.sample);
      const values = sample(testCase.sample) as number[];
      const edges = sturgesEdges(sorted[0] as number, sorted[sorted.length - 1] as number, sorted.length);
      expect(Array.from(edges)).toEqual(testCase.edges);
      expect(Array.from(histogramCounts(sorted, edges))).toEqual(testCase.counts);
      expect(pairwiseSum(values)).toBe(testCase.sum);
      expectStatistic('np.std', populationStandardDeviation(values), testCase.std);
    },
  );
});

describe('Evidently column drift', () => {
  it.each(evidentlyColumns.columns.map((testCase) => [testCase.name, testCase] as const))(
    '%s',
    (_name, testCase) => {
      const column = {
        type: testCase.type,
        name: testCase.name,
        reference: sample(testCase.reference),
        current: sample(testCase.current),
      } as ColumnDriftInput;
      const options = {
        ...(testCase.method === undefined ? {} : { method: testCase.method }),
        ...(testCase.threshold === undefined ? {} : { threshold: testCase.threshold }),
      };
      const result = columnDrift(column, options);
      const { expected } = testCase;
      expect({
        method: result.method,
        threshold: result.threshold,
        drifted: result.drifted,
        referenceRows: result.referenceRows,
        currentRows: result.currentRows,
        uniqueValues: result.uniqueValues,
      }).toEqual({
        method: expected.method,
        threshold: expected.threshold,
        drifted: expected.drifted,
        referenceRows: expected.referenceRows,
        currentRows: expected.currentRows,
        uniqueValues: expected.uniqueValues,
      });
      if (expected.pValue === undefined) {
        expect(result.pValue).toBeUndefined();
        expectStatistic(`column ${expected.method}`, result.statistic, expected.statistic);
      } else {
        expectPValue(`column ${expected.method} p`, result.statistic, expected.statistic);
        expect(result.pValue).toBe(result.statistic);
      }
      if (expected.testStatistic === undefined) expect(result.testStatistic).toBeUndefined();
      else
        expectStatistic(
          `column ${expected.method} test statistic`,
          result.testStatistic,
          expected.testStatistic,
        );
    },
  );
});
