import { describe, expect, it } from 'vitest';
import { createEvidenceKeyPair, isWardenError } from '../core/index.js';
import { evidenceSigner, pinnedSignerKeys } from './evidence-trust.js';
import { type PolicySet, policySetFromFiles } from './policy-set-loader.js';

const policy = `apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: signed
spec:
  validations:
    - name: always
      expression: "true"
`;

const pinned = createEvidenceKeyPair();
const other = createEvidenceKeyPair();

/** A TrustPolicy naming `ci` (pinned to `pem` when given) and `laptop` (not pinned). */
function trustPolicy(name: string, pem?: string): string {
  const key = pem === undefined ? '' : `      publicKey: |\n${pem.replace(/^(?=.)/gm, '        ')}`;
  return `apiVersion: warden.dev/v1
kind: TrustPolicy
metadata:
  name: ${name}
spec:
  signers:
    - name: ci
      evidenceKinds: [model-evaluation]
${key}    - name: laptop
      evidenceKinds: [data-check]
`;
}

const load = (...trust: string[]): PolicySet =>
  policySetFromFiles('policies', [
    { path: 'policies/policy.yaml', content: policy },
    ...trust.map((content, index) => ({ path: `policies/trust-${index}.yaml`, content })),
  ]);

describe('evidence trust', () => {
  it('parses pinned keys once, when the set is loaded', () => {
    const set = load(trustPolicy('pipeline', pinned.publicKeyPem));
    expect([...set.pinnedKeys.keys()]).toEqual(['ci']);
    expect(pinnedSignerKeys(set).map((key) => [key.name, key.keyId])).toEqual([['ci', pinned.keyId]]);
    // Deciding reads the key ids parsed at load: the PEM text is not parsed again per evidence.
    const [document] = set.trust;
    for (const signer of document?.document.spec.signers ?? []) {
      if (signer.publicKey !== undefined) signer.publicKey = 'not a PEM any more';
    }
    expect(evidenceSigner(set, 'model-evaluation', { name: 'ci', keyId: pinned.keyId })).toEqual({
      name: 'ci',
      keyId: pinned.keyId,
      trusted: true,
    });
  });

  it('trusts a pinned signer only with its pinned key, and an unpinned one by name, for its kinds', () => {
    const set = load(trustPolicy('pipeline', pinned.publicKeyPem));
    const verdict = (kind: string, name: string, keyId: string) =>
      evidenceSigner(set, kind, { name, keyId })?.trusted;
    expect(verdict('model-evaluation', 'ci', pinned.keyId)).toBe(true);
    expect(verdict('model-evaluation', 'ci', other.keyId)).toBe(false);
    expect(verdict('data-check', 'ci', pinned.keyId)).toBe(false);
    expect(verdict('data-check', 'laptop', other.keyId)).toBe(true);
    expect(verdict('model-evaluation', 'stranger', other.keyId)).toBe(false);
    expect(evidenceSigner(set, 'model-evaluation', null)).toBeNull();
  });

  it('keeps one key per signer across documents, and refuses a signer pinned to two keys', () => {
    const same = load(trustPolicy('a', pinned.publicKeyPem), trustPolicy('b', pinned.publicKeyPem));
    expect(pinnedSignerKeys(same).map((key) => key.keyId)).toEqual([pinned.keyId]);
    let caught: unknown;
    try {
      load(trustPolicy('a', pinned.publicKeyPem), trustPolicy('b', other.publicKeyPem));
    } catch (error) {
      caught = error;
    }
    expect(isWardenError(caught) && caught.code).toBe('WARDEN_ERR_POLICY_INVALID');
    expect((caught as Error).message).toContain(
      'policies/trust-1.yaml:9:7: signer "ci" is pinned to another key at policies/trust-0.yaml:9:7; a signer has one key',
    );
  });
});
