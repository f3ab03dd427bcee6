import { describe, expect, it } from 'vitest';
import {
  type DataCheckResult,
  type FairnessEntry,
  rateCharts,
  resultsWorstFirst,
  type ThresholdResult,
} from './evidence';

const group = (label: string, tpr: number, fpr: number, tooSmall = false) => ({
  group: { Age: label },
  count: tooSmall ? 10 : 100,
  selectionRate: (tpr + fpr) / 2,
  truePositiveRate: tpr,
  falsePositiveRate: fpr,
  tooSmall,
});

const age: FairnessEntry = {
  attributes: ['Age'],
  byGroup: [
    group('young', 0.69, 0.3),
    group('middle', 0.53, 0.09),
    group('old', 0.45, 0.05),
    group('tiny', 0, 0.9, true),
  ],
};

const equalizedOdds: ThresholdResult = {
  metric: 'equalizedOddsDifference',
  operator: '<=',
  threshold: 0.2,
  observed: 0.25,
  passed: false,
  message: '',
  attributes: ['Age'],
};

describe('rateCharts', () => {
  it('draws TPR and FPR for an equalized-odds threshold, with the band from the lowest judged group', () => {
    const [tpr, fpr] = rateCharts(age, [equalizedOdds]);
    expect(tpr?.rate).toBe('truePositiveRate');
    expect(tpr?.band?.from).toBeCloseTo(0.45);
    expect(tpr?.band?.to).toBeCloseTo(0.65);
    expect(tpr?.outside).toEqual(['young']);
    // The too-small group is drawn but neither anchors the band nor counts as outside it.
    expect(fpr?.band?.from).toBeCloseTo(0.05);
    expect(fpr?.outside).toEqual(['young']);
    expect(fpr?.groups.map((g) => g.label)).toEqual(['young', 'middle', 'old', 'tiny']);
  });

  it('anchors a ratio threshold at the highest group, and ignores thresholds of other attributes', () => {
    const ratio: ThresholdResult = {
      ...equalizedOdds,
      metric: 'demographicParityRatio',
      operator: '>=',
      threshold: 0.8,
    };
    const [selection] = rateCharts(age, [ratio, { ...equalizedOdds, attributes: ['Marital'] }]);
    expect(selection?.rate).toBe('selectionRate');
    expect(selection?.band?.to).toBeCloseTo(0.495);
    expect(selection?.band?.from).toBeCloseTo(0.396);
    expect(selection?.outside).toEqual(['middle', 'old']);
  });

  it('shows the selection rate without a band when no threshold applies', () => {
    const charts = rateCharts(age, []);
    expect(charts).toHaveLength(1);
    expect(charts[0]).toMatchObject({ rate: 'selectionRate', outside: [] });
    expect(charts[0]?.band).toBeUndefined();
  });
});

describe('resultsWorstFirst', () => {
  it('puts failed errors, then failed warnings, before passes, keeping check order within each', () => {
    const result = (
      check: string,
      passed: boolean,
      severity: DataCheckResult['severity'],
    ): DataCheckResult => ({
      check,
      metric: 'm',
      severity,
      passed,
      observed: 0,
    });
    const ordered = resultsWorstFirst([
      result('a', true, 'error'),
      result('b', false, 'warning'),
      result('c', false, 'error'),
      result('d', false, 'info'),
      result('e', false, 'error'),
    ]);
    expect(ordered.map((r) => r.check)).toEqual(['c', 'e', 'b', 'd', 'a']);
  });
});
