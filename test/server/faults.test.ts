import { existsSync, mkdtempSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../src/server/index.js';
import { issueToken, openStore } from '../../src/store/index.js';
import { testDatabases } from '../../src/store/test-support/databases.js';
import { expectNoStackTrace, runCli, startCli } from '../cli/run-cli.js';

/** A TCP relay to PostgreSQL that a test can cut and restore, as a network or server outage would. */
class CuttableRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  constructor(
    private readonly target: { host: string; port: number },
    readonly port: number,
  ) {}

  static async open(target: { host: string; port: number }): Promise<CuttableRelay> {
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
    const port = (probe.address() as { port: number }).port;
    await new Promise((done) => probe.close(done));
    const relay = new CuttableRelay(target, port);
    await relay.restore();
    return relay;
  }

  async restore(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = createConnection(this.target);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((done) => this.server?.listen(this.port, '127.0.0.1', done));
  }

  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((done) => this.server?.close(done));
  }
}

const postgres = testDatabases().find((d) => d.dialect === 'postgres');

describe.skipIf(postgres === undefined)('PostgreSQL going away while the server runs', () => {
  it('answers 503 while the database is down and recovers by itself when it is back', async () => {
    const fresh = await (postgres as NonNullable<typeof postgres>).fresh();
    const url = new URL(fresh.url);
    const relay = await CuttableRelay.open({ host: url.hostname, port: Number(url.port || 5432) });
    url.hostname = '127.0.0.1';
    url.port = String(relay.port);
    const store = await openStore(url.href);
    const { secret } = await issueToken(
      store.db,
      { name: 'ops', role: 'admin', teams: null, expiresAt: null },
      'test',
    );
    const keys = mkdtempSync(join(tmpdir(), 'warden-keys-'));
    const server = await startServer({
      store,
      host: '127.0.0.1',
      port: 0,
      logLevel: false,
      auditKeyPath: join(keys, 'audit-signing.key'),
    });
    const get = async (path: string) => {
      const response = await fetch(`${server.url}${path}`, {
        headers: { authorization: `Bearer ${secret}` },
      });
      return {
        status: response.status,
        body: (await response.json()) as { error?: { code: string; message: string } },
      };
    };
    try {
      expect((await get('/api/v1/models')).status).toBe(200);
      await relay.cut();
      const down = await get('/api/v1/models');
      expect(down.status, JSON.stringify(down.body)).toBe(503);
      expect(down.body.error?.code).toBe('WARDEN_ERR_STORE_UNAVAILABLE');
      expect(down.body.error?.message).toContain('cannot be reached');
      const notReady = await get('/readyz');
      expect(notReady.status).toBe(503);
      // /readyz needs no token: it names neither the database nor where it is.
      expect(notReady.body.error?.code).toBe('WARDEN_ERR_STORE_UNAVAILABLE');
      expect(JSON.stringify(notReady.body)).not.toContain(String(relay.port));
      expect(JSON.stringify(notReady.body)).not.toContain('postgres');
      expect((await get('/healthz')).status).toBe(200);
      await relay.restore();
      let back = await get('/api/v1/models');
      for (let attempt = 0; attempt < 20 && back.status !== 200; attempt++) {
        await new Promise((done) => setTimeout(done, 100));
        back = await get('/api/v1/models');
      }
      expect(back.status).toBe(200);
      expect((await get('/readyz')).status).toBe(200);
    } finally {
      await server.close();
      await relay.cut().catch(() => undefined);
      await fresh.cleanup();
    }
  });
});

describe('warden server faults and shutdown', () => {
  it('exits 3 with a clear message when the database is down at start', async () => {
    const run = await runCli([
      'server',
      '--port',
      '0',
      '--db',
      'postgres://warden:pw-not-shown@127.0.0.1:1/warden',
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('cannot be reached');
    expect(run.stderr).toContain('WARDEN_ERR_STORE_UNAVAILABLE');
    expect(run.stderr).not.toContain('pw-not-shown');
    expectNoStackTrace(run.stderr);
  });

  it('migrates a database on demand, once', async () => {
    const db = `sqlite:${join(mkdtempSync(join(tmpdir(), 'warden-migrate-')), 'w.db')}`;
    const first = await runCli(['db', 'migrate', '--db', db]);
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toContain('applied 0001_registry');
    const second = await runCli(['db', 'migrate', '--db', db]);
    expect(second.stdout).toContain('up to date');
  });

  it('refuses a bad database URL and a port in use with exit codes 2 and 3', async () => {
    const url = await runCli(['server', '--db', 'mysql://db/warden']);
    expect(url.code).toBe(2);
    expect(url.stderr).toContain('use sqlite:PATH');
    const holder = createServer();
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', done));
    const port = String((holder.address() as { port: number }).port);
    const dir = mkdtempSync(join(tmpdir(), 'warden-port-'));
    const busy = await runCli(['server', '--port', port, '--db', `sqlite:${join(dir, 'w.db')}`]);
    holder.close();
    expect(busy.code).toBe(3);
    expect(busy.stderr).toContain('the port is in use');
    expectNoStackTrace(busy.stderr);
  });

  it('prints the first admin token alone on stdout, and on SIGTERM finishes and closes SQLite cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-server-'));
    const db = join(dir, 'warden.db');
    const { child, output, exited } = startCli([
      'server',
      '--port',
      '0',
      '--db',
      `sqlite:${db}`,
      '--init',
      '--log-level',
      'silent',
    ]);
    for (let i = 0; i < 100 && !/listening on (\S+)/.test(output.stderr); i++)
      await new Promise((done) => setTimeout(done, 50));
    const base = /listening on (\S+)/.exec(output.stderr)?.[1];
    expect(base).toBeDefined();
    expect(output.stdout).toMatch(/^wdn_[A-Za-z0-9_-]{43}\n$/);
    const token = output.stdout.trim();
    const created = await fetch(`${base}/api/v1/models`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'kept' }),
    });
    expect(created.status).toBe(201);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output.stderr).toContain('SIGTERM: finishing in-flight requests');
    expect(existsSync(`${db}-wal`)).toBe(false);
    const store = await openStore(`sqlite:${db}`);
    try {
      expect((await store.db.selectFrom('models').select('name').execute()).map((r) => r.name)).toEqual([
        'kept',
      ]);
    } finally {
      await store.close();
    }
  });
});
