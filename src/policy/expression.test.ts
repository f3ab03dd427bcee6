import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WardenError } from '../core/index.js';
import { compilePolicySet, lintPolicySet } from './compiled-policy-set.js';
import { compileExpression, defaultLimits, type ExpressionContext, type PolicyLimits } from './expression.js';
import { evidenceKeys } from './gate-input.js';
import { loadPolicySet, type PolicySet } from './policy-set-loader.js';

const created: string[] = [];

afterAll(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

/** Writes one policy file into a fresh temp dir and loads it. */
async function loadText(text: string): Promise<{ set: PolicySet; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-policy-expression-'));
  created.push(dir);
  const file = join(dir, 'policy.yaml');
  writeFileSync(file, text);
  return { set: await loadPolicySet(dir), file };
}

/** `line:col` (1-based) of the first occurrence of `needle` in `text`. */
function at(text: string, needle: string, occurrence = 1): string {
  let index = -1;
  for (let seen = 0; seen < occurrence; seen++) {
    index = text.indexOf(needle, index + 1);
    if (index === -1) throw new Error(`"${needle}" not found ${occurrence} times`);
  }
  const before = text.slice(0, index);
  return `${before.split('\n').length}:${index - (before.lastIndexOf('\n') + 1) + 1}`;
}

/** A policy with a binding (so lint does not warn about it), the spec given as YAML under `spec:`. */
function policyText(spec: string, name = 'quality'): string {
  return `apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: ${name}
spec:
${spec}---
apiVersion: warden.dev/v1
kind: PolicyBinding
metadata:
  name: ${name}-everywhere
spec:
  policyName: ${name}
  gates: [model]
`;
}

async function compileError(
  text: string,
  limits?: PolicyLimits,
): Promise<{ error: WardenError; file: string }> {
  const { set, file } = await loadText(text);
  let caught: unknown;
  try {
    compilePolicySet(set, limits);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(WardenError);
  const error = caught as WardenError;
  expect(error.code).toBe('WARDEN_ERR_POLICY_EXPRESSION');
  return { error, file };
}

/** The lines of the message after its header, indentation kept. */
const body = (error: WardenError) => error.message.split('\n').slice(1);

/** What one finding reads like: where, the message, the expression line and a caret under `column`. */
function finding(where: string, message: string, line: string, column?: number): string[] {
  return [
    `  ${where}: ${message}`,
    `      ${line}`,
    ...(column === undefined ? [] : [`      ${' '.repeat(column)}^`]),
  ];
}

describe('compilePolicySet: CEL syntax errors', () => {
  it('shows the expression with a caret under the column the parser stopped at', async () => {
    const expression = 'evidence.modelEvaluation.passed == true)';
    const text = policyText(`  validations:
    - name: passed
      expression: ${expression}
      message: the evaluation failed
`);
    const { error, file } = await compileError(text);
    expect(error.message.split('\n')[0]).toBe(`${join(file, '..')}: 1 expression cannot be compiled:`);
    expect(body(error)).toEqual(
      finding(
        `${file}:${at(text, 'expression:')}`,
        'validation "passed" of policy "quality": CEL syntax error: found ) but expecting end of input',
        expression,
        expression.indexOf(')'),
      ),
    );
    expect(body(error)[2]).toBe(`      ${' '.repeat(39)}^`);
  });

  it('in a multi-line expression, shows only the line with the error', async () => {
    const text = policyText(`  validations:
    - name: passed
      expression: |
        has(evidence.modelEvaluation) &&
          evidence.modelEvaluation.passed == true)
      message: the evaluation failed
`);
    const { error, file } = await compileError(text);
    const line = '  evidence.modelEvaluation.passed == true)';
    expect(body(error)).toEqual(
      finding(
        `${file}:${at(text, 'expression:')}`,
        'validation "passed" of policy "quality": CEL syntax error: found ) but expecting end of input',
        line,
        line.indexOf(')'),
      ),
    );
  });
});

describe('compilePolicySet: static checks', () => {
  it('an unknown top-level name gets a did-you-mean and the names an expression sees', async () => {
    const text = policyText(`  validations:
    - name: min-auc
      expression: evidnce.modelEvaluation.performance.rocAuc >= 0.8
      message: m
`);
    const { error, file } = await compileError(text);
    expect(body(error)).toEqual(
      finding(
        `${file}:${at(text, 'expression:')}`,
        'validation "min-auc" of policy "quality": unknown name "evidnce"; an expression sees gate, subject, evidence, contract, monitors, runtime, params, now, variables (did you mean "evidence"?)',
        'evidnce.modelEvaluation.performance.rocAuc >= 0.8',
        0,
      ),
    );
  });

  it('a name unknown inside a comprehension is caught too, and its own variable is not', async () => {
    const text = policyText(`  validations:
    - name: all-pass
      expression: evidence.dataCheck.results.all(r, r.passed && x.passed)
      message: m
`);
    const { error } = await compileError(text);
    expect(error.message).toContain('unknown name "x"');
    expect(error.message).not.toContain('unknown name "r"');
    const lines = error.message.split('\n');
    expect(lines.at(-1)).toBe(
      `      ${' '.repeat('evidence.dataCheck.results.all(r, r.passed && '.length)}^`,
    );
  });

  it('variables.x that is not declared: did-you-mean and the declared variables', async () => {
    const text = policyText(`  variables:
    - name: perf
      expression: evidence.modelEvaluation.performance
  validations:
    - name: min-auc
      expression: variables.perff.rocAuc >= 0.8
      message: m
`);
    const { error, file } = await compileError(text);
    expect(body(error)).toEqual(
      finding(
        `${file}:${at(text, 'expression: variables.perff')}`,
        'validation "min-auc" of policy "quality": variables.perff is not declared in spec.variables (did you mean "perf"?); the variables are perf',
        'variables.perff.rocAuc >= 0.8',
        'variables'.length,
      ),
    );
  });

  it('a variable that reads a variable declared after it', async () => {
    const text = policyText(`  variables:
    - name: auc
      expression: variables.perf.rocAuc
    - name: perf
      expression: evidence.modelEvaluation.performance
  validations:
    - name: min-auc
      expression: variables.auc >= 0.8 && variables.perf.rocAuc >= 0.8
      message: m
`);
    const { error, file } = await compileError(text);
    // Validations see every variable; only the variable "auc" is wrong.
    expect(body(error)).toEqual(
      finding(
        `${file}:${at(text, 'expression: variables.perf.rocAuc')}`,
        'variable "auc" of policy "quality": variables.perf is declared after this expression; a variable may use only the variables declared before it',
        'variables.perf.rocAuc',
        'variables'.length,
      ),
    );
  });

  it('a matchCondition that reads variables', async () => {
    const text = policyText(`  matchConditions:
    - name: good-enough
      expression: variables.perf.rocAuc > 0.5
  variables:
    - name: perf
      expression: evidence.modelEvaluation.performance
  validations:
    - name: min-auc
      expression: variables.perf.rocAuc >= 0.8
      message: m
`);
    const { error, file } = await compileError(text);
    expect(body(error)).toEqual(
      finding(
        `${file}:${at(text, 'expression: variables.perf.rocAuc > 0.5')}`,
        'matchCondition "good-enough" of policy "quality": unknown name "variables"; matchConditions cannot read variables (they decide whether the policy applies at all); repeat the expression',
        'variables.perf.rocAuc > 0.5',
        0,
      ),
    );
  });

  it('an unknown function gets a did-you-mean; a method shows the receiver', async () => {
    const text = policyText(`  validations:
    - name: has-results
      expression: sizee(evidence.dataCheck.results) > 0
      message: m
    - name: lower
      expression: subject.name.lowerAsci() == 'credit'
      message: m
`);
    const { error, file } = await compileError(text);
    expect(error.message.split('\n')[0]).toContain('2 expressions cannot be compiled:');
    expect(body(error)).toEqual([
      ...finding(
        `${file}:${at(text, 'expression: sizee')}`,
        'validation "has-results" of policy "quality": unknown function "sizee" (did you mean "size"?); docs/policies.md lists the functions a policy can call',
        'sizee(evidence.dataCheck.results) > 0',
        0,
      ),
      ...finding(
        `${file}:${at(text, 'expression: subject.name')}`,
        'validation "lower" of policy "quality": unknown function "lowerAsci" (did you mean "lowerAscii"?); docs/policies.md lists the functions a policy can call',
        "subject.name.lowerAsci() == 'credit'",
        'subject.name'.length,
      ),
    ]);
  });

  it('accepts the functions of the environment: strings extension (namespaced too), Warden functions, macros', async () => {
    const text = policyText(`  validations:
    - name: everything
      expression: >-
        strings.quote(subject.name) != '' && subject.name.lowerAscii().startsWith('c')
        && isDigest('sha256:' + '0'.repeat(0) + 'x') == false
        && compareVersions('1.10.0', '1.9.0') == 1 && between(0.5, 0, 1)
        && size(resultsFor(evidence.dataCheck.results, 'rowCount')) >= 0
        && evidence.dataCheck.results.exists_one(r, r.passed) || true
        && now - timestamp('2026-01-01T00:00:00Z') > duration('1h')
      message: m
`);
    // repeat() is not a CEL function: the check names it, and nothing else.
    const { error } = await compileError(text);
    expect(error.message).toContain('unknown function "repeat"');
    expect(error.message.split('\n')[0]).toContain('1 expression cannot be compiled');

    const { set } = await loadText(text.replace(" + '0'.repeat(0)", ''));
    expect(lintPolicySet(set)).toEqual([]);
    expect(compilePolicySet(set).warnings).toEqual([]);
  });

  it('rejects comprehensions nested 4 deep and accepts 3', async () => {
    const four = '[1].all(a, [2].all(b, [3].all(c, [4].all(d, a + b + c + d > 0))))';
    const text = policyText(`  validations:
    - name: nested
      expression: "${four}"
      message: m
`);
    const { error, file } = await compileError(text);
    expect(body(error)).toEqual(
      finding(
        `${file}:${at(text, 'expression:')}`,
        'validation "nested" of policy "quality": all()/exists()/map()/filter() are nested 4 deep; at most 3 are allowed, because each level multiplies the work. Precompute an inner list in a variable',
        four,
        four.indexOf('.all(d'),
      ),
    );
    const { set } = await loadText(
      policyText(`  validations:
    - name: nested
      expression: "[1].all(a, [2].all(b, [3].all(c, a + b + c > 0)))"
      message: m
`),
    );
    expect(lintPolicySet(set)).toEqual([]);
  });

  it('counts nesting inside the predicate, not comprehensions side by side', async () => {
    const { set } = await loadText(
      policyText(`  validations:
    - name: side-by-side
      expression: >-
        [1].all(a, [2].all(b, [3].all(c, true))) && [1].all(a, [2].all(b, [3].all(c, true)))
        && [[1]].map(l, l.filter(x, x > 0)).all(l, l.all(x, x > 0))
      message: m
`),
    );
    expect(lintPolicySet(set)).toEqual([]);
  });

  it('rejects an expression longer than the limit, without parsing it', async () => {
    const long = `'${'x'.repeat(defaultLimits.maxExpressionLength)}' != ''`;
    const text = policyText(`  validations:
    - name: long
      expression: "${long}"
      message: m
`);
    const { error, file } = await compileError(text);
    expect(body(error)[0]).toBe(
      `  ${file}:${at(text, 'expression:')}: validation "long" of policy "quality": the expression is ${long.length} characters; at most 10000 are allowed. Move parts into variables`,
    );
    // Exactly at the limit is fine.
    const atLimit = `'${'x'.repeat(defaultLimits.maxExpressionLength - 8)}' != ''`;
    expect(atLimit).toHaveLength(defaultLimits.maxExpressionLength);
    const { set } = await loadText(text.replace(long, atLimit));
    expect(() => compilePolicySet(set)).not.toThrow();
  });

  it('applies the node and depth limits it is given', async () => {
    const text = policyText(`  validations:
    - name: sum
      expression: 1 + 2 + 3 + 4 + 5 + 6 > 0
      message: m
`);
    const nodes = await compileError(text, { ...defaultLimits, maxExpressionNodes: 5 });
    expect(nodes.error.message).toContain(
      'validation "sum" of policy "quality": the expression has 13 syntax nodes after macro expansion; at most 5 are allowed. Split it into variables',
    );
    const depth = await compileError(text, { ...defaultLimits, maxExpressionDepth: 3 });
    expect(depth.error.message).toContain(
      'the expression nests deeper than 3 levels; split it into variables',
    );
    // Reported once, not once per node.
    expect(depth.error.message.split('nests deeper').length).toBe(2);
  });

  it('reports every expression error of the set in one pass', async () => {
    const first = policyText(
      `  validations:
    - name: a
      expression: evidnce.x
      message: m
`,
      'first',
    );
    const second = policyText(
      `  matchConditions:
    - name: c
      expression: foo()
  validations:
    - name: b
      expression: size(
      message: m
      messageExpression: variables.nope
`,
      'second',
    );
    const { error } = await compileError(`${first}---\n${second}`);
    expect(error.message.split('\n')[0]).toContain('4 expressions cannot be compiled:');
    expect(error.message).toContain('validation "a" of policy "first": unknown name "evidnce"');
    expect(error.message).toContain('matchCondition "c" of policy "second": unknown function "foo"');
    expect(error.message).toContain('validation "b" of policy "second": CEL syntax error');
    expect(error.message).toContain(
      'messageExpression of validation "b" of policy "second": variables.nope is not declared in spec.variables',
    );
  });
});

describe('lintPolicySet: warnings', () => {
  it('warns, without failing the compile, about what is probably a mistake', async () => {
    const text = `apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: quality
spec:
  params: { minAuc: 0.75 }
  validations:
    - name: min-auc
      expression: evidence.modelEvaluaton.performance.rocAuc >= params.minAu
      message: too low
    - name: named
      expression: subject.name.matches(subject.labels.pattern) && matches(subject.name, '^credit-')
`;
    const { set, file } = await loadText(text);
    const findings = lintPolicySet(set);
    const where = `${file}:${at(text, 'expression: evidence')}`;
    const named = `${file}:${at(text, 'expression: subject')}`;
    const line = 'evidence.modelEvaluaton.performance.rocAuc >= params.minAu';
    const namedLine = "subject.name.matches(subject.labels.pattern) && matches(subject.name, '^credit-')";
    expect(findings).toEqual([
      {
        level: 'warning',
        where,
        message: [
          `validation "min-auc" of policy "quality": evidence.modelEvaluaton is not an evidence kind Warden produces (did you mean "modelEvaluation"?); the kinds are ${evidenceKeys.join(', ')}`,
          `      ${line}`,
          `      ${' '.repeat('evidence'.length)}^`,
        ].join('\n'),
      },
      {
        level: 'warning',
        where,
        message: [
          `validation "min-auc" of policy "quality": params.minAu has no default in the policy's spec.params (did you mean "minAuc"?); every binding must then set it, or guard with has(params.minAu)`,
          `      ${line}`,
          `      ${' '.repeat(line.indexOf('.minAu'))}^`,
        ].join('\n'),
      },
      {
        level: 'warning',
        where: named,
        message: [
          'validation "named" of policy "quality": matches() with a pattern that is not a literal: the pattern comes from the input, so an author cannot review it; write the pattern in the policy',
          `      ${namedLine}`,
          `      ${' '.repeat('subject.name'.length)}^`,
        ].join('\n'),
      },
      {
        level: 'warning',
        where: `${file}:${at(text, '- name: named')}`.replace(/:(\d+)$/, (_, col) => `:${Number(col) + 2}`),
        message:
          'validation "named" of policy "quality" has no message or messageExpression; a failure will read "failed expression: …". Say what is wrong and what to do',
      },
      {
        level: 'warning',
        where: `${file}:${at(text, 'name: quality')}`,
        message:
          'policy "quality" has no PolicyBinding, so it never runs at any gate; bind it (action: audit is a safe start) or remove it',
      },
    ]);
    const compiled = compilePolicySet(set);
    expect(compiled.warnings).toEqual(findings);
  });

  it('a param guarded with has() anywhere in the expression does not warn, nor do evidence kinds Warden produces', async () => {
    const { set } = await loadText(
      policyText(`  validations:
    - name: guarded
      expression: >-
        (params.extra > 0 || !has(params.extra)) && has(evidence.dataCheck) && has(evidence.modelEvaluation)
        && has(evidence.driftReport) && has(evidence.driftBaseline) && has(evidence.reproducibility) && has(evidence.monitorStatus)
      message: m
`),
    );
    expect(evidenceKeys).toEqual([
      'dataCheck',
      'modelEvaluation',
      'driftReport',
      'driftBaseline',
      'reproducibility',
      'monitorStatus',
    ]);
    expect(lintPolicySet(set)).toEqual([]);
  });

  it('returns errors as findings instead of throwing', async () => {
    const { set } = await loadText(
      policyText(`  validations:
    - name: a
      expression: evidnce.x
      message: m
`),
    );
    const findings = lintPolicySet(set);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.level).toBe('error');
    expect(findings[0]?.message).toContain('unknown name "evidnce"');
  });
});

describe('compileExpression', () => {
  const context: ExpressionContext = {
    where: 'policy.yaml:9:7',
    label: 'validation "v" of policy "p"',
    role: 'validation',
    visibleVariables: ['perf'],
    declaredVariables: ['perf', 'later'],
    knownParams: ['minAuc'],
    evidenceKeys,
  };

  it('compiles a clean expression without findings and runs it', () => {
    const { compiled, findings } = compileExpression('params.minAuc <= 0.8', context);
    expect(findings).toEqual([]);
    expect(compiled?.source).toBe('params.minAuc <= 0.8');
    expect(compiled?.where).toBe('policy.yaml:9:7');
  });

  it('is not fooled by a comprehension variable named like an input', () => {
    const { findings } = compileExpression('[1, 2].all(evidence, evidence > 0)', context);
    expect(findings).toEqual([]);
  });

  it('lets a messageExpression read variables but not a matchCondition', () => {
    expect(
      compileExpression('string(variables.perf)', { ...context, role: 'messageExpression' }).findings,
    ).toEqual([]);
    const { findings } = compileExpression('variables.perf', { ...context, role: 'matchCondition' });
    expect(findings.map((item) => item.level)).toEqual(['error']);
  });

  it('a syntax error: the caret under the exact column, on every line of a multi-line expression', () => {
    for (const [source, column] of [
      ['a > 1 &&', 6],
      ['x == 1 == ', 7],
      ['f(1))', 4],
      ['a &&\nb ||\n  c =! d', 4],
    ] as const) {
      const { findings } = compileExpression(source, {
        ...context,
        visibleVariables: [],
        declaredVariables: [],
      });
      const lines = findings[0]?.message.split('\n') ?? [];
      const caret = lines.at(-1) ?? '';
      const shown = (lines.at(-2) ?? '').slice(6);
      expect(caret.indexOf('^') - 6, source).toBe(column);
      expect(source.split('\n')).toContain(shown);
    }
  });
});
