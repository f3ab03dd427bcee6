import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { driftedHoldout } from '../../src/cli/demo/credit-risk-drift.js';
import { mulberry32, verifyEvidenceId } from '../../src/core/index.js';
import { parseBaseline } from '../../src/drift/index.js';
import { type CliRun, expectNoStackTrace, repoRoot, runCli, writeFixture } from './run-cli.js';

const creditData = join(repoRoot, 'examples/credit-risk/credit_data.csv');
const creditColumns = [
  'Status',
  'Seniority',
  'Home',
  'Time',
  'Age',
  'Marital',
  'Records',
  'Job',
  'Expenses',
  'Income',
  'Assets',
  'Debt',
  'Amount',
  'Price',
];

let work: string;
let holdout: string;

/** `rows` rows of x (uniform on [shift, shift + 100)), and group (a, b, c) and flag in equal shares. */
function sampleRows(
  seed: number,
  rows: number,
  shift: number,
): { x: number; group: string; flag: boolean }[] {
  const random = mulberry32(seed);
  return Array.from({ length: rows }, (_, index) => ({
    x: Math.round((shift + random() * 100) * 100) / 100,
    group: ['a', 'b', 'c'][index % 3] as string,
    flag: index % 2 === 0,
  }));
}

function csvOf(rows: readonly { x: number; group: string; flag: boolean }[]): string {
  return `x,group,flag\n${rows.map((row) => `${row.x},${row.group},${row.flag}`).join('\n')}\n`;
}

function jsonLinesOf(rows: readonly object[]): string {
  return `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`;
}

async function parquetOf(csvFile: string, parquetFile: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(
    `COPY (SELECT * FROM read_csv('${csvFile}', header=true)) TO '${parquetFile}' (FORMAT parquet)`,
  );
  connection.closeSync();
  instance.closeSync();
}

async function evidenceOf(file: string) {
  return JSON.parse(await readFile(file, 'utf8'));
}

/** Bad input: exit 2, the exact code, the message, no stack trace. */
function expectBadInput(run: CliRun, code: string, message: RegExp): void {
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(`[${code}]`);
  expect(run.stderr).toMatch(message);
  expectNoStackTrace(run.stderr);
  expect(run.stdout).toBe('');
}

/** `warden check drift` of the shifted credit-risk holdout against the example data. */
const creditDrift = (...extra: string[]) =>
  runCli(['check', 'drift', '--reference', creditData, '--current', holdout, ...extra]);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'warden-cli-drift-'));
  holdout = await writeFixture(work, 'holdout.csv', driftedHoldout(await readFile(creditData, 'utf8')));
});

describe('warden check drift on the credit-risk example', () => {
  it('finds Income and Age drifted in a holdout where both were shifted upward, and nothing else', async () => {
    const json = join(work, 'credit.json');
    const junit = join(work, 'credit.xml');
    const markdown = join(work, 'credit.md');
    const html = join(work, 'credit.html');
    const run = await creditDrift(
      '--target',
      'Status',
      '--json',
      json,
      '--junit',
      junit,
      '--markdown',
      markdown,
      '--html',
      html,
    );
    expect(run.stderr).toBe('');
    // 2 of 14 columns is below Evidently's dataset-drift share of 0.5.
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^NO DATASET DRIFT {2}2 of 14 columns drifted \(14\.3%; dataset drift from 50%\): Age, Income$/m,
    );
    const lines = run.stdout.split('\n').filter((line) => /^ {2}[✗✓-] /.test(line));
    expect(lines.map((line) => line.split(/\s+/)[3])).toEqual(
      expect.arrayContaining(creditColumns.map((name) => `drift.${name}`)),
    );
    expect(lines[0]).toMatch(/✗ FAIL {2}drift\.Age +Age +wasserstein +0\.\d+ +< 0\.1/);
    expect(lines[1]).toMatch(/✗ FAIL {2}drift\.Income +Income +wasserstein/);
    expect(lines.slice(2).every((line) => line.includes('✓ PASS'))).toBe(true);

    const evidence = await evidenceOf(json);
    expect(evidence).toMatchObject({
      kind: 'drift-report',
      schemaVersion: 1,
      mode: 'batch',
      subject: { type: 'dataset', name: 'holdout' },
      passed: true,
      datasetDrift: false,
      totalColumns: 14,
      testedColumns: 14,
      driftedColumns: 2,
      driftShare: 0.5,
      driftedColumnNames: ['Age', 'Income'],
    });
    expect(verifyEvidenceId(evidence)).toBe(true);
    expect(evidence.inputs.map((input: { uri: string; rows: number }) => [input.uri, input.rows])).toEqual([
      [creditData, 4454],
      [holdout, 2000],
    ]);
    expect(Object.keys(evidence.columns)).toEqual(creditColumns);
    expect(evidence.columns.Status).toMatchObject({
      role: 'target',
      type: 'categorical',
      method: 'jensenshannon',
    });
    // NA marks a missing Income, as pandas reads it.
    expect(evidence.columns.Income).toMatchObject({ type: 'numeric', referenceMissing: 381, drifted: true });
    for (const name of creditColumns.filter((column) => column !== 'Age' && column !== 'Income')) {
      expect(evidence.columns[name].drifted, name).toBe(false);
    }
    expect(await readFile(junit, 'utf8')).toMatch(
      /<testsuite name="Drift check: holdout" tests="14" failures="2"/,
    );
    expect(await readFile(markdown, 'utf8')).toContain('**No dataset drift** — 2 of 14 columns drifted');

    const page = await readFile(html, 'utf8');
    expect(page).not.toMatch(/<script|<link|<img|@import|url\(/i);
    const driftedSection = page.slice(page.indexOf('<h2>Drifted columns</h2>'), page.indexOf('<details>'));
    expect(driftedSection.match(/<svg /g)).toHaveLength(2);
    expect(driftedSection).toContain('data-column="Age"');
    expect(driftedSection).toContain('data-column="Income"');
    expect(page).toContain('<span class="verdict pass">NO DATASET DRIFT</span>');
  });

  it('fails with exit 1 when the share of drifted columns reaches --drift-share', async () => {
    const run = await creditDrift('--drift-share', '0.1', '--quiet');
    expect(run.code).toBe(1);
    expect(run.stdout.trim()).toBe(
      'DATASET DRIFT  2 of 14 columns drifted (14.3%; dataset drift from 10%): Age, Income',
    );
  });

  it('feeds the central input-drift policy: a deploy onto drifted data is denied, naming the columns', async () => {
    const gate = (evidence: string) =>
      runCli([
        'gate',
        'deploy',
        '--policies',
        join(repoRoot, 'examples/policies'),
        '--evidence',
        evidence,
        '--subject',
        'model=credit-risk,version=1',
        '--monitors',
        join(repoRoot, 'examples/credit-risk/monitors.yaml'),
      ]);
    const calm = join(work, 'deploy-calm.json');
    const drifted = join(work, 'deploy-drifted.json');
    expect((await creditDrift('--json', calm, '--quiet')).code).toBe(0);
    expect((await creditDrift('--drift-share', '0.1', '--json', drifted, '--quiet')).code).toBe(1);
    const allowed = await gate(calm);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/^ALLOWED/m);
    const denied = await gate(drifted);
    expect(denied.code).toBe(1);
    expect(denied.stdout).toMatch(
      /✗ FAIL {2}input-drift\/no-dataset-drift .* dataset drift: 2 of 14 columns drifted \(Age, Income\)/,
    );
  });

  it('compares only --columns, with the methods and thresholds given', async () => {
    const json = join(work, 'columns.json');
    const run = await creditDrift(
      '--columns',
      'Income,Home',
      '--method',
      'Income=psi',
      '--threshold',
      'Income=0.2',
      '--method',
      'hellinger',
      '--json',
      json,
    );
    expect(run.code).toBe(1);
    const evidence = await evidenceOf(json);
    expect(Object.keys(evidence.columns)).toEqual(['Income', 'Home']);
    expect(evidence.columns.Income).toMatchObject({ method: 'psi', threshold: 0.2, drifted: true });
    expect(evidence.columns.Home).toMatchObject({ method: 'hellinger', threshold: 0.1, drifted: false });
  });
});

describe('warden check drift across file formats', () => {
  it('compares a Parquet reference with a JSON Lines current file', async () => {
    const referenceCsv = await writeFixture(work, 'formats-reference.csv', csvOf(sampleRows(1, 400, 0)));
    const reference = join(work, 'formats-reference.parquet');
    await parquetOf(referenceCsv, reference);
    const current = await writeFixture(work, 'formats-current.jsonl', jsonLinesOf(sampleRows(2, 300, 40)));
    const json = join(work, 'formats.json');
    const run = await runCli([
      'check',
      'drift',
      '--reference',
      reference,
      '--current',
      current,
      '--json',
      json,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const evidence = await evidenceOf(json);
    expect(evidence.inputs.map((input: { format: string }) => input.format)).toEqual(['parquet', 'jsonl']);
    expect(evidence.columns.x).toMatchObject({ type: 'numeric', method: 'ks', drifted: true });
    expect(evidence.columns.group).toMatchObject({
      type: 'categorical',
      method: 'chisquare',
      drifted: false,
    });
    // Parquet BOOLEAN and JSON true/false are both categories.
    expect(evidence.columns.flag).toMatchObject({ type: 'categorical', method: 'z', drifted: false });
  });

  it('escapes the data in the HTML report', async () => {
    const reference = await writeFixture(work, 'escape-reference.csv', 'tag\n<b>bold</b>\nplain\nplain\n');
    const current = await writeFixture(work, 'escape-current.csv', 'tag\n<script>alert(1)</script>\nplain\n');
    const html = join(work, 'escape.html');
    const run = await runCli([
      'check',
      'drift',
      '--reference',
      reference,
      '--current',
      current,
      '--html',
      html,
    ]);
    expect([0, 1]).toContain(run.code);
    const page = await readFile(html, 'utf8');
    expect(page).not.toContain('<script');
    expect(page).not.toContain('<b>bold');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('warden check drift on bad input', () => {
  const pair = async (name: string, reference: string, current: string) => ({
    reference: await writeFixture(work, `${name}-reference.csv`, reference),
    current: await writeFixture(work, `${name}-current.csv`, current),
  });
  const drift = (files: { reference: string; current: string }, ...extra: string[]) =>
    runCli(['check', 'drift', '--reference', files.reference, '--current', files.current, ...extra]);

  it('names a column missing from one file, where it is missing, and --columns as the fix', async () => {
    const files = await pair('missing', 'a,income,b\n1,2,x\n', 'a,incme,b\n1,2,x\n');
    const run = await drift(files);
    expectBadInput(
      run,
      'WARDEN_ERR_DRIFT_INCOMPATIBLE_COLUMNS',
      /the reference .*missing-reference\.csv and the current .*missing-current\.csv do not have the same columns: "income" is missing from the current .*missing-current\.csv \(did you mean "incme"\?\); "incme" is missing from the reference .*; compare the shared columns with --columns a,b, or fix the files/,
    );
    const shared = await drift(files, '--columns', 'a,b');
    expect(shared.stderr).toBe('');
    expect([0, 1]).toContain(shared.code);
  });

  it('names a column numeric in one file and text in the other, with both files, types and the fix', async () => {
    const files = await pair('types', 'age,city\n31,x\n45,y\n', 'age,city\n33,x\nunknown,y\n');
    expectBadInput(
      await drift(files),
      'WARDEN_ERR_DRIFT_INCOMPATIBLE_COLUMNS',
      /column "age" is numeric \(VARCHAR\) in the reference .*types-reference\.csv but text \(1 of 2 values are not numbers, e\.g\. "xxxxxxx" masked\) in the current .*types-current\.csv; make it numeric in both files \(clean those values, or pass --null-value with the marker if they mark a missing value\), or leave it out with --columns/,
    );
  });

  it('reports an all-null column as not tested, without a p-value, and judges the others', async () => {
    const rows = (shift: number, blank: boolean) =>
      Array.from({ length: 40 }, (_, index) => `${index + shift},${blank ? '' : index % 3}`).join('\n');
    const files = await pair('nulls', `x,empty\n${rows(0, false)}\n`, `x,empty\n${rows(0, true)}\n`);
    const json = join(work, 'nulls.json');
    const run = await drift(files, '--json', json);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /- SKIP {2}drift\.empty +empty +— +— +— +not tested: column 'empty': the current sample has no values left/,
    );
    expect(run.stdout).toMatch(/1 not tested: empty$/m);
    const evidence = await evidenceOf(json);
    expect(evidence.columns.empty).toMatchObject({
      drifted: null,
      errorCode: 'WARDEN_ERR_DRIFT_TOO_FEW_ROWS',
      currentMissing: 40,
    });
    expect(evidence.columns.empty).not.toHaveProperty('pValue');
    expect(evidence).toMatchObject({ testedColumns: 1, skipped: [{ column: 'empty' }] });
  });

  it('refuses a current file with fewer rows than any test needs, naming each column', async () => {
    const files = await pair('norows', 'x,g\n1,a\n2,b\n', 'x,g\n');
    expectBadInput(
      await drift(files),
      'WARDEN_ERR_DRIFT_TOO_FEW_ROWS',
      /no column could be tested: x: column 'x': the current sample has no values left .*; g: column 'g': the current sample has no values left/,
    );
  });

  it('tests a constant column (no drift) and says why a chi-square over it cannot run', async () => {
    const rows = Array.from({ length: 30 }, (_, index) => `${index},on`).join('\n');
    const files = await pair('constant', `x,mode\n${rows}\n`, `x,mode\n${rows}\n`);
    const json = join(work, 'constant.json');
    expect((await drift(files, '--json', json)).code).toBe(0);
    expect((await evidenceOf(json)).columns.mode).toMatchObject({ method: 'z', pValue: 1, drifted: false });
    const forced = await drift(files, '--method', 'mode=chisquare', '--json', json);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(
      /- SKIP {2}drift\.mode .*chi-square test needs at least two distinct values/,
    );
  });

  it('refuses unknown methods, methods that do not fit the column, and thresholds that are not numbers', async () => {
    const files = await pair('options', 'x,g\n1,a\n2,b\n3,c\n', 'x,g\n1,a\n2,b\n');
    expectBadInput(
      await drift(files, '--method', 'x=wasserstien'),
      'WARDEN_ERR_DRIFT_INVALID_ARGUMENT',
      /column 'x': unknown drift method 'wasserstien' \(did you mean "wasserstein"\?\); use one of ks, chisquare/,
    );
    expectBadInput(
      await drift(files, '--method', 'g=ks'),
      'WARDEN_ERR_DRIFT_INVALID_ARGUMENT',
      /column 'g': method 'ks' needs numeric values and the column is categorical/,
    );
    expectBadInput(
      await drift(files, '--threshold', 'x=high'),
      'WARDEN_ERR_DRIFT_INVALID_ARGUMENT',
      /--threshold x=high: "high" is not a number; write --threshold COLUMN=0\.2/,
    );
    expectBadInput(
      await drift(files, '--threshold', 'y=0.2'),
      'WARDEN_ERR_DRIFT_INVALID_ARGUMENT',
      /the threshold y=0\.2 names column 'y', which is not compared/,
    );
    expectBadInput(
      await drift(files, '--target', 'label'),
      'WARDEN_ERR_DRIFT_INCOMPATIBLE_COLUMNS',
      /--target names column "label", which neither file has/,
    );
  });

  it('refuses a drift share that is not a share, and options of the other mode', async () => {
    expectBadInput(
      await creditDrift('--drift-share', 'abc'),
      'WARDEN_ERR_DRIFT_INVALID_ARGUMENT',
      /--drift-share "abc" is not a number; give a share from 0 to 1, e\.g\. 0\.5/,
    );
    expectBadInput(
      await creditDrift('--drift-share', '1.5'),
      'WARDEN_ERR_DRIFT_INVALID_ARGUMENT',
      /the drift share 1\.5 is not a number from 0 to 1/,
    );
    expectBadInput(
      await creditDrift('--window-rows', '10'),
      'WARDEN_ERR_USAGE_INVALID_OPTION',
      /--window-rows applies to --baseline/,
    );
  });

  it('asks for exactly one of --reference and --baseline', async () => {
    const run = await runCli(['check', 'drift', '--current', holdout]);
    expectBadInput(
      run,
      'WARDEN_ERR_USAGE_INVALID_OPTION',
      /--reference FILE \(batch drift\) or --baseline FILE/,
    );
  });
});

describe('warden baseline create and check drift --baseline', () => {
  let baselineFile: string;
  const baselineDrift = (current: string, ...extra: string[]) =>
    runCli(['check', 'drift', '--baseline', baselineFile, '--current', current, ...extra]);

  beforeAll(async () => {
    baselineFile = join(work, 'baseline.json');
    const run = await runCli([
      'baseline',
      'create',
      creditData,
      '--out',
      baselineFile,
      '--window-rows',
      '500',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Baseline of .*credit_data\.csv: 14 features \(9 numeric, 5 categorical\) from 4,454 rows$/m,
    );
    expect(run.stdout).toMatch(/thresholds: mean \+ 3 std of each score over 8 reference chunks of 500 rows/);
  });

  it('writes a baseline that parses, with fixed bins per feature', async () => {
    const baseline = parseBaseline(await readFile(baselineFile, 'utf8'), baselineFile);
    expect(Object.keys(baseline.features)).toEqual(creditColumns);
    expect(baseline.features['Income']).toMatchObject({ type: 'numeric', summary: { missing: 381 } });
    expect(baseline.features['Home']?.type).toBe('categorical');
    expect(baseline).toMatchObject({ windowRows: 500, source: { rows: 4454 } });
  });

  it('round-trips: the reference itself does not drift, the shifted holdout does on Age and Income', async () => {
    const same = await baselineDrift(creditData);
    expect(same.stderr).toBe('');
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/^NO DATASET DRIFT {2}0 of 14 columns drifted/m);

    const json = join(work, 'baseline-drift.json');
    const html = join(work, 'baseline-drift.html');
    const run = await baselineDrift(holdout, '--json', json, '--html', html);
    expect(run.code).toBe(0);
    const evidence = await evidenceOf(json);
    expect(evidence).toMatchObject({
      mode: 'baseline',
      driftedColumnNames: ['Age', 'Income'],
      windows: [{ rows: 2000 }],
    });
    expect(evidence.inputs[0]).toMatchObject({ uri: baselineFile, format: 'json' });
    expect(evidence.columns.Age.scores.ks).toMatchObject({ approximate: true });
    expect(evidence.columns.Age.scores.psi).toMatchObject({ approximate: false, aboveThreshold: true });
    expect(evidence.columns.Age).toMatchObject({
      comparison: 'distance > threshold',
      histogram: { kind: 'buckets' },
    });
    const page = await readFile(html, 'utf8');
    expect(
      page.slice(page.indexOf('<h2>Drifted columns</h2>'), page.indexOf('<details>')).match(/<svg /g),
    ).toHaveLength(2);
  });

  it('serves DriftAccumulator from the package export: replicas merged by snapshot count as one', async () => {
    // The README's library example, run by Node against the built package as a user's code would.
    const script = `
      import { readFile } from 'node:fs/promises';
      import { DriftAccumulator, parseBaseline } from 'warden/drift';
      const baseline = parseBaseline(await readFile(process.argv[1], 'utf8'), process.argv[1]);
      const options = { sliceMillis: 60_000, windowSlices: 60 };
      const [one, replicaA, replicaB] = [0, 1, 2].map(() => new DriftAccumulator(baseline, options));
      const rows = [
        { Age: 41, Income: 130, Home: 'owner' },
        { Age: 23, Income: null, Home: 'rent' },
        { Age: 58, Home: 'no-such-home' },
      ];
      rows.forEach((row, index) => {
        one.add(row, 1_000);
        (index % 2 === 0 ? replicaA : replicaB).add(row, 1_000);
      });
      one.addBatch({ Age: Float64Array.of(30, 31), Home: ['rent', null] }, 2_000);
      replicaB.addBatch({ Age: Float64Array.of(30, 31), Home: ['rent', null] }, 2_000);
      replicaA.merge(DriftAccumulator.fromSnapshot(baseline, JSON.parse(JSON.stringify(replicaB.snapshot()))));
      const [merged, whole] = [replicaA.scores(), one.scores()];
      console.log(JSON.stringify({ same: JSON.stringify(merged) === JSON.stringify(whole), rows: whole.windowRows,
        ageCounts: whole.features.Age.counts, homeCounts: whole.features.Home.counts, ks: whole.features.Age.ks.approximate }));
    `;
    const child = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', script, join(work, 'baseline.json')],
      {
        cwd: repoRoot,
        encoding: 'utf8',
      },
    );
    expect(child.stderr).toBe('');
    const result = JSON.parse(child.stdout);
    expect(result).toMatchObject({ same: true, rows: 5, ks: true });
    const sum = (counts: number[]) => counts.reduce((total, count) => total + count, 0);
    expect(sum(result.ageCounts)).toBe(5);
    // Categorical buckets end with (other) and (missing): the unknown home, the null.
    expect(result.homeCounts.slice(-2)).toEqual([1, 1]);
    expect(sum(result.homeCounts)).toBe(5);
  });

  it('judges consecutive windows of --window-rows rows', async () => {
    const json = join(work, 'windows.json');
    const run = await baselineDrift(holdout, '--window-rows', '600', '--json', json);
    expect(run.code).toBe(0);
    const evidence = await evidenceOf(json);
    expect(evidence.windows.map((window: { rows: number }) => window.rows)).toEqual([600, 600, 600]);
    expect(evidence.ignoredRows).toMatchObject({ rows: 200 });
    expect(evidence.driftedColumnNames).toEqual(['Age', 'Income']);
  });

  it('refuses baseline options that are not whole numbers, and columns the file lacks', async () => {
    const create = (...extra: string[]) =>
      runCli(['baseline', 'create', creditData, '--out', join(work, 'refused.json'), ...extra]);
    expectBadInput(
      await create('--top-k', '0'),
      'WARDEN_ERR_USAGE_INVALID_OPTION',
      /--top-k takes a whole number ≥ 1, got "0"/,
    );
    expectBadInput(
      await create('--window-rows', 'x'),
      'WARDEN_ERR_USAGE_INVALID_OPTION',
      /--window-rows takes a whole number ≥ 1, got "x"/,
    );
    expectBadInput(
      await create('--columns', 'Agee'),
      'WARDEN_ERR_USAGE_INVALID_OPTION',
      /--columns names "Agee", which .*credit_data\.csv does not have \(did you mean "Age"\?\)/,
    );
    expectBadInput(
      await baselineDrift(holdout, '--method', 'psi'),
      'WARDEN_ERR_USAGE_INVALID_OPTION',
      /--method applies to --reference; a baseline judges every feature by its own bins/,
    );
    await expect(stat(join(work, 'refused.json'))).rejects.toThrow();
  });

  it('refuses a baseline of another schema version or another Warden major version', async () => {
    const document = JSON.parse(await readFile(baselineFile, 'utf8'));
    const future = await writeFixture(work, 'future.json', JSON.stringify({ ...document, schemaVersion: 2 }));
    expectBadInput(
      await runCli(['check', 'drift', '--baseline', future, '--current', holdout]),
      'WARDEN_ERR_DRIFT_INVALID_BASELINE',
      /future\.json: baseline schemaVersion 2 is not supported; warden .* reads schemaVersion 1; recreate the baseline/,
    );
    const older = await writeFixture(
      work,
      'older.json',
      JSON.stringify({ ...document, producer: { name: 'warden', version: '7.0.0' } }),
    );
    expectBadInput(
      await runCli(['check', 'drift', '--baseline', older, '--current', holdout]),
      'WARDEN_ERR_DRIFT_INVALID_BASELINE',
      /older\.json: written by warden 7\.0\.0, but this is warden .*; baselines are read only by the major version that wrote them/,
    );
  });

  it('refuses data without the baseline features, naming them', async () => {
    const renamed = await writeFixture(
      work,
      'renamed.csv',
      (await readFile(holdout, 'utf8')).replace('"Income"', '"Earnings"'),
    );
    expectBadInput(
      await baselineDrift(renamed),
      'WARDEN_ERR_DRIFT_FEATURE_MISMATCH',
      /renamed\.csv: the data lacks 1 of the baseline's 14 features: "Income"; 1 column is not in the baseline and will not be monitored: "Earnings"; rename the columns to match the baseline, or create a new baseline/,
    );
    expectBadInput(
      await baselineDrift(holdout, '--columns', 'Age,Salary'),
      'WARDEN_ERR_DRIFT_FEATURE_MISMATCH',
      /baseline\.json: the baseline has no feature "Salary"/,
    );
  });

  it('refuses a numeric feature that is text in the current data', async () => {
    const texty = await writeFixture(
      work,
      'texty.csv',
      (await readFile(holdout, 'utf8')).replace(/\n("[a-z]+",\d+,"\w+",\d+,)\d+,/, '\n$1"old",'),
    );
    expectBadInput(
      await baselineDrift(texty),
      'WARDEN_ERR_DRIFT_INCOMPATIBLE_COLUMNS',
      /column "Age" is numeric in the baseline .*baseline\.json but text \(1 of 2,000 values are not numbers, e\.g\. "xxx" masked\) in the current .*texty\.csv/,
    );
  });
});
