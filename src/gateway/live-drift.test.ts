import { describe, expect, it } from 'vitest';
import { checkEvidenceDocument, mulberry32, requestDurationBuckets } from '../core/index.js';
import { baselineFromColumns } from '../drift/index.js';
import { histogramQuantile, LiveDrift } from './live-drift.js';

const random = mulberry32(20_261_207);
const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/** The reference period: amount ~ lognormal, hour uniform 0–23, channel mostly "pos", score ~ U(0, 0.3). */
function reference(rows: number) {
  const amount = new Float64Array(rows);
  const hour = new Float64Array(rows);
  const score = new Float64Array(rows);
  const channel: string[] = [];
  for (let i = 0; i < rows; i++) {
    amount[i] = Math.exp(3 + 0.5 * normal());
    hour[i] = Math.floor(random() * 24);
    score[i] = 0.3 * random();
    channel.push(random() < 0.8 ? 'pos' : 'online');
  }
  return { amount, hour, score, channel };
}

const ref = reference(20_000);
const baseline = baselineFromColumns(
  [
    { name: 'amount', type: 'numeric', values: ref.amount },
    { name: 'hour', type: 'numeric', values: ref.hour },
    { name: 'channel', type: 'categorical', values: ref.channel },
    { name: 'score', type: 'numeric', values: ref.score },
  ],
  { source: { uri: 'reference.csv', digest: `sha256:${'0'.repeat(64)}` }, windowRows: 1000 },
);

/** A V2 request of `n` transactions and its answer, `shift` moving amounts up and channels online. */
function exchange(n: number, shift: boolean) {
  const amounts: number[] = [];
  const hours: number[] = [];
  const channels: string[] = [];
  const scores: number[] = [];
  for (let i = 0; i < n; i++) {
    amounts.push(Math.exp(3 + (shift ? 0.8 : 0) + 0.5 * normal()));
    hours.push(Math.floor(random() * 24));
    channels.push(random() < (shift ? 0.3 : 0.8) ? 'pos' : 'online');
    scores.push((shift ? 0.5 : 0.3) * random());
  }
  const request = {
    inputs: [
      { name: 'features', shape: [n, 2], datatype: 'FP32', data: amounts.flatMap((a, i) => [a, hours[i]]) },
      { name: 'channel', shape: [n], datatype: 'BYTES', data: channels },
    ],
  };
  const response = {
    model_name: 'fraud',
    outputs: [{ name: 'probability', shape: [n], datatype: 'FP32', data: scores }],
  };
  return {
    requestBody: Buffer.from(JSON.stringify(request)),
    responseBody: Buffer.from(JSON.stringify(response)),
  };
}

function monitor(options: { queueLimit?: number; clock?: () => number } = {}) {
  return new LiveDrift({
    model: 'fraud-detector',
    version: '3',
    protocol: 'v2',
    baseline,
    featureNames: ['amount', 'hour', 'channel'],
    scoreFeature: 'score',
    windowSeconds: 60,
    ...options,
  });
}

describe('live drift of a served version', () => {
  it('finds no drift in traffic like the reference, and reports requests, errors, latency and sampling', async () => {
    let now = Date.parse('2026-12-07T10:00:00Z');
    const live = monitor({ clock: () => now });
    for (let i = 0; i < 100; i++) live.observe({ status: 200, seconds: 0.004, ...exchange(20, false) });
    live.observe({ status: 503, seconds: 0.2 });
    live.observe({ status: 200, seconds: 0.004, requestBody: Buffer.from('{"inputs": "nonsense"}') });
    await live.settled();
    now += 30_000;
    const status = live.closeWindow();
    expect(status.window).toEqual({
      start: '2026-12-07T10:00:00Z',
      end: '2026-12-07T10:00:30Z',
      seconds: 30,
    });
    expect(status.requests).toEqual({ total: 102, errors: 1, errorRatio: 1 / 102, undecodable: 1 });
    expect(status.latency.p50).toBeGreaterThan(0.0025);
    expect(status.latency.p50).toBeLessThanOrEqual(0.005);
    // 101 of 102 answers took ≤ 5 ms: p99 (rank 100.98) is still in that bucket; the one slow answer
    // shows only above it.
    expect(status.latency.p99).toBeLessThanOrEqual(0.005);
    expect(status.sampling).toEqual({ ratio: 1, decoded: 100 });
    expect(status.features.map((f) => [f.name, f.drifted])).toEqual([
      ['amount', false],
      ['hour', false],
      ['channel', false],
    ]);
    expect(status.prediction).toMatchObject({ name: 'score', drifted: false });
    expect(status.datasetDrift).toMatchObject({ drifted: false });
    const evidence = live.monitorStatusEvidence(status);
    expect(checkEvidenceDocument(JSON.parse(JSON.stringify(evidence)), 'monitor status')).toMatchObject({
      kind: 'monitor-status',
      passed: true,
      subject: { type: 'model-version', name: 'fraud-detector', version: '3' },
    });
    // Counts start again from zero; the drift window slides on.
    now += 30_000;
    expect(live.closeWindow().requests.total).toBe(0);
  });

  it('flags the features and the scores that moved, and the evidence fails', async () => {
    let now = Date.parse('2026-12-07T11:00:00Z');
    const live = monitor({ clock: () => now });
    for (let i = 0; i < 100; i++) live.observe({ status: 200, seconds: 0.01, ...exchange(20, true) });
    await live.settled();
    now += 60_000;
    const status = live.closeWindow();
    const drifted = Object.fromEntries(status.features.map((f) => [f.name, f.drifted]));
    expect(drifted).toEqual({ amount: true, hour: false, channel: true });
    const amount = status.features.find((f) => f.name === 'amount');
    expect(amount?.score).toBeGreaterThan(amount?.threshold ?? Number.POSITIVE_INFINITY);
    expect(status.prediction?.drifted).toBe(true);
    expect(status.datasetDrift).toMatchObject({ driftedShare: 2 / 3, drifted: true });
    expect(live.monitorStatusEvidence(status).passed).toBe(false);
  });

  it('never makes a request wait: a full queue is only counted, and the ratio says how much was decoded', async () => {
    const live = monitor({ queueLimit: 10 });
    const bodies = exchange(50, false);
    const started = performance.now();
    for (let i = 0; i < 1000; i++) live.observe({ status: 200, seconds: 0.002, ...bodies });
    const perObserve = (performance.now() - started) / 1000;
    // observe() only counts and queues: far below the cost of decoding a 50-row body.
    expect(perObserve).toBeLessThan(0.05);
    await live.settled();
    const status = live.closeWindow();
    expect(status.requests.total).toBe(1000);
    expect(status.sampling.decoded).toBeLessThan(1000);
    expect(status.sampling.ratio).toBeCloseTo(status.sampling.decoded / 1000, 10);
  });
});

describe('histogramQuantile', () => {
  it('interpolates within the bucket as Prometheus does', () => {
    // 10 observations ≤ 0.1 and 10 in (0.1, 0.5]: the median is the upper bound of the first bucket,
    // p75 halfway into the second.
    const bounds = [0.1, 0.5, 1];
    expect(histogramQuantile(bounds, [10, 10, 0, 0], 0.5)).toBeCloseTo(0.1, 12);
    expect(histogramQuantile(bounds, [10, 10, 0, 0], 0.75)).toBeCloseTo(0.3, 12);
    expect(histogramQuantile(bounds, [0, 0, 0, 5], 0.99)).toBe(1);
    expect(histogramQuantile(bounds, [0, 0, 0, 0], 0.5)).toBeNull();
    expect(requestDurationBuckets).toContain(0.005);
  });
});
