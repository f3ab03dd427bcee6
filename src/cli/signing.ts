import { readFile, stat } from 'node:fs/promises';
import {
  type DsseEnvelope,
  type EvidenceSigningKey,
  evidenceSigningKey,
  fileReadError,
  type NamedPublicKey,
  namedPublicKey,
  signEvidence,
} from '../core/index.js';
import type { CliIo } from './cli-io.js';
import { parsePairs } from './options.js';
import { writeReportFile } from './report-outputs.js';

/**
 * The key that signs a check's evidence: --sign-key FILE, else WARDEN_SIGNING_KEY (a file, or the
 * PEM text itself, as CI secrets often come). Read before the check runs, so a bad key fails fast.
 */
export async function signingKeyFrom(
  flag: string | undefined,
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<EvidenceSigningKey | undefined> {
  const given = flag ?? env['WARDEN_SIGNING_KEY'];
  if (given === undefined || given.trim() === '') return undefined;
  if (flag === undefined && given.includes('-----BEGIN'))
    return evidenceSigningKey(given, 'WARDEN_SIGNING_KEY');
  let pem: string;
  try {
    if (((await stat(given)).mode & 0o077) !== 0) {
      io.stderr.write(
        `warning: the signing key ${given} can be read by other users; chmod 600 ${given} (anyone who reads it can sign evidence as this pipeline)\n`,
      );
    }
    pem = await readFile(given, 'utf8');
  } catch (error) {
    throw fileReadError(given, error, 'signing key');
  }
  return evidenceSigningKey(pem, given);
}

/** A check's evidence as it goes out: the document, and its signed envelope when a key was given. */
export interface OutgoingEvidence<T extends object> {
  document: T;
  envelope?: DsseEnvelope;
}

export function outgoingEvidence<T extends object>(
  document: T,
  key: EvidenceSigningKey | undefined,
): OutgoingEvidence<T> {
  return key === undefined ? { document } : { document, envelope: signEvidence(document, key) };
}

/** Writes outgoing evidence to a file: its signed envelope when it has one, else the document. */
export async function writeOutgoingEvidence(file: string, outgoing: OutgoingEvidence<object>): Promise<void> {
  await writeReportFile(file, `${JSON.stringify(outgoing.envelope ?? outgoing.document, null, 2)}\n`);
}

/** --trusted-key NAME=FILE.pub (repeatable): signers a gate on files may recognise besides the pinned ones. */
export async function trustedKeysFrom(values: readonly string[] | undefined): Promise<NamedPublicKey[]> {
  const keys: NamedPublicKey[] = [];
  for (const [name, file] of Object.entries(parsePairs('--trusted-key', values))) {
    let pem: string;
    try {
      pem = await readFile(file, 'utf8');
    } catch (error) {
      throw fileReadError(file, error, 'public key');
    }
    keys.push(namedPublicKey(name, pem, file));
  }
  return keys;
}
