// Child processes of the benchmarks (Warden servers and gateways, nginx, the upstreams and load
// generators) and the CPU they use. Every child is tracked and sent SIGTERM when the benchmark
// exits, fails or is interrupted; nginx's master stops its own workers on SIGTERM, Warden closes
// its database.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const children = new Set();

/** Spawns a child that is stopped with the benchmark, whatever way the benchmark ends. */
export function spawnTracked(command, args, options) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Collects a child's output, and resolves the first match of `pattern` in it (or fails on exit). */
export function awaitLine(child, name, pattern, timeoutMs = 20_000) {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk) => {
      output += chunk;
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal ?? `code ${code}`}) before it listened:\n${output}`));
    });
  });
}

export function signalChildren(signal = 'SIGTERM') {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill(signal);
      } catch {
        // gone already
      }
    }
  }
}

process.once('exit', () => signalChildren('SIGTERM'));

/** Sends SIGTERM, waits up to `graceMs` for the exit, then SIGKILL. */
export async function stopChild(child, graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** A port nothing listens on now (for nginx; Warden is started with --port 0 and says its port). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------- CPU accounting from /proc

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime (+ cutime + cstime: reaped children, e.g. PostgreSQL backends that exited) in s. */
function processSeconds(pid, withChildren) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
    let ticks = Number(fields[11]) + Number(fields[12]);
    if (withChildren) ticks += Number(fields[13]) + Number(fields[14]);
    return ticks / clockTicks;
  } catch {
    return 0;
  }
}

/** CPU seconds of this process and its reaped children (a finished wrk, say). */
export function ownSecondsWithChildren() {
  return processSeconds('self', true);
}

function secondsOfCommand(name) {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let comm;
    try {
      comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (comm === name) total += processSeconds(entry, true);
  }
  return total;
}

function machineSeconds() {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = values.map(Number);
  return {
    busy: (user + nice + system + irq + softirq + steal) / clockTicks,
    interrupts: (irq + softirq) / clockTicks,
    idle: (idle + iowait) / clockTicks,
  };
}

/**
 * A snapshot of CPU seconds used so far: by the given server pids, by all `postgres` and all
 * `nginx` processes, by this process (the load generator), and by the machine.
 */
export function cpuSnapshot(serverPids) {
  const self = process.cpuUsage();
  return {
    at: performance.now(),
    servers: serverPids.reduce((sum, pid) => sum + processSeconds(pid, false), 0),
    postgres: secondsOfCommand('postgres'),
    nginx: secondsOfCommand('nginx'),
    loadGenerator: (self.user + self.system) / 1e6,
    machine: machineSeconds(),
  };
}

/** Cores used between two snapshots (1.0 = one core busy all the time). */
export function coresUsed(before, after) {
  const wall = (after.at - before.at) / 1000;
  const raw = (key) => (after[key] - before[key]) / wall;
  const fixed = (x) => Number(Math.max(0, x).toFixed(2));
  const machineBusy = (after.machine.busy - before.machine.busy) / wall;
  const interrupts = (after.machine.interrupts - before.machine.interrupts) / wall;
  const ours = raw('servers') + raw('postgres') + raw('nginx') + raw('loadGenerator');
  return {
    servers: fixed(raw('servers')),
    postgres: fixed(raw('postgres')),
    nginx: fixed(raw('nginx')),
    loadGenerator: fixed(raw('loadGenerator')),
    /** Interrupt handling (irq + softirq: much of the loopback network stack), charged to no process. */
    interrupts: fixed(interrupts),
    /** Everything else on the machine: other processes (another session's tests, say). */
    others: fixed(machineBusy - ours - interrupts),
    machineBusy: fixed(machineBusy),
  };
}
