import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createEvidenceKeyPair,
  type DsseEnvelope,
  decodeBase64,
  ed25519KeyId,
  envelopeSigner,
  evidenceSigningKey,
  inTotoPayloadType,
  namedPublicKey,
  openEvidenceEnvelope,
  preAuthEncoding,
  signEvidence,
} from './attestation.js';
import { canonicalJson } from './canonical-json.js';
import { isWardenError } from './errors.js';
import { sealEvidence } from './evidence.js';

// RFC 8032 section 7.1, TEST 1: a published key, for tests only.
const rfc8032PrivatePem = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
-----END PRIVATE KEY-----
`;
const rfc8032PublicPem = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
-----END PUBLIC KEY-----
`;

describe('DSSE and in-toto test vectors', () => {
  it('writes the PAE of the DSSE specification’s test vector byte for byte', () => {
    const pae = preAuthEncoding('http://example.com/HelloWorld', Buffer.from('hello world'));
    expect(pae.toString('utf8')).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
    expect(pae.toString('hex')).toBe(
      '44535345763120323920687474703a2f2f6578616d706c652e636f6d2f48656c6c6f576f726c642031312068656c6c6f20776f726c64',
    );
  });

  it('measures lengths in bytes, not characters', () => {
    const pae = preAuthEncoding('tÿpe', Buffer.from('é', 'utf8'));
    expect(pae.toString('utf8')).toBe('DSSEv1 5 tÿpe 2 é');
  });

  it('verifies the spec’s ECDSA P-256 signature over that PAE, so the PAE is the one signed', () => {
    const toBase64Url = (decimal: string) =>
      Buffer.from(BigInt(decimal).toString(16).padStart(64, '0'), 'hex').toString('base64url');
    const publicKey = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: toBase64Url('46950820868899156662930047687818585632848591499744589407958293238635476079160'),
        y: toBase64Url('5640078356564379163099075877009565129882514886557779369047442380624545832820'),
      },
      format: 'jwk',
    });
    const envelope: DsseEnvelope = {
      payloadType: 'http://example.com/HelloWorld',
      payload: 'aGVsbG8gd29ybGQ=',
      signatures: [
        { sig: 'A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA==' },
      ],
    };
    const pae = preAuthEncoding(envelope.payloadType, decodeBase64(envelope.payload) as Buffer);
    const sig = decodeBase64(envelope.signatures[0]?.sig ?? '') as Buffer;
    expect(verify('sha256', pae, { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
  });

  it('signs that PAE with the RFC 8032 key to the recorded Ed25519 signature', () => {
    const pae = preAuthEncoding('http://example.com/HelloWorld', Buffer.from('hello world'));
    expect(sign(null, pae, createPrivateKey(rfc8032PrivatePem)).toString('base64')).toBe(
      '4DHX3Zn4qpBKvEj7maE8O9u9bjXEnPLLnyXVUJ2PXJR8DSLcL3QDpFvfJOj3pB/SPHsl6Jg4boxsMb6KvuYABw==',
    );
  });

  it('computes the securesystemslib key id of the RFC 8032 key', () => {
    expect(ed25519KeyId(createPublicKey(rfc8032PublicPem))).toBe(
      '74c181c7ad8a0855d4b55e44d2ba87aabdddb196832571f15f92fece332e4916',
    );
  });

  it('verifies the recorded in-toto envelope and names its signer', () => {
    const envelope: DsseEnvelope = {
      payloadType: inTotoPayloadType,
      payload:
        'eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJwcmVkaWNhdGUiOnsicGFzc2VkIjp0cnVlfSwicHJlZGljYXRlVHlwZSI6Imh0dHBzOi8vd2FyZGVuLmV4YW1wbGUvYXR0ZXN0YXRpb24vZGF0YS1jaGVjay92MSIsInN1YmplY3QiOlt7ImRpZ2VzdCI6eyJzaGEyNTYiOiI0OTJkNWVhNDk2MDU2ZjFhNmE2NTkyMjQxMDMyZmFiNzY0YzMyMTU5NjMxNzkzMGI0ZmEwZTFlOGJjM2I3NDcwIn0sIm5hbWUiOiJ0cmFpbi5jc3YifV19',
      signatures: [
        {
          keyid: '74c181c7ad8a0855d4b55e44d2ba87aabdddb196832571f15f92fece332e4916',
          sig: 'TUpsC47yJTpdOb1ygRAzZa/dSJm3Ug8SNwjmyTIqRVxm+cE+XYYMcdt2BvNbHDy/Za3jbtJq3CN9nepXpW0LCg==',
        },
      ],
    };
    const payload = decodeBase64(envelope.payload) as Buffer;
    expect(payload.length).toBe(258);
    const pae = preAuthEncoding(envelope.payloadType, payload);
    expect(pae.length).toBe(301);
    expect(pae.subarray(0, 44).toString('hex')).toBe(
      '445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e20323538207b',
    );
    const key = namedPublicKey('rfc8032', rfc8032PublicPem, 'the test key');
    expect(envelopeSigner(envelope, payload, [key])?.name).toBe('rfc8032');
    const other = namedPublicKey('other', createEvidenceKeyPair().publicKeyPem, 'another key');
    expect(envelopeSigner(envelope, payload, [other])).toBeUndefined();
    // The key id is a hint only: a wrong hint finds no key, and no hint tries every key.
    const unhinted = { ...envelope, signatures: [{ sig: envelope.signatures[0]?.sig ?? '' }] };
    expect(envelopeSigner(unhinted, payload, [other, key])?.name).toBe('rfc8032');
  });

  it('accepts URL-safe and unpadded base64, and refuses what is not base64', () => {
    expect(decodeBase64('aGVsbG8gd29ybGQ')?.toString()).toBe('hello world');
    expect(decodeBase64('-_8')?.toString('hex')).toBe('fbff');
    expect(decodeBase64('aGVsbG8*')).toBeUndefined();
    expect(decodeBase64('aGVsbG9=')).toBeUndefined();
  });
});

describe('signed evidence', () => {
  const evidence = sealEvidence(
    {
      kind: 'data-check',
      subject: { type: 'dataset', name: 'train.csv' },
      inputs: [
        {
          uri: 'train.csv',
          digest: 'sha256:492d5ea496056f1a6a6592241032fab764c321596317930b4fa0e1e8bc3b7470',
          bytes: 8,
        },
      ],
      passed: true,
      results: [],
    },
    new Date('2026-12-01T00:00:00Z'),
  );
  const key = evidenceSigningKey(rfc8032PrivatePem, 'the test key');
  const trusted = [namedPublicKey('ci', rfc8032PublicPem, 'the test key')];

  it('wraps evidence in an in-toto statement about the files it read, and opens it again', () => {
    const envelope = signEvidence(evidence, key);
    const opened = openEvidenceEnvelope(JSON.parse(JSON.stringify(envelope)), 'evidence.json');
    expect(opened.statement.predicateType).toBe('https://warden.dev/evidence/data-check/v1');
    expect(opened.statement.subject).toEqual([
      {
        name: 'train.csv',
        digest: { sha256: '492d5ea496056f1a6a6592241032fab764c321596317930b4fa0e1e8bc3b7470' },
      },
    ]);
    expect(opened.evidence.id).toBe(evidence.id);
    // The predicate's canonical JSON comes with it, from the pass that checked its id.
    expect(opened.canonical).toBe(canonicalJson(evidence));
    expect(opened.keyIds).toEqual([key.keyId]);
    expect(envelopeSigner(opened.envelope, opened.payload, trusted)?.name).toBe('ci');
  });

  it('signs deterministically: the same evidence and key give the same envelope', () => {
    expect(signEvidence(evidence, key)).toEqual(signEvidence(evidence, key));
  });

  it('no longer verifies once the payload is edited and re-sealed', () => {
    const envelope = signEvidence(evidence, key);
    const forged = sealEvidence(
      {
        kind: 'data-check',
        subject: evidence.subject,
        inputs: evidence.inputs,
        passed: true,
        results: [{ forged: true }],
      },
      new Date('2026-12-01T00:00:00Z'),
    );
    const statement = JSON.parse((decodeBase64(envelope.payload) as Buffer).toString()) as Record<
      string,
      unknown
    >;
    statement['predicate'] = forged;
    const payload = Buffer.from(JSON.stringify(statement));
    const tampered = { ...envelope, payload: payload.toString('base64') };
    const opened = openEvidenceEnvelope(tampered, 'forged.json');
    expect(envelopeSigner(opened.envelope, opened.payload, trusted)).toBeUndefined();
  });

  it('refuses an envelope that is not an in-toto statement about the evidence’s inputs', () => {
    const envelope = signEvidence(evidence, key);
    const refusal = (value: unknown) => {
      try {
        openEvidenceEnvelope(value, 'evidence.json');
        return 'opened';
      } catch (error) {
        return isWardenError(error) ? `${error.code}: ${error.message}` : String(error);
      }
    };
    expect(refusal({ ...envelope, signatures: [] })).toMatch(
      /^WARDEN_ERR_EVIDENCE_INVALID: evidence.json: is not a DSSE envelope/,
    );
    expect(refusal({ ...envelope, payloadType: 'application/json' })).toMatch(
      /payloadType is "application\/json"/,
    );
    expect(refusal({ ...envelope, payload: '%%%' })).toMatch(/payload is not base64/);
    const statement = JSON.parse((decodeBase64(envelope.payload) as Buffer).toString()) as Record<
      string,
      unknown
    >;
    const rewrap = (changes: Record<string, unknown>) => ({
      ...envelope,
      payload: Buffer.from(JSON.stringify({ ...statement, ...changes })).toString('base64'),
    });
    expect(refusal(rewrap({ predicateType: 'https://warden.dev/evidence/model-evaluation/v1' }))).toMatch(
      /predicateType .* does not match its data-check predicate/,
    );
    expect(
      refusal(rewrap({ subject: [{ name: 'other.csv', digest: { sha256: '00'.repeat(32) } }] })),
    ).toMatch(/subjects do not name train.csv/);
    expect(refusal(rewrap({ subject: [] }))).toMatch(/no subject with a sha256 digest/);
    expect(refusal(rewrap({ _type: 'https://in-toto.io/Statement/v0.1' }))).toMatch(
      /not an in-toto statement/,
    );
    expect(refusal(rewrap({ predicate: { ...evidence, passed: false } }))).toMatch(
      /changed after it was sealed/,
    );
  });

  it('refuses keys that cannot sign or verify evidence, naming the file', () => {
    expect(() => evidenceSigningKey('not a key', 'ci.key')).toThrow(/ci.key is not a PEM private key/);
    expect(() => namedPublicKey('ci', rfc8032PrivatePem, 'ci.key')).toThrow(/ci.key holds a private key/);
    const rsa = createPublicKey(
      createPrivateKey(
        execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'], {
          stdio: ['ignore', 'pipe', 'ignore'],
        }),
      ),
    ).export({ format: 'pem', type: 'spki' });
    expect(() => namedPublicKey('ci', rsa.toString(), 'rsa.pub')).toThrow(/rsa.pub holds a rsa key/);
  });

  it('makes envelopes an independent verifier (Python’s cryptography, its own PAE) accepts', () => {
    const pair = createEvidenceKeyPair();
    const envelope = signEvidence(evidence, evidenceSigningKey(pair.privateKeyPem, 'fresh key'));
    const script = `
import base64, json, sys
from cryptography.hazmat.primitives.serialization import load_pem_public_key
envelope = json.loads(sys.argv[1])
payload = base64.b64decode(envelope["payload"])
kind = envelope["payloadType"].encode()
pae = b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)
load_pem_public_key(sys.argv[2].encode()).verify(base64.b64decode(envelope["signatures"][0]["sig"]), pae)
statement = json.loads(payload)
print(statement["predicateType"], statement["predicate"]["id"])
`;
    const out = execFileSync('python3', ['-c', script, JSON.stringify(envelope), pair.publicKeyPem], {
      encoding: 'utf8',
    });
    expect(out.trim()).toBe(`https://warden.dev/evidence/data-check/v1 ${evidence.id}`);
    const tampered = {
      ...envelope,
      payload: Buffer.from(`${(decodeBase64(envelope.payload) as Buffer).toString()} `).toString('base64'),
    };
    expect(() =>
      execFileSync('python3', ['-c', script, JSON.stringify(tampered), pair.publicKeyPem], { stdio: 'pipe' }),
    ).toThrow(/InvalidSignature/);
  });
});
