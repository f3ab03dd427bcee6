// Drift benchmark, streaming: DriftAccumulator's throughput (rows counted per second, one core) and
// memory over 10,000,000 rows of 20 numeric + 5 categorical features, against a baseline built
// from 200,000 reference rows; beside NumPy doing the same counting (np.searchsorted + np.bincount
// per feature per batch, numpy_counts.py) on the same rows.
//
//   node bench/drift/accumulator.mjs [--rows N] [--batch N] [--pool N] [--reference-rows N]
//                                    [--slice-seconds S] [--window-slices N] [--batch-seconds S]
//                                    [--no-python] [--python PATH] [--dir DIR] [--warden DIR]
//
// Rows are drawn once into a pool of batches (typed arrays for numeric features, arrays of strings
// for categorical ones) and fed round-robin, so generating them is not timed; each batch is stamped
// `--batch-seconds` later than the one before, so the window (`--window-slices` slices of
// `--slice-seconds`) slides all along the run. Memory (after a full GC) is read every million rows.
// Prints the report (markdown) on stdout, progress on stderr; writes it to DIR/accumulator-N.md.
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eachOption } from '../lib/args.mjs';
import { machineLine, revision } from '../lib/measure.mjs';
import { importWardenModule } from '../lib/warden-dist.mjs';
import { categoricalColumns, defaultDir, numericColumns, sampler } from './generate.mjs';

// Memory is read after a full collection: re-run under --expose-gc when gc() is not available.
if (typeof globalThis.gc !== 'function') {
  const script = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, ['--expose-gc', script, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(child.status ?? 1);
}

const here = import.meta.dirname;
const log = (message) => process.stderr.write(`  ${message}\n`);
/** The issue's target: above 1 million rows per second on one core, memory flat with rows. */
const targetRowsPerSecond = 1_000_000;
/** Features with missing values (NaN), 0.5% of rows, so the missing bucket is exercised. */
const withMissing = new Set(['income', 'age']);
const missingShare = 0.005;

function parseArgs(argv) {
  const options = {
    rows: 10_000_000,
    batch: 100_000,
    pool: 10,
    referenceRows: 200_000,
    sliceSeconds: 60,
    windowSlices: 10,
    batchSeconds: 15,
    python: 'python3',
    peer: true,
    dir: defaultDir,
    root: resolve(here, '../..'),
  };
  eachOption(argv, (arg, value) => {
    if (arg === '--rows') options.rows = Number(value());
    else if (arg === '--batch') options.batch = Number(value());
    else if (arg === '--pool') options.pool = Number(value());
    else if (arg === '--reference-rows') options.referenceRows = Number(value());
    else if (arg === '--slice-seconds') options.sliceSeconds = Number(value());
    else if (arg === '--window-slices') options.windowSlices = Number(value());
    else if (arg === '--batch-seconds') options.batchSeconds = Number(value());
    else if (arg === '--no-python') options.peer = false;
    else if (arg === '--python') options.python = value();
    else if (arg === '--dir') options.dir = resolve(value());
    else if (arg === '--warden') options.root = resolve(value());
    else throw new Error(`unknown option ${arg}`);
  });
  for (const key of ['rows', 'batch', 'pool', 'referenceRows', 'windowSlices']) {
    if (!(Number.isInteger(options[key]) && options[key] > 0))
      throw new Error(`--${key} must be a positive integer`);
  }
  for (const key of ['sliceSeconds', 'batchSeconds']) {
    if (!(options[key] > 0)) throw new Error(`--${key} must be a positive number`);
  }
  if (options.rows % options.batch !== 0) throw new Error('--rows must be a multiple of --batch');
  return options;
}

// ---------------------------------------------------------------- the rows

/**
 * `rows` rows drawn from the `side` distributions of generate.mjs, column by column: numeric
 * features as Float64Array (NaN where missing), categorical ones as arrays of fresh strings (as
 * parsed input would give), plus each categorical value's index into its column's labels.
 */
function drawColumns(rows, side, seed) {
  const numeric = {};
  const codes = {};
  const categorical = {};
  numericColumns.forEach((column, index) => {
    const s = sampler(seed * 101 + index);
    const holes = sampler(seed * 103 + index);
    const values = new Float64Array(rows);
    for (let row = 0; row < rows; row++) {
      const value = column.draw(s, side);
      values[row] = withMissing.has(column.name) && holes.uniform() < missingShare ? Number.NaN : value;
    }
    numeric[column.name] = values;
  });
  categoricalColumns.forEach((column, index) => {
    const s = sampler(seed * 107 + index);
    const indices = new Uint8Array(rows);
    const values = new Array(rows);
    for (let row = 0; row < rows; row++) {
      const code = s.pick(column.cumulative[side]);
      indices[row] = code;
      values[row] = `${column.categories[code]} `.slice(0, -1);
    }
    codes[column.name] = indices;
    categorical[column.name] = values;
  });
  return { numeric, categorical, codes, rows };
}

// ---------------------------------------------------------------- the NumPy peer's input

/** Writes the pool and the baseline's buckets for numpy_counts.py: raw float64 and uint8 files, and JSON. */
async function writePeerInput(dir, pool, baseline, options) {
  await mkdir(dir, { recursive: true });
  const numericBytes = Buffer.concat(
    pool.flatMap((batch) => numericColumns.map((c) => Buffer.from(batch.numeric[c.name].buffer))),
  );
  const codeBytes = Buffer.concat(
    pool.flatMap((batch) => categoricalColumns.map((c) => Buffer.from(batch.codes[c.name].buffer))),
  );
  await writeFile(join(dir, 'pool-numeric.f64'), numericBytes);
  await writeFile(join(dir, 'pool-categorical.u8'), codeBytes);
  const spec = {
    rows: options.rows,
    batch: options.batch,
    pool: options.pool,
    sliceSeconds: options.sliceSeconds,
    windowSlices: options.windowSlices,
    batchSeconds: options.batchSeconds,
    numeric: numericColumns.map((c) => ({ name: c.name, edges: baseline.features[c.name].edges })),
    categorical: categoricalColumns.map((c) => ({
      name: c.name,
      labels: c.categories,
      categories: baseline.features[c.name].categories,
    })),
  };
  await writeFile(join(dir, 'pool.json'), `${JSON.stringify(spec)}\n`);
}

// ---------------------------------------------------------------- the run

const mb = (bytes) => bytes / 2 ** 20;

function memory() {
  globalThis.gc();
  const usage = process.memoryUsage();
  return { heapUsed: usage.heapUsed, rss: usage.rss, arrayBuffers: usage.arrayBuffers };
}

/** Feeds `options.rows` rows to `accumulator` from the pool, timing addBatch alone; samples every million rows. */
function feed(accumulator, pool, options, { columnsOf, sample = true, scores = true }) {
  const start = Date.UTC(2026, 0, 1);
  const batches = options.rows / options.batch;
  const every = Math.max(1, Math.round(1_000_000 / options.batch));
  const samples = [];
  let addSeconds = 0;
  let cpuMicros = 0;
  let sinceSample = 0;
  let cpuSinceSample = 0;
  let rowsSinceSample = 0;
  let counted = 0;
  if (sample)
    samples.push({
      rows: 0,
      ...memory(),
      windowRows: 0,
      rate: undefined,
      cpuRate: undefined,
      scoreMs: undefined,
    });
  for (let b = 0; b < batches; b++) {
    const batch = pool[b % pool.length];
    const columns = columnsOf(batch);
    const at = start + b * options.batchSeconds * 1000;
    const cpu = process.cpuUsage();
    const t = performance.now();
    counted += accumulator.addBatch(columns, at);
    const seconds = (performance.now() - t) / 1000;
    const used = process.cpuUsage(cpu);
    cpuMicros += used.user + used.system;
    cpuSinceSample += (used.user + used.system) / 1e6;
    addSeconds += seconds;
    sinceSample += seconds;
    rowsSinceSample += batch.rows;
    if (sample && (b + 1) % every === 0) {
      let scoreMs;
      if (scores) {
        const s = performance.now();
        accumulator.scores();
        scoreMs = performance.now() - s;
      }
      samples.push({
        rows: (b + 1) * options.batch,
        ...memory(),
        windowRows: accumulator.windowRows,
        rate: rowsSinceSample / sinceSample,
        cpuRate: rowsSinceSample / cpuSinceSample,
        scoreMs,
      });
      sinceSample = 0;
      cpuSinceSample = 0;
      rowsSinceSample = 0;
    }
  }
  return { addSeconds, cpuSeconds: cpuMicros / 1e6, counted, samples };
}

function runPeer(options, dir) {
  const result = spawnSync(options.python, [join(here, 'numpy_counts.py'), dir], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (result.status !== 0) {
    throw new Error(
      `numpy_counts.py failed (${options.python}; use the pyenv python3 with NumPy, or --no-python):\n${(result.stderr || String(result.error)).trim()}`,
    );
  }
  return JSON.parse(result.stdout);
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  let drift;
  try {
    drift = await importWardenModule(options.root, 'drift');
  } catch (error) {
    throw new Error(
      `cannot load ${options.root}/dist/drift/index.js; run \`npm run build\` first (${error.message})`,
    );
  }
  const { DriftAccumulator, baselineFromColumns } = drift;
  const loadAtStart = loadavg();
  process.stderr.write(
    `drift accumulator benchmark: ${options.rows.toLocaleString('en-US')} rows in batches of ${options.batch.toLocaleString('en-US')}\n`,
  );

  // The baseline, from reference rows.
  let t = performance.now();
  const reference = drawColumns(options.referenceRows, 'reference', 1);
  const baselineColumns = [
    ...numericColumns.map((c) => ({ name: c.name, type: 'numeric', values: reference.numeric[c.name] })),
    ...categoricalColumns.map((c) => ({
      name: c.name,
      type: 'categorical',
      values: reference.categorical[c.name],
    })),
  ];
  t = performance.now();
  const baseline = baselineFromColumns(baselineColumns, {
    source: { uri: 'bench://drift/reference', digest: `sha256:${'0'.repeat(64)}` },
    windowRows: 20_000,
    createdAt: '2026-01-01T00:00:00.000Z',
  });
  const baselineMs = performance.now() - t;
  log(`baseline from ${options.referenceRows.toLocaleString('en-US')} rows in ${baselineMs.toFixed(0)} ms`);

  // The pool: even batches drawn like the reference, odd ones like the current file (shifted).
  t = performance.now();
  const pool = Array.from({ length: options.pool }, (_, k) =>
    drawColumns(options.batch, k % 2 === 0 ? 'reference' : 'current', 1000 + k),
  );
  log(`drew a pool of ${options.pool} batches in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const all = (batch) => ({ ...batch.numeric, ...batch.categorical });
  const accumulatorOptions = { sliceMillis: options.sliceSeconds * 1000, windowSlices: options.windowSlices };

  // Warm-up on a throwaway accumulator, so the main run measures compiled code from the start.
  feed(
    new DriftAccumulator(baseline, accumulatorOptions),
    pool,
    { ...options, rows: Math.min(options.rows, 20 * options.batch) },
    {
      columnsOf: all,
      sample: false,
    },
  );

  log('feeding all 25 features …');
  const accumulator = new DriftAccumulator(baseline, accumulatorOptions);
  const main = feed(accumulator, pool, options, { columnsOf: all });
  log(`${(options.rows / main.addSeconds).toFixed(0)} rows/s`);
  const report = accumulator.scores();

  // The same rows, one kind of feature at a time (the absent features count as missing: one add per batch).
  const splitRows = Math.min(options.rows, 2_000_000);
  const split = {};
  for (const [kind, columnsOf] of [
    ['numeric', (batch) => batch.numeric],
    ['categorical', (batch) => batch.categorical],
  ]) {
    const run = feed(
      new DriftAccumulator(baseline, accumulatorOptions),
      pool,
      { ...options, rows: splitRows },
      {
        columnsOf,
        sample: false,
      },
    );
    split[kind] = splitRows / run.cpuSeconds;
  }

  // The counts over one pass of the pool, for the cross-check with NumPy.
  const once = new DriftAccumulator(baseline, { sliceMillis: 1000, windowSlices: 1 });
  for (const batch of pool) once.addBatch(all(batch), 0);
  const poolCounts = Object.fromEntries(
    [...numericColumns, ...categoricalColumns].map((c) => [c.name, Array.from(once.windowCounts(c.name))]),
  );

  let peer;
  if (options.peer) {
    const dir = join(options.dir, 'accumulator');
    await writePeerInput(dir, pool, baseline, options);
    log('NumPy peer …');
    peer = runPeer(options, dir);
    log(`NumPy: ${(options.rows / peer.seconds).toFixed(0)} rows/s`);
  }
  const loadAtEnd = loadavg();

  const text = format({
    options,
    baselineMs,
    main,
    split,
    splitRows,
    report,
    peer,
    poolCounts,
    retainedBytes: accumulator.retainedBytes,
    environment: [
      `${machineLine(loadAtStart)}, ${loadAtEnd.map((x) => x.toFixed(2)).join(' / ')} at end`,
      `Node ${process.version}, Warden ${revision(options.root)}`,
      peer ? `Python ${peer.versions.python}, NumPy ${peer.versions.numpy}` : 'NumPy not run',
    ].join('; '),
  });
  process.stdout.write(`\n${text.text}`);
  await mkdir(options.dir, { recursive: true });
  await writeFile(join(options.dir, `accumulator-${options.rows}.md`), text.text);
  if (!text.ok) process.exitCode = 1;
}

function format({
  options,
  baselineMs,
  main,
  split,
  splitRows,
  report,
  peer,
  poolCounts,
  retainedBytes,
  environment,
}) {
  const n = (x) => Math.round(x).toLocaleString('en-US');
  const m = (bytes) => mb(bytes).toFixed(1);
  const rate = options.rows / main.addSeconds;
  const samples = main.samples;
  const first = samples[1] ?? samples[0];
  const last = samples[samples.length - 1];
  const lines = [
    `### Drift accumulator: ${n(options.rows)} rows × ${numericColumns.length} numeric + ${categoricalColumns.length} categorical features, batches of ${n(options.batch)}`,
    '',
    environment,
    '',
    `Baseline from ${n(options.referenceRows)} reference rows in ${n(baselineMs)} ms (10 buckets per numeric feature, top 20 categories, thresholds from 20,000-row chunks). Window: ${options.windowSlices} slices of ${options.sliceSeconds} s, a batch every ${options.batchSeconds} s (${n((options.windowSlices * options.sliceSeconds * options.batch) / options.batchSeconds)} rows in a full window); counters held: ${n(retainedBytes)} bytes.`,
    '',
    '| rows added | rows/s (last million) | rows per CPU-s | window rows | scores() ms | heap used MB | array buffers MB | RSS MB |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...samples.map(
      (s) =>
        `| ${n(s.rows)} | ${s.rate === undefined ? '—' : n(s.rate)} | ${s.cpuRate === undefined ? '—' : n(s.cpuRate)} | ${n(s.windowRows)} | ${s.scoreMs === undefined ? '—' : s.scoreMs.toFixed(1)} | ${m(s.heapUsed)} | ${m(s.arrayBuffers)} | ${m(s.rss)} |`,
    ),
    '',
    `(before the first row: the pool of ${options.pool} batches, ${n(options.pool * options.batch)} rows, is already in memory; it does not change during the run.)`,
    '',
  ];
  // Per core: rows per CPU-second of the process while adding (one thread does the work), so that
  // other load on a shared machine, which takes the core away part of the time, does not count.
  const cpuRate = options.rows / main.cpuSeconds;
  const verdict = cpuRate > targetRowsPerSecond ? '**PASS**' : '**MISS**';
  // Growth: the highest reading after the first million rows, over the reading at the first million.
  const growth = (key) => mb(Math.max(...samples.slice(1).map((s) => s[key])) - first[key]);
  const flat = growth('heapUsed') < 1 && growth('rss') < 16;
  lines.push(
    `- Throughput, all 25 features: **${n(cpuRate)} rows per CPU-second** on one core (${n(cpuRate * 25)} values); ${n(rate)} rows/s of wall time (${main.addSeconds.toFixed(2)} s in addBatch for ${n(options.rows)} rows, ${main.cpuSeconds.toFixed(2)} CPU s: the process had ${(main.cpuSeconds / main.addSeconds).toFixed(2)} of a core while adding). Target above ${n(targetRowsPerSecond)} rows/s per core: ${verdict}${rate > targetRowsPerSecond ? '' : ` on CPU time; ${n(rate)} rows/s of wall time on this shared machine`}.`,
    `- One kind of feature at a time (${n(splitRows)} rows): the 20 numeric features ${n(split.numeric)} rows per CPU-second, the 5 categorical ones ${n(split.categorical)}.`,
    `- Memory after the first million rows, highest reading minus the first: heap used ${growth('heapUsed') >= 0 ? '+' : ''}${growth('heapUsed').toFixed(2)} MB, RSS ${growth('rss') >= 0 ? '+' : ''}${growth('rss').toFixed(1)} MB (last minus first: heap ${mb(last.heapUsed - first.heapUsed).toFixed(2)} MB, RSS ${mb(last.rss - first.rss).toFixed(1)} MB): ${flat ? '**flat**' : '**it grows**'}.`,
    `- After the run: ${n(report.windowRows)} rows in the window, ${n(report.lateRows)} late rows, ${report.driftedFeatures.length} of 25 features drifted by ${report.judgedBy.join(' or ')} (${report.driftedFeatures.join(', ') || 'none'}).`,
  );
  let ok = rate > 0;
  if (peer) {
    lines.push(
      `- NumPy, the same counting (np.searchsorted + np.bincount per feature per batch, into ring slices): **${n(options.rows / peer.cpuSeconds)} rows per CPU-second**, ${n(options.rows / peer.seconds)} rows/s of wall time (${peer.seconds.toFixed(2)} s, ${peer.cpuSeconds.toFixed(2)} CPU s; numeric features ${n(options.rows / peer.numericSeconds)} rows/s, categorical ${n(options.rows / peer.categoricalSeconds)} rows/s of wall time). Warden ÷ NumPy: **${(cpuRate / (options.rows / peer.cpuSeconds)).toFixed(2)}×** per CPU-second, ${(rate / (options.rows / peer.seconds)).toFixed(2)}× per wall second.`,
    );
    const differing = Object.keys(poolCounts).filter(
      (name) => JSON.stringify(poolCounts[name]) !== JSON.stringify(peer.poolCounts[name]),
    );
    if (differing.length === 0) {
      lines.push(
        `- Counts cross-checked: one pass over the pool (${n(options.pool * options.batch)} rows), every bucket of all 25 features equal in Warden and NumPy.`,
      );
    } else {
      ok = false;
      lines.push(`- Counts cross-check: **DIFFERENT** for ${differing.join(', ')}.`);
      for (const name of differing.slice(0, 5))
        lines.push(
          `  - ${name}: warden ${JSON.stringify(poolCounts[name])}, numpy ${JSON.stringify(peer.poolCounts[name])}`,
        );
    }
  }
  lines.push('');
  return { text: lines.join('\n'), ok };
}

main().catch((error) => {
  process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
