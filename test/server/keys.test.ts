import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ServerKey } from '../../src/audit/index.js';
import { WardenError } from '../../src/core/index.js';
import { type RunningServer, startServer } from '../../src/server/index.js';
import {
  auditRepository,
  issueToken,
  openStore,
  type Store,
  webhookRepository,
} from '../../src/store/index.js';
import { testDatabases } from '../../src/store/test-support/databases.js';
import { startReceiver } from './webhook-receiver.js';

/** How releases before the webhook key sealed a secret: AES-256-GCM, `iv.tag.data`, no version prefix. */
function sealAsEarlierReleases(key: Buffer, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), data].map((part) => part.toString('base64url')).join('.');
}

function opensWith(key: Buffer, box: string): boolean {
  const [iv, tag, data] = box.split('.').map((part) => Buffer.from(part, 'base64url'));
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv as Buffer);
    decipher.setAuthTag(tag as Buffer);
    Buffer.concat([decipher.update(data as Buffer), decipher.final()]);
    return true;
  } catch {
    return false;
  }
}

async function startError(promise: Promise<unknown>): Promise<WardenError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WardenError);
  return error as WardenError;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function temporaryDirectory(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function sqliteStore(): Promise<{ store: Store; directory: string }> {
  const directory = temporaryDirectory('warden-keys-db-');
  const store = await openStore(`sqlite:${join(directory, 'warden.db')}`);
  return { store, directory };
}

const listen = { host: '127.0.0.1', port: 0, logLevel: false as const };

describe('key files beside the database', () => {
  it('refuses an audit key inside the SQLite directory or a subdirectory of it, also through a symlink', async () => {
    const { store, directory } = await sqliteStore();
    cleanups.push(() => store.close());
    const outside = temporaryDirectory('warden-keys-elsewhere-');
    symlinkSync(join(directory, 'keys'), join(outside, 'link'));
    for (const auditKeyPath of [
      join(directory, 'audit-signing.key'),
      join(directory, 'keys', 'audit-signing.key'),
      join(outside, 'link', 'audit-signing.key'),
    ]) {
      const error = await startError(startServer({ store, ...listen, auditKeyPath }));
      expect(error.code).toBe('WARDEN_ERR_SERVER_KEY_LOCATION');
      expect(error.message).toContain(auditKeyPath);
      expect(error.message).toContain('--allow-colocated-key');
      // Refused before anything was written there.
      expect(statSync(auditKeyPath, { throwIfNoEntry: false })).toBeUndefined();
    }
  });

  it('refuses a webhook key inside the SQLite directory, even when the audit key is elsewhere', async () => {
    const { store, directory } = await sqliteStore();
    cleanups.push(() => store.close());
    const keys = temporaryDirectory('warden-keys-');
    const error = await startError(
      startServer({
        store,
        ...listen,
        auditKeyPath: join(keys, 'audit-signing.key'),
        webhookKeyPath: join(directory, 'webhook-secrets.key'),
      }),
    );
    expect(error.code).toBe('WARDEN_ERR_SERVER_KEY_LOCATION');
    expect(error.message).toContain('--webhook-key');
  });

  it('starts with keys beside the database when told to, and with keys in a sibling directory', async () => {
    const { store, directory } = await sqliteStore();
    const colocated = await startServer({
      store,
      ...listen,
      auditKeyPath: join(directory, 'audit-signing.key'),
      allowColocatedKey: true,
    });
    expect((await fetch(`${colocated.url}/healthz`)).status).toBe(200);
    await colocated.close();

    const parent = temporaryDirectory('warden-keys-parent-');
    const sibling = await openStore(`sqlite:${join(parent, 'db', 'warden.db')}`);
    const apart = await startServer({
      store: sibling,
      ...listen,
      auditKeyPath: join(parent, 'db-keys', 'audit-signing.key'),
    });
    expect((await fetch(`${apart.url}/healthz`)).status).toBe(200);
    await apart.close();
    const webhookKey = join(parent, 'db-keys', 'webhook-secrets.key');
    expect(readFileSync(webhookKey)).toHaveLength(32);
    expect(statSync(webhookKey).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(webhookKey)).mode & 0o777).toBe(0o700);
  });

  it('refuses a webhook key file that is not 32 bytes, naming the file and how to make one', async () => {
    const { store } = await sqliteStore();
    cleanups.push(() => store.close());
    const keys = temporaryDirectory('warden-keys-');
    const webhookKeyPath = join(keys, 'webhook.key');
    writeFileSync(webhookKeyPath, `${randomBytes(32).toString('base64')}\n`);
    const error = await startError(
      startServer({ store, ...listen, auditKeyPath: join(keys, 'audit-signing.key'), webhookKeyPath }),
    );
    expect(error.code).toBe('WARDEN_ERR_WEBHOOK_KEY_INVALID');
    expect(error.message).toContain(webhookKeyPath);
    expect(error.message).toContain('openssl rand 32');
  });
});

describe.each(testDatabases())('webhook secrets from before the webhook key, on $dialect', (database) => {
  it('are sealed again with the webhook key at start, in one audited step, and webhooks still arrive signed', async () => {
    const { url, cleanup } = await database.fresh();
    cleanups.push(cleanup);
    const keys = temporaryDirectory('warden-keys-');
    const auditKeyPath = join(keys, 'audit-signing.key');
    const webhookKeyPath = join(keys, 'webhook-secrets.key');
    const receiver = await startReceiver();
    cleanups.push(receiver.close);

    // The database as an earlier release left it: a webhook whose secret is sealed with the key
    // derived from the audit signing key.
    const derived = ServerKey.loadOrCreate(auditKeyPath).deriveKey('webhook-secrets');
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    let store = await openStore(url);
    await webhookRepository.insert(store.db, {
      id: 'whk_earlier',
      name: 'checkpoint witness',
      url: receiver.url,
      secret: sealAsEarlierReleases(derived, secret),
      events: JSON.stringify(['audit.checkpoint']),
      team: null,
      model_name: null,
      format: 'json',
      created_at: '2026-11-01T10:00:00Z',
      created_by: 'ada-admin',
    });
    const admin = (
      await issueToken(store.db, { name: 'ada', role: 'admin', teams: null, expiresAt: null }, 'test')
    ).secret;

    let server: RunningServer = await startServer({
      store,
      ...listen,
      auditKeyPath,
      webhookKeyPath,
      allowPrivateWebhooks: true,
    });
    cleanups.push(() => server.close());
    const sealed = (await webhookRepository.sealedSecrets(store.db)).find((row) => row.id === 'whk_earlier');
    expect(sealed?.secret.startsWith('v2.')).toBe(true);
    const box = (sealed?.secret ?? '').slice('v2.'.length);
    expect(opensWith(derived, box)).toBe(false);
    expect(opensWith(readFileSync(webhookKeyPath), box)).toBe(true);

    const entries = await auditRepository.page(store.db, 0, 100);
    const resealed = entries.filter((entry) => entry.action === 'webhook.secrets_resealed');
    expect(resealed).toHaveLength(1);
    expect(JSON.parse(resealed[0]?.subject ?? '{}')).toEqual({ type: 'webhook', ids: ['whk_earlier'] });
    const everything = JSON.stringify(entries);
    expect(everything).not.toContain(secret.slice('whsec_'.length));
    expect(everything).not.toContain(sealed?.secret);

    const checkpoint = await fetch(`${server.url}/api/v1/audit/checkpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(checkpoint.status).toBe(201);
    await receiver.waitFor(1);
    const [request] = receiver.received;
    const id = String(request?.headers['webhook-id']);
    const timestamp = String(request?.headers['webhook-timestamp']);
    const expected = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
      .update(`${id}.${timestamp}.${request?.body}`)
      .digest('base64');
    expect(request?.headers['webhook-signature']).toBe(`v1,${expected}`);

    // A second start finds nothing left to seal again.
    await server.close();
    store = await openStore(url);
    server = await startServer({
      store,
      ...listen,
      auditKeyPath,
      webhookKeyPath,
      allowPrivateWebhooks: true,
    });
    const after = await auditRepository.page(store.db, 0, 100);
    expect(after.filter((entry) => entry.action === 'webhook.secrets_resealed')).toHaveLength(1);
  });

  it('refuse to start with a webhook key the secrets were not sealed with, naming the webhook', async () => {
    const { url, cleanup } = await database.fresh();
    cleanups.push(cleanup);
    const keys = temporaryDirectory('warden-keys-');
    const auditKeyPath = join(keys, 'audit-signing.key');
    let store = await openStore(url);
    const first = await startServer({ store, ...listen, auditKeyPath });
    const admin = (
      await issueToken(store.db, { name: 'ada', role: 'admin', teams: null, expiresAt: null }, 'test')
    ).secret;
    const created = await fetch(`${first.url}/api/v1/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'owners',
        url: 'https://hooks.example.com/warden',
        events: ['gate.denied'],
      }),
    });
    expect(created.status).toBe(201);
    const { webhook } = (await created.json()) as { webhook: { id: string } };
    await first.close();

    const otherKeys = join(keys, 'other');
    mkdirSync(otherKeys);
    store = await openStore(url);
    cleanups.push(() => store.close());
    const error = await startError(
      startServer({ store, ...listen, auditKeyPath, webhookKeyPath: join(otherKeys, 'webhook-secrets.key') }),
    );
    expect(error.code).toBe('WARDEN_ERR_WEBHOOK_KEY_INVALID');
    expect(error.message).toContain(webhook.id);
    expect(error.message).toContain('--webhook-key');
  });
});
