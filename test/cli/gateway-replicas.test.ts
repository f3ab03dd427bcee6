/**
 * Several replicas through the machine's NATS JetStream (nats://127.0.0.1:4222): two built
 * `warden gateway` processes in front of the fraud example's model servers publish window snapshots,
 * `warden monitor aggregate` merges them, and the one monitor-status per version carries the summed
 * counts and the drift scores that one process seeing all the traffic gives. Each run has its own
 * stream, subjects and consumer, deleted afterwards.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numericInputsOf, parseTransactionsCsv } from '../../examples/fraud-detection/transactions.js';
import { checkEvidenceDocument } from '../../src/core/index.js';
import { type LiveDrift, loadGatewayConfig, type MonitorStatus } from '../../src/gateway/index.js';
import { liveDriftsOf, versionKey } from '../../src/gateway/runtime-monitor.js';
import { expectNoStackTrace, type LiveCli, repoRoot, runCli, startCli } from './run-cli.js';

const example = join(repoRoot, 'examples/fraud-detection');
const work = mkdtempSync(join(tmpdir(), 'warden-replicas-'));
const run = randomBytes(4).toString('hex');
const stream = `WARDEN_TEST_${run}`;
const subject = `warden-test.${run}`;
const natsUrl = `nats://127.0.0.1:4222?stream=${stream}&subject=${subject}&consumer=aggregator-${run}`;
const processes: LiveCli[] = [];

afterAll(async () => {
  for (const running of processes) running.child.kill('SIGKILL');
  const nc = await connect({ servers: '127.0.0.1:4222' });
  await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
  await nc.close();
  rmSync(work, { recursive: true, force: true });
});

/** A process still running, with its output so far. */
function node(args: string[], env: NodeJS.ProcessEnv = {}): LiveCli {
  if (args[0] !== 'model-server') return startCli(args, { env });
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'dist/examples/fraud-detection/model-server.js'), ...args.slice(1)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => {
    output.stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output.stderr += chunk;
  });
  return {
    child,
    output,
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code ?? -1))),
  };
}

/** Starts a long-running process and waits for the line that says it is ready. */
async function started(args: string[], ready: RegExp, env: NodeJS.ProcessEnv = {}) {
  const running = node(args, env);
  processes.push(running);
  const text = () => running.output.stderr + running.output.stdout;
  const deadline = Date.now() + 15_000;
  while (!ready.test(text())) {
    if (running.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`${args.join(' ')} did not start: ${text()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { running, url: ready.exec(text())?.[1] as string };
}

const listening = /listening on (http:\/\/[^\s)]+)/;

/** The example's V2 request of `rows` transactions (as its send-traffic script builds them). */
function inferRequest(rows: ReturnType<typeof parseTransactionsCsv>): string {
  return JSON.stringify({
    inputs: [
      { name: 'features', datatype: 'FP32', shape: [rows.length, 6], data: rows.flatMap(numericInputsOf) },
      {
        name: 'merchant_category',
        datatype: 'BYTES',
        shape: [rows.length],
        data: rows.map((r) => r.merchantCategory),
      },
    ],
  });
}

describe('two gateway replicas and one aggregator over NATS JetStream', () => {
  let config = '';
  beforeAll(async () => {
    const [v1, v2] = await Promise.all(
      ['1', '2'].map((version) =>
        started(
          [
            'model-server',
            '--model',
            join(example, `model-v${version}.json`),
            '--port',
            '0',
            '--version',
            version,
          ],
          listening,
        ),
      ),
    );
    config = join(work, 'gateway.yaml');
    writeFileSync(
      config,
      readFileSync(join(example, 'gateway.yaml'), 'utf8')
        .replace('http://127.0.0.1:9001', v1?.url as string)
        .replace('http://127.0.0.1:9002', v2?.url as string)
        .replace('baseline: baseline-v1.json', `baseline: ${join(example, 'baseline-v1.json')}`),
    );
  });

  it('give one monitor-status per version with the summed counts and the drift of one process', async () => {
    const evidenceDir = join(work, 'evidence');
    const aggregator = await started(
      [
        'monitor',
        'aggregate',
        '--config',
        config,
        '--nats',
        natsUrl,
        '--evidence-dir',
        evidenceDir,
        '--grace-seconds',
        '2',
      ],
      /aggregating window snapshots/,
    );
    // Something that is not a snapshot on the subjects: skipped, and the aggregator carries on.
    const nc = await connect({ servers: '127.0.0.1:4222' });
    await nc
      .jetstream()
      .publish(`${subject}.fraud-detector`, Buffer.from('{"replica": "x", "amount": 12345.67}'));
    await nc.close();

    const env = { WARDEN_NATS_URL: natsUrl };
    const [a, b] = await Promise.all(
      ['a', 'b'].map((replica) =>
        started(['gateway', '--config', config, '--port', '0', '--replica', replica], listening, env),
      ),
    );
    expect(a?.running.output.stderr).toMatch(
      /window snapshots to nats:\/\/127\.0\.0\.1:4222 .* as replica a/,
    );

    // The example's windows are 30 s on the wall clock: send everything within one of them.
    const left = 30_000 - (Date.now() % 30_000);
    if (left < 12_000) await new Promise((resolve) => setTimeout(resolve, left + 200));

    const transactions = parseTransactionsCsv(
      readFileSync(join(example, 'transactions-shifted.csv'), 'utf8'),
      'transactions-shifted.csv',
    );
    const routes = (await loadGatewayConfig(config)).routes;
    const single = liveDriftsOf(routes);
    const sent = new Map<string, number>();
    for (let i = 0; i < 80; i++) {
      const body = inferRequest(transactions.slice(i * 20, i * 20 + 20));
      const answer = await fetch(`${(i % 2 === 0 ? a : b)?.url}/v2/models/fraud-detector/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const version = answer.headers.get('x-warden-model-version') as string;
      const responseBody = Buffer.from(await answer.arrayBuffer());
      expect(answer.status).toBe(200);
      sent.set(version, (sent.get(version) ?? 0) + 1);
      single
        .get(versionKey('fraud-detector', version))
        ?.live.observe({ status: 200, seconds: 0.001, requestBody: Buffer.from(body), responseBody });
    }

    // Stopping, each replica publishes what it counted of the window so far.
    for (const gateway of [a, b]) gateway?.running.child.kill('SIGTERM');
    expect(await Promise.all([a?.running.exited, b?.running.exited])).toEqual([0, 0]);

    for (const [version, requests] of sent) {
      const one = single.get(versionKey('fraud-detector', version))?.live as LiveDrift;
      await one.settled();
      const expected: MonitorStatus = one.closeWindow();
      const prefix = `monitor-status-fraud-detector-${version}-`;
      const deadline = Date.now() + 10_000;
      while (!(existsSync(evidenceDir) && readdirSync(evidenceDir).some((f) => f.startsWith(prefix)))) {
        expect(Date.now(), aggregator.running.output.stderr).toBeLessThan(deadline);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const files = readdirSync(evidenceDir).filter((f) => f.startsWith(prefix));
      expect(files).toHaveLength(1);
      const evidence = checkEvidenceDocument(
        JSON.parse(readFileSync(join(evidenceDir, files[0] as string), 'utf8')),
        files[0] as string,
      ) as unknown as MonitorStatus;
      expect(evidence.replicas).toBe(2);
      expect(evidence.requests).toEqual({ ...expected.requests, total: requests });
      expect(evidence.sampling).toEqual(expected.sampling);
      expect(evidence.features).toEqual(expected.features);
      expect(evidence.datasetDrift).toEqual(expected.datasetDrift);
    }
    expect(aggregator.running.output.stderr).toMatch(/warden monitor: skipped: .* not a window snapshot/);
    expect(aggregator.running.output.stderr).not.toContain('12345');
    expect(aggregator.running.output.stderr).toMatch(
      /fraud-detector version 1: window of \d+ requests from 2 replicas/,
    );

    aggregator.running.child.kill('SIGTERM');
    expect(await aggregator.running.exited).toBe(0);
  });

  it('keep serving when NATS goes away, and report the snapshots they could not publish', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const nats = spawn(
      'nats-server',
      ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', join(work, 'jetstream')],
      {
        stdio: 'ignore',
      },
    );
    const gone = new Promise((resolve) => nats.once('exit', resolve));
    try {
      let gateway: Awaited<ReturnType<typeof started>> | undefined;
      for (let attempt = 0; gateway === undefined; attempt++) {
        gateway = await started(['gateway', '--config', config, '--port', '0'], listening, {
          WARDEN_NATS_URL: `nats://127.0.0.1:${port}`,
        }).catch((error: Error) => {
          if (attempt > 20) throw error;
          return new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 250));
        });
      }
      nats.kill('SIGKILL');
      await gone;
      const statuses = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const answer = await fetch(`${gateway.url}/v2/models/fraud-detector/infer`, {
            method: 'POST',
            body: readFileSync(join(example, 'README.md')).subarray(0, 10),
          });
          await answer.arrayBuffer();
          return answer.status;
        }),
      );
      // The model server owns its protocol's errors: what matters is that every request was answered.
      expect(statuses.every((status) => status === 400 || status === 422 || status === 200)).toBe(true);
      gateway.running.child.kill('SIGTERM');
      expect(await gateway.running.exited).toBe(0);
      expect(gateway.running.output.stderr).toMatch(
        /fraud-detector version \d: could not publish the window's snapshot/,
      );
    } finally {
      nats.kill('SIGKILL');
    }
  });

  it('refuse to start when NATS cannot be reached, or its URL carries credentials', async () => {
    const down = 'nats://127.0.0.1:1';
    // Four refusals at once: each is a whole CLI start.
    const [gateway, aggregator, secret, both] = await Promise.all([
      runCli(['gateway', '--config', config, '--port', '0'], { env: { WARDEN_NATS_URL: down } }),
      runCli(['monitor', 'aggregate', '--config', config, '--nats', down]),
      runCli(['monitor', 'aggregate', '--config', config, '--nats', 'nats://ops:hunter2@127.0.0.1:4222']),
      runCli(['gateway', '--config', config, '--evidence-dir', work], { env: { WARDEN_NATS_URL: natsUrl } }),
    ]);
    expect(gateway.code).toBe(3);
    expect(gateway.stderr).toMatch(
      /nats:\/\/127\.0\.0\.1:1 .*cannot be used.*WARDEN_ERR_MONITOR_NATS_UNAVAILABLE/s,
    );
    expectNoStackTrace(gateway.stderr);
    expect(aggregator.code).toBe(3);
    expect(aggregator.stderr).toContain('WARDEN_ERR_MONITOR_NATS_UNAVAILABLE');

    expect(secret.code).toBe(2);
    expect(secret.stderr).toContain('WARDEN_ERR_MONITOR_NATS_INVALID');
    expect(secret.stderr).not.toContain('hunter2');

    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/warden monitor aggregate/);
  });
});
