import { quoteIdent } from '../../core/index.js';
import type { QualityRule } from '../contract-document.js';
import type { ContractPath, PlanState } from './plan-state.js';
import { ruleThreshold, severityOf } from './rule-fields.js';

/**
 * A `query` rule, run as its own statement after the scan: {object} and {property} (or ${table}
 * and ${column}) become the quoted table and column names.
 */
export function planSqlRule(
  state: PlanState,
  rule: QualityRule,
  path: ContractPath,
  id: string,
  column?: string,
): void {
  const { operator, threshold } = ruleThreshold(state, rule, path);
  const raw = rule.query ?? '';
  if (/\{property\}|\$\{column\}/.test(raw) && column === undefined) {
    throw state.invalidRule(
      [...path, 'query'],
      'the query uses {property} but the rule is on a schema object; move it under a property or name the column',
    );
  }
  const query = raw
    .replaceAll(/\{object\}|\$\{table\}|\$\{object\}/g, quoteIdent(state.table))
    .replaceAll(/\{property\}|\$\{column\}|\$\{property\}/g, column === undefined ? '' : quoteIdent(column));
  state.sqlRules.push({
    check: id,
    table: state.table,
    ...(column ? { column } : {}),
    severity: severityOf(rule.severity),
    operator,
    threshold,
    query,
    where: state.locate([...path, 'query']),
    ...(rule.description ? { description: rule.description } : {}),
  });
}
