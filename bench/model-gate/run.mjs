import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eachOption } from '../lib/args.mjs';
import { checkModelArgs } from '../lib/check-model.mjs';
import { measure, revision, warmCache } from '../lib/measure.mjs';
import { ageEdges, generate, outDir, sensitiveAttributes } from './generate.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const python = '/usr/bin/python3';
const tolerance = 1e-9;

function parseArgs(argv) {
  const options = {
    rows: 10_000_000,
    pythonRows: undefined,
    python: true,
    parquet: true,
    warden: true,
    intersections: false,
    root: resolve(here, '../..'),
  };
  eachOption(argv, (arg, value) => {
    if (arg === '--rows') options.rows = Number(value());
    else if (arg === '--python-rows') options.pythonRows = Number(value());
    else if (arg === '--no-python') options.python = false;
    else if (arg === '--no-parquet') options.parquet = false;
    else if (arg === '--no-warden') options.warden = false;
    else if (arg === '--intersections') options.intersections = true;
    else if (arg === '--warden') options.root = resolve(value());
    else throw new Error(`unknown option ${arg}`);
  });
  for (const key of ['rows', 'pythonRows']) {
    const n = options[key];
    if (n !== undefined && !(Number.isInteger(n) && n > 0))
      throw new Error(`--${key.replace('R', '-r')} must be a positive integer`);
  }
  if (!options.warden && !options.python) throw new Error('--no-warden and --no-python leave nothing to run');
  return options;
}

// ---------------------------------------------------------------- comparing the numbers

const performanceMetrics = [
  'count',
  'rocAuc',
  'averagePrecision',
  'logLoss',
  'brierScore',
  'accuracy',
  'balancedAccuracy',
  'precision',
  'recall',
  'f1',
  'selectionRate',
  'calibration.expectedCalibrationError',
];
const aggregateMetrics = [
  'demographicParityDifference',
  'demographicParityRatio',
  'equalizedOddsDifference',
  'equalizedOddsRatio',
  'equalOpportunityDifference',
  'equalOpportunityRatio',
  'rocAucDifference',
];
const groupMetrics = [
  'count',
  'selectionRate',
  'truePositiveRate',
  'falsePositiveRate',
  'falseNegativeRate',
  'trueNegativeRate',
  'accuracy',
  'rocAuc',
];

const at = (object, path) => path.split('.').reduce((value, key) => value?.[key], object);

/** The benchmark's attribute an evidence attribute name stands for (`age` may come back as `age_band`). */
const attributeOf = (name) => sensitiveAttributes.find((attribute) => name.startsWith(attribute)) ?? name;
const groupingKey = (attributes) => attributes.map(attributeOf).join(' × ');

/**
 * A group's value in a form both sides share. Age bands are labelled differently (`[25.0, 40.0)` by
 * pandas, e.g. `25-40` by Warden), so a band is named by its lower edge: the first number in its
 * label, or -∞ for the band below the first edge (`<18`, `[-inf, 18.0)`).
 */
function canonicalValue(attribute, value) {
  if (attributeOf(attribute) !== 'age') return String(value);
  const label = String(value).trim();
  if (/^(<|below|under)|-inf|-∞/i.test(label)) return `age < ${ageEdges[0]}`;
  const lower = /\d+(\.\d+)?/.exec(label);
  return lower ? `age ≥ ${Number(lower[0])}` : label;
}

const canonicalGroup = (group) =>
  Object.entries(group)
    .map(([attribute, value]) => `${attributeOf(attribute)}=${canonicalValue(attribute, value)}`)
    .sort()
    .join(', ');

/** Every comparable number of an evidence document (Warden's, or the Python peer's JSON), by name. */
function numbersOf(document) {
  const numbers = new Map();
  for (const name of performanceMetrics) numbers.set(`performance.${name}`, at(document.performance, name));
  for (const entry of document.fairness ?? []) {
    const key = groupingKey(entry.attributes);
    for (const name of aggregateMetrics) numbers.set(`${key}: ${name}`, entry[name]);
    for (const group of entry.byGroup ?? []) {
      const id = canonicalGroup(group.group);
      for (const name of groupMetrics) numbers.set(`${key} [${id}]: ${name}`, group[name]);
    }
  }
  return numbers;
}

/** |a − b| / max(|a|, |b|); 0 when equal (both null included), ∞ when only one is a number. */
function relativeDifference(a, b) {
  if (a === b || (a == null && b == null)) return 0;
  if (typeof a !== 'number' || typeof b !== 'number') return Number.POSITIVE_INFINITY;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

function compare(rows, named) {
  const [[nameA, a], [nameB, b]] = Object.entries(named);
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  const onlyIn = (mine, theirs) =>
    keys.filter((key) => mine.has(key) && !theirs.has(key) && mine.get(key) !== undefined);
  let worst = { key: undefined, diff: 0 };
  const mismatches = [];
  let compared = 0;
  for (const key of keys) {
    if (!a.has(key) || !b.has(key)) continue;
    const [x, y] = [a.get(key), b.get(key)];
    if (x === undefined && y === undefined) continue;
    compared++;
    const diff = relativeDifference(x, y);
    if (diff > worst.diff) worst = { key, diff };
    if (diff > tolerance) mismatches.push({ key, x, y, diff });
  }
  return {
    rows,
    names: [nameA, nameB],
    compared,
    worst,
    mismatches,
    only: [onlyIn(a, b), onlyIn(b, a)],
  };
}

// ---------------------------------------------------------------- the run

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const root = options.root;
  const cli = join(root, 'bin/warden.js');
  if (options.warden && !(existsSync(cli) && existsSync(join(root, 'dist/cli/main.js')))) {
    throw new Error(`${root}/dist is missing; run \`npm run build\` first`);
  }
  const out = (rows, name) => join(outDir, `run-${rows}-${name}.json`);
  const load = loadavg()[0];
  const wardenRevision = options.warden ? revision(root) : 'not run';
  const parquetWanted = options.warden && options.parquet;

  process.stderr.write(`model-gate benchmark: ${options.rows.toLocaleString('en-US')} rows\n`);
  const log = (message) => process.stderr.write(`  ${message}\n`);
  const { csv, parquet } = await generate(options.rows, { parquet: parquetWanted, log });
  const pythonRows = options.pythonRows ?? options.rows;
  const pythonCsv = pythonRows === options.rows ? csv : (await generate(pythonRows, { log })).csv;

  // Exit 1 would be "a threshold failed"; none is given, but either verdict is a finished run.
  const runWarden = (label, file, evidence) =>
    measure(
      label,
      process.execPath,
      [
        cli,
        ...checkModelArgs({
          predictions: file,
          target: 'label',
          sensitive: sensitiveAttributes,
          bins: `age=${ageEdges.join(',')}`,
          json: evidence,
          extra: options.intersections ? ['--intersections'] : [],
        }),
      ],
      { okCodes: [0, 1] },
    );
  const runPython = (label, file, summary) =>
    measure(
      label,
      python,
      [join(here, 'sklearn_fairness.py'), file, ...(options.intersections ? ['--intersections'] : [])],
      { stdoutFile: summary },
    );

  await warmCache(csv);
  const runs = [];
  const timed = async (key, rows, run) => runs.push({ ...(await run), key, rows });
  if (options.warden) {
    await timed(
      'warden',
      options.rows,
      runWarden('warden check model (CSV)', csv, out(options.rows, 'warden')),
    );
  }
  if (options.python) {
    if (pythonCsv !== csv) await warmCache(pythonCsv);
    const label = 'scikit-learn + pandas, MetricFrame (CSV)';
    await timed('python', pythonRows, runPython(label, pythonCsv, out(pythonRows, 'python')));
  }
  if (parquetWanted) {
    await warmCache(parquet);
    const label = 'warden check model (Parquet)';
    await timed('parquet', options.rows, runWarden(label, parquet, out(options.rows, 'warden-parquet')));
  }

  const readNumbers = async (file) => numbersOf(JSON.parse(await readFile(file, 'utf8')));
  const agreements = [];
  if (options.warden && options.python) {
    if (pythonRows !== options.rows) {
      await runWarden(
        `warden on ${pythonRows} rows, for Python's numbers`,
        pythonCsv,
        out(pythonRows, 'warden'),
      );
    }
    agreements.push(
      compare(pythonRows, {
        warden: await readNumbers(out(pythonRows, 'warden')),
        python: await readNumbers(out(pythonRows, 'python')),
      }),
    );
  }
  if (parquetWanted) {
    agreements.push(
      compare(options.rows, {
        'warden (CSV)': await readNumbers(out(options.rows, 'warden')),
        'warden (Parquet)': await readNumbers(out(options.rows, 'warden-parquet')),
      }),
    );
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
  await writeFile(
    join(outDir, `results-${options.rows}${options.intersections ? '-intersections' : ''}.md`),
    text,
  );
  if (!agree) process.exitCode = 1;
}

const fmt = {
  s: (x) => (x === undefined ? 'n/a' : x.toFixed(1)),
  rate: (rows, wall) => `${Math.round(rows / wall).toLocaleString('en-US')}`,
  mb: (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a'),
  x: (a, b) => `${(a / b).toFixed(2)}×`,
  e: (x) => (x === 0 ? '0' : Number.isFinite(x) ? x.toExponential(1) : '∞'),
  v: (x) => (x === undefined ? '—' : x === null ? 'null' : String(x)),
};

function report({ options, csvBytes, environment, runs, agreements }) {
  const n = (x) => x.toLocaleString('en-US');
  const by = Object.fromEntries(runs.map((r) => [r.key, r]));
  const perRow = (r) => r.wall / r.rows;
  const groupings = options.intersections
    ? `${sensitiveAttributes.length} sensitive attributes, their pairs and triple`
    : `${sensitiveAttributes.length} sensitive attributes`;
  const lines = [
    `### Model gate benchmark: ${n(options.rows)} predictions, ${n(Math.round(csvBytes / 2 ** 20))} MiB CSV, ${groupings}`,
    '',
    environment,
    '',
    '| run | rows | wall s | rows/s | CPU s | × faster than Python | peak RSS MB |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...runs.map(
      (r) =>
        `| ${r.label} | ${n(r.rows)} | ${fmt.s(r.wall)} | ${fmt.rate(r.rows, r.wall)} | ${fmt.s(r.cpu)} | ${by.python ? fmt.x(perRow(by.python), perRow(r)) : 'n/a'} | ${fmt.mb(r.peakMb)} |`,
    ),
    '',
  ];
  if (by.python) {
    const extrapolated =
      by.python.rows === options.rows
        ? ''
        : ` (Python ran on ${n(by.python.rows)} rows; extrapolated linearly: ${fmt.s(perRow(by.python) * options.rows)} s for ${n(options.rows)})`;
    if (by.warden) {
      lines.push(
        `- Python / warden: **${fmt.x(perRow(by.python), perRow(by.warden))}** per row (target ≥ 5×), ${fmt.x(by.python.cpu / by.python.rows, by.warden.cpu / by.warden.rows)} CPU${extrapolated}`,
      );
      const copy = Number(/copying their inputs ([\d.]+) s/.exec(by.python.note)?.[1]);
      if (Number.isFinite(copy)) {
        lines.push(
          `- without the ${fmt.s(copy)} s MetricFrame spends copying its inputs through Python lists: ${fmt.x((by.python.wall - copy) / by.python.rows, perRow(by.warden))}`,
        );
      }
    } else {
      lines.push(`- Python: ${fmt.s(perRow(by.python) * 1e6)} s per million rows${extrapolated}`);
    }
    lines.push(`- ${by.python.note}`);
  }
  if (by.warden) lines.push(`- warden peak memory: **${fmt.mb(by.warden.peakMb)} MB**`);
  if (by.parquet && by.warden)
    lines.push(
      `- warden on the Parquet copy: ${fmt.x(perRow(by.parquet), perRow(by.warden))} of its CSV time`,
    );
  lines.push('');
  let agree = true;
  for (const { rows, names, compared, worst, mismatches, only } of agreements) {
    const head = `Numbers on ${n(rows)} rows, ${names.join(' vs ')}: ${compared} compared`;
    const missing = names
      .map((name, i) => {
        const keys = only[i];
        if (keys.length === 0) return '';
        return `only ${name} reports ${keys.length} (${keys.slice(0, 3).join('; ')}${keys.length > 3 ? '; …' : ''})`;
      })
      .filter(Boolean);
    const notCompared = missing.length ? [`Not compared: ${missing.join('; ')}.`, ''] : [];
    // A missing per-group number may be a band label this script cannot read; a missing overall
    // metric or aggregate is a real gap.
    const gap = only.some((keys) => keys.some((key) => !key.includes('[')));
    const largest = `the largest relative difference is ${fmt.e(worst.diff)}${worst.key ? ` (${worst.key})` : ''}`;
    if (compared > 0 && !gap && mismatches.length === 0) {
      lines.push(`${head}, all within ${tolerance} relative; ${largest}.`, '', ...notCompared);
      continue;
    }
    agree = false;
    lines.push(
      `${head}: **THEY DISAGREE** on ${mismatches.length} beyond ${tolerance} relative${gap ? ' and a whole metric is missing on one side' : ''}; ${largest}.`,
      '',
      ...notCompared,
    );
    if (mismatches.length) {
      lines.push(
        `| number | ${names.join(' | ')} | relative difference |`,
        '|---|---:|---:|---:|',
        ...mismatches
          .sort((p, q) => q.diff - p.diff)
          .slice(0, 25)
          .map(({ key, x, y, diff }) => `| ${key} | ${fmt.v(x)} | ${fmt.v(y)} | ${fmt.e(diff)} |`),
      );
      if (mismatches.length > 25) lines.push(`| … ${mismatches.length - 25} more | | | |`);
      lines.push('');
    }
  }
  return { text: lines.join('\n'), agree };
}

main().catch((error) => {
  process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
