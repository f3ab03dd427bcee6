import { readFile } from 'node:fs/promises';
import { Ajv2019, type ErrorObject, type ValidateFunction } from 'ajv/dist/2019.js';
import { type Document, isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import {
  type Digest,
  didYouMean,
  fileReadError,
  type JsonPath,
  locateInYaml,
  packageRoot,
  sha256Digest,
  valueAtPath,
  WardenError,
  yamlData,
  yamlErrorFix,
  yamlErrorSummary,
} from '../core/index.js';
import { type DataContract, dataContractSchema } from './contract-document.js';
import { operatorNames } from './operators.js';

export const odcsSchemaFile = 'schemas/odcs-json-schema-v3.1.0.json';

/** A data contract read from a file, validated, with a way to point at places in its source. */
export interface LoadedContract {
  file: string;
  contract: DataContract;
  digest: Digest;
  schemaDigest: Digest;
  /** `contract.yaml:12:7` for a path into the document, or the file name when the path is not found. */
  locate(path: readonly (string | number)[]): string;
}

interface OdcsValidator {
  validate: ValidateFunction;
  digest: Digest;
  vocabulary: string[];
}

let validatorPromise: Promise<OdcsValidator> | undefined;

function odcsValidator(): Promise<OdcsValidator> {
  validatorPromise ??= (async () => {
    const text = await readFile(new URL(odcsSchemaFile, packageRoot), 'utf8');
    const schema = JSON.parse(text) as object;
    const ajv = new Ajv2019({ allErrors: true, strict: false, validateFormats: false });
    return { validate: ajv.compile(schema), digest: sha256Digest(text), vocabulary: collectKeys(schema) };
  })();
  return validatorPromise;
}

/** Every property name the schema declares anywhere: the candidates for "did you mean". */
function collectKeys(schema: unknown, keys = new Set<string>()): string[] {
  if (Array.isArray(schema)) {
    for (const item of schema) collectKeys(item, keys);
  } else if (schema !== null && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'properties' && value !== null && typeof value === 'object') {
        for (const name of Object.keys(value)) keys.add(name);
      }
      collectKeys(value, keys);
    }
  }
  return [...keys];
}

/**
 * Reads an ODCS v3.1.0 data contract (YAML 1.2), validates it against the official JSON Schema and
 * returns it typed. Problems are thrown as coded errors that name the file, line and column.
 *
 * @example
 * const { contract, locate } = await loadContract('examples/credit-risk/contract.yaml');
 */
export async function loadContract(file: string): Promise<LoadedContract> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw fileReadError(file, error, 'contract');
  }
  const text = bytes.toString('utf8');
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const locate = (path: JsonPath): string => locateInYaml(file, document, lineCounter, path);

  const yamlError = document.errors[0];
  if (yamlError) {
    const position = yamlError.linePos?.[0];
    const where = position ? `${file}:${position.line}:${position.col}` : file;
    throw new WardenError(
      'WARDEN_ERR_CONTRACT_NOT_YAML',
      `${where}: not valid YAML: ${yamlErrorSummary(yamlError.message)}; ${yamlErrorFix(yamlError.code)}`,
      { where },
    );
  }
  if (!isMap(document.contents)) {
    throw new WardenError(
      'WARDEN_ERR_CONTRACT_NOT_YAML',
      `${file}: a data contract must be a YAML mapping with apiVersion, kind, id, version, status and schema; this file holds ${describeRoot(document)}`,
      { where: file },
    );
  }
  const converted = yamlData(document);
  if ('problem' in converted) {
    throw new WardenError('WARDEN_ERR_CONTRACT_NOT_YAML', `${file}: not valid YAML: ${converted.problem}`, {
      where: file,
    });
  }
  const json = converted.data;

  const ruleProblems = checkQualityRules(json, locate);
  const validator = await odcsValidator();
  const explained = ruleProblems.map((problem) => `/${problem.path.join('/')}`);
  const schemaErrors = validator.validate(json)
    ? []
    : (validator.validate.errors ?? []).filter(
        (error) =>
          !explained.some(
            (pointer) => error.instancePath === pointer || error.instancePath.startsWith(`${pointer}/`),
          ),
      );
  const problems = [
    ...new Set([
      ...ruleProblems.map((problem) => problem.message),
      ...describeSchemaErrors(schemaErrors, json, locate, validator.vocabulary),
    ]),
  ];
  if (problems.length > 0) {
    const shown = problems.slice(0, 10);
    const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
    throw new WardenError(
      'WARDEN_ERR_CONTRACT_SCHEMA',
      `${file}: not a valid ODCS v3.1.0 data contract:\n  ${shown.join('\n  ')}${more}`,
      { where: file },
    );
  }
  const contract = dataContractSchema.parse(json);
  return { file, contract, digest: sha256Digest(bytes), schemaDigest: validator.digest, locate };
}

function describeRoot(document: Document): string {
  if (document.contents === null) return 'nothing';
  if (isSeq(document.contents)) return 'a list';
  return 'a single value';
}

const metricNames = ['nullValues', 'missingValues', 'invalidValues', 'duplicateValues', 'rowCount'];

/**
 * Quality rules are where authors slip most, and where the JSON Schema's oneOf/if-then errors are
 * least readable, so they get their own messages first.
 */
function checkQualityRules(
  json: unknown,
  locate: (path: JsonPath) => string,
): { path: JsonPath; message: string }[] {
  const problems: { path: JsonPath; message: string }[] = [];
  const visitRules = (rules: unknown, path: JsonPath) => {
    if (!Array.isArray(rules)) return;
    rules.forEach((rule: unknown, index) => {
      if (rule === null || typeof rule !== 'object') return;
      const record = rule as Record<string, unknown>;
      const rulePath = [...path, index];
      const type =
        record['type'] ??
        (record['metric'] === undefined && record['query'] !== undefined ? 'sql' : 'library');
      if (typeof record['metric'] === 'string' && !metricNames.includes(record['metric'])) {
        problems.push({
          path: rulePath,
          message: `${locate([...rulePath, 'metric'])}: unknown metric "${record['metric']}"${didYouMean(record['metric'], metricNames)}; ODCS metrics are ${metricNames.join(', ')}`,
        });
      }
      if (type === 'library' || type === 'sql') {
        const operators = operatorNames.filter((name) => name in record);
        if (operators.length !== 1) {
          const found = operators.length === 0 ? 'none' : operators.join(' and ');
          const misspelt = Object.keys(record)
            .filter((key) => !operatorNames.includes(key as never) && key.startsWith('must'))
            .map((key) => `"${key}"${didYouMean(key, operatorNames)}`);
          problems.push({
            path: rulePath,
            message: `${locate(rulePath)}: a ${type} rule needs exactly one operator (${operatorNames.join(', ')}); found ${found}${misspelt.length ? `; unknown key ${misspelt.join(', ')}` : ''}${operators.length > 1 ? '. Split it into one rule per operator, or use mustBeBetween' : ''}`,
          });
        }
      }
    });
  };
  const schema = (json as Record<string, unknown>)['schema'];
  if (Array.isArray(schema)) {
    schema.forEach((object: unknown, objectIndex) => {
      if (object === null || typeof object !== 'object') return;
      const record = object as Record<string, unknown>;
      visitRules(record['quality'], ['schema', objectIndex, 'quality']);
      const properties = record['properties'];
      if (Array.isArray(properties)) {
        properties.forEach((property: unknown, propertyIndex) => {
          if (property !== null && typeof property === 'object') {
            visitRules((property as Record<string, unknown>)['quality'], [
              'schema',
              objectIndex,
              'properties',
              propertyIndex,
              'quality',
            ]);
          }
        });
      }
    });
  }
  return problems;
}

const structuralKeywords = new Set(['if', 'then', 'else', 'oneOf', 'anyOf', 'allOf', 'not']);

function describeSchemaErrors(
  errors: ErrorObject[],
  json: unknown,
  locate: (path: JsonPath) => string,
  vocabulary: string[],
): string[] {
  const specific = errors.filter((error) => !structuralKeywords.has(error.keyword));
  const chosen = specific.length > 0 ? specific : errors;
  return chosen.map((error) => {
    const path = pointerToPath(error.instancePath);
    const where = locate(path);
    const value = valueAtPath(json, path);
    switch (error.keyword) {
      case 'unevaluatedProperties':
      case 'additionalProperties': {
        const key = String(error.params['unevaluatedProperty'] ?? error.params['additionalProperty']);
        return `${locate([...path, key])}: unknown key "${key}"${didYouMean(key, vocabulary)}; ODCS allows extra fields only under customProperties or tags`;
      }
      case 'required':
        return `${where}: missing required key "${String(error.params['missingProperty'])}"`;
      case 'enum':
        return `${where}: "${String(value)}" is not allowed here${didYouMean(String(value), (error.params['allowedValues'] as unknown[]).map(String))}; use one of ${(error.params['allowedValues'] as unknown[]).join(', ')}`;
      case 'const':
        return `${where}: must be "${String(error.params['allowedValue'])}", found "${String(value)}"`;
      case 'type':
        return `${where}: expected ${String(error.params['type'])}, found ${JSON.stringify(value)}${typeof value === 'string' && error.params['type'] === 'number' ? ' (remove the quotes)' : ''}`;
      case 'uniqueItems':
        return `${where}: the two values must differ (${JSON.stringify(value)}); for a single value use mustBe`;
      default:
        return `${where}: ${error.message ?? error.keyword}`;
    }
  });
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}
