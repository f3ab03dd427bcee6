import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog, verifiableFromRow, verifyAuditLog } from '../../src/audit/index.js';
import { readPolicyFiles } from '../../src/policy/index.js';
import { auditRepository } from '../../src/store/index.js';
import { type TestDatabase, testDatabases } from '../../src/store/test-support/databases.js';
import { creditEvaluation, type Harness, startHarness } from './harness.js';

const labels = { domain: 'credit', riskTier: 'high', region: 'eu', purpose: 'scoring' };

describe.each(testDatabases())('protected labels on $dialect', (database: TestDatabase) => {
  let h: Harness;
  afterEach(async () => h?.close());

  /** credit-risk (team risk, high risk) with a biased version 1, under the fixture's policies if asked. */
  async function setUp(applyPolicies = true) {
    h = await startHarness(database);
    if (applyPolicies) await applyPolicySet();
    const created = await h.call('POST', '/api/v1/models', {
      token: h.tokens.contributor,
      body: { name: 'credit-risk', team: 'risk', owner: 'model-risk', labels },
    });
    expect(created.status, created.text).toBe(201);
    await h.call('POST', '/api/v1/models/credit-risk/versions', {
      token: h.tokens.contributor,
      body: { artifact: { uri: 's3://models/credit-risk/1' } },
    });
    const submitted = await h.call('POST', '/api/v1/models/credit-risk/versions/1/evidence', {
      token: h.tokens.contributor,
      body: creditEvaluation('1', 0.45),
    });
    expect(submitted.status, submitted.text).toBe(201);
  }

  async function applyPolicySet() {
    const applied = await h.call('PUT', '/api/v1/policy-set', {
      token: h.tokens.admin,
      body: { files: await readPolicyFiles('test/server/fixtures/protected-labels') },
    });
    expect(applied.status, applied.text).toBe(200);
  }

  const patch = (body: unknown, token = h.tokens.contributor) =>
    h.call('PATCH', '/api/v1/models/credit-risk', { token, body });
  const model = async () =>
    (await h.call('GET', '/api/v1/models/credit-risk', { token: h.tokens.viewer })).body;
  const requestChange = (body: unknown, token = h.tokens.contributor) =>
    h.call('POST', '/api/v1/models/credit-risk/label-changes', { token, body });
  const review = (id: string, verb: 'approve' | 'reject', token: string, comment = 'reviewed with risk') =>
    h.call('POST', `/api/v1/label-changes/${id}/${verb}`, { token, body: { comment } });
  const auditEntries = async (action: string) =>
    (await new AuditLog(h.store).page(0, 10_000)).filter((entry) => entry.action === action);
  const reason = 'the model only ranks marketing offers since the 2026 redesign';

  it('refuses a contributor’s change of a protected label or the team, and keeps the rest editable', async () => {
    await setUp();
    const relabel = await patch({ labels: { ...labels, riskTier: 'low' } });
    expect(relabel.status, relabel.text).toBe(403);
    expect(relabel.body.error.code).toBe('WARDEN_ERR_GOVERNANCE_PROTECTED_LABEL');
    expect(relabel.body.error.message).toContain(
      'carl-contributor may not change riskTier of model "credit-risk"',
    );
    expect(relabel.body.error.message).toContain('domain, region, riskTier, team');
    expect(relabel.body.error.message).toContain(
      'warden models label-change request credit-risk --label riskTier=low --reason',
    );
    expect((await model()).labels).toEqual(labels);

    // PATCH replaces the whole map: leaving a protected key out removes it, which is a change.
    const { domain: _dropped, ...withoutDomain } = labels;
    const removal = await patch({ labels: withoutDomain });
    expect(removal.status, removal.text).toBe(403);
    expect(removal.body.error.message).toContain('--remove-label domain');
    const move = await patch({ team: 'growth' });
    expect(move.status, move.text).toBe(403);
    expect(move.body.error.message).toContain('the model’s team');

    // The same values as today are not a change; unprotected labels, description and owner are free.
    const same = await patch({ labels: { ...labels }, team: 'risk', description: 'scores applicants' });
    expect(same.status, same.text).toBe(200);
    const free = await patch({ labels: { ...labels, purpose: 'limits' }, owner: 'credit-ops' });
    expect(free.status, free.text).toBe(200);
    expect(await model()).toMatchObject({
      labels: { ...labels, purpose: 'limits' },
      owner: 'credit-ops',
      description: 'scores applicants',
    });
    const [ownerChange] = (await auditEntries('model.updated')).slice(-1);
    expect(ownerChange?.payload).toMatchObject({
      changes: {
        labels: { old: { purpose: 'scoring' }, new: { purpose: 'limits' } },
        owner: { old: 'model-risk', new: 'credit-ops' },
      },
    });
  });

  it('lets an approver relabel directly, audited with the old and the new values', async () => {
    await setUp();
    const relabel = await patch(
      { labels: { ...labels, riskTier: 'medium' }, team: 'growth' },
      h.tokens.approver,
    );
    expect(relabel.status, relabel.text).toBe(200);
    expect(relabel.body).toMatchObject({ labels: { riskTier: 'medium' }, team: 'growth' });
    const [entry] = (await auditEntries('model.updated')).slice(-1);
    expect(entry?.actor).toBe('ann-approver');
    expect(entry?.payload).toEqual({
      labels: { ...labels, riskTier: 'medium' },
      team: 'growth',
      changes: {
        labels: { old: labels, new: { ...labels, riskTier: 'medium' } },
        team: { old: 'risk', new: 'growth' },
      },
    });
  });

  it('protects a label a binding of the active policy set selects on, and not one no binding names', async () => {
    await setUp(false);
    // No policy set yet: region selects nothing, so a contributor may change it.
    expect((await patch({ labels: { ...labels, region: 'us' } })).status).toBe(200);
    await applyPolicySet();
    const region = await patch({ labels: { ...labels, region: 'eu' } });
    expect(region.status, region.text).toBe(403);
    expect(region.body.error.message).toContain('may not change region');
    const purpose = await patch({ labels: { ...labels, region: 'us', purpose: 'pricing' } });
    expect(purpose.status, purpose.text).toBe(200);
  });

  it('applies a requested change once another approver approves it, and never on the requester’s word', async () => {
    await setUp();
    const asked = await requestChange({ labels: { riskTier: 'medium', purpose: null }, reason });
    expect(asked.status, asked.text).toBe(201);
    const { purpose: _removed, ...wanted } = { ...labels, riskTier: 'medium' };
    expect(asked.body).toMatchObject({
      model: 'credit-risk',
      status: 'pending',
      labels: { old: labels, new: wanted },
      team: null,
      requestedBy: 'carl-contributor',
    });
    const id: string = asked.body.id;
    expect(id).toMatch(/^lch_[0-9a-f]{12}$/);
    expect((await model()).labels).toEqual(labels);
    const queue = await h.call('GET', '/api/v1/label-changes?status=pending&model=credit-risk', {
      token: h.tokens.viewer,
    });
    expect(queue.body.labelChanges.map((r: { id: string }) => r.id)).toEqual([id]);

    // A contributor cannot approve at all; an approver cannot approve their own request.
    expect((await review(id, 'approve', h.tokens.contributor)).status).toBe(403);
    const own = await requestChange({ team: 'growth', reason }, h.tokens.approver);
    expect(own.status, own.text).toBe(201);
    const self = await review(own.body.id, 'approve', h.tokens.approver);
    expect(self.status, self.text).toBe(403);
    expect(self.body.error.code).toBe('WARDEN_ERR_GOVERNANCE_SELF_APPROVAL');
    expect((await review(own.body.id, 'reject', h.tokens.admin, 'the team stays')).body.status).toBe(
      'rejected',
    );

    const approved = await review(id, 'approve', h.tokens.approver);
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', reviewedBy: 'ann-approver' });
    expect((await model()).labels).toEqual(wanted);
    const again = await review(id, 'approve', h.tokens.admin);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('WARDEN_ERR_GOVERNANCE_NOT_PENDING');

    const [applied] = (await auditEntries('model.updated')).slice(-1);
    expect(applied).toMatchObject({
      actor: 'ann-approver',
      payload: {
        labelChange: id,
        requestedBy: 'carl-contributor',
        changes: { labels: { old: labels, new: wanted } },
      },
    });
    expect((await auditEntries('label-change.approved')).map((e) => e.subject)).toEqual([
      { type: 'label-change', id, name: 'credit-risk' },
    ]);
    const rows = await auditRepository.page(h.store.db, 0, 10_000);
    const report = await verifyAuditLog(
      (async function* () {
        yield rows.map(verifiableFromRow);
      })(),
      [],
      [],
    );
    expect(report.ok).toBe(true);
  });

  it('refuses to approve a request the model’s labels moved past (409), and explains', async () => {
    await setUp();
    const asked = await requestChange({ labels: { riskTier: 'low' }, reason });
    expect(asked.status, asked.text).toBe(201);
    expect((await patch({ labels: { ...labels, riskTier: 'medium' } }, h.tokens.admin)).status).toBe(200);
    const stale = await review(asked.body.id, 'approve', h.tokens.approver);
    expect(stale.status, stale.text).toBe(409);
    expect(stale.body.error.code).toBe('WARDEN_ERR_GOVERNANCE_CONFLICT');
    expect(stale.body.error.message).toContain('riskTier=high');
    expect(stale.body.error.message).toContain('riskTier=medium');
    expect(stale.body.error.message).toContain('file a new request');
    expect((await model()).labels.riskTier).toBe('medium');
    expect(
      (await h.call('GET', `/api/v1/label-changes/${asked.body.id}`, { token: h.tokens.viewer })).body.status,
    ).toBe('pending');
  });

  it('refuses a request that changes nothing or gives no reason', async () => {
    await setUp();
    const nothing = await requestChange({ labels: { riskTier: 'high' }, team: 'risk', reason });
    expect(nothing.status, nothing.text).toBe(400);
    expect(nothing.body.error.code).toBe('WARDEN_ERR_GOVERNANCE_INVALID_LABEL_CHANGE');
    expect(nothing.body.error.message).toContain('changes nothing');
    const short = await requestChange({ labels: { riskTier: 'low' }, reason: 'because' });
    expect(short.body.error.code).toBe('WARDEN_ERR_GOVERNANCE_INVALID_LABEL_CHANGE');
    const none = await requestChange({ labels: { riskTier: 'low' } });
    expect(none.status).toBe(400);
    expect(none.body.error.issues[0].path).toBe('body.reason');
  });

  it('closes the exploit: a contributor cannot relabel a high-risk model to get a biased version to production', async () => {
    await setUp();
    const downgrade = await patch({ labels: { ...labels, riskTier: 'low' } });
    expect(downgrade.status).toBe(403);
    const promotion = await h.call('POST', '/api/v1/promotions', {
      token: h.tokens.contributor,
      body: { model: 'credit-risk', version: '1', alias: 'production' },
    });
    expect(promotion.status, promotion.text).toBe(201);
    expect(promotion.body.status).toBe('denied');
    expect(promotion.body.decision.subject.labels).toEqual(labels);
    expect(
      promotion.body.decision.results
        .filter((r: { blocking: boolean }) => r.blocking)
        .map((r: { validation: string }) => r.validation),
    ).toEqual(['equalized-odds']);
    const [denied] = await auditEntries('promotion.denied');
    expect(denied?.payload).toMatchObject({ decision: { labels: { riskTier: 'high' } } });
    const production = await h.call('GET', '/api/v1/models/credit-risk/aliases/production', {
      token: h.tokens.viewer,
    });
    expect(production.status).toBe(404);
  });
});
