import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openWitness, readWitnessed } from '../../src/audit/index.js';
import { type TestDatabase, testDatabases } from '../../src/store/test-support/databases.js';
import { startHarness } from './harness.js';
import { startReceiver } from './webhook-receiver.js';

const work = mkdtempSync(join(tmpdir(), 'warden-server-witness-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('audit checkpoints go to their witnesses', () => {
  it('publishes each checkpoint to a file witness and to webhooks listening to audit.checkpoint', async () => {
    const file = join(work, 'checkpoints.jsonl');
    const fileWitness = await openWitness(`file:${file}`);
    const receiver = await startReceiver();
    const h = await startHarness(testDatabases()[0] as TestDatabase, {
      governance: { witnesses: [fileWitness] },
      allowPrivateWebhooks: true, // the receiver listens on 127.0.0.1
    });
    try {
      const hook = await h.call('POST', '/api/v1/webhooks', {
        token: h.tokens.admin,
        body: { name: 'witness', url: receiver.url, events: ['audit.checkpoint'] },
      });
      expect(hook.status).toBe(201);
      const signed = await h.call('POST', '/api/v1/audit/checkpoints', { token: h.tokens.admin });
      const checkpoint = signed.body.checkpoint;
      expect(checkpoint).toMatchObject({
        seq: expect.any(Number),
        keyId: expect.stringMatching(/^ed25519:/),
      });

      expect(await fileWitness.read()).toEqual([checkpoint]);
      await receiver.waitFor(1);
      const body = JSON.parse(receiver.received[0]?.body as string);
      expect(body).toMatchObject({ type: 'audit.checkpoint', data: checkpoint });

      // A receiver that keeps the bodies it got, one a line, is a witness `audit verify` can read.
      const kept = join(work, 'receiver.jsonl');
      writeFileSync(kept, `${receiver.received.map((r) => r.body).join('\n')}\n`);
      expect(await readWitnessed([await openWitness(`file:${kept}`)])).toEqual([checkpoint]);
    } finally {
      await h.close();
      await receiver.close();
    }
  });
});
