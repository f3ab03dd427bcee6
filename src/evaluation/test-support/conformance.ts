/**
 * Test support for the conformance suite: loads the recorded scikit-learn / Fairlearn fixtures
 * (fixtures/generate.py) and computes the same shape of result with this module, starting from the
 * compact inputs that aggregatePredictionRows builds — the inputs the DuckDB queries produce.
 * Used by tests only.
 */
import { readFileSync } from 'node:fs';
import {
  balancedAccuracy,
  difference,
  type FairnessReport,
  f1,
  fairnessReport,
  falseNegativeRate,
  falsePositiveRate,
  groupMax,
  groupMin,
  performanceReport,
  precision,
  ratio,
  recall,
  rocAuc,
  trueNegativeRate,
  truePositiveRate,
} from '../index.js';
import { type AggregatedGroup, aggregatePredictionRows } from '../row-aggregation.js';

export interface FixtureCase {
  name: string;
  source: string;
  rows: {
    label: number[];
    score?: number[];
    prediction?: number[];
    weight?: number[];
    sensitive?: Record<string, (string | null)[]>;
  };
  threshold?: number;
  calibrationBins?: number;
  groupings?: string[][];
  expected: unknown;
}

export interface FixtureFile {
  description: string;
  versions: Record<string, string>;
  cases: FixtureCase[];
}

/** Reads a fixture; the strings "NaN", "Infinity" and "-Infinity" stand for those numbers. */
export function loadFixture(name: string): FixtureFile {
  const text = readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
  return JSON.parse(text, (_key, value) => {
    if (value === 'NaN') return Number.NaN;
    if (value === 'Infinity') return Number.POSITIVE_INFINITY;
    if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
    return value;
  }) as FixtureFile;
}

/** The conformance tolerance: 1e-9 relative, with a 1e-12 absolute floor for values near 0. */
export const relativeTolerance = 1e-9;
export const absoluteTolerance = 1e-12;

/**
 * Numbers agree when both are NaN (an undefined metric, which the reports write as null), both
 * are the same infinity, or they are within the conformance tolerance.
 */
export function numbersAgree(actual: number | null, expected: number | null): boolean {
  const a = actual ?? Number.NaN;
  const e = expected ?? Number.NaN;
  if (Number.isNaN(a) || Number.isNaN(e)) return Number.isNaN(a) && Number.isNaN(e);
  if (!Number.isFinite(a) || !Number.isFinite(e)) return a === e;
  const gap = Math.abs(a - e);
  return gap <= absoluteTolerance || gap <= relativeTolerance * Math.max(Math.abs(a), Math.abs(e));
}

/**
 * Every value in `expected` must be in `actual` and agree (numbers within the tolerance, arrays
 * of equal length, other values equal); keys only `actual` has are ignored. Returns the
 * disagreements, each with its path.
 */
export function disagreements(actual: unknown, expected: unknown, path = ''): string[] {
  if (
    typeof expected === 'number' ||
    (expected === null && (actual === null || typeof actual === 'number'))
  ) {
    const ok =
      (typeof actual === 'number' || actual === null) && numbersAgree(actual, expected as number | null);
    return ok ? [] : [`${path}: got ${String(actual)}, expected ${String(expected)}`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return [`${path}: got ${JSON.stringify(actual)}, expected ${expected.length} items`];
    }
    return expected.flatMap((item, i) => disagreements(actual[i], item, `${path}[${i}]`));
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null) return [`${path}: missing`];
    return Object.entries(expected).flatMap(([key, value]) =>
      key in actual
        ? disagreements((actual as Record<string, unknown>)[key], value, `${path}.${key}`)
        : [`${path}.${key}: missing`],
    );
  }
  return Object.is(actual, expected) ? [] : [`${path}: got ${String(actual)}, expected ${String(expected)}`];
}

const perGroupMetrics = [
  'count',
  'selectionRate',
  'truePositiveRate',
  'falsePositiveRate',
  'falseNegativeRate',
  'trueNegativeRate',
  'accuracy',
  'precision',
  'recall',
  'rocAuc',
] as const;

/** The default groupings of the generator: each attribute, then all of them together. */
export function defaultGroupings(attributes: string[]): string[][] {
  const groupings = attributes.map((attribute) => [attribute]);
  if (attributes.length > 1) groupings.push(attributes);
  return groupings;
}

/** Everything a fixture case can expect, computed by this module from compact inputs. */
export function evaluateCase(fixture: FixtureCase): Record<string, unknown> {
  const { rows } = fixture;
  const threshold = fixture.threshold ?? 0.5;
  const calibrationBins = fixture.calibrationBins ?? 10;
  const groupings = fixture.groupings ?? defaultGroupings(Object.keys(rows.sensitive ?? {}));
  const aggregated = aggregatePredictionRows(
    {
      labels: rows.label.map((label) => label === 1),
      ...(rows.score === undefined ? {} : { scores: rows.score }),
      ...(rows.prediction === undefined ? {} : { predictions: rows.prediction.map((p) => p === 1) }),
      ...(rows.weight === undefined ? {} : { weights: rows.weight }),
      ...(rows.sensitive === undefined ? {} : { sensitive: rows.sensitive }),
    },
    { threshold, calibrationBins, groupings },
  );
  const { overall } = aggregated;
  const c = overall.confusion;
  const report = performanceReport(overall, { threshold, calibrationBins });
  const performance: Record<string, unknown> = {
    ...report,
    balancedAccuracy: balancedAccuracy(c),
    truePositiveRate: truePositiveRate(c),
    falsePositiveRate: falsePositiveRate(c),
    falseNegativeRate: falseNegativeRate(c),
    trueNegativeRate: trueNegativeRate(c),
    precisionZeroDivision1: precision(c, 1),
    recallZeroDivision1: recall(c, 1),
    f1ZeroDivision1: f1(c, 1),
  };
  if (report.calibration !== undefined) {
    const bins = report.calibration.bins;
    performance['calibration'] = {
      bins: bins.map((bin) => bin.bin),
      count: bins.map((bin) => bin.count),
      fractionPositive: bins.map((bin) => bin.fractionPositive),
      meanPredicted: bins.map((bin) => bin.meanPredicted),
      expectedCalibrationError: report.calibration.expectedCalibrationError,
    };
  }
  const overallRocAuc = overall.ranking === undefined ? Number.NaN : rocAuc(overall.ranking);
  const overallValues: Record<(typeof perGroupMetrics)[number], number> = {
    count: overall.count,
    selectionRate: (report.selectionRate as number | null) ?? Number.NaN,
    truePositiveRate: truePositiveRate(c),
    falsePositiveRate: falsePositiveRate(c),
    falseNegativeRate: falseNegativeRate(c),
    trueNegativeRate: trueNegativeRate(c),
    accuracy: report.accuracy ?? Number.NaN,
    precision: precision(c),
    recall: recall(c),
    rocAuc: overallRocAuc,
  };
  const fairness = aggregated.groupings.map(({ attributes, groups }) => {
    const report = (method: 'betweenGroups' | 'toOverall', equalizedOdds: 'worstCase' | 'mean') =>
      fairnessReport(attributes, groups, { method, equalizedOdds, overallRocAuc });
    const between = report('betweenGroups', 'worstCase');
    const byKey = new Map(groups.map((group) => [JSON.stringify(group.key), group]));
    const byGroup = between.byGroup.map((entry) => {
      const input = byKey.get(JSON.stringify(attributes.map((a) => entry.group[a]))) as AggregatedGroup;
      return { ...entry, precision: precision(input.confusion), recall: recall(input.confusion) };
    });
    const metrics = Object.fromEntries(
      perGroupMetrics.map((name) => {
        const values = byGroup.map((entry) => (entry[name] as number | null | undefined) ?? Number.NaN);
        const overallValue = overallValues[name];
        return [
          name,
          {
            groupMin: groupMin(values),
            groupMax: groupMax(values),
            difference: difference(values),
            ratio: ratio(values),
            differenceToOverall: difference(values, 'toOverall', overallValue),
            ratioToOverall: ratio(values, 'toOverall', overallValue),
          },
        ];
      }),
    );
    return {
      attributes,
      byGroup,
      emptyGroups: between.emptyGroups,
      missingValueRows: between.missingValueRows,
      betweenGroups: aggregatesOf(between, report('betweenGroups', 'mean')),
      toOverall: aggregatesOf(report('toOverall', 'worstCase'), report('toOverall', 'mean')),
      metrics,
    };
  });
  return { performance, fairness };
}

function aggregatesOf(
  worstCase: FairnessReport,
  mean: FairnessReport,
): Record<string, number | null | undefined> {
  return {
    demographicParityDifference: worstCase.demographicParityDifference,
    demographicParityRatio: worstCase.demographicParityRatio,
    equalizedOddsDifference: worstCase.equalizedOddsDifference,
    equalizedOddsRatio: worstCase.equalizedOddsRatio,
    equalizedOddsDifferenceMean: mean.equalizedOddsDifference,
    equalizedOddsRatioMean: mean.equalizedOddsRatio,
    equalOpportunityDifference: worstCase.equalOpportunityDifference,
    equalOpportunityRatio: worstCase.equalOpportunityRatio,
    rocAucDifference: worstCase.rocAucDifference,
  };
}
