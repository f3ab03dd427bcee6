import { didYouMean } from '../../core/index.js';
import type { Severity, Unit } from '../check-results.js';
import type { QualityRule } from '../contract-document.js';
import { isRangeOperator, type OperatorName, operatorNames, type Threshold } from '../operators.js';
import type { ContractPath, PlanState } from './plan-state.js';

// The fields every kind of quality rule shares, read and checked once for all of them.

export function ruleId(rule: QualityRule, fallback: string): string {
  return rule.id ?? rule.name ?? fallback;
}

/** The ODCS `severity` string as a gate severity: only error-like severities fail the gate. */
export function severityOf(raw: string | undefined): Severity {
  const value = (raw ?? 'error').toLowerCase();
  if (['info', 'information', 'informational'].includes(value)) return 'info';
  if (['warning', 'warn', 'minor', 'low', 'trivial'].includes(value)) return 'warning';
  return 'error';
}

export function ruleThreshold(
  state: PlanState,
  rule: QualityRule,
  path: ContractPath,
): { operator: OperatorName; threshold: Threshold } {
  const operator = operatorNames.find((name) => rule[name] !== undefined);
  if (operator === undefined) throw new Error('unreachable: the contract loader checks operators');
  const value = rule[operator];
  const valid = isRangeOperator(operator)
    ? Array.isArray(value) && value.length === 2 && (value[0] as number) < (value[1] as number)
    : typeof value === 'number';
  if (!valid) {
    throw state.invalidRule(
      [...path, operator],
      `${operator} needs ${isRangeOperator(operator) ? 'two numbers, the smaller first' : 'a number'}, found ${JSON.stringify(value)}`,
    );
  }
  return { operator, threshold: value as Threshold };
}

export function ruleUnit(
  state: PlanState,
  rule: QualityRule,
  path: ContractPath,
  allowPercent: boolean,
): Unit {
  const unit = (rule.unit ?? 'rows').toLowerCase();
  if (unit === 'rows' || (unit === 'percent' && allowPercent)) return unit;
  const reason =
    unit === 'percent'
      ? `unit "percent" has no meaning for ${rule.metric ?? 'this rule'}; remove it`
      : `unknown unit "${rule.unit}"${didYouMean(unit, ['rows', 'percent'])}; use rows or percent`;
  throw state.invalidRule([...path, 'unit'], reason);
}

/** Why Warden does not run a rule (text for people, vendor blocks), or undefined when it does. */
export function notExecutableReason(rule: QualityRule): string | undefined {
  const type = rule.type ?? (rule.metric === undefined && rule.query !== undefined ? 'sql' : 'library');
  if (type === 'text') return 'text rule: for people, not executable';
  if (type === 'custom') {
    return `custom rule for engine "${rule.engine ?? 'unknown'}": Warden does not run vendor blocks`;
  }
  return undefined;
}
