import { describe, expect, it } from 'vitest';
import { baselineFromColumns } from '../drift/index.js';
import { parseSloDocuments } from '../slo/index.js';
import { AttachedRouting, type ControlPlaneRoute, type ControlPlaneTable } from './attached-routing.js';
import type { GatewayRoute, RouteSettings } from './gateway-config.js';
import { GatewayMetrics } from './metrics.js';

const route = (model: string, url: string, extra: Partial<ControlPlaneRoute> = {}): ControlPlaneRoute => ({
  model,
  protocol: 'v2',
  versions: { '1': { url } },
  serve: { '1': 100 },
  baseline: null,
  ...extra,
});

function harness(tables: (ControlPlaneTable | Error)[], options: { settings?: RouteSettings[] } = {}) {
  const applied: (readonly GatewayRoute[])[] = [];
  const lines: string[] = [];
  const metrics = new GatewayMetrics();
  let call = 0;
  const routing = new AttachedRouting({
    fetchTable: async () => {
      const next = tables[Math.min(call++, tables.length - 1)] as ControlPlaneTable | Error;
      if (next instanceof Error) throw next;
      return next;
    },
    fetchBaseline: async () =>
      baselineFromColumns(
        [{ name: 'amount', type: 'numeric', values: Float64Array.from({ length: 10 }, (_, i) => i + 1) }],
        { source: { uri: 'file:///ref.csv', digest: `sha256:${'0'.repeat(64)}` }, windowRows: 5 },
      ),
    ...(options.settings ? { settings: options.settings } : {}),
    apply: (routes) => applied.push(routes),
    metrics,
    report: (line) => lines.push(line),
    clock: () => Date.parse('2026-12-07T10:00:00Z'),
  });
  return { routing, applied, lines, metrics };
}

describe('a gateway attached to a control plane', () => {
  it('applies a changed table, and keeps the route object of a model whose routing did not change', async () => {
    const { routing, applied } = harness([
      { revision: 'sha256:aaaaaaaaaaaaaaaaaaaa', routes: [route('a', 'http://127.0.0.1:1')], problems: [] },
      {
        revision: 'sha256:bbbbbbbbbbbbbbbbbbbb',
        routes: [route('a', 'http://127.0.0.1:1'), route('b', 'http://127.0.0.1:2/')],
        problems: [],
      },
      {
        revision: 'sha256:bbbbbbbbbbbbbbbbbbbb',
        routes: [route('a', 'http://127.0.0.1:1'), route('b', 'http://127.0.0.1:2/')],
        problems: [],
      },
    ]);
    expect(routing.readiness().ready).toBe(false);
    expect(await routing.sync()).toBe(true);
    expect(await routing.sync()).toBe(true);
    expect(await routing.sync()).toBe(true);
    expect(applied).toHaveLength(2);
    expect(applied[1]?.[0]).toBe(applied[0]?.[0]);
    expect([...(applied[1]?.[1]?.versions ?? [])]).toEqual([['1', 'http://127.0.0.1:2']]);
    expect(routing.readiness()).toMatchObject({
      ready: true,
      detail: { revision: 'sha256:bbbbbbbbbbbbbbbbbbbb' },
    });
  });

  it('refuses a route it cannot serve, and reports production versions without an endpoint once', async () => {
    const table: ControlPlaneTable = {
      revision: 'sha256:cccccccccccccccccccc',
      routes: [
        route('weights', 'http://127.0.0.1:1', { serve: { '1': 90 } }),
        route('grpc', 'http://127.0.0.1:1', { protocol: 'grpc' }),
        route('secret', 'http://user:hunter2@127.0.0.1:1'),
        route('fine', 'http://127.0.0.1:1'),
      ],
      problems: [{ model: 'lonely', version: '3', problem: 'production version 3 has no endpoint' }],
    };
    const { routing, applied, lines } = harness([
      table,
      { ...table, revision: 'sha256:dddddddddddddddddddd' },
    ]);
    await routing.sync();
    await routing.sync();
    expect(applied[0]?.map((r) => r.model)).toEqual(['fine']);
    expect(
      lines.filter((line) => line.startsWith('weights: not served: the weights sum to 90')),
    ).toHaveLength(1);
    expect(lines.some((line) => line.startsWith('grpc: not served: protocol "grpc"'))).toBe(true);
    expect(
      lines.some((line) => line.startsWith('secret: not served: version 1: url carries credentials')),
    ).toBe(true);
    expect(lines.join('\n')).not.toContain('hunter2');
    expect(lines.filter((line) => line === 'lonely: production version 3 has no endpoint')).toHaveLength(1);
  });

  it('keeps the last table while the control plane is away, and says so in readiness and the metric', async () => {
    const table = {
      revision: 'sha256:eeeeeeeeeeeeeeeeeeee',
      routes: [route('a', 'http://127.0.0.1:1')],
      problems: [],
    };
    const { routing, applied, lines, metrics } = harness([
      new Error('cannot reach the Warden server'),
      table,
      new Error('cannot reach the Warden server'),
      new Error('cannot reach the Warden server'),
      table,
    ]);
    expect(await routing.sync()).toBe(false);
    expect(routing.readiness().ready).toBe(false);
    expect(lines[0]).toContain('cannot read the routing table from the control plane');
    await routing.sync();
    expect(await routing.sync()).toBe(false);
    expect(await routing.sync()).toBe(false);
    expect(applied).toHaveLength(1);
    expect(routing.readiness()).toMatchObject({
      ready: true,
      detail: { controlPlane: { reachable: false, lastSync: '2026-12-07T10:00:00.000Z' } },
    });
    expect((await metrics.exposition()).text).toContain('warden_gateway_control_plane_up 0');
    expect(lines.filter((line) => line.includes('serving the routing table of'))).toHaveLength(1);
    await routing.sync();
    expect(lines.at(-1)).toBe('the control plane is back');
    expect((await metrics.exposition()).text).toContain('warden_gateway_control_plane_up 1');
  });

  it('turns live drift off for a model whose baseline lacks the features its settings name', async () => {
    const settings: RouteSettings[] = [
      { model: 'a', timeoutMs: 100, maxBodyBytes: 1000, monitoring: { features: ['amount', 'merchant'] } },
    ];
    const { routing, applied, lines } = harness(
      [
        {
          revision: 'sha256:ffffffffffffffffffff',
          routes: [route('a', 'http://127.0.0.1:1', { baseline: { evidence: 'sha256:1234' } })],
          problems: [],
        },
      ],
      { settings },
    );
    await routing.sync();
    expect(applied[0]?.[0]?.baselineDocument).toBeUndefined();
    expect(applied[0]?.[0]?.timeoutMs).toBe(100);
    expect(
      lines.some((line) => line.startsWith('a: live drift off: "merchant" is not in the baseline')),
    ).toBe(true);
  });

  it('takes a model’s SLOs from the control plane, checked, over the config’s', async () => {
    const slo = (model: string, name: string) => ({
      apiVersion: 'warden.dev/v1',
      kind: 'ServiceLevelObjective',
      metadata: { name },
      spec: { model, objective: 99.9, indicator: { availability: {} } },
    });
    const settings: RouteSettings[] = [
      {
        model: 'a',
        timeoutMs: 100,
        maxBodyBytes: 1000,
        slos: parseSloDocuments(slo('a', 'local'), 'test'),
      },
    ];
    const { routing, applied, lines } = harness(
      [
        {
          revision: 'sha256:gggggggggggggggggggg',
          routes: [
            route('a', 'http://127.0.0.1:1', { slos: [slo('a', 'central')] }),
            route('b', 'http://127.0.0.1:2', { slos: [slo('a', 'elsewhere')] }),
          ],
          problems: [],
        },
      ],
      { settings },
    );
    await routing.sync();
    expect(applied[0]?.[0]?.slos?.map((s) => [s.metadata.name, s.spec.period])).toEqual([['central', '30d']]);
    expect(applied[0]?.[1]?.slos).toBeUndefined();
    expect(lines.some((line) => line.startsWith("b: the control plane's SLOs are not used:"))).toBe(true);
  });
});
