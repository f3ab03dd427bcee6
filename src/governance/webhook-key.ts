import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { WardenError } from '../core/index.js';

const webhookKeyBytes = 32;

/**
 * The AES-256 key that encrypts webhook secrets at rest: exactly 32 random bytes in a file of
 * its own (mode 0600), created on first start; replicas share one file. It is not derived from
 * the audit signing key, so holding one does not open the other.
 */
export function loadOrCreateWebhookKey(path: string): Buffer {
  let key: Buffer;
  try {
    key = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw unreadable(path, code);
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, randomBytes(webhookKeyBytes), { mode: 0o600, flag: 'wx' });
      chmodSync(path, 0o600);
    } catch (raced) {
      // Another replica created it first: use theirs.
      if ((raced as NodeJS.ErrnoException).code !== 'EEXIST')
        throw unreadable(path, (raced as NodeJS.ErrnoException).code);
    }
    key = readFileSync(path);
  }
  if (key.length !== webhookKeyBytes) {
    throw new WardenError(
      'WARDEN_ERR_WEBHOOK_KEY_INVALID',
      `${path} holds ${key.length} bytes; the webhook key is exactly ${webhookKeyBytes} random bytes (openssl rand ${webhookKeyBytes} > FILE makes one); restore the server's key file or pass another --webhook-key`,
      { where: path },
    );
  }
  return key;
}

function unreadable(path: string, code: string | undefined): WardenError {
  return new WardenError(
    'WARDEN_ERR_WEBHOOK_KEY_INVALID',
    `cannot read or create the webhook key ${path} (${code ?? 'unknown error'}); check the directory's permissions or pass another --webhook-key`,
    { where: path },
  );
}
