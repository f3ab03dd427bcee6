import { WardenError } from '../../core/index.js';
import type { CheckResult, SkippedRule } from '../check-results.js';
import type { SourceColumn } from '../column-types.js';
import type { ContractProperty, SchemaObject } from '../contract-document.js';
import type { PiiDetectorName } from '../pii-detectors.js';
import { Scan } from './scan.js';

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

/** A check read from the scan's row: what its result will say, and the aggregates it reads. */
export interface PlannedCheck
  extends Pick<
    CheckResult,
    | 'check'
    | 'table'
    | 'column'
    | 'columns'
    | 'metric'
    | 'severity'
    | 'operator'
    | 'threshold'
    | 'unit'
    | 'description'
  > {
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

/** A `query` rule, run as its own statement after the scan. */
export interface PlannedSqlRule
  extends Pick<
    CheckResult,
    'check' | 'table' | 'column' | 'severity' | 'operator' | 'threshold' | 'description'
  > {
  query: string;
  where: string;
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

/** Where a value sits in the contract document, for error messages. */
export type ContractPath = readonly (string | number)[];

/** The fields of a check that tolerates no unexpected row, as every implicit check does. */
export const noUnexpectedRows = {
  severity: 'error',
  operator: 'mustBe',
  threshold: 0,
  unit: 'rows',
} as const satisfies Partial<PlannedCheck>;

/**
 * What the check families build together for one schema object: the scan and its `count(*)`, the
 * check lists, and the check ids already taken. Families append to it in contract order, which
 * fixes the aggregate aliases and so the generated SQL.
 */
export class PlanState {
  readonly table: string;
  readonly scan: Scan;
  /** Alias of the table's `count(*)`, always the scan's first aggregate (`a0`). */
  readonly rowCount: string;
  readonly properties: ContractProperty[];
  readonly columns: SourceColumn[];
  readonly columnsByName: ReadonlyMap<string, SourceColumn>;
  /** The schema object's path in the contract document. */
  readonly path: ContractPath;
  readonly checks: PlannedCheck[] = [];
  readonly skipped: SkippedRule[] = [];
  readonly missingColumns: CheckPlan['missingColumns'] = [];
  readonly pii: PlannedPiiColumn[] = [];
  readonly sqlRules: PlannedSqlRule[] = [];
  private readonly locateInContract: PlanInput['locate'];
  private readonly usedIds = new Set<string>();

  constructor(input: PlanInput) {
    this.table = input.schemaObject.name;
    this.columns = input.columns;
    this.columnsByName = new Map(input.columns.map((column) => [column.name, column]));
    this.properties = input.schemaObject.properties ?? [];
    this.path = ['schema', input.schemaIndex];
    this.locateInContract = input.locate;
    this.scan = new Scan(input.columns.map((column) => column.name));
    this.rowCount = this.scan.aggregate('count(*)');
  }

  locate(path: ContractPath): string {
    return this.locateInContract(path);
  }

  /** The id itself, or with `#2`, `#3`… appended when an earlier check took it. */
  uniqueId(id: string): string {
    let candidate = id;
    for (let n = 2; this.usedIds.has(candidate); n++) candidate = `${id}#${n}`;
    this.usedIds.add(candidate);
    return candidate;
  }

  skip(check: string, reason: string, column?: string): void {
    this.skipped.push({ check, table: this.table, ...(column === undefined ? {} : { column }), reason });
  }

  /** The error for a rule the contract loader let through but that cannot be compiled. */
  invalidRule(path: ContractPath, problem: string): WardenError {
    const where = this.locate(path);
    return new WardenError('WARDEN_ERR_CONTRACT_INVALID_RULE', `${where}: ${problem}`, { where });
  }
}
