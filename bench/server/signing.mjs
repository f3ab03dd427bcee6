// Signing benchmark (issue 16, "the cost of signing and verifying"): what it costs to sign a
// model-evaluation evidence document as an in-toto statement in a DSSE envelope (Ed25519), and to
// open and verify one, beside sealing alone (canonical JSON + SHA-256, what unsigned evidence
// costs); Python's `cryptography` signing and verifying the same PAE bytes in the same run; then
// `warden server` taking fresh unsigned documents and fresh signed envelopes at full speed.
//
//   npm run build && node bench/server/signing.mjs [--documents N] [--duration S] [--warmup S]
//                                                  [--connections C] [--pg URL] [--warden DIR]
//
// Prints the report (markdown) on stdout, progress on stderr; writes bench/.out/signing.md.
import { spawnSync } from 'node:child_process';
import { sign as ed25519Sign, verify as ed25519Verify } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { eachOption } from '../lib/args.mjs';
import { checkModelArgs } from '../lib/check-model.mjs';
import { machineLine, revision } from '../lib/measure.mjs';
import { coresUsed, cpuSnapshot, signalChildren } from '../lib/processes.mjs';
import { importWardenModule } from '../lib/warden-dist.mjs';
import { api, startWarden } from '../lib/warden-server.mjs';
import { BodyPool } from './evidence.mjs';
import { latencySummary, Recorder, runAutocannon } from './load.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(here, '../.out');
const log = (message) => process.stderr.write(`  ${message}\n`);

function parseArgs(argv) {
  const options = {
    documents: 2000,
    duration: 10,
    warmup: 2,
    connections: 50,
    pg: undefined,
    root: resolve(here, '../..'),
  };
  eachOption(argv, (arg, value) => {
    if (arg === '--documents') options.documents = Number(value());
    else if (arg === '--duration') options.duration = Number(value());
    else if (arg === '--warmup') options.warmup = Number(value());
    else if (arg === '--connections') options.connections = Number(value());
    else if (arg === '--pg') options.pg = value();
    else if (arg === '--warden') options.root = resolve(value());
    else throw new Error(`unknown option ${arg}`);
  });
  for (const key of ['documents', 'duration', 'warmup', 'connections']) {
    if (!(Number.isInteger(options[key]) && options[key] >= 1))
      throw new Error(`--${key} must be a positive integer`);
  }
  return options;
}

const options = parseArgs(process.argv.slice(2));
const bin = join(options.root, 'bin/warden.js');
if (!existsSync(join(options.root, 'dist/core/index.js')))
  throw new Error(`${options.root} has no build (dist/core); run \`npm run build\` there first`);
const core = await importWardenModule(options.root, 'core');
const loadAtStart = loadavg();
/** Temp directories removed on the way out, Ctrl-C included; the PostgreSQL schema dropped too. */
const scratchDirs = new Set();
const schemasToDrop = new Set();

// ---------------------------------------------------------------- the document

/**
 * The realistic document: `warden check model` on the credit-risk example, as a pipeline runs it.
 * Returns the parsed document, its file size and the body `sealEvidence` re-seals it from.
 */
async function modelEvaluationDocument(dir) {
  const file = join(dir, 'model-evaluation.json');
  const args = [
    bin,
    ...checkModelArgs({
      predictions: 'examples/credit-risk/predictions.csv',
      target: 'Status',
      sensitive: ['Age', 'Marital'],
      bins: 'Age=18,25,40,65',
      json: file,
      extra: ['--min-group-size', '30', '--model', 'm', '--version', '1'],
    }),
  ];
  const run = spawnSync(process.execPath, args, { cwd: options.root, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`warden check model failed (exit ${run.status}):\n${run.stderr}`);
  const text = readFileSync(file, 'utf8');
  const document = JSON.parse(text);
  const { id, schemaVersion, producedAt, producer, ...body } = document;
  const resealed = core.sealEvidence(body, new Date(producedAt));
  if (resealed.id !== id)
    throw new Error(`re-sealing the check's document gave ${resealed.id}, not its id ${id}: dist/ is stale?`);
  return { document, fileBytes: Buffer.byteLength(text), body };
}

/** Document number `seq`: the check's document, produced `seq` seconds after `startMs`, sealed. */
const documentAt = (body, startMs, seq) => core.sealEvidence(body, new Date(startMs + seq * 1000));

/** DSSE v1 PAE, written here from the spec so that a wrong encoding in Warden would not verify. */
function preAuthEncoding(envelope) {
  const type = Buffer.from(envelope.payloadType, 'utf8');
  const payload = Buffer.from(envelope.payload, 'base64');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `),
    type,
    Buffer.from(` ${payload.length} `),
    payload,
  ]);
}

// ---------------------------------------------------------------- in process

/**
 * Calls `step(i)` for i = 0 … count-1 and times each call; a warm-up of the first `warmup` calls
 * (not timed) lets V8 optimise first. Returns microseconds per call and calls per second.
 */
function timeEach(count, step, warmup = Math.min(count, 300)) {
  for (let i = 0; i < warmup; i++) step(i);
  const micros = new Float64Array(count);
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    step(i);
    micros[i] = (performance.now() - t0) * 1000;
  }
  const seconds = (performance.now() - started) / 1000;
  const summary = latencySummary(micros);
  return { medianUs: summary.p50, p99Us: summary.p99, perSecond: count / seconds };
}

const pythonPeer = `
import base64, json, statistics, sys, time
import cryptography
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import load_pem_private_key

pae_file, key_file, envelopes_file, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
pae = open(pae_file, 'rb').read()
private_key = load_pem_private_key(open(key_file, 'rb').read(), password=None)
public_key = private_key.public_key()

def timed(step):
    for _ in range(min(n, 300)):
        step()
    micros = []
    started = time.perf_counter()
    for _ in range(n):
        t0 = time.perf_counter_ns()
        step()
        micros.append((time.perf_counter_ns() - t0) / 1000)
    seconds = time.perf_counter() - started
    micros.sort()
    return {'medianUs': statistics.median(micros), 'p99Us': micros[max(0, -(-99 * n // 100) - 1)], 'perSecond': n / seconds}

signature = private_key.sign(pae)
sign = timed(lambda: private_key.sign(pae))
verify = timed(lambda: public_key.verify(signature, pae))

verified = failed = 0
same_signature = None
own_pae = None
for line in open(envelopes_file):
    envelope = json.loads(line)
    payload_type = envelope['payloadType'].encode()
    payload = base64.b64decode(envelope['payload'])
    message = b'DSSEv1 %d %s %d %s' % (len(payload_type), payload_type, len(payload), payload)
    if own_pae is None:
        own_pae = message == pae
        same_signature = base64.b64decode(envelope['signatures'][0]['sig']) == private_key.sign(message)
    try:
        public_key.verify(base64.b64decode(envelope['signatures'][0]['sig']), message)
        verified += 1
    except InvalidSignature:
        failed += 1
print(json.dumps({'python': sys.version.split()[0], 'cryptography': cryptography.__version__,
                  'sign': sign, 'verify': verify, 'verified': verified, 'failed': failed,
                  'samePae': own_pae, 'sameSignature': same_signature}))
`;

async function measureInProcess(dir) {
  const { document, fileBytes, body } = await modelEvaluationDocument(dir);
  const n = options.documents;
  const startMs = Date.parse(document.producedAt);
  log(`model-evaluation document: ${fileBytes.toLocaleString('en')} bytes; ${n} documents per step …`);

  const documents = new Array(n);
  const seal = timeEach(n, (i) => {
    documents[i] = documentAt(body, startMs, i);
  });
  const checkUnsigned = timeEach(n, (i) => core.checkEvidenceDocument(documents[i], 'the document'));

  const pair = core.createEvidenceKeyPair();
  const signingKey = core.evidenceSigningKey(pair.privateKeyPem, 'the benchmark key');
  const publicKeys = [core.namedPublicKey('bench-pipeline', pair.publicKeyPem, 'the benchmark key')];
  const envelopes = new Array(n);
  const signed = timeEach(n, (i) => {
    envelopes[i] = core.signEvidence(documents[i], signingKey);
  });
  const verified = timeEach(n, (i) => {
    const opened = core.openEvidenceEnvelope(envelopes[i], 'the envelope');
    if (core.envelopeSigner(opened.envelope, opened.payload, publicKeys) !== publicKeys[0])
      throw new Error(`envelope ${i} did not verify with its own key`);
  });
  const keyParse = timeEach(n, () => core.namedPublicKey('bench-pipeline', pair.publicKeyPem, 'the key'));

  // The primitive alone, on the same bytes Python signs: Node's Ed25519 (OpenSSL) over the PAE.
  const pae = preAuthEncoding(envelopes[0]);
  const rawSignature = ed25519Sign(null, pae, signingKey.privateKey);
  const rawSign = timeEach(n, () => ed25519Sign(null, pae, signingKey.privateKey));
  const rawVerify = timeEach(n, () => {
    if (!ed25519Verify(null, pae, signingKey.publicKey, rawSignature)) throw new Error('raw verify failed');
  });

  const paeFile = join(dir, 'pae.bin');
  const keyFile = join(dir, 'bench-signing.key');
  const envelopesFile = join(dir, 'envelopes.jsonl');
  await writeFile(paeFile, pae);
  await writeFile(keyFile, pair.privateKeyPem, { mode: 0o600 });
  await writeFile(envelopesFile, `${envelopes.map((e) => JSON.stringify(e)).join('\n')}\n`);
  log('python peer (cryptography) …');
  const py = spawnSync('python3', ['-c', pythonPeer, paeFile, keyFile, envelopesFile, String(n)], {
    encoding: 'utf8',
  });
  if (py.status !== 0) throw new Error(`the Python peer failed (exit ${py.status}):\n${py.stderr}`);
  const python = JSON.parse(py.stdout);

  const canonicalBytes = Buffer.byteLength(core.canonicalJson(documents[0]));
  const envelopeBytes = Buffer.byteLength(JSON.stringify(envelopes[0]));
  return {
    fileBytes,
    canonicalBytes,
    envelopeBytes,
    paeBytes: pae.length,
    documents: n,
    seal,
    checkUnsigned,
    sign: signed,
    verify: verified,
    keyParse,
    rawSign,
    rawVerify,
    python,
    body,
    startMs,
    pair,
    signingKey,
  };
}

// ---------------------------------------------------------------- the server

function withSchema(url, schema) {
  const parsed = new URL(url);
  parsed.searchParams.set('schema', schema);
  return parsed.href;
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

/** One full-speed autocannon run taking bodies from `pool`; its figures and the cores used. */
async function fullSpeed(url, pid, headers, pool, op, duration) {
  const before = cpuSnapshot([pid]);
  const instances = await runAutocannon({
    targets: [{ url }],
    connections: options.connections,
    duration,
    headers,
    next: () => ({ op, method: 'POST', ...pool.take() }),
  });
  const cpu = coresUsed(before, cpuSnapshot([pid]));
  const seconds = Math.max(...instances.map((i) => i.seconds));
  const summary = Recorder.merge(instances.map((i) => i.recorder)).summary(seconds);
  const errors = instances.reduce((sum, i) => sum + i.autocannon.errors + i.autocannon.timeouts, 0);
  return { ...summary, errors, cpu, madeDuringRun: pool.sealedDuringRun };
}

/**
 * `warden server` on a fresh database with its audit key in another directory: a contributor
 * token, model "m" (team risk) with version 1, a signing key registered for model-evaluation
 * evidence of team risk; then unsigned documents and signed envelopes at full speed, each a new
 * document (pools built before each run; never one document twice, in or across runs).
 */
async function serverRuns(label, db, keyDir, signing) {
  process.stderr.write(`\n${label}\n`);
  const auditKey = join(keyDir, `audit-${label.replace(/\W+/g, '-')}.key`);
  const server = await startWarden(options.root, bin, db, {
    init: true,
    extraArgs: ['--audit-key', auditKey],
    // The webhook key's default lives in the config directory: keep it in the scratch one.
    env: { XDG_CONFIG_HOME: keyDir },
  });
  try {
    if (server.token === undefined) throw new Error('the server printed no admin token (--init)');
    const { url } = server;
    log(`server ${url} (pid ${server.pid})`);
    const contributor = await api(url, server.token, 'POST', '/api/v1/tokens', {
      name: 'bench-pipeline',
      role: 'contributor',
    });
    await api(url, contributor.secret, 'POST', '/api/v1/models', {
      name: 'm',
      description: 'credit-risk example model (signing benchmark)',
      owner: 'ml-platform@example.com',
      team: 'risk',
    });
    await api(url, contributor.secret, 'POST', '/api/v1/models/m/versions', {
      artifact: { uri: 's3://models/m/1/model.onnx' },
      runId: 'm-run-1',
    });
    await api(url, server.token, 'POST', '/api/v1/signing-keys', {
      name: 'bench-pipeline',
      publicKey: signing.pair.publicKeyPem,
      teams: ['risk'],
      evidenceKinds: ['model-evaluation'],
    });

    const path = '/api/v1/models/m/versions/1/evidence';
    // Far from the in-process documents' times, and each pool in its own range of seconds.
    let seq = 10_000_000;
    const nextDocument = () => documentAt(signing.body, signing.startMs, seq++);
    const unsignedPool = new BodyPool(() => ({ path, body: JSON.stringify(nextDocument()) }));
    const signedPool = new BodyPool(() => ({
      path,
      body: JSON.stringify(core.signEvidence(nextDocument(), signing.signingKey)),
    }));

    // Both kinds accepted, and the signer recorded, before anything is timed.
    const plain = await api(url, contributor.secret, 'POST', path, unsignedPool.take().body);
    const signedReceipt = await api(url, contributor.secret, 'POST', path, signedPool.take().body);
    if (plain.signer !== null || signedReceipt.signer !== 'bench-pipeline' || !signedReceipt.attached)
      throw new Error(`unexpected receipts: ${JSON.stringify(plain)} ${JSON.stringify(signedReceipt)}`);

    const headers = { authorization: `Bearer ${contributor.secret}` };
    const poolFor = (perSecond) => Math.ceil(perSecond * options.duration * 1.5) + 200;
    const runs = {};
    for (const [op, pool] of [
      ['unsigned', unsignedPool],
      ['signed', signedPool],
    ]) {
      pool.prebuild(Math.ceil(3000 * options.warmup));
      const warm = await fullSpeed(url, server.pid, headers, pool, op, options.warmup);
      pool.clear();
      const prebuildMs = pool.prebuild(poolFor(warm.perSecond));
      log(
        `${op}: warm-up ${warm.perSecond} req/s; ${pool.unused} bodies built in ${(prebuildMs / 1000).toFixed(1)} s; ${options.duration} s at full speed …`,
      );
      await new Promise((done) => setTimeout(done, 1000));
      runs[op] = await fullSpeed(url, server.pid, headers, pool, op, options.duration);
      runs[op].prebuildMs = prebuildMs;
      runs[op].bodies = pool.bodies.length;
      pool.clear();
      log(
        `  ${runs[op].perSecond} req/s, p50 ${runs[op].latencyMs.p50} ms, p99 ${runs[op].latencyMs.p99} ms, non-2xx ${runs[op].non2xx}, errors ${runs[op].errors}`,
      );
    }
    return { label, runs, serverLogLines: server.logLines, firstLogLines: server.firstLogLines };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------- the report

const fixed = (x, digits) => (Number.isFinite(x) ? x.toFixed(digits) : '—');
const us = (x) => (x >= 1000 ? `${fixed(x / 1000, 2)} ms` : `${fixed(x, x >= 100 ? 0 : 1)} µs`);
const perSecond = (x) => Math.round(x).toLocaleString('en');
const times = (a, b) => `${fixed(a / b, 2)}×`;
const cpuMsPerRequest = (run) => (run.cpu.servers * 1000) / run.perSecond;
const ms = (x) => fixed(x, x >= 100 ? 0 : x >= 10 ? 1 : 2);

function report(r) {
  const p = r.inProcess;
  const py = p.python;
  const lines = [
    `### Evidence signing benchmark (Warden ${r.warden})`,
    '',
    `${r.machine}; load average ${r.loadAtEnd.map((x) => x.toFixed(2)).join(' / ')} at the end${r.loadAtStart[0] > 1 || r.loadAtEnd[0] > 1 ? ' — **measured while other work ran on the machine** (load above 1 on 2 cores)' : ''}. Node ${process.versions.node} (OpenSSL ${process.versions.openssl}); Python ${py.python} with cryptography ${py.cryptography}.`,
    '',
    `The document: \`warden check model examples/credit-risk/predictions.csv … --json\` (model-evaluation, Age and Marital groups), ${p.fileBytes.toLocaleString('en')} bytes as written, ${p.canonicalBytes.toLocaleString('en')} bytes of canonical JSON; signed, a ${p.envelopeBytes.toLocaleString('en')}-byte DSSE envelope over a ${p.paeBytes.toLocaleString('en')}-byte PAE. ${p.documents.toLocaleString('en')} distinct documents per step (each produced one second after the last, so each has its own id), one thread, after a warm-up of 300 calls.`,
    '',
    '| per document, in process | median | p99 | docs/s |',
    '| --- | ---: | ---: | ---: |',
    ...[
      ['seal only: `sealEvidence` (canonical JSON + SHA-256, what unsigned evidence costs)', p.seal],
      ['check unsigned: `checkEvidenceDocument` (what the server does to an unsigned POST)', p.checkUnsigned],
      ['**sign**: `signEvidence` (check, in-toto statement, canonical JSON, Ed25519 over the PAE)', p.sign],
      ['**verify**: `openEvidenceEnvelope` + `envelopeSigner` (one registered key)', p.verify],
      ['parse a registered public key: `namedPublicKey` (the server, per POST, per key)', p.keyParse],
      ['Ed25519 sign alone, Node `crypto.sign` over the PAE', p.rawSign],
      ['Ed25519 verify alone, Node `crypto.verify` over the PAE', p.rawVerify],
      ['Python `cryptography`: `Ed25519PrivateKey.sign` over the same PAE', py.sign],
      ['Python `cryptography`: `Ed25519PublicKey.verify` over the same PAE', py.verify],
    ].map(([name, t]) => `| ${name} | ${us(t.medianUs)} | ${us(t.p99Us)} | ${perSecond(t.perSecond)} |`),
    '',
    '| ratio (medians) | value |',
    '| --- | ---: |',
    `| Warden sign ÷ Python sign | **${times(p.sign.medianUs, py.sign.medianUs)}** |`,
    `| Warden verify ÷ Python verify | **${times(p.verify.medianUs, py.verify.medianUs)}** |`,
    `| Node Ed25519 sign ÷ Python sign (the primitive alone) | ${times(p.rawSign.medianUs, py.sign.medianUs)} |`,
    `| Node Ed25519 verify ÷ Python verify (the primitive alone) | ${times(p.rawVerify.medianUs, py.verify.medianUs)} |`,
    `| Warden sign ÷ seal only | ${times(p.sign.medianUs, p.seal.medianUs)} |`,
    `| Warden verify ÷ check unsigned | ${times(p.verify.medianUs, p.checkUnsigned.medianUs)} |`,
    '',
    `python verifies warden's envelopes: ${py.verified === p.documents && py.failed === 0 ? 'yes' : 'NO'} (${py.verified.toLocaleString('en')} of ${p.documents.toLocaleString('en')}; its own PAE of the first envelope ${py.samePae ? 'equals' : 'DIFFERS from'} Warden's, and its signature ${py.sameSignature ? 'is byte-for-byte' : 'is NOT'} Warden's: Ed25519 is deterministic).`,
    '',
    `Server: \`warden server --db … --audit-key …\` on a fresh database (the audit key in another temp directory), one process, autocannon at full speed with ${options.connections} connections for ${options.duration} s per run, POSTing to one version; every request a new document (unsigned: the sealed document; signed: a new document's envelope, signed by a key registered for model-evaluation evidence of the model's team). Bodies built before each run; each run after a ${options.warmup} s warm-up of the same kind. At full speed p50 is mostly the queue of ${options.connections} connections; "server CPU per request" is the server process's CPU time divided by the requests it answered. CPU is cores used (of 2) by the server / PostgreSQL / the load generator (this process) / every other process.`,
    '',
    '| database | body | req/s | p50 ms | p99 ms | server CPU per request | non-2xx | errors | CPU: server / PG / load gen / other |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const s of r.server) {
    for (const [op, name] of [
      ['unsigned', `unsigned document (${p.canonicalBytes.toLocaleString('en')} B)`],
      ['signed', `signed envelope (${p.envelopeBytes.toLocaleString('en')} B)`],
    ]) {
      const run = s.runs[op];
      lines.push(
        `| ${s.label} | ${name} | ${perSecond(run.perSecond)} | ${ms(run.latencyMs.p50)} | ${ms(run.latencyMs.p99)} | ${fixed(cpuMsPerRequest(run), 2)} ms | ${run.non2xx} | ${run.errors} | ${run.cpu.servers} / ${s.label === 'PostgreSQL' ? run.cpu.postgres : '—'} / ${run.cpu.loadGenerator} / ${run.cpu.others} |`,
      );
    }
  }
  lines.push(
    '',
    '| database | signed ÷ unsigned, req/s | signed ÷ unsigned, p99 | signed − unsigned, server CPU per request |',
    '| --- | ---: | ---: | ---: |',
  );
  for (const s of r.server) {
    const { signed, unsigned } = s.runs;
    lines.push(
      `| ${s.label} | **${times(signed.perSecond, unsigned.perSecond)}** | ${times(signed.latencyMs.p99, unsigned.latencyMs.p99)} | ${fixed(cpuMsPerRequest(signed) - cpuMsPerRequest(unsigned), 2)} ms |`,
    );
    const made = signed.madeDuringRun + unsigned.madeDuringRun;
    if (made > 0) lines.push('', `${s.label}: ${made} bodies were made during a run (the pool ran dry).`);
    if (s.serverLogLines > 0)
      lines.push('', `${s.label}: the server logged ${s.serverLogLines} warn+ lines: ${s.firstLogLines[0]}`);
  }
  lines.push('');
  return lines.join('\n');
}

// ---------------------------------------------------------------- main

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'warden-signing-bench-'));
  const keyDir = await mkdtemp(join(tmpdir(), 'warden-signing-keys-'));
  scratchDirs.add(dir);
  scratchDirs.add(keyDir);
  const schema = `bench_signing_${process.pid}`;
  try {
    const inProcessFigures = await measureInProcess(dir);
    const server = [await serverRuns('SQLite', `sqlite:${join(dir, 'warden.db')}`, keyDir, inProcessFigures)];
    if (options.pg !== undefined) {
      schemasToDrop.add(schema);
      try {
        server.push(await serverRuns('PostgreSQL', withSchema(options.pg, schema), keyDir, inProcessFigures));
      } finally {
        await dropSchema(options.pg, schema);
      }
    }
    const { body, startMs, pair, signingKey, ...inProcess } = inProcessFigures;
    const text = report({
      warden: revision(options.root),
      machine: machineLine(loadAtStart),
      loadAtStart,
      loadAtEnd: loadavg(),
      inProcess,
      server,
    });
    process.stdout.write(text);
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, 'signing.md'), text);
  } finally {
    for (const scratch of scratchDirs) await rm(scratch, { recursive: true, force: true });
  }
}

async function interrupted(signal) {
  signalChildren('SIGTERM');
  for (const schema of schemasToDrop) await dropSchema(options.pg, schema).catch(() => undefined);
  for (const scratch of scratchDirs) await rm(scratch, { recursive: true, force: true });
  process.exit(signal === 'SIGINT' ? 130 : 143);
}
process.once('SIGINT', interrupted);
process.once('SIGTERM', interrupted);

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`signing benchmark failed: ${error.stack ?? error}\n`);
    signalChildren('SIGTERM');
    process.exit(1);
  },
);
