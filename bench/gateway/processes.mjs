// The gateway benchmark's processes: the fixed-latency upstream, nginx as a reverse proxy and the
// built `warden gateway`, each started in the foreground (pinned to CPUs when asked) and stopped
// with the benchmark.

import { chmodSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nginxConfPrelude, nginxPath, untilNginxAnswers } from '../lib/nginx.mjs';
import { awaitLine, freePort, spawnTracked } from '../lib/processes.mjs';

const here = dirname(fileURLToPath(import.meta.url));
/** Spawns `command args`, under `taskset -c cpus` when cpus is given. */
function spawnPinned(cpus, command, args, options) {
  return cpus
    ? spawnTracked('taskset', ['-c', cpus, command, ...args], options)
    : spawnTracked(command, args, options);
}

export async function startUpstream({ latencyMs, cpus }) {
  const child = spawnPinned(cpus, process.execPath, [
    join(here, 'upstream.mjs'),
    '--port',
    '0',
    '--latency-ms',
    String(latencyMs),
  ]);
  const [, url] = await awaitLine(child, 'the upstream', /listening on (http:\S+)/);
  return { child, url };
}

/** nginx as a reverse proxy to `upstreamUrl`, one worker, a keep-alive pool like the gateway's. */
export async function startNginx({ upstreamUrl, cpus, workers = 1, scratchDirs }) {
  if (nginxPath === undefined) throw new Error('nginx is not installed (apt-get install nginx-light)');
  const dir = await mkdtemp(join(tmpdir(), 'warden-bench-gateway-nginx-'));
  scratchDirs.add(dir);
  chmodSync(dir, 0o755);
  await mkdir(join(dir, 'logs'));
  const port = await freePort();
  const upstream = new URL(upstreamUrl);
  const conf = join(dir, 'nginx.conf');
  await writeFile(
    conf,
    `${nginxConfPrelude({ dir, workers, connections: 4096, errorLog: `${dir}/logs/error.log` })}  upstream model {
    server ${upstream.host};
    keepalive 64;
    keepalive_requests 10000000;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 4m;
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
  const child = spawnPinned(cpus, nginxPath, [
    '-p',
    dir,
    '-e',
    `${dir}/logs/error.log`,
    '-c',
    conf,
    '-g',
    'daemon off;',
  ]);
  const url = `http://127.0.0.1:${port}`;
  await untilNginxAnswers(child, url, (at) => fetch(`${at}/v2/health/live`).then(() => true));
  return { child, url, dir };
}

/**
 * The built `warden gateway` in front of `upstreamUrl` serving fraud-detector (V2), with live drift
 * against `baseline` when given (windows of `windowSeconds`), else without monitoring.
 */
export async function startGateway({
  root,
  upstreamUrl,
  baseline,
  features,
  windowSeconds,
  cpus,
  scratchDirs,
  nodeArgs = [],
}) {
  const dir = await mkdtemp(join(tmpdir(), 'warden-bench-gateway-'));
  scratchDirs.add(dir);
  const monitoring = baseline
    ? `    baseline: ${JSON.stringify(baseline)}
    monitoring:
      features: ${JSON.stringify(features)}
      windowSeconds: ${windowSeconds}
`
    : '';
  const config = join(dir, 'gateway.yaml');
  await writeFile(
    config,
    `apiVersion: warden.dev/v1
kind: Gateway
routes:
  - model: fraud-detector
    protocol: v2
    versions:
      "1": { url: ${JSON.stringify(upstreamUrl)} }
    serve: { "1": 100 }
${monitoring}`,
  );
  const child = spawnPinned(
    cpus,
    process.execPath,
    [...nodeArgs, join(root, 'bin/warden.js'), 'gateway', '--config', config, '--port', '0'],
    { cwd: dir },
  );
  const [, url] = await awaitLine(child, 'warden gateway', /listening on (http:\S+)/);
  return { child, url, dir };
}

/** Resident set size of a process in MiB (VmRSS), or null once it has gone. */
export async function rssMiB(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return kb === undefined ? null : Number(kb) / 1024;
}
