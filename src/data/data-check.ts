import { basename, extname } from 'node:path';
import { StatementType } from '@duckdb/node-api';
import {
  type DatasetOptions,
  type DatasetSource,
  type Digest,
  datasetInput,
  type EngineOptions,
  type EngineSession,
  openDataset,
  openEngineSession,
  quoteIdent,
  quoteString,
  sealEvidence,
  sqlNumber,
  translateEngineError,
  WardenError,
} from '../core/index.js';
import type { CheckResult, PiiColumnReport, SkippedRule } from './check-results.js';
import type { SourceColumn } from './column-types.js';
import type { SchemaObject } from './contract-document.js';
import { type LoadedContract, loadContract } from './contract-loader.js';
import { compare } from './operators.js';
import { detectPii, maskValue, type PiiDetectorName, piiDetectorNames, piiMacros } from './pii-detectors.js';
import { type CheckPlan, type PlannedCheck, type PlannedSqlRule, planChecks } from './plan/index.js';

export interface DataCheckOptions extends DatasetOptions, EngineOptions {
  /** The schema object of the contract that describes this file (needed when it has several). */
  table?: string;
  /** The dataset's name in the evidence subject; defaults to the contract id. */
  subjectName?: string;
  /** Scan string columns for raw PII (default true). */
  scanPii?: boolean;
  /** Called with the scan's progress (0–100) while it runs. */
  onProgress?: (percent: number) => void;
  now?: () => Date;
}

/** How Warden reads what ODCS leaves open; recorded in every data-check evidence document. */
export const pinnedSemantics = {
  mustBeBetween: 'inclusive at both ends',
  duplicateValues:
    'extra copies: non-null count minus distinct non-null count; for a key list, rows minus distinct key tuples',
  percentDenominator:
    'nullValues, missingValues, required and rowCount-relative checks: all rows; invalidValues, duplicateValues on a property and the logicalTypeOptions checks: non-null rows',
  pattern: 'search semantics (anchor with ^…$), RE2 syntax as run by DuckDB',
  logicalType: 'a value that cannot be cast to the declared logicalType is invalid, never a crash',
} as const;

export interface DataCheckEvidence {
  kind: 'data-check';
  schemaVersion: 1;
  id: Digest;
  subject: { type: 'dataset'; name: string };
  inputs: { uri: string; digest: Digest; bytes: number; rows: number; format: string }[];
  producedAt: string;
  producer: { name: string; version: string };
  passed: boolean;
  contract: {
    id: string;
    version: string;
    name?: string;
    uri: string;
    digest: Digest;
    apiVersion: string;
    schemaDigest: Digest;
  };
  table: string;
  rowCount: number;
  engine: { name: 'duckdb'; version: string };
  semantics: typeof pinnedSemantics;
  summary: { checks: number; passed: number; failed: number; warnings: number; skipped: number };
  results: CheckResult[];
  skipped: SkippedRule[];
  pii: PiiColumnReport[];
}

/**
 * Validates a dataset file against an ODCS data contract in one DuckDB scan and returns the
 * evidence. A failing check is a result (`passed: false`), not an error; bad input throws a
 * coded WardenError.
 *
 * @example
 * const evidence = await runDataCheck('train.csv', 'contract.yaml', { nullValues: ['NA'] });
 * if (!evidence.passed) process.exitCode = 1;
 */
export async function runDataCheck(
  datasetFile: string,
  contractOrFile: string | LoadedContract,
  options: DataCheckOptions = {},
): Promise<DataCheckEvidence> {
  const contract = typeof contractOrFile === 'string' ? await loadContract(contractOrFile) : contractOrFile;
  const dataset = await openDataset(datasetFile, options);
  const { schemaObject, schemaIndex } = pickSchemaObject(contract, dataset.file, options.table);
  const digest = dataset.digest();
  digest.catch(() => undefined);
  const session = await openEngineSession(dataset, schemaObject.name, { ...options, setup: piiMacros });
  try {
    const columns = await describeColumns(session, dataset, schemaObject.name);
    const plan = planChecks({
      schemaObject,
      schemaIndex,
      columns,
      locate: contract.locate,
      ...(options.scanPii === undefined ? {} : { scanPii: options.scanPii }),
    });
    await compilePatterns(session, plan);
    const sqlRules = await prepareSqlRules(session, plan);
    const [row] = await session.scan(plan.scanSql, options.onProgress);
    if (!row) throw new Error('the scan returned no row');
    const rowCount = sqlNumber(row['a0']);
    await dataset.confirmRows(rowCount);
    const pii = plan.pii.map((column) => piiReport(column, row));
    const columnsWithPii = new Set(
      pii
        .filter((report) => piiDetectorNames.some((name) => report.detectors[name].hits > 0))
        .map((report) => report.column),
    );
    const results = [
      ...plan.missingColumns.map((missing) => missingColumnResult(plan.table, missing, columns)),
      ...(await Promise.all(
        plan.checks.map((check) => checkResult(session, dataset, check, row, columnsWithPii)),
      )),
      ...(await runSqlRules(session, dataset, sqlRules)),
      ...piiResults(plan, pii, row),
    ];
    const skipped = [...plan.skipped, ...sqlRules.filter((rule) => 'reason' in rule)] as SkippedRule[];
    const passed = results.every((result) => result.passed || result.severity !== 'error');
    return sealEvidence(
      {
        kind: 'data-check' as const,
        subject: { type: 'dataset' as const, name: options.subjectName ?? contract.contract.id },
        inputs: [datasetInput(dataset, await digest, rowCount)],
        passed,
        contract: {
          id: contract.contract.id,
          version: contract.contract.version,
          ...(contract.contract.name ? { name: contract.contract.name } : {}),
          uri: contract.file,
          digest: contract.digest,
          apiVersion: contract.contract.apiVersion,
          schemaDigest: contract.schemaDigest,
        },
        table: plan.table,
        rowCount,
        engine: { name: 'duckdb' as const, version: session.version },
        semantics: pinnedSemantics,
        summary: {
          checks: results.length,
          passed: results.filter((result) => result.passed).length,
          failed: results.filter((result) => !result.passed && result.severity === 'error').length,
          warnings: results.filter((result) => !result.passed && result.severity !== 'error').length,
          skipped: skipped.length,
        },
        results,
        skipped,
        pii,
      },
      options.now?.() ?? new Date(),
    ) as DataCheckEvidence;
  } finally {
    await session.close();
  }
}

function pickSchemaObject(
  contract: LoadedContract,
  file: string,
  table: string | undefined,
): { schemaObject: SchemaObject; schemaIndex: number } {
  const objects = contract.contract.schema ?? [];
  const names = objects.map((object) => object.name);
  const matches = (object: SchemaObject, name: string) =>
    object.name === name || object.physicalName === name;
  const stem = basename(file, extname(file));
  const index =
    table !== undefined
      ? objects.findIndex((object) => matches(object, table))
      : objects.length === 1
        ? 0
        : objects.findIndex((object) => matches(object, stem));
  const schemaObject = objects[index];
  if (schemaObject) return { schemaObject, schemaIndex: index };
  const reason =
    objects.length === 0
      ? 'has no schema objects; add one under "schema:" that describes the file'
      : table !== undefined
        ? `has no schema object named "${table}"; choose one of ${names.join(', ')}`
        : `has ${objects.length} schema objects and none is named "${stem}"; pass --table with one of ${names.join(', ')}`;
  throw new WardenError('WARDEN_ERR_CONTRACT_TABLE_NOT_FOUND', `${contract.file}: the contract ${reason}`, {
    where: contract.file,
  });
}

async function describeColumns(
  session: EngineSession,
  dataset: DatasetSource,
  table: string,
): Promise<SourceColumn[]> {
  try {
    const rows = await session.query(`DESCRIBE SELECT * FROM ${quoteIdent(table)}`);
    return rows.map((row) => ({ name: String(row['column_name']), type: String(row['column_type']) }));
  } catch (error) {
    throw await translateEngineError(error, dataset);
  }
}

async function compilePatterns(session: EngineSession, plan: CheckPlan): Promise<void> {
  for (const { pattern, where } of plan.patterns) {
    try {
      await session.query(`SELECT regexp_matches('', ${quoteString(pattern)})`);
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).replace(
        /^Invalid Input Error: /,
        '',
      );
      throw new WardenError(
        'WARDEN_ERR_CONTRACT_INVALID_RULE',
        `${where}: the pattern ${JSON.stringify(pattern)} is not a valid regular expression (${reason}); Warden runs patterns with RE2, which has no look-arounds or back-references`,
        { where },
      );
    }
  }
}

type PreparedSqlRule = PlannedSqlRule | SkippedRule;

/** Checks before the scan that every SQL rule is one SELECT that compiles, so a broken rule costs no scan. */
async function prepareSqlRules(session: EngineSession, plan: CheckPlan): Promise<PreparedSqlRule[]> {
  const prepared: PreparedSqlRule[] = [];
  for (const rule of plan.sqlRules) {
    try {
      const statements = await session.connection.extractStatements(rule.query);
      if (statements.count !== 1) {
        throw new Error(`expected one statement, found ${statements.count}`);
      }
      const statement = await statements.prepare(0);
      if (statement.statementType !== StatementType.SELECT) {
        throw new Error('only a SELECT may run as a quality rule; it must not change anything');
      }
      prepared.push(rule);
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
      if (plan.missingColumns.length > 0 && /Binder Error/.test(reason)) {
        prepared.push({
          check: rule.check,
          table: rule.table,
          ...(rule.column ? { column: rule.column } : {}),
          reason: `not run: ${reason} (the file lacks contract columns)`,
        });
        continue;
      }
      throw new WardenError(
        'WARDEN_ERR_CONTRACT_INVALID_RULE',
        `${rule.where}: SQL rule "${rule.check}" does not compile: ${reason}; fix the query (DuckDB dialect; {object} is the table, {property} the column)`,
        { where: rule.where },
      );
    }
  }
  return prepared;
}

function percent(count: number, denominator: number): number {
  return denominator === 0 ? 0 : (100 * count) / denominator;
}

/**
 * Samples as evidence may hold them: masked when the column's are, and each one a PII detector
 * flags masked whatever the column (a card number in a column the scan does not cover).
 */
function samplesOf(values: unknown[], masked: boolean): { samples: string[]; masked: boolean } {
  const distinct = [...new Set(values.filter((value) => value !== null && value !== undefined).map(String))];
  const maskEach = masked || distinct.some((value) => detectPii(value) !== undefined);
  return {
    samples: distinct.map((value) =>
      maskEach ? maskValue(value) : value.length > 60 ? `${value.slice(0, 60)}…` : value,
    ),
    masked: maskEach,
  };
}

async function checkResult(
  session: EngineSession,
  dataset: DatasetSource,
  check: PlannedCheck,
  row: Record<string, unknown>,
  columnsWithPii: ReadonlySet<string>,
): Promise<CheckResult> {
  // A column the scan found raw PII in is masked whatever the contract says about it.
  const sensitive =
    check.sensitive ||
    [check.column, ...(check.columns ?? [])].some((name) => name !== undefined && columnsWithPii.has(name));
  const count = sqlNumber(row[check.count]);
  const denominator = check.denominator === undefined ? undefined : sqlNumber(row[check.denominator]);
  const unexpectedPercent = denominator === undefined ? undefined : percent(count, denominator);
  const observed = check.unit === 'percent' && unexpectedPercent !== undefined ? unexpectedPercent : count;
  const passed = compare(observed, check.operator, check.threshold);
  const result: CheckResult = {
    check: check.check,
    table: check.table,
    ...(check.column !== undefined ? { column: check.column } : {}),
    ...(check.columns !== undefined ? { columns: check.columns } : {}),
    metric: check.metric,
    severity: check.severity,
    passed,
    observed,
    operator: check.operator,
    threshold: check.threshold,
    unit: check.unit,
    ...(check.metric === 'rowCount' ? {} : { unexpectedCount: count }),
    ...(unexpectedPercent !== undefined ? { unexpectedPercent } : {}),
    ...(check.description ? { description: check.description } : {}),
  };
  if (check.details || check.detailCounts) {
    result.details = {
      ...check.details,
      ...Object.fromEntries(
        Object.entries(check.detailCounts ?? {}).map(([name, alias]) => [name, sqlNumber(row[alias])]),
      ),
    };
  }
  if (count > 0 && check.samples) {
    const { samples, masked } = samplesOf(
      [row[check.samples.low], row[check.samples.high]],
      check.samples.sensitive || sensitive,
    );
    if (samples.length > 0) {
      result.samples = samples;
      result.samplesMasked = masked;
    }
  }
  if (!passed && check.duplicateKeys && count > 0) {
    const duplicates = await duplicateSamples(session, dataset, check, sensitive);
    result.samples = duplicates.samples;
    result.samplesMasked = duplicates.masked;
  }
  return result;
}

/** The most repeated keys of a failing duplicate check: a second query, run only on failure. */
async function duplicateSamples(
  session: EngineSession,
  dataset: DatasetSource,
  check: PlannedCheck,
  masked: boolean,
): Promise<{ samples: string[]; masked: boolean }> {
  const keys = (check.duplicateKeys ?? []).map(quoteIdent);
  const notNull = keys.length === 1 ? `WHERE ${keys[0]} IS NOT NULL` : '';
  const sql = `SELECT ${keys.map((key) => `CAST(${key} AS VARCHAR)`).join(', ')}, count(*) AS copies
    FROM ${quoteIdent(check.table)} ${notNull} GROUP BY ALL HAVING count(*) > 1 ORDER BY copies DESC, ${keys.map((_, index) => index + 1).join(', ')} LIMIT 3`;
  try {
    const rows = await session.query(sql);
    const keys = rows.map((row) =>
      Object.entries(row)
        .filter(([name]) => name !== 'copies')
        .map(([, value]) => (value === null ? null : String(value))),
    );
    const maskEach =
      masked ||
      keys.some((values) => values.some((value) => value !== null && detectPii(value) !== undefined));
    const samples = rows.map((row, index) => {
      const values = (keys[index] ?? []).map((value) =>
        value === null ? 'NULL' : maskEach ? maskValue(value) : value,
      );
      return `${values.join(', ')} ×${sqlNumber(row['copies'])}`;
    });
    return { samples, masked: maskEach };
  } catch (error) {
    throw await translateEngineError(error, dataset);
  }
}

function missingColumnResult(
  table: string,
  missing: CheckPlan['missingColumns'][number],
  columns: SourceColumn[],
): CheckResult {
  const near = columns.find((column) => column.name.toLowerCase() === missing.column.toLowerCase());
  return {
    check: missing.check,
    table,
    column: missing.column,
    metric: 'columnPresent',
    severity: 'error',
    passed: false,
    observed: 0,
    operator: 'mustBe',
    threshold: 1,
    unit: 'rows',
    description: near
      ? `the file has no column "${missing.column}" (it has "${near.name}": names are case-sensitive)`
      : `the file has no column "${missing.column}"; it has ${columns.map((column) => column.name).join(', ')}`,
  };
}

async function runSqlRules(
  session: EngineSession,
  dataset: DatasetSource,
  rules: PreparedSqlRule[],
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const rule of rules) {
    if ('reason' in rule) continue;
    let value: unknown;
    try {
      const rows = await session.query(rule.query);
      const values = rows.length === 1 ? Object.values(rows[0] ?? {}) : [];
      if (rows.length !== 1 || values.length !== 1) {
        throw new Error(
          `it returned ${rows.length} row(s) of ${values.length} column(s); a rule must return one value`,
        );
      }
      value = values[0];
      if (!['number', 'bigint', 'boolean'].includes(typeof value) && value !== null) {
        throw new Error(`it returned ${JSON.stringify(String(value))}, not a number`);
      }
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
      if (/CSV Error|Invalid unicode|Malformed JSON/.test(reason))
        throw await translateEngineError(error, dataset);
      // Runtime errors quote data values ("Could not convert string 'x'"); logs must not hold them.
      const maskedReason = reason.replace(/'([^']*)'/g, (_, value: string) => `'${maskValue(value)}'`);
      throw new WardenError(
        'WARDEN_ERR_CONTRACT_SQL_RULE_FAILED',
        `${rule.where}: SQL rule "${rule.check}" failed: ${maskedReason}; fix the query so it returns exactly one number`,
        { where: rule.where },
      );
    }
    const observed = value === null ? Number.NaN : sqlNumber(value);
    results.push({
      check: rule.check,
      table: rule.table,
      ...(rule.column ? { column: rule.column } : {}),
      metric: 'sql',
      severity: rule.severity,
      passed: !Number.isNaN(observed) && compare(observed, rule.operator, rule.threshold),
      observed: Number.isNaN(observed) ? 0 : observed,
      operator: rule.operator,
      threshold: rule.threshold,
      unit: 'rows',
      ...(rule.description ? { description: rule.description } : {}),
      ...(value === null ? { details: { note: 'the query returned NULL' } } : {}),
    });
  }
  return results;
}

function piiReport(column: CheckPlan['pii'][number], row: Record<string, unknown>): PiiColumnReport {
  const scanned = sqlNumber(row[column.scanned]);
  const detectors = Object.fromEntries(
    piiDetectorNames.map((detector) => {
      const hits = sqlNumber(row[column.hits[detector].count]);
      return [detector, { hits, ratio: scanned === 0 ? 0 : hits / scanned }];
    }),
  ) as PiiColumnReport['detectors'];
  return { column: column.column, declared: column.declared, scanned, detectors };
}

/**
 * A finding per column and detector with hits: in a column declared hashed any hit fails; in a
 * column not declared as PII, 1% or more of the non-null values fails and fewer warns; in a column
 * declared as raw PII the hits are reported for information.
 */
function piiResults(
  plan: CheckPlan,
  reports: PiiColumnReport[],
  row: Record<string, unknown>,
): CheckResult[] {
  const results: CheckResult[] = [];
  for (const [index, report] of reports.entries()) {
    const planned = plan.pii[index];
    if (!planned) continue;
    for (const detector of piiDetectorNames) {
      const { hits, ratio } = report.detectors[detector];
      if (hits === 0) continue;
      const severity =
        report.declared === 'pii'
          ? 'info'
          : report.declared === 'hashed' || ratio >= 0.01
            ? 'error'
            : 'warning';
      results.push({
        check: `${plan.table}.${report.column}.piiDetected.${detector}`,
        table: plan.table,
        column: report.column,
        metric: 'piiDetected',
        severity,
        passed: severity === 'info',
        observed: hits,
        operator: 'mustBe',
        threshold: 0,
        unit: 'rows',
        unexpectedCount: hits,
        unexpectedPercent: ratio * 100,
        samples: samplesOf([row[planned.hits[detector].low], row[planned.hits[detector].high]], true).samples,
        samplesMasked: true,
        details: { detector: detector satisfies PiiDetectorName, declared: report.declared },
        description: describePii(detector, report.declared),
      });
    }
  }
  return results;
}

const detectorLabels: Record<PiiDetectorName, string> = {
  email: 'email addresses',
  creditCard: 'card numbers (Luhn-valid)',
  iban: 'IBANs (mod-97 valid)',
  usSsn: 'US social security numbers',
  phone: 'phone numbers',
};

function describePii(detector: PiiDetectorName, declared: PiiColumnReport['declared']): string {
  const what = `raw ${detectorLabels[detector]}`;
  if (declared === 'hashed') return `${what} in a column declared hashed`;
  if (declared === 'pii') return `${what} in a column declared as PII`;
  return `${what} in a column not declared as PII; hash it or classify it as pii in the contract`;
}
