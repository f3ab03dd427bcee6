import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { producer, WardenError } from '../core/index.js';
import { assertFeatureSet, type BaselineColumn, baselineFromColumns, checkFeatureSet } from './baseline.js';
import { linearQuantile } from './baseline-buckets.js';
import {
  type DriftBaseline,
  defaultThresholds,
  type NumericFeatureBaseline,
  parseBaseline,
} from './baseline-document.js';

interface FixtureThreshold {
  chunkScores: number[];
  upper: number;
}

interface FixtureFeature {
  name: string;
  type: 'numeric' | 'categorical';
  values: (number | string | null)[];
  quantiles?: number[];
  edges?: number[];
  categories?: string[];
  referenceCounts: number[];
  referenceShares: number[];
  summary: Record<string, number>;
  thresholds: Record<string, FixtureThreshold>;
}

const vectors = JSON.parse(
  readFileSync(new URL('./fixtures/baseline-vectors.json', import.meta.url), 'utf8'),
) as {
  windowRows: number;
  topCategories: number;
  deciles: number[];
  features: FixtureFeature[];
  quantileCases: { values: number[]; quantiles: number[] }[];
};

const digest = `sha256:${'ab'.repeat(32)}`;

function fixtureColumns(): BaselineColumn[] {
  return vectors.features.map((feature) => ({
    name: feature.name,
    type: feature.type,
    values:
      feature.type === 'numeric'
        ? Float64Array.from(feature.values, (value) => (value === null ? Number.NaN : (value as number)))
        : (feature.values as (string | null)[]),
  }));
}

function fixtureBaseline(): DriftBaseline {
  return baselineFromColumns(fixtureColumns(), {
    source: { uri: 'file:reference.parquet', digest },
    windowRows: vectors.windowRows,
    topCategories: vectors.topCategories,
    createdAt: '2026-01-02T03:04:05.000Z',
  });
}

function expectRelativelyClose(actual: number, expected: number, tolerance = 1e-12): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)));
}

describe('linearQuantile', () => {
  it.each(vectors.quantileCases)(
    'equals np.quantile (linear) bit for bit on $values.length values',
    (testCase) => {
      const sorted = Float64Array.from(testCase.values).sort();
      expect(vectors.deciles.map((probability) => linearQuantile(sorted, probability))).toEqual(
        testCase.quantiles,
      );
    },
  );
});

describe('baselineFromColumns against the NumPy/SciPy vectors', () => {
  const baseline = fixtureBaseline();

  it('writes the document header', () => {
    expect(baseline).toMatchObject({
      kind: 'drift-baseline',
      schemaVersion: 1,
      producer: { name: producer.name, version: producer.version },
      createdAt: '2026-01-02T03:04:05.000Z',
      source: { uri: 'file:reference.parquet', digest, rows: 210 },
      windowRows: 40,
    });
    expect(Object.keys(baseline.features)).toEqual(['income', 'tenure', 'constant', 'region']);
  });

  for (const expected of vectors.features.filter((feature) => feature.type === 'numeric')) {
    it(`${expected.name}: edges are NumPy's deciles plus min and max, deduplicated; counts as np.histogram`, () => {
      const feature = baseline.features[expected.name] as NumericFeatureBaseline;
      expect(feature.type).toBe('numeric');
      expect(feature.edges).toEqual(expected.edges);
      expect(feature.summary.quantiles.map((quantile) => quantile.value)).toEqual(expected.quantiles);
      expect(feature.referenceCounts).toEqual(expected.referenceCounts);
      expect(feature.referenceShares).toEqual(expected.referenceShares);
      expect(feature.buckets).toHaveLength(feature.edges.length + 2);
      const { summary } = expected;
      expect(feature.summary).toMatchObject({
        count: summary['count'],
        missing: summary['missing'],
        min: summary['min'],
        max: summary['max'],
      });
      expectRelativelyClose(feature.summary.mean, summary['mean'] as number);
      expectRelativelyClose(feature.summary.std, summary['std'] as number);
    });

    it(`${expected.name}: thresholds are mean + 3·std of the chunk scores, as NumPy computes them`, () => {
      const feature = baseline.features[expected.name] as NumericFeatureBaseline;
      expect(feature.thresholdSource).toBe('reference-chunks');
      expect(feature.referenceChunks).toBe(5);
      for (const [metric, threshold] of Object.entries(expected.thresholds)) {
        expectRelativelyClose(
          feature.thresholds[metric as keyof typeof feature.thresholds],
          threshold.upper,
          1e-9,
        );
      }
    });
  }

  it('tied deciles do not make repeated edges; a constant feature has one inner bin [c, c]', () => {
    const tenure = baseline.features['tenure'] as NumericFeatureBaseline;
    expect(tenure.summary.quantiles.filter((quantile) => quantile.value === 0).length).toBeGreaterThan(1);
    expect(
      tenure.edges.every((edge, index) => index === 0 || edge > (tenure.edges[index - 1] as number)),
    ).toBe(true);
    const constant = baseline.features['constant'] as NumericFeatureBaseline;
    expect(constant.edges).toEqual([7, 7]);
    expect(constant.buckets).toEqual(['< 7', '[7, 7]', '> 7', '(missing)']);
    expect(constant.referenceCounts).toEqual([0, 210, 0, 0]);
  });

  it('region: top-K categories, other and missing buckets, chunk thresholds', () => {
    const expected = vectors.features.find((feature) => feature.name === 'region') as FixtureFeature;
    const feature = baseline.features['region'];
    if (feature?.type !== 'categorical') throw new Error('region should be categorical');
    expect(feature.categories).toEqual(expected.categories);
    expect(feature.buckets).toEqual([...(expected.categories as string[]), '(other)', '(missing)']);
    expect(feature.referenceCounts).toEqual(expected.referenceCounts);
    expect(feature.summary).toEqual(expected.summary);
    for (const [metric, threshold] of Object.entries(expected.thresholds)) {
      expectRelativelyClose(
        feature.thresholds[metric as keyof typeof feature.thresholds],
        threshold.upper,
        1e-9,
      );
    }
  });
});

describe('baselineFromColumns by hand', () => {
  it('ranks categories by count, ties by value, and keeps the top K', () => {
    const baseline = baselineFromColumns(
      [{ name: 'colour', type: 'categorical', values: ['c', 'b', 'a', 'c', 'b', 'a', 'd', null] }],
      { source: { uri: 'x', digest }, windowRows: 4, topCategories: 2 },
    );
    const colour = baseline.features['colour'];
    expect(colour).toMatchObject({
      categories: ['a', 'b'],
      buckets: ['a', 'b', '(other)', '(missing)'],
      referenceCounts: [2, 2, 3, 1],
      summary: { count: 7, missing: 1, distinct: 4 },
    });
  });

  it('thresholds: mean + 3·std of three chunk scores, clipped to the score range', () => {
    // Reference a b | a a | b b with chunks of 2 rows; shares (½, ½, 0, 0) over [a, b, other, missing].
    // Chunk "a b" scores 0. Chunk "a a" has shares (1, 0, 0, 0); with Evidently's epsilon 0.0001 on
    // both sides, PSI = (½ − 1)·ln ½ + (½ − 0.0001)·ln(½ / 0.0001) = ½ ln 2 + 0.4999 ln 5000;
    // chunk "b b" is its mirror image. Scores {0, p, p}: mean 2p/3, population std p·√2/3,
    // threshold p·(2/3 + √2).
    const baseline = baselineFromColumns(
      [{ name: 'letter', type: 'categorical', values: ['a', 'b', 'a', 'a', 'b', 'b'] }],
      { source: { uri: 'x', digest }, windowRows: 2 },
    );
    const letter = baseline.features['letter'];
    const chunkPsi = 0.5 * Math.log(2) + 0.4999 * Math.log(5000);
    expect(letter?.thresholdSource).toBe('reference-chunks');
    expect(letter?.referenceChunks).toBe(3);
    expectRelativelyClose(letter?.thresholds.psi as number, chunkPsi * (2 / 3 + Math.SQRT2));
    // JS of "a a" is √(¾ ln(4/3)) and Hellinger √(1 − √½); both thresholds exceed the score's maximum.
    expect(letter?.thresholds.jensenShannon).toBe(Math.sqrt(Math.LN2));
    expect(letter?.thresholds.hellinger).toBe(1);
  });

  it('falls back to the default thresholds with fewer than two chunks', () => {
    const baseline = baselineFromColumns(
      [{ name: 'amount', type: 'numeric', values: Float64Array.of(1, 2, 3, 4, 5) }],
      { source: { uri: 'x', digest }, windowRows: 3 },
    );
    expect(baseline.features['amount']).toMatchObject({
      thresholdSource: 'default',
      referenceChunks: 0,
      thresholds: defaultThresholds,
    });
    expect(defaultThresholds).toMatchObject({ psi: 0.2, jensenShannon: 0.1 });
  });

  it('puts NaN and ±Infinity in the missing bucket and refuses a column without finite values', () => {
    const baseline = baselineFromColumns(
      [
        {
          name: 'amount',
          type: 'numeric',
          values: Float64Array.of(1, Number.NaN, Number.POSITIVE_INFINITY, 2),
        },
      ],
      { source: { uri: 'x', digest }, windowRows: 2 },
    );
    expect(baseline.features['amount']?.referenceCounts.at(-1)).toBe(2);
    expect(baseline.features['amount']?.summary).toMatchObject({ count: 2, missing: 2, min: 1, max: 2 });
    expect(() =>
      baselineFromColumns([{ name: 'empty', type: 'numeric', values: Float64Array.of(Number.NaN) }], {
        source: { uri: 'x', digest },
        windowRows: 1,
      }),
    ).toThrow(/numeric column "empty" has no finite value/);
  });
});

describe('parseBaseline', () => {
  const baseline = fixtureBaseline();
  const text = JSON.stringify(baseline);

  function rejection(document: unknown): WardenError {
    try {
      parseBaseline(document, 'models/credit/baseline.json');
    } catch (error) {
      expect(error).toBeInstanceOf(WardenError);
      return error as WardenError;
    }
    throw new Error('parseBaseline accepted the document');
  }

  /** The baseline with the value at `path` replaced, or removed when `value` is undefined. */
  function edited(path: (string | number)[], value: unknown): unknown {
    const document = JSON.parse(text) as Record<string | number, unknown>;
    let parent = document;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
    const last = path.at(-1) as string | number;
    if (value === undefined) delete parent[last];
    else parent[last] = value;
    return document;
  }

  it('reads back what baselineFromColumns wrote', () => {
    expect(parseBaseline(text, 'baseline.json')).toEqual(baseline);
  });

  it('rejects another schemaVersion, naming the file and the fix', () => {
    const error = rejection(edited(['schemaVersion'], 2));
    expect(error.message).toBe(
      `models/credit/baseline.json: baseline schemaVersion 2 is not supported; ${producer.name} ${producer.version} reads schemaVersion 1; recreate the baseline from the reference data with this Warden`,
    );
    expect(error.where).toBe('models/credit/baseline.json');
  });

  it('rejects a baseline from another Warden major version', () => {
    const error = rejection(edited(['producer', 'version'], '7.1.0'));
    expect(error.message).toContain(
      `written by ${producer.name} 7.1.0, but this is ${producer.name} ${producer.version}`,
    );
    expect(error.message).toContain('recreate the baseline');
  });

  it('rejects a document that is not a drift baseline, or not JSON', () => {
    expect(rejection({ kind: 'model-evaluation' }).message).toMatch(
      /^models\/credit\/baseline\.json: not a drift baseline \(kind is "model-evaluation"/,
    );
    expect(rejection('{"kind": ').message).toMatch(/^models\/credit\/baseline\.json: not JSON/);
  });

  it('rejects malformed baselines with the path of the bad field', () => {
    const shortCounts = rejection(
      edited(
        ['features', 'income', 'referenceCounts'],
        baseline.features['income']?.referenceCounts.slice(1),
      ),
    );
    expect(shortCounts.message).toContain('features.income.referenceCounts: has 12 entries for 13 buckets');
    expect(shortCounts.message).toContain('undo the edit');

    const movedEdge = rejection(edited(['features', 'income', 'edges', 1], 1e9));
    expect(movedEdge.message).toContain('features.income.edges: edges must increase strictly');

    const noThreshold = rejection(edited(['features', 'region', 'thresholds', 'psi'], undefined));
    expect(noThreshold.message).toContain('features.region.thresholds.psi');

    const unknownField = rejection(edited(['note'], 'hi'));
    expect(unknownField.message).toContain('note');

    const badShare = rejection(edited(['features', 'region', 'referenceShares', 0], 0.5));
    expect(badShare.message).toContain(
      'features.region.referenceShares: must be referenceCounts / source.rows',
    );

    const badTotal = rejection(edited(['source', 'rows'], 211));
    expect(badTotal.message).toContain('features.income.referenceCounts: sum to 210, but source.rows is 211');
  });
});

describe('checkFeatureSet', () => {
  const baseline = fixtureBaseline();

  it('accepts the same columns in any order, with extra columns reported as not monitored', () => {
    const check = checkFeatureSet(baseline, ['region', 'constant', 'tenure', 'income', 'id']);
    expect(check).toEqual({
      complete: true,
      missing: [],
      extra: ['id'],
      message: '1 column is not in the baseline and will not be monitored: "id"',
    });
  });

  it('names missing features and near-miss columns', () => {
    const check = checkFeatureSet(baseline, ['Income', 'tenure', 'constant', 'id']);
    expect(check.complete).toBe(false);
    expect(check.missing).toEqual(['income', 'region']);
    expect(check.message).toBe(
      `the data lacks 2 of the baseline's 4 features: "income" (did you mean "Income"?), "region"; 2 columns are not in the baseline and will not be monitored: "Income", "id"`,
    );
    expect(() =>
      assertFeatureSet(baseline, ['Income', 'tenure', 'constant', 'id'], 'traffic.parquet'),
    ).toThrow(
      /^traffic\.parquet: the data lacks 2 of the baseline's 4 features: .*; rename the columns to match the baseline/,
    );
  });
});
