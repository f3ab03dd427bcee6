import { type CelError, type CelResult, parse, plan } from '@bufbuild/cel';
import { type Expr, ExprSchema } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { create } from '@bufbuild/protobuf';
import { didYouMean } from '../core/index.js';
import { budgetFunctionName, knownFunctionNames, policyEnvironment } from './cel-environment.js';

/** Calls the planner handles itself, never through the function list. */
const plannerOperators = ['_&&_', '_||_', '_?_:_', '_[_]', '@not_strictly_false', '__not_strictly_false__'];

/** CEL's macros: expanded by the parser, so never in the function list, yet often misspelt. */
const macroNames = ['all', 'exists', 'exists_one', 'map', 'filter', 'has'];

/** Limits that keep a policy from costing more than a gate can afford (docs/architecture.md, "Security model"). */
export interface PolicyLimits {
  /** Characters in one expression. */
  maxExpressionLength: number;
  /** Nodes in one expression's syntax tree (after macro expansion). */
  maxExpressionNodes: number;
  /** Depth of one expression's syntax tree. */
  maxExpressionDepth: number;
  /** all()/exists()/map()/filter() inside one another. */
  maxComprehensionNesting: number;
  /** Comprehension iterations in one decision, over all its expressions. */
  maxIterations: number;
  /** Wall-clock time one decision may take. */
  timeLimitMs: number;
  /** Size of the gate input (its JSON), checked where it is read (evidence files, a saved input). */
  maxInputBytes: number;
  /** Length of a rendered message; longer ones fall back to the static message. */
  maxMessageLength: number;
}

export const defaultLimits: PolicyLimits = {
  maxExpressionLength: 10_000,
  maxExpressionNodes: 2_000,
  maxExpressionDepth: 64,
  maxComprehensionNesting: 3,
  maxIterations: 1_000_000,
  timeLimitMs: 1_000,
  maxInputBytes: 16 * 1024 * 1024,
  maxMessageLength: 5 * 1024,
};

/** The names an expression sees at the top level (docs/policies.md, "The gate input"). */
export const inputNames = [
  'gate',
  'subject',
  'evidence',
  'contract',
  'monitors',
  'runtime',
  'params',
  'now',
] as const;

export type ExpressionRole = 'matchCondition' | 'variable' | 'validation' | 'messageExpression';

export interface ExpressionContext {
  /** `policies/credit.yaml:14:9`: where the expression is written. */
  where: string;
  /** `validation "min-auc" of policy "credit-model-quality"`. */
  label: string;
  role: ExpressionRole;
  /** Variables this expression may read: those declared before it (none for matchConditions). */
  visibleVariables: readonly string[];
  /** Every variable the policy declares, to tell "declared later" from "not declared". */
  declaredVariables: readonly string[];
  /** Parameter names the policy declares defaults for. */
  knownParams: readonly string[];
  /** Evidence keys Warden produces (camelCase kinds). */
  evidenceKeys: readonly string[];
}

export interface Finding {
  level: 'error' | 'warning';
  where: string;
  message: string;
}

export type Bindings = Record<string, unknown>;

export interface CompiledExpression {
  source: string;
  where: string;
  label: string;
  run(bindings: Bindings): CelResult;
  /** A person's explanation of a runtime error: what failed, where in the expression, the fix. */
  explain(error: CelError): string;
}

/**
 * Parses, checks and plans one expression. Problems found before running (syntax, size, unknown
 * names and functions, unsafe constructs) come back as findings; errors make the expression
 * unusable, warnings do not. Every comprehension gets a budget check spliced into its loop
 * condition, so a runaway expression stops with an error instead of hanging the process.
 */
export function compileExpression(
  source: string,
  context: ExpressionContext,
  limits: PolicyLimits = defaultLimits,
): { compiled?: CompiledExpression; findings: Finding[] } {
  const findings: Finding[] = [];
  const error = (message: string, offset?: number) =>
    findings.push({
      level: 'error',
      where: context.where,
      message: withCaret(`${context.label}: ${message}`, source, offset),
    });
  if (source.length > limits.maxExpressionLength) {
    error(
      `the expression is ${source.length} characters; at most ${limits.maxExpressionLength} are allowed. Move parts into variables`,
    );
    return { findings };
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(source);
  } catch (thrown) {
    const { message, offset } = syntaxError(thrown, source);
    error(`CEL syntax error: ${message}`, offset);
    return { findings };
  }
  const positions = new Map<bigint, number>(
    Object.entries(parsed.sourceInfo?.positions ?? {}).map(([id, offset]) => [BigInt(id), offset]),
  );
  const analysis = analyse(parsed.expr, source, context, limits, positions, findings);
  if (findings.some((finding) => finding.level === 'error')) return { findings };

  let nextId = analysis.maxId;
  spliceBudgetChecks(parsed.expr, () => ++nextId, positions);
  const program = plan(policyEnvironment, parsed);
  const compiled: CompiledExpression = {
    source,
    where: context.where,
    label: context.label,
    run: (bindings) => program(bindings as Parameters<typeof program>[0]),
    explain: (celError) => explainError(celError, source, positions, analysis.paths),
  };
  return { compiled, findings };
}

function syntaxError(thrown: unknown, source: string): { message: string; offset?: number } {
  const text = thrown instanceof Error ? thrown.message : String(thrown);
  const first = text.split('\n')[0] ?? text;
  const match = /^<input>:(\d+):(\d+): (.*)$/.exec(first);
  if (!match) return { message: first };
  const [, line = '1', column = '0', message = first] = match;
  const lineStarts = [0, ...[...source.matchAll(/\n/g)].map((newline) => (newline.index ?? 0) + 1)];
  // The parser's columns are 1-based.
  return { message, offset: (lineStarts[Number(line) - 1] ?? 0) + Number(column) - 1 };
}

/** The expression's line with a caret under the offset, indented under the message. */
export function withCaret(message: string, source: string, offset: number | undefined): string {
  if (offset === undefined) return `${message}\n      ${source.split('\n')[0]}`;
  const lineStart = source.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = source.indexOf('\n', offset);
  const line = source.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  return `${message}\n      ${line}\n      ${' '.repeat(Math.max(0, offset - lineStart))}^`;
}

interface Analysis {
  maxId: bigint;
  /** The dotted path of each field selection (`evidence.modelEvaluation`), by node id. */
  paths: Map<bigint, string>;
}

function analyse(
  root: Expr,
  source: string,
  context: ExpressionContext,
  limits: PolicyLimits,
  positions: Map<bigint, number>,
  findings: Finding[],
): Analysis {
  const paths = new Map<bigint, string>();
  let nodes = 0;
  let maxId = 0n;
  let depthReported = false;
  let nestingReported = false;
  const report = (level: Finding['level'], message: string, node: Expr) =>
    findings.push({
      level,
      where: context.where,
      message: withCaret(`${context.label}: ${message}`, source, positions.get(node.id)),
    });
  /** params.x read without a default, and params.x tested with has(): warned about after the visit. */
  const unknownParams: { field: string; node: Expr }[] = [];
  const guardedParams = new Set<string>();
  const allowedNames = new Set<string>([
    ...inputNames,
    ...(context.role === 'matchCondition' ? [] : ['variables']),
  ]);

  const visit = (node: Expr | undefined, depth: number, nesting: number, scope: ReadonlySet<string>) => {
    if (!node) return;
    nodes++;
    if (node.id > maxId) maxId = node.id;
    if (depth > limits.maxExpressionDepth && !depthReported) {
      depthReported = true;
      report(
        'error',
        `the expression nests deeper than ${limits.maxExpressionDepth} levels; split it into variables`,
        node,
      );
    }
    const kind = node.exprKind;
    switch (kind.case) {
      case 'identExpr': {
        const name = kind.value.name;
        if (!scope.has(name) && !allowedNames.has(name)) {
          const hint =
            name === 'variables'
              ? 'matchConditions cannot read variables (they decide whether the policy applies at all); repeat the expression'
              : `an expression sees ${[...allowedNames].join(', ')}${didYouMean(name, [...allowedNames])}`;
          report('error', `unknown name "${name}"; ${hint}`, node);
        }
        return;
      }
      case 'selectExpr': {
        const { operand, field, testOnly } = kind.value;
        visit(operand, depth + 1, nesting, scope);
        const base =
          operand?.exprKind.case === 'identExpr' && !scope.has(operand.exprKind.value.name)
            ? operand.exprKind.value.name
            : undefined;
        const path = operand ? dottedPath(operand, scope) : undefined;
        if (path !== undefined && !testOnly) paths.set(node.id, `${path}.${field}`);
        // A matchCondition reading variables is reported once, as an unknown name.
        if (base === 'variables' && allowedNames.has('variables')) checkVariable(field, node);
        if (base === 'evidence' && !context.evidenceKeys.includes(field)) {
          report(
            'warning',
            `evidence.${field} is not an evidence kind Warden produces${didYouMean(field, context.evidenceKeys)}; the kinds are ${context.evidenceKeys.join(', ')}`,
            node,
          );
        }
        if (base === 'params' && testOnly) guardedParams.add(field);
        if (base === 'params' && !testOnly && !context.knownParams.includes(field)) {
          unknownParams.push({ field, node });
        }
        return;
      }
      case 'callExpr': {
        const { function: name, target, args } = kind.value;
        const qualified = target ? dottedPath(target, scope) : undefined;
        // A namespaced function such as strings.quote(x) parses as a call of quote on `strings`.
        if (
          qualified !== undefined &&
          !scope.has(qualified) &&
          knownFunctionNames.has(`${qualified}.${name}`)
        ) {
          for (const arg of args) visit(arg, depth + 1, nesting, scope);
          return;
        }
        if (!plannerOperators.includes(name) && !knownFunctionNames.has(name)) {
          const shown =
            qualified &&
            !scope.has(qualified.split('.')[0] ?? '') &&
            !allowedNames.has(qualified.split('.')[0] ?? '')
              ? `${qualified}.${name}`
              : name;
          report(
            'error',
            `unknown function "${shown}"${didYouMean(
              name,
              [...knownFunctionNames, ...macroNames].filter((known) => /^[a-z]/i.test(known)),
            )}; docs/policies.md lists the functions a policy can call`,
            node,
          );
          return;
        }
        if (name === 'matches') {
          const pattern = target ? args[0] : args[1];
          if (pattern && pattern.exprKind.case !== 'constExpr') {
            report(
              'warning',
              'matches() with a pattern that is not a literal: the pattern comes from the input, so an author cannot review it; write the pattern in the policy',
              node,
            );
          }
        }
        visit(target, depth + 1, nesting, scope);
        for (const arg of args) visit(arg, depth + 1, nesting, scope);
        return;
      }
      case 'listExpr':
        for (const element of kind.value.elements) visit(element, depth + 1, nesting, scope);
        return;
      case 'structExpr':
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case === 'mapKey') visit(entry.keyKind.value, depth + 1, nesting, scope);
          visit(entry.value, depth + 1, nesting, scope);
        }
        return;
      case 'comprehensionExpr': {
        const comprehension = kind.value;
        if (nesting + 1 > limits.maxComprehensionNesting && !nestingReported) {
          nestingReported = true;
          report(
            'error',
            `all()/exists()/map()/filter() are nested ${nesting + 1} deep; at most ${limits.maxComprehensionNesting} are allowed, because each level multiplies the work. Precompute an inner list in a variable`,
            node,
          );
        }
        visit(comprehension.iterRange, depth + 1, nesting, scope);
        visit(comprehension.accuInit, depth + 1, nesting, scope);
        const inner = new Set([...scope, comprehension.iterVar, comprehension.accuVar]);
        visit(comprehension.loopCondition, depth + 1, nesting + 1, inner);
        visit(comprehension.loopStep, depth + 1, nesting + 1, inner);
        visit(comprehension.result, depth + 1, nesting + 1, new Set([...scope, comprehension.accuVar]));
        return;
      }
      default:
        return;
    }
  };

  const checkVariable = (name: string, node: Expr) => {
    if (context.visibleVariables.includes(name)) return;
    if (context.declaredVariables.includes(name)) {
      report(
        'error',
        `variables.${name} is declared after this expression; a variable may use only the variables declared before it`,
        node,
      );
    } else {
      report(
        'error',
        `variables.${name} is not declared in spec.variables${didYouMean(name, context.declaredVariables)}${context.declaredVariables.length ? `; the variables are ${context.declaredVariables.join(', ')}` : ''}`,
        node,
      );
    }
  };

  visit(root, 0, 0, new Set());
  // After the whole expression is seen, so that has(params.x) anywhere in it counts as the guard.
  for (const { field, node } of unknownParams) {
    if (guardedParams.has(field)) continue;
    report(
      'warning',
      `params.${field} has no default in the policy's spec.params${didYouMean(field, context.knownParams)}; every binding must then set it, or guard with has(params.${field})`,
      node,
    );
  }
  if (nodes > limits.maxExpressionNodes) {
    findings.push({
      level: 'error',
      where: context.where,
      message: `${context.label}: the expression has ${nodes} syntax nodes after macro expansion; at most ${limits.maxExpressionNodes} are allowed. Split it into variables`,
    });
  }
  return { maxId, paths };
}

function dottedPath(node: Expr, scope: ReadonlySet<string>): string | undefined {
  const kind = node.exprKind;
  if (kind.case === 'identExpr') return kind.value.name;
  if (kind.case === 'selectExpr' && !kind.value.testOnly && kind.value.operand) {
    const base = dottedPath(kind.value.operand, scope);
    return base === undefined ? undefined : `${base}.${kind.value.field}`;
  }
  return undefined;
}

/** Wraps every comprehension's loop condition as `condition && @warden_budget()`. */
function spliceBudgetChecks(
  node: Expr | undefined,
  nextId: () => bigint,
  positions: Map<bigint, number>,
): void {
  if (!node) return;
  const kind = node.exprKind;
  switch (kind.case) {
    case 'selectExpr':
      spliceBudgetChecks(kind.value.operand, nextId, positions);
      return;
    case 'callExpr':
      spliceBudgetChecks(kind.value.target, nextId, positions);
      for (const arg of kind.value.args) spliceBudgetChecks(arg, nextId, positions);
      return;
    case 'listExpr':
      for (const element of kind.value.elements) spliceBudgetChecks(element, nextId, positions);
      return;
    case 'structExpr':
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey') spliceBudgetChecks(entry.keyKind.value, nextId, positions);
        spliceBudgetChecks(entry.value, nextId, positions);
      }
      return;
    case 'comprehensionExpr': {
      const comprehension = kind.value;
      for (const part of [
        comprehension.iterRange,
        comprehension.accuInit,
        comprehension.loopStep,
        comprehension.result,
      ]) {
        spliceBudgetChecks(part, nextId, positions);
      }
      spliceBudgetChecks(comprehension.loopCondition, nextId, positions);
      const position = positions.get(node.id);
      const checkId = nextId();
      const andId = nextId();
      if (position !== undefined) {
        positions.set(checkId, position);
        positions.set(andId, position);
      }
      const check = create(ExprSchema, {
        id: checkId,
        exprKind: { case: 'callExpr', value: { function: budgetFunctionName, args: [] } },
      });
      comprehension.loopCondition = create(ExprSchema, {
        id: andId,
        exprKind: {
          case: 'callExpr',
          value: {
            function: '_&&_',
            args: comprehension.loopCondition ? [comprehension.loopCondition, check] : [check],
          },
        },
      });
      return;
    }
    default:
      return;
  }
}

/** A variable's failure, already explained where the variable is written. */
export function isVariableFailureMessage(message: string): boolean {
  return /^variables\.\w+ could not be evaluated: /.test(message);
}

function explainError(
  error: CelError,
  source: string,
  positions: Map<bigint, number>,
  paths: Map<bigint, string>,
): string {
  const id = error.exprId;
  const offset = id === undefined ? undefined : positions.get(id);
  const message = error.message;
  if (isVariableFailureMessage(message)) return message;
  const missing = /^(?:field not found|no such key): (.*)$/.exec(message);
  if (missing) {
    const path = (id !== undefined ? paths.get(id) : undefined) ?? missing[1] ?? '';
    const parent = path.split('.').slice(0, -1).join('.');
    const isEvidence = /^evidence\.[^.]+$/.test(path);
    const what = isEvidence
      ? `no ${path.slice('evidence.'.length)} evidence was given for this subject`
      : `${path} is not in the input${parent ? ` (${parent} has no field "${missing[1]}")` : ''}`;
    return withCaret(
      `${what}; test for it first with has(${path}), in a matchCondition or as \`!has(${path}) || …\``,
      source,
      offset,
    );
  }
  let hint = '';
  if (/no matching overload/.test(message) && /null_type/.test(message)) {
    hint =
      '; a value is null, which Warden writes when a metric is undefined for the input (for example ROC AUC with one class): guard with `x != null`';
  } else if (/no matching overload/.test(message)) {
    hint = '; the operand types do not fit the operator or function (a string where a number is expected?)';
  }
  return withCaret(`${message}${hint}`, source, offset);
}
