import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../core/index.js';
import { auditRepository, openStore, type Store } from '../store/index.js';
import { testDatabases } from '../store/test-support/databases.js';
import { AuditLog } from './audit-log.js';
import { chainHash, genesisHash } from './chain.js';
import { ServerKey, trustedKeyFromPem } from './signing-key.js';
import { rewriteAndRechain } from './test-support/rechain.js';
import { verifiableFromRow, verifyAuditLog } from './verify.js';

describe.each(testDatabases())('the audit log on $name', (database) => {
  let store: Store;
  let log: AuditLog;
  let key: ServerKey;
  let keyDirectory: string;
  let cleanup: () => Promise<void>;
  let url: string;

  beforeEach(async () => {
    ({ url, cleanup } = await database.fresh());
    store = await openStore(url);
    log = new AuditLog(store);
    keyDirectory = mkdtempSync(join(tmpdir(), 'warden-audit-'));
    key = ServerKey.loadOrCreate(join(keyDirectory, 'key.pem'));
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
    rmSync(keyDirectory, { recursive: true, force: true });
  });

  async function fill(count: number) {
    for (let i = 1; i <= count; i++) {
      await log.record({
        actor: `user-${i % 3}`,
        action: 'tag.set',
        subject: { type: 'model-version', name: 'credit-risk', version: String(i) },
        payload: { key: 'note', value: `entry ${i}`, score: i / 7 },
      });
    }
  }

  async function verify(trusted = [key.trusted]) {
    const rows = await auditRepository.page(store.db, 0, 100_000);
    return verifyAuditLog(
      (async function* () {
        yield rows.map(verifiableFromRow);
      })(),
      await log.checkpoints(),
      trusted,
    );
  }

  it('chains every entry to the one before: hash = sha256(prevHash ‖ canonical JSON of the entry)', async () => {
    await fill(3);
    const [first, second] = await log.page(0, 10);
    expect(first?.prevHash).toBe(genesisHash);
    expect(second?.prevHash).toBe(first?.hash);
    const { seq, at, actor, action, subject, payload } = second as NonNullable<typeof second>;
    expect(second?.hash).toBe(
      chainHash(first?.hash as string, canonicalJson({ seq, at, actor, action, subject, payload })),
    );
    expect(await verify()).toMatchObject({ ok: true, entries: 3, head: { seq: 3 } });
  });

  it('signs checkpoints that verify with the published key, and only when the head moved', async () => {
    await fill(4);
    const checkpoint = await log.checkpoint(key);
    expect(checkpoint).toMatchObject({ seq: 4, keyId: key.keyId });
    expect(await log.checkpoint(key)).toBeUndefined();
    const published = trustedKeyFromPem(key.publicKeyPem(), 'published');
    expect(await verify([published])).toMatchObject({ ok: true, checkpoints: { total: 1, matched: 1 } });
    const stranger = ServerKey.loadOrCreate(join(keyDirectory, 'other.pem'));
    expect((await verify([stranger.trusted])).problem).toMatchObject({ seq: 4, kind: 'unknown-key' });
  });

  it('catches an edited entry at that entry', async () => {
    await fill(6);
    await store.db.updateTable('audit_log').set({ actor: 'mallory' }).where('seq', '=', 3).execute();
    expect((await verify()).problem).toMatchObject({ seq: 3, kind: 'edited' });
  });

  it('catches an edit whose hash was recomputed: the next entry no longer follows', async () => {
    await fill(6);
    const row = await auditRepository.entry(store.db, 3);
    const payload = canonicalJson({ key: 'note', value: 'rewritten', score: 1 });
    const forged = chainHash(
      row?.prev_hash as string,
      `{"action":"tag.set","actor":${JSON.stringify(row?.actor)},"at":${JSON.stringify(row?.at)},"payload":${payload},"seq":3,"subject":${row?.subject}}`,
    );
    await store.db.updateTable('audit_log').set({ payload, hash: forged }).where('seq', '=', 3).execute();
    expect((await verify()).problem).toMatchObject({ seq: 4, kind: 'out-of-order' });
  });

  it('catches a rewritten, re-chained log by its signed checkpoint', async () => {
    await fill(5);
    await log.checkpoint(key);
    await rewriteAndRechain(store, 2, { key: 'note', value: 'forged' });
    expect((await verify()).problem).toMatchObject({ seq: 5, kind: 'rewritten' });
  });

  it('catches a deleted entry, reordered entries and a truncated tail', async () => {
    await fill(8);
    await log.checkpoint(key);

    await store.db.deleteFrom('audit_log').where('seq', '=', 5).execute();
    expect((await verify()).problem).toMatchObject({ seq: 5, kind: 'missing' });

    // Swap the contents of 2 and 3 (keeping the numbers), the way a reorder would look.
    const two = await auditRepository.entry(store.db, 2);
    const three = await auditRepository.entry(store.db, 3);
    await store.transaction(async (trx) => {
      await trx.updateTable('audit_log').set({ seq: -2 }).where('seq', '=', 2).execute();
      await trx.updateTable('audit_log').set({ seq: 2 }).where('seq', '=', 3).execute();
      await trx.updateTable('audit_log').set({ seq: 3 }).where('seq', '=', -2).execute();
    });
    expect((await verify()).problem).toMatchObject({ seq: 2, kind: 'out-of-order' });
    expect(two?.hash).not.toBe(three?.hash);

    await store.db.deleteFrom('audit_log').where('seq', '>=', 2).execute();
    expect((await verify()).problem).toMatchObject({ seq: 2, kind: 'truncated' });
  });

  it('catches an altered checkpoint signature', async () => {
    await fill(3);
    await log.checkpoint(key);
    await sql`update audit_checkpoints set at = '2020-01-01T00:00:00.000Z'`.execute(store.db);
    expect((await verify()).problem).toMatchObject({ seq: 3, kind: 'bad-signature' });
  });

  it('keeps one unbroken chain under many concurrent appenders, on two connections pools (replicas)', async () => {
    const replica = store.capabilities.sharedByReplicas ? await openStore(url) : store;
    try {
      const logs = [log, new AuditLog(replica)];
      await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          (logs[i % 2] as AuditLog).record({ actor: `a${i}`, action: 'x', subject: { n: i }, payload: {} }),
        ),
      );
      const report = await verify();
      expect(report).toMatchObject({ ok: true, entries: 60 });
    } finally {
      if (replica !== store) await replica.close();
    }
  });
});
