// Audit-log benchmark: appends per second (one writer, and many at once — two server replicas on
// PostgreSQL) on SQLite and PostgreSQL, beside plain INSERTs of the same rows without the chain
// (the ceiling the chain costs against); and verification of one million entries, by Warden
// (`warden audit verify --db`, end to end) beside a Python verifier of the same chain (sqlite3 +
// hashlib). The issue's target: verify 1,000,000 entries in under 10 seconds.
//
//   npm run build && node bench/audit/run.mjs [--appends N] [--writers W] [--verify-entries N]
//                                             [--pg URL] [--no-pg] [--warden DIR]
//
// Prints a markdown report on stdout (progress on stderr) and writes bench/.out/audit.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { eachOption } from '../lib/args.mjs';
import { revision } from '../lib/measure.mjs';
import { importWardenModule } from '../lib/warden-dist.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const log = (message) => process.stderr.write(`  ${message}\n`);

function parseArgs(argv) {
  const options = {
    appends: 3000,
    writers: 8,
    verifyEntries: 1_000_000,
    pg: process.env['WARDEN_BENCH_PG'] ?? 'postgres://root@127.0.0.1:5432/test',
    usePg: true,
    warden: root,
  };
  eachOption(argv, (arg, value) => {
    if (arg === '--appends') options.appends = Number(value());
    else if (arg === '--writers') options.writers = Number(value());
    else if (arg === '--verify-entries') options.verifyEntries = Number(value());
    else if (arg === '--pg') options.pg = value();
    else if (arg === '--no-pg') options.usePg = false;
    else if (arg === '--warden') options.warden = resolve(value());
    else throw new Error(`unknown option ${arg}`);
  });
  return options;
}

const options = parseArgs(process.argv.slice(2));
const { AuditLog } = await importWardenModule(options.warden, 'audit');
const { openStore } = await importWardenModule(options.warden, 'store');
const { sql } = await import('kysely');

const record = (i) => ({
  actor: `writer-${i % 8}`,
  action: 'evidence.attached',
  subject: { type: 'model-version', name: 'credit-risk', version: String(1 + (i % 50)) },
  payload: {
    id: `sha256:${createHash('sha256').update(String(i)).digest('hex')}`,
    kind: 'model-evaluation',
    passed: i % 3 !== 0,
  },
});

/** Appends `count` entries with `writers` concurrent appenders spread over `stores`. */
async function appendRate(stores, count, writers) {
  const logs = stores.map((store) => new AuditLog(store));
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const auditLog = logs[w % logs.length];
      for (let i = next++; i < count; i = next++) await auditLog.record(record(i));
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

/** The same rows as plain INSERTs, one transaction each, with no head read, lock or hashing. */
async function plainInsertRate(store, count, writers) {
  await sql`create table if not exists plain_log (seq integer primary key, at text, actor text, action text, subject text, payload text)`.execute(
    store.db,
  );
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      for (let i = next++; i < count; i = next++) {
        const r = record(i);
        await store.transaction((trx) =>
          sql`insert into plain_log values (${i + 1}, ${new Date().toISOString()}, ${r.actor}, ${r.action}, ${JSON.stringify(r.subject)}, ${JSON.stringify(r.payload)})`.execute(
            trx,
          ),
        );
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

async function appendBench(name, open) {
  const rows = [];
  for (const writers of [1, options.writers]) {
    const store = await open();
    const replica = name === 'PostgreSQL' && writers > 1 ? await open(false) : undefined;
    try {
      const chained = await appendRate(replica ? [store, replica] : [store], options.appends, writers);
      const plain = await plainInsertRate(store, options.appends, writers);
      rows.push({ name, writers: replica ? `${writers} (2 replicas)` : String(writers), chained, plain });
      log(
        `${name}, ${writers} writer(s): ${chained.toFixed(0)} appends/s (plain inserts ${plain.toFixed(0)}/s)`,
      );
    } finally {
      await replica?.close();
      await store.close();
    }
  }
  return rows;
}

/** Writes `count` chained entries straight into a fresh SQLite file, hashing as AuditLog does. */
function buildLog(file, count) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`create table audit_log (seq integer primary key, at text not null, actor text not null, action text not null,
    subject text not null, payload text not null, prev_hash text not null, hash text not null);
    create table audit_checkpoints (seq integer primary key, hash text not null, at text not null, key_id text not null, signature text not null);`);
  const insert = db.prepare('insert into audit_log values (?, ?, ?, ?, ?, ?, ?, ?)');
  let prev = `sha256:${'0'.repeat(64)}`;
  const base = Date.parse('2026-11-01T00:00:00Z');
  db.transaction(() => {
    for (let seq = 1; seq <= count; seq++) {
      const r = record(seq);
      const at = new Date(base + seq * 1000).toISOString();
      const subject = `{"name":"credit-risk","type":"model-version","version":${JSON.stringify(r.subject.version)}}`;
      const payload = `{"id":${JSON.stringify(r.payload.id)},"kind":"model-evaluation","passed":${r.payload.passed}}`;
      const canonical = `{"action":${JSON.stringify(r.action)},"actor":${JSON.stringify(r.actor)},"at":${JSON.stringify(at)},"payload":${payload},"seq":${seq},"subject":${subject}}`;
      const hash = `sha256:${createHash('sha256').update(prev).update(canonical).digest('hex')}`;
      insert.run(seq, at, r.actor, r.action, subject, payload, prev, hash);
      prev = hash;
    }
  })();
  db.close();
}

const pythonVerifier = `
import hashlib, json, sqlite3, sys, time
started = time.perf_counter()
db = sqlite3.connect(sys.argv[1])
prev = 'sha256:' + '0' * 64
count = 0
for seq, at, actor, action, subject, payload, prev_hash, hash_ in db.execute('select * from audit_log order by seq'):
    entry = {'seq': seq, 'at': at, 'actor': actor, 'action': action,
             'subject': json.loads(subject), 'payload': json.loads(payload)}
    canonical = json.dumps(entry, sort_keys=True, separators=(',', ':'), ensure_ascii=False)
    digest = 'sha256:' + hashlib.sha256((prev + canonical).encode()).hexdigest()
    if prev_hash != prev or digest != hash_:
        print(json.dumps({'ok': False, 'seq': seq})); sys.exit(1)
    prev = digest
    count += 1
print(json.dumps({'ok': True, 'entries': count, 'seconds': time.perf_counter() - started}))
`;

async function verifyBench() {
  const dir = await mkdtemp(join(tmpdir(), 'warden-audit-bench-'));
  try {
    const file = join(dir, 'warden.db');
    log(`building a chain of ${options.verifyEntries.toLocaleString('en')} entries …`);
    buildLog(file, options.verifyEntries);
    const keyFile = join(dir, 'audit-signing.key');
    writeFileSync(
      keyFile,
      generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }),
    );
    // Opening through Warden adds the migrations bookkeeping, as a real server's database has.
    const started = performance.now();
    const run = spawnSync(
      process.execPath,
      [
        join(options.warden, 'bin/warden.js'),
        'audit',
        'verify',
        '--db',
        `sqlite:${file}`,
        '--audit-key',
        keyFile,
      ],
      { encoding: 'utf8' },
    );
    const warden = (performance.now() - started) / 1000;
    if (run.status !== 0) throw new Error(`warden audit verify failed: ${run.stdout}${run.stderr}`);
    log(`warden: ${run.stdout.trim()} in ${warden.toFixed(2)} s`);
    const pyStarted = performance.now();
    const py = execFileSync('python3', ['-c', pythonVerifier, file], { encoding: 'utf8' });
    const python = (performance.now() - pyStarted) / 1000;
    log(`python: ${py.trim()} in ${python.toFixed(2)} s`);
    return { warden, python, entries: options.verifyEntries };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const appendRows = [];
{
  const dir = await mkdtemp(join(tmpdir(), 'warden-audit-appends-'));
  let n = 0;
  appendRows.push(...(await appendBench('SQLite', () => openStore(`sqlite:${join(dir, `a${n++}.db`)}`))));
  await rm(dir, { recursive: true, force: true });
}
if (options.usePg) {
  const schema = `bench_audit_${process.pid}`;
  const url = `${options.pg}${options.pg.includes('?') ? '&' : '?'}schema=${schema}`;
  const admin = await openStore(url);
  const reset = async () => {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db);
  };
  try {
    appendRows.push(
      ...(await appendBench('PostgreSQL', async (fresh = true) => {
        if (fresh) await reset();
        return openStore(url);
      })),
    );
  } finally {
    await reset();
    await admin.close();
  }
}
const verify = await verifyBench();

const fmt = (n) => Math.round(n).toLocaleString('en');
const report = [
  `# Audit log benchmark (${revision(root)}, ${cpus().length} cores, load ${loadavg()[0].toFixed(2)})`,
  '',
  `Appends: ${options.appends.toLocaleString('en')} entries per run, each in its own transaction (as the server appends), beside plain INSERTs of the same rows without the chain.`,
  '',
  '| database | writers | chained appends/s | plain inserts/s | chained ÷ plain |',
  '| --- | --- | ---: | ---: | ---: |',
  ...appendRows.map(
    (r) =>
      `| ${r.name} | ${r.writers} | ${fmt(r.chained)} | ${fmt(r.plain)} | ${(r.chained / r.plain).toFixed(2)}× |`,
  ),
  '',
  `Verification of ${verify.entries.toLocaleString('en')} entries (SQLite file, process start to verdict):`,
  '',
  '| verifier | seconds | entries/s | speed vs Python |',
  '| --- | ---: | ---: | ---: |',
  `| \`warden audit verify --db\` | ${verify.warden.toFixed(2)} | ${fmt(verify.entries / verify.warden)} | ${(verify.python / verify.warden).toFixed(2)}× |`,
  `| Python (sqlite3 + json + hashlib) | ${verify.python.toFixed(2)} | ${fmt(verify.entries / verify.python)} | 1.00× |`,
  '',
  `Target: 1,000,000 entries in under 10 s — ${verify.entries >= 1_000_000 && verify.warden < 10 ? 'met' : 'not met'}.`,
  '',
].join('\n');
process.stdout.write(report);
mkdirSync(resolve(here, '../.out'), { recursive: true });
writeFileSync(resolve(here, '../.out/audit.md'), report);
