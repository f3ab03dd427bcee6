import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoStackTrace, runCli, writeFixture } from './run-cli.js';

/**
 * Every reader reports exactly the rows in the file, or fails with exit 2 and the line. Rows of
 * 1, 16 and 32 MiB sit at the start, middle and end of one shared file (a 32 MiB row used to be
 * read as no row at all); rows of 64 MiB (over the limit) in three files of their own.
 */
const mib = 1024 * 1024;
const header = 'id,label,score,text\n';

/** Writes rows `id,label,score,text` whose text is `sizes[i]` bytes long (0: a short text). */
async function writeRows(file: string, sizes: readonly number[]): Promise<void> {
  const out = createWriteStream(file);
  out.write(header);
  sizes.forEach((size, id) => {
    out.write(`${id},${id % 2},${((id % 10) / 10).toFixed(1)},${size === 0 ? 't' : 'x'.repeat(size)}\n`);
  });
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

const contract = `apiVersion: v3.1.0
kind: DataContract
id: rows
version: 1.0.0
status: active
schema:
  - name: rows
    properties:
      - name: id
        logicalType: integer
        required: true
`;

// 32, 16 and 1 MiB at the start, 32 MiB in the middle, 1, 16 and 32 MiB at the end: 13 rows.
const acceptedSizes = [32 * mib, 16 * mib, mib, 0, 0, 0, 32 * mib, 0, 0, 0, mib, 16 * mib, 32 * mib];
const over = 64 * mib + 1;

let work: string;
let accepted: string;
let contractFile: string;
let small: string;
const overLimit: Record<'start' | 'middle' | 'end', { file: string; line: number }> = {
  start: { file: '', line: 2 },
  middle: { file: '', line: 4 },
  end: { file: '', line: 6 },
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'warden-row-count-'));
  accepted = join(work, 'large-rows.csv');
  await writeRows(accepted, acceptedSizes);
  small = join(work, 'small.csv');
  await writeRows(small, [0, 0, 0, 0]);
  contractFile = await writeFixture(work, 'rows.yaml', contract);
  for (const [position, entry] of Object.entries(overLimit)) {
    entry.file = join(work, `over-${position}.csv`);
    await writeRows(
      entry.file,
      [0, 0, 0, 0, 0].map((_, i) => (i + 2 === entry.line ? over : 0)),
    );
  }
}, 60_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const readers: [string, (file: string, json: string) => string[]][] = [
  [
    'check data',
    (file, json) => ['check', 'data', file, '--contract', contractFile, '--no-pii-scan', '--json', json],
  ],
  [
    'check model',
    (file, json) => ['check', 'model', file, '--target', 'label', '--score', 'score', '--json', json],
  ],
  [
    'check drift',
    (file, json) => [
      'check',
      'drift',
      '--reference',
      small,
      '--current',
      file,
      '--columns',
      'id,score',
      '--json',
      json,
    ],
  ],
];

describe('every reader reads every row of a file with 1, 16 and 32 MiB rows', () => {
  for (const [name, args] of readers) {
    it(`${name}: the evidence counts all ${acceptedSizes.length} rows`, async () => {
      const json = join(work, `${name.replace(' ', '-')}.json`);
      const run = await runCli(args(accepted, json));
      expect(run.stderr).toBe('');
      expect(run.code).toBeLessThan(2);
      const evidence = JSON.parse(await readFile(json, 'utf8'));
      const input = evidence.inputs.find((entry: { uri: string }) => entry.uri === accepted);
      expect(input.rows).toBe(acceptedSizes.length);
    }, 60_000);
  }

  it('baseline create and check drift --baseline: the baseline and the evidence count all rows', async () => {
    const baseline = join(work, 'baseline.json');
    const created = await runCli([
      'baseline',
      'create',
      accepted,
      '--columns',
      'id,score',
      '--out',
      baseline,
    ]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(JSON.parse(await readFile(baseline, 'utf8')).source.rows).toBe(acceptedSizes.length);
    const json = join(work, 'baseline-drift.json');
    const run = await runCli([
      'check',
      'drift',
      '--baseline',
      baseline,
      '--current',
      accepted,
      '--json',
      json,
    ]);
    expect(run.code).toBeLessThan(2);
    const evidence = JSON.parse(await readFile(json, 'utf8'));
    expect(evidence.inputs.at(-1).rows).toBe(acceptedSizes.length);
  }, 60_000);
});

describe('a row over 64 MiB is refused with exit 2 and its line, wherever it sits', () => {
  const refused = (line: number) =>
    new RegExp(
      `line ${line}: the row is 67,108,8\\d\\d bytes \\(64\\.0 MiB\\) long; a CSV row or JSON Lines line may hold at most 67,108,864 bytes \\(64 MiB\\)`,
    );

  for (const position of ['start', 'middle', 'end'] as const) {
    it(`check data, the row at the ${position}`, async () => {
      const { file, line } = overLimit[position];
      const run = await runCli(['check', 'data', file, '--contract', contractFile, '--no-pii-scan']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(refused(line));
      expect(run.stderr).toContain('WARDEN_ERR_DATA_MALFORMED');
      expectNoStackTrace(run.stderr);
    }, 60_000);
  }

  it('check model, check drift and baseline create, the row in the middle', async () => {
    const { file, line } = overLimit.middle;
    for (const args of [
      ['check', 'model', file, '--target', 'label', '--score', 'score'],
      ['check', 'drift', '--reference', small, '--current', file, '--columns', 'id,score'],
      ['baseline', 'create', file, '--columns', 'id,score', '--out', join(work, 'never.json')],
    ]) {
      const run = await runCli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(refused(line));
      expectNoStackTrace(run.stderr);
    }
  }, 120_000);
});

describe('a parser failure in the middle of a file exits 2 with its line', () => {
  it('a line break that changes from LF to CRLF halfway', async () => {
    const rows = Array.from({ length: 2000 }, (_, id) => `${id},1,0.5,t`);
    const file = await writeFixture(
      work,
      'mixed.csv',
      `${header}${rows.slice(0, 1000).join('\n')}\r\n${rows.slice(1000).join('\n')}\n`,
    );
    const run = await runCli(['check', 'data', file, '--contract', contractFile]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${file}: line 1001: its line break (CRLF or LF) differs from the first line's`,
    );
    expect(run.stderr).toContain('WARDEN_ERR_DATA_MALFORMED');
  }, 60_000);
});
