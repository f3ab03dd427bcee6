import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { mulberry32, WardenError } from '../core/index.js';
import { baselineFromColumns } from './baseline.js';
import type { DriftBaseline, NumericFeatureBaseline } from './baseline-document.js';
import {
  chiSquareGoodnessOfFit,
  fillEmptyShares,
  hellingerDistance,
  jensenShannonDistance,
  klDivergence,
  psi,
} from './distances.js';
import { DriftAccumulator } from './drift-accumulator.js';

const digest = `sha256:${'cd'.repeat(32)}`;
const minute = 60_000;

type Sample = {
  amount: Float64Array;
  age: Float64Array;
  channel: (string | null)[];
};

function sample(rows: number, seed: number, shift = 0): Sample {
  const random = mulberry32(seed);
  const channels = ['web', 'app', 'store', 'phone', 'partner'];
  const amount = new Float64Array(rows);
  const age = new Float64Array(rows);
  const channel: (string | null)[] = [];
  for (let row = 0; row < rows; row++) {
    amount[row] = random() < 0.02 ? Number.NaN : Math.exp(3 + shift + random() * 2);
    age[row] = Math.floor(18 + random() * 60 + shift * 10);
    const pick = random();
    channel.push(
      pick < 0.01 ? null : (channels[Math.floor(pick * pick * channels.length + shift * 4) % 5] as string),
    );
  }
  return { amount, age, channel };
}

function columnsOf(data: Sample) {
  return [
    { name: 'amount', type: 'numeric' as const, values: data.amount },
    { name: 'age', type: 'numeric' as const, values: data.age },
    { name: 'channel', type: 'categorical' as const, values: data.channel },
  ];
}

const reference = sample(20_000, 1);
const baseline: DriftBaseline = baselineFromColumns(columnsOf(reference), {
  source: { uri: 'file:train.csv', digest },
  windowRows: 2_000,
  topCategories: 4,
});

function slice(data: Sample, start: number, end: number): Sample {
  return {
    amount: data.amount.subarray(start, end),
    age: data.age.subarray(start, end),
    channel: data.channel.slice(start, end),
  };
}

/** Bucket counts by a linear scan over the edges, independent of the accumulator's binary search. */
function directCounts(name: string, values: Float64Array | (string | null)[]): number[] {
  const feature = baseline.features[name];
  if (feature === undefined) throw new Error(name);
  const counts = new Array<number>(feature.buckets.length).fill(0);
  for (const value of values) {
    let bucket: number;
    if (feature.type === 'categorical') {
      const index = value === null ? -1 : feature.categories.indexOf(value as string);
      bucket = value === null ? counts.length - 1 : index === -1 ? counts.length - 2 : index;
    } else {
      const { edges } = feature;
      const x = value as number;
      if (!Number.isFinite(x)) bucket = counts.length - 1;
      else if (x < (edges[0] as number)) bucket = 0;
      else if (x > (edges.at(-1) as number)) bucket = counts.length - 2;
      else {
        bucket = edges.length - 1;
        for (let edge = 1; edge < edges.length - 1; edge++) {
          if (x < (edges[edge] as number)) {
            bucket = edge;
            break;
          }
        }
      }
    }
    counts[bucket] = (counts[bucket] as number) + 1;
  }
  return counts;
}

/**
 * What the share-based scores compare, computed afresh: numeric values binned on open-ended outer
 * bins by a linear scan, then the buckets empty on both sides dropped (see emptyBucketRule).
 */
function scoredShares(
  name: string,
  currentValues: Float64Array | (string | null)[],
): { reference: number[]; current: number[]; currentCounts: number[] } {
  const feature = baseline.features[name];
  if (feature === undefined) throw new Error(name);
  const openEnded = (values: Float64Array | (string | null)[]): number[] => {
    if (feature.type === 'categorical') return directCounts(name, values);
    const inner = feature.edges.length - 1;
    const counts = new Array<number>(inner + 1).fill(0);
    for (const x of values as Float64Array) {
      let bucket = Number.isFinite(x) ? inner - 1 : inner;
      for (let edge = 1; Number.isFinite(x) && edge < inner; edge++) {
        if (x < (feature.edges[edge] as number)) {
          bucket = edge - 1;
          break;
        }
      }
      counts[bucket] = (counts[bucket] as number) + 1;
    }
    return counts;
  };
  const referenceCounts = openEnded(reference[name as keyof typeof reference]);
  const currentCounts = openEnded(currentValues);
  const kept = referenceCounts.map((count, bucket) => count > 0 || (currentCounts[bucket] as number) > 0);
  const shares = (counts: number[]) => {
    const rows = counts.reduce((sum, count) => sum + count, 0);
    return counts.filter((_, bucket) => kept[bucket]).map((count) => count / rows);
  };
  return {
    reference: shares(referenceCounts),
    current: shares(currentCounts),
    currentCounts: currentCounts.filter((_, bucket) => kept[bucket]),
  };
}

describe('DriftAccumulator: scores are exact functions of the bucket counts', () => {
  const current = sample(5_000, 2, 0.15);
  const accumulator = new DriftAccumulator(baseline, { sliceMillis: minute, windowSlices: 60 });
  accumulator.addBatch(current, 0);
  const report = accumulator.scores();

  for (const name of ['amount', 'age', 'channel'] as const) {
    it(`${name}: counts, PSI, KL, JS, Hellinger and chi-square equal the distance functions on directly computed buckets`, () => {
      const feature = baseline.features[name];
      if (feature === undefined) throw new Error(name);
      const counts = directCounts(name, current[name]);
      const drift = report.features[name];
      expect(drift?.counts).toEqual(counts);
      expect(drift?.rows).toBe(5_000);
      const scored = scoredShares(name, current[name]);
      const filledReference = fillEmptyShares(scored.reference);
      const filledShares = fillEmptyShares(scored.current);
      expect(drift?.psi.value).toBeCloseTo(psi(filledReference, filledShares), 14);
      expect(drift?.klDivergence.value).toBeCloseTo(klDivergence(filledReference, filledShares), 14);
      expect(drift?.jensenShannon.value).toBeCloseTo(
        jensenShannonDistance(scored.reference, scored.current),
        14,
      );
      expect(drift?.hellinger.value).toBeCloseTo(hellingerDistance(scored.reference, scored.current), 14);
      const shareTotal = filledReference.reduce((sum, value) => sum + value, 0);
      const expected = chiSquareGoodnessOfFit(
        scored.currentCounts,
        Array.from(filledReference, (value) => (value / shareTotal) * 5_000),
      );
      expect(drift?.chiSquare?.statistic).toBeCloseTo(expected.statistic, 9);
      expect(drift?.chiSquare?.pValue).toBeCloseTo(expected.pValue, 12);
      expect(drift?.chiSquare?.degreesOfFreedom).toBe(expected.degreesOfFreedom);
      expect(drift?.psi.approximate).toBe(false);
    });
  }

  it('scores a large window like its reference as calm, whatever lands beyond the reference’s range', () => {
    // 200,000 values spread like the reference's 10,000 plus one above its maximum: the missing
    // bucket is empty on both sides and the above bucket folds into the last decile, so no
    // epsilon of an empty bucket can outweigh the data (it did: PSI 1.5e-3, above the threshold).
    const values = Float64Array.from({ length: 10_000 }, (_, index) => index);
    const flat = baselineFromColumns([{ name: 'x', type: 'numeric', values }], {
      source: { uri: 'file:flat.csv', digest },
      windowRows: 1_000,
    });
    const window = new Float64Array(200_001);
    for (let row = 0; row < 200_000; row++) window[row] = row % 10_000;
    window[200_000] = 1e6;
    const calm = new DriftAccumulator(flat, { sliceMillis: minute, windowSlices: 1 });
    calm.addBatch({ x: window }, 0);
    const drift = calm.scores().features['x'];
    expect(drift?.counts.slice(-2)).toEqual([1, 0]);
    expect(drift?.psi.value).toBeLessThan(1e-5);
    expect(drift?.klDivergence.value).toBeLessThan(1e-5);
    expect(drift?.chiSquare?.pValue).toBeGreaterThan(0.99);
    expect(drift?.drifted).toBe(false);
  });

  it('counts row by row exactly as in batches', () => {
    const byRow = new DriftAccumulator(baseline, { sliceMillis: minute, windowSlices: 60 });
    for (let row = 0; row < current.age.length; row++) {
      byRow.add(
        {
          amount: current.amount[row] as number,
          age: current.age[row] as number,
          channel: current.channel[row] as string | null,
        },
        0,
      );
    }
    expect(byRow.snapshot()).toEqual(accumulator.snapshot());
  });

  it('labels KS and Wasserstein approximate; the KS estimate does not exceed the exact statistic', () => {
    const amount = report.features['amount'];
    expect(amount?.ks).toMatchObject({
      approximate: true,
      approximation: expect.stringContaining('lower bound'),
    });
    expect(amount?.wasserstein).toMatchObject({
      approximate: true,
      approximation: expect.stringContaining('midpoints'),
    });
    expect(report.features['channel']?.ks).toBeUndefined();
    const exact = exactKs(reference.amount, current.amount);
    expect(amount?.ks?.value).toBeGreaterThan(0);
    expect(amount?.ks?.value as number).toBeLessThanOrEqual(exact + 1e-12);
    expect(report.emptyBucketRule).toContain('epsilon');
  });

  it('flags the shifted window and not a window drawn like the reference', () => {
    expect(report.driftedFeatures).toEqual(['amount', 'age', 'channel']);
    expect(report.features['amount']?.driftedOn).toEqual(['psi', 'jensenShannon']);
    const calm = new DriftAccumulator(baseline, { sliceMillis: minute, windowSlices: 60 });
    calm.addBatch(sample(2_000, 3), 0);
    const calmReport = calm.scores({ judgeBy: ['psi', 'jensenShannon', 'hellinger', 'ks', 'wasserstein'] });
    expect(calmReport.driftedFeatures).toEqual([]);
    expect(calmReport.features['amount']?.drifted).toBe(false);
  });

  it('reports no verdict for an empty window', () => {
    const empty = new DriftAccumulator(baseline, { sliceMillis: minute, windowSlices: 60 }).scores();
    expect(empty.windowRows).toBe(0);
    expect(empty.features['amount']).toMatchObject({ drifted: null, psi: { value: null }, chiSquare: null });
    expect(empty.windowStart).toBeNull();
  });
});

function exactKs(a: Float64Array, b: Float64Array): number {
  const left = a.filter(Number.isFinite).sort();
  const right = b.filter(Number.isFinite).sort();
  let i = 0;
  let j = 0;
  let largest = 0;
  while (i < left.length && j < right.length) {
    const x = Math.min(left[i] as number, right[j] as number);
    while (i < left.length && left[i] === x) i++;
    while (j < right.length && right[j] === x) j++;
    largest = Math.max(largest, Math.abs(i / left.length - j / right.length));
  }
  return largest;
}

describe('DriftAccumulator: slices, window, merge, snapshots', () => {
  const data = sample(6_000, 4, 0.05);

  it('merging replicas that each saw part of the rows equals one accumulator that saw all of them', () => {
    const whole = new DriftAccumulator(baseline, { sliceMillis: minute, windowSlices: 5 });
    const first = new DriftAccumulator(baseline, { sliceMillis: minute, windowSlices: 5 });
    const second = new DriftAccumulator(baseline, { sliceMillis: minute, windowSlices: 5 });
    for (let part = 0; part < 6; part++) {
      const rows = slice(data, part * 1_000, (part + 1) * 1_000);
      const at = Math.floor(part / 2) * minute + 10;
      whole.addBatch(rows, at);
      (part % 2 === 0 ? first : second).addBatch(rows, at);
    }
    first.merge(second);
    expect(first.snapshot()).toEqual(whole.snapshot());
    expect(first.scores()).toEqual(whole.scores());
    expect(whole.windowRows).toBe(6_000);
  });

  it('sliding the window drops the oldest slice; rows older than the window are not counted', () => {
    const accumulator = new DriftAccumulator(baseline, { sliceMillis: minute, windowSlices: 3 });
    for (let index = 0; index < 3; index++)
      accumulator.addBatch(slice(data, index * 100, (index + 1) * 100), index * minute);
    expect(accumulator.windowRows).toBe(300);
    const ages = accumulator.windowCounts('age');
    accumulator.addBatch(slice(data, 300, 350), 3 * minute);
    expect(accumulator.windowRows).toBe(250);
    const oldest = directCounts('age', data.age.subarray(0, 100));
    const newest = directCounts('age', data.age.subarray(300, 350));
    expect(Array.from(accumulator.windowCounts('age'))).toEqual(
      Array.from(ages, (count, bucket) => count - (oldest[bucket] as number) + (newest[bucket] as number)),
    );
    expect(accumulator.add({ age: 30, amount: 10, channel: 'web' }, 0)).toBe(false);
    expect(accumulator.lateRows).toBe(1);
    expect(accumulator.scores()).toMatchObject({ windowStart: minute, windowEnd: 4 * minute, lateRows: 1 });
    accumulator.advanceTo(100 * minute);
    expect(accumulator.windowRows).toBe(0);
  });

  it('a snapshot survives JSON and rebuilds the same accumulator', () => {
    const accumulator = new DriftAccumulator(baseline, { sliceMillis: minute, windowSlices: 4 });
    accumulator.addBatch(slice(data, 0, 2_000), 0);
    accumulator.addBatch(slice(data, 2_000, 3_000), 2 * minute);
    const shipped = JSON.parse(JSON.stringify(accumulator.snapshot()));
    const rebuilt = DriftAccumulator.fromSnapshot(baseline, shipped);
    expect(rebuilt.snapshot()).toEqual(accumulator.snapshot());
    expect(rebuilt.scores()).toEqual(accumulator.scores());
    expect(shipped.slices.map((entry: { slice: number }) => entry.slice)).toEqual([0, 2]);
  });

  it('refuses a snapshot of another baseline or with edited counts, and merges only like with like', () => {
    const accumulator = new DriftAccumulator(baseline, { sliceMillis: minute, windowSlices: 4 });
    accumulator.addBatch(slice(data, 0, 100), 0);
    const snapshot = accumulator.snapshot();
    const otherBaseline = { ...baseline, windowRows: 1_000 };
    expect(() => DriftAccumulator.fromSnapshot(otherBaseline, snapshot, 'replica-7.json')).toThrow(
      /^replica-7\.json: the snapshot was counted on baseline sha256:[0-9a-f]{64}, not on this one/,
    );
    const edited = structuredClone(snapshot);
    (edited.slices[0]?.counts['age'] as number[])[0] = 1_000;
    expect(() => DriftAccumulator.fromSnapshot(baseline, edited, 'replica-7.json')).toThrow(
      /slice 0: feature "age" needs \d+ counts summing to 100 rows/,
    );
    expect(() => DriftAccumulator.fromSnapshot(baseline, { kind: 'something' })).toThrow(WardenError);
    const coarser = new DriftAccumulator(baseline, { sliceMillis: 2 * minute, windowSlices: 4 });
    expect(() => accumulator.merge(coarser)).toThrow(/cannot be added/);
  });

  it('counts an absent feature as missing and refuses ragged batches', () => {
    const accumulator = new DriftAccumulator(baseline, { sliceMillis: minute, windowSlices: 1 });
    accumulator.addBatch({ age: Float64Array.of(20, 30), ignored: ['x', 'y'] }, 0);
    expect(accumulator.windowCounts('amount').at(-1)).toBe(2);
    expect(accumulator.windowCounts('channel').at(-1)).toBe(2);
    expect(() => accumulator.addBatch({ age: Float64Array.of(1), channel: ['a', 'b'] }, 0)).toThrow(
      /column "channel" has 2 values and "age" 1/,
    );
  });
});

describe('DriftAccumulator: memory does not grow with rows', () => {
  it('keeps the same typed-array bytes and heap after 10 million rows', () => {
    setFlagsFromString('--expose-gc');
    const collectGarbage = runInNewContext('gc') as () => void;
    const accumulator = new DriftAccumulator(baseline, { sliceMillis: minute, windowSlices: 10 });
    const batch = sample(100_000, 5);
    const batchTimes = Array.from({ length: 100 }, (_, index) => index * 20_000);
    accumulator.addBatch(batch, 0);
    const bytes = accumulator.retainedBytes;
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    for (const at of batchTimes.slice(1)) accumulator.addBatch(batch, at);
    collectGarbage();
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    expect(accumulator.retainedBytes).toBe(bytes);
    const bucketsPerSlice = Object.values(baseline.features).reduce(
      (sum, feature) => sum + feature.buckets.length,
      0,
    );
    const edges = Object.values(baseline.features).reduce(
      (sum, feature) => sum + (feature.type === 'numeric' ? feature.edges.length : 0),
      0,
    );
    expect(bytes).toBe(10 * (bucketsPerSlice + 1) * 8 + edges * 8);
    const newestSlice = Math.floor((batchTimes.at(-1) as number) / minute);
    const batchesInWindow = batchTimes.filter((at) => Math.floor(at / minute) > newestSlice - 10).length;
    expect(accumulator.windowRows).toBe(batchesInWindow * 100_000);
    expect(heapGrowth).toBeLessThan(1_000_000);
  });
});

describe('DriftAccumulator: numeric baseline helpers', () => {
  it('uses the baseline min and max as the points of the outer buckets', () => {
    const amount = baseline.features['amount'] as NumericFeatureBaseline;
    const accumulator = new DriftAccumulator(baseline, { sliceMillis: minute, windowSlices: 1 });
    accumulator.add({ amount: amount.summary.max * 10, age: 30, channel: 'web' }, 0);
    const drift = accumulator.scores().features['amount'];
    expect(drift?.counts.at(-2)).toBe(1);
    // One window value, at the max: W1 = Σ reference share × (max − bucket point).
    const points = [amount.edges[0] as number];
    for (let bin = 0; bin + 1 < amount.edges.length; bin++) {
      points.push(((amount.edges[bin] as number) + (amount.edges[bin + 1] as number)) / 2);
    }
    points.push(amount.summary.max);
    const expected = points.reduce(
      (sum, point, bucket) =>
        sum +
        ((amount.referenceCounts[bucket] as number) / amount.summary.count) * (amount.summary.max - point),
      0,
    );
    expect(drift?.wasserstein?.distance).toBeCloseTo(expected, 9);
    expect(drift?.wasserstein?.value).toBeCloseTo(expected / amount.summary.std, 9);
  });
});
