import { basename, extname } from 'node:path';
import {
  type DatasetOptions,
  datasetInput,
  type EngineOptions,
  type EngineSession,
  type EvidenceEnvelope,
  openDataset,
  openEngineSession,
  sealEvidence,
  sqlNumber,
  translateEngineError,
} from '../core/index.js';
import { type BootstrapCell, bootstrapFairness, type FairnessIntervals } from './bootstrap.js';
import type { CalibrationBinAggregate } from './calibration.js';
import type { ConfusionCounts } from './confusion-metrics.js';
import { type FairnessReport, fairnessReport, type GroupInput, type GroupKey } from './fairness-report.js';
import { type PerformanceReport, type PredictionSummary, performanceReport } from './performance-report.js';
import {
  positivePredictionValues,
  requireColumns,
  requireUsableRows,
  resolvePositive,
  type ValueCount,
} from './prediction-input.js';
import {
  attributeColumn,
  columnPrediction,
  evaluatedViewSql,
  groupCellsSql,
  groupingMask,
  materializeSql,
  overallCellsSql,
  type PredictionColumns,
  rankingTotalsSql,
  thresholdPrediction,
  validationSql,
  valueCountsSql,
} from './prediction-queries.js';
import { RankingAccumulator } from './score-table.js';
import { evaluationSemantics } from './semantics.js';
import { type GateThresholds, judgeThresholds, type ThresholdResult } from './thresholds.js';
import { invalidArgument, requireInteger } from './validation.js';

export interface ModelEvaluationOptions extends DatasetOptions, EngineOptions {
  /** The actual outcome column. */
  label: string;
  /** The label value of the positive class; optional for 0/1, false/true and no/yes labels. */
  positive?: string;
  /** The probability of the positive class. */
  score?: string;
  /** The predicted label; without it a row is predicted positive when score >= threshold. */
  prediction?: string;
  /** Default 0.5. */
  threshold?: number;
  weight?: string;
  /** Sensitive attribute columns, each evaluated on its own. */
  sensitive?: readonly string[];
  /** Band edges of numeric sensitive attributes, e.g. `{ Age: [18, 25, 40, 65] }`. */
  bins?: Readonly<Record<string, readonly number[]>>;
  /** Also evaluate every combination of two or more sensitive attributes. */
  intersections?: boolean;
  /** Smaller groups are reported as tooSmall and not judged; default 0. */
  minGroupSize?: number;
  /** Most distinct values a sensitive attribute may have; default 100. */
  maxGroups?: number;
  /** Uniform calibration bins; default 10. */
  calibrationBins?: number;
  /** Bootstrap confidence intervals of the fairness aggregates. */
  bootstrap?: { replicates: number; seed?: number };
  thresholds?: GateThresholds;
  /** The evidence subject; default: the file name without its extension, version `unversioned`. */
  model?: string;
  version?: string;
  onProgress?: (percent: number) => void;
}

/** A fairness entry with its bootstrap intervals when asked for. */
export type FairnessEntry = FairnessReport & { confidenceIntervals?: FairnessIntervals };

/** The model version an evaluation is about: --model/--version, else the file's name, `unversioned`. */
export function evaluationSubject(
  file: string,
  options: Pick<ModelEvaluationOptions, 'model' | 'version'>,
): { type: 'model-version'; name: string; version: string } {
  return {
    type: 'model-version',
    name: options.model ?? basename(file, extname(file)),
    version: options.version ?? 'unversioned',
  };
}

export interface ModelEvaluationEvidence extends EvidenceEnvelope {
  kind: 'model-evaluation';
  columns: {
    label: string;
    positive: string;
    score?: string;
    prediction?: string;
    weight?: string;
    sensitive: { column: string; bins?: number[] }[];
  };
  rowCount: number;
  engine: { name: 'duckdb'; version: string };
  semantics: typeof evaluationSemantics;
  performance: PerformanceReport;
  fairness: FairnessEntry[];
  /** Why an interval is missing, when it is. */
  bootstrapNotes?: string[];
  thresholds: ThresholdResult[];
}

/** Beyond this many distinct scores, bootstrap replicates do not recompute per-group ROC AUC. */
const bootstrapScoreLimit = 10_000;
const defaultMaxGroups = 100;
const maxIntersectedAttributes = 6;

/**
 * Measures a model's performance and fairness from a predictions file (CSV, Parquet, JSON Lines)
 * with scikit-learn and Fairlearn semantics (see {@link evaluationSemantics}), judges the
 * thresholds given, and returns the evidence. Rows never reach JavaScript: DuckDB reads the file
 * once and aggregates. Unusable input throws a coded error (exit 2).
 *
 * @example
 * const evidence = await runModelEvaluation('holdout.csv', {
 *   label: 'Status', positive: 'bad', score: 'score', sensitive: ['Age', 'Marital'],
 *   bins: { Age: [25, 40, 65] }, thresholds: { minAuc: 0.75, minRatio: { demographicParity: 0.8 } },
 * });
 */
export async function runModelEvaluation(
  file: string,
  options: ModelEvaluationOptions,
): Promise<ModelEvaluationEvidence> {
  const columns = predictionColumns(options);
  const threshold = options.threshold ?? 0.5;
  if (!(threshold >= 0 && threshold <= 1)) {
    throw invalidArgument(`the threshold ${threshold} is not a probability in [0, 1]`);
  }
  const calibrationBins = options.calibrationBins ?? 10;
  const minGroupSize = options.minGroupSize ?? 0;
  requireInteger(minGroupSize, 'the minimum group size', 0);
  const maxGroups = options.maxGroups ?? defaultMaxGroups;
  requireInteger(maxGroups, 'the maximum number of groups', 1);
  const groupings = groupingsOf(columns.sensitive.length, options.intersections ?? false);

  const dataset = await openDataset(file, options);
  const digest = dataset.digest();
  digest.catch(() => undefined);
  const session = await openEngineSession(dataset, 'source', options);
  try {
    const available = (await session.query('DESCRIBE source')).map((row) => String(row['column_name']));
    requireColumns(dataset.file, available, columns);
    await session.scan(materializeSql('source', columns), options.onProgress);
    const [validation] = await session.query(validationSql(columns));
    await dataset.confirmRows(sqlNumber(validation?.['rows']));
    const rowCount = requireUsableRows(dataset.file, columns, validation ?? {}, maxGroups);
    const labels = await valueCounts(session, 'label', 6);
    const positive = resolvePositive(dataset.file, columns.label, labels, options.positive);
    const predictedPositive =
      columns.prediction === undefined
        ? thresholdPrediction(threshold)
        : columnPrediction(
            positivePredictionValues(
              dataset.file,
              columns.prediction,
              await valueCounts(session, 'prediction', 6),
              labels.map((label) => label.value),
              positive,
            ),
          );
    await session.query(evaluatedViewSql(columns, { positive, predictedPositive, threshold }));

    const hasScores = columns.score !== undefined;
    const overall = await overallSummary(session, hasScores, calibrationBins);
    const rankings = hasScores
      ? await rankingTotals(session, columns.sensitive.length, groupings)
      : undefined;
    const overallRanking = rankings?.get(rankingKey(groupingMask(columns.sensitive.length, []), []));
    if (overallRanking !== undefined) overall.ranking = overallRanking.ranking;
    const performance = performanceReport(overall, {
      threshold: columns.prediction === undefined ? threshold : null,
      calibrationBins,
    });
    const attributeNames = columns.sensitive.map((attribute) => attribute.column);
    const cells = await groupCells(session, columns.sensitive.length, groupings, false);
    const bootstrapNotes: string[] = [];
    let scoreCells: Map<number, GroupedCells> | undefined;
    if (options.bootstrap !== undefined && hasScores && groupings.length > 0) {
      const distinctScores = overallRanking?.distinctScores ?? 0;
      if (distinctScores <= bootstrapScoreLimit) {
        scoreCells = await groupCells(session, columns.sensitive.length, groupings, true);
      } else {
        bootstrapNotes.push(
          `rocAucDifference intervals were not computed: the scores have ${distinctScores} distinct values, more than the ${bootstrapScoreLimit} for which each replicate recomputes every group's ROC AUC`,
        );
      }
    }
    const fairness = groupings.map((grouping): FairnessEntry => {
      const attributes = grouping.map((index) => attributeNames[index] as string);
      const mask = groupingMask(columns.sensitive.length, grouping);
      const grouped = cells.get(mask) ?? emptyGroupedCells();
      const inputs = [...grouped.inputs.values()].map(
        (input): GroupInput =>
          rankings === undefined
            ? input
            : { ...input, ranking: (rankings.get(rankingKey(mask, input.key)) as RankedGroup).ranking },
      );
      const report = fairnessReport(attributes, inputs, {
        minGroupSize,
        ...(performance.rocAuc == null ? {} : { overallRocAuc: performance.rocAuc }),
      });
      if (options.bootstrap === undefined) return report;
      const bootstrapped = scoreCells?.get(mask) ?? grouped;
      return {
        ...report,
        confidenceIntervals: bootstrapFairness(attributes, bootstrapped.keys, bootstrapped.cells, {
          minGroupSize,
          replicates: options.bootstrap.replicates,
          seed: options.bootstrap.seed ?? 0,
        }),
      };
    });
    const thresholds = judgeThresholds(performance, fairness, options.thresholds ?? {});
    return sealEvidence({
      kind: 'model-evaluation' as const,
      subject: evaluationSubject(dataset.file, options),
      inputs: [datasetInput(dataset, await digest, rowCount)],
      passed: thresholds.every((result) => result.passed),
      columns: {
        label: columns.label,
        positive,
        ...(columns.score === undefined ? {} : { score: columns.score }),
        ...(columns.prediction === undefined ? {} : { prediction: columns.prediction }),
        ...(columns.weight === undefined ? {} : { weight: columns.weight }),
        sensitive: columns.sensitive.map((attribute) => ({
          column: attribute.column,
          ...(attribute.edges === undefined ? {} : { bins: [...attribute.edges] }),
        })),
      },
      rowCount,
      engine: { name: 'duckdb' as const, version: session.version },
      semantics: evaluationSemantics,
      performance,
      fairness,
      ...(bootstrapNotes.length > 0 ? { bootstrapNotes } : {}),
      thresholds,
    });
  } catch (error) {
    throw await translateEngineError(error, dataset);
  } finally {
    await session.close();
  }
}

function predictionColumns(options: ModelEvaluationOptions): PredictionColumns {
  if (options.score === undefined && options.prediction === undefined) {
    throw invalidArgument(
      'name the score column (--score), the predicted-label column (--prediction), or both',
    );
  }
  const sensitive = [...new Set(options.sensitive ?? [])];
  const bins = options.bins ?? {};
  for (const [column, edges] of Object.entries(bins)) {
    if (!sensitive.includes(column)) {
      throw invalidArgument(
        `--bins names ${JSON.stringify(column)}, which is not a --sensitive attribute; add it to --sensitive`,
      );
    }
    if (
      edges.length === 0 ||
      edges.some((edge, i) => !Number.isFinite(edge) || (i > 0 && edge <= (edges[i - 1] as number)))
    ) {
      throw invalidArgument(
        `--bins ${column}=${edges.join(',')}: the band edges must be finite numbers in increasing order, e.g. ${column}=18,25,40,65`,
      );
    }
  }
  return {
    label: options.label,
    ...(options.score === undefined ? {} : { score: options.score }),
    ...(options.prediction === undefined ? {} : { prediction: options.prediction }),
    ...(options.weight === undefined ? {} : { weight: options.weight }),
    sensitive: sensitive.map((column) => (bins[column] ? { column, edges: bins[column] } : { column })),
  };
}

/** Each attribute alone, then (with intersections) every combination of two or more. */
function groupingsOf(attributeCount: number, intersections: boolean): number[][] {
  const singles = Array.from({ length: attributeCount }, (_, i) => [i]);
  if (!intersections || attributeCount < 2) return singles;
  if (attributeCount > maxIntersectedAttributes) {
    throw invalidArgument(
      `--intersections with ${attributeCount} attributes would evaluate ${2 ** attributeCount - attributeCount - 1} combinations; intersect at most ${maxIntersectedAttributes}`,
    );
  }
  const combinations: number[][] = [];
  for (let subset = 1; subset < 2 ** attributeCount; subset++) {
    const members = singles.flat().filter((i) => subset & (1 << i));
    if (members.length >= 2) combinations.push(members);
  }
  combinations.sort((a, b) => a.length - b.length);
  return [...singles, ...combinations];
}

async function valueCounts(
  session: EngineSession,
  column: 'label' | 'prediction',
  limit: number,
): Promise<ValueCount[]> {
  const rows = await session.query(valueCountsSql(column, limit));
  return rows.map((row) => ({ value: String(row['value']), rows: sqlNumber(row['rows']) }));
}

async function overallSummary(
  session: EngineSession,
  hasScores: boolean,
  calibrationBins: number,
): Promise<PredictionSummary> {
  const rows = await session.query(overallCellsSql(hasScores, calibrationBins));
  const confusion = emptyConfusion();
  const probability = { weight: 0, logLoss: 0, squaredError: 0 };
  const bins = new Map<number, CalibrationBinAggregate>();
  let count = 0;
  for (const row of rows) {
    const positive = row['y'] === true;
    const weight = sqlNumber(row['weight']);
    count += sqlNumber(row['rows']);
    addToConfusion(confusion, positive, row['p'] === true, weight);
    if (!hasScores) continue;
    probability.weight += weight;
    probability.logLoss += sqlNumber(row['log_loss']);
    probability.squaredError += sqlNumber(row['squared_error']);
    const index = sqlNumber(row['bin']);
    const bin = bins.get(index) ?? { bin: index, count: 0, weight: 0, labelSum: 0, scoreSum: 0 };
    bin.count += sqlNumber(row['rows']);
    bin.weight += weight;
    if (positive) bin.labelSum += weight;
    bin.scoreSum += sqlNumber(row['score_sum']);
    bins.set(index, bin);
  }
  const summary: PredictionSummary = { count, confusion };
  if (hasScores) {
    summary.probability = probability;
    summary.calibration = [...bins.values()].sort((a, b) => a.bin - b.bin);
  }
  return summary;
}

function rankingKey(mask: number, key: GroupKey): string {
  return JSON.stringify([mask, ...key]);
}

interface RankedGroup {
  ranking: RankingAccumulator;
  distinctScores: number;
}

/** The ranking of every group by grouping mask and group key, the overall one included. */
async function rankingTotals(
  session: EngineSession,
  attributeCount: number,
  groupings: readonly (readonly number[])[],
): Promise<Map<string, RankedGroup>> {
  const rankings = new Map<string, RankedGroup>();
  const rows: Record<string, unknown>[] = [];
  for (const grouping of [[], ...groupings])
    rows.push(...(await session.query(rankingTotalsSql(attributeCount, grouping))));
  for (const row of rows) {
    const mask = sqlNumber(row['grouping_mask']);
    const key = groupedAttributes(attributeCount, mask).map((i) => nullableText(row[attributeColumn(i)]));
    const ranking = RankingAccumulator.fromTotals({
      positiveWeight: sqlNumber(row['positive_weight']),
      negativeWeight: sqlNumber(row['negative_weight']),
      doubleArea: sqlNumber(row['double_area']),
      precisionMass: sqlNumber(row['precision_mass']),
    });
    rankings.set(rankingKey(mask, key), { ranking, distinctScores: sqlNumber(row['distinct_scores']) });
  }
  return rankings;
}

interface GroupedCells {
  /** Group keys in first-seen order; bootstrap cells index them. */
  keys: GroupKey[];
  indexes: Map<string, number>;
  inputs: Map<string, GroupInput>;
  cells: BootstrapCell[];
}

/** Confusion cells per grouping mask, as fairness group inputs and bootstrap cells. */
async function groupCells(
  session: EngineSession,
  attributeCount: number,
  groupings: readonly (readonly number[])[],
  withScores: boolean,
): Promise<Map<number, GroupedCells>> {
  const byMask = new Map<number, GroupedCells>();
  if (groupings.length === 0) return byMask;
  const rows = await session.query(groupCellsSql(attributeCount, groupings, withScores));
  for (const row of rows) {
    const mask = sqlNumber(row['grouping_mask']);
    const key = groupedAttributes(attributeCount, mask).map((i) => nullableText(row[attributeColumn(i)]));
    let grouped = byMask.get(mask);
    if (grouped === undefined) {
      grouped = emptyGroupedCells();
      byMask.set(mask, grouped);
    }
    const id = JSON.stringify(key);
    let input = grouped.inputs.get(id);
    if (input === undefined) {
      input = { key, count: 0, confusion: emptyConfusion() };
      grouped.inputs.set(id, input);
      grouped.indexes.set(id, grouped.keys.length);
      grouped.keys.push(key);
    }
    const rowsInCell = sqlNumber(row['rows']);
    const weight = sqlNumber(row['weight']);
    const positive = row['y'] === true;
    const predicted = row['p'] === true;
    input.count += rowsInCell;
    addToConfusion(input.confusion, positive, predicted, weight);
    grouped.cells.push({
      group: grouped.indexes.get(id) as number,
      positive,
      predicted,
      rows: rowsInCell,
      weight,
      ...(withScores ? { score: sqlNumber(row['s']) } : {}),
    });
  }
  return byMask;
}

function emptyGroupedCells(): GroupedCells {
  return { keys: [], indexes: new Map(), inputs: new Map(), cells: [] };
}

/** The attribute indexes a GROUPING() mask groups on. */
function groupedAttributes(attributeCount: number, mask: number): number[] {
  return Array.from({ length: attributeCount }, (_, i) => i).filter(
    (i) => (mask & (1 << (attributeCount - 1 - i))) === 0,
  );
}

function nullableText(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function emptyConfusion(): ConfusionCounts {
  return { truePositives: 0, falsePositives: 0, falseNegatives: 0, trueNegatives: 0 };
}

function addToConfusion(
  confusion: ConfusionCounts,
  positive: boolean,
  predicted: boolean,
  weight: number,
): void {
  if (positive && predicted) confusion.truePositives += weight;
  else if (positive) confusion.falseNegatives += weight;
  else if (predicted) confusion.falsePositives += weight;
  else confusion.trueNegatives += weight;
}
