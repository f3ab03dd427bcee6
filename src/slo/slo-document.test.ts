import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isWardenError } from '../core/index.js';
import { loadSloDocuments, parseSloDocuments } from './slo-document.js';

const example = new URL('../../examples/fraud-detection/slos.yaml', import.meta.url).pathname;

async function sloFile(content: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'warden-slo-')), 'slos.yaml');
  await writeFile(file, content);
  return file;
}

async function problemOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isWardenError(error) && error.code === 'WARDEN_ERR_SLO_INVALID') return error.message;
    throw error;
  }
  throw new Error('expected WARDEN_ERR_SLO_INVALID');
}

const availability = (name: string, extra = '') => `apiVersion: warden.dev/v1
kind: ServiceLevelObjective
metadata:
  name: ${name}
spec:
  model: fraud-detector
  objective: 99.9
  indicator:
    availability: {}
${extra}`;

describe('loadSloDocuments', () => {
  it('reads the example: several documents, the period defaulted to 30d', async () => {
    const documents = await loadSloDocuments(example);
    expect(documents.map((slo) => [slo.metadata.name, slo.spec.period, slo.spec.indicator])).toEqual([
      ['fraud-availability', '30d', { availability: {} }],
      ['fraud-latency', '30d', { latency: { le: 0.1 } }],
    ]);
  });

  it('reports every problem at once with its file:line:col and the fix', async () => {
    const file = await sloFile(`${availability('ok')}---
apiVersion: warden.dev/v1
kind: ServiceLevelObjective
metadata:
  name: slow
spec:
  model: fraud-detector
  objective: 99
  period: 45s
  indicator:
    latency: { le: 0.2 }
---
apiVersion: warden.dev/v1
kind: ServiceLevelObjective
metadata:
  name: ok
spec:
  model: fraud-detector
  objectve: 99
  indicator: { availability: {} }
`);
    const message = await problemOf(loadSloDocuments(file));
    expect(message).toContain('(4 problems)');
    expect(message).toContain(`${file}:18:3: period "45s" is not a duration of at least 1m`);
    expect(message).toContain(`${file}:20:16: le 0.2 is not a bucket bound`);
    expect(message).toContain('use one of 0.001, 0.0025');
    expect(message).toContain(`${file}:28:3: unknown field "objectve" in spec (did you mean "objective"?)`);
    expect(message).toContain(`${file}:26:1: spec.objective is required but missing`);
  });

  it('refuses a name given twice, an indicator of two kinds and another model than the route’s', async () => {
    const twice = await sloFile(`${availability('a')}---\n${availability('a')}`);
    expect(await problemOf(loadSloDocuments(twice))).toContain(
      `${twice}:14:3: model "fraud-detector" has an SLO named "a" already (at ${twice}:4:3)`,
    );
    const both = await sloFile(
      availability('b').replace('availability: {}', 'availability: {}\n    latency: { le: 0.1 }'),
    );
    expect(await problemOf(loadSloDocuments(both))).toContain('not availability and latency');
    expect(await problemOf(loadSloDocuments(example, { model: 'credit-risk' }))).toContain(
      `${example}:9:3: this SLO is about model "fraud-detector", but the route that names it serves "credit-risk"`,
    );
  });

  it('refuses a file with no document and YAML that does not parse', async () => {
    expect(await problemOf(loadSloDocuments(await sloFile('# nothing\n')))).toContain('holds no document');
    const broken = await sloFile('apiVersion: [\n');
    expect(await problemOf(loadSloDocuments(broken))).toContain(`${broken}:`);
  });
});

describe('parseSloDocuments', () => {
  it('checks documents from JSON and names the place by path', () => {
    const good = { ...sloOf('x'), spec: { ...sloOf('x').spec, period: '7d' } };
    expect(parseSloDocuments([good], 'request body')[0]?.spec.period).toBe('7d');
    expect(() =>
      parseSloDocuments([{ ...good, spec: { ...good.spec, objective: 0 } }], 'request body'),
    ).toThrow(
      'request body[0] at spec.objective: spec.objective: is the percent of good requests: above 0 and below 100',
    );
    expect(() => parseSloDocuments(good, 'the route', { model: 'credit-risk' })).toThrow(
      'the route at spec.model: this SLO is about model "fraud-detector"',
    );
  });
});

function sloOf(name: string) {
  return {
    apiVersion: 'warden.dev/v1',
    kind: 'ServiceLevelObjective',
    metadata: { name },
    spec: { model: 'fraud-detector', objective: 99, indicator: { availability: {} } },
  };
}
