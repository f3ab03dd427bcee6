import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { Digest } from './digest.js';
import { WardenError } from './errors.js';
import { fileReadError } from './file-errors.js';
import { quoteIdent, quoteString } from './sql.js';
import { TextRecordCounter, type TextRecordOptions, type TextRecords } from './text-records.js';

export const datasetFormats = ['csv', 'parquet', 'jsonl'] as const;
export type DatasetFormat = (typeof datasetFormats)[number];
export const csvEncodings = ['utf-8', 'latin-1', 'utf-16'] as const;
export type CsvEncoding = (typeof csvEncodings)[number];

export interface DatasetOptions {
  /** Overrides detection from the file name and contents. */
  format?: DatasetFormat;
  /** CSV field separator; sniffed from the first lines when absent. */
  delimiter?: string;
  /** CSV values read as NULL besides the empty field, e.g. `NA`. */
  nullValues?: readonly string[];
  encoding?: CsvEncoding;
}

/**
 * The longest CSV row or JSON Lines line Warden reads, in bytes without its line break. DuckDB is
 * told the same limit (`max_line_size`, `maximum_object_size`): its defaults (2 MB, 16 MiB) refuse
 * rows that real datasets hold, and a row longer than its 32 MiB read buffer was dropped silently.
 */
export const maxRecordBytes = 64 * 1024 * 1024;
/**
 * DuckDB's CSV read buffer: larger than a row may be (DuckDB requires it), and twice the limit, as
 * with smaller buffers its parallel reader gave up on files of many rows near the limit. Two
 * buffers are in memory at a time, so the memory limit must leave room for 256 MiB.
 */
const csvBufferBytes = 2 * maxRecordBytes;

/** A dataset file, detected and ready to be read by the engine. */
export interface DatasetSource {
  file: string;
  absolutePath: string;
  format: DatasetFormat;
  bytes: number;
  /** The DuckDB table function call that reads the whole file. */
  readSql: string;
  delimiter?: string;
  /**
   * The digest of the file's bytes. The first call starts the one pass over the file, which also
   * checks the encoding and counts the records of a CSV or JSON Lines file; later calls share it.
   */
  digest(): Promise<Digest>;
  /** The records the pass counted (CSV and JSON Lines; undefined for Parquet). */
  records(): Promise<TextRecords | undefined>;
  /**
   * Checks that the engine read every row of the file: `rowsRead` must equal the rows the pass
   * counted, and no record may be longer than {@link maxRecordBytes}. Throws
   * WARDEN_ERR_DATA_MALFORMED naming the line otherwise. Parquet files are taken at their word.
   */
  confirmRows(rowsRead: number): Promise<void>;
  /** The physical line (1-based) on which CSV record `record` starts (the header is record 1). */
  lineOfRecord(record: number): Promise<number>;
}

const headBytes = 64 * 1024;
const delimiterCandidates = [',', ';', '\t', '|'];

/**
 * Detects a dataset's format and CSV dialect and returns how to read it. Nothing is read past the
 * first 64 KiB here; the digest (and UTF-8 check) streams the file when asked.
 */
export async function openDataset(file: string, options: DatasetOptions = {}): Promise<DatasetSource> {
  const absolutePath = resolve(file);
  let size: number;
  try {
    const info = await stat(absolutePath);
    if (info.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    size = info.size;
  } catch (error) {
    throw fileReadError(file, error, 'dataset');
  }
  if (size === 0) {
    throw new WardenError(
      'WARDEN_ERR_DATA_EMPTY_FILE',
      `${file}: the file is empty (0 bytes); a dataset needs at least a header line (CSV) or one record`,
      { where: file },
    );
  }
  const head = await readHead(absolutePath, file);
  const format = options.format ?? detectFormat(file, head);
  const encoding = options.encoding ?? 'utf-8';
  const detected = { file, absolutePath, format, size, encoding };
  if (format === 'parquet') {
    return datasetSource({ ...detected, readSql: `read_parquet(${quoteString(absolutePath)})` });
  }
  if (format === 'jsonl') {
    return datasetSource({
      ...detected,
      readSql: `read_json(${quoteString(absolutePath)}, format='newline_delimited', maximum_object_size=${maxRecordBytes})`,
    });
  }
  const text = decodeHead(head, encoding);
  const delimiter = options.delimiter ?? sniffDelimiter(text);
  const header = parseCsvLine(firstLine(text), delimiter);
  checkHeader(file, header, delimiter, options.delimiter !== undefined);
  const columns = header.map((name) => `${quoteString(name)}: 'VARCHAR'`).join(', ');
  const nullValues = ['', ...(options.nullValues ?? [])];
  const readSql = [
    `read_csv(${quoteString(absolutePath)}`,
    'auto_detect=false',
    'header=true',
    `delim=${quoteString(delimiter)}`,
    `quote='"'`,
    `escape='"'`,
    'strict_mode=true',
    // A quoted "" is an empty string and a quoted "NA" the text NA; only unquoted fields become NULL.
    'allow_quoted_nulls=false',
    `nullstr=[${nullValues.map(quoteString).join(', ')}]`,
    `encoding=${quoteString(encoding)}`,
    `max_line_size=${maxRecordBytes}`,
    `buffer_size=${csvBufferBytes}`,
    `columns={${columns}})`,
  ].join(', ');
  return datasetSource({ ...detected, readSql, delimiter, columns: header.length });
}

interface DetectedDataset {
  file: string;
  absolutePath: string;
  format: DatasetFormat;
  size: number;
  encoding: CsvEncoding;
  readSql: string;
  delimiter?: string;
  /** CSV: the number of columns in the header. */
  columns?: number;
}

/** The pass over the file's bytes, its row-count check and the line of a record, for one detected file. */
function datasetSource(detected: DetectedDataset): DatasetSource {
  const { file, absolutePath, format, size, encoding, readSql, delimiter } = detected;
  const counterOptions = (stopAtRecord?: number): TextRecordOptions | undefined =>
    format === 'parquet'
      ? undefined
      : {
          format,
          maxRecordBytes,
          ...(delimiter === undefined
            ? {}
            : { delimiter: Buffer.from(delimiter, encoding === 'latin-1' ? 'latin1' : 'utf8') }),
          ...(stopAtRecord === undefined ? {} : { stopAtRecord }),
        };
  let pass: Promise<FilePass> | undefined;
  const startPass = () => {
    pass ??= readFilePass(absolutePath, file, {
      validateUtf8: format !== 'parquet' && encoding === 'utf-8',
      encoding,
      counter: counterOptions(),
    });
    pass.catch(() => undefined);
    return pass;
  };
  return {
    file,
    absolutePath,
    format,
    bytes: size,
    readSql,
    ...(delimiter === undefined ? {} : { delimiter }),
    digest: async () => (await startPass()).digest,
    records: async () => (await startPass()).records,
    confirmRows: async (rowsRead) => {
      const { records } = await startPass();
      if (records === undefined) return;
      if (records.tooLong) throw recordTooLongError(file, records.tooLong.line, records.tooLong.bytes);
      const expected = rowsInRecords(format, records, detected.columns ?? 0);
      if (rowsRead === expected) return;
      const { line, bytes } = records.longest;
      throw new WardenError(
        'WARDEN_ERR_DATA_MALFORMED',
        `${file}: the query engine read ${rowsRead} data row${rowsRead === 1 ? '' : 's'}, but the file holds ${expected} (counted from its line breaks outside quotes); its longest row is line ${line} (${formatBytes(bytes)}). Warden refuses a file it cannot read in full: check that line, or convert the file to Parquet`,
        { where: `${file}: line ${line}` },
      );
    },
    lineOfRecord: async (record) => {
      const options = counterOptions(record);
      if (options === undefined) return record;
      const counter = new TextRecordCounter(options);
      const decode = textDecoder(encoding);
      for await (const chunk of createReadStream(absolutePath, {
        highWaterMark: 1 << 20,
      }) as AsyncIterable<Buffer>) {
        counter.push(decode(chunk));
        if (counter.foundLine !== undefined) return counter.foundLine;
      }
      return record;
    },
  };
}

/**
 * The data rows the engine must read, from the records the pass counted. CSV: every record after
 * the header; an empty line is skipped by DuckDB when the file has several columns, but read as a
 * row whose one value is NULL when it has a single column, so it counts then. JSON Lines: every
 * line that is not blank. The counter and these rules model DuckDB's reader with Warden's dialect;
 * a file DuckDB reads differently (more or fewer rows) is refused, never reported with a wrong count.
 */
function rowsInRecords(format: DatasetFormat, records: TextRecords, columns: number): number {
  if (format === 'jsonl') return records.records;
  return Math.max(0, records.records - 1) + (columns === 1 ? records.emptyRecords : 0);
}

/** The coded error for a row longer than {@link maxRecordBytes}. */
export function recordTooLongError(file: string, line: number, bytes: number): WardenError {
  return new WardenError(
    'WARDEN_ERR_DATA_MALFORMED',
    `${file}: line ${line}: the row is ${formatBytes(bytes)} long; a CSV row or JSON Lines line may hold at most ${integer.format(maxRecordBytes)} bytes (64 MiB). Shorten its values (keep large documents elsewhere and reference them), or convert the file to Parquet, which has no such limit`,
    { where: `${file}: line ${line}` },
  );
}

const integer = new Intl.NumberFormat('en-US');

function formatBytes(bytes: number): string {
  const exact = `${integer.format(bytes)} bytes`;
  return bytes < 1024 * 1024 ? exact : `${exact} (${(bytes / (1024 * 1024)).toFixed(1)} MiB)`;
}

/** The bytes the record counter reads: UTF-16 is turned into UTF-8 so that a line feed is one byte. */
function textDecoder(encoding: CsvEncoding): (chunk: Buffer) => Buffer {
  if (encoding !== 'utf-16') return (chunk) => chunk;
  const decoder = new TextDecoder('utf-16le');
  return (chunk) => Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8');
}

async function readHead(path: string, file: string): Promise<Buffer> {
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(headBytes);
      const { bytesRead } = await handle.read(buffer, 0, headBytes, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw fileReadError(file, error, 'dataset');
  }
}

function detectFormat(file: string, head: Buffer): DatasetFormat {
  if (head.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet';
  const extension = extname(file).toLowerCase();
  if (extension === '.parquet' || extension === '.pq') return 'parquet';
  if (extension === '.jsonl' || extension === '.ndjson' || extension === '.json') return 'jsonl';
  if (extension === '.csv' || extension === '.tsv' || extension === '.txt') return 'csv';
  const firstChar = head.toString('utf8').trimStart()[0];
  if (firstChar === '{') return 'jsonl';
  if (firstChar === undefined) {
    throw new WardenError(
      'WARDEN_ERR_DATA_UNKNOWN_FORMAT',
      `${file}: cannot tell the format (the file starts with blank space only); pass --format csv, parquet or jsonl`,
      { where: file },
    );
  }
  return 'csv';
}

function decodeHead(head: Buffer, encoding: CsvEncoding): string {
  if (encoding === 'latin-1') return head.toString('latin1');
  if (encoding === 'utf-16') return head.toString('utf16le').replace(/^\uFEFF/, '');
  return head.toString('utf8').replace(/^\uFEFF/, '');
}

function firstLine(text: string): string {
  const end = text.search(/\r?\n/);
  return end === -1 ? text : text.slice(0, end);
}

/**
 * Picks the delimiter that splits the first lines into the same number of fields (more than one),
 * preferring the one that gives the most fields. DuckDB's own sniffer picks oddly on ragged files,
 * so Warden decides the dialect and then asks DuckDB to read strictly.
 */
export function sniffDelimiter(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .slice(0, 21)
    .filter((line) => line.length > 0);
  if (lines.length > 1 && text.length >= headBytes) lines.pop();
  let best = { delimiter: ',', score: -1 };
  for (const delimiter of delimiterCandidates) {
    const counts = lines.map((line) => parseCsvLine(line, delimiter).length);
    const headerCount = counts[0] ?? 1;
    if (headerCount < 2) continue;
    const consistent = counts.filter((count) => count === headerCount).length / counts.length;
    const score = consistent * 1000 + headerCount;
    if (score > best.score) best = { delimiter, score };
  }
  return best.delimiter;
}

/** Splits one CSV line into fields, honouring double quotes ("" inside quotes is a quote). */
export function parseCsvLine(line: string, delimiter: string): string[] {
  const fields: string[] = [];
  let field = '';
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (inQuotes) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        inQuotes = false;
      } else {
        field += char;
      }
    } else if (char === '"' && field === '') {
      inQuotes = true;
    } else if (char === delimiter) {
      fields.push(field);
      field = '';
    } else {
      field += char;
    }
  }
  fields.push(field);
  return fields;
}

function checkHeader(file: string, header: string[], delimiter: string, delimiterGiven: boolean): void {
  if (header.length === 1) {
    const other = delimiterCandidates.find(
      (candidate) => candidate !== delimiter && header[0]?.includes(candidate),
    );
    if (other !== undefined && delimiterGiven) {
      throw new WardenError(
        'WARDEN_ERR_DATA_MALFORMED',
        `${file}: line 1: the header has a single column when split on ${JSON.stringify(delimiter)}, but contains ${JSON.stringify(other)}; pass --delimiter ${JSON.stringify(other)} (or leave --delimiter out to detect it)`,
        { where: `${file}: line 1` },
      );
    }
  }
  // DuckDB resolves identifiers without regard to case, so `Name` and `name` would collide.
  const seen = new Map<string, number>();
  header.forEach((name, index) => {
    if (name.trim() === '') {
      throw new WardenError(
        'WARDEN_ERR_DATA_MALFORMED',
        `${file}: line 1: column ${index + 1} of the header has no name; give every column a name`,
        { where: `${file}: line 1` },
      );
    }
    const previous = seen.get(name.toLowerCase());
    if (previous !== undefined) {
      throw new WardenError(
        'WARDEN_ERR_DATA_MALFORMED',
        `${file}: line 1: columns ${previous + 1} (${quoteIdent(header[previous] ?? '')}) and ${index + 1} (${quoteIdent(name)}) have the same name; column names must be unique, ignoring case`,
        { where: `${file}: line 1` },
      );
    }
    seen.set(name.toLowerCase(), index);
  });
}

interface FilePass {
  digest: Digest;
  records: TextRecords | undefined;
}

/** One read of every byte: the digest, the UTF-8 check and the record count, chunk by chunk. */
async function readFilePass(
  path: string,
  file: string,
  options: { validateUtf8: boolean; encoding: CsvEncoding; counter: TextRecordOptions | undefined },
): Promise<FilePass> {
  const hash = createHash('sha256');
  const counter = options.counter && new TextRecordCounter(options.counter);
  const decode = textDecoder(options.encoding);
  let carry = Buffer.alloc(0);
  let offset = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      counter?.push(decode(chunk));
      if (options.validateUtf8) {
        const joined = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
        const complete = joined.length - incompleteTail(joined);
        if (!isUtf8(joined.subarray(0, complete))) {
          const bad = offset + firstInvalidUtf8(joined.subarray(0, complete));
          throw await invalidUtf8Error(path, file, bad);
        }
        offset += complete;
        carry = Buffer.from(joined.subarray(complete));
      }
    }
  } catch (error) {
    if (error instanceof WardenError) throw error;
    throw fileReadError(file, error, 'dataset');
  }
  if (carry.length > 0) throw await invalidUtf8Error(path, file, offset);
  return { digest: `sha256:${hash.digest('hex')}`, records: counter?.finish() };
}

/** How many bytes at the end start a UTF-8 sequence that the next chunk completes (0 to 3). */
function incompleteTail(buffer: Buffer): number {
  for (let back = 1; back <= Math.min(3, buffer.length); back++) {
    const byte = buffer[buffer.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? back : 0;
  }
  return 0;
}

function firstInvalidUtf8(buffer: Buffer): number {
  let low = 0;
  let high = buffer.length;
  // isUtf8 of a prefix can fail only by cutting a valid sequence; back off to a sequence start.
  while (high - low > 4) {
    const middle = (low + high) >> 1;
    const cut = middle - incompleteTail(buffer.subarray(0, middle));
    if (isUtf8(buffer.subarray(0, cut))) low = cut;
    else high = middle;
  }
  return low;
}

async function invalidUtf8Error(path: string, file: string, byteOffset: number): Promise<WardenError> {
  let line = 1;
  let seen = 0;
  for await (const chunk of createReadStream(path, {
    end: Math.max(0, byteOffset - 1),
  }) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1 && seen + i < byteOffset; i = chunk.indexOf(10, i + 1)) line++;
    seen += chunk.length;
  }
  return new WardenError(
    'WARDEN_ERR_DATA_INVALID_ENCODING',
    `${file}: line ${line} (byte ${byteOffset}): not valid UTF-8; convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8) or pass --encoding latin-1`,
    { where: `${file}: line ${line}` },
  );
}
