import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErrorCode, WardenError } from '../core/index.js';
import { loadContract } from './contract-loader.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-contract-loader-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeContract(name: string, text: string | Buffer): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

/** Loads the contract and returns the coded error it must throw. */
async function loadError(file: string, code: ErrorCode): Promise<WardenError> {
  const error = await loadContract(file).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WardenError);
  const warden = error as WardenError;
  expect(warden.code).toBe(code);
  return warden;
}

// Lines 1–8; properties start on line 9.
const head = `apiVersion: v3.1.0
kind: DataContract
id: orders
version: 1.0.0
status: active
schema:
  - name: orders
    properties:
`;

describe('loadContract', () => {
  it('loads a valid contract and types it', async () => {
    const file = await writeContract(
      'valid.yaml',
      `${head}      - name: id
        logicalType: integer
        required: true
        quality:
          - metric: nullValues
            mustBe: 0
            unit: rows
            dimension: completeness
          - metric: rowCount
            mustBeBetween: [1, 10]
`,
    );
    const loaded = await loadContract(file);
    expect(loaded.file).toBe(file);
    expect(loaded.contract.id).toBe('orders');
    expect(loaded.contract.version).toBe('1.0.0');
    const property = loaded.contract.schema?.[0]?.properties?.[0];
    expect(property?.name).toBe('id');
    expect(property?.logicalType).toBe('integer');
    expect(property?.quality?.[1]?.mustBeBetween).toEqual([1, 10]);
  });

  it('digests the contract as sha256 of the file bytes, and the ODCS schema file too', async () => {
    // A BOM, a comment and CRLF line ends: the digest is over bytes, not over the parsed document.
    const text = `\uFEFF# comment\r\n${head.replaceAll('\n', '\r\n')}      - name: id\r\n`;
    const file = await writeContract('digest.yaml', text);
    const bytes = Buffer.from(text, 'utf8');
    const loaded = await loadContract(file);
    expect(loaded.digest).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    const schemaBytes = await readFile(
      new URL('../../schemas/odcs-json-schema-v3.1.0.json', import.meta.url),
    );
    expect(loaded.schemaDigest).toBe(`sha256:${createHash('sha256').update(schemaBytes).digest('hex')}`);
  });

  it('keeps an unquoted date bound a string (YAML 1.2), so the contract stays valid', async () => {
    const file = await writeContract(
      'date-bound.yaml',
      `${head}      - name: day
        logicalType: date
        logicalTypeOptions:
          minimum: 2020-01-01
`,
    );
    const loaded = await loadContract(file);
    expect(loaded.contract.schema?.[0]?.properties?.[0]?.logicalTypeOptions?.['minimum']).toBe('2020-01-01');
  });

  it('locates a path in the source as file:line:col', async () => {
    const file = await writeContract(
      'locate.yaml',
      `${head}      - name: id
        quality:
          - metric: rowCount
            mustBe: 1
`,
    );
    const loaded = await loadContract(file);
    // "          - metric" : the rule's mapping starts at column 13 of line 11.
    expect(loaded.locate(['schema', 0, 'properties', 0, 'quality', 0])).toBe(`${file}:11:13`);
    // "            mustBe" : the key starts at column 13 of line 12.
    expect(loaded.locate(['schema', 0, 'properties', 0, 'quality', 0, 'mustBe'])).toBe(`${file}:12:13`);
    // A path that is not in the document stops at the deepest node found.
    expect(loaded.locate(['schema', 0, 'nothing'])).toBe(`${file}:7:5`);
  });

  describe('rejects a file that is not a YAML mapping', () => {
    it('not YAML: names file:line:col of the syntax error', async () => {
      // Line 3 starts a second mapping inside a compact value, at column 5 ("a: b").
      const file = await writeContract(
        'not-yaml.yaml',
        `apiVersion: v3.1.0
kind: DataContract
id: a: b
version: 1.0.0
`,
      );
      const error = await loadError(file, 'WARDEN_ERR_CONTRACT_NOT_YAML');
      expect(error.message).toContain(`${file}:3:5`);
      expect(error.where).toBe(`${file}:3:5`);
    });

    it('a duplicated key is a YAML error on the line of the second key', async () => {
      const file = await writeContract(
        'duplicate-key.yaml',
        `apiVersion: v3.1.0
kind: DataContract
id: orders
id: again
version: 1.0.0
status: active
`,
      );
      const error = await loadError(file, 'WARDEN_ERR_CONTRACT_NOT_YAML');
      // The second "id" starts line 4 at column 1.
      expect(error.message).toContain(`${file}:4:1`);
    });

    it('a tab used as indentation, at its line', async () => {
      const file = await writeContract(
        'tab.yaml',
        'apiVersion: v3.1.0\nkind: DataContract\nid: orders\n\tversion: 1.0.0\n',
      );
      const error = await loadError(file, 'WARDEN_ERR_CONTRACT_NOT_YAML');
      // The tab is the first character of line 4.
      expect(error.message).toContain(`${file}:4:1`);
    });

    it('an empty file', async () => {
      const file = await writeContract('empty.yaml', '');
      const error = await loadError(file, 'WARDEN_ERR_CONTRACT_NOT_YAML');
      expect(error.message).toContain(file);
      expect(error.message).toContain('nothing');
    });

    it('a file holding only a comment', async () => {
      const file = await writeContract('comment-only.yaml', '# nothing here\n');
      const error = await loadError(file, 'WARDEN_ERR_CONTRACT_NOT_YAML');
      expect(error.message).toContain(file);
    });

    it('a YAML list instead of a mapping', async () => {
      const file = await writeContract('list.yaml', '- apiVersion: v3.1.0\n- kind: DataContract\n');
      const error = await loadError(file, 'WARDEN_ERR_CONTRACT_NOT_YAML');
      expect(error.message).toContain(file);
      expect(error.message).toContain('a list');
    });

    it('a single scalar', async () => {
      const file = await writeContract('scalar.yaml', 'just text\n');
      const error = await loadError(file, 'WARDEN_ERR_CONTRACT_NOT_YAML');
      expect(error.message).toContain('a single value');
    });

    it('an anchor bomb (billion laughs): too many aliases, refused before it expands', async () => {
      const levels = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
      for (const [previous, name] of ['ab', 'bc', 'cd', 'de', 'ef', 'fg', 'gh', 'hi']) {
        levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
      }
      const bomb = `${head.split('\n').slice(0, 5).join('\n')}\ncustomProperties:\n${levels.map((level) => `  ${level}\n`).join('')}`;
      const file = await writeContract('bomb.yaml', bomb);
      const error = await loadError(file, 'WARDEN_ERR_CONTRACT_NOT_YAML');
      expect(error.message).toBe(
        `${file}: not valid YAML: too many aliases: its *aliases expand more than 100 times (an anchor "bomb" multiplies a small file into a huge document); write the values out or use fewer aliases`,
      );
    });

    it('an alias whose anchor is missing', async () => {
      const file = await writeContract(
        'unresolved.yaml',
        `${head}      - name: id\n        logicalType: *type\n`,
      );
      const error = await loadError(file, 'WARDEN_ERR_CONTRACT_NOT_YAML');
      expect(error.message).toContain(`${file}: not valid YAML: Unresolved alias`);
      expect(error.message).toContain('define each &anchor before its *alias');
    });
  });

  describe('rejects a contract that fails the ODCS v3.1.0 schema, naming file and line', () => {
    it('missing version', async () => {
      const file = await writeContract(
        'no-version.yaml',
        `apiVersion: v3.1.0
kind: DataContract
id: orders
status: active
`,
      );
      const error = await loadError(file, 'WARDEN_ERR_CONTRACT_SCHEMA');
      // The root mapping starts at 1:1.
      expect(error.message).toContain(`${file}:1:1: missing required key "version"`);
    });

    it('wrong kind', async () => {
      const file = await writeContract(
        'kind.yaml',
        `apiVersion: v3.1.0
kind: DataContracts
id: orders
version: 1.0.0
status: active
`,
      );
      const error = await loadError(file, 'WARDEN_ERR_CONTRACT_SCHEMA');
      expect(error.message).toContain(`${file}:2:`);
      expect(error.message).toContain('DataContracts');
    });

    it('an unknown key pii: true on a property, at the line of the key', async () => {
      const file = await writeContract(
        'unknown-key.yaml',
        `${head}      - name: email
        logicalType: string
        pii: true
`,
      );
      const error = await loadError(file, 'WARDEN_ERR_CONTRACT_SCHEMA');
      // "        pii" : line 11, column 9.
      expect(error.message).toContain(`${file}:11:9: unknown key "pii"`);
      expect(error.message).toContain('customProperties');
    });

    it('dimension: cp (a documented synonym the schema enum rejects)', async () => {
      const file = await writeContract(
        'dimension.yaml',
        `${head}      - name: id
        quality:
          - metric: nullValues
            mustBe: 0
            dimension: cp
`,
      );
      const error = await loadError(file, 'WARDEN_ERR_CONTRACT_SCHEMA');
      // "            dimension" : line 13, column 13.
      expect(error.message).toContain(`${file}:13:13`);
      expect(error.message).toContain('"cp"');
      expect(error.message).toContain('completeness');
    });

    it('mustBeBetween: [0.5, 0.5] (the two bounds must differ)', async () => {
      const file = await writeContract(
        'between.yaml',
        `${head}      - name: id
        quality:
          - metric: nullValues
            unit: percent
            mustBeBetween: [0.5, 0.5]
`,
      );
      const error = await loadError(file, 'WARDEN_ERR_CONTRACT_SCHEMA');
      expect(error.message).toContain(`${file}:13:13`);
      expect(error.message).toContain('[0.5,0.5]');
    });

    it('a quoted number where a number is expected', async () => {
      const file = await writeContract(
        'quoted-number.yaml',
        `${head}      - name: id
        quality:
          - metric: rowCount
            mustBeGreaterThan: "5"
`,
      );
      const error = await loadError(file, 'WARDEN_ERR_CONTRACT_SCHEMA');
      expect(error.message).toContain(`${file}:12:13`);
      expect(error.message).toContain('"5"');
      expect(error.message).toContain('remove the quotes');
    });

    it('a quoted number as a numeric bound in logicalTypeOptions', async () => {
      const file = await writeContract(
        'quoted-bound.yaml',
        `${head}      - name: age
        logicalType: integer
        logicalTypeOptions:
          minimum: "18"
`,
      );
      const error = await loadError(file, 'WARDEN_ERR_CONTRACT_SCHEMA');
      expect(error.message).toContain(`${file}:12:`);
    });

    it('an unknown metric nulValues, suggesting nullValues', async () => {
      const file = await writeContract(
        'metric.yaml',
        `${head}      - name: id
        quality:
          - metric: nulValues
            mustBe: 0
`,
      );
      const error = await loadError(file, 'WARDEN_ERR_CONTRACT_SCHEMA');
      // "          - metric" : the key starts at line 11, column 13.
      expect(error.message).toContain(`${file}:11:13: unknown metric "nulValues"`);
      expect(error.message).toContain('did you mean "nullValues"');
    });

    it('two operators in one rule', async () => {
      const file = await writeContract(
        'two-operators.yaml',
        `${head}      - name: id
        quality:
          - metric: rowCount
            mustBeGreaterThan: 1
            mustBeLessThan: 10
`,
      );
      const error = await loadError(file, 'WARDEN_ERR_CONTRACT_SCHEMA');
      expect(error.message).toContain(`${file}:11:13`);
      expect(error.message).toContain('exactly one operator');
      expect(error.message).toContain('mustBeGreaterThan and mustBeLessThan');
      expect(error.message).toContain('mustBeBetween');
    });

    it('no operator, with a misspelt one', async () => {
      const file = await writeContract(
        'no-operator.yaml',
        `${head}      - name: id
        quality:
          - metric: nullValues
            mustbe: 0
`,
      );
      const error = await loadError(file, 'WARDEN_ERR_CONTRACT_SCHEMA');
      expect(error.message).toContain(`${file}:11:13`);
      expect(error.message).toContain('found none');
      expect(error.message).toContain('did you mean "mustBe"');
    });

    it('no operator at all on a schema-level rule', async () => {
      const file = await writeContract(
        'no-operator-table.yaml',
        `apiVersion: v3.1.0
kind: DataContract
id: orders
version: 1.0.0
status: active
schema:
  - name: orders
    quality:
      - metric: rowCount
`,
      );
      const error = await loadError(file, 'WARDEN_ERR_CONTRACT_SCHEMA');
      // "      - metric" : line 9, column 9.
      expect(error.message).toContain(`${file}:9:9`);
      expect(error.message).toContain('found none');
    });

    it('lists several problems in one message', async () => {
      const file = await writeContract(
        'several.yaml',
        `${head}      - name: id
        pii: true
        quality:
          - metric: nulValues
            mustBe: 0
`,
      );
      const error = await loadError(file, 'WARDEN_ERR_CONTRACT_SCHEMA');
      expect(error.message).toContain(`${file}:10:9`);
      expect(error.message).toContain(`${file}:12:13`);
    });
  });

  describe('rejects a file that cannot be read', () => {
    it('a missing file', async () => {
      const file = join(dir, 'no-such-contract.yaml');
      const error = await loadError(file, 'WARDEN_ERR_INPUT_FILE_NOT_FOUND');
      expect(error.message).toContain(file);
      expect(error.where).toBe(file);
    });

    it('a directory', async () => {
      const error = await loadError(dir, 'WARDEN_ERR_INPUT_FILE_NOT_FOUND');
      expect(error.message).toContain(dir);
    });
  });
});
