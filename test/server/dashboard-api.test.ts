import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { readPolicyFiles } from '../../src/policy/index.js';
import { dashboardCsp } from '../../src/server/web-ui.js';
import { type TestDatabase, testDatabases } from '../../src/store/test-support/databases.js';
import {
  creditEvaluation,
  type Harness,
  registerPipelineKey,
  signedByPipeline,
  startHarness,
} from './harness.js';

// The API the dashboard reads beyond the CLI's: server-side audit verification, audit filters,
// a version's decisions and the policy overview; and how the server serves the built pages.

async function seed(h: Harness) {
  const files = await readPolicyFiles('examples/policies');
  await h.call('PUT', '/api/v1/policy-set', { token: h.tokens.admin, body: { files, revision: 'dash-1' } });
  await registerPipelineKey(h);
  await h.call('POST', '/api/v1/models', {
    token: h.tokens.contributor,
    body: { name: 'credit-risk', team: 'risk', labels: { domain: 'credit', riskTier: 'medium' } },
  });
  for (const [version, eod] of [
    ['1', 0.05],
    ['2', 0.45],
  ] as const) {
    await h.call('POST', '/api/v1/models/credit-risk/versions', {
      token: h.tokens.contributor,
      body: { artifact: { uri: `s3://models/credit-risk/${version}` } },
    });
    await h.call('POST', `/api/v1/models/credit-risk/versions/${version}/evidence`, {
      token: h.tokens.contributor,
      body: signedByPipeline(creditEvaluation(version, eod)),
    });
  }
  const denied = await h.call('POST', '/api/v1/promotions', {
    token: h.tokens.contributor,
    body: { model: 'credit-risk', version: '2', alias: 'staging' },
  });
  expect(denied.body.status).toBe('denied');
}

describe.each(testDatabases())('the dashboard API on $dialect', (database: TestDatabase) => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('verifies the audit log on the server, and names the first edited entry once a row is changed', async () => {
    h = await startHarness(database);
    await seed(h);
    const intact = await h.call('POST', '/api/v1/audit/verify', { token: h.tokens.viewer });
    expect(intact.status).toBe(200);
    expect(intact.body.ok).toBe(true);
    expect(intact.body.entries).toBeGreaterThan(5);
    expect(intact.body.firstBad).toBeUndefined();
    expect(intact.body.checkpoints).toMatchObject({ total: 0, matched: 0 });

    await sql`update audit_log set actor = ${'mallory'} where seq = ${3}`.execute(h.store.db);
    const broken = await h.call('POST', '/api/v1/audit/verify', { token: h.tokens.viewer });
    expect(broken.body.ok).toBe(false);
    expect(broken.body.entries).toBe(2);
    expect(broken.body.firstBad).toMatchObject({ seq: 3, kind: 'edited' });
    expect(broken.body.firstBad.reason).toContain('entry 3');
    expect(broken.body.firstBad.reason).toContain('mallory');

    expect((await h.call('POST', '/api/v1/audit/verify')).status).toBe(401);
  });

  it('filters the audit log by actor, action family and subject, newest first when asked', async () => {
    h = await startHarness(database);
    await seed(h);
    const all = (await h.call('GET', '/api/v1/audit', { token: h.tokens.viewer })).body.entries;
    const query = async (q: string) =>
      (await h.call('GET', `/api/v1/audit?${q}`, { token: h.tokens.viewer })).body;

    const byActor = await query('actor=CARL-CONTRIBUTOR');
    expect(byActor.entries.length).toBeGreaterThan(0);
    expect(byActor.entries.every((e: { actor: string }) => e.actor === 'carl-contributor')).toBe(true);
    expect(byActor.entries.length).toBe(
      all.filter((e: { actor: string }) => e.actor === 'carl-contributor').length,
    );

    const promotions = await query('action=promotion');
    expect(promotions.entries.length).toBeGreaterThan(0);
    expect(promotions.entries.every((e: { action: string }) => e.action.startsWith('promotion.'))).toBe(true);
    expect((await query('action=promot')).entries).toEqual([]);

    const version2 = await query('subject=credit-risk&version=2');
    expect(version2.entries.length).toBeGreaterThan(0);
    for (const entry of version2.entries)
      expect(entry.subject).toMatchObject({ name: 'credit-risk', version: '2' });
    // `_` is a LIKE wildcard; it must match only itself.
    expect((await query('subject=credit_risk')).entries).toEqual([]);

    const newest = await query('order=desc&limit=2');
    expect(newest.entries.map((e: { seq: number }) => e.seq)).toEqual([all.length, all.length - 1]);
    expect(newest.nextBefore).toBe(all.length - 1);
    const older = await query(`order=desc&limit=2&before=${newest.nextBefore}`);
    expect(older.entries.map((e: { seq: number }) => e.seq)).toEqual([all.length - 2, all.length - 3]);

    const bad = await h.call('GET', '/api/v1/audit?version=2', { token: h.tokens.viewer });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('subject');
  });

  it('lists the decisions of a version and describes the policies with their bindings', async () => {
    h = await startHarness(database);
    await seed(h);
    const decisions = await h.call('GET', '/api/v1/models/credit-risk/versions/2/decisions', {
      token: h.tokens.viewer,
    });
    expect(decisions.status).toBe(200);
    expect(decisions.body.decisions).toHaveLength(1);
    const [decision] = decisions.body.decisions;
    expect(decision).toMatchObject({ gate: 'promote:staging', allowed: false });
    expect(
      decision.results.some(
        (r: { validation: string; blocking: boolean }) => r.validation === 'equalized-odds' && r.blocking,
      ),
    ).toBe(true);
    const none = await h.call('GET', '/api/v1/models/credit-risk/versions/1/decisions', {
      token: h.tokens.viewer,
    });
    expect(none.body.decisions).toEqual([]);
    const missing = await h.call('GET', '/api/v1/models/credit-risk/versions/9/decisions', {
      token: h.tokens.viewer,
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('version 9');

    const set = (await h.call('GET', '/api/v1/policy-set', { token: h.tokens.viewer })).body;
    const fairness = set.overview.find((p: { name: string }) => p.name === 'credit-fairness');
    expect(fairness.controls).toContain('eu-ai-act:art10');
    expect(fairness.validations.map((v: { name: string }) => v.name)).toEqual([
      'fairness-evaluated',
      'equalized-odds',
    ]);
    expect(fairness.bindings).toEqual([
      expect.objectContaining({ name: 'credit-models-fair', action: 'deny', gates: ['model', 'promote:*'] }),
    ]);
  });
});

describe('the dashboard pages', () => {
  let h: Harness;
  const roots: string[] = [];
  afterEach(async () => {
    await h?.close();
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  function builtDashboard() {
    const root = mkdtempSync(join(tmpdir(), 'warden-web-'));
    roots.push(root);
    mkdirSync(join(root, 'assets'));
    writeFileSync(
      join(root, 'index.html'),
      '<!doctype html><title>Warden</title><script type="module" src="/assets/app-abc123.js"></script>',
    );
    writeFileSync(join(root, 'assets', 'app-abc123.js'), 'console.log("app")');
    return root;
  }

  it('serves index.html uncached with a CSP at / and every page path, hashed assets for a year, and keeps API 404s', async () => {
    h = await startHarness(testDatabases()[0] as TestDatabase, { webRoot: builtDashboard() });
    for (const path of ['/', '/models', '/models/credit-risk/versions/2', '/audit?actor=x']) {
      const page = await fetch(`${h.server.url}${path}`);
      expect(page.status, path).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('cache-control')).toBe('no-cache');
      expect(page.headers.get('content-security-policy')).toBe(dashboardCsp);
      expect(await page.text()).toContain('<title>Warden</title>');
    }
    expect(dashboardCsp).toContain("default-src 'self'");
    const asset = await fetch(`${h.server.url}/assets/app-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toContain('console.log');

    for (const path of ['/api/v1/nothing', '/api/other', '/assets/gone-000.js']) {
      const missing = await h.call('GET', path);
      expect(missing.status, path).toBe(404);
      expect(missing.body.error.code).toBe('WARDEN_ERR_API_NOT_FOUND');
    }
    expect((await h.call('POST', '/models')).status).toBe(404);
    expect((await h.call('GET', '/healthz')).body.status).toBe('ok');
    expect((await h.call('GET', '/api/v1/whoami')).status).toBe(401);
  });

  it('never serves a file outside the dashboard, however the path is written: a coded 404, not a 500', async () => {
    const root = builtDashboard();
    writeFileSync(join(root, '..', `${basename(root)}-secret.txt`), 'not for the web');
    h = await startHarness(testDatabases()[0] as TestDatabase, { webRoot: root });
    const { hostname, port } = new URL(h.server.url);
    const rawGet = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        // fetch() would normalise the dot segments away; an attacker's client does not.
        get({ hostname, port, path }, (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            body += chunk;
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        }).on('error', reject);
      });
    const secret = `${basename(root)}-secret.txt`;
    for (const path of [
      `/%2e%2e/${secret}`,
      `/assets/%2e%2e/%2e%2e/${secret}`,
      `/..%2f${secret}`,
      `/assets/../../${secret}`,
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    ]) {
      const answer = await rawGet(path);
      expect(answer.body, path).not.toContain('not for the web');
      expect(answer.body, path).not.toContain('root:');
      expect([200, 404], path).toContain(answer.status);
      if (answer.status === 404)
        expect(JSON.parse(answer.body).error.code, path).toBe('WARDEN_ERR_API_NOT_FOUND');
      else expect(answer.body, path).toContain('<title>Warden</title>');
    }
  });

  it('sends the build’s brotli or gzip copy to a browser that accepts it, with the same headers, and the plain file otherwise', async () => {
    const root = builtDashboard();
    const script = `console.log(${JSON.stringify('warden '.repeat(400))})`;
    const page = `<!doctype html><title>Warden</title>${'<!-- padding -->'.repeat(80)}`;
    for (const [file, content] of [
      ['assets/app-abc123.js', script],
      ['index.html', page],
    ] as const) {
      writeFileSync(join(root, file), content);
      writeFileSync(join(root, `${file}.br`), brotliCompressSync(content));
      writeFileSync(join(root, `${file}.gz`), gzipSync(content));
    }
    h = await startHarness(testDatabases()[0] as TestDatabase, { webRoot: root });
    const { hostname, port } = new URL(h.server.url);
    const fetchRaw = (path: string, acceptEncoding: string) =>
      new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        get({ hostname, port, path, headers: { 'accept-encoding': acceptEncoding } }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
        }).on('error', reject);
      });
    const decoders: Record<string, (body: Buffer) => Buffer> = {
      br: brotliDecompressSync,
      gzip: gunzipSync,
      identity: (body) => body,
    };
    for (const [path, content] of [
      ['/assets/app-abc123.js', script],
      ['/', page],
      ['/models/credit-risk', page],
    ] as const) {
      for (const [accept, encoding] of [
        ['br, gzip', 'br'],
        ['gzip', 'gzip'],
        ['identity', 'identity'],
      ] as const) {
        const answer = await fetchRaw(path, accept);
        expect(answer.headers['content-encoding'] ?? 'identity', `${path} ${accept}`).toBe(encoding);
        expect((decoders[encoding] as (body: Buffer) => Buffer)(answer.body).toString(), path).toBe(content);
        expect(answer.headers.vary, path).toMatch(/accept-encoding/i);
        if (path.startsWith('/assets/')) {
          expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable');
        } else {
          expect(answer.headers['cache-control']).toBe('no-cache');
          expect(answer.headers['content-security-policy'], `${path} ${accept}`).toBe(dashboardCsp);
        }
      }
    }
  });

  it('answers a plain page saying to build when the dashboard is not built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'warden-web-'));
    roots.push(empty);
    h = await startHarness(testDatabases()[0] as TestDatabase, { webRoot: empty });
    for (const path of ['/', '/promotions']) {
      const page = await fetch(`${h.server.url}${path}`);
      expect(page.status).toBe(503);
      expect(page.headers.get('content-type')).toContain('text/plain');
      const text = await page.text();
      expect(text).toContain('npm run build');
      expect(text).not.toMatch(/at .*\.js:\d+/);
    }
    expect((await h.call('GET', '/api/v1/nothing')).body.error.code).toBe('WARDEN_ERR_API_NOT_FOUND');
  });
});
