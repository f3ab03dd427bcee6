import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Sealed secrets in the current format start with this; older rows are `iv.tag.data` alone. */
const currentFormat = 'v2.';

/**
 * AES-256-GCM boxes for webhook secrets at rest. `v2.iv.tag.data` is sealed with the webhook key;
 * a bare `iv.tag.data` is what earlier releases wrote with a key derived from the audit signing
 * key (`legacyKey`), kept only so such rows can be opened once and sealed again.
 */
export class WebhookSecretBox {
  constructor(
    private readonly key: Buffer,
    private readonly legacyKey: Buffer | undefined,
  ) {}

  seal(secret: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return (
      currentFormat + [iv, cipher.getAuthTag(), data].map((part) => part.toString('base64url')).join('.')
    );
  }

  /** True when `sealed` is in the current format (sealed with the webhook key). */
  isCurrent(sealed: string): boolean {
    return sealed.startsWith(currentFormat);
  }

  /** The plain secret; throws when the box does not open with the key its format names. */
  open(sealed: string): string {
    if (this.isCurrent(sealed)) return openWith(this.key, sealed.slice(currentFormat.length));
    if (this.legacyKey === undefined)
      throw new Error('sealed in the old format, and no legacy key was given');
    return openWith(this.legacyKey, sealed);
  }
}

function openWith(key: Buffer, box: string): string {
  const [iv, tag, data] = box.split('.').map((part) => Buffer.from(part, 'base64url'));
  const decipher = createDecipheriv('aes-256-gcm', key, iv as Buffer);
  decipher.setAuthTag(tag as Buffer);
  return Buffer.concat([decipher.update(data as Buffer), decipher.final()]).toString('utf8');
}
