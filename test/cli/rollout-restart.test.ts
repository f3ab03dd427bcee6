import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
  until,
} from './runtime-fixture.js';

const openGates = `apiVersion: warden.dev/v1
kind: GateDefaults
metadata:
  name: open
spec:
  gates:
    "promote:*": { onNoPolicy: allow }
---
apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: named
spec:
  validations:
    - name: has-name
      expression: subject.name != ''
---
apiVersion: warden.dev/v1
kind: PolicyBinding
metadata:
  name: named-at-data
spec:
  policyName: named
  gates: [data]
`;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((listening) => probe.listen(0, '127.0.0.1', listening));
  const { port } = probe.address() as { port: number };
  await new Promise((closed) => probe.close(closed));
  return port;
}

/**
 * A rollout's state is in the database: the server process killed mid-rollout (SIGKILL, no
 * goodbye) leaves the gateway on its last weights, and the restarted server carries the rollout on
 * to its end.
 */
describe('a rollout survives a server restart', () => {
  const processes: LiveCli[] = [];
  const servers = new ModelServers();
  let dir = '';

  afterAll(async () => {
    for (const live of processes) live.child.kill('SIGKILL');
    await servers.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps serving on the last weights while the server is down, and promotes the canary after it restarts', async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden-rollout-restart-'));
    const db = `sqlite:${join(dir, 'db', 'warden.db')}`;
    const auditKey = join(dir, 'keys', 'audit.key');
    const tokens: Record<string, string> = {};
    for (const role of ['viewer', 'contributor', 'admin']) {
      tokens[role] = (
        await runCli(['token', 'create', '--db', db, '--name', `test-${role}`, '--role', role])
      ).stdout.trim();
    }
    const port = String(await freePort());
    const startServer = () => {
      const live = startCli([
        'server',
        '--db',
        db,
        '--port',
        port,
        '--audit-key',
        auditKey,
        '--log-level',
        'warn',
      ]);
      processes.push(live);
      return live;
    };
    let server = startServer();
    const url = await gatewayListening(server);
    const { api } = controlPlaneApi(() => url, tokens);
    await api('PUT', '/api/v1/policy-set', { files: [{ path: 'open.yaml', content: openGates }] }, 'admin');
    const { evidence, gatewayKey } = await signedBaseline(dir, api);
    await api('POST', '/api/v1/models', { name: 'fraud', owner: 'fraud-ml' });
    for (const [index, endpoint] of [await servers.start('v1'), await servers.start('v2')].entries()) {
      await api('POST', '/api/v1/models/fraud/versions', {
        artifact: { uri: `s3://m/fraud/${index + 1}` },
        endpoint: { url: endpoint },
      });
    }
    await api(
      'POST',
      '/api/v1/models/fraud/versions/1/evidence',
      JSON.parse(await readFile(evidence, 'utf8')),
    );
    await api('POST', '/api/v1/promotions', { model: 'fraud', version: '1', alias: 'production' });
    const gatewayProcess = startCli(
      [
        'gateway',
        '--server',
        url,
        '--config',
        await writeFixture(dir, 'settings.yaml', gatewaySettings(['fraud'])),
        '--port',
        '0',
        '--sign-key',
        gatewayKey,
      ],
      { env: { WARDEN_TOKEN: tokens['contributor'] } },
    );
    processes.push(gatewayProcess);
    const gateway = await gatewayListening(gatewayProcess);
    const details = () => `${server.output.stderr}\n${gatewayProcess.output.stderr}`;
    const load = clientTraffic(gateway, 'fraud', () => amountRequest(50));
    try {
      await api('POST', '/api/v1/models/fraud/rollouts', {
        version: '2',
        steps: [10, 30, 50, 70, 100],
        intervalSeconds: 1,
        minRequests: 5,
        maxNoData: 5,
      });
      await until(
        'step 2',
        async () => {
          const record = await api('GET', '/api/v1/models/fraud/rollout', undefined, 'viewer');
          return record.step >= 2 ? record : undefined;
        },
        details,
      );
      server.child.kill('SIGKILL');
      await server.exited;
      // The control plane is gone: traffic goes on, split as it was.
      const before = load.versions.get('2') ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(load.versions.get('2') ?? 0).toBeGreaterThan(before);
      server = startServer();
      await gatewayListening(server);
      const done = await until(
        'the canary promoted after the restart',
        async () => {
          const record = await api('GET', '/api/v1/models/fraud/rollout', undefined, 'viewer');
          return record.status === 'promoted' ? record : undefined;
        },
        details,
        45_000,
      );
      expect(done.promotion).toMatch(/^prm_/);
    } finally {
      await load.stop();
    }
    expect(load.failures).toEqual([]);
    expect([...load.statuses.keys()]).toEqual([200]);
    const verified = await runCli(['audit', 'verify', '--server', url], {
      env: { WARDEN_TOKEN: tokens['viewer'] },
    });
    expect(verified.code, verified.stderr).toBe(0);
    expectNoStackTrace(details());
  }, 120_000);
});
