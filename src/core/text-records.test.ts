import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset } from './dataset-source.js';
import { WardenError } from './errors.js';
import { mulberry32 } from './random.js';
import { TextRecordCounter, type TextRecordOptions, type TextRecords } from './text-records.js';

function count(text: string, options: Partial<TextRecordOptions> = {}, chunkSize?: number): TextRecords {
  const counter = new TextRecordCounter({ format: 'csv', maxRecordBytes: 1000, ...options });
  const bytes = Buffer.from(text);
  const size = chunkSize ?? bytes.length;
  for (let at = 0; at < bytes.length; at += size) counter.push(bytes.subarray(at, at + size));
  return counter.finish();
}

describe('TextRecordCounter', () => {
  it('counts records by line feeds outside quotes, CRLF and a missing last line break alike', () => {
    expect(count('a,b\n1,2\n3,4\n').records).toBe(3);
    expect(count('a,b\r\n1,2\r\n3,4\r\n').records).toBe(3);
    expect(count('a,b\n1,2\n3,4').records).toBe(3);
    expect(count('a,b\n1,"x\ny"\n3,4\n')).toMatchObject({ records: 3, longest: { line: 2, bytes: 7 } });
    expect(count('a,b\n1,"x""\ny"\n').records).toBe(2);
  });

  it('opens quotes only at the start of a field (after spaces too), as DuckDB reads them', () => {
    expect(count('a,b\n1,x"y\n3,4\n').records).toBe(3);
    expect(count('a,b\n1, "x\ny"\n3,4\n').records).toBe(3);
    expect(count('a;b\n1;"x;\ny"\n', { delimiter: Buffer.from(';') }).records).toBe(2);
    expect(count('a§b\n1§"x\ny"\n', { delimiter: Buffer.from('§') }).records).toBe(2);
  });

  it('keeps empty lines apart (a one-column CSV reads them as rows), and blank JSON Lines are no records', () => {
    expect(count('a,b\n1,2\n\n3,4\n\n')).toMatchObject({ records: 3, emptyRecords: 2 });
    expect(count('a\r\n1\r\n\r\n2\r\n')).toMatchObject({ records: 3, emptyRecords: 1 });
    expect(count('{"a":1}\n  \n\n{"a":2}', { format: 'jsonl' })).toMatchObject({ records: 2 });
  });

  it('names the first record over the limit, the longest, and the first change of line break', () => {
    const text = `a\n${'x'.repeat(1001)}\n"${'y\n'.repeat(600)}"\r\nz\n`;
    expect(count(text)).toMatchObject({
      tooLong: { line: 2, bytes: 1001 },
      longest: { line: 3, bytes: 1202 },
      mixedLineBreak: 603,
    });
  });

  it('gives the same counts however the bytes are split into chunks', () => {
    const samples = [
      'a,b\n1,"x\r\ny"\r\n3, "q""\n"\n\n5,x"y\n',
      'a§b\n1§"x§\ny"\n\n2§ "z"\n',
      '{"a":1}\r\n \n{"a":"\\n"}\n',
    ];
    for (const text of samples) {
      const options: Partial<TextRecordOptions> = text.includes('§')
        ? { delimiter: Buffer.from('§') }
        : text.startsWith('{')
          ? { format: 'jsonl' }
          : {};
      const whole = count(text, options);
      for (let size = 1; size <= 7; size++) expect(count(text, options, size)).toEqual(whole);
    }
  });
});

describe('the rows the pass counts match the rows DuckDB reads (differential)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden-text-records-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('on 150 random CSV files of quoted values, line breaks in quotes, empty lines and both line breaks', async () => {
    const random = mulberry32(16);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    let compared = 0;
    for (let n = 0; n < 150; n++) {
      const delimiter = pick([',', ';', '\t', '|', '§']);
      const newline = pick(['\n', '\r\n']);
      const columns = pick([1, 2, 3]);
      const field = () =>
        pick([
          'a',
          '',
          ' ',
          '"q"',
          '"x\ny"',
          ' "sp"',
          'x"y',
          '"a""b"',
          `"${newline}"`,
          `"${delimiter}"`,
          '"c"  ',
          '""',
        ]);
      const lines = [Array.from({ length: columns }, (_, i) => `c${i}`).join(delimiter)];
      const rows = Math.floor(random() * 6);
      for (let row = 0; row < rows; row++) {
        lines.push(random() < 0.15 ? '' : Array.from({ length: columns }, field).join(delimiter));
      }
      const file = join(dir, `f${n}.csv`);
      await writeFile(file, lines.join(newline) + (random() < 0.7 ? newline : ''));
      const dataset = await openDataset(file, { delimiter });
      let read: number;
      try {
        const result = await connection.runAndReadAll(`SELECT count(*) AS n FROM ${dataset.readSql}`);
        read = Number(result.getRowObjects()[0]?.['n']);
      } catch {
        continue; // DuckDB refuses the file: Warden reports that error instead
      }
      await expect(dataset.confirmRows(read), file).resolves.toBeUndefined();
      compared++;
    }
    connection.closeSync();
    instance.closeSync();
    expect(compared).toBeGreaterThan(120);
  });

  it('refuses a count that differs, naming the longest line', async () => {
    const file = join(dir, 'short.csv');
    await writeFile(file, `id,text\n1,a\n2,${'x'.repeat(5000)}\n3,c\n`);
    const dataset = await openDataset(file);
    const error = await dataset.confirmRows(2).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WardenError);
    expect((error as WardenError).code).toBe('WARDEN_ERR_DATA_MALFORMED');
    expect((error as WardenError).message).toBe(
      `${file}: the query engine read 2 data rows, but the file holds 3 (counted from its line breaks outside quotes); its longest row is line 3 (5,002 bytes). Warden refuses a file it cannot read in full: check that line, or convert the file to Parquet`,
    );
  });
});
