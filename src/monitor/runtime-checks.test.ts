import { describe, expect, it } from 'vitest';
import type { RuntimeSection, RuntimeTraffic } from '../policy/index.js';
import { defaultCanaryChecks, sloChecks } from './runtime-checks.js';

const traffic = (errorRatio: number, p99: number): RuntimeTraffic => ({
  version: '1',
  evidence: [],
  window: { start: '2026-12-07T00:00:00Z', end: '2026-12-07T00:00:01Z' },
  requests: { total: 1000, errors: Math.round(errorRatio * 1000), errorRatio },
  latency: { p50: p99 / 2, p95: p99, p99 },
  features: [],
  prediction: null,
  datasetDrift: null,
});

const rollout = (canary: RuntimeTraffic, stable: RuntimeTraffic | null): RuntimeSection => ({
  mode: 'rollout',
  canary,
  stable,
  slo: [],
  step: 1,
  weight: 10,
});

const outcomes = (section: RuntimeSection) =>
  Object.fromEntries(defaultCanaryChecks(section).map((result) => [result.validation, result.outcome]));

describe('the built-in canary checks', () => {
  it('fail a canary whose error ratio is above both 1% and 1.5× the stable version’s', () => {
    expect(outcomes(rollout(traffic(0.02, 0.01), traffic(0.001, 0.01)))['error-ratio']).toBe('fail');
    // Above 1% but within 1.5× of a stable version that errs as much: not the canary's doing.
    expect(outcomes(rollout(traffic(0.02, 0.01), traffic(0.015, 0.01)))['error-ratio']).toBe('pass');
    // Above 1.5× stable's but under 1%.
    expect(outcomes(rollout(traffic(0.009, 0.01), traffic(0.001, 0.01)))['error-ratio']).toBe('pass');
    // A stable version that served nothing yet counts as 0%.
    expect(outcomes(rollout(traffic(0.02, 0.01), null))['error-ratio']).toBe('fail');
  });

  it('fail a canary whose p99 is above 1.5× stable’s and at least 25 ms slower; noise between small buckets passes', () => {
    expect(outcomes(rollout(traffic(0, 0.3), traffic(0, 0.1)))['latency-p99']).toBe('fail');
    expect(outcomes(rollout(traffic(0, 0.12), traffic(0, 0.1)))['latency-p99']).toBe('pass');
    // 2.5 ms against 1 ms is 2.5×, but one histogram bucket apart: not a regression anyone feels.
    expect(outcomes(rollout(traffic(0, 0.0025), traffic(0, 0.001)))['latency-p99']).toBe('pass');
    // Without a stable p99 there is nothing to compare: no latency check.
    expect(outcomes(rollout(traffic(0, 0.3), null))['latency-p99']).toBeUndefined();
  });

  it('say they are the built-in defaults, and apply only to a canary', () => {
    const [result] = defaultCanaryChecks(rollout(traffic(0.05, 0.01), traffic(0, 0.01)));
    expect(result).toMatchObject({
      policy: 'warden:runtime-defaults',
      binding: 'built-in',
      blocking: true,
      action: 'deny',
    });
    expect(result?.message).toContain('built-in default, no policy is bound to runtime for this model');
    expect(defaultCanaryChecks({ ...rollout(traffic(0.05, 0.01), null), mode: 'production' })).toEqual([]);
  });
});

describe('the SLO check', () => {
  const slo = (alert: 'page' | 'ticket' | null) => ({
    name: 'answers',
    objective: 99.9,
    budgetRemaining: 0.5,
    burnRates: { '5m': 20, '1h': 15 },
    alert,
  });
  it('fails on a page-level burn only; in production it asks for a rollback', () => {
    const section = (mode: 'rollout' | 'production', alert: 'page' | 'ticket' | null): RuntimeSection => ({
      ...rollout(traffic(0, 0.01), traffic(0, 0.01)),
      mode,
      slo: [slo(alert)],
    });
    expect(sloChecks(section('rollout', 'ticket'))[0]).toMatchObject({ outcome: 'pass', blocking: false });
    expect(sloChecks(section('rollout', 'page'))[0]).toMatchObject({
      outcome: 'fail',
      action: 'deny',
      blocking: true,
    });
    const production = sloChecks(section('production', 'page'))[0];
    expect(production).toMatchObject({ outcome: 'fail', action: 'rollback', policy: 'warden:slo' });
    expect(production?.message).toBe(
      'SLO answers burns its error budget at page level (20.0× over 5m, 15.0× over 1h; 50.00% of the budget left)',
    );
  });
});
