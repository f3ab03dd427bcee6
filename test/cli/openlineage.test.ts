import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunEvent, validateRunEvent } from '../../src/openlineage/index.js';
import {
  type LineageReceiver,
  sensorsContract,
  sensorsFailing,
  sensorsPassing,
  startLineageReceiver,
} from '../../src/openlineage/test-support/lineage-receiver.js';
import { expectNoStackTrace, repoRoot, runCli, writeFixture } from './run-cli.js';

const token = 'ol-secret-token-6f1d2c';
let work: string;
let receiver: LineageReceiver;
let endpoint: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'warden-cli-openlineage-'));
  await writeFixture(work, 'contract.yaml', sensorsContract);
  await writeFixture(work, 'good.csv', sensorsPassing);
  await writeFixture(work, 'bad.csv', sensorsFailing);
  receiver = await startLineageReceiver();
  endpoint = `${receiver.url}/api/v1/lineage`;
});

beforeEach(() => {
  receiver.posts.length = 0;
  receiver.answer(201);
});

afterAll(async () => {
  await receiver?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

function warden(args: string[], env: NodeJS.ProcessEnv = {}) {
  return runCli(args, { cwd: work, env: { WARDEN_OPENLINEAGE_API_KEY: token, ...env } });
}

async function expectValid(events: unknown[]): Promise<void> {
  for (const event of events) expect(await validateRunEvent(event)).toEqual([]);
}

describe('warden check … --openlineage', () => {
  it('posts START and COMPLETE of a passing data check, with the token, which it never prints', async () => {
    const run = await warden(['check', 'data', 'good.csv', '-c', 'contract.yaml', '--openlineage', endpoint]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(receiver.posts.map((p) => [p.path, p.headers['authorization']])).toEqual([
      ['/api/v1/lineage', `Bearer ${token}`],
      ['/api/v1/lineage', `Bearer ${token}`],
    ]);
    const events = receiver.posts.map((p) => p.body as RunEvent);
    await expectValid(events);
    expect(events.map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
    expect(events[1]?.job.name).toBe('data-check/sensors');
    expect(events[1]?.inputs[0]).toMatchObject({ namespace: 'file://', name: join(work, 'good.csv') });
    expect(events[1]?.inputs[0]?.inputFacets?.dataQualityMetrics).toMatchObject({ rowCount: 3 });
    expect(run.stdout + run.stderr).not.toContain(token);
  });

  it('posts FAIL for a failing data check and keeps its exit code 1', async () => {
    const run = await warden([
      'check',
      'data',
      'bad.csv',
      '-c',
      'contract.yaml',
      '--openlineage',
      endpoint,
      '-q',
    ]);
    expect(run.code).toBe(1);
    const events = receiver.posts.map((p) => p.body as RunEvent);
    await expectValid(events);
    expect(events.map((e) => e.eventType)).toEqual(['START', 'FAIL']);
    expect(events[1]?.run.facets?.errorMessage?.['message']).toMatch(/^3 of \d+ checks failed on sensors/);
  });

  it('stops before the check with exit 3 when the endpoint refuses the START event, naming it', async () => {
    receiver.answer(503);
    const evidence = join(work, 'refused.json');
    const run = await warden([
      'check',
      'data',
      'good.csv',
      '-c',
      'contract.yaml',
      '--openlineage',
      `${endpoint}?tenant=acme`,
      '--json',
      evidence,
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      `could not deliver the OpenLineage START event to ${endpoint}: HTTP 503 Service Unavailable`,
    );
    expect(run.stderr).toContain('[WARDEN_ERR_OPENLINEAGE_DELIVERY_FAILED]');
    expect(run.stderr).toContain('--openlineage-optional');
    expect(run.stderr).not.toContain('tenant=acme');
    expect(run.stdout + run.stderr).not.toContain(token);
    expectNoStackTrace(run.stderr);
    expect(existsSync(evidence)).toBe(false);
    expect(receiver.posts).toHaveLength(1);
  });

  it('with --openlineage-optional warns and keeps the check’s exit code', async () => {
    receiver.answer(500);
    const run = await warden([
      'check',
      'data',
      'bad.csv',
      '-c',
      'contract.yaml',
      '--openlineage',
      endpoint,
      '--openlineage-optional',
      '-q',
    ]);
    expect(run.code).toBe(1);
    const warnings = run.stderr.split('\n').filter((line) => line.startsWith('warning: '));
    expect(warnings).toEqual([
      `warning: could not deliver the OpenLineage START event to ${endpoint}: HTTP 500 Internal Server Error (check the endpoint and WARDEN_OPENLINEAGE_API_KEY; --openlineage-optional makes this a warning); carrying on`,
      `warning: could not deliver the OpenLineage FAIL event to ${endpoint}: HTTP 500 Internal Server Error (check the endpoint and WARDEN_OPENLINEAGE_API_KEY; --openlineage-optional makes this a warning); carrying on`,
    ]);
    expect(run.stdout + run.stderr).not.toContain(token);
  });

  it('refuses an endpoint URL with credentials (exit 2) without echoing them', async () => {
    const url = new URL(endpoint);
    url.username = 'bot';
    url.password = 'pa55word';
    const run = await warden(['check', 'data', 'good.csv', '-c', 'contract.yaml', '--openlineage', url.href]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('[WARDEN_ERR_OPENLINEAGE_TARGET_INVALID]');
    expect(run.stderr).toContain('WARDEN_OPENLINEAGE_API_KEY');
    expect(run.stderr).not.toContain('pa55word');
    expect(receiver.posts).toEqual([]);
  });

  it('appends the events of check model to a JSON Lines file', async () => {
    const file = join(work, 'events.jsonl');
    const run = await warden([
      'check',
      'model',
      join(repoRoot, 'examples/credit-risk/predictions.csv'),
      '--target',
      'Status',
      '--positive',
      'bad',
      '--score',
      'score',
      '--model',
      'credit-risk',
      '--openlineage',
      file,
      '-q',
    ]);
    expect(run.code).toBe(0);
    const events = (await readFile(file, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as RunEvent);
    await expectValid(events);
    expect(events.map((e) => [e.eventType, e.job.name])).toEqual([
      ['START', 'model-evaluation/credit-risk'],
      ['COMPLETE', 'model-evaluation/credit-risk'],
    ]);
    expect(events[1]?.inputs[0]?.name).toBe(join(repoRoot, 'examples/credit-risk/predictions.csv'));
  });
});
