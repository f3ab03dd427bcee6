import { WardenError } from '../core/index.js';
import type { PolicyBindingDocument, PolicyDocument, ValidationDocument } from './documents.js';
import {
  type CompiledExpression,
  compileExpression,
  defaultLimits,
  type ExpressionContext,
  type ExpressionRole,
  type Finding,
  type PolicyLimits,
} from './expression.js';
import { evidenceKeys } from './gate-input.js';
import type { Located, PolicySet } from './policy-set-loader.js';

export interface CompiledValidation {
  document: ValidationDocument;
  expression: CompiledExpression;
  messageExpression?: CompiledExpression;
}

export interface CompiledPolicy {
  name: string;
  located: Located<PolicyDocument>;
  params: Record<string, unknown>;
  failurePolicy: 'Fail' | 'Ignore';
  /** Evidence keys (camelCase) whose absence fails the policy instead of skipping it. */
  requiredEvidence: string[];
  controls: string[];
  matchConditions: { name: string; expression: CompiledExpression }[];
  variables: Map<string, CompiledExpression>;
  validations: CompiledValidation[];
}

/** A policy set with every expression compiled once, ready to decide gates. */
export interface CompiledPolicySet {
  set: PolicySet;
  limits: PolicyLimits;
  policies: Map<string, CompiledPolicy>;
  bindings: Located<PolicyBindingDocument>[];
  /** Problems that do not stop the set from running (lint shows them). */
  warnings: Finding[];
}

/**
 * Compiles every expression of a policy set. Errors in any expression are all reported together
 * (with the expression and a caret), so an author fixes them in one pass.
 */
export function compilePolicySet(set: PolicySet, limits: PolicyLimits = defaultLimits): CompiledPolicySet {
  const { compiled, findings } = compileWithFindings(set, limits);
  const errors = findings.filter((finding) => finding.level === 'error');
  if (errors.length > 0 || !compiled) {
    const shown = errors.slice(0, 20).map((finding) => `${finding.where}: ${finding.message}`);
    const more = errors.length > shown.length ? `\n  … and ${errors.length - shown.length} more` : '';
    throw new WardenError(
      'WARDEN_ERR_POLICY_EXPRESSION',
      `${set.source}: ${errors.length} expression${errors.length === 1 ? '' : 's'} cannot be compiled:\n  ${shown.join('\n  ')}${more}`,
      { where: set.source },
    );
  }
  return compiled;
}

/** Everything `warden policy lint` reports: expression errors and warnings, and set-level warnings. */
export function lintPolicySet(set: PolicySet, limits: PolicyLimits = defaultLimits): Finding[] {
  return compileWithFindings(set, limits).findings;
}

function compileWithFindings(
  set: PolicySet,
  limits: PolicyLimits,
): { compiled?: CompiledPolicySet; findings: Finding[] } {
  const findings: Finding[] = [];
  const policies = new Map<string, CompiledPolicy>();
  for (const located of set.policies) {
    const policy = compilePolicy(located, limits, findings);
    if (policy) policies.set(policy.name, policy);
  }
  findings.push(...setWarnings(set));
  if (findings.some((finding) => finding.level === 'error')) return { findings };
  return {
    compiled: {
      set,
      limits,
      policies,
      bindings: set.bindings,
      warnings: findings.filter((finding) => finding.level === 'warning'),
    },
    findings,
  };
}

function compilePolicy(
  located: Located<PolicyDocument>,
  limits: PolicyLimits,
  findings: Finding[],
): CompiledPolicy | undefined {
  const { metadata, spec } = located.document;
  const policyName = metadata.name;
  const declaredVariables = spec.variables.map((variable) => variable.name);
  const knownParams = Object.keys(spec.params);
  let failed = false;
  const compile = (
    source: string,
    path: (string | number)[],
    label: string,
    role: ExpressionRole,
    visibleVariables: readonly string[],
  ): CompiledExpression | undefined => {
    const context: ExpressionContext = {
      where: located.locate(path),
      label: `${label} of policy "${policyName}"`,
      role,
      visibleVariables,
      declaredVariables,
      knownParams,
      evidenceKeys,
    };
    const result = compileExpression(source, context, limits);
    findings.push(...result.findings);
    if (!result.compiled) failed = true;
    return result.compiled;
  };

  const matchConditions = spec.matchConditions.map((condition, index) => ({
    name: condition.name,
    expression: compile(
      condition.expression,
      ['spec', 'matchConditions', index, 'expression'],
      `matchCondition "${condition.name}"`,
      'matchCondition',
      [],
    ),
  }));
  const variables = new Map<string, CompiledExpression | undefined>();
  spec.variables.forEach((variable, index) => {
    variables.set(
      variable.name,
      compile(
        variable.expression,
        ['spec', 'variables', index, 'expression'],
        `variable "${variable.name}"`,
        'variable',
        declaredVariables.slice(0, index),
      ),
    );
  });
  const validations = spec.validations.map((validation, index) => ({
    document: validation,
    expression: compile(
      validation.expression,
      ['spec', 'validations', index, 'expression'],
      `validation "${validation.name}"`,
      'validation',
      declaredVariables,
    ),
    messageExpression:
      validation.messageExpression === undefined
        ? undefined
        : compile(
            validation.messageExpression,
            ['spec', 'validations', index, 'messageExpression'],
            `messageExpression of validation "${validation.name}"`,
            'messageExpression',
            declaredVariables,
          ),
  }));
  spec.validations.forEach((validation, index) => {
    if (validation.message === undefined && validation.messageExpression === undefined) {
      findings.push({
        level: 'warning',
        where: located.locate(['spec', 'validations', index]),
        message: `validation "${validation.name}" of policy "${policyName}" has no message or messageExpression; a failure will read "failed expression: …". Say what is wrong and what to do`,
      });
    }
  });
  if (failed) return undefined;
  return {
    name: policyName,
    located,
    params: spec.params,
    failurePolicy: spec.failurePolicy,
    requiredEvidence: spec.requiredEvidence,
    controls: metadata.controls ?? [],
    matchConditions: matchConditions as CompiledPolicy['matchConditions'],
    variables: variables as Map<string, CompiledExpression>,
    validations: validations as CompiledValidation[],
  };
}

function setWarnings(set: PolicySet): Finding[] {
  const bound = new Set(set.bindings.map((binding) => binding.document.spec.policyName));
  return set.policies
    .filter((policy) => !bound.has(policy.document.metadata.name))
    .map((policy) => ({
      level: 'warning' as const,
      where: policy.locate(['metadata', 'name']),
      message: `policy "${policy.document.metadata.name}" has no PolicyBinding, so it never runs at any gate; bind it (action: audit is a safe start) or remove it`,
    }));
}
