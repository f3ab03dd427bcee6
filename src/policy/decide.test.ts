import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalJson,
  contentDigest,
  type EvidenceDocument,
  sealEvidence,
  sha256Digest,
  type WardenError,
} from '../core/index.js';
import { sealedEvaluation as sealed } from '../core/test-support/sealed-evaluation.js';
import { type CompiledPolicySet, compilePolicySet } from './compiled-policy-set.js';
import {
  type Decision,
  type DecisionResult,
  decide,
  gateMatches,
  mergeParams,
  subjectMatches,
} from './decide.js';
import type { SubjectSelector } from './documents.js';
import { evidenceSigner } from './evidence-trust.js';
import { defaultLimits, type PolicyLimits } from './expression.js';
import { type GateInput, type GateSubject, latestEvidenceByKind } from './gate-input.js';
import { loadPolicySet } from './policy-set-loader.js';

const created: string[] = [];

afterAll(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

/** Writes the YAML into a fresh temp dir, loads and compiles it. */
async function compile(text: string, limits: PolicyLimits = defaultLimits): Promise<CompiledPolicySet> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-policy-decide-'));
  created.push(dir);
  writeFileSync(join(dir, 'policies.yaml'), text);
  return compilePolicySet(await loadPolicySet(dir), limits);
}

/** A Policy document; `spec` is YAML indented under `spec:`. */
function policy(name: string, spec: string, metadata = ''): string {
  return `---
apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: ${name}
${metadata}spec:
${spec}`;
}

/** A PolicyBinding document; `extra` is YAML indented under `spec:`. */
function binding(name: string, policyName: string, extra = '', gates = '[model]'): string {
  return `---
apiVersion: warden.dev/v1
kind: PolicyBinding
metadata:
  name: ${name}
spec:
  policyName: ${policyName}
  gates: ${gates}
${extra}`;
}

const subject: GateSubject = {
  type: 'model-version',
  name: 'credit-risk',
  version: '3',
  labels: { domain: 'credit', tier: 'gold' },
  tags: [],
};

function gateInput(overrides: Partial<GateInput> = {}): GateInput {
  return {
    gate: 'model',
    subject,
    evidence: {},
    contract: {},
    monitors: [],
    now: '2026-03-01T12:00:00Z',
    waivers: [],
    ...overrides,
  };
}

const evaluation = (performance: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  modelEvaluation: { performance, fairness: [], ...extra },
});

const byValidation = (decision: Decision) =>
  Object.fromEntries(decision.results.map((result) => [result.validation, result]));

/** Results without the fields every test would repeat. */
const brief = (decision: Decision) =>
  decision.results.map(({ validation, outcome, blocking, message }) => ({
    validation,
    outcome,
    blocking,
    message,
  }));

describe('decide: outcomes and actions', () => {
  const quality = policy(
    'quality',
    `  params: { minAuc: 0.75 }
  validations:
    - name: min-auc
      expression: evidence.modelEvaluation.performance.rocAuc >= params.minAuc
      message: ROC AUC is below the minimum
      severity: high
      tagsOnFailure: [weak]
    - name: calibrated
      expression: evidence.modelEvaluation.performance.brierScore <= 0.25
      message: the model is badly calibrated
    - name: recall
      expression: evidence.modelEvaluation.performance.recall >= 0.5
      message: recall is too low
`,
    '  controls: [eu-ai-act:art15]\n',
  );

  it('pass, fail and error at a deny binding: any fail or error blocks', async () => {
    const compiled = await compile(quality + binding('quality-gate', 'quality'));
    const decision = decide(compiled, gateInput({ evidence: evaluation({ rocAuc: 0.7, brierScore: 0.1 }) }));
    expect(decision.allowed).toBe(false);
    expect(decision.summary).toEqual({ pass: 1, fail: 1, error: 1, waived: 0, warnings: 0, skipped: 0 });
    const results = byValidation(decision);
    expect(results['min-auc']).toEqual({
      policy: 'quality',
      binding: 'quality-gate',
      validation: 'min-auc',
      action: 'deny',
      outcome: 'fail',
      severity: 'high',
      message: 'ROC AUC is below the minimum',
      controls: ['eu-ai-act:art15'],
      blocking: true,
      tags: ['weak'],
    } satisfies DecisionResult);
    expect(results['calibrated']).toEqual({
      policy: 'quality',
      binding: 'quality-gate',
      validation: 'calibrated',
      action: 'deny',
      outcome: 'pass',
      severity: 'medium',
      message: 'calibrated holds',
      controls: ['eu-ai-act:art15'],
      blocking: false,
    } satisfies DecisionResult);
    expect(results['recall']?.outcome).toBe('error');
    expect(results['recall']?.failurePolicy).toBe('Fail');
    expect(results['recall']?.blocking).toBe(true);
  });

  it('tags only on a failure', async () => {
    const compiled = await compile(quality + binding('quality-gate', 'quality'));
    const decision = decide(
      compiled,
      gateInput({ evidence: evaluation({ rocAuc: 0.9, brierScore: 0.1, recall: 0.6 }) }),
    );
    expect(decision.allowed).toBe(true);
    expect(decision.results.every((result) => result.tags === undefined)).toBe(true);
    expect(decision.summary.pass).toBe(3);
  });

  it('warn: a failure or error is reported and counted as a warning, but does not block', async () => {
    const compiled = await compile(quality + binding('quality-watch', 'quality', '  action: warn\n'));
    const decision = decide(compiled, gateInput({ evidence: evaluation({ rocAuc: 0.7, brierScore: 0.1 }) }));
    expect(decision.allowed).toBe(true);
    expect(decision.results.map((result) => [result.outcome, result.action, result.blocking])).toEqual([
      ['fail', 'warn', false],
      ['pass', 'warn', false],
      ['error', 'warn', false],
    ]);
    expect(decision.summary).toEqual({ pass: 1, fail: 1, error: 1, waived: 0, warnings: 2, skipped: 0 });
  });

  it('audit: recorded, never blocking, not a warning', async () => {
    const compiled = await compile(quality + binding('quality-audit', 'quality', '  action: audit\n'));
    const decision = decide(compiled, gateInput({ evidence: evaluation({ rocAuc: 0.7, brierScore: 0.1 }) }));
    expect(decision.allowed).toBe(true);
    expect(decision.results.every((result) => result.action === 'audit' && !result.blocking)).toBe(true);
    expect(decision.summary).toEqual({ pass: 1, fail: 1, error: 1, waived: 0, warnings: 0, skipped: 0 });
  });

  it('with no binding for the gate or subject, nothing is evaluated and the gate is open', async () => {
    const compiled = await compile(quality + binding('quality-gate', 'quality'));
    const decision = decide(compiled, gateInput({ gate: 'data', evidence: evaluation({ rocAuc: 0.1 }) }));
    expect(decision.allowed).toBe(true);
    expect(decision.results).toEqual([]);
    expect(decision.skipped).toEqual([]);
  });

  it('failurePolicy Ignore: an error in a validation is reported but does not block', async () => {
    const ignoring = policy(
      'lenient',
      `  failurePolicy: Ignore
  validations:
    - name: recall
      expression: evidence.modelEvaluation.performance.recall >= 0.5
      message: recall is too low
    - name: auc
      expression: evidence.modelEvaluation.performance.rocAuc >= 0.5
      message: AUC too low
`,
    );
    const compiled = await compile(ignoring + binding('lenient-gate', 'lenient'));
    const decision = decide(compiled, gateInput({ evidence: evaluation({ rocAuc: 0.4 }) }));
    const results = byValidation(decision);
    expect(results['recall']).toMatchObject({ outcome: 'error', failurePolicy: 'Ignore', blocking: false });
    // Ignore is about errors only: a real failure still blocks.
    expect(results['auc']).toMatchObject({ outcome: 'fail', blocking: true });
    expect(results['auc']?.failurePolicy).toBeUndefined();
    expect(decision.allowed).toBe(false);
  });
});

describe('decide: matchConditions', () => {
  const guarded = (failurePolicy: 'Fail' | 'Ignore') =>
    policy(
      'guarded',
      `  failurePolicy: ${failurePolicy}
  matchConditions:
    - name: has-evaluation
      expression: has(evidence.modelEvaluation)
    - name: good-data
      expression: evidence.modelEvaluation.rowCount > 100
  validations:
    - name: min-auc
      expression: evidence.modelEvaluation.performance.rocAuc >= 0.75
      message: too low
`,
    ) + binding('guarded-gate', 'guarded');

  it('a false matchCondition skips the policy and says which', async () => {
    const compiled = await compile(guarded('Fail'));
    const decision = decide(compiled, gateInput());
    expect(decision.results).toEqual([]);
    expect(decision.skipped).toEqual([
      { policy: 'guarded', binding: 'guarded-gate', reason: 'matchCondition "has-evaluation" is false' },
    ]);
    expect(decision.summary.skipped).toBe(1);
    expect(decision.allowed).toBe(true);
  });

  it('all matchConditions true: the validations run', async () => {
    const compiled = await compile(guarded('Fail'));
    const decision = decide(
      compiled,
      gateInput({ evidence: evaluation({ rocAuc: 0.8 }, { rowCount: 500 }) }),
    );
    expect(brief(decision)).toEqual([
      { validation: 'min-auc', outcome: 'pass', blocking: false, message: 'min-auc holds' },
    ]);
  });

  it('failurePolicy Fail: an error in a matchCondition is a blocking error result', async () => {
    const compiled = await compile(guarded('Fail'));
    const decision = decide(compiled, gateInput({ evidence: evaluation({ rocAuc: 0.8 }) }));
    expect(decision.skipped).toEqual([]);
    expect(decision.results).toHaveLength(1);
    const [result] = decision.results;
    expect(result).toMatchObject({
      policy: 'guarded',
      validation: 'matchCondition:good-data',
      outcome: 'error',
      severity: 'high',
      failurePolicy: 'Fail',
      blocking: true,
    });
    expect(result?.message).toBe(
      [
        'matchCondition "good-data" could not be evaluated: evidence.modelEvaluation.rowCount is not in the input (evidence.modelEvaluation has no field "rowCount"); test for it first with has(evidence.modelEvaluation.rowCount), in a matchCondition or as `!has(evidence.modelEvaluation.rowCount) || …`',
        '      evidence.modelEvaluation.rowCount > 100',
        `      ${' '.repeat('evidence.modelEvaluation'.length)}^`,
      ].join('\n'),
    );
    expect(decision.allowed).toBe(false);
  });

  it('failurePolicy Ignore: an error in a matchCondition skips the policy, with the reason', async () => {
    const compiled = await compile(guarded('Ignore'));
    const decision = decide(compiled, gateInput({ evidence: evaluation({ rocAuc: 0.1 }) }));
    expect(decision.results).toEqual([]);
    expect(decision.allowed).toBe(true);
    expect(decision.skipped).toEqual([
      {
        policy: 'guarded',
        binding: 'guarded-gate',
        reason:
          'matchCondition "good-data" failed (failurePolicy Ignore): evidence.modelEvaluation.rowCount is not in the input (evidence.modelEvaluation has no field "rowCount"); test for it first with has(evidence.modelEvaluation.rowCount), in a matchCondition or as `!has(evidence.modelEvaluation.rowCount) || …`',
      },
    ]);
  });

  it('a matchCondition that is not a bool is an error', async () => {
    const compiled = await compile(
      policy(
        'odd',
        `  matchConditions:
    - name: auc
      expression: evidence.modelEvaluation.performance.rocAuc
  validations:
    - { name: v, expression: 'true', message: m }
`,
      ) + binding('odd-gate', 'odd'),
    );
    const decision = decide(compiled, gateInput({ evidence: evaluation({ rocAuc: 0.5 }) }));
    expect(decision.results[0]?.message).toBe(
      'matchCondition "auc" could not be evaluated: the expression returned double 0.5, not a bool; a matchCondition must be a condition such as `x >= 0.75`',
    );
  });
});

describe('decide: expression results', () => {
  it('a validation that returns something other than a bool is an error that says so', async () => {
    const compiled = await compile(
      policy(
        'odd',
        `  validations:
    - { name: number, expression: 'evidence.modelEvaluation.performance.rocAuc', message: m }
    - { name: text, expression: 'subject.name', message: m }
    - { name: list, expression: 'evidence.modelEvaluation.fairness', message: m }
    - { name: int, expression: 'size(subject.name)', message: m }
    - { name: nothing, expression: 'evidence.modelEvaluation.nothing', message: m }
`,
      ) + binding('odd-gate', 'odd'),
    );
    const decision = decide(
      compiled,
      gateInput({ evidence: evaluation({ rocAuc: 0.5 }, { nothing: null }) }),
    );
    const suffix = 'not a bool; a validation must be a condition such as `x >= 0.75`';
    expect(brief(decision).map((result) => [result.validation, result.outcome, result.message])).toEqual([
      ['number', 'error', `the expression returned double 0.5, ${suffix}`],
      ['text', 'error', `the expression returned string "credit-risk", ${suffix}`],
      ['list', 'error', `the expression returned a list of 0, ${suffix}`],
      ['int', 'error', `the expression returned int 11, ${suffix}`],
      ['nothing', 'error', `the expression returned null, ${suffix}`],
    ]);
  });

  it('reading a field that is not there is an error that points at has()', async () => {
    const compiled = await compile(
      policy(
        'reads',
        `  validations:
    - name: recall
      expression: evidence.modelEvaluation.performance.recall >= 0.5
      message: m
    - name: drift
      expression: evidence.driftReport.passed
      message: m
    - name: null-auc
      expression: evidence.modelEvaluation.performance.rocAuc >= 0.5
      message: m
`,
      ) + binding('reads-gate', 'reads'),
    );
    const decision = decide(compiled, gateInput({ evidence: evaluation({ rocAuc: null }) }));
    expect(decision.results.map((result) => result.message)).toEqual([
      [
        'evidence.modelEvaluation.performance.recall is not in the input (evidence.modelEvaluation.performance has no field "recall"); test for it first with has(evidence.modelEvaluation.performance.recall), in a matchCondition or as `!has(evidence.modelEvaluation.performance.recall) || …`',
        '      evidence.modelEvaluation.performance.recall >= 0.5',
        `      ${' '.repeat('evidence.modelEvaluation.performance'.length)}^`,
      ].join('\n'),
      [
        'no driftReport evidence was given for this subject; test for it first with has(evidence.driftReport), in a matchCondition or as `!has(evidence.driftReport) || …`',
        '      evidence.driftReport.passed',
        `      ${' '.repeat('evidence'.length)}^`,
      ].join('\n'),
      [
        "found no matching overload for '_>=_' applied to '(null_type, double)'; a value is null, which Warden writes when a metric is undefined for the input (for example ROC AUC with one class): guard with `x != null`",
        '      evidence.modelEvaluation.performance.rocAuc >= 0.5',
        `      ${' '.repeat('evidence.modelEvaluation.performance.rocAuc '.length)}^`,
      ].join('\n'),
    ]);
  });

  it('mixes ints and JSON numbers (doubles) in arithmetic', async () => {
    const compiled = await compile(
      policy(
        'arithmetic',
        `  validations:
    - { name: add, expression: 'evidence.modelEvaluation.rowCount + 1 == 1337', message: m }
    - { name: add-left, expression: '1 + evidence.modelEvaluation.rowCount == 1337.0', message: m }
    - { name: subtract, expression: 'evidence.modelEvaluation.rowCount - 36 == 1300', message: m }
    - { name: half, expression: 'size(evidence.modelEvaluation.fairness) * 0.5 == 1.5', message: m }
    - { name: divide, expression: 'evidence.modelEvaluation.rowCount / 2 == 668', message: m }
    - { name: int-over-double, expression: '3 / evidence.modelEvaluation.performance.rocAuc == 6', message: m }
    - { name: compare, expression: 'evidence.modelEvaluation.rowCount > 1000 && 0.5 < 1', message: m }
`,
      ) + binding('arithmetic-gate', 'arithmetic'),
    );
    const decision = decide(
      compiled,
      gateInput({ evidence: evaluation({ rocAuc: 0.5 }, { rowCount: 1336, fairness: [{}, {}, {}] }) }),
    );
    expect(brief(decision).filter((result) => result.outcome !== 'pass')).toEqual([]);
    expect(decision.summary.pass).toBe(7);
  });

  it('reads now as a timestamp, and the subject', async () => {
    const compiled = await compile(
      policy(
        'fresh',
        `  validations:
    - name: fresh
      expression: now - timestamp(evidence.modelEvaluation.producedAt) < duration('24h')
      message: the evaluation is older than a day
    - name: versioned
      expression: compareVersions(subject.version, '2') > 0 && subject.labels.tier == 'gold' && gate == 'model'
      message: m
`,
      ) + binding('fresh-gate', 'fresh'),
    );
    const fresh = decide(
      compiled,
      gateInput({ evidence: evaluation({}, { producedAt: '2026-03-01T00:00:00Z' }) }),
    );
    expect(fresh.results.map((result) => result.outcome)).toEqual(['pass', 'pass']);
    const stale = decide(
      compiled,
      gateInput({ evidence: evaluation({}, { producedAt: '2026-02-27T00:00:00Z' }) }),
    );
    expect(stale.results.map((result) => result.outcome)).toEqual(['fail', 'pass']);
  });
});

describe('decide: messages', () => {
  const messages = policy(
    'messages',
    `  params:
    long: ${'x'.repeat(defaultLimits.maxMessageLength + 1)}
  validations:
    - name: rendered
      expression: 'false'
      message: static rendered
      messageExpression: "'ROC AUC ' + '%.2f'.format([evidence.modelEvaluation.performance.rocAuc]) + ' is below ' + string(0.75)"
    - name: erroring
      expression: 'false'
      message: static erroring
      messageExpression: "'missing ' + evidence.modelEvaluation.performance.missing"
    - name: empty
      expression: 'false'
      message: static empty
      messageExpression: "'   '"
    - name: multi-line
      expression: 'false'
      message: static multi-line
      messageExpression: "'first\\\\nsecond'"
    - name: not-a-string
      expression: 'false'
      message: static not-a-string
      messageExpression: '42'
    - name: too-long
      expression: 'false'
      message: static too-long
      messageExpression: params.long
    - name: trimmed
      expression: 'false'
      message: static trimmed
      messageExpression: "'  padded  '"
    - name: no-static
      expression: |
        evidence.modelEvaluation.performance.rocAuc
          >= 0.75
      messageExpression: "'x' + evidence.modelEvaluation.performance.missing"
    - name: no-message-at-all
      expression: " 1 > 2 "
    - name: passing
      expression: 'true'
      messageExpression: "'never rendered ' + evidence.modelEvaluation.performance.missing"
`,
  );

  it('renders messageExpression, and falls back to the static message, then to the expression', async () => {
    const compiled = await compile(messages + binding('messages-gate', 'messages'));
    const decision = decide(compiled, gateInput({ evidence: evaluation({ rocAuc: 0.7 }) }));
    expect(decision.results.map((result) => [result.validation, result.outcome, result.message])).toEqual([
      ['rendered', 'fail', 'ROC AUC 0.70 is below 0.75'],
      ['erroring', 'fail', 'static erroring'],
      ['empty', 'fail', 'static empty'],
      ['multi-line', 'fail', 'static multi-line'],
      ['not-a-string', 'fail', 'static not-a-string'],
      ['too-long', 'fail', 'static too-long'],
      ['trimmed', 'fail', 'padded'],
      ['no-static', 'fail', 'failed expression: evidence.modelEvaluation.performance.rocAuc\n  >= 0.75'],
      ['no-message-at-all', 'fail', 'failed expression: 1 > 2'],
      ['passing', 'pass', 'passing holds'],
    ]);
  });
});

describe('decide: params', () => {
  it('binding params override the policy defaults, key by key', async () => {
    const compiled = await compile(
      policy(
        'floor',
        `  params: { minAuc: 0.75, label: default }
  validations:
    - name: min-auc
      expression: evidence.modelEvaluation.performance.rocAuc >= params.minAuc
      messageExpression: "params.label + ': below ' + string(params.minAuc)"
`,
      ) +
        binding('strict', 'floor', '  params: { minAuc: 0.85 }\n') +
        binding('default', 'floor') +
        binding('lenient', 'floor', '  params: { minAuc: 0.5, label: lenient }\n'),
    );
    const decision = decide(compiled, gateInput({ evidence: evaluation({ rocAuc: 0.8 }) }));
    expect(decision.results.map((result) => [result.binding, result.outcome, result.message])).toEqual([
      ['strict', 'fail', 'default: below 0.85'],
      ['default', 'pass', 'min-auc holds'],
      ['lenient', 'pass', 'min-auc holds'],
    ]);
  });

  it('merges nested param objects key by key, and replaces lists and scalars', () => {
    const defaults = { band: { min: 0.8, max: 1.25 }, signals: ['drift', 'performance'], floor: 0.75 };
    expect(mergeParams(defaults, { band: { min: 0.7 }, signals: ['drift'] })).toEqual({
      band: { min: 0.7, max: 1.25 },
      signals: ['drift'],
      floor: 0.75,
    });
    expect(mergeParams(defaults, { band: 1 })).toEqual({ ...defaults, band: 1 });
    expect(defaults.band).toEqual({ min: 0.8, max: 1.25 });
  });
});

describe('subject and gate selection', () => {
  const base: GateSubject = {
    type: 'model-version',
    name: 'credit-risk',
    labels: { domain: 'credit', tier: 'gold' },
    tags: [],
  };
  const matches = (selector: SubjectSelector, labels: Record<string, string> = base.labels) =>
    subjectMatches(selector, { ...base, labels });

  it('an empty selector matches every subject', () => {
    expect(matches({})).toBe(true);
    expect(matches({}, {})).toBe(true);
  });

  it('matchLabels: every label must be present with that value', () => {
    expect(matches({ matchLabels: { domain: 'credit' } })).toBe(true);
    expect(matches({ matchLabels: { domain: 'credit', tier: 'gold' } })).toBe(true);
    expect(matches({ matchLabels: { domain: 'credit', tier: 'silver' } })).toBe(false);
    expect(matches({ matchLabels: { region: 'eu' } })).toBe(false);
    expect(matches({ matchLabels: { domain: 'Credit' } })).toBe(false);
  });

  it('In, NotIn (a missing label is not in any set), Exists, DoesNotExist', () => {
    expect(matches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold', 'silver'] }] })).toBe(
      true,
    );
    expect(matches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['bronze'] }] })).toBe(false);
    expect(matches({ matchExpressions: [{ key: 'region', operator: 'In', values: ['eu'] }] })).toBe(false);
    expect(matches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['gold'] }] })).toBe(false);
    expect(matches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['bronze'] }] })).toBe(
      true,
    );
    expect(matches({ matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['eu'] }] })).toBe(true);
    expect(matches({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] })).toBe(true);
    expect(matches({ matchExpressions: [{ key: 'region', operator: 'Exists' }] })).toBe(false);
    expect(matches({ matchExpressions: [{ key: 'region', operator: 'DoesNotExist' }] })).toBe(true);
    expect(matches({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] })).toBe(false);
    // Requirements are ANDed, with matchLabels too.
    expect(
      matches({
        matchLabels: { domain: 'credit' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['gold'] },
          { key: 'region', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe(true);
    expect(
      matches({
        matchLabels: { domain: 'credit' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['gold'] },
          { key: 'domain', operator: 'NotIn', values: ['credit'] },
        ],
      }),
    ).toBe(false);
  });

  it('types and names', () => {
    expect(subjectMatches({ types: ['model-version'] }, base)).toBe(true);
    expect(subjectMatches({ types: ['dataset', 'deployment'] }, base)).toBe(false);
    expect(subjectMatches({ names: ['credit-risk', 'fraud'] }, base)).toBe(true);
    expect(subjectMatches({ names: ['fraud'] }, base)).toBe(false);
    expect(subjectMatches({ types: ['model-version'], names: ['fraud'] }, base)).toBe(false);
  });

  it('gates: exact names, and promote:* for every promotion only', () => {
    expect(gateMatches(['model'], 'model')).toBe(true);
    expect(gateMatches(['model'], 'data')).toBe(false);
    expect(gateMatches(['promote:*'], 'promote:production')).toBe(true);
    expect(gateMatches(['promote:*'], 'promote:staging')).toBe(true);
    expect(gateMatches(['promote:*'], 'model')).toBe(false);
    expect(gateMatches(['promote:*'], 'deploy')).toBe(false);
    expect(gateMatches(['promote:production'], 'promote:staging')).toBe(false);
    expect(gateMatches(['data', 'promote:production'], 'promote:production')).toBe(true);
  });

  it('decide evaluates only the bindings whose gate and subject match', async () => {
    const check = policy(
      'check',
      "  validations:\n    - { name: v, expression: 'false', message: failed }\n",
    );
    const compiled = await compile(
      check +
        binding(
          'credit-only',
          'check',
          '  subjects: { matchLabels: { domain: credit } }\n',
          '[model, "promote:*"]',
        ) +
        binding('fraud-only', 'check', '  subjects: { matchLabels: { domain: fraud } }\n', '[model]') +
        binding('datasets', 'check', '  subjects: { types: [dataset] }\n', '[model]') +
        binding(
          'not-bronze',
          'check',
          '  subjects:\n    matchExpressions: [{ key: tier, operator: NotIn, values: [bronze] }]\n',
          '["promote:production"]',
        ),
    );
    const bindingsAt = (gate: string) => decide(compiled, gateInput({ gate })).results.map((r) => r.binding);
    expect(bindingsAt('model')).toEqual(['credit-only']);
    expect(bindingsAt('promote:production')).toEqual(['credit-only', 'not-bronze']);
    expect(bindingsAt('promote:staging')).toEqual(['credit-only']);
    expect(bindingsAt('deploy')).toEqual([]);
  });
});

describe('decide: variables', () => {
  it('a variable that errors surfaces only in the validations that read it', async () => {
    const compiled = await compile(
      policy(
        'vars',
        `  variables:
    - name: recall
      expression: evidence.modelEvaluation.performance.recall
    - name: auc
      expression: evidence.modelEvaluation.performance.rocAuc
    - name: recallOk
      expression: variables.recall >= 0.5
  validations:
    - { name: uses-auc, expression: 'variables.auc >= 0.5', message: m }
    - { name: uses-recall, expression: 'variables.recall >= 0.5', message: m }
    - { name: guarded, expression: 'false && variables.recall >= 0.5 || variables.auc > 0', message: m }
    - { name: through-another, expression: 'variables.recallOk', message: m }
`,
      ) + binding('vars-gate', 'vars'),
    );
    const decision = decide(compiled, gateInput({ evidence: evaluation({ rocAuc: 0.8 }) }));
    const results = byValidation(decision);
    expect(results['uses-auc']?.outcome).toBe('pass');
    expect(results['guarded']?.outcome).toBe('pass');
    const explanation = [
      'variables.recall could not be evaluated: evidence.modelEvaluation.performance.recall is not in the input (evidence.modelEvaluation.performance has no field "recall"); test for it first with has(evidence.modelEvaluation.performance.recall), in a matchCondition or as `!has(evidence.modelEvaluation.performance.recall) || …`',
      '      evidence.modelEvaluation.performance.recall',
      `      ${' '.repeat('evidence.modelEvaluation.performance'.length)}^`,
    ].join('\n');
    expect(results['uses-recall']).toMatchObject({ outcome: 'error', message: explanation });
    // The innermost failure is reported, not "variables.recallOk could not be evaluated: variables.recall …".
    expect(results['through-another']).toMatchObject({ outcome: 'error', message: explanation });
  });

  it('evaluates each variable at most once per binding (shown with the iteration budget)', async () => {
    // The variable walks 100 items; the budget allows 150 iterations. Read five times it would
    // need 500 if it were evaluated again at each read.
    const text =
      policy(
        'cached',
        `  variables:
    - name: failing
      expression: evidence.dataCheck.results.filter(r, !r.passed)
  validations:
    - { name: a, expression: 'size(variables.failing) == 0', message: m }
    - { name: b, expression: 'variables.failing.size() == 0', message: m }
    - name: c
      expression: size(variables.failing) > 100
      messageExpression: "string(size(variables.failing)) + ' failing'"
`,
      ) + binding('first', 'cached');
    const limits = { ...defaultLimits, maxIterations: 150 };
    const evidence = { dataCheck: { results: Array.from({ length: 100 }, () => ({ passed: true })) } };
    const once = decide(await compile(text, limits), gateInput({ evidence }));
    expect(once.results.map((result) => [result.validation, result.outcome, result.message])).toEqual([
      ['a', 'pass', 'a holds'],
      ['b', 'pass', 'b holds'],
      ['c', 'fail', '0 failing'],
    ]);
    // A second binding of the same policy evaluates its own variables, within its own budget.
    const twice = decide(await compile(text + binding('second', 'cached'), limits), gateInput({ evidence }));
    for (const name of ['first', 'second']) {
      expect(twice.results.filter((result) => result.binding === name).map((r) => r.outcome)).toEqual([
        'pass',
        'pass',
        'fail',
      ]);
    }
    // Reading the variable five times without the cache would need 500 iterations.
    const uncached = decide(await compile(text, { ...limits, maxIterations: 99 }), gateInput({ evidence }));
    expect(uncached.results[0]?.message).toContain('the policy used more than 99 comprehension iterations');
  });
});

describe('decide: budget', () => {
  const numbers = (count: number) => Array.from({ length: count }, (_, index) => index);

  it('a runaway comprehension ends as an error quickly, and later expressions are not evaluated', async () => {
    const compiled = await compile(
      policy(
        'runaway',
        `  validations:
    - name: before
      expression: size(evidence.dataCheck.values) == 3000
      message: m
    - name: pairs
      expression: evidence.dataCheck.values.all(x, evidence.dataCheck.values.all(y, x + y >= 0))
      message: m
    - name: after
      expression: 'true'
      message: m
`,
      ) +
        policy('later', "  validations:\n    - { name: simple, expression: 'true', message: m }\n") +
        binding('runaway-gate', 'runaway') +
        binding('later-gate', 'later'),
      { ...defaultLimits, timeLimitMs: 60_000 },
    );
    const started = performance.now();
    const decision = decide(compiled, gateInput({ evidence: { dataCheck: { values: numbers(3000) } } }));
    const elapsed = performance.now() - started;
    // The iteration budget stops it after about a second on an idle machine; the 9 million
    // iterations it asks for would run into the 60 s time limit. 15 s leaves room for a loaded
    // CI machine and still fails if the iteration budget stops nothing.
    expect(elapsed).toBeLessThan(15_000);
    // The runaway uses up its own policy's iteration budget; the next policy has its own.
    expect(decision.results.map((result) => [result.validation, result.outcome])).toEqual([
      ['before', 'pass'],
      ['pairs', 'error'],
      ['after', 'error'],
      ['simple', 'pass'],
    ]);
    const [, pairs, after] = decision.results;
    expect(pairs?.message.split('\n')[0]).toMatch(
      /^the policy used more than 1000000 comprehension iterations \(its iteration budget\)/,
    );
    expect(after?.message.split('\n')[0]).toBe(
      'not evaluated: an earlier expression of this policy used up its iteration budget',
    );
    expect(decision.allowed).toBe(false);
  });

  it('when one policy runs out the clock, later deny policies block even under failurePolicy Ignore', async () => {
    const compiled = await compile(
      policy(
        'slow',
        `  validations:
    - name: pairs
      expression: evidence.dataCheck.values.all(x, evidence.dataCheck.values.all(y, x + y >= 0))
      message: m
  failurePolicy: Ignore
`,
      ) +
        policy(
          'later',
          "  validations:\n    - { name: simple, expression: 'true', message: m }\n  failurePolicy: Ignore\n",
        ) +
        binding('slow-gate', 'slow') +
        binding('later-gate', 'later'),
      { ...defaultLimits, maxIterations: 1e12, timeLimitMs: 100 },
    );
    const decision = decide(compiled, gateInput({ evidence: { dataCheck: { values: numbers(6000) } } }));
    const [pairs, simple] = decision.results;
    expect(pairs).toMatchObject({ outcome: 'error', failurePolicy: 'Ignore', blocking: false });
    expect(simple).toMatchObject({ outcome: 'error', failurePolicy: 'Fail', blocking: true });
    expect(simple?.message.split('\n')[0]).toBe(
      'not evaluated: the decision ran out of time in an earlier policy',
    );
    expect(decision.allowed).toBe(false);
  });

  it('stops at the time limit, not long after it, when iterations are allowed', async () => {
    const compiled = await compile(
      policy(
        'slow',
        `  validations:
    - name: pairs
      expression: evidence.dataCheck.values.all(x, evidence.dataCheck.values.all(y, x + y >= 0))
      message: m
`,
      ) + binding('slow-gate', 'slow'),
      { ...defaultLimits, maxIterations: 1e12, timeLimitMs: 100 },
    );
    const started = performance.now();
    const decision = decide(compiled, gateInput({ evidence: { dataCheck: { values: numbers(6000) } } }));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(decision.results[0]?.outcome).toBe('error');
    expect(decision.results[0]?.message.split('\n')[0]).toBe(
      'the decision ran past its time limit of 100 ms; the expression walks too much input',
    );
  });

  it('a filter that runs out of budget is an error, never a shortened list', async () => {
    const compiled = await compile(
      policy(
        'truncated',
        `  validations:
    - name: none-positive
      expression: size(evidence.dataCheck.values.filter(x, x > 0)) == 0
      message: m
`,
      ) + binding('truncated-gate', 'truncated'),
      { ...defaultLimits, maxIterations: 10 },
    );
    const values = [...Array.from({ length: 15 }, () => 0), 1, 2, 3];
    const decision = decide(compiled, gateInput({ evidence: { dataCheck: { values } } }));
    expect(decision.results[0]?.outcome).toBe('error');
    expect(decision.allowed).toBe(false);
  });

  it('names sealed evidence by its id in the input digest, and refuses an input that is not JSON', async () => {
    const compiled = await compile(
      policy('any', "  validations:\n    - { name: v, expression: 'true', message: m }\n") +
        binding('b', 'any'),
    );
    const sealed = { id: 'sha256:' + 'a'.repeat(64), kind: 'data-check', rows: [1, 2, 3] };
    const input = gateInput({ evidence: { dataCheck: sealed } });
    expect(decide(compiled, input).input.digest).toBe(
      contentDigest({ ...input, evidence: { dataCheck: sealed.id } }),
    );
    const unsealed = gateInput({ evidence: { dataCheck: { rows: [1, 2, 3] } } });
    expect(decide(compiled, unsealed).input.digest).toBe(sha256Digest(canonicalJson(unsealed)));
    let caught: unknown;
    try {
      decide(compiled, gateInput({ evidence: { dataCheck: { x: Number.POSITIVE_INFINITY } } }));
    } catch (error) {
      caught = error;
    }
    expect((caught as WardenError).code).toBe('WARDEN_ERR_GATE_INVALID_INPUT');
    expect((caught as WardenError).message).toMatch(
      /cannot be written as JSON \(canonical JSON cannot hold the number Infinity\)/,
    );
  });

  it('refuses a now that is not a time', async () => {
    const compiled = await compile(
      policy('any', "  validations:\n    - { name: v, expression: 'true', message: m }\n") +
        binding('b', 'any'),
    );
    expect(() => decide(compiled, gateInput({ now: 'yesterday' }))).toThrow(
      expect.objectContaining({
        code: 'WARDEN_ERR_GATE_INVALID_INPUT',
        message: 'now "yesterday" is not an ISO-8601 time',
      }),
    );
  });
});

describe('decide: the decision record', () => {
  const text =
    policy(
      'quality',
      `  validations:
    - name: min-auc
      expression: evidence.modelEvaluation.performance.rocAuc >= 0.75
      message: too low
      tagsOnFailure: [weak]
    - name: recall
      expression: evidence.modelEvaluation.performance.recall >= 0.5
      message: recall too low
`,
    ) + binding('quality-gate', 'quality');
  const input = gateInput({ evidence: evaluation({ rocAuc: 0.7, recall: 0.6 }) });

  it('is deterministic: the same set and input give the same decision, id included', async () => {
    const compiled = await compile(text);
    const first = decide(compiled, input, { evidenceIds: ['sha256:aa'] });
    const second = decide(compiled, structuredClone(input), { evidenceIds: ['sha256:aa'] });
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    // Compiled again from the same text, in another directory: still the same decision.
    const again = decide(await compile(text), input, { evidenceIds: ['sha256:aa'] });
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
    // The id is the digest of the decision without it.
    const { id, ...withoutId } = first;
    expect(id).toBe(contentDigest(withoutId));
    // Another time or actor is another decision.
    expect(decide(compiled, { ...input, now: '2026-03-01T12:00:01Z' }).id).not.toBe(first.id);
    expect(decide(compiled, input, { evidenceIds: ['sha256:aa'], actor: 'ci' }).id).not.toBe(first.id);
  });

  it('records the policy set, the input digest, the evidence ids, the subject and the time', async () => {
    const compiled = await compile(text);
    const decision = decide(
      compiled,
      { ...input, now: '2026-03-01T12:00:00.123Z' },
      { evidenceIds: ['sha256:aa', 'sha256:bb'], actor: 'ci@example' },
    );
    expect(Object.keys(decision).slice(0, 3)).toEqual(['kind', 'schemaVersion', 'id']);
    expect(decision.kind).toBe('decision');
    expect(decision.schemaVersion).toBe(1);
    expect(decision.gate).toBe('model');
    expect(decision.subject).toEqual({
      type: 'model-version',
      name: 'credit-risk',
      version: '3',
      labels: { domain: 'credit', tier: 'gold' },
    });
    expect(decision.policySet).toEqual({ revision: compiled.set.revision, digest: compiled.set.digest });
    const inputJson = canonicalJson({ ...input, now: '2026-03-01T12:00:00.123Z' });
    expect(decision.input).toEqual({ digest: sha256Digest(inputJson) });
    expect(decision.evidence).toEqual(['sha256:aa', 'sha256:bb']);
    expect(decision.decidedAt).toBe('2026-03-01T12:00:00Z');
    expect(decision.actor).toBe('ci@example');
    const unversioned = decide(compiled, { ...input, subject: { ...subject, version: undefined as never } });
    expect(unversioned.subject).toEqual({
      type: 'model-version',
      name: 'credit-risk',
      labels: { domain: 'credit', tier: 'gold' },
    });
    // The labels are part of the decision, so a relabelled subject is a different decision.
    const relabelled = decide(compiled, { ...input, subject: { ...subject, labels: { domain: 'fraud' } } });
    expect(relabelled.subject.labels).toEqual({ domain: 'fraud' });
    expect(relabelled.id).not.toBe(decide(compiled, input).id);
    expect(decide(compiled, input).actor).toBe('local');
    expect(decide(compiled, input).evidence).toEqual([]);
  });

  it('a waiver turns a matching failure into waived until it expires', async () => {
    const compiled = await compile(text);
    const waived = decide(compiled, {
      ...input,
      waivers: [
        { id: 'WAIVER-1', policy: 'quality', validation: 'min-auc', expiresAt: '2026-04-01T00:00:00Z' },
      ],
    });
    expect(byValidation(waived)['min-auc']).toEqual({
      policy: 'quality',
      binding: 'quality-gate',
      validation: 'min-auc',
      action: 'deny',
      outcome: 'waived',
      severity: 'medium',
      message: 'too low',
      controls: [],
      blocking: false,
      waiver: 'WAIVER-1',
    } satisfies DecisionResult);
    expect(waived.allowed).toBe(true);
    expect(waived.summary).toMatchObject({ pass: 1, fail: 0, waived: 1 });

    const expired = decide(compiled, {
      ...input,
      waivers: [
        { id: 'WAIVER-1', policy: 'quality', validation: 'min-auc', expiresAt: '2026-03-01T12:00:00Z' },
      ],
    });
    expect(byValidation(expired)['min-auc']).toMatchObject({
      outcome: 'fail',
      blocking: true,
      tags: ['weak'],
    });
    expect(expired.allowed).toBe(false);

    const otherValidation = decide(compiled, {
      ...input,
      waivers: [{ id: 'W', policy: 'quality', validation: 'recall', expiresAt: '2027-01-01T00:00:00Z' }],
    });
    expect(byValidation(otherValidation)['min-auc']?.outcome).toBe('fail');
    const otherPolicy = decide(compiled, {
      ...input,
      waivers: [{ id: 'W', policy: 'other', expiresAt: '2027-01-01T00:00:00Z' }],
    });
    expect(byValidation(otherPolicy)['min-auc']?.outcome).toBe('fail');
  });

  it('a waiver without a validation covers the whole policy, but never an error', async () => {
    const compiled = await compile(text);
    const decision = decide(
      compiled,
      gateInput({
        evidence: evaluation({ rocAuc: 0.7 }),
        waivers: [{ id: 'WAIVER-2', policy: 'quality', expiresAt: '2027-01-01T00:00:00Z' }],
      }),
    );
    expect(decision.results.map((result) => [result.validation, result.outcome, result.blocking])).toEqual([
      ['min-auc', 'waived', false],
      ['recall', 'error', true],
    ]);
    expect(decision.allowed).toBe(false);
  });
});

describe('decide: fail closed when no validation applies', () => {
  const guarded = policy(
    'guarded',
    `  matchConditions:
    - name: has-evaluation
      expression: has(evidence.modelEvaluation)
  validations:
    - name: min-auc
      expression: evidence.modelEvaluation.performance.rocAuc >= 0.75
      message: ROC AUC is too low
`,
  );
  const set = (defaults = '') =>
    compile(
      `${guarded}${binding('guarded-everywhere', 'guarded', '', '[model, deploy, "promote:*", data, runtime]')}${defaults}`,
    );
  const gateDefaults = (gates: string) => `---
apiVersion: warden.dev/v1
kind: GateDefaults
metadata:
  name: open-staging
spec:
  gates:
${gates}`;

  it('without GateDefaults, promote:* and deploy deny and data, model and runtime allow, each saying why', async () => {
    const compiled = await set();
    const outcomes = Object.fromEntries(
      ['promote:production', 'promote:staging', 'deploy', 'data', 'model', 'runtime'].map((gate) => {
        const decision = decide(compiled, gateInput({ gate }));
        return [gate, [decision.allowed, decision.gateDefault?.onNoPolicy, decision.gateDefault?.gate]];
      }),
    );
    expect(outcomes).toEqual({
      'promote:production': [false, 'deny', 'promote:*'],
      'promote:staging': [false, 'deny', 'promote:*'],
      deploy: [false, 'deny', 'deploy'],
      data: [true, 'allow', 'data'],
      model: [true, 'allow', 'model'],
      runtime: [true, 'allow', 'runtime'],
    });
    const denied = decide(compiled, gateInput({ gate: 'promote:production' }));
    expect(denied.gateDefault).toEqual({
      onNoPolicy: 'deny',
      gate: 'promote:*',
      declaredBy: 'built-in',
      reason:
        'no policy applies to gate promote:production for this subject (1 bound policy was skipped by its matchConditions), and the policy set declares no default for it: denied (fail closed); declare the gate open with a GateDefaults document if this is intended',
    });
    expect(denied.skipped).toHaveLength(1);
    const unbound = await compile(`${guarded}${binding('guarded-model', 'guarded')}`);
    expect(decide(unbound, gateInput({ gate: 'deploy' })).gateDefault?.reason).toMatch(
      /^no policy applies to gate deploy for this subject \(no binding selects it\), and the policy set declares no default for it: denied \(fail closed\)/,
    );
  });

  it('a declared gate wins over promote:*, which wins over the built-in default', async () => {
    const compiled = await set(
      gateDefaults(
        `    "promote:staging": { onNoPolicy: allow }\n    "promote:*": { onNoPolicy: deny }\n    model: { onNoPolicy: deny }\n    deploy: { onNoPolicy: allow }\n`,
      ),
    );
    const decided = (gate: string) => decide(compiled, gateInput({ gate }));
    expect(decided('promote:staging')).toMatchObject({
      allowed: true,
      gateDefault: {
        onNoPolicy: 'allow',
        gate: 'promote:staging',
        declaredBy: 'GateDefaults "open-staging"',
        reason:
          'no policy applies to gate promote:staging for this subject (1 bound policy was skipped by its matchConditions), and GateDefaults "open-staging" declares promote:staging onNoPolicy: allow: allowed (declared open)',
      },
    });
    expect(decided('promote:production')).toMatchObject({
      allowed: false,
      gateDefault: { gate: 'promote:*' },
    });
    expect(decided('model')).toMatchObject({
      allowed: false,
      gateDefault: { onNoPolicy: 'deny', gate: 'model' },
    });
    expect(decided('deploy').allowed).toBe(true);
    expect(decided('data')).toMatchObject({
      allowed: true,
      gateDefault: { declaredBy: 'built-in', gate: 'data' },
    });
  });

  it('any validation that applies (a pass, a warning, an audit) leaves the default out', async () => {
    const compiled = await compile(
      `${guarded}${binding('guarded-audit', 'guarded', '  action: audit\n', '["promote:*"]')}`,
    );
    const decision = decide(
      compiled,
      gateInput({ gate: 'promote:production', evidence: evaluation({ rocAuc: 0.5 }) }),
    );
    expect(decision.allowed).toBe(true);
    expect(decision.gateDefault).toBeUndefined();
    expect(decision).not.toHaveProperty('gateDefault');
  });

  it('preconditions are not policies: a passing one does not open a gate no policy covers', async () => {
    const compiled = await set();
    const precondition: DecisionResult = {
      policy: 'warden:gate-tag',
      binding: 'warden:gate-tag',
      validation: 'no-gate-tags',
      action: 'deny',
      outcome: 'pass',
      severity: 'high',
      message: 'no gate tags',
      controls: [],
      blocking: false,
    };
    const decision = decide(compiled, gateInput({ gate: 'promote:production' }), {
      preconditions: [precondition],
    });
    expect(decision.allowed).toBe(false);
    expect(decision.gateDefault?.onNoPolicy).toBe('deny');
  });

  it('the applied default is part of the decision id, which stays deterministic', async () => {
    const closed = await set();
    const open = await set(gateDefaults(`    "promote:*": { onNoPolicy: allow }\n`));
    const input = gateInput({ gate: 'promote:production' });
    expect(decide(closed, input).id).toBe(decide(closed, input).id);
    expect(decide(open, input).id).not.toBe(decide(closed, input).id);
    const { id, ...rest } = decide(closed, input);
    expect(contentDigest(rest)).toBe(id);
  });
});

describe('decide: requiredEvidence', () => {
  const fairness = policy(
    'fairness',
    `  requiredEvidence: [modelEvaluation, driftReport, driftBaseline, monitorStatus]
  matchConditions:
    - name: credit-only
      expression: subject.labels.domain == 'credit'
  validations:
    - name: odds
      expression: evidence.modelEvaluation.fairness.all(f, f.equalizedOddsDifference <= 0.2)
      message: equalized odds too far apart
      severity: critical
    - name: calm
      expression: 'true'
      severity: low
`,
  );

  it('each missing kind is one failure naming the kind and how to produce it; the validations do not run', async () => {
    const compiled = await compile(fairness + binding('fair', 'fairness'));
    const decision = decide(compiled, gateInput({ evidence: evaluation({ rocAuc: 0.9 }) }));
    expect(decision.allowed).toBe(false);
    expect(brief(decision)).toEqual([
      {
        validation: 'requiredEvidence:driftReport',
        outcome: 'fail',
        blocking: true,
        message:
          'policy "fairness" requires driftReport evidence and none was given for this subject; produce it with warden check drift … --json FILE, then pass the file with --evidence (or submit it with warden evidence submit)',
      },
      {
        validation: 'requiredEvidence:driftBaseline',
        outcome: 'fail',
        blocking: true,
        message:
          'policy "fairness" requires driftBaseline evidence and none was given for this subject; produce it with warden baseline create … --evidence FILE, then pass the file with --evidence (or submit it with warden evidence submit)',
      },
      {
        validation: 'requiredEvidence:monitorStatus',
        outcome: 'fail',
        blocking: true,
        message:
          'policy "fairness" requires monitorStatus evidence and none was given for this subject; no Warden check writes it yet; attach it from the tool that produces it',
      },
    ]);
    expect(decision.results.map((result) => result.severity)).toEqual(['critical', 'critical', 'critical']);
    expect(decision.skipped).toEqual([]);
  });

  it('is checked before the matchConditions, and with all evidence given the policy runs as before', async () => {
    const compiled = await compile(fairness + binding('fair', 'fairness'));
    const everything = {
      ...evaluation({}, { fairness: [{ equalizedOddsDifference: 0.1 }] }),
      driftReport: { datasetDrift: false },
      driftBaseline: { passed: true },
      monitorStatus: { healthy: true },
    };
    const credit = decide(compiled, gateInput({ evidence: everything }));
    expect(credit.results.map((result) => [result.validation, result.outcome])).toEqual([
      ['odds', 'pass'],
      ['calm', 'pass'],
    ]);
    const fraud = decide(
      compiled,
      gateInput({ evidence: everything, subject: { ...subject, labels: { domain: 'fraud' } } }),
    );
    expect(fraud.results).toEqual([]);
    expect(fraud.skipped).toHaveLength(1);
    const missing = decide(compiled, gateInput({ subject: { ...subject, labels: { domain: 'fraud' } } }));
    expect(missing.results.map((result) => result.validation)).toHaveLength(4);
  });

  it('a waiver of the policy covers a missing-evidence failure; a warn binding only warns', async () => {
    const compiled = await compile(
      fairness +
        binding('fair', 'fairness') +
        binding('fair-watch', 'fairness', '  action: warn\n', '[deploy]'),
    );
    const waived = decide(
      compiled,
      gateInput({
        waivers: [
          {
            id: 'w1',
            policy: 'fairness',
            validation: 'requiredEvidence:modelEvaluation',
            expiresAt: '2027-01-01T00:00:00Z',
          },
        ],
        evidence: { driftReport: {}, driftBaseline: {}, monitorStatus: {} },
      }),
    );
    expect(waived.results.map((result) => result.outcome)).toEqual(['waived']);
    expect(waived.allowed).toBe(true);
    const warned = decide(compiled, gateInput({ gate: 'deploy' }));
    expect(warned.allowed).toBe(true);
    expect(warned.summary.warnings).toBe(4);
  });
});

describe('latestEvidenceByKind', () => {
  it('keeps the latest document of each kind by producedAt, keyed in camelCase', () => {
    const older = sealed('2026-03-01T10:00:00Z', { performance: { rocAuc: 0.7 } });
    const newer = sealed('2026-03-02T10:00:00Z', { performance: { rocAuc: 0.8 } });
    const dataCheck = sealEvidence(
      {
        kind: 'data-check' as const,
        subject: { type: 'dataset' as const, name: 'train' },
        inputs: [],
        passed: true,
      },
      new Date('2026-02-01T00:00:00Z'),
    );
    const documents: EvidenceDocument[] = [newer, dataCheck, older];
    const { evidence, ids } = latestEvidenceByKind(documents);
    expect(Object.keys(evidence).sort()).toEqual(['dataCheck', 'modelEvaluation']);
    expect(evidence['modelEvaluation']).toBe(newer);
    expect(evidence['dataCheck']).toBe(dataCheck);
    expect(ids.sort()).toEqual([newer.id, dataCheck.id].sort());
    // On a tie the later file wins.
    const twin = sealed('2026-03-02T10:00:00Z', { performance: { rocAuc: 0.9 } });
    expect(latestEvidenceByKind([newer, twin]).evidence['modelEvaluation']).toBe(twin);
    expect(latestEvidenceByKind([])).toEqual({ evidence: {}, ids: [] });
  });
});

describe('the example policies decide the demo cases', () => {
  const examples = fileURLToPath(new URL('../../examples/policies', import.meta.url));
  let compiled: CompiledPolicySet;

  beforeAll(async () => {
    compiled = compilePolicySet(await loadPolicySet(examples));
  });

  const fairness = (attributes: string[], equalizedOddsDifference: number | null, ratio: number | null) => ({
    attributes,
    method: 'betweenGroups',
    equalizedOdds: 'worstCase',
    minGroupSize: 30,
    byGroup: [],
    demographicParityDifference: 0.3,
    demographicParityRatio: ratio,
    equalizedOddsDifference,
  });

  const modelEvaluation = (rocAuc: number | null, entries: ReturnType<typeof fairness>[]) =>
    sealEvidence(
      {
        kind: 'model-evaluation' as const,
        subject: { type: 'model-version' as const, name: 'credit-risk', version: '3' },
        inputs: [],
        passed: true,
        rowCount: 1336,
        performance: { count: 1336, rocAuc, recall: 0.53, precision: 0.69 },
        fairness: entries,
        thresholds: [],
      },
      new Date('2026-03-01T10:00:00Z'),
    );

  const pipelineKey = { name: 'credit-pipeline-ci', keyId: 'ab'.repeat(32) };
  const modelGate = (
    document: ReturnType<typeof modelEvaluation>,
    overrides: Partial<GateInput> = {},
    signer: { name: string; keyId: string } | null = null,
  ) => {
    const signed = { ...document, signer: evidenceSigner(compiled.set, document.kind, signer) };
    const { evidence, ids } = latestEvidenceByKind([signed]);
    return decide(compiled, gateInput({ evidence, ...overrides }), { evidenceIds: ids });
  };

  const outcomes = (decision: Decision) =>
    Object.fromEntries(
      decision.results.map((result) => [
        `${result.policy}/${result.validation}`,
        [result.outcome, result.action],
      ]),
    );

  it('loads and compiles without warnings', async () => {
    expect(compiled.warnings).toEqual([]);
    expect([...compiled.policies.keys()].sort()).toEqual([
      'accountable-model',
      'credit-fairness',
      'credit-model-quality',
      'credit-parity',
      'human-oversight',
      'input-drift',
      'maintenance-failure-recall',
      'pii-features-hashed',
      'production-monitor-required',
      'reproducible-training',
      'training-data-quality',
      'trusted-evidence',
      'unbroken-lineage',
    ]);
  });

  it('the biased model: equalized odds fails and denies with tag biased; parity only warns', () => {
    const document = modelEvaluation(0.8277, [
      fairness(['Age'], 0.2471, 0.3281),
      fairness(['Marital'], 0.1818, 0.614),
    ]);
    const decision = modelGate(document);
    expect(outcomes(decision)).toEqual({
      'credit-model-quality/min-auc': ['pass', 'deny'],
      'credit-fairness/fairness-evaluated': ['pass', 'deny'],
      'credit-fairness/equalized-odds': ['fail', 'deny'],
      'credit-parity/parity-evaluated': ['pass', 'warn'],
      'credit-parity/parity-band': ['fail', 'warn'],
    });
    expect(decision.allowed).toBe(false);
    const results = Object.fromEntries(decision.results.map((result) => [result.validation, result]));
    expect(results['equalized-odds']).toMatchObject({
      blocking: true,
      severity: 'critical',
      tags: ['biased'],
      message:
        'equalized odds difference above 0.2 on Age (0.2471): the model is wrong about some groups far more often than about others',
      controls: ['eu-ai-act:art10', 'nist-ai-rmf:MEASURE-2.11', 'iso-42001:A.7.4', 'ml-test-score:model-7'],
    });
    expect(results['parity-band']).toMatchObject({
      blocking: false,
      message: 'demographic parity ratio outside 0.8–1.25 on Age (0.328), Marital (0.614)',
    });
    expect(results['parity-band']?.tags).toBeUndefined();
    expect(decision.summary).toEqual({ pass: 3, fail: 2, error: 0, waived: 0, warnings: 1, skipped: 0 });
    expect(decision.evidence).toEqual([document.id]);
  });

  it('the fair model: allowed, with the parity gap as a warning', () => {
    const decision = modelGate(
      modelEvaluation(0.8294, [fairness(['Age'], 0.1209, 0.4953), fairness(['Marital'], 0.123, 0.7635)]),
    );
    expect(outcomes(decision)).toEqual({
      'credit-model-quality/min-auc': ['pass', 'deny'],
      'credit-fairness/fairness-evaluated': ['pass', 'deny'],
      'credit-fairness/equalized-odds': ['pass', 'deny'],
      'credit-parity/parity-evaluated': ['pass', 'warn'],
      'credit-parity/parity-band': ['fail', 'warn'],
    });
    expect(decision.allowed).toBe(true);
    expect(decision.summary.warnings).toBe(1);
  });

  it('the binding raises the AUC floor to 0.8; an undefined AUC fails with the static message', () => {
    const weak = modelGate(modelEvaluation(0.78, [fairness(['Age'], 0.05, 0.9)]));
    expect(weak.results[0]).toMatchObject({
      validation: 'min-auc',
      outcome: 'fail',
      blocking: true,
      message: 'ROC AUC 0.7800 is below 0.8',
    });
    const undefinedAuc = modelGate(modelEvaluation(null, [fairness(['Age'], 0.05, 0.9)]));
    expect(undefinedAuc.results[0]).toMatchObject({
      outcome: 'fail',
      message: 'ROC AUC is undefined (the evaluation data has one class) or below the minimum',
    });
    const undefinedOdds = modelGate(modelEvaluation(0.9, [fairness(['Age', 'Marital'], null, null)]));
    expect(undefinedOdds.results.find((result) => result.validation === 'equalized-odds')).toMatchObject({
      validation: 'equalized-odds',
      outcome: 'fail',
      message:
        'equalized odds difference above 0.2 on Age × Marital (undefined): the model is wrong about some groups far more often than about others',
    });
  });

  it('without fairness results (no --sensitive) the fairness policies fail; outside the credit domain nothing applies', () => {
    const noFairness = modelGate(modelEvaluation(0.9, []));
    expect(outcomes(noFairness)).toEqual({
      'credit-model-quality/min-auc': ['pass', 'deny'],
      'credit-fairness/fairness-evaluated': ['fail', 'deny'],
      'credit-fairness/equalized-odds': ['pass', 'deny'],
      'credit-parity/parity-evaluated': ['fail', 'warn'],
      'credit-parity/parity-band': ['pass', 'warn'],
    });
    expect(noFairness.allowed).toBe(false);
    expect(
      noFairness.results.find((result) => result.validation === 'fairness-evaluated')?.message,
    ).toContain('--sensitive');
    const fraud = modelGate(modelEvaluation(0.5, [fairness(['Age'], 0.9, 0.1)]), {
      subject: { ...subject, labels: { domain: 'fraud' } },
    });
    expect(fraud.results).toEqual([]);
    expect(fraud.allowed).toBe(true);
    expect(fraud.gateDefault).toMatchObject({
      onNoPolicy: 'allow',
      gate: 'model',
      declaredBy: 'GateDefaults "gate-defaults"',
    });
  });

  it('a credit model with no evaluation fails the fairness policy at promotion, naming the evidence to produce', () => {
    const decision = decide(
      compiled,
      gateInput({
        gate: 'promote:staging',
        monitors: [{ name: 'credit-risk-prod', signals: ['drift', 'performance'], owner: 'ml-oncall' }],
      }),
    );
    expect(outcomes(decision)).toEqual({
      'credit-fairness/requiredEvidence:modelEvaluation': ['fail', 'deny'],
      'credit-parity/requiredEvidence:modelEvaluation': ['fail', 'warn'],
    });
    expect(decision.allowed).toBe(false);
    expect(decision.results[0]?.message).toBe(
      'policy "credit-fairness" requires modelEvaluation evidence and none was given for this subject; produce it with warden check model … --json FILE, then pass the file with --evidence (or submit it with warden evidence submit)',
    );
  });

  it('a promotion of an unlabelled model that no policy applies to is denied by the declared gate default', () => {
    const decision = decide(
      compiled,
      gateInput({ gate: 'promote:staging', subject: { ...subject, labels: {} } }),
    );
    expect(decision.results).toEqual([]);
    expect(decision.allowed).toBe(false);
    expect(decision.gateDefault).toEqual({
      onNoPolicy: 'deny',
      gate: 'promote:*',
      declaredBy: 'GateDefaults "gate-defaults"',
      reason:
        'no policy applies to gate promote:staging for this subject (no binding selects it), and GateDefaults "gate-defaults" declares promote:* onNoPolicy: deny: denied (fail closed)',
    });
  });

  it('promotion to production also needs an active, owned monitor watching drift and performance', () => {
    const document = modelEvaluation(0.9, [fairness(['Age'], 0.05, 0.9)]);
    const unmonitored = modelGate(document, { gate: 'promote:production' });
    expect(outcomes(unmonitored)).toEqual({
      'credit-model-quality/min-auc': ['pass', 'deny'],
      'credit-fairness/fairness-evaluated': ['pass', 'deny'],
      'credit-fairness/equalized-odds': ['pass', 'deny'],
      'credit-parity/parity-evaluated': ['pass', 'warn'],
      'credit-parity/parity-band': ['pass', 'warn'],
      'production-monitor-required/has-monitor': ['fail', 'deny'],
      'production-monitor-required/watches-required-signals': ['pass', 'deny'],
      'production-monitor-required/has-owner': ['pass', 'deny'],
      'trusted-evidence/evaluation-signed': ['fail', 'deny'],
      'trusted-evidence/all-evidence-signed': ['fail', 'deny'],
    });
    expect(unmonitored.allowed).toBe(false);

    const partial = modelGate(document, {
      gate: 'promote:production',
      monitors: [
        { name: 'drift-watch', signals: ['drift'], owner: '' },
        { name: 'disabled', signals: ['performance'], owner: 'ops', enabled: false },
      ],
    });
    const results = Object.fromEntries(partial.results.map((result) => [result.validation, result]));
    expect(results['has-monitor']?.outcome).toBe('pass');
    expect(results['watches-required-signals']).toMatchObject({
      outcome: 'fail',
      message: 'no monitor watches performance; add them to a monitor',
    });
    expect(results['has-owner']).toMatchObject({
      outcome: 'fail',
      message: 'monitors without an owner to page: drift-watch',
    });

    const monitored = {
      gate: 'promote:production',
      monitors: [{ name: 'credit-risk-prod', signals: ['drift', 'performance'], owner: 'ml-oncall' }],
    };
    const watched = modelGate(document, monitored, pipelineKey);
    expect(watched.allowed).toBe(true);
    expect(watched.summary).toMatchObject({ fail: 0, error: 0 });
    expect(watched.signers).toEqual([
      { evidence: document.id, kind: 'model-evaluation', signer: 'credit-pipeline-ci', trusted: true },
    ]);
  });

  it('production needs evidence signed by a signer the TrustPolicy trusts for its kind', () => {
    const document = modelEvaluation(0.9, [fairness(['Age'], 0.05, 0.9)]);
    const monitored = {
      gate: 'promote:production',
      monitors: [{ name: 'credit-risk-prod', signals: ['drift', 'performance'], owner: 'ml-oncall' }],
    };
    const blocking = (decision: Decision) =>
      decision.results.filter((r) => r.blocking).map((r) => `${r.policy}/${r.validation}: ${r.message}`);
    expect(blocking(modelGate(document, monitored, null))).toEqual([
      'trusted-evidence/evaluation-signed: the model evaluation is not signed (or its key is not registered), so anyone could have written it; run warden check model with --sign-key and submit the signed file',
      'trusted-evidence/all-evidence-signed: evidence not signed by a trusted signer: modelEvaluation; sign it in the pipeline (--sign-key) and submit it again',
    ]);
    const stranger = modelGate(document, monitored, { name: 'laptop', keyId: 'cd'.repeat(32) });
    expect(blocking(stranger)[0]).toBe(
      'trusted-evidence/evaluation-signed: the model evaluation is signed by "laptop", whom no TrustPolicy trusts for model-evaluation evidence',
    );
    expect(stranger.signers).toEqual([
      { evidence: document.id, kind: 'model-evaluation', signer: 'laptop', trusted: false },
    ]);
    // The model gate does not ask for signatures: pipelines gate on files before anything is signed.
    expect(modelGate(document, {}, null).allowed).toBe(true);
  });

  const dataCheck = (results: Record<string, unknown>[]) =>
    sealEvidence(
      {
        kind: 'data-check' as const,
        subject: { type: 'dataset' as const, name: 'credit-applications' },
        inputs: [],
        passed: results.every((result) => result['passed'] === true),
        table: 'credit_data',
        rowCount: 4454,
        results,
      },
      new Date('2026-03-01T09:00:00Z'),
    );

  const result = (check: string, metric: string, passed: boolean, extra: Record<string, unknown> = {}) => ({
    check,
    table: 'credit_data',
    column: check.split('.')[1],
    metric,
    severity: 'error',
    passed,
    observed: passed ? 0 : 3,
    operator: 'mustBe',
    threshold: 0,
    unit: 'rows',
    ...extra,
  });

  const contract = {
    id: 'credit-applications',
    version: '1.0.0',
    properties: [
      {
        table: 'credit_data',
        name: 'email_hash',
        logicalType: 'string',
        classification: 'pii',
        tags: ['hashed'],
        required: false,
        criticalDataElement: false,
        description: null,
      },
      {
        table: 'credit_data',
        name: 'Income',
        logicalType: 'number',
        classification: null,
        tags: [],
        required: false,
        criticalDataElement: false,
        description: null,
      },
    ],
  };

  const dataGate = (document: ReturnType<typeof dataCheck>, overrides: Partial<GateInput> = {}) => {
    const { evidence, ids } = latestEvidenceByKind([document]);
    return decide(
      compiled,
      gateInput({
        gate: 'data',
        subject: { type: 'dataset', name: 'credit-applications', labels: {}, tags: [] },
        evidence,
        contract,
        ...overrides,
      }),
      { evidenceIds: ids },
    );
  };

  it('the defective dataset: broken contract rules and raw PII deny the data gate', () => {
    const decision = dataGate(
      dataCheck([
        result('credit_data.Status.required', 'required', false),
        result('credit_data.Status.invalidValues', 'invalidValues', true),
        result('credit_data.Home.invalidValues', 'invalidValues', false),
        result('credit_data.Age.minimum', 'minimum', false, { severity: 'warning' }),
        result('credit_data.email_hash.piiHashed', 'piiHashed', true),
        result('credit_data.notes.piiDetected.email', 'piiDetected', false, {
          observed: 179,
          details: { detector: 'email', declared: 'undeclared' },
        }),
      ]),
    );
    expect(outcomes(decision)).toEqual({
      'pii-features-hashed/contract-given': ['pass', 'deny'],
      'pii-features-hashed/pii-declared-hashed': ['pass', 'deny'],
      'pii-features-hashed/digests-valid': ['pass', 'deny'],
      'pii-features-hashed/no-raw-pii': ['fail', 'deny'],
      'training-data-quality/contract-rules-hold': ['fail', 'deny'],
    });
    const results = Object.fromEntries(decision.results.map((item) => [item.validation, item]));
    expect(results['no-raw-pii']).toMatchObject({
      tags: ['pii-exposed'],
      message:
        'raw personal data in the training data: notes holds 179 email values; drop those columns or hash them and declare them in the contract',
    });
    // Warnings and PII detections are not contract-rule failures of this policy.
    expect(results['contract-rules-hold']?.message).toBe(
      '2 contract rules fail: credit_data.Status.required, credit_data.Home.invalidValues',
    );
    expect(decision.allowed).toBe(false);
  });

  it('a clean dataset with a contract passes; without a contract it is denied', () => {
    const clean = dataCheck([
      result('credit_data.Status.required', 'required', true),
      result('credit_data.email_hash.piiHashed', 'piiHashed', true),
    ]);
    const passed = dataGate(clean);
    expect(passed.allowed).toBe(true);
    expect(passed.summary).toMatchObject({ pass: 5, fail: 0, error: 0 });

    const withoutContract = dataGate(clean, { contract: {} });
    expect(outcomes(withoutContract)['pii-features-hashed/contract-given']).toEqual(['fail', 'deny']);
    expect(withoutContract.allowed).toBe(false);

    const unhashed = dataGate(clean, {
      contract: {
        ...contract,
        properties: [
          { ...contract.properties[0], name: 'email', tags: [] } as (typeof contract.properties)[0],
        ],
      },
    });
    expect(byValidation(unhashed)['pii-declared-hashed']).toMatchObject({
      outcome: 'fail',
      message:
        'PII columns not hashed: credit_data.email; replace the values by their SHA-256 digests and tag the properties hashed in the contract',
    });
  });
});
