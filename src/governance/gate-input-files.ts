import { readFile, stat } from 'node:fs/promises';
import {
  checkEvidenceDocument,
  type ErrorCode,
  type EvidenceDocument,
  envelopeSigner,
  fileReadError,
  isDsseEnvelope,
  type NamedPublicKey,
  type OpenedEnvelope,
  openEvidenceEnvelope,
  parseYamlData,
  WardenError,
} from '../core/index.js';
import { type LoadedContract, loadContract } from '../data/index.js';
import {
  type ContractView,
  defaultLimits,
  evidenceSigner,
  type GateInput,
  type GateSubject,
  gateInput,
  gateInputDigest,
  isGateName,
  latestEvidenceByKind,
  type PolicySet,
  pinnedSignerKeys,
  type VerifiedSigner,
} from '../policy/index.js';
import { type Monitor, monitorList } from './schemas.js';

/**
 * Reads what a gate decides on from files (`warden gate`, `evidence submit`, the check commands'
 * `--policies`): evidence files, the data contract, declared monitors and saved gate inputs. The
 * server assembles the same input from the registry (gate-assembly.ts); both end in `gateInput`.
 */

const maxInputBytes = defaultLimits.maxInputBytes;

/** Refuses a gate name Warden does not know. */
export function checkGateName(gate: string): string {
  if (!isGateName(gate)) {
    throw new WardenError(
      'WARDEN_ERR_USAGE_INVALID_OPTION',
      `"${gate}" is not a gate; gates are data, model, deploy, runtime and promote:<alias> (e.g. promote:production)`,
    );
  }
  return gate;
}

async function fileSize(file: string, what: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    throw fileReadError(file, error, what);
  }
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw fileReadError(file, error, what);
  }
}

/** A file's text, refused unread when it is larger than a gate input may be. */
async function readBoundedFile(file: string, what: string): Promise<string> {
  const size = await fileSize(file, what);
  if (size > maxInputBytes) {
    throw new WardenError(
      'WARDEN_ERR_GATE_INVALID_INPUT',
      `${file}: is ${size} bytes; a gate input may hold at most ${maxInputBytes}`,
      { where: file },
    );
  }
  return readText(file, what);
}

/** Parses a file's text, turning a syntax error into a coded error that names the file. */
function parseFile<T>(
  file: string,
  text: string,
  parse: (text: string) => T,
  code: ErrorCode,
  problem: (reason: string) => string,
): T {
  try {
    return parse(text);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0] ?? '';
    throw new WardenError(code, `${file}: ${problem(reason)}`, { where: file });
  }
}

/** An evidence file: its document, and the DSSE envelope it came in when it was signed. */
export interface EvidenceFile {
  file: string;
  document: EvidenceDocument;
  envelope?: OpenedEnvelope;
}

/**
 * Evidence files as a check wrote them, bare or signed, each checked (a known kind, its envelope, an
 * id that still matches its content, a well-formed signed statement). Together they may hold at
 * most the gate input limit, checked before any is read. Signatures are verified later, against the
 * keys the gate knows (signersOf).
 */
export async function readEvidenceFiles(files: readonly string[]): Promise<EvidenceFile[]> {
  let total = 0;
  for (const file of files) total += await fileSize(file, 'evidence');
  if (total > maxInputBytes) {
    throw new WardenError(
      'WARDEN_ERR_GATE_INVALID_INPUT',
      `${files.join(', ')}: the evidence files add up to ${total} bytes; a gate input may hold at most ${maxInputBytes}. Pass only the evidence this gate needs`,
    );
  }
  const read: EvidenceFile[] = [];
  for (const file of files) {
    const value: unknown = parseFile(
      file,
      await readText(file, 'evidence'),
      JSON.parse,
      'WARDEN_ERR_EVIDENCE_INVALID',
      (reason) => `is not JSON (${reason}); use the evidence file a check wrote with --json`,
    );
    if (isDsseEnvelope(value)) {
      const envelope = openEvidenceEnvelope(value, file);
      read.push({ file, document: envelope.evidence, envelope });
    } else {
      read.push({ file, document: checkEvidenceDocument(value, file) });
    }
  }
  return read;
}

/** One evidence file, checked as `readEvidenceFiles` checks each. */
export async function readEvidenceFile(file: string): Promise<EvidenceFile> {
  const [read] = await readEvidenceFiles([file]);
  return read as EvidenceFile;
}

/**
 * Verifies a signed evidence file against known keys: the signer whose key made its signature, or
 * null when it is unsigned or signed by a key none of them is. A signature that a known key's id
 * names but that does not verify means the file changed after signing, and is refused.
 */
export function verifiedSigner(read: EvidenceFile, keys: readonly NamedPublicKey[]): VerifiedSigner | null {
  if (read.envelope === undefined) return null;
  const signer = envelopeSigner(read.envelope.envelope, read.envelope.payload, keys);
  if (signer !== undefined) return { name: signer.name, keyId: signer.keyId };
  const named = keys.filter((key) => read.envelope?.keyIds.includes(key.keyId));
  if (named.length > 0) {
    throw new WardenError(
      'WARDEN_ERR_EVIDENCE_SIGNATURE_INVALID',
      `${read.file}: names the key of signer "${named[0]?.name}", but its signature does not verify with it: the file was changed after it was signed. Use the file the check wrote, unchanged, or run the check again`,
      { where: read.file },
    );
  }
  return null;
}

/** Where a gate on files learns who signed its evidence and whom the policy set trusts. */
export interface LocalTrust {
  set: PolicySet;
  /** Keys named on the command line (--trusted-key NAME=FILE), besides the ones the set pins. */
  keys: readonly NamedPublicKey[];
}

/**
 * The evidence documents of a gate on files, each with `signer` as policies read it, and a note
 * for each signed file whose key the gate does not know (it counts as unsigned).
 */
export function signersOf(
  files: readonly EvidenceFile[],
  trust: LocalTrust | undefined,
): { documents: (EvidenceDocument & { signer: unknown })[]; notes: string[] } {
  const keys = trust ? [...pinnedSignerKeys(trust.set), ...trust.keys] : [];
  const notes: string[] = [];
  const documents = files.map((read) => {
    const verified = verifiedSigner(read, keys);
    if (verified === null && read.envelope !== undefined) {
      const keyIds = read.envelope.keyIds.map((id) => id.slice(0, 12)).join(', ') || 'none given';
      notes.push(
        `${read.file} is signed by a key this gate does not know (key id ${keyIds}…): it counts as unsigned. Pin the signer's public key in a TrustPolicy, or pass --trusted-key NAME=FILE.pub`,
      );
    }
    const signer = trust ? evidenceSigner(trust.set, read.document.kind, verified) : null;
    return { ...read.document, signer };
  });
  return { documents, notes };
}

/** The contract's properties with their classification and tags, for PII and feature policies. */
export function contractView(loaded: LoadedContract): ContractView {
  const { contract, digest, file } = loaded;
  return {
    id: contract.id,
    version: contract.version,
    ...(contract.name === undefined ? {} : { name: contract.name }),
    uri: file,
    digest,
    properties: (contract.schema ?? []).flatMap((object) =>
      (object.properties ?? []).map((property) => {
        const extra = property as { criticalDataElement?: unknown; description?: unknown };
        return {
          table: object.name,
          name: property.name,
          logicalType: property.logicalType ?? null,
          classification: property.classification ?? null,
          tags: property.tags ?? [],
          required: property.required ?? false,
          criticalDataElement: extra.criticalDataElement === true,
          description: typeof extra.description === 'string' ? extra.description : null,
        };
      }),
    ),
  };
}

export async function readContractView(file: string): Promise<ContractView> {
  return contractView(await loadContract(file));
}

/** Declared monitors: a YAML or JSON list of objects (name, signals, owner, …). */
export async function readMonitors(file: string): Promise<Monitor[]> {
  const value: unknown = parseFile(
    file,
    await readBoundedFile(file, 'monitors'),
    parseYamlData,
    'WARDEN_ERR_GATE_INVALID_INPUT',
    (reason) => `not valid YAML or JSON: ${reason}`,
  );
  const list =
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as { monitors?: unknown }).monitors
      : value;
  if (
    !Array.isArray(list) ||
    list.some((item) => item === null || typeof item !== 'object' || Array.isArray(item))
  ) {
    throw new WardenError(
      'WARDEN_ERR_GATE_INVALID_INPUT',
      `${file}: monitors are a list of objects (or a mapping with a "monitors" list), e.g. "- name: credit-risk-prod\\n  signals: [drift, performance]\\n  owner: risk-oncall"`,
      { where: file },
    );
  }
  const checked = monitorList.safeParse(list);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const path = (issue?.path ?? []).map((part) =>
      typeof part === 'number' ? `[${part}]` : `.${String(part)}`,
    );
    throw new WardenError(
      'WARDEN_ERR_GATE_INVALID_INPUT',
      `${file}: monitors${path.join('')}: ${issue?.message ?? 'invalid'}; a monitor has name, and optionally description, signals, owner, window and enabled`,
      { where: file },
    );
  }
  return checked.data;
}

/** A subject named by the caller rather than taken from the evidence. */
export type NamedSubject = Pick<GateSubject, 'type' | 'name' | 'version'>;

/** Who or what the gate decides about, beyond what evidence says: labels, tags and owner. */
export interface SubjectDetails {
  labels?: Record<string, string>;
  tags?: string[];
  owner?: string;
  artifactDigest?: string;
}

/**
 * The subject of a gate on files: the one named, or else the subject of the evidence (a model
 * version's evidence first), with the given labels, tags and owner.
 */
export function gateSubject(
  named: NamedSubject | undefined,
  evidence: readonly EvidenceDocument[],
  details: SubjectDetails = {},
): GateSubject {
  const subject =
    named ??
    evidence.find((document) => document.subject.type === 'model-version')?.subject ??
    evidence[0]?.subject;
  if (subject === undefined) {
    throw new WardenError(
      'WARDEN_ERR_USAGE_INVALID_OPTION',
      'give --subject (e.g. model=credit-risk,version=7) or at least one --evidence file to take it from',
    );
  }
  return {
    type: subject.type,
    name: subject.name,
    ...('version' in subject && subject.version !== undefined ? { version: subject.version } : {}),
    labels: details.labels ?? {},
    ...(details.owner ? { owner: details.owner } : {}),
    tags: details.tags ?? [],
    ...(details.artifactDigest ? { artifactDigest: details.artifactDigest } : {}),
  };
}

/** What a gate on files is assembled from. */
export interface GateInputFiles extends SubjectDetails {
  gate: string;
  evidenceFiles: readonly string[];
  /** Default: the evidence's own subject. */
  subject?: NamedSubject;
  contractFile?: string;
  monitorsFile?: string;
  /** ISO-8601 UTC. */
  now: string;
  /** Whom to believe about signatures; without it every signer is null. */
  trust?: LocalTrust;
}

/** A gate input and the ids of the evidence documents it holds, for the decision. */
export interface AssembledGateInput {
  input: GateInput;
  evidenceIds: string[];
  /** What the user should know about the evidence (signed by keys the gate does not know). */
  notes?: string[];
}

/** Assembles a gate input from files; the latest evidence of each kind is used. */
export async function gateInputFromFiles(files: GateInputFiles): Promise<AssembledGateInput> {
  const { documents, notes } = signersOf(await readEvidenceFiles(files.evidenceFiles), files.trust);
  const { evidence, ids } = latestEvidenceByKind(documents);
  const input = gateInput({
    gate: checkGateName(files.gate),
    subject: gateSubject(files.subject, documents, files),
    evidence,
    ...(files.contractFile ? { contract: await readContractView(files.contractFile) } : {}),
    ...(files.monitorsFile ? { monitors: await readMonitors(files.monitorsFile) } : {}),
    now: files.now,
  });
  return { input, evidenceIds: ids, notes };
}

/** A saved gate input (`--save-input`), read back for an exact replay. */
export async function readSavedGateInput(file: string): Promise<AssembledGateInput> {
  const value = parseFile(
    file,
    await readBoundedFile(file, 'gate input'),
    (json) => JSON.parse(json) as { input?: Partial<GateInput>; evidenceIds?: string[] } | null,
    'WARDEN_ERR_GATE_INVALID_INPUT',
    (reason) => `is not JSON (${reason})`,
  );
  const input = value?.input;
  if (
    !input ||
    typeof input.gate !== 'string' ||
    typeof input.now !== 'string' ||
    !input.subject ||
    !input.evidence
  ) {
    throw new WardenError(
      'WARDEN_ERR_GATE_INVALID_INPUT',
      `${file}: is not a saved gate input (expected {"input": {gate, subject, evidence, contract, monitors, now}, "evidenceIds": […]}); write one with warden gate … --save-input FILE`,
      { where: file },
    );
  }
  return {
    input: gateInput({
      gate: checkGateName(input.gate),
      subject: input.subject,
      evidence: input.evidence,
      now: input.now,
      ...(input.contract ? { contract: input.contract } : {}),
      ...(input.monitors ? { monitors: input.monitors } : {}),
      ...(input.waivers ? { waivers: input.waivers } : {}),
      ...(input.runtime ? { runtime: input.runtime } : {}),
    }),
    evidenceIds: value?.evidenceIds ?? [],
  };
}

/** The text `--save-input` writes: the input, its digest and the evidence ids, for a replay. */
export function savedGateInput(input: GateInput, evidenceIds: readonly string[]): string {
  return `${JSON.stringify({ digest: gateInputDigest(input), input, evidenceIds }, null, 2)}\n`;
}
