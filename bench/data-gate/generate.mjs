// Generates the benchmark's synthetic credit applications with DuckDB: deterministic (every random
// draw is hash(row, stream), no RNG state), so the same --rows gives the same bytes on the same
// DuckDB version. Writes bench/.out/data-gate/credit-<rows>.csv and a Parquet copy.
//
//   node bench/data-gate/generate.mjs [--rows N] [--force]
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

const here = dirname(fileURLToPath(import.meta.url));
export const outDir = resolve(here, '../.out/data-gate');
const generatorVersion = 2;

// Row i's uniform draw in [0, 1) for stream k.
const u = (k) => `(hash(i, ${k}::INTEGER) % 1000000) / 1000000.0`;
const pick = (k, values) =>
  `[${values.map((v) => `'${v}'`).join(', ')}][1 + floor(${u(k)} * ${values.length})::INTEGER]`;

const harmlessNotes = [
  'Customer asked about early repayment',
  'Documents complete, verified at branch',
  'Requested a longer term; see file',
  'Second application this year',
  'Income proof pending, follow up next week',
  'Co-signer present at interview',
  'No remarks',
  'Prefers contact by post',
  'Existing customer since 2012, good history',
  'Asked for a lower monthly payment, e.g. 250 or 300',
  'Branch manager approved exception ref 88-1204',
  'Car purchase, dealer invoice attached',
];
// Luhn-valid test card numbers (issuers' published test numbers), written in several ways.
const cards = ['4111 1111 1111 1111', '5500-0055-5555-5559', '4012888888881881', '378282246310005'];

/** The SELECT producing the dataset; every column is text, as it would be written to a CSV. */
export function datasetSql(rows) {
  const id = (n) => `sha256('applicant-' || ${n})`;
  return `
SELECT
  CASE
    WHEN ${u(1)} < 0.0001 THEN ${id('greatest(i - 1, 0)')}
    WHEN ${u(1)} < 0.00012 THEN upper(${id('i')})
    WHEN ${u(1)} < 0.00013 THEN 'applicant' || i || '@example.com'
    WHEN ${u(1)} < 0.000135 THEN sha256('')
    WHEN ${u(1)} < 0.00014 THEN NULL
    ELSE ${id('i')}
  END AS applicant_id,
  CASE WHEN ${u(2)} < 0.00001 THEN 'Good' WHEN ${u(2)} < 0.28 THEN 'bad' ELSE 'good' END AS status,
  CASE WHEN ${u(3)} < 0.00002 THEN '-1' ELSE CAST(floor(${u(4)} * 41)::INTEGER AS VARCHAR) END AS seniority,
  CASE
    WHEN ${u(5)} < 0.003 THEN NULL
    WHEN ${u(5)} < 0.0031 THEN 'boat'
    ELSE ${pick(6, ['rent', 'owner', 'parents', 'priv', 'other'])}
  END AS home,
  ${pick(7, ['12', '24', '36', '48', '60'])} AS time,
  CASE
    WHEN ${u(8)} < 0.00005 THEN '150'
    WHEN ${u(8)} < 0.0001 THEN '7'
    WHEN ${u(8)} < 0.00012 THEN NULL
    WHEN ${u(8)} < 0.00013 THEN '34.5'
    ELSE CAST(18 + floor(${u(9)} * 60)::INTEGER AS VARCHAR)
  END AS age,
  CASE WHEN ${u(10)} < 0.00002 THEN 'maried'
    ELSE ${pick(11, ['single', 'married', 'widow', 'separated', 'divorced'])} END AS marital,
  CASE WHEN ${u(12)} < 0.17 THEN 'yes' ELSE 'no' END AS records,
  CASE
    WHEN ${u(13)} < 0.02 THEN NULL
    WHEN ${u(13)} < 0.0201 THEN 'unemployed'
    ELSE ${pick(14, ['fixed', 'freelance', 'partime', 'others'])}
  END AS job,
  CASE WHEN ${u(15)} < 0.00003 THEN '-5' ELSE CAST(35 + floor(${u(16)} * 150)::INTEGER AS VARCHAR) END AS expenses,
  CASE
    WHEN ${u(17)} < 0.08 THEN 'NA'
    WHEN ${u(17)} < 0.0801 THEN 'n/a'
    WHEN ${u(17)} < 0.08015 THEN '12k'
    WHEN ${u(17)} < 0.08016 THEN '0'
    ELSE CAST(round(40 + ${u(18)} * 400, 2) AS VARCHAR)
  END AS income,
  CASE
    WHEN ${u(19)} < 0.00004 THEN '50000'
    WHEN ${u(19)} < 0.00005 THEN '0'
    ELSE CAST(100 * (1 + floor(${u(20)} * 60)::INTEGER) AS VARCHAR)
  END AS amount,
  CASE
    WHEN ${u(21)} < 0.00002 THEN '2023-02-30'
    WHEN ${u(21)} < 0.00004 THEN '31/12/2020'
    WHEN ${u(21)} < 0.00006 THEN '2031-06-01'
    WHEN ${u(21)} < 0.00008 THEN '2009-03-15'
    ELSE strftime(DATE '2015-01-01' + floor(${u(22)} * 3650)::INTEGER, '%Y-%m-%d')
  END AS application_date,
  CASE
    WHEN ${u(23)} < 0.00002 THEN 'BR-12A4'
    WHEN ${u(23)} < 0.00004 THEN 'br-' || lpad(CAST(i % 10000 AS VARCHAR), 4, '0')
    ELSE 'BR-' || lpad(CAST(floor(${u(24)} * 10000)::INTEGER AS VARCHAR), 4, '0')
  END AS branch_code,
  CASE
    WHEN ${u(25)} < 0.05 THEN NULL
    WHEN ${u(25)} < 0.0505 THEN 'new address, contact: jane.doe' || (i % 1000) || '@mail.example.org'
    WHEN ${u(25)} < 0.0507 THEN 'paid deposit with card ' || ${pick(26, cards)}
    WHEN ${u(25)} < 0.0509 THEN '(415) 555-' || lpad(CAST(i % 10000 AS VARCHAR), 4, '0')
    WHEN ${u(25)} < 0.0510 THEN '+44 20 7946 ' || lpad(CAST(i % 10000 AS VARCHAR), 4, '0')
    WHEN ${u(25)} < 0.05105 THEN '  (212) 555-' || lpad(CAST(i % 10000 AS VARCHAR), 4, '0') || ' '
    WHEN ${u(25)} < 0.0511 THEN 'call back on 415-555-' || lpad(CAST(i % 10000 AS VARCHAR), 4, '0')
    WHEN ${u(25)} < 0.05115 THEN 'refund to GB82 WEST 1234 5698 7654 32'
    WHEN ${u(25)} < 0.0512 THEN 'ssn on file: 536-22-' || lpad(CAST(1000 + i % 9000 AS VARCHAR), 4, '0')
    WHEN ${u(25)} < 0.0513 THEN 'contract no. 4' || lpad(CAST(hash(i, 27::INTEGER) % 1000000000000000 AS VARCHAR), 15, '0')
    WHEN ${u(25)} < 0.05131 THEN repeat('long note ', 25)
    ELSE ${pick(28, harmlessNotes)}
  END AS notes
FROM range(${Number(rows)}) t(i)`;
}

/**
 * Writes the CSV (and Parquet copy) for `rows` rows unless an up-to-date copy exists.
 * Returns their paths.
 */
export async function generate(rows, { force = false, log = () => {} } = {}) {
  await mkdir(outDir, { recursive: true });
  const csv = join(outDir, `credit-${rows}.csv`);
  const parquet = join(outDir, `credit-${rows}.parquet`);
  const stamp = join(outDir, `credit-${rows}.json`);
  const fresh =
    !force &&
    existsSync(csv) &&
    existsSync(parquet) &&
    existsSync(stamp) &&
    JSON.parse(await readFile(stamp, 'utf8')).generatorVersion === generatorVersion;
  if (fresh) return { csv, parquet };

  const started = performance.now();
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    await connection.run(`SET temp_directory='${join(outDir, 'duckdb-spill')}'`);
    await connection.run(`COPY (${datasetSql(rows)}) TO '${csv}.tmp' (FORMAT csv, HEADER)`);
    await rename(`${csv}.tmp`, csv);
    // The Parquet copy reads the CSV back as a user would load it: NA is null, clean numeric
    // columns typed, columns with malformed values left as text.
    const types = {
      seniority: 'INTEGER',
      time: 'INTEGER',
      age: 'DOUBLE',
      expenses: 'INTEGER',
      amount: 'INTEGER',
    };
    const header = (await connection.runAndReadAll(`DESCRIBE ${datasetSql(0)}`))
      .getRowObjects()
      .map((row) => String(row.column_name));
    const columns = header.map((name) => `'${name}': '${types[name] ?? 'VARCHAR'}'`).join(', ');
    await connection.run(
      `COPY (SELECT * FROM read_csv('${csv}', header=true, auto_detect=false, nullstr=['', 'NA'], columns={${columns}}))
       TO '${parquet}.tmp' (FORMAT parquet, COMPRESSION zstd)`,
    );
    await rename(`${parquet}.tmp`, parquet);
  } finally {
    connection.closeSync();
    db.closeSync();
  }
  await writeFile(stamp, `${JSON.stringify({ generatorVersion, rows })}\n`);
  log(`generated ${rows} rows in ${((performance.now() - started) / 1000).toFixed(1)} s: ${csv}`);
  return { csv, parquet };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--rows');
  const rows = at === -1 ? 10_000_000 : Number(args[at + 1]);
  await generate(rows, { force: args.includes('--force'), log: console.log });
}
