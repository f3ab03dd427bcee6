// Generates the benchmark's synthetic credit-model predictions: one row per applicant with the
// actual outcome, the model's probability of default and three sensitive attributes. Deterministic
// (a seeded sfc32 generator, rows drawn in order), streamed to disk in chunks so memory stays flat.
// Writes bench/.out/model-gate/predictions-<rows>.csv and, on request, a Parquet copy (DuckDB).
//
//   node bench/model-gate/generate.mjs [--rows N] [--parquet] [--force]
//
// Columns: label (good/bad, ~30% bad; bad is the positive class), score (probability of bad, up to
// 7 significant digits; 1% of rows carry a 2-decimal score from a fallback rule, so there are heavy
// ties and scores on the 0.5 threshold and on calibration bin edges), sex (F/M), age (18-90) and
// region (20 values, Zipf-like). The bad rate depends on age and region; the score is a logistic
// model of the label, slightly over-confident, that scores men higher, so there is something to
// measure. ROC AUC is about 0.8.
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { sfc32 } from '../lib/benchmark-random.mjs';
import { generatedFileIsFresh } from '../lib/measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const outDir = resolve(here, '../.out/model-gate');
const generatorVersion = 1;
const seed = 20_240_611;

export const sensitiveAttributes = ['sex', 'age', 'region'];
/** Edges of the age bands (`--bins age=…`): [18, 25), [25, 40), [40, 65), [65, ∞), and below 18. */
export const ageEdges = [18, 25, 40, 65];

const regions = Array.from({ length: 20 }, (_, k) => `R${String(k + 1).padStart(2, '0')}`);
// Zipf-like shares (R01 the largest, R20 about a tenth of it) and a fixed effect on the bad rate.
const regionCumulative = (() => {
  const weights = regions.map((_, k) => 1 / (k + 2));
  const total = weights.reduce((sum, w) => sum + w, 0);
  let running = 0;
  return weights.map((w) => {
    running += w / total;
    return running;
  });
})();
const regionEffect = regions.map((_, k) => (((k * 7) % 11) - 5) * 0.07);
const ageEffect = (age) => (age < 25 ? 0.45 : age < 40 ? 0.1 : age < 65 ? -0.15 : 0.2);
const baseLogit = Math.log(0.28 / 0.72);
// Class separation of the latent signal: z ~ N(separation * y, 1).
const separation = 1.15;

const sigmoid = (x) => 1 / (1 + Math.exp(-x));

/** Writes `rows` rows of CSV to `file`, in chunks, waiting for the stream to drain. */
async function writeCsv(file, rows) {
  const random = sfc32(seed);
  const normal = () => {
    // Box–Muller; 1 - u keeps the logarithm finite.
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const stream = createWriteStream(file, { highWaterMark: 1 << 22 });
  const closed = new Promise((done, fail) => {
    stream.on('close', done);
    stream.on('error', fail);
  });
  stream.write('label,score,sex,age,region\n');
  const chunkRows = 65_536;
  for (let start = 0; start < rows; start += chunkRows) {
    const end = Math.min(rows, start + chunkRows);
    let chunk = '';
    for (let i = start; i < end; i++) {
      const male = random() >= 0.49;
      const age = 18 + Math.floor(73 * random() ** 1.4);
      const r = random();
      let region = 0;
      while (region < regions.length - 1 && r >= regionCumulative[region]) region++;
      const prior = baseLogit + ageEffect(age) + regionEffect[region];
      const bad = random() < sigmoid(prior);
      const z = normal() + (bad ? separation : 0);
      // The Bayes log-odds given z, stretched by 1.15 (over-confident) and shifted for men.
      const logit = 1.15 * (prior + separation * z - (separation * separation) / 2) + (male ? 0.25 : 0);
      const p = sigmoid(logit);
      const score =
        random() < 0.01 ? (Math.round(p * 100) / 100).toFixed(2) : String(Number(p.toPrecision(7)));
      chunk += `${bad ? 'bad' : 'good'},${score},${male ? 'M' : 'F'},${age},${regions[region]}\n`;
    }
    if (!stream.write(chunk)) await once(stream, 'drain');
  }
  stream.end();
  await closed;
}

/**
 * Writes the CSV for `rows` rows (and the Parquet copy when `parquet`) unless an up-to-date copy
 * exists: the stamp file records the generator version and the CSV's size. Returns their paths.
 */
export async function generate(rows, { parquet: withParquet = false, force = false, log = () => {} } = {}) {
  await mkdir(outDir, { recursive: true });
  const csv = join(outDir, `predictions-${rows}.csv`);
  const parquet = join(outDir, `predictions-${rows}.parquet`);
  const stamp = join(outDir, `predictions-${rows}.json`);
  const fresh = await generatedFileIsFresh(csv, stamp, { generatorVersion, rows, force });
  if (!fresh) {
    const started = performance.now();
    await rm(parquet, { force: true });
    await writeCsv(`${csv}.tmp`, rows);
    await rename(`${csv}.tmp`, csv);
    const csvBytes = (await stat(csv)).size;
    await writeFile(stamp, `${JSON.stringify({ generatorVersion, rows, csvBytes })}\n`);
    log(`generated ${rows} rows in ${((performance.now() - started) / 1000).toFixed(1)} s: ${csv}`);
  }
  if (withParquet && !existsSync(parquet)) {
    const started = performance.now();
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    try {
      await connection.run(`SET temp_directory='${join(outDir, 'duckdb-spill')}'`);
      const columns = `{'label': 'VARCHAR', 'score': 'DOUBLE', 'sex': 'VARCHAR', 'age': 'INTEGER', 'region': 'VARCHAR'}`;
      await connection.run(
        `COPY (SELECT * FROM read_csv('${csv}', header=true, auto_detect=false, columns=${columns}))
         TO '${parquet}.tmp' (FORMAT parquet, COMPRESSION zstd)`,
      );
      await rename(`${parquet}.tmp`, parquet);
    } finally {
      connection.closeSync();
      db.closeSync();
    }
    log(`wrote the Parquet copy in ${((performance.now() - started) / 1000).toFixed(1)} s: ${parquet}`);
  }
  return { csv, parquet };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--rows');
  const rows = at === -1 ? 10_000_000 : Number(args[at + 1]);
  if (!(Number.isInteger(rows) && rows > 0)) throw new Error('--rows must be a positive integer');
  await generate(rows, {
    parquet: args.includes('--parquet'),
    force: args.includes('--force'),
    log: console.log,
  });
}
