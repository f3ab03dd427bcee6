import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { WardenError } from '../core/index.js';

/** A public key a verifier trusts, with the id checkpoints name it by. */
export interface TrustedKey {
  keyId: string;
  publicKey: KeyObject;
}

/** `ed25519:` and the first 16 hex digits of the SHA-256 of the raw 32-byte public key. */
export function keyIdOf(publicKey: KeyObject): string {
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return `ed25519:${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`;
}

export function trustedKeyFromPem(pem: string, source: string): TrustedKey {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    // A private key file holds the public key too.
    try {
      key = createPublicKey(createPrivateKey(pem));
    } catch {
      throw new WardenError(
        'WARDEN_ERR_AUDIT_KEY_INVALID',
        `${source} holds no PEM Ed25519 key; pass the public key the server publishes (GET /api/v1/audit/public-key) or the server's key file`,
        { where: source },
      );
    }
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new WardenError(
      'WARDEN_ERR_AUDIT_KEY_INVALID',
      `${source} holds a ${key.asymmetricKeyType ?? 'unknown'} key; audit checkpoints are signed with Ed25519`,
      { where: source },
    );
  }
  return { keyId: keyIdOf(key), publicKey: key };
}

/**
 * The server's Ed25519 key: it signs audit checkpoints. Created on first start (mode 0600);
 * replicas share one key file.
 */
export class ServerKey {
  readonly keyId: string;
  readonly publicKey: KeyObject;

  private constructor(private readonly privateKey: KeyObject) {
    this.publicKey = createPublicKey(privateKey);
    this.keyId = keyIdOf(this.publicKey);
  }

  /** Reads the key at `path`, creating it when the file does not exist. */
  static loadOrCreate(path: string): ServerKey {
    let pem: string;
    try {
      pem = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new WardenError(
          'WARDEN_ERR_AUDIT_KEY_INVALID',
          `cannot read the audit signing key ${path} (${(error as NodeJS.ErrnoException).code}); check its permissions or pass another --audit-key`,
          { where: path },
        );
      }
      const { privateKey } = generateKeyPairSync('ed25519');
      pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      try {
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
        chmodSync(path, 0o600);
      } catch (failure) {
        throw new WardenError(
          'WARDEN_ERR_AUDIT_KEY_INVALID',
          `cannot create the audit signing key ${path} (${(failure as NodeJS.ErrnoException).code}); check that its directory can be made and written, or pass another --audit-key`,
          { where: path },
        );
      }
    }
    let key: KeyObject;
    try {
      key = createPrivateKey(pem);
    } catch {
      throw new WardenError(
        'WARDEN_ERR_AUDIT_KEY_INVALID',
        `${path} is not a PEM private key; restore the server's key file (checkpoints signed with it stay verifiable only with it)`,
        { where: path },
      );
    }
    if (key.asymmetricKeyType !== 'ed25519') {
      throw new WardenError(
        'WARDEN_ERR_AUDIT_KEY_INVALID',
        `${path} holds a ${key.asymmetricKeyType ?? 'unknown'} key; the audit signing key is Ed25519`,
        { where: path },
      );
    }
    return new ServerKey(key);
  }

  sign(data: string): string {
    return sign(null, Buffer.from(data), this.privateKey).toString('base64');
  }

  get trusted(): TrustedKey {
    return { keyId: this.keyId, publicKey: this.publicKey };
  }

  publicKeyPem(): string {
    return this.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  }

  /**
   * A 32-byte key for one purpose, derived with HKDF-SHA256 from the private key. Only the key
   * earlier releases sealed webhook secrets with ('webhook-secrets') is derived, to open such
   * secrets once and seal them again with the webhook key.
   */
  deriveKey(purpose: string): Buffer {
    const secret = this.privateKey.export({ format: 'der', type: 'pkcs8' });
    return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `warden:${purpose}`, 32));
  }
}

export function verifySignature(key: TrustedKey, data: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(data), key.publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
