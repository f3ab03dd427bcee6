// Rollout benchmark (issue 18): how fast a canary that starts failing under load is taken out of
// traffic by itself — the built `warden server`, an attached `warden gateway` signing 1-second
// windows, two model servers and wrk at ~2,000 requests/s — and how many requests the switch
// itself fails; beside the same switch done by hand with nginx (`nginx -s reload`).
//
//   npm run build && node bench/rollout/run.mjs [--runs 10] [--rate 2000] [--interval 1]
//        [--steps 10,25,50,100] [--threshold 2] [--min-requests 20] [--fault-share 0.2]
//        [--latency-ms 5] [--connections 64] [--peer-runs N] [--seed 1] [--warden DIR]
//   node bench/rollout/run.mjs --render bench/.out/rollout.json   # the report of a saved run again
//
// Prints the report (markdown) on stdout, progress on stderr; writes bench/.out/rollout.json and
// bench/.out/rollout.md.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { commaList, eachOption } from '../lib/args.mjs';
import { sfc32 } from '../lib/benchmark-random.mjs';
import { machineLine, revision } from '../lib/measure.mjs';
import { nginxConfPrelude, nginxPath, nginxVersion, untilNginxAnswers } from '../lib/nginx.mjs';
import {
  awaitLine,
  coresUsed,
  cpuSnapshot,
  freePort,
  signalChildren,
  spawnTracked,
  stopChild,
} from '../lib/processes.mjs';
import { api, startWarden } from '../lib/warden-server.mjs';
import { wrkPath } from '../lib/wrk.mjs';
import { fraudRequestBodies, requestColumns, startLoad, writeLoadScript } from './load.mjs';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(here, '../.out');
const example = resolve(here, '../../examples/fraud-detection');
const log = (message) => process.stderr.write(`  ${message}\n`);
const pause = (ms) => new Promise((done) => setTimeout(done, ms));
/** How often the gateway's weights and the rollout's status are read while waiting for the rollback. */
const pollMs = 50;
/** Load kept on after the switch, so that a late canary answer or a failed request is seen. */
const tailMs = 1500;
/** A run that has not rolled back this long after the fault has failed. */
const rollbackTimeoutMs = 30_000;

function parseArgs(argv) {
  const options = {
    runs: 10,
    rate: 2000,
    interval: 1,
    steps: [10, 25, 50, 100],
    threshold: 2,
    minRequests: 20,
    faultShare: 0.2,
    latencyMs: 5,
    connections: 64,
    peerRuns: undefined,
    seed: 1,
    root: resolve(here, '../..'),
  };
  eachOption(argv, (arg, value) => {
    if (arg === '--runs') options.runs = Number(value());
    else if (arg === '--rate') options.rate = Number(value());
    else if (arg === '--interval') options.interval = Number(value());
    else if (arg === '--steps') options.steps = commaList(value()).map(Number);
    else if (arg === '--threshold') options.threshold = Number(value());
    else if (arg === '--min-requests') options.minRequests = Number(value());
    else if (arg === '--fault-share') options.faultShare = Number(value());
    else if (arg === '--latency-ms') options.latencyMs = Number(value());
    else if (arg === '--connections') options.connections = Number(value());
    else if (arg === '--peer-runs') options.peerRuns = Number(value());
    else if (arg === '--seed') options.seed = Number(value());
    else if (arg === '--warden') options.root = resolve(value());
    else throw new Error(`unknown option ${arg}`);
  });
  options.peerRuns ??= options.runs;
  for (const key of ['runs', 'rate', 'interval', 'threshold', 'minRequests', 'connections']) {
    if (!(Number.isInteger(options[key]) && options[key] >= 1))
      throw new Error(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a whole number ≥ 1`);
  }
  if (!(Number.isInteger(options.peerRuns) && options.peerRuns >= 0))
    throw new Error('--peer-runs must be a whole number ≥ 0 (0 skips nginx)');
  if (!(options.faultShare > 0 && options.faultShare <= 1))
    throw new Error('--fault-share is the share of the canary’s answers that fail, above 0 and at most 1');
  if (options.steps.length < 3)
    throw new Error('--steps needs three steps or more: one passed healthy, two left for the fault');
  return options;
}

// ---------------------------------------------------------------- processes

async function startModelServer(name, latencyMs) {
  const child = spawnTracked(process.execPath, [
    join(here, 'model-server.mjs'),
    '--name',
    name,
    '--latency-ms',
    String(latencyMs),
  ]);
  const [, url] = await awaitLine(child, `the ${name} model server`, /listening on (http:\S+)/);
  const control = async (method, path) => {
    const answer = await fetch(`${url}/control/${path}`, { method });
    if (!answer.ok) throw new Error(`${name} model server: ${path} answered ${answer.status}`);
    return answer.json();
  };
  return {
    name,
    url,
    child,
    faultOn: (share) => control('POST', `fault?share=${share}`),
    reset: () => control('POST', 'reset'),
    stats: () => control('GET', 'stats'),
  };
}

/** `warden gateway` attached to the control plane, signing its windows with `signKey`. */
async function startAttachedGateway({ root, serverUrl, token, settings, signKey, dir }) {
  const child = spawnTracked(
    process.execPath,
    [
      join(root, 'bin/warden.js'),
      'gateway',
      '--server',
      serverUrl,
      '--config',
      settings,
      '--poll-seconds',
      '1',
      '--port',
      '0',
      '--sign-key',
      signKey,
    ],
    { cwd: dir, env: { ...process.env, WARDEN_TOKEN: token } },
  );
  const [, url] = await awaitLine(child, 'warden gateway', /listening on (http:\S+)/);
  return { child, url };
}

/** The gateway's routing weights of `model` (version → 0–1) from its /metrics. */
async function routingWeights(gatewayUrl, model) {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  const weights = {};
  const pattern = /^warden_gateway_routing_weight\{model="([^"]*)",version="([^"]*)"\} (\S+)$/gm;
  for (const [, m, version, value] of text.matchAll(pattern))
    if (m === model) weights[version] = Number(value);
  return weights;
}

// ---------------------------------------------------------------- the control plane

/** Gates open for promotions and at runtime: only the built-in canary checks judge the rollouts. */
const openGates = `apiVersion: warden.dev/v1
kind: GateDefaults
metadata:
  name: open
spec:
  gates:
    "promote:*": { onNoPolicy: allow }
    runtime: { onNoPolicy: allow }
---
apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: named-subject
spec:
  validations:
    - name: has-subject
      expression: subject.name != ''
---
apiVersion: warden.dev/v1
kind: PolicyBinding
metadata:
  name: named-subject-at-data
spec:
  policyName: named-subject
  gates: [data]
`;

/**
 * The built `warden server` on a fresh SQLite database with the open gate defaults, the pipeline's
 * and the gateway's signing keys registered, and the fraud example's baseline signed as evidence.
 */
async function startControlPlane(root, dir) {
  const bin = join(root, 'bin/warden.js');
  await mkdir(join(dir, 'db'));
  const server = await startWarden(root, bin, `sqlite:${join(dir, 'db', 'warden.db')}`, {
    init: true,
    env: { XDG_CONFIG_HOME: join(dir, 'config') },
  });
  const call = (method, path, body) => api(server.url, server.token, method, path, body);
  await call('PUT', '/api/v1/policy-set', { files: [{ path: 'gate-defaults.yaml', content: openGates }] });
  const warden = (...args) => run(process.execPath, [bin, ...args], { cwd: dir });
  for (const name of ['pipeline', 'gateway']) {
    const key = join(dir, `${name}.key`);
    await warden('key', 'create', '--out', key);
    await call('POST', '/api/v1/signing-keys', { name, publicKey: await readFile(`${key}.pub`, 'utf8') });
  }
  const baseline = join(dir, 'baseline-evidence.json');
  await warden(
    'baseline',
    'create',
    join(example, 'transactions.csv'),
    '--columns',
    requestColumns.join(','),
    '--evidence',
    baseline,
    '--sign-key',
    join(dir, 'pipeline.key'),
  );
  return { server, call, baseline: JSON.parse(await readFile(baseline, 'utf8')) };
}

/** A model whose production version 1 is the stable server and whose version 2 is the canary. */
async function registerModel(plane, model, stable, canary) {
  await plane.call('POST', '/api/v1/models', { name: model, owner: 'fraud-ml' });
  for (const [index, upstream] of [stable, canary].entries()) {
    await plane.call('POST', `/api/v1/models/${model}/versions`, {
      artifact: { uri: `s3://bench/${model}/${index + 1}` },
      endpoint: { url: upstream.url },
    });
  }
  await plane.call('POST', `/api/v1/models/${model}/versions/1/evidence`, plane.baseline);
  await plane.call('POST', '/api/v1/promotions', { model, version: '1', alias: 'production' });
}

async function until(what, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
    await pause(pollMs);
  }
}

const terminal = new Set(['promoted', 'rolled-back', 'aborted']);

// ---------------------------------------------------------------- one Warden run

/**
 * One run: a new model under steady load, a rollout of its canary; once a check has passed and the
 * canary serves the second step, the fault goes on (at a random point of the interval) and the
 * run times the rollback: on the server, at the gateway, and the canary's last answer.
 */
async function wardenRun(context, index) {
  const { options, plane, stable, canary, bodies, scratch, random, drainFile } = context;
  const model = `fraud-run-${index}`;
  await registerModel(plane, model, stable, canary);
  // A gateway of its own per run: it polls the routing table every second from its start, so a
  // new one meets the server's checks at a new phase of the second, as gateways in production do.
  const gateway = await context.startGateway();
  const gatewayCpuBefore = cpuSnapshot([gateway.child.pid]);
  await until(
    `the gateway serving ${model}`,
    async () => ((await routingWeights(gateway.url, model))['1'] === 1 ? true : undefined),
    15_000,
  );
  await Promise.all([stable.reset(), canary.reset()]);
  const script = await writeLoadScript(scratch, model, `/v2/models/${model}/infer`, bodies);
  const load = startLoad({
    url: gateway.url,
    script,
    connections: options.connections,
    rate: options.rate,
    drainFile,
  });
  const rolloutPath = `/api/v1/models/${model}/rollout`;
  let stopped;
  let gatewayCores;
  try {
    await pause(1000);
    await plane.call('POST', `/api/v1/models/${model}/rollouts`, {
      version: '2',
      steps: options.steps,
      intervalSeconds: options.interval,
      threshold: options.threshold,
      minRequests: options.minRequests,
    });
    const healthy = await until(
      `${model}: a passed check`,
      async () => {
        const record = await plane.call('GET', rolloutPath);
        return record.step >= 2 || terminal.has(record.status) ? record : undefined;
      },
      options.interval * 1000 * 6 + 5000,
    );
    if (healthy.status !== 'running') {
      stopped = await load.stop();
      gatewayCores = coresUsed(gatewayCpuBefore, cpuSnapshot([gateway.child.pid])).servers;
      return {
        model,
        gatewayCores,
        falseRollback: true,
        status: healthy.status,
        reason: healthy.reason,
        lastCheck: healthy.lastCheck,
        load: stopped,
      };
    }
    // The fault starts anywhere in the interval, not always just after a check.
    await pause(Math.floor(random() * options.interval * 1000));
    const { at: faultAt } = await canary.faultOn(options.faultShare);
    let gatewayZeroAt;
    let record;
    await until(
      `${model}: the rollback`,
      async () => {
        const [weights, current] = await Promise.all([
          gatewayZeroAt === undefined ? routingWeights(gateway.url, model) : undefined,
          record === undefined ? plane.call('GET', rolloutPath) : undefined,
        ]);
        if (weights !== undefined && !((weights['2'] ?? 0) > 0)) gatewayZeroAt = Date.now();
        if (current !== undefined && terminal.has(current.status)) record = current;
        // A canary promoted despite the fault never leaves the gateway's table: stop waiting.
        const over = record !== undefined && (gatewayZeroAt !== undefined || record.status !== 'rolled-back');
        return over ? true : undefined;
      },
      rollbackTimeoutMs,
    );
    await pause(tailMs);
    stopped = await load.stop();
    gatewayCores = coresUsed(gatewayCpuBefore, cpuSnapshot([gateway.child.pid])).servers;
    const [stableStats, canaryStats] = await Promise.all([stable.stats(), canary.stats()]);
    // Only a rollback is timed; a canary promoted or aborted despite the fault is reported as such.
    const finishedAt = record.status === 'rolled-back' ? Date.parse(record.finishedAt) : Number.NaN;
    const result = {
      model,
      gatewayCores,
      falseRollback: false,
      status: record.status,
      reason: record.reason,
      failedChecks: record.failedChecks,
      faultAt,
      stepAtFault: healthy.step,
      faultToRolledBackMs: Number.isNaN(finishedAt) ? null : finishedAt - faultAt,
      faultToGatewayZeroMs: gatewayZeroAt === undefined ? null : gatewayZeroAt - faultAt,
      faultToLastCanaryAnswerMs: canaryStats.lastAnswerAt - faultAt,
      rolledBackToGatewayZeroMs:
        gatewayZeroAt === undefined || Number.isNaN(finishedAt) ? null : gatewayZeroAt - finishedAt,
      rolledBackToLastCanaryAnswerMs: Number.isNaN(finishedAt) ? null : canaryStats.lastAnswerAt - finishedAt,
      canary: canaryStats,
      stable: stableStats,
      load: stopped,
    };
    log(
      `run ${index}: ${record.status} ${result.faultToRolledBackMs} ms after the fault (server), weight 0 at the gateway by ${result.faultToGatewayZeroMs} ms, last canary answer ${result.faultToLastCanaryAnswerMs} ms; ${stopped.perSecond} req/s; ${JSON.stringify(stopped.answers)}; lost ${stopped.lost}; socket errors ${JSON.stringify(stopped.socketErrors)}`,
    );
    return result;
  } finally {
    if (stopped === undefined) await load.stop().catch(() => undefined);
    await stopChild(gateway.child);
  }
}

// ---------------------------------------------------------------- the peer: nginx, by hand

/** nginx as the weighted reverse proxy; `withCanary` false is the config a person reloads to. */
async function writeNginxConf(dir, port, stable, canary, canaryWeight, withCanary) {
  const host = (upstream) => new URL(upstream.url).host;
  // nginx weights are whole numbers: stable (100 − w) to canary w, in percent.
  const servers = withCanary
    ? `    server ${host(stable)} weight=${100 - canaryWeight};\n    server ${host(canary)} weight=${canaryWeight};\n`
    : `    server ${host(stable)};\n`;
  await writeFile(
    join(dir, 'nginx.conf'),
    `${nginxConfPrelude({ dir, workers: 1, connections: 4096 })}  upstream model {
${servers}    keepalive 64;
    keepalive_requests 10000000;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://model;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_read_timeout 30s;
    }
  }
}
`,
  );
}

async function startNginxPeer(context, canaryWeight) {
  const { stable, canary, scratchDirs } = context;
  const dir = await mkdtemp(join(tmpdir(), 'warden-bench-rollout-nginx-'));
  scratchDirs.add(dir);
  const port = await freePort();
  await writeNginxConf(dir, port, stable, canary, canaryWeight, true);
  const args = ['-p', dir, '-e', `${dir}/error.log`, '-c', join(dir, 'nginx.conf')];
  const child = spawnTracked(nginxPath, [...args, '-g', 'daemon off;']);
  const url = `http://127.0.0.1:${port}`;
  await untilNginxAnswers(child, url, (at) => fetch(at).then(() => true));
  return {
    child,
    url,
    /** Rewrites the config and runs `nginx -s reload`; resolves when the command returns. */
    reload: async (withCanary) => {
      await writeNginxConf(dir, port, stable, canary, canaryWeight, withCanary);
      await run(nginxPath, [...args, '-s', 'reload']);
    },
  };
}

/**
 * One peer run: nginx splits the load between stable and canary at the Warden runs' step weight;
 * the canary starts failing and, at once (a person who noticed in no time), the canary is taken
 * out of nginx's config and nginx reloaded. Times the reload to the canary's last answer and counts
 * failed requests.
 */
async function nginxRun(context, nginx, index) {
  const { options, stable, canary, script, drainFile } = context;
  await nginx.reload(true);
  await pause(500);
  await Promise.all([stable.reset(), canary.reset()]);
  const load = startLoad({
    url: nginx.url,
    script,
    connections: options.connections,
    rate: options.rate,
    drainFile,
  });
  let stopped;
  try {
    await pause(2000);
    const { at: faultAt } = await canary.faultOn(options.faultShare);
    const reloadAt = Date.now();
    await nginx.reload(false);
    const reloadReturnedAt = Date.now();
    // The canary's answers have stopped once none came for a whole second.
    let last = (await canary.stats()).lastAnswerAt;
    for (let quiet = 0; quiet < 1000; quiet += pollMs) {
      await pause(pollMs);
      const now = (await canary.stats()).lastAnswerAt;
      if (now !== last) {
        last = now;
        quiet = 0;
      }
    }
    await pause(tailMs - 1000);
    stopped = await load.stop();
    const [stableStats, canaryStats] = await Promise.all([stable.stats(), canary.stats()]);
    const result = {
      faultToReloadMs: reloadAt - faultAt,
      reloadCommandMs: reloadReturnedAt - reloadAt,
      reloadToLastCanaryAnswerMs: canaryStats.lastAnswerAt - reloadAt,
      canary: canaryStats,
      stable: stableStats,
      load: stopped,
    };
    log(
      `nginx run ${index}: reload returned in ${result.reloadCommandMs} ms, last canary answer ${result.reloadToLastCanaryAnswerMs} ms after it; ${stopped.perSecond} req/s; ${JSON.stringify(stopped.answers)}; lost ${stopped.lost}; socket errors ${JSON.stringify(stopped.socketErrors)}`,
    );
    return result;
  } finally {
    if (stopped === undefined) await load.stop().catch(() => undefined);
  }
}

// ---------------------------------------------------------------- the decision's cost

/**
 * Every `rollout.check` the server audited for the runs' models: the check's own `at` (taken when
 * it starts judging, under the model's lock) against the audit entry's `at` (taken when the entry
 * is appended, after the evidence was read and the runtime gate decided and stored its decision),
 * and the start against the end of the interval it judged.
 */
async function auditedChecks(plane, models) {
  const entries = [];
  for (let after = 0; ; ) {
    const page = await plane.call('GET', `/api/v1/audit?after=${after}&limit=10000`);
    entries.push(...page.entries);
    if (page.entries.length < 10000) break;
    after = page.entries.at(-1).seq;
  }
  const wanted = new Set(models);
  const checks = entries
    .filter((entry) => entry.action === 'rollout.check' && wanted.has(entry.subject?.name))
    .map((entry) => ({
      model: entry.subject.name,
      outcome: entry.payload.outcome,
      at: Date.parse(entry.payload.at),
      canaryErrorRatio: entry.payload.canary?.errorRatio ?? null,
      judgingMs: Date.parse(entry.at) - Date.parse(entry.payload.at),
      afterIntervalEndMs:
        entry.payload.windowEnd === null
          ? null
          : Date.parse(entry.payload.at) - Date.parse(entry.payload.windowEnd),
    }));
  const actions = {};
  for (const entry of entries) actions[entry.action] = (actions[entry.action] ?? 0) + 1;
  return { checks, auditEntries: entries.length, actions };
}

// ---------------------------------------------------------------- the report

const quantile = (values, q) => {
  const sorted = values.filter((v) => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (at - low);
};
const median = (values) => quantile(values, 0.5);
const worst = (values) => quantile(values, 1);
const seconds = (ms) => (ms === null ? '—' : `${(ms / 1000).toFixed(2)} s`);
const millis = (ms) => (ms === null ? '—' : `${Math.round(ms)} ms`);
const n = (x) => (x === null || x === undefined ? '—' : Math.round(x).toLocaleString('en-US'));

/**
 * Requests that failed for a reason of the proxy's, not the model's: answers no model server made
 * (the gateway's 502/504, nginx's 502) and requests sent that never got an answer. wrk's socket
 * errors are counted apart: it also counts an idle keep-alive connection the proxy closes, on
 * which no request was lost, as a read error.
 */
function switchFailures(load) {
  const proxyMade = Object.entries(load.answers)
    .filter(([key]) => key.startsWith('proxy '))
    .reduce((sum, [, count]) => sum + count, 0);
  const socket = Object.values(load.socketErrors).reduce((a, b) => a + b, 0);
  return { proxyMade, lost: load.lost, socket, total: proxyMade + load.lost };
}

const answered = (load, maker, status) => load.answers[`${maker} ${status}`] ?? 0;

function report(r) {
  const o = r.options;
  const lines = [];
  const ok = r.warden.filter((x) => !x.falseRollback && x.status === 'rolled-back');
  const falseRollbacks = r.warden.filter((x) => x.falseRollback);
  const missed = r.warden.filter((x) => !x.falseRollback && x.status !== 'rolled-back');
  lines.push(
    `### Warden rollout benchmark: ${o.runs} runs at ~${n(o.rate)} req/s, interval ${o.interval} s, steps ${o.steps.join(',')}, threshold ${o.threshold}, ${Math.round(o.faultShare * 100)}% of the canary's answers failing from the fault on`,
    '',
    `Warden ${r.revision}; Node ${process.version}; ${r.machine}; nginx ${r.nginxVersion}; wrk 1 thread, ${o.connections} connections, requests sent on a ${n(o.rate)}-per-second schedule; model servers answer after ${o.latencyMs} ms. No CPU pinning: the server, the gateway, both model servers, wrk and this runner share the machine.`,
    '',
  );
  lines.push(
    '| run | req/s | checks after the fault (s after it: outcome, canary error ratio) | fault → `rolled-back` (server) | fault → weight 0 at the gateway | fault → canary’s last answer | `rolled-back` → weight 0 at the gateway | canary 500s (planted / seen by clients) | proxy-made errors | lost | wrk socket errors |',
    '| --: | --: | --- | --: | --: | --: | --: | --: | --: | --: | --: |',
  );
  for (const [i, x] of r.warden.entries()) {
    if (x.falseRollback) {
      lines.push(
        `| ${i + 1} | ${n(x.load.perSecond)} | ${x.status} before the fault: ${x.reason} | | | | | | | | |`,
      );
      continue;
    }
    const f = switchFailures(x.load);
    const afterFault = r.decisions.checks
      .filter((c) => c.model === x.model && c.at >= x.faultAt)
      .map(
        (c) =>
          `+${((c.at - x.faultAt) / 1000).toFixed(2)} ${c.outcome}${c.canaryErrorRatio === null ? '' : ` ${(c.canaryErrorRatio * 100).toFixed(1)}%`}`,
      )
      .join(', ');
    lines.push(
      `| ${i + 1} | ${n(x.load.perSecond)} | ${afterFault}${x.status === 'rolled-back' ? '' : `; **${x.status}**`} | ${seconds(x.faultToRolledBackMs)} | ${seconds(x.faultToGatewayZeroMs)} | ${seconds(x.faultToLastCanaryAnswerMs)} | ${millis(x.rolledBackToGatewayZeroMs)} | ${n(x.canary.planted)} / ${n(answered(x.load, 'canary', 500))} | ${n(f.proxyMade)} | ${n(f.lost)} | ${n(f.socket)} |`,
    );
  }
  lines.push('');
  const column = (key) => ok.map((x) => x[key]);
  const totalFailures = r.warden.reduce((sum, x) => sum + switchFailures(x.load).total, 0);
  const totalRequests = r.warden.reduce((sum, x) => sum + x.load.requests, 0);
  lines.push(
    `Over the ${ok.length} runs rolled back after the fault (${falseRollbacks.length} rolled back before it, ${missed.length} not rolled back), median / worst: fault → \`rolled-back\` on the server **${seconds(median(column('faultToRolledBackMs')))} / ${seconds(worst(column('faultToRolledBackMs')))}**; fault → canary weight 0 at the gateway **${seconds(median(column('faultToGatewayZeroMs')))} / ${seconds(worst(column('faultToGatewayZeroMs')))}** (read every ${pollMs} ms); fault → the canary's last answer ${seconds(median(column('faultToLastCanaryAnswerMs')))} / ${seconds(worst(column('faultToLastCanaryAnswerMs')))}. Requests failed by the switch in all runs (answers no model server made, and requests never answered): **${n(totalFailures)}** of ${n(totalRequests)}.`,
    '',
  );
  // A "no data" check decides nothing (and names no new window), so only judged ones are timed.
  const checks = r.decisions.checks.filter((c) => c.outcome !== 'no-data');
  const judging = checks.map((c) => c.judgingMs);
  const late = checks.map((c) => c.afterIntervalEndMs);
  lines.push(
    `The decision's cost, from the audit log (the ${checks.length} judged \`rollout.check\` entries of these runs; ${r.decisions.checks.length - checks.length} more said "no data", at the start of a rollout): judging one interval — reading both versions' signed monitor-status, deciding the runtime gate, storing the decision — took median **${millis(median(judging))}**, p90 ${millis(quantile(judging, 0.9))}, worst ${millis(worst(judging))}; a check started ${millis(median(late))} (median; worst ${millis(worst(late))}) after the end of the interval it judged (the server waits half an interval for the windows, and looks for due checks every 200 ms). While the runs went, the server used ${r.cores.server} of a core and the gateway ${r.cores.gateway} (median of the runs; machine busy ${r.cores.machine} of ${r.cores.machineCores}).`,
    '',
  );
  if (r.nginx.length > 0) {
    lines.push(
      '| nginx run | req/s | `nginx -s reload` returned | reload → canary’s last answer | canary 500s (planted / seen) | proxy-made errors | lost | wrk socket errors |',
      '| --: | --: | --: | --: | --: | --: | --: | --: |',
    );
    for (const [i, x] of r.nginx.entries()) {
      const f = switchFailures(x.load);
      lines.push(
        `| ${i + 1} | ${n(x.load.perSecond)} | ${millis(x.reloadCommandMs)} | ${millis(x.reloadToLastCanaryAnswerMs)} | ${n(x.canary.planted)} / ${n(answered(x.load, 'canary', 500))} | ${n(f.proxyMade)} | ${n(f.lost)} | ${n(f.socket)} |`,
      );
    }
    lines.push('');
    const wardenSwitch = column('rolledBackToLastCanaryAnswerMs');
    const nginxSwitch = r.nginx.map((x) => x.reloadToLastCanaryAnswerMs);
    const nginxFailures = r.nginx.reduce((sum, x) => sum + switchFailures(x.load).total, 0);
    const nginxRequests = r.nginx.reduce((sum, x) => sum + x.load.requests, 0);
    const ratio = (a, b) => (a !== null && b ? `${(a / b).toFixed(2)}×` : '—');
    lines.push(
      '| median / worst | Warden, automatic | nginx, by hand | Warden ÷ nginx (median) |',
      '| --- | --: | --: | --: |',
      `| fault → canary out of traffic | ${seconds(median(column('faultToGatewayZeroMs')))} / ${seconds(worst(column('faultToGatewayZeroMs')))} | a person's detection time + the reload | — |`,
      `| switch decided → canary's last answer | ${millis(median(wardenSwitch))} / ${millis(worst(wardenSwitch))} | ${millis(median(nginxSwitch))} / ${millis(worst(nginxSwitch))} | ${ratio(median(wardenSwitch), median(nginxSwitch))} |`,
      `| requests failed by the switch | ${n(totalFailures)} of ${n(totalRequests)} | ${n(nginxFailures)} of ${n(nginxRequests)} | — |`,
      '',
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- main

const scratchDirs = new Set();

async function main() {
  const rendering = process.argv.indexOf('--render');
  if (rendering >= 0) {
    // Re-prints the report of a saved run (bench/.out/rollout.json) without running anything.
    process.stdout.write(`${report(JSON.parse(await readFile(process.argv[rendering + 1], 'utf8')))}\n`);
    return;
  }
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(wrkPath)) throw new Error('wrk is not installed (apt-get install wrk)');
  if (options.peerRuns > 0 && nginxPath === undefined)
    throw new Error(
      'nginx is not installed (apt-get install nginx-light), or skip the peer with --peer-runs 0',
    );
  if (!existsSync(join(options.root, 'dist/gateway/index.js')))
    throw new Error(`${options.root} has no build (dist/); run \`npm run build\` there first`);
  const machine = machineLine(loadavg());
  const scratch = await mkdtemp(join(tmpdir(), 'warden-bench-rollout-'));
  scratchDirs.add(scratch);
  const random = sfc32(options.seed);
  const bodies = await fraudRequestBodies(join(example, 'transactions.csv'), 200);
  const [stable, canary] = await Promise.all([
    startModelServer('stable', options.latencyMs),
    startModelServer('canary', options.latencyMs),
  ]);
  log('starting warden server and registering the signing keys and the baseline');
  const plane = await startControlPlane(options.root, scratch);
  const models = Array.from({ length: options.runs }, (_, i) => `fraud-run-${i + 1}`);
  const settings = join(scratch, 'gateway.yaml');
  await writeFile(
    settings,
    `apiVersion: warden.dev/v1\nkind: Gateway\nroutes:\n${models
      .map(
        (model) =>
          `  - model: ${model}\n    timeoutMs: 5000\n    monitoring:\n      features: ${JSON.stringify(requestColumns)}\n      windowSeconds: ${options.interval}\n`,
      )
      .join('')}`,
  );
  const startGateway = () =>
    startAttachedGateway({
      root: options.root,
      serverUrl: plane.server.url,
      token: plane.server.token,
      settings,
      signKey: join(scratch, 'gateway.key'),
      dir: scratch,
    });
  const drainFile = join(scratch, 'drain');
  try {
    const context = { options, plane, startGateway, stable, canary, bodies, scratch, random, drainFile };
    const busyBefore = cpuSnapshot([plane.server.pid]);
    const warden = [];
    for (let i = 1; i <= options.runs; i++) warden.push(await wardenRun(context, i));
    const busy = coresUsed(busyBefore, cpuSnapshot([plane.server.pid]));
    const decisions = await auditedChecks(plane, models);

    const nginx = [];
    if (options.peerRuns > 0) {
      const canaryWeight = options.steps[1];
      const nginxScript = await writeLoadScript(scratch, 'nginx', '/v2/models/fraud-detector/infer', bodies);
      const peer = await startNginxPeer({ stable, canary, scratchDirs }, canaryWeight);
      try {
        const peerContext = { options, stable, canary, script: nginxScript, drainFile };
        for (let i = 1; i <= options.peerRuns; i++) nginx.push(await nginxRun(peerContext, peer, i));
      } finally {
        await stopChild(peer.child);
      }
    }
    const result = {
      options: { ...options, root: undefined },
      revision: revision(options.root),
      machine,
      nginxVersion: nginxVersion(),
      cores: {
        server: busy.servers,
        gateway: median(warden.map((x) => x.gatewayCores)),
        machine: busy.machineBusy,
        machineCores: cpus().length,
      },
      warden,
      decisions,
      nginx,
    };
    const text = report(result);
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, 'rollout.json'), `${JSON.stringify(result, null, 2)}\n`);
    await writeFile(join(outDir, 'rollout.md'), `${text}\n`);
    process.stdout.write(`${text}\n`);
  } finally {
    await plane.server.stop();
    await Promise.all([stopChild(stable.child), stopChild(canary.child)]);
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
    process.stderr.write(`bench/rollout: ${error.message}\n`);
    signalChildren('SIGTERM');
    await cleanUp();
    process.exit(1);
  });
