import type { DecisionResult, RuntimeSection } from '../policy/index.js';

/** The defaults' limits (docs/rollouts.md, "Built-in checks"), Flagger's spirit with Warden's numbers. */
export const builtInLimits = {
  errorRatio: 0.01,
  errorRatioOverStable: 1.5,
  p99OverStable: 1.5,
  /**
   * Quantiles come from the latency histogram's buckets, whose neighbours below 10 ms are 2–2.5×
   * apart: a canary must also be this much slower (seconds) before its p99 counts against it.
   */
  p99SlowerBy: 0.025,
} as const;

const percent = (value: number) => `${(value * 100).toFixed(2)}%`;
const ms = (seconds: number) => `${(seconds * 1000).toFixed(1)} ms`;

function result(
  validation: string,
  failed: boolean,
  message: string,
  action: DecisionResult['action'],
  policy: string,
): DecisionResult {
  return {
    policy,
    binding: 'built-in',
    validation,
    action,
    outcome: failed ? 'fail' : 'pass',
    severity: 'high',
    message,
    controls: [],
    blocking: failed,
  };
}

/**
 * What always holds at the runtime gate, whatever the policies say: a page-level SLO burn of the
 * version judged fails (and, watching production, asks for a rollback).
 */
export function sloChecks(runtime: RuntimeSection): DecisionResult[] {
  return runtime.slo.map((slo) =>
    result(
      `slo-${slo.name}`,
      slo.alert === 'page',
      slo.alert === 'page'
        ? `SLO ${slo.name} burns its error budget at page level (${Object.entries(slo.burnRates)
            .filter(([, rate]) => rate !== null)
            .map(([window, rate]) => `${(rate as number).toFixed(1)}× over ${window}`)
            .join(', ')}; ${percent(slo.budgetRemaining)} of the budget left)`
        : `SLO ${slo.name}: no page-level burn (${percent(slo.budgetRemaining)} of the budget left)`,
      runtime.mode === 'production' ? 'rollback' : 'deny',
      'warden:slo',
    ),
  );
}

/**
 * The canary checks Warden applies when no policy is bound to `runtime` for the model, and says
 * so in each result: the canary fails when its error ratio is above both 1% and 1.5× the stable
 * version's, or its p99 latency above 1.5× the stable version's and at least 25 ms slower.
 */
export function defaultCanaryChecks(runtime: RuntimeSection): DecisionResult[] {
  const { canary, stable } = runtime;
  if (runtime.mode !== 'rollout' || canary === null) return [];
  const policy = 'warden:runtime-defaults';
  const why = 'built-in default, no policy is bound to runtime for this model';
  const canaryErrors = canary.requests.errorRatio ?? 0;
  const stableErrors = stable?.requests.errorRatio ?? 0;
  const errorsFail =
    canaryErrors > builtInLimits.errorRatio &&
    canaryErrors > builtInLimits.errorRatioOverStable * stableErrors;
  const checks = [
    result(
      'error-ratio',
      errorsFail,
      `canary error ratio ${percent(canaryErrors)} ${errorsFail ? 'is above' : 'is within'} 1% or 1.5× stable's ${percent(stableErrors)} (${why})`,
      'deny',
      policy,
    ),
  ];
  const canaryP99 = canary.latency.p99;
  const stableP99 = stable?.latency.p99 ?? null;
  if (canaryP99 !== null && stableP99 !== null) {
    const slow =
      canaryP99 > builtInLimits.p99OverStable * stableP99 &&
      canaryP99 - stableP99 >= builtInLimits.p99SlowerBy;
    checks.push(
      result(
        'latency-p99',
        slow,
        `canary p99 latency ${ms(canaryP99)} ${slow ? 'is above' : 'is within'} 1.5× stable's ${ms(stableP99)}${slow ? '' : ' (or less than 25 ms slower)'} (${why})`,
        'deny',
        policy,
      ),
    );
  }
  return checks;
}
