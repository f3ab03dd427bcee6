import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32, type Role } from '../../src/core/index.js';
import { type RunningServer, startServer } from '../../src/server/index.js';
import { issueToken, openStore, type Store, versionRepository } from '../../src/store/index.js';
import {
  expectNoStackTrace,
  gatewayListening,
  type LiveCli,
  runCli,
  startCli,
  writeFixture,
} from './run-cli.js';

/**
 * A gateway attached to a real control plane: routes from the production alias and the versions'
 * endpoints, the baseline from the version's drift-baseline evidence, a routing change applied
 * without dropping a request in flight, and the last table kept when the control plane goes away.
 */
describe('warden gateway --server', () => {
  let dir: string;
  let store: Store;
  let server: RunningServer;
  const tokens = {} as Record<Role, string>;
  const upstreams: Server[] = [];
  const upstreamUrls: string[] = [];

  /** A V2 model server that names itself in its answer and waits as long as the request asks. */
  async function modelServer(name: string): Promise<string> {
    const upstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const body = JSON.stringify({
          model_name: name,
          outputs: [{ name: 'score', datatype: 'FP64', shape: [1], data: [0.5] }],
        });
        setTimeout(
          () => res.writeHead(200, { 'content-type': 'application/json' }).end(body),
          Number(req.headers['x-test-delay'] ?? 0),
        );
      });
    });
    await new Promise<void>((listening) => upstream.listen(0, '127.0.0.1', listening));
    upstreams.push(upstream);
    return `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden-gateway-attached-'));
    store = await openStore(`sqlite:${join(dir, 'warden.db')}`);
    for (const role of ['viewer', 'contributor', 'admin'] as const) {
      tokens[role] = (
        await issueToken(store.db, { name: `test-${role}`, role, teams: null, expiresAt: null }, 'test')
      ).secret;
    }
    server = await startServer({
      store,
      host: '127.0.0.1',
      port: 0,
      logLevel: false,
      auditKeyPath: join(await mkdtemp(join(tmpdir(), 'warden-gateway-attached-keys-')), 'audit.key'),
    });
    upstreamUrls.push(await modelServer('version-one'), await modelServer('version-two'));
  });

  afterAll(async () => {
    await server?.close();
    for (const upstream of upstreams) {
      upstream.closeAllConnections();
      await new Promise((closed) => upstream.close(closed));
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens.contributor}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    expect(response.ok, text).toBe(true);
    return JSON.parse(text);
  };

  async function until<T>(what: string, probe: () => Promise<T | undefined>, live: LiveCli): Promise<T> {
    for (let waited = 0; waited < 20_000; waited += 100) {
      const value = await probe();
      if (value !== undefined) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${what} did not happen:\n${live.output.stderr}`);
  }

  const infer = (url: string, amount: number, headers: Record<string, string> = {}) =>
    fetch(`${url}/v2/models/fraud/infer`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ inputs: [{ name: 'amount', datatype: 'FP64', shape: [1], data: [amount] }] }),
    });

  it('serves the production version at its endpoint with its baseline, follows a promotion without dropping a request, and keeps serving when the control plane goes', async () => {
    // The reference data and its baseline, attached to version 1 as drift-baseline evidence.
    const random = mulberry32(7);
    const rows = Array.from({ length: 2000 }, () => (20 + random() * 80).toFixed(2));
    const reference = await writeFixture(dir, 'reference.csv', `amount\n${rows.join('\n')}\n`);
    const evidenceFile = join(dir, 'baseline-evidence.json');
    const key = join(dir, 'pipeline.key');
    expect((await runCli(['key', 'create', '--out', key])).code).toBe(0);
    const made = await runCli([
      'baseline',
      'create',
      reference,
      '--evidence',
      evidenceFile,
      '--window-rows',
      '200',
      '--sign-key',
      key,
    ]);
    expect(made.code, made.stderr).toBe(0);
    // Only a signed baseline judges live traffic: the pipeline's key is registered for it.
    const registered = await fetch(`${server.url}/api/v1/signing-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'pipeline', publicKey: await readFile(`${key}.pub`, 'utf8') }),
    });
    expect(registered.status).toBe(201);

    await api('POST', '/api/v1/models', { name: 'fraud', owner: 'fraud-ml' });
    await api('POST', '/api/v1/models/fraud/versions', {
      artifact: { uri: 's3://m/fraud/1' },
      endpoint: { url: upstreamUrls[0] },
    });
    await api('POST', '/api/v1/models/fraud/versions', {
      artifact: { uri: 's3://m/fraud/2' },
      endpoint: { url: upstreamUrls[1] },
    });
    await api(
      'POST',
      '/api/v1/models/fraud/versions/1/evidence',
      JSON.parse(await readFile(evidenceFile, 'utf8')),
    );
    const promote = (version: number) =>
      versionRepository.setAlias(store.db, 'fraud', 'production', version, 'ann', new Date().toISOString());
    await promote(1);

    const settings = await writeFixture(
      dir,
      'settings.yaml',
      'apiVersion: warden.dev/v1\nkind: Gateway\nroutes:\n  - model: fraud\n    timeoutMs: 5000\n    monitoring: { windowSeconds: 1 }\n',
    );
    const live = startCli(
      ['gateway', '--server', server.url, '--config', settings, '--poll-seconds', '1', '--port', '0'],
      { env: { WARDEN_TOKEN: tokens.contributor } },
    );
    try {
      const url = await gatewayListening(live);
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        ready: true,
        models: ['fraud'],
        routing: 'control-plane',
        controlPlane: { reachable: true },
      });
      const first = await infer(url, 50);
      expect(first.status).toBe(200);
      expect(first.headers.get('x-warden-model-version')).toBe('1');
      expect(((await first.json()) as { model_name: string }).model_name).toBe('version-one');

      // Traffic shifted far above the reference: the window closes (every second) into drift on
      // /metrics and a monitor-status document on version 1, judged against the attached baseline.
      for (let i = 0; i < 60; i++) expect((await infer(url, 500 + i)).status).toBe(200);
      const status = await until(
        'monitor-status evidence on version 1',
        async () => {
          const listed = await api('GET', '/api/v1/models/fraud/versions/1/evidence');
          return listed.evidence.find((item: { kind: string }) => item.kind === 'monitor-status');
        },
        live,
      );
      expect(status.passed).toBe(false);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(
        /warden_feature_drift_score\{model="fraud",version="1",feature="amount",method="\w+"\} \d/,
      );
      expect(metrics).toContain('warden_gateway_control_plane_up 1');

      // A promotion moves the traffic; the request already sent to version 1 still finishes there.
      const inFlight = infer(url, 50, { 'x-test-delay': '1500' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await promote(2);
      await until(
        'the switch to version 2',
        async () => ((await infer(url, 50)).headers.get('x-warden-model-version') === '2' ? true : undefined),
        live,
      );
      const finished = await inFlight;
      expect(finished.status).toBe(200);
      expect(((await finished.json()) as { model_name: string }).model_name).toBe('version-one');
      expect(live.output.stderr).toMatch(/routing table [0-9a-f]{12}: fraud v2 100%/);

      // The control plane goes away: the last table stays, and /readyz and the metric say so.
      await server.close();
      await until(
        'the gateway noticing the control plane is gone',
        async () => {
          const body = (await (await fetch(`${url}/readyz`)).json()) as {
            controlPlane: { reachable: boolean };
          };
          return body.controlPlane.reachable === false ? body : undefined;
        },
        live,
      );
      const still = await infer(url, 50);
      expect(still.status).toBe(200);
      expect(still.headers.get('x-warden-model-version')).toBe('2');
      expect(await (await fetch(`${url}/metrics`)).text()).toContain('warden_gateway_control_plane_up 0');
      expect(live.output.stderr).toContain('the control plane cannot be reached');
      expect(live.output.stderr).not.toContain(tokens.contributor);

      live.child.kill('SIGTERM');
      expect(await live.exited).toBe(0);
      expectNoStackTrace(live.output.stderr);
    } finally {
      live.child.kill('SIGKILL');
    }
  }, 90_000);

  it('refuses what retrying cannot mend at start, and settings-only routes without a control plane', async () => {
    const badToken = await runCli(['gateway', '--server', 'http://127.0.0.1:9', '--port', '0'], {
      env: { WARDEN_TOKEN: '' },
    });
    expect(badToken.code).toBe(2);
    expect(badToken.stderr).toContain('set WARDEN_TOKEN');
    await writeFile(
      join(dir, 'settings-only.yaml'),
      'apiVersion: warden.dev/v1\nkind: Gateway\nroutes:\n  - model: fraud\n    timeoutMs: 5000\n',
    );
    const unattached = await runCli(['gateway', '--config', join(dir, 'settings-only.yaml'), '--port', '0']);
    expect(unattached.code).toBe(2);
    expect(unattached.stderr).toContain('the route of "fraud" has no protocol, versions, serve');
    expect(unattached.stderr).toContain('run attached, with --server');
    const poll = await runCli([
      'gateway',
      '--config',
      join(dir, 'settings-only.yaml'),
      '--poll-seconds',
      '2',
    ]);
    expect(poll.code).toBe(2);
    expect(poll.stderr).toContain('--poll-seconds goes with --server');
    expectNoStackTrace(unattached.stderr + poll.stderr + badToken.stderr);
  }, 60_000);
});
