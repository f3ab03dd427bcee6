import type { BootstrapCell } from './bootstrap.js';
import { type CalibrationBinAggregate, calibrationBinIndex, uniformBinEdges } from './calibration.js';
import type { GroupKey } from './fairness-report.js';
import type { PredictionSummary } from './performance-report.js';
import { logLossTerm, squaredErrorTerm } from './probability-losses.js';
import type { ScoreTable } from './score-table.js';
import { invalidArgument, requireFiniteScore, requireWeight } from './validation.js';

/** Prediction rows held in memory, column by column (all columns the same length). */
export interface PredictionRows {
  /** true where the actual label is the positive value. */
  labels: readonly boolean[];
  /** Probability of the positive class. */
  scores?: readonly number[];
  /** Predicted labels; when absent, a row is predicted positive iff score >= threshold. */
  predictions?: readonly boolean[];
  /** Sample weights; 1 per row when absent. */
  weights?: readonly number[];
  /** Sensitive attribute name → value per row (null for a missing value). */
  sensitive?: Readonly<Record<string, readonly (string | null)[]>>;
}

export interface RowAggregationOptions {
  /** Default 0.5. */
  threshold?: number;
  /** Uniform calibration bins; default 10. */
  calibrationBins?: number;
  /** Attribute sets to group by; default each sensitive attribute on its own. */
  groupings?: readonly (readonly string[])[];
  /** Put each row's score in the bootstrap cells (needed for ROC AUC intervals). */
  cellsWithScores?: boolean;
}

/** A summary whose ranking is a materialised score table. */
export interface RowSummary extends PredictionSummary {
  ranking?: ScoreTable;
}

export interface AggregatedGroup extends RowSummary {
  key: GroupKey;
}

export interface AggregatedGrouping {
  attributes: string[];
  /** In order of first appearance, null keys included (as SQL GROUP BY returns them). */
  groups: AggregatedGroup[];
  /** Bootstrap cells, `group` indexing `groups`, sorted by group, label, prediction (and score). */
  cells: BootstrapCell[];
}

export interface AggregatedPredictions {
  overall: RowSummary;
  groupings: AggregatedGrouping[];
}

/**
 * The reference implementation of the compact inputs: what the DuckDB queries documented on
 * `ScoreTable`, `ConfusionCounts`, `ProbabilitySums`, `CalibrationBinAggregate` and
 * `BootstrapCell` compute, here over rows in memory.
 * The conformance tests build their inputs with it; use it directly only for small inputs.
 *
 * @example
 * const { overall } = aggregatePredictionRows({ labels: [true, false], scores: [0.9, 0.2] });
 * performanceReport(overall, { threshold: 0.5 }).rocAuc; // 1
 */
export function aggregatePredictionRows(
  rows: PredictionRows,
  options: RowAggregationOptions = {},
): AggregatedPredictions {
  const length = rows.labels.length;
  const columns: [string, readonly unknown[] | undefined][] = [
    ['scores', rows.scores],
    ['predictions', rows.predictions],
    ['weights', rows.weights],
    ...Object.entries(rows.sensitive ?? {}),
  ];
  for (const [name, column] of columns) {
    if (column !== undefined && column.length !== length) {
      throw invalidArgument(`column ${name} has ${column.length} values for ${length} labels`);
    }
  }
  if (rows.scores === undefined && rows.predictions === undefined) {
    throw invalidArgument('prediction rows need scores, predictions or both');
  }
  const threshold = options.threshold ?? 0.5;
  const edges = uniformBinEdges(options.calibrationBins ?? 10);
  const sensitive = rows.sensitive ?? {};
  const groupings = options.groupings ?? Object.keys(sensitive).map((name) => [name]);
  const overall = new SummaryBuilder([]);
  const builders = groupings.map(() => new Map<string, SummaryBuilder>());
  for (let i = 0; i < length; i++) {
    const row = {
      positive: rows.labels[i] as boolean,
      score: rows.scores?.[i],
      predicted: rows.predictions?.[i] ?? (rows.scores?.[i] as number) >= threshold,
      weight: rows.weights?.[i] ?? 1,
    };
    requireWeight(row.weight, `the weight of row ${i + 1}`);
    if (row.score !== undefined) requireFiniteScore(row.score, `the score of row ${i + 1}`);
    overall.add(row, edges);
    groupings.forEach((attributes, g) => {
      const key = attributes.map((attribute) => {
        const column = sensitive[attribute];
        if (column === undefined) throw invalidArgument(`no sensitive attribute named ${attribute}`);
        return column[i] ?? null;
      });
      const id = JSON.stringify(key);
      const groups = builders[g] as Map<string, SummaryBuilder>;
      let builder = groups.get(id);
      if (builder === undefined) {
        builder = new SummaryBuilder(key);
        groups.set(id, builder);
      }
      builder.add(row, edges);
    });
  }
  return {
    overall: overall.summary(),
    groupings: groupings.map((attributes, g) => {
      const groups = [...(builders[g] as Map<string, SummaryBuilder>).values()];
      return {
        attributes: [...attributes],
        groups: groups.map((builder) => ({ key: builder.key, ...builder.summary() })),
        cells: groups.flatMap((builder, index) => builder.cells(index, options.cellsWithScores ?? false)),
      };
    }),
  };
}

interface Row {
  positive: boolean;
  score: number | undefined;
  predicted: boolean;
  weight: number;
}

class SummaryBuilder {
  private count = 0;
  private readonly confusion = { truePositives: 0, falsePositives: 0, falseNegatives: 0, trueNegatives: 0 };
  private readonly scores = new Map<number, { positive: number; negative: number }>();
  private readonly probability = { weight: 0, logLoss: 0, squaredError: 0 };
  private readonly bins = new Map<number, CalibrationBinAggregate>();
  private readonly cellMap = new Map<string, BootstrapCell>();
  private hasScores = false;

  constructor(readonly key: GroupKey) {}

  add(row: Row, edges: readonly number[]): void {
    const { positive, predicted, weight, score } = row;
    this.count++;
    if (positive && predicted) this.confusion.truePositives += weight;
    else if (positive) this.confusion.falseNegatives += weight;
    else if (predicted) this.confusion.falsePositives += weight;
    else this.confusion.trueNegatives += weight;
    const cellId = `${positive}|${predicted}|${score ?? ''}`;
    const cell = this.cellMap.get(cellId) ?? {
      group: 0,
      positive,
      predicted,
      rows: 0,
      weight: 0,
      ...(score === undefined ? {} : { score }),
    };
    cell.rows++;
    cell.weight += weight;
    this.cellMap.set(cellId, cell);
    if (score === undefined) return;
    this.hasScores = true;
    // -0 and 0 are one score, as in SQL GROUP BY and numpy.
    const entry = this.scores.get(score === 0 ? 0 : score) ?? { positive: 0, negative: 0 };
    if (positive) entry.positive += weight;
    else entry.negative += weight;
    this.scores.set(score === 0 ? 0 : score, entry);
    this.probability.weight += weight;
    this.probability.logLoss += weight * logLossTerm(positive, score);
    this.probability.squaredError += weight * squaredErrorTerm(positive, score);
    const bin = calibrationBinIndex(score, edges);
    const aggregate = this.bins.get(bin) ?? { bin, count: 0, weight: 0, labelSum: 0, scoreSum: 0 };
    aggregate.count++;
    aggregate.weight += weight;
    if (positive) aggregate.labelSum += weight;
    aggregate.scoreSum += weight * score;
    this.bins.set(bin, aggregate);
  }

  summary(): RowSummary {
    const summary: RowSummary = { count: this.count, confusion: { ...this.confusion } };
    if (!this.hasScores) return summary;
    const distinct = [...this.scores.keys()].sort((a, b) => b - a);
    summary.ranking = {
      scores: Float64Array.from(distinct),
      positiveWeights: Float64Array.from(distinct, (score) => this.scores.get(score)?.positive ?? 0),
      negativeWeights: Float64Array.from(distinct, (score) => this.scores.get(score)?.negative ?? 0),
    };
    summary.probability = { ...this.probability };
    summary.calibration = [...this.bins.values()].sort((a, b) => a.bin - b.bin).map((bin) => ({ ...bin }));
    return summary;
  }

  cells(group: number, withScores: boolean): BootstrapCell[] {
    const merged = new Map<string, BootstrapCell>();
    for (const cell of this.cellMap.values()) {
      const id = withScores
        ? `${cell.positive}|${cell.predicted}|${cell.score}`
        : `${cell.positive}|${cell.predicted}`;
      const target = merged.get(id) ?? {
        group,
        positive: cell.positive,
        predicted: cell.predicted,
        rows: 0,
        weight: 0,
        ...(withScores && cell.score !== undefined ? { score: cell.score } : {}),
      };
      target.rows += cell.rows;
      target.weight += cell.weight;
      merged.set(id, target);
    }
    return [...merged.values()].sort(
      (a, b) =>
        Number(a.positive) - Number(b.positive) ||
        Number(a.predicted) - Number(b.predicted) ||
        (b.score ?? 0) - (a.score ?? 0),
    );
  }
}
