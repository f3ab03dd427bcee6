// Gateway benchmark: the built `warden gateway` in front of a fixed-latency model server, beside the
// same upstream called directly and through nginx as a reverse proxy, under wrk at increasing
// concurrency; then the gateway's memory over a long run with monitoring on.
//
//   node bench/gateway/run.mjs [--latency-ms 5] [--duration 20] [--warmup 3]
//                              [--connections 16,64,256] [--batch 1] [--window-seconds 10]
//                              [--soak-seconds 60] [--soak-connections 64] [--sample-seconds 10]
//                              [--paths direct,nginx,gateway-off,gateway-on] [--no-pin]
//                              [--warden DIR]
//
// Prints the report (markdown) on stdout, progress on stderr; writes bench/.out/gateway.json and
// bench/.out/gateway.md.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commaList, eachOption } from '../lib/args.mjs';
import { sfc32 } from '../lib/benchmark-random.mjs';
import { revision } from '../lib/measure.mjs';
import { nginxPath, nginxVersion } from '../lib/nginx.mjs';
import {
  coresUsed,
  cpuSnapshot,
  ownSecondsWithChildren,
  signalChildren,
  stopChild,
} from '../lib/processes.mjs';
import { runWrk, writeWrkScript, wrkPath } from '../lib/wrk.mjs';
import { rssMiB, startGateway, startNginx, startUpstream } from './processes.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(here, '../.out');
const example = resolve(here, '../../examples/fraud-detection');
const log = (message) => process.stderr.write(`  ${message}\n`);
const pause = (ms) => new Promise((done) => setTimeout(done, ms));
/** Issue 17's targets. */
const target = { perSecond: 5000, addedP99Ms: 1 };
const allPaths = ['direct', 'nginx', 'gateway-off', 'gateway-on'];
const pathNames = {
  direct: 'direct (no proxy)',
  nginx: 'nginx reverse proxy',
  'gateway-off': 'warden gateway, monitoring off',
  'gateway-on': 'warden gateway, monitoring on',
};
/** The request's columns in order, as examples/fraud-detection/gateway.yaml names them. */
const features = [
  'amount',
  'hour',
  'distance_km',
  'card_present',
  'velocity_1h',
  'account_age_days',
  'merchant_category',
];

function parseArgs(argv) {
  const options = {
    latencyMs: 5,
    duration: 20,
    warmup: 3,
    connections: [16, 64, 256],
    batch: 1,
    windowSeconds: 10,
    soakSeconds: 60,
    soakConnections: 64,
    sampleSeconds: 10,
    paths: allPaths,
    pin: true,
    root: resolve(here, '../..'),
    bodies: 500,
  };
  eachOption(argv, (arg, value) => {
    if (arg === '--latency-ms') options.latencyMs = Number(value());
    else if (arg === '--duration') options.duration = Number(value());
    else if (arg === '--warmup') options.warmup = Number(value());
    else if (arg === '--connections') options.connections = commaList(value()).map(Number);
    else if (arg === '--batch') options.batch = Number(value());
    else if (arg === '--window-seconds') options.windowSeconds = Number(value());
    else if (arg === '--soak-seconds') options.soakSeconds = Number(value());
    else if (arg === '--soak-connections') options.soakConnections = Number(value());
    else if (arg === '--sample-seconds') options.sampleSeconds = Number(value());
    else if (arg === '--paths') options.paths = commaList(value());
    else if (arg === '--no-pin') options.pin = false;
    else if (arg === '--warden') options.root = resolve(value());
    else throw new Error(`unknown option ${arg}`);
  });
  const whole = (key, min) => {
    if (!(Number.isInteger(options[key]) && options[key] >= min))
      throw new Error(
        `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a whole number ≥ ${min}`,
      );
  };
  for (const key of ['duration', 'batch', 'windowSeconds', 'soakConnections', 'sampleSeconds']) whole(key, 1);
  for (const key of ['warmup', 'soakSeconds', 'latencyMs']) whole(key, 0);
  if (!options.connections.every((c) => Number.isInteger(c) && c >= 1))
    throw new Error('--connections takes whole numbers ≥ 1, e.g. 16,64,256');
  const unknown = options.paths.filter((p) => !allPaths.includes(p));
  if (unknown.length > 0)
    throw new Error(`--paths: unknown ${unknown.join(', ')} (known: ${allPaths.join(', ')})`);
  return options;
}

/** V2 inference bodies of `batch` transactions each, cycled from the fraud example's data. */
async function requestBodies(batch, count) {
  const lines = (await readFile(join(example, 'transactions.csv'), 'utf8')).trim().split('\n');
  const header = lines[0].split(',');
  const column = (name) => header.indexOf(name);
  const rows = lines.slice(1).map((line) => line.split(','));
  const random = sfc32(17);
  const numeric = features.filter((name) => name !== 'merchant_category');
  return Array.from({ length: count }, (_, i) => {
    const picked = Array.from({ length: batch }, () => rows[Math.floor(random() * rows.length)]);
    return JSON.stringify({
      id: `bench-${i}`,
      inputs: [
        {
          name: 'features',
          datatype: 'FP32',
          shape: [batch, numeric.length],
          data: picked.flatMap((row) => numeric.map((name) => Number(row[column(name)]))),
        },
        {
          name: 'merchant_category',
          datatype: 'BYTES',
          shape: [batch],
          data: picked.map((row) => row[column('merchant_category')]),
        },
      ],
    });
  });
}

const inferPath = '/v2/models/fraud-detector/infer';

/** Sends `count` requests one by one and checks each answer: 200, the scores, the version header. */
async function verifyAnswers(url, bodies, { viaGateway, count = 50 }) {
  const problems = [];
  for (let i = 0; i < count; i++) {
    const answer = await fetch(`${url}${inferPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bodies[i % bodies.length],
    });
    const body = await answer.json().catch(() => undefined);
    if (answer.status !== 200) problems.push(`status ${answer.status}`);
    else if (body?.outputs?.[0]?.name !== 'probability') problems.push('no probability output');
    if (viaGateway && answer.headers.get('x-warden-model-version') !== '1')
      problems.push('no x-warden-model-version: 1');
  }
  return { sent: count, ok: count - problems.length, problems: [...new Set(problems)] };
}

/** The gateway's /metrics, reduced to what the report checks. */
async function gatewayMetrics(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const values = (name) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      .map((line) => ({
        labels: line.slice(0, line.lastIndexOf(' ')),
        value: Number(line.slice(line.lastIndexOf(' ') + 1)),
      }));
  const sum = (rows) => rows.reduce((total, row) => total + row.value, 0);
  const requests = values('warden_gateway_requests_total');
  return {
    answered200: sum(requests.filter((row) => row.labels.includes('code="200"'))),
    answeredOther: sum(requests.filter((row) => !row.labels.includes('code="200"'))),
    otherCodes: [
      ...new Set(
        requests
          .filter((row) => !row.labels.includes('code="200"') && row.value > 0)
          .map((row) => /code="(\d+)"/.exec(row.labels)?.[1]),
      ),
    ],
    samplingRatio: values('warden_gateway_monitor_sampling_ratio')[0]?.value ?? null,
    featureDriftGauges: values('warden_feature_drift_score').length,
    datasetDriftShare: values('warden_dataset_drift_share')[0]?.value ?? null,
  };
}

// ---------------------------------------------------------------- the run

async function measurePath(path, context) {
  const { options, upstream, bodies, script, scratchDirs, pins } = context;
  let proxy;
  const viaGateway = path.startsWith('gateway');
  if (path === 'nginx')
    proxy = await startNginx({ upstreamUrl: upstream.url, cpus: pins.proxy, scratchDirs });
  else if (viaGateway) {
    proxy = await startGateway({
      root: options.root,
      upstreamUrl: upstream.url,
      ...(path === 'gateway-on' ? { baseline: join(example, 'baseline-v1.json') } : {}),
      features,
      windowSeconds: options.windowSeconds,
      cpus: pins.proxy,
      scratchDirs,
    });
  }
  const url = proxy?.url ?? upstream.url;
  try {
    const verified = await verifyAnswers(url, bodies, { viaGateway });
    if (verified.ok !== verified.sent)
      throw new Error(
        `${pathNames[path]}: ${verified.sent - verified.ok} wrong answers: ${verified.problems.join('; ')}`,
      );
    const target = `${url}${inferPath}`;
    if (options.warmup > 0)
      await runWrk({
        url: target,
        script,
        connections: options.connections[0],
        seconds: options.warmup,
        cpus: pins.load,
      });
    const rssStart = viaGateway ? await rssMiB(proxy.child.pid) : null;
    const steps = [];
    let wrkRequests = 0;
    for (const connections of options.connections) {
      await pause(500);
      const measuredPid = proxy?.child.pid ?? upstream.child.pid;
      const before = cpuSnapshot([measuredPid]);
      const upstreamBefore = cpuSnapshot([upstream.child.pid]);
      const ownBefore = ownSecondsWithChildren();
      const figures = await runWrk({
        url: target,
        script,
        connections,
        seconds: options.duration,
        cpus: pins.load,
      });
      const cpu = coresUsed(before, cpuSnapshot([measuredPid]));
      const upstreamCpu = coresUsed(upstreamBefore, cpuSnapshot([upstream.child.pid]));
      const wall = (performance.now() - before.at) / 1000;
      const proxyCores = path === 'nginx' ? cpu.nginx : path === 'direct' ? null : cpu.servers;
      // This runner and wrk (a reaped child by now), so that "others" is only what else ran.
      const ownCores = (ownSecondsWithChildren() - ownBefore) / wall;
      const others = cpu.machineBusy - (proxyCores ?? 0) - upstreamCpu.servers - ownCores - cpu.interrupts;
      wrkRequests += figures.requests;
      const rss = viaGateway ? await rssMiB(proxy.child.pid) : null;
      steps.push({
        ...figures,
        cores: {
          proxy: proxyCores,
          upstream: upstreamCpu.servers,
          loadGenerator: Number(ownCores.toFixed(2)),
          interrupts: cpu.interrupts,
          machine: cpu.machineBusy,
          others: Number(Math.max(0, others).toFixed(2)),
        },
        rssMiB: rss,
      });
      log(
        `${pathNames[path]}, ${connections} connections: ${figures.perSecond} req/s, p50 ${figures.latencyMs.p50} ms, p99 ${figures.latencyMs.p99} ms, errors ${JSON.stringify(figures.errors)}`,
      );
    }
    let metrics;
    if (viaGateway) {
      // Let the last window close (its drift gauges and sampling ratio) before reading /metrics.
      if (path === 'gateway-on') await pause(options.windowSeconds * 1000 + 500);
      metrics = await gatewayMetrics(proxy.url);
    }
    return {
      path,
      name: pathNames[path],
      verified,
      steps,
      rssStartMiB: rssStart,
      metrics,
      wrkRequests,
    };
  } finally {
    if (proxy) await stopChild(proxy.child);
  }
}

/** The gateway with monitoring on under steady load for soakSeconds; RSS every sampleSeconds. */
async function soak(context) {
  const { options, upstream, script, scratchDirs, pins } = context;
  const proxy = await startGateway({
    root: options.root,
    upstreamUrl: upstream.url,
    baseline: join(example, 'baseline-v1.json'),
    features,
    windowSeconds: options.windowSeconds,
    cpus: pins.proxy,
    scratchDirs,
  });
  try {
    const samples = [{ seconds: 0, rssMiB: await rssMiB(proxy.child.pid) }];
    const started = performance.now();
    const load = runWrk({
      url: `${proxy.url}${inferPath}`,
      script,
      connections: options.soakConnections,
      seconds: options.soakSeconds,
      cpus: pins.load,
    });
    let finished = false;
    load.finally(() => {
      finished = true;
    });
    while (!finished) {
      await Promise.race([pause(options.sampleSeconds * 1000), load.catch(() => undefined)]);
      samples.push({
        seconds: Math.round((performance.now() - started) / 1000),
        rssMiB: await rssMiB(proxy.child.pid),
      });
    }
    const figures = await load;
    await pause(options.windowSeconds * 1000 + 500);
    const metrics = await gatewayMetrics(proxy.url);
    log(
      `soak: ${figures.perSecond} req/s over ${options.soakSeconds} s; RSS ${samples.map((s) => s.rssMiB?.toFixed(0)).join(', ')} MiB`,
    );
    return { figures, samples, metrics };
  } finally {
    await stopChild(proxy.child);
  }
}

// ---------------------------------------------------------------- the report

const n = (x) => (x === null || x === undefined ? '—' : Math.round(x).toLocaleString('en-US'));
const ms = (x) =>
  x === null || x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
const signedMs = (x) =>
  x === null || x === undefined
    ? '—'
    : `${x >= 0 ? '+' : ''}${ms(Math.abs(x)) === '0.00' ? '0.00' : (x >= 0 ? '' : '−') + ms(Math.abs(x))}`.replace(
        '+−',
        '−',
      );
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : '—');
const mb = (x) => (x === null || x === undefined ? '—' : x.toFixed(1));

function report(r) {
  const lines = [];
  const o = r.options;
  lines.push(
    `### Warden gateway benchmark: upstream latency ${o.latencyMs} ms, V2 requests of ${o.batch} transaction${o.batch > 1 ? 's' : ''} (${r.bodyBytes} bytes), ${o.duration} s per step`,
    '',
    `Node ${r.machine.node}, ${r.machine.cores} CPUs (${r.machine.cpuModel}), ${r.machine.memoryGiB} GiB RAM, load average ${r.machine.loadAverageAtStart} at start; Warden ${r.warden}; nginx ${r.nginxVersion}; wrk 1 thread. ${r.pinning}`,
    '',
  );
  const byPath = Object.fromEntries(r.paths.map((p) => [p.path, p]));
  const nginx = byPath.nginx;
  lines.push(
    '| path | connections | req/s | p50 ms | p90 ms | p99 ms | p99 added over nginx | req/s ÷ nginx | errors | proxy cores | proxy CPU µs/req | upstream cores | other processes, cores | gateway RSS MiB |',
    '| ---- | ----------: | ----: | -----: | -----: | -----: | -------------------: | ------------: | -----: | ----------: | ---------------: | -------------: | ---------------------: | --------------: |',
  );
  for (const p of r.paths) {
    for (const step of p.steps) {
      const peer = nginx?.steps.find((s) => s.connections === step.connections);
      const errors = Object.values(step.errors).reduce((a, b) => a + b, 0);
      lines.push(
        `| ${p.name} | ${step.connections} | **${n(step.perSecond)}** | ${ms(step.latencyMs.p50)} | ${ms(step.latencyMs.p90)} | ${ms(step.latencyMs.p99)} | ${p.path === 'nginx' || !peer ? '—' : signedMs(step.latencyMs.p99 - peer.latencyMs.p99)} | ${p.path === 'nginx' ? '1.00×' : ratio(step.perSecond, peer?.perSecond)} | ${n(errors)} | ${step.cores.proxy ?? '—'} | ${step.cores.proxy == null ? '—' : n((step.cores.proxy / step.perSecond) * 1e6)} | ${step.cores.upstream} | ${step.cores.others} | ${mb(step.rssMiB)} |`,
      );
    }
  }
  lines.push('');
  const on = byPath['gateway-on'];
  const off = byPath['gateway-off'];
  if (on && off) {
    lines.push(
      '| connections | p99 ms, monitoring off | p99 ms, monitoring on | on − off | req/s off | req/s on |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const step of on.steps) {
      const other = off.steps.find((s) => s.connections === step.connections);
      lines.push(
        `| ${step.connections} | ${ms(other?.latencyMs.p99)} | ${ms(step.latencyMs.p99)} | ${other ? signedMs(step.latencyMs.p99 - other.latencyMs.p99) : '—'} | ${n(other?.perSecond)} | ${n(step.perSecond)} |`,
      );
    }
    lines.push('');
  }
  for (const p of r.paths.filter((x) => x.metrics)) {
    const m = p.metrics;
    const sent = p.wrkRequests;
    lines.push(
      `${p.name}: ${p.verified.ok}/${p.verified.sent} answers checked (200, a probability output, x-warden-model-version); /metrics counts ${n(m.answered200)} answers 200 and ${n(m.answeredOther)} others (${m.otherCodes.join(', ') || 'none'}; 499 is a request in flight when wrk stopped), wrk completed ${n(sent)} in the measured steps (plus warm-up and checks)${p.path === 'gateway-on' ? `; last window: sampling ratio ${m.samplingRatio ?? '—'}, ${m.featureDriftGauges} feature drift gauges, dataset drift share ${m.datasetDriftShare ?? '—'}` : ''}.`,
      '',
    );
  }
  if (r.soak) {
    const s = r.soak;
    lines.push(
      `Memory, monitoring on, ${o.soakConnections} connections for ${o.soakSeconds} s (${n(s.figures.perSecond)} req/s, p99 ${ms(s.figures.latencyMs.p99)} ms, ${n(Object.values(s.figures.errors).reduce((a, b) => a + b, 0))} errors; sampling ratio of the last window ${s.metrics.samplingRatio ?? '—'}):`,
      '',
      `| seconds | ${s.samples.map((x) => x.seconds).join(' | ')} |`,
      `| ---: | ${s.samples.map(() => '---:').join(' | ')} |`,
      `| RSS MiB | ${s.samples.map((x) => mb(x.rssMiB)).join(' | ')} |`,
      '',
    );
  }
  const best = (p) => (p ? Math.max(...p.steps.map((s) => s.perSecond)) : null);
  lines.push('Against the targets:', '');
  if (on) {
    const peak = best(on);
    lines.push(
      `- ≥ ${n(target.perSecond)} req/s through the gateway with monitoring on: ${n(peak)} ${peak >= target.perSecond ? '✅' : '❌'}`,
    );
  }
  if (on && nginx) {
    const worst = Math.max(
      ...on.steps.map(
        (s) =>
          s.latencyMs.p99 -
          (nginx.steps.find((x) => x.connections === s.connections)?.latencyMs.p99 ?? Number.NaN),
      ),
    );
    lines.push(
      `- p99 added latency within ${target.addedP99Ms} ms of nginx's: largest difference ${signedMs(worst)} ms ${worst <= target.addedP99Ms ? '✅' : '❌'}`,
    );
  }
  if (r.soak) {
    const rss = r.soak.samples.map((x) => x.rssMiB).filter((x) => x !== null);
    const half = rss.slice(Math.floor(rss.length / 2));
    const growth = Math.max(...half) - Math.min(...half);
    lines.push(
      `- memory flat: RSS ${mb(Math.min(...rss))}–${mb(Math.max(...rss))} MiB over ${o.soakSeconds} s; over the second half it moved ${mb(growth)} MiB`,
    );
  }
  if (on && off) {
    const worst = Math.max(
      ...on.steps.map(
        (s) =>
          s.latencyMs.p99 -
          (off.steps.find((x) => x.connections === s.connections)?.latencyMs.p99 ?? Number.NaN),
      ),
    );
    lines.push(`- p99 with monitoring on ≈ off: largest on − off ${signedMs(worst)} ms`);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- main

const scratchDirs = new Set();

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(wrkPath)) throw new Error('wrk is not installed (apt-get install wrk)');
  if (options.paths.includes('nginx') && nginxPath === undefined)
    throw new Error('nginx is not installed (apt-get install nginx-light), or leave it out with --paths');
  if (!existsSync(join(options.root, 'dist/gateway/index.js')))
    throw new Error(`${options.root} has no built gateway (dist/gateway); run \`npm run build\` there first`);
  const loadAtStart = loadavg();
  const pins =
    options.pin && cpus().length >= 2 ? { load: '0', proxy: '1' } : { load: undefined, proxy: undefined };
  const pinning = pins.proxy
    ? "wrk and the upstream pinned to CPU 0, the proxy (nginx's master and worker, or the gateway) to CPU 1 (taskset)."
    : 'No CPU pinning: wrk, the upstream and the proxy share all CPUs.';
  const bodies = await requestBodies(options.batch, options.bodies);
  const scratch = await mkdtemp(join(tmpdir(), 'warden-bench-gateway-wrk-'));
  scratchDirs.add(scratch);
  const script = await writeWrkScript(scratch, inferPath, bodies);
  const upstream = await startUpstream({ latencyMs: options.latencyMs, cpus: pins.load });
  const context = { options, upstream, bodies, script, scratchDirs, pins };
  const paths = [];
  try {
    for (const path of options.paths) paths.push(await measurePath(path, context));
    const soakResult = options.soakSeconds > 0 ? await soak(context) : undefined;
    const result = {
      options: { ...options, root: undefined },
      warden: revision(options.root),
      nginxVersion: nginxVersion(),
      pinning,
      bodyBytes: Buffer.byteLength(bodies[0]),
      machine: {
        node: process.version,
        cores: cpus().length,
        cpuModel: cpus()[0]?.model.trim(),
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        loadAverageAtStart: loadAtStart.map((x) => x.toFixed(2)).join(' / '),
      },
      paths,
      soak: soakResult,
    };
    const text = report(result);
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, 'gateway.json'), `${JSON.stringify(result, null, 2)}\n`);
    await writeFile(join(outDir, 'gateway.md'), `${text}\n`);
    process.stdout.write(`${text}\n`);
  } finally {
    await stopChild(upstream.child);
  }
}

async function cleanUp() {
  for (const dir of scratchDirs) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
}

async function interrupted(signal) {
  signalChildren('SIGTERM');
  await cleanUp();
  process.exit(signal === 'SIGINT' ? 130 : 143);
}
process.once('SIGINT', () => interrupted('SIGINT'));
process.once('SIGTERM', () => interrupted('SIGTERM'));

main()
  .then(cleanUp)
  .catch(async (error) => {
    process.stderr.write(`bench/gateway: ${error.message}\n`);
    signalChildren('SIGTERM');
    await cleanUp();
    process.exit(1);
  });
