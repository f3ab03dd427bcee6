/**
 * The fraud example's walk-through, end to end: a model server (built example), `warden gateway`
 * (the built CLI) with live drift, the traffic script; then /metrics and the monitor-status evidence
 * the gateway writes when it drains.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEvidenceDocument } from '../../src/core/index.js';
import { testDatabases } from '../../src/store/test-support/databases.js';
import { type Harness, pipelineKey, registerPipelineKey, startHarness } from '../server/harness.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const built = join(repoRoot, 'dist/examples/fraud-detection');
const example = join(repoRoot, 'examples/fraud-detection');
const work = mkdtempSync(join(tmpdir(), 'warden-fraud-gateway-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** Starts a process and resolves with the URL it says it listens on. */
function listening(
  args: string[],
  stream: 'stdout' | 'stderr',
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, XDG_CONFIG_HOME: work, ...env },
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    child[stream]?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/listening on (http:\/\/[^\s)]+)/);
      if (match?.[1] !== undefined) resolve({ child, url: match[1] });
    });
    child.once('exit', (code) => reject(new Error(`${args[1]} exited ${code} before listening: ${output}`)));
  });
}

const modelServer = (version: string) =>
  listening(
    [
      join(built, 'model-server.js'),
      '--model',
      join(example, `model-v${version}.json`),
      '--port',
      '0',
      '--version',
      version,
    ],
    'stdout',
  );

/** The example's gateway (its config pointed at these model servers), traffic from the shifted period, then a drain. */
async function walkThrough(config: string, extraArgs: string[], env: NodeJS.ProcessEnv = {}) {
  const gateway = await listening(
    [join(repoRoot, 'bin/warden.js'), 'gateway', '--config', config, '--port', '0', ...extraArgs],
    'stderr',
    env,
  );
  let stderr = '';
  gateway.child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const traffic = spawnSync(
    process.execPath,
    [
      join(built, 'send-traffic.js'),
      '--url',
      gateway.url,
      '--data',
      join(example, 'transactions-shifted.csv'),
      '--requests',
      '150',
    ],
    { encoding: 'utf8' },
  );
  expect(traffic.status, traffic.stderr).toBe(0);
  const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  // Draining closes the last window: its evidence is written and submitted before the exit.
  const exited = new Promise<number | null>((resolve) => gateway.child.once('exit', resolve));
  gateway.child.kill('SIGTERM');
  expect(await exited).toBe(0);
  return { traffic: traffic.stdout, metrics, stderr };
}

describe('the fraud example through the gateway', () => {
  let config = '';
  beforeAll(async () => {
    const [v1, v2] = await Promise.all([modelServer('1'), modelServer('2')]);
    config = join(work, 'gateway.yaml');
    writeFileSync(
      config,
      readFileSync(join(example, 'gateway.yaml'), 'utf8')
        .replace('http://127.0.0.1:9001', v1.url)
        .replace('http://127.0.0.1:9002', v2.url)
        .replace('baseline: baseline-v1.json', `baseline: ${join(example, 'baseline-v1.json')}`),
    );
  });

  it('serves traffic by weight, counts it on /metrics, and writes the drift of a shifted stream as monitor-status evidence', async () => {
    const evidenceDir = join(work, 'monitor-status');
    const run = await walkThrough(config, ['--evidence-dir', evidenceDir]);
    const sent = /status 200: 150; version 1: (\d+), 2: (\d+)/.exec(run.traffic);
    expect(sent, run.traffic).not.toBeNull();
    expect(Number(sent?.[1])).toBeGreaterThan(Number(sent?.[2]));
    const count = (version: string) =>
      Number(
        new RegExp(
          `^warden_gateway_requests_total\\{model="fraud-detector",version="${version}",code="200"\\} (\\d+)`,
          'm',
        ).exec(run.metrics)?.[1],
      );
    expect(count('1') + count('2')).toBe(150);
    expect(run.metrics).toMatch(
      /^warden_gateway_routing_weight\{model="fraud-detector",version="1"\} 0\.9$/m,
    );

    const files = readdirSync(evidenceDir).filter((f) => f.startsWith('monitor-status-fraud-detector-1-'));
    expect(files).toHaveLength(1);
    const evidence = JSON.parse(readFileSync(join(evidenceDir, files[0] as string), 'utf8'));
    checkEvidenceDocument(evidence, files[0] as string);
    expect(evidence).toMatchObject({ kind: 'monitor-status', requests: { errors: 0, undecodable: 0 } });
    const drifted = evidence.features
      .filter((f: { drifted: boolean }) => f.drifted)
      .map((f: { name: string }) => f.name);
    expect(drifted).toEqual(expect.arrayContaining(['amount', 'merchant_category']));
    expect(drifted).not.toContain('hour');
    // Two or three of seven inputs drifted: under Evidently's share of a half, the input as a whole
    // has not, and the example's baseline holds no score to judge predictions by; so it passes, and
    // the runtime gate's policies read the features themselves.
    expect(evidence.datasetDrift).toMatchObject({
      driftedShare: drifted.length / 7,
      driftShare: 0.5,
      drifted: false,
    });
    expect(evidence.passed).toBe(true);
  });

  describe.each(testDatabases().slice(0, 1))('with the control plane on $dialect', (database) => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(database);
      await registerPipelineKey(h);
      await h.call('POST', '/api/v1/models', {
        token: h.tokens.riskContributor,
        body: { name: 'fraud-detector', team: 'risk' },
      });
      for (const _ of ['1', '2']) {
        await h.call('POST', '/api/v1/models/fraud-detector/versions', {
          token: h.tokens.riskContributor,
          body: { artifact: { uri: 's3://models/fraud-detector' } },
        });
      }
    });
    afterAll(async () => h?.close());

    it('submits each window as signed monitor-status evidence to the version it watched', async () => {
      const key = join(work, 'pipeline.key');
      writeFileSync(key, pipelineKey.signing.privateKey.export({ format: 'pem', type: 'pkcs8' }), {
        mode: 0o600,
      });
      const run = await walkThrough(config, ['--server', h.server.url, '--sign-key', key], {
        WARDEN_TOKEN: h.tokens.riskContributor,
      });
      expect(run.stderr).toMatch(
        /fraud-detector version 1: window of \d+ requests, \d+ features drifted: submitted as sha256:[0-9a-f]{64} \(signed by credit-pipeline-ci\)/,
      );
      const listed = await h.call(
        'GET',
        '/api/v1/models/fraud-detector/versions/1/evidence?kind=monitor-status',
        {
          token: h.tokens.viewer,
        },
      );
      const [stored] = (listed.body as { evidence: { kind: string; signer: { name: string } | null }[] })
        .evidence;
      expect(stored).toMatchObject({ kind: 'monitor-status', signer: { name: 'credit-pipeline-ci' } });
    });

    it('refuses to start without a token, and says so', async () => {
      const refused = spawnSync(
        process.execPath,
        [
          join(repoRoot, 'bin/warden.js'),
          'gateway',
          '--config',
          config,
          '--port',
          '0',
          '--server',
          h.server.url,
        ],
        { encoding: 'utf8', env: { ...process.env, WARDEN_TOKEN: '', XDG_CONFIG_HOME: work } },
      );
      expect(refused.status).toBe(2);
      expect(refused.stderr).toMatch(/WARDEN_TOKEN/);
    });
  });
});
