import { didYouMean, numberLiteral, quoteIdent, quoteString, WardenError } from '../core/index.js';
import type { DataMetric, Severity, SkippedRule, Unit } from './check-results.js';
import { boundLiteral, isTextType, type SourceColumn, typedValue } from './column-types.js';
import type { ContractProperty, LogicalType, QualityRule, SchemaObject } from './contract-document.js';
import { isRangeOperator, type OperatorName, operatorNames, type Threshold } from './operators.js';
import {
  emptyDigests,
  type HashAlgorithm,
  notHashedPredicate,
  type PiiDetectorName,
  piiDetectorNames,
  piiPredicate,
} from './pii-detectors.js';

/**
 * A contract's checks for one table, compiled for one scan: per-row expressions (typed values and
 * "this row is unexpected" flags) are projected once, and every check reads them through
 * `count_if(flag)` in a single aggregate SELECT. Duplicate samples and SQL rules are
 * the only extra queries.
 */
export interface CheckPlan {
  table: string;
  checks: PlannedCheck[];
  skipped: SkippedRule[];
  missingColumns: { property: string; column: string; check: string }[];
  pii: PlannedPiiColumn[];
  /** The aggregate query over the table: one row, one column per aggregate alias. */
  scanSql: string;
  /** Regular expressions from the contract, to be compiled by the engine before the scan. */
  patterns: { pattern: string; where: string }[];
  sqlRules: PlannedSqlRule[];
}

export interface PlannedCheck {
  check: string;
  table: string;
  column?: string;
  columns?: string[];
  metric: DataMetric;
  severity: Severity;
  operator: OperatorName;
  threshold: Threshold;
  unit: Unit;
  description?: string;
  /** Alias of the aggregate holding the count of unexpected rows (or the measured value). */
  count: string;
  /** Alias of the aggregate holding the denominator of the percentage; none for rowCount. */
  denominator?: string;
  samples?: { low: string; high: string; sensitive: boolean };
  duplicateKeys?: string[];
  details?: Record<string, string | number>;
  /** Extra counts reported beside the main one: name → aggregate alias. */
  detailCounts?: Record<string, string>;
  /** Samples of PII detectors are always masked; others are masked when the column is sensitive. */
  sensitive: boolean;
}

export interface PlannedSqlRule {
  check: string;
  table: string;
  column?: string;
  severity: Severity;
  operator: OperatorName;
  threshold: Threshold;
  query: string;
  where: string;
  description?: string;
}

export interface PlannedPiiColumn {
  column: string;
  declared: 'hashed' | 'pii' | 'undeclared';
  scanned: string;
  hits: Record<PiiDetectorName, { count: string; low: string; high: string }>;
}

export interface PlanInput {
  schemaObject: SchemaObject;
  schemaIndex: number;
  columns: SourceColumn[];
  locate: (path: readonly (string | number)[]) => string;
  /** Scan string columns for raw PII (default true). */
  scanPii?: boolean;
}

const sensitiveClassifications = new Set([
  'pii',
  'personal',
  'personal_data',
  'sensitive',
  'confidential',
  'restricted',
  'secret',
]);

const formatPatterns: Record<string, string> = {
  email: '[^@\\s]+@[^@\\s]+\\.[^@\\s]+',
  uuid: '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}',
  ipv4: '(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])',
  hostname:
    '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*',
  uri: '[A-Za-z][A-Za-z0-9+.-]*:[^\\s]+',
};

/** The ODCS `severity` string as a gate severity: only error-like severities fail the gate. */
export function severityOf(raw: string | undefined): Severity {
  const value = (raw ?? 'error').toLowerCase();
  if (['info', 'information', 'informational'].includes(value)) return 'info';
  if (['warning', 'warn', 'minor', 'low', 'trivial'].includes(value)) return 'warning';
  return 'error';
}

class Scan {
  private readonly projections = new Map<string, string>();
  private readonly aggregates = new Map<string, string>();
  private readonly prefix: string;

  /** Projected aliases sit beside the dataset's own columns, so their prefix must not be a column name's. */
  constructor(columnNames: readonly string[]) {
    const lower = columnNames.map((name) => name.toLowerCase());
    let prefix = '__warden_';
    while (lower.some((name) => name.startsWith(prefix))) prefix = `_${prefix}`;
    this.prefix = prefix;
  }

  /** A per-row expression computed once in the scan; returns its quoted alias. */
  project(sql: string): string {
    let alias = this.projections.get(sql);
    if (alias === undefined) {
      alias = quoteIdent(`${this.prefix}${this.projections.size}`);
      this.projections.set(sql, alias);
    }
    return alias;
  }

  /** An aggregate over the scan; returns its (unquoted) alias in the result row. */
  aggregate(sql: string): string {
    let alias = this.aggregates.get(sql);
    if (alias === undefined) {
      alias = `a${this.aggregates.size}`;
      this.aggregates.set(sql, alias);
    }
    return alias;
  }

  // count_if(flag) and min(CASE WHEN flag …) give what count(*) / min(…) FILTER (WHERE flag) give,
  // and DuckDB 1.5 runs them nearly twice as fast over a scan with hundreds of aggregates
  // (bench/data-gate/profile.mjs measures both forms).
  countWhere(flagSql: string): string {
    return this.aggregate(`count_if(coalesce(${this.project(flagSql)}, false))`);
  }

  sampleRange(valueSql: string, flagSql: string): { low: string; high: string } {
    const flag = this.project(flagSql);
    const value = `CASE WHEN ${flag} THEN CAST(${valueSql} AS VARCHAR) END`;
    return { low: this.aggregate(`min(${value})`), high: this.aggregate(`max(${value})`) };
  }

  sql(table: string): string {
    const aggregates = [...this.aggregates].map(([sql, alias]) => `${sql} AS ${alias}`);
    if (aggregates.length === 0) aggregates.push('count(*) AS a0');
    const projections = [...this.projections].map(([sql, alias]) => `${sql} AS ${alias}`);
    const source =
      projections.length > 0
        ? `(SELECT *, ${projections.join(', ')} FROM ${quoteIdent(table)})`
        : quoteIdent(table);
    return `SELECT ${aggregates.join(',\n  ')}\nFROM ${source}`;
  }
}

/** Compiles one schema object of a contract into a scan plan over the given source columns. */
export function planChecks(input: PlanInput): CheckPlan {
  const { schemaObject, columns, locate } = input;
  const table = schemaObject.name;
  const scan = new Scan(columns.map((column) => column.name));
  const plan: Omit<CheckPlan, 'scanSql'> = {
    table,
    checks: [],
    skipped: [],
    missingColumns: [],
    pii: [],
    patterns: contractPatterns(schemaObject, input.schemaIndex, locate),
    sqlRules: [],
  };
  const rowCount = scan.aggregate('count(*)');
  const usedIds = new Set<string>();
  const uniqueId = (id: string) => {
    let candidate = id;
    for (let n = 2; usedIds.has(candidate); n++) candidate = `${id}#${n}`;
    usedIds.add(candidate);
    return candidate;
  };
  const byName = new Map(columns.map((column) => [column.name, column]));
  const properties = schemaObject.properties ?? [];
  const basePath = ['schema', input.schemaIndex] as const;
  const primaryKey: { property: ContractProperty; column: SourceColumn }[] = [];

  properties.forEach((property, propertyIndex) => {
    const path = [...basePath, 'properties', propertyIndex] as const;
    const columnName = property.physicalName ?? property.name;
    const column = byName.get(columnName);
    if (!column) {
      const check = uniqueId(`${table}.${property.name}.columnPresent`);
      plan.missingColumns.push({ property: property.name, column: columnName, check });
      for (const [index, rule] of (property.quality ?? []).entries()) {
        plan.skipped.push({
          check: ruleId(rule, `${table}.${property.name}.quality[${index}]`),
          table,
          column: columnName,
          reason: `column "${columnName}" is not in the file${didYouMean(columnName, [...byName.keys()])}`,
        });
      }
      return;
    }
    const c = quoteIdent(column.name);
    const sensitive = isSensitive(property);
    const notNull = scan.aggregate(`count(${c})`);
    const logicalType = property.logicalType;
    const options = property.logicalTypeOptions ?? {};
    const format = typeof options['format'] === 'string' ? options['format'] : undefined;
    const typed =
      logicalType === undefined
        ? c
        : typedValue(
            column,
            logicalType,
            logicalType === 'date' || logicalType === 'timestamp' ? format : undefined,
          );
    const typedAlias = typed === c ? c : scan.project(typed);
    const base = { table, column: column.name, sensitive };

    const implicit = (
      metric: DataMetric,
      flagSql: string,
      denominator: string,
      extra: Partial<PlannedCheck> = {},
      withSamples = true,
    ) => {
      plan.checks.push({
        ...base,
        check: uniqueId(`${table}.${property.name}.${metric}`),
        metric,
        severity: 'error',
        operator: 'mustBe',
        threshold: 0,
        unit: 'rows',
        count: scan.countWhere(flagSql),
        denominator,
        ...(withSamples ? { samples: { ...scan.sampleRange(c, flagSql), sensitive } } : {}),
        ...extra,
      });
    };

    if (property.required || property.primaryKey) implicit('required', `${c} IS NULL`, rowCount, {}, false);
    if (property.unique && !property.primaryKey) {
      plan.checks.push({
        ...base,
        check: uniqueId(`${table}.${property.name}.unique`),
        metric: 'unique',
        severity: 'error',
        operator: 'mustBe',
        threshold: 0,
        unit: 'rows',
        count: scan.aggregate(`count(${c}) - count(DISTINCT ${c})`),
        denominator: notNull,
        duplicateKeys: [column.name],
      });
    }
    if (property.primaryKey) primaryKey.push({ property, column });
    if (logicalType !== undefined && !(logicalType === 'string' && isTextType(column.type))) {
      implicit('logicalType', `${c} IS NOT NULL AND ${typedAlias} IS NULL`, notNull, {
        details: { logicalType },
      });
    }
    if (logicalType !== undefined) {
      planTypeOptions(
        property.name,
        logicalType,
        options,
        typedAlias,
        isTextType(column.type) ? c : `CAST(${c} AS VARCHAR)`,
        notNull,
        [...path, 'logicalTypeOptions'],
        implicit,
      );
    }
    (property.quality ?? []).forEach((rule, ruleIndex) => {
      planPropertyRule(rule, [...path, 'quality', ruleIndex], property, column, notNull);
    });
  });

  if (primaryKey.length > 0) {
    primaryKey.sort((a, b) => (a.property.primaryKeyPosition ?? 0) - (b.property.primaryKeyPosition ?? 0));
    const keyColumns = primaryKey.map(({ column }) => column.name);
    const single = keyColumns.length === 1 ? quoteIdent(keyColumns[0] ?? '') : undefined;
    plan.checks.push({
      check: uniqueId(`${table}.primaryKey`),
      table,
      ...(keyColumns.length === 1 ? { column: keyColumns[0] ?? '' } : { columns: keyColumns }),
      metric: 'unique',
      severity: 'error',
      operator: 'mustBe',
      threshold: 0,
      unit: 'rows',
      // A single-column key counts like `unique` (its nulls fail `required`); a composite key counts
      // rows minus distinct tuples, where a tuple holding a NULL is still a value.
      count: scan.aggregate(
        single
          ? `count(${single}) - count(DISTINCT ${single})`
          : `count(*) - count(DISTINCT row(${keyColumns.map(quoteIdent).join(', ')}))`,
      ),
      denominator: single ? scan.aggregate(`count(${single})`) : rowCount,
      duplicateKeys: keyColumns,
      sensitive: primaryKey.some(({ property }) => isSensitive(property)),
      description: 'primary key: no two rows share a key',
    });
  }

  (schemaObject.quality ?? []).forEach((rule, ruleIndex) => {
    planTableRule(rule, [...basePath, 'quality', ruleIndex]);
  });

  if (input.scanPii !== false) planPiiScan();

  return { ...plan, scanSql: scan.sql(table) };

  function planTypeOptions(
    propertyName: string,
    logicalType: LogicalType,
    options: Record<string, unknown>,
    typedAlias: string,
    raw: string,
    notNull: string,
    path: readonly (string | number)[],
    implicit: (metric: DataMetric, flag: string, denominator: string, extra?: Partial<PlannedCheck>) => void,
  ): void {
    const bound = (
      key: string,
      metric: 'minimum' | 'maximum',
      comparison: string,
      operator: OperatorName,
    ) => {
      if (!(key in options)) return;
      const literal = boundLiteral(logicalType, options[key]);
      if (literal === undefined) {
        throw new WardenError(
          'WARDEN_ERR_CONTRACT_INVALID_RULE',
          `${locate([...path, key])}: ${key} ${JSON.stringify(options[key])} does not fit logicalType ${logicalType}; write ${logicalType === 'date' ? 'a quoted date like "2020-01-01"' : logicalType === 'timestamp' ? 'a quoted timestamp like "2020-01-01T00:00:00"' : logicalType === 'time' ? 'a quoted time like "08:30:00"' : 'a number'}`,
          { where: locate([...path, key]) },
        );
      }
      implicit(metric, `${typedAlias} ${comparison} ${literal}`, notNull, {
        operator,
        threshold: 0,
        details: { bound: String(options[key]), boundKind: key },
      });
    };
    bound('minimum', 'minimum', '<', 'mustBe');
    bound('exclusiveMinimum', 'minimum', '<=', 'mustBe');
    bound('maximum', 'maximum', '>', 'mustBe');
    bound('exclusiveMaximum', 'maximum', '>=', 'mustBe');
    if (logicalType === 'integer' || logicalType === 'number') {
      const multipleOf = options['multipleOf'];
      if (typeof multipleOf === 'number' && multipleOf > 0) {
        implicit(
          'multipleOf',
          `abs(${typedAlias} / ${numberLiteral(multipleOf)} - round(${typedAlias} / ${numberLiteral(multipleOf)})) > 1e-9`,
          notNull,
          { details: { multipleOf } },
        );
      }
    }
    if (logicalType !== 'string') return;
    for (const [key, metric, comparison] of [
      ['minLength', 'minLength', '<'],
      ['maxLength', 'maxLength', '>'],
    ] as const) {
      const limit = options[key];
      if (typeof limit === 'number') {
        implicit(metric, `length(${raw}) ${comparison} ${numberLiteral(limit)}`, notNull, {
          details: { [key]: limit },
        });
      }
    }
    if (typeof options['pattern'] === 'string') {
      const pattern = options['pattern'];
      implicit(
        'pattern',
        `${raw} IS NOT NULL AND NOT regexp_matches(${raw}, ${quoteString(pattern)})`,
        notNull,
        {
          details: { pattern },
        },
      );
    }
    if (typeof options['format'] === 'string') {
      const format = options['format'];
      const pattern = formatPatterns[format];
      if (pattern === undefined) {
        plan.skipped.push({
          check: `${table}.${propertyName}.format`,
          table,
          column: propertyName,
          reason: `format "${format}" is not checked (Warden checks ${Object.keys(formatPatterns).join(', ')})`,
        });
      } else {
        implicit(
          'format',
          `${raw} IS NOT NULL AND NOT regexp_full_match(${raw}, ${quoteString(pattern)})`,
          notNull,
          {
            details: { format },
          },
        );
      }
    }
  }

  function ruleThreshold(rule: QualityRule, path: readonly (string | number)[]) {
    const operator = operatorNames.find((name) => rule[name] !== undefined);
    if (operator === undefined) throw new Error('unreachable: the contract loader checks operators');
    const value = rule[operator];
    const valid = isRangeOperator(operator)
      ? Array.isArray(value) && value.length === 2 && (value[0] as number) < (value[1] as number)
      : typeof value === 'number';
    if (!valid) {
      throw new WardenError(
        'WARDEN_ERR_CONTRACT_INVALID_RULE',
        `${locate([...path, operator])}: ${operator} needs ${isRangeOperator(operator) ? 'two numbers, the smaller first' : 'a number'}, found ${JSON.stringify(value)}`,
        { where: locate([...path, operator]) },
      );
    }
    return { operator, threshold: value as Threshold };
  }

  function ruleUnit(rule: QualityRule, path: readonly (string | number)[], allowPercent: boolean): Unit {
    const unit = (rule.unit ?? 'rows').toLowerCase();
    if (unit === 'rows' || (unit === 'percent' && allowPercent)) return unit;
    const reason =
      unit === 'percent'
        ? `unit "percent" has no meaning for ${rule.metric ?? 'this rule'}; remove it`
        : `unknown unit "${rule.unit}"${didYouMean(unit, ['rows', 'percent'])}; use rows or percent`;
    throw new WardenError('WARDEN_ERR_CONTRACT_INVALID_RULE', `${locate([...path, 'unit'])}: ${reason}`, {
      where: locate([...path, 'unit']),
    });
  }

  function skipNonExecutable(rule: QualityRule, id: string, column?: string): boolean {
    const type = rule.type ?? (rule.metric === undefined && rule.query !== undefined ? 'sql' : 'library');
    if (type === 'text') {
      plan.skipped.push({
        check: id,
        table,
        ...(column ? { column } : {}),
        reason: 'text rule: for people, not executable',
      });
      return true;
    }
    if (type === 'custom') {
      plan.skipped.push({
        check: id,
        table,
        ...(column ? { column } : {}),
        reason: `custom rule for engine "${rule.engine ?? 'unknown'}": Warden does not run vendor blocks`,
      });
      return true;
    }
    return false;
  }

  function planPropertyRule(
    rule: QualityRule,
    path: readonly (string | number)[],
    property: ContractProperty,
    column: SourceColumn,
    notNull: string,
  ): void {
    const id = uniqueId(ruleId(rule, `${table}.${property.name}.${rule.metric ?? rule.type ?? 'rule'}`));
    if (skipNonExecutable(rule, id, column.name)) return;
    const c = quoteIdent(column.name);
    const common = {
      check: id,
      table,
      column: column.name,
      severity: severityOf(rule.severity),
      sensitive: isSensitive(property),
      ...(rule.description ? { description: rule.description } : {}),
    };
    if (rule.query !== undefined) {
      planSqlRule(rule, path, id, column.name);
      return;
    }
    const { operator, threshold } = ruleThreshold(rule, path);
    const args = rule.arguments ?? {};
    switch (rule.metric) {
      case 'nullValues': {
        const flag = `${c} IS NULL`;
        plan.checks.push({
          ...common,
          metric: 'nullValues',
          operator,
          threshold,
          unit: ruleUnit(rule, path, true),
          count: scan.countWhere(flag),
          denominator: rowCount,
        });
        return;
      }
      case 'missingValues': {
        const listed = Array.isArray(args['missingValues']) ? (args['missingValues'] as unknown[]) : [null];
        const flag = `(${c} IS NULL${
          listed.some((value) => value !== null)
            ? ` OR ${inList(
                column,
                listed.filter((value) => value !== null),
                [...path, 'arguments', 'missingValues'],
              )}`
            : ''
        })`;
        plan.checks.push({
          ...common,
          metric: 'missingValues',
          operator,
          threshold,
          unit: ruleUnit(rule, path, true),
          count: scan.countWhere(flag),
          denominator: rowCount,
          samples: { ...scan.sampleRange(c, `${flag} AND ${c} IS NOT NULL`), sensitive: common.sensitive },
        });
        return;
      }
      case 'invalidValues': {
        const conditions: string[] = [];
        if (Array.isArray(args['validValues'])) {
          conditions.push(
            `NOT ${inList(column, args['validValues'] as unknown[], [...path, 'arguments', 'validValues'])}`,
          );
        }
        if (typeof args['pattern'] === 'string') {
          conditions.push(`NOT regexp_matches(CAST(${c} AS VARCHAR), ${quoteString(args['pattern'])})`);
        }
        if (conditions.length === 0) {
          throw new WardenError(
            'WARDEN_ERR_CONTRACT_INVALID_RULE',
            `${locate([...path, 'metric'])}: invalidValues needs arguments.validValues (a list) or arguments.pattern (a regex)`,
            { where: locate([...path, 'metric']) },
          );
        }
        const flag = `${c} IS NOT NULL AND (${conditions.join(' OR ')})`;
        plan.checks.push({
          ...common,
          metric: 'invalidValues',
          operator,
          threshold,
          unit: ruleUnit(rule, path, true),
          count: scan.countWhere(flag),
          denominator: notNull,
          samples: { ...scan.sampleRange(c, flag), sensitive: common.sensitive },
        });
        return;
      }
      case 'duplicateValues':
        plan.checks.push({
          ...common,
          metric: 'duplicateValues',
          operator,
          threshold,
          unit: ruleUnit(rule, path, true),
          count: scan.aggregate(`count(${c}) - count(DISTINCT ${c})`),
          denominator: notNull,
          duplicateKeys: [column.name],
        });
        return;
      case 'rowCount':
        plan.checks.push({
          ...common,
          metric: 'rowCount',
          operator,
          threshold,
          unit: ruleUnit(rule, path, false),
          count: rowCount,
        });
        return;
      default:
        throw new Error(`unreachable: metric ${String(rule.metric)}`);
    }
  }

  function planTableRule(rule: QualityRule, path: readonly (string | number)[]): void {
    const id = uniqueId(ruleId(rule, `${table}.${rule.metric ?? rule.type ?? 'rule'}`));
    if (skipNonExecutable(rule, id)) return;
    if (rule.query !== undefined) {
      planSqlRule(rule, path, id);
      return;
    }
    const { operator, threshold } = ruleThreshold(rule, path);
    const common = {
      check: id,
      table,
      severity: severityOf(rule.severity),
      operator,
      threshold,
      ...(rule.description ? { description: rule.description } : {}),
    };
    if (rule.metric === 'rowCount') {
      plan.checks.push({
        ...common,
        metric: 'rowCount',
        unit: ruleUnit(rule, path, false),
        count: rowCount,
        sensitive: false,
      });
      return;
    }
    if (rule.metric === 'duplicateValues') {
      const keys = rule.arguments?.['properties'];
      if (!Array.isArray(keys) || keys.length === 0 || !keys.every((key) => typeof key === 'string')) {
        throw new WardenError(
          'WARDEN_ERR_CONTRACT_INVALID_RULE',
          `${locate([...path, 'metric'])}: duplicateValues on a schema object needs arguments.properties, a list of property names forming the key`,
          { where: locate([...path, 'metric']) },
        );
      }
      const keyColumns = (keys as string[]).map((key) => {
        const property = properties.find((candidate) => candidate.name === key);
        return property?.physicalName ?? key;
      });
      const absent = keyColumns.filter((key) => !byName.has(key));
      if (absent.length > 0) {
        plan.skipped.push({ check: id, table, reason: `key column(s) ${absent.join(', ')} not in the file` });
        return;
      }
      plan.checks.push({
        ...common,
        columns: keyColumns,
        metric: 'duplicateValues',
        unit: ruleUnit(rule, path, true),
        // DESIGN.md: for a key list, rows minus distinct key tuples (row() keeps a NULL key a value).
        count: scan.aggregate(`count(*) - count(DISTINCT row(${keyColumns.map(quoteIdent).join(', ')}))`),
        denominator: rowCount,
        duplicateKeys: keyColumns,
        sensitive: keyColumns.some((key) =>
          properties.some((p) => (p.physicalName ?? p.name) === key && isSensitive(p)),
        ),
      });
      return;
    }
    throw new WardenError(
      'WARDEN_ERR_CONTRACT_INVALID_RULE',
      `${locate([...path, 'metric'])}: metric ${String(rule.metric)} applies to a property, not to a whole schema object; move the rule under the property it checks`,
      { where: locate([...path, 'metric']) },
    );
  }

  function planSqlRule(
    rule: QualityRule,
    path: readonly (string | number)[],
    id: string,
    column?: string,
  ): void {
    const { operator, threshold } = ruleThreshold(rule, path);
    const raw = rule.query ?? '';
    if (/\{property\}|\$\{column\}/.test(raw) && column === undefined) {
      throw new WardenError(
        'WARDEN_ERR_CONTRACT_INVALID_RULE',
        `${locate([...path, 'query'])}: the query uses {property} but the rule is on a schema object; move it under a property or name the column`,
        { where: locate([...path, 'query']) },
      );
    }
    const query = raw
      .replaceAll(/\{object\}|\$\{table\}|\$\{object\}/g, quoteIdent(table))
      .replaceAll(
        /\{property\}|\$\{column\}|\$\{property\}/g,
        column === undefined ? '' : quoteIdent(column),
      );
    plan.sqlRules.push({
      check: id,
      table,
      ...(column ? { column } : {}),
      severity: severityOf(rule.severity),
      operator,
      threshold,
      query,
      where: locate([...path, 'query']),
      ...(rule.description ? { description: rule.description } : {}),
    });
  }

  function inList(column: SourceColumn, values: unknown[], path: readonly (string | number)[]): string {
    const c = quoteIdent(column.name);
    for (const value of values) {
      if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
        throw new WardenError(
          'WARDEN_ERR_CONTRACT_INVALID_RULE',
          `${locate(path)}: list values must be strings, numbers or booleans, found ${JSON.stringify(value)}`,
          { where: locate(path) },
        );
      }
    }
    const listed = values.filter((value) => value !== null);
    if (listed.length === 0) return 'false';
    const numeric = !isTextType(column.type) && listed.every((value) => typeof value === 'number');
    if (numeric) return `${c} IN (${listed.map((value) => numberLiteral(value as number)).join(', ')})`;
    const target = isTextType(column.type) ? c : `CAST(${c} AS VARCHAR)`;
    return `${target} IN (${listed.map((value) => quoteString(String(value))).join(', ')})`;
  }

  function planPiiScan(): void {
    for (const column of columns) {
      if (!isTextType(column.type)) continue;
      const property = properties.find(
        (candidate) => (candidate.physicalName ?? candidate.name) === column.name,
      );
      if (property?.logicalType !== undefined && property.logicalType !== 'string') continue;
      const c = quoteIdent(column.name);
      const hashed = property ? hashAlgorithmOf(property) : undefined;
      const declared = hashed ? 'hashed' : property && isPiiClassified(property) ? 'pii' : 'undeclared';
      if (hashed) {
        const flag = `${c} IS NOT NULL AND ${notHashedPredicate(hashed, c)}`;
        plan.checks.push({
          check: uniqueId(`${table}.${property?.name ?? column.name}.piiHashed`),
          table,
          column: column.name,
          metric: 'piiHashed',
          severity: 'error',
          operator: 'mustBe',
          threshold: 0,
          unit: 'rows',
          count: scan.countWhere(flag),
          denominator: scan.aggregate(`count(${c})`),
          samples: { ...scan.sampleRange(c, flag), sensitive: true },
          sensitive: true,
          details: { algorithm: hashed },
          detailCounts: { emptyDigestCount: scan.countWhere(`${c} = ${quoteString(emptyDigests[hashed])}`) },
          description: `values must be lowercase hex ${hashed} digests, never the digest of an empty string`,
        });
      }
      const hits = Object.fromEntries(
        piiDetectorNames.map((detector) => {
          // A well-formed digest is not raw PII, whatever digit runs it happens to contain (about
          // 0.2% of SHA-256 hex digests hold a Luhn-valid run); only the other values are scanned.
          const flag = hashed
            ? `CASE WHEN ${notHashedPredicate(hashed, c)} THEN ${piiPredicate(detector, c)} ELSE false END`
            : piiPredicate(detector, c);
          return [detector, { count: scan.countWhere(flag), ...scan.sampleRange(c, flag) }];
        }),
      ) as PlannedPiiColumn['hits'];
      plan.pii.push({ column: column.name, declared, scanned: scan.aggregate(`count(${c})`), hits });
    }
  }
}

/** Every regular expression of a schema object, whether or not the file has its column. */
function contractPatterns(
  schemaObject: SchemaObject,
  schemaIndex: number,
  locate: PlanInput['locate'],
): CheckPlan['patterns'] {
  const patterns: CheckPlan['patterns'] = [];
  const fromRules = (rules: QualityRule[] | undefined, path: readonly (string | number)[]) => {
    (rules ?? []).forEach((rule, index) => {
      const pattern = rule.arguments?.['pattern'];
      if (typeof pattern === 'string')
        patterns.push({ pattern, where: locate([...path, index, 'arguments', 'pattern']) });
    });
  };
  fromRules(schemaObject.quality, ['schema', schemaIndex, 'quality']);
  (schemaObject.properties ?? []).forEach((property, index) => {
    const path = ['schema', schemaIndex, 'properties', index];
    const pattern = property.logicalTypeOptions?.['pattern'];
    if (typeof pattern === 'string')
      patterns.push({ pattern, where: locate([...path, 'logicalTypeOptions', 'pattern']) });
    fromRules(property.quality, [...path, 'quality']);
  });
  return patterns;
}

function ruleId(rule: QualityRule, fallback: string): string {
  return rule.id ?? rule.name ?? fallback;
}

function lowerTags(property: ContractProperty): string[] {
  return (property.tags ?? []).map((tag) => tag.toLowerCase());
}

function isPiiClassified(property: ContractProperty): boolean {
  const tags = lowerTags(property);
  return (
    property.classification?.toLowerCase() === 'pii' || tags.includes('pii') || tags.includes('pii-hashed')
  );
}

/** A property is declared hashed by `classification: pii` with tag `hashed`, or by tag `pii-hashed`. */
export function hashAlgorithmOf(property: ContractProperty): HashAlgorithm | undefined {
  const tags = lowerTags(property);
  const hashed = tags.includes('pii-hashed') || (isPiiClassified(property) && tags.includes('hashed'));
  if (!hashed) return undefined;
  return tags.includes('sha512') ? 'sha512' : 'sha256';
}

function isSensitive(property: ContractProperty): boolean {
  return (
    sensitiveClassifications.has(property.classification?.toLowerCase() ?? '') || isPiiClassified(property)
  );
}
