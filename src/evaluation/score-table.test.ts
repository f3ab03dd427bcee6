import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  confusionAtThreshold,
  RankingAccumulator,
  rocAuc,
  type ScoreTable,
} from './index.js';

const docstring: ScoreTable = {
  scores: [0.8, 0.4, 0.35, 0.1],
  positiveWeights: [1, 0, 1, 0],
  negativeWeights: [0, 1, 0, 1],
};

describe('rocAuc and averagePrecision', () => {
  it('reproduce the scikit-learn docstring example', () => {
    expect(rocAuc(docstring)).toBe(0.75);
    expect(averagePrecision(docstring)).toBeCloseTo(0.8333333333333333, 15);
  });

  it('count a tied positive/negative pair as one half', () => {
    expect(rocAuc({ scores: [0.5], positiveWeights: [2], negativeWeights: [2] })).toBe(0.5);
    expect(averagePrecision({ scores: [0.5], positiveWeights: [1], negativeWeights: [3] })).toBe(0.25);
  });

  it('give NaN ROC AUC for one class, AP 0 without positives and NaN without any weight', () => {
    const negativesOnly = { scores: [0.75, 0.25], positiveWeights: [0, 0], negativeWeights: [1, 1] };
    expect(rocAuc(negativesOnly)).toBeNaN();
    expect(averagePrecision(negativesOnly)).toBe(0);
    const positivesOnly = { scores: [0.75, 0.25], positiveWeights: [1, 1], negativeWeights: [0, 0] };
    expect(rocAuc(positivesOnly)).toBeNaN();
    expect(averagePrecision(positivesOnly)).toBe(1);
    expect(averagePrecision({ scores: [], positiveWeights: [], negativeWeights: [] })).toBeNaN();
  });

  it('skip zero-weight scores, as scikit-learn drops zero-weight rows', () => {
    const withZeros = {
      scores: [0.9, 0.8, 0.4, 0.35, 0.2, 0.1],
      positiveWeights: [0, 1, 0, 1, 0, 0],
      negativeWeights: [0, 0, 1, 0, 0, 1],
    };
    expect(rocAuc(withZeros)).toBe(rocAuc(docstring));
    expect(averagePrecision(withZeros)).toBe(averagePrecision(docstring));
  });
});

describe('RankingAccumulator', () => {
  it('streams chunks, merging a tie block split across them', () => {
    const whole = new RankingAccumulator();
    whole.add(0.9, 1, 0);
    whole.add(0.5, 2, 3);
    whole.add(0.1, 0, 1);
    const chunked = new RankingAccumulator();
    chunked.addTable({ scores: [0.9, 0.5], positiveWeights: [1, 2], negativeWeights: [0, 1] });
    chunked.addTable({ scores: [0.5, 0.1], positiveWeights: [0, 0], negativeWeights: [2, 1] });
    expect(chunked.rocAuc()).toBe(whole.rocAuc());
    expect(chunked.averagePrecision()).toBe(whole.averagePrecision());
    expect([chunked.positiveWeight, chunked.negativeWeight]).toEqual([3, 4]);
  });

  it('rejects scores out of order, non-finite scores and bad weights with coded errors', () => {
    const accumulator = new RankingAccumulator();
    accumulator.add(0.4, 1, 0);
    expect(() => accumulator.add(0.6, 1, 0)).toThrow(
      expect.objectContaining({
        code: 'WARDEN_ERR_EVAL_INVALID_ARGUMENT',
        message: expect.stringContaining('0.6'),
      }),
    );
    expect(() => new RankingAccumulator().add(Number.NaN, 1, 0)).toThrow(
      expect.objectContaining({ code: 'WARDEN_ERR_EVAL_INVALID_SCORE' }),
    );
    expect(() => new RankingAccumulator().add(0.5, -1, 0)).toThrow(
      expect.objectContaining({
        code: 'WARDEN_ERR_EVAL_INVALID_WEIGHT',
        message: expect.stringContaining('-1'),
      }),
    );
    expect(() => new RankingAccumulator().add(0.5, 0, Number.POSITIVE_INFINITY)).toThrow(
      expect.objectContaining({ code: 'WARDEN_ERR_EVAL_INVALID_WEIGHT' }),
    );
    expect(() => rocAuc({ scores: [0.5], positiveWeights: [1, 2], negativeWeights: [1] })).toThrow(
      expect.objectContaining({ code: 'WARDEN_ERR_EVAL_INVALID_ARGUMENT' }),
    );
  });

  it('takes no rows once its result was read', () => {
    const accumulator = new RankingAccumulator();
    accumulator.add(0.5, 1, 1);
    accumulator.rocAuc();
    expect(() => accumulator.add(0.5, 1, 0)).toThrow(
      expect.objectContaining({ code: 'WARDEN_ERR_EVAL_INVALID_ARGUMENT' }),
    );
  });
});

describe('confusionAtThreshold', () => {
  it('predicts positive when score >= threshold', () => {
    expect(confusionAtThreshold(docstring, 0.4)).toEqual({
      truePositives: 1,
      falsePositives: 1,
      falseNegatives: 1,
      trueNegatives: 1,
    });
    expect(confusionAtThreshold(docstring, 0.9).truePositives).toBe(0);
  });
});
