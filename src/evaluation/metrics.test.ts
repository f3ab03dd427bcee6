import { describe, expect, it } from 'vitest';
import {
  accuracy,
  balancedAccuracy,
  brierScore,
  type CalibrationBinAggregate,
  calibrationBinIndex,
  calibrationCurve,
  clipProbability,
  expectedCalibrationError,
  f1,
  logLoss,
  logLossEpsilon,
  logLossTerm,
  performanceReport,
  precision,
  recall,
  selectionRate,
  truePositiveRate,
  uniformBinEdges,
} from './index.js';

const counts = (
  truePositives: number,
  falsePositives: number,
  falseNegatives: number,
  trueNegatives: number,
) => ({
  truePositives,
  falsePositives,
  falseNegatives,
  trueNegatives,
});

describe('confusion metrics', () => {
  it('return 0 on a zero denominator by default, like zero_division="warn"', () => {
    const nothing = counts(0, 0, 0, 3);
    expect([precision(nothing), recall(nothing), f1(nothing)]).toEqual([0, 0, 0]);
    expect([precision(nothing, 1), recall(nothing, 1), f1(nothing, 1)]).toEqual([1, 1, 1]);
    expect(precision(nothing, Number.NaN)).toBeNaN();
  });

  it('compute F1 from counts, so P = R = 0 gives 0 whatever zero_division is (sklearn #26864)', () => {
    expect(f1(counts(0, 1, 1, 1), 1)).toBe(0);
    expect(f1(counts(3, 1, 2, 0))).toBe(6 / 9);
  });

  it('average balanced accuracy over the classes present only', () => {
    expect(balancedAccuracy(counts(2, 0, 1, 0))).toBe(2 / 3);
    expect(balancedAccuracy(counts(0, 1, 0, 3))).toBe(0.75);
    expect(balancedAccuracy(counts(0, 0, 0, 0))).toBeNaN();
  });

  it('give Fairlearn rates of 0 (not NaN) without positives, and NaN rates only without weight', () => {
    expect(truePositiveRate(counts(0, 1, 0, 1))).toBe(0);
    expect(selectionRate(counts(0, 0, 0, 0))).toBeNaN();
    expect(accuracy(counts(0, 0, 0, 0))).toBeNaN();
  });
});

describe('log loss and Brier score', () => {
  it('clip to [eps, 1 - eps] with float64 machine epsilon', () => {
    expect(logLossEpsilon).toBe(2.220446049250313e-16);
    expect(clipProbability(0)).toBe(logLossEpsilon);
    expect(clipProbability(1)).toBe(1 - logLossEpsilon);
    expect(logLossTerm(false, 1)).toBe(-Math.log(logLossEpsilon));
    const terms = [logLossTerm(false, 0), logLossTerm(true, 1), logLossTerm(true, 1), logLossTerm(false, 1)];
    const sum = terms.reduce((a, b) => a + b, 0);
    expect(logLoss({ weight: 4, logLoss: sum, squaredError: 0 })).toBeCloseTo(9.010913347279288, 14);
  });

  it('are NaN without weight and reject probabilities outside [0, 1]', () => {
    expect(logLoss({ weight: 0, logLoss: 0, squaredError: 0 })).toBeNaN();
    expect(brierScore({ weight: 0, logLoss: 0, squaredError: 0 })).toBeNaN();
    expect(() => logLossTerm(true, 1.2)).toThrow(
      expect.objectContaining({ code: 'WARDEN_ERR_EVAL_INVALID_SCORE' }),
    );
    expect(() => logLossTerm(true, Number.NaN)).toThrow(
      expect.objectContaining({ code: 'WARDEN_ERR_EVAL_INVALID_SCORE' }),
    );
    expect(() => brierScore({ weight: -1, logLoss: 0, squaredError: 0 })).toThrow(
      expect.objectContaining({ code: 'WARDEN_ERR_EVAL_INVALID_WEIGHT' }),
    );
  });
});

describe('calibration', () => {
  it('uses numpy.linspace edges and puts a score on an interior edge in the lower bin', () => {
    const edges = uniformBinEdges(10);
    expect(edges[3]).toBe(0.30000000000000004);
    expect(edges[7]).toBe(0.7000000000000001);
    expect(edges[10]).toBe(1);
    expect(calibrationBinIndex(0.3, edges)).toBe(2);
    expect(calibrationBinIndex(0.30000000000000004, edges)).toBe(2);
    expect(calibrationBinIndex(0.3000000000000001, edges)).toBe(3);
    expect(calibrationBinIndex(0, edges)).toBe(0);
    expect(calibrationBinIndex(1, edges)).toBe(9);
    expect(calibrationBinIndex(0.5, uniformBinEdges(1))).toBe(0);
  });

  it('drops bins without weight and weights the ECE by bin weight', () => {
    const aggregates: CalibrationBinAggregate[] = [
      { bin: 2, count: 1, weight: 1, labelSum: 1, scoreSum: 0.9 },
      { bin: 0, count: 3, weight: 3, labelSum: 0, scoreSum: 0.6 },
      { bin: 1, count: 2, weight: 0, labelSum: 0, scoreSum: 0 },
    ];
    const bins = calibrationCurve(aggregates, 3);
    expect(bins.map((bin) => bin.bin)).toEqual([0, 2]);
    expect(bins[0]).toMatchObject({ lower: 0, upper: 1 / 3, fractionPositive: 0 });
    expect(bins[0]?.meanPredicted).toBeCloseTo(0.2, 15);
    expect(expectedCalibrationError(bins)).toBeCloseTo(0.75 * 0.2 + 0.25 * 0.1, 15);
    expect(expectedCalibrationError([])).toBeNaN();
  });

  it('rejects a bad bin count, an unknown bin and a repeated bin', () => {
    const code = { code: 'WARDEN_ERR_EVAL_INVALID_ARGUMENT' };
    expect(() => uniformBinEdges(0)).toThrow(expect.objectContaining(code));
    expect(() => calibrationCurve([{ bin: 5, count: 1, weight: 1, labelSum: 0, scoreSum: 0 }], 5)).toThrow(
      expect.objectContaining(code),
    );
    const bin = { bin: 1, count: 1, weight: 1, labelSum: 0, scoreSum: 0.3 };
    expect(() => calibrationCurve([bin, bin], 5)).toThrow(expect.objectContaining(code));
  });
});

describe('performanceReport', () => {
  it('writes undefined metrics as null and leaves out score metrics without scores', () => {
    const report = performanceReport({ count: 3, confusion: counts(0, 0, 0, 3) }, { threshold: null });
    expect(report).toMatchObject({ count: 3, positives: 0, negatives: 3, precision: 0, balancedAccuracy: 1 });
    expect(report.rocAuc).toBeUndefined();
    const scored = performanceReport(
      {
        count: 2,
        confusion: counts(0, 1, 0, 1),
        ranking: { scores: [0.7, 0.2], positiveWeights: [0, 0], negativeWeights: [1, 1] },
      },
      { threshold: 0.5 },
    );
    expect(scored.rocAuc).toBeNull();
    expect(scored.averagePrecision).toBe(0);
  });

  it('refuses empty input: no rows, or no weight', () => {
    expect(() => performanceReport({ count: 0, confusion: counts(0, 0, 0, 0) }, { threshold: 0.5 })).toThrow(
      expect.objectContaining({ code: 'WARDEN_ERR_EVAL_EMPTY_INPUT' }),
    );
    expect(() => performanceReport({ count: 4, confusion: counts(0, 0, 0, 0) }, { threshold: 0.5 })).toThrow(
      expect.objectContaining({
        code: 'WARDEN_ERR_EVAL_EMPTY_INPUT',
        message: expect.stringContaining('weight'),
      }),
    );
  });
});
