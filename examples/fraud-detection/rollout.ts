/**
 * A canary that rolls itself back: the whole runtime loop of the fraud detector on one machine, with
 * real processes. A control plane (`warden server`, SQLite in a temporary directory), the two model
 * versions (version 2 with a planted fault), a gateway attached to the control plane and signing its
 * monitoring windows, and steady client traffic; then `warden rollout start` moves traffic to version
 * 2 step by step while the central policy judges each interval, until the canary is promoted or rolled
 * back. Ends with `warden rollout status` and `warden audit verify`.
 *
 *   node dist/examples/fraud-detection/rollout.js [--fault errors:0.2] [--expect rolled-back|promoted] \
 *     [--rate 100] [--keep]
 *
 * Exit code 0 when the outcome is the expected one, 1 when it is not (or the scene broke), 2 on a bad
 * option.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createEvidenceKeyPair } from '../../core/index.js';
import { describeFault, type Fault, parseFault } from './faults.js';
import { checkModel, fraudProbability } from './scoring.js';
import { exampleFolder, runScript, scriptOptions, wholeNumber } from './script.js';
import { inferRequest, inferUrl, steadyTraffic } from './traffic.js';
import { numericInputsOf, parseTransactionsCsv } from './transactions.js';

const repoRoot = join(exampleFolder, '../..');
const wardenBin = join(repoRoot, 'bin/warden.js');
const modelServerScript = fileURLToPath(new URL('./model-server.js', import.meta.url));
const model = 'fraud-detector';
const firstStep = 10;
const steps = [firstStep, 50, 100];
const batch = 20;
/** The baseline's columns: the model's seven inputs and version 1's score. */
const baselineColumns = [
  'amount',
  'merchant_category',
  'hour',
  'distance_km',
  'card_present',
  'velocity_1h',
  'account_age_days',
  'score',
];
/** How long the rollout may take before the scene gives up on it. */
const rolloutTimeoutMs = 60_000;

const finalStatuses = new Set(['promoted', 'rolled-back', 'aborted']);

interface Child {
  name: string;
  process: ChildProcess;
  output: { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

/** Every process the scene starts, so that each is stopped at the end, on failure and on Ctrl-C. */
class Children {
  readonly #all: Child[] = [];

  start(name: string, args: string[], env: NodeJS.ProcessEnv): Child {
    const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = { stdout: '', stderr: '' };
    child.stdout?.on('data', (chunk: Buffer) => {
      output.stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output.stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => {
      child.once('error', () => resolve(null));
      child.once('close', (code) => resolve(code));
    });
    const started = { name, process: child, output, exited };
    this.#all.push(started);
    return started;
  }

  /** Runs a process to its end. */
  async run(name: string, args: string[], env: NodeJS.ProcessEnv): Promise<Child & { code: number | null }> {
    const child = this.start(name, args, env);
    return { ...child, code: await child.exited };
  }

  /** SIGTERM to each child still running (they drain), SIGKILL to any still there after 10 s. */
  async stopAll(): Promise<void> {
    const running = this.#all.filter(
      (child) => child.process.exitCode === null && child.process.signalCode === null,
    );
    for (const child of running.reverse()) child.process.kill('SIGTERM');
    const stopped = Promise.all(running.map((child) => child.exited));
    if ((await Promise.race([stopped.then(() => true), sleep(10_000, false, { ref: false })])) === false)
      this.killAll();
  }

  killAll(): void {
    for (const child of this.#all) if (child.process.exitCode === null) child.process.kill('SIGKILL');
  }
}

/** Resolves with the first match of `pattern` in a child's output; fails if the child exits first. */
async function waitForOutput(
  child: Child,
  stream: 'stdout' | 'stderr',
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<RegExpExecArray> {
  for (let waited = 0; waited < timeoutMs; waited += 50) {
    const match = pattern.exec(child.output[stream]);
    if (match !== null) return match;
    if (child.process.exitCode !== null) break;
    await sleep(50);
  }
  throw new Error(
    `${child.name} did not print ${pattern} (${child.process.exitCode === null ? 'timed out' : `exit ${child.process.exitCode}`}): ${lastLines(child.output.stderr || child.output.stdout)}`,
  );
}

function lastLines(text: string, count = 5): string {
  return text.trimEnd().split('\n').slice(-count).join(' | ');
}

/** A call to the control plane's API that must succeed. */
async function api<T = Record<string, unknown>>(
  server: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${server}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) {
    const error = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    throw new Error(`${method} ${path}: ${response.status} ${error?.code ?? ''}: ${error?.message ?? text}`);
  }
  return JSON.parse(text) as T;
}

interface RolloutCheck {
  at: string;
  step: number;
  weight: number;
  outcome: string;
  reason: string;
  decision: string | null;
  canary: { requests: number; errorRatio: number | null; p99: number | null } | null;
  stable: { requests: number; errorRatio: number | null; p99: number | null } | null;
}

interface RolloutRecord {
  status: string;
  step: number;
  weight: number;
  failedChecks: number;
  lastCheck: RolloutCheck | null;
  promotion: string | null;
  reason: string | null;
}

const percent = (ratio: number | null) => (ratio === null ? '–' : `${(ratio * 100).toFixed(1)}%`);
const milliseconds = (seconds: number | null) =>
  seconds === null ? '–' : `${(seconds * 1000).toFixed(1)} ms`;
const side = (traffic: RolloutCheck['canary']) =>
  traffic === null
    ? 'no traffic'
    : `${traffic.requests} requests, errors ${percent(traffic.errorRatio)}, p99 ${milliseconds(traffic.p99)}`;

/** The training data with version 1's score of each transaction: the baseline's reference. */
async function scoredTrainingData(out: string): Promise<void> {
  const text = await readFile(join(exampleFolder, 'transactions.csv'), 'utf8');
  const transactions = parseTransactionsCsv(text, 'transactions.csv');
  const stable = checkModel(
    JSON.parse(await readFile(join(exampleFolder, 'model-v1.json'), 'utf8')),
    'model-v1.json',
  );
  const [header, ...lines] = text.trimEnd().split('\n');
  const scored = transactions.map((transaction, index) => {
    const score = fraudProbability(stable, numericInputsOf(transaction), transaction.merchantCategory);
    return `${lines[index]},${Math.fround(score)}`;
  });
  await writeFile(out, `${[`${header},score`, ...scored].join('\n')}\n`);
}

async function writeKeyPair(file: string): Promise<string> {
  const pair = createEvidenceKeyPair();
  await writeFile(file, pair.privateKeyPem, { mode: 0o600 });
  await writeFile(`${file}.pub`, pair.publicKeyPem);
  return pair.publicKeyPem;
}

async function fileDigest(path: string): Promise<string> {
  return `sha256:${createHash('sha256')
    .update(await readFile(path))
    .digest('hex')}`;
}

/** The environment of a `warden` child: nothing of the caller's Warden settings, only what is given. */
function wardenEnv(work: string, settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('WARDEN_')) env[name] = value;
  }
  return {
    ...env,
    NO_COLOR: '1',
    GITHUB_STEP_SUMMARY: '',
    XDG_CONFIG_HOME: join(work, 'config'),
    ...settings,
  };
}

interface SceneOptions {
  fault: Fault;
  faultText: string;
  rate: number;
  work: string;
}

interface SceneResult {
  outcome: string;
  reason: string;
  auditVerified: boolean;
}

/** Polls the rollout until it is promoted, rolled back or aborted, printing each interval's check. */
async function watchRollout(
  serverUrl: string,
  token: string,
  say: (text: string) => void,
  indent: (text: string) => string,
): Promise<RolloutRecord | undefined> {
  let record: RolloutRecord | undefined;
  let lastCheckAt: string | undefined;
  const deadline = performance.now() + rolloutTimeoutMs;
  while (performance.now() < deadline) {
    record = await api<RolloutRecord>(serverUrl, token, 'GET', `/api/v1/models/${model}/rollout`);
    const check = record.lastCheck;
    if (check !== null && check.at !== lastCheckAt) {
      lastCheckAt = check.at;
      say(
        `step ${check.step} (canary ${check.weight}%): ${check.outcome}; canary ${side(check.canary)}; stable ${side(check.stable)}`,
      );
      if (check.outcome !== 'pass') console.log(indent(check.reason));
    }
    if (finalStatuses.has(record.status)) return record;
    await sleep(200);
  }
  say(`the rollout did not finish within ${rolloutTimeoutMs / 1000} s (status ${record?.status})`);
  return record;
}

async function scene(children: Children, options: SceneOptions): Promise<SceneResult> {
  const { work } = options;
  const started = performance.now();
  const say = (text: string) =>
    console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${text}`);
  const indent = (text: string) => text.trimEnd().replace(/^/gm, '    ');
  await mkdir(join(work, 'db'), { recursive: true });
  await mkdir(join(work, 'keys'), { recursive: true });

  // The control plane, the two model servers and the pipeline's baseline start side by side.
  const server = children.start(
    'warden server',
    [
      wardenBin,
      'server',
      '--port',
      '0',
      '--db',
      `sqlite:${join(work, 'db', 'warden.db')}`,
      '--audit-key',
      join(work, 'keys', 'audit.key'),
      '--webhook-key',
      join(work, 'keys', 'webhook.key'),
      '--init',
      '--log-level',
      'warn',
    ],
    wardenEnv(work, {}),
  );
  const modelServer = (version: string, fault: string) =>
    children.start(
      `model server ${version}`,
      [
        modelServerScript,
        '--model',
        join(exampleFolder, `model-v${version}.json`),
        '--port',
        '0',
        '--version',
        version,
        '--fault',
        fault,
      ],
      process.env,
    );
  const servers = [modelServer('1', 'none'), modelServer('2', options.faultText)];
  const pipelinePublicKey = await writeKeyPair(join(work, 'pipeline.key'));
  const gatewayPublicKey = await writeKeyPair(join(work, 'gateway.key'));
  await scoredTrainingData(join(work, 'training-scored.csv'));
  const baseline = children.run(
    'warden baseline create',
    [
      wardenBin,
      'baseline',
      'create',
      join(work, 'training-scored.csv'),
      '--columns',
      baselineColumns.join(','),
      '--evidence',
      join(work, 'baseline-v1.json'),
      '--sign-key',
      join(work, 'pipeline.key'),
    ],
    wardenEnv(work, {}),
  );
  const [v1, v2] = await Promise.all(
    servers.map(
      async (child) => (await waitForOutput(child, 'stdout', /listening on (http:\/\/\S+)/))[1] as string,
    ),
  );
  say(`model servers: version 1 on ${v1}, version 2 on ${v2} (${describeFault(options.fault)})`);
  const serverUrl = (await waitForOutput(server, 'stderr', /listening on (http:\/\/\S+)/))[1] as string;
  const admin = (await waitForOutput(server, 'stdout', /^(wdn_\S+)$/m))[1] as string;
  say(`control plane: warden server on ${serverUrl} (SQLite in the work directory; admin token from --init)`);

  const token = async (name: string, role: string) =>
    (await api<{ secret: string }>(serverUrl, admin, 'POST', '/api/v1/tokens', { name, role })).secret;
  const pipeline = await token('fraud-pipeline', 'contributor');
  const gatewayToken = await token('fraud-gateway', 'contributor');
  const oncall = await token('fraud-oncall', 'viewer');
  say('tokens: fraud-pipeline and fraud-gateway (contributors), fraud-oncall (viewer)');
  await api(serverUrl, admin, 'POST', '/api/v1/signing-keys', {
    name: 'fraud-pipeline-ci',
    publicKey: pipelinePublicKey,
    evidenceKinds: ['drift-baseline'],
  });
  await api(serverUrl, admin, 'POST', '/api/v1/signing-keys', {
    name: 'fraud-gateway',
    publicKey: gatewayPublicKey,
    evidenceKinds: ['monitor-status'],
  });
  say('signing keys: fraud-pipeline-ci (drift-baseline), fraud-gateway (monitor-status)');
  const policyFolder = join(exampleFolder, 'policies');
  const policyFiles = (await readdir(policyFolder, { recursive: true }))
    .filter((file) => file.endsWith('.yaml'))
    .sort();
  await api(serverUrl, admin, 'PUT', '/api/v1/policy-set', {
    files: await Promise.all(
      policyFiles.map(async (path) => ({ path, content: await readFile(join(policyFolder, path), 'utf8') })),
    ),
    revision: 'fraud-rollout-example',
  });
  say(`policy set: ${relative(repoRoot, policyFolder)}/ (${policyFiles.join(', ')})`);

  await api(serverUrl, pipeline, 'POST', '/api/v1/models', {
    name: model,
    owner: 'fraud-ml',
    description: 'Card-fraud probability per transaction (examples/fraud-detection)',
  });
  for (const [version, url] of [
    ['1', v1],
    ['2', v2],
  ] as const) {
    const file = join(exampleFolder, `model-v${version}.json`);
    await api(serverUrl, pipeline, 'POST', `/api/v1/models/${model}/versions`, {
      artifact: { uri: relative(repoRoot, file), digest: await fileDigest(file) },
      endpoint: { url, protocol: 'v2' },
      description: version === '2' ? `version 2 with a planted fault: ${options.faultText}` : 'version 1',
    });
  }
  const baselineRun = await baseline;
  if (baselineRun.code !== 0) {
    throw new Error(`warden baseline create failed: ${lastLines(baselineRun.output.stderr)}`);
  }
  await api(
    serverUrl,
    pipeline,
    'POST',
    `/api/v1/models/${model}/versions/1/evidence`,
    JSON.parse(await readFile(join(work, 'baseline-v1.json'), 'utf8')),
  );
  const promotion = await api<{ status: string }>(serverUrl, pipeline, 'POST', '/api/v1/promotions', {
    model,
    version: '1',
    alias: 'production',
  });
  if (promotion.status !== 'completed') throw new Error(`promoting version 1 ended ${promotion.status}`);
  say(
    `${model}: versions 1 and 2 registered with their endpoints; version 1 has the signed baseline (training data with its scores) and is in production`,
  );

  const gateway = children.start(
    'warden gateway',
    [
      wardenBin,
      'gateway',
      '--server',
      serverUrl,
      '--config',
      join(exampleFolder, 'rollout-gateway.yaml'),
      '--port',
      '0',
      '--poll-seconds',
      '1',
      '--sign-key',
      join(work, 'gateway.key'),
    ],
    wardenEnv(work, { WARDEN_TOKEN: gatewayToken }),
  );
  const gatewayUrl = (await waitForOutput(gateway, 'stderr', /listening on (http:\/\/\S+)/))[1] as string;
  const infer = inferUrl(gatewayUrl);
  const transactions = parseTransactionsCsv(
    await readFile(join(exampleFolder, 'transactions.csv'), 'utf8'),
    'transactions.csv',
  );
  for (let waited = 0; ; waited += 200) {
    const answer = await fetch(infer, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: inferRequest(transactions.slice(0, 1), 'probe'),
    }).catch(() => undefined);
    await answer?.arrayBuffer();
    if (answer?.status === 200 && answer.headers.get('x-warden-model-version') === '1') break;
    if (waited > 30_000)
      throw new Error(`the gateway does not serve version 1: ${lastLines(gateway.output.stderr)}`);
    await sleep(200);
  }
  say(`gateway: attached to the control plane, on ${gatewayUrl}, serving version 1`);

  const traffic = steadyTraffic({ infer, transactions, batch, rate: options.rate });
  say(`traffic: ${options.rate} requests/s of ${batch} transactions from transactions.csv`);

  // Enough canary requests at the first step for an interval to be judged: half of what it gets.
  const minRequests = Math.max(5, Math.floor((options.rate * firstStep) / 100 / 2));
  const startArgs = [
    'rollout',
    'start',
    model,
    '--version',
    '2',
    '--interval',
    '1s',
    '--steps',
    steps.join(','),
    '--min-requests',
    String(minRequests),
  ];
  say(`$ warden ${startArgs.join(' ')}`);
  const start = await children.run(
    'warden rollout start',
    [wardenBin, ...startArgs],
    wardenEnv(work, { WARDEN_SERVER: serverUrl, WARDEN_TOKEN: pipeline }),
  );
  if (start.code !== 0) throw new Error(`warden rollout start failed: ${lastLines(start.output.stderr)}`);
  console.log(indent(start.output.stdout));

  const record = await watchRollout(serverUrl, oncall, say, indent);
  const outcome = record?.status ?? 'unknown';
  const lastCheck = record?.lastCheck?.reason ?? 'no check';
  const reason =
    record?.status === 'rolled-back'
      ? (record.reason ?? lastCheck)
      : `${record?.reason ?? outcome}; last check: ${lastCheck}`;
  say(`rollout ${outcome}`);
  console.log(indent(`reason: ${reason}`));

  // Traffic goes on while a person reads the outcome: the weight change must lose no request.
  const viewerEnv = wardenEnv(work, { WARDEN_SERVER: serverUrl, WARDEN_TOKEN: oncall });
  const [status, verify] = await Promise.all([
    children.run('warden rollout status', [wardenBin, 'rollout', 'status', model], viewerEnv),
    children.run('warden audit verify', [wardenBin, 'audit', 'verify'], viewerEnv),
    sleep(1000),
  ]);
  const counts = await traffic.stop();
  say(`$ warden rollout status ${model}`);
  console.log(indent(status.output.stdout || status.output.stderr));
  say('$ warden audit verify');
  console.log(indent(verify.output.stdout || verify.output.stderr));
  say(
    `traffic: ${counts.byStatus.total} requests in ${counts.seconds.toFixed(1)} s; status ${counts.byStatus}; version ${counts.byVersion}`,
  );
  console.log(
    indent(
      `gateway errors (502/503/504 from the gateway itself): ${counts.gatewayErrors.total}${counts.gatewayErrors.total > 0 ? ` (${counts.gatewayErrors})` : ''}; unanswered: ${counts.unanswered}; not sent (too many in flight): ${counts.skipped}`,
    ),
  );
  return { outcome, reason, auditVerified: verify.code === 0 };
}

await runScript(async () => {
  const options = scriptOptions({
    fault: {
      describe: 'the fault planted in version 2: none, errors:0.2, slow:250, score-shift:1',
      default: 'errors:0.2',
    },
    expect: { describe: 'the outcome that makes the exit code 0: rolled-back or promoted', default: '' },
    rate: { describe: 'client requests per second through the gateway', default: '100' },
    keep: { describe: 'keep the work directory (database, keys, evidence) after the scene', flag: true },
  });
  const fault = parseFault(options.fault);
  const expected = options.expect || (fault.kind === 'none' ? 'promoted' : 'rolled-back');
  if (expected !== 'promoted' && expected !== 'rolled-back') {
    throw new Error(`--expect ${JSON.stringify(options.expect)} must be rolled-back or promoted`);
  }
  const rate = wholeNumber('rate', options.rate);
  const work = await mkdtemp(join(tmpdir(), 'warden-fraud-rollout-'));
  const children = new Children();
  const cleanUp = async () => {
    await children.stopAll();
    if (options.keep === 'true') console.log(`work directory kept: ${work}`);
    else await rm(work, { recursive: true, force: true });
  };
  process.once('exit', () => children.killAll());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`${signal}: stopping every process the scene started`);
      cleanUp().finally(() => process.exit(130));
    });
  }

  console.log(
    `A canary rollout of ${model} version 2 — planted fault: ${describeFault(fault)}; expecting ${expected}`,
  );
  let result: SceneResult | undefined;
  try {
    result = await scene(children, { fault, faultText: options.fault, rate, work });
  } catch (error) {
    console.error(`error: the scene broke: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await cleanUp();
  }
  const problems = [
    ...(result === undefined ? ['the scene broke'] : []),
    ...(result !== undefined && result.outcome !== expected ? [`${result.outcome}, not ${expected}`] : []),
    ...(result !== undefined && !result.auditVerified ? ['the audit log did not verify'] : []),
  ];
  const success = problems.length === 0;
  console.log(
    `outcome: ${result?.outcome ?? 'none'} (expected ${expected}); audit log ${result?.auditVerified ? 'verified' : 'not verified'}`,
  );
  console.log(success ? 'OK' : `FAILED: ${problems.join('; ')}`);
  process.exitCode = success ? 0 : 1;
});
