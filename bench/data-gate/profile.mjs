// Where Warden's scan spends its time: runs the aggregate SQL that Warden generates for the
// benchmark contract, whole and in parts, inside one Warden engine session, and the same SQL in
// the FILTER-clause form, checking that the result is equal. CPU seconds are the steadier figure
// on a shared machine.
//
//   node bench/data-gate/profile.mjs [--rows N] [--repeat K]     (default 200,000 rows, best of 2)
import { resolve } from 'node:path';
import { openDataset, openEngineSession } from '../../dist/core/index.js';
import {
  loadContract,
  piiDetectorNames,
  piiMacros,
  piiPredicate,
  planChecks,
} from '../../dist/data/index.js';
import { generate } from './generate.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const rows = option('--rows', 200_000);
const repeat = option('--repeat', 2);

const { csv } = await generate(rows);
const contract = await loadContract(resolve('bench/data-gate/contract.yaml'));
const dataset = await openDataset(csv, { nullValues: ['NA'] });
const schemaObject = contract.contract.schema[0];
const session = await openEngineSession(dataset, schemaObject.name, { setup: piiMacros });
const columns = (await session.query(`DESCRIBE SELECT * FROM ${schemaObject.name}`)).map((row) => ({
  name: String(row.column_name),
  type: String(row.column_type),
}));
const plan = (scanPii) =>
  planChecks({ schemaObject, schemaIndex: 0, columns, locate: contract.locate, scanPii });
const full = plan(true);
const textColumns = full.pii.map(({ column }) => column);
const sampleLine = /^\s*(min|max)\(CASE WHEN /;
const without = (sql, line) =>
  sql
    .split('\n')
    .filter((text) => !line.test(text))
    .join('\n');
// The form Warden generated before count_if: in DuckDB 1.5 each aggregate's FILTER slices every
// aggregate input, so the cost grows with the square of the number of filtered aggregates.
const withFilterClauses = (sql) =>
  sql
    .replace(/count_if\(coalesce\(("[^"]+"), false\)\)/g, 'count(*) FILTER (WHERE $1)')
    .replace(/(min|max)\(CASE WHEN ("[^"]+") THEN (.*) END\)( AS a\d+,?)$/gm, '$1($3) FILTER (WHERE $2)$4');
const detectorOnly = (detector) =>
  `SELECT ${textColumns.map((c) => `count_if(${piiPredicate(detector, `"${c}"`)})`).join(', ')} FROM ${schemaObject.name}`;

async function time(sql) {
  let best = { wall: Infinity, cpu: Infinity };
  let row;
  for (let i = 0; i < repeat; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    [row] = await session.query(sql);
    const cpu = process.cpuUsage(cpu0);
    const wall = (performance.now() - t0) / 1000;
    if (wall < best.wall) best = { wall, cpu: (cpu.user + cpu.system) / 1e6 };
  }
  return { ...best, row };
}

const variants = [
  [
    'read and parse every column',
    `SELECT ${columns.map((c) => `count("${c.name}")`).join(', ')} FROM ${schemaObject.name}`,
  ],
  ['full scan, as generated', full.scanSql],
  ['  without the min/max sample aggregates', without(full.scanSql, sampleLine)],
  ['  without count(DISTINCT …) (unique, duplicates)', without(full.scanSql, /count\(DISTINCT /)],
  ['  without the PII scan (--no-pii-scan)', plan(false).scanSql],
  ...piiDetectorNames.map((d) => [
    `  PII detector ${d} alone, ${textColumns.length} columns`,
    detectorOnly(d),
  ]),
  ['full scan with FILTER clauses instead of count_if / min(CASE …)', withFilterClauses(full.scanSql)],
];
const aggregates = full.scanSql.split('\n').filter((line) => / AS a\d+,?$/.test(line)).length;
const lines = [
  `### Warden scan profile: ${rows.toLocaleString('en-US')} rows, ${aggregates} aggregates, best of ${repeat}`,
  '',
  '| query | wall s | CPU s |',
  '|---|---:|---:|',
];
const results = [];
for (const [label, sql] of variants) {
  const r = await time(sql);
  results.push(r);
  lines.push(`| ${label} | ${r.wall.toFixed(2)} | ${r.cpu.toFixed(2)} |`);
  process.stderr.write('.');
}
const json = (row) => JSON.stringify(row, (_, v) => (typeof v === 'bigint' ? String(v) : v));
const filterForm = variants.at(-1)[1];
if (!/FILTER/.test(filterForm)) throw new Error('no aggregate was rewritten; update withFilterClauses');
const same = json(results[1].row) === json(results.at(-1).row);
lines.push('', `The FILTER form returns ${same ? 'the same row' : 'a DIFFERENT row'} as the generated scan.`);
await session.close();
process.stdout.write(`\n${lines.join('\n')}\n`);
