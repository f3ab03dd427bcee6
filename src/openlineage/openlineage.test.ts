import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Digest, isWardenError, sealEvidence } from '../core/index.js';
import { type DataCheckEvidence, type LoadedContract, loadContract, runDataCheck } from '../data/index.js';
import {
  type CaptureEvidence,
  captureRunEvents,
  checkRun,
  datasetIdentity,
  openLineageTransport,
  type RunEvent,
  runUuid,
  validateRunEvent,
} from './index.js';
import {
  sensorsContract,
  sensorsFailing,
  sensorsPassing,
  startLineageReceiver,
} from './test-support/lineage-receiver.js';

let dir: string;
let contract: LoadedContract;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-openlineage-'));
  await writeFile(join(dir, 'contract.yaml'), sensorsContract);
  await writeFile(join(dir, 'good.csv'), sensorsPassing);
  await writeFile(join(dir, 'bad.csv'), sensorsFailing);
  contract = await loadContract(join(dir, 'contract.yaml'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function expectValid(event: RunEvent): Promise<void> {
  expect(await validateRunEvent(event)).toEqual([]);
}

async function dataCheckEvents(file: string): Promise<{ events: RunEvent[]; evidence: DataCheckEvidence }> {
  let clock = Date.parse('2026-12-01T08:00:00Z');
  const run = checkRun({
    kind: 'data-check',
    subject: 'sensors',
    files: [join(dir, file)],
    contract,
    source: {
      commit: 'a'.repeat(40),
      remote: 'https://ci:s3cret@git.example.com/acme/pm.git',
      branch: 'main',
      root: dir,
    },
    now: () => new Date((clock += 1000)),
    env: {},
  });
  const start = run.start();
  const evidence = await runDataCheck(join(dir, file), contract);
  return { events: [start, run.finish(evidence)], evidence };
}

describe('check run events', () => {
  it('a passing data check: START, then COMPLETE with the schema, metrics and assertions, all valid', async () => {
    const { events, evidence } = await dataCheckEvents('good.csv');
    const [start, complete] = events as [RunEvent, RunEvent];
    expect(evidence.passed).toBe(true);
    for (const event of events) await expectValid(event);
    expect(start.eventType).toBe('START');
    expect(complete.eventType).toBe('COMPLETE');
    expect(complete.run.runId).toBe(start.run.runId);
    expect(start.job).toEqual(complete.job);
    expect(start.job.namespace).toBe('warden');
    expect(start.job.name).toBe('data-check/sensors');
    expect(start.job.facets?.jobType).toMatchObject({
      processingType: 'BATCH',
      integration: 'WARDEN',
      jobType: 'DATA_QUALITY',
    });
    expect(start.job.facets?.sourceCodeLocation).toMatchObject({
      type: 'git',
      url: 'https://git.example.com/acme/pm.git',
      repoUrl: 'https://git.example.com/acme/pm.git',
      version: 'a'.repeat(40),
      branch: 'main',
    });
    expect(JSON.stringify(events)).not.toContain('s3cret');
    expect(complete.run.facets?.processing_engine).toMatchObject({ name: 'warden' });
    expect(complete.run.facets?.nominalTime).toMatchObject({
      nominalStartTime: '2026-12-01T08:00:01.000Z',
      nominalEndTime: '2026-12-01T08:00:02.000Z',
    });
    const [input] = complete.inputs;
    expect(input).toMatchObject({ namespace: 'file://', name: join(dir, 'good.csv') });
    expect(input?.facets?.schema?.['fields']).toEqual([
      { name: 'machine', type: 'string', description: "The machine's id.", ordinal_position: 1 },
      { name: 'torque', type: 'number', ordinal_position: 2 },
      { name: 'failed', type: 'integer', ordinal_position: 3 },
    ]);
    expect(input?.facets?.version?.['datasetVersion']).toBe(evidence.inputs[0]?.digest);
    expect(input?.inputFacets?.dataQualityMetrics).toMatchObject({
      rowCount: 3,
      fileCount: 1,
      bytes: evidence.inputs[0]?.bytes,
      columnMetrics: { machine: { nullCount: 0 }, torque: { nullCount: 1 } },
    });
    const assertions = input?.inputFacets?.dataQualityAssertions?.['assertions'] as Record<string, unknown>[];
    expect(assertions).toHaveLength(evidence.results.length);
    expect(assertions).toContainEqual({
      assertion: 'nullValues',
      success: true,
      column: 'torque',
      severity: 'error',
      name: 'sensors.torque.nullValues',
      expected: '< 50%',
      actual: expect.stringMatching(/^33\.3{6,}\d*%$/),
    });
  });

  it('a failing data check: FAIL with an error message and each failed assertion', async () => {
    const { events, evidence } = await dataCheckEvents('bad.csv');
    const [, fail] = events as [RunEvent, RunEvent];
    expect(evidence.passed).toBe(false);
    for (const event of events) await expectValid(event);
    expect(fail.eventType).toBe('FAIL');
    expect(fail.run.facets?.errorMessage?.['message']).toBe(
      `${evidence.summary.failed} of ${evidence.summary.checks} checks failed on sensors (evidence ${evidence.id})`,
    );
    const assertions = fail.inputs[0]?.inputFacets?.dataQualityAssertions?.['assertions'] as {
      name: string;
      success: boolean;
    }[];
    expect(
      assertions
        .filter((a) => !a.success)
        .map((a) => a.name)
        .sort(),
    ).toEqual(
      evidence.results
        .filter((r) => !r.passed)
        .map((r) => r.check)
        .sort(),
    );
    expect(assertions.filter((a) => !a.success).length).toBeGreaterThanOrEqual(2);
    expect(fail.inputs[0]?.inputFacets?.dataQualityMetrics?.['columnMetrics']).toMatchObject({
      machine: { nullCount: 1 },
      torque: { nullCount: 2 },
    });
  });

  it('the validator refuses what the schemas refuse, so a passing validation means something', async () => {
    const { events } = await dataCheckEvents('good.csv');
    const complete = events[1] as RunEvent;
    const broken = (change: (event: RunEvent) => void) => {
      const copy = structuredClone(complete);
      change(copy);
      return validateRunEvent(copy);
    };
    expect(await broken((e) => (e.run.runId = 'run-1'))).toEqual([
      expect.stringContaining('event/run/runId'),
    ]);
    expect(await broken((e) => ((e as { eventTime: string }).eventTime = 'yesterday'))).not.toEqual([]);
    expect(
      await broken((e) => {
        const assertions = e.inputs[0]?.inputFacets?.dataQualityAssertions?.['assertions'] as {
          success?: unknown;
        }[];
        delete assertions[0]?.success;
      }),
    ).toEqual([
      expect.stringMatching(/^inputs\/0\/inputFacets\/dataQualityAssertions\/assertions\/0: .*success/),
    ]);
    expect(
      await broken((e) => {
        const facets = e.run.facets as Record<string, unknown>;
        facets['engine'] = facets['processing_engine'];
      }),
    ).toEqual(['run.facets/engine: its schema names the facet processing_engine']);
    expect(
      await broken((e) => {
        if (e.job.facets?.jobType)
          e.job.facets.jobType._schemaURL = 'https://openlineage.io/spec/facets/9-9-9/JobTypeJobFacet.json';
      }),
    ).toEqual([expect.stringContaining('no shipped schema')]);
    expect(await broken((e) => ((e as { job: unknown }).job = { name: 'x' }))).not.toEqual([]);
  });
});

const digestOf = (c: string) => `sha256:${c.repeat(64)}` as Digest;

function capture(passed: boolean): CaptureEvidence {
  return sealEvidence(
    {
      kind: 'reproducibility' as const,
      subject: { type: 'model-version' as const, name: 'predictive-maintenance', version: 'unversioned' },
      inputs: [{ uri: 'data/ai4i2020.csv', digest: digestOf('a'), bytes: 522048 }],
      passed,
      run: {
        runId: 'capture-1a2b3c4-20261201T080000Z',
        command: ['python3', 'train.py', '--out', 'model.pkl'],
        workingDirectory: 'examples/pm',
        startedAt: '2026-12-01T08:00:00Z',
        endedAt: '2026-12-01T08:01:30Z',
        exitCode: passed ? 0 : 1,
      },
      source: {
        commit: '1a2b3c4'.padEnd(40, '0'),
        branch: 'main',
        remote: null,
        dirty: false,
        changedPaths: [],
      },
      data: [{ path: 'examples/pm/data/ai4i2020.csv', digest: digestOf('a'), bytes: 522048 }],
      lockfiles: [{ path: 'requirements.txt', digest: digestOf('b') }],
      environment: {
        image: null,
        platform: 'linux-x64',
        node: 'v20.18.0',
        python: { version: '3.11.2', packages: { 'scikit-learn': '1.2.1' } },
        variables: { OMP_NUM_THREADS: '1', API_TOKEN: null },
      },
      seeds: { PYTHONHASHSEED: '0' },
      parameters: {
        file: 'examples/pm/params.yaml',
        digest: digestOf('c'),
        values: { trees: 200, depth: null },
      },
      outputs: [{ path: 'examples/pm/model.pkl', digest: digestOf('d'), bytes: 1024 }],
    },
    new Date('2026-12-01T08:01:31Z'),
  );
}

describe('captureRunEvents', () => {
  it('START and COMPLETE of a captured training run, valid, from the evidence alone', async () => {
    const evidence = capture(true);
    const good = await runDataCheck(join(dir, 'good.csv'), contract);
    const checked = { ...good, inputs: [{ ...good.inputs[0], digest: digestOf('a') }] } as DataCheckEvidence;
    const events = captureRunEvents(evidence, {
      repositoryRoot: '/srv/pm',
      dataChecks: [{ evidence: checked, contract }],
      env: { OPENLINEAGE_NAMESPACE: 'ml-team' },
    });
    for (const event of events) await expectValid(event);
    const [start, complete] = events;
    expect([start.eventType, complete.eventType]).toEqual(['START', 'COMPLETE']);
    expect([start.eventTime, complete.eventTime]).toEqual(['2026-12-01T08:00:00Z', '2026-12-01T08:01:30Z']);
    expect(complete.run.runId).toBe(start.run.runId);
    expect(captureRunEvents(evidence, { repositoryRoot: '/elsewhere' })[0].run.runId).toBe(start.run.runId);
    expect(start.run.runId.slice(0, 13)).toBe(runUuid(new Date('2026-12-01T08:00:00Z'), 'x').slice(0, 13));
    expect(complete.job).toMatchObject({ namespace: 'ml-team', name: 'capture/predictive-maintenance' });
    expect(complete.job.facets?.sourceCodeLocation).toMatchObject({
      type: 'git',
      url: 'file:///srv/pm',
      version: evidence.source.commit,
      branch: 'main',
      path: 'examples/pm',
    });
    expect(complete.job.facets?.jobType?.['jobType']).toBe('TRAINING');
    expect(complete.inputs).toEqual([
      expect.objectContaining({ namespace: 'file://', name: '/srv/pm/examples/pm/data/ai4i2020.csv' }),
    ]);
    expect(complete.inputs[0]?.facets?.schema).toBeDefined();
    expect(complete.inputs[0]?.facets?.version?.['datasetVersion']).toBe(digestOf('a'));
    expect(complete.inputs[0]?.inputFacets?.dataQualityMetrics?.['rowCount']).toBe(3);
    expect(complete.outputs).toEqual([
      expect.objectContaining({ namespace: 'file://', name: '/srv/pm/examples/pm/model.pkl' }),
    ]);
    expect(complete.outputs[0]?.outputFacets?.outputStatistics).toMatchObject({ size: 1024, fileCount: 1 });
    expect(complete.run.facets?.executionParameters?.['parameters']).toEqual([
      { key: 'seed.PYTHONHASHSEED', value: '0' },
      { key: 'param.trees', value: '200' },
      { key: 'param.depth', value: 'null' },
      { key: 'command', value: 'python3 train.py --out model.pkl' },
    ]);
    expect(complete.run.facets?.environmentVariables?.['environmentVariables']).toEqual([
      { name: 'OMP_NUM_THREADS', value: '1' },
    ]);
  });

  it('FAIL with the exit code when the captured command failed', async () => {
    const [start, fail] = captureRunEvents(capture(false), { repositoryRoot: '/srv/pm' });
    await expectValid(start);
    await expectValid(fail);
    expect(fail.eventType).toBe('FAIL');
    expect(fail.run.facets?.errorMessage).toMatchObject({
      message: expect.stringContaining('python3 train.py --out model.pkl exited with 1'),
      programmingLanguage: 'python',
    });
  });
});

describe('datasetIdentity', () => {
  it('follows the OpenLineage naming conventions', () => {
    expect(datasetIdentity('data/x.csv', '/work')).toEqual({
      namespace: 'file://',
      name: '/work/data/x.csv',
    });
    expect(datasetIdentity('file:///tmp/a%20b.csv')).toEqual({ namespace: 'file://', name: '/tmp/a b.csv' });
    expect(datasetIdentity('s3://bucket/raw/x.parquet')).toEqual({
      namespace: 's3://bucket',
      name: 'raw/x.parquet',
    });
    expect(datasetIdentity('https://user:pw@data.example.com/x.csv')).toEqual({
      namespace: 'https://data.example.com',
      name: '/x.csv',
    });
  });
});

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isWardenError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected an error');
}

describe('openLineageTransport', () => {
  it('POSTs each event as JSON with the bearer token', async () => {
    const { url, posts, close } = await startLineageReceiver();
    try {
      const { events } = await dataCheckEvents('good.csv');
      const transport = openLineageTransport(`${url}/api/v1/lineage`, { apiKey: 'ol-token-123' });
      for (const event of events) await transport.emit(event);
      expect(posts.map((p) => p.path)).toEqual(['/api/v1/lineage', '/api/v1/lineage']);
      expect(posts.map((p) => p.headers['authorization'])).toEqual([
        'Bearer ol-token-123',
        'Bearer ol-token-123',
      ]);
      expect(posts.map((p) => p.headers['content-type'])).toEqual(['application/json', 'application/json']);
      expect(posts.map((p) => p.body)).toEqual(JSON.parse(JSON.stringify(events)));
    } finally {
      await close();
    }
  });

  it('names the endpoint without its query when it refuses or is not there', async () => {
    const { url, close } = await startLineageReceiver(401);
    const { events } = await dataCheckEvents('good.csv');
    try {
      const refused = await failure(
        openLineageTransport(`${url}/api/v1/lineage?key=hidden`).emit(events[0] as RunEvent),
      );
      expect(refused).toMatchObject({
        code: 'WARDEN_ERR_OPENLINEAGE_DELIVERY_FAILED',
        message: `could not deliver the OpenLineage START event to ${url}/api/v1/lineage: HTTP 401 Unauthorized (check the endpoint and WARDEN_OPENLINEAGE_API_KEY; --openlineage-optional makes this a warning)`,
      });
    } finally {
      await close();
    }
    const down = await failure(openLineageTransport(`${url}/api/v1/lineage`).emit(events[0] as RunEvent));
    expect(down.message).toContain(
      `could not deliver the OpenLineage START event to ${url}/api/v1/lineage: ECONNREFUSED (`,
    );
  });

  it('refuses a URL with credentials and an unknown scheme, before sending anything', async () => {
    const withCredentials = await failure(
      (async () => openLineageTransport('https://bot:tok3n@lineage.example.com/api/v1/lineage'))(),
    );
    expect(withCredentials.code).toBe('WARDEN_ERR_OPENLINEAGE_TARGET_INVALID');
    expect(withCredentials.message).toBe(
      '--openlineage https://lineage.example.com/api/v1/lineage: the URL carries credentials; remove them and put the token in WARDEN_OPENLINEAGE_API_KEY (sent as a bearer token)',
    );
    expect(withCredentials.message).not.toContain('tok3n');
    expect((await failure((async () => openLineageTransport('kafka://broker:9092/lineage'))())).code).toBe(
      'WARDEN_ERR_OPENLINEAGE_TARGET_INVALID',
    );
  });

  it('appends each event to a JSON Lines file', async () => {
    const file = join(dir, 'events.jsonl');
    const { events } = await dataCheckEvents('good.csv');
    const transport = openLineageTransport(file);
    for (const event of events) await transport.emit(event);
    await transport.emit(events[0] as RunEvent);
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line).eventType)).toEqual(['START', 'COMPLETE', 'START']);
    const missing = await failure(
      openLineageTransport(join(dir, 'no/such/dir/events.jsonl')).emit(events[0] as RunEvent),
    );
    expect(missing).toMatchObject({
      code: 'WARDEN_ERR_OPENLINEAGE_DELIVERY_FAILED',
      message: expect.stringContaining('ENOENT'),
    });
  });
});
