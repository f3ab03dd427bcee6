import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErrorCode, verifyEvidenceId, WardenError } from '../core/index.js';
import { fairnessAggregateNames } from './fairness-report.js';
import { type ModelEvaluationOptions, runModelEvaluation } from './model-evaluation.js';
import { disagreements, type FixtureCase, loadFixture } from './test-support/conformance.js';

let dir: string;
let fileCounter = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-model-evaluation-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(content: string, extension = 'csv'): Promise<string> {
  const file = join(dir, `predictions-${++fileCounter}.${extension}`);
  await writeFile(file, content);
  return file;
}

/** A fixture's rows as a CSV file: labels and predictions 0/1, a missing attribute value empty. */
function fixtureCsv(rows: FixtureCase['rows']): string {
  const columns: [string, readonly (number | string | null)[]][] = [
    ['label', rows.label],
    ...(rows.score ? [['score', rows.score] as [string, number[]]] : []),
    ...(rows.prediction ? [['prediction', rows.prediction] as [string, number[]]] : []),
    ...(rows.weight ? [['weight', rows.weight] as [string, number[]]] : []),
    ...Object.entries(rows.sensitive ?? {}),
  ];
  const lines = [columns.map(([name]) => JSON.stringify(name)).join(',')];
  for (let i = 0; i < rows.label.length; i++) {
    lines.push(columns.map(([, values]) => (values[i] === null ? '' : String(values[i]))).join(','));
  }
  return `${lines.join('\n')}\n`;
}

type Expected = {
  performance?: Record<string, unknown>;
  fairness?: ({ attributes: string[] } & Record<string, unknown>)[];
};

const performanceKeys = [
  'count',
  'accuracy',
  'balancedAccuracy',
  'selectionRate',
  'precision',
  'recall',
  'f1',
  'rocAuc',
  'averagePrecision',
  'logLoss',
  'brierScore',
];
const groupKeys = [
  'group',
  'count',
  'selectionRate',
  'truePositiveRate',
  'falsePositiveRate',
  'falseNegativeRate',
  'trueNegativeRate',
  'accuracy',
  'rocAuc',
];

function pick(object: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => key in object).map((key) => [key, object[key]]));
}

/**
 * The part of a fixture's expected values that model-evaluation evidence reports (the fixtures
 * also hold to-overall and mean variants that only the library functions expose).
 */
function reportedPart(expected: Expected): Expected {
  const part: Expected = {};
  if (expected.performance) {
    const calibration = expected.performance['calibration'] as Record<string, unknown> | undefined;
    part.performance = {
      ...pick(expected.performance, performanceKeys),
      ...(calibration ? { calibration: calibration } : {}),
    };
  }
  if (expected.fairness) {
    part.fairness = expected.fairness.map((entry) => ({
      attributes: entry.attributes,
      ...pick(entry, ['emptyGroups', 'missingValueRows']),
      ...(entry['byGroup']
        ? { byGroup: (entry['byGroup'] as Record<string, unknown>[]).map((group) => pick(group, groupKeys)) }
        : {}),
      ...pick((entry['betweenGroups'] ?? {}) as Record<string, unknown>, fairnessAggregateNames),
    }));
  }
  return part;
}

describe('conformance through DuckDB: the fixtures, written as prediction files', () => {
  const cases = ['note-vectors.json', 'edge-cases.json', 'random-cases.json'].flatMap((file) =>
    loadFixture(file).cases.map((fixtureCase) => [`${file}: ${fixtureCase.name}`, fixtureCase] as const),
  );

  it.each(cases)('%s', async (_name, fixtureCase) => {
    const { rows } = fixtureCase;
    const attributes = Object.keys(rows.sensitive ?? {});
    const file = await put(fixtureCsv(rows));
    const evidence = await runModelEvaluation(file, {
      label: 'label',
      positive: '1',
      ...(rows.score ? { score: 'score' } : {}),
      ...(rows.prediction ? { prediction: 'prediction' } : {}),
      ...(rows.weight ? { weight: 'weight' } : {}),
      sensitive: attributes,
      intersections: true,
      threshold: fixtureCase.threshold ?? 0.5,
      calibrationBins: fixtureCase.calibrationBins ?? 10,
    });
    const expected = reportedPart(fixtureCase.expected as Expected);
    const calibration = evidence.performance.calibration;
    const actual = {
      performance: {
        ...evidence.performance,
        ...(calibration
          ? {
              calibration: {
                bins: calibration.bins.map((bin) => bin.bin),
                count: calibration.bins.map((bin) => bin.count),
                fractionPositive: calibration.bins.map((bin) => bin.fractionPositive),
                meanPredicted: calibration.bins.map((bin) => bin.meanPredicted),
                expectedCalibrationError: calibration.expectedCalibrationError,
              },
            }
          : {}),
      },
      fairness: (expected.fairness ?? []).map((entry) =>
        evidence.fairness.find((report) => report.attributes.join('|') === entry.attributes.join('|')),
      ),
    };
    expect(disagreements(actual, expected, 'expected')).toEqual([]);
  });
});

describe('the credit-risk holdout predictions', () => {
  const credit = 'examples/credit-risk/predictions.csv';
  const options: ModelEvaluationOptions = {
    label: 'Status',
    positive: 'bad',
    score: 'score',
    sensitive: ['Age', 'Marital'],
    bins: { Age: [18, 25, 40, 65] },
    minGroupSize: 30,
  };

  it('bands Age as --bins says and records the columns, input digest and engine', async () => {
    const evidence = await runModelEvaluation(credit, options);
    expect(evidence.kind).toBe('model-evaluation');
    expect(verifyEvidenceId(evidence)).toBe(true);
    expect(evidence.subject).toEqual({ type: 'model-version', name: 'predictions', version: 'unversioned' });
    expect(evidence.inputs[0]?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(evidence.inputs[0]?.rows).toBe(1336);
    expect(evidence.columns.sensitive).toEqual([
      { column: 'Age', bins: [18, 25, 40, 65] },
      { column: 'Marital' },
    ]);
    const age = evidence.fairness.find((entry) => entry.attributes[0] === 'Age');
    expect(age?.byGroup.map((group) => group.group['Age'])).toEqual([
      '[18, 25)',
      '[25, 40)',
      '[40, 65)',
      '[65, inf)',
    ]);
    expect(age?.byGroup.find((group) => group.group['Age'] === '[65, inf)')?.tooSmall).toBe(true);
    expect(evidence.thresholds).toEqual([]);
    expect(evidence.passed).toBe(true);
  });

  it('judges the thresholds and names the groups behind a failing disparity', async () => {
    const evidence = await runModelEvaluation(credit, {
      ...options,
      thresholds: {
        minAuc: 0.75,
        minRatio: { demographicParity: 0.8 },
        maxDifference: { equalizedOdds: 0.2 },
      },
    });
    expect(evidence.passed).toBe(false);
    const auc = evidence.thresholds.find((result) => result.metric === 'rocAuc');
    expect(auc).toMatchObject({ passed: true, operator: '>=', threshold: 0.75 });
    const parity = evidence.thresholds.find(
      (result) => result.metric === 'demographicParityRatio' && result.attributes?.[0] === 'Age',
    );
    expect(parity?.passed).toBe(false);
    expect(parity?.message).toMatch(
      /^demographic parity ratio on Age 0\.\d+ is below 0\.8 \(selection rate .* for Age \[18, 25\) vs .* for Age \[40, 65\)\)$/,
    );
  });

  it('gives bootstrap intervals that bracket the estimate and repeat with the seed', async () => {
    const run = (seed: number) =>
      runModelEvaluation(credit, { ...options, bootstrap: { replicates: 200, seed } });
    const [first, again, other] = await Promise.all([run(7), run(7), run(8)]);
    const intervals = first.fairness[0]?.confidenceIntervals;
    expect(intervals?.quantiles).toEqual([0.025, 0.975]);
    const [low, high] = intervals?.intervals.demographicParityRatio ?? [];
    const estimate = first.fairness[0]?.demographicParityRatio as number;
    expect(low).toBeLessThan(estimate);
    expect(high).toBeGreaterThan(estimate);
    expect(intervals?.intervals.rocAucDifference[0]).not.toBeNull();
    expect(again.fairness[0]?.confidenceIntervals).toEqual(intervals);
    expect(other.fairness[0]?.confidenceIntervals).not.toEqual(intervals);
  });
});

describe('input formats', () => {
  const csv = 'label,score,sex\nbad,0.9,F\ngood,0.2,F\nbad,0.4,M\ngood,0.6,M\ngood,0.1,\n';

  it('reads Parquet and JSON Lines to the same numbers as CSV', async () => {
    const source = await put(csv);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const parquet = join(dir, 'typed.parquet');
    await connection.run(
      `COPY (SELECT label, score::DOUBLE AS score, sex FROM read_csv('${source}')) TO '${parquet}' (FORMAT parquet)`,
    );
    connection.closeSync();
    instance.closeSync();
    const jsonl = await put(
      '{"label":"bad","score":0.9,"sex":"F"}\n{"label":"good","score":0.2,"sex":"F"}\n{"label":"bad","score":0.4,"sex":"M"}\n{"label":"good","score":0.6,"sex":"M"}\n{"label":"good","score":0.1,"sex":null}\n',
      'jsonl',
    );
    const options = { label: 'label', positive: 'bad', score: 'score', sensitive: ['sex'] };
    const reports = await Promise.all(
      [source, parquet, jsonl].map((file) => runModelEvaluation(file, options)),
    );
    const [fromCsv, ...others] = reports.map(({ performance, fairness }) => ({ performance, fairness }));
    expect(fromCsv?.performance.rocAuc).toBeCloseTo(5 / 6, 12);
    expect(fromCsv?.fairness[0]?.missingValueRows).toBe(1);
    // The same numbers up to summation order (DuckDB sums in parallel).
    for (const other of others) expect(disagreements(other, fromCsv)).toEqual([]);
  });

  it('takes 0/1 labels without --positive and a prediction column in the label values', async () => {
    const file = await put('y,pred,g\n1,1,a\n0,1,a\n1,0,b\n0,0,b\n');
    const evidence = await runModelEvaluation(file, { label: 'y', prediction: 'pred', sensitive: ['g'] });
    expect(evidence.columns.positive).toBe('1');
    expect(evidence.performance.threshold).toBeNull();
    expect(evidence.performance.accuracy).toBe(0.5);
    expect(evidence.performance.rocAuc).toBeUndefined();
    expect(evidence.fairness[0]?.demographicParityDifference).toBe(1);
  });
});

describe('bad input: a coded error that names the column and the fix', () => {
  const cases: [string, string, Record<string, unknown>, ErrorCode, RegExp][] = [
    [
      'a missing column',
      'label,score\nbad,0.5\n',
      { score: 'scor' },
      'WARDEN_ERR_EVAL_MISSING_COLUMN',
      /--score names column "scor", which the file does not have \(did you mean "score"\?\); its columns are "label", "score"/,
    ],
    [
      'a missing sensitive column',
      'label,score\nbad,0.5\n',
      { sensitive: ['sex'] },
      'WARDEN_ERR_EVAL_MISSING_COLUMN',
      /--sensitive names column "sex"/,
    ],
    [
      'three label values',
      'label,score\nbad,0.5\ngood,0.4\nunknown,0.1\n',
      {},
      'WARDEN_ERR_EVAL_INVALID_LABEL',
      /has more than two values \("bad" \(1 row\), "good" \(1 row\), "unknown" \(1 row\)\); .* --positive/,
    ],
    [
      'two labels and no --positive',
      'label,score\nbad,0.5\ngood,0.4\n',
      { positive: undefined },
      'WARDEN_ERR_EVAL_INVALID_LABEL',
      /say which label is the positive class .* pass --positive bad or --positive good/,
    ],
    [
      'a --positive no row has',
      'label,score\nbad,0.5\ngood,0.4\n',
      { positive: 'Bad' },
      'WARDEN_ERR_EVAL_INVALID_LABEL',
      /--positive "Bad" is not a value of the label column "label" \(did you mean "bad"\?\)/,
    ],
    [
      'a missing label',
      'label,score\nbad,0.5\n,0.4\n',
      {},
      'WARDEN_ERR_EVAL_INVALID_LABEL',
      /1 row of 2 have no value in the label column "label"/,
    ],
    [
      'a score above 1',
      'label,score\nbad,1.5\ngood,0.4\ngood,-0.1\n',
      {},
      'WARDEN_ERR_EVAL_INVALID_SCORE',
      /2 rows in the score column "score" lie outside \[0, 1\] \(smallest -0.1, largest 1.5\); .* not a logit/,
    ],
    [
      'a NaN score',
      'label,score\nbad,NaN\ngood,0.4\n',
      {},
      'WARDEN_ERR_EVAL_INVALID_SCORE',
      /1 row have a NaN score/,
    ],
    [
      'a score that is not a number',
      'label,score\nbad,high\ngood,0.4\n',
      {},
      'WARDEN_ERR_EVAL_INVALID_SCORE',
      /1 row in the score column "score" are not numbers \(e\.g\. "xxxx" masked\)/,
    ],
    [
      'a missing score',
      'label,score\nbad,\ngood,0.4\n',
      {},
      'WARDEN_ERR_EVAL_INVALID_SCORE',
      /1 row have no value in the score column/,
    ],
    ['an empty file', 'label,score\n', {}, 'WARDEN_ERR_EVAL_EMPTY_INPUT', /has no prediction rows/],
    [
      'a negative weight',
      'label,score,w\nbad,0.5,1\ngood,0.4,-2\n',
      { weight: 'w' },
      'WARDEN_ERR_EVAL_INVALID_WEIGHT',
      /1 row in the weight column "w" are negative or infinite \(smallest -2\)/,
    ],
    [
      'every weight zero',
      'label,score,w\nbad,0.5,0\ngood,0.4,0\n',
      { weight: 'w' },
      'WARDEN_ERR_EVAL_EMPTY_INPUT',
      /all 2 rows have weight 0/,
    ],
    [
      'a sensitive attribute with too many values',
      `label,score,zip\n${Array.from({ length: 150 }, (_, i) => `${i % 2 ? 'bad' : 'good'},0.5,${10000 + i}`).join('\n')}\n`,
      { sensitive: ['zip'] },
      'WARDEN_ERR_EVAL_INVALID_ATTRIBUTE',
      /"zip" has 150 distinct values, more than the limit of 100 groups; band it with --bins zip=e1,e2,… .* --max-groups 150/,
    ],
    [
      'a banded attribute that is not numeric',
      'label,score,age\nbad,0.5,30\ngood,0.4,unknown\n',
      { sensitive: ['age'], bins: { age: [25, 40] } },
      'WARDEN_ERR_EVAL_INVALID_ATTRIBUTE',
      /1 row in "age" are not numbers, so --bins cannot band them/,
    ],
    [
      'bins out of order',
      'label,score,age\nbad,0.5,30\n',
      { sensitive: ['age'], bins: { age: [40, 25] } },
      'WARDEN_ERR_EVAL_INVALID_ARGUMENT',
      /--bins age=40,25: the band edges must be finite numbers in increasing order/,
    ],
    [
      'a weight that is not a number',
      'label,score,w\nbad,0.5,heavy\ngood,0.4,1\n',
      { weight: 'w' },
      'WARDEN_ERR_EVAL_INVALID_WEIGHT',
      /1 row in the weight column "w" are not numbers \(e\.g\. "xxxxx" masked\)/,
    ],
    [
      'a missing weight',
      'label,score,w\nbad,0.5,\ngood,0.4,1\n',
      { weight: 'w' },
      'WARDEN_ERR_EVAL_INVALID_WEIGHT',
      /1 row have no value in the weight column "w"; give every row a weight/,
    ],
    [
      'an infinite score',
      'label,score\nbad,inf\ngood,0.4\n',
      {},
      'WARDEN_ERR_EVAL_INVALID_SCORE',
      /1 row in the score column "score" lie outside \[0, 1\] \(smallest 0\.4, largest Infinity\)/,
    ],
    [
      'a missing predicted label',
      'label,pred\nbad,bad\ngood,\n',
      { score: undefined, prediction: 'pred' },
      'WARDEN_ERR_EVAL_INVALID_LABEL',
      /1 row have no value in the prediction column "pred"; every row needs a predicted label/,
    ],
    [
      'neither a score nor a prediction column',
      'label,score\nbad,0.5\n',
      { score: undefined },
      'WARDEN_ERR_EVAL_INVALID_ARGUMENT',
      /name the score column \(--score\), the predicted-label column \(--prediction\), or both/,
    ],
    [
      'a threshold outside [0, 1]',
      'label,score\nbad,0.5\n',
      { threshold: 1.5 },
      'WARDEN_ERR_EVAL_INVALID_ARGUMENT',
      /the threshold 1\.5 is not a probability in \[0, 1\]/,
    ],
    [
      'bins for an attribute that is not sensitive',
      'label,score,age\nbad,0.5,30\n',
      { bins: { age: [25, 40] } },
      'WARDEN_ERR_EVAL_INVALID_ARGUMENT',
      /--bins names "age", which is not a --sensitive attribute; add it to --sensitive/,
    ],
    [
      'intersections of too many attributes',
      'label,score,a,b,c,d,e,f,g\nbad,0.5,1,1,1,1,1,1,1\n',
      { sensitive: ['a', 'b', 'c', 'd', 'e', 'f', 'g'], intersections: true },
      'WARDEN_ERR_EVAL_INVALID_ARGUMENT',
      /--intersections with 7 attributes would evaluate 120 combinations; intersect at most 6/,
    ],
    [
      'a prediction column that is not binary',
      'label,pred\nbad,0.7\ngood,0.2\n',
      { score: undefined, prediction: 'pred' },
      'WARDEN_ERR_EVAL_INVALID_LABEL',
      /the prediction column "pred" has values .*; predicted labels must be the label's own values/,
    ],
  ];

  it.each(cases)('%s', async (_name, content, overrides, code, message) => {
    const file = await put(content);
    const options = {
      label: 'label',
      positive: 'bad',
      score: 'score',
      ...overrides,
    } as ModelEvaluationOptions;
    for (const key of Object.keys(overrides) as (keyof ModelEvaluationOptions)[]) {
      if (overrides[key] === undefined) delete options[key];
    }
    const error = await runModelEvaluation(file, options as unknown as ModelEvaluationOptions).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(WardenError);
    expect((error as WardenError).code).toBe(code);
    expect((error as WardenError).message).toMatch(message);
  });
});
