import { CompensatedSum } from './compensated-sum.js';
import { invalidArgument, requireInteger, requireProbability, requireWeight } from './validation.js';

/**
 * The edges of `n` equal-width bins on [0, 1] exactly as `numpy.linspace(0, 1, n + 1)` computes
 * them: edge i is `i * (1 / n)` and the last edge is exactly 1 (so with 10 bins the fourth edge
 * is 0.30000000000000004, not 0.3; a score of 0.3 falls in the third bin either way).
 */
export function uniformBinEdges(binCount: number): number[] {
  requireInteger(binCount, 'the number of calibration bins', 1, 10_000);
  const step = 1 / binCount;
  const edges = Array.from({ length: binCount + 1 }, (_, i) => i * step);
  edges[binCount] = 1;
  return edges;
}

/**
 * The bin of a probability as scikit-learn's `calibration_curve` assigns it:
 * `np.searchsorted(edges[1:-1], p)` — the number of interior edges strictly below p. Bins are
 * [0, e₁], (e₁, e₂], …, (eₙ₋₁, 1]: a score on an interior edge belongs to the LOWER bin. In SQL:
 * `CASE WHEN score <= e1 THEN 0 WHEN score <= e2 THEN 1 … ELSE n - 1 END`, with the edges written
 * as the shortest round-trip decimals (`String(edge)`) of {@link uniformBinEdges}.
 */
export function calibrationBinIndex(probability: number, edges: readonly number[]): number {
  requireProbability(probability, 'a score used for calibration');
  let low = 1;
  let high = edges.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((edges[middle] as number) < probability) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

/**
 * Per-bin sums, one row per bin that has rows:
 *
 * ```sql
 * SELECT bin, count(*) AS count, sum(w) AS weight,
 *        coalesce(sum(w) FILTER (WHERE y), 0) AS label_sum, sum(w * score) AS score_sum
 * FROM predictions GROUP BY bin ORDER BY bin
 * ```
 */
export interface CalibrationBinAggregate {
  /** 0-based bin index, from {@link calibrationBinIndex}. */
  bin: number;
  count: number;
  weight: number;
  /** Σ w over the bin's positive rows. */
  labelSum: number;
  /** Σ w·score over the bin's rows. */
  scoreSum: number;
}

/** One non-empty bin of a reliability diagram. */
export interface CalibrationBin {
  bin: number;
  lower: number;
  upper: number;
  count: number;
  weight: number;
  /** scikit-learn `prob_pred`: the (weighted) mean score in the bin. */
  meanPredicted: number;
  /** scikit-learn `prob_true`: the (weighted) fraction of positives in the bin. */
  fractionPositive: number;
}

/**
 * scikit-learn `calibration_curve(y, p, n_bins=binCount, strategy="uniform")`: the bins that hold
 * weight, in ascending order, with their mean score and fraction of positives. scikit-learn has no
 * sample weights here; Warden weights both means by `w`, which is the same when every weight is 1.
 *
 * @example calibrationCurve([{ bin: 0, count: 2, weight: 2, labelSum: 0, scoreSum: 0.3 }], 3)
 * // [{ bin: 0, lower: 0, upper: 0.333…, count: 2, weight: 2, meanPredicted: 0.15, fractionPositive: 0 }]
 */
export function calibrationCurve(
  aggregates: readonly CalibrationBinAggregate[],
  binCount: number,
): CalibrationBin[] {
  const edges = uniformBinEdges(binCount);
  const seen = new Set<number>();
  const bins: CalibrationBin[] = [];
  for (const aggregate of aggregates) {
    requireInteger(aggregate.bin, 'a calibration bin index', 0, binCount - 1);
    if (seen.has(aggregate.bin)) throw invalidArgument(`calibration bin ${aggregate.bin} appears twice`);
    seen.add(aggregate.bin);
    requireWeight(aggregate.count, `the row count of calibration bin ${aggregate.bin}`);
    requireWeight(aggregate.weight, `the weight of calibration bin ${aggregate.bin}`);
    requireWeight(aggregate.labelSum, `the positive weight of calibration bin ${aggregate.bin}`);
    requireWeight(aggregate.scoreSum, `the score sum of calibration bin ${aggregate.bin}`);
    if (aggregate.weight === 0) continue;
    bins.push({
      bin: aggregate.bin,
      lower: edges[aggregate.bin] as number,
      upper: edges[aggregate.bin + 1] as number,
      count: aggregate.count,
      weight: aggregate.weight,
      meanPredicted: aggregate.scoreSum / aggregate.weight,
      fractionPositive: aggregate.labelSum / aggregate.weight,
    });
  }
  return bins.sort((a, b) => a.bin - b.bin);
}

/**
 * Expected calibration error over uniform bins (Naeini 2015, Guo 2017, binary reliability form):
 * Σ_b (W_b / W)·|fractionPositive_b − meanPredicted_b| over the non-empty bins, W_b the bin's
 * weight (its row count when unweighted). No scikit-learn function; NaN when there is no weight.
 */
export function expectedCalibrationError(bins: readonly CalibrationBin[]): number {
  let total = 0;
  for (const bin of bins) total += bin.weight;
  if (total === 0) return Number.NaN;
  const sum = new CompensatedSum();
  for (const bin of bins) sum.add((bin.weight / total) * Math.abs(bin.fractionPositive - bin.meanPredicted));
  return sum.value;
}
