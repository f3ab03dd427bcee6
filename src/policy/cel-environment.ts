import {
  type CelEnv,
  type CelFunc,
  type CelInput,
  CelScalar,
  celEnv,
  celFunc,
  celList,
  type celMap,
  isCelList,
  isCelMap,
  isCelUint,
} from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { RE2JS } from '@bufbuild/re2';
import { isDigest } from '../core/index.js';

/**
 * The CEL environment every policy runs in: the CEL standard library, the strings extension, and
 * a small function library for ML gates. Nothing here reads files, the network or the clock; the
 * only time a policy sees is the `now` of the decision, passed in as input.
 */

const { BOOL, DOUBLE, DYN, INT, STRING } = CelScalar;

/** The name of the budget check spliced into every comprehension's loop condition. */
export const budgetFunctionName = '@warden_budget';

/** Raised when a decision runs past its iteration budget or its time limit. */
export class BudgetExceeded extends Error {}

/**
 * The allowance of one decision: comprehension iterations per policy binding (deterministic, like
 * Kubernetes' per-binding cost budget, so one policy cannot use up another's), and wall-clock time
 * for the whole decision (a backstop, checked every few iterations and between expressions).
 */
export class DecisionBudget {
  private iterations = 0;
  private readonly deadline: number;
  /** Set once the deadline has passed, so every later tick stops (not only every 64th). */
  private expired = false;

  constructor(
    private readonly maxIterations: number,
    private readonly timeLimitMs: number,
  ) {
    this.deadline = performance.now() + timeLimitMs;
  }

  /** A new binding starts with the full iteration allowance; the clock keeps running. */
  startBinding(): void {
    this.iterations = 0;
  }

  tick(): void {
    this.iterations++;
    if (this.iterations > this.maxIterations) {
      throw new BudgetExceeded(
        `the policy used more than ${this.maxIterations} comprehension iterations (its iteration budget); narrow the lists the expression walks, or avoid nesting all()/exists()/map() over large lists`,
      );
    }
    if (this.expired || (this.iterations & 63) === 0) this.checkTime();
  }

  checkTime(): void {
    if (this.expired || performance.now() > this.deadline) {
      this.expired = true;
      throw new BudgetExceeded(
        `the decision ran past its time limit of ${this.timeLimitMs} ms; the expression walks too much input`,
      );
    }
  }

  get iterationsExhausted(): boolean {
    return this.iterations > this.maxIterations;
  }

  get timeExhausted(): boolean {
    return this.expired || performance.now() > this.deadline;
  }
}

/** The budget of the decision being evaluated; evaluation is synchronous, so one slot suffices. */
let activeBudget: DecisionBudget | undefined;

export function withBudget<T>(budget: DecisionBudget, evaluate: () => T): T {
  const previous = activeBudget;
  activeBudget = budget;
  try {
    return evaluate();
  } finally {
    activeBudget = previous;
  }
}

const budgetCheck = celFunc(budgetFunctionName, [], BOOL, () => {
  activeBudget?.tick();
  return true;
});

function toNumber(value: unknown, what: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (isCelUint(value)) return Number(value.value);
  throw new Error(`${what} must be a number, got ${describeCelValue(value)}`);
}

export function describeCelValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return `int ${value}`;
  if (typeof value === 'number') return `double ${value}`;
  if (typeof value === 'string')
    return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'boolean') return `bool ${value}`;
  if (isCelList(value)) return `a list of ${value.size}`;
  if (isCelMap(value)) return 'a map';
  return typeof value;
}

/**
 * JSON numbers arrive as CEL doubles while literals like `1` are ints, and CEL has no arithmetic
 * across the two: `auc + 1` would fail with "no matching overload". These overloads make mixed
 * int/double arithmetic give a double, so authors are not tripped by it. Comparisons across numeric
 * types are already defined by CEL.
 */
const mixedArithmetic: CelFunc[] = (
  [
    ['_+_', (a: number, b: number) => a + b],
    ['_-_', (a: number, b: number) => a - b],
    ['_*_', (a: number, b: number) => a * b],
    ['_/_', (a: number, b: number) => a / b],
  ] as const
).flatMap(([name, apply]) => [
  celFunc(name, [DOUBLE, INT], DOUBLE, (a, b) => apply(a, Number(b))),
  celFunc(name, [INT, DOUBLE], DOUBLE, (a, b) => apply(Number(a), b)),
]);

function compareVersionStrings(a: string, b: string): number {
  const split = (version: string) => {
    const [release = '', prerelease] = version.trim().replace(/^v/i, '').split(/-(.*)/s, 2);
    return { release: release.split(/[.+]/), prerelease };
  };
  const left = split(a);
  const right = split(b);
  const length = Math.max(left.release.length, right.release.length);
  for (let index = 0; index < length; index++) {
    const order = compareIdentifiers(left.release[index] ?? '0', right.release[index] ?? '0');
    if (order !== 0) return order;
  }
  if (left.prerelease === undefined || right.prerelease === undefined) {
    return left.prerelease === right.prerelease ? 0 : left.prerelease === undefined ? 1 : -1;
  }
  const leftParts = left.prerelease.split('.');
  const rightParts = right.prerelease.split('.');
  for (let index = 0; index < Math.max(leftParts.length, rightParts.length); index++) {
    const l = leftParts[index];
    const r = rightParts[index];
    if (l === undefined || r === undefined) return l === undefined ? -1 : 1;
    const order = compareIdentifiers(l, r);
    if (order !== 0) return order;
  }
  return 0;
}

function compareIdentifiers(a: string, b: string): number {
  const numeric = /^\d+$/;
  if (numeric.test(a) && numeric.test(b)) return Math.sign(Number(a) - Number(b));
  if (numeric.test(a) !== numeric.test(b)) return numeric.test(a) ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function resultsWithMetric(list: unknown, metric: string): unknown[] {
  if (!isCelList(list))
    throw new Error(`the first argument must be a list of results, got ${describeCelValue(list)}`);
  const found: unknown[] = [];
  for (const item of list) {
    if (isCelMap(item) && item.get('metric') === metric) found.push(item);
  }
  return found;
}

/** Warden's own functions, documented in docs/policies.md. Each is pure and deterministic. */
export const wardenFunctions: CelFunc[] = [
  celFunc('isDigest', [STRING], BOOL, (text) => isDigest(text)),
  celFunc('compareVersions', [STRING, STRING], INT, (a, b) => BigInt(compareVersionStrings(a, b))),
  celFunc('between', [DYN, DYN, DYN], BOOL, (value, low, high) => {
    const x = toNumber(value, 'between(value, …)');
    return x >= toNumber(low, 'between(…, low, …)') && x <= toNumber(high, 'between(…, high)');
  }),
  celFunc('resultsFor', [DYN, STRING], DYN, (list, metric) =>
    celList(resultsWithMetric(list, metric) as CelInput[]),
  ),
  celFunc('resultFor', [DYN, STRING], DYN, (list, metric) => {
    const [first] = resultsWithMetric(list, metric);
    if (first === undefined) {
      throw new Error(
        `no result with metric "${metric}"; guard with size(resultsFor(list, "${metric}")) > 0`,
      );
    }
    return first as ReturnType<typeof celMap>;
  }),
];

/**
 * `matches()` on RE2 (linear time, as the CEL spec requires), with compiled patterns kept: the CEL
 * library compiles the pattern on every call. Patterns can come from the input, so the cache is
 * bounded.
 */
const compiledPatterns = new Map<string, { test(text: string): boolean }>();
const maxCachedPatterns = 256;
const cachingRe2 = {
  compile(pattern: string): { test(text: string): boolean } {
    let compiled = compiledPatterns.get(pattern);
    if (!compiled) {
      compiled = RE2JS.compile(pattern);
      if (compiledPatterns.size >= maxCachedPatterns) compiledPatterns.clear();
      compiledPatterns.set(pattern, compiled);
    }
    return compiled;
  },
};

export const policyEnvironment: CelEnv = celEnv({
  funcs: [...strings, ...mixedArithmetic, ...wardenFunctions, budgetCheck],
  re2: cachingRe2,
});

/** Every function name an expression may call, for the static check of unknown functions. */
export const knownFunctionNames: ReadonlySet<string> = new Set(
  [...policyEnvironment.funcs].map((func) => func.name).filter((name) => name !== budgetFunctionName),
);
