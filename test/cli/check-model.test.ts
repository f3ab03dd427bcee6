import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoStackTrace, repoRoot, runCli, writeFixture } from './run-cli.js';

const predictions = join(repoRoot, 'examples/credit-risk/predictions.csv');
const gate = [
  '--target',
  'Status',
  '--positive',
  'bad',
  '--score',
  'score',
  '--sensitive',
  'Age,Marital',
  '--bins',
  'Age=18,25,40,65',
  '--min-group-size',
  '30',
];

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'warden-cli-model-'));
});

describe('warden check model', () => {
  it('passes with exit 0 and writes the evidence, JUnit and Markdown', async () => {
    const json = join(work, 'model.json');
    const junit = join(work, 'model.xml');
    const markdown = join(work, 'model.md');
    const run = await runCli([
      'check',
      'model',
      predictions,
      ...gate,
      '--min-auc',
      '0.75',
      '--max-difference',
      'equalizedOdds=0.2',
      '--model',
      'credit-risk',
      '--version',
      '7',
      '--json',
      json,
      '--junit',
      junit,
      '--markdown',
      markdown,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Model check: credit-risk version 7');
    expect(run.stdout).toMatch(/^PASSED {2}3 thresholds: 3 passed, 0 failed$/m);
    const evidence = JSON.parse(await readFile(json, 'utf8'));
    expect(evidence.kind).toBe('model-evaluation');
    expect(evidence.subject).toEqual({ type: 'model-version', name: 'credit-risk', version: '7' });
    expect(evidence.performance.rocAuc).toBeCloseTo(0.8294, 4);
    expect(evidence.thresholds.map((result: { metric: string }) => result.metric)).toEqual([
      'rocAuc',
      'equalizedOddsDifference',
      'equalizedOddsDifference',
    ]);
    expect(await readFile(junit, 'utf8')).toContain('<testsuite');
    expect(await readFile(markdown, 'utf8')).toContain('| group | rows | selection |');
  });

  it('fails with exit 1 and names the groups behind the failing disparity', async () => {
    const run = await runCli([
      'check',
      'model',
      predictions,
      ...gate,
      '--min-ratio',
      'demographicParity=0.8',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /demographic parity ratio on Age 0\.4953 is below 0\.8 \(selection rate 0\.305 for Age \[18, 25\) vs 0\.151 for Age \[40, 65\)\)/,
    );
    expect(run.stdout).toMatch(/^FAILED {2}2 thresholds: 0 passed, 2 failed$/m);
  });

  it('prints bootstrap intervals and evaluates intersections', async () => {
    const run = await runCli([
      'check',
      'model',
      predictions,
      ...gate,
      '--intersections',
      '--bootstrap',
      '50',
      '--seed',
      '3',
      '--quiet',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(
      'PASSED  measured only: no thresholds given (gate with --min-auc, --min-ratio, --max-difference, or with --policies)',
    );
    const verbose = await runCli([
      'check',
      'model',
      predictions,
      ...gate,
      '--intersections',
      '--bootstrap',
      '50',
    ]);
    expect(verbose.stdout).toMatch(/^ {2}Age × Marital +\d+ of \d+ +[\d.]+ \[[\d.]+, [\d.]+\]/m);
  });

  const badInputs: [string, string, string[], RegExp][] = [
    ['a missing column', 'label,score\nbad,0.5\n', ['--score', 'scor'], /--score names column "scor"/],
    [
      'a label with three values',
      'label,score\nbad,0.5\ngood,0.4\nmaybe,0.3\n',
      [],
      /has more than two values .* pick the positive one with --positive/,
    ],
    ['a score outside [0, 1]', 'label,score\nbad,1.7\ngood,0.4\n', [], /lie outside \[0, 1\]/],
    ['a NaN score', 'label,score\nbad,nan\ngood,0.4\n', [], /NaN score/],
    ['an empty file', '', [], /the file is empty \(0 bytes\)/],
    ['a header without rows', 'label,score\n', [], /has no prediction rows/],
    [
      'a sensitive attribute with thousands of values',
      `label,score,zip\n${Array.from({ length: 2000 }, (_, i) => `${i % 2 ? 'bad' : 'good'},0.5,${i}`).join('\n')}\n`,
      ['--sensitive', 'zip'],
      /"zip" has 2,000 distinct values, more than the limit of 100 groups; band it with --bins zip=/,
    ],
    [
      'a negative weight',
      'label,score,w\nbad,0.5,-1\ngood,0.4,1\n',
      ['--weight', 'w'],
      /negative or infinite/,
    ],
    [
      'a typo in --min-ratio',
      'label,score\nbad,0.5\n',
      ['--min-ratio', 'demographicParty=0.8'],
      /NAME one of demographicParity/,
    ],
    [
      'bins that are not numbers',
      'label,score,age\nbad,0.5,3\n',
      ['--bins', 'age=young,old'],
      /--bins age=young,old: write COLUMN=e1,e2/,
    ],
    [
      'a threshold that is not a number',
      'label,score\nbad,0.5\n',
      ['--threshold', 'half'],
      /--threshold takes a number/,
    ],
    [
      'a prediction column with scores in it',
      'label,score\nbad,0.5\ngood,0.2\n',
      ['--prediction', 'score'],
      /the prediction column "score" has values "0.2" \(1 row\), "0.5" \(1 row\); predicted labels must be/,
    ],
  ];

  it.each(badInputs)('rejects %s with exit 2 and no stack trace', async (name, content, extra, message) => {
    const file = await writeFixture(work, `${name.replaceAll(/\W+/g, '-')}.csv`, content);
    const flags = ['--target', 'label', '--positive', 'bad', '--score', 'score', ...extra];
    const run = await runCli(['check', 'model', file, ...flags]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/\[WARDEN_ERR_[A-Z_]+\]/);
    expectNoStackTrace(run.stderr);
  });
});

describe('warden check model --target (formerly --label)', () => {
  const rest = gate.slice(2);

  it('takes the ground truth from --target, without a notice', async () => {
    const run = await runCli(['check', 'model', predictions, '--target', 'Status', ...rest, '--quiet']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^PASSED/m);
  });

  it('still takes the deprecated --label, with a notice on stderr and the same verdict', async () => {
    const run = await runCli(['check', 'model', predictions, '--label', 'Status', ...rest, '--quiet']);
    expect(run.stderr).toBe(
      'warning: --label is deprecated; use --target (--label will mean key=value labels)\n',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^PASSED/m);
  });

  it('asks for --target when neither is given (exit 2)', async () => {
    const run = await runCli(['check', 'model', predictions, ...rest]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("required option '--target <column>' not specified");
    expectNoStackTrace(run.stderr);
  });

  it('names --target when its column is not in the file', async () => {
    const run = await runCli(['check', 'model', predictions, '--target', 'Statsu', ...rest]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--target names column "Statsu", which the file does not have/);
  });
});
