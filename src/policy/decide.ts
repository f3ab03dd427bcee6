import { celError, celList, isCelError } from '@bufbuild/cel';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { contentDigest, type Digest, WardenError } from '../core/index.js';
import { BudgetExceeded, DecisionBudget, describeCelValue, withBudget } from './cel-environment.js';
import type { CompiledPolicy, CompiledPolicySet, CompiledValidation } from './compiled-policy-set.js';
import {
  type BindingAction,
  isGateName,
  type NoPolicyOutcome,
  type PolicyBindingDocument,
  type Severity,
  type SubjectSelector,
  severities,
} from './documents.js';
import type { EvidenceSigner } from './evidence-trust.js';
import { type Bindings, type CompiledExpression, isVariableFailureMessage } from './expression.js';
import type { GateInput, GateSubject, Waiver } from './gate-input.js';
import type { PolicySet } from './policy-set-loader.js';

export type Outcome = 'pass' | 'fail' | 'error' | 'waived';

/** One validation's verdict in a decision (docs/architecture.md, "A decision"). */
export interface DecisionResult {
  policy: string;
  binding: string;
  validation: string;
  action: BindingAction;
  outcome: Outcome;
  severity: Severity;
  message: string;
  controls: string[];
  /** Whether this result stops the gate: a deny failure, or a deny error under failurePolicy Fail. */
  blocking: boolean;
  /** On errors: Fail counts the error as a failure, Ignore lets it pass. */
  failurePolicy?: 'Fail' | 'Ignore';
  /** Tags the subject gets from this failure (from the validation's tagsOnFailure). */
  tags?: string[];
  waiver?: string;
}

/** A bound policy that did not apply, and why. */
export interface SkippedPolicy {
  policy: string;
  binding: string;
  reason: string;
}

/**
 * How a gate decided when no validation applied to it (docs/policies.md, "Fail closed"): which
 * default, declared where, and why in words.
 */
export interface GateDefaultApplied {
  onNoPolicy: NoPolicyOutcome;
  /** The key of the gate defaults that applied: the gate itself, or promote:* for a promotion. */
  gate: string;
  /** `GateDefaults "name"`, or `built-in` when the policy set declares nothing for the gate. */
  declaredBy: string;
  reason: string;
}

export interface Decision {
  kind: 'decision';
  schemaVersion: 1;
  id: Digest;
  gate: string;
  /** What was decided about, with the labels the bindings selected on (what riskTier the gate saw). */
  subject: { type: string; name: string; version?: string; labels: Record<string, string> };
  allowed: boolean;
  policySet: { revision: string; digest: Digest };
  summary: { pass: number; fail: number; error: number; waived: number; warnings: number; skipped: number };
  results: DecisionResult[];
  skipped: SkippedPolicy[];
  evidence: string[];
  /** Who signed each piece of evidence decided on, and whether the policy set trusts them for it. */
  signers: DecidedSigner[];
  /** The digest of the gate input (see gateInputDigest), so a saved input can be shown to be the one decided on. */
  input: { digest: Digest };
  decidedAt: string;
  actor: string;
  /** Bindings that apply here and ask for a human approval (present only when some do). */
  approvalRequiredBy?: string[];
  /** Present when no validation applied: the gate's default decided. */
  gateDefault?: GateDefaultApplied;
}

export interface DecidedSigner {
  evidence: string;
  kind: string;
  /** Null when the evidence was unsigned or its signer could not be verified. */
  signer: string | null;
  trusted: boolean;
}

export interface DecideOptions {
  evidenceIds?: string[];
  actor?: string;
  /**
   * Results the caller established outside the policies (a promotion's check that the version
   * carries no gate tag), decided and waived like any other result.
   */
  preconditions?: DecisionResult[];
}

/**
 * Evaluates every policy bound to the gate for this subject and returns the decision. The same
 * compiled set and the same input (its `now` included) always give the same decision.
 *
 * @example
 * const decision = decide(compiled, input, { evidenceIds: ['sha256:…'] });
 * if (!decision.allowed) process.exitCode = 1;
 */
export function decide(compiled: CompiledPolicySet, input: GateInput, options: DecideOptions = {}): Decision {
  if (typeof input.gate !== 'string' || !isGateName(input.gate)) {
    throw new WardenError(
      'WARDEN_ERR_GATE_INVALID_INPUT',
      `${JSON.stringify(input.gate)} is not a gate; gates are data, model, deploy, runtime and promote:<alias>`,
    );
  }
  const inputDigest = gateInputDigest(input);
  const now = new Date(input.now);
  if (Number.isNaN(now.getTime())) {
    throw new WardenError('WARDEN_ERR_GATE_INVALID_INPUT', `now "${input.now}" is not an ISO-8601 time`);
  }
  const budget = new DecisionBudget(compiled.limits.maxIterations, compiled.limits.timeLimitMs);
  const base: Bindings = {
    gate: input.gate,
    subject: toCel(input.subject),
    evidence: toCel(input.evidence),
    contract: toCel(input.contract),
    monitors: toCel(input.monitors),
    runtime: toCel(input.runtime ?? {}),
    now: timestampFromDate(now),
  };
  const preconditions = (options.preconditions ?? []).map((result) => ({ ...result }));
  const results: DecisionResult[] = [...preconditions];
  const skipped: SkippedPolicy[] = [];
  const approvalRequiredBy: string[] = [];

  withBudget(budget, () => {
    for (const binding of compiled.bindings) {
      const spec = binding.document.spec;
      if (!gateMatches(spec.gates, input.gate) || !subjectMatches(spec.subjects, input.subject)) continue;
      if (spec.requireApproval) approvalRequiredBy.push(binding.document.metadata.name);
      const policy = compiled.policies.get(spec.policyName);
      if (!policy) continue;
      budget.startBinding();
      const evaluation = evaluatePolicy(
        policy,
        binding.document,
        input.evidence,
        base,
        budget,
        compiled.limits.maxMessageLength,
      );
      if (evaluation.skipped) skipped.push(evaluation.skipped);
      results.push(...evaluation.results);
    }
  });

  for (const result of results) applyWaiver(result, input.waivers, now);
  const gateDefault =
    results.length === preconditions.length
      ? gateDefaultFor(compiled.set.gateDefaults, input.gate, skipped.length)
      : undefined;
  const decidedAt = input.now.replace(/\.\d{3}Z$/, 'Z');
  const withoutId = {
    kind: 'decision' as const,
    schemaVersion: 1 as const,
    gate: input.gate,
    subject: subjectReference(input.subject),
    allowed: !results.some((result) => result.blocking) && gateDefault?.onNoPolicy !== 'deny',
    policySet: { revision: compiled.set.revision, digest: compiled.set.digest },
    summary: {
      pass: count(results, 'pass'),
      fail: count(results, 'fail'),
      error: count(results, 'error'),
      waived: count(results, 'waived'),
      warnings: results.filter((result) => result.action === 'warn' && !result.blocking && isProblem(result))
        .length,
      skipped: skipped.length,
    },
    results,
    skipped,
    evidence: options.evidenceIds ?? [],
    signers: decidedSigners(input.evidence),
    input: { digest: inputDigest },
    decidedAt,
    actor: options.actor ?? 'local',
    ...(approvalRequiredBy.length > 0 ? { approvalRequiredBy } : {}),
    ...(gateDefault ? { gateDefault } : {}),
  };
  const { kind, schemaVersion, ...rest } = withoutId;
  return { kind, schemaVersion, id: contentDigest(withoutId), ...rest };
}

function decidedSigners(evidence: GateInput['evidence']): DecidedSigner[] {
  return Object.values(evidence).flatMap((document) => {
    const { id, kind, signer } = document as { id?: unknown; kind?: unknown; signer?: EvidenceSigner | null };
    if (typeof id !== 'string' || typeof kind !== 'string') return [];
    const name =
      signer !== null && typeof signer === 'object' && typeof signer.name === 'string' ? signer.name : null;
    return [{ evidence: id, kind, signer: name, trusted: name !== null && signer?.trusted === true }];
  });
}

/** Gates that fail closed when the policy set does not say otherwise. */
const closedByDefault = (gate: string) => gate === 'deploy' || gate.startsWith('promote:');

/**
 * The default of a gate no validation applied to: the set's GateDefaults entry for the gate, else
 * its promote:* entry for a promotion, else deny for promote:* and deploy and allow elsewhere.
 */
function gateDefaultFor(
  declared: PolicySet['gateDefaults'],
  gate: string,
  skippedPolicies: number,
): GateDefaultApplied {
  const gates = declared?.document.spec.gates ?? {};
  const key = Object.hasOwn(gates, gate)
    ? gate
    : gate.startsWith('promote:') && Object.hasOwn(gates, 'promote:*')
      ? 'promote:*'
      : undefined;
  const why = `no policy applies to gate ${gate} for this subject (${
    skippedPolicies === 0
      ? 'no binding selects it'
      : skippedPolicies === 1
        ? '1 bound policy was skipped by its matchConditions'
        : `${skippedPolicies} bound policies were skipped by their matchConditions`
  })`;
  if (key === undefined || !declared) {
    const onNoPolicy = closedByDefault(gate) ? 'deny' : 'allow';
    const builtInGate = gate.startsWith('promote:') ? 'promote:*' : gate;
    return {
      onNoPolicy,
      gate: builtInGate,
      declaredBy: 'built-in',
      reason:
        onNoPolicy === 'deny'
          ? `${why}, and the policy set declares no default for it: denied (fail closed); declare the gate open with a GateDefaults document if this is intended`
          : `${why}, and the policy set declares no default for it: allowed (${builtInGate} is open by default); declare onNoPolicy: deny for it in a GateDefaults document to close it`,
    };
  }
  const { onNoPolicy } = gates[key] as { onNoPolicy: NoPolicyOutcome };
  const declaredBy = `GateDefaults "${declared.document.metadata.name}"`;
  return {
    onNoPolicy,
    gate: key,
    declaredBy,
    reason: `${why}, and ${declaredBy} declares ${key} onNoPolicy: ${onNoPolicy}: ${onNoPolicy === 'deny' ? 'denied (fail closed)' : 'allowed (declared open)'}`,
  };
}

const count = (results: DecisionResult[], outcome: Outcome) =>
  results.filter((result) => result.outcome === outcome).length;

const isProblem = (result: DecisionResult) => result.outcome === 'fail' || result.outcome === 'error';

function subjectReference(subject: GateSubject): Decision['subject'] {
  return {
    type: subject.type,
    name: subject.name,
    ...(subject.version === undefined ? {} : { version: subject.version }),
    labels: { ...subject.labels },
  };
}

export function gateMatches(gates: readonly string[], gate: string): boolean {
  return gates.some(
    (pattern) => pattern === gate || (pattern === 'promote:*' && gate.startsWith('promote:')),
  );
}

/** Kubernetes label-selector semantics over the subject's labels, plus type and name lists. */
export function subjectMatches(selector: SubjectSelector, subject: GateSubject): boolean {
  if (selector.types && !selector.types.includes(subject.type)) return false;
  if (selector.names && !selector.names.includes(subject.name)) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (subject.labels[key] !== value) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    const value = subject.labels[requirement.key];
    const values = requirement.values ?? [];
    const holds =
      requirement.operator === 'Exists'
        ? value !== undefined
        : requirement.operator === 'DoesNotExist'
          ? value === undefined
          : requirement.operator === 'In'
            ? value !== undefined && values.includes(value)
            : value === undefined || !values.includes(value);
    if (!holds) return false;
  }
  return true;
}

function evaluatePolicy(
  policy: CompiledPolicy,
  binding: PolicyBindingDocument,
  evidence: GateInput['evidence'],
  base: Bindings,
  budget: DecisionBudget,
  maxMessageLength: number,
): { results: DecisionResult[]; skipped?: SkippedPolicy } {
  const bindingName = binding.metadata.name;
  const action = binding.spec.action;
  const params = mergeParams(policy.params, binding.spec.params);
  const bindings: Bindings = { ...base, params: toCel(params) };
  bindings['variables'] = new LazyVariables(policy.variables, bindings);
  const result = (
    validation: string,
    outcome: Outcome,
    message: string,
    severity: Severity,
    tags?: string[],
  ): DecisionResult => {
    const failurePolicy =
      outcome === 'error' ? (crowdedOut(message) ? 'Fail' : policy.failurePolicy) : undefined;
    const blocking =
      (action === 'deny' || action === 'rollback') &&
      (outcome === 'fail' || (outcome === 'error' && failurePolicy === 'Fail'));
    return {
      policy: policy.name,
      binding: bindingName,
      validation,
      action,
      outcome,
      severity,
      message,
      controls: policy.controls,
      blocking,
      ...(failurePolicy ? { failurePolicy } : {}),
      ...(outcome === 'fail' && tags?.length ? { tags } : {}),
    };
  };

  const missingEvidence = policy.requiredEvidence.filter(
    (kind) => !Object.hasOwn(evidence, kind) || evidence[kind] == null,
  );
  if (missingEvidence.length > 0) {
    const severity = mostSevere(policy.validations.map((validation) => validation.document.severity));
    return {
      results: missingEvidence.map((kind) =>
        result(`requiredEvidence:${kind}`, 'fail', missingEvidenceMessage(policy.name, kind), severity),
      ),
    };
  }

  for (const condition of policy.matchConditions) {
    const value = run(condition.expression, bindings, budget);
    if (value === false) {
      return {
        results: [],
        skipped: {
          policy: policy.name,
          binding: bindingName,
          reason: `matchCondition "${condition.name}" is false`,
        },
      };
    }
    if (value !== true) {
      const problem = isCelError(value)
        ? condition.expression.explain(value)
        : notBoolean(value, 'a matchCondition');
      if (policy.failurePolicy === 'Ignore' && !crowdedOut(problem)) {
        return {
          results: [],
          skipped: {
            policy: policy.name,
            binding: bindingName,
            reason: `matchCondition "${condition.name}" failed (failurePolicy Ignore): ${firstLine(problem)}`,
          },
        };
      }
      return {
        results: [
          result(
            `matchCondition:${condition.name}`,
            'error',
            `matchCondition "${condition.name}" could not be evaluated: ${problem}`,
            'high',
          ),
        ],
      };
    }
  }

  const results = policy.validations.map((validation) => {
    const { document } = validation;
    const value = run(validation.expression, bindings, budget);
    if (value === true) return result(document.name, 'pass', passMessage(document.name), document.severity);
    if (value === false) {
      return result(
        document.name,
        'fail',
        failureMessage(validation, bindings, budget, maxMessageLength),
        document.severity,
        document.tagsOnFailure,
      );
    }
    const problem = isCelError(value)
      ? validation.expression.explain(value)
      : notBoolean(value, 'a validation');
    return result(document.name, 'error', problem, document.severity);
  });
  return { results };
}

/** How to produce each kind of evidence, for the message of a policy that requires it. */
const evidenceProducers: Record<string, string> = {
  dataCheck: 'warden check data … --json FILE',
  modelEvaluation: 'warden check model … --json FILE',
  driftReport: 'warden check drift … --json FILE',
  driftBaseline: 'warden baseline create … --evidence FILE',
};

function missingEvidenceMessage(policy: string, kind: string): string {
  const producer = evidenceProducers[kind];
  const how = producer
    ? `produce it with ${producer}, then pass the file with --evidence (or submit it with warden evidence submit)`
    : 'no Warden check writes it yet; attach it from the tool that produces it';
  return `policy "${policy}" requires ${kind} evidence and none was given for this subject; ${how}`;
}

const mostSevere = (levels: readonly Severity[]): Severity =>
  severities.find((severity) => levels.includes(severity)) ?? 'medium';

const passMessage = (validation: string) => `${validation} holds`;

function failureMessage(
  validation: CompiledValidation,
  bindings: Bindings,
  budget: DecisionBudget,
  maxLength: number,
): string {
  const fallback =
    validation.document.message ?? `failed expression: ${validation.document.expression.trim()}`;
  if (!validation.messageExpression) return fallback;
  const rendered = run(validation.messageExpression, bindings, budget);
  if (typeof rendered !== 'string') return fallback;
  const text = rendered.trim();
  return text === '' || text.includes('\n') || text.length > maxLength ? fallback : text;
}

function notBoolean(value: unknown, what: string): string {
  return `the expression returned ${describeCelValue(value)}, not a bool; ${what} must be a condition such as \`x >= 0.75\``;
}

const firstLine = (text: string) => text.split('\n')[0] ?? text;

/** Runs one expression under the decision's budget; a budget overrun is an error value, not a throw. */
function run(expression: CompiledExpression, bindings: Bindings, budget: DecisionBudget): unknown {
  if (budget.timeExhausted) return celError(timeUsedUp);
  if (budget.iterationsExhausted) {
    return celError('not evaluated: an earlier expression of this policy used up its iteration budget');
  }
  try {
    budget.checkTime();
    return expression.run(bindings);
  } catch (error) {
    if (error instanceof BudgetExceeded) return celError(error.message);
    throw error;
  }
}

const timeUsedUp = 'not evaluated: the decision ran out of time in an earlier policy';

/**
 * An expression left out because another policy used up the decision's time blocks a deny binding
 * whatever its failurePolicy: one runaway policy must not quietly switch off the others.
 */
const crowdedOut = (message: string) => message.startsWith(timeUsedUp);

/**
 * `variables` as Kubernetes evaluates them: lazily, at most once per decision and binding, and an
 * error inside a variable surfaces in the expression that reads it.
 */
class LazyVariables extends Map<string, unknown> {
  private readonly cache = new Map<string, unknown>();

  constructor(
    private readonly variables: Map<string, CompiledExpression>,
    private readonly bindings: Bindings,
  ) {
    super();
  }

  override get(name: string): unknown {
    if (!this.cache.has(name)) {
      const expression = this.variables.get(name);
      if (!expression) return undefined;
      const value = expression.run(this.bindings);
      this.cache.set(name, isCelError(value) ? new VariableFailure(name, expression.explain(value)) : value);
    }
    const value = this.cache.get(name);
    if (value instanceof VariableFailure) throw value;
    return value;
  }

  override has(name: string): boolean {
    return this.variables.has(name);
  }
}

/** A variable's own error, raised where it is read; nested failures keep the innermost one. */
class VariableFailure extends Error {
  constructor(name: string, explanation: string) {
    super(
      isVariableFailureMessage(explanation)
        ? explanation
        : `variables.${name} could not be evaluated: ${explanation}`,
    );
  }
}

function applyWaiver(result: DecisionResult, waivers: readonly Waiver[], now: Date): void {
  if (result.outcome !== 'fail') return;
  const waiver = waivers.find(
    (candidate) =>
      candidate.policy === result.policy &&
      (candidate.validation === undefined || candidate.validation === result.validation) &&
      Date.parse(candidate.expiresAt) > now.getTime(),
  );
  if (!waiver) return;
  result.outcome = 'waived';
  result.blocking = false;
  result.waiver = waiver.id;
  delete result.tags;
}

/**
 * A binding's params over the policy's: objects merge key by key (so a binding can set just
 * `parityBand.min`), anything else — numbers, strings, lists — is replaced.
 */
export function mergeParams(
  defaults: Record<string, unknown>,
  overrides: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) {
    const base = merged[key];
    merged[key] = isPlainObject(base) && isPlainObject(value) ? mergeParams(base, value) : value;
  }
  return merged;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The digest of a gate input: SHA-256 of its canonical JSON with each evidence document that
 * carries an id written as that id. A sealed document's id is already the digest of its content,
 * so this names the same input without serialising every document again on every decision.
 */
export function gateInputDigest(input: GateInput): Digest {
  const evidence = Object.fromEntries(
    Object.entries(input.evidence).map(([key, document]) => {
      const id = (document as { id?: unknown }).id;
      return [key, typeof id === 'string' && id.startsWith('sha256:') ? id : document];
    }),
  );
  try {
    return contentDigest({ ...input, evidence });
  } catch (error) {
    throw new WardenError(
      'WARDEN_ERR_GATE_INVALID_INPUT',
      `the gate input cannot be written as JSON (${(error as Error).message}); evidence, contract and monitors must hold JSON values`,
    );
  }
}

/**
 * Hands JSON to CEL lazily: an object becomes a map whose fields are converted the first time an
 * expression reads them and kept for the rest of the decision. A hundred validations then share the
 * conversion of what they read, and nothing is converted that none of them reads.
 */
function toCel(value: unknown): unknown {
  if (Array.isArray(value)) return celList(value.map(toCel) as never);
  if (value !== null && typeof value === 'object') return new JsonMap(value as Record<string, unknown>);
  return value;
}

class JsonMap extends Map<string, unknown> {
  constructor(private readonly source: Record<string, unknown>) {
    super();
  }

  override get(key: string): unknown {
    if (super.has(key)) return super.get(key);
    if (!this.has(key)) return undefined;
    const value = toCel(this.source[key]);
    super.set(key, value);
    return value;
  }

  override has(key: string): boolean {
    return Object.hasOwn(this.source, key) && this.source[key] !== undefined;
  }

  override get size(): number {
    return this.fieldNames().length;
  }

  override keys(): MapIterator<string> {
    return this.fieldNames()[Symbol.iterator]();
  }

  override *entries(): MapIterator<[string, unknown]> {
    for (const key of this.fieldNames()) yield [key, this.get(key)];
  }

  override *values(): MapIterator<unknown> {
    for (const key of this.fieldNames()) yield this.get(key);
  }

  override forEach(
    callback: (value: unknown, key: string, map: Map<string, unknown>) => void,
    thisArg?: unknown,
  ): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }

  override [Symbol.iterator](): MapIterator<[string, unknown]> {
    return this.entries();
  }

  private fieldNames(): string[] {
    return Object.keys(this.source).filter((key) => this.source[key] !== undefined);
  }
}
