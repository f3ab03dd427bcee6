import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eachOption } from '../lib/args.mjs';
import { measure, revision, warmCache } from '../lib/measure.mjs';
import { importWardenModule } from '../lib/warden-dist.mjs';
import { generate, outDir } from './generate.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const python = '/usr/bin/python3';

function parseArgs(argv) {
  const options = {
    rows: 10_000_000,
    pandasRows: undefined,
    pandas: true,
    parquet: true,
    warden: resolve(here, '../..'),
  };
  eachOption(argv, (arg, value) => {
    if (arg === '--rows') options.rows = Number(value());
    else if (arg === '--pandas-rows') options.pandasRows = Number(value());
    else if (arg === '--no-pandas') options.pandas = false;
    else if (arg === '--no-parquet') options.parquet = false;
    else if (arg === '--warden') options.warden = resolve(value());
    else throw new Error(`unknown option ${arg}`);
  });
  for (const key of ['rows', 'pandasRows']) {
    const n = options[key];
    if (n !== undefined && !(Number.isInteger(n) && n > 0))
      throw new Error(`--${key} must be a positive integer`);
  }
  return options;
}

/** The counts a Warden evidence document reports, keyed as hand-sql.mjs and pandas_check.py key theirs. */
function wardenCounts(evidence) {
  const counts = {};
  for (const result of evidence.results) {
    if (result.metric === 'piiDetected') continue;
    counts[result.check] = result.metric === 'rowCount' ? result.observed : result.unexpectedCount;
    if (result.metric === 'piiHashed')
      counts[`${result.check}.emptyDigestCount`] = result.details.emptyDigestCount;
  }
  for (const report of evidence.pii) {
    for (const [detector, { hits }] of Object.entries(report.detectors))
      counts[`pii.${report.column}.${detector}`] = hits;
  }
  return counts;
}

function mismatches(named) {
  const names = Object.keys(named);
  const keys = [...new Set(names.flatMap((name) => Object.keys(named[name])))].sort();
  return keys
    .map((key) => ({ key, values: names.map((name) => named[name][key]) }))
    .filter(({ values }) => values.some((value) => value !== values[0]));
}

const fmt = {
  s: (x) => (x === undefined ? 'n/a' : x.toFixed(1)),
  rate: (rows, wall) => `${Math.round(rows / wall).toLocaleString('en-US')}`,
  mb: (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a'),
  x: (a, b) => `${(a / b).toFixed(2)}×`,
};

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const root = options.warden;
  if (!existsSync(join(root, 'dist/data/index.js'))) {
    throw new Error(`${root}/dist is missing; run \`npm run build\` first`);
  }
  const cli = join(root, 'bin/warden.js');
  const useCli = existsSync(cli);
  const contract = join(here, 'contract.yaml');
  const out = (rows, name) => join(outDir, `run-${rows}-${name}.json`);
  const load = loadavg()[0];
  const wardenRevision = revision(root);

  process.stderr.write(`data-gate benchmark: ${options.rows.toLocaleString('en-US')} rows\n`);
  const log = (message) => process.stderr.write(`  ${message}\n`);
  const { csv, parquet } = await generate(options.rows, { log });
  const pandasRows = options.pandasRows ?? options.rows;
  const pandasCsv = pandasRows === options.rows ? csv : (await generate(pandasRows, { log })).csv;
  const { piiPatterns: patterns, ibanLengths, sampleSsns } = await importWardenModule(root, 'data');
  const detectorsFile = join(outDir, 'detectors.json');
  await writeFile(detectorsFile, JSON.stringify({ patterns, ibanLengths, sampleSsns }));

  const wardenLabel = useCli ? 'warden check data' : 'runDataCheck (no CLI yet)';
  // Exit 1 is the verdict "checks failed", which the injected defects cause on purpose.
  const runWarden = (label, file, evidence) =>
    measure(
      label,
      process.execPath,
      useCli
        ? [
            cli,
            'check',
            'data',
            file,
            '--contract',
            contract,
            '--json',
            evidence,
            '--quiet',
            '--null-value',
            'NA',
          ]
        : [join(here, 'warden-driver.mjs'), file, contract, evidence, 'NA'],
      { okCodes: [0, 1] },
    );
  const runHand = (label, file, counts) =>
    measure(label, process.execPath, [join(here, 'hand-sql.mjs'), file, counts, root]);

  await warmCache(csv);
  const runs = [];
  const timed = async (key, rows, run) => runs.push({ ...(await run), key, rows });
  await timed('warden', options.rows, runWarden(`${wardenLabel} (CSV)`, csv, out(options.rows, 'warden')));
  await timed(
    'hand',
    options.rows,
    runHand('hand-written SQL, one DuckDB query (CSV)', csv, out(options.rows, 'hand')),
  );
  if (options.pandas) {
    if (pandasCsv !== csv) await warmCache(pandasCsv);
    const args = [join(here, 'pandas_check.py'), pandasCsv, detectorsFile, out(pandasRows, 'pandas')];
    await timed('pandas', pandasRows, measure('pandas (CSV)', python, args));
  }
  if (options.parquet) {
    const label = `${wardenLabel} (Parquet)`;
    await timed('parquet', options.rows, runWarden(label, parquet, out(options.rows, 'warden-parquet')));
  }

  const readJson = async (file) => JSON.parse(await readFile(file, 'utf8'));
  const counts = {
    warden: wardenCounts(await readJson(out(options.rows, 'warden'))),
    hand: await readJson(out(options.rows, 'hand')),
  };
  if (options.parquet)
    counts['warden (Parquet)'] = wardenCounts(await readJson(out(options.rows, 'warden-parquet')));
  const agreements = [];
  if (options.pandas && pandasCsv === csv) counts.pandas = await readJson(out(pandasRows, 'pandas'));
  agreements.push({ rows: options.rows, counts });
  if (options.pandas && pandasCsv !== csv) {
    await runHand(
      `hand-written SQL on ${pandasRows} rows, for pandas' counts`,
      pandasCsv,
      out(pandasRows, 'hand'),
    );
    const small = {
      hand: await readJson(out(pandasRows, 'hand')),
      pandas: await readJson(out(pandasRows, 'pandas')),
    };
    agreements.push({ rows: pandasRows, counts: small });
  }

  const environment = `${cpus().length} CPUs (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, load average ${load.toFixed(1)} at start; DuckDB memory_limit ${process.env.WARDEN_DUCKDB_MEMORY_LIMIT ?? '1GB'}; Warden ${wardenRevision}`;
  const { text, agree } = report({
    options,
    csvBytes: (await stat(csv)).size,
    environment,
    runs,
    agreements,
  });
  process.stdout.write(`\n${text}`);
  await writeFile(join(outDir, `results-${options.rows}.md`), text);
  if (!agree) process.exitCode = 1;
}

function report({ options, csvBytes, environment, runs, agreements }) {
  const n = (x) => x.toLocaleString('en-US');
  const checks = Object.keys(agreements[0].counts.warden).length;
  const lines = [
    `### Data gate benchmark: ${n(options.rows)} rows, ${(csvBytes / 2 ** 30).toFixed(2)} GiB CSV, ${checks} counts`,
    '',
    environment,
    '',
    '| run | rows | wall s | rows/s | CPU s | peak RSS MB |',
    '|---|---:|---:|---:|---:|---:|',
    ...runs.map(
      (r) =>
        `| ${r.label} | ${n(r.rows)} | ${fmt.s(r.wall)} | ${fmt.rate(r.rows, r.wall)} | ${fmt.s(r.cpu)} | ${fmt.mb(r.peakMb)} |`,
    ),
    '',
  ];
  const by = Object.fromEntries(runs.map((r) => [r.key, r]));
  const perRow = (r) => r.wall / r.rows;
  lines.push(
    `- warden / hand-written SQL: **${fmt.x(perRow(by.warden), perRow(by.hand))}** wall (target ≤ 1.5×), ${fmt.x(by.warden.cpu, by.hand.cpu)} CPU`,
  );
  if (by.pandas) {
    const extrapolated =
      by.pandas.rows === options.rows
        ? ''
        : ` (pandas ran on ${n(by.pandas.rows)} rows; extrapolated: ${fmt.s(perRow(by.pandas) * options.rows)} s for ${n(options.rows)})`;
    lines.push(
      `- pandas / warden: **${fmt.x(perRow(by.pandas), perRow(by.warden))}** per row (target ≥ 10×)${extrapolated}; ${by.pandas.note}`,
    );
  }
  lines.push(`- warden peak memory: **${fmt.mb(by.warden.peakMb)} MB** (target < 1,024 MB)`);
  if (by.parquet)
    lines.push(
      `- warden on the Parquet copy: ${fmt.x(perRow(by.parquet), perRow(by.warden))} of its CSV time`,
    );
  lines.push('');
  let agree = true;
  for (const { rows, counts } of agreements) {
    const names = Object.keys(counts);
    const diff = mismatches(counts);
    if (diff.length === 0) {
      lines.push(`Counts on ${n(rows)} rows: ${names.join(', ')} agree on every check.`, '');
      continue;
    }
    agree = false;
    lines.push(
      `Counts on ${n(rows)} rows: **${diff.length} mismatch${diff.length === 1 ? '' : 'es'}**`,
      '',
      `| check | ${names.join(' | ')} |`,
      `|---|${names.map(() => '---:').join('|')}|`,
      ...diff.map(({ key, values }) => `| ${key} | ${values.map((v) => v ?? '—').join(' | ')} |`),
      '',
    );
  }
  return { text: lines.join('\n'), agree };
}

main().catch((error) => {
  process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
