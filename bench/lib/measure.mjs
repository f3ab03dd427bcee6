// Measurement helpers the benchmarks share: run a command under GNU time for its wall time, CPU
// time and peak RSS; warm the page cache; name the revision being measured.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, createReadStream, existsSync, openSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

const gnuTime = '/usr/bin/time';

/**
 * Runs a command and measures its wall time, CPU time and peak RSS (the high-water mark of the
 * largest process in its tree, as GNU time reports it; else VmHWM of the child, polled). The
 * command's stdout goes to `stdoutFile` when given; GNU time writes its report in `scratchDir`. It
 * runs in `cwd` with `env` (default: this process's).
 */
export async function measure(
  label,
  command,
  args,
  { okCodes = [0], stdoutFile, scratchDir = tmpdir(), cwd, env } = {},
) {
  const timeFile = join(scratchDir, `time-${process.pid}.txt`);
  const useGnuTime = existsSync(gnuTime);
  const [file, argv] = useGnuTime ? [gnuTime, ['-v', '-o', timeFile, command, ...args]] : [command, args];
  process.stderr.write(`  ${label} … `);
  const out = stdoutFile === undefined ? 'ignore' : openSync(stdoutFile, 'w');
  const started = performance.now();
  const child = spawn(file, argv, { stdio: ['ignore', out, 'pipe'], cwd, env });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  let polledKb = 0;
  const poll = useGnuTime
    ? undefined
    : setInterval(async () => {
        const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
        polledKb = Math.max(polledKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      }, 50);
  const code = await new Promise((done) => child.on('close', done));
  const wall = (performance.now() - started) / 1000;
  if (poll) clearInterval(poll);
  if (typeof out === 'number') closeSync(out);
  if (!okCodes.includes(code)) throw new Error(`${label} failed (exit ${code}):\n${stderr.trim()}`);
  let peakMb = polledKb / 1024;
  let cpu;
  if (useGnuTime) {
    const report = await readFile(timeFile, 'utf8');
    await rm(timeFile, { force: true });
    const field = (name) => Number(new RegExp(`${name}: ([\\d.]+)`).exec(report)?.[1]);
    peakMb = field('Maximum resident set size \\(kbytes\\)') / 1024;
    cpu = field('User time \\(seconds\\)') + field('System time \\(seconds\\)');
  }
  process.stderr.write(`${wall.toFixed(wall < 1 ? 3 : 1)} s\n`);
  const note = stderr
    .split('\n')
    .filter((line) => line.startsWith('python:'))
    .join(' ');
  return { label, wall, cpu, peakMb, note };
}

/** Reads the file once so that every contestant starts with it in the page cache. */
export async function warmCache(file) {
  for await (const _ of createReadStream(file, { highWaterMark: 1 << 22 }));
}

export function revision(root) {
  try {
    return execFileSync('git', ['-C', root, 'describe', '--always', '--dirty'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return root;
  }
}

/** The machine in one line: CPUs, memory, and the load average when the run started. */
export function machineLine(loadAtStart = loadavg()) {
  return `${cpus().length} CPUs (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, load average ${loadAtStart.map((x) => x.toFixed(2)).join(' / ')} (1/5/15 min) at start`;
}

/**
 * Whether a generated data file can be reused: it exists and the stamp written beside it records
 * the same generator version, row count and size (an interrupted or older generation is redone).
 */
export async function generatedFileIsFresh(file, stampFile, { generatorVersion, rows, force = false }) {
  if (force || !existsSync(file) || !existsSync(stampFile)) return false;
  const recorded = JSON.parse(await readFile(stampFile, 'utf8'));
  return (
    recorded.generatorVersion === generatorVersion &&
    recorded.rows === rows &&
    recorded.csvBytes === (await stat(file)).size
  );
}
