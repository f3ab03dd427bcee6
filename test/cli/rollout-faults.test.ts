import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/core/index.js';
import { type RunningServer, startServer } from '../../src/server/index.js';
import { issueToken, openStore, type Store } from '../../src/store/index.js';
import { expectNoStackTrace, gatewayListening, type LiveCli, startCli, writeFixture } from './run-cli.js';
import {
  amountRequest,
  clientTraffic,
  controlPlaneApi,
  gatewaySettings,
  type ModelServerFault,
  ModelServers,
  signedBaseline,
  until,
} from './runtime-fixture.js';

/**
 * Central rollback criteria for the canaries of two models, written once: no input feature drifted
 * beyond the baseline's threshold, and the score distribution not drifted. The third model has none,
 * so Warden's built-in checks judge it (and say so).
 */
const policies = `apiVersion: warden.dev/v1
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
  name: canary-inputs
spec:
  matchConditions:
    - name: judging-a-canary
      expression: has(runtime.mode) && runtime.mode == 'rollout'
  validations:
    - name: no-feature-drift
      expression: runtime.canary.features.all(f, f.drifted != true)
      messageExpression: >-
        'input drift on the canary: ' + runtime.canary.features.filter(f, f.drifted == true).map(f, f.name).join(', ')
---
apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: canary-scores
spec:
  matchConditions:
    - name: judging-a-canary
      expression: has(runtime.mode) && runtime.mode == 'rollout'
  validations:
    - name: scores-not-drifted
      expression: runtime.canary.prediction == null || runtime.canary.prediction.drifted != true
      messageExpression: >-
        'scores of the canary drifted from the baseline (' + runtime.canary.prediction.method + ' ' + string(runtime.canary.prediction.score) + ')'
---
apiVersion: warden.dev/v1
kind: PolicyBinding
metadata:
  name: inputs-of-fraud-drift
spec:
  policyName: canary-inputs
  gates: [runtime]
  subjects: { names: [fraud-drift] }
---
apiVersion: warden.dev/v1
kind: PolicyBinding
metadata:
  name: scores-of-fraud-scores
spec:
  policyName: canary-scores
  gates: [runtime]
  subjects: { names: [fraud-scores] }
`;

/** Each fault in turn, against a real control plane, gateway and model servers, all at once. */
describe('a faulty canary is rolled back with the right reason', () => {
  let dir: string;
  let store: Store;
  let server: RunningServer;
  let live: LiveCli;
  let gateway: string;
  let baselineEvidence: string;
  const tokens = {} as Record<Role, string>;
  const servers = new ModelServers();
  const { api } = controlPlaneApi(() => server.url, tokens);
  const models: Record<string, { fault: ModelServerFault; amount: () => number }> = {
    'fraud-slow': { fault: { delayMs: 250 }, amount: () => 50 },
    'fraud-scores': { fault: { score: (n) => 0.85 + (n % 10) / 100 }, amount: () => 50 },
    // Healthy model, drifted inputs: the clients send amounts far above the baseline's 20–100.
    'fraud-drift': { fault: {}, amount: () => 400 + Math.random() * 400 },
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden-rollout-faults-'));
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
      runtime: { tickMs: 100 },
      auditKeyPath: join(await mkdtemp(join(tmpdir(), 'warden-rollout-faults-keys-')), 'audit.key'),
    });
    await api('PUT', '/api/v1/policy-set', { files: [{ path: 'runtime.yaml', content: policies }] }, 'admin');
    const { evidence, gatewayKey } = await signedBaseline(dir, api);
    for (const [model, { fault }] of Object.entries(models)) {
      await api('POST', '/api/v1/models', { name: model, owner: 'fraud-ml' });
      for (const [index, url] of [
        await servers.start(`${model}-1`),
        await servers.start(`${model}-2`, fault),
      ].entries()) {
        await api('POST', `/api/v1/models/${model}/versions`, {
          artifact: { uri: `s3://m/${model}/${index + 1}` },
          endpoint: { url },
        });
      }
      await api(
        'POST',
        `/api/v1/models/${model}/versions/1/evidence`,
        JSON.parse(await readFile(evidence, 'utf8')),
      );
      await api('POST', '/api/v1/promotions', { model, version: '1', alias: 'production' });
    }
    const settings = await writeFixture(
      dir,
      'settings.yaml',
      gatewaySettings([...Object.keys(models), 'fraud-slo']),
    );
    baselineEvidence = evidence;
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
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('slow answers (built-in p99 check), shifted scores and drifted inputs (central policies)', async () => {
    const loads = Object.entries(models).map(([model, { amount }]) =>
      clientTraffic(gateway, model, () => amountRequest(amount())),
    );
    const outcomes: Record<string, { status: string; reason: string }> = {};
    try {
      for (const model of Object.keys(models)) {
        await api('POST', `/api/v1/models/${model}/rollouts`, {
          version: '2',
          steps: [50, 100],
          intervalSeconds: 1,
          minRequests: 5,
          threshold: 2,
        });
      }
      for (const model of Object.keys(models)) {
        outcomes[model] = await until(
          `the rollout of ${model} ending`,
          async () => {
            const record = await api('GET', `/api/v1/models/${model}/rollout`, undefined, 'viewer');
            return record.status === 'running' ? undefined : record;
          },
          () => live.output.stderr,
          45_000,
        );
      }
    } finally {
      for (const load of loads) await load.stop();
    }
    expect(outcomes['fraud-slow']).toMatchObject({ status: 'rolled-back' });
    expect(outcomes['fraud-slow']?.reason).toMatch(
      /warden:runtime-defaults\/latency-p99: canary p99 latency .* is above 1\.5× stable's/,
    );
    expect(outcomes['fraud-scores']).toMatchObject({ status: 'rolled-back' });
    expect(outcomes['fraud-scores']?.reason).toContain(
      'canary-scores/scores-not-drifted: scores of the canary drifted from the baseline',
    );
    expect(outcomes['fraud-drift']).toMatchObject({ status: 'rolled-back' });
    expect(outcomes['fraud-drift']?.reason).toContain(
      'canary-inputs/no-feature-drift: input drift on the canary: amount',
    );
    // No client saw an error the rollbacks made: every answer is the model's own.
    for (const load of loads) {
      expect(load.failures).toEqual([]);
      expect([...load.statuses.keys()]).toEqual([200]);
    }
    expectNoStackTrace(live.output.stderr);
  }, 90_000);

  it('rolls production back by itself on a fast SLO burn', async () => {
    const model = 'fraud-slo';
    await api('POST', '/api/v1/models', { name: model, owner: 'fraud-ml' });
    const endpoints = [
      await servers.start(`${model}-1`),
      await servers.start(`${model}-2`, { failing: 0.25 }),
    ];
    for (const [index, url] of endpoints.entries()) {
      await api('POST', `/api/v1/models/${model}/versions`, {
        artifact: { uri: `s3://m/${model}/${index + 1}` },
        endpoint: { url },
      });
      await api(
        'POST',
        `/api/v1/models/${model}/versions/${index + 1}/evidence`,
        JSON.parse(await readFile(baselineEvidence, 'utf8')),
      );
    }
    // 99% of requests answered over an hour: the page windows are 5 s and 417 ms, so a quarter of
    // requests failing (25× the budget's rate) pages within seconds.
    await api('PUT', `/api/v1/models/${model}/slos`, {
      slos: [
        {
          apiVersion: 'warden.dev/v1',
          kind: 'ServiceLevelObjective',
          metadata: { name: 'answers' },
          spec: { model, objective: 99, period: '1h', indicator: { availability: {} } },
        },
      ],
    });
    await api('PUT', `/api/v1/models/${model}/monitors`, {
      monitors: [{ name: 'live', signals: ['errors'], owner: 'oncall', rollback: 'automatic' }],
    });
    await api('POST', '/api/v1/promotions', { model, version: '1', alias: 'production' });
    await api('POST', '/api/v1/promotions', {
      model,
      version: '2',
      alias: 'production',
      expectedVersion: '1',
    });
    await until(
      'the gateway serving the model',
      async () => {
        const answer = await fetch(`${gateway}/v2/models/${model}/infer`, { method: 'POST', body: '{}' });
        await answer.arrayBuffer();
        return answer.status === 404 ? undefined : true;
      },
      () => live.output.stderr,
    );
    const load = clientTraffic(gateway, model, () => amountRequest(50));
    try {
      const tagged = await until(
        'version 2 taken out of production',
        async () => {
          const version = await api('GET', `/api/v1/models/${model}/versions/2`, undefined, 'viewer');
          return 'rolled-back' in version.tags ? version : undefined;
        },
        () => live.output.stderr,
        45_000,
      );
      expect(tagged.tags['rolled-back']).toMatch(
        /warden:slo\/slo-answers: SLO answers burns its error budget at page level/,
      );
      const production = await api('GET', `/api/v1/models/${model}/aliases/production`, undefined, 'viewer');
      expect(production.version).toBe('1');
    } finally {
      await load.stop();
    }
    const metrics = await (await fetch(`${gateway}/metrics`)).text();
    expect(metrics).toMatch(/warden_slo_burn_rate\{model="fraud-slo",slo="answers",window="5s"\} \d/);
    expect(load.failures).toEqual([]);
    expect([...load.statuses.keys()].sort()).toEqual([200, 500]);
  }, 90_000);
});
