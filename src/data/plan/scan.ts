import { quoteIdent } from '../../core/index.js';

/**
 * The one aggregate SELECT a plan compiles to: per-row expressions are projected once under
 * generated aliases, and every check reads them through aggregates over that projection. The same
 * SQL text always gets the same alias, so checks that need the same count share one aggregate.
 */
export class Scan {
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

  /** Non-null values of one column that repeat an earlier value. */
  duplicateValues(columnSql: string): string {
    return this.aggregate(`count(${columnSql}) - count(DISTINCT ${columnSql})`);
  }

  /** Rows minus distinct key tuples; row() keeps a tuple holding a NULL a value. */
  duplicateTuples(columns: readonly string[]): string {
    return this.aggregate(`count(*) - count(DISTINCT row(${columns.map(quoteIdent).join(', ')}))`);
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
