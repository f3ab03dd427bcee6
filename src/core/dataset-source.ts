import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { Digest } from './digest.js';
import { WardenError } from './errors.js';
import { fileReadError } from './file-errors.js';
import { quoteIdent, quoteString } from './sql.js';

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

/** A dataset file, detected and ready to be read by the engine. */
export interface DatasetSource {
  file: string;
  absolutePath: string;
  format: DatasetFormat;
  bytes: number;
  /** The DuckDB table function call that reads the whole file. */
  readSql: string;
  delimiter?: string;
  /** The digest of the file's bytes; for text formats the same pass checks the encoding. */
  digest(): Promise<Digest>;
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
  const validateUtf8 = format !== 'parquet' && encoding === 'utf-8';
  const digest = () => digestFile(absolutePath, file, validateUtf8);

  if (format === 'parquet') {
    return {
      file,
      absolutePath,
      format,
      bytes: size,
      readSql: `read_parquet(${quoteString(absolutePath)})`,
      digest,
    };
  }
  if (format === 'jsonl') {
    return {
      file,
      absolutePath,
      format,
      bytes: size,
      readSql: `read_json(${quoteString(absolutePath)}, format='newline_delimited')`,
      digest,
    };
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
    `columns={${columns}})`,
  ].join(', ');
  return { file, absolutePath, format, bytes: size, readSql, delimiter, digest };
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

async function digestFile(path: string, file: string, validateUtf8: boolean): Promise<Digest> {
  const hash = createHash('sha256');
  let carry = Buffer.alloc(0);
  let offset = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      if (validateUtf8) {
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
  return `sha256:${hash.digest('hex')}`;
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

/**
 * The physical line (1-based) on which CSV record `record` starts (the header is record 1). DuckDB
 * numbers records, which differ from lines once a quoted value holds a line break.
 */
export async function physicalLineOfRecord(source: DatasetSource, record: number): Promise<number> {
  let line = 1;
  let records = 1;
  let inQuotes = false;
  for await (const chunk of createReadStream(source.absolutePath) as AsyncIterable<Buffer>) {
    for (const byte of chunk) {
      if (byte === 0x22) inQuotes = !inQuotes;
      else if (byte === 0x0a) {
        line++;
        if (!inQuotes && ++records === record) return line;
      }
    }
  }
  return record;
}
