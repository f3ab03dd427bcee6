import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEvidenceKeyPair,
  evidenceSigningKey,
  type Role,
  type Subject,
  sealEvidence,
  signEvidence,
} from '../../src/core/index.js';
import { type RunningServer, type ServerOptions, startServer } from '../../src/server/index.js';
import { issueToken, openStore, type Store } from '../../src/store/index.js';
import type { TestDatabase } from '../../src/store/test-support/databases.js';

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers field by field.
type JsonAnswer = any;

export interface Harness {
  server: RunningServer;
  store: Store;
  /** The database URL and the audit key file the server uses (for CLI calls with --db). */
  databaseUrl: string;
  auditKeyPath: string;
  /** A token per role, plus a contributor scoped to team "risk". */
  tokens: Record<Role | 'riskContributor', string>;
  call(
    method: string,
    path: string,
    options?: { token?: string | undefined; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: JsonAnswer; text: string }>;
  close(): Promise<void>;
}

/** A real server on a free port over a fresh database, with one token per role. */
export async function startHarness(
  database: TestDatabase,
  options: Pick<
    ServerOptions,
    'bodyLimit' | 'clock' | 'governance' | 'allowPrivateWebhooks' | 'webRoot'
  > = {},
): Promise<Harness> {
  const { url, cleanup } = await database.fresh();
  const keyDirectory = mkdtempSync(join(tmpdir(), 'warden-key-'));
  const store = await openStore(url);
  const token = async (name: string, role: Role, teams: string[] | null = null) =>
    (await issueToken(store.db, { name, role, teams, expiresAt: null }, 'test')).secret;
  const tokens = {
    viewer: await token('vera-viewer', 'viewer'),
    contributor: await token('carl-contributor', 'contributor'),
    approver: await token('ann-approver', 'approver'),
    admin: await token('ada-admin', 'admin'),
    riskContributor: await token('rita-risk', 'contributor', ['risk']),
  };
  const server = await startServer({
    store,
    host: '127.0.0.1',
    port: 0,
    logLevel: false,
    auditKeyPath: join(keyDirectory, 'audit-signing.key'),
    ...options,
  });
  return {
    server,
    store,
    databaseUrl: url,
    auditKeyPath: join(keyDirectory, 'audit-signing.key'),
    tokens,
    async call(method, path, callOptions = {}) {
      const headers: Record<string, string> = { ...callOptions.headers };
      if (callOptions.token !== undefined) headers['authorization'] = `Bearer ${callOptions.token}`;
      let body: string | undefined;
      if (callOptions.raw !== undefined) body = callOptions.raw;
      else if (callOptions.body !== undefined) body = JSON.stringify(callOptions.body);
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, body: parsed, text };
    },
    async close() {
      await server.close();
      await cleanup();
      rmSync(keyDirectory, { recursive: true, force: true });
    },
  };
}

export function evidenceAbout(subject: Subject, note = 'x', at = '2026-11-01T10:00:00Z') {
  return sealEvidence(
    {
      kind: subject.type === 'dataset' ? 'data-check' : 'model-evaluation',
      subject,
      inputs: [],
      passed: true,
      note,
    },
    new Date(at),
  );
}

/** A model-evaluation document for credit-risk as the policies read it: AUC 0.83 and one fairness slice. */
export function creditEvaluation(version: string, equalizedOddsDifference: number) {
  return sealEvidence(
    {
      kind: 'model-evaluation',
      subject: { type: 'model-version', name: 'credit-risk', version },
      inputs: [],
      passed: equalizedOddsDifference <= 0.2,
      performance: { rocAuc: 0.83 },
      fairness: [{ attributes: ['age_band'], equalizedOddsDifference, demographicParityRatio: 0.9 }],
    },
    new Date('2026-11-20T10:00:00Z'),
  );
}

/** The credit pipeline's signing key, under the name the example TrustPolicy trusts. */
const pipelinePair = createEvidenceKeyPair();
export const pipelineKey = {
  name: 'credit-pipeline-ci',
  publicKeyPem: pipelinePair.publicKeyPem,
  signing: evidenceSigningKey(pipelinePair.privateKeyPem, 'the pipeline key'),
};

/** Registers the pipeline key for team risk (as the admin), so its envelopes verify on submit. */
export async function registerPipelineKey(h: Harness): Promise<void> {
  const registered = await h.call('POST', '/api/v1/signing-keys', {
    token: h.tokens.admin,
    body: { name: pipelineKey.name, publicKey: pipelineKey.publicKeyPem, teams: ['risk'] },
  });
  if (registered.status !== 201)
    throw new Error(`registering the pipeline key answered ${registered.status}`);
}

/** A document signed with the pipeline key, as `warden check … --sign-key` writes it. */
export const signedByPipeline = (document: object) => signEvidence(document, pipelineKey.signing);
