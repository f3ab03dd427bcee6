// Generates the drift benchmark's data: a reference and a current file of the same shape, each with
// 20 numeric columns (mixed distributions, some shifted in the current file, some by a hair) and 5
// categorical ones (some with shifted shares, one with categories the reference never saw).
// Deterministic (a seeded sfc32 generator per file, rows drawn in order), streamed to disk in chunks
// so memory stays flat. Writes <dir>/reference-<rows>.csv and current-<rows>.csv and, unless
// --no-parquet, Parquet copies (DuckDB, typed columns, zstd). No missing values: every contestant
// reads every cell as a number or a string.
//
//   node bench/drift/generate.mjs [--rows N] [--dir DIR] [--no-parquet] [--force]
//
// The default directory is .warden/bench/drift under the repository (ignored by git).
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { eachOption } from '../lib/args.mjs';
import { sfc32 } from '../lib/benchmark-random.mjs';
import { generatedFileIsFresh } from '../lib/measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const defaultDir = resolve(here, '../../.warden/bench/drift');
const generatorVersion = 2;
const seeds = { reference: 20_260_501, current: 20_260_502 };

/**
 * MurmurHash3's 32-bit finaliser: nearby seeds become unrelated ones. sfc32 (bench/lib/benchmark-random.mjs)
 * takes the seed as one word of its state, and streams from adjacent seeds looked slightly alike.
 */
function mixSeed(seed) {
  let h = seed >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Uniform, normal and the distributions built on them, from one sfc32 stream. */
export function sampler(seed) {
  const uniform = sfc32(mixSeed(seed));
  const normal = () => {
    // Box–Muller; 1 − u keeps the logarithm finite.
    const u = 1 - uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  const exponential = (mean) => -mean * Math.log(1 - uniform());
  const gamma = (shape, scale) => {
    // A whole-number shape: the sum of `shape` exponentials.
    let sum = 0;
    for (let k = 0; k < shape; k++) sum += exponential(scale);
    return sum;
  };
  const poisson = (lambda) => {
    // Knuth: multiply uniforms until the product drops below e^−λ.
    const limit = Math.exp(-lambda);
    let k = 0;
    let product = uniform();
    while (product > limit) {
      k++;
      product *= uniform();
    }
    return k;
  };
  const studentT = (dof) => {
    let chiSquare = 0;
    for (let k = 0; k < dof; k++) chiSquare += normal() ** 2;
    return normal() / Math.sqrt(chiSquare / dof);
  };
  const laplace = (scale) => {
    const u = uniform() - 0.5;
    return -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
  };
  /** An index drawn from cumulative shares (the last one is 1). */
  const pick = (cumulative) => {
    const r = uniform();
    let index = 0;
    while (index < cumulative.length - 1 && r >= cumulative[index]) index++;
    return index;
  };
  return { uniform, normal, exponential, gamma, poisson, studentT, laplace, pick };
}

/** Running shares of `weights`, exactly 1 from the last positive weight on (so `pick` never lands after it). */
const cumulativeOf = (weights) => {
  const total = weights.reduce((sum, w) => sum + w, 0);
  const last = weights.findLastIndex((w) => w > 0);
  let running = 0;
  return weights.map((w, index) => {
    running += w / total;
    return index >= last ? 1 : running;
  });
};

// ---------------------------------------------------------------- the columns

/**
 * Numeric columns: `draw(s, side)` returns one value for the 'reference' or 'current' file; `digits`
 * is how many decimals the CSV keeps (0: a whole number, typed BIGINT in Parquet). `shift` says what
 * changes in the current file, for the README and the report.
 */
export const numericColumns = [
  { name: 'normal', digits: 4, shift: 'none', draw: (s) => s.normal() },
  {
    name: 'normal_mean_shift',
    digits: 3,
    shift: 'mean +0.25σ',
    draw: (s, side) => 50 + 10 * s.normal() + (side === 'current' ? 2.5 : 0),
  },
  {
    name: 'normal_scale_shift',
    digits: 3,
    shift: 'σ ×1.3',
    draw: (s, side) => 100 + (side === 'current' ? 19.5 : 15) * s.normal(),
  },
  { name: 'income', digits: 2, shift: 'none', draw: (s) => Math.exp(10 + 0.5 * s.normal()) },
  {
    name: 'lognormal_shift',
    digits: 4,
    shift: 'log-mean +0.15',
    draw: (s, side) => Math.exp((side === 'current' ? 3.15 : 3) + 0.8 * s.normal()),
  },
  { name: 'exponential', digits: 3, shift: 'none', draw: (s) => s.exponential(30) },
  {
    name: 'exponential_shift',
    digits: 4,
    shift: 'mean 5 → 6',
    draw: (s, side) => s.exponential(side === 'current' ? 6 : 5),
  },
  { name: 'uniform', digits: 6, shift: 'none', draw: (s) => s.uniform() },
  {
    name: 'uniform_shift',
    digits: 3,
    shift: '[0, 100) → [10, 110)',
    draw: (s, side) => 100 * s.uniform() + (side === 'current' ? 10 : 0),
  },
  { name: 'gamma', digits: 4, shift: 'none', draw: (s) => s.gamma(3, 2) },
  {
    name: 'gamma_slight',
    digits: 4,
    shift: 'scale ×1.02',
    draw: (s, side) => s.gamma(2, side === 'current' ? 1.02 : 1),
  },
  {
    name: 'bimodal_weights',
    digits: 4,
    shift: 'modes 70/30 → 60/40',
    draw: (s, side) =>
      s.uniform() < (side === 'current' ? 0.6 : 0.7) ? -2 + s.normal() : 3 + 0.5 * s.normal(),
  },
  { name: 'laplace', digits: 4, shift: 'none', draw: (s) => s.laplace(2) },
  { name: 'student_t', digits: 4, shift: 'none', draw: (s) => s.studentT(5) },
  { name: 'poisson', digits: 0, shift: 'none', draw: (s) => s.poisson(4) },
  {
    name: 'poisson_shift',
    digits: 0,
    shift: 'λ 12 → 13',
    draw: (s, side) => s.poisson(side === 'current' ? 13 : 12),
  },
  { name: 'age', digits: 0, shift: 'none', draw: (s) => 18 + Math.floor(73 * s.uniform() ** 1.4) },
  { name: 'beta_like', digits: 5, shift: 'none', draw: (s) => s.uniform() ** 2 },
  {
    name: 'normal_tiny_shift',
    digits: 4,
    shift: 'mean +0.02σ',
    draw: (s, side) => s.normal() + (side === 'current' ? 0.02 : 0),
  },
  {
    name: 'rating',
    digits: 0,
    shift: 'shares of 1–5 shifted (5 values: Jensen–Shannon)',
    draw: (s, side) => 1 + s.pick(side === 'current' ? ratingCurrent : ratingReference),
  },
];
const ratingReference = cumulativeOf([5, 10, 25, 35, 25]);
const ratingCurrent = cumulativeOf([6, 12, 27, 33, 22]);

const labels = (prefix, count) =>
  Array.from({ length: count }, (_, k) => `${prefix}${String(k).padStart(2, '0')}`);
const zipf = (count, exponent = 1) => Array.from({ length: count }, (_, k) => 1 / (k + 1) ** exponent);
/** Weights scaled to add up to `total`. */
const scaled = (weights, total) => {
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => (w / sum) * total);
};

/** Categorical columns: category labels and their weights in each file. */
export const categoricalColumns = [
  {
    name: 'tier',
    shift: 'none',
    categories: ['low', 'mid', 'high'],
    reference: [50, 35, 15],
    current: [50, 35, 15],
  },
  {
    name: 'channel_shift',
    shift: 'shares of 8 channels shifted',
    categories: ['web', 'app', 'store', 'phone', 'partner', 'mail', 'kiosk', 'agent'],
    reference: [30, 25, 15, 10, 8, 5, 4, 3],
    current: [22, 33, 13, 9, 9, 5, 5, 4],
  },
  { name: 'region', shift: 'none', categories: labels('R', 20), reference: zipf(20), current: zipf(20) },
  {
    name: 'merchant_new',
    shift: '3 categories the reference never saw (6% of rows)',
    // 53 labels; the reference never draws the last three.
    categories: labels('M', 53),
    reference: [...scaled(zipf(50, 0.8), 1), 0, 0, 0],
    current: [...scaled(zipf(50, 0.8), 0.94), 0.02, 0.02, 0.02],
  },
  {
    name: 'payment_shift',
    shift: 'card/cash 70/30 → 62/38',
    categories: ['card', 'cash'],
    reference: [70, 30],
    current: [62, 38],
  },
].map((column) => ({
  ...column,
  cumulative: { reference: cumulativeOf(column.reference), current: cumulativeOf(column.current) },
}));

export const columnNames = [...numericColumns, ...categoricalColumns].map((column) => column.name);

// ---------------------------------------------------------------- writing

/** Writes `rows` rows of the `side` file ('reference' or 'current') as CSV, in chunks. */
async function writeCsv(file, rows, side) {
  const s = sampler(seeds[side]);
  const stream = createWriteStream(file, { highWaterMark: 1 << 22 });
  const closed = new Promise((done, fail) => {
    stream.on('close', done);
    stream.on('error', fail);
  });
  stream.write(`${columnNames.join(',')}\n`);
  const chunkRows = 32_768;
  for (let start = 0; start < rows; start += chunkRows) {
    const end = Math.min(rows, start + chunkRows);
    let chunk = '';
    for (let i = start; i < end; i++) {
      let line = '';
      for (const column of numericColumns) {
        const value = column.draw(s, side);
        // toFixed can write "-0.0000"; a plain 0 reads the same everywhere.
        const text = column.digits === 0 ? String(value) : value.toFixed(column.digits);
        line += `${text === `-${(0).toFixed(column.digits)}` ? '0' : text},`;
      }
      for (const column of categoricalColumns) {
        line += `${column.categories[s.pick(column.cumulative[side])]},`;
      }
      chunk += `${line.slice(0, -1)}\n`;
    }
    if (!stream.write(chunk)) await once(stream, 'drain');
  }
  stream.end();
  await closed;
}

/** DuckDB's column types for read_csv: whole-number columns BIGINT, the rest DOUBLE, categories VARCHAR. */
export function duckdbColumnTypes() {
  const types = [
    ...numericColumns.map((c) => `'${c.name}': '${c.digits === 0 ? 'BIGINT' : 'DOUBLE'}'`),
    ...categoricalColumns.map((c) => `'${c.name}': 'VARCHAR'`),
  ];
  return `{${types.join(', ')}}`;
}

async function writeParquet(csv, parquet, dir) {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    await connection.run(`SET temp_directory='${join(dir, 'duckdb-spill')}'`);
    await connection.run(
      `COPY (SELECT * FROM read_csv('${csv}', header=true, auto_detect=false, columns=${duckdbColumnTypes()}))
       TO '${parquet}.tmp' (FORMAT parquet, COMPRESSION zstd)`,
    );
    await rename(`${parquet}.tmp`, parquet);
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

/**
 * Writes both files for `rows` rows (and their Parquet copies when `parquet`) unless up-to-date
 * copies exist: a stamp file records the generator version and the CSV sizes. Returns their paths.
 */
export async function generate(
  rows,
  { dir = defaultDir, parquet: withParquet = true, force = false, log = () => {} } = {},
) {
  await mkdir(dir, { recursive: true });
  const files = {};
  for (const side of ['reference', 'current']) {
    const csv = join(dir, `${side}-${rows}.csv`);
    const parquet = join(dir, `${side}-${rows}.parquet`);
    const stamp = join(dir, `${side}-${rows}.json`);
    const fresh = await generatedFileIsFresh(csv, stamp, { generatorVersion, rows, force });
    if (!fresh) {
      const started = performance.now();
      await rm(parquet, { force: true });
      await writeCsv(`${csv}.tmp`, rows, side);
      await rename(`${csv}.tmp`, csv);
      const csvBytes = (await stat(csv)).size;
      await writeFile(stamp, `${JSON.stringify({ generatorVersion, rows, side, csvBytes })}\n`);
      log(
        `generated the ${side} file, ${rows} rows, in ${((performance.now() - started) / 1000).toFixed(1)} s: ${csv}`,
      );
    }
    if (withParquet && !existsSync(parquet)) {
      const started = performance.now();
      await writeParquet(csv, parquet, dir);
      log(`wrote its Parquet copy in ${((performance.now() - started) / 1000).toFixed(1)} s: ${parquet}`);
    }
    files[side] = { csv, parquet: withParquet ? parquet : undefined };
  }
  return files;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const options = { rows: 1_000_000, dir: defaultDir, parquet: true, force: false };
  eachOption(process.argv.slice(2), (arg, value) => {
    if (arg === '--rows') options.rows = Number(value());
    else if (arg === '--dir') options.dir = resolve(value());
    else if (arg === '--no-parquet') options.parquet = false;
    else if (arg === '--force') options.force = true;
    else throw new Error(`unknown option ${arg}`);
  });
  if (!(Number.isInteger(options.rows) && options.rows > 0))
    throw new Error('--rows must be a positive integer');
  const files = await generate(options.rows, { ...options, log: console.log });
  console.log(JSON.stringify(files, null, 2));
}
