import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32, verifyEvidenceId, WardenError } from '../core/index.js';
import { createBaseline } from './create-baseline.js';
import { runBaselineDriftCheck, runDriftCheck } from './drift-check.js';

let dir: string;
let reference: string;
let current: string;
let same: string;

/** `rows` rows of x (uniform on [shift, shift + 100)) and group (a, b, c in equal shares). */
function sampleCsv(seed: number, rows: number, shift: number): string {
  const random = mulberry32(seed);
  const lines = ['x,group'];
  for (let row = 0; row < rows; row++) {
    lines.push(`${(shift + random() * 100).toFixed(3)},${'abc'[row % 3]}`);
  }
  return `${lines.join('\n')}\n`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-drift-check-'));
  reference = join(dir, 'reference.csv');
  current = join(dir, 'current.csv');
  same = join(dir, 'same.csv');
  await writeFile(reference, sampleCsv(1, 600, 0));
  await writeFile(current, sampleCsv(2, 500, 40));
  await writeFile(same, sampleCsv(3, 500, 0));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function codeOf(run: Promise<unknown>): Promise<string> {
  const error = await run.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(WardenError);
  return (error as WardenError).code;
}

describe('runDriftCheck', () => {
  it('seals a batch report of two files: the shifted column drifts, the other does not', async () => {
    const evidence = await runDriftCheck({ reference, current });
    expect(verifyEvidenceId(evidence)).toBe(true);
    expect(evidence).toMatchObject({
      kind: 'drift-report',
      mode: 'batch',
      subject: { type: 'dataset', name: 'current' },
      passed: false,
      datasetDrift: true,
      driftedColumnNames: ['x'],
    });
    expect(evidence.inputs.map((input) => [input.uri, input.rows])).toEqual([
      [reference, 600],
      [current, 500],
    ]);
    expect(evidence.columns['x']).toMatchObject({ type: 'numeric', method: 'ks', drifted: true });
    expect(evidence.columns['group']).toMatchObject({ type: 'categorical', drifted: false });
  });

  it('takes the columns, the method, the drift share and the subject name as data', async () => {
    const evidence = await runDriftCheck({
      reference,
      current: same,
      columns: ['x'],
      methods: { x: 'psi' },
      driftShare: 0.9,
      name: 'credit',
    });
    expect(Object.keys(evidence.columns)).toEqual(['x']);
    expect(evidence).toMatchObject({ subject: { name: 'credit' }, driftShare: 0.9, passed: true });
    expect(evidence.columns['x']).toMatchObject({ method: 'psi', drifted: false });
  });

  it('refuses a column that a file lacks and an unknown method, with coded errors', async () => {
    expect(await codeOf(runDriftCheck({ reference, current, columns: ['y'] }))).toBe(
      'WARDEN_ERR_DRIFT_INCOMPATIBLE_COLUMNS',
    );
    expect(await codeOf(runDriftCheck({ reference, current, methods: { x: 'nope' as never } }))).toBe(
      'WARDEN_ERR_DRIFT_INVALID_ARGUMENT',
    );
  });
});

describe('createBaseline and runBaselineDriftCheck', () => {
  it('builds a baseline from a file and judges windows of current rows against it', async () => {
    const baseline = await createBaseline({ file: reference, windowRows: 100 });
    expect(baseline).toMatchObject({
      kind: 'drift-baseline',
      windowRows: 100,
      source: { uri: reference, rows: 600 },
    });
    expect(Object.keys(baseline.features)).toEqual(['x', 'group']);
    expect(baseline.features['x']).toMatchObject({ type: 'numeric', thresholdSource: 'reference-chunks' });
    const baselineFile = join(dir, 'baseline.json');
    await writeFile(baselineFile, JSON.stringify(baseline));

    const evidence = await runBaselineDriftCheck({ baseline: baselineFile, current, windowRows: 200 });
    expect(verifyEvidenceId(evidence)).toBe(true);
    expect(evidence).toMatchObject({ kind: 'drift-report', mode: 'baseline', passed: false });
    expect(evidence.mode === 'baseline' && evidence.windows.map((window) => window.rows)).toEqual([200, 200]);
    expect(evidence.ignoredRows?.rows).toBe(100);
    expect(evidence.inputs[0]).toMatchObject({ uri: baselineFile, format: 'json' });
    expect(evidence.columns['x']?.drifted).toBe(true);

    const steady = await runBaselineDriftCheck({ baseline: baselineFile, current: same, columns: ['group'] });
    expect(Object.keys(steady.columns)).toEqual(['group']);
    expect(steady.passed).toBe(true);
  });

  it('refuses bad options and unknown columns with coded errors', async () => {
    expect(await codeOf(createBaseline({ file: reference, columns: ['y'] }))).toBe(
      'WARDEN_ERR_USAGE_INVALID_OPTION',
    );
    const baselineFile = join(dir, 'baseline-x.json');
    await writeFile(baselineFile, JSON.stringify(await createBaseline({ file: reference, columns: ['x'] })));
    expect(await codeOf(runBaselineDriftCheck({ baseline: baselineFile, current, windowRows: 0 }))).toBe(
      'WARDEN_ERR_DRIFT_INVALID_ARGUMENT',
    );
    expect(await codeOf(runBaselineDriftCheck({ baseline: baselineFile, current, columns: ['group'] }))).toBe(
      'WARDEN_ERR_DRIFT_FEATURE_MISMATCH',
    );
    expect(await codeOf(runBaselineDriftCheck({ baseline: join(dir, 'absent.json'), current }))).toBe(
      'WARDEN_ERR_INPUT_FILE_NOT_FOUND',
    );
  });
});
