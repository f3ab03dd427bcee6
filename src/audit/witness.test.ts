import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson, WardenError } from '../core/index.js';
import { auditRepository, openStore, type Store } from '../store/index.js';
import { AuditLog, type Checkpoint } from './audit-log.js';
import { ServerKey } from './signing-key.js';
import { rewriteAndRechain } from './test-support/rechain.js';
import { verifiableFromRow, verifyAuditLog } from './verify.js';
import { CheckpointPublisher, openWitness, readWitnessed, type Witness } from './witness.js';

let work: string;
let store: Store;
let log: AuditLog;
let key: ServerKey;
let witness: Witness;
let publisher: CheckpointPublisher;

beforeEach(async () => {
  work = mkdtempSync(join(tmpdir(), 'warden-witness-'));
  store = await openStore(`sqlite:${join(work, 'warden.db')}`);
  log = new AuditLog(store);
  key = ServerKey.loadOrCreate(join(work, 'key.pem'));
  witness = await openWitness(`file:${join(work, 'witness.jsonl')}`);
  publisher = new CheckpointPublisher([witness], (error) => {
    throw error;
  });
});
afterEach(async () => {
  await store.close();
  rmSync(work, { recursive: true, force: true });
});

async function append(count: number) {
  for (let i = 0; i < count; i++) {
    await log.record({
      actor: 'ci',
      action: 'tag.set',
      subject: { type: 'model', name: 'm' },
      payload: { i },
    });
  }
}

/** Signs the head and publishes the checkpoint, as the server does every minute. */
async function checkpoint() {
  const signed = await log.checkpoint(key);
  if (signed) await publisher.publish(signed);
}

async function verify(witnessed: Checkpoint[] = []) {
  const rows = await auditRepository.page(store.db, 0, 100_000);
  return verifyAuditLog(
    (async function* () {
      yield rows.map(verifiableFromRow);
    })(),
    await log.checkpoints(),
    [key.trusted],
    witnessed,
  );
}

/** What someone holding the database and the signing key can do: rewrite, re-chain, re-sign. */
async function rewriteAndResign(seq: number) {
  await store.db.deleteFrom('audit_checkpoints').execute();
  await rewriteAndRechain(store, seq, { i: 'forged' });
  await log.checkpoint(key);
}

describe('audit witnesses', () => {
  it('hold every published checkpoint, and an intact log verifies against them', async () => {
    await append(3);
    await checkpoint();
    await append(2);
    await checkpoint();
    const witnessed = await readWitnessed([witness]);
    expect(witnessed.map((c) => c.seq)).toEqual([3, 5]);
    expect(await verify(witnessed)).toMatchObject({ ok: true, witnessed: { total: 2, lastSeq: 5 } });
  });

  it('catch a tail cut together with its checkpoints, which the database alone cannot see', async () => {
    await append(4);
    await checkpoint();
    await append(3);
    await checkpoint();
    await store.db.deleteFrom('audit_log').where('seq', '>', 4).execute();
    await store.db.deleteFrom('audit_checkpoints').where('seq', '>', 4).execute();
    expect((await verify()).ok).toBe(true);
    expect((await verify(await readWitnessed([witness]))).problem).toMatchObject({
      seq: 5,
      kind: 'truncated',
    });
  });

  it('catch a log re-chained and re-signed with the stolen key', async () => {
    await append(5);
    await checkpoint();
    await rewriteAndResign(2);
    expect((await verify()).ok).toBe(true);
    expect((await verify(await readWitnessed([witness]))).problem).toMatchObject({
      seq: 5,
      kind: 'rewritten',
    });
  });

  it('catch deleted checkpoints and checkpoints no witness saw', async () => {
    await append(2);
    await checkpoint();
    await append(2);
    await log.checkpoint(key); // signed, never published
    await append(2);
    await checkpoint();
    const witnessed = await readWitnessed([witness]);
    expect((await verify(witnessed)).problem).toMatchObject({ seq: 4, kind: 'unwitnessed' });
    await store.db.deleteFrom('audit_checkpoints').execute();
    expect((await verify(witnessed)).problem).toMatchObject({ seq: 2, kind: 'checkpoint-missing' });
  });

  it('catch two signed histories held by witnesses', async () => {
    await append(3);
    await checkpoint();
    const [original] = await readWitnessed([witness]);
    const forged: Checkpoint = { ...(original as Checkpoint), hash: `sha256:${'1'.repeat(64)}` };
    forged.signature = key.sign(
      canonicalJson({ seq: forged.seq, hash: forged.hash, at: forged.at, keyId: forged.keyId }),
    );
    expect((await verify([original as Checkpoint, forged])).problem).toMatchObject({
      seq: 3,
      kind: 'forked',
    });
  });

  it('refuse a witness file that holds something else, naming the line', async () => {
    const file = join(work, 'junk.jsonl');
    writeFileSync(file, '{"seq": 1}\n');
    const error = await (await openWitness(`file:${file}`)).read().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WardenError);
    expect((error as WardenError).code).toBe('WARDEN_ERR_AUDIT_WITNESS_INVALID');
    expect((error as WardenError).message).toContain(`${file}:1`);
    await expect(openWitness('s3://bucket/key')).rejects.toThrow('unknown kind of witness');
    await expect(openWitness('nats://user:secret@127.0.0.1:4222/x')).rejects.toThrow('credentials');
  });

  it('retries a witness that was down, in order, so it ends with no gap', async () => {
    let down = true;
    const held: number[] = [];
    const flaky: Witness = {
      name: 'flaky',
      publish: async (c) => {
        if (down) throw new Error('down');
        held.push(c.seq);
      },
      read: async () => [],
      close: async () => undefined,
    };
    const errors: unknown[] = [];
    const retrying = new CheckpointPublisher([flaky], (error) => errors.push(error));
    await append(1);
    await retrying.publish((await log.checkpoint(key)) as Checkpoint);
    await append(1);
    await retrying.publish((await log.checkpoint(key)) as Checkpoint);
    expect(errors).toHaveLength(2);
    down = false;
    await retrying.retry();
    expect(held).toEqual([1, 2]);
  });
});

const natsUp = await new Promise<boolean>((resolve) => {
  const socket = createConnection({ host: '127.0.0.1', port: 4222 });
  socket.once('connect', () => {
    socket.destroy();
    resolve(true);
  });
  socket.once('error', () => resolve(false));
});

describe.skipIf(!natsUp)('the NATS JetStream witness (127.0.0.1:4222)', () => {
  it('publishes each checkpoint once and reads back what it holds', async () => {
    const subject = `warden.test.audit.${process.pid}.${Date.now()}`;
    const stream = `WARDEN_TEST_${process.pid}_${Date.now()}`;
    const nats = await openWitness(`nats://127.0.0.1:4222/${subject}?stream=${stream}`);
    try {
      await append(2);
      const first = (await log.checkpoint(key)) as Checkpoint;
      await nats.publish(first);
      await nats.publish(first); // a retry after a lost acknowledgement is not a second copy
      await append(1);
      const second = (await log.checkpoint(key)) as Checkpoint;
      await nats.publish(second);
      const held = await readWitnessed([nats]);
      expect(held).toEqual([first, second]);
      expect(await verify(held)).toMatchObject({ ok: true, witnessed: { total: 2 } });
    } finally {
      await nats.close();
      const connection = await connect({ servers: '127.0.0.1:4222' });
      await (await connection.jetstreamManager()).streams.delete(stream);
      await connection.close();
    }
  });
});
if (!natsUp) console.warn('NATS is not reachable on 127.0.0.1:4222: the JetStream witness test is skipped');
