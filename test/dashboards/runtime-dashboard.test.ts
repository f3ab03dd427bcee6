import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** The runtime's metric names, fixed by issue 17 (docs/gateway.md lists them). */
const runtimeMetrics = [
  'warden_gateway_requests_total',
  'warden_gateway_request_duration_seconds',
  'warden_gateway_upstream_errors_total',
  'warden_gateway_in_flight',
  'warden_feature_drift_score',
  'warden_prediction_drift_score',
  'warden_dataset_drift_share',
  'warden_gateway_routing_weight',
];

interface Panel {
  id: number;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets: { expr: string; refId: string }[];
}

const dashboard = JSON.parse(readFileSync('dashboards/warden-runtime.json', 'utf8')) as {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string }[] };
};
const work = mkdtempSync(join(tmpdir(), 'warden-dashboards-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function promtool(args: string[]) {
  const run = spawnSync('promtool', args, { encoding: 'utf8' });
  if (run.error)
    throw new Error(`promtool is not installed (.ci/run installs Debian's prometheus): ${run.error.message}`);
  return run;
}

/** A panel's PromQL as Prometheus would run it, with Grafana's variables given values. */
const asQuery = (expr: string) =>
  expr
    .replaceAll('$__rate_interval', '5m')
    .replaceAll('$model', 'fraud-detector')
    .replaceAll('$version', '.*');

describe('the Grafana dashboard dashboards/warden-runtime.json', () => {
  it('shows traffic, errors, latency quantiles, drift per feature and routing weights of one model', () => {
    const titles = dashboard.panels.map((p) => p.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Traffic by version',
        'Error ratio by version',
        'Latency p50 / p95 / p99',
        'Feature drift score',
        'Routing weights',
      ]),
    );
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    for (const q of ['0.5', '0.95', '0.99']) expect(exprs).toContain(`histogram_quantile(${q},`);
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'model', 'version']);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
  });

  it('reads only the runtime metrics Warden exports, and each of them', () => {
    const used = new Set(
      dashboard.panels.flatMap((p) =>
        p.targets.flatMap((t) =>
          [...t.expr.matchAll(/\bwarden_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')),
        ),
      ),
    );
    expect([...used].sort()).toEqual([...runtimeMetrics].sort());
  });

  it('lays panels out without overlaps on the 24-column grid', () => {
    const cells = new Set<string>();
    for (const { gridPos, title } of dashboard.panels) {
      expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps another panel at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it('has PromQL that Prometheus parses (promtool checks every query as a recording rule)', () => {
    const rules = dashboard.panels.flatMap((p) =>
      p.targets.map((t) => ({
        record: `warden:dashboard_panel_${p.id}_${t.refId.toLowerCase()}`,
        expr: asQuery(t.expr),
      })),
    );
    const file = join(work, 'dashboard-queries.yml');
    writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard-queries', rules }] }));
    const checked = promtool(['check', 'rules', file]);
    expect(checked.status, checked.stdout + checked.stderr).toBe(0);
    expect(checked.stdout).toContain(`SUCCESS: ${rules.length} rules found`);

    // The check can fail: a broken query is refused.
    writeFileSync(
      file,
      JSON.stringify({
        groups: [{ name: 'broken', rules: [{ record: 'x:y', expr: 'sum by (version (rate(x[5m]))' }] }],
      }),
    );
    expect(promtool(['check', 'rules', file]).status).not.toBe(0);
  });
});

describe('the Prometheus scrape example dashboards/prometheus.yml', () => {
  it('is a valid Prometheus configuration that scrapes the gateway', () => {
    const checked = promtool(['check', 'config', 'dashboards/prometheus.yml']);
    expect(checked.status, checked.stdout + checked.stderr).toBe(0);
    expect(readFileSync('dashboards/prometheus.yml', 'utf8')).toMatch(/job_name: warden-gateway/);
    expect(execFileSync('promtool', ['--version'], { encoding: 'utf8' })).toMatch(/promtool, version/);
  });
});
