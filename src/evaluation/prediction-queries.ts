import { numberLiteral, quoteIdent, quoteString } from '../core/index.js';
import { uniformBinEdges } from './calibration.js';
import { logLossEpsilon } from './probability-losses.js';

/**
 * The SQL of a model evaluation. The predictions file is read once into a compact temp table
 * (`predictions`); every metric then comes from a few aggregate queries over it, so no row reaches
 * JavaScript: confusion cells and calibration sums by GROUP BY, ranking metrics by one window pass
 * over each group's score table (see `RankingTotals`), all groupings of one query in GROUPING SETS.
 */

/** A sensitive attribute as read: a column, banded by `edges` when given. */
export interface SensitiveColumn {
  column: string;
  /** Ascending finite band edges: (-inf, e0), [e0, e1), …, [ek, inf). */
  edges?: readonly number[];
}

export interface PredictionColumns {
  label: string;
  score?: string;
  prediction?: string;
  weight?: string;
  sensitive: readonly SensitiveColumn[];
}

/** The temp table's name for sensitive attribute i. */
export const attributeColumn = (index: number) => `g${index}`;

/** The label of the band a value falls in, as `--bins` writes it: `[25, 40)`. */
export function bandLabels(edges: readonly number[]): string[] {
  const text = edges.map((edge) => String(edge));
  return [
    `(-inf, ${text[0]})`,
    ...text.slice(1).map((upper, i) => `[${text[i]}, ${upper})`),
    `[${text.at(-1)}, inf)`,
  ];
}

/**
 * Reads the file into `predictions`: the label and prediction as text, the score and weight as
 * DOUBLE (`*_unreadable` keeps a value that is not a number, for the error message), and each
 * sensitive attribute as text or as its band.
 */
export function materializeSql(source: string, columns: PredictionColumns): string {
  const select = [`CAST(${quoteIdent(columns.label)} AS VARCHAR) AS label`];
  for (const [name, column] of [
    ['score', columns.score],
    ['weight', columns.weight],
  ] as const) {
    if (column === undefined) continue;
    select.push(
      `TRY_CAST(${quoteIdent(column)} AS DOUBLE) AS ${name}`,
      `${unreadable(column)} AS ${name}_unreadable`,
    );
  }
  if (columns.prediction !== undefined) {
    select.push(`CAST(${quoteIdent(columns.prediction)} AS VARCHAR) AS prediction`);
  }
  columns.sensitive.forEach((attribute, i) => {
    const name = attributeColumn(i);
    if (attribute.edges === undefined) {
      select.push(`CAST(${quoteIdent(attribute.column)} AS VARCHAR) AS ${name}`);
      return;
    }
    const value = `TRY_CAST(${quoteIdent(attribute.column)} AS DOUBLE)`;
    const labels = bandLabels(attribute.edges);
    const bands = attribute.edges.map(
      (edge, b) => `WHEN ${value} < ${numberLiteral(edge)} THEN ${quoteString(labels[b] as string)}`,
    );
    select.push(
      `CASE WHEN ${value} IS NULL OR isnan(${value}) THEN NULL ${bands.join(' ')} ELSE ${quoteString(labels.at(-1) as string)} END AS ${name}`,
      `${unreadable(attribute.column)} AS ${name}_unreadable`,
    );
  });
  return `CREATE TEMP TABLE predictions AS SELECT ${select.join(', ')} FROM ${quoteIdent(source)}`;
}

/** The raw value when it is present but not a number (NaN included), else NULL. */
function unreadable(column: string): string {
  const raw = quoteIdent(column);
  const value = `TRY_CAST(${raw} AS DOUBLE)`;
  return `CASE WHEN ${raw} IS NOT NULL AND (${value} IS NULL OR isnan(${value})) THEN CAST(${raw} AS VARCHAR) END`;
}

/** Row count and everything that makes the input unusable, in one pass over `predictions`. */
export function validationSql(columns: PredictionColumns): string {
  const select = ['count(*) AS rows', 'count_if(label IS NULL) AS label_nulls'];
  if (columns.score !== undefined) {
    select.push(
      'count_if(score IS NULL AND score_unreadable IS NULL) AS score_nulls',
      'count(score_unreadable) AS score_unreadable',
      'min(score_unreadable) AS score_unreadable_example',
      'count_if(score < 0 OR score > 1) AS score_outside',
      'min(score) AS score_min',
      'max(score) AS score_max',
    );
  }
  if (columns.weight !== undefined) {
    select.push(
      'count_if(weight IS NULL AND weight_unreadable IS NULL) AS weight_nulls',
      'count(weight_unreadable) AS weight_unreadable',
      'min(weight_unreadable) AS weight_unreadable_example',
      'count_if(weight < 0 OR isinf(weight)) AS weight_invalid',
      'min(weight) AS weight_min',
    );
  }
  if (columns.prediction !== undefined) select.push('count_if(prediction IS NULL) AS prediction_nulls');
  columns.sensitive.forEach((attribute, i) => {
    const name = attributeColumn(i);
    select.push(`count(DISTINCT ${name}) AS ${name}_distinct`);
    if (attribute.edges !== undefined) select.push(`count(${name}_unreadable) AS ${name}_unreadable`);
  });
  return `SELECT ${select.join(', ')} FROM predictions`;
}

/** The most frequent values of a text column with their counts (labels, predictions). */
export function valueCountsSql(column: 'label' | 'prediction', limit: number): string {
  return `SELECT ${column} AS value, count(*) AS rows FROM predictions WHERE ${column} IS NOT NULL GROUP BY ${column} ORDER BY rows DESC, value LIMIT ${limit}`;
}

/**
 * The view every metric query reads: `y` (label is positive), `p` (predicted positive), `s`
 * (score), `w` (weight; the integer 1 without a weight column, so unweighted sums stay exact
 * integers) and the attributes.
 */
export function evaluatedViewSql(
  columns: PredictionColumns,
  label: { positive: string; predictedPositive: string; threshold: number },
): string {
  const select = [
    `label = ${quoteString(label.positive)} AS y`,
    `${label.predictedPositive} AS p`,
    columns.score === undefined ? 'NULL::DOUBLE AS s' : 'score AS s',
    columns.weight === undefined ? '1 AS w' : 'weight AS w',
    ...columns.sensitive.map((_, i) => attributeColumn(i)),
  ];
  return `CREATE TEMP VIEW evaluated AS SELECT ${select.join(', ')} FROM predictions`;
}

/** Predicted positive from the score: `score >= threshold`. */
export function thresholdPrediction(threshold: number): string {
  return `score >= ${numberLiteral(threshold)}`;
}

/** Predicted positive from a prediction column whose values are in `positiveValues`. */
export function columnPrediction(positiveValues: readonly string[]): string {
  return `prediction IN (${positiveValues.map(quoteString).join(', ')})`;
}

/**
 * Confusion cells over all rows, by calibration bin when there are scores, with the
 * probability sums of log loss and the Brier score (see `ProbabilitySums`).
 */
export function overallCellsSql(hasScores: boolean, calibrationBins: number): string {
  if (!hasScores) {
    return 'SELECT y, p, count(*) AS rows, sum(w)::DOUBLE AS weight FROM evaluated GROUP BY y, p';
  }
  const edges = uniformBinEdges(calibrationBins);
  const bin = `CASE ${edges
    .slice(1, -1)
    .map((edge, i) => `WHEN s <= ${numberLiteral(edge)} THEN ${i}`)
    .join(' ')} ELSE ${calibrationBins - 1} END`;
  const e = numberLiteral(logLossEpsilon);
  const clipped = `greatest(least(s, 1 - ${e}), ${e})`;
  return [
    `SELECT y, p, ${bin} AS bin, count(*) AS rows, sum(w)::DOUBLE AS weight,`,
    'fsum(w * s) AS score_sum,',
    `fsum(w * -ln(CASE WHEN y THEN ${clipped} ELSE 1 - ${clipped} END)) AS log_loss,`,
    'fsum(w * ((CASE WHEN y THEN 1.0 ELSE 0.0 END) - s) ** 2) AS squared_error',
    'FROM evaluated GROUP BY ALL',
  ].join(' ');
}

/**
 * `GROUPING(g0, …)` of a grouping: bit (n - 1 - i) is set when attribute i is NOT grouped on.
 * The overall grouping (no attribute) has every bit set.
 */
export function groupingMask(attributeCount: number, grouped: readonly number[]): number {
  let mask = 0;
  for (let i = 0; i < attributeCount; i++) {
    if (!grouped.includes(i)) mask |= 1 << (attributeCount - 1 - i);
  }
  return mask;
}

function groupingSets(groupings: readonly (readonly number[])[], extra: readonly string[]): string {
  return groupings
    .map((attributes) => `(${[...attributes.map(attributeColumn), ...extra].join(', ')})`)
    .join(', ');
}

function groupingColumns(attributeCount: number): string[] {
  return Array.from({ length: attributeCount }, (_, i) => attributeColumn(i));
}

/** Confusion cells `(g…, y, p)` of every grouping, the fairness and bootstrap input. */
export function groupCellsSql(
  attributeCount: number,
  groupings: readonly (readonly number[])[],
  withScores: boolean,
): string {
  const attributes = groupingColumns(attributeCount);
  const keys = withScores ? ['y', 'p', 's'] : ['y', 'p'];
  return [
    `SELECT GROUPING(${attributes.join(', ')}) AS grouping_mask, ${[...attributes, ...keys].join(', ')},`,
    'count(*) AS rows, sum(w)::DOUBLE AS weight FROM evaluated',
    `GROUP BY GROUPING SETS (${groupingSets(groupings, keys)})`,
    // A fixed order of cells, so that a bootstrap seed always draws the same replicates.
    `ORDER BY ${['grouping_mask', ...attributes, ...keys].join(', ')}`,
  ].join(' ');
}

/**
 * The `RankingTotals` of every group of one grouping (no attributes: the overall ranking), and each
 * group's number of distinct scores: one GROUP BY score per group, then running sums in descending
 * score order. One query per grouping: DuckDB's window over GROUPING SETS output is several times
 * slower than the separate passes, and DOUBLE running sums twice as fast as HUGEINT ones (weights
 * that are counts stay exact integers below 2^53).
 */
export function rankingTotalsSql(attributeCount: number, grouping: readonly number[]): string {
  const keys = grouping.map(attributeColumn);
  const mask = groupingMask(attributeCount, grouping);
  const partition = keys.length === 0 ? '' : `PARTITION BY ${keys.join(', ')} `;
  const select = [`${mask} AS grouping_mask`, ...keys].join(', ');
  return `
WITH blocks AS (
  SELECT ${[...keys, 's'].join(', ')},
         sum(CASE WHEN y THEN w ELSE 0 END)::DOUBLE AS pw, sum(CASE WHEN y THEN 0 ELSE w END)::DOUBLE AS nw
  FROM evaluated GROUP BY ${[...keys, 's'].join(', ')}
), running AS (
  SELECT ${[...keys, 'pw', 'nw'].join(', ')},
         sum(pw) OVER cumulative AS tp, sum(nw) OVER cumulative AS fp
  FROM blocks
  WINDOW cumulative AS (${partition}ORDER BY s DESC ROWS UNBOUNDED PRECEDING)
)
SELECT ${select}, count(*) AS distinct_scores,
       sum(pw) AS positive_weight, sum(nw) AS negative_weight,
       fsum(nw * (2 * tp - pw)) AS double_area,
       coalesce(fsum(CASE WHEN pw > 0 THEN pw * (tp / (tp + fp)) END), 0) AS precision_mass
FROM running${keys.length === 0 ? '' : ` GROUP BY ${keys.join(', ')}`}`;
}
