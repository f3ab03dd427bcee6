import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErrorCode, verifyEvidenceId, WardenError } from '../core/index.js';
import type { CheckResult } from './check-results.js';
import { loadContract } from './contract-loader.js';
import { type DataCheckEvidence, type DataCheckOptions, runDataCheck } from './data-check.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-data-check-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(name: string, content: string | Buffer): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, content);
  return file;
}

function sha256(data: string | Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

// Lines 1–7 of every contract; the schema object's keys start on line 8.
const head = `apiVersion: v3.1.0
kind: DataContract
id: test-contract
version: 1.0.0
status: active
schema:
  - name: t
`;

/** Writes `name` and its contract (head + body), runs the gate, returns the evidence. */
async function check(
  name: string,
  data: string | Buffer,
  body: string,
  options: DataCheckOptions = {},
): Promise<DataCheckEvidence> {
  const dataFile = await put(name, data);
  const contractFile = await put(`${name}.contract.yaml`, head + body);
  return runDataCheck(dataFile, contractFile, options);
}

/** Runs the gate and returns the coded error it must throw. */
async function checkError(
  name: string,
  data: string | Buffer,
  body: string,
  code: ErrorCode,
  options: DataCheckOptions = {},
): Promise<{ error: WardenError; dataFile: string; contractFile: string }> {
  const dataFile = await put(name, data);
  const contractFile = await put(`${name}.contract.yaml`, head + body);
  const error = await errorOf(runDataCheck(dataFile, contractFile, options));
  expect(error.code).toBe(code);
  return { error, dataFile, contractFile };
}

async function errorOf(promise: Promise<unknown>): Promise<WardenError> {
  const caught = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(WardenError);
  return caught as WardenError;
}

function result(evidence: DataCheckEvidence, id: string): CheckResult {
  const found = evidence.results.find((candidate) => candidate.check === id);
  if (!found) {
    throw new Error(
      `no result ${id}; have ${evidence.results.map((candidate) => candidate.check).join(', ')}`,
    );
  }
  return found;
}

/** A masked sample shows shape only: x for letters, # for digits, punctuation as is. */
const maskedShape = /^(?:x|#|[^\p{L}\p{Nd}])*$/u;

describe('runDataCheck: the evidence envelope', () => {
  const data = 'id,name\n1,a\n2,b\n';
  const body = `    properties:
      - name: id
        logicalType: integer
        required: true
      - name: name
        logicalType: string
`;

  it('is a sealed data-check document over the exact file and contract bytes', async () => {
    const evidence = await check('envelope.csv', data, body, {
      now: () => new Date('2026-01-02T03:04:05.678Z'),
    });
    const dataFile = join(dir, 'envelope.csv');
    const contractFile = join(dir, 'envelope.csv.contract.yaml');
    expect(evidence.kind).toBe('data-check');
    expect(evidence.schemaVersion).toBe(1);
    expect(evidence.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(verifyEvidenceId(evidence as unknown as { id: string } & Record<string, unknown>)).toBe(true);
    expect(evidence.producedAt).toBe('2026-01-02T03:04:05Z');
    expect(evidence.subject).toEqual({ type: 'dataset', name: 'test-contract' });
    expect(evidence.inputs).toEqual([
      { uri: dataFile, digest: sha256(data), bytes: Buffer.byteLength(data), rows: 2, format: 'csv' },
    ]);
    expect(evidence.contract.digest).toBe(sha256(await readFile(contractFile)));
    expect(evidence.contract).toMatchObject({
      id: 'test-contract',
      version: '1.0.0',
      uri: contractFile,
      apiVersion: 'v3.1.0',
    });
    expect(evidence.contract.schemaDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(evidence.table).toBe('t');
    expect(evidence.rowCount).toBe(2);
    expect(evidence.engine.name).toBe('duckdb');
    expect(evidence.semantics.mustBeBetween).toMatch(/inclusive/);
    expect(evidence.passed).toBe(true);
    // Changing any field breaks the id.
    expect(verifyEvidenceId({ ...evidence, rowCount: 3 } as unknown as { id: string })).toBe(false);
  });

  it('takes a loaded contract and a subject name', async () => {
    const dataFile = await put('envelope-loaded.csv', data);
    const contractFile = await put('envelope-loaded.yaml', head + body);
    const evidence = await runDataCheck(dataFile, await loadContract(contractFile), {
      subjectName: 'credit-train',
    });
    expect(evidence.subject).toEqual({ type: 'dataset', name: 'credit-train' });
    expect(evidence.contract.digest).toBe(sha256(await readFile(contractFile)));
    expect(verifyEvidenceId(evidence as unknown as { id: string })).toBe(true);
  });
});

describe('runDataCheck: implicit property checks', () => {
  it('required counts NULLs over all rows', async () => {
    // name: a, NULL, c → 1 NULL of 3 rows.
    const evidence = await check(
      'required.csv',
      'id,name\n1,a\n2,\n3,c\n',
      `    properties:
      - name: id
        required: true
      - name: name
        required: true
`,
    );
    expect(result(evidence, 't.id.required')).toMatchObject({ passed: true, observed: 0 });
    const name = result(evidence, 't.name.required');
    expect(name).toMatchObject({
      metric: 'required',
      column: 'name',
      severity: 'error',
      passed: false,
      observed: 1,
      operator: 'mustBe',
      threshold: 0,
      unit: 'rows',
      unexpectedCount: 1,
    });
    expect(name.unexpectedPercent).toBeCloseTo(100 / 3, 9);
    expect(evidence.passed).toBe(false);
    expect(evidence.summary).toMatchObject({ failed: 1 });
  });

  it('unique counts extra copies among non-null values', async () => {
    // u: a, b, a, NULL, b → 4 non-null, 2 distinct → 2 extra copies; 2 / 4 = 50 %.
    const evidence = await check(
      'unique.csv',
      'id,u\n1,a\n2,b\n3,a\n4,\n5,b\n',
      `    properties:
      - name: id
        unique: true
      - name: u
        unique: true
`,
    );
    expect(result(evidence, 't.id.unique')).toMatchObject({ passed: true, observed: 0 });
    const u = result(evidence, 't.u.unique');
    expect(u).toMatchObject({ metric: 'unique', passed: false, observed: 2, unexpectedPercent: 50 });
    // Samples name the repeated values (a and b, twice each).
    expect(u.samples?.length).toBe(2);
    for (const sample of u.samples ?? []) expect(sample).toMatch(/^[ab]\b.*2/);
  });

  it('primaryKey on one column: required and unique', async () => {
    // id: 1, 2, 2, 3 → 4 rows, 3 distinct → 1.
    const evidence = await check(
      'pk-single.csv',
      'id,v\n1,a\n2,b\n2,c\n3,d\n',
      `    properties:
      - name: id
        primaryKey: true
      - name: v
`,
    );
    expect(result(evidence, 't.id.required')).toMatchObject({ passed: true, observed: 0 });
    expect(result(evidence, 't.primaryKey')).toMatchObject({
      metric: 'unique',
      column: 'id',
      passed: false,
      observed: 1,
      unexpectedPercent: 25,
    });
  });

  it('a NULL in a one-column primaryKey is a required failure, not a duplicate', async () => {
    // id: 1, 2, NULL → required: 1 NULL. No two rows share a key: counting NULL as a value,
    // 3 rows − 3 distinct keys = 0; leaving it out, 2 non-null − 2 distinct = 0. Either way 0.
    const evidence = await check(
      'pk-null.csv',
      'id,v\n1,a\n2,b\n,c\n',
      `    properties:
      - name: id
        primaryKey: true
      - name: v
`,
    );
    expect(result(evidence, 't.id.required')).toMatchObject({ passed: false, observed: 1 });
    expect(result(evidence, 't.primaryKey')).toMatchObject({ passed: true, observed: 0 });
  });

  it('a composite primaryKey is the tuple in primaryKeyPosition order', async () => {
    // Declared b (position 2) before a (position 1): the key is (a, b).
    // (1,x) (1,y) (1,x) (2,x) → 4 rows, 3 distinct tuples → 1.
    const evidence = await check(
      'pk-composite.csv',
      'a,b,v\n1,x,p\n1,y,q\n1,x,r\n2,x,s\n',
      `    properties:
      - name: b
        primaryKey: true
        primaryKeyPosition: 2
      - name: a
        primaryKey: true
        primaryKeyPosition: 1
      - name: v
`,
    );
    const pk = result(evidence, 't.primaryKey');
    expect(pk.columns).toEqual(['a', 'b']);
    expect(pk).toMatchObject({ passed: false, observed: 1, unexpectedPercent: 25 });
  });
});

describe('runDataCheck: logicalType (values that do not cast are invalid, never a crash)', () => {
  it('integer on text: no fractions, exponents or surrounding spaces; a sign is fine', async () => {
    // Non-null: 1, 1.5, 1e3, " 7", +3, -4, abc (7). Invalid: 1.5, 1e3, " 7", abc (4).
    const evidence = await check(
      'integer.csv',
      'id,n\n1,1\n2,1.5\n3,1e3\n4, 7\n5,+3\n6,-4\n7,\n8,abc\n',
      `    properties:
      - name: n
        logicalType: integer
`,
    );
    const n = result(evidence, 't.n.logicalType');
    expect(n).toMatchObject({ metric: 'logicalType', passed: false, observed: 4, unexpectedCount: 4 });
    expect(n.unexpectedPercent).toBeCloseTo((4 / 7) * 100, 9);
    // Samples of a typed column are masked: what fails a number is text of unknown content.
    for (const sample of n.samples ?? []) expect(['#.#', '#x#', ' #', 'xxx']).toContain(sample);
  });

  it('number on text: NaN and infinities are not numbers, 1e3 is', async () => {
    // Non-null: 2.5, -0.5, 1e3, NaN, inf, -Infinity, abc (7). Invalid: NaN, inf, -Infinity, abc (4).
    const evidence = await check(
      'number.csv',
      'id,x\n1,2.5\n2,-0.5\n3,1e3\n4,NaN\n5,inf\n6,-Infinity\n7,abc\n8,\n',
      `    properties:
      - name: x
        logicalType: number
`,
    );
    const x = result(evidence, 't.x.logicalType');
    expect(x).toMatchObject({ passed: false, observed: 4 });
    expect(x.unexpectedPercent).toBeCloseTo((4 / 7) * 100, 9);
  });

  it('boolean on text', async () => {
    // Non-null: true, false, TRUE, maybe (4). Invalid: maybe (1).
    const evidence = await check(
      'boolean.csv',
      'id,b\n1,true\n2,false\n3,TRUE\n4,maybe\n5,\n',
      `    properties:
      - name: b
        logicalType: boolean
`,
    );
    expect(result(evidence, 't.b.logicalType')).toMatchObject({
      passed: false,
      observed: 1,
      unexpectedPercent: 25,
      samples: ['xxxxx'],
      samplesMasked: true,
    });
  });

  it('date: impossible calendar days are invalid', async () => {
    // Non-null: 2020-01-31, 2020-02-29 (leap year), 2020-02-30, 2021-02-29, yesterday (5).
    // Invalid: 2020-02-30, 2021-02-29, yesterday (3).
    const evidence = await check(
      'date.csv',
      'id,d\n1,2020-01-31\n2,2020-02-29\n3,2020-02-30\n4,2021-02-29\n5,yesterday\n6,\n',
      `    properties:
      - name: d
        logicalType: date
`,
    );
    const d = result(evidence, 't.d.logicalType');
    expect(d).toMatchObject({ passed: false, observed: 3, unexpectedPercent: 60 });
  });

  it('date with format dd/MM/yyyy, and a minimum compared as a date', async () => {
    // 31/01/2020 and 29/02/2020 parse; 30/02/2020 (no such day) and 2020-01-31 (other format) do not.
    // minimum 2020-02-01: of the parsed dates only 2020-01-31 is below it (unparsed ones are not counted twice).
    const evidence = await check(
      'date-format.csv',
      'id,d\n1,31/01/2020\n2,29/02/2020\n3,30/02/2020\n4,2020-01-31\n',
      `    properties:
      - name: d
        logicalType: date
        logicalTypeOptions:
          format: dd/MM/yyyy
          minimum: "2020-02-01"
`,
    );
    expect(result(evidence, 't.d.logicalType')).toMatchObject({ observed: 2, unexpectedPercent: 50 });
    expect(result(evidence, 't.d.minimum')).toMatchObject({ passed: false, observed: 1 });
  });

  it('timestamp: ISO with T or space; a timestamp maximum', async () => {
    // Invalid: 2020-13-01 00:00:00 (month 13), noon (2 of 4).
    // maximum 2020-01-01T09:30:00: only 10:00:00 is above it.
    const evidence = await check(
      'timestamp.csv',
      'id,ts\n1,2020-01-01T10:00:00\n2,2020-01-01 09:00:00\n3,2020-13-01 00:00:00\n4,noon\n',
      `    properties:
      - name: ts
        logicalType: timestamp
        logicalTypeOptions:
          maximum: "2020-01-01T09:30:00"
`,
    );
    expect(result(evidence, 't.ts.logicalType')).toMatchObject({ observed: 2, unexpectedPercent: 50 });
    expect(result(evidence, 't.ts.maximum')).toMatchObject({ passed: false, observed: 1 });
  });

  it('timestamp with a format, and time', async () => {
    // ts (dd/MM/yyyy HH:mm): 31/01/2020 10:30 parses; 31/01/2020 25:00 (hour 25) does not → 1 of 2.
    // tm: 08:30:00 is a time; 25:00:00 is not → 1 of 2.
    const evidence = await check(
      'time.csv',
      'id,ts,tm\n1,31/01/2020 10:30,08:30:00\n2,31/01/2020 25:00,25:00:00\n',
      `    properties:
      - name: ts
        logicalType: timestamp
        logicalTypeOptions: { format: "dd/MM/yyyy HH:mm" }
      - name: tm
        logicalType: time
`,
    );
    expect(result(evidence, 't.ts.logicalType')).toMatchObject({
      observed: 1,
      samples: ['##/##/#### ##:##'],
    });
    expect(result(evidence, 't.tm.logicalType')).toMatchObject({ observed: 1, samples: ['##:##:##'] });
  });

  it('a string property on a text column has no logicalType check', async () => {
    const evidence = await check(
      'string.csv',
      'id,s\n1,anything\n',
      `    properties:
      - name: s
        logicalType: string
`,
    );
    expect(evidence.results.filter((r) => r.metric === 'logicalType')).toEqual([]);
  });
});

describe('runDataCheck: logicalTypeOptions', () => {
  it('minimum, maximum, exclusiveMinimum, exclusiveMaximum on numbers (over non-null rows)', async () => {
    // a, b: 5, 10, 15, 20, NULL. c: 0.25, 0.5, 0.75, 1, NULL.
    // a: minimum 10 → 5 (1); maximum 15 → 20 (1).
    // b: exclusiveMinimum 10 → 5, 10 (2); exclusiveMaximum 15 → 15, 20 (2).
    // c: minimum 0.5 → 0.25 (1); exclusiveMaximum 1 → 1 (1).
    const evidence = await check(
      'numeric-bounds.csv',
      'id,a,b,c\n1,5,5,0.25\n2,10,10,0.5\n3,15,15,0.75\n4,20,20,1\n5,,,\n',
      `    properties:
      - name: a
        logicalType: integer
        logicalTypeOptions: { minimum: 10, maximum: 15 }
      - name: b
        logicalType: integer
        logicalTypeOptions: { exclusiveMinimum: 10, exclusiveMaximum: 15 }
      - name: c
        logicalType: number
        logicalTypeOptions: { minimum: 0.5, exclusiveMaximum: 1 }
`,
    );
    expect(result(evidence, 't.a.minimum')).toMatchObject({ observed: 1, unexpectedPercent: 25 });
    expect(result(evidence, 't.a.maximum')).toMatchObject({ observed: 1, unexpectedPercent: 25 });
    expect(result(evidence, 't.b.minimum')).toMatchObject({ observed: 2, unexpectedPercent: 50 });
    expect(result(evidence, 't.b.maximum')).toMatchObject({ observed: 2, unexpectedPercent: 50 });
    expect(result(evidence, 't.c.minimum')).toMatchObject({ observed: 1, samples: ['#.##'] });
    expect(result(evidence, 't.c.maximum')).toMatchObject({ observed: 1, samples: ['#'] });
  });

  it('multipleOf on integers and decimals', async () => {
    // i (multipleOf 5): 10, 12, 15 → 12 (1). x (multipleOf 0.1): 0.3, 0.35, 1.2 → 0.35 (1);
    // 0.3 / 0.1 is 2.9999999999999996 in binary floating point and still counts as a multiple.
    const evidence = await check(
      'multiple.csv',
      'id,i,x\n1,10,0.3\n2,12,0.35\n3,15,1.2\n',
      `    properties:
      - name: i
        logicalType: integer
        logicalTypeOptions: { multipleOf: 5 }
      - name: x
        logicalType: number
        logicalTypeOptions: { multipleOf: 0.1 }
`,
    );
    expect(result(evidence, 't.i.multipleOf')).toMatchObject({ observed: 1, samples: ['##'] });
    expect(result(evidence, 't.x.multipleOf')).toMatchObject({ observed: 1, samples: ['#.##'] });
  });

  it('date bounds are strings, quoted or not, compared as dates', async () => {
    // d, e: 2019-12-31, 2020-01-01, 2020-12-31, 2021-01-01.
    // d: minimum 2020-01-01 → 1; maximum 2020-12-31 → 1 (inclusive bounds).
    // e: exclusiveMinimum 2020-01-01 → 2; exclusiveMaximum 2020-12-31 → 2.
    const evidence = await check(
      'date-bounds.csv',
      'id,d,e\n1,2019-12-31,2019-12-31\n2,2020-01-01,2020-01-01\n3,2020-12-31,2020-12-31\n4,2021-01-01,2021-01-01\n',
      `    properties:
      - name: d
        logicalType: date
        logicalTypeOptions:
          minimum: "2020-01-01"
          maximum: "2020-12-31"
      - name: e
        logicalType: date
        logicalTypeOptions:
          exclusiveMinimum: 2020-01-01
          exclusiveMaximum: 2020-12-31
`,
    );
    expect(result(evidence, 't.d.minimum')).toMatchObject({ observed: 1, samples: ['####-##-##'] });
    expect(result(evidence, 't.d.maximum')).toMatchObject({ observed: 1, samples: ['####-##-##'] });
    expect(result(evidence, 't.e.minimum')).toMatchObject({ observed: 2 });
    expect(result(evidence, 't.e.maximum')).toMatchObject({ observed: 2 });
  });

  it('a date bound that is not a date is an invalid rule naming the contract line', async () => {
    const { error, contractFile } = await checkError(
      'bad-date-bound.csv',
      'id,d\n1,2020-01-01\n',
      `    properties:
      - name: d
        logicalType: date
        logicalTypeOptions:
          minimum: "last year"
`,
      'WARDEN_ERR_CONTRACT_INVALID_RULE',
    );
    // "          minimum" : line 12, column 11.
    expect(error.message).toContain(`${contractFile}:12:11`);
  });

  it('minLength and maxLength count characters', async () => {
    // Non-null: a, ab, abcde, abcdef, héllo (5 characters, 6 bytes).
    // minLength 2 → a (1); maxLength 5 → abcdef (1).
    const evidence = await check(
      'length.csv',
      'id,s\n1,a\n2,ab\n3,abcde\n4,abcdef\n5,héllo\n6,\n',
      `    properties:
      - name: s
        logicalType: string
        logicalTypeOptions: { minLength: 2, maxLength: 5 }
`,
    );
    expect(result(evidence, 't.s.minLength')).toMatchObject({
      observed: 1,
      samples: ['a'],
      unexpectedPercent: 20,
    });
    expect(result(evidence, 't.s.maxLength')).toMatchObject({ observed: 1, samples: ['abcdef'] });
  });

  it('pattern searches (unanchored) unless the author anchors it', async () => {
    // Values xabcx, abc, xyz. 'abc' is found in xabcx and abc → 1 miss (xyz).
    // '^abc$' matches abc only → 2 misses (of 3 non-null).
    const evidence = await check(
      'pattern.csv',
      'id,loose,anchored\n1,xabcx,xabcx\n2,abc,abc\n3,xyz,xyz\n4,,\n',
      `    properties:
      - name: loose
        logicalType: string
        logicalTypeOptions: { pattern: "abc" }
      - name: anchored
        logicalType: string
        logicalTypeOptions: { pattern: "^abc$" }
`,
    );
    expect(result(evidence, 't.loose.pattern')).toMatchObject({ observed: 1, samples: ['xyz'] });
    const anchored = result(evidence, 't.anchored.pattern');
    expect(anchored).toMatchObject({ observed: 2 });
    expect(anchored.unexpectedPercent).toBeCloseTo((2 / 3) * 100, 9);
    expect([...(anchored.samples ?? [])].sort()).toEqual(['xabcx', 'xyz']);
  });

  it('columns named like internal aliases (p0, p1) are checked like any other', async () => {
    // p0: x, 7 → x is not an integer (1); p1: 5, y → y is not an integer (1).
    const evidence = await check(
      'alias-names.csv',
      'id,p0,p1\n1,x,5\n2,7,y\n',
      `    properties:
      - name: p0
        logicalType: integer
      - name: p1
        logicalType: integer
`,
    );
    expect(result(evidence, 't.p0.logicalType')).toMatchObject({ observed: 1, samples: ['x'] });
    expect(result(evidence, 't.p1.logicalType')).toMatchObject({ observed: 1, samples: ['x'] });
  });

  it('format email and uuid match the whole value', async () => {
    // email: a@b.co valid; not-an-email and a@b (no dot after @) invalid → 2.
    // uuid: the hyphenated one valid; not-a-uuid and the one without hyphens invalid → 2.
    const evidence = await check(
      'format.csv',
      'id,email,uuid\n1,a@b.co,123e4567-e89b-12d3-a456-426614174000\n2,not-an-email,not-a-uuid\n3,a@b,123e4567e89b12d3a456426614174000\n',
      `    properties:
      - name: email
        logicalType: string
        logicalTypeOptions: { format: email }
      - name: uuid
        logicalType: string
        logicalTypeOptions: { format: uuid }
      - name: secret
        logicalType: string
        physicalName: id
        logicalTypeOptions: { format: password }
`,
      { scanPii: false },
    );
    expect(result(evidence, 't.email.format')).toMatchObject({ metric: 'format', observed: 2 });
    expect(result(evidence, 't.uuid.format')).toMatchObject({ metric: 'format', observed: 2 });
    // A format Warden cannot check is reported as skipped, not silently passed.
    expect(evidence.skipped.map((s) => s.check)).toContain('t.secret.format');
  });
});

describe('runDataCheck: library metrics', () => {
  it('nullValues and missingValues: rows, and percent over ALL rows', async () => {
    // JSON Lines keep "" apart from null. c: a, null, "", N/A, b (5 rows).
    // nullValues: 1 row = 20 % (over non-null rows it would be 25 %).
    // missingValues [null, '', 'N/A']: 3 rows = 60 %.
    const jsonl = [
      '{"id":1,"c":"a"}',
      '{"id":2,"c":null}',
      '{"id":3,"c":""}',
      '{"id":4,"c":"N/A"}',
      '{"id":5,"c":"b"}',
    ].join('\n');
    const evidence = await check(
      'missing.jsonl',
      `${jsonl}\n`,
      `    properties:
      - name: c
        quality:
          - name: nulls-rows
            metric: nullValues
            mustBe: 0
          - name: nulls-percent
            metric: nullValues
            mustBeLessOrEqualTo: 20
            unit: percent
          - name: missing-rows
            metric: missingValues
            arguments:
              missingValues: [null, '', 'N/A']
            mustBeLessThan: 3
          - name: missing-percent
            metric: missingValues
            arguments:
              missingValues: [null, '', 'N/A']
            mustBeLessThan: 50
            unit: percent
`,
    );
    expect(evidence.inputs[0]?.format).toBe('jsonl');
    expect(result(evidence, 'nulls-rows')).toMatchObject({
      metric: 'nullValues',
      passed: false,
      observed: 1,
      unit: 'rows',
      unexpectedPercent: 20,
    });
    expect(result(evidence, 'nulls-percent')).toMatchObject({ passed: true, observed: 20, unit: 'percent' });
    expect(result(evidence, 'missing-rows')).toMatchObject({
      metric: 'missingValues',
      passed: false,
      observed: 3,
      unexpectedCount: 3,
    });
    expect(result(evidence, 'missing-percent')).toMatchObject({
      passed: false,
      observed: 60,
      unexpectedCount: 3,
      unexpectedPercent: 60,
    });
  });

  it('nullValues honours extra CSV null markers', async () => {
    // c: a, NA, (empty), b → NULLs: the empty field, and NA when it is declared a null marker.
    const data = 'id,c\n1,a\n2,NA\n3,\n4,b\n';
    const body = `    properties:
      - name: c
        quality:
          - name: nulls
            metric: nullValues
            mustBe: 0
            unit: percent
`;
    expect(result(await check('nulls-plain.csv', data, body), 'nulls').observed).toBe(25);
    expect(result(await check('nulls-na.csv', data, body, { nullValues: ['NA'] }), 'nulls').observed).toBe(
      50,
    );
  });

  it('invalidValues with validValues: percent over NON-NULL rows, NULL never invalid', async () => {
    // country: DE, FR, XX, NULL, de → non-null 4; invalid XX, de → 2 = 50 % (40 % over all rows).
    const evidence = await check(
      'invalid-list.csv',
      'id,country\n1,DE\n2,FR\n3,XX\n4,\n5,de\n',
      `    properties:
      - name: country
        quality:
          - name: valid-rows
            metric: invalidValues
            arguments:
              validValues: [DE, FR, GB, US]
            mustBe: 0
          - name: valid-percent
            metric: invalidValues
            arguments:
              validValues: [DE, FR, GB, US]
            mustBeLessThan: 45
            unit: percent
          - name: valid-pattern
            metric: invalidValues
            arguments:
              pattern: '^[A-Z]{2}$'
            mustBe: 0
`,
    );
    const rows = result(evidence, 'valid-rows');
    expect(rows).toMatchObject({
      metric: 'invalidValues',
      passed: false,
      observed: 2,
      unexpectedPercent: 50,
    });
    expect([...(rows.samples ?? [])].sort()).toEqual(['XX', 'de']);
    expect(result(evidence, 'valid-percent')).toMatchObject({ passed: false, observed: 50 });
    // The pattern rejects only "de" → 1 of 4 non-null = 25 %.
    expect(result(evidence, 'valid-pattern')).toMatchObject({
      observed: 1,
      unexpectedPercent: 25,
      samples: ['de'],
    });
  });

  it('duplicateValues on a property: non-null count minus distinct non-null count', async () => {
    // k: a, a, a, b, NULL, NULL → 4 non-null, 2 distinct → 2 extra copies; 2 / 4 = 50 %.
    const evidence = await check(
      'dup-property.csv',
      'id,k\n1,a\n2,a\n3,a\n4,b\n5,\n6,\n',
      `    properties:
      - name: k
        quality:
          - name: dup-rows
            metric: duplicateValues
            mustBe: 0
          - name: dup-percent
            metric: duplicateValues
            mustBeLessOrEqualTo: 50
            unit: percent
`,
    );
    const rows = result(evidence, 'dup-rows');
    expect(rows).toMatchObject({
      metric: 'duplicateValues',
      passed: false,
      observed: 2,
      unexpectedPercent: 50,
    });
    expect(rows.samples).toHaveLength(1); // only "a" repeats
    expect(rows.samples?.[0]).toMatch(/^a\b.*3/);
    expect(result(evidence, 'dup-percent')).toMatchObject({ passed: true, observed: 50 });
  });

  it('duplicateValues on a key list: rows minus distinct tuples, NULL-containing tuples count', async () => {
    // (1,a) (1,a) (1,b) (NULL,b) (NULL,b) (2,NULL) → 6 rows;
    // distinct tuples (1,a) (1,b) (NULL,b) (2,NULL) = 4 → 2 extra copies; 2 / 6 rows.
    const evidence = await check(
      'dup-keys.csv',
      'id,k1,k2\n1,1,a\n2,1,a\n3,1,b\n4,,b\n5,,b\n6,2,\n',
      `    quality:
      - name: dup-keys
        metric: duplicateValues
        arguments:
          properties: [k1, k2]
        mustBe: 0
    properties:
      - name: k1
      - name: k2
`,
    );
    const keys = result(evidence, 'dup-keys');
    expect(keys.columns).toEqual(['k1', 'k2']);
    expect(keys).toMatchObject({ passed: false, observed: 2 });
    expect(keys.unexpectedPercent).toBeCloseTo((2 / 6) * 100, 9);
  });

  it('rowCount with every operator', async () => {
    // 3 rows.
    const evidence = await check(
      'rowcount.csv',
      'id\n1\n2\n3\n',
      `    quality:
      - { name: eq3, metric: rowCount, mustBe: 3 }
      - { name: eq2, metric: rowCount, mustBe: 2 }
      - { name: ne3, metric: rowCount, mustNotBe: 3 }
      - { name: gt3, metric: rowCount, mustBeGreaterThan: 3 }
      - { name: gt2, metric: rowCount, mustBeGreaterThan: 2 }
      - { name: ge3, metric: rowCount, mustBeGreaterOrEqualTo: 3 }
      - { name: lt3, metric: rowCount, mustBeLessThan: 3 }
      - { name: le3, metric: rowCount, mustBeLessOrEqualTo: 3 }
      - { name: in1-3, metric: rowCount, mustBeBetween: [1, 3] }
      - { name: in3-9, metric: rowCount, mustBeBetween: [3, 9] }
      - { name: in4-9, metric: rowCount, mustBeBetween: [4, 9] }
      - { name: out1-3, metric: rowCount, mustNotBeBetween: [1, 3] }
      - { name: out4-9, metric: rowCount, mustNotBeBetween: [4, 9] }
    properties:
      - name: id
`,
    );
    const outcome = Object.fromEntries(
      evidence.results.filter((r) => r.metric === 'rowCount').map((r) => [r.check, r.passed]),
    );
    expect(outcome).toEqual({
      eq3: true,
      eq2: false,
      ne3: false,
      gt3: false,
      gt2: true,
      ge3: true,
      lt3: false,
      le3: true,
      'in1-3': true,
      'in3-9': true,
      'in4-9': false,
      'out1-3': false,
      'out4-9': true,
    });
    expect(result(evidence, 'in1-3')).toMatchObject({
      observed: 3,
      operator: 'mustBeBetween',
      threshold: [1, 3],
      unit: 'rows',
    });
    expect(result(evidence, 'in1-3').unexpectedCount).toBeUndefined();
  });

  it('severity warning fails the check but not the gate; info likewise', async () => {
    // x: NULL, b → one NULL; both nullValues rules fail; rowCount 2 passes.
    const evidence = await check(
      'severity.csv',
      'id,x\n1,\n2,b\n',
      `    quality:
      - { name: rows, metric: rowCount, mustBe: 2 }
    properties:
      - name: x
        quality:
          - { name: warn, metric: nullValues, mustBe: 0, severity: warning }
          - { name: note, metric: nullValues, mustBe: 0, severity: info }
`,
    );
    expect(result(evidence, 'warn')).toMatchObject({ severity: 'warning', passed: false, observed: 1 });
    expect(result(evidence, 'note')).toMatchObject({ severity: 'info', passed: false, observed: 1 });
    expect(result(evidence, 'rows')).toMatchObject({ severity: 'error', passed: true });
    expect(evidence.passed).toBe(true);
    expect(evidence.summary).toMatchObject({ checks: 3, passed: 1, failed: 0, warnings: 2 });
  });
});

describe('runDataCheck: SQL rules', () => {
  // amount: 5, -1, -2, 10 → 2 negative; mean 12 / 4 = 3.
  const data = 'id,amount\n1,5\n2,-1\n3,-2\n4,10\n';

  it('replaces {object} and {property} and compares the one value with the operator', async () => {
    const evidence = await check(
      'sql.csv',
      data,
      `    quality:
      - name: mean-amount
        type: sql
        query: SELECT avg(CAST(amount AS DOUBLE)) FROM {object}
        mustBeBetween: [2, 3]
      - name: four-rows
        type: sql
        query: SELECT count(*) = 4 FROM {object}
        mustBe: 1
    properties:
      - name: amount
        quality:
          - name: no-negatives
            type: sql
            query: SELECT count(*) FROM {object} WHERE CAST({property} AS INTEGER) < 0
            mustBe: 0
`,
    );
    expect(result(evidence, 'no-negatives')).toMatchObject({
      metric: 'sql',
      column: 'amount',
      passed: false,
      observed: 2,
      operator: 'mustBe',
      threshold: 0,
    });
    // 3 is inside [2, 3]: between is inclusive.
    expect(result(evidence, 'mean-amount')).toMatchObject({ metric: 'sql', passed: true, observed: 3 });
    // A boolean answer counts as 1 or 0.
    expect(result(evidence, 'four-rows')).toMatchObject({ passed: true, observed: 1 });
  });

  it('also takes the $-brace table and column placeholders and a trailing semicolon', async () => {
    // amount > 4: 5 and 10 → 2.
    const evidence = await check(
      'sql-dollar.csv',
      data,
      `    properties:
      - name: amount
        quality:
          - name: big
            type: sql
            query: SELECT count(*) FROM \${table} WHERE CAST(\${column} AS INTEGER) > 4;
            mustBe: 2
`,
    );
    expect(result(evidence, 'big')).toMatchObject({ passed: true, observed: 2 });
  });

  it('rejects a rule that reads another file (the sandbox)', async () => {
    const { error } = await checkError(
      'sql-read-file.csv',
      data,
      `    quality:
      - name: peek
        type: sql
        query: SELECT count(*) FROM read_csv('/etc/passwd')
        mustBe: 0
    properties:
      - name: id
`,
      'WARDEN_ERR_CONTRACT_INVALID_RULE',
    );
    expect(error.message).toContain('peek');
  });

  it('rejects a rule that reads the contract next to the dataset', async () => {
    const contract = join(dir, 'sql-read-contract.csv.contract.yaml');
    const error = await errorOf(
      check(
        'sql-read-contract.csv',
        data,
        `    quality:
      - name: peek
        type: sql
        query: SELECT count(*) FROM read_text('${contract}')
        mustBe: 1
    properties:
      - name: id
`,
      ),
    );
    expect(['WARDEN_ERR_CONTRACT_INVALID_RULE', 'WARDEN_ERR_CONTRACT_SQL_RULE_FAILED']).toContain(error.code);
  });

  it('rejects a rule that is not a SELECT, and writes nothing', async () => {
    const target = join(dir, 'leak.csv');
    const { error, contractFile } = await checkError(
      'sql-copy.csv',
      data,
      `    quality:
      - name: copy-out
        type: sql
        query: COPY (SELECT 1) TO '${target}'
        mustBe: 0
    properties:
      - name: id
`,
      'WARDEN_ERR_CONTRACT_INVALID_RULE',
    );
    // "        query" : line 11, column 9.
    expect(error.message).toContain(`${contractFile}:11:9`);
    expect(existsSync(target)).toBe(false);
  });

  it('rejects two statements in one rule', async () => {
    await checkError(
      'sql-two-statements.csv',
      data,
      `    quality:
      - name: two
        type: sql
        query: SELECT 1; SELECT 2
        mustBe: 1
    properties:
      - name: id
`,
      'WARDEN_ERR_CONTRACT_INVALID_RULE',
    );
  });

  it('a syntax error is an invalid rule naming the contract line', async () => {
    const { error, contractFile } = await checkError(
      'sql-syntax.csv',
      data,
      `    properties:
      - name: amount
        quality:
          - name: broken
            type: sql
            query: SELEC count(*) FROM {object}
            mustBe: 0
`,
      'WARDEN_ERR_CONTRACT_INVALID_RULE',
    );
    // "            query" : line 13, column 13.
    expect(error.message).toContain(`${contractFile}:13:13`);
    expect(error.message).toContain('broken');
  });

  it('a rule returning two rows fails while running', async () => {
    const { error, contractFile } = await checkError(
      'sql-two-rows.csv',
      data,
      `    quality:
      - name: two-rows
        type: sql
        query: SELECT id FROM {object} WHERE CAST(id AS INTEGER) <= 2
        mustBe: 1
    properties:
      - name: id
`,
      'WARDEN_ERR_CONTRACT_SQL_RULE_FAILED',
    );
    expect(error.message).toContain(`${contractFile}:11:9`);
    expect(error.message).toContain('two-rows');
  });

  it('a rule whose answer is NULL fails, and one whose answer is text is an error', async () => {
    const evidence = await check(
      'sql-null.csv',
      data,
      `    quality:
      - name: nothing
        type: sql
        query: SELECT max(CAST(amount AS INTEGER)) FROM {object} WHERE false
        mustBeLessThan: 100
    properties:
      - name: id
`,
    );
    expect(result(evidence, 'nothing')).toMatchObject({ passed: false });
    await checkError(
      'sql-text.csv',
      data,
      `    quality:
      - name: text
        type: sql
        query: SELECT 'many' FROM {object} LIMIT 1
        mustBe: 1
    properties:
      - name: id
`,
      'WARDEN_ERR_CONTRACT_SQL_RULE_FAILED',
    );
  });

  it('{property} in a rule on the schema object is an invalid rule', async () => {
    const { error, contractFile } = await checkError(
      'sql-no-property.csv',
      data,
      `    quality:
      - name: where-column
        type: sql
        query: SELECT count(*) FROM {object} WHERE {property} IS NULL
        mustBe: 0
    properties:
      - name: id
`,
      'WARDEN_ERR_CONTRACT_INVALID_RULE',
    );
    expect(error.message).toContain(`${contractFile}:11:9`);
  });
});

describe('runDataCheck: rules that are not run, and rules that cannot be run', () => {
  it('text rules are listed in skipped', async () => {
    const evidence = await check(
      'text-rule.csv',
      'id\n1\n',
      `    quality:
      - name: by-hand
        type: text
        description: Someone looks at the data every Monday.
    properties:
      - name: id
`,
    );
    expect(evidence.skipped).toHaveLength(1);
    expect(evidence.skipped[0]).toMatchObject({ check: 'by-hand', table: 't' });
    expect(evidence.skipped[0]?.reason).toMatch(/text/);
    expect(evidence.summary.skipped).toBe(1);
    expect(evidence.results.map((r) => r.check)).not.toContain('by-hand');
  });

  it('a malformed regex is an invalid rule naming the contract line', async () => {
    const { error, contractFile } = await checkError(
      'bad-regex.csv',
      'id,code\n1,a\n',
      `    properties:
      - name: id
      - name: code
        logicalType: string
        logicalTypeOptions:
          pattern: '[a-'
`,
      'WARDEN_ERR_CONTRACT_INVALID_RULE',
    );
    // "          pattern" : line 13, column 11.
    expect(error.message).toContain(`${contractFile}:13:11`);
    expect(error.message).toContain('[a-');
  });

  it('a look-ahead (not in RE2) is an invalid rule naming the contract line', async () => {
    const { error, contractFile } = await checkError(
      'lookahead.csv',
      'id,code\n1,a\n',
      `    properties:
      - name: id
      - name: code
        quality:
          - metric: invalidValues
            arguments:
              pattern: '(?=a)'
            mustBe: 0
`,
      'WARDEN_ERR_CONTRACT_INVALID_RULE',
    );
    // "              pattern" : line 14, column 15.
    expect(error.message).toContain(`${contractFile}:14:15`);
  });

  it('a property whose column the file lacks is a failed columnPresent result', async () => {
    const evidence = await check(
      'missing-column.csv',
      'id,name\n1,a\n',
      `    properties:
      - name: id
      - name: amount
        quality:
          - { name: amount-nulls, metric: nullValues, mustBe: 0 }
      - name: Name
`,
    );
    expect(result(evidence, 't.amount.columnPresent')).toMatchObject({
      metric: 'columnPresent',
      column: 'amount',
      severity: 'error',
      passed: false,
    });
    const caseOnly = result(evidence, 't.Name.columnPresent');
    expect(caseOnly.passed).toBe(false);
    expect(caseOnly.description).toMatch(/case/);
    expect(caseOnly.description).toContain('"name"');
    // The rule on the missing column is not run.
    expect(evidence.skipped.map((s) => s.check)).toContain('amount-nulls');
    expect(evidence.passed).toBe(false);
  });
});

describe('runDataCheck: PII', () => {
  const digestOf = (text: string) => createHash('sha256').update(text).digest('hex');

  it('piiHashed: raw values, upper-case hex and the digest of "" fail; samples are masked', async () => {
    const rawEmail = 'jane.doe@example.com';
    // Non-null: sha256(a), sha256(''), raw email, SHA256(a) upper-case, sha256(b) (5).
    // Not hashed: sha256('') (hashes nothing), the raw email, the upper-case digest → 3; empty digests: 1.
    const rows = [digestOf('a'), digestOf(''), rawEmail, digestOf('a').toUpperCase(), '', digestOf('b')];
    const evidence = await check(
      'hashed.csv',
      `id,email_hash\n${rows.map((value, index) => `${index + 1},${value}`).join('\n')}\n`,
      `    properties:
      - name: id
      - name: email_hash
        logicalType: string
        classification: pii
        tags: [hashed]
`,
    );
    const hashed = result(evidence, 't.email_hash.piiHashed');
    expect(hashed).toMatchObject({ metric: 'piiHashed', severity: 'error', passed: false, observed: 3 });
    expect(hashed.unexpectedPercent).toBe(60);
    expect(hashed.details).toMatchObject({ algorithm: 'sha256', emptyDigestCount: 1 });
    expect(hashed.samplesMasked).toBe(true);
    expect(hashed.samples?.length).toBeGreaterThan(0);
    for (const sample of hashed.samples ?? []) expect(sample).toMatch(maskedShape);
    // The raw email in a column declared hashed is also a PII finding that fails.
    expect(result(evidence, 't.email_hash.piiDetected.email')).toMatchObject({
      severity: 'error',
      passed: false,
      observed: 1,
    });
    expect(evidence.pii.find((p) => p.column === 'email_hash')?.declared).toBe('hashed');
    expect(evidence.passed).toBe(false);
    const json = JSON.stringify(evidence);
    for (const raw of [rawEmail, 'jane.doe', 'example.com']) expect(json).not.toContain(raw);
  });

  it('a well-formed digest is not raw PII, even when it holds a Luhn-valid run of digits', async () => {
    // sha256('id262') holds the run 5701391999155900: 16 digits, first digit 5, Luhn-valid.
    const digest = digestOf('id262');
    expect(digest).toContain('5701391999155900');
    const evidence = await check(
      'hashed-luhn.csv',
      `id,h\n1,${digest}\n2,${digestOf('a')}\n`,
      `    properties:
      - name: h
        classification: pii
        tags: [hashed]
`,
    );
    expect(result(evidence, 't.h.piiHashed')).toMatchObject({ passed: true, observed: 0 });
    expect(evidence.results.filter((r) => r.metric === 'piiDetected')).toEqual([]);
    expect(evidence.passed).toBe(true);
  });

  it('only the digest of "" in a hashed column still fails', async () => {
    const evidence = await check(
      'hashed-empty.csv',
      `id,h\n1,${digestOf('x')}\n2,${digestOf('')}\n`,
      `    properties:
      - name: h
        classification: pii
        tags: [hashed]
`,
    );
    expect(result(evidence, 't.h.piiHashed')).toMatchObject({ passed: false, observed: 1 });
    expect(result(evidence, 't.h.piiHashed').details?.['emptyDigestCount']).toBe(1);
  });

  it('an undeclared column with raw emails in >= 1 % of NON-NULL values is an error', async () => {
    // 1 email + 99 other values + 50 empty (NULL): 1 / 100 non-null = 1 % → error
    // (over all 150 rows it would be 0.67 %).
    const values = ['someone@example.org', ...Array(99).fill('ok'), ...Array(50).fill('')];
    const evidence = await check(
      'pii-one-percent.csv',
      `id,note\n${values.map((value, index) => `${index},${value}`).join('\n')}\n`,
      `    properties:
      - name: id
`,
    );
    const finding = result(evidence, 't.note.piiDetected.email');
    expect(finding).toMatchObject({ metric: 'piiDetected', severity: 'error', passed: false, observed: 1 });
    expect(finding.unexpectedPercent).toBeCloseTo(1, 9);
    expect(evidence.pii.find((p) => p.column === 'note')).toMatchObject({
      declared: 'undeclared',
      scanned: 100,
    });
    expect(evidence.passed).toBe(false);
    expect(JSON.stringify(evidence)).not.toContain('someone@example.org');
  });

  it('an undeclared column with raw emails in < 1 % of non-null values is a warning', async () => {
    // 1 email in 101 non-null values = 0.99 % → warning; the gate still passes.
    const values = ['someone@example.org', ...Array(100).fill('ok')];
    const evidence = await check(
      'pii-below-one-percent.csv',
      `id,note\n${values.map((value, index) => `${index},${value}`).join('\n')}\n`,
      `    properties:
      - name: id
`,
    );
    expect(result(evidence, 't.note.piiDetected.email')).toMatchObject({
      severity: 'warning',
      passed: false,
      observed: 1,
    });
    expect(evidence.passed).toBe(true);
  });

  it('no raw PII value appears anywhere in the evidence; every sample is masked', async () => {
    // email: a column classified pii (unique, so duplicates produce samples); misc: undeclared,
    // one value per detector.
    const raw = {
      email: 'jane.doe@example.com',
      email2: 'bob.smith@example.org',
      card: '4111 1111 1111 1111',
      iban: 'DE89 3704 0044 0532 0130 00',
      ssn: '536-22-1234',
      phone: '+44 20 7946 0958',
    };
    const csv = [
      'id,email,misc',
      `1,${raw.email},${raw.card}`,
      `2,${raw.email},${raw.iban}`,
      `3,${raw.email2},${raw.ssn}`,
      `4,${raw.email2},${raw.phone}`,
    ].join('\n');
    const evidence = await check(
      'pii-leak.csv',
      `${csv}\n`,
      `    properties:
      - name: id
      - name: email
        logicalType: string
        classification: pii
        unique: true
        quality:
          - name: allowed-emails
            metric: invalidValues
            arguments:
              validValues: [nobody@example.net]
            mustBe: 0
`,
    );
    const detected = evidence.results.filter((r) => r.metric === 'piiDetected' && r.column === 'misc');
    expect(detected.map((r) => r.check).sort()).toEqual(
      ['creditCard', 'iban', 'phone', 'usSsn'].map((d) => `t.misc.piiDetected.${d}`).sort(),
    );
    // The declared column's raw emails are reported for information only.
    expect(result(evidence, 't.email.piiDetected.email')).toMatchObject({ severity: 'info', passed: true });
    expect(result(evidence, 't.email.unique')).toMatchObject({
      passed: false,
      observed: 2,
      samplesMasked: true,
    });
    expect(result(evidence, 'allowed-emails')).toMatchObject({ observed: 4, samplesMasked: true });
    const withSamples = evidence.results.filter((r) => (r.samples ?? []).length > 0);
    expect(withSamples.length).toBeGreaterThan(0);
    for (const r of withSamples) {
      for (const sample of r.samples ?? []) expect(sample.replace(/ ×\d+$/, '')).toMatch(maskedShape);
    }
    const json = JSON.stringify(evidence);
    const fragments = [...Object.values(raw), 'jane.doe', 'bob.smith', 'example.com', '4111', 'DE89', '7946'];
    for (const fragment of fragments) expect(json).not.toContain(fragment);
  });

  it('no raw PII leaks through the samples of other checks on an undeclared column', async () => {
    // contact is declared only as a unique string of at most 8 characters; it holds a raw email
    // twice. maxLength and unique fail on that email, and the PII scan finds it: the evidence must
    // still not hold the raw value (docs/architecture.md: counts and masked samples only).
    const evidence = await check(
      'pii-other-check.csv',
      'id,contact\n1,n/a\n2,alice@example.net\n3,alice@example.net\n',
      `    properties:
      - name: id
      - name: contact
        logicalType: string
        unique: true
        logicalTypeOptions: { maxLength: 8 }
`,
    );
    // maxLength: the email twice (2); unique: 3 non-null − 2 distinct = 1; PII: 2 of 3 non-null.
    expect(result(evidence, 't.contact.maxLength')).toMatchObject({ passed: false, observed: 2 });
    expect(result(evidence, 't.contact.unique')).toMatchObject({ passed: false, observed: 1 });
    expect(result(evidence, 't.contact.piiDetected.email')).toMatchObject({ severity: 'error', observed: 2 });
    const json = JSON.stringify(evidence);
    for (const fragment of ['alice@example.net', 'alice', 'example.net'])
      expect(json).not.toContain(fragment);
  });
});

describe('runDataCheck: Parquet', () => {
  let parquetFile: string;

  beforeAll(async () => {
    parquetFile = join(dir, 'typed.parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await connection.run(`COPY (
        SELECT * FROM (VALUES
          (1, 1.0::DOUBLE, 1.0::DOUBLE, 'a', DATE '2020-01-01', true),
          (2, 1.5::DOUBLE, 1.5::DOUBLE, 'b', DATE '2020-06-01', false),
          (2, 'NaN'::DOUBLE, 'NaN'::DOUBLE, 'b', DATE '2021-01-01', NULL),
          (3, 'inf'::DOUBLE, 'inf'::DOUBLE, NULL, NULL, true)
        ) AS v(id, x, y, s, d, flag)
      ) TO '${parquetFile}' (FORMAT parquet)`);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('checks typed columns', async () => {
    const contractFile = await put(
      'typed.parquet.contract.yaml',
      `${head}    properties:
      - name: id
        logicalType: integer
        primaryKey: true
        quality:
          - name: id-valid
            metric: invalidValues
            arguments:
              validValues: [1, 2]
            mustBe: 0
      - name: x
        logicalType: integer
      - name: y
        logicalType: number
      - name: s
        logicalType: string
        quality:
          - name: s-valid
            metric: invalidValues
            arguments:
              validValues: [a]
            mustBe: 0
          - name: s-dup
            metric: duplicateValues
            mustBe: 0
      - name: d
        logicalType: date
        logicalTypeOptions:
          minimum: "2020-03-01"
      - name: flag
        logicalType: boolean
        quality:
          - name: flag-nulls
            metric: nullValues
            mustBe: 0
`,
    );
    const evidence = await runDataCheck(parquetFile, contractFile);
    expect(evidence.inputs[0]).toMatchObject({
      format: 'parquet',
      rows: 4,
      digest: sha256(await readFile(parquetFile)),
    });
    // id: 1, 2, 2, 3 → 4 rows, 3 distinct → 1; valid [1, 2] → 3 is invalid (1).
    expect(result(evidence, 't.primaryKey')).toMatchObject({ observed: 1 });
    expect(result(evidence, 't.id.logicalType')).toMatchObject({ observed: 0 });
    expect(result(evidence, 'id-valid')).toMatchObject({ observed: 1, unexpectedPercent: 25 });
    // x DOUBLE as integer: 1.0 fits; 1.5, NaN, inf do not → 3 of 4.
    expect(result(evidence, 't.x.logicalType')).toMatchObject({ observed: 3, unexpectedPercent: 75 });
    // y DOUBLE as number: NaN and inf are not numbers → 2 of 4.
    expect(result(evidence, 't.y.logicalType')).toMatchObject({ observed: 2, unexpectedPercent: 50 });
    // s: a, b, b, NULL → not in [a]: b, b (2 of 3 non-null); duplicates 3 − 2 = 1.
    expect(result(evidence, 's-valid')).toMatchObject({ observed: 2 });
    expect(result(evidence, 's-valid').unexpectedPercent).toBeCloseTo((2 / 3) * 100, 9);
    expect(result(evidence, 's-dup')).toMatchObject({ observed: 1 });
    // d: 2020-01-01 is before 2020-03-01 (1); DATE values always fit logicalType date.
    expect(result(evidence, 't.d.minimum')).toMatchObject({ observed: 1, samples: ['####-##-##'] });
    expect(result(evidence, 't.d.logicalType')).toMatchObject({ observed: 0 });
    expect(result(evidence, 't.flag.logicalType')).toMatchObject({ observed: 0 });
    expect(result(evidence, 'flag-nulls')).toMatchObject({ observed: 1 });
  });

  it('string options on a non-text column check its text form instead of failing the scan', async () => {
    // id INTEGER: 1, 2, 2, 3 → as text all match ^[0-9]+$ and are 1 character long.
    const contractFile = await put(
      'typed-string.parquet.contract.yaml',
      `${head}    properties:
      - name: id
        logicalType: string
        logicalTypeOptions: { pattern: "^[0-9]+$", minLength: 1, maxLength: 1 }
`,
    );
    const evidence = await runDataCheck(parquetFile, contractFile);
    expect(result(evidence, 't.id.pattern')).toMatchObject({ passed: true, observed: 0 });
    expect(result(evidence, 't.id.minLength')).toMatchObject({ passed: true, observed: 0 });
    expect(result(evidence, 't.id.maxLength')).toMatchObject({ passed: true, observed: 0 });
  });

  it('integer logicalType on JSON Lines numbers', async () => {
    // n: 1, 2.5, 3 → 2.5 is not an integer (1 of 3).
    const evidence = await check(
      'numbers.jsonl',
      '{"id":1,"n":1}\n{"id":2,"n":2.5}\n{"id":3,"n":3}\n',
      `    properties:
      - name: n
        logicalType: integer
`,
    );
    expect(result(evidence, 't.n.logicalType')).toMatchObject({ observed: 1 });
  });
});

describe('runDataCheck: bad input', () => {
  const body = `    properties:
      - name: a
`;

  it('a missing data file', async () => {
    const contractFile = await put('missing-data.contract.yaml', head + body);
    const missing = join(dir, 'no-such-data.csv');
    const error = await errorOf(runDataCheck(missing, contractFile));
    expect(error.code).toBe('WARDEN_ERR_INPUT_FILE_NOT_FOUND');
    expect(error.message).toContain(missing);
  });

  it('an empty (0-byte) file', async () => {
    const { error, dataFile } = await checkError('empty.csv', '', body, 'WARDEN_ERR_DATA_EMPTY_FILE');
    expect(error.message).toContain(dataFile);
  });

  it('a ragged CSV row names its line', async () => {
    // Line 1 header, line 2 fine, line 3 has three fields.
    const { error, dataFile } = await checkError(
      'ragged.csv',
      'a,b\n1,2\n3,4,5\n6,7\n',
      body,
      'WARDEN_ERR_DATA_MALFORMED',
    );
    expect(error.message).toContain(dataFile);
    expect(error.message).toContain('line 3');
  });

  it('a ragged CSV row after a quoted line break names its physical line', async () => {
    // Lines 2–3 are one record ("x\ny",2); the ragged record "3,4,5" is on physical line 4.
    const { error } = await checkError(
      'ragged-multiline.csv',
      'a,b\n"x\ny",2\n3,4,5\n',
      body,
      'WARDEN_ERR_DATA_MALFORMED',
    );
    expect(error.message).toContain('line 4');
  });

  it('an unterminated quote names its line', async () => {
    const { error } = await checkError('unterminated.csv', 'a,b\n1,"x\n', body, 'WARDEN_ERR_DATA_MALFORMED');
    expect(error.message).toContain('line 2');
  });

  it('header names that differ only in case are bad input, not an engine failure', async () => {
    // DuckDB matches identifiers case-insensitively, so "Name" and "name" cannot both be read.
    const { error } = await checkError(
      'case-twins.csv',
      'id,Name,name\n1,a,\n2,,b\n',
      `    properties:
      - name: Name
      - name: name
`,
      'WARDEN_ERR_DATA_MALFORMED',
    );
    expect(error.message).toContain('line 1');
  });

  it('a wrong delimiter passed explicitly suggests the right one', async () => {
    const { error } = await checkError(
      'semicolon-wrong.csv',
      'a;b\n1;2\n',
      body,
      'WARDEN_ERR_DATA_MALFORMED',
      {
        delimiter: ',',
      },
    );
    expect(error.message).toContain('";"');
  });

  it('a semicolon-separated file is detected', async () => {
    // a: 1, 2 → integers; b: x, y.
    const evidence = await check(
      'semicolon.csv',
      'a;b\n1;x\n2;y\n',
      `    properties:
      - name: a
        logicalType: integer
      - name: b
`,
    );
    expect(evidence.rowCount).toBe(2);
    expect(evidence.results.filter((r) => r.metric === 'columnPresent')).toEqual([]);
    expect(result(evidence, 't.a.logicalType')).toMatchObject({ passed: true, observed: 0 });
    // Tabs too: b is x, NULL → 1 NULL.
    const tabs = await check(
      'tabs.tsv',
      'a\tb\n1\tx\n2\t\n',
      `    properties:
      - name: b
        required: true
`,
    );
    expect(result(tabs, 't.b.required')).toMatchObject({ observed: 1 });
  });

  it('invalid UTF-8 names its line', async () => {
    // Line 3 holds the bytes FF FE.
    const bytes = Buffer.concat([
      Buffer.from('a,b\n1,x\n2,'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('\n3,z\n'),
    ]);
    const { error } = await checkError('latin.csv', bytes, body, 'WARDEN_ERR_DATA_INVALID_ENCODING');
    expect(error.message).toContain('line 3');
  });

  it('malformed JSON Lines names the broken line', async () => {
    // Line 2 lacks the colon.
    const { error, dataFile } = await checkError(
      'broken.jsonl',
      '{"a":1}\n{"a" 2}\n{"a":3}\n',
      body,
      'WARDEN_ERR_DATA_MALFORMED',
    );
    expect(error.message).toContain(dataFile);
    expect(error.message).toContain('line 2');
  });

  it('a contract with two schema objects and none matching the file', async () => {
    const two = `apiVersion: v3.1.0
kind: DataContract
id: two-tables
version: 1.0.0
status: active
schema:
  - name: orders
  - name: customers
`;
    const contractFile = await put('two-tables.yaml', two);
    const dataFile = await put('payments.csv', 'a\n1\n');
    const error = await errorOf(runDataCheck(dataFile, contractFile));
    expect(error.code).toBe('WARDEN_ERR_CONTRACT_TABLE_NOT_FOUND');
    expect(error.message).toContain(contractFile);
    expect(error.message).toContain('orders');
    expect(error.message).toContain('customers');
    // The table option, or a file named after a schema object, picks one.
    expect((await runDataCheck(dataFile, contractFile, { table: 'customers' })).table).toBe('customers');
    const orders = await put('orders.csv', 'a\n1\n');
    expect((await runDataCheck(orders, contractFile)).table).toBe('orders');
    const unknown = await errorOf(runDataCheck(dataFile, contractFile, { table: 'nope' }));
    expect(unknown.code).toBe('WARDEN_ERR_CONTRACT_TABLE_NOT_FOUND');
  });

  it('CRLF line ends, a byte-order mark and quoted, spaced or quote-holding column names', async () => {
    // Columns: id, "first name", a"b. first name: Ann, NULL → 1 NULL; a"b: x, y.
    const evidence = await check(
      'crlf.csv',
      '\uFEFFid,"first name","a""b"\r\n1,Ann,x\r\n2,,y\r\n',
      `    properties:
      - name: id
        logicalType: integer
      - name: first name
        required: true
      - name: a"b
        logicalTypeOptions: {}
        required: true
`,
    );
    expect(evidence.results.filter((r) => r.metric === 'columnPresent')).toEqual([]);
    expect(evidence.rowCount).toBe(2);
    expect(result(evidence, 't.id.logicalType')).toMatchObject({ observed: 0 });
    expect(result(evidence, 't.first name.required')).toMatchObject({ observed: 1 });
    expect(result(evidence, 't.a"b.required')).toMatchObject({ observed: 0 });
  });

  it('reads Latin-1 when told to, and digests the raw bytes', async () => {
    // "café" in Latin-1 is 4 bytes (E9 for é) and 4 characters: maxLength 4 holds.
    const bytes = Buffer.concat([Buffer.from('id,name\n1,caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    const dataFile = await put('latin1.csv', bytes);
    const contractFile = await put(
      'latin1.csv.contract.yaml',
      `${head}    properties:
      - name: name
        logicalType: string
        logicalTypeOptions: { maxLength: 4, pattern: "^caf\u00e9$" }
`,
    );
    const evidence = await runDataCheck(dataFile, contractFile, { encoding: 'latin-1' });
    expect(result(evidence, 't.name.maxLength')).toMatchObject({ observed: 0 });
    expect(result(evidence, 't.name.pattern')).toMatchObject({ observed: 0 });
    expect(evidence.inputs[0]?.digest).toBe(sha256(bytes));
  });

  it('a damaged Parquet file', async () => {
    const { error, dataFile } = await checkError(
      'damaged.parquet',
      'PAR1 this is not really parquet',
      body,
      'WARDEN_ERR_DATA_MALFORMED',
    );
    expect(error.message).toContain(dataFile);
  });

  it('a header-only CSV has 0 rows and does not crash', async () => {
    const evidence = await check(
      'header-only.csv',
      'a,b\n',
      `    quality:
      - { name: rows, metric: rowCount, mustBe: 0 }
    properties:
      - name: a
        logicalType: integer
        required: true
        quality:
          - { name: a-nulls, metric: nullValues, mustBe: 0, unit: percent }
      - name: b
        unique: true
`,
    );
    expect(evidence.rowCount).toBe(0);
    expect(evidence.inputs[0]?.rows).toBe(0);
    expect(result(evidence, 'rows')).toMatchObject({ passed: true, observed: 0 });
    expect(result(evidence, 'a-nulls')).toMatchObject({ passed: true, observed: 0 });
    expect(result(evidence, 't.a.required')).toMatchObject({ passed: true, observed: 0 });
    expect(evidence.passed).toBe(true);
    // A header without a line end is a header too.
    const bare = await check(
      'header-bare.csv',
      'a,b',
      `    properties:
      - name: b
`,
    );
    expect(bare.rowCount).toBe(0);
    expect(bare.results.filter((r) => r.metric === 'columnPresent')).toEqual([]);
  });
});
