import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { AuditLog, verifiableFromRow, verifyAuditLog } from '../../src/audit/index.js';
import { readPolicyFiles } from '../../src/policy/index.js';
import { auditRepository } from '../../src/store/index.js';
import { type TestDatabase, testDatabases } from '../../src/store/test-support/databases.js';
import {
  creditEvaluation,
  type Harness,
  registerPipelineKey,
  signedByPipeline,
  startHarness,
} from './harness.js';
import { startReceiver } from './webhook-receiver.js';

const monitors = parse(readFileSync('examples/credit-risk/monitors.yaml', 'utf8')) as unknown[];

/** A controllable clock: starts now, moves when told. */
function testClock() {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance(ms: number) {
      offset += ms;
    },
  };
}

const day = 86_400_000;

describe.each(testDatabases())('governed promotions on $name', (database) => {
  let h: Harness;
  let closeReceiver: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await h?.close();
    await closeReceiver?.();
    closeReceiver = undefined;
  });

  async function setUp(
    options: Parameters<typeof startHarness>[1] = {},
    policyDir = 'examples/policies',
    riskTier = 'medium',
  ) {
    // The webhook receivers of these tests listen on 127.0.0.1.
    h = await startHarness(database, { allowPrivateWebhooks: true, ...options });
    const files = await readPolicyFiles(policyDir);
    const applied = await h.call('PUT', '/api/v1/policy-set', {
      token: h.tokens.admin,
      body: { files, revision: 'test-1' },
    });
    expect(applied.status).toBe(200);
    // The example production policy trusts evidence signed by the credit pipeline's key.
    await registerPipelineKey(h);
    await h.call('POST', '/api/v1/models', {
      token: h.tokens.contributor,
      body: { name: 'credit-risk', team: 'risk', labels: { domain: 'credit', riskTier } },
    });
    for (const [version, eod] of [
      ['1', 0.05],
      ['2', 0.45],
    ] as const) {
      await h.call('POST', '/api/v1/models/credit-risk/versions', {
        token: h.tokens.contributor,
        body: { artifact: { uri: `s3://models/credit-risk/${version}` } },
      });
      const submitted = await h.call('POST', `/api/v1/models/credit-risk/versions/${version}/evidence`, {
        token: h.tokens.contributor,
        body: signedByPipeline(creditEvaluation(version, eod)),
      });
      expect(submitted.status).toBe(201);
    }
    await h.call('PUT', '/api/v1/models/credit-risk/monitors', {
      token: h.tokens.contributor,
      body: { monitors },
    });
  }

  const promote = (version: string, alias = 'production', token = h.tokens.contributor, extra = {}) =>
    h.call('POST', '/api/v1/promotions', { token, body: { model: 'credit-risk', version, alias, ...extra } });

  it('promotes a fair version, denies and tags a biased one, and lets a waiver through after four-eyes approval', async () => {
    const receiver = await startReceiver();
    closeReceiver = receiver.close;
    await setUp();
    const hook = await h.call('POST', '/api/v1/webhooks', {
      token: h.tokens.admin,
      body: {
        name: 'risk owners',
        url: receiver.url,
        events: ['gate.denied', 'version.tagged'],
        team: 'risk',
      },
    });
    expect(hook.status).toBe(201);
    expect(hook.body.secret).toMatch(/^whsec_/);
    expect(
      JSON.stringify((await h.call('GET', '/api/v1/webhooks', { token: h.tokens.admin })).body),
    ).not.toContain(hook.body.secret);

    const first = await promote('1');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'completed', previousVersion: null, alias: 'production' });
    expect(first.body.decision.allowed).toBe(true);

    const denied = await promote('2');
    expect(denied.body.status).toBe('denied');
    const blocking = denied.body.decision.results.filter((r: { blocking: boolean }) => r.blocking);
    expect(
      blocking.map((r: { policy: string; validation: string }) => `${r.policy}/${r.validation}`),
    ).toEqual(['credit-fairness/equalized-odds']);
    const v2 = await h.call('GET', '/api/v1/models/credit-risk/versions/2', { token: h.tokens.viewer });
    expect(v2.body.tags).toEqual({ biased: 'credit-fairness/equalized-odds failed at promote:production' });
    expect(
      (await h.call('GET', '/api/v1/models/credit-risk/aliases/production', { token: h.tokens.viewer })).body
        .version,
    ).toBe('1');

    await receiver.waitFor(2);
    const events = receiver.received.map((r) => JSON.parse(r.body).type).sort();
    expect(events).toEqual(['gate.denied', 'version.tagged']);
    for (const request of receiver.received) {
      const id = String(request.headers['webhook-id']);
      const timestamp = String(request.headers['webhook-timestamp']);
      const key = Buffer.from(String(hook.body.secret).slice('whsec_'.length), 'base64');
      const expected = createHmac('sha256', key)
        .update(`${id}.${timestamp}.${request.body}`)
        .digest('base64');
      expect(request.headers['webhook-signature']).toBe(`v1,${expected}`);
      expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
    }

    // A tagged version stays blocked even with the biased evidence gone: only a waiver or an approver lifts the tag.
    const waiver = await h.call('POST', '/api/v1/waivers', {
      token: h.tokens.contributor,
      body: {
        model: 'credit-risk',
        version: '2',
        policy: 'credit-fairness',
        validation: 'equalized-odds',
        reason: 'age-band gap under review by the model-risk committee; manual review of declines meanwhile',
        expiresIn: '14d',
        auditDueIn: '30d',
      },
    });
    expect(waiver.status, waiver.text).toBe(201);
    expect(waiver.body.status).toBe('requested');
    expect((await promote('2')).body.status).toBe('denied');

    const own = await h.call('POST', `/api/v1/waivers/${waiver.body.id}/approve`, {
      token: h.tokens.contributor,
      body: { comment: 'mine' },
    });
    expect(own.status).toBe(403);
    const approved = await h.call('POST', `/api/v1/waivers/${waiver.body.id}/approve`, {
      token: h.tokens.approver,
      body: { comment: 'accepted with manual review of declines' },
    });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', active: true, decidedBy: 'ann-approver' });

    const waived = await promote('2');
    expect(waived.body.status).toBe('completed');
    expect(waived.body.previousVersion).toBe('1');
    const outcomes = waived.body.decision.results
      .filter((r: { outcome: string }) => r.outcome === 'waived')
      .map((r: { binding: string; waiver: string }) => [r.binding, r.waiver]);
    expect(outcomes).toEqual([
      ['warden:gate-tag', waiver.body.id],
      ['credit-models-fair', waiver.body.id],
    ]);

    const store = h.store;
    const entries = await auditRepository.page(store.db, 0, 1000);
    const actions = entries.map((e) => e.action);
    expect(actions).toContain('policy-set.applied');
    expect(actions.filter((a) => a === 'promotion.completed')).toHaveLength(2);
    expect(actions).toContain('promotion.denied');
    expect(actions).toContain('waiver.approved');
    const checkpoint = await h.call('POST', '/api/v1/audit/checkpoints', { token: h.tokens.admin });
    expect(checkpoint.body.checkpoint.seq).toBe(entries.length);
    const key = await h.call('GET', '/api/v1/audit/public-key', { token: h.tokens.viewer });
    const { trustedKeyFromPem } = await import('../../src/audit/index.js');
    const report = await verifyAuditLog(
      (async function* () {
        yield entries.map(verifiableFromRow);
      })(),
      await new AuditLog(store).checkpoints(),
      [trustedKeyFromPem(key.body.publicKey, 'server')],
    );
    expect(report).toMatchObject({
      ok: true,
      entries: entries.length,
      checkpoints: { total: 1, matched: 1 },
    });
  });

  it('enforces four-eyes on waivers: the requester and the version’s creator cannot approve', async () => {
    await setUp();
    const valid = {
      model: 'credit-risk',
      version: '2',
      policy: 'credit-fairness',
      reason: 'temporary exception while the retrained model is validated',
      expiresIn: '7d',
    };
    const request = (token: string) =>
      h.call('POST', '/api/v1/waivers', {
        token,
        body: {
          model: 'credit-risk',
          version: '2',
          policy: 'credit-fairness',
          reason: 'temporary exception while the retrained model is validated',
          expiresIn: '7d',
        },
      });
    const byApprover = await request(h.tokens.approver);
    const self = await h.call('POST', `/api/v1/waivers/${byApprover.body.id}/approve`, {
      token: h.tokens.approver,
      body: { comment: 'ok' },
    });
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe('WARDEN_ERR_GOVERNANCE_SELF_APPROVAL');
    // An approver who registered the version cannot approve a waiver for it either.
    await h.call('POST', '/api/v1/models/credit-risk/versions', {
      token: h.tokens.approver,
      body: { artifact: { uri: 's3://models/credit-risk/3' } },
    });
    const forOwnVersion = await h.call('POST', '/api/v1/waivers', {
      token: h.tokens.contributor,
      body: { ...valid, version: '3' },
    });
    const creator = await h.call('POST', `/api/v1/waivers/${forOwnVersion.body.id}/approve`, {
      token: h.tokens.approver,
      body: { comment: 'ok' },
    });
    expect(creator.body.error.code).toBe('WARDEN_ERR_GOVERNANCE_SELF_APPROVAL');
    expect(creator.body.error.message).toContain('registered version 3');
    const byAdmin = await h.call('POST', `/api/v1/waivers/${byApprover.body.id}/approve`, {
      token: h.tokens.admin,
      body: { comment: 'ok' },
    });
    expect(byAdmin.status).toBe(200);
    const again = await h.call('POST', `/api/v1/waivers/${byApprover.body.id}/approve`, {
      token: h.tokens.admin,
      body: { comment: 'ok' },
    });
    expect(again.body.error.code).toBe('WARDEN_ERR_GOVERNANCE_NOT_PENDING');

    for (const [change, fragment] of [
      [{ policy: 'no-such-policy' }, 'not in the active policy set'],
      [{ validation: 'nope' }, 'has no validation "nope"'],
      [{ reason: 'because' }, 'too short'],
      [{ expiresIn: '120d' }, 'more than 90 days'],
    ] as const) {
      const bad = await h.call('POST', '/api/v1/waivers', {
        token: h.tokens.contributor,
        body: { ...valid, ...change },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain(fragment);
    }
  });

  it('stops honouring a waiver at its expiry, by the clock alone, and alerts on the serving version', async () => {
    const receiver = await startReceiver();
    closeReceiver = receiver.close;
    const clock = testClock();
    await setUp({ clock: clock.now, governance: { sweepIntervalMs: 50 } });
    await h.call('POST', '/api/v1/webhooks', {
      token: h.tokens.admin,
      body: {
        name: 'expiry',
        url: receiver.url,
        events: ['waiver.expired', 'waiver.audit_overdue'],
        format: 'slack',
      },
    });
    const waiver = await h.call('POST', '/api/v1/waivers', {
      token: h.tokens.contributor,
      body: {
        model: 'credit-risk',
        version: '2',
        policy: 'credit-fairness',
        reason: 'temporary exception while the retrained model is validated',
        expiresIn: '2d',
      },
    });
    await h.call('POST', `/api/v1/waivers/${waiver.body.id}/approve`, {
      token: h.tokens.approver,
      body: { comment: 'ok' },
    });
    expect((await promote('2')).body.status).toBe('completed');
    clock.advance(day);
    expect((await promote('2', 'staging')).body.status).toBe('completed');
    clock.advance(day + 1000);
    const after = await promote('2', 'champion');
    expect(after.body.status).toBe('denied');
    expect(
      (await h.call('GET', '/api/v1/waivers?overdue=true', { token: h.tokens.viewer })).body.waivers,
    ).toHaveLength(1);
    await receiver.waitFor(2);
    const texts = receiver.received.map((r) => JSON.parse(r.body).text as string).sort();
    expect(texts[0]).toMatch(
      /^\[warden\] waiver wvr_\w+ for credit-risk v2 \(credit-fairness\): audit overdue/,
    );
    expect(texts[1]).toMatch(/expired/);
  });

  it('waits for an approver when a binding requires one, and enforces four-eyes on the promotion', async () => {
    await setUp({}, 'test/server/fixtures/approval-policies', 'high');
    const pending = await promote('1');
    expect(pending.body).toMatchObject({
      status: 'pending',
      approvalRequiredBy: ['high-risk-needs-approval'],
    });
    expect(
      (await h.call('GET', '/api/v1/models/credit-risk', { token: h.tokens.viewer })).body.aliases,
    ).toEqual([]);
    const byRequesterRole = await h.call('POST', `/api/v1/promotions/${pending.body.id}/approve`, {
      token: h.tokens.contributor,
      body: { comment: 'mine' },
    });
    expect(byRequesterRole.status).toBe(403);
    const own = await promote('1', 'production', h.tokens.approver);
    const self = await h.call('POST', `/api/v1/promotions/${own.body.id}/approve`, {
      token: h.tokens.approver,
      body: { comment: 'self' },
    });
    expect(self.body.error.code).toBe('WARDEN_ERR_GOVERNANCE_SELF_APPROVAL');
    const approved = await h.call('POST', `/api/v1/promotions/${pending.body.id}/approve`, {
      token: h.tokens.approver,
      body: { comment: 'reviewed the validation report' },
    });
    expect(approved.body).toMatchObject({ status: 'completed', reviewedBy: 'ann-approver' });
    const overtaken = await h.call('POST', `/api/v1/promotions/${own.body.id}/approve`, {
      token: h.tokens.admin,
      body: { comment: 'late' },
    });
    expect(overtaken.body.error.code).toBe('WARDEN_ERR_GOVERNANCE_CONFLICT');
    const rejected = await h.call('POST', `/api/v1/promotions/${own.body.id}/reject`, {
      token: h.tokens.admin,
      body: { comment: 'superseded by the approved request' },
    });
    expect(rejected.body.status).toBe('rejected');
  });

  it('lets exactly one of many concurrent promotions of an alias win, and keeps the chain unbroken', async () => {
    await setUp();
    for (let v = 3; v <= 8; v++) {
      await h.call('POST', '/api/v1/models/credit-risk/versions', {
        token: h.tokens.contributor,
        body: { artifact: { uri: `s3://models/credit-risk/${v}` } },
      });
      await h.call('POST', `/api/v1/models/credit-risk/versions/${v}/evidence`, {
        token: h.tokens.contributor,
        body: creditEvaluation(String(v), 0.05),
      });
    }
    const answers = await Promise.all(
      ['1', '3', '4', '5', '6', '7', '8'].map((v) =>
        promote(v, 'production', h.tokens.contributor, { expectedVersion: null }),
      ),
    );
    const winners = answers.filter((a) => a.status === 201);
    expect(winners).toHaveLength(1);
    expect(
      answers
        .filter((a) => a.status === 409)
        .every((a) => a.body.error.code === 'WARDEN_ERR_GOVERNANCE_CONFLICT'),
    ).toBe(true);
    const alias = await h.call('GET', '/api/v1/models/credit-risk/aliases/production', {
      token: h.tokens.viewer,
    });
    expect(alias.body.version).toBe(winners[0]?.body.version);

    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.call('PUT', `/api/v1/models/credit-risk/versions/1/tags/t${i}`, {
          token: h.tokens.contributor,
          body: { value: 'x' },
        }),
      ),
    );
    const rows = await auditRepository.page(h.store.db, 0, 10_000);
    const report = await verifyAuditLog(
      (async function* () {
        yield rows.map(verifiableFromRow);
      })(),
      [],
      [],
    );
    expect(report.ok).toBe(true);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
  });

  it('denies a promotion that no validation applies to (fail closed), and says why', async () => {
    await setUp();
    await h.call('POST', '/api/v1/models', {
      token: h.tokens.contributor,
      body: { name: 'churn', team: 'marketing' },
    });
    await h.call('POST', '/api/v1/models/churn/versions', {
      token: h.tokens.contributor,
      body: { artifact: { uri: 's3://models/churn/1' } },
    });
    const denied = await h.call('POST', '/api/v1/promotions', {
      token: h.tokens.contributor,
      body: { model: 'churn', version: '1', alias: 'staging' },
    });
    expect(denied.body.status).toBe('denied');
    expect(denied.body.decision).toMatchObject({
      allowed: false,
      results: [],
      gateDefault: {
        onNoPolicy: 'deny',
        gate: 'promote:*',
        declaredBy: 'GateDefaults "gate-defaults"',
        reason:
          'no policy applies to gate promote:staging for this subject (no binding selects it), and GateDefaults "gate-defaults" declares promote:* onNoPolicy: deny: denied (fail closed)',
      },
    });
    const alias = await h.call('GET', '/api/v1/models/churn/aliases/staging', { token: h.tokens.viewer });
    expect(alias.status).toBe(404);
  });

  it('refuses promotions before any policy set is applied', async () => {
    h = await startHarness(database);
    await h.call('POST', '/api/v1/models', { token: h.tokens.contributor, body: { name: 'credit-risk' } });
    const refused = await h.call('POST', '/api/v1/promotions', {
      token: h.tokens.contributor,
      body: { model: 'credit-risk', version: '1', alias: 'production' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('WARDEN_ERR_GOVERNANCE_NO_POLICY_SET');
    const invalid = await h.call('PUT', '/api/v1/policy-set', {
      token: h.tokens.admin,
      body: {
        files: [
          {
            path: 'broken.yaml',
            content: 'apiVersion: warden.dev/v1\nkind: Policy\nmetadata: {name: x}\nspec: {validatons: []}\n',
          },
        ],
      },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toContain('broken.yaml:4');
  });
});

describe('webhook delivery', () => {
  it('retries a failing receiver with backoff, logs every attempt, and gives up on a 4xx', async () => {
    const database = testDatabases()[0] as TestDatabase;
    const receiver = await startReceiver([500, 503]);
    const gone = await startReceiver([410]);
    const h = await startHarness(database, {
      allowPrivateWebhooks: true,
      governance: { delivery: { retryBaseMs: 30, maxAttempts: 5, timeoutMs: 2000 } },
    });
    try {
      const hook = await h.call('POST', '/api/v1/webhooks', {
        token: h.tokens.admin,
        body: { name: 'flaky', url: receiver.url, events: ['*'] },
      });
      const goneHook = await h.call('POST', '/api/v1/webhooks', {
        token: h.tokens.admin,
        body: { name: 'gone', url: gone.url, events: ['waiver.requested'] },
      });
      await h.call('PUT', '/api/v1/policy-set', {
        token: h.tokens.admin,
        body: { files: await readPolicyFiles('examples/policies') },
      });
      await h.call('POST', '/api/v1/models', {
        token: h.tokens.contributor,
        body: { name: 'm', labels: { domain: 'credit' } },
      });
      await h.call('POST', '/api/v1/models/m/versions', {
        token: h.tokens.contributor,
        body: { artifact: { uri: 'x' } },
      });
      const waiver = await h.call('POST', '/api/v1/waivers', {
        token: h.tokens.contributor,
        body: {
          model: 'm',
          version: '1',
          policy: 'credit-fairness',
          reason: 'a reason long enough to be audited',
          expiresIn: '1d',
        },
      });
      expect(waiver.status).toBe(201);
      await receiver.waitFor(3);
      const started = Date.now();
      let deliveries: { status: string; attempts: number; lastStatus: number }[] = [];
      while (Date.now() - started < 5000) {
        deliveries = (
          await h.call('GET', `/api/v1/webhooks/${hook.body.webhook.id}/deliveries`, {
            token: h.tokens.admin,
          })
        ).body.deliveries;
        if (deliveries[0]?.status === 'delivered') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 200 });
      const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
      expect(ids.size).toBe(1);
      const refused = (
        await h.call('GET', `/api/v1/webhooks/${goneHook.body.webhook.id}/deliveries`, {
          token: h.tokens.admin,
        })
      ).body.deliveries;
      expect(refused).toEqual([
        expect.objectContaining({
          status: 'failed',
          attempts: 1,
          lastStatus: 410,
          lastError: 'the receiver answered 410',
        }),
      ]);
      expect(gone.received).toHaveLength(1);
    } finally {
      await h.close();
      await receiver.close();
      await gone.close();
    }
  });
});
