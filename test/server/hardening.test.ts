import { afterEach, describe, expect, it } from 'vitest';
import { sealEvidence } from '../../src/core/index.js';
import { readPolicyFiles } from '../../src/policy/index.js';
import { type TestDatabase, testDatabases } from '../../src/store/test-support/databases.js';
import { evidenceAbout, type Harness, startHarness } from './harness.js';
import { startReceiver } from './webhook-receiver.js';

/** JSON nested `depth` levels deep: [[[…]]]. */
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe.each(testDatabases())('server input hardening on $dialect', (database: TestDatabase) => {
  let h: Harness;
  afterEach(async () => h?.close());

  async function withModel(name = 'credit-risk', options: Parameters<typeof startHarness>[1] = {}) {
    h = await startHarness(database, options);
    expect(
      (await h.call('POST', '/api/v1/models', { token: h.tokens.contributor, body: { name } })).status,
    ).toBe(201);
    await h.call('POST', `/api/v1/models/${name}/versions`, {
      token: h.tokens.contributor,
      body: { artifact: { uri: 's3://m/1' } },
    });
  }

  /**
   * A model with version 1 evaluated, under the approval policies (high risk waits for a person),
   * with promotions to staging declared open: no policy covers them, and gates fail closed.
   */
  async function withEvaluatedModel(name: string) {
    await withModel(name);
    const stagingOpen = {
      path: 'gate-defaults.yaml',
      content:
        'apiVersion: warden.dev/v1\nkind: GateDefaults\nmetadata:\n  name: staging-open\nspec:\n  gates:\n    "promote:staging": { onNoPolicy: allow }\n',
    };
    await h.call('PUT', '/api/v1/policy-set', {
      token: h.tokens.admin,
      body: { files: [...(await readPolicyFiles('test/server/fixtures/approval-policies')), stagingOpen] },
    });
    await h.call('POST', `/api/v1/models/${name}/versions/1/evidence`, {
      token: h.tokens.contributor,
      body: evidenceAbout({ type: 'model-version', name, version: '1' }),
    });
  }

  it('answers 400 with a coded error to a body that is not UTF-8', async () => {
    await withModel();
    const response = await fetch(`${h.server.url}/api/v1/models`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.tokens.contributor}`, 'content-type': 'application/json' },
      body: Buffer.concat([Buffer.from('{"name": "caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
    });
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(response.status).toBe(400);
    expect(body.error.code).toBe('WARDEN_ERR_API_INVALID_REQUEST');
    expect(body.error.message).toContain('not valid UTF-8');
  });

  it('answers 400 to JSON nested deeper than 64 levels on every body, and accepts 64', async () => {
    await withModel();
    const deep = nested(5000);
    // A sealed document whose id is right: only its depth is wrong.
    const deepEvidence = sealEvidence(
      {
        kind: 'data-check',
        subject: { type: 'model-version', name: 'credit-risk', version: '1' },
        inputs: [],
        passed: true,
        extra: JSON.parse(nested(1000)), // deep enough; 5000 overflows the sealing here too
      },
      new Date('2026-11-01T10:00:00Z'),
    );
    const bodies: [string, string, string][] = [
      ['POST', '/api/v1/models/credit-risk/versions/1/evidence', JSON.stringify(deepEvidence)],
      ['POST', '/api/v1/models/credit-risk/versions/1/lineage', `{"parameters": {"x": ${deep}}}`],
      ['PUT', '/api/v1/models/credit-risk/monitors', `{"monitors": [{"name": "m", "owner": ${deep}}]}`],
      ['PATCH', '/api/v1/models/credit-risk', `{"labels": ${deep}}`],
      ['POST', '/api/v1/models', `{"name": "x", "labels": {"a": ${nested(65)}}}`],
    ];
    for (const [method, path, raw] of bodies) {
      const answer = await h.call(method, path, { token: h.tokens.contributor, raw });
      expect(answer.status, `${method} ${path}: ${answer.text}`).toBe(400);
      expect(answer.body.error.code).toBe('WARDEN_ERR_API_INVALID_REQUEST');
      expect(answer.body.error.message).toContain('more than 64 levels deep');
    }
    // 64 levels in all (the body object is the first) pass the depth check and reach the schema.
    const atLimit = await h.call('POST', '/api/v1/models/credit-risk/versions/1/lineage', {
      token: h.tokens.contributor,
      raw: `{"parameters": {"x": ${nested(62)}}}`,
    });
    expect(atLimit.status, atLimit.text).toBe(201);
    // Brackets inside strings are text, not nesting.
    const inString = await h.call('PATCH', '/api/v1/models/credit-risk', {
      token: h.tokens.contributor,
      body: { description: nested(200) },
    });
    expect(inString.status, inString.text).toBe(200);
  });

  it('refuses monitors that do not fit the schema and keeps the stored ones', async () => {
    await withModel();
    const valid = [
      { name: 'credit-risk-production', signals: ['drift', 'performance'], owner: 'oncall', window: '1d' },
    ];
    const set = await h.call('PUT', '/api/v1/models/credit-risk/monitors', {
      token: h.tokens.contributor,
      body: { monitors: valid },
    });
    expect(set.status, set.text).toBe(200);
    const junk: [unknown, string][] = [
      [[{ foo: 1 }], 'body.monitors.0'],
      [[{ name: 'x', signals: 'drift' }], 'body.monitors.0.signals'],
      [[{ name: 'x', singals: ['drift'] }], 'singals'],
      [[{ name: 'x', window: 'soon' }], 'body.monitors.0.window'],
      [[{ name: 'x', enabled: 'yes' }], 'body.monitors.0.enabled'],
      [[{ name: 'x' }, { name: 'x' }], 'a second monitor named "x"'],
      [['junk'], 'body.monitors.0'],
    ];
    for (const [monitors, problem] of junk) {
      const refused = await h.call('PUT', '/api/v1/models/credit-risk/monitors', {
        token: h.tokens.contributor,
        body: { monitors },
      });
      expect(refused.status, JSON.stringify(monitors)).toBe(400);
      expect(refused.body.error.code).toBe('WARDEN_ERR_API_INVALID_REQUEST');
      expect(refused.body.error.message).toContain(problem);
    }
    const stored = await h.call('GET', '/api/v1/models/credit-risk/monitors', { token: h.tokens.viewer });
    expect(stored.body.monitors).toEqual(valid);
  });

  it('answers /readyz without the database location', async () => {
    h = await startHarness(database);
    const ready = await h.call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
    expect(ready.text).not.toContain(h.store.location.replace(/^sqlite:/, ''));
  });

  it('promotes a model whose name has capitals: one name rule at create and at promote', async () => {
    await withEvaluatedModel('Credit-Risk');
    const promoted = await h.call('POST', '/api/v1/promotions', {
      token: h.tokens.contributor,
      body: { model: 'Credit-Risk', version: '1', alias: 'staging' },
    });
    expect(promoted.status, promoted.text).toBe(201);
    expect(promoted.body.status).toBe('completed');
    const gate = await h.call('POST', '/api/v1/models/Credit-Risk/versions/1/gates', {
      token: h.tokens.contributor,
      body: { gate: 'promote:production' },
    });
    expect(gate.status, gate.text).toBe(201);
    // An alias the registry could never read back is refused with the registry's own message.
    const dotted = await h.call('POST', '/api/v1/promotions', {
      token: h.tokens.contributor,
      body: { model: 'Credit-Risk', version: '1', alias: 'prod.v2' },
    });
    const read = await h.call('GET', '/api/v1/models/Credit-Risk/aliases/prod.v2', {
      token: h.tokens.viewer,
    });
    expect(dotted.status).toBe(400);
    expect(read.status).toBe(400);
    expect(dotted.body.error.issues[0].message).toBe(read.body.error.issues[0].message);
  });

  it('treats token names that differ only in case as one actor, for names and for four-eyes', async () => {
    await withEvaluatedModel('credit-risk');
    // riskTier is a protected label: raising it is an approver's act.
    const relabelled = await h.call('PATCH', '/api/v1/models/credit-risk', {
      token: h.tokens.approver,
      body: { labels: { riskTier: 'high' } },
    });
    expect(relabelled.status, relabelled.text).toBe(200);
    const token = async (name: string, role: string) =>
      h.call('POST', '/api/v1/tokens', { token: h.tokens.admin, body: { name, role } });
    const requester = await token('Rita', 'contributor');
    expect(requester.status).toBe(201);
    const twin = await token('rita', 'approver');
    expect(twin.status).toBe(409);
    expect(twin.body.error.message).toContain('"Rita"');

    const pending = await h.call('POST', '/api/v1/promotions', {
      token: requester.body.secret,
      body: { model: 'credit-risk', version: '1', alias: 'production' },
    });
    expect(pending.body.status, pending.text).toBe('pending');
    // Rita's contributor token is revoked and she comes back as "rita", an approver: still Rita.
    await h.call('DELETE', `/api/v1/tokens/${requester.body.id}`, { token: h.tokens.admin });
    const approver = await token('rita', 'approver');
    expect(approver.status, approver.text).toBe(201);
    const self = await h.call('POST', `/api/v1/promotions/${pending.body.id}/approve`, {
      token: approver.body.secret,
      body: { comment: 'looks fine to me' },
    });
    expect(self.status, self.text).toBe(403);
    expect(self.body.error.code).toBe('WARDEN_ERR_GOVERNANCE_SELF_APPROVAL');
  });
});

describe.each(testDatabases())('webhook targets on $dialect', (database: TestDatabase) => {
  let h: Harness;
  let closeReceiver: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await h?.close();
    await closeReceiver?.();
    closeReceiver = undefined;
  });

  const addHook = (url: string) =>
    h.call('POST', '/api/v1/webhooks', {
      token: h.tokens.admin,
      body: { name: 'owners', url, events: ['*'] },
    });

  async function deliveriesOf(
    id: string,
    until: (d: { status: string; lastError: string | null }) => boolean,
  ) {
    const started = Date.now();
    let deliveries: { status: string; attempts: number; lastError: string | null }[] = [];
    while (Date.now() - started < 5000) {
      deliveries = (await h.call('GET', `/api/v1/webhooks/${id}/deliveries`, { token: h.tokens.admin })).body
        .deliveries;
      if (deliveries[0] !== undefined && until(deliveries[0])) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    return deliveries;
  }

  /** Something every webhook hears: a model and version, then a waiver request. */
  async function raiseEvent() {
    await h.call('PUT', '/api/v1/policy-set', {
      token: h.tokens.admin,
      body: { files: await readPolicyFiles('test/server/fixtures/approval-policies') },
    });
    await h.call('POST', '/api/v1/models', { token: h.tokens.contributor, body: { name: 'm' } });
    await h.call('POST', '/api/v1/models/m/versions', {
      token: h.tokens.contributor,
      body: { artifact: { uri: 'x' } },
    });
    const waiver = await h.call('POST', '/api/v1/waivers', {
      token: h.tokens.contributor,
      body: {
        model: 'm',
        version: '1',
        policy: 'has-evaluation',
        reason: 'a reason long enough to be audited',
        expiresIn: '1d',
      },
    });
    expect(waiver.status, waiver.text).toBe(201);
  }

  it('refuses loopback, private, link-local, CGNAT and metadata targets at registration', async () => {
    h = await startHarness(database);
    const refused = [
      ['http://127.0.0.1:9/hooks', 'loopback'],
      ['http://localhost:9/hooks', 'loopback'],
      ['http://[::1]:9/hooks', 'loopback'],
      ['http://[::ffff:127.0.0.1]:9/hooks', 'loopback'],
      ['http://0.0.0.0:9/hooks', 'this-network'],
      ['http://10.1.2.3/hooks', 'private'],
      ['http://172.16.0.1/hooks', 'private'],
      ['http://192.168.1.1/hooks', 'private'],
      ['http://100.64.0.1/hooks', 'carrier-grade NAT'],
      ['http://169.254.169.254/latest/meta-data', 'link-local'],
      ['http://[fe80::1]/hooks', 'link-local'],
      ['http://[fd00:ec2::254]/latest', 'unique local'],
      ['http://2130706433/hooks', 'loopback'], // 127.0.0.1 written as one number
    ];
    for (const [url, kind] of refused) {
      const answer = await addHook(url as string);
      expect(answer.status, url).toBe(400);
      expect(answer.body.error.code).toBe('WARDEN_ERR_GOVERNANCE_INVALID_WEBHOOK');
      expect(answer.body.error.message).toContain(kind);
      expect(answer.body.error.message).toContain('--allow-private-webhooks');
    }
    // A public literal address (documentation range: nothing is sent there) is accepted.
    expect((await addHook('https://192.0.2.10/hooks')).status).toBe(201);
  });

  it('checks the address again at delivery: a receiver that now resolves to loopback gets nothing', async () => {
    const receiver = await startReceiver();
    closeReceiver = receiver.close;
    h = await startHarness(database, { governance: { delivery: { retryBaseMs: 10_000, maxAttempts: 1 } } });
    const hook = await addHook('https://192.0.2.10/hooks');
    expect(hook.status, hook.text).toBe(201);
    // As if the receiver's DNS name had been pointed at this machine since registration.
    const local = receiver.url.replace('127.0.0.1', 'localhost');
    await h.store.db
      .updateTable('webhooks')
      .set({ url: local })
      .where('id', '=', hook.body.webhook.id)
      .execute();
    await raiseEvent();
    const [delivery] = await deliveriesOf(hook.body.webhook.id, (d) => d.status !== 'pending');
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1 });
    expect(delivery?.lastError).toMatch(/^refused: localhost \((127\.0\.0\.1|::1)\) is a loopback address/);
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses credentials in a webhook URL and never shows a stored password', async () => {
    h = await startHarness(database, {
      allowPrivateWebhooks: true,
      governance: { delivery: { retryBaseMs: 10_000, maxAttempts: 1 } },
    });
    const withPassword = await addHook('http://owner:s3cret-pass@127.0.0.1:9/hooks');
    expect(withPassword.status).toBe(400);
    expect(withPassword.body.error.message).toContain('credentials');
    expect(withPassword.text).not.toContain('s3cret-pass');

    // A webhook stored with a password before this rule: neither the list nor the log shows it.
    const hook = await addHook('http://127.0.0.1:9/hooks');
    await h.store.db
      .updateTable('webhooks')
      .set({ url: 'http://owner:s3cret-pass@127.0.0.1:9/hooks' })
      .where('id', '=', hook.body.webhook.id)
      .execute();
    await raiseEvent();
    const deliveries = await deliveriesOf(hook.body.webhook.id, (d) => d.status !== 'pending');
    expect(deliveries[0]?.status).toBe('failed');
    const listed = await h.call('GET', '/api/v1/webhooks', { token: h.tokens.admin });
    const log = await h.call('GET', `/api/v1/webhooks/${hook.body.webhook.id}/deliveries`, {
      token: h.tokens.admin,
    });
    expect(listed.text).not.toContain('s3cret-pass');
    expect(log.text).not.toContain('s3cret-pass');
    const stored = await h.store.db.selectFrom('webhook_deliveries').select('last_error').execute();
    expect(JSON.stringify(stored)).not.toContain('s3cret-pass');
  });
});
