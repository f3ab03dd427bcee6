import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Role } from '../../core/index.js';
import { type RunningServer, startServer } from '../../server/index.js';
import { issueToken, openStore } from '../../store/index.js';
import { type CallAnswer, type CallArguments, type OperationId, ServerClient } from '../server-client.js';

export type DemoActor = 'admin' | 'pipeline' | 'committee' | 'officer' | 'viewer';

/**
 * The demo's own control plane: a fresh SQLite database in `<workdir>/db/`, served on HTTP, with
 * its keys in `<workdir>/keys/`, outside the database's directory as a server's must be.
 */
export interface DemoControlPlane {
  server: RunningServer;
  database: string;
  /** The key that signs audit checkpoints (the webhook key is beside it), not in the database's directory. */
  auditKey: string;
  /** A consistent copy of the database at `path` (SQLite's VACUUM INTO), safe while serving. */
  copyDatabase(path: string): Promise<void>;
  /** Where the admin token is kept for the newcomer (mode 0600). */
  tokenFile: string;
  /** The auditor's read-only token for signing in to the dashboard (mode 0600); the others stay in memory. */
  viewerTokenFile: string;
  /** A client acting as one of the demo's actors. */
  client(actor: DemoActor): ServerClient;
  /** Calls the API as one of the demo's actors; a non-2xx answer throws with the server's message. */
  call<K extends OperationId>(
    actor: DemoActor,
    operation: K,
    ...input: CallArguments<K>
  ): Promise<CallAnswer<K>>;
}

const demoTokens: Record<DemoActor, { name: string; role: Role; teams: string[] | null }> = {
  admin: { name: 'demo-admin', role: 'admin', teams: null },
  pipeline: { name: 'credit-pipeline', role: 'contributor', teams: ['risk'] },
  committee: { name: 'risk-committee', role: 'approver', teams: ['risk'] },
  officer: { name: 'model-risk-officer', role: 'approver', teams: ['risk'] },
  viewer: { name: 'auditor', role: 'viewer', teams: null },
};

/**
 * Starts the embedded server on `port` (8080 by default, any free port if that one is taken),
 * over a database made afresh on every run so the demo always tells the same story.
 */
export async function startDemoControlPlane(workdir: string, port: number): Promise<DemoControlPlane> {
  const database = join(workdir, 'db', 'warden.db');
  for (const suffix of ['', '-wal', '-shm']) await rm(`${database}${suffix}`, { force: true });
  const store = await openStore(`sqlite:${database}`);
  const secrets = {} as Record<DemoActor, string>;
  for (const [actor, token] of Object.entries(demoTokens) as [DemoActor, (typeof demoTokens)[DemoActor]][]) {
    secrets[actor] = (await issueToken(store.db, { ...token, expiresAt: null }, 'warden demo')).secret;
  }
  const tokenFile = join(workdir, 'admin.token');
  const viewerTokenFile = join(workdir, 'viewer.token');
  for (const [file, secret] of [
    [tokenFile, secrets.admin],
    [viewerTokenFile, secrets.viewer],
  ] as const) {
    await writeFile(file, `${secret}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
  }
  const keyDirectory = join(workdir, 'keys');
  await mkdir(keyDirectory, { recursive: true, mode: 0o700 });
  const auditKey = join(keyDirectory, 'audit-signing.key');
  const listen = (at: number) =>
    startServer({
      store,
      host: '127.0.0.1',
      port: at,
      logLevel: false,
      auditKeyPath: auditKey,
      // The owners' alert receiver listens on 127.0.0.1.
      allowPrivateWebhooks: true,
    });
  const server = await listen(port).catch(() => listen(0));
  return {
    server,
    database,
    tokenFile,
    viewerTokenFile,
    auditKey,
    async copyDatabase(path: string) {
      await rm(path, { force: true });
      await sql`vacuum into ${path}`.execute(store.db);
    },
    client: (actor) => new ServerClient(server.url, secrets[actor]),
    call: (actor, operation, ...input) =>
      new ServerClient(server.url, secrets[actor]).call(operation, ...input),
  };
}

export async function readJsonFile(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}
