import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32, type Role } from '../../src/core/index.js';
import { type RunningServer, startServer } from '../../src/server/index.js';
import { issueToken, openStore, type Store } from '../../src/store/index.js';
import {
  expectNoStackTrace,
  gatewayListening,
  type LiveCli,
  runCli,
  startCli,
  writeFixture,
} from './run-cli.js';

/** Gates open for promotions, so that only the runtime gate decides what these tests watch. */
const openGates = `apiVersion: warden.dev/v1
kind: GateDefaults
metadata:
  name: open
spec:
  gates:
    "promote:*": { onNoPolicy: allow }
    runtime: { onNoPolicy: allow }
---
apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: named-columns
spec:
  validations:
    - name: has-subject
      expression: subject.name != ''
---
apiVersion: warden.dev/v1
kind: PolicyBinding
metadata:
  name: named-columns-at-data
spec:
  policyName: named-columns
  gates: [data]
`;

/** A central rule for served production versions: more than 5% errors takes it out of traffic. */
const productionErrors = `apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: production-errors
spec:
  matchConditions:
    - name: watching-production
      expression: has(runtime.mode) && runtime.mode == 'production'
  validations:
    - name: error-ratio
      expression: runtime.stable.requests.errorRatio <= 0.05
      messageExpression: "'production error ratio ' + string(runtime.stable.requests.errorRatio) + ' above 5%'"
---
apiVersion: warden.dev/v1
kind: PolicyBinding
metadata:
  name: production-errors-roll-back
spec:
  policyName: production-errors
  gates: [runtime]
  action: rollback
`;

/**
 * The runtime loop end to end, all real: the control plane, a gateway process attached to it that
 * signs its windows, model servers (healthy and faulty), and steady client traffic. A healthy
 * canary is promoted through promote:production, a faulty one rolled back by the built-in checks,
 * and a faulty production version rolled back by a central `action: rollback` policy — with no
 * client request failing because weights changed.
 */
describe('canary rollouts and automatic rollback', () => {
  let dir: string;
  let store: Store;
  let server: RunningServer;
  let live: LiveCli;
  let gateway: string;
  const tokens = {} as Record<Role, string>;
  const upstreams: Server[] = [];

  /** A V2 model server; `failing` of its answers are 500s. */
  async function modelServer(name: string, failing: number): Promise<string> {
    let count = 0;
    const upstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        count += 1;
        if (failing > 0 && count % Math.round(1 / failing) === 0) {
          res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"model crashed"}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            model_name: name,
            outputs: [{ name: 'score', datatype: 'FP64', shape: [1], data: [0.5] }],
          }),
        );
      });
    });
    await new Promise<void>((listening) => upstream.listen(0, '127.0.0.1', listening));
    upstreams.push(upstream);
    return `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  }

  const call = async (role: Role, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[role]}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text) };
  };
  const api = async (method: string, path: string, body?: unknown, role: Role = 'contributor') => {
    const answer = await call(role, method, path, body);
    expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
    return answer.body;
  };

  async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
    for (let waited = 0; waited < ms; waited += 100) {
      const value = await probe();
      if (value !== undefined) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${what} did not happen:\n${live?.output.stderr}`);
  }

  /** Steady client traffic through the gateway; counts answers by status and by version. */
  function traffic() {
    const statuses = new Map<number, number>();
    const versions = new Map<string, number>();
    let running = true;
    const worker = async () => {
      while (running) {
        const response = await fetch(`${gateway}/v2/models/fraud/infer`, {
          method: 'POST',
          body: JSON.stringify({ inputs: [{ name: 'amount', datatype: 'FP64', shape: [1], data: [50] }] }),
        });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const version = response.headers.get('x-warden-model-version') ?? '';
        versions.set(version, (versions.get(version) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    return {
      statuses,
      versions,
      stop: async () => {
        running = false;
        await Promise.all(workers);
      },
    };
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden-rollout-'));
    store = await openStore(`sqlite:${join(dir, 'warden.db')}`);
    for (const role of ['viewer', 'contributor', 'approver', 'admin'] as const) {
      tokens[role] = (
        await issueToken(store.db, { name: `test-${role}`, role, teams: null, expiresAt: null }, 'test')
      ).secret;
    }
    server = await startServer({
      store,
      host: '127.0.0.1',
      port: 0,
      logLevel: false,
      runtime: { tickMs: 100 },
      auditKeyPath: join(await mkdtemp(join(tmpdir(), 'warden-rollout-keys-')), 'audit.key'),
    });
    await api(
      'PUT',
      '/api/v1/policy-set',
      { files: [{ path: 'gate-defaults.yaml', content: openGates }] },
      'admin',
    );

    // The pipeline's signed baseline, and the gateway's own key: both registered by an admin.
    const random = mulberry32(11);
    const rows = Array.from({ length: 2000 }, () => (20 + random() * 80).toFixed(2));
    const reference = await writeFixture(dir, 'reference.csv', `amount\n${rows.join('\n')}\n`);
    const baseline = join(dir, 'baseline-evidence.json');
    for (const name of ['pipeline', 'gateway']) {
      const key = join(dir, `${name}.key`);
      expect((await runCli(['key', 'create', '--out', key])).code).toBe(0);
      await api(
        'POST',
        '/api/v1/signing-keys',
        { name, publicKey: await readFile(`${key}.pub`, 'utf8') },
        'admin',
      );
    }
    const made = await runCli([
      'baseline',
      'create',
      reference,
      '--evidence',
      baseline,
      '--sign-key',
      join(dir, 'pipeline.key'),
    ]);
    expect(made.code, made.stderr).toBe(0);

    await api('POST', '/api/v1/models', { name: 'fraud', owner: 'fraud-ml' });
    const endpoints = [
      await modelServer('v1', 0),
      await modelServer('v2', 0),
      await modelServer('v3-faulty', 0.25),
      await modelServer('v4-faulty', 0.25),
    ];
    for (const [index, url] of endpoints.entries()) {
      await api('POST', '/api/v1/models/fraud/versions', {
        artifact: { uri: `s3://m/fraud/${index + 1}` },
        endpoint: { url },
      });
    }
    for (const version of [1, 2]) {
      await api(
        'POST',
        `/api/v1/models/fraud/versions/${version}/evidence`,
        JSON.parse(await readFile(baseline, 'utf8')),
      );
    }
    await api('POST', '/api/v1/promotions', { model: 'fraud', version: '1', alias: 'production' });

    const settings = await writeFixture(
      dir,
      'settings.yaml',
      'apiVersion: warden.dev/v1\nkind: Gateway\nroutes:\n  - model: fraud\n    timeoutMs: 5000\n    monitoring: { windowSeconds: 1 }\n',
    );
    live = startCli(
      [
        'gateway',
        '--server',
        server.url,
        '--config',
        settings,
        '--poll-seconds',
        '1',
        '--port',
        '0',
        '--sign-key',
        join(dir, 'gateway.key'),
      ],
      { env: { WARDEN_TOKEN: tokens.contributor } },
    );
    gateway = await gatewayListening(live);
  }, 60_000);

  afterAll(async () => {
    live?.child.kill('SIGKILL');
    await server?.close();
    for (const upstream of upstreams) {
      upstream.closeAllConnections();
      await new Promise((closed) => upstream.close(closed));
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const rollout = () => api('GET', '/api/v1/models/fraud/rollout', undefined, 'viewer');
  const finished = (status: string) => async () => {
    const record = await rollout();
    return record.status === status ? record : undefined;
  };

  it('promotes a healthy canary step by step through promote:production, with no request lost to a weight change', async () => {
    const load = traffic();
    try {
      const started = await api('POST', '/api/v1/models/fraud/rollouts', {
        version: '2',
        steps: [20, 50, 100],
        intervalSeconds: 1,
        minRequests: 5,
      });
      expect(started).toMatchObject({ status: 'running', step: 1, weight: 20, stableVersion: '1' });
      const done = await until('the canary promoted', finished('promoted'));
      expect(done.promotion).toMatch(/^prm_/);
      const production = await api(
        'GET',
        '/api/v1/models/fraud/aliases/production',
        undefined,
        'viewer',
      ).catch(() => undefined);
      if (production !== undefined) expect(production.version).toBe('2');
      await until('traffic wholly on version 2', async () => {
        const answer = await fetch(`${gateway}/v2/models/fraud/infer`, {
          method: 'POST',
          body: '{"inputs":[]}',
        });
        await answer.arrayBuffer();
        return answer.headers.get('x-warden-model-version') === '2' ? true : undefined;
      });
    } finally {
      await load.stop();
    }
    expect(load.versions.get('2') ?? 0).toBeGreaterThan(0);
    expect([...load.statuses.keys()]).toEqual([200]);
    const audit = await api('GET', '/api/v1/audit?limit=10000', undefined, 'viewer');
    const actions = audit.entries.map((entry: { action: string }) => entry.action);
    expect(actions).toContain('rollout.started');
    expect(actions).toContain('rollout.advanced');
    expect(actions).toContain('rollout.check');
    expect(actions).toContain('promotion.completed');
    expect(actions).toContain('rollout.promoted');
  }, 60_000);

  it('rolls a faulty canary back by itself: weight to 0 at once, tagged rolled-back, the reason readable', async () => {
    const load = traffic();
    let record: { reason: string; weight: number; lastCheck: { decision: string } };
    try {
      await api('POST', '/api/v1/models/fraud/rollouts', {
        version: '3',
        steps: [50, 100],
        intervalSeconds: 1,
        minRequests: 5,
        threshold: 2,
      });
      record = await until('the canary rolled back', finished('rolled-back'));
      // After the rollback every request goes to the stable version.
      await until('traffic wholly back on version 2', async () => {
        const before = load.versions.get('3') ?? 0;
        await new Promise((resolve) => setTimeout(resolve, 1500));
        return (load.versions.get('3') ?? 0) === before ? true : undefined;
      });
    } finally {
      await load.stop();
    }
    expect(record.weight).toBe(0);
    expect(record.reason).toMatch(
      /failed checks? \(threshold 2\).*canary error ratio .* is above 1% or 1\.5× stable's/,
    );
    expect(record.reason).toContain('built-in default');
    // Only the canary's own 500s reached clients: nothing failed because weights moved.
    expect([...load.statuses.keys()].sort()).toEqual([200, 500]);
    const version = await api('GET', '/api/v1/models/fraud/versions/3', undefined, 'viewer');
    expect(Object.keys(version.tags)).toContain('rolled-back');
    const decision = await api(
      'GET',
      `/api/v1/decisions/${record.lastCheck.decision}`,
      undefined,
      'viewer',
    ).catch(() => undefined);
    if (decision !== undefined) expect(decision.gate).toBe('runtime');
    // A rolled-back version takes no production traffic again.
    const again = await call('contributor', 'POST', '/api/v1/models/fraud/rollouts', {
      version: '3',
      intervalSeconds: 1,
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('WARDEN_ERR_RUNTIME_ROLLOUT_REFUSED');
    expect(again.body.error.message).toContain('tagged "rolled-back"');
  }, 60_000);

  it('takes a failing production version out of traffic by itself, to its previous holder', async () => {
    await api(
      'PUT',
      '/api/v1/policy-set',
      {
        files: [
          { path: 'gate-defaults.yaml', content: openGates },
          { path: 'production-errors.yaml', content: productionErrors },
        ],
      },
      'admin',
    );
    await api('PUT', '/api/v1/models/fraud/monitors', {
      monitors: [{ name: 'fraud-live', signals: ['errors'], owner: 'oncall', rollback: 'automatic' }],
    });
    await api(
      'POST',
      '/api/v1/models/fraud/versions/4/evidence',
      JSON.parse(await readFile(join(dir, 'baseline-evidence.json'), 'utf8')),
    );
    await api('POST', '/api/v1/promotions', {
      model: 'fraud',
      version: '4',
      alias: 'production',
      expectedVersion: '2',
    });
    const load = traffic();
    try {
      await until('production back on version 2', async () => {
        const version = await api('GET', '/api/v1/models/fraud/versions/4', undefined, 'viewer');
        return Object.keys(version.tags).includes('rolled-back') ? version : undefined;
      });
      await until('traffic back on version 2', async () => {
        const answer = await fetch(`${gateway}/v2/models/fraud/infer`, {
          method: 'POST',
          body: '{"inputs":[]}',
        });
        await answer.arrayBuffer();
        return answer.headers.get('x-warden-model-version') === '2' ? true : undefined;
      });
    } finally {
      await load.stop();
    }
    const audit = await api('GET', '/api/v1/audit?limit=10000', undefined, 'viewer');
    const rolledBack = audit.entries.find(
      (entry: { action: string }) => entry.action === 'model.rolled_back',
    );
    expect(rolledBack.payload).toMatchObject({ from: '4', to: '2', automatic: true });
    expect(rolledBack.payload.reason).toContain('production-errors/error-ratio');
    // A person can roll back too, with a reason; never onto the version just taken out.
    const refused = await call('approver', 'POST', '/api/v1/models/fraud/rollback', {
      to: '4',
      reason: 'try again',
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('WARDEN_ERR_RUNTIME_ROLLBACK_REFUSED');
    const contributor = await call('contributor', 'POST', '/api/v1/models/fraud/rollback', { reason: 'no' });
    expect(contributor.status).toBe(403);
    const verified = await runCli(['audit', 'verify', '--server', server.url], {
      env: { WARDEN_TOKEN: tokens.viewer },
    });
    expect(verified.code, verified.stderr).toBe(0);
    expectNoStackTrace(live.output.stderr);
  }, 60_000);
});
