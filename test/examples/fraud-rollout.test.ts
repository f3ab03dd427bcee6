/**
 * The fraud example's rollout scene (examples/fraud-detection/rollout.ts), end to end with real
 * processes: the built script starts `warden server`, both model servers (version 2 with a planted
 * fault), an attached `warden gateway` and steady traffic, and runs `warden rollout start`. A faulty
 * canary must be rolled back by the check its fault breaks, a healthy one promoted, and no client
 * request may fail because of the gateway. Also the planted faults themselves, on a model server.
 * Runs the built scripts in dist/ (npm test builds first).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { failsRequest, parseFault, withScoreShift } from '../../examples/fraud-detection/faults.js';
import { type FraudModel, fraudProbability } from '../../examples/fraud-detection/scoring.js';
import { inferRequest } from '../../examples/fraud-detection/traffic.js';
import { parseTransactionsCsv } from '../../examples/fraud-detection/transactions.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const example = join(repoRoot, 'examples/fraud-detection');
const built = join(repoRoot, 'dist/examples/fraud-detection');
const transactions = parseTransactionsCsv(
  readFileSync(join(example, 'transactions.csv'), 'utf8'),
  'transactions.csv',
);
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** Runs a built example script to its end. */
function runBuilt(
  script: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(built, script), ...args], { cwd: repoRoot });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** The number after `label` on the scene's traffic lines. */
function counted(stdout: string, label: string): number {
  const match = new RegExp(`${label}: (\\d+)`).exec(stdout);
  expect(match, `"${label}" in:\n${stdout}`).not.toBeNull();
  return Number(match?.[1]);
}

/** The scene's client answers, `status 200: n, 500: m; version 1: n, 2: m`, as counts by key. */
function trafficTally(stdout: string, what: 'status' | 'version'): Record<string, number> {
  const line = /^\[ *[\d.]+ s\] traffic: \d+ requests in .*$/m.exec(stdout)?.[0] ?? '';
  const list = new RegExp(`${what} ([^;]*)`).exec(line)?.[1] ?? '';
  return Object.fromEntries(
    [...list.matchAll(/([\w-]+): (\d+)/g)].map(([, key, count]) => [key as string, Number(count)]),
  );
}

describe('the rollout scene', () => {
  // One after the other (12–18 s each): side by side, their processes would slow each other's
  // answers past the latency check. Slow answers, shifted scores and drifted inputs are rolled back
  // in test/cli/rollout-faults.test.ts; here the scene itself: a faulty canary and a healthy one.
  it.each([
    { fault: 'errors:0.2', outcome: 'rolled-back', check: 'fraud-canary/error-ratio: canary error ratio' },
    { fault: 'none', outcome: 'promoted', check: 'promoted through prm_' },
  ])(
    'version 2 with fault $fault is $outcome, the reason naming the check',
    async ({ fault, outcome, check }) => {
      const run = await runBuilt('rollout.js', ['--fault', fault, '--expect', outcome]);
      const transcript = `${run.stdout}\n${run.stderr}`;
      expect(run.code, transcript).toBe(0);
      expect(run.stdout).toContain(`outcome: ${outcome} (expected ${outcome}); audit log verified\nOK\n`);
      const reason = /^ {4}reason: (.*)$/m.exec(run.stdout)?.[1];
      expect(reason, transcript).toContain(check);
      if (outcome === 'rolled-back') expect(reason).toMatch(/^2 failed checks \(threshold 2\)/);
      // Only the model server's own answers may fail: nothing from the gateway, nothing unanswered.
      expect(counted(run.stdout, 'gateway errors \\(502/503/504 from the gateway itself\\)')).toBe(0);
      expect(counted(run.stdout, 'unanswered')).toBe(0);
      expect(trafficTally(run.stdout, 'version')['2'], transcript).toBeGreaterThan(0);
      const statuses = trafficTally(run.stdout, 'status');
      expect(statuses['200']).toBeGreaterThan(0);
      // The only failures are the planted ones, answered by version 2's model server itself.
      expect(Object.keys(statuses).sort()).toEqual(fault.startsWith('errors') ? ['200', '500'] : ['200']);
      expect(run.stdout).toMatch(/audit log verified \(server\): \d+ entries, unbroken/);
      expect(run.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    },
    90_000,
  );

  it('refuses a fault it does not know, with one line and exit code 2', async () => {
    const run = await runBuilt('rollout.js', ['--fault', 'errors:2']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      'error: --fault "errors:2" is not a fault; use one of none, errors:SHARE (0–1), slow:MILLISECONDS, score-shift:DEVIATIONS, e.g. errors:0.2, slow:250 or score-shift:1',
    );
    const keep = await runBuilt('rollout.js', ['--keep=yes']);
    expect(keep.code).toBe(2);
    expect(keep.stderr.trim()).toBe('error: --keep takes no value');
  });
});

describe('the planted faults', () => {
  it('parse from their written form and refuse anything else', () => {
    expect(parseFault('none')).toEqual({ kind: 'none' });
    expect(parseFault('errors:0.2')).toEqual({ kind: 'errors', share: 0.2 });
    expect(parseFault('slow:250')).toEqual({ kind: 'slow', milliseconds: 250 });
    expect(parseFault('score-shift:-0.5')).toEqual({ kind: 'score-shift', deviations: -0.5 });
    for (const bad of [
      '',
      'none:1',
      'errors',
      'errors:0',
      'errors:1.5',
      'slow:0.5',
      'slow:x',
      'score-shift:0',
      'oops:1',
    ]) {
      expect(() => parseFault(bad), bad).toThrow(/is not a fault/);
    }
  });

  it('fail an exact, evenly spread share of requests', () => {
    const failed = Array.from({ length: 100 }, (_, i) => i + 1).filter((n) => failsRequest(0.2, n));
    expect(failed).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100]);
    expect(Array.from({ length: 1000 }, (_, i) => i + 1).filter((n) => failsRequest(0.013, n))).toHaveLength(
      13,
    );
  });

  it('shift every log-odds by the amount weight times the deviations', () => {
    const model = JSON.parse(readFileSync(join(example, 'model-v2.json'), 'utf8')) as FraudModel;
    const amountWeight = model.terms.find((term) => term.input === 'amount')?.weight as number;
    const shifted = withScoreShift(model, 1);
    const logit = (p: number) => Math.log(p / (1 - p));
    for (const transaction of transactions.slice(0, 5)) {
      const numeric = [
        transaction.amount,
        transaction.hour,
        transaction.distanceKm,
        transaction.cardPresent,
        transaction.velocity1h,
        transaction.accountAgeDays,
      ];
      const before = logit(fraudProbability(model, numeric, transaction.merchantCategory));
      const after = logit(fraudProbability(shifted, numeric, transaction.merchantCategory));
      expect(after - before).toBeCloseTo(amountWeight, 9);
    }
  });

  it('answer from a model server: a fifth of the requests 500, or every answer late', async () => {
    const start = async (fault: string) => {
      const child = spawn(
        process.execPath,
        [
          join(built, 'model-server.js'),
          '--model',
          join(example, 'model-v2.json'),
          '--port',
          '0',
          '--fault',
          fault,
        ],
        { cwd: repoRoot },
      );
      children.push(child);
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      for (let waited = 0; waited < 20_000 && !/planted fault: /.test(output); waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return { url: /listening on (http:\/\/\S+)/.exec(output)?.[1] as string, output };
    };
    const infer = (url: string, index: number) =>
      fetch(`${url}/v2/models/fraud-detector/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: inferRequest(transactions.slice(index, index + 3), `t-${index}`),
      });
    const [failing, slow] = await Promise.all([start('errors:0.2'), start('slow:250')]);
    expect(failing.output).toContain('planted fault: 20% of inference requests answered 500');
    const statuses: number[] = [];
    for (let index = 0; index < 10; index++) {
      const answer = await infer(failing.url, index);
      statuses.push(answer.status);
      const body = (await answer.json()) as { error?: string };
      if (answer.status === 500)
        expect(body.error).toBe('planted fault errors:0.2: this request fails on purpose');
    }
    expect(statuses).toEqual([200, 200, 200, 200, 500, 200, 200, 200, 200, 500]);
    // Health is not an inference request: no fault there.
    expect((await fetch(`${failing.url}/v2/health/ready`)).status).toBe(200);

    expect(slow.output).toContain('planted fault: every inference answer delayed 250 ms');
    const began = performance.now();
    const answer = await infer(slow.url, 0);
    expect(answer.status).toBe(200);
    expect(performance.now() - began).toBeGreaterThanOrEqual(245);
  });

  it('refuses --fault with a value it does not know, at start', () => {
    const run = spawnSync(
      process.execPath,
      [join(built, 'model-server.js'), '--model', join(example, 'model-v1.json'), '--fault', 'slow'],
      { encoding: 'utf8' },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^error: --fault "slow" is not a fault; use one of none, errors:SHARE/);
  });
});

describe('the canary policy', () => {
  it('passes its own cases, each validation seen passing and failing', () => {
    const run = spawnSync(
      process.execPath,
      [join(repoRoot, 'bin/warden.js'), 'policy', 'test', join(example, 'policies')],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /PASSED {2}\d+ cases: \d+ passed, 0 failed; 3 of 3 validations seen both passing and failing/,
    );
  });
});
