import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoStackTrace, repoRoot, runCli } from './run-cli.js';

const policies = join(repoRoot, 'examples/policies');

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'warden-cli-policy-'));
});

async function copyOfExamples(name: string): Promise<string> {
  const dir = join(work, name);
  await cp(policies, dir, { recursive: true });
  return dir;
}

describe('warden policy test', () => {
  it('runs the example cases, all pass, every validation seen passing and failing, JUnit written', async () => {
    const junit = join(work, 'policy-tests.xml');
    const run = await runCli(['policy', 'test', policies, '--junit', junit]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^PASSED {2}59 cases: 59 passed, 0 failed; 29 of 29 validations seen both passing and failing$/m,
    );
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<testsuites name="warden" tests="59" failures="0" skipped="0">/);
    expect(xml).toContain('name="a weak model fails and the message names both numbers"');
  });

  it('fails (exit 1) when a policy no longer does what its tests say, naming the case and the difference', async () => {
    const dir = await copyOfExamples('weakened');
    const file = join(dir, 'credit-models.yaml');
    const text = await readFile(file, 'utf8');
    await writeFile(
      file,
      text.replace('maxEqualizedOddsDifference: 0.2 }', 'maxEqualizedOddsDifference: 0.3 }'),
    );
    const junit = join(work, 'weakened.xml');
    const run = await runCli(['policy', 'test', dir, '--junit', junit]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ FAIL {2}a large gap in error rates fails and names …/);
    expect(run.stdout).toMatch(/equalized-odds: expected fail, got pass/);
    expect(run.stdout).toMatch(/expected the gate to deny, but it allowed/);
    expect(await readFile(junit, 'utf8')).toMatch(/failures="2"/);
  });

  it('runs only the matching cases with --run, and --fail-on-empty fails when none match', async () => {
    const some = await runCli(['policy', 'test', policies, '--run', 'production-monitor']);
    expect(some.code).toBe(0);
    expect(some.stdout).toMatch(/^PASSED {2}6 cases: 6 passed/m);
    const none = await runCli(['policy', 'test', policies, '--run', 'no-such-case', '--fail-on-empty']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no policy test case ran/);
  });

  it('refuses a test case that cannot be run (exit 2), listing every problem', async () => {
    const dir = await copyOfExamples('bad-tests');
    await writeFile(
      join(dir, 'tests', 'broken.test.yaml'),
      `apiVersion: warden.dev/v1
kind: PolicyTest
metadata: { name: broken }
spec:
  cases:
    - name: names no policy and no gate
      expect: { allowed: true }
    - name: names a policy that is not there
      policy: credit-model-qualty
      expect: { allowed: true }
    - name: expects a validation the policy does not have
      policy: credit-model-quality
      evidence: { modelEvalution: {} }
      expect:
        results: { min-aoc: pass }
`,
    );
    const run = await runCli(['policy', 'test', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('WARDEN_ERR_POLICY_TEST_INVALID');
    expect(run.stderr).toMatch(/case "names no policy and no gate": name exactly one of policy .* or gate/);
    expect(run.stderr).toMatch(
      /policy "credit-model-qualty" is not in the policy set \(did you mean "credit-model-quality"\?\)/,
    );
    expect(run.stderr).toMatch(
      /evidence\.modelEvalution is not an evidence kind \(did you mean "modelEvaluation"\?\)/,
    );
    expect(run.stderr).toMatch(
      /expects a result for "min-aoc", which this case cannot produce \(did you mean "min-auc"\?\)/,
    );
    expectNoStackTrace(run.stderr);
  });
});

describe('warden policy lint', () => {
  it('passes the example policies', async () => {
    const run = await runCli(['policy', 'lint', policies]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^OK {2}13 policies, 29 validations, 13 bindings, 8 test suites: 0 errors, 0 warnings/m,
    );
  });

  it('lists errors and warnings with their place, exit 2 on errors', async () => {
    const dir = join(work, 'lint');
    await cp(policies, dir, { recursive: true });
    await writeFile(
      join(dir, 'sloppy.yaml'),
      `apiVersion: warden.dev/v1
kind: Policy
metadata: { name: sloppy }
spec:
  variables:
    - name: m
      expression: evidence.modelEvaluaton.performance
  validations:
    - name: unknown-function
      expression: maxOf(variables.m.rocAuc, 0.5) > 0.7
    - name: pattern-from-data
      expression: subject.name.matches(subject.labels.pattern)
    - name: later-variable
      expression: variables.n > 1
`,
    );
    const run = await runCli(['policy', 'lint', dir]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(
      /sloppy\.yaml:7:7: warning: variable "m" of policy "sloppy": evidence\.modelEvaluaton is not an evidence kind Warden produces \(did you mean "modelEvaluation"\?\)/,
    );
    expect(run.stdout).toMatch(
      /sloppy\.yaml:10:7: error: validation "unknown-function" of policy "sloppy": unknown function "maxOf"/,
    );
    expect(run.stdout).toMatch(
      /warning: validation "pattern-from-data" .* matches\(\) with a pattern that is not a literal/,
    );
    expect(run.stdout).toMatch(
      /error: validation "later-variable" .* variables\.n is not declared in spec\.variables; the variables are m/,
    );
    expect(run.stdout).toMatch(/warning: policy "sloppy" has no PolicyBinding, so it never runs/);
    expect(run.stdout).toMatch(/warning: validation "unknown-function" of policy "sloppy" has no message/);
    expect(run.stdout).toMatch(
      /^FAILED {2}14 policies, 32 validations, 13 bindings, 8 test suites: 2 errors, \d+ warnings/m,
    );
  });
});
