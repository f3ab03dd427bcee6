import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type AlertingRule, alertNames, prometheusRules, prometheusRulesYaml } from './prometheus-rules.js';
import { loadSloDocuments, type SloDocument } from './slo-document.js';

const run = promisify(execFile);
const example = new URL('../../examples/fraud-detection/slos.yaml', import.meta.url).pathname;

/** Runs Debian's promtool (package prometheus; .ci/run installs it): a missing promtool fails the test. */
async function promtool(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (failed.code === 'ENOENT')
      throw new Error('promtool is not installed: apt-get install prometheus (.ci/run does)');
    return { code: Number(failed.code), output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('prometheusRules', () => {
  let slos: SloDocument[];
  let dir: string;
  beforeAll(async () => {
    slos = await loadSloDocuments(example);
    dir = await mkdtemp(join(tmpdir(), 'warden-slo-rules-'));
    await writeFile(join(dir, 'rules.yaml'), prometheusRulesYaml(slos, 'slos.yaml'));
  });

  /** The alert an SLO's rules raise, as promtool's exp_alerts spells it. */
  const expected = (slo: string, severity: 'page' | 'ticket') => {
    const group = prometheusRules(slos).groups.find((g) => g.name.endsWith(`:${slo}`));
    const rule = group?.rules.find((r) => 'alert' in r && r.alert === alertNames[severity]) as AlertingRule;
    return { exp_labels: { ...rule.labels, model: 'fraud-detector' }, exp_annotations: rule.annotations };
  };

  it('records each window’s bad ratio and alerts on the workbook’s conditions; promtool accepts them', async () => {
    const { groups } = prometheusRules(slos);
    expect(groups.map((group) => group.name)).toEqual([
      'warden-slo:fraud-detector:fraud-availability',
      'warden-slo:fraud-detector:fraud-latency',
    ]);
    const records = groups[0]?.rules.flatMap((rule) => ('record' in rule ? [rule.record] : []));
    expect(records).toEqual(
      ['5m', '30m', '1h', '2h', '6h', '1d', '3d'].map((window) => `warden:slo_error_ratio:rate${window}`),
    );
    const checked = await promtool('check', 'rules', join(dir, 'rules.yaml'));
    expect(checked.output).toContain('SUCCESS: 18 rules found');
    expect(checked.code).toBe(0);
  });

  it('page on a fast burn, ticket and not page on a slow one (promtool test rules)', async () => {
    const requests = (code: string, perMinute: number, minutes: number) => ({
      series: `warden_gateway_requests_total{model="fraud-detector",version="1",code="${code}"}`,
      values: `0+${perMinute}x${minutes}`,
    });
    const latency = (suffix: string, perMinute: number, minutes: number) => ({
      series: `warden_gateway_request_duration_seconds_${suffix}{model="fraud-detector",version="2"}`,
      values: `0+${perMinute}x${minutes}`,
    });
    const tests = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          // Two healthy hours, then 2% of requests fail: burn 20 against a 0.1% budget. Five
          // minutes in, the 1 h window is not yet above 14.4; an hour in, both are.
          name: 'fast availability burn',
          interval: '1m',
          input_series: [
            requests('200', 980, 240),
            { ...requests('500', 0, 0), values: '0x120 20+20x120' },
            requests('404', 5, 240),
          ],
          alert_rule_test: [
            { eval_time: '125m', alertname: alertNames.page, exp_alerts: [] },
            {
              eval_time: '200m',
              alertname: alertNames.page,
              exp_alerts: [expected('fraud-availability', 'page')],
            },
          ],
        },
        {
          // 0.4% fail: burn 4 — above 3 over 1 d and 2 h, never above 6 or 14.4.
          name: 'slow availability burn',
          interval: '1m',
          input_series: [requests('200', 996, 1600), requests('503', 4, 1600)],
          alert_rule_test: [
            { eval_time: '1d', alertname: alertNames.page, exp_alerts: [] },
            {
              eval_time: '1d',
              alertname: alertNames.ticket,
              exp_alerts: [expected('fraud-availability', 'ticket')],
            },
          ],
        },
        {
          // Half the answers slower than 0.1 s: burn 10 against a 5% budget (6× over 6 h and 30 m).
          name: 'fast latency burn',
          interval: '1m',
          input_series: [
            {
              ...latency('bucket', 500, 120),
              series: latency('bucket', 0, 0).series.replace('}', ',le="0.1"}'),
            },
            latency('count', 1000, 120),
          ],
          alert_rule_test: [
            { eval_time: '1h', alertname: alertNames.page, exp_alerts: [expected('fraud-latency', 'page')] },
          ],
        },
      ],
    };
    await writeFile(join(dir, 'tests.yaml'), stringify(tests));
    const tested = await promtool('test', 'rules', join(dir, 'tests.yaml'));
    expect(tested.output).toContain('SUCCESS');
    expect(tested.code).toBe(0);
  });
});
