import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  contentDigest,
  createEvidenceKeyPair,
  type DsseEnvelope,
  evidenceSigningKey,
  openEvidenceEnvelope,
  signEvidence,
} from '../../src/core/index.js';
import {
  baselineFromEvidence,
  createBaselineEvidence,
  type DriftBaselineEvidence,
} from '../../src/drift/index.js';
import { type TestDatabase, testDatabases } from '../../src/store/test-support/databases.js';
import { type Harness, startHarness } from './harness.js';

type Answer = { error?: { code: string; message: string } } & Record<string, unknown>;

/**
 * A drift baseline attached to a model version as signed drift-baseline evidence: what the gateway
 * reads back from the version it serves (issue 17).
 */
describe.each(testDatabases())('drift-baseline evidence on $dialect', (database: TestDatabase) => {
  let h: Harness;
  afterEach(async () => h?.close());

  const pipeline = createEvidenceKeyPair();
  const pipelineKey = evidenceSigningKey(pipeline.privateKeyPem, 'pipeline key');
  let evidence: DriftBaselineEvidence;

  beforeAll(async () => {
    evidence = await createBaselineEvidence({
      file: 'examples/credit-risk/credit_data.csv',
      read: { nullValues: ['NA'] },
      windowRows: 500,
    });
  });

  async function setUp() {
    h = await startHarness(database);
    await h.call('POST', '/api/v1/models', {
      token: h.tokens.riskContributor,
      body: { name: 'credit-risk', team: 'risk' },
    });
    await h.call('POST', '/api/v1/models/credit-risk/versions', {
      token: h.tokens.riskContributor,
      body: { artifact: { uri: 's3://m/1' } },
    });
    // A key scoped to this kind only: the server knows drift-baseline as an evidence kind.
    const registered = await h.call('POST', '/api/v1/signing-keys', {
      token: h.tokens.admin,
      body: {
        name: 'credit-pipeline-ci',
        publicKey: pipeline.publicKeyPem,
        teams: ['risk'],
        evidenceKinds: ['drift-baseline'],
      },
    });
    expect(registered.status).toBe(201);
  }

  const submit = (body: unknown) =>
    h.call('POST', '/api/v1/models/credit-risk/versions/1/evidence', {
      token: h.tokens.riskContributor,
      body,
    });

  it('accepts signed drift-baseline evidence, lists it with its signer, and serves back the baseline', async () => {
    await setUp();
    const submitted = await submit(signEvidence(evidence, pipelineKey));
    expect(submitted.status).toBe(201);
    expect(submitted.body).toMatchObject({
      id: evidence.id,
      kind: 'drift-baseline',
      signer: 'credit-pipeline-ci',
      stored: true,
    });

    const listed = await h.call(
      'GET',
      '/api/v1/models/credit-risk/versions/1/evidence?kind=drift-baseline&latest=true',
      { token: h.tokens.viewer },
    );
    const entries = (listed.body as { evidence: { id: string; signer: unknown }[] }).evidence;
    expect(entries.map((entry) => entry.id)).toEqual([evidence.id]);
    expect(entries[0]?.signer).toEqual({ name: 'credit-pipeline-ci', keyId: pipeline.keyId });

    const served = await h.call('GET', `/api/v1/evidence/${evidence.id}`, { token: h.tokens.viewer });
    expect(served.status).toBe(200);
    expect(baselineFromEvidence(JSON.parse(served.text), 'served document')).toEqual(
      JSON.parse(JSON.stringify(evidence.baseline)),
    );
    const envelope = await h.call('GET', `/api/v1/evidence/${evidence.id}/envelope`, {
      token: h.tokens.viewer,
    });
    const opened = openEvidenceEnvelope(JSON.parse(envelope.text), 'served envelope');
    expect(baselineFromEvidence(opened.evidence, 'served envelope').source.digest).toBe(
      evidence.inputs[0]?.digest,
    );
  });

  it('refuses drift-baseline evidence whose baseline was edited after signing', async () => {
    await setUp();
    const envelope = signEvidence(evidence, pipelineKey);
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString()) as {
      predicate: Record<string, unknown> & {
        baseline: { features: Record<string, { thresholds: { psi: number } }> };
      };
    };
    // Loosen the alert level so that a drifting Income never alerts, and re-seal the id.
    const { id: _id, ...body } = statement.predicate;
    (body.baseline.features['Income'] as { thresholds: { psi: number } }).thresholds.psi = 50;
    statement.predicate = { ...body, id: contentDigest(body) } as typeof statement.predicate;
    const edited: DsseEnvelope = {
      ...envelope,
      payload: Buffer.from(JSON.stringify(statement)).toString('base64'),
    };
    const refused = await submit(edited);
    expect(refused.status).toBe(400);
    expect((refused.body as Answer).error?.code).toBe('WARDEN_ERR_EVIDENCE_SIGNATURE_INVALID');
    expect((refused.body as Answer).error?.message).toContain('changed after it was signed');
    const listed = await h.call('GET', '/api/v1/models/credit-risk/versions/1/evidence', {
      token: h.tokens.viewer,
    });
    expect(listed.body).toEqual({ evidence: [] });
  });
});
