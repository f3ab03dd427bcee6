import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import { WardenError } from './errors.js';
import {
  type CheckedEvidence,
  checkEvidence,
  checkEvidenceDocument,
  type EvidenceDocument,
} from './evidence.js';

/**
 * Signed evidence (docs/security.md, "Signed evidence"): an evidence document is the `predicate` of
 * an in-toto Statement v1 whose subjects are the digests of the files the check read, carried in a
 * DSSE v1 envelope signed with Ed25519 over the pre-authentication encoding of the payload.
 */
export const inTotoPayloadType = 'application/vnd.in-toto+json';
export const inTotoStatementType = 'https://in-toto.io/Statement/v1';

export function evidencePredicateType(kind: string): string {
  return `https://warden.dev/evidence/${kind}/v1`;
}

export interface DsseSignature {
  keyid?: string;
  sig: string;
}

export interface DsseEnvelope {
  payloadType: string;
  payload: string;
  signatures: DsseSignature[];
}

export interface InTotoSubject {
  name: string;
  digest: Record<string, string>;
}

export interface InTotoStatement {
  _type: string;
  subject: InTotoSubject[];
  predicateType: string;
  predicate: Record<string, unknown>;
}

/** A public key a verifier knows by name. */
export interface NamedPublicKey {
  name: string;
  keyId: string;
  publicKey: KeyObject;
}

/** An Ed25519 key that signs evidence. */
export interface EvidenceSigningKey {
  keyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** DSSE v1 PAE: `DSSEv1 SP LEN(type) SP type SP LEN(body) SP body`, lengths in bytes, ASCII decimal. */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'ascii'),
    type,
    Buffer.from(` ${payload.length} `, 'ascii'),
    payload,
  ]);
}

/**
 * Standard or URL-safe base64, padded or not (DSSE accepts both). Anything Node would skip over
 * silently (a stray character, a non-canonical tail) is refused: undefined.
 */
export function decodeBase64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return undefined;
  const standard = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  const bytes = Buffer.from(standard, 'base64');
  return bytes.toString('base64').replace(/=+$/, '') === standard ? bytes : undefined;
}

/**
 * The in-toto / securesystemslib key id: the hex SHA-256 of the canonical JSON
 * `{"keytype":"ed25519","keyval":{"public":"<raw key hex>"},"scheme":"ed25519"}`.
 */
export function ed25519KeyId(publicKey: KeyObject): string {
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const key = { keytype: 'ed25519', keyval: { public: raw.toString('hex') }, scheme: 'ed25519' };
  return createHash('sha256').update(canonicalJson(key)).digest('hex');
}

export function signEnvelope(payloadType: string, payload: Buffer, key: EvidenceSigningKey): DsseEnvelope {
  const sig = sign(null, preAuthEncoding(payloadType, payload), key.privateKey);
  return {
    payloadType,
    payload: payload.toString('base64'),
    signatures: [{ keyid: key.keyId, sig: sig.toString('base64') }],
  };
}

/**
 * The first candidate key that verifies a signature of the envelope. A signature's keyid narrows the
 * keys tried but is never taken as proof of who signed.
 */
export function envelopeSigner<K extends { keyId: string; publicKey: KeyObject }>(
  envelope: DsseEnvelope,
  payload: Buffer,
  candidates: readonly K[],
): K | undefined {
  const signed = preAuthEncoding(envelope.payloadType, payload);
  for (const signature of envelope.signatures) {
    const sig = decodeBase64(signature.sig);
    if (sig === undefined) continue;
    const keys = signature.keyid ? candidates.filter((k) => k.keyId === signature.keyid) : candidates;
    for (const key of keys) {
      if (verify(null, signed, key.publicKey, sig)) return key;
    }
  }
  return undefined;
}

/** True for a parsed value shaped like a DSSE envelope rather than a bare evidence document. */
export function isDsseEnvelope(value: unknown): value is Record<string, unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    'payloadType' in value &&
    'signatures' in value &&
    !('kind' in value)
  );
}

/** The in-toto subjects of an evidence document: the files it read, by digest (else the document itself). */
function statementSubjects(evidence: EvidenceDocument & { inputs?: unknown }): InTotoSubject[] {
  const inputs = Array.isArray(evidence.inputs)
    ? (evidence.inputs as { uri?: unknown; digest?: unknown }[])
    : [];
  const subjects = inputs.flatMap((input) =>
    typeof input.digest === 'string' && input.digest.startsWith('sha256:')
      ? [{ name: String(input.uri ?? ''), digest: { sha256: input.digest.slice('sha256:'.length) } }]
      : [],
  );
  if (subjects.length > 0) return subjects;
  return [{ name: `evidence:${evidence.id}`, digest: { sha256: evidence.id.slice('sha256:'.length) } }];
}

/** Wraps a sealed evidence document in a signed in-toto statement. */
export function signEvidence(document: object, key: EvidenceSigningKey): DsseEnvelope {
  const evidence = checkEvidenceDocument(document, 'the evidence to sign');
  const statement: InTotoStatement = {
    _type: inTotoStatementType,
    subject: statementSubjects(evidence),
    predicateType: evidencePredicateType(evidence.kind),
    predicate: document as Record<string, unknown>,
  };
  return signEnvelope(inTotoPayloadType, Buffer.from(canonicalJson(statement), 'utf8'), key);
}

/**
 * A signed evidence envelope, opened and checked for shape, not yet for its signature; `evidence`
 * is the statement's predicate and `canonical` its canonical JSON.
 */
export interface OpenedEnvelope extends CheckedEvidence {
  envelope: DsseEnvelope;
  /** The payload bytes the signatures are over. */
  payload: Buffer;
  statement: InTotoStatement;
  /** The key ids the signatures name (unauthenticated hints). */
  keyIds: string[];
}

/**
 * Opens a DSSE envelope holding a Warden evidence statement: checks the envelope, the statement and
 * the evidence document it carries (kind, id matching content), and that the statement's subjects
 * name every input the evidence read. `source` names where it came from in error messages.
 */
export function openEvidenceEnvelope(value: unknown, source: string): OpenedEnvelope {
  const fail = (problem: string) =>
    new WardenError('WARDEN_ERR_EVIDENCE_INVALID', `${source}: ${problem}`, { where: source });
  const envelope = value as Record<string, unknown>;
  const signatures = envelope['signatures'];
  if (
    typeof envelope['payloadType'] !== 'string' ||
    typeof envelope['payload'] !== 'string' ||
    !Array.isArray(signatures) ||
    signatures.length === 0 ||
    !signatures.every(
      (s) =>
        s !== null &&
        typeof s === 'object' &&
        typeof (s as DsseSignature).sig === 'string' &&
        ((s as DsseSignature).keyid === undefined || typeof (s as DsseSignature).keyid === 'string'),
    )
  ) {
    throw fail(
      'is not a DSSE envelope (payloadType and payload strings, a non-empty signatures list of {keyid, sig}); use the file a check wrote with --sign-key, unchanged',
    );
  }
  if (envelope['payloadType'] !== inTotoPayloadType) {
    throw fail(
      `the envelope's payloadType is "${String(envelope['payloadType']).slice(0, 80)}", not ${inTotoPayloadType}; Warden signs in-toto statements only`,
    );
  }
  const payload = decodeBase64(envelope['payload']);
  if (payload === undefined) throw fail("the envelope's payload is not base64");
  let statement: InTotoStatement;
  try {
    statement = JSON.parse(payload.toString('utf8')) as InTotoStatement;
  } catch {
    throw fail("the envelope's payload is not JSON");
  }
  if (statement === null || typeof statement !== 'object' || statement._type !== inTotoStatementType) {
    throw fail(`the envelope's payload is not an in-toto statement (_type ${inTotoStatementType})`);
  }
  const subjects = Array.isArray(statement.subject) ? statement.subject : [];
  const subjectDigests = new Set(
    subjects.flatMap((s) =>
      s !== null && typeof s === 'object' && s.digest !== null && typeof s.digest === 'object'
        ? Object.entries(s.digest)
            .filter(([algorithm, hex]) => algorithm === 'sha256' && typeof hex === 'string')
            .map(([, hex]) => `sha256:${hex}`)
        : [],
    ),
  );
  if (subjects.length === 0 || subjectDigests.size === 0) {
    throw fail('the statement has no subject with a sha256 digest');
  }
  const { evidence, canonical } = checkEvidence(statement.predicate, `${source} (the statement's predicate)`);
  if (statement.predicateType !== evidencePredicateType(evidence.kind)) {
    throw fail(
      `the statement's predicateType "${String(statement.predicateType).slice(0, 80)}" does not match its ${evidence.kind} predicate (${evidencePredicateType(evidence.kind)})`,
    );
  }
  const expected = statementSubjects(
    statement.predicate as unknown as EvidenceDocument & { inputs?: unknown },
  );
  const unnamed = expected.filter((s) => !subjectDigests.has(`sha256:${s.digest['sha256']}`));
  if (unnamed.length > 0) {
    throw fail(
      `the statement's subjects do not name ${unnamed.map((s) => s.name).join(', ')}, which the evidence read; sign the evidence with warden, unchanged`,
    );
  }
  return {
    envelope: envelope as unknown as DsseEnvelope,
    payload,
    statement,
    evidence,
    canonical,
    keyIds: (signatures as DsseSignature[]).flatMap((s) => (s.keyid ? [s.keyid] : [])),
  };
}

/** A new Ed25519 key pair as PEM (PKCS#8 private, SPKI public), with its key id. */
export function createEvidenceKeyPair(): { privateKeyPem: string; publicKeyPem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    keyId: ed25519KeyId(publicKey),
  };
}

/** An evidence signing key from PKCS#8 PEM text; `source` names the file or variable it came from. */
export function evidenceSigningKey(pem: string, source: string): EvidenceSigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new WardenError(
      'WARDEN_ERR_SIGNING_KEY_INVALID',
      `${source} is not a PEM private key; create one with warden key create --out FILE`,
      { where: source },
    );
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new WardenError(
      'WARDEN_ERR_SIGNING_KEY_INVALID',
      `${source} holds a ${privateKey.asymmetricKeyType ?? 'unknown'} key; evidence is signed with Ed25519 (warden key create)`,
      { where: source },
    );
  }
  const publicKey = createPublicKey(privateKey);
  return { keyId: ed25519KeyId(publicKey), privateKey, publicKey };
}

/** A named Ed25519 public key from SPKI PEM text. */
export function namedPublicKey(name: string, pem: string, source: string): NamedPublicKey {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw new WardenError(
      'WARDEN_ERR_SIGNING_KEY_INVALID',
      `${source} holds a private key; give the public key (the .pub file warden key create wrote) and keep the private key with the pipeline`,
      { where: source },
    );
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(pem);
  } catch {
    throw new WardenError(
      'WARDEN_ERR_SIGNING_KEY_INVALID',
      `${source} is not a PEM public key; use the .pub file warden key create wrote`,
      { where: source },
    );
  }
  if (publicKey.asymmetricKeyType !== 'ed25519') {
    throw new WardenError(
      'WARDEN_ERR_SIGNING_KEY_INVALID',
      `${source} holds a ${publicKey.asymmetricKeyType ?? 'unknown'} key; evidence is signed with Ed25519`,
      { where: source },
    );
  }
  return { name, keyId: ed25519KeyId(publicKey), publicKey };
}
