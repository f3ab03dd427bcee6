import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { baselineFromColumns } from '../drift/index.js';
import { loadGatewayConfig } from '../gateway/index.js';
import { startGatewayRuntime } from './gateway-runtime.js';

const work = mkdtempSync(join(tmpdir(), 'warden-gateway-slo-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A model server that fails every `failEvery`-th request with a 500. */
async function startFlakyServer(failEvery: number): Promise<{ url: string; server: Server }> {
  let seen = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen++;
      res.writeHead(seen % failEvery === 0 ? 500 : 200, { 'content-type': 'application/json' });
      res.end('{"outputs": []}');
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const slo = (model: string, name: string, objective: number, indicator: string) => `apiVersion: warden.dev/v1
kind: ServiceLevelObjective
metadata: { name: ${name} }
spec:
  model: ${model}
  objective: ${objective}
  indicator: ${indicator}
`;

/** The value of the one sample whose line starts with `prefix`, or undefined. */
function sample(text: string, prefix: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('SLOs in the gateway runtime', () => {
  it('exports burn rates and the budget from its own traffic, and puts the version’s SLOs into monitor-status', async () => {
    const fraud = await startFlakyServer(10);
    const credit = await startFlakyServer(1_000_000);
    writeFileSync(
      join(work, 'baseline.json'),
      JSON.stringify(
        baselineFromColumns(
          [{ name: 'amount', type: 'numeric', values: Float64Array.from({ length: 200 }, (_, i) => i) }],
          {
            source: { uri: 'reference.csv', digest: `sha256:${'1'.repeat(64)}` },
            windowRows: 100,
          },
        ),
      ),
    );
    writeFileSync(
      join(work, 'fraud-slos.yaml'),
      `${slo('fraud-detector', 'availability', 99, '{ availability: {} }')}---\n${slo('fraud-detector', 'fast', 95, '{ latency: { le: 1 } }')}`,
    );
    writeFileSync(
      join(work, 'credit-slos.yaml'),
      slo('credit-risk', 'availability', 99.9, '{ availability: {} }'),
    );
    writeFileSync(
      join(work, 'gateway.yaml'),
      `apiVersion: warden.dev/v1
kind: Gateway
routes:
  - model: fraud-detector
    protocol: v2
    versions: { "1": { url: "${fraud.url}" } }
    serve: { "1": 100 }
    baseline: baseline.json
    slos: fraud-slos.yaml
  # No baseline: no live drift, but its SLOs are tracked all the same.
  - model: credit-risk
    protocol: v2
    versions: { "3": { url: "${credit.url}" } }
    serve: { "3": 100 }
    slos: credit-slos.yaml
`,
    );
    const config = await loadGatewayConfig(join(work, 'gateway.yaml'));
    const evidenceDir = join(work, 'evidence');
    const runtime = await startGatewayRuntime({
      config,
      host: '127.0.0.1',
      port: 0,
      recording: { evidenceDir },
      say: () => undefined,
      manualWindows: true,
    });
    try {
      const infer = async (model: string) => {
        const answer = await fetch(`${runtime.gateway.url}/v2/models/${model}/infer`, {
          method: 'POST',
          body: '{"inputs": [{"name": "amount", "shape": [1], "datatype": "FP32", "data": [3]}]}',
          headers: { 'content-type': 'application/json' },
        });
        await answer.arrayBuffer();
        return answer.status;
      };
      const statuses: number[] = [];
      for (let i = 0; i < 100; i++) statuses.push(await infer('fraud-detector'));
      for (let i = 0; i < 20; i++) await infer('credit-risk');
      expect(statuses.filter((status) => status === 500)).toHaveLength(10);

      const metrics = await (await fetch(`${runtime.gateway.url}/metrics`)).text();
      // 10% bad against a 1% budget: burn 10 over every window (all of it seconds old), the budget overspent 9 times.
      for (const window of ['5m', '30m', '1h', '2h', '6h', '1d', '3d']) {
        const rate = sample(
          metrics,
          `warden_slo_burn_rate{model="fraud-detector",slo="availability",window="${window}"}`,
        );
        expect(rate).toBeCloseTo(10, 9);
      }
      expect(
        sample(metrics, 'warden_slo_error_budget_remaining{model="fraud-detector",slo="availability"}'),
      ).toBeCloseTo(-9, 9);
      expect(sample(metrics, 'warden_slo_burn_rate{model="fraud-detector",slo="fast",window="3d"}')).toBe(0);
      expect(sample(metrics, 'warden_slo_error_budget_remaining{model="fraud-detector",slo="fast"}')).toBe(1);
      expect(
        sample(metrics, 'warden_slo_burn_rate{model="credit-risk",slo="availability",window="3d"}'),
      ).toBe(0);
      expect(
        sample(metrics, 'warden_slo_error_budget_remaining{model="credit-risk",slo="availability"}'),
      ).toBe(1);
      expect(metrics).toContain('# HELP warden_slo_burn_rate ');

      await runtime.monitor.closeWindows();
      const [file] = readdirSync(evidenceDir);
      const evidence = JSON.parse(readFileSync(join(evidenceDir, file as string), 'utf8'));
      expect(evidence.kind).toBe('monitor-status');
      expect(evidence.requests).toMatchObject({ total: 100, errors: 10 });
      expect(
        evidence.slo.map((s: { name: string; indicator: string; alert: string | null }) => [
          s.name,
          s.indicator,
          s.alert,
        ]),
      ).toEqual([
        ['availability', 'availability', 'page'],
        ['fast', 'latency', null],
      ]);
      expect(evidence.slo[0].budgetRemaining).toBeCloseTo(-9, 9);
      expect(evidence.slo[0].burnRates['3d']).toBeCloseTo(10, 9);
      // Only the route with a baseline has windows: credit-risk's SLOs are on /metrics alone.
      expect(readdirSync(evidenceDir)).toHaveLength(1);
    } finally {
      await runtime.stop();
      fraud.server.close();
      credit.server.close();
    }
  });
});
