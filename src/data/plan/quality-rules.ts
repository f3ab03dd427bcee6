import { numberLiteral, quoteIdent, quoteString } from '../../core/index.js';
import type { DataMetric } from '../check-results.js';
import { asText, isTextType, type SourceColumn } from '../column-types.js';
import type { ContractProperty, QualityRule } from '../contract-document.js';
import type { OperatorName, Threshold } from '../operators.js';
import type { ContractPath, PlannedCheck, PlanState } from './plan-state.js';
import { columnNameOf, masksSamples } from './property-classification.js';
import { notExecutableReason, ruleId, ruleThreshold, ruleUnit, severityOf } from './rule-fields.js';
import { planSqlRule } from './sql-rules.js';

/** What the scan measures for a rule's check, beside the fields the rule itself gives. */
type Measured = Pick<PlannedCheck, 'count' | 'sensitive'> &
  Partial<Pick<PlannedCheck, 'columns' | 'denominator' | 'samples' | 'duplicateKeys'>>;

/**
 * One `quality` rule of a property: a library metric (nullValues, missingValues, invalidValues,
 * duplicateValues, rowCount) read from the scan, or a SQL rule.
 */
export function planPropertyRule(
  state: PlanState,
  rule: QualityRule,
  path: ContractPath,
  property: ContractProperty,
  column: SourceColumn,
  notNull: string,
): void {
  const id = state.uniqueId(
    ruleId(rule, `${state.table}.${property.name}.${rule.metric ?? rule.type ?? 'rule'}`),
  );
  if (skipNotExecutable(state, rule, id, column.name)) return;
  if (rule.query !== undefined) {
    planSqlRule(state, rule, path, id, column.name);
    return;
  }
  const addCheck = checkAdder(state, rule, path, id, ruleThreshold(state, rule, path), column.name);
  const c = quoteIdent(column.name);
  const sensitive = masksSamples(property);
  const args = rule.arguments ?? {};
  switch (rule.metric) {
    case 'nullValues':
      addCheck('nullValues', true, {
        count: state.scan.countWhere(`${c} IS NULL`),
        denominator: state.rowCount,
        sensitive,
      });
      return;
    case 'missingValues': {
      const listed = Array.isArray(args['missingValues']) ? (args['missingValues'] as unknown[]) : [null];
      const missing = listed.filter((value) => value !== null);
      const flag = `(${c} IS NULL${
        missing.length > 0
          ? ` OR ${inList(state, column, missing, [...path, 'arguments', 'missingValues'])}`
          : ''
      })`;
      addCheck('missingValues', true, {
        count: state.scan.countWhere(flag),
        denominator: state.rowCount,
        samples: { ...state.scan.sampleRange(c, `${flag} AND ${c} IS NOT NULL`), sensitive },
        sensitive,
      });
      return;
    }
    case 'invalidValues': {
      const conditions: string[] = [];
      if (Array.isArray(args['validValues'])) {
        conditions.push(
          `NOT ${inList(state, column, args['validValues'] as unknown[], [...path, 'arguments', 'validValues'])}`,
        );
      }
      if (typeof args['pattern'] === 'string') {
        conditions.push(`NOT regexp_matches(CAST(${c} AS VARCHAR), ${quoteString(args['pattern'])})`);
      }
      if (conditions.length === 0) {
        throw state.invalidRule(
          [...path, 'metric'],
          'invalidValues needs arguments.validValues (a list) or arguments.pattern (a regex)',
        );
      }
      const flag = `${c} IS NOT NULL AND (${conditions.join(' OR ')})`;
      addCheck('invalidValues', true, {
        count: state.scan.countWhere(flag),
        denominator: notNull,
        samples: { ...state.scan.sampleRange(c, flag), sensitive },
        sensitive,
      });
      return;
    }
    case 'duplicateValues':
      addCheck('duplicateValues', true, {
        count: state.scan.duplicateValues(c),
        denominator: notNull,
        duplicateKeys: [column.name],
        sensitive,
      });
      return;
    case 'rowCount':
      addCheck('rowCount', false, { count: state.rowCount, sensitive });
      return;
    default:
      throw new Error(`unreachable: metric ${String(rule.metric)}`);
  }
}

/** One `quality` rule of a schema object: rowCount, duplicateValues over a key list, or a SQL rule. */
export function planTableRule(state: PlanState, rule: QualityRule, path: ContractPath): void {
  const id = state.uniqueId(ruleId(rule, `${state.table}.${rule.metric ?? rule.type ?? 'rule'}`));
  if (skipNotExecutable(state, rule, id)) return;
  if (rule.query !== undefined) {
    planSqlRule(state, rule, path, id);
    return;
  }
  const addCheck = checkAdder(state, rule, path, id, ruleThreshold(state, rule, path));
  if (rule.metric === 'rowCount') {
    addCheck('rowCount', false, { count: state.rowCount, sensitive: false });
    return;
  }
  if (rule.metric === 'duplicateValues') {
    const keys = rule.arguments?.['properties'];
    if (!Array.isArray(keys) || keys.length === 0 || !keys.every((key) => typeof key === 'string')) {
      throw state.invalidRule(
        [...path, 'metric'],
        'duplicateValues on a schema object needs arguments.properties, a list of property names forming the key',
      );
    }
    const keyColumns = (keys as string[]).map((key) => {
      const property = state.properties.find((candidate) => candidate.name === key);
      return property?.physicalName ?? key;
    });
    const absent = keyColumns.filter((key) => !state.columnsByName.has(key));
    if (absent.length > 0) {
      state.skip(id, `key column(s) ${absent.join(', ')} not in the file`);
      return;
    }
    addCheck('duplicateValues', true, {
      columns: keyColumns,
      // docs/architecture.md: for a key list, rows minus distinct key tuples (row() keeps a NULL key a value).
      count: state.scan.duplicateTuples(keyColumns),
      denominator: state.rowCount,
      duplicateKeys: keyColumns,
      sensitive: keyColumns.some((key) =>
        state.properties.some((property) => columnNameOf(property) === key && masksSamples(property)),
      ),
    });
    return;
  }
  throw state.invalidRule(
    [...path, 'metric'],
    `metric ${String(rule.metric)} applies to a property, not to a whole schema object; move the rule under the property it checks`,
  );
}

/** Returns a function that appends a check of this rule, with the fields the rule gives. */
function checkAdder(
  state: PlanState,
  rule: QualityRule,
  path: ContractPath,
  id: string,
  { operator, threshold }: { operator: OperatorName; threshold: Threshold },
  column?: string,
): (metric: DataMetric, allowPercent: boolean, measured: Measured) => void {
  return (metric, allowPercent, measured) => {
    state.checks.push({
      check: id,
      table: state.table,
      ...(column === undefined ? {} : { column }),
      severity: severityOf(rule.severity),
      operator,
      threshold,
      ...(rule.description ? { description: rule.description } : {}),
      metric,
      unit: ruleUnit(state, rule, path, allowPercent),
      ...measured,
    });
  };
}

function skipNotExecutable(state: PlanState, rule: QualityRule, id: string, column?: string): boolean {
  const reason = notExecutableReason(rule);
  if (reason === undefined) return false;
  state.skip(id, reason, column);
  return true;
}

/** `column IN (…)` for a contract's list of values, compared as numbers only on a numeric column. */
function inList(state: PlanState, column: SourceColumn, values: unknown[], path: ContractPath): string {
  const c = quoteIdent(column.name);
  for (const value of values) {
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      throw state.invalidRule(
        path,
        `list values must be strings, numbers or booleans, found ${JSON.stringify(value)}`,
      );
    }
  }
  const listed = values.filter((value) => value !== null);
  if (listed.length === 0) return 'false';
  const numeric = !isTextType(column.type) && listed.every((value) => typeof value === 'number');
  if (numeric) return `${c} IN (${listed.map((value) => numberLiteral(value as number)).join(', ')})`;
  return `${asText(column)} IN (${listed.map((value) => quoteString(String(value))).join(', ')})`;
}
