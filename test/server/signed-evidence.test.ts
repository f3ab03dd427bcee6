import { afterEach, describe, expect, it } from 'vitest';
import {
  createEvidenceKeyPair,
  type DsseEnvelope,
  envelopeSigner,
  evidenceSigningKey,
  namedPublicKey,
  openEvidenceEnvelope,
  sealEvidence,
  signEvidence,
} from '../../src/core/index.js';
import { readPolicyFiles } from '../../src/policy/index.js';
import { type TestDatabase, testDatabases } from '../../src/store/test-support/databases.js';
import { creditEvaluation, type Harness, startHarness } from './harness.js';

type Answer = { error?: { code: string; message: string } } & Record<string, unknown>;

/**
 * The forged-evidence finding: evidence was "sealed" by a content hash anyone can recompute. Now a
 * pipeline signs it (in-toto statement, DSSE envelope, Ed25519), the server verifies the signature
 * against keys an admin registered and records the signer, and the example production policy
 * admits only evidence from a signer the policy set trusts.
 */
describe.each(testDatabases())('signed evidence on $dialect', (database: TestDatabase) => {
  let h: Harness;
  afterEach(async () => h?.close());

  const pipeline = createEvidenceKeyPair();
  const pipelineKey = evidenceSigningKey(pipeline.privateKeyPem, 'pipeline key');
  const stranger = evidenceSigningKey(createEvidenceKeyPair().privateKeyPem, 'stranger key');

  async function setUp() {
    h = await startHarness(database);
    const created = await h.call('POST', '/api/v1/models', {
      token: h.tokens.riskContributor,
      body: { name: 'credit-risk', team: 'risk', labels: { domain: 'credit' } },
    });
    expect(created.status).toBe(201);
    for (const _ of [1, 2]) {
      await h.call('POST', '/api/v1/models/credit-risk/versions', {
        token: h.tokens.riskContributor,
        body: { artifact: { uri: 's3://m/1' } },
      });
    }
  }

  const register = (body: Record<string, unknown>, token = h.tokens.admin) =>
    h.call('POST', '/api/v1/signing-keys', { token, body });
  const submit = (version: string, body: unknown) =>
    h.call('POST', `/api/v1/models/credit-risk/versions/${version}/evidence`, {
      token: h.tokens.riskContributor,
      body,
    });
  const error = (answer: { body: unknown }) => (answer.body as Answer).error;

  it('lets only an admin register a key, refuses private keys and duplicates, and shows keys to viewers', async () => {
    await setUp();
    const body = { name: 'credit-pipeline-ci', publicKey: pipeline.publicKeyPem, teams: ['risk'] };
    expect((await register(body, h.tokens.approver)).status).toBe(403);
    const registered = await register(body);
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({
      name: 'credit-pipeline-ci',
      keyId: pipeline.keyId,
      teams: ['risk'],
    });

    const again = await register({ ...body, name: 'another-name' });
    expect(again.status).toBe(409);
    expect(error(again)?.message).toContain('registered already, as "credit-pipeline-ci"');
    expect((await register({ ...body, publicKey: createEvidenceKeyPair().publicKeyPem })).status).toBe(409);

    const secret = await register({ name: 'oops', publicKey: pipeline.privateKeyPem });
    expect(secret.status).toBe(400);
    expect(error(secret)?.code).toBe('WARDEN_ERR_SIGNING_KEY_INVALID');
    expect(secret.text).not.toContain(pipeline.privateKeyPem.split('\n')[1]);

    const listed = await h.call('GET', '/api/v1/signing-keys', { token: h.tokens.viewer });
    expect((listed.body as { keys: { name: string }[] }).keys.map((k) => k.name)).toEqual([
      'credit-pipeline-ci',
    ]);
  });

  it('verifies a signed envelope on submit, records its signer, and serves the envelope to verify again', async () => {
    await setUp();
    await register({ name: 'credit-pipeline-ci', publicKey: pipeline.publicKeyPem, teams: ['risk'] });
    const evaluation = creditEvaluation('1', 0.05);
    const submitted = await submit('1', signEvidence(evaluation, pipelineKey));
    expect(submitted.status).toBe(201);
    expect(submitted.body).toMatchObject({ id: evaluation.id, signer: 'credit-pipeline-ci', stored: true });

    const listed = await h.call('GET', '/api/v1/models/credit-risk/versions/1/evidence', {
      token: h.tokens.viewer,
    });
    expect((listed.body as { evidence: { signer: unknown }[] }).evidence[0]?.signer).toEqual({
      name: 'credit-pipeline-ci',
      keyId: pipeline.keyId,
    });
    const envelope = await h.call('GET', `/api/v1/evidence/${evaluation.id}/envelope`, {
      token: h.tokens.viewer,
    });
    expect(envelope.status).toBe(200);
    const opened = openEvidenceEnvelope(JSON.parse(envelope.text), 'served envelope');
    const key = namedPublicKey('ci', pipeline.publicKeyPem, 'pipeline public key');
    expect(envelopeSigner(opened.envelope, opened.payload, [key])?.name).toBe('ci');

    // Unsigned evidence is still accepted, and says so; it has no envelope to serve.
    const unsigned = creditEvaluation('2', 0.05);
    expect((await submit('2', unsigned)).body).toMatchObject({ signer: null });
    expect(
      (await h.call('GET', `/api/v1/evidence/${unsigned.id}/envelope`, { token: h.tokens.viewer })).status,
    ).toBe(404);

    const audit = await h.call('GET', '/api/v1/audit?limit=100', { token: h.tokens.admin });
    const entries = (audit.body as { entries: { action: string; payload: Record<string, unknown> }[] })
      .entries;
    expect(entries.find((e) => e.action === 'signing-key.registered')?.payload).toMatchObject({
      keyId: pipeline.keyId,
    });
    expect(entries.filter((e) => e.action === 'evidence.attached').map((e) => e.payload['signer'])).toEqual(
      expect.arrayContaining(['credit-pipeline-ci', null]),
    );
  });

  it('refuses an envelope edited after signing, and one signed by a key nobody registered', async () => {
    await setUp();
    await register({ name: 'credit-pipeline-ci', publicKey: pipeline.publicKeyPem });
    const envelope = signEvidence(creditEvaluation('1', 0.3), pipelineKey);
    // The attacker's edit: fairness made to look fine, the evidence id recomputed, the signature kept.
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString()) as Record<
      string,
      unknown
    >;
    const fairLooking = creditEvaluation('1', 0.01);
    statement['predicate'] = fairLooking;
    statement['subject'] = [{ name: 'x', digest: { sha256: fairLooking.id.slice('sha256:'.length) } }];
    const edited: DsseEnvelope = {
      ...envelope,
      payload: Buffer.from(JSON.stringify(statement)).toString('base64'),
    };
    const refused = await submit('1', edited);
    expect(refused.status).toBe(400);
    expect(error(refused)?.code).toBe('WARDEN_ERR_EVIDENCE_SIGNATURE_INVALID');
    expect(error(refused)?.message).toContain('changed after it was signed');

    const unknown = await submit('1', signEvidence(creditEvaluation('1', 0.05), stranger));
    expect(unknown.status).toBe(400);
    expect(error(unknown)?.message).toContain('warden key register');
    expect(
      (await h.call('GET', '/api/v1/models/credit-risk/versions/1/evidence', { token: h.tokens.viewer }))
        .body,
    ).toEqual({
      evidence: [],
    });
  });

  it('holds a key to its scope: teams, evidence kinds, and revocation', async () => {
    await setUp();
    await register({ name: 'marketing-ci', publicKey: pipeline.publicKeyPem, teams: ['marketing'] });
    const otherTeam = await submit('1', signEvidence(creditEvaluation('1', 0.05), pipelineKey));
    expect(otherTeam.status).toBe(403);
    expect(error(otherTeam)?.code).toBe('WARDEN_ERR_EVIDENCE_SIGNER_NOT_ALLOWED');
    expect(error(otherTeam)?.message).toContain('team marketing, and model "credit-risk" is of team risk');

    const dataOnly = createEvidenceKeyPair();
    await register({ name: 'data-ci', publicKey: dataOnly.publicKeyPem, evidenceKinds: ['data-check'] });
    const wrongKind = await submit(
      '1',
      signEvidence(creditEvaluation('1', 0.05), evidenceSigningKey(dataOnly.privateKeyPem, 'k')),
    );
    expect(wrongKind.status).toBe(403);
    expect(error(wrongKind)?.message).toContain('may sign data-check evidence, not model-evaluation');
    const dataCheck = sealEvidence(
      { kind: 'data-check', subject: { type: 'dataset', name: 'credit' }, inputs: [], passed: true },
      new Date('2026-11-20T10:00:00Z'),
    );
    expect(
      (await submit('1', signEvidence(dataCheck, evidenceSigningKey(dataOnly.privateKeyPem, 'k')))).status,
    ).toBe(201);

    expect(
      (await h.call('POST', '/api/v1/signing-keys/data-ci/revoke', { token: h.tokens.contributor })).status,
    ).toBe(403);
    expect(
      (await h.call('POST', '/api/v1/signing-keys/data-ci/revoke', { token: h.tokens.admin })).status,
    ).toBe(200);
    const revoked = await submit(
      '2',
      signEvidence(dataCheck, evidenceSigningKey(dataOnly.privateKeyPem, 'k')),
    );
    expect(revoked.status).toBe(403);
    expect(error(revoked)?.message).toContain('a key revoked at');
  });

  it('denies production to a forged, unsigned evaluation and admits the signed one, recording signers in the decision', async () => {
    await setUp();
    await register({ name: 'credit-pipeline-ci', publicKey: pipeline.publicKeyPem, teams: ['risk'] });
    const files = await readPolicyFiles('examples/policies/trusted-evidence.yaml');
    expect(
      (await h.call('PUT', '/api/v1/policy-set', { token: h.tokens.admin, body: { files } })).status,
    ).toBe(200);

    // Version 1: the pipeline's real, biased evaluation was signed; the forger re-seals a fair-looking copy unsigned.
    await submit('1', signEvidence(creditEvaluation('1', 0.3), pipelineKey));
    const forged = { ...creditEvaluation('1', 0.01), producedAt: '2026-11-21T10:00:00Z' };
    const { id: _id, ...body } = forged;
    const { contentDigest } = await import('../../src/core/index.js');
    await submit('1', { ...body, id: contentDigest(body) });
    const denied = await h.call('POST', '/api/v1/promotions', {
      token: h.tokens.riskContributor,
      body: { model: 'credit-risk', version: '1', alias: 'production' },
    });
    const decision = denied.body as {
      status: string;
      decision: Record<string, unknown> & { results: { validation: string; blocking: boolean }[] };
    };
    expect(decision.status).toBe('denied');
    expect(decision.decision.results.filter((r) => r.blocking).map((r) => r.validation)).toEqual([
      'evaluation-signed',
      'all-evidence-signed',
    ]);
    expect(decision.decision['signers']).toEqual([
      { evidence: contentDigest(body), kind: 'model-evaluation', signer: null, trusted: false },
    ]);

    await submit('2', signEvidence(creditEvaluation('2', 0.05), pipelineKey));
    const allowed = await h.call('POST', '/api/v1/promotions', {
      token: h.tokens.riskContributor,
      body: { model: 'credit-risk', version: '2', alias: 'production' },
    });
    expect(allowed.body).toMatchObject({
      status: 'completed',
      decision: { signers: [{ kind: 'model-evaluation', signer: 'credit-pipeline-ci', trusted: true }] },
    });
  });
});
