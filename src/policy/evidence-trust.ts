import type { NamedPublicKey } from '../core/index.js';
import type { PolicySet } from './policy-set-loader.js';

/**
 * Who signed a piece of evidence, as policies read it: `evidence.<kind>.signer`, null when the
 * evidence is unsigned or its signer could not be verified. `trusted` says whether the policy set's
 * TrustPolicy documents trust this signer (and, when they pin one, this key) for this kind.
 */
export interface EvidenceSigner {
  name: string;
  keyId: string;
  trusted: boolean;
}

/** A signer whose signature was verified: the name its verified key is known by. */
export interface VerifiedSigner {
  name: string;
  keyId: string;
}

/** The policy set's verdict on a verified signer of evidence of one kind. */
export function evidenceSigner(
  set: PolicySet,
  kind: string,
  signer: VerifiedSigner | null,
): EvidenceSigner | null {
  if (signer === null) return null;
  const trusted = set.trust.some((document) =>
    document.document.spec.signers.some(
      (entry) =>
        entry.name === signer.name &&
        (entry.evidenceKinds as readonly string[]).includes(kind) &&
        (entry.publicKey === undefined || set.pinnedKeys.get(entry.name)?.keyId === signer.keyId),
    ),
  );
  return { name: signer.name, keyId: signer.keyId, trusted };
}

/** The keys the policy set pins, by signer name: what `warden gate` on files verifies against. */
export function pinnedSignerKeys(set: PolicySet): NamedPublicKey[] {
  return [...set.pinnedKeys.values()];
}
