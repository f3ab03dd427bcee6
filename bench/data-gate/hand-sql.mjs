// The floor: the benchmark contract's checks written by hand as ONE DuckDB query over read_csv,
// counts only (no samples, no evidence). The PII detectors reuse Warden's macro text so that the
// counts are comparable; everything else is plain SQL.
//
//   node bench/data-gate/hand-sql.mjs FILE.csv OUT.json [WARDEN_ROOT]
//
// WARDEN_ROOT is the Warden package whose detector macros to use (default: this checkout).
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { importWardenModule } from '../lib/warden-dist.mjs';

const table = 'applications';
const columns = [
  'applicant_id',
  'status',
  'seniority',
  'home',
  'time',
  'age',
  'marital',
  'records',
  'job',
  'expenses',
  'income',
  'amount',
  'application_date',
  'branch_code',
  'notes',
];
const textColumns = ['applicant_id', 'status', 'home', 'marital', 'records', 'job', 'branch_code', 'notes'];
const detectors = {
  email: 'warden_pii_email',
  creditCard: 'warden_pii_credit_card',
  iban: 'warden_pii_iban',
  usSsn: 'warden_pii_us_ssn',
  phone: 'warden_pii_phone',
};
const emptySha256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

// An integer is digits only ('34.5' is not 34 or 35); a number has no n (nan, inf).
const int = (c) => `CASE WHEN regexp_full_match(${c}, '[+-]?[0-9]+') THEN TRY_CAST(${c} AS BIGINT) END`;
const typed = {
  seniority: int('seniority'),
  time: int('time'),
  age: int('age'),
  expenses: int('expenses'),
  amount: int('amount'),
  income: `CASE WHEN NOT contains(lower(income), 'n') THEN TRY_CAST(income AS DOUBLE) END`,
  application_date: `TRY_CAST(try_strptime(application_date, '%Y-%m-%d') AS DATE)`,
};

// count_if rather than count(*) FILTER (WHERE …): in DuckDB 1.5 the cost of FILTER clauses grows with the
// square of their number (see profile.mjs).
const count = (where) => `count_if(${where})`;
const id = (column, check) => `${table}.${column}.${check}`;
const checks = [
  ['enough-rows', 'count(*)'],
  [id('applicant_id', 'required'), count('applicant_id IS NULL')],
  [id('applicant_id', 'unique'), 'count(applicant_id) - count(DISTINCT applicant_id)'],
  [
    id('applicant_id', 'piiHashed'),
    count(`NOT regexp_full_match(applicant_id, '[0-9a-f]{64}') OR applicant_id = '${emptySha256}'`),
  ],
  [id('applicant_id', 'piiHashed.emptyDigestCount'), count(`applicant_id = '${emptySha256}'`)],
  [id('status', 'required'), count('status IS NULL')],
  ['status-valid', count(`status NOT IN ('good', 'bad')`)],
  ['home-valid', count(`home NOT IN ('rent', 'owner', 'parents', 'priv', 'other')`)],
  ['home-nulls', count('home IS NULL')],
  ['marital-valid', count(`marital NOT IN ('single', 'married', 'widow', 'separated', 'divorced')`)],
  [id('records', 'required'), count('records IS NULL')],
  ['records-valid', count(`records NOT IN ('yes', 'no')`)],
  ['job-valid', count(`job NOT IN ('fixed', 'freelance', 'partime', 'others')`)],
  ['job-nulls', count('job IS NULL')],
  ['income-nulls', count('income IS NULL')],
  [id('branch_code', 'pattern'), count(`NOT regexp_matches(branch_code, '^BR-[0-9]{4}$')`)],
  [id('notes', 'maxLength'), count('length(notes) > 200')],
];
const bounds = {
  seniority: { required: true, minimum: '0', maximum: '60' },
  time: { required: true, minimum: '6', maximum: '72' },
  age: { required: true, minimum: '18', maximum: '100' },
  expenses: { minimum: '0' },
  income: { exclusiveMinimum: '0' },
  amount: { required: true, minimum: '100', maximum: '10000' },
  application_date: { required: true, minimum: `DATE '2015-01-01'`, maximum: `DATE '2025-12-31'` },
};
for (const [column, rule] of Object.entries(bounds)) {
  const t = `${column}_typed`;
  if (rule.required) checks.push([id(column, 'required'), count(`${column} IS NULL`)]);
  checks.push([id(column, 'logicalType'), count(`${column} IS NOT NULL AND ${t} IS NULL`)]);
  if (rule.minimum) checks.push([id(column, 'minimum'), count(`${t} < ${rule.minimum}`)]);
  if (rule.exclusiveMinimum) checks.push([id(column, 'minimum'), count(`${t} <= ${rule.exclusiveMinimum}`)]);
  if (rule.maximum) checks.push([id(column, 'maximum'), count(`${t} > ${rule.maximum}`)]);
}
for (const column of textColumns) {
  for (const [detector, macro] of Object.entries(detectors)) {
    // In the hashed column only values that are not well-formed digests are scanned (as Warden does).
    const scanned =
      column === 'applicant_id'
        ? `CASE WHEN NOT regexp_full_match(${column}, '[0-9a-f]{64}') OR ${column} = '${emptySha256}' THEN ${macro}(${column}) ELSE false END`
        : `${macro}(${column})`;
    checks.push([`pii.${column}.${detector}`, count(scanned)]);
  }
}

function handSql(file) {
  const types = columns.map((c) => `'${c}': 'VARCHAR'`).join(', ');
  return `SELECT
  ${checks.map(([name, sql]) => `${sql} AS "${name}"`).join(',\n  ')}
FROM (
  SELECT *, ${Object.entries(typed)
    .map(([c, sql]) => `${sql} AS ${c}_typed`)
    .join(', ')}
  FROM read_csv('${resolve(file)}', header=true, auto_detect=false, delim=',', quote='"', escape='"',
    strict_mode=true, allow_quoted_nulls=false, nullstr=['', 'NA'], columns={${types}})
)`;
}

/** Opens DuckDB as Warden does (same memory limit, same settings that affect speed). */
async function openDuckDB(wardenRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')) {
  const { piiMacros } = await importWardenModule(wardenRoot, 'data');
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  await connection.run(`SET memory_limit='${process.env.WARDEN_DUCKDB_MEMORY_LIMIT ?? '1GB'}'`);
  await connection.run('SET preserve_insertion_order=false');
  const spill = resolve(dirname(fileURLToPath(import.meta.url)), '../.out/data-gate/duckdb-spill');
  await connection.run(`SET temp_directory='${spill}'`);
  for (const macro of piiMacros) await connection.run(macro);
  return { db, connection };
}

const [file, out, wardenRoot] = process.argv.slice(2);
const { db, connection } = await openDuckDB(wardenRoot);
const [row] = (await connection.runAndReadAll(handSql(file))).getRowObjects();
connection.closeSync();
db.closeSync();
const counts = Object.fromEntries(Object.entries(row).map(([name, value]) => [name, Number(value)]));
await writeFile(out, `${JSON.stringify(counts, null, 2)}\n`);
