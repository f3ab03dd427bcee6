import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isScalar, LineCounter, parseAllDocuments } from 'yaml';
import {
  contentDigest,
  type Digest,
  describeSchemaIssue,
  didYouMean,
  fileReadError,
  isWardenError,
  type JsonPath,
  locateInYaml,
  type NamedPublicKey,
  namedPublicKey,
  WardenError,
  yamlData,
  yamlErrorFix,
  yamlErrorSummary,
} from '../core/index.js';
import {
  apiVersion,
  type DocumentKind,
  documentSchemas,
  type GateDefaultsDocument,
  type PolicyBindingDocument,
  type PolicyDocument,
  type PolicyTestDocument,
  type TrustPolicyDocument,
} from './documents.js';

/** A document with the means to point at places in its source file. */
export interface Located<T> {
  document: T;
  file: string;
  /** `policies/credit.yaml:12:7` for a path into the document. */
  locate(path: JsonPath): string;
}

/** A directory of policy documents, validated and cross-checked, with its identity. */
export interface PolicySet {
  source: string;
  policies: Located<PolicyDocument>[];
  bindings: Located<PolicyBindingDocument>[];
  tests: Located<PolicyTestDocument>[];
  /** What each gate decides when no validation applies to it; built-in defaults when absent. */
  gateDefaults?: Located<GateDefaultsDocument>;
  /** Which signers the set trusts for which evidence kinds; none trusted when empty. */
  trust: Located<TrustPolicyDocument>[];
  /** The keys the trust documents pin, by signer name, parsed once when the set is loaded. */
  pinnedKeys: ReadonlyMap<string, NamedPublicKey>;
  /**
   * Digest of the canonical JSON of the policies, bindings and gate defaults (tests do not change
   * decisions).
   */
  digest: Digest;
  /** What the author calls this revision (a git commit, a release); the digest's head by default. */
  revision: string;
}

const maxProblemsShown = 20;
const maxPolicyFileBytes = 1024 * 1024;

/**
 * Reads every `*.yaml` / `*.yml` file under a directory (or one file), each holding one or more
 * Policy, PolicyBinding, PolicyTest, GateDefaults or TrustPolicy documents, and checks them: schema,
 * unique names, at most one GateDefaults, pinned keys that are Ed25519 public keys, and that every
 * binding names a policy that exists. All problems are reported together, each with its
 * file, line and column.
 *
 * @example
 * const set = await loadPolicySet('examples/policies', { revision: 'a1b2c3d' });
 */
export async function loadPolicySet(source: string, options: { revision?: string } = {}): Promise<PolicySet> {
  return policySetFromFiles(source, await readPolicyFiles(source), options);
}

/** One YAML file of a policy set: its path (as shown in messages) and its text. */
export interface PolicyFile {
  path: string;
  content: string;
}

/** Reads the YAML files of a policy directory (or one file), refusing any over 1 MiB. */
export async function readPolicyFiles(source: string): Promise<PolicyFile[]> {
  const files: PolicyFile[] = [];
  for (const path of await policyFiles(source)) {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw fileReadError(path, error, 'policy');
    }
    if (bytes.length > maxPolicyFileBytes) {
      throw invalidSet(source, [
        `${path}: is ${bytes.length} bytes; a policy file may hold at most ${maxPolicyFileBytes}`,
      ]);
    }
    files.push({ path, content: bytes.toString('utf8') });
  }
  return files;
}

/**
 * Builds a policy set from file texts already in memory (the server keeps the set it was given
 * this way). Same checks and messages as reading the directory.
 */
export function policySetFromFiles(
  source: string,
  files: readonly PolicyFile[],
  options: { revision?: string } = {},
): PolicySet {
  const problems: string[] = [];
  const policies: Located<PolicyDocument>[] = [];
  const bindings: Located<PolicyBindingDocument>[] = [];
  const tests: Located<PolicyTestDocument>[] = [];
  const gateDefaults: Located<GateDefaultsDocument>[] = [];
  const trust: Located<TrustPolicyDocument>[] = [];
  const invalidPolicyNames = new Set<string>();

  for (const file of files) {
    for (const located of parseDocuments(file, problems, invalidPolicyNames)) {
      const kind = (located.document as { kind: DocumentKind }).kind;
      if (kind === 'Policy') policies.push(located as Located<PolicyDocument>);
      else if (kind === 'PolicyBinding') bindings.push(located as Located<PolicyBindingDocument>);
      else if (kind === 'GateDefaults') gateDefaults.push(located as Located<GateDefaultsDocument>);
      else if (kind === 'TrustPolicy') trust.push(located as Located<TrustPolicyDocument>);
      else tests.push(located as Located<PolicyTestDocument>);
    }
  }
  problems.push(...crossCheck(policies, bindings, invalidPolicyNames));
  const [declaredDefaults, ...extraDefaults] = gateDefaults;
  for (const extra of extraDefaults) {
    problems.push(
      `${extra.locate(['kind'])}: a second GateDefaults document (the first is at ${declaredDefaults?.locate(['kind'])}); a policy set declares its gate defaults once, so merge them into one`,
    );
  }
  const pinnedKeys = new Map<string, NamedPublicKey>();
  problems.push(...pinTrustedKeys(trust, pinnedKeys));
  if (problems.length > 0) throw invalidSet(source, problems);
  if (policies.length === 0) {
    throw new WardenError(
      'WARDEN_ERR_POLICY_INVALID',
      `${source}: holds no Policy document (read ${files.length} YAML file${files.length === 1 ? '' : 's'}); a policy set needs at least one "kind: Policy" with apiVersion ${apiVersion}`,
      { where: source },
    );
  }
  const digest = contentDigest({
    policies: sortByName(policies).map((policy) => policy.document),
    bindings: sortByName(bindings).map((binding) => binding.document),
    // Only when declared, so that a set without one keeps the digest it always had.
    ...(declaredDefaults ? { gateDefaults: declaredDefaults.document } : {}),
    ...(trust.length > 0 ? { trust: sortByName(trust).map((document) => document.document) } : {}),
  });
  return {
    source,
    policies,
    bindings,
    tests,
    ...(declaredDefaults ? { gateDefaults: declaredDefaults } : {}),
    trust,
    pinnedKeys,
    digest,
    revision: options.revision ?? digest.slice('sha256:'.length, 'sha256:'.length + 12),
  };
}

/**
 * Parses the keys the trust documents pin into `pinned`, by signer name; returns the problems: a
 * pinned key must be an Ed25519 public key, and a signer pinned twice must be pinned to one key.
 */
function pinTrustedKeys(
  trust: readonly Located<TrustPolicyDocument>[],
  pinned: Map<string, NamedPublicKey>,
): string[] {
  const problems: string[] = [];
  const pinnedAt = new Map<string, string>();
  for (const document of trust) {
    document.document.spec.signers.forEach((signer, index) => {
      if (signer.publicKey === undefined) return;
      const at = document.locate(['spec', 'signers', index, 'publicKey']);
      try {
        const key = namedPublicKey(signer.name, signer.publicKey, at);
        const earlier = pinned.get(signer.name);
        if (earlier === undefined) {
          pinned.set(signer.name, key);
          pinnedAt.set(signer.name, at);
        } else if (earlier.keyId !== key.keyId) {
          problems.push(
            `${at}: signer "${signer.name}" is pinned to another key at ${pinnedAt.get(signer.name)}; a signer has one key`,
          );
        }
      } catch (error) {
        problems.push(isWardenError(error) ? error.message : String(error));
      }
    });
  }
  return problems;
}

function sortByName<T extends { document: { metadata: { name: string } } }>(items: T[]): T[] {
  return [...items].sort((a, b) => (a.document.metadata.name < b.document.metadata.name ? -1 : 1));
}

function invalidSet(source: string, problems: string[]): WardenError {
  const shown = problems.slice(0, maxProblemsShown);
  const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
  return new WardenError(
    'WARDEN_ERR_POLICY_INVALID',
    `${source}: the policy set is not valid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${shown.join('\n  ')}${more}`,
    { where: source },
  );
}

async function policyFiles(source: string): Promise<string[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(source);
  } catch (error) {
    throw fileReadError(source, error, 'policy directory or');
  }
  if (info.isFile()) return [source];
  const entries = await readdir(source, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/i.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function parseDocuments(
  { path: file, content }: PolicyFile,
  problems: string[],
  invalidPolicyNames: Set<string>,
): Located<unknown>[] {
  if (Buffer.byteLength(content) > maxPolicyFileBytes) {
    problems.push(
      `${file}: is ${Buffer.byteLength(content)} bytes; a policy file may hold at most ${maxPolicyFileBytes}`,
    );
    return [];
  }
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(content, { lineCounter, uniqueKeys: true });
  if (!Array.isArray(documents)) return [];
  const located: Located<unknown>[] = [];
  documents.forEach((document, index) => {
    const locate = (path: JsonPath) => locateInYaml(file, document, lineCounter, path);
    const yamlError = document.errors[0];
    if (yamlError) {
      const position = yamlError.linePos?.[0];
      problems.push(
        `${position ? `${file}:${position.line}:${position.col}` : file}: not valid YAML: ${yamlErrorSummary(yamlError.message)}; ${yamlErrorFix(yamlError.code)}`,
      );
      return;
    }
    // An empty document: a file with only comments, or a trailing `---`.
    const contents = document.contents;
    if (contents === null || (isScalar(contents) && contents.value === null && contents.source === ''))
      return;
    const where = documents.length > 1 ? `${locate([])} (document ${index + 1})` : locate([]);
    if (!isMap(document.contents)) {
      problems.push(`${where}: a policy document is a YAML mapping with apiVersion, kind, metadata and spec`);
      return;
    }
    const converted = yamlData(document);
    if ('problem' in converted) {
      problems.push(`${where}: not valid YAML: ${converted.problem}`);
      return;
    }
    const json = converted.data as Record<string, unknown>;
    const kind = json['kind'];
    const kinds = Object.keys(documentSchemas);
    if (typeof kind !== 'string' || !kinds.includes(kind)) {
      problems.push(
        `${locate(['kind'])}: kind ${kind === undefined ? 'is missing' : `"${String(kind)}" is not one Warden reads`}${typeof kind === 'string' ? didYouMean(kind, kinds) : ''}; use ${kinds.join(', ')}`,
      );
      return;
    }
    const schema = documentSchemas[kind as DocumentKind];
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const metadata = json['metadata'] as { name?: unknown } | undefined;
      if (kind === 'Policy' && typeof metadata?.name === 'string') invalidPolicyNames.add(metadata.name);
      problems.push(...parsed.error.issues.map((issue) => describeSchemaIssue(issue, json, schema, locate)));
      return;
    }
    located.push({ document: parsed.data, file, locate });
  });
  return located;
}

function crossCheck(
  policies: Located<PolicyDocument>[],
  bindings: Located<PolicyBindingDocument>[],
  invalidPolicyNames: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  const duplicates = <T extends { document: { metadata: { name: string } } }>(items: T[], what: string) => {
    const seen = new Map<string, T>();
    for (const item of items) {
      const name = item.document.metadata.name;
      const first = seen.get(name);
      if (first) {
        problems.push(
          `${(item as unknown as Located<unknown>).locate(['metadata', 'name'])}: a second ${what} named "${name}" (the first is at ${(first as unknown as Located<unknown>).locate(['metadata', 'name'])}); names must be unique in a policy set`,
        );
      } else {
        seen.set(name, item);
      }
    }
  };
  duplicates(policies, 'Policy');
  duplicates(bindings, 'PolicyBinding');

  for (const policy of policies) {
    const { spec } = policy.document;
    for (const [field, entries] of [
      ['validations', spec.validations],
      ['variables', spec.variables],
      ['matchConditions', spec.matchConditions],
    ] as const) {
      const names = new Set<string>();
      entries.forEach((entry, index) => {
        if (names.has(entry.name)) {
          problems.push(
            `${policy.locate(['spec', field, index, 'name'])}: ${field} has two entries named "${entry.name}"; give each its own name`,
          );
        }
        names.add(entry.name);
      });
    }
  }

  const policyNames = policies.map((policy) => policy.document.metadata.name);
  for (const binding of bindings) {
    const target = binding.document.spec.policyName;
    if (!policyNames.includes(target) && !invalidPolicyNames.has(target)) {
      problems.push(
        `${binding.locate(['spec', 'policyName'])}: binding "${binding.document.metadata.name}" names policy "${target}", which is not in this policy set${didYouMean(target, policyNames)}; the policies are ${policyNames.join(', ') || '(none)'}`,
      );
    }
    binding.document.spec.subjects.matchExpressions?.forEach((requirement, index) => {
      const needsValues = requirement.operator === 'In' || requirement.operator === 'NotIn';
      if (needsValues !== (requirement.values !== undefined && requirement.values.length > 0)) {
        problems.push(
          `${binding.locate(['spec', 'subjects', 'matchExpressions', index])}: operator ${requirement.operator} ${needsValues ? 'needs a non-empty values list' : 'takes no values'}`,
        );
      }
    });
  }
  return problems;
}
