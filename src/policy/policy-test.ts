import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { didYouMean, fileReadError, WardenError } from '../core/index.js';
import type { CompiledPolicy, CompiledPolicySet } from './compiled-policy-set.js';
import { type Decision, type DecisionResult, decide, type Outcome } from './decide.js';
import type { PolicyBindingDocument, PolicyTestCase, PolicyTestDocument } from './documents.js';
import { evidenceKey, evidenceKeys, type GateInput, gateInput, type RuntimeSection } from './gate-input.js';
import type { Located } from './policy-set-loader.js';

export type ExpectedOutcome = Outcome | 'skip';

export interface PolicyTestCaseResult {
  /** `tests/credit.yaml: credit-model-quality-cases / strong model passes`. */
  id: string;
  file: string;
  suite: string;
  name: string;
  status: 'pass' | 'fail' | 'skip';
  /** Why it failed, one line per unmet expectation; why it was skipped. */
  problems: string[];
  durationMs: number;
}

/** Whether tests saw each validation both hold and fail: a validation never seen failing is untested. */
export interface ValidationCoverage {
  policy: string;
  validation: string;
  passSeen: boolean;
  failSeen: boolean;
}

export interface PolicyTestReport {
  cases: PolicyTestCaseResult[];
  coverage: ValidationCoverage[];
  summary: { total: number; passed: number; failed: number; skipped: number };
}

const defaultGate = 'model';

/**
 * Runs the PolicyTest documents of a policy set, table-driven like `kyverno test`: each case gives
 * an input and the outcome expected per validation. A case with `policy` tests that policy alone
 * (its params merged with the case's); a case with `gate` decides the whole set through its
 * bindings. Test documents that cannot be run are refused up front, all problems together.
 *
 * @example
 * const report = runPolicyTests(compiled, { filter: /credit/ });
 * if (report.summary.failed > 0) process.exitCode = 1;
 */
export function runPolicyTests(
  compiled: CompiledPolicySet,
  options: { filter?: RegExp } = {},
): PolicyTestReport {
  const prepared = prepareCases(compiled);
  const coverage = new Map<string, ValidationCoverage>();
  for (const policy of compiled.policies.values()) {
    for (const validation of policy.validations) {
      const key = `${policy.name}/${validation.document.name}`;
      coverage.set(key, {
        policy: policy.name,
        validation: validation.document.name,
        passSeen: false,
        failSeen: false,
      });
    }
  }
  const cases: PolicyTestCaseResult[] = [];
  for (const { suite, testCase, input } of prepared) {
    const id = `${suite.document.metadata.name} / ${testCase.name}`;
    if (options.filter && !options.filter.test(id)) continue;
    const base = { id, file: suite.file, suite: suite.document.metadata.name, name: testCase.name };
    if (testCase.skip !== undefined) {
      cases.push({ ...base, status: 'skip', problems: [testCase.skip], durationMs: 0 });
      continue;
    }
    const started = performance.now();
    const decision = decideCase(compiled, testCase, input);
    for (const result of decision.results) {
      const entry = coverage.get(`${result.policy}/${result.validation}`);
      if (entry && result.outcome === 'pass') entry.passSeen = true;
      if (entry && (result.outcome === 'fail' || result.outcome === 'waived')) entry.failSeen = true;
    }
    const problems = unmetExpectations(testCase, decision);
    cases.push({
      ...base,
      status: problems.length === 0 ? 'pass' : 'fail',
      problems,
      durationMs: performance.now() - started,
    });
  }
  return {
    cases,
    coverage: [...coverage.values()],
    summary: {
      total: cases.length,
      passed: cases.filter((result) => result.status === 'pass').length,
      failed: cases.filter((result) => result.status === 'fail').length,
      skipped: cases.filter((result) => result.status === 'skip').length,
    },
  };
}

interface PreparedCase {
  suite: Located<PolicyTestDocument>;
  testCase: PolicyTestCase;
  input: GateInput;
}

function prepareCases(compiled: CompiledPolicySet): PreparedCase[] {
  const problems: string[] = [];
  const prepared: PreparedCase[] = [];
  const policyNames = [...compiled.policies.keys()];
  for (const suite of compiled.set.tests) {
    suite.document.spec.cases.forEach((testCase, index) => {
      const at = suite.locate(['spec', 'cases', index]);
      const problem = (message: string) => problems.push(`${at}: case "${testCase.name}": ${message}`);
      if ((testCase.policy === undefined) === (testCase.gate === undefined)) {
        problem(
          'name exactly one of policy (test one policy with its params) or gate (decide the whole set through its bindings)',
        );
        return;
      }
      if (testCase.policy !== undefined && !compiled.policies.has(testCase.policy)) {
        problem(
          `policy "${testCase.policy}" is not in the policy set${didYouMean(testCase.policy, policyNames)}`,
        );
        return;
      }
      if (testCase.gate !== undefined && testCase.params !== undefined) {
        problem('params apply to a policy case; a gate case takes its params from the bindings');
      }
      for (const key of Object.keys(testCase.evidence ?? {})) {
        if (!evidenceKeys.includes(key)) {
          problem(
            `evidence.${key} is not an evidence kind${didYouMean(key, evidenceKeys)}; use ${evidenceKeys.join(', ')}`,
          );
        }
      }
      const known = expectationKeys(compiled, testCase);
      for (const key of [
        ...Object.keys(testCase.expect.results ?? {}),
        ...Object.keys(testCase.expect.messages ?? {}),
      ]) {
        if (!known.includes(key)) {
          problem(
            `expects a result for "${key}", which this case cannot produce${didYouMean(key, known)}; the keys are ${known.join(', ')}`,
          );
        }
      }
      const evidence = { ...(testCase.evidence as GateInput['evidence'] | undefined) };
      for (const name of testCase.evidenceFiles ?? []) {
        const path = resolve(dirname(suite.file), name);
        try {
          const document = JSON.parse(readFileSync(path, 'utf8')) as { kind?: unknown };
          if (typeof document.kind !== 'string') {
            problem(`${name} has no "kind"; an evidence file is the JSON a check wrote with --json`);
          } else {
            evidence[evidenceKey(document.kind)] = document as Record<string, unknown>;
          }
        } catch (error) {
          problem(
            error instanceof SyntaxError
              ? `${name} is not JSON: ${error.message}`
              : fileReadError(path, error, 'evidence').message,
          );
        }
      }
      prepared.push({ suite, testCase, input: caseInput(testCase, evidence) });
    });
  }
  if (problems.length > 0) {
    throw new WardenError(
      'WARDEN_ERR_POLICY_TEST_INVALID',
      `${compiled.set.source}: ${problems.length} policy test case${problems.length === 1 ? '' : 's'} cannot be run:\n  ${problems.join('\n  ')}`,
      { where: compiled.set.source },
    );
  }
  return prepared;
}

function expectationKeys(compiled: CompiledPolicySet, testCase: PolicyTestCase): string[] {
  if (testCase.policy !== undefined) {
    const policy = compiled.policies.get(testCase.policy);
    return policy ? resultNames(policy) : [];
  }
  return [...compiled.policies.values()].flatMap((policy) =>
    resultNames(policy).map((name) => `${policy.name}/${name}`),
  );
}

/** The names a policy's results can carry: its validations, matchConditions and required evidence. */
function resultNames(policy: CompiledPolicy): string[] {
  return [
    ...policy.validations.map((validation) => validation.document.name),
    ...policy.matchConditions.map((condition) => `matchCondition:${condition.name}`),
    ...policy.requiredEvidence.map((kind) => `requiredEvidence:${kind}`),
  ];
}

function caseInput(testCase: PolicyTestCase, evidence: GateInput['evidence']): GateInput {
  const subject = testCase.subject ?? {
    type: 'model-version' as const,
    name: 'example',
    labels: {},
    tags: [],
  };
  return gateInput({
    gate: testCase.gate ?? defaultGate,
    subject: {
      type: subject.type,
      name: subject.name,
      ...(subject.version === undefined ? {} : { version: subject.version }),
      labels: subject.labels,
      ...(subject.owner === undefined ? {} : { owner: subject.owner }),
      tags: subject.tags,
      ...(subject.artifactDigest === undefined ? {} : { artifactDigest: subject.artifactDigest }),
    },
    evidence,
    contract: (testCase.contract as GateInput['contract'] | undefined) ?? {},
    monitors: testCase.monitors ?? [],
    ...(testCase.runtime === undefined ? {} : { runtime: testCase.runtime as unknown as RuntimeSection }),
    now: testCase.now ?? new Date().toISOString(),
  });
}

/** A policy case runs its policy alone, through one deny binding carrying the case's params. */
function decideCase(compiled: CompiledPolicySet, testCase: PolicyTestCase, input: GateInput): Decision {
  if (testCase.policy === undefined) return decide(compiled, input);
  const binding: PolicyBindingDocument = {
    apiVersion: 'warden.dev/v1',
    kind: 'PolicyBinding',
    metadata: { name: 'policy-test' },
    spec: {
      policyName: testCase.policy,
      gates: [input.gate],
      subjects: {},
      action: 'deny',
      params: testCase.params ?? {},
    },
  };
  return decide(
    { ...compiled, bindings: [{ document: binding, file: '(policy test)', locate: () => '(policy test)' }] },
    input,
  );
}

const severityOrder: Outcome[] = ['error', 'fail', 'waived', 'pass'];

function unmetExpectations(testCase: PolicyTestCase, decision: Decision): string[] {
  const keyOf = (result: DecisionResult) =>
    testCase.policy !== undefined ? result.validation : `${result.policy}/${result.validation}`;
  const byKey = new Map<string, DecisionResult>();
  for (const result of decision.results) {
    const key = keyOf(result);
    const current = byKey.get(key);
    if (!current || severityOrder.indexOf(result.outcome) < severityOrder.indexOf(current.outcome)) {
      byKey.set(key, result);
    }
  }
  const problems: string[] = [];
  const { expect } = testCase;
  if (expect.allowed !== undefined && expect.allowed !== decision.allowed) {
    const blocking = decision.results.filter((result) => result.blocking).map(keyOf);
    problems.push(
      `expected the gate to ${expect.allowed ? 'allow' : 'deny'}, but it ${decision.allowed ? 'allowed' : `denied (${blocking.join(', ') || decision.gateDefault?.reason})`}`,
    );
  }
  if (expect.skipped !== undefined) {
    const skipped = decision.results.length === 0 && decision.skipped.length > 0;
    if (skipped !== expect.skipped) {
      problems.push(
        expect.skipped
          ? `expected the policy to be skipped by its matchConditions, but it ran (${decision.results.length} results)`
          : `expected the policy to run, but it was skipped: ${decision.skipped.map((entry) => entry.reason).join('; ')}`,
      );
    }
  }
  for (const [key, expected] of Object.entries(expect.results ?? {})) {
    const actual = byKey.get(key);
    const outcome: ExpectedOutcome = actual?.outcome ?? 'skip';
    if (outcome !== expected) {
      problems.push(
        `${key}: expected ${expected}, got ${outcome}${actual && outcome !== 'pass' ? ` (${firstLine(actual.message)})` : ''}`,
      );
    }
  }
  for (const [key, fragment] of Object.entries(expect.messages ?? {})) {
    const actual = byKey.get(key);
    if (!actual?.message.includes(fragment)) {
      problems.push(
        `${key}: expected the message to contain "${fragment}", got "${actual ? firstLine(actual.message) : '(no result)'}"`,
      );
    }
  }
  return problems;
}

const firstLine = (text: string) => text.split('\n')[0] ?? text;
