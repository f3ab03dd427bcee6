// Drift benchmark, batch report: `warden check drift` (the built CLI, the whole command) on a
// reference and a current file of 1,000,000 rows each (20 numeric, 5 categorical columns) beside
// SciPy computing the same tests (scipy_drift.py), with Evidently's default choice of test; then
// every numeric column with `--method COL=ks` beside scipy.stats.ks_2samp. Cross-checks every
// column's numbers (1e-9 relative) and prints the times and ratios.
//
//   node bench/drift/run.mjs [--rows N] [--dir DIR] [--no-parquet] [--no-ks] [--no-python]
//                            [--python PATH] [--repeat N] [--warden DIR]
//
// Needs `npm run build` first (it runs bin/warden.js, i.e. dist/). Generates the data when missing
// (generate.mjs). Prints the report (markdown) on stdout, progress on stderr; writes the report,
// the evidence and SciPy's JSON into the data directory (default .warden/bench/drift).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { eachOption } from '../lib/args.mjs';
import { machineLine, measure, revision, warmCache } from '../lib/measure.mjs';
import { categoricalColumns, defaultDir, generate, numericColumns } from './generate.mjs';

const here = import.meta.dirname;
const tolerance = 1e-9;
const log = (message) => process.stderr.write(`  ${message}\n`);

function parseArgs(argv) {
  const options = {
    rows: 1_000_000,
    dir: defaultDir,
    parquet: true,
    ks: true,
    python: 'python3',
    peer: true,
    repeat: 1,
    root: resolve(here, '../..'),
  };
  eachOption(argv, (arg, value) => {
    if (arg === '--rows') options.rows = Number(value());
    else if (arg === '--dir') options.dir = resolve(value());
    else if (arg === '--no-parquet') options.parquet = false;
    else if (arg === '--no-ks') options.ks = false;
    else if (arg === '--no-python') options.peer = false;
    else if (arg === '--python') options.python = value();
    else if (arg === '--repeat') options.repeat = Number(value());
    else if (arg === '--warden') options.root = resolve(value());
    else throw new Error(`unknown option ${arg}`);
  });
  if (!(Number.isInteger(options.rows) && options.rows > 0))
    throw new Error('--rows must be a positive integer');
  if (!(Number.isInteger(options.repeat) && options.repeat > 0))
    throw new Error('--repeat must be a positive integer');
  return options;
}

// ---------------------------------------------------------------- what can run

function peerVersions(python) {
  const result = spawnSync(
    python,
    ['-c', 'import sys, numpy, scipy; print(sys.version.split()[0], numpy.__version__, scipy.__version__)'],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(
      `${python} cannot import SciPy and NumPy (${(result.stderr || String(result.error)).trim().split('\n').at(-1)}); ` +
        'use the pyenv python3 on PATH, not /usr/bin/python3, or pass --python PATH (or --no-python)',
    );
  }
  const [pythonVersion, numpy, scipy] = result.stdout.trim().split(' ');
  return { python: pythonVersion, numpy, scipy };
}

// ---------------------------------------------------------------- reading the results

/**
 * The drift result in a Warden evidence document: the object holding `columns` (name → {method,
 * statistic, …}) and `driftedShare`, wherever the envelope nests it.
 */
function driftResultOf(document) {
  const looksRight = (value) =>
    value !== null &&
    typeof value === 'object' &&
    value.columns !== null &&
    typeof value.columns === 'object' &&
    !Array.isArray(value.columns) &&
    Object.values(value.columns).some((column) => column && typeof column.method === 'string') &&
    'driftedShare' in value;
  const queue = [document];
  while (queue.length > 0) {
    const value = queue.shift();
    if (looksRight(value)) return value;
    if (value !== null && typeof value === 'object') queue.push(...Object.values(value));
  }
  throw new Error('the evidence has no drift result (an object with `columns` and `driftedShare`)');
}

/** |a − b| / max(|a|, |b|); 0 when equal, ∞ when only one is a number. */
function relativeDifference(a, b) {
  if (a === b) return 0;
  if (typeof a !== 'number' || typeof b !== 'number') return Number.POSITIVE_INFINITY;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Compares two drift results column by column: the method, the score (`statistic`), the p-value and
 * the test's own statistic where both report them, the verdict; then the dataset's drifted share.
 */
function compare(names, a, b) {
  const problems = [];
  const worst = { statistic: { diff: 0, n: 0 }, pValue: { diff: 0, n: 0 }, testStatistic: { diff: 0, n: 0 } };
  const columns = Object.keys(b.columns);
  const missing = columns.filter((name) => !(name in a.columns));
  const extra = Object.keys(a.columns).filter((name) => !(name in b.columns));
  if (missing.length) problems.push(`${names[0]} lacks ${missing.join(', ')}`);
  if (extra.length) problems.push(`${names[1]} lacks ${extra.join(', ')}`);
  let compared = 0;
  for (const name of columns) {
    const x = a.columns[name];
    const y = b.columns[name];
    if (x === undefined) continue;
    compared++;
    if (x.method !== y.method) problems.push(`${name}: method ${x.method} vs ${y.method}`);
    for (const key of ['statistic', 'pValue', 'testStatistic']) {
      if (x[key] === undefined || y[key] === undefined) continue;
      const diff = relativeDifference(x[key], y[key]);
      worst[key].n++;
      if (diff > worst[key].diff) Object.assign(worst[key], { diff, column: name });
      if (diff > tolerance) problems.push(`${name}: ${key} ${x[key]} vs ${y[key]} (${fmt.e(diff)} relative)`);
    }
    if (x.drifted !== y.drifted) problems.push(`${name}: drifted ${x.drifted} vs ${y.drifted}`);
  }
  const share = [a.driftedShare, b.driftedShare];
  if (share[0] !== share[1]) problems.push(`driftedShare ${share[0]} vs ${share[1]}`);
  if (a.datasetDrift !== b.datasetDrift) problems.push(`datasetDrift ${a.datasetDrift} vs ${b.datasetDrift}`);
  return { names, compared, worst, problems, driftedShare: share, datasetDrift: a.datasetDrift };
}

// ---------------------------------------------------------------- the run

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** One contestant's rounds: the median wall and CPU time, the range of wall times, the largest peak RSS. */
function summarise(key, rounds) {
  const walls = rounds.map((r) => r.wall);
  return {
    key,
    label: rounds[0].label,
    rounds: rounds.length,
    wall: median(walls),
    wallRange: [Math.min(...walls), Math.max(...walls)],
    cpu: median(rounds.map((r) => r.cpu)),
    peakMb: Math.max(...rounds.map((r) => r.peakMb)),
  };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const root = options.root;
  const cli = join(root, 'bin/warden.js');
  if (
    !(
      existsSync(cli) &&
      existsSync(join(root, 'dist/drift/index.js')) &&
      existsSync(join(root, 'dist/cli/main.js'))
    )
  )
    throw new Error(`${root}/dist is missing or has no drift module; run \`npm run build\` first`);
  const peer = options.peer ? peerVersions(options.python) : undefined;
  const loadAtStart = loadavg();
  const wardenRevision = revision(root);

  process.stderr.write(
    `drift benchmark: ${options.rows.toLocaleString('en-US')} vs ${options.rows.toLocaleString('en-US')} rows\n`,
  );
  const files = await generate(options.rows, { dir: options.dir, parquet: options.parquet, log });
  const out = (name) => join(options.dir, `run-${options.rows}-${name}.json`);

  const numericNames = numericColumns.map((column) => column.name);
  const ksArgs = numericNames.flatMap((name) => ['--method', `${name}=ks`]);
  const runWarden = (label, side, evidence, extra = []) => {
    const args = [
      '--reference',
      files.reference[side],
      '--current',
      files.current[side],
      '--json',
      evidence,
      ...extra,
    ];
    // Exit 1 is "the dataset drifted", a finished run.
    return measure(label, process.execPath, [cli, 'check', 'drift', ...args], { okCodes: [0, 1] });
  };
  const wardenName = 'warden check drift';

  for (const side of ['reference', 'current']) {
    await warmCache(files[side].csv);
    if (options.parquet) await warmCache(files[side].parquet);
  }
  // Each contestant once per round, rounds one after the other, so that a burst of other work on
  // the machine touches every contestant alike; the report takes the median of the rounds.
  const ksRun = options.ks;
  const contestants = [
    { key: 'csv', run: () => runWarden(`${wardenName}, CSV`, 'csv', out('warden-csv')) },
    ...(options.parquet
      ? [{ key: 'parquet', run: () => runWarden(`${wardenName}, Parquet`, 'parquet', out('warden-parquet')) }]
      : []),
    ...(ksRun
      ? [
          {
            key: 'ks',
            run: () => runWarden(`${wardenName} --method …=ks, CSV`, 'csv', out('warden-ks'), ksArgs),
          },
        ]
      : []),
    ...(peer
      ? [
          {
            key: 'scipy',
            run: () =>
              measure(
                'SciPy + NumPy (scipy_drift.py), CSV',
                options.python,
                [
                  join(here, 'scipy_drift.py'),
                  files.reference.csv,
                  files.current.csv,
                  ...(options.ks ? [] : ['--no-ks']),
                ],
                { stdoutFile: out('scipy') },
              ),
          },
        ]
      : []),
  ];
  const measured = Object.fromEntries(contestants.map(({ key }) => [key, []]));
  const scipyRounds = [];
  for (let round = 1; round <= options.repeat; round++) {
    if (options.repeat > 1) process.stderr.write(`  round ${round} of ${options.repeat}\n`);
    for (const { key, run } of contestants) {
      measured[key].push(await run());
      if (key === 'scipy') scipyRounds.push(JSON.parse(await readFile(out('scipy'), 'utf8')));
    }
  }
  const runs = contestants.map(({ key }) => summarise(key, measured[key]));
  let scipy;
  if (peer) {
    // The last round's numbers, with the median of every round's timings.
    scipy = scipyRounds.at(-1);
    for (const name of ['load', 'defaultTests', 'defaultTotal', 'ksTests', 'ksTotal']) {
      if (scipy.timings[name] !== undefined)
        scipy.timings[name] = median(scipyRounds.map((r) => r.timings[name]));
    }
  }
  const loadAtEnd = loadavg();

  const evidence = async (name) => {
    const document = JSON.parse(await readFile(out(name), 'utf8'));
    return { result: driftResultOf(document), timings: document.timings };
  };
  const by = Object.fromEntries(runs.map((run) => [run.key, run]));
  const results = {};
  for (const key of ['csv', 'parquet', 'ks']) if (by[key]) results[key] = await evidence(`warden-${key}`);
  const checks = [];
  if (scipy) {
    const peerResult = (part) => ({ ...part.dataset, columns: part.columns });
    checks.push(compare(['warden', 'SciPy'], results.csv.result, peerResult(scipy.default)));
    if (results.ks)
      checks.push(compare(['warden (ks)', 'SciPy (ks_2samp)'], results.ks.result, peerResult(scipy.ks)));
  }
  if (results.parquet)
    checks.push(compare(['warden (Parquet)', 'warden (CSV)'], results.parquet.result, results.csv.result));

  const csvBytes = (await stat(files.reference.csv)).size + (await stat(files.current.csv)).size;
  const environment = [
    `${machineLine(loadAtStart)}, ${loadAtEnd.map((x) => x.toFixed(2)).join(' / ')} at end`,
    `Node ${process.version}, Warden ${wardenRevision}`,
    peer ? `Python ${peer.python}, NumPy ${peer.numpy}, SciPy ${peer.scipy}` : 'SciPy not run',
  ].join('; ');
  const { text, agree } = report({
    options,
    csvBytes,
    environment,
    by,
    results,
    scipy,
    checks,
  });
  process.stdout.write(`\n${text}`);
  await writeFile(join(options.dir, `results-${options.rows}.md`), text);
  if (!agree) process.exitCode = 1;
}

const fmt = {
  s: (x) => (x === undefined || x === null ? '—' : x.toFixed(x < 10 ? 2 : 1)),
  mb: (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—'),
  x: (a, b) => `${(a / b).toFixed(2)}×`,
  e: (x) => (x === 0 ? '0' : Number.isFinite(x) ? x.toExponential(1) : '∞'),
};

function report({ options, csvBytes, environment, by, results, scipy, checks }) {
  const n = (x) => x.toLocaleString('en-US');
  const lines = [
    `### Drift benchmark: ${n(options.rows)} reference vs ${n(options.rows)} current rows, ${numericColumns.length} numeric + ${categoricalColumns.length} categorical columns (${n(Math.round(csvBytes / 2 ** 20))} MiB of CSV)`,
    '',
    environment,
    '',
  ];
  if (options.repeat > 1)
    lines.push(
      `Each contestant ran ${options.repeat} times, in rounds; times are medians, wall-time ranges in brackets, peak RSS the largest.`,
      '',
    );
  const inner = (run) => {
    if (run.key === 'scipy') return [scipy.timings.load, scipy.timings.defaultTests];
    const timings = results[run.key]?.timings;
    return [timings?.load, timings?.tests];
  };
  const scipyTotal = scipy?.timings.defaultTotal;
  const scipyKsTotal = scipy?.timings.ksTotal;
  lines.push(
    '| run | tests | wall s | CPU s | peak RSS MB | load s | tests s | SciPy (load + tests) ÷ this |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const run of Object.values(by)) {
    const [load, tests] = inner(run);
    const ks = run.key === 'ks';
    const peerTotal = ks ? scipyKsTotal : scipyTotal;
    const tested = ks ? 'ks (numeric), JS (categorical)' : 'Evidently defaults';
    const ratio =
      run.key === 'scipy'
        ? `${fmt.s(scipyTotal)} s in-process`
        : peerTotal
          ? fmt.x(peerTotal, run.wall)
          : '—';
    lines.push(
      `| ${run.label} | ${tested} | ${fmt.s(run.wall)}${run.rounds > 1 ? ` [${fmt.s(run.wallRange[0])}–${fmt.s(run.wallRange[1])}]` : ''} | ${fmt.s(run.cpu)} | ${fmt.mb(run.peakMb)} | ${fmt.s(load)} | ${fmt.s(tests)} | ${ratio} |`,
    );
  }
  if (scipy?.timings.ksTests !== undefined) {
    lines.push(
      `| SciPy, ks_2samp (same process) | ks (numeric), JS (categorical) | — | — | — | ${fmt.s(scipy.timings.load)} | ${fmt.s(scipy.timings.ksTests)} | ${fmt.s(scipyKsTotal)} s in-process |`,
    );
  }
  lines.push('');
  if (scipy && by.csv) {
    const verdict = by.csv.wall <= scipyTotal ? '**PASS**' : '**MISS**';
    lines.push(
      `- Target "no slower than SciPy for the batch report": ${verdict} — \`warden check drift\` ${fmt.s(by.csv.wall)} s wall (the whole process, reading included) against SciPy's ${fmt.s(scipyTotal)} s (load ${fmt.s(scipy.timings.load)} s + tests ${fmt.s(scipy.timings.defaultTests)} s; ${fmt.s(by.scipy.wall)} s for its whole process): SciPy ÷ Warden = ${fmt.x(scipyTotal, by.csv.wall)}.`,
    );
    if (results.csv.timings)
      lines.push(
        `- Tests alone: Warden ${fmt.s(results.csv.timings.tests)} s, SciPy ${fmt.s(scipy.timings.defaultTests)} s (${fmt.x(scipy.timings.defaultTests, results.csv.timings.tests)}).`,
      );
    if (by.ks && scipyKsTotal)
      lines.push(
        `- With ks on the numeric columns: Warden ${fmt.s(by.ks.wall)} s, SciPy ${fmt.s(scipyKsTotal)} s (ks tests ${fmt.s(scipy.timings.ksTests)} s): ${fmt.x(scipyKsTotal, by.ks.wall)}${results.ks?.timings ? `; tests alone ${fmt.s(results.ks.timings.tests)} s vs ${fmt.s(scipy.timings.ksTests)} s (${fmt.x(scipy.timings.ksTests, results.ks.timings.tests)})` : ''}.`,
      );
  }
  lines.push('');
  let agree = true;
  for (const check of checks) {
    const worst = Object.entries(check.worst)
      .filter(([, w]) => w.n > 0)
      .map(([key, w]) => `${key} ${fmt.e(w.diff)}${w.column ? ` (${w.column})` : ''} over ${w.n}`)
      .join(', ');
    const head = `${check.names.join(' vs ')}: ${check.compared} columns; largest relative difference ${worst}; drifted share ${check.driftedShare[0]} (dataset drift: ${check.datasetDrift})`;
    if (check.problems.length === 0) {
      lines.push(`- ${head} — all agree within ${tolerance}.`);
    } else {
      agree = false;
      lines.push(`- ${head} — **THEY DISAGREE** (${check.problems.length}):`);
      for (const problem of check.problems.slice(0, 30)) lines.push(`  - ${problem}`);
    }
  }
  if (by.csv) {
    // Warden's numbers per column (the default tests, and ks where it ran).
    const ks = results.ks?.result.columns;
    const yes = (drifted) => (drifted ? '**yes**' : 'no');
    const g = (x) => (typeof x === 'number' ? x.toPrecision(4) : '—');
    lines.push(
      '',
      `| column | shift in current | default test | score | drifted |${ks ? ' ks D | ks p | drifted (ks) |' : ''}`,
      `|---|---|---|---:|---|${ks ? '---:|---:|---|' : ''}`,
      ...Object.entries(results.csv.result.columns).map(([name, column]) => {
        const shift = [...numericColumns, ...categoricalColumns].find((c) => c.name === name)?.shift ?? '';
        const k = ks?.[name];
        const ksCells = ks
          ? ` ${k?.method === 'ks' ? `${g(k.testStatistic)} | ${g(k.pValue)} | ${yes(k.drifted)}` : '— | — | —'} |`
          : '';
        return `| ${name} | ${shift} | ${column.method} | ${g(column.statistic)} | ${yes(column.drifted)} |${ksCells}`;
      }),
    );
  }
  lines.push('');
  return { text: lines.join('\n'), agree };
}

main().catch((error) => {
  process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
