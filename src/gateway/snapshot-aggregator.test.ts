import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkEvidenceDocument, mulberry32 } from '../core/index.js';
import { baselineFromColumns } from '../drift/index.js';
import { loadGatewayConfig } from './gateway-config.js';
import type { LiveDrift } from './live-drift.js';
import { GatewayMetrics } from './metrics.js';
import { liveDriftsOf, RuntimeMonitor, versionKey } from './runtime-monitor.js';
import { SnapshotAggregator } from './snapshot-aggregator.js';
import { alignedWindowEnd, type WindowSnapshot } from './window-snapshots.js';

/**
 * Several replicas judge exactly as one process: snapshots of a split of the traffic, merged, give
 * the status of one monitor that saw it all; the aggregator waits for every replica it knows.
 */
const work = mkdtempSync(join(tmpdir(), 'warden-snapshots-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const random = mulberry32(1717);

// Reference: amount ~ U(0, 50), segment mostly "retail"; scores ~ U(0, 0.1).
writeFileSync(
  join(work, 'baseline.json'),
  JSON.stringify(
    baselineFromColumns(
      [
        { name: 'amount', type: 'numeric', values: Float64Array.from({ length: 4000 }, () => 50 * random()) },
        {
          name: 'segment',
          type: 'categorical',
          values: Array.from({ length: 4000 }, () => (random() < 0.7 ? 'retail' : 'business')),
        },
        { name: 'score', type: 'numeric', values: Float64Array.from({ length: 4000 }, () => 0.1 * random()) },
      ],
      { source: { uri: 'reference.csv', digest: `sha256:${'2'.repeat(64)}` }, windowRows: 400 },
    ),
  ),
);
writeFileSync(
  join(work, 'gateway.yaml'),
  `apiVersion: warden.dev/v1
kind: Gateway
routes:
  - model: payments
    protocol: v2
    versions: { "7": { url: "http://127.0.0.1:9" } }
    serve: { "7": 100 }
    baseline: baseline.json
    monitoring: { scoreFeature: score, scoreOutput: p, windowSeconds: 10 }
`,
);
const { routes } = await loadGatewayConfig(join(work, 'gateway.yaml'));
const liveDrift = (clock: () => number): LiveDrift =>
  liveDriftsOf(routes, clock).get(versionKey('payments', '7'))?.live as LiveDrift;

/** A V2 exchange of `rows` payments; drifted ones are larger, more often "business", scored higher. */
function payment(rows: number, drifted: boolean) {
  const amount = Array.from({ length: rows }, () => (drifted ? 30 + 60 * random() : 50 * random()));
  const segment = Array.from({ length: rows }, () =>
    random() < (drifted ? 0.3 : 0.7) ? 'retail' : 'business',
  );
  const scores = amount.map((a) => a / 500);
  return {
    requestBody: Buffer.from(
      JSON.stringify({
        inputs: [
          { name: 'amount', shape: [rows], datatype: 'FP64', data: amount },
          { name: 'segment', shape: [rows], datatype: 'BYTES', data: segment },
        ],
      }),
    ),
    responseBody: Buffer.from(
      JSON.stringify({ outputs: [{ name: 'p', shape: [rows], datatype: 'FP64', data: scores }] }),
    ),
  };
}

const windowEnd = alignedWindowEnd(Date.parse('2026-12-08T09:00:03Z'), 10);

/** 90 exchanges spread over the window ending at `end` (a third drifted, some 5xx, some undecodable). */
function traffic(end: number) {
  return Array.from({ length: 90 }, (_, i) => {
    const at = end - 10_000 + Math.floor((i / 90) * 10_000);
    if (i % 15 === 14) return { status: 503, seconds: 0.3, at };
    if (i % 20 === 19) return { status: 200, seconds: 0.002, requestBody: Buffer.from('{"inputs": 1}'), at };
    return { status: 200, seconds: 0.001 * (1 + (i % 40)), ...payment(5 + (i % 7), i % 3 === 0), at };
  });
}

/** Every exchange to one of the replicas in turn. */
async function serve(exchanges: ReturnType<typeof traffic>, replicas: LiveDrift[]) {
  exchanges.forEach((exchange, i) => {
    (replicas[i % replicas.length] as LiveDrift).observe(exchange);
  });
  await Promise.all(replicas.map((replica) => replica.settled()));
}

describe('window snapshots of several replicas', () => {
  it('merge into exactly the status of one process that saw all the traffic', async () => {
    const clock = () => windowEnd;
    const single = liveDrift(clock);
    const [a, b] = [liveDrift(clock), liveDrift(clock)] as [LiveDrift, LiveDrift];
    const exchanges = traffic(windowEnd);
    await serve(exchanges, [single]);
    await serve(exchanges, [a, b]);
    const close = (live: LiveDrift, replica: string) =>
      live.closeSnapshot({ replica, end: windowEnd, windowEnd });
    const alone = close(single, 'alone');
    const [snapshotA, snapshotB] = [close(a, 'a'), close(b, 'b')];

    const merged = a.statusOf([snapshotA, snapshotB]);
    expect(merged).toEqual({ ...single.statusOf([alone]), replicas: 2 });
    expect(merged.requests).toMatchObject({ total: 90, errors: 6, undecodable: 3 });
    expect(merged.features.every((feature) => feature.score !== null)).toBe(true);
    expect(merged.prediction?.score).not.toBeNull();

    const sum = a.accumulatorOf(snapshotA);
    sum.merge(b.accumulatorOf(snapshotB));
    expect(sum.snapshot()).toEqual(single.accumulatorOf(alone).snapshot());
    expect(snapshotA.counts.total + snapshotB.counts.total).toBe(alone.counts.total);
    // Counts only: no value of a request travels in a snapshot.
    expect(JSON.stringify(snapshotA)).not.toMatch(/retail|business/);
  });

  it('the aggregator judges a window once every known replica has reported it, records it and acknowledges', async () => {
    let now = windowEnd + 50;
    const evidenceDir = join(work, 'aggregated');
    const skipped: string[] = [];
    const aggregator = new SnapshotAggregator({
      routes,
      graceSeconds: 2,
      evidenceDir,
      clock: () => now,
      onSkipped: (why) => skipped.push(why),
    });
    const settled: string[] = [];
    const delivery = (name: string) => ({
      ack: () => settled.push(`ack ${name}`),
      term: () => settled.push(`term ${name}`),
    });
    const send = (snapshot: WindowSnapshot, name: string) =>
      aggregator.receive(JSON.stringify(snapshot), name, delivery(name));

    // The first window: the aggregator does not know the replicas yet, so it waits out the grace.
    const [a, b] = [liveDrift(() => now), liveDrift(() => now)] as [LiveDrift, LiveDrift];
    send(a.closeSnapshot({ replica: 'a', end: windowEnd, windowEnd }), 'a1');
    expect(await aggregator.flush()).toEqual([]);
    send(b.closeSnapshot({ replica: 'b', end: windowEnd, windowEnd }), 'b1');
    expect(await aggregator.flush()).toEqual([]);
    now = windowEnd + 2_100;
    expect((await aggregator.flush()).map((event) => event.status.replicas)).toEqual([2]);
    expect(settled.splice(0)).toEqual(['ack a1', 'ack b1']);

    // The next window: judged as soon as both known replicas have reported.
    const next = windowEnd + 10_000;
    const single = liveDrift(() => now);
    const exchanges = traffic(next);
    await serve(exchanges, [single]);
    await serve(exchanges, [a, b]);
    now = next + 20;
    send(a.closeSnapshot({ replica: 'a', end: next, windowEnd: next }), 'a2');
    aggregator.receive(
      '{"kind": "warden-window-snapshot", "replica": "retail-card-4111"}',
      'junk',
      delivery('junk'),
    );
    aggregator.receive('not json at all', 'junk2', delivery('junk2'));
    send({ ...a.closeSnapshot({ replica: 'x', end: next, windowEnd: next }), model: 'loans' }, 'other-model');
    expect(await aggregator.flush()).toEqual([]);
    expect(settled.splice(0)).toEqual(['term junk', 'term junk2', 'term other-model']);
    expect(skipped).toHaveLength(3);
    expect(skipped.join('\n')).not.toContain('4111');
    expect(skipped[0]).toMatch(/junk: not a window snapshot: schemaVersion/);
    expect(skipped[2]).toMatch(/loans version 7 is not monitored/);

    send(b.closeSnapshot({ replica: 'b', end: next, windowEnd: next }), 'b2');
    const [event] = await aggregator.flush();
    expect(settled.splice(0)).toEqual(['ack a2', 'ack b2']);
    expect(event?.status).toEqual({
      ...single.statusOf([single.closeSnapshot({ end: next, windowEnd: next })]),
      replicas: 2,
      window: {
        start: new Date(windowEnd).toISOString().replace('.000', ''),
        end: new Date(next).toISOString().replace('.000', ''),
        seconds: 10,
      },
    });
    const [file] = readdirSync(evidenceDir);
    const evidence = checkEvidenceDocument(
      JSON.parse(readFileSync(join(evidenceDir, file as string), 'utf8')),
      file as string,
    ) as unknown as { replicas: number; requests: { total: number } };
    expect(evidence).toMatchObject({ kind: 'monitor-status', replicas: 2, requests: { total: 90 } });

    // A replica that reports a judged window is too late: acknowledged, reported, not merged.
    send(liveDrift(() => now).closeSnapshot({ replica: 'c', end: next, windowEnd: next }), 'c2');
    expect(await aggregator.flush()).toEqual([]);
    expect(settled).toEqual(['ack c2']);
    expect(skipped[3]).toMatch(/late: replica "c" .* after it was judged/);
  });

  it('waits for a known replica until the grace period ends, then judges without it', async () => {
    const previous = windowEnd - 10_000;
    let now = previous + 10;
    const aggregator = new SnapshotAggregator({ routes, graceSeconds: 3, clock: () => now });
    const ack = { ack: () => undefined, term: () => undefined };
    const [a, b] = [liveDrift(() => now), liveDrift(() => now)] as [LiveDrift, LiveDrift];
    const send = (live: LiveDrift, replica: string, end: number) =>
      aggregator.receive(JSON.stringify(live.closeSnapshot({ replica, end, windowEnd: end })), replica, ack);
    send(a, 'a', previous);
    send(b, 'b', previous);
    now = previous + 3_010;
    expect((await aggregator.flush()).map((event) => event.status.replicas)).toEqual([2]);
    now = windowEnd + 10;
    send(a, 'a', windowEnd);
    expect(await aggregator.flush()).toEqual([]);
    // Due `graceSeconds` after the window's end, or after its first snapshot when that came later.
    now = windowEnd + 3_000;
    expect(await aggregator.flush()).toEqual([]);
    now = windowEnd + 3_010;
    expect((await aggregator.flush()).map((event) => event.status.replicas)).toEqual([1]);
  });
});

describe('a replica whose snapshots cannot be published', () => {
  it('counts the failure, reports it, and keeps counting traffic', async () => {
    const metrics = new GatewayMetrics();
    const errors: string[] = [];
    const monitor = new RuntimeMonitor({
      routes,
      metrics,
      snapshots: {
        replica: 'r1',
        publish: () => Promise.reject(new Error('TIMEOUT')),
      },
      onWindow: (event) => event.error && errors.push(event.error),
    });
    monitor.observe({
      model: 'payments',
      version: '7',
      protocol: 'v2',
      status: 200,
      seconds: 0.01,
      ...payment(3, false),
    });
    const [closed] = await monitor.closeWindows();
    expect(closed?.status.requests.total).toBe(1);
    expect(errors).toEqual(["could not publish the window's snapshot: TIMEOUT"]);
    monitor.observe({ model: 'payments', version: '7', protocol: 'v2', status: 200, seconds: 0.01 });
    await monitor.stop();
    expect((await metrics.exposition()).text).toMatch(
      /^warden_gateway_snapshot_publish_failures_total\{model="payments",version="7"\} 2$/m,
    );
  });
});
