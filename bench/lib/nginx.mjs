import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's nginx binary, or undefined when nginx is not installed. */
export const nginxPath = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));

/** nginx's version number (e.g. 1.22.1), or 'not installed'. */
export function nginxVersion() {
  if (nginxPath === undefined) return 'not installed';
  const out = spawnSync(nginxPath, ['-v'], { encoding: 'utf8' });
  return (out.stderr || out.stdout || '').trim().replace(/^nginx version: nginx\//, '');
}

/**
 * The start of an nginx.conf for a benchmark run from a scratch directory, as a non-root user:
 * every path nginx writes (pid, error log, temp files) is in `dir`, access logging is off, and a
 * keep-alive connection serves any number of requests. The caller adds its `server` (and any
 * `upstream`) blocks and closes the `http` block.
 */
export function nginxConfPrelude({ dir, workers, connections, errorLog = `${dir}/error.log` }) {
  return `worker_processes ${workers};
pid ${dir}/nginx.pid;
error_log ${errorLog} warn;
events { worker_connections ${connections}; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 75s;
`;
}

/**
 * Waits until an nginx child process answers `probe(url)` truthily, for at most 10 s; fails with
 * its stderr when it exits first or never answers.
 */
export async function untilNginxAnswers(child, url, probe) {
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited (code ${child.exitCode}):\n${stderr}`);
    if (await probe(url).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`nginx did not answer on ${url} within 10 s:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
