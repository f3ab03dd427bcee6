// Reproducibility benchmark: what `warden capture` and `warden check repro` cost beside their peers.
//
// 1. Digesting inputs: `warden capture --input PATH -- true` (the built CLI, the whole command) on a
//    generated 1 GiB file and on a directory of 10,000 small files, kept out of git the way DVC
//    keeps data (a data/.gitignore), in a temporary git repository; beside GNU sha256sum on the same
//    data (for the directory, the `sha256sum` listing Warden's directory digest is defined over) and
//    Python's hashlib.md5 in 1 MiB chunks (what DVC computes; dvc_md5.py). Then the same capture
//    with a `.dvc` record of the data beside it, which Warden checks (an md5 pass on top of the
//    SHA-256). Every digest is cross-checked between Warden and its peer.
//    The fixed overhead of a capture: `warden capture -- true` beside `true`, Node's start, the
//    CLI's start (`warden --version`) and the git commands a capture runs, typed by hand.
// 2. `warden check repro` of a small captured run (the node script of docs/reproducibility.md)
//    beside the bare re-run of the command; the git worktree add/remove/prune it runs, timed inside
//    it from git's own trace (GIT_TRACE2_EVENT), beside the same git commands by hand.
//
//   npm run build && node bench/repro/run.mjs [--file-mib N] [--files N] [--runs N]
//                    [--overhead-runs N] [--dir DIR] [--keep] [--python PATH] [--warden DIR]
//
// Prints the report (markdown) on stdout, progress on stderr; writes bench/.out/repro.md. The data
// is generated in a temporary directory under --dir (default the system's) and removed afterwards
// unless --keep.
import { execFileSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { eachOption } from '../lib/args.mjs';
import { sfc32 } from '../lib/benchmark-random.mjs';
import { machineLine, measure, revision } from '../lib/measure.mjs';

const here = import.meta.dirname;
const log = (message) => process.stderr.write(`  ${message}\n`);

function parseArgs(argv) {
  const options = {
    fileMib: 1024,
    files: 10_000,
    runs: 5,
    overheadRuns: 10,
    dir: tmpdir(),
    keep: false,
    python: 'python3',
    root: resolve(here, '../..'),
  };
  eachOption(argv, (arg, value) => {
    if (arg === '--file-mib') options.fileMib = Number(value());
    else if (arg === '--files') options.files = Number(value());
    else if (arg === '--runs') options.runs = Number(value());
    else if (arg === '--overhead-runs') options.overheadRuns = Number(value());
    else if (arg === '--dir') options.dir = resolve(value());
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--python') options.python = value();
    else if (arg === '--warden') options.root = resolve(value());
    else throw new Error(`unknown option ${arg}`);
  });
  for (const name of ['fileMib', 'files', 'runs', 'overheadRuns']) {
    if (!(Number.isInteger(options[name]) && options[name] > 0))
      throw new Error(`--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a positive integer`);
  }
  return options;
}

const options = parseArgs(process.argv.slice(2));
const loadAtStart = loadavg();
const cli = join(options.root, 'bin/warden.js');
const node = process.execPath;
const md5Script = join(here, 'dvc_md5.py');

// ---------------------------------------------------------------- small helpers

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const walls = (runs) => runs.map((run) => run.wall);
const medianWall = (runs) => median(walls(runs));
const ms = (seconds) => (seconds * 1000).toFixed(seconds < 0.1 ? 1 : 0);
const range = (runs) => `${ms(Math.min(...walls(runs)))}–${ms(Math.max(...walls(runs)))}`;
const mbPerSecond = (bytes, seconds) => bytes / 1e6 / seconds;
const fmtRate = (rate) => (rate >= 100 ? rate.toFixed(0) : rate.toFixed(1));
const ratio = (x) => `${x.toFixed(2)}×`;

const gitIdentity = {
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
};
function git(cwd, ...args) {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...gitIdentity } }).trim();
}

/** A git repository at `dir` holding `files` (path → text) in one commit on main. */
function newRepository(dir, files) {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'benchmark repository');
  return git(dir, 'rev-parse', 'HEAD');
}

function writeRandomFile(path, bytes, buffer) {
  const fd = openSync(path, 'w');
  for (let left = bytes; left > 0; ) {
    const n = Math.min(left, buffer.length);
    randomFillSync(buffer, 0, n);
    writeSync(fd, buffer, 0, n);
    left -= n;
  }
  closeSync(fd);
}

/** `count` files of 1–31 KiB of random bytes in 100 subdirectories, as an image data set is laid out. */
function writeSmallFiles(dir, count) {
  const random = sfc32(20261207);
  const buffer = Buffer.alloc(32 * 1024);
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const sub = join(dir, `class-${String(i % 100).padStart(2, '0')}`);
    if (i < 100) mkdirSync(sub, { recursive: true });
    const size = 1024 + Math.floor(random() * 30 * 1024);
    writeRandomFile(join(sub, `img-${String(i).padStart(5, '0')}.bin`), size, buffer);
    bytes += size;
  }
  return bytes;
}

// ---------------------------------------------------------------- 1. digesting inputs

async function digestBench(scratch) {
  const repo = join(scratch, 'data-repo');
  newRepository(repo, {
    'train.py': 'print("the training script is not run: the benchmark captures `true`")\n',
    'requirements.txt': 'scikit-learn==1.2.1\n',
    'data/.gitignore': '/big.bin\n/images\n',
  });
  log(`generating ${options.fileMib} MiB file and ${options.files.toLocaleString('en')} small files …`);
  const fileBytes = options.fileMib * 2 ** 20;
  writeRandomFile(join(repo, 'data/big.bin'), fileBytes, Buffer.alloc(16 * 2 ** 20));
  const dirBytes = writeSmallFiles(join(repo, 'data/images'), options.files);
  // Written pages go to disk now, not while the contestants run; the page cache keeps them all.
  execFileSync('sync');
  execFileSync(
    'sh',
    ['-c', 'cat data/big.bin > /dev/null && find data/images -type f -exec cat {} + > /dev/null'],
    {
      cwd: repo,
    },
  );

  const evidenceFile = join(scratch, 'capture.json');
  const stdoutFile = join(scratch, 'stdout.txt');
  const evidence = () => JSON.parse(readFileSync(evidenceFile, 'utf8'));
  const stdout = () => readFileSync(stdoutFile, 'utf8').trim();
  const capture = (label, args) =>
    measure(label, node, [cli, 'capture', ...args, '--evidence', evidenceFile, '--', 'true'], { cwd: repo });

  // The fixed overhead: a capture with no input, beside its parts.
  const gitFacts = [
    'git rev-parse --show-toplevel',
    'git rev-parse --verify -q "HEAD^{commit}"',
    'git rev-parse HEAD',
    'git symbolic-ref --short -q HEAD',
    'git remote',
    'git status --porcelain=v1 -z --untracked-files=all',
    "git ls-files -z --cached --others --exclude-standard -- dvc.lock '*/dvc.lock' '*.dvc'",
  ]
    .map((command) => `${command} > /dev/null`)
    .join('; ');
  const overhead = { true: [], node: [], version: [], git: [], capture: [] };
  log(`fixed overhead, ${options.overheadRuns} rounds`);
  for (let round = 0; round < options.overheadRuns; round++) {
    overhead.true.push(await measure('true', 'true', [], { cwd: repo }));
    overhead.node.push(await measure('node -e 0', node, ['-e', '0'], { cwd: repo }));
    overhead.version.push(await measure('warden --version', node, [cli, '--version'], { cwd: repo }));
    overhead.git.push(await measure('git facts by hand', 'sh', ['-c', gitFacts], { cwd: repo }));
    overhead.capture.push(await capture('warden capture -- true', []));
  }
  const capturedSource = evidence().source;
  if (capturedSource.dirty) throw new Error(`the data repository is dirty: ${capturedSource.changedPaths}`);

  const sets = [
    {
      name: `one ${options.fileMib.toLocaleString('en')} MiB file`,
      path: 'data/big.bin',
      bytes: fileBytes,
      files: 1,
    },
    {
      name: `${options.files.toLocaleString('en')} files of 1–31 KiB`,
      path: 'data/images',
      bytes: dirBytes,
      files: options.files,
    },
  ];
  for (const set of sets) {
    const directory = set.files > 1;
    // The `sha256sum` listing of the directory's files, relative and sorted, is what Warden's
    // directory digest is the SHA-256 of; OpenSSL's digests are put in the same listing.
    const listing = (digestCommand) =>
      `find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs -d '\\n' ${digestCommand} | sha256sum`;
    const sha256sum = directory
      ? () =>
          measure('sha256sum', 'sh', ['-c', listing('sha256sum')], { cwd: join(repo, set.path), stdoutFile })
      : () => measure('sha256sum', 'sha256sum', [set.path], { cwd: repo, stdoutFile });
    const opensslSha256 = directory
      ? () =>
          measure(
            'openssl dgst -sha256',
            'sh',
            ['-c', listing("openssl dgst -sha256 -r | sed 's/ \\*/  /'")],
            {
              cwd: join(repo, set.path),
              stdoutFile,
            },
          )
      : () =>
          measure('openssl dgst -sha256', 'openssl', ['dgst', '-sha256', '-r', set.path], {
            cwd: repo,
            stdoutFile,
          });
    const dvcFile = join(repo, `${set.path}.dvc`);
    set.runs = { sha256sum: [], openssl: [], md5: [], warden: [], wardenDvc: [] };
    log(`${set.name} (${(set.bytes / 2 ** 20).toFixed(0)} MiB), ${options.runs} rounds`);
    for (let round = 0; round < options.runs; round++) {
      set.runs.sha256sum.push(await sha256sum());
      const sha256 = stdout().split(/\s+/)[0];
      set.runs.openssl.push(await opensslSha256());
      if (stdout().split(/\s+/)[0] !== sha256)
        throw new Error(`${set.path}: openssl's SHA-256 ${stdout()} differs from sha256sum's ${sha256}`);
      set.runs.md5.push(
        await measure('python md5', options.python, [md5Script, set.path], { cwd: repo, stdoutFile }),
      );
      const [md5, fileCount] = stdout().split(' ');
      set.runs.warden.push(await capture('warden capture --input', ['--input', set.path]));
      const recorded = evidence().data.find((input) => input.path === set.path);
      if (recorded?.digest !== `sha256:${sha256}`)
        throw new Error(`${set.path}: Warden recorded ${recorded?.digest}, sha256sum says ${sha256}`);
      if (directory && (recorded.files !== set.files || Number(fileCount) !== set.files))
        throw new Error(`${set.path}: Warden counted ${recorded.files} files, Python ${fileCount}`);
      // DVC 3's record of the data; Warden refuses the capture (exit 2) when its md5 disagrees.
      writeFileSync(
        dvcFile,
        `outs:\n- md5: ${md5}\n  size: ${set.bytes}\n${directory ? `  nfiles: ${set.files}\n` : ''}  hash: md5\n  path: ${set.path.split('/').at(-1)}\n`,
      );
      try {
        set.runs.wardenDvc.push(
          await capture('warden capture --input, with a .dvc record', ['--input', set.path]),
        );
      } finally {
        await rm(dvcFile);
      }
      const checked = evidence().data.find((input) => input.path === set.path);
      if (checked?.dvc?.md5 !== md5 || checked.dvc.matches !== true)
        throw new Error(
          `${set.path}: Warden's DVC check recorded ${JSON.stringify(checked?.dvc)}, Python's md5 is ${md5}`,
        );
    }
  }
  return { overhead, sets, gitCommands: 7 };
}

// ---------------------------------------------------------------- 2. check repro

const trainScript = `const fs = require('node:fs');
const crypto = require('node:crypto');
const data = fs.readFileSync('data/train.csv');
fs.mkdirSync('out', { recursive: true });
const weights = crypto.createHash('sha256').update(data + process.env.SEED).digest('hex');
fs.writeFileSync('out/model.json', JSON.stringify({ weights }));
`;

/**
 * The seconds each top-level git process ran for, from a GIT_TRACE2_EVENT file, by its first two
 * words (`worktree add`, `rev-parse`). Processes git starts itself are inside their parent's time.
 */
function gitSecondsByCommand(traceFile) {
  const processes = new Map();
  for (const line of readFileSync(traceFile, 'utf8').split('\n')) {
    if (line === '') continue;
    const event = JSON.parse(line);
    if (event.sid.includes('/')) continue;
    const known = processes.get(event.sid) ?? {};
    if (event.event === 'start') known.argv = event.argv;
    if (event.event === 'atexit') known.seconds = event.t_abs;
    processes.set(event.sid, known);
  }
  const byCommand = {};
  for (const { argv, seconds } of processes.values()) {
    const words = argv.slice(1).filter((word) => !word.startsWith('-'));
    const name = words[0] === 'worktree' ? `worktree ${words[1]}` : words[0];
    byCommand[name] = (byCommand[name] ?? 0) + seconds;
  }
  return byCommand;
}

async function reproBench(scratch) {
  const repo = join(scratch, 'churn');
  const commit = newRepository(repo, {
    'data/train.csv': 'x,y\n1,0\n2,1\n3,1\n',
    'train.js': trainScript,
    'package-lock.json': '{"name":"churn","lockfileVersion":3}\n',
    '.gitignore': 'out/\n',
  });
  const captureFile = join(scratch, 'churn-capture.json');
  const verifiedFile = join(scratch, 'churn-verified.json');
  await measure(
    'warden capture -- node train.js',
    node,
    [
      cli,
      'capture',
      '--input',
      'data/train.csv',
      '--output',
      'out/model.json',
      '--seed',
      'SEED=7',
      '--evidence',
      captureFile,
      '--',
      node,
      'train.js',
    ],
    { cwd: repo },
  );
  const byHand = join(scratch, 'by-hand');
  const worktreeByHand =
    'git worktree add --detach --quiet "$1" "$2" && git worktree remove --force "$1" && git worktree prune';
  const runs = { bare: [], startup: [], byHand: [], check: [], traced: [] };
  const traces = [];
  log(`check repro, ${options.runs} rounds`);
  for (let round = 0; round < options.runs; round++) {
    runs.bare.push(
      await measure('node train.js', node, ['train.js'], { cwd: repo, env: { ...process.env, SEED: '7' } }),
    );
    runs.startup.push(await measure('warden --version', node, [cli, '--version'], { cwd: repo }));
    runs.byHand.push(
      await measure('git worktree add + remove + prune', 'sh', ['-c', worktreeByHand, 'sh', byHand, commit], {
        cwd: repo,
      }),
    );
    runs.check.push(
      await measure(
        'warden check repro',
        node,
        [cli, 'check', 'repro', captureFile, '--json', verifiedFile],
        { cwd: repo },
      ),
    );
    const verification = JSON.parse(readFileSync(verifiedFile, 'utf8')).verification;
    if (!verification.reproducible || verification.runs !== 1)
      throw new Error(`check repro: ${JSON.stringify(verification)}`);
    const traceFile = join(scratch, `trace-${round}.json`);
    runs.traced.push(
      await measure(
        'warden check repro, traced',
        node,
        [cli, 'check', 'repro', captureFile, '--json', verifiedFile],
        {
          cwd: repo,
          env: { ...process.env, GIT_TRACE2_EVENT: traceFile },
        },
      ),
    );
    traces.push(gitSecondsByCommand(traceFile));
  }
  return { runs, traces };
}

// ---------------------------------------------------------------- the report

function digestReport({ overhead, sets, gitCommands }) {
  const fixed = medianWall(overhead.capture);
  const lines = [
    `### Fixed overhead of a capture (medians of ${options.overheadRuns}, in the data repository)`,
    '',
    '| command | median ms | min–max ms |',
    '| --- | ---: | ---: |',
    ...[
      ['`true` run directly', overhead.true],
      ['`node -e 0` (Node starting)', overhead.node],
      ['`warden --version` (Node + the CLI loading)', overhead.version],
      [`the ${gitCommands} git commands a capture runs, by hand (one \`sh -c\`)`, overhead.git],
      ['`warden capture --evidence F -- true`', overhead.capture],
    ].map(([label, runs]) => `| ${label} | ${ms(medianWall(runs))} | ${range(runs)} |`),
    '',
    `A capture adds ${ms(fixed - medianWall(overhead.true))} ms to the command it runs; ${ms(medianWall(overhead.version))} ms of it is Node and the CLI starting.`,
    '',
    `### Digesting inputs (medians of ${options.runs}; data in the page cache; MB = 10⁶ bytes)`,
    '',
    '| data | contestant | median s | min–max ms | MB/s | CPU s | peak RSS MB |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  const labels = {
    sha256sum: '`sha256sum` (GNU coreutils)',
    openssl: '`openssl dgst -sha256`',
    md5: 'Python `hashlib.md5`, 1 MiB chunks (DVC)',
    warden: '`warden capture --input`',
    wardenDvc: '`warden capture --input`, with a `.dvc` record (SHA-256 + md5 check)',
  };
  for (const set of sets) {
    for (const [key, label] of Object.entries(labels)) {
      const runs = set.runs[key];
      const wall = medianWall(runs);
      lines.push(
        `| ${set.name} | ${label} | ${wall.toFixed(2)} | ${range(runs)} | ${fmtRate(mbPerSecond(set.bytes, wall))} | ${median(runs.map((r) => r.cpu)).toFixed(2)} | ${median(runs.map((r) => r.peakMb)).toFixed(0)} |`,
      );
    }
  }
  lines.push(
    '',
    '| data | Warden MB/s (whole command) | Warden MB/s (less the fixed overhead) | Warden ÷ `sha256sum` | Warden ÷ `openssl` | Warden ÷ Python md5 | Warden with `.dvc` ÷ Python md5 |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const set of sets) {
    const rate = (key) => mbPerSecond(set.bytes, medianWall(set.runs[key]));
    const digestSeconds = medianWall(set.runs.warden) - fixed;
    // On a small data set the capture's own spread can exceed the digesting.
    const digestOnly = digestSeconds > 0 ? fmtRate(mbPerSecond(set.bytes, digestSeconds)) : '—';
    lines.push(
      `| ${set.name} | ${fmtRate(rate('warden'))} | ${digestOnly} | ${ratio(rate('warden') / rate('sha256sum'))} | ${ratio(rate('warden') / rate('openssl'))} | ${ratio(rate('warden') / rate('md5'))} | ${ratio(rate('wardenDvc') / rate('md5'))} |`,
    );
  }
  lines.push(
    '',
    "Ratios are of throughput (above 1× Warden is faster). Every digest agreed with its peer: the SHA-256 with `sha256sum`'s and `openssl`'s, the `.dvc` md5 Warden checked with Python's.",
    '',
  );
  return lines;
}

function reproReport({ runs, traces }) {
  const total = medianWall(runs.check);
  const tracedTotal = medianWall(runs.traced);
  const gitPart = (names) => median(traces.map((t) => names.reduce((sum, name) => sum + (t[name] ?? 0), 0)));
  const worktreeNames = ['worktree add', 'worktree remove', 'worktree prune'];
  const otherGit = median(
    traces.map((t) =>
      Object.entries(t)
        .filter(([name]) => !worktreeNames.includes(name))
        .reduce((sum, [, seconds]) => sum + seconds, 0),
    ),
  );
  const commands = [...new Set(traces.flatMap((t) => Object.keys(t)))].sort();
  const checkout = gitPart(worktreeNames);
  const bare = medianWall(runs.bare);
  const startup = medianWall(runs.startup);
  const rest = tracedTotal - startup - checkout - otherGit - bare;
  return [
    `### \`warden check repro\` of a small captured run (medians of ${options.runs})`,
    '',
    '| command | median ms | min–max ms |',
    '| --- | ---: | ---: |',
    `| the bare re-run: \`node train.js\` | ${ms(bare)} | ${range(runs.bare)} |`,
    `| \`git worktree add --detach\` + \`remove --force\` + \`prune\`, by hand | ${ms(medianWall(runs.byHand))} | ${range(runs.byHand)} |`,
    `| \`warden check repro capture.json --json F\` | ${ms(total)} | ${range(runs.check)} |`,
    `| the same with GIT_TRACE2_EVENT set (for the parts below) | ${ms(tracedTotal)} | ${range(runs.traced)} |`,
    '',
    `\`check repro\` takes ${ratio(total / bare)} the bare re-run. Where the traced run's ${ms(tracedTotal)} ms go:`,
    '',
    '| part | median ms |',
    '| --- | ---: |',
    `| Node and the CLI starting (\`warden --version\`, ${range(runs.startup)} ms) | ${ms(startup)} |`,
    `| the checkout: git ${worktreeNames.join(' / ')} inside check repro (git's own trace) | ${ms(checkout)} (by hand: ${ms(medianWall(runs.byHand))}, ${ratio(checkout / medianWall(runs.byHand))}) |`,
    `| other git commands (${commands.filter((c) => !worktreeNames.includes(c)).join(', ')}) | ${ms(otherGit)} |`,
    `| the re-run (the bare re-run's median) | ${ms(bare)} |`,
    `| the rest: inputs digested and copied in, outputs digested, evidence sealed and written, report (the remainder) | ${ms(rest)} |`,
    '',
    'Per git command inside check repro, median ms: ' +
      commands.map((name) => `${name} ${ms(median(traces.map((t) => t[name] ?? 0)))}`).join(', ') +
      '.',
    '',
  ];
}

// ---------------------------------------------------------------- main

const scratch = await mkdtemp(join(options.dir, 'warden-bench-repro-'));
let report;
try {
  const digests = await digestBench(scratch);
  const repro = await reproBench(scratch);
  report = [
    `## Reproducibility benchmark (${revision(options.root)})`,
    '',
    `${machineLine(loadAtStart)}; load average at the end ${loadavg()
      .map((x) => x.toFixed(2))
      .join(
        ' / ',
      )}. ${execFileSync('sha256sum', ['--version'], { encoding: 'utf8' }).split('\n')[0]}, ${execFileSync(options.python, ['--version'], { encoding: 'utf8' }).trim()}, git ${git(scratch, 'version').replace('git version ', '')}, Node ${process.version}.`,
    '',
    ...digestReport(digests),
    ...reproReport(repro),
  ].join('\n');
} finally {
  if (options.keep) log(`kept ${scratch}`);
  else await rm(scratch, { recursive: true, force: true });
}
process.stdout.write(`${report}\n`);
mkdirSync(resolve(here, '../.out'), { recursive: true });
writeFileSync(resolve(here, '../.out/repro.md'), `${report}\n`);
