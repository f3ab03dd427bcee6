import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/core/index.js';
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
import {
  amountRequest,
  clientTraffic,
  controlPlaneApi,
  gatewaySettings,
  ModelServers,
  signedBaseline,
  until as waitUntil,
} from './runtime-fixture.js';

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
  let receiver: Server;
  const alerts: { type: string; data: Record<string, unknown> }[] = [];

  const servers = new ModelServers();
  const { call, api } = controlPlaneApi(() => server.url, tokens);
  const until = <T>(what: string, probe: () => Promise<T | undefined>) =>
    waitUntil(what, probe, () => live?.output.stderr ?? '');
  const traffic = () => clientTraffic(gateway, 'fraud', () => amountRequest(50));

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
      allowPrivateWebhooks: true, // the owners' receiver below listens on 127.0.0.1
      governance: { sweepIntervalMs: 100 },
      auditKeyPath: join(await mkdtemp(join(tmpdir(), 'warden-rollout-keys-')), 'audit.key'),
    });
    await api(
      'PUT',
      '/api/v1/policy-set',
      { files: [{ path: 'gate-defaults.yaml', content: openGates }] },
      'admin',
    );

    const { evidence: baseline, gatewayKey } = await signedBaseline(dir, api);
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        alerts.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((listening) => receiver.listen(0, '127.0.0.1', listening));
    await api(
      'POST',
      '/api/v1/webhooks',
      {
        name: 'fraud owners',
        url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`,
        events: ['rollout.started', 'rollout.promoted', 'rollout.rolled_back', 'model.rolled_back'],
      },
      'admin',
    );

    await api('POST', '/api/v1/models', { name: 'fraud', owner: 'fraud-ml' });
    const endpoints = [
      await servers.start('v1'),
      await servers.start('v2'),
      await servers.start('v3-faulty', { failing: 0.25 }),
      await servers.start('v4-faulty', { failing: 0.25 }),
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

    const settings = await writeFixture(dir, 'settings.yaml', gatewaySettings(['fraud']));
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
        gatewayKey,
      ],
      { env: { WARDEN_TOKEN: tokens.contributor } },
    );
    gateway = await gatewayListening(live);
  }, 60_000);

  afterAll(async () => {
    live?.child.kill('SIGKILL');
    await server?.close();
    await servers.close();
    receiver?.closeAllConnections();
    await new Promise((closed) => receiver?.close(closed));
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
      // Each step's weight reaches the gateway and its /metrics.
      await until('the canary’s weight on the gateway’s /metrics', async () => {
        const metrics = await (await fetch(`${gateway}/metrics`)).text();
        return /warden_gateway_routing_weight\{model="fraud",version="2"\} 0\.[25]\b/.test(metrics)
          ? true
          : undefined;
      });
      // Paused, it holds its step and weight; resumed, it carries on.
      const paused = await api('POST', '/api/v1/models/fraud/rollout/pause', {
        reason: 'checking a dashboard',
      });
      expect(paused.status).toBe('paused');
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const held = await rollout();
      expect(held).toMatchObject({
        status: 'paused',
        step: paused.step,
        weight: paused.weight,
        nextCheckAt: null,
      });
      expect((await api('POST', '/api/v1/models/fraud/rollout/resume', {})).status).toBe('running');
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
      // While it takes production traffic, the canary's model server is an approver's to move.
      const moved = await call('contributor', 'PATCH', '/api/v1/models/fraud/versions/3', {
        endpoint: { url: 'http://127.0.0.1:9' },
      });
      expect(moved.status).toBe(403);
      expect(moved.body.error.message).toMatch(/it takes production traffic in rollout rol_[0-9a-f]{12}/);
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
    // The owners hear of it, with the reason.
    const alert = await until('the rollout.rolled_back webhook', async () =>
      alerts.find((a) => a.type === 'rollout.rolled_back' && a.data['version'] === '3'),
    );
    expect(alert.data['reason']).toBe(record.reason);
    expect(alerts.some((a) => a.type === 'rollout.promoted' && a.data['version'] === '2')).toBe(true);
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
    const paged = await until('the model.rolled_back webhook', async () =>
      alerts.find((alert) => alert.type === 'model.rolled_back'),
    );
    expect(paged.data).toMatchObject({ from: '4', to: '2', automatic: true });
    // A person can roll back too, with a reason; never onto the version just taken out.
    const refused = await call('approver', 'POST', '/api/v1/models/fraud/rollback', {
      to: '4',
      reason: 'try again',
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('WARDEN_ERR_RUNTIME_ROLLBACK_REFUSED');
    const contributor = await call('contributor', 'POST', '/api/v1/models/fraud/rollback', { reason: 'no' });
    expect(contributor.status).toBe(403);
    // An approver moves production back to a version that served it before, with a reason.
    const manual = await api(
      'POST',
      '/api/v1/models/fraud/rollback',
      { to: '1', reason: 'back to the audited v1' },
      'approver',
    );
    expect(manual).toMatchObject({ from: '2', to: '1', automatic: false, rolledBackBy: 'test-approver' });
    expect((await api('GET', '/api/v1/models/fraud/aliases/production', undefined, 'viewer')).version).toBe(
      '1',
    );
    const verified = await runCli(['audit', 'verify', '--server', server.url], {
      env: { WARDEN_TOKEN: tokens.viewer },
    });
    expect(verified.code, verified.stderr).toBe(0);
    expectNoStackTrace(live.output.stderr);
  }, 60_000);

  it('warden rollout and warden rollback: status, list, refusals with their codes, no stack trace', async () => {
    const cli = (args: string[], role: Role = 'contributor') =>
      runCli([...args, '--server', server.url], { env: { WARDEN_TOKEN: tokens[role] } });
    const status = await cli(['rollout', 'status', 'fraud'], 'viewer');
    // The newest rollout of fraud is version 3's, rolled back: exit 1, and why.
    expect(status.code, status.stderr).toBe(1);
    expect(status.stdout).toMatch(/rol_[0-9a-f]{12}: fraud canary version 3 beside version 2: rolled-back/);
    expect(status.stdout).toMatch(/why: 2 failed checks \(threshold 2\)/);
    const listed = await cli(['rollout', 'list', '--all', '--json'], 'viewer');
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).rollouts.map((r: { status: string }) => r.status)).toEqual([
      'rolled-back',
      'promoted',
    ]);
    const again = await cli(['rollout', 'start', 'fraud', '--version', '3', '--interval', '1s']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('WARDEN_ERR_RUNTIME_ROLLOUT_REFUSED');
    const badInterval = await cli(['rollout', 'start', 'fraud', '--version', '1', '--interval', '90x']);
    expect(badInterval.code).toBe(2);
    expect(badInterval.stderr).toContain(
      '--interval must be a duration from 1s to 1d such as 30s or 1m, not "90x"',
    );
    const falling = await cli(['rollout', 'start', 'fraud', '--version', '1', '--steps', '50,10']);
    expect(falling.code).toBe(2);
    expect(falling.stderr, falling.stderr).toContain('WARDEN_ERR_RUNTIME_INVALID_ROLLOUT');
    const notApprover = await cli(['rollback', 'fraud', '--reason', 'paged at 3am']);
    expect(notApprover.code).toBe(2);
    expect(notApprover.stderr).toMatch(/approver/);
    for (const run of [status, listed, again, badInterval, falling, notApprover])
      expectNoStackTrace(run.stderr);
  }, 60_000);
});
