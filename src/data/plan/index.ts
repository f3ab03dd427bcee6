import type { QualityRule, SchemaObject } from '../contract-document.js';
import { planColumnRules, planMissingColumn, planPrimaryKey } from './column-rules.js';
import { planPiiScan } from './pii-scan.js';
import { type CheckPlan, type ContractPath, type PlanInput, PlanState } from './plan-state.js';
import { columnNameOf } from './property-classification.js';
import { planPropertyRule, planTableRule } from './quality-rules.js';

export type { CheckPlan, PlanInput, PlannedCheck, PlannedPiiColumn, PlannedSqlRule } from './plan-state.js';

/**
 * Compiles one schema object of a contract into a scan plan over the given source columns: per
 * property its implicit column checks then its quality rules, then the primary key, the schema
 * object's own quality rules and the PII scan. This order fixes the aggregate aliases.
 */
export function planChecks(input: PlanInput): CheckPlan {
  const state = new PlanState(input);
  const patterns = contractPatterns(state, input.schemaObject);
  const primaryKey: Parameters<typeof planPrimaryKey>[1] = [];
  state.properties.forEach((property, propertyIndex) => {
    const path = [...state.path, 'properties', propertyIndex];
    const column = state.columnsByName.get(columnNameOf(property));
    if (!column) {
      planMissingColumn(state, property);
      return;
    }
    const { notNull } = planColumnRules(state, property, column, path);
    if (property.primaryKey) primaryKey.push({ property, column });
    (property.quality ?? []).forEach((rule, ruleIndex) => {
      planPropertyRule(state, rule, [...path, 'quality', ruleIndex], property, column, notNull);
    });
  });
  planPrimaryKey(state, primaryKey);
  (input.schemaObject.quality ?? []).forEach((rule, ruleIndex) => {
    planTableRule(state, rule, [...state.path, 'quality', ruleIndex]);
  });
  if (input.scanPii !== false) planPiiScan(state);
  return {
    table: state.table,
    checks: state.checks,
    skipped: state.skipped,
    missingColumns: state.missingColumns,
    pii: state.pii,
    patterns,
    sqlRules: state.sqlRules,
    scanSql: state.scan.sql(state.table),
  };
}

/** Every regular expression of a schema object, whether or not the file has its column. */
function contractPatterns(state: PlanState, schemaObject: SchemaObject): CheckPlan['patterns'] {
  const patterns: CheckPlan['patterns'] = [];
  const fromRules = (rules: QualityRule[] | undefined, rulesPath: ContractPath) => {
    (rules ?? []).forEach((rule, index) => {
      const pattern = rule.arguments?.['pattern'];
      if (typeof pattern === 'string')
        patterns.push({ pattern, where: state.locate([...rulesPath, index, 'arguments', 'pattern']) });
    });
  };
  fromRules(schemaObject.quality, [...state.path, 'quality']);
  (schemaObject.properties ?? []).forEach((property, index) => {
    const propertyPath = [...state.path, 'properties', index];
    const pattern = property.logicalTypeOptions?.['pattern'];
    if (typeof pattern === 'string')
      patterns.push({ pattern, where: state.locate([...propertyPath, 'logicalTypeOptions', 'pattern']) });
    fromRules(property.quality, [...propertyPath, 'quality']);
  });
  return patterns;
}
