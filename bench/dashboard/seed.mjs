// The page the dashboard benchmark opens, seeded the way test/web/seed.ts tells the credit-risk
// story (that file is TypeScript over src/ and starts the server in-process, so it cannot be
// imported here): evidence from the built `warden check`, signed with a pipeline key, and the
// example policy set, registered through the API of a running `warden server`. The biased
// version 2 is denied promotion to production, so its page holds a gate decision with every
// validation, its data check, model evaluation (fairness charts), drift report, lineage and audit.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { importWardenModule } from '../lib/warden-dist.mjs';
import { api } from '../lib/warden-server.mjs';

const run = promisify(execFile);

/** The page measured, and the name of the table whose appearance makes it usable. */
export const versionPage = {
  path: '/models/credit-risk/versions/2',
  decisionTable: 'Validations of gate promote:production',
};

/**
 * Seeds the story on the server at `url` (admin token `adminToken`), working in `work`; returns
 * a viewer's token, the one the browser signs in with.
 */
export async function seedVersionPage({ root, url, adminToken, work }) {
  const bin = join(root, 'bin/warden.js');
  const credit = join(root, 'examples/credit-risk');
  const warden = async (args, expectedExit = 0) => {
    try {
      await run(process.execPath, [bin, ...args], { cwd: work });
      if (expectedExit !== 0) throw new Error(`warden ${args.join(' ')} exited 0, not ${expectedExit}`);
    } catch (error) {
      if (error.code !== expectedExit) throw error;
    }
  };
  const signed = ['--sign-key', 'ci.key'];
  await warden(['key', 'create', '--out', 'ci.key']);
  await Promise.all([
    warden([
      'check',
      'data',
      join(credit, 'credit_data.csv'),
      '--contract',
      join(credit, 'contract.yaml'),
      '--null-value',
      'NA',
      '--json',
      'data-check.json',
      ...signed,
    ]),
    // Exit 1: the biased predictions fail the equalized-odds threshold, as they should.
    warden(
      [
        'check',
        'model',
        join(credit, 'predictions-biased.csv'),
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
        '2',
        '--json',
        'evaluation.json',
        ...signed,
      ],
      1,
    ),
    warden([
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
      ...signed,
    ]),
  ]);

  const call = (token, method, path, body) => api(url, token, method, path, body);
  const token = async (name, role) =>
    (await call(adminToken, 'POST', '/api/v1/tokens', { name, role })).secret;
  const contributor = await token('carl-contributor', 'contributor');
  const viewer = await token('vera-viewer', 'viewer');
  const evidence = async (file) => readFile(join(work, file), 'utf8');

  const { readPolicyFiles } = await importWardenModule(root, 'policy');
  const files = await readPolicyFiles(join(root, 'examples/policies'));
  await call(adminToken, 'PUT', '/api/v1/policy-set', { files, revision: 'bench-dashboard' });
  await call(adminToken, 'POST', '/api/v1/signing-keys', {
    name: 'credit-pipeline-ci',
    publicKey: await readFile(join(work, 'ci.key.pub'), 'utf8'),
    teams: ['risk'],
  });
  await call(contributor, 'POST', '/api/v1/models', {
    name: 'credit-risk',
    description: 'Scores credit applications for default risk',
    owner: 'risk-team@example.com',
    team: 'risk',
    labels: { domain: 'credit', riskTier: 'high' },
  });
  const lineage = JSON.parse(await readFile(join(credit, 'lineage.json'), 'utf8'));
  for (const version of ['1', '2']) {
    await call(contributor, 'POST', '/api/v1/models/credit-risk/versions', {
      artifact: { uri: `s3://models/credit-risk/${version}` },
      runId: `credit-risk-train-${version}`,
    });
  }
  const v2 = '/api/v1/models/credit-risk/versions/2';
  await call(contributor, 'POST', `${v2}/lineage`, {
    ...lineage,
    runId: 'credit-risk-train-2',
    sourceCommit: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  });
  for (const file of ['data-check.json', 'evaluation.json', 'drift-report.json'])
    await call(contributor, 'POST', `${v2}/evidence`, await evidence(file));
  await call(contributor, 'PUT', '/api/v1/models/credit-risk/monitors', {
    monitors: YAML.parse(await readFile(join(credit, 'monitors.yaml'), 'utf8')),
  });
  const denied = await call(contributor, 'POST', '/api/v1/promotions', {
    model: 'credit-risk',
    version: '2',
    alias: 'production',
  });
  if (denied.status !== 'denied')
    throw new Error(`the biased version's promotion is ${denied.status}, not denied`);
  return { viewer, validations: denied.decision.results.length };
}
