import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/core/index.js';
import { makeIban, makeSsn, withLuhnCheckDigit } from '../../src/data/test-support/pii-reference.js';
import { type CliRun, runCli, writeFixture } from './run-cli.js';

/*
 * Raw personal data planted in every kind of column (text, numeric-typed, date-typed, categorical)
 * must not appear in any output of any check: not on the terminal, not in the evidence, the JUnit
 * and Markdown reports, the drift HTML report or a baseline (docs/data-gate.md, docs/drift.md).
 */

const card = withLuhnCheckDigit('453914880343646');
const iban = makeIban('DE', '370400440532013000');
const ssn = makeSsn(234, 56, 7890);
const email = 'jane.roe@example.org';
const planted = [email, card, iban, ssn];
/** Every planted value as it may be written, compact or printed. */
const forms = [...planted, iban.replace(/(.{4})(?=.)/g, '$1 '), ssn.replaceAll('-', '')];

const contract = `apiVersion: v3.1.0
kind: DataContract
id: planted
version: 1.0.0
status: active
schema:
  - name: applications
    properties:
      - name: Name
        logicalType: string
      - name: Income
        logicalType: number
        logicalTypeOptions: { minimum: 0, maximum: 1000000 }
      - name: Amount
        logicalType: integer
        unique: true
      - name: Opened
        logicalType: date
      - name: Home
        logicalType: string
        quality:
          - metric: invalidValues
            arguments: { validValues: [rent, owner] }
            mustBe: 0
      - name: Status
        logicalType: string
`;

/** Rows of the five column kinds; every `plantEvery`-th row holds a planted value in every column. */
function applications(seed: number, rows: number, plant: boolean): string {
  const random = mulberry32(seed);
  const lines = ['Name,Income,Amount,Opened,Home,Status'];
  for (let row = 0; row < rows; row++) {
    const value = plant && row % 10 === 3 ? planted[((row / 10) % planted.length) | 0] : undefined;
    const cells = [
      value ?? `client${row}`,
      value ?? String(Math.round(20_000 + random() * 80_000)),
      value ?? String(row + 1),
      value ?? `2020-0${1 + (row % 9)}-1${row % 10}`,
      value ?? (random() < 0.5 ? 'rent' : 'owner'),
      random() < 0.3 ? 'bad' : 'good',
    ];
    lines.push(cells.map((cell) => (cell.includes(',') ? `"${cell}"` : cell)).join(','));
  }
  return `${lines.join('\n')}\n`;
}

let work: string;
const runs: CliRun[] = [];

async function warden(...args: string[]): Promise<CliRun> {
  const run = await runCli(args, { cwd: work });
  runs.push(run);
  return run;
}

function expectNoPlantedValue(text: string, where: string): void {
  for (const form of forms) expect(text.includes(form), `${form} in ${where}`).toBe(false);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'warden-pii-outputs-'));
  await writeFixture(work, 'contract.yaml', contract);
  await writeFixture(work, 'reference.csv', applications(1, 400, true));
  await writeFixture(work, 'current.csv', applications(2, 300, true));
  await writeFixture(work, 'clean.csv', applications(3, 300, false));
  const random = mulberry32(4);
  const predictions = ['Status,score,Group'];
  for (let row = 0; row < 200; row++) {
    const group = row % 4 === 0 ? (planted[row % planted.length] as string) : 'a';
    predictions.push(`${random() < 0.3 ? 'bad' : 'good'},${random().toFixed(3)},${group}`);
  }
  await writeFixture(work, 'predictions.csv', `${predictions.join('\n')}\n`);
  const badScores = predictions.map((line, index) => (index === 7 ? `bad,${ssn},a` : line));
  await writeFixture(work, 'bad-scores.csv', `${badScores.join('\n')}\n`);
}, 60_000);

describe('planted personal data never reaches an output', () => {
  it('warden check data with a contract typing the columns', async () => {
    const run = await warden(
      'check',
      'data',
      'reference.csv',
      '--contract',
      'contract.yaml',
      '--verbose',
      '--json',
      'data.json',
      '--junit',
      'data.xml',
      '--markdown',
      'data.md',
    );
    expect(run.code).toBe(1);
    // The failures are there, with samples, masked.
    expect(run.stdout).toMatch(/Income\.logicalType/);
    expect(run.stdout).toMatch(/Opened\.logicalType/);
  }, 60_000);

  it('warden check drift, reference against current, in every report format', async () => {
    const run = await warden(
      'check',
      'drift',
      '--reference',
      'reference.csv',
      '--current',
      'current.csv',
      '--target',
      'Status',
      '--json',
      'drift.json',
      '--html',
      'drift.html',
      '--junit',
      'drift.xml',
      '--markdown',
      'drift.md',
    );
    expect([0, 1]).toContain(run.code);
    const evidence = JSON.parse(await readFile(join(work, 'drift.json'), 'utf8'));
    expect(evidence.categoryDigest.salt).toMatch(/^[0-9a-f]{32}$/);
    for (const column of ['Name', 'Income', 'Amount', 'Opened', 'Home']) {
      expect(evidence.columns[column].histogram.digested, column).toBe(true);
    }
    expect(evidence.columns.Status.histogram.categories).toEqual(['good', 'bad']);
  }, 60_000);

  it('warden baseline create and check drift --baseline', async () => {
    const created = await warden('baseline', 'create', 'reference.csv', '--out', 'baseline.json');
    expect(created.code).toBe(0);
    const run = await warden(
      'check',
      'drift',
      '--baseline',
      'baseline.json',
      '--current',
      'current.csv',
      '--json',
      'baseline-drift.json',
      '--html',
      'baseline-drift.html',
      '--junit',
      'baseline-drift.xml',
      '--markdown',
      'baseline-drift.md',
    );
    expect([0, 1]).toContain(run.code);
    const baseline = JSON.parse(await readFile(join(work, 'baseline.json'), 'utf8'));
    expect(baseline.features.Home.digested).toBe(true);
    expect(baseline.features.Status.digested).toBeUndefined();
  }, 60_000);

  it('a drift type error names the column and masks the value', async () => {
    for (const args of [
      ['check', 'drift', '--reference', 'clean.csv', '--current', 'current.csv'],
      ['baseline', 'create', 'clean.csv', '--out', 'clean-baseline.json'],
      ['check', 'drift', '--baseline', 'clean-baseline.json', '--current', 'current.csv'],
    ]) {
      const run = await warden(...args);
      if (args[0] === 'baseline') continue;
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('[WARDEN_ERR_DRIFT_INCOMPATIBLE_COLUMNS]');
      expect(run.stderr).toMatch(/column "Income" .*e\.g\. "[#x@.-]+" masked/);
    }
  }, 60_000);

  it('warden check model with PII in the sensitive attribute and in a score', async () => {
    await warden(
      'check',
      'model',
      'predictions.csv',
      '--target',
      'Status',
      '--positive',
      'bad',
      '--score',
      'score',
      '--sensitive',
      'Group',
      '--json',
      'model.json',
      '--junit',
      'model.xml',
      '--markdown',
      'model.md',
    );
    const bad = await warden(
      'check',
      'model',
      'bad-scores.csv',
      '--target',
      'Status',
      '--positive',
      'bad',
      '--score',
      'score',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('(e.g. "###-##-####" masked)');
  }, 60_000);

  it('no output file and no terminal output holds a planted value', async () => {
    const files = (await readdir(work)).filter((name) => !/\.(csv|yaml)$/.test(name));
    expect(files.length).toBeGreaterThanOrEqual(14);
    for (const name of files) expectNoPlantedValue(await readFile(join(work, name), 'utf8'), name);
    for (const run of runs) {
      expectNoPlantedValue(run.stdout, 'stdout');
      expectNoPlantedValue(run.stderr, 'stderr');
    }
  });
});
