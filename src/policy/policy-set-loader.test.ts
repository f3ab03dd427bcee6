import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contentDigest, type ErrorCode, WardenError } from '../core/index.js';
import { loadPolicySet } from './policy-set-loader.js';

const created: string[] = [];

afterAll(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

/** Writes the files (paths relative to a fresh temp dir) and returns the dir. */
function writeSet(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'warden-policy-loader-'));
  created.push(dir);
  for (const [name, text] of Object.entries(files)) {
    const file = join(dir, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return dir;
}

/** `line:col` (1-based) of the first occurrence of `needle` in `text`, for asserting locations. */
function at(text: string, needle: string, occurrence = 1): string {
  let index = -1;
  for (let seen = 0; seen < occurrence; seen++) {
    index = text.indexOf(needle, index + 1);
    if (index === -1) throw new Error(`"${needle}" not found ${occurrence} times`);
  }
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  const col = index - (before.lastIndexOf('\n') + 1) + 1;
  return `${line}:${col}`;
}

async function loadError(source: string, code: ErrorCode): Promise<WardenError> {
  const error = await loadPolicySet(source).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WardenError);
  const warden = error as WardenError;
  expect(warden.code).toBe(code);
  return warden;
}

/** The problem lines of a WARDEN_ERR_POLICY_INVALID message (after its header line). */
function problemLines(error: WardenError): string[] {
  return error.message
    .split('\n')
    .slice(1)
    .map((line) => line.trim());
}

const policy = (name = 'quality', expression = 'evidence.modelEvaluation.performance.rocAuc >= 0.8') => `
apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: ${name}
spec:
  validations:
    - name: min-auc
      expression: ${expression}
      message: ROC AUC is too low
`;

const binding = (name = 'quality-everywhere', policyName = 'quality', gates = '[model]') => `
apiVersion: warden.dev/v1
kind: PolicyBinding
metadata:
  name: ${name}
spec:
  policyName: ${policyName}
  gates: ${gates}
`;

const policyTest = `
apiVersion: warden.dev/v1
kind: PolicyTest
metadata:
  name: quality-tests
spec:
  cases:
    - name: good model passes
      policy: quality
      evidence: { modelEvaluation: { performance: { rocAuc: 0.9 } } }
      expect: { results: { min-auc: pass } }
`;

describe('loadPolicySet: a valid set', () => {
  it('reads every YAML file under the directory, several documents per file, and applies defaults', async () => {
    const main = `# comment before the first document\n${policy()}---${binding()}---${policyTest}`;
    const dir = writeSet({
      'main.yaml': main,
      'nested/deeper/other.yml': policy('other'),
      'README.md': 'not a policy: ignored',
      'data.json': '{"kind": "Policy"}',
    });
    const set = await loadPolicySet(dir);
    expect(set.source).toBe(dir);
    expect(set.policies.map((item) => item.document.metadata.name)).toEqual(['quality', 'other']);
    expect(set.policies.map((item) => item.file)).toEqual([
      join(dir, 'main.yaml'),
      join(dir, 'nested/deeper/other.yml'),
    ]);
    expect(set.bindings.map((item) => item.document.metadata.name)).toEqual(['quality-everywhere']);
    expect(set.tests.map((item) => item.document.metadata.name)).toEqual(['quality-tests']);

    const [quality] = set.policies;
    expect(quality?.document.spec).toEqual({
      params: {},
      matchConditions: [],
      requiredEvidence: [],
      variables: [],
      validations: [
        {
          name: 'min-auc',
          expression: 'evidence.modelEvaluation.performance.rocAuc >= 0.8',
          message: 'ROC AUC is too low',
          severity: 'medium',
        },
      ],
      failurePolicy: 'Fail',
    });
    expect(set.bindings[0]?.document.spec).toEqual({
      policyName: 'quality',
      gates: ['model'],
      subjects: {},
      action: 'deny',
      params: {},
    });
    // locate() points into the right document of a multi-document file.
    expect(quality?.locate(['spec', 'validations', 0, 'expression'])).toBe(
      `${join(dir, 'main.yaml')}:${at(main, 'expression:')}`,
    );
    expect(set.bindings[0]?.locate(['spec', 'policyName'])).toBe(
      `${join(dir, 'main.yaml')}:${at(main, 'policyName:')}`,
    );
  });

  it('reads a single file given instead of a directory', async () => {
    const dir = writeSet({ 'one.yaml': `${policy()}---${binding()}`, 'ignored.yaml': policy('ignored') });
    const set = await loadPolicySet(join(dir, 'one.yaml'));
    expect(set.policies.map((item) => item.document.metadata.name)).toEqual(['quality']);
    expect(set.bindings).toHaveLength(1);
  });

  it('skips empty documents (a leading or trailing ---) and files that hold only comments', async () => {
    const dir = writeSet({
      'a.yaml': `---\n# nothing\n---${policy()}---\n`,
      'empty.yaml': '# only a comment\n',
    });
    const set = await loadPolicySet(dir);
    expect(set.policies).toHaveLength(1);
  });
});

describe('loadPolicySet: bad input, each problem located with file:line:col and a fix', () => {
  it('a YAML syntax error (not CEL): the place and what to fix', async () => {
    const text = `${policy()}---
apiVersion: warden.dev/v1
kind: PolicyBinding
metadata:
  name: quality-everywhere
spec:
  policyName: quality
\tgates: [model]
`;
    const dir = writeSet({ 'broken.yaml': text });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    expect(error.message).toContain(`${dir}: the policy set is not valid (1 problem):`);
    expect(problemLines(error)).toEqual([
      `${join(dir, 'broken.yaml')}:${at(text, '\tgates')}: not valid YAML: Tabs are not allowed as indentation; indent with spaces, not tabs`,
    ]);
  });

  it('a duplicate key is a YAML error at the second key', async () => {
    const text = `apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: quality
  name: other
spec:
  validations:
    - { name: a, expression: 'true', message: m }
`;
    const dir = writeSet({ 'dup-key.yaml': text });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    expect(problemLines(error)).toEqual([
      `${join(dir, 'dup-key.yaml')}:${at(text, 'name: other')}: not valid YAML: Map keys must be unique; a key appears twice in the same mapping; keep one`,
    ]);
  });

  it('an unknown field gets a did-you-mean and the list of fields allowed there', async () => {
    const text = `apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: quality
spec:
  matchCondition:
    - name: has-evaluation
      expression: has(evidence.modelEvaluation)
  validations:
    - name: min-auc
      expression: evidence.modelEvaluation.performance.rocAuc >= 0.8
      mesage: too low
`;
    const dir = writeSet({ 'typo.yaml': text });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    const file = join(dir, 'typo.yaml');
    expect(error.message).toContain('(2 problems)');
    expect(problemLines(error).sort()).toEqual([
      `${file}:${at(text, 'mesage:')}: unknown field "mesage" in spec.validations.0 (did you mean "message"?); the fields here are name, expression, message, messageExpression, severity, tagsOnFailure`,
      `${file}:${at(text, 'matchCondition:')}: unknown field "matchCondition" in spec (did you mean "matchConditions"?); the fields here are params, matchConditions, requiredEvidence, variables, validations, failurePolicy`,
    ]);
  });

  it('a missing required field is named at its parent', async () => {
    const text = `apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: quality
spec:
  validations:
    - name: min-auc
      message: too low
`;
    const dir = writeSet({ 'missing.yaml': text });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    expect(problemLines(error)).toEqual([
      `${join(dir, 'missing.yaml')}:${at(text, 'name: min-auc')}: spec.validations.0.expression is required but missing`,
    ]);
  });

  it('a document without spec, and a policy without validations', async () => {
    const noSpec = `apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: quality
`;
    const noValidations = `apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: other
spec:
  validations: []
`;
    const dir = writeSet({ 'a.yaml': noSpec, 'b.yaml': noValidations });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    expect(problemLines(error)).toEqual([
      `${join(dir, 'a.yaml')}:1:1: spec is required but missing`,
      `${join(dir, 'b.yaml')}:${at(noValidations, 'validations:')}: spec.validations: a policy needs at least one validation`,
    ]);
  });

  it('an enum typo gets a did-you-mean and the allowed values', async () => {
    const text = `apiVersion: warden.dev/v2
kind: Policy
metadata:
  name: quality
spec:
  failurePolicy: fail
  validations:
    - name: min-auc
      expression: 'true'
      severity: hgh
`;
    const dir = writeSet({ 'enum.yaml': text });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    const file = join(dir, 'enum.yaml');
    expect(problemLines(error)).toEqual(
      expect.arrayContaining([
        `${file}:1:1: apiVersion is "warden.dev/v2" (did you mean "warden.dev/v1"?); use warden.dev/v1`,
        `${file}:${at(text, 'severity: hgh')}: spec.validations.0.severity is "hgh" (did you mean "high"?); use one of critical, high, medium, low, info`,
        `${file}:${at(text, 'failurePolicy')}: spec.failurePolicy is "fail" (did you mean "Fail"?); use one of Fail, Ignore`,
      ]),
    );
    expect(problemLines(error)).toHaveLength(3);
  });

  it('an unknown kind gets a did-you-mean', async () => {
    const text = `apiVersion: warden.dev/v1\nkind: Polcy\nmetadata:\n  name: quality\n`;
    const dir = writeSet({ 'kind.yaml': text });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    expect(problemLines(error)).toEqual([
      `${join(dir, 'kind.yaml')}:2:1: kind "Polcy" is not one Warden reads (did you mean "Policy"?); use Policy, PolicyBinding, PolicyTest, GateDefaults, TrustPolicy`,
    ]);
  });

  it('a binding to a policy that does not exist gets a did-you-mean and the list of policies', async () => {
    const text = `${policy()}---${binding('quality-everywhere', 'qualty')}`;
    const dir = writeSet({ 'set.yaml': text });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    expect(problemLines(error)).toEqual([
      `${join(dir, 'set.yaml')}:${at(text, 'policyName:')}: binding "quality-everywhere" names policy "qualty", which is not in this policy set (did you mean "quality"?); the policies are quality`,
    ]);
  });

  it('a binding to a policy that is itself invalid is not reported twice', async () => {
    const broken = `apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: quality
spec:
  validations: []
`;
    const dir = writeSet({ 'set.yaml': `${broken}---${binding()}` });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    expect(problemLines(error)).toHaveLength(1);
    expect(error.message).toContain('a policy needs at least one validation');
    expect(error.message).not.toContain('which is not in this policy set');
  });

  it('duplicate policy names across files name both places', async () => {
    const first = policy();
    const second = `# the same name again\n${policy()}`;
    const dir = writeSet({ 'a.yaml': first, 'b.yaml': second });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    expect(problemLines(error)).toEqual([
      `${join(dir, 'b.yaml')}:${at(second, 'name: quality')}: a second Policy named "quality" (the first is at ${join(dir, 'a.yaml')}:${at(first, 'name: quality')}); names must be unique in a policy set`,
    ]);
  });

  it('duplicate binding names, and duplicate validation names in one policy', async () => {
    const text = `apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: quality
spec:
  validations:
    - { name: check, expression: 'true', message: m }
    - { name: check, expression: 'false', message: m }
---${binding('twice')}---${binding('twice')}`;
    const dir = writeSet({ 'dups.yaml': text });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    const file = join(dir, 'dups.yaml');
    expect(problemLines(error)).toEqual([
      `${file}:${at(text, 'name: twice', 2)}: a second PolicyBinding named "twice" (the first is at ${file}:${at(text, 'name: twice')}); names must be unique in a policy set`,
      `${file}:${at(text, 'name: check', 2)}: validations has two entries named "check"; give each its own name`,
    ]);
  });

  it('a directory with no Policy document', async () => {
    const dir = writeSet({
      'README.md': '# policies',
      'tests.yaml': policyTest,
      'empty.yml': '# nothing yet\n',
    });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    expect(error.message).toBe(
      `${dir}: holds no Policy document (read 2 YAML files); a policy set needs at least one "kind: Policy" with apiVersion warden.dev/v1`,
    );
    const empty = writeSet({});
    const none = await loadError(empty, 'WARDEN_ERR_POLICY_INVALID');
    expect(none.message).toContain('(read 0 YAML files)');
  });

  it('a directory that does not exist', async () => {
    const missing = join(tmpdir(), 'warden-no-such-policy-dir', 'policies');
    const error = await loadError(missing, 'WARDEN_ERR_INPUT_FILE_NOT_FOUND');
    expect(error.message).toBe(`${missing}: no such policy directory or file; check the path`);
  });

  it('several documents per file: each problem names its own document', async () => {
    const text = `${policy()}---
- a list
- is not a document
---${binding('quality-everywhere', 'quality', '[modle]')}`;
    const dir = writeSet({ 'multi.yaml': text });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    const file = join(dir, 'multi.yaml');
    expect(problemLines(error)).toEqual([
      `${file}:${at(text, '- a list')} (document 2): a policy document is a YAML mapping with apiVersion, kind, metadata and spec`,
      `${file}:${at(text, 'modle')}: spec.gates.0: a gate is data, model, deploy, runtime, promote:<alias> or promote:*`,
    ]);
  });

  it('invalid gate names in a binding, each at its place', async () => {
    const text = binding(
      'b',
      'quality',
      '[model, "promote:Production", "promote:", deploy, "promote:*", runtme]',
    );
    const dir = writeSet({ 'p.yaml': policy(), 'b.yaml': text });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    const file = join(dir, 'b.yaml');
    const fix = 'a gate is data, model, deploy, runtime, promote:<alias> or promote:*';
    expect(problemLines(error)).toEqual([
      `${file}:${at(text, '"promote:Production"')}: spec.gates.1: ${fix}`,
      `${file}:${at(text, '"promote:"')}: spec.gates.2: ${fix}`,
      `${file}:${at(text, 'runtme')}: spec.gates.5: ${fix}`,
    ]);
  });

  it('a variable name that is not a CEL identifier', async () => {
    const text = `apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: quality
spec:
  variables:
    - name: min-auc
      expression: '0.8'
    - name: 2fast
      expression: '1'
    - name: ok_name2
      expression: '1'
  validations:
    - { name: a, expression: 'true', message: m }
`;
    const dir = writeSet({ 'vars.yaml': text });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    const file = join(dir, 'vars.yaml');
    const fix =
      'a variable name is a CEL identifier: letters, digits and _, not starting with a digit (camelCase reads best)';
    expect(problemLines(error)).toEqual([
      `${file}:${at(text, 'name: min-auc')}: spec.variables.0.name: ${fix}`,
      `${file}:${at(text, 'name: 2fast')}: spec.variables.1.name: ${fix}`,
    ]);
  });

  it('a label selector requirement with or without values where the operator says otherwise', async () => {
    const text = `apiVersion: warden.dev/v1
kind: PolicyBinding
metadata:
  name: selective
spec:
  policyName: quality
  gates: [model]
  subjects:
    matchExpressions:
      - { key: tier, operator: In }
      - { key: tier, operator: NotIn, values: [] }
      - { key: tier, operator: Exists, values: [gold] }
      - { key: tier, operator: DoesNotExist }
`;
    const dir = writeSet({ 'p.yaml': policy(), 'b.yaml': text });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    const file = join(dir, 'b.yaml');
    expect(problemLines(error)).toEqual([
      `${file}:${at(text, '{ key: tier, operator: In }')}: operator In needs a non-empty values list`,
      `${file}:${at(text, '{ key: tier, operator: NotIn')}: operator NotIn needs a non-empty values list`,
      `${file}:${at(text, '{ key: tier, operator: Exists')}: operator Exists takes no values`,
    ]);
  });

  it('a name that is not a DNS label, and a multi-line message', async () => {
    const text = `apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: Credit_Quality
spec:
  validations:
    - name: min-auc
      expression: 'true'
      message: "first line\\nsecond line"
`;
    const dir = writeSet({ 'p.yaml': text });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    const file = join(dir, 'p.yaml');
    expect(problemLines(error)).toEqual([
      `${file}:${at(text, 'name: Credit_Quality')}: metadata.name: a name is lowercase letters, digits and dashes, starting and ending with a letter or digit (at most 63)`,
      `${file}:${at(text, 'message:')}: spec.validations.0.message: a message is one line`,
    ]);
  });

  it('parameters that JSON cannot hold (.inf, .nan) are refused at their place, not a crash', async () => {
    const text = `apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: quality
spec:
  params:
    maxLoss: .inf
    band: { min: .nan, list: [1, -.inf] }
  validations:
    - { name: a, expression: 'true', message: m }
`;
    const dir = writeSet({ 'p.yaml': text });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    const file = join(dir, 'p.yaml');
    expect(problemLines(error)).toEqual([
      `${file}:${at(text, 'maxLoss')}: spec.params.maxLoss: Infinity is not a number JSON can hold; write a finite number`,
      `${file}:${at(text, 'min: .nan')}: spec.params.band.min: NaN is not a number JSON can hold; write a finite number`,
      `${file}:${at(text, '-.inf')}: spec.params.band.list.1: -Infinity is not a number JSON can hold; write a finite number`,
    ]);
  });

  it('an alias without its anchor, and an alias bomb, are YAML problems, not crashes', async () => {
    const unresolved = `apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: quality
spec:
  params: { band: *band }
  validations:
    - { name: a, expression: 'true', message: m }
`;
    const bomb = `apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: other
spec:
  params:
    a: &a [x, x, x, x, x, x, x, x, x, x]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
    e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
  validations:
    - { name: a, expression: 'true', message: m }
`;
    const dir = writeSet({ 'a.yaml': unresolved, 'b.yaml': bomb });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    expect(problemLines(error)).toEqual([
      `${join(dir, 'a.yaml')}:1:1: not valid YAML: Unresolved alias (the anchor must be set before the alias): band; define each &anchor before its *alias`,
      `${join(dir, 'b.yaml')}:1:1: not valid YAML: too many aliases: its *aliases expand more than 100 times (an anchor "bomb" multiplies a small file into a huge document); write the values out or use fewer aliases`,
    ]);
  });

  it('a file over 1 MiB is refused without parsing it', async () => {
    const big = `${policy()}#${'x'.repeat(1024 * 1024)}\n`;
    const dir = writeSet({ 'big.yaml': big });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    expect(problemLines(error)).toEqual([
      `${join(dir, 'big.yaml')}: is ${Buffer.byteLength(big)} bytes; a policy file may hold at most 1048576`,
    ]);
  });

  it('reports problems from every file together, and at most 20 of them', async () => {
    const files: Record<string, string> = {};
    for (let index = 0; index < 25; index++) {
      files[`p${String(index).padStart(2, '0')}.yaml`] = policy(`p${index}`).replace('message:', 'mesage:');
    }
    const dir = writeSet(files);
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    expect(error.message.split('\n')[0]).toBe(`${dir}: the policy set is not valid (25 problems):`);
    const lines = problemLines(error);
    expect(lines).toHaveLength(21);
    expect(lines[0]).toContain(`${join(dir, 'p00.yaml')}:`);
    expect(lines[20]).toBe('… and 5 more');
  });
});

const gateDefaults = (
  name = 'gate-defaults',
  gates = `"promote:*": { onNoPolicy: deny }\n    model: { onNoPolicy: allow }`,
) => `
apiVersion: warden.dev/v1
kind: GateDefaults
metadata:
  name: ${name}
spec:
  gates:
    ${gates}
`;

describe('loadPolicySet: GateDefaults and requiredEvidence', () => {
  it('reads one GateDefaults document and a policy that requires evidence', async () => {
    const required = policy().replace(
      'spec:\n',
      'spec:\n  requiredEvidence: [modelEvaluation, driftReport]\n',
    );
    const set = await loadPolicySet(
      writeSet({ 'set.yaml': `${required}---${binding()}---${gateDefaults()}` }),
    );
    expect(set.gateDefaults?.document.spec.gates).toEqual({
      'promote:*': { onNoPolicy: 'deny' },
      model: { onNoPolicy: 'allow' },
    });
    expect(set.policies[0]?.document.spec.requiredEvidence).toEqual(['modelEvaluation', 'driftReport']);
  });

  it('an unknown gate, a misspelt field and a bad value in GateDefaults each get a did-you-mean', async () => {
    const text = gateDefaults(
      'gate-defaults',
      `promote-production: { onNoPolicy: deny }\n    deploy: { onNoPolicies: deny }\n    model: { onNoPolicy: alow }`,
    );
    const dir = writeSet({ 'defaults.yaml': text });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    const file = join(dir, 'defaults.yaml');
    expect(problemLines(error).sort()).toEqual(
      [
        `${file}:${at(text, 'deploy:')}: spec.gates.deploy.onNoPolicy is required but missing`,
        `${file}:${at(text, 'onNoPolicies')}: unknown field "onNoPolicies" in spec.gates.deploy (did you mean "onNoPolicy"?); the fields here are onNoPolicy`,
        `${file}:${at(text, 'onNoPolicy: alow')}: spec.gates.model.onNoPolicy is "alow" (did you mean "allow"?); use one of deny, allow`,
        `${file}:${at(text, 'promote-production')}: spec.gates: "promote-production" is not a gate (did you mean "promote:production"?); the gates are data, model, deploy, runtime, promote:<alias> and promote:*`,
      ].sort(),
    );
  });

  it('a second GateDefaults document is refused, naming both places', async () => {
    const first = gateDefaults();
    const second = gateDefaults('more-defaults', 'deploy: { onNoPolicy: allow }');
    const dir = writeSet({ 'a.yaml': `${policy()}---${first}`, 'b.yaml': second });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    expect(problemLines(error)).toEqual([
      `${join(dir, 'b.yaml')}:${at(second, 'kind:')}: a second GateDefaults document (the first is at ${join(dir, 'a.yaml')}:${at(`${policy()}---${first}`, 'kind: GateDefaults')}); a policy set declares its gate defaults once, so merge them into one`,
    ]);
  });

  it('an unknown evidence kind in requiredEvidence gets a did-you-mean, a repeated one is refused', async () => {
    const text = policy().replace('spec:\n', 'spec:\n  requiredEvidence: [modelEvaluaton]\n');
    const twice = policy('other').replace('spec:\n', 'spec:\n  requiredEvidence: [dataCheck, dataCheck]\n');
    const dir = writeSet({ 'a.yaml': text, 'b.yaml': twice });
    const error = await loadError(dir, 'WARDEN_ERR_POLICY_INVALID');
    expect(problemLines(error)).toEqual([
      `${join(dir, 'a.yaml')}:${at(text, 'modelEvaluaton')}: spec.requiredEvidence.0 is "modelEvaluaton" (did you mean "modelEvaluation"?); use one of dataCheck, modelEvaluation, driftReport, driftBaseline, reproducibility, monitorStatus`,
      `${join(dir, 'b.yaml')}:${at(twice, 'requiredEvidence')}: spec.requiredEvidence: requiredEvidence names a kind twice`,
    ]);
  });
});

describe('loadPolicySet: digest and revision', () => {
  const digestOf = async (files: Record<string, string>, options: { revision?: string } = {}) => {
    const set = await loadPolicySet(writeSet(files), options);
    return set;
  };

  it('does not change when documents move between files or are reformatted', async () => {
    const reference = await digestOf({ 'all.yaml': `${policy()}---${binding()}---${policy('other')}` });

    const reformatted = `# Reordered keys, flow style, comments, explicit defaults and other quoting.
kind: Policy
apiVersion: "warden.dev/v1"
spec:
  failurePolicy: Fail   # the default, written out
  validations:
    - message: 'ROC AUC is too low'
      severity: medium
      expression: >-
        evidence.modelEvaluation.performance.rocAuc >= 0.8
      name: min-auc
metadata: { name: quality }
`;
    const moved = await digestOf({
      'z-first.yaml': policy('other'),
      'a/quality.yml': reformatted,
      'bindings/b.yaml': `# a binding\n${binding().replace('gates: [model]', 'gates:\n    - model')}`,
    });
    expect(moved.digest).toBe(reference.digest);
    expect(moved.revision).toBe(reference.revision);
    expect(reference.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(reference.revision).toBe(reference.digest.slice('sha256:'.length, 'sha256:'.length + 12));
  });

  it('changes when an expression, a parameter or a binding changes', async () => {
    const reference = await digestOf({ 'all.yaml': `${policy()}---${binding()}` });
    const expression = await digestOf({
      'all.yaml': `${policy('quality', 'evidence.modelEvaluation.performance.rocAuc >= 0.81')}---${binding()}`,
    });
    const gates = await digestOf({
      'all.yaml': `${policy()}---${binding('quality-everywhere', 'quality', '[model, deploy]')}`,
    });
    const params = await digestOf({
      'all.yaml': `${policy()}---${binding()}  params: { minAuc: 0.9 }\n`,
    });
    const digests = [reference, expression, gates, params].map((set) => set.digest);
    expect(new Set(digests).size).toBe(4);
  });

  it('does not change with PolicyTest documents, which do not take part in decisions', async () => {
    const without = await digestOf({ 'all.yaml': `${policy()}---${binding()}` });
    const withTests = await digestOf({
      'all.yaml': `${policy()}---${binding()}---${policyTest}`,
      'tests/more.yaml': policyTest.replace('quality-tests', 'more-tests'),
    });
    expect(withTests.tests).toHaveLength(2);
    expect(withTests.digest).toBe(without.digest);
  });

  it('changes with the gate defaults, and a set without them keeps its digest', async () => {
    const without = await digestOf({ 'all.yaml': `${policy()}---${binding()}` });
    const closed = await digestOf({ 'all.yaml': `${policy()}---${binding()}---${gateDefaults()}` });
    const open = await digestOf({
      'all.yaml': `${policy()}---${binding()}---${gateDefaults('gate-defaults', '"promote:*": { onNoPolicy: allow }')}`,
    });
    expect(new Set([without.digest, closed.digest, open.digest]).size).toBe(3);
    expect(without.digest).toBe(
      contentDigest({
        policies: without.policies.map((p) => p.document),
        bindings: without.bindings.map((b) => b.document),
      }),
    );
  });

  it('takes the revision the caller names', async () => {
    const set = await digestOf({ 'all.yaml': policy() }, { revision: 'a1b2c3d' });
    expect(set.revision).toBe('a1b2c3d');
    expect(set.digest).toMatch(/^sha256:/);
  });
});

describe('loadPolicySet: action rollback', () => {
  it('is taken at the runtime gate and refused at any other, at the line of the action', async () => {
    const runtime = writeSet({
      'a.yaml': `${policy()}---${binding('b', 'quality', '[runtime]')}  action: rollback\n`,
    });
    const set = await loadPolicySet(runtime);
    expect(set.bindings[0]?.document.spec.action).toBe('rollback');
    const text = `${policy()}---${binding('b', 'quality', '[runtime, deploy]')}  action: rollback\n`;
    const error = await loadError(writeSet({ 'a.yaml': text }), 'WARDEN_ERR_POLICY_INVALID');
    expect(problemLines(error).join('\n')).toContain(
      'action rollback applies only at the runtime gate: bind it to gates: [runtime]',
    );
  });
});
