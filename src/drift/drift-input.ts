/**
 * Reads the columns a drift check compares from CSV, Parquet or JSON Lines files through DuckDB:
 * each file in its own sandboxed session (it may read that file only), read once into a temp
 * table (Parquet is read in place), typed there, and handed to JavaScript column by column.
 * Numbers come back as Float64Arrays (NaN where missing); categorical columns as value counts
 * computed by DuckDB, expanded to one label per row.
 *
 * Sorting stays in JavaScript. Measured on the 2-core development machine with 1M doubles:
 * reading a column takes about 100 ms, about 250 ms with ORDER BY; V8 sorts the 1M unsorted values
 * in about 110 ms and already sorted ones in about 50 ms. Sorting in DuckDB would cost some 150 ms
 * more to save some 60 ms, and `columnDrift` sorts its own copy either way.
 */
import type { DuckDBDataChunk } from '@duckdb/node-api';
import {
  type DatasetOptions,
  type DatasetSource,
  type Digest,
  didYouMean,
  type EngineOptions,
  type EngineSession,
  maskValue,
  openDataset,
  openEngineSession,
  quoteIdent,
  quoteString,
  sqlNumber,
  translateEngineError,
  WardenError,
} from '../core/index.js';
import type { DriftColumnRole, DriftColumnType } from './drift-report.js';

/** How one file holds a column. */
export type ColumnKind = 'numeric' | 'text' | 'boolean' | 'empty' | 'datetime' | 'other';

export interface FileColumn {
  name: string;
  /** DuckDB's type of the column in this file (VARCHAR for every CSV column). */
  sqlType: string;
  kind: ColumnKind;
  /** For text columns: values that are neither numbers nor missing-value markers, and the first of them. */
  notNumeric?: number;
  present?: number;
  example?: string;
}

/** An open data file: its engine session, its rows and how it holds each column. */
export interface DriftFile {
  dataset: DatasetSource;
  /** `reference`, `current` or `data`: how messages name the file. */
  role: string;
  session: EngineSession;
  rows: number;
  /** The columns read (the wanted ones the file has, in file order). */
  columns: FileColumn[];
  /** Every column of the file, read or not. */
  allColumnNames: string[];
  digest: Promise<Digest>;
  close(): Promise<void>;
}

/** How a column's values are read: numbers, text as written, or numbers as category labels. */
export type ColumnReading = 'number' | 'text' | 'number-label';

export interface PlannedColumn {
  name: string;
  role: DriftColumnRole;
  type: DriftColumnType;
  reading: ColumnReading;
}

export interface ColumnSelection {
  /** Only these columns (in this order); all shared columns when absent. */
  columns?: readonly string[];
  target?: string;
  prediction?: string;
}

export interface OpenDriftFileOptions {
  read?: DatasetOptions;
  engine?: EngineOptions;
  /** Columns to keep; every column when absent. Names the file lacks are left for the caller to report. */
  wanted?: readonly string[];
  /**
   * Read the file where it is, pass after pass, instead of once into a temp table: memory stays
   * bounded whatever the file's size. For callers that read it only once more (the baseline
   * commands); Parquet is always read in place.
   */
  inPlace?: boolean;
  onProgress?: (percent: number) => void;
}

/**
 * Text that pandas' `read_csv` reads as missing by default; a numeric column may hold them (the
 * credit-risk example writes NA), as it may with Evidently. The empty field is NULL already.
 */
const missingMarkers = [
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
];

const numericTypes =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\))$/;
const datetimeTypes = /^(DATE|TIME|TIMESTAMP|INTERVAL)/;

function kindOfType(sqlType: string): ColumnKind | 'probe' {
  if (sqlType === 'VARCHAR' || sqlType === 'JSON') return 'probe';
  if (numericTypes.test(sqlType)) return 'numeric';
  if (sqlType === 'BOOLEAN') return 'boolean';
  if (sqlType === '"NULL"' || sqlType === 'NULL') return 'empty';
  if (datetimeTypes.test(sqlType)) return 'datetime';
  return 'other';
}

/**
 * Opens a data file for a drift check: reads the wanted columns once into a temp table (Parquet is
 * read in place), counts its rows and types every text column in the same pass: numeric when each
 * value is a number or a missing-value marker and at least one is a number.
 */
export async function openDriftFile(
  file: string,
  role: string,
  options: OpenDriftFileOptions = {},
): Promise<DriftFile> {
  const dataset = await openDataset(file, options.read);
  const digest = dataset.digest();
  digest.catch(() => undefined);
  const session = await openEngineSession(dataset, 'source', options.engine);
  try {
    const described = await session.query('DESCRIBE source').catch(async (error: unknown) => {
      throw await translateEngineError(error, dataset);
    });
    const available = described.map((row) => ({
      name: String(row['column_name']),
      sqlType: String(row['column_type']),
    }));
    const wanted = options.wanted === undefined ? undefined : new Set(options.wanted);
    const kept = available.filter((column) => wanted === undefined || wanted.has(column.name));
    const inPlace = options.inPlace === true || dataset.format === 'parquet';
    if (!inPlace) {
      const select =
        kept.length === 0 ? '1 AS "(none)"' : kept.map((column) => quoteIdent(column.name)).join(', ');
      await session.scan(`CREATE TEMP TABLE data AS SELECT ${select} FROM source`, options.onProgress);
    } else {
      await session.query('CREATE TEMP VIEW data AS SELECT * FROM source');
    }
    const probed = kept.filter((column) => kindOfType(column.sqlType) === 'probe');
    const [probe = {}] = await session.scan(
      probeSql(probed.map((column) => column.name)),
      inPlace ? options.onProgress : undefined,
    );
    const rows = sqlNumber(probe['rows']);
    await dataset.confirmRows(rows);
    const columns = kept.map((column): FileColumn => {
      const kind = kindOfType(column.sqlType);
      if (kind !== 'probe') return { ...column, kind };
      const at = probed.indexOf(column);
      const present = sqlNumber(probe[`p${at}`]);
      const numbers = sqlNumber(probe[`n${at}`]);
      const notNumeric = sqlNumber(probe[`x${at}`]);
      const textKind: ColumnKind = notNumeric > 0 ? 'text' : numbers > 0 ? 'numeric' : 'empty';
      return {
        ...column,
        kind: textKind,
        present,
        notNumeric,
        ...(probe[`e${at}`] == null ? {} : { example: String(probe[`e${at}`]) }),
      };
    });
    return {
      dataset,
      role,
      session,
      rows,
      columns,
      allColumnNames: available.map((column) => column.name),
      digest,
      close: () => session.close(),
    };
  } catch (error) {
    await session.close();
    throw error;
  }
}

function probeSql(textColumns: readonly string[]): string {
  const markers = `(${missingMarkers.map(quoteString).join(', ')})`;
  const select = ['count(*) AS rows'];
  textColumns.forEach((name, index) => {
    const column = quoteIdent(name);
    const notNumeric = `${column} IS NOT NULL AND TRY_CAST(${column} AS DOUBLE) IS NULL AND ${column} NOT IN ${markers}`;
    select.push(
      `count(${column}) AS p${index}`,
      `count(TRY_CAST(${column} AS DOUBLE)) AS n${index}`,
      `count_if(${notNumeric}) AS x${index}`,
      `min(${column}) FILTER (WHERE ${notNumeric}) AS e${index}`,
    );
  });
  return `SELECT ${select.join(', ')} FROM data`;
}

/** Opens several files side by side; if one fails, the others are closed again. */
export async function openDriftFiles(
  files: readonly { file: string; role: string; options: OpenDriftFileOptions }[],
): Promise<DriftFile[]> {
  const opened = await Promise.allSettled(
    files.map(({ file, role, options }) => openDriftFile(file, role, options)),
  );
  const failure = opened.find((result) => result.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(
      opened.map((result) => (result.status === 'fulfilled' ? result.value.close() : undefined)),
    );
    throw failure.reason;
  }
  return opened.map((result) => (result as PromiseFulfilledResult<DriftFile>).value);
}

const quoted = (name: string) => JSON.stringify(name);
const names = (list: readonly string[]) => list.map(quoted).join(', ');
const integer = new Intl.NumberFormat('en-US');

function describeFile(file: DriftFile): string {
  return `the ${file.role} ${file.dataset.file}`;
}

/**
 * How a file holds a column, in words: `numeric (BIGINT)`, `text (3 of 200 values are not numbers,
 * e.g. "x/x" masked)`. A cell is never quoted raw (docs/drift.md): the example shows its shape only.
 */
export function describeColumnKind(column: FileColumn): string {
  switch (column.kind) {
    case 'numeric':
      return `numeric (${column.sqlType})`;
    case 'text':
      return column.notNumeric === undefined
        ? `text (${column.sqlType})`
        : `text (${integer.format(column.notNumeric)} of ${integer.format(column.present ?? 0)} values are not numbers, e.g. ${quoted(maskValue(column.example ?? ''))} masked)`;
    case 'empty':
      return 'without values';
    default:
      return `${column.kind} (${column.sqlType})`;
  }
}

function incompatible(message: string, where: string): WardenError {
  return new WardenError('WARDEN_ERR_DRIFT_INCOMPATIBLE_COLUMNS', message, { where });
}

/** The columns both files must hold: the selection, or every column of either file. */
function requireSharedColumns(
  reference: DriftFile,
  current: DriftFile,
  selection: ColumnSelection,
): string[] {
  const referenceNames = reference.columns.map((column) => column.name);
  const currentNames = current.columns.map((column) => column.name);
  const named: [string, string][] = [
    ...(selection.columns ?? []).map((name): [string, string] => ['--columns', name]),
    ...(selection.target === undefined ? [] : [['--target', selection.target] as [string, string]]),
    ...(selection.prediction === undefined
      ? []
      : [['--prediction', selection.prediction] as [string, string]]),
  ];
  for (const [flag, name] of named) {
    const lacking = [reference, current].filter(
      (file) => !file.columns.some((column) => column.name === name),
    );
    if (lacking.length === 0) continue;
    const file = lacking[0] as DriftFile;
    const where = lacking.length === 2 ? 'neither file has' : `${describeFile(file)} does not have`;
    throw incompatible(
      `${flag} names column ${quoted(name)}, which ${where}${didYouMean(
        name,
        file.columns.map((column) => column.name),
      )}; the columns of ${describeFile(file)} are ${names(file.columns.map((column) => column.name))}`,
      file.dataset.file,
    );
  }
  if (selection.columns !== undefined) {
    const chosen = [...selection.columns];
    for (const extra of [selection.target, selection.prediction]) {
      if (extra !== undefined && !chosen.includes(extra)) chosen.push(extra);
    }
    return chosen;
  }
  const onlyReference = referenceNames.filter((name) => !currentNames.includes(name));
  const onlyCurrent = currentNames.filter((name) => !referenceNames.includes(name));
  if (onlyReference.length > 0 || onlyCurrent.length > 0) {
    const shared = referenceNames.filter((name) => currentNames.includes(name));
    const parts = [
      ...(onlyReference.length === 0
        ? []
        : [
            `${names(onlyReference)} ${onlyReference.length === 1 ? 'is' : 'are'} missing from ${describeFile(current)}${onlyReference.length === 1 ? didYouMean(onlyReference[0] as string, onlyCurrent) : ''}`,
          ]),
      ...(onlyCurrent.length === 0
        ? []
        : [
            `${names(onlyCurrent)} ${onlyCurrent.length === 1 ? 'is' : 'are'} missing from ${describeFile(reference)}${onlyCurrent.length === 1 ? didYouMean(onlyCurrent[0] as string, onlyReference) : ''}`,
          ]),
    ];
    const fix =
      shared.length === 0
        ? 'the files share no column; check that they hold the same kind of data'
        : `compare the shared columns with --columns ${shared.join(',')}, or fix the files`;
    throw incompatible(
      `${describeFile(reference)} and ${describeFile(current)} do not have the same columns: ${parts.join('; ')}; ${fix}`,
      current.dataset.file,
    );
  }
  return referenceNames;
}

/**
 * Decides which columns to compare and how to read them. A column is numeric when both files hold
 * numbers (a file without values in it takes the other's type), categorical when neither does
 * (booleans included); numbers in one file and text in the other is an error naming both. Typed
 * date and time columns are left out unless named, as Evidently leaves them out. The target and
 * the prediction are compared too, with Evidently's task rule: a numeric target with fewer than 5
 * distinct reference values makes a classification, whose target and prediction are categories.
 */
export async function planDriftColumns(
  reference: DriftFile,
  current: DriftFile,
  selection: ColumnSelection,
): Promise<{ columns: PlannedColumn[]; ignored: { column: string; reason: string }[] }> {
  const shared = requireSharedColumns(reference, current, selection);
  const explicit = new Set([
    ...(selection.columns ?? []),
    ...[selection.target, selection.prediction].filter((name) => name !== undefined),
  ]);
  const columns: PlannedColumn[] = [];
  const ignored: { column: string; reason: string }[] = [];
  for (const name of shared) {
    const inReference = reference.columns.find((column) => column.name === name) as FileColumn;
    const inCurrent = current.columns.find((column) => column.name === name) as FileColumn;
    const kinds = [inReference.kind, inCurrent.kind];
    if (kinds.includes('datetime') && !explicit.has(name)) {
      const typed = inReference.kind === 'datetime' ? inReference : inCurrent;
      ignored.push({
        column: name,
        reason: `a ${typed.sqlType} column: date and time columns are not compared (as in Evidently); name it in --columns to compare its values as categories`,
      });
      continue;
    }
    const role: DriftColumnRole =
      name === selection.target ? 'target' : name === selection.prediction ? 'prediction' : 'feature';
    const numericCapable = kinds.every((kind) => kind === 'numeric' || kind === 'empty');
    if (!numericCapable && kinds.includes('numeric')) {
      const [numeric, other] = inReference.kind === 'numeric' ? [reference, current] : [current, reference];
      const otherColumn = other === reference ? inReference : inCurrent;
      const numericColumn = other === reference ? inCurrent : inReference;
      const markerHint =
        otherColumn.kind === 'text' && otherColumn.example !== undefined
          ? ' (clean those values, or pass --null-value with the marker if they mark a missing value)'
          : '';
      throw incompatible(
        `column ${quoted(name)} is ${describeColumnKind(numericColumn)} in ${describeFile(numeric)} but ${describeColumnKind(otherColumn)} in ${describeFile(other)}; make it numeric in both files${markerHint}, or leave it out with --columns`,
        other.dataset.file,
      );
    }
    columns.push({
      name,
      role,
      type: numericCapable ? 'numeric' : 'categorical',
      reading: numericCapable ? 'number' : 'text',
    });
  }
  await applyTaskRule(reference, columns, selection);
  return { columns, ignored };
}

/** Evidently's `recognize_task`: numeric with at least 5 distinct reference values is regression. */
const regressionDistinctValues = 5;

async function applyTaskRule(
  reference: DriftFile,
  columns: PlannedColumn[],
  selection: ColumnSelection,
): Promise<void> {
  const decider = columns.find((column) => column.name === (selection.target ?? selection.prediction));
  if (decider === undefined) return;
  let classification = decider.type === 'categorical';
  if (!classification) {
    const [row] = await reference.session.scan(
      `SELECT count(DISTINCT TRY_CAST(${quoteIdent(decider.name)} AS DOUBLE)) FILTER (WHERE NOT isnan(TRY_CAST(${quoteIdent(decider.name)} AS DOUBLE))) AS distinct_values FROM data`,
    );
    classification = sqlNumber(row?.['distinct_values']) < regressionDistinctValues;
  }
  if (!classification) return;
  for (const column of columns) {
    if (column.role !== 'feature' && column.type === 'numeric') {
      column.type = 'categorical';
      column.reading = 'number-label';
    }
  }
}

/**
 * One column of a file, read in full: numbers as a Float64Array (NaN where missing), categories as
 * one label per row (null where missing) from DuckDB's value counts, so that the rows never cross
 * into JavaScript one by one. The order of the rows is not kept.
 */
export async function readDriftColumn(
  file: DriftFile,
  column: PlannedColumn,
): Promise<Float64Array | (string | null)[]> {
  const name = quoteIdent(column.name);
  if (column.reading === 'number') {
    const values = new Float64Array(file.rows);
    let row = 0;
    // Run to completion inside DuckDB (its threads work while JavaScript tests the previous column).
    await readChunks(file, `SELECT TRY_CAST(${name} AS DOUBLE) FROM data`, 'materialize', (chunk) => {
      row = copyNumbers(chunk, 0, values, row);
    });
    return values.subarray(0, row);
  }
  const value = column.reading === 'text' ? `CAST(${name} AS VARCHAR)` : `TRY_CAST(${name} AS DOUBLE)`;
  const counts = await file.session.scan(`SELECT ${value} AS value, count(*) AS rows FROM data GROUP BY ALL`);
  const labels = new Array<string | null>(file.rows);
  let row = 0;
  for (const count of counts) {
    const rows = sqlNumber(count['rows']);
    labels.fill(categoryLabel(count['value']), row, row + rows);
    row += rows;
  }
  return labels.slice(0, row);
}

/** Numbers read as categories are labelled as JavaScript writes them, whatever the file's type (1, 1.0 → "1"). */
function categoryLabel(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isNaN(value) ? null : String(value);
  return String(value);
}

/**
 * Streams the given columns of a file in row order (when the session runs one thread) in DuckDB's
 * chunks: numbers as Float64Arrays (NaN where missing), text as strings (null where missing).
 * Memory stays at one chunk, whatever the file's size.
 */
export async function streamDriftColumns(
  file: DriftFile,
  columns: readonly { name: string; reading: 'number' | 'text' }[],
  onBatch: (batch: (Float64Array | (string | null)[])[], rows: number) => void,
): Promise<void> {
  const select = columns
    .map((column) =>
      column.reading === 'number'
        ? `TRY_CAST(${quoteIdent(column.name)} AS DOUBLE)`
        : `CAST(${quoteIdent(column.name)} AS VARCHAR)`,
    )
    .join(', ');
  await readChunks(file, `SELECT ${select} FROM data`, 'stream', (chunk) => {
    const rows = chunk.rowCount;
    const batch = columns.map((column, index) => {
      if (column.reading === 'number') {
        const values = new Float64Array(rows);
        copyNumbers(chunk, index, values, 0);
        return values;
      }
      const vector = chunk.getColumnVector(index);
      const values = new Array<string | null>(rows);
      for (let row = 0; row < rows; row++) values[row] = vector.getItem(row) as string | null;
      return values;
    });
    onBatch(batch, rows);
  });
}

function copyNumbers(chunk: DuckDBDataChunk, column: number, into: Float64Array, start: number): number {
  const vector = chunk.getColumnVector(column);
  const rows = chunk.rowCount;
  for (let row = 0; row < rows; row++)
    into[start + row] = (vector.getItem(row) as number | null) ?? Number.NaN;
  return start + rows;
}

/** Hands the result chunks of a query to `onChunk`, streamed (one chunk in memory) or computed first. */
async function readChunks(
  file: DriftFile,
  sql: string,
  mode: 'stream' | 'materialize',
  onChunk: (chunk: DuckDBDataChunk) => void,
): Promise<void> {
  const engine = async <T>(step: () => Promise<T>): Promise<T> => {
    try {
      return await step();
    } catch (error) {
      throw await translateEngineError(error, file.dataset);
    }
  };
  const result = await engine(() =>
    mode === 'stream' ? file.session.connection.stream(sql) : file.session.connection.run(sql),
  );
  for (;;) {
    const chunk = await engine(() => result.fetchChunk());
    if (chunk === null || chunk.rowCount === 0) break;
    onChunk(chunk);
  }
}
