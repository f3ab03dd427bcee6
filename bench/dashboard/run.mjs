// Dashboard benchmark: the web console as a browser gets it, from `warden server` (the built CLI)
// and from nginx serving the same dist/web files in the same run. (1) The static files under wrk:
// index.html and the largest hashed asset; the bytes each server sends and whether it compresses.
// (2) The first page: the bundle index.html loads against the 250 KB budget, and the time from
// navigation to the decision table of a seeded version page in headless Chromium, cold and warm,
// with the API answered by Warden directly or through nginx.
//
//   node bench/dashboard/run.mjs [--duration S] [--warmup S] [--connections C] [--runs N]
//                                [--link MBPS,RTT_MS | --no-link] [--no-pin] [--warden DIR]
//
// Prints the report (markdown) on stdout, progress on stderr; writes bench/.out/dashboard.json and
// bench/.out/dashboard.md.

import { createHash } from 'node:crypto';
import { chmodSync, existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync, constants as zlib } from 'node:zlib';
import { chromium } from 'playwright-core';
import { eachOption } from '../lib/args.mjs';
import { machineLine, revision } from '../lib/measure.mjs';
import { nginxConfPrelude, nginxPath, nginxVersion, untilNginxAnswers } from '../lib/nginx.mjs';
import {
  coresUsed,
  cpuSnapshot,
  freePort,
  ownSecondsWithChildren,
  signalChildren,
  spawnTracked,
  stopChild,
} from '../lib/processes.mjs';
import { startWarden } from '../lib/warden-server.mjs';
import { runWrk, writeWrkGetScript, wrkPath } from '../lib/wrk.mjs';
import { seedVersionPage, versionPage } from './seed.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(here, '../.out');
const log = (message) => process.stderr.write(`  ${message}\n`);
const pause = (ms) => new Promise((done) => setTimeout(done, ms));

/** docs/dashboard.md's budget: the first page within 250 KB gzipped. */
const budgetBytes = 250 * 1024;
const chromiumPath = process.env['WARDEN_CHROMIUM'] ?? '/usr/bin/chromium';
const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
/** What Chromium sends; wrk sends the same, so a server that compresses would compress for it too. */
const browserAcceptEncoding = 'gzip, deflate, br, zstd';

function parseArgs(argv) {
  const options = {
    duration: 10,
    warmup: 2,
    connections: 64,
    runs: 10,
    link: { mbps: 10, rttMs: 40 },
    pin: true,
    root: resolve(here, '../..'),
  };
  eachOption(argv, (arg, value) => {
    if (arg === '--duration') options.duration = Number(value());
    else if (arg === '--warmup') options.warmup = Number(value());
    else if (arg === '--connections') options.connections = Number(value());
    else if (arg === '--runs') options.runs = Number(value());
    else if (arg === '--link') {
      const [mbps, rttMs] = value().split(',').map(Number);
      if (!(mbps > 0 && rttMs >= 0)) throw new Error('--link takes MBPS,RTT_MS, e.g. 10,40');
      options.link = { mbps, rttMs };
    } else if (arg === '--no-link') options.link = undefined;
    else if (arg === '--no-pin') options.pin = false;
    else if (arg === '--warden') options.root = resolve(value());
    else throw new Error(`unknown option ${arg}`);
  });
  for (const key of ['duration', 'connections', 'runs'])
    if (!(Number.isInteger(options[key]) && options[key] >= 1))
      throw new Error(`--${key} must be a positive integer`);
  if (!(Number.isInteger(options.warmup) && options.warmup >= 0))
    throw new Error('--warmup must be a whole number of seconds');
  return options;
}

// ---------------------------------------------------------------- the bundle

/**
 * What the first page loads, as the bundle-budget test counts it: index.html and every /assets/
 * script, module preload and style sheet it names; each raw, gzipped (level 9, as the test) and
 * with brotli (quality 11), for what a compressing server could send.
 */
async function firstPageBundle(web) {
  const html = await readFile(join(web, 'index.html'));
  const named = [...html.toString('utf8').matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  const files = [{ path: '/index.html', content: html }];
  for (const path of named.filter((url) => url.startsWith('/assets/')))
    files.push({ path, content: await readFile(join(web, path)) });
  const sized = files.map(({ path, content }) => ({
    path,
    raw: content.length,
    gzip: gzipSync(content, { level: 9 }).length,
    brotli: brotliCompressSync(content, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length,
    sha256: createHash('sha256').update(content).digest('hex'),
  }));
  const total = (key) => sized.reduce((sum, file) => sum + file[key], 0);
  const assets = await readdir(join(web, 'assets'));
  const sizes = await Promise.all(
    assets.map(async (name) => ({
      path: `/assets/${name}`,
      bytes: (await stat(join(web, 'assets', name))).size,
    })),
  );
  const largestAsset = sizes.sort((a, b) => b.bytes - a.bytes)[0];
  const otherNamed = named.filter((url) => !url.startsWith('/assets/'));
  return {
    files: sized,
    raw: total('raw'),
    gzip: total('gzip'),
    brotli: total('brotli'),
    budget: budgetBytes,
    largestAsset,
    otherNamed,
  };
}

// ---------------------------------------------------------------- the servers

/**
 * One nginx (one worker, pinned like Warden) with two sites: `plain` serves dist/web itself,
 * uncompressed, as Warden does; `gzip` serves a copy of it beside gzip -9 files of every text file
 * (gzip_static: nothing compressed per request). Both answer index.html for app paths, send
 * Warden's cache and CSP headers, and proxy /api/ to Warden over a keep-alive pool.
 */
async function startNginx({ web, wardenUrl, cpus, scratch, csp }) {
  const dir = join(scratch, 'nginx');
  await mkdir(join(dir, 'logs'), { recursive: true });
  chmodSync(scratch, 0o755);
  chmodSync(dir, 0o755); // the worker runs as an unprivileged user when started as root
  const compressedWeb = join(dir, 'web-gzip');
  await cp(web, compressedWeb, { recursive: true });
  for (const file of await readdir(compressedWeb, { recursive: true })) {
    if (!/\.(html|js|css|svg)$/.test(file)) continue;
    const path = join(compressedWeb, file);
    await writeFile(`${path}.gz`, gzipSync(await readFile(path), { level: 9 }));
  }
  const ports = { plain: await freePort(), gzip: await freePort() };
  const site = (port, root, compression) => `  server {
    listen 127.0.0.1:${port};
    root ${root};
    ${compression}
    location /assets/ {
      add_header Cache-Control "public, max-age=31536000, immutable";
      try_files $uri =404;
    }
    location /api/ {
      proxy_pass http://warden;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }
    location / {
      add_header Cache-Control "no-cache";
      add_header Content-Security-Policy "${csp}";
      try_files $uri /index.html;
    }
  }
`;
  const conf = join(dir, 'nginx.conf');
  await writeFile(
    conf,
    `${nginxConfPrelude({ dir, workers: 1, connections: 4096, errorLog: `${dir}/logs/error.log` })}  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  upstream warden {
    server ${new URL(wardenUrl).host};
    keepalive 16;
  }
${site(ports.plain, web, 'gzip off;')}${site(ports.gzip, compressedWeb, 'gzip off;\n    gzip_static on;\n    gzip_vary on;')}}
`,
  );
  const args = ['-p', dir, '-e', `${dir}/logs/error.log`, '-c', conf, '-g', 'daemon off;'];
  const child = cpus
    ? spawnTracked('taskset', ['-c', cpus, nginxPath, ...args])
    : spawnTracked(nginxPath, args);
  const urls = { plain: `http://127.0.0.1:${ports.plain}`, gzip: `http://127.0.0.1:${ports.gzip}` };
  await untilNginxAnswers(child, urls.plain, (at) => fetch(`${at}/index.html`).then((r) => r.ok));
  return { child, urls };
}

/** One GET with node:http, so that the bytes are the ones on the wire (fetch would decompress). */
function rawGet(url, headers) {
  return new Promise((done, fail) => {
    const req = request(url, { headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        done({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

/** A body as sent with `encoding`, decoded. */
function decoded(body, encoding) {
  if (encoding === undefined || encoding === 'identity') return body;
  if (encoding === 'gzip') return gunzipSync(body);
  if (encoding === 'br') return brotliDecompressSync(body);
  throw new Error(`a server answered with content-encoding ${encoding}, which this benchmark cannot decode`);
}

const headerNames = ['content-type', 'content-encoding', 'cache-control', 'etag', 'last-modified', 'vary'];

/**
 * What each server sends for each path: asked for identity, the body must be the file's bytes;
 * asked as a browser asks, the encoding it chose and the bytes on the wire, which decoded must be
 * the file's bytes too.
 */
async function compareBytes(servers, paths, web) {
  const rows = [];
  for (const path of paths) {
    const file = await readFile(join(web, path));
    const sha = createHash('sha256').update(file).digest('hex');
    for (const server of servers) {
      const identity = await rawGet(`${server.url}${path}`, { 'accept-encoding': 'identity' });
      const browser = await rawGet(`${server.url}${path}`, { 'accept-encoding': browserAcceptEncoding });
      if (identity.status !== 200 || browser.status !== 200)
        throw new Error(`${server.name} answered ${identity.status}/${browser.status} for ${path}`);
      const isFile = (body) => createHash('sha256').update(body).digest('hex') === sha;
      const encoding = browser.headers['content-encoding'];
      if (!isFile(identity.body) || !isFile(decoded(browser.body, encoding)))
        throw new Error(`${server.name} sent other bytes than dist/web${path} (${encoding ?? 'identity'})`);
      rows.push({
        path,
        server: server.name,
        key: server.key,
        fileBytes: file.length,
        identityIsFile: true,
        decodedIsFile: true,
        wireBytes: browser.body.length,
        headers: Object.fromEntries(headerNames.map((name) => [name, browser.headers[name] ?? null])),
        responseHeaderBytes: Object.entries(browser.headers).reduce(
          (sum, [k, v]) => sum + k.length + String(v).length + 4,
          0,
        ),
      });
    }
  }
  return rows;
}

// ---------------------------------------------------------------- static throughput

async function staticLoad({ servers, paths, options, pins, scratch, wardenPid, nginxPid }) {
  const results = [];
  for (const path of paths) {
    const script = await writeWrkGetScript(
      scratch,
      path === '/' ? 'index' : path.split('/').pop().replace(/\W+/g, '-'),
      path,
      { 'accept-encoding': browserAcceptEncoding },
    );
    for (const server of servers) {
      const url = `${server.url}${path}`;
      if (options.warmup > 0)
        await runWrk({
          url,
          script,
          connections: options.connections,
          seconds: options.warmup,
          cpus: pins.load,
        });
      await pause(500);
      const pid = server.key === 'warden' ? wardenPid : nginxPid;
      const ownBefore = ownSecondsWithChildren();
      const before = cpuSnapshot([pid]);
      const figures = await runWrk({
        url,
        script,
        connections: options.connections,
        seconds: options.duration,
        cpus: pins.load,
      });
      const after = cpuSnapshot([pid]);
      const cpu = coresUsed(before, after);
      const serverCores = server.key === 'warden' ? cpu.servers : cpu.nginx;
      // This runner and wrk (a reaped child by now), so that "others" is only what else ran.
      const ownCores = (ownSecondsWithChildren() - ownBefore) / ((after.at - before.at) / 1000);
      const others = Math.max(0, cpu.machineBusy - serverCores - ownCores - cpu.interrupts);
      const errors = Object.values(figures.errors).reduce((sum, x) => sum + x, 0);
      log(
        `${server.name} ${path}: ${figures.perSecond} req/s, p99 ${figures.latencyMs.p99} ms, errors ${errors}`,
      );
      results.push({
        path,
        server: server.name,
        key: server.key,
        ...figures,
        bytesPerAnswer: Math.round(figures.bytes / Math.max(1, figures.requests)),
        megabytesPerSecond: figures.bytes / figures.seconds / 1e6,
        serverCores,
        cpuMicrosecondsPerRequest: (serverCores / figures.perSecond) * 1e6,
        loadGeneratorCores: ownCores,
        machineBusy: cpu.machineBusy,
        others,
      });
    }
  }
  return results;
}

// ---------------------------------------------------------------- the first page in a browser

/**
 * Runs in the page before its scripts: signs in through sessionStorage, and marks when the
 * decision table enters the DOM and the frame after it (painted), on the page's own clock
 * (milliseconds since the navigation started).
 */
function pageScript(token, tableName) {
  return `(() => {
  sessionStorage.setItem('warden.token', ${JSON.stringify(token)});
  const found = () => [...document.querySelectorAll('table > caption')].some((c) => c.textContent === ${JSON.stringify(tableName)});
  const observer = new MutationObserver(() => {
    if (!found()) return;
    observer.disconnect();
    const inDom = performance.now();
    requestAnimationFrame(() => { window.__benchTable = { inDom, painted: performance.now() }; });
  });
  observer.observe(document, { childList: true, subtree: true });
})();`;
}

/**
 * Read in the page once the table is there: when the steps of the waterfall ended (the HTML, the
 * assets, the script's run until it asks whoami, whoami's answer, then the version's decisions)
 * and the bytes transferred.
 */
const pageFigures = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource').map((r) => ({ r, path: new URL(r.name).pathname }));
  const assets = resources.filter((x) => x.path.startsWith('/assets/')).map((x) => x.r);
  const api = resources.filter((x) => x.path.startsWith('/api/')).map((x) => x.r);
  const ended = (test) => resources.filter((x) => test(x.path)).reduce((t, x) => Math.max(t, x.r.responseEnd), 0);
  const transfer = (list) => list.reduce((t, r) => t + r.transferSize, 0);
  return {
    table: window.__benchTable,
    htmlResponseEnd: nav.responseEnd,
    domContentLoaded: nav.domContentLoadedEventEnd,
    assetsLoaded: ended((path) => path.startsWith('/assets/')),
    whoamiSent: resources.find((x) => x.path === '/api/v1/whoami')?.r.startTime ?? 0,
    whoamiAnswered: ended((path) => path === '/api/v1/whoami'),
    decisionsAnswered: ended((path) => path.endsWith('/decisions')),
    htmlTransfer: nav.transferSize,
    assetTransfer: transfer(assets),
    apiRequests: api.length,
    apiTransfer: transfer(api),
  };
})()`;

/** Loads `url` in a new tab of `context`, over an emulated `link` ({ mbps, rttMs }) when given. */
async function loadOnce(context, url, tableName, link) {
  const page = await context.newPage();
  if (link) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const bytesPerSecond = (link.mbps * 1e6) / 8;
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: link.rttMs,
      downloadThroughput: bytesPerSecond,
      uploadThroughput: bytesPerSecond,
    });
  }
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const started = performance.now();
  await page.goto(url, { waitUntil: 'commit' });
  await page.getByRole('table', { name: tableName }).waitFor({ state: 'visible', timeout: 30_000 });
  // page.evaluate is not bound by the page's CSP (no eval allowed there), waitForFunction would be.
  while ((await page.evaluate('window.__benchTable === undefined')) === true) await pause(5);
  const outside = performance.now() - started;
  const figures = await page.evaluate(pageFigures);
  await page.close();
  if (errors.length > 0) throw new Error(`the page at ${url} threw: ${errors.join('; ')}`);
  return { ...figures, outsideMs: outside };
}

/**
 * Per server, `runs` cold loads (each in a new browser context: empty cache, new connections),
 * `runs` warm ones (new tabs in one context that loaded the page once) and, with a link, `runs`
 * cold loads over it; the servers taken in turn so that a busier moment of the machine falls on
 * all of them.
 */
async function browserLoads({ servers, token, options }) {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumFlags });
  const version = browser.version();
  const newContext = async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(pageScript(token, versionPage.decisionTable));
    return context;
  };
  const runs = Object.fromEntries(servers.map((s) => [s.key, { cold: [], warm: [], link: [] }]));
  const coldLoad = async (url, link) => {
    const context = await newContext();
    try {
      return await loadOnce(context, url, versionPage.decisionTable, link);
    } finally {
      await context.close();
    }
  };
  try {
    const warm = {};
    for (const server of servers) {
      warm[server.key] = await newContext();
      await loadOnce(warm[server.key], `${server.url}${versionPage.path}`, versionPage.decisionTable);
    }
    for (let i = 0; i < options.runs; i++) {
      for (const server of servers) {
        const url = `${server.url}${versionPage.path}`;
        runs[server.key].cold.push(await coldLoad(url));
        runs[server.key].warm.push(await loadOnce(warm[server.key], url, versionPage.decisionTable));
        if (options.link) runs[server.key].link.push(await coldLoad(url, options.link));
      }
    }
    for (const context of Object.values(warm)) await context.close();
  } finally {
    await browser.close();
  }
  for (const server of servers)
    log(
      `${server.name}: cold median ${median(runs[server.key].cold.map((r) => r.table.painted)).toFixed(0)} ms, warm ${median(runs[server.key].warm.map((r) => r.table.painted)).toFixed(0)} ms${options.link ? `, cold over the link ${median(runs[server.key].link.map((r) => r.table.painted)).toFixed(0)} ms` : ''}`,
    );
  return { chromium: version, runs };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// ---------------------------------------------------------------- the report

const n = (x) => (x === null || x === undefined ? '—' : Math.round(x).toLocaleString('en-US'));
const ms = (x) =>
  x === null || x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : '—');

function report(r) {
  const lines = [];
  const b = r.bundle;
  lines.push('## Dashboard benchmark', '');
  lines.push(
    `Warden ${r.warden}; Node ${process.version}; ${r.machine}; nginx ${r.nginxVersion} (one worker); Chromium ${r.browser.chromium}; wrk 1 thread, ${r.options.connections} connections, keep-alive, ${r.options.duration} s per run after ${r.options.warmup} s of warm-up. ${r.pinning}`,
    '',
  );
  lines.push('### The first page against the budget', '');
  lines.push('| file | raw | gzip -9 | brotli 11 |', '| ---- | --: | ------: | --------: |');
  for (const f of b.files) lines.push(`| \`${f.path}\` | ${kb(f.raw)} | ${kb(f.gzip)} | ${kb(f.brotli)} |`);
  lines.push(
    `| **first page** | **${kb(b.raw)}** | **${kb(b.gzip)}** (${((b.gzip / b.budget) * 100).toFixed(0)}% of 250 KB) ${b.gzip <= b.budget ? '✅' : '❌'} | ${kb(b.brotli)} |`,
    '',
  );
  lines.push('### What each server sends (asked with `Accept-Encoding: gzip, deflate, br, zstd`)', '');
  lines.push(
    '| path | server | content-encoding | bytes on the wire | identity and decoded = the file | cache-control |',
    '| ---- | ------ | ---------------- | ----------------: | ------------------------------- | ------------- |',
  );
  for (const row of r.bytes)
    lines.push(
      `| \`${row.path}\` | ${row.server} | ${row.headers['content-encoding'] ?? 'none'} | ${n(row.wireBytes)} | ${row.identityIsFile && row.decodedIsFile ? 'yes' : 'no'} | ${row.headers['cache-control'] ?? '—'} |`,
    );
  lines.push('');
  lines.push('### Static files under wrk', '');
  lines.push(
    '| path | server | req/s | p50 ms | p99 ms | MB/s | server CPU µs/req | req/s ÷ nginx | errors |',
    '| ---- | ------ | ----: | -----: | -----: | ---: | ----------------: | ------------: | -----: |',
  );
  for (const row of r.load) {
    const peer = r.load.find((x) => x.path === row.path && x.key === 'nginx');
    const errors = Object.values(row.errors).reduce((sum, x) => sum + x, 0);
    lines.push(
      `| \`${row.path}\` | ${row.server} | **${n(row.perSecond)}** | ${ms(row.latencyMs.p50)} | ${ms(row.latencyMs.p99)} | ${row.megabytesPerSecond.toFixed(0)} | ${n(row.cpuMicrosecondsPerRequest)} | ${ratio(row.perSecond, peer?.perSecond)} | ${n(errors)} |`,
    );
  }
  lines.push('');
  lines.push(
    `### Navigation → the decision table painted (\`${versionPage.path}\`, ${r.options.runs} runs each)`,
    '',
  );
  lines.push(
    '| served by | cold median | cold worst | warm median | warm worst | cold, median: HTML / assets / whoami sent / whoami answered / decisions answered | HTML + assets transferred, cold / warm | cold ÷ Warden | warm ÷ Warden |',
    '| --------- | ----------: | ---------: | ----------: | ---------: | ---------------------------------------------------------------------------------- | -------------------------------------: | ------------: | ------------: |',
  );
  const painted = (list) => list.map((x) => x.table.painted);
  const wardenRuns = r.browser.runs.warden;
  for (const server of r.servers) {
    const { cold, warm } = r.browser.runs[server.key];
    const step = (key) => ms(median(cold.map((x) => x[key])));
    const transferred = (list) => median(list.map((x) => x.htmlTransfer + x.assetTransfer));
    lines.push(
      `| ${server.name} | **${ms(median(painted(cold)))}** ms | ${ms(Math.max(...painted(cold)))} ms | **${ms(median(painted(warm)))}** ms | ${ms(Math.max(...painted(warm)))} ms | ${step('htmlResponseEnd')} / ${step('assetsLoaded')} / ${step('whoamiSent')} / ${step('whoamiAnswered')} / ${step('decisionsAnswered')} ms | ${kb(transferred(cold))} / ${kb(transferred(warm))} | ${ratio(median(painted(cold)), median(painted(wardenRuns.cold)))} | ${ratio(median(painted(warm)), median(painted(wardenRuns.warm)))} |`,
    );
  }
  lines.push('');
  if (r.options.link) {
    const { mbps, rttMs } = r.options.link;
    lines.push(
      `### Cold, over an emulated ${mbps} Mbit/s link with ${rttMs} ms round trips (Chromium's network emulation, ${r.options.runs} runs each)`,
      '',
      '| served by | median | worst | assets loaded (median) | decisions answered (median) | HTML + assets transferred | ÷ Warden |',
      '| --------- | -----: | ----: | ---------------------: | --------------------------: | ------------------------: | -------: |',
    );
    for (const server of r.servers) {
      const runs = r.browser.runs[server.key].link;
      const step = (key) => ms(median(runs.map((x) => x[key])));
      lines.push(
        `| ${server.name} | **${ms(median(painted(runs)))}** ms | ${ms(Math.max(...painted(runs)))} ms | ${step('assetsLoaded')} ms | ${step('decisionsAnswered')} ms | ${kb(median(runs.map((x) => x.htmlTransfer + x.assetTransfer)))} | ${ratio(median(painted(runs)), median(painted(wardenRuns.link)))} |`,
      );
    }
    lines.push('');
  }
  lines.push(...r.notes.map((note) => `- ${note}`));
  return lines.join('\n');
}

function notesFor(r) {
  const notes = [];
  const warden = r.bytes.filter((row) => row.key === 'warden');
  const compressed = warden.filter((row) => row.headers['content-encoding']);
  notes.push(
    compressed.length === 0
      ? `Warden compresses nothing: asked as a browser asks, it sends every file as is (${n(warden.find((x) => x.path === r.bundle.largestAsset.path)?.wireBytes)} bytes for the largest asset, where ${kb(r.bundle.gzip)} gzipped would do for the whole first page). The plain nginx site is configured the same way (gzip off) so that both send the same bytes; the gzip_static site shows what pre-compressed files would change.`
      : `Warden compresses: ${compressed.map((row) => `${row.path} ${row.headers['content-encoding']}`).join(', ')}.`,
  );
  notes.push(
    'nginx-light has no brotli module; the gzip_static site sends the .gz files written beside a copy of dist/web (gzip -9), nothing is compressed per request.',
  );
  notes.push(
    `The page: the biased credit-risk version 2 seeded through the built CLI and the API (signed data check, model evaluation and drift report, lineage, the example policy set, a denied promotion with ${r.validations} validations), signed in as a viewer through sessionStorage. The time is the page's own clock (performance.now(), from the navigation's start) at the first animation frame after the table entered the DOM; Playwright then checks the table is visible. Through nginx, the API calls go nginx → Warden.`,
  );
  notes.push(
    'Cold: a new browser context each run (empty cache, new connections). Warm: a new tab in a context that has loaded the page before; the hashed assets come from the cache (immutable), index.html is revalidated (no-cache), the API is asked again.',
  );
  if (r.options.link)
    notes.push(
      "Over the link: Chromium's own network emulation (DevTools' Network.emulateNetworkConditions) holds every response to the link's rate and adds the round trip to each request, for the API calls as for the files; it shapes inside the browser, so TCP slow start and loss are not modelled.",
    );
  const busy = r.load.filter((row) => row.others > 0.2);
  if (busy.length > 0)
    notes.push(
      `Other processes used up to ${Math.max(...busy.map((row) => row.others)).toFixed(2)} cores during the wrk runs: the machine was shared.`,
    );
  return notes;
}

// ---------------------------------------------------------------- the run

const scratchDirs = new Set();

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const web = join(options.root, 'dist/web');
  const bin = join(options.root, 'bin/warden.js');
  if (!existsSync(join(web, 'index.html')) || !existsSync(join(options.root, 'dist/server/index.js')))
    throw new Error(`${options.root} has no built dashboard (dist/web); run \`npm run build\` there first`);
  if (!existsSync(wrkPath)) throw new Error('wrk is not installed (apt-get install wrk)');
  if (nginxPath === undefined) throw new Error('nginx is not installed (apt-get install nginx-light)');
  if (!existsSync(chromiumPath))
    throw new Error(`Chromium is not at ${chromiumPath} (apt-get install chromium, or set WARDEN_CHROMIUM)`);
  const loadAtStart = loadavg();
  const started = performance.now();
  const pins = options.pin && cpus().length >= 2 ? { load: '0', server: '1' } : {};
  const pinning = pins.server
    ? 'wrk pinned to CPU 0, the server under test (Warden, or nginx with Warden behind it for the API) to CPU 1 (taskset); Chromium unpinned.'
    : 'No CPU pinning.';
  process.stderr.write(`dashboard benchmark: Warden ${revision(options.root)}\n`);

  const scratch = await mkdtemp(join(tmpdir(), 'warden-bench-dashboard-'));
  scratchDirs.add(scratch);
  const bundle = await firstPageBundle(web);
  await mkdir(join(scratch, 'db'));
  const warden = await startWarden(options.root, bin, `sqlite:${join(scratch, 'db', 'warden.db')}`, {
    init: true,
    env: { XDG_CONFIG_HOME: join(scratch, 'config') },
    cpus: pins.server,
  });
  let nginx;
  try {
    log(`warden server ${warden.url} (pid ${warden.pid}); seeding the version page …`);
    const seedStarted = performance.now();
    const work = join(scratch, 'work');
    await mkdir(work);
    const seeded = await seedVersionPage({
      root: options.root,
      url: warden.url,
      adminToken: warden.token,
      work,
    });
    log(`seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);
    // nginx sends the page with Warden's own Content-Security-Policy, as read from Warden.
    const csp = await fetch(warden.url).then((r) => r.headers.get('content-security-policy'));
    nginx = await startNginx({ web, wardenUrl: warden.url, cpus: pins.server, scratch, csp });
    const servers = [
      { key: 'warden', name: 'Warden', url: warden.url },
      { key: 'nginx', name: 'nginx', url: nginx.urls.plain },
      { key: 'nginx-gzip', name: 'nginx, gzip_static', url: nginx.urls.gzip },
    ];
    const paths = ['/', bundle.largestAsset.path];
    const bytes = await compareBytes(servers, ['/index.html', bundle.largestAsset.path], web);
    process.stderr.write('\nstatic files under wrk\n');
    const load = await staticLoad({
      servers,
      paths,
      options,
      pins,
      scratch,
      wardenPid: warden.pid,
      nginxPid: nginx.child.pid,
    });
    process.stderr.write('\nthe version page in Chromium\n');
    const browser = await browserLoads({ servers, token: seeded.viewer, options });
    const result = {
      benchmark: 'dashboard',
      date: new Date().toISOString(),
      warden: revision(options.root),
      machine: machineLine(loadAtStart),
      nginxVersion: nginxVersion(),
      pinning,
      options: { ...options, root: undefined },
      validations: seeded.validations,
      servers: servers.map(({ key, name }) => ({ key, name })),
      bundle,
      bytes,
      load,
      browser,
      wallSeconds: (performance.now() - started) / 1000,
    };
    result.notes = notesFor(result);
    const text = report(result);
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, 'dashboard.json'), `${JSON.stringify(result, null, 2)}\n`);
    await writeFile(join(outDir, 'dashboard.md'), `${text}\n`);
    process.stdout.write(`${text}\n`);
    process.stderr.write(
      `\n${result.wallSeconds.toFixed(0)} s; wrote ${join(outDir, 'dashboard.json')} and .md\n`,
    );
  } finally {
    if (nginx) await stopChild(nginx.child);
    await warden.stop();
  }
}

async function cleanUp() {
  for (const dir of scratchDirs) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
}

async function interrupted(signal) {
  signalChildren('SIGTERM');
  await pause(300);
  await cleanUp();
  process.exit(signal === 'SIGINT' ? 130 : 143);
}
process.once('SIGINT', () => interrupted('SIGINT'));
process.once('SIGTERM', () => interrupted('SIGTERM'));

main()
  .then(cleanUp)
  .catch(async (error) => {
    process.stderr.write(`bench/dashboard: ${error.stack ?? error.message}\n`);
    signalChildren('SIGTERM');
    await pause(300);
    await cleanUp();
    process.exit(1);
  });
