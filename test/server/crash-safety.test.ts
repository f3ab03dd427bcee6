import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Registry } from '../../src/registry/index.js';
import { openStore } from '../../src/store/index.js';
import { testDatabases } from '../../src/store/test-support/databases.js';
import { type LiveCli, runCli, startCli } from '../cli/run-cli.js';

async function listening(live: LiveCli): Promise<string> {
  for (let i = 0; i < 200 && !/listening on (\S+)/.test(live.output.stderr); i++) {
    await new Promise((done) => setTimeout(done, 25));
  }
  const url = /listening on (\S+)/.exec(live.output.stderr)?.[1];
  if (url === undefined) throw new Error(`the server did not start: ${live.output.stderr}`);
  return url;
}

describe.each(testDatabases())('killing the server mid-write on $name', (database) => {
  it('loses no acknowledged write, and the chain still verifies after a restart', async () => {
    const { url, cleanup } = await database.fresh();
    const dir = mkdtempSync(join(tmpdir(), 'warden-crash-'));
    const auditKey = join(dir, 'audit-signing.key');
    const store = await openStore(url);
    const { secret } = await new Registry(store).issueToken(
      { name: 'writer', role: 'admin', teams: null, expiresAt: null },
      'test',
    );
    await store.close();
    const args = ['server', '--port', '0', '--db', url, '--audit-key', auditKey, '--log-level', 'silent'];
    try {
      const first = startCli(args);
      const base = await listening(first);
      const acknowledged: string[] = [];
      let stop = false;
      const writer = async (lane: number) => {
        for (let i = 0; !stop; i++) {
          const name = `m-${lane}-${i}`;
          try {
            const response = await fetch(`${base}/api/v1/models`, {
              method: 'POST',
              headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
              body: JSON.stringify({ name }),
            });
            if (response.status === 201) acknowledged.push(name);
          } catch {
            return; // the server is gone
          }
        }
      };
      const lanes = [0, 1, 2, 3, 4, 5].map(writer);
      while (acknowledged.length < 40) await new Promise((done) => setTimeout(done, 5));
      first.child.kill('SIGKILL');
      stop = true;
      await Promise.all(lanes);
      await first.exited;

      const second = startCli(args);
      const restarted = await listening(second);
      try {
        const env = { WARDEN_SERVER: restarted, WARDEN_TOKEN: secret };
        const verified = await runCli(['audit', 'verify'], { env });
        expect(verified.stdout).toMatch(/^audit log verified \(server\)/);
        expect(verified.code).toBe(0);
        const reopened = await openStore(url, { migrate: false });
        try {
          const names = new Set(
            (await reopened.db.selectFrom('models').select('name').execute()).map((r) => r.name),
          );
          expect(acknowledged.filter((name) => !names.has(name))).toEqual([]);
          const logged = await reopened.db
            .selectFrom('audit_log')
            .select('seq')
            .where('action', '=', 'model.created')
            .execute();
          // Every stored model has its entry: the change and its log entry commit together.
          expect(logged.length).toBe(names.size);
        } finally {
          await reopened.close();
        }
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
    } finally {
      await cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
