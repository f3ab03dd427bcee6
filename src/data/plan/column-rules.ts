import { didYouMean, numberLiteral, quoteIdent, quoteString } from '../../core/index.js';
import type { DataMetric } from '../check-results.js';
import { asText, boundLiteral, isTextType, type SourceColumn, typedValue } from '../column-types.js';
import type { ContractProperty, LogicalType } from '../contract-document.js';
import { type ContractPath, noUnexpectedRows, type PlannedCheck, type PlanState } from './plan-state.js';
import { columnNameOf, masksSamples } from './property-classification.js';
import { ruleId } from './rule-fields.js';

const formatPatterns: Record<string, string> = {
  email: '[^@\\s]+@[^@\\s]+\\.[^@\\s]+',
  uuid: '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}',
  ipv4: '(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])',
  hostname:
    '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*',
  uri: '[A-Za-z][A-Za-z0-9+.-]*:[^\\s]+',
};

/** Adds one implicit check of a column: no row may be flagged. */
type ImplicitCheck = (
  metric: DataMetric,
  flagSql: string,
  denominator: string,
  extra?: Partial<PlannedCheck>,
  withSamples?: boolean,
) => void;

/**
 * A property whose column is not in the file: a failed `columnPresent` check, and its quality rules
 * skipped with the reason.
 */
export function planMissingColumn(state: PlanState, property: ContractProperty): void {
  const columnName = columnNameOf(property);
  const check = state.uniqueId(`${state.table}.${property.name}.columnPresent`);
  state.missingColumns.push({ property: property.name, column: columnName, check });
  for (const [index, rule] of (property.quality ?? []).entries()) {
    state.skip(
      ruleId(rule, `${state.table}.${property.name}.quality[${index}]`),
      `column "${columnName}" is not in the file${didYouMean(columnName, [...state.columnsByName.keys()])}`,
      columnName,
    );
  }
}

/**
 * The checks a property's declaration implies (required, unique, logicalType and its options:
 * bounds, multipleOf, lengths, pattern, format). Returns the alias of the column's non-null count,
 * the denominator its quality rules share.
 */
export function planColumnRules(
  state: PlanState,
  property: ContractProperty,
  column: SourceColumn,
  path: ContractPath,
): { notNull: string } {
  const { scan, table } = state;
  const c = quoteIdent(column.name);
  const sensitive = masksSamples(property);
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

  const implicit: ImplicitCheck = (metric, flagSql, denominator, extra = {}, withSamples = true) => {
    state.checks.push({
      ...base,
      check: state.uniqueId(`${table}.${property.name}.${metric}`),
      metric,
      ...noUnexpectedRows,
      count: scan.countWhere(flagSql),
      denominator,
      ...(withSamples ? { samples: { ...scan.sampleRange(c, flagSql), sensitive } } : {}),
      ...extra,
    });
  };

  if (property.required || property.primaryKey)
    implicit('required', `${c} IS NULL`, state.rowCount, {}, false);
  if (property.unique && !property.primaryKey) {
    state.checks.push({
      ...base,
      check: state.uniqueId(`${table}.${property.name}.unique`),
      metric: 'unique',
      ...noUnexpectedRows,
      count: scan.duplicateValues(c),
      denominator: notNull,
      duplicateKeys: [column.name],
    });
  }
  if (logicalType !== undefined && !(logicalType === 'string' && isTextType(column.type))) {
    implicit('logicalType', `${c} IS NOT NULL AND ${typedAlias} IS NULL`, notNull, {
      details: { logicalType },
    });
  }
  if (logicalType !== undefined) {
    const typeOptions = { logicalType, options, typedAlias, raw: asText(column), notNull, implicit };
    planTypeOptions(state, property.name, typeOptions, [...path, 'logicalTypeOptions']);
  }
  return { notNull };
}

/**
 * The table's primary key, from every property marked `primaryKey` in `primaryKeyPosition` order:
 * no two rows share a key.
 */
export function planPrimaryKey(
  state: PlanState,
  parts: { property: ContractProperty; column: SourceColumn }[],
): void {
  if (parts.length === 0) return;
  const keyParts = [...parts].sort(
    (a, b) => (a.property.primaryKeyPosition ?? 0) - (b.property.primaryKeyPosition ?? 0),
  );
  const keyColumns = keyParts.map(({ column }) => column.name);
  const single = keyColumns.length === 1 ? quoteIdent(keyColumns[0] ?? '') : undefined;
  state.checks.push({
    check: state.uniqueId(`${state.table}.primaryKey`),
    table: state.table,
    ...(keyColumns.length === 1 ? { column: keyColumns[0] ?? '' } : { columns: keyColumns }),
    metric: 'unique',
    ...noUnexpectedRows,
    // A single-column key counts like `unique` (its nulls fail `required`); a composite key counts
    // rows minus distinct tuples, where a tuple holding a NULL is still a value.
    count: single ? state.scan.duplicateValues(single) : state.scan.duplicateTuples(keyColumns),
    denominator: single ? state.scan.aggregate(`count(${single})`) : state.rowCount,
    duplicateKeys: keyColumns,
    sensitive: keyParts.some(({ property }) => masksSamples(property)),
    description: 'primary key: no two rows share a key',
  });
}

function planTypeOptions(
  state: PlanState,
  propertyName: string,
  {
    logicalType,
    options,
    typedAlias,
    raw,
    notNull,
    implicit,
  }: {
    logicalType: LogicalType;
    options: Record<string, unknown>;
    /** The column's value as its logical type. */
    typedAlias: string;
    /** The column's value as text. */
    raw: string;
    notNull: string;
    implicit: ImplicitCheck;
  },
  path: ContractPath,
): void {
  const bound = (key: string, metric: 'minimum' | 'maximum', comparison: string) => {
    if (!(key in options)) return;
    const literal = boundLiteral(logicalType, options[key]);
    if (literal === undefined) {
      throw state.invalidRule(
        [...path, key],
        `${key} ${JSON.stringify(options[key])} does not fit logicalType ${logicalType}; write ${boundExample(logicalType)}`,
      );
    }
    implicit(metric, `${typedAlias} ${comparison} ${literal}`, notNull, {
      details: { bound: String(options[key]), boundKind: key },
    });
  };
  bound('minimum', 'minimum', '<');
  bound('exclusiveMinimum', 'minimum', '<=');
  bound('maximum', 'maximum', '>');
  bound('exclusiveMaximum', 'maximum', '>=');
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
      state.skip(
        `${state.table}.${propertyName}.format`,
        `format "${format}" is not checked (Warden checks ${Object.keys(formatPatterns).join(', ')})`,
        propertyName,
      );
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

function boundExample(logicalType: LogicalType): string {
  if (logicalType === 'date') return 'a quoted date like "2020-01-01"';
  if (logicalType === 'timestamp') return 'a quoted timestamp like "2020-01-01T00:00:00"';
  if (logicalType === 'time') return 'a quoted time like "08:30:00"';
  return 'a number';
}
