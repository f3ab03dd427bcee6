import { z } from 'zod';
import { didYouMean, evidenceKinds } from '../core/index.js';
import { evidenceKeys } from './gate-input.js';

/**
 * The documents of a policy set, shaped after Kubernetes' ValidatingAdmissionPolicy and its binding
 * so that people who know those feel at home. Every object is strict: an unknown field is an
 * error, because a misspelt `matchCondition` that is silently ignored would weaken a control.
 */

export const apiVersion = 'warden.dev/v1';

/** A gate name: data, model, deploy, runtime, or promote:<alias>. Bindings may say promote:*. */
export const fixedGates = ['data', 'model', 'deploy', 'runtime'] as const;
const aliasPattern = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export function isGateName(gate: string, allowWildcard = false): boolean {
  if ((fixedGates as readonly string[]).includes(gate)) return true;
  if (!gate.startsWith('promote:')) return false;
  const alias = gate.slice('promote:'.length);
  return aliasPattern.test(alias) || (allowWildcard && alias === '*');
}

const name = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    'a name is lowercase letters, digits and dashes, starting and ending with a letter or digit (at most 63)',
  );

const expression = z.string().trim().min(1, 'an expression may not be empty');

const namedExpression = z.strictObject({ name, expression });

/** Variables are read as `variables.<name>`, so their names are CEL identifiers. */
const variable = z.strictObject({
  name: z
    .string()
    .regex(
      /^[A-Za-z_][A-Za-z0-9_]{0,62}$/,
      'a variable name is a CEL identifier: letters, digits and _, not starting with a digit (camelCase reads best)',
    ),
  expression,
});

export const severities = ['critical', 'high', 'medium', 'low', 'info'] as const;
/** `rollback` is `deny` at the runtime gate that also takes the model's production version out of traffic. */
export const actions = ['deny', 'warn', 'audit', 'rollback'] as const;

/** Parameters are JSON values: YAML's .inf and .nan have no JSON form, so the set could not be digested. */
const params = z.record(z.string(), z.unknown()).superRefine((value, context) => {
  const visit = (item: unknown, path: (string | number)[]): void => {
    if (typeof item === 'number' && !Number.isFinite(item)) {
      context.addIssue({
        code: 'custom',
        path,
        message: `${item} is not a number JSON can hold; write a finite number`,
      });
    } else if (Array.isArray(item)) {
      for (const [index, element] of item.entries()) visit(element, [...path, index]);
    } else if (item !== null && typeof item === 'object') {
      for (const [key, element] of Object.entries(item)) visit(element, [...path, key]);
    }
  };
  visit(value, []);
});

const metadata = z.strictObject({
  name,
  description: z.string().optional(),
  /** Control ids this policy implements, e.g. eu-ai-act:art15 or nist-ai-rmf:MEASURE-2.3. */
  controls: z.array(z.string().min(1)).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const validation = z.strictObject({
  name,
  expression,
  message: z
    .string()
    .refine((text) => !text.includes('\n'), 'a message is one line')
    .optional(),
  messageExpression: expression.optional(),
  severity: z.enum(severities).default('medium'),
  /** Tags the subject gets when this validation fails at a deny binding (used by promotions). */
  tagsOnFailure: z.array(z.string().min(1)).optional(),
});

/** Evidence kinds a policy cannot be decided without: a missing one fails the policy. */
const requiredEvidence = z
  .array(z.enum(evidenceKeys as [string, ...string[]]))
  .refine((kinds) => new Set(kinds).size === kinds.length, 'requiredEvidence names a kind twice');

export const policyDocumentSchema = z.strictObject({
  apiVersion: z.literal(apiVersion),
  kind: z.literal('Policy'),
  metadata,
  spec: z.strictObject({
    params: params.default({}),
    matchConditions: z.array(namedExpression).max(64).default([]),
    requiredEvidence: requiredEvidence.default([]),
    variables: z.array(variable).default([]),
    validations: z.array(validation).min(1, 'a policy needs at least one validation'),
    failurePolicy: z.enum(['Fail', 'Ignore']).default('Fail'),
  }),
});

const labelSelectorRequirement = z.strictObject({
  key: z.string().min(1),
  operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
  values: z.array(z.string()).optional(),
});

export const subjectTypes = ['dataset', 'model-version', 'deployment'] as const;

export const policyBindingDocumentSchema = z.strictObject({
  apiVersion: z.literal(apiVersion),
  kind: z.literal('PolicyBinding'),
  metadata,
  spec: z
    .strictObject({
      policyName: name,
      gates: z
        .array(
          z
            .string()
            .refine(
              (gate) => isGateName(gate, true),
              'a gate is data, model, deploy, runtime, promote:<alias> or promote:*',
            ),
        )
        .min(1, 'a binding names at least one gate'),
      subjects: z
        .strictObject({
          types: z.array(z.enum(subjectTypes)).optional(),
          names: z.array(z.string().min(1)).optional(),
          matchLabels: z.record(z.string(), z.string()).optional(),
          matchExpressions: z.array(labelSelectorRequirement).optional(),
        })
        .default({}),
      action: z.enum(actions).default('deny'),
      params: params.default({}),
      /** A person must approve a promotion this binding applies to, even when every rule passes. */
      requireApproval: z.boolean().optional(),
    })
    .refine((spec) => spec.action !== 'rollback' || spec.gates.every((gate) => gate === 'runtime'), {
      path: ['action'],
      message: 'action rollback applies only at the runtime gate: bind it to gates: [runtime]',
    }),
});

/** What a gate decides when no validation applies to it (docs/policies.md, "Fail closed"). */
export const noPolicyOutcomes = ['deny', 'allow'] as const;
const gatePatterns = [...fixedGates, 'promote:*'];

export const gateDefaultsDocumentSchema = z.strictObject({
  apiVersion: z.literal(apiVersion),
  kind: z.literal('GateDefaults'),
  metadata,
  spec: z.strictObject({
    /** Keyed by gate: data, model, deploy, runtime, promote:<alias> or promote:* (every promotion). */
    gates: z
      .record(
        z.string().superRefine((gate, context) => {
          if (isGateName(gate, true)) return;
          // promote-production, promote.production: the alias is right, the separator is not.
          const promotion = gate.replace(/^promote[^:a-z0-9]/i, 'promote:');
          const candidates = isGateName(promotion, true) ? [...gatePatterns, promotion] : gatePatterns;
          context.addIssue({
            code: 'custom',
            message: `"${gate}" is not a gate${didYouMean(gate, candidates)}; the gates are data, model, deploy, runtime, promote:<alias> and promote:*`,
          });
        }),
        z.strictObject({ onNoPolicy: z.enum(noPolicyOutcomes) }),
      )
      .refine((gates) => Object.keys(gates).length > 0, 'declare at least one gate'),
  }),
});

/** Which signers the policy set trusts for which evidence kinds (docs/security.md, "Signed evidence"). */
export const trustPolicyDocumentSchema = z.strictObject({
  apiVersion: z.literal(apiVersion),
  kind: z.literal('TrustPolicy'),
  metadata,
  spec: z.strictObject({
    signers: z
      .array(
        z.strictObject({
          /** A signing key's name as registered on the server (warden key register NAME). */
          name: z
            .string()
            .regex(
              /^[a-z0-9][a-z0-9._-]{0,62}$/,
              'a signer name is lowercase letters, digits, ".", "_" and "-"',
            ),
          evidenceKinds: z
            .array(z.enum(evidenceKinds))
            .min(1, 'name the evidence kinds this signer is trusted for'),
          /** SPKI PEM: pins the signer's key, and lets warden gate on files verify it. */
          publicKey: z.string().optional(),
        }),
      )
      .min(1, 'a TrustPolicy names at least one signer'),
  }),
});

const outcome = z.enum(['pass', 'fail', 'error', 'waived', 'skip']);

const subject = z.strictObject({
  type: z.enum(subjectTypes).default('model-version'),
  name: z.string().min(1).default('example'),
  version: z.string().optional(),
  labels: z.record(z.string(), z.string()).default({}),
  owner: z.string().optional(),
  tags: z.array(z.string()).default([]),
  artifactDigest: z.string().optional(),
});

const testCase = z.strictObject({
  name: z.string().min(1),
  /** Evaluate one policy directly with these params (a unit test), bypassing bindings. */
  policy: name.optional(),
  /** Or evaluate the whole set at a gate, through the bindings (an integration test). */
  gate: z
    .string()
    .refine((gate) => isGateName(gate), 'a gate is data, model, deploy, runtime or promote:<alias>')
    .optional(),
  params: params.optional(),
  subject: subject.optional(),
  /** Evidence keyed by kind in camelCase, inline; or files relative to the test file. */
  evidence: z.record(z.string(), z.unknown()).optional(),
  evidenceFiles: z.array(z.string().min(1)).optional(),
  contract: z.unknown().optional(),
  monitors: z.array(z.unknown()).optional(),
  /** The runtime gate's live-traffic section (docs/rollouts.md). */
  runtime: z.record(z.string(), z.unknown()).optional(),
  now: z.string().datetime({ offset: true }).optional(),
  skip: z.string().optional(),
  expect: z.strictObject({
    allowed: z.boolean().optional(),
    /** Outcome per validation: `validation` for a policy case, `policy/validation` for a gate case. */
    results: z.record(z.string(), outcome).optional(),
    /** Substrings each named validation's message must contain. */
    messages: z.record(z.string(), z.string()).optional(),
    /** True when the policy's matchConditions should leave it out. */
    skipped: z.boolean().optional(),
  }),
});

export const policyTestDocumentSchema = z.strictObject({
  apiVersion: z.literal(apiVersion),
  kind: z.literal('PolicyTest'),
  metadata,
  spec: z.strictObject({
    cases: z.array(testCase).min(1, 'a policy test needs at least one case'),
  }),
});

export type PolicyDocument = z.infer<typeof policyDocumentSchema>;
export type PolicyBindingDocument = z.infer<typeof policyBindingDocumentSchema>;
export type PolicyTestDocument = z.infer<typeof policyTestDocumentSchema>;
export type GateDefaultsDocument = z.infer<typeof gateDefaultsDocumentSchema>;
export type TrustPolicyDocument = z.infer<typeof trustPolicyDocumentSchema>;
export type NoPolicyOutcome = (typeof noPolicyOutcomes)[number];
export type PolicyTestCase = z.infer<typeof testCase>;
export type ValidationDocument = z.infer<typeof validation>;
export type BindingAction = (typeof actions)[number];
export type Severity = (typeof severities)[number];
export type SubjectSelector = PolicyBindingDocument['spec']['subjects'];

export const documentSchemas = {
  Policy: policyDocumentSchema,
  PolicyBinding: policyBindingDocumentSchema,
  PolicyTest: policyTestDocumentSchema,
  GateDefaults: gateDefaultsDocumentSchema,
  TrustPolicy: trustPolicyDocumentSchema,
} as const;

export type DocumentKind = keyof typeof documentSchemas;
