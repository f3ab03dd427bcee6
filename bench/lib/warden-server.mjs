// Starting `warden server` (the built CLI) for a benchmark, and calling its API while setting up
// (the server benchmarks drive their load through bench/server/load.mjs).
import { spawnTracked, stopChild } from './processes.mjs';

/**
 * Starts `warden server --port 0` and waits until it listens. With `init`, the first stdout line
 * is the admin token. Later stdout lines are the server's own log (level warn and above): counted.
 * `extraArgs` go after the usual flags (e.g. --audit-key FILE). With `cpus` (e.g. '1') the server
 * runs under `taskset -c cpus`.
 */
export async function startWarden(root, bin, db, { init, extraArgs = [], env = {}, cpus }) {
  const args = [
    bin,
    'server',
    '--port',
    '0',
    '--db',
    db,
    '--log-level',
    'warn',
    ...(init ? ['--init'] : []),
    ...extraArgs,
  ];
  const options = { cwd: root, env: { ...process.env, ...env } };
  const child = cpus
    ? spawnTracked('taskset', ['-c', cpus, process.execPath, ...args], options)
    : spawnTracked(process.execPath, args, options);
  const server = { child, pid: child.pid, url: undefined, token: undefined, logLines: 0, firstLogLines: [] };
  let stderr = '';
  let stdoutBuffer = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  const ready = new Promise((resolveReady, rejectReady) => {
    const check = () => {
      if (server.url !== undefined && (!init || server.token !== undefined)) resolveReady();
    };
    child.stdout.on('data', (chunk) => {
      stdoutBuffer += chunk;
      let newline = stdoutBuffer.indexOf('\n');
      while (newline >= 0) {
        const line = stdoutBuffer.slice(0, newline).trim();
        stdoutBuffer = stdoutBuffer.slice(newline + 1);
        if (init && server.token === undefined && /^wdn_/.test(line)) server.token = line;
        else if (line !== '') {
          server.logLines++;
          if (server.firstLogLines.length < 5) server.firstLogLines.push(line.slice(0, 400));
        }
        newline = stdoutBuffer.indexOf('\n');
      }
      check();
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (stderr.length > 20_000) stderr = stderr.slice(-20_000);
      const listening = /listening on (http:\/\/\S+)/.exec(stderr);
      if (listening && server.url === undefined) server.url = listening[1];
      check();
    });
    child.once('exit', (code, signal) =>
      rejectReady(
        new Error(
          `warden server --db ${db} exited (${signal ?? `code ${code}`}) before listening:\n${stderr.trim()}`,
        ),
      ),
    );
    setTimeout(
      () => rejectReady(new Error(`warden server --db ${db} did not listen within 60 s:\n${stderr}`)),
      60_000,
    );
  });
  await ready;
  server.stop = () => stopChild(child);
  return server;
}

/** One API call with a bearer token; the parsed answer, or an error naming the status and body. */
export async function api(base, token, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
  return text === '' ? undefined : JSON.parse(text);
}
