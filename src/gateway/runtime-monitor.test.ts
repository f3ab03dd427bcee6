import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkEvidenceDocument, isWardenError, mulberry32 } from '../core/index.js';
import { baselineFromColumns } from '../drift/index.js';
import { startGateway } from './gateway.js';
import { loadGatewayConfig } from './gateway-config.js';
import { GatewayMetrics } from './metrics.js';
import { RuntimeMonitor } from './runtime-monitor.js';

const work = mkdtempSync(join(tmpdir(), 'warden-runtime-monitor-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const random = mulberry32(7);

// The baseline of the reference period: amount ~ U(10, 100), channel mostly "pos", score ~ U(0, 0.2).
const rows = 5000;
const amount = Float64Array.from({ length: rows }, () => 10 + 90 * random());
const score = Float64Array.from({ length: rows }, () => 0.2 * random());
const channel = Array.from({ length: rows }, () => (random() < 0.8 ? 'pos' : 'online'));
writeFileSync(
  join(work, 'baseline.json'),
  JSON.stringify(
    baselineFromColumns(
      [
        { name: 'amount', type: 'numeric', values: amount },
        { name: 'channel', type: 'categorical', values: channel },
        { name: 'score', type: 'numeric', values: score },
      ],
      { source: { uri: 'reference.csv', digest: `sha256:${'1'.repeat(64)}` }, windowRows: 500 },
    ),
  ),
);

/** A V2 model server that answers each row's probability: 0.6 × its amount ÷ 100 (so shifted amounts shift scores). */
async function startModelServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as {
        inputs: { name: string; data: number[] }[];
      };
      const amounts = body.inputs.find((i) => i.name === 'amount')?.data ?? [];
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          model_name: 'fraud-detector',
          outputs: [
            {
              name: 'probability',
              shape: [amounts.length],
              datatype: 'FP32',
              data: amounts.map((a) => (0.2 * a) / 100),
            },
          ],
        }),
      );
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function config(upstream: string, monitoring: string): string {
  const file = join(work, `gateway-${Math.round(random() * 1e9)}.yaml`);
  writeFileSync(
    file,
    `apiVersion: warden.dev/v1
kind: Gateway
routes:
  - model: fraud-detector
    protocol: v2
    versions:
      "1": { url: ${upstream} }
    serve: { "1": 100 }
    baseline: baseline.json
${monitoring}`,
  );
  return file;
}

const request = (n: number, shifted: boolean) =>
  JSON.stringify({
    inputs: [
      {
        name: 'amount',
        shape: [n],
        datatype: 'FP32',
        data: Array.from({ length: n }, () => (shifted ? 80 + 100 * random() : 10 + 90 * random())),
      },
      {
        name: 'channel',
        shape: [n],
        datatype: 'BYTES',
        data: Array.from({ length: n }, () => (random() < (shifted ? 0.8 : 0.2) ? 'online' : 'pos')),
      },
    ],
  });

describe('live drift through the gateway', () => {
  it('turns shifted traffic into drift metrics and a monitor-status evidence file, the answers untouched', async () => {
    const upstream = await startModelServer();
    const routes = (
      await loadGatewayConfig(
        config(upstream.url, '    monitoring: { scoreFeature: score, windowSeconds: 60 }\n'),
      )
    ).routes;
    const metrics = new GatewayMetrics();
    const evidenceDir = join(work, 'evidence');
    const monitor = new RuntimeMonitor({ routes, metrics, evidenceDir });
    const gateway = await startGateway({ routes, port: 0, metrics, onExchange: monitor.observe });
    try {
      for (let i = 0; i < 40; i++) {
        const body = request(25, true);
        const answer = await fetch(`${gateway.url}/v2/models/fraud-detector/infer`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        });
        expect(answer.status).toBe(200);
        expect(answer.headers.get('x-warden-model-version')).toBe('1');
        await answer.arrayBuffer();
      }
      const [closed] = await monitor.closeWindows();
      expect(closed?.status.requests).toMatchObject({ total: 40, errors: 0, undecodable: 0 });
      expect(closed?.status.sampling).toEqual({ ratio: 1, decoded: 40 });
      expect(Object.fromEntries(closed?.status.features.map((f) => [f.name, f.drifted]) ?? [])).toEqual({
        amount: true,
        channel: true,
      });
      expect(closed?.status.prediction?.drifted).toBe(true);

      const text = (await (await fetch(`${gateway.url}/metrics`)).text()).split('\n');
      const line = (prefix: string) => text.find((l) => l.startsWith(prefix));
      expect(
        line('warden_feature_drift_score{model="fraud-detector",version="1",feature="amount"'),
      ).toBeDefined();
      expect(line('warden_prediction_drift_score{model="fraud-detector",version="1"')).toBeDefined();
      expect(line('warden_dataset_drift_share{model="fraud-detector",version="1"} 1')).toBeDefined();
      expect(
        line('warden_gateway_monitor_sampling_ratio{model="fraud-detector",version="1"} 1'),
      ).toBeDefined();

      const [file] = readdirSync(evidenceDir);
      const evidence = JSON.parse(readFileSync(join(evidenceDir, file as string), 'utf8'));
      expect(checkEvidenceDocument(evidence, file as string)).toMatchObject({
        kind: 'monitor-status',
        passed: false,
        subject: { type: 'model-version', name: 'fraud-detector', version: '1' },
      });
      expect(evidence.requests.total).toBe(40);
    } finally {
      await gateway.close();
      await monitor.stop();
      upstream.server.close();
    }
  });

  it('refuses at start a baseline that does not hold the features the route names', async () => {
    const file = config(
      'http://127.0.0.1:9',
      '    monitoring: { features: [amount, merchant], scoreFeature: probability }\n',
    );
    const error = await loadGatewayConfig(file).catch((caught: unknown) => caught);
    expect(isWardenError(error) && error.code).toBe('WARDEN_ERR_GATEWAY_INVALID_CONFIG');
    expect((error as Error).message).toMatch(
      /"merchant", "probability" are not in the baseline .*baseline\.json, whose features are amount, channel, score/,
    );
  });
});
