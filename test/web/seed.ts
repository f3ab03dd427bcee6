import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readPolicyFiles } from '../../src/policy/index.js';
import { type RunningServer, startServer } from '../../src/server/index.js';
import { issueToken, openStore } from '../../src/store/index.js';
import { apiAs } from './browser.js';

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers field by field.
type JsonAnswer = any;

const run = promisify(execFile);
const bin = new URL('../../bin/warden.js', import.meta.url).pathname;
const credit = new URL('../../examples/credit-risk/', import.meta.url).pathname;

/** The people of the story, by role; both approvers sit on the model's team. */
export const people = {
  admin: { name: 'ada-admin', role: 'admin' },
  viewer: { name: 'vera-viewer', role: 'viewer' },
  contributor: { name: 'carl-contributor', role: 'contributor' },
  requester: { name: 'ann-approver', role: 'approver' },
  officer: { name: 'otto-officer', role: 'approver' },
} as const;
export type Person = keyof typeof people;

export interface Story {
  server: RunningServer;
  /** The SQLite file, for the tampering test. */
  database: string;
  tokens: Record<Person, string>;
  tokenIds: Record<Person, string>;
  /** The id of the pending promotion of v1 to production, requested by ann-approver. */
  pendingPromotion: string;
  call(person: Person, method: string, path: string, body?: unknown): Promise<JsonAnswer>;
  close(): Promise<void>;
}

async function warden(cwd: string, args: string[], expectedExit = 0): Promise<void> {
  try {
    await run(process.execPath, [bin, ...args], { cwd });
    if (expectedExit !== 0) throw new Error(`warden ${args.join(' ')} exited 0, not ${expectedExit}`);
  } catch (error) {
    const exit = (error as { code?: number }).code;
    if (exit !== expectedExit) throw error;
  }
}

/**
 * The credit-risk story on a fresh server, told through the CLI and the API as a team would:
 * evidence from `warden check` signed with the pipeline's key, the central policies, a fair v1
 * waiting for a second approver, a biased v2 denied and tagged.
 */
export async function tellCreditRiskStory(): Promise<Story> {
  const work = mkdtempSync(join(tmpdir(), 'warden-web-'));
  await warden(work, ['key', 'create', '--out', 'ci.key']);
  const model = (file: string, version: string, out: string, exit: number) =>
    warden(
      work,
      [
        'check',
        'model',
        join(credit, file),
        '--target',
        'Status',
        '--positive',
        'bad',
        '--score',
        'score',
        '--sensitive',
        'Age,Marital',
        '--bins',
        'Age=18,25,40,65',
        '--min-group-size',
        '30',
        '--min-auc',
        '0.75',
        '--max-difference',
        'equalizedOdds=0.2',
        '--model',
        'credit-risk',
        '--version',
        version,
        '--json',
        out,
        '--sign-key',
        'ci.key',
      ],
      exit,
    );
  await Promise.all([
    warden(work, [
      'check',
      'data',
      join(credit, 'credit_data.csv'),
      '--contract',
      join(credit, 'contract.yaml'),
      '--null-value',
      'NA',
      '--json',
      'data-check.json',
      '--sign-key',
      'ci.key',
    ]),
    model('predictions.csv', '1', 'evaluation-1.json', 0),
    model('predictions-biased.csv', '2', 'evaluation-2.json', 1),
    warden(
      work,
      [
        'check',
        'drift',
        '--reference',
        join(credit, 'credit_data.csv'),
        '--current',
        join(credit, 'credit_data_current.csv'),
        '--null-value',
        'NA',
        '--json',
        'drift-report.json',
        '--sign-key',
        'ci.key',
      ],
      0,
    ),
  ]);

  const database = join(work, 'db', 'warden.db');
  const store = await openStore(`sqlite:${database}`);
  const tokens = {} as Record<Person, string>;
  const tokenIds = {} as Record<Person, string>;
  for (const [person, { name, role }] of Object.entries(people) as [Person, (typeof people)[Person]][]) {
    const issued = await issueToken(store.db, { name, role, teams: null, expiresAt: null }, 'test');
    tokens[person] = issued.secret;
    tokenIds[person] = issued.token.id;
  }
  const server = await startServer({
    store,
    host: '127.0.0.1',
    port: 0,
    logLevel: false,
    auditKeyPath: join(work, 'keys', 'audit-signing.key'),
  });
  const call = apiAs(() => server.url, tokens);
  const json = (file: string) => JSON.parse(readFileSync(join(work, file), 'utf8'));

  const files = await readPolicyFiles(new URL('../../examples/policies', import.meta.url).pathname);
  await call('admin', 'PUT', '/api/v1/policy-set', { files, revision: 'browser-test' });
  await call('admin', 'POST', '/api/v1/signing-keys', {
    name: 'credit-pipeline-ci',
    publicKey: readFileSync(join(work, 'ci.key.pub'), 'utf8'),
    teams: ['risk'],
  });
  await call('contributor', 'POST', '/api/v1/models', {
    name: 'credit-risk',
    description: 'Scores credit applications for default risk',
    owner: 'risk-team@example.com',
    team: 'risk',
    labels: { domain: 'credit', riskTier: 'high' },
  });
  await call('contributor', 'POST', '/api/v1/models', {
    name: 'churn',
    description: 'Predicts which customers leave',
    team: 'growth',
    labels: { domain: 'marketing', riskTier: 'low' },
  });
  const lineage = JSON.parse(readFileSync(join(credit, 'lineage.json'), 'utf8'));
  for (const version of ['1', '2']) {
    await call('contributor', 'POST', '/api/v1/models/credit-risk/versions', {
      artifact: { uri: `s3://models/credit-risk/${version}` },
      runId: `credit-risk-train-${version}`,
    });
    await call('contributor', 'POST', `/api/v1/models/credit-risk/versions/${version}/lineage`, {
      ...lineage,
      runId: `credit-risk-train-${version}`,
      sourceCommit:
        version === '1'
          ? '3f9c2a1b7d4e5f60718293a4b5c6d7e8f9012345'
          : 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    });
    await call(
      'contributor',
      'POST',
      `/api/v1/models/credit-risk/versions/${version}/evidence`,
      json('data-check.json'),
    );
    await call(
      'contributor',
      'POST',
      `/api/v1/models/credit-risk/versions/${version}/evidence`,
      json(`evaluation-${version}.json`),
    );
  }
  await call(
    'contributor',
    'POST',
    '/api/v1/models/credit-risk/versions/1/evidence',
    json('drift-report.json'),
  );
  await call('contributor', 'PUT', '/api/v1/models/credit-risk/monitors', {
    monitors: (await import('yaml')).parse(readFileSync(join(credit, 'monitors.yaml'), 'utf8')),
  });
  const denied = await call('contributor', 'POST', '/api/v1/promotions', {
    model: 'credit-risk',
    version: '2',
    alias: 'production',
  });
  if (denied.status !== 'denied') throw new Error(`the biased version's promotion is ${denied.status}`);
  const pending = await call('requester', 'POST', '/api/v1/promotions', {
    model: 'credit-risk',
    version: '1',
    alias: 'production',
    comment: 'quarterly release',
  });
  if (pending.status !== 'pending')
    throw new Error(
      `the fair version's promotion is ${pending.status}: ${JSON.stringify(pending.decision.results)}`,
    );

  return {
    server,
    database,
    tokens,
    tokenIds,
    pendingPromotion: pending.id,
    call,
    async close() {
      await server.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
