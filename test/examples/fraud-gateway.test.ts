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
import { afterAll, describe, expect, it } from 'vitest';
import { checkEvidenceDocument } from '../../src/core/index.js';

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
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, XDG_CONFIG_HOME: work },
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

describe('the fraud example through the gateway', () => {
  it('serves traffic by weight, counts it on /metrics, and writes the drift of a shifted stream as monitor-status evidence', async () => {
    const v1 = await listening(
      [
        join(built, 'model-server.js'),
        '--model',
        join(example, 'model-v1.json'),
        '--port',
        '0',
        '--version',
        '1',
      ],
      'stdout',
    );
    const v2 = await listening(
      [
        join(built, 'model-server.js'),
        '--model',
        join(example, 'model-v2.json'),
        '--port',
        '0',
        '--version',
        '2',
      ],
      'stdout',
    );
    // The example's config, pointed at these servers' ports (and its baseline by absolute path).
    const config = readFileSync(join(example, 'gateway.yaml'), 'utf8')
      .replace('http://127.0.0.1:9001', v1.url)
      .replace('http://127.0.0.1:9002', v2.url)
      .replace('baseline: baseline-v1.json', `baseline: ${join(example, 'baseline-v1.json')}`);
    writeFileSync(join(work, 'gateway.yaml'), config);
    const evidenceDir = join(work, 'monitor-status');
    const gateway = await listening(
      [
        join(repoRoot, 'bin/warden.js'),
        'gateway',
        '--config',
        join(work, 'gateway.yaml'),
        '--port',
        '0',
        '--evidence-dir',
        evidenceDir,
      ],
      'stderr',
    );
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
    const sent = /status 200: 150; version 1: (\d+), 2: (\d+)/.exec(traffic.stdout);
    expect(sent, traffic.stdout).not.toBeNull();
    expect(Number(sent?.[1])).toBeGreaterThan(Number(sent?.[2]));

    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    const count = (version: string) =>
      Number(
        new RegExp(
          `^warden_gateway_requests_total\\{model="fraud-detector",version="${version}",code="200"\\} (\\d+)`,
          'm',
        ).exec(metrics)?.[1],
      );
    expect(count('1') + count('2')).toBe(150);
    expect(metrics).toMatch(/^warden_gateway_routing_weight\{model="fraud-detector",version="1"\} 0\.9$/m);

    // Draining closes the last window and writes its evidence.
    const exited = new Promise<number | null>((resolve) => gateway.child.once('exit', resolve));
    gateway.child.kill('SIGTERM');
    expect(await exited).toBe(0);
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
});
