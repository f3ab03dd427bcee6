// Server benchmark: `warden server` (the built CLI) under a mixed API workload — 80% reads, 20%
// evidence writes — on SQLite with one server, PostgreSQL with one, and PostgreSQL with two server
// processes sharing the database; at a fixed 500 req/s and at full throughput; and read-only
// beside nginx serving a static file of the same size, the ceiling of an HTTP server here.
//
//   node bench/server/run.mjs [--duration S] [--warmup S] [--rate R] [--connections C]
//                             [--configs sqlite,pg1,pg2] [--pg URL] [--no-nginx]
//                             [--nginx-workers 1,2] [--no-paced] [--models N] [--versions N]
//                             [--seed N] [--warden DIR]
//
// Prints the report (markdown) on stdout, progress on stderr; writes bench/.out/server.json and
// bench/.out/server.md.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { commaList, eachOption } from '../lib/args.mjs';
import { sfc32 } from '../lib/benchmark-random.mjs';
import { revision } from '../lib/measure.mjs';
import { nginxConfPrelude, untilNginxAnswers } from '../lib/nginx.mjs';
import {
  coresUsed,
  cpuSnapshot,
  freePort,
  signalChildren,
  spawnTracked,
  stopChild,
} from '../lib/processes.mjs';
import { api, startWarden } from '../lib/warden-server.mjs';
import { EvidencePool, sealedEvidence } from './evidence.mjs';
import { Recorder, runAutocannon, runPaced } from './load.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(here, '../.out');
/** The issue's target: p99 under 20 ms at 500 req/s (mixed workload) on SQLite. */
const target = { p99Ms: 20, rate: 500 };
const log = (message) => process.stderr.write(`  ${message}\n`);

function parseArgs(argv) {
  const options = {
    duration: 15,
    warmup: 3,
    rate: target.rate,
    connections: 50,
    configs: ['sqlite', 'pg1', 'pg2'],
    pg: process.env['WARDEN_BENCH_PG'] ?? 'postgres://root@127.0.0.1:5432/test',
    nginx: true,
    nginxWorkers: [1, 2],
    paced: true,
    models: 20,
    versions: 5,
    writeShare: 0.2,
    seed: 20_260_401,
    root: resolve(here, '../..'),
  };
  eachOption(argv, (arg, value) => {
    if (arg === '--duration') options.duration = Number(value());
    else if (arg === '--warmup') options.warmup = Number(value());
    else if (arg === '--rate') options.rate = Number(value());
    else if (arg === '--connections') options.connections = Number(value());
    else if (arg === '--configs') options.configs = commaList(value());
    else if (arg === '--pg') options.pg = value();
    else if (arg === '--no-nginx') options.nginx = false;
    else if (arg === '--nginx-workers') options.nginxWorkers = commaList(value()).map(Number);
    else if (arg === '--no-paced') options.paced = false;
    else if (arg === '--models') options.models = Number(value());
    else if (arg === '--versions') options.versions = Number(value());
    else if (arg === '--write-share') options.writeShare = Number(value());
    else if (arg === '--seed') options.seed = Number(value());
    else if (arg === '--warden') options.root = resolve(value());
    else throw new Error(`unknown option ${arg}`);
  });
  for (const key of ['duration', 'rate', 'connections', 'models', 'versions']) {
    if (!(Number.isInteger(options[key]) && options[key] >= 1))
      throw new Error(`--${key} must be a positive integer`);
  }
  if (!(Number.isInteger(options.warmup) && options.warmup >= 0))
    throw new Error('--warmup must be a whole number of seconds');
  if (!(options.writeShare >= 0 && options.writeShare < 1))
    throw new Error('--write-share must be in [0, 1)');
  const known = ['sqlite', 'pg1', 'pg2'];
  const unknown = options.configs.filter((c) => !known.includes(c));
  if (unknown.length > 0)
    throw new Error(`--configs: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`);
  if (!options.nginxWorkers.every((n) => Number.isInteger(n) && n >= 1))
    throw new Error('--nginx-workers takes whole numbers, e.g. 1,2');
  if (options.connections < 2) throw new Error('--connections must be at least 2 (two servers share them)');
  return options;
}

// ---------------------------------------------------------------- the build

function newestMtime(dir, test) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path, test));
    else if (test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function checkBuild(root) {
  const bin = join(root, 'bin/warden.js');
  if (!existsSync(bin) || !existsSync(join(root, 'dist/server/index.js')))
    throw new Error(`${root} has no built server (dist/server); run \`npm run build\` there first`);
  // What the server runs: a source file newer than every built file means dist/ is behind.
  const parts = ['server', 'store', 'registry', 'core'].map((part) => join(root, 'src', part));
  if (parts.every((dir) => existsSync(dir))) {
    const isSource = (name) => name.endsWith('.ts') && !name.endsWith('.test.ts');
    const source = Math.max(...parts.map((dir) => newestMtime(dir, isSource)));
    const built = newestMtime(join(root, 'dist'), (name) => name.endsWith('.js'));
    if (source > built)
      log(
        'warning: src/{server,store,registry,core} changed after the last build; run `npm run build` to measure it',
      );
  }
  return bin;
}

// ---------------------------------------------------------------- servers and databases

async function postgresVersion(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    const { rows } = await client.query('select version() as version');
    return { ok: true, version: rows[0].version.split(' on ')[0] };
  } catch (error) {
    return { ok: false, why: error.message || String(error) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

const schemasToDrop = new Set();
/** Temp directories (SQLite files, nginx configs) removed on the way out, Ctrl-C included. */
const scratchDirs = new Set();

let configHome;
function benchConfigHome() {
  if (configHome === undefined) {
    configHome = mkdtempSync(join(tmpdir(), 'warden-bench-config-'));
    scratchDirs.add(configHome);
  }
  return configHome;
}

async function dropSchema(url, schema) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    schemasToDrop.delete(schema);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function withSchema(url, schema) {
  const parsed = new URL(url);
  parsed.searchParams.set('schema', schema);
  return parsed.href;
}

// ---------------------------------------------------------------- seeding

const digestOf = (text) => `sha256:${randomDigest(text)}`;
function randomDigest(text) {
  // A stand-in artifact or dataset digest: deterministic per name, 64 lowercase hex.
  let hex = '';
  let h = 2166136261;
  while (hex.length < 64) {
    for (const c of text + hex.length) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
    hex += h.toString(16).padStart(8, '0');
  }
  return hex.slice(0, 64);
}

/**
 * A contributor token (made with the admin token), then `models` models of `versions` versions
 * each — every version with lineage (a dataset, its parent run) and one evidence document of each
 * kind. Returns the token, the versions and the GET-model answer of the first model.
 */
async function seed(base, adminToken, options, nonce) {
  const started = performance.now();
  let requests = 1;
  const contributor = await api(base, adminToken, 'POST', '/api/v1/tokens', {
    name: 'bench-contributor',
    role: 'contributor',
  });
  const token = contributor.secret;
  const versions = [];
  const models = [];
  const startMs = Date.parse('2026-01-01T00:00:00Z');
  let seq = 0;
  for (let m = 0; m < options.models; m++) {
    const model = `bench-model-${String(m).padStart(2, '0')}`;
    models.push(model);
    await api(base, token, 'POST', '/api/v1/models', {
      name: model,
      description: `Benchmark model ${m}: credit default scoring, gradient-boosted trees`,
      owner: 'ml-platform@example.com',
      team: m % 2 === 0 ? 'risk' : 'growth',
      labels: { domain: 'credit', riskTier: m % 3 === 0 ? 'high' : 'medium' },
    });
    requests++;
    for (let v = 1; v <= options.versions; v++) {
      await api(base, token, 'POST', `/api/v1/models/${model}/versions`, {
        artifact: { uri: `s3://models/${model}/${v}/model.onnx`, digest: digestOf(`${model}/${v}`) },
        runId: `${model}-run-${v}`,
        description: `retrained on ${2026}-0${(v % 9) + 1} data`,
        lineage: {
          sourceCommit: randomDigest(`commit ${model} ${v}`).slice(0, 40),
          datasets: [
            {
              name: 'train',
              uri: `s3://data/credit/train-${v}.parquet`,
              digest: digestOf(`train ${m} ${v}`),
            },
          ],
          parameters: { learningRate: 0.05, maxDepth: 6, nEstimators: 400 + v },
          ...(v > 1 ? { parentRuns: [`${model}-run-${v - 1}`] } : {}),
        },
      });
      requests++;
      for (const kind of ['data-check', 'model-evaluation']) {
        const document = sealedEvidence({
          kind,
          model,
          version: v,
          producedAtMs: startMs + seq * 1000,
          nonce: `seed-${nonce}`,
          seq: seq++,
        });
        await api(
          base,
          token,
          'POST',
          `/api/v1/models/${model}/versions/${v}/evidence`,
          JSON.stringify(document),
        );
        requests++;
      }
      versions.push({ model, version: v });
    }
  }
  const modelAnswer = await fetch(`${base}/api/v1/models/${models[0]}`, {
    headers: { authorization: `Bearer ${token}` },
  }).then((r) => r.text());
  const seconds = (performance.now() - started) / 1000;
  return { token, models, versions, modelAnswer, requests, seconds, evidence: seq };
}

// ---------------------------------------------------------------- the workload

/** Read operations and their weights; with 20% writes they are 20, 15, 20, 15 and 10% of requests. */
const readMix = [
  ['getModel', 4],
  ['listVersions', 3],
  ['getVersion', 4],
  ['latestEvidence', 3],
  ['lineage', 2],
];

function mixedWorkload({ models, versions, pool, random, writeShare }) {
  const readWeight = readMix.reduce((sum, [, w]) => sum + w, 0);
  const cumulative = [];
  let acc = 0;
  for (const [op, w] of readMix) {
    acc += w / readWeight;
    cumulative.push([op, acc]);
  }
  const pickVersion = () => versions[Math.floor(random() * versions.length)];
  return () => {
    if (random() < writeShare) {
      const { path, body } = pool.take();
      return { op: 'submitEvidence', method: 'POST', path, body };
    }
    const u = random();
    const op = (cumulative.find(([, c]) => u < c) ?? cumulative[cumulative.length - 1])[0];
    if (op === 'getModel')
      return { op, method: 'GET', path: `/api/v1/models/${models[Math.floor(random() * models.length)]}` };
    if (op === 'listVersions')
      return {
        op,
        method: 'GET',
        path: `/api/v1/models/${models[Math.floor(random() * models.length)]}/versions`,
      };
    const { model, version } = pickVersion();
    const base = `/api/v1/models/${model}/versions/${version}`;
    if (op === 'getVersion') return { op, method: 'GET', path: base };
    if (op === 'latestEvidence') return { op, method: 'GET', path: `${base}/evidence?latest=true` };
    return { op, method: 'GET', path: `${base}/lineage` };
  };
}

function readOnlyWorkload({ models, random }) {
  return () => ({
    op: 'getModel',
    method: 'GET',
    path: `/api/v1/models/${models[Math.floor(random() * models.length)]}`,
  });
}

/** Runs one load phase with CPU accounting around it; `run` returns the phase's figures. */
async function measured(pids, run) {
  const before = cpuSnapshot(pids);
  const result = await run();
  const after = cpuSnapshot(pids);
  return { ...result, cpuCores: coresUsed(before, after) };
}

function autocannonFigures(instances, extra) {
  const seconds = Math.max(...instances.map((i) => i.seconds));
  const merged = Recorder.merge(instances.map((i) => i.recorder)).summary(seconds);
  return {
    tool: 'autocannon',
    ...extra,
    seconds,
    ...merged,
    errors: instances.reduce((sum, i) => sum + i.autocannon.errors, 0),
    timeouts: instances.reduce((sum, i) => sum + i.autocannon.timeouts, 0),
    instances: instances.map((i) => {
      const own = i.recorder.summary(i.seconds);
      return {
        url: i.url,
        connections: i.connections,
        overallRate: i.overallRate,
        perSecond: own.perSecond,
        latencyMs: own.latencyMs,
        non2xx: own.non2xx,
        autocannon: i.autocannon,
      };
    }),
  };
}

function pacedFigures(run, extra) {
  const fromDue = Recorder.merge(run.instances.map((i) => i.fromDue)).summary(run.seconds);
  const fromSent = Recorder.merge(run.instances.map((i) => i.fromSent)).summary(run.seconds);
  return {
    tool: 'open-loop client (node:http, evenly spaced requests)',
    ...extra,
    seconds: run.seconds,
    ...fromDue,
    latencyFromSentMs: fromSent.latencyMs,
    errors: run.errors,
    timeouts: 0,
    schedulerLateMsMax: run.schedulerLateMsMax,
    instances: run.instances.map((i) => {
      const own = i.fromDue.summary(run.seconds);
      return { url: i.url, perSecond: own.perSecond, latencyMs: own.latencyMs, non2xx: own.non2xx };
    }),
  };
}

const pause = (ms) => new Promise((done) => setTimeout(done, ms));

// ---------------------------------------------------------------- one configuration

async function runConfig(config, options, bin, random) {
  process.stderr.write(`\n${config.label}\n`);
  const servers = [];
  const nonce = randomBytes(6).toString('hex');
  try {
    for (let i = 0; i < config.servers; i++) {
      // One at a time: the first migrates the database and prints the admin token.
      servers.push(
        await startWarden(options.root, bin, config.db, {
          init: i === 0,
          // The servers' default keys go to a scratch config directory, never the user's own;
          // replicas of one PostgreSQL database find the same key files there.
          env: { XDG_CONFIG_HOME: benchConfigHome() },
        }),
      );
      log(`server ${i + 1}: ${servers[i].url} (pid ${servers[i].pid})`);
    }
    if (servers[0].token === undefined) throw new Error('the first server printed no admin token (--init)');
    const seeded = await seed(servers[0].url, servers[0].token, options, nonce);
    log(
      `seeded ${options.models} models × ${options.versions} versions, ${seeded.evidence} evidence documents, a contributor token: ${seeded.requests} requests in ${seeded.seconds.toFixed(1)} s`,
    );
    const targets = servers.map((s) => ({ url: s.url }));
    const pids = servers.map((s) => s.pid);
    const headers = { authorization: `Bearer ${seeded.token}` };
    const pool = new EvidencePool({
      targets: seeded.versions,
      random,
      nonce,
      startMs: Date.parse('2026-02-01T00:00:00Z'),
    });
    const mixed = mixedWorkload({ ...seeded, pool, random, writeShare: options.writeShare });
    const { connections, duration, rate } = options;
    const poolFor = (perSecond, seconds) => Math.ceil(perSecond * seconds * options.writeShare * 1.3) + 100;
    const phases = {};

    // Warm-up: full speed, not reported beyond its rate (it also sizes the pool of the max run).
    let estimate = 3000;
    let warmUpPosted = 0;
    if (options.warmup > 0) {
      pool.prebuild(poolFor(estimate, options.warmup));
      const warm = await runAutocannon({
        targets,
        connections,
        duration: options.warmup,
        headers,
        next: mixed,
      });
      estimate = warm.reduce((sum, i) => sum + i.recorder.latencies.length / i.seconds, 0);
      warmUpPosted = warm.reduce(
        (sum, i) => sum + (i.recorder.byOp.get('submitEvidence')?.statuses['201'] ?? 0),
        0,
      );
      log(`warm-up ${options.warmup} s: ${Math.round(estimate)} req/s`);
      await pause(1000);
    }

    const fixedPoolMs = pool.prebuild(poolFor(rate, duration));
    log(`fixed rate ${rate} req/s (autocannon overallRate), ${connections} connections, ${duration} s …`);
    phases.fixed = await measured(pids, async () =>
      autocannonFigures(
        await runAutocannon({ targets, connections, duration, overallRate: rate, headers, next: mixed }),
        { targetRate: rate, connections, duration },
      ),
    );
    phases.fixed.evidencePool = {
      prebuildMs: Math.round(fixedPoolMs),
      sealedDuringRun: pool.sealedDuringRun,
    };
    log(
      `  ${phases.fixed.perSecond} req/s, p50 ${phases.fixed.latencyMs.p50} ms, p99 ${phases.fixed.latencyMs.p99} ms`,
    );
    await pause(1000);

    if (options.paced) {
      pool.prebuild(poolFor(rate, duration));
      log(
        `fixed rate ${rate} req/s, evenly spaced (open loop), up to ${connections} connections, ${duration} s …`,
      );
      phases.paced = await measured(pids, async () =>
        pacedFigures(await runPaced({ targets, rate, duration, connections, headers, next: mixed }), {
          targetRate: rate,
          connections,
          duration,
        }),
      );
      phases.paced.evidencePool = { sealedDuringRun: pool.sealedDuringRun };
      log(
        `  ${phases.paced.perSecond} req/s, p50 ${phases.paced.latencyMs.p50} ms, p99 ${phases.paced.latencyMs.p99} ms`,
      );
      await pause(1000);
    }

    const maxPoolMs = pool.prebuild(poolFor(Math.max(estimate * 1.5, 1000), duration));
    log(`max throughput, ${connections} connections, ${duration} s …`);
    phases.max = await measured(pids, async () =>
      autocannonFigures(await runAutocannon({ targets, connections, duration, headers, next: mixed }), {
        targetRate: null,
        connections,
        duration,
      }),
    );
    phases.max.evidencePool = { prebuildMs: Math.round(maxPoolMs), sealedDuringRun: pool.sealedDuringRun };
    log(
      `  ${phases.max.perSecond} req/s, p50 ${phases.max.latencyMs.p50} ms, p99 ${phases.max.latencyMs.p99} ms`,
    );
    await pause(1000);

    log(`read-only (GET model) max throughput, ${connections} connections, ${duration} s …`);
    const reads = readOnlyWorkload({ models: seeded.models, random });
    phases.readOnly = await measured(pids, async () =>
      autocannonFigures(await runAutocannon({ targets, connections, duration, headers, next: reads }), {
        targetRate: null,
        connections,
        duration,
      }),
    );
    log(
      `  ${phases.readOnly.perSecond} req/s, p50 ${phases.readOnly.latencyMs.p50} ms, p99 ${phases.readOnly.latencyMs.p99} ms`,
    );

    const posted = Object.values(phases).reduce(
      (sum, p) => sum + (p.perOp?.submitEvidence?.statuses?.['201'] ?? 0),
      0,
    );
    // Every write was a new document: the versions must now hold the seed's plus every 201.
    let attached = 0;
    for (const { model, version } of seeded.versions) {
      const answer = await api(
        servers[0].url,
        seeded.token,
        'GET',
        `/api/v1/models/${model}/versions/${version}/evidence`,
      );
      attached += answer.evidence.length;
    }
    const evidenceAtEnd = {
      attached,
      expected: seeded.evidence + warmUpPosted + posted,
      perVersionMean: Math.round(attached / seeded.versions.length),
    };
    log(
      `evidence attached at the end: ${attached} (expected ${evidenceAtEnd.expected}), ${evidenceAtEnd.perVersionMean} per version`,
    );
    return {
      key: config.key,
      label: config.label,
      database: config.database,
      servers: config.servers,
      seed: {
        requests: seeded.requests,
        seconds: Number(seeded.seconds.toFixed(2)),
        evidence: seeded.evidence,
      },
      evidencePostedInMeasuredRuns: posted,
      evidenceAtEnd,
      modelAnswer: seeded.modelAnswer,
      phases,
      serverLog: servers.map((s) => ({ url: s.url, warnOrWorseLines: s.logLines, first: s.firstLogLines })),
    };
  } finally {
    for (const server of servers) await server.stop();
  }
}

// ---------------------------------------------------------------- nginx

function ensureNginx() {
  const found = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
  if (found) return { path: found };
  log('nginx is not installed: apt-get update, then apt-get install -y nginx …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 2, 2], env }).status;
  if (run(['update']) !== 0) return { notice: 'apt-get update failed' };
  if (run(['install', '-y', '--no-install-recommends', 'nginx']) !== 0)
    return { notice: 'apt-get install nginx failed' };
  const installed = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
  return installed
    ? { path: installed, installedNow: true }
    : { notice: 'nginx not found after apt-get install' };
}

function nginxVersion(path) {
  const out = spawnSync(path, ['-v'], { encoding: 'utf8' });
  return (out.stderr || out.stdout || '').trim().replace(/^nginx version: nginx\//, '');
}

async function runNginx(path, workers, body, options, random) {
  const dir = await mkdtemp(join(tmpdir(), 'warden-bench-nginx-'));
  scratchDirs.add(dir);
  chmodSync(dir, 0o755); // workers run as an unprivileged user and read the file
  try {
    const port = await freePort();
    await mkdir(join(dir, 'www'), { mode: 0o755 });
    await writeFile(join(dir, 'www/model.json'), body, { mode: 0o644 });
    const conf = join(dir, 'nginx.conf');
    await writeFile(
      conf,
      `${nginxConfPrelude({ dir, workers, connections: 1024 })}  server {
    listen 127.0.0.1:${port};
    root ${dir}/www;
    # Any path answers the stored GET-model body, so the same requests as Warden's can be sent.
    location / { default_type application/json; try_files /model.json =404; }
  }
}
`,
    );
    const child = spawnTracked(path, ['-p', dir, '-e', `${dir}/error.log`, '-c', conf, '-g', 'daemon off;']);
    const url = `http://127.0.0.1:${port}`;
    await untilNginxAnswers(child, url, (at) => fetch(`${at}/api/v1/models/x`).then((r) => r.ok));
    try {
      const models = Array.from(
        { length: options.models },
        (_, m) => `bench-model-${String(m).padStart(2, '0')}`,
      );
      const reads = readOnlyWorkload({ models, random });
      const { connections, duration } = options;
      const headers = { authorization: 'Bearer wdn_not-checked-by-nginx' };
      await runAutocannon({ targets: [{ url }], connections, duration: 1, headers, next: reads });
      return await measured([child.pid], async () =>
        autocannonFigures(
          await runAutocannon({ targets: [{ url }], connections, duration, headers, next: reads }),
          {
            targetRate: null,
            connections,
            duration,
            workers,
          },
        ),
      );
    } finally {
      await stopChild(child);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- the report

const n = (x) => (x === null || x === undefined ? '—' : x.toLocaleString('en-US'));
const ms = (x) =>
  x === null || x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
const cpuCell = (cpu, pgCores) =>
  `${cpu.servers} / ${pgCores} / ${cpu.loadGenerator} / ${cpu.interrupts} / ${cpu.others} / ${cpu.machineBusy}`;
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : '—');

function report(r) {
  const lines = [];
  const m = r.machine;
  lines.push(
    `### Warden server benchmark: ${r.options.models} models × ${r.options.versions} versions, ${r.options.connections} connections, ${r.options.duration} s per run`,
    '',
    `Node ${m.node}, ${m.cores} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB RAM, load average ${m.loadAverageAtStart} at start; Warden ${r.warden}; ${r.postgres.ok ? r.postgres.version : `PostgreSQL not used: ${r.postgres.why}`}; ${r.nginx.version ? `nginx ${r.nginx.version}` : `nginx not measured: ${r.nginx.notice}`}.`,
    '',
    `Mixed workload: ${Math.round((1 - r.options.writeShare) * 100)}% reads (GET model 20%, list versions 15%, GET version 20%, latest evidence per kind 15%, lineage 10%) and ${Math.round(r.options.writeShare * 100)}% writes (POST a new, unique, sealed evidence document to a version), targets picked at random. "CPU" is cores used during the run (of ${m.cores}): Warden server process(es) / PostgreSQL (all its processes) / this process, the load generator / interrupt handling (irq and softirq, much of it the loopback network stack) / every other process on the machine / the whole machine busy.`,
    '',
    '| database | servers | load | req/s | p50 ms | p99 ms | max ms | non-2xx | errors | CPU: Warden / PG / load gen / irq / other / machine |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---|',
  );
  const phaseLabel = {
    fixed: `${r.options.rate} req/s, autocannon overallRate`,
    paced: `${r.options.rate} req/s, evenly spaced (open loop)`,
    max: 'max, autocannon',
  };
  for (const c of r.configs) {
    for (const key of ['fixed', 'paced', 'max']) {
      const p = c.phases[key];
      if (!p) continue;
      const cpu = p.cpuCores;
      lines.push(
        `| ${c.database} | ${c.servers} | ${phaseLabel[key]} | **${n(p.perSecond)}** | ${ms(p.latencyMs.p50)} | **${ms(p.latencyMs.p99)}** | ${ms(p.latencyMs.max)} | ${n(p.non2xx)} | ${n(p.errors)} | ${cpuCell(cpu, c.database === 'PostgreSQL' ? cpu.postgres : '—')} |`,
      );
    }
  }
  const sqlite = r.configs.find((c) => c.key === 'sqlite');
  if (sqlite) {
    const verdict = (p) =>
      p === undefined
        ? 'not run'
        : `**${p.latencyMs.p99 < target.p99Ms && p.non2xx === 0 && p.errors === 0 && p.perSecond >= 0.95 * r.options.rate ? 'PASS' : 'MISS'}** (p99 ${ms(p.latencyMs.p99)} ms at ${n(p.perSecond)} req/s, ${n(p.non2xx + p.errors)} failed)`;
    lines.push(
      '',
      `Target (issue): p99 under ${target.p99Ms} ms at ${target.rate} req/s on SQLite — autocannon overallRate: ${verdict(sqlite.phases.fixed)}; evenly spaced: ${verdict(sqlite.phases.paced)}.${r.options.rate !== target.rate ? ` (This run used --rate ${r.options.rate}, not ${target.rate}.)` : ''}`,
    );
  }

  // Per operation.
  for (const key of ['fixed', 'paced', 'max']) {
    const ops = [...new Set(r.configs.flatMap((c) => Object.keys(c.phases[key]?.perOp ?? {})))];
    if (ops.length === 0) continue;
    lines.push(
      '',
      `Per operation, ${phaseLabel[key]}: p50 / p99 ms (non-2xx)`,
      '',
      `| operation | share | ${r.configs.map((c) => `${c.database} ×${c.servers}`).join(' | ')} |`,
      `|---|---:|${r.configs.map(() => '---:').join('|')}|`,
    );
    for (const op of ops) {
      const share = r.configs[0].phases[key]?.perOp?.[op]?.share;
      lines.push(
        `| ${op} | ${share === undefined ? '—' : `${Math.round(share * 100)}%`} | ${r.configs
          .map((c) => {
            const o = c.phases[key]?.perOp?.[op];
            return o ? `${ms(o.p50)} / ${ms(o.p99)}${o.non2xx ? ` (${n(o.non2xx)})` : ''}` : '—';
          })
          .join(' | ')} |`,
      );
    }
  }

  // Two servers: each one's share.
  for (const c of r.configs.filter((x) => x.servers > 1)) {
    lines.push('', `${c.label}: each server's share (one autocannon instance per server, run together):`, '');
    for (const key of ['fixed', 'paced', 'max', 'readOnly']) {
      const p = c.phases[key];
      if (!p) continue;
      lines.push(
        `- ${key === 'readOnly' ? 'read-only GET model' : phaseLabel[key]}: ${p.instances
          .map(
            (i) =>
              `${i.url} ${n(i.perSecond)} req/s, p50 ${ms(i.latencyMs.p50)}, p99 ${ms(i.latencyMs.p99)} ms`,
          )
          .join(
            '; ',
          )}; together **${n(p.perSecond)} req/s**, merged p50 ${ms(p.latencyMs.p50)}, p99 ${ms(p.latencyMs.p99)} ms`,
      );
    }
  }

  // Read-only beside nginx.
  const nginx1 = r.nginx.runs.find((x) => x.workers === 1);
  const sameCount = (procs) => r.nginx.runs.find((x) => x.workers === procs);
  lines.push(
    '',
    `Read-only ceiling: GET model (${n(Buffer.byteLength(r.modelAnswer ?? ''))} bytes of JSON) at full speed, ${r.options.connections} connections, ${r.options.duration} s. nginx serves the same bytes from a static file (no auth, no database): what an HTTP server does on this machine, with the same load generator.`,
    '',
    '| server | processes | req/s | p50 ms | p99 ms | non-2xx | CPU: server / PG / load gen / irq / other / machine | ÷ nginx, 1 worker | ÷ nginx, same process count |',
    '|---|---:|---:|---:|---:|---:|---|---:|---:|',
  );
  for (const run of r.nginx.runs) {
    const cpu = run.figures.cpuCores;
    lines.push(
      `| nginx ${r.nginx.version} (static file) | ${run.workers} worker${run.workers > 1 ? 's' : ''} | **${n(run.figures.perSecond)}** | ${ms(run.figures.latencyMs.p50)} | ${ms(run.figures.latencyMs.p99)} | ${n(run.figures.non2xx)} | ${cpuCell({ ...cpu, servers: cpu.nginx }, '—')} | ${ratio(run.figures.perSecond, nginx1?.figures.perSecond)} | 1.00× |`,
    );
  }
  for (const c of r.configs) {
    const p = c.phases.readOnly;
    const cpu = p.cpuCores;
    lines.push(
      `| Warden on ${c.database} | ${c.servers} | **${n(p.perSecond)}** | ${ms(p.latencyMs.p50)} | ${ms(p.latencyMs.p99)} | ${n(p.non2xx)} | ${cpuCell(cpu, c.database === 'PostgreSQL' ? cpu.postgres : '—')} | ${ratio(p.perSecond, nginx1?.figures.perSecond)} | ${ratio(p.perSecond, sameCount(c.servers)?.figures.perSecond)} |`,
    );
  }
  if (r.nginx.runs.length === 0) lines.push('', `nginx was not measured: ${r.nginx.notice}.`);

  lines.push('', 'Notes:', '');
  for (const note of r.notes) lines.push(`- ${note}`);
  return lines.join('\n');
}

function notesFor(r) {
  const notes = [];
  const gen = r.configs.flatMap((c) => Object.values(c.phases).map((p) => p.cpuCores.loadGenerator));
  const genMax = Math.max(0, ...gen, ...r.nginx.runs.map((x) => x.figures.cpuCores.loadGenerator));
  notes.push(
    `The load generator runs on the same ${r.machine.cores}-core machine, in this one Node process (autocannon instances share its single thread): it used up to ${genMax} cores in these runs. At full speed the servers, PostgreSQL and the generator compete for the same ${r.machine.cores} cores, so the max-throughput and read-only figures are lower bounds for the servers, and the nginx ceiling is as much the generator's ceiling as nginx's.`,
  );
  const others = [
    ...r.configs.flatMap((c) => Object.values(c.phases).map((p) => p.cpuCores.others)),
    ...r.nginx.runs.map((x) => x.figures.cpuCores.others),
  ];
  const othersMax = Math.max(0, ...others);
  notes.push(
    othersMax > 0.15
      ? `**Other processes on the machine were busy during the runs**: up to ${othersMax} cores (median ${[...others].sort((a, b) => a - b)[Math.floor(others.length / 2)]}) went to other processes (neither the servers, PostgreSQL, nginx, the load generator nor interrupt handling). Those runs measured a shared machine; repeat them on a quiet one before comparing figures.`
      : `The rest of the machine was quiet: at most ${othersMax.toFixed(2)} cores went to other processes during a run.`,
  );
  notes.push(
    "autocannon's overallRate is a quota per connection per second (here 500 ÷ 50 = 10): at each second's start every connection sends its 10 requests back to back, then waits. The fixed-rate p99 is therefore the latency of a burst of 50 concurrent requests every second, not of requests spread evenly; the evenly spaced run (our open-loop client, latency counted from when each request was due) shows the same rate without the bursts.",
  );
  notes.push(
    "Latencies are computed from every answer (any status) as autocannon reports it (time from writing the request to the last byte), not from autocannon's histogram: its coordinated-omission correction assumes 1 ms between requests at any rate, so it is switched off (ignoreCoordinatedOmission).",
  );
  notes.push(
    `The database grows during a configuration: the runs in order are warm-up, fixed rate, evenly spaced, max, read-only, and every successful write adds a document: by the end ${r.configs.map((c) => `${c.label}: ${n(c.evidenceAtEnd.attached)} documents, ${n(c.evidenceAtEnd.perVersionMean)} per version`).join('; ')} (counted through the API; at least the seeded plus accepted writes, a few more because writes in flight when a run's clock stops are stored but not counted). "latest evidence" reads every document attached to the version and keeps the newest of each kind, so it slows as versions collect evidence. Each configuration starts from its own empty database (a new SQLite file, a new PostgreSQL schema).`,
  );
  const why = {
    1: '1 to match one Warden (Node) process',
    2: `2 as the machine has ${r.machine.cores} cores and to match the two-server configuration`,
  };
  notes.push(
    `nginx: ${r.nginx.runs.length > 0 ? `worker_processes ${r.nginx.runs.map((x) => `${x.workers}${why[x.workers] ? ` (${why[x.workers]})` : ''}`).join(', ')}; access log off, keep-alive, the same request paths and headers as Warden's read-only run` : r.nginx.notice}.`,
  );
  for (const c of r.configs) {
    const failed = Object.entries(c.phases).flatMap(([key, p]) =>
      p.non2xx + p.errors > 0
        ? [
            `${key}: ${n(p.non2xx)} non-2xx (${Object.entries(p.statuses)
              .filter(([s]) => !s.startsWith('2'))
              .map(([s, k]) => `${s}×${k}`)
              .join(', ')}), ${n(p.errors)} errors${p.timeouts ? ` (${p.timeouts} timeouts)` : ''}${
              Object.keys(p.errorSamples).length
                ? `; e.g. ${Object.entries(p.errorSamples)
                    .slice(0, 2)
                    .map(([k, v]) => `${k}: ${v.slice(0, 160)}`)
                    .join(' | ')}`
                : ''
            }`,
          ]
        : [],
    );
    if (failed.length > 0) notes.push(`${c.label}: ${failed.join('; ')}.`);
    const logged = c.serverLog.reduce((sum, s) => sum + s.warnOrWorseLines, 0);
    if (logged > 0)
      notes.push(
        `${c.label}: the server(s) logged ${n(logged)} lines at warn or worse, e.g. ${c.serverLog.find((s) => s.first.length)?.first[0]}`,
      );
    const sealed = Object.values(c.phases).reduce(
      (sum, p) => sum + (p.evidencePool?.sealedDuringRun ?? 0),
      0,
    );
    const end = c.evidenceAtEnd;
    if (end.attached < end.expected)
      notes.push(
        `${c.label}: **${n(end.attached)} evidence documents are attached at the end, fewer than the ${n(end.expected)} seeded and accepted (201)**: some accepted writes did not attach a new document.`,
      );
    if (sealed > 0)
      notes.push(
        `${c.label}: the pre-built evidence pool ran dry; ${n(sealed)} documents were sealed during a run (load-generator CPU).`,
      );
  }
  for (const run of r.nginx.runs) {
    const cpu = run.figures.cpuCores;
    if (cpu.loadGenerator > 2 * cpu.nginx)
      notes.push(
        `nginx with ${run.workers} worker(s) answered ${n(run.figures.perSecond)} req/s on ${cpu.nginx} cores while the load generator used ${cpu.loadGenerator} (and interrupts ${cpu.interrupts}): the generator, not nginx, set that ceiling.`,
      );
  }
  const pg1 = r.configs.find((c) => c.key === 'pg1');
  const pg2 = r.configs.find((c) => c.key === 'pg2');
  if (pg1 && pg2) {
    const compare = (key) =>
      `${n(pg2.phases[key].perSecond)} vs ${n(pg1.phases[key].perSecond)} req/s (${ratio(pg2.phases[key].perSecond, pg1.phases[key].perSecond)}, machine busy ${pg2.phases[key].cpuCores.machineBusy} of ${r.machine.cores} cores)`;
    notes.push(
      `Two PostgreSQL servers against one: mixed at full speed ${compare('max')}; read-only ${compare('readOnly')}. With ${r.machine.cores} cores shared by the servers, PostgreSQL and the load generator, a second server process has no idle core to use.`,
    );
  }
  for (const skipped of r.skipped) notes.push(skipped);
  return notes;
}

// ---------------------------------------------------------------- the run

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const bin = checkBuild(options.root);
  await mkdir(outDir, { recursive: true });
  const random = sfc32(options.seed);
  const skipped = [];
  const machine = {
    node: process.versions.node,
    platform: `${process.platform} ${process.arch}`,
    cores: cpus().length,
    cpuModel: cpus()[0]?.model?.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverageAtStart: Number(loadavg()[0].toFixed(2)),
  };
  process.stderr.write(`server benchmark: Warden ${revision(options.root)}, ${machine.cores} CPUs\n`);

  // PostgreSQL: reachable or not, the run goes on (SQLite only, said so).
  const wantsPg = options.configs.some((c) => c.startsWith('pg'));
  const postgres = wantsPg
    ? await postgresVersion(options.pg)
    : { ok: false, why: 'not asked for (--configs)' };
  if (wantsPg && !postgres.ok) {
    const message = `PostgreSQL is not reachable at ${options.pg} (${postgres.why}): the PostgreSQL configurations are skipped; pass --pg URL or set WARDEN_BENCH_PG`;
    process.stderr.write(`\n*** ${message}\n`);
    skipped.push(message);
  }

  const configs = [];
  const scratch = await mkdtemp(join(tmpdir(), 'warden-bench-server-'));
  scratchDirs.add(scratch);
  try {
    for (const key of options.configs) {
      if (key !== 'sqlite' && !postgres.ok) continue;
      let config;
      let schema;
      if (key === 'sqlite') {
        config = {
          key,
          label: 'SQLite, 1 server',
          database: 'SQLite',
          servers: 1,
          db: `sqlite:${join(scratch, 'warden.db')}`,
        };
        await rm(join(scratch, 'warden.db'), { force: true });
      } else {
        schema = `bench_${key}_${process.pid}_${Date.now().toString(36)}`;
        schemasToDrop.add(schema);
        const servers = key === 'pg1' ? 1 : 2;
        config = {
          key,
          label: `PostgreSQL, ${servers} server${servers > 1 ? ' processes sharing one database' : ''}`,
          database: 'PostgreSQL',
          servers,
          db: withSchema(options.pg, schema),
        };
      }
      try {
        configs.push(await runConfig(config, options, bin, random));
      } finally {
        if (schema !== undefined)
          await dropSchema(options.pg, schema).catch((e) =>
            log(`could not drop schema ${schema}: ${e.message}`),
          );
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }

  // nginx beside us.
  const nginx = { runs: [] };
  if (!options.nginx) nginx.notice = 'skipped (--no-nginx)';
  else {
    process.stderr.write('\nnginx (static file)\n');
    const found = ensureNginx();
    if (!found.path) {
      nginx.notice = `cannot be installed here (${found.notice}); the peer is skipped`;
      process.stderr.write(`\n*** nginx ${nginx.notice}\n`);
    } else {
      nginx.version = nginxVersion(found.path);
      nginx.installedNow = found.installedNow ?? false;
      const body =
        configs[0]?.modelAnswer ??
        JSON.stringify({
          name: 'bench-model-00',
          description: 'x'.repeat(200),
          labels: { domain: 'credit' },
        });
      for (const workers of options.nginxWorkers) {
        log(
          `nginx ${nginx.version}, ${workers} worker(s), read-only max throughput, ${options.connections} connections, ${options.duration} s …`,
        );
        const figures = await runNginx(found.path, workers, body, options, random);
        log(`  ${figures.perSecond} req/s, p50 ${figures.latencyMs.p50} ms, p99 ${figures.latencyMs.p99} ms`);
        nginx.runs.push({ workers, figures });
      }
    }
  }

  const result = {
    benchmark: 'server',
    date: new Date().toISOString(),
    warden: revision(options.root),
    machine,
    options: { ...options, root: undefined },
    target,
    postgres: postgres.ok ? { ok: true, version: postgres.version } : postgres,
    modelAnswer: configs[0]?.modelAnswer,
    configs,
    nginx,
    skipped,
  };
  result.notes = notesFor(result);
  const markdown = report(result);
  await writeFile(join(outDir, 'server.json'), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(outDir, 'server.md'), `${markdown}\n`);
  process.stdout.write(`${markdown}\n`);
  process.stderr.write(`\nwrote ${join(outDir, 'server.json')} and server.md\n`);
}

async function interrupted(signal) {
  process.stderr.write(`\n${signal}: stopping the servers and nginx, dropping benchmark schemas\n`);
  signalChildren('SIGTERM');
  const options = (() => {
    try {
      return parseArgs(process.argv.slice(2));
    } catch {
      return undefined;
    }
  })();
  if (options) {
    await Promise.race([
      Promise.all([...schemasToDrop].map((s) => dropSchema(options.pg, s).catch(() => undefined))),
      pause(5000),
    ]);
  }
  await pause(300); // the servers close their databases on SIGTERM
  for (const dir of scratchDirs) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  process.exit(130);
}
process.once('SIGINT', () => interrupted('SIGINT'));
process.once('SIGTERM', () => interrupted('SIGTERM'));

main().catch((error) => {
  process.stderr.write(`\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  signalChildren('SIGTERM');
  process.exitCode = 2;
});
