import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type DatasetSource, recordTooLongError } from './dataset-source.js';
import { WardenError } from './errors.js';
import { quoteIdent, quoteString } from './sql.js';
import type { TextRecords } from './text-records.js';

export interface EngineOptions {
  /** DuckDB's memory limit, e.g. `1GB`; beyond it DuckDB spills to a private temp directory. */
  memoryLimit?: string;
  threads?: number;
  /** Statements run after the sandbox is locked and before the dataset view exists, e.g. macros. */
  setup?: readonly string[];
}

/**
 * A DuckDB session that can read exactly one dataset and nothing else: no other files, no
 * extension loading, no writes outside its private spill directory. The configuration is locked
 * before any user SQL runs, so a contract's SQL rule cannot undo it (docs/architecture.md, "Storage and scale").
 */
export interface EngineSession {
  connection: DuckDBConnection;
  version: string;
  /** Runs a query and returns its rows as plain objects (BIGINT as bigint). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /**
   * Runs a long query, reporting DuckDB's progress (0–100) every 200 ms once it has run for a
   * second; engine errors come back as coded errors about the dataset.
   */
  scan(sql: string, onProgress?: (percent: number) => void): Promise<Record<string, unknown>[]>;
  /** Progress of the running query, 0–100, or -1 when DuckDB cannot tell. */
  progress(): number;
  close(): Promise<void>;
}

export async function openEngineSession(
  dataset: DatasetSource,
  tableName: string,
  options: EngineOptions = {},
): Promise<EngineSession> {
  const spillDirectory = await mkdtemp(join(tmpdir(), 'warden-duckdb-'));
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const connection = await instance.connect();
  const query = async (sql: string) =>
    (await connection.runAndReadAll(sql)).getRowObjects() as Record<string, unknown>[];
  try {
    const settings = [
      `SET allowed_paths=[${quoteString(dataset.absolutePath)}]`,
      `SET temp_directory=${quoteString(spillDirectory)}`,
      `SET memory_limit=${quoteString(options.memoryLimit ?? process.env['WARDEN_DUCKDB_MEMORY_LIMIT'] ?? '1GB')}`,
      ...(options.threads ? [`SET threads=${options.threads}`] : []),
      'SET enable_progress_bar=true',
      'SET enable_progress_bar_print=false',
      'SET preserve_insertion_order=false',
      'SET enable_external_access=false',
      'SET lock_configuration=true',
    ];
    for (const statement of settings) await connection.run(statement);
    for (const statement of options.setup ?? []) await connection.run(statement);
    await connection.run(`CREATE TEMP VIEW ${quoteIdent(tableName)} AS SELECT * FROM ${dataset.readSql}`);
    const [row] = await query('SELECT version() AS version');
    return {
      connection,
      version: String(row?.['version'] ?? 'unknown'),
      query,
      scan: (sql, onProgress) => scanWithProgress(query, connection, dataset, sql, onProgress),
      progress: () => connection.progress.percentage,
      close: async () => {
        connection.closeSync();
        instance.closeSync();
        await rm(spillDirectory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    await rm(spillDirectory, { recursive: true, force: true });
    throw await translateEngineError(error, dataset);
  }
}

async function scanWithProgress(
  query: (sql: string) => Promise<Record<string, unknown>[]>,
  connection: DuckDBConnection,
  dataset: DatasetSource,
  sql: string,
  onProgress: ((percent: number) => void) | undefined,
): Promise<Record<string, unknown>[]> {
  const started = Date.now();
  const timer = onProgress
    ? setInterval(() => {
        if (Date.now() - started >= 1000) onProgress(Math.max(0, connection.progress.percentage));
      }, 200)
    : undefined;
  try {
    return await query(sql);
  } catch (error) {
    throw await translateEngineError(error, dataset);
  } finally {
    if (timer) clearInterval(timer);
  }
}

/** A number from a query result: DuckDB returns BIGINT and HUGEINT as bigint. */
export function sqlNumber(value: unknown): number {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return Number(value ?? 0);
}

/**
 * Turns a DuckDB error about the dataset into a coded error that names the file, the line and the
 * fix. Anything not recognised as the input's fault is an engine failure (exit 3).
 */
export async function translateEngineError(error: unknown, dataset: DatasetSource): Promise<WardenError> {
  if (error instanceof WardenError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const file = dataset.file;
  const line = await lineOfError(message, dataset);
  const where = line ? `${file}: line ${line}` : file;
  const tooLong = await overLongRecord(message, dataset, line);
  if (tooLong) return recordTooLongError(file, tooLong.line, tooLong.bytes);
  if (/state machine reached an invalid state/i.test(message)) {
    const mixed = (await passRecords(dataset))?.mixedLineBreak;
    return new WardenError(
      'WARDEN_ERR_DATA_MALFORMED',
      mixed === undefined
        ? `${where}: cannot be parsed as CSV (${firstLine(message).replace(/^Invalid Input Error: /, '')}); check the quoting and the line breaks of the file (RFC 4180)`
        : `${file}: line ${mixed}: its line break (CRLF or LF) differs from the first line's; use one kind of line break throughout (e.g. dos2unix or unix2dos)`,
      { where: mixed === undefined ? where : `${file}: line ${mixed}`, cause: error },
    );
  }
  const columns = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  if (columns) {
    return new WardenError(
      'WARDEN_ERR_DATA_MALFORMED',
      `${where}: expected ${columns[1]} fields, found ${columns[2]} (a ragged row); fix that row, or quote values that contain ${JSON.stringify(dataset.delimiter ?? ',')}`,
      { where, cause: error },
    );
  }
  if (/unterminated quote|Value with unterminated quote/i.test(message)) {
    return new WardenError(
      'WARDEN_ERR_DATA_MALFORMED',
      `${where}: a quoted value is never closed; close the quote or escape quotes inside values as ""`,
      { where, cause: error },
    );
  }
  if (/Invalid unicode|not utf-8 encoded/i.test(message)) {
    return new WardenError(
      'WARDEN_ERR_DATA_INVALID_ENCODING',
      `${where}: not valid UTF-8; convert the file to UTF-8 or pass --encoding latin-1`,
      { where, cause: error },
    );
  }
  if (/Malformed JSON|JSON transform error|Could not convert .* JSON/i.test(message)) {
    return new WardenError(
      'WARDEN_ERR_DATA_MALFORMED',
      `${where}: not valid JSON Lines (${firstLine(message).replace(/^Invalid Input Error: /, '')}); every line must be one JSON object`,
      { where, cause: error },
    );
  }
  if (dataset.format === 'parquet' && /parquet|magic bytes|too small/i.test(message)) {
    return new WardenError(
      'WARDEN_ERR_DATA_MALFORMED',
      `${file}: not a readable Parquet file (${firstLine(message)}); check that the file is complete, or pass --format if it is not Parquet`,
      { where: file, cause: error },
    );
  }
  if (
    /CSV Error|Error when sniffing|Conversion Error/i.test(message) ||
    (dataset.format !== 'parquet' && /^Invalid Input Error|Parallel CSV Reader/.test(message))
  ) {
    return new WardenError(
      'WARDEN_ERR_DATA_MALFORMED',
      `${where}: cannot be parsed as ${dataset.format.toUpperCase()}: ${firstLine(message)}`,
      { where, cause: error },
    );
  }
  return new WardenError(
    'WARDEN_ERR_ENGINE_FAILURE',
    `${file}: the query engine failed: ${firstLine(message)}`,
    {
      where: file,
      cause: error,
    },
  );
}

/** DuckDB counts CSV records, not lines, and names the line after a malformed JSON line. */
async function lineOfError(message: string, dataset: DatasetSource): Promise<number | undefined> {
  const csvRecord = /CSV Error on Line: (\d+)/.exec(message)?.[1];
  if (csvRecord) return dataset.lineOfRecord(Number(csvRecord));
  const jsonLine = /in line (\d+)/.exec(message)?.[1];
  if (jsonLine) return Math.max(1, Number(jsonLine) - 1);
  return undefined;
}

/**
 * The row behind an engine error about size: DuckDB's "Maximum line size … exceeded" (with the
 * line and size), "maximum_object_size … exceeded" (JSON, without them) and the parallel CSV
 * reader's refusal of a row longer than its buffer; the pass over the file names the row.
 */
async function overLongRecord(
  message: string,
  dataset: DatasetSource,
  line: number | undefined,
): Promise<{ line: number; bytes: number } | undefined> {
  const size = /Maximum line size of \d+ bytes exceeded\. Actual Size:\s*(\d+)/.exec(message)?.[1];
  if (size !== undefined && line !== undefined) return { line, bytes: Number(size) };
  if (size === undefined && !/maximum_object_size|Parallel CSV Reader/i.test(message)) return undefined;
  return (await passRecords(dataset))?.tooLong;
}

async function passRecords(dataset: DatasetSource): Promise<TextRecords | undefined> {
  return dataset.records().catch(() => undefined);
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
