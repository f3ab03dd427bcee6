import fc from 'fast-check';
import { describe, it } from 'vitest';
import {
  aggregatePredictionRows,
  averagePrecision,
  difference,
  fairnessReport,
  RankingAccumulator,
  ratio,
  rocAuc,
} from './index.js';

/** Rows with scores on a coarse grid (many ties) and optional integer weights. */
const scoredRows = fc
  .array(
    fc.record({
      positive: fc.boolean(),
      score: fc.integer({ min: 0, max: 20 }).map((k) => k / 20),
      weight: fc.integer({ min: 0, max: 4 }),
    }),
    { minLength: 1, maxLength: 60 },
  )
  .map((rows) => ({
    labels: rows.map((row) => row.positive),
    scores: rows.map((row) => row.score),
    weights: rows.map((row) => row.weight),
  }));

function overallTable(rows: { labels: boolean[]; scores: number[]; weights: number[] }) {
  const ranking = aggregatePredictionRows(rows).overall.ranking;
  if (ranking === undefined) throw new Error('no ranking');
  return ranking;
}

/** P(s+ > s−) + ½ P(s+ = s−) over weighted pairs: the Mann–Whitney form of ROC AUC. */
function mannWhitney(rows: { labels: boolean[]; scores: number[]; weights: number[] }): number {
  let wins = 0;
  let pairs = 0;
  rows.labels.forEach((positive, i) => {
    if (!positive) return;
    rows.labels.forEach((other, j) => {
      if (other) return;
      const weight = (rows.weights[i] as number) * (rows.weights[j] as number);
      const si = rows.scores[i] as number;
      const sj = rows.scores[j] as number;
      pairs += weight;
      wins += si > sj ? weight : si === sj ? weight / 2 : 0;
    });
  });
  return pairs === 0 ? Number.NaN : wins / pairs;
}

describe('ranking invariants', () => {
  it('ROC AUC lies in [0, 1] and equals the Mann–Whitney statistic with ties counted ½', () => {
    fc.assert(
      fc.property(scoredRows, (rows) => {
        const auc = rocAuc(overallTable(rows));
        const reference = mannWhitney(rows);
        if (Number.isNaN(reference)) return Number.isNaN(auc);
        return auc >= 0 && auc <= 1 && Math.abs(auc - reference) <= 1e-12;
      }),
    );
  });

  it('AUC(1 − s) = 1 − AUC(s) when no scores tie', () => {
    const distinctRows = fc
      .uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 2, maxLength: 40 })
      .chain((scores) =>
        fc.record({
          scores: fc.constant(scores.map((k) => k / 1000)),
          labels: fc.array(fc.boolean(), { minLength: scores.length, maxLength: scores.length }),
        }),
      );
    fc.assert(
      fc.property(distinctRows, ({ scores, labels }) => {
        const weights = scores.map(() => 1);
        const auc = rocAuc(overallTable({ labels, scores, weights }));
        const flipped = rocAuc(overallTable({ labels, scores: scores.map((s) => 1 - s), weights }));
        if (Number.isNaN(auc)) return Number.isNaN(flipped);
        return Math.abs(auc + flipped - 1) <= 1e-12;
      }),
    );
  });

  it('average precision lies in [0, 1] and does not depend on how the table is chunked', () => {
    fc.assert(
      fc.property(scoredRows, fc.integer({ min: 1, max: 7 }), (rows, chunk) => {
        const table = overallTable(rows);
        const streamed = new RankingAccumulator();
        for (let start = 0; start < table.scores.length; start += chunk) {
          const end = Math.min(start + chunk, table.scores.length);
          streamed.addTable({
            scores: Array.from(table.scores).slice(start, end),
            positiveWeights: Array.from(table.positiveWeights).slice(start, end),
            negativeWeights: Array.from(table.negativeWeights).slice(start, end),
          });
        }
        const ap = averagePrecision(table);
        const inRange = Number.isNaN(ap) || (ap >= 0 && ap <= 1);
        return inRange && Object.is(streamed.averagePrecision(), ap);
      }),
    );
  });
});

describe('disparity invariants', () => {
  const rates = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 12 });

  it('ratio ≤ 1 and difference ≥ 0 for non-negative group values, in both methods', () => {
    fc.assert(
      fc.property(rates, fc.double({ min: 0, max: 1, noNaN: true }), (values, overall) => {
        const between = ratio(values);
        const toOverall = ratio(values, 'toOverall', overall);
        return (
          (Number.isNaN(between) || between <= 1) &&
          (Number.isNaN(toOverall) || toOverall <= 1) &&
          difference(values) >= 0 &&
          difference(values, 'toOverall', overall) >= 0
        );
      }),
    );
  });

  it('do not depend on the order of the groups', () => {
    fc.assert(
      fc.property(rates, (values) => {
        const reversed = [...values].reverse();
        return (
          Object.is(ratio(values), ratio(reversed)) && Object.is(difference(values), difference(reversed))
        );
      }),
    );
  });

  it('equalized odds (worst case) is at least equal opportunity, and its ratio at most', () => {
    const groups = fc.array(
      fc.record({
        tp: fc.nat(20),
        fp: fc.nat(20),
        fn: fc.nat(20),
        tn: fc.nat(20),
      }),
      { minLength: 1, maxLength: 6 },
    );
    fc.assert(
      fc.property(groups, (counts) => {
        const report = fairnessReport(
          ['g'],
          counts.map((c, i) => ({
            key: [`g${i}`],
            count: c.tp + c.fp + c.fn + c.tn,
            confusion: {
              truePositives: c.tp,
              falsePositives: c.fp,
              falseNegatives: c.fn,
              trueNegatives: c.tn,
            },
          })),
        );
        const eod = report.equalizedOddsDifference ?? Number.NaN;
        const eopd = report.equalOpportunityDifference ?? Number.NaN;
        const eor = report.equalizedOddsRatio;
        const eopr = report.equalOpportunityRatio;
        const differenceOk = Number.isNaN(eopd) || eod >= eopd;
        const ratioOk = eor === null || eopr === null || eor <= eopr;
        return differenceOk && ratioOk && (report.demographicParityRatio ?? 0) <= 1;
      }),
    );
  });
});
