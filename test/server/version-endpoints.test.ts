import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/index.js';
import { sha256Digest } from '../../src/core/index.js';
import { baselineFromColumns, sealBaselineEvidence } from '../../src/drift/index.js';
import { readPolicyFiles } from '../../src/policy/index.js';
import { promotionRepository, versionRepository } from '../../src/store/index.js';
import { type TestDatabase, testDatabases } from '../../src/store/test-support/databases.js';
import { type Harness, registerPipelineKey, signedByPipeline, startHarness } from './harness.js';

/** Drift-baseline evidence about a small reference file; `note` makes each one different. */
function baselineEvidence(note: number, producedAt: string) {
  const digest = sha256Digest(Buffer.from(`ref ${note}`));
  const baseline = baselineFromColumns(
    [{ name: 'amount', type: 'numeric', values: Float64Array.from({ length: 40 }, (_, i) => i + note) }],
    { source: { uri: 'file:///ref.csv', digest }, windowRows: 10 },
  );
  return sealBaselineEvidence(
    baseline,
    { uri: 'file:///ref.csv', digest, bytes: 100, rows: 40, format: 'csv' },
    'ref.csv',
    new Date(producedAt),
  );
}

describe.each(testDatabases())('endpoints and gateway routes on $dialect', (database: TestDatabase) => {
  let h: Harness;
  afterEach(async () => h?.close());

  async function setUp() {
    h = await startHarness(database);
    for (const name of ['credit-risk', 'fraud-detector']) {
      const created = await h.call('POST', '/api/v1/models', {
        token: h.tokens.contributor,
        body: { name, team: 'risk', owner: 'model-risk' },
      });
      expect(created.status, created.text).toBe(201);
    }
  }

  const createVersion = (model: string, extra: object = {}) =>
    h.call('POST', `/api/v1/models/${model}/versions`, {
      token: h.tokens.contributor,
      body: { artifact: { uri: `s3://models/${model}` }, ...extra },
    });
  const setEndpoint = (model: string, version: string, endpoint: unknown, token = h.tokens.contributor) =>
    h.call('PATCH', `/api/v1/models/${model}/versions/${version}`, { token, body: { endpoint } });
  const promote = (model: string, version: number) =>
    versionRepository.setAlias(h.store.db, model, 'production', version, 'ann', '2026-12-07T10:00:00Z');
  const routes = async () => {
    const answer = await h.call('GET', '/api/v1/gateway/routes', { token: h.tokens.viewer });
    expect(answer.status, answer.text).toBe(200);
    return answer.body;
  };

  it('records a version’s endpoint at creation, normalised, with v2 as the default protocol', async () => {
    await setUp();
    const created = await createVersion('credit-risk', { endpoint: { url: 'http://127.0.0.1:9001/' } });
    expect(created.status, created.text).toBe(201);
    expect(created.body.endpoint).toEqual({ url: 'http://127.0.0.1:9001', protocol: 'v2' });
    const plain = await createVersion('credit-risk');
    expect(plain.body.endpoint).toBeNull();
    const shown = await h.call('GET', '/api/v1/models/credit-risk/versions/1', { token: h.tokens.viewer });
    expect(shown.body.endpoint).toEqual({ url: 'http://127.0.0.1:9001', protocol: 'v2' });
  });

  it('refuses an endpoint that is not http(s), carries credentials or a query, naming the field and never the password', async () => {
    await setUp();
    const cases: [unknown, string][] = [
      [{ url: 'ftp://models.internal/1' }, 'url scheme "ftp" is not served'],
      [{ url: 'http://svc:hunter2@127.0.0.1:9001' }, 'url carries credentials'],
      [{ url: 'http://127.0.0.1:9001/?token=abc' }, 'must have no query or fragment'],
      [{ url: 'not a url' }, 'is not a URL'],
      [{ url: 'http://127.0.0.1:9001', protocol: 'grpc' }, 'protocol'],
      [{ url: 'http://127.0.0.1:9001', extra: true }, 'extra'],
    ];
    for (const [endpoint, problem] of cases) {
      const answer = await createVersion('credit-risk', { endpoint });
      expect(answer.status, answer.text).toBe(400);
      expect(answer.body.error.code).toBe('WARDEN_ERR_API_INVALID_REQUEST');
      expect(answer.body.error.message).toContain(problem);
      expect(answer.text).not.toContain('hunter2');
    }
    expect(
      (await h.call('GET', '/api/v1/models/credit-risk', { token: h.tokens.viewer })).body.latestVersion,
    ).toBe(0);
  });

  it('lets a contributor move the endpoint of an unaliased version, and only an approver that of a served one; audited with old and new', async () => {
    await setUp();
    await createVersion('credit-risk', { endpoint: { url: 'http://127.0.0.1:9001' } });
    const moved = await setEndpoint('credit-risk', '1', {
      url: 'http://127.0.0.1:9002',
      protocol: 'mlflow',
    });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body.endpoint).toEqual({ url: 'http://127.0.0.1:9002', protocol: 'mlflow' });

    await promote('credit-risk', 1);
    const hijack = await setEndpoint('credit-risk', '1', { url: 'http://127.0.0.1:6666' });
    expect(hijack.status, hijack.text).toBe(403);
    expect(hijack.body.error.code).toBe('WARDEN_ERR_GOVERNANCE_SERVED_ENDPOINT');
    expect(hijack.body.error.message).toContain('it holds production');
    const removal = await setEndpoint('credit-risk', '1', null);
    expect(removal.status, removal.text).toBe(403);
    const otherTeam = await setEndpoint(
      'credit-risk',
      '1',
      { url: 'http://127.0.0.1:9003' },
      h.tokens.viewer,
    );
    expect(otherTeam.status).toBe(403);
    expect((await routes()).routes[0].versions).toEqual({ '1': { url: 'http://127.0.0.1:9002' } });

    const approved = await setEndpoint(
      'credit-risk',
      '1',
      { url: 'http://127.0.0.1:9003' },
      h.tokens.approver,
    );
    expect(approved.status, approved.text).toBe(200);
    const unchanged = await setEndpoint(
      'credit-risk',
      '1',
      { url: 'http://127.0.0.1:9003/' },
      h.tokens.approver,
    );
    expect(unchanged.status).toBe(200);
    const entries = (await new AuditLog(h.store).page(0, 1000)).filter(
      (entry) => entry.action === 'version.endpoint-changed',
    );
    expect(entries.map((entry) => [entry.actor, entry.payload])).toEqual([
      [
        'carl-contributor',
        {
          changes: {
            endpoint: {
              old: { url: 'http://127.0.0.1:9001', protocol: 'v2' },
              new: { url: 'http://127.0.0.1:9002', protocol: 'mlflow' },
            },
          },
        },
      ],
      [
        'ann-approver',
        {
          changes: {
            endpoint: {
              old: { url: 'http://127.0.0.1:9002', protocol: 'mlflow' },
              new: { url: 'http://127.0.0.1:9003', protocol: 'v2' },
            },
          },
        },
      ],
    ]);
    // A version waiting for approval is approved as it is: its endpoint is frozen for contributors too.
    await createVersion('credit-risk', { endpoint: { url: 'http://127.0.0.1:9004' } });
    await promotionRepository.insert(h.store.db, {
      id: 'prm_000000000001',
      model_name: 'credit-risk',
      version: 2,
      alias: 'production',
      status: 'pending',
      expected_version: 1,
      previous_version: 1,
      decision_id: 'dec_000000000001',
      approval_required_by: '[]',
      comment: null,
      requested_at: '2026-12-07T10:00:00Z',
      requested_by: 'carl-contributor',
    });
    const swap = await setEndpoint('credit-risk', '2', { url: 'http://127.0.0.1:6666' });
    expect(swap.status, swap.text).toBe(403);
    expect(swap.body.error.message).toContain('it waits for approval to production');
    const missing = await setEndpoint('credit-risk', '7', { url: 'http://127.0.0.1:9003' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('its versions are 1 to 2');
  });

  it('serves each production version with its endpoint and newest drift baseline, lists the ones without an endpoint, and changes its revision when routing changes', async () => {
    await setUp();
    expect(await routes()).toEqual({
      revision: expect.stringMatching(/^sha256:/),
      routes: [],
      problems: [],
    });
    await createVersion('credit-risk', { endpoint: { url: 'http://127.0.0.1:9001' } });
    await createVersion('credit-risk', { endpoint: { url: 'http://127.0.0.1:9002', protocol: 'v1' } });
    await createVersion('fraud-detector');
    await promote('credit-risk', 1);
    await promote('fraud-detector', 1);
    const first = await routes();
    expect(first.routes).toEqual([
      {
        model: 'credit-risk',
        protocol: 'v2',
        versions: { '1': { url: 'http://127.0.0.1:9001' } },
        serve: { '1': 100 },
        baseline: null,
      },
    ]);
    expect(first.problems).toEqual([
      {
        model: 'fraud-detector',
        version: '1',
        problem: expect.stringContaining('warden versions set-endpoint fraud-detector 1 --url URL'),
      },
    ]);
    expect((await routes()).revision).toBe(first.revision);

    await promote('credit-risk', 2);
    const second = await routes();
    expect(second.revision).not.toBe(first.revision);
    expect(second.routes[0]).toMatchObject({
      protocol: 'v1',
      versions: { '2': { url: 'http://127.0.0.1:9002' } },
    });
    const anonymous = await h.call('GET', '/api/v1/gateway/routes');
    expect(anonymous.status).toBe(401);
  });

  it('measures live drift only against a signed baseline, and one the policy set trusts when it names signers for drift-baseline', async () => {
    await setUp();
    await registerPipelineKey(h);
    await createVersion('credit-risk', { endpoint: { url: 'http://127.0.0.1:9001' } });
    await promote('credit-risk', 1);
    const attach = async (document: object) => {
      const answer = await h.call('POST', '/api/v1/models/credit-risk/versions/1/evidence', {
        token: h.tokens.contributor,
        body: document,
      });
      expect(answer.status, answer.text).toBe(201);
      return answer.body.id as string;
    };
    const signed = await attach(signedByPipeline(baselineEvidence(1, '2026-12-07T09:00:00Z')));
    // A contributor's unsigned baseline, newer, would blind the monitor if it were used.
    const unsigned = await attach(baselineEvidence(500, '2026-12-07T09:30:00Z'));
    const table = await routes();
    expect(table.routes[0].baseline).toEqual({ evidence: signed, signer: 'credit-pipeline-ci' });
    expect(table.problems).toEqual([
      {
        model: 'credit-risk',
        version: '1',
        problem: expect.stringContaining(
          `1 newer drift-baseline evidence is not used (${unsigned.slice(0, 19)}…): unsigned`,
        ),
      },
    ]);

    // The policy set trusts only the release bot for baselines: the pipeline's signature is not enough.
    const files = await readPolicyFiles('test/server/fixtures/protected-labels');
    files.push({
      path: 'trust.yaml',
      content:
        'apiVersion: warden.dev/v1\nkind: TrustPolicy\nmetadata: { name: baseline-signers }\nspec:\n  signers:\n    - { name: release-bot, evidenceKinds: [drift-baseline] }\n',
    });
    const applied = await h.call('PUT', '/api/v1/policy-set', { token: h.tokens.admin, body: { files } });
    expect(applied.status, applied.text).toBe(200);
    const strict = await routes();
    expect(strict.routes[0].baseline).toBeNull();
    expect(strict.problems[0].problem).toContain('2 newer drift-baseline evidence are not used');
    expect(strict.problems[0].problem).toContain(
      'not signed by a signer the policy set trusts for drift-baseline',
    );
    expect(strict.revision).not.toBe(table.revision);
  });
});
