import { quoteIdent, quoteString, WardenError } from '../core/index.js';
import type { LogicalType } from './contract-document.js';

/** A column as the engine sees it in the file: its name and DuckDB type. */
export interface SourceColumn {
  name: string;
  type: string;
}

const integerTypes =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;
const floatTypes = /^(FLOAT|DOUBLE)$/;
const decimalType = /^DECIMAL/;

export function isTextType(type: string): boolean {
  return type === 'VARCHAR' || type === 'JSON';
}

/** The SQL expression that reads a column as text. */
export function asText(column: SourceColumn): string {
  const c = quoteIdent(column.name);
  return isTextType(column.type) ? c : `CAST(${c} AS VARCHAR)`;
}

/**
 * The SQL expression that reads a column as its contract's logical type: the typed value, or NULL
 * when the value cannot be cast (docs/architecture.md: such a value is invalid, never a crash). Stricter than
 * DuckDB's own casts where those would accept what a contract author would not: '1.5' is not an
 * integer (DuckDB rounds it), and 'NaN' or 'inf' are not numbers.
 */
export function typedValue(
  column: SourceColumn,
  logicalType: LogicalType,
  format: string | undefined,
): string {
  const c = quoteIdent(column.name);
  const text = isTextType(column.type);
  switch (logicalType) {
    case 'string':
      return text ? c : `CAST(${c} AS VARCHAR)`;
    case 'integer':
      if (text) return `CASE WHEN regexp_full_match(${c}, '[+-]?[0-9]+') THEN TRY_CAST(${c} AS HUGEINT) END`;
      if (integerTypes.test(column.type)) return c;
      if (floatTypes.test(column.type))
        return `CASE WHEN isfinite(${c}) AND ${c} = trunc(${c}) THEN TRY_CAST(${c} AS HUGEINT) END`;
      if (decimalType.test(column.type))
        return `CASE WHEN ${c} = trunc(${c}) THEN TRY_CAST(${c} AS HUGEINT) END`;
      return 'CAST(NULL AS HUGEINT)';
    case 'number':
      // A numeric string never contains an n; 'nan', 'inf' and 'infinity' all do.
      if (text) return `CASE WHEN NOT contains(lower(${c}), 'n') THEN TRY_CAST(${c} AS DOUBLE) END`;
      if (floatTypes.test(column.type)) return `CASE WHEN isfinite(${c}) THEN CAST(${c} AS DOUBLE) END`;
      if (integerTypes.test(column.type) || decimalType.test(column.type)) return `CAST(${c} AS DOUBLE)`;
      return 'CAST(NULL AS DOUBLE)';
    case 'boolean':
      return column.type === 'BOOLEAN' ? c : `TRY_CAST(${c} AS BOOLEAN)`;
    case 'date':
      if (text && format)
        return `TRY_CAST(try_strptime(${c}, ${quoteString(strftimeFormat(format))}) AS DATE)`;
      return column.type === 'DATE' ? c : `TRY_CAST(${c} AS DATE)`;
    case 'timestamp':
      if (text && format) return `try_strptime(${c}, ${quoteString(strftimeFormat(format))})`;
      return column.type.startsWith('TIMESTAMP') ? c : `TRY_CAST(${c} AS TIMESTAMP)`;
    case 'time':
      return column.type === 'TIME' ? c : `TRY_CAST(${c} AS TIME)`;
    case 'object':
      if (text) return `CASE WHEN json_valid(${c}) AND json_type(${c}) = 'OBJECT' THEN ${c} END`;
      return /^(STRUCT|MAP)/.test(column.type) ? `CAST(${c} AS VARCHAR)` : 'CAST(NULL AS VARCHAR)';
    case 'array':
      if (text) return `CASE WHEN json_valid(${c}) AND json_type(${c}) = 'ARRAY' THEN ${c} END`;
      return /\[\d*\]$/.test(column.type) ? `CAST(${c} AS VARCHAR)` : 'CAST(NULL AS VARCHAR)';
  }
}

/** The SQL literal of a bound for a logical type: numbers as numbers, date bounds as typed literals. */
export function boundLiteral(logicalType: LogicalType, bound: unknown): string | undefined {
  if (logicalType === 'integer' || logicalType === 'number') {
    return typeof bound === 'number' && Number.isFinite(bound) ? String(bound) : undefined;
  }
  if (typeof bound !== 'string') return undefined;
  if (logicalType === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(bound) && !Number.isNaN(Date.parse(bound))) {
    return `DATE ${quoteString(bound)}`;
  }
  if (logicalType === 'timestamp' && /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(bound)) {
    return `TIMESTAMP ${quoteString(bound.replace('T', ' '))}`;
  }
  if (logicalType === 'time' && /^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(bound))
    return `TIME ${quoteString(bound)}`;
  return undefined;
}

const javaToStrftime: [RegExp, string][] = [
  [/^yyyy/, '%Y'],
  [/^yy/, '%y'],
  [/^MM/, '%m'],
  [/^dd/, '%d'],
  [/^HH/, '%H'],
  [/^hh/, '%I'],
  [/^mm/, '%M'],
  [/^ss/, '%S'],
  [/^SSSSSS/, '%f'],
  [/^SSS/, '%g'],
  [/^a/, '%p'],
  [/^XXX/, '%z'],
  [/^Z/, '%z'],
];

/**
 * Translates an ODCS date `format` (Java DateTimeFormatter style: `yyyy-MM-dd`, `dd/MM/yyyy HH:mm`)
 * into DuckDB's strptime format. Quoted text ('T') is literal.
 */
export function strftimeFormat(format: string): string {
  let rest = format;
  let out = '';
  while (rest.length > 0) {
    const quoted = /^'([^']*)'/.exec(rest);
    if (quoted) {
      out += (quoted[1] ?? '').replaceAll('%', '%%');
      rest = rest.slice(quoted[0].length);
      continue;
    }
    const token = javaToStrftime.find(([pattern]) => pattern.test(rest));
    if (token) {
      const [pattern, replacement] = token;
      out += replacement;
      rest = rest.replace(pattern, '');
      continue;
    }
    const char = rest[0] ?? '';
    if (/[A-Za-z]/.test(char)) {
      throw new WardenError(
        'WARDEN_ERR_CONTRACT_INVALID_RULE',
        `date format "${format}": the letter "${char}" is not supported; use yyyy, yy, MM, dd, HH, hh, mm, ss, SSS, a, XXX and quote literal text ('T')`,
      );
    }
    out += char === '%' ? '%%' : char;
    rest = rest.slice(1);
  }
  return out;
}
