import { mkdtempSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashTokenSecret, tokenSecretPattern, WardenError } from '../core/index.js';
import { openStore, parseDatabaseUrl, type Store } from './database.js';
import { decisionRepository } from './decision-repository.js';
import { deliveryRepository } from './delivery-repository.js';
import { labelChangeRepository, type NewLabelChangeRow } from './label-change-repository.js';
import { modelRepository } from './model-repository.js';
import { monitorRepository } from './monitor-repository.js';
import { policySetRepository } from './policy-set-repository.js';
import { type NewPromotionRow, promotionRepository } from './promotion-repository.js';
import { testDatabases } from './test-support/databases.js';
import { issueToken, tokenRepository } from './token-repository.js';
import { type NewWaiverRow, waiverRepository } from './waiver-repository.js';
import { type NewWebhookRow, webhookRepository } from './webhook-repository.js';

async function failure(promise: Promise<unknown>): Promise<WardenError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof WardenError)) throw new Error(`expected a WardenError, got ${String(error)}`);
  return error;
}

const promotion = (id: string, fields: Partial<NewPromotionRow> = {}): NewPromotionRow => ({
  id,
  model_name: 'churn',
  version: 1,
  alias: 'production',
  status: 'pending',
  expected_version: null,
  previous_version: null,
  decision_id: `dec_${id}`,
  approval_required_by: '["risk-review"]',
  comment: null,
  requested_at: '2026-11-20T10:00:00Z',
  requested_by: 'ana',
  ...fields,
});

const waiver = (id: string, fields: Partial<NewWaiverRow> = {}): NewWaiverRow => ({
  id,
  model_name: 'churn',
  version: 1,
  policy: 'fairness',
  validation: null,
  reason: 'the subgroup is too small to measure before launch',
  status: 'requested',
  requested_at: '2026-11-20T10:00:00Z',
  requested_by: 'ana',
  expires_at: '2026-12-01T00:00:00Z',
  audit_due_at: '2026-12-01T00:00:00Z',
  ...fields,
});

const labelChange = (id: string, fields: Partial<NewLabelChangeRow> = {}): NewLabelChangeRow => ({
  id,
  model_name: 'churn',
  old_labels: '{"riskTier":"high"}',
  new_labels: '{"riskTier":"medium"}',
  old_team: 'risk',
  new_team: 'risk',
  reason: 'the model no longer decides credit limits, only ranks offers',
  status: 'pending',
  requested_at: '2026-11-20T10:00:00Z',
  requested_by: 'ana',
  ...fields,
});

const webhook = (id: string, createdAt: string): NewWebhookRow => ({
  id,
  name: id,
  url: `https://hooks.example/${id}`,
  secret: `sealed-${id}`,
  events: '["*"]',
  team: null,
  model_name: null,
  format: 'json',
  created_at: createdAt,
  created_by: 'admin',
});

describe.each(testDatabases())('the store on $dialect', (database) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    const fresh = await database.fresh();
    cleanup = fresh.cleanup;
    store = await openStore(fresh.url);
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('stores only the hash of a token, finds it by hash, and revokes it once', async () => {
    const { token, secret } = await issueToken(
      store.db,
      { name: 'ci', role: 'contributor', teams: ['risk'], expiresAt: null },
      'bootstrap',
    );
    expect(secret).toMatch(tokenSecretPattern);
    expect(token).toMatchObject({
      name: 'ci',
      role: 'contributor',
      teams: ['risk'],
      createdBy: 'bootstrap',
      revokedAt: null,
    });
    const rows = await store.db.selectFrom('tokens').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(rows[0]?.secret_hash).toBe(hashTokenSecret(secret));
    expect((await tokenRepository.findByHash(store.db, hashTokenSecret(secret)))?.id).toBe(token.id);

    expect(
      (await failure(issueToken(store.db, { name: 'ci', role: 'viewer', teams: null, expiresAt: null }, 'x')))
        .code,
    ).toBe('WARDEN_ERR_REGISTRY_CONFLICT');
    expect(await tokenRepository.revoke(store.db, token.id, 'admin', '2026-11-22T00:00:00Z')).toBe(true);
    expect(await tokenRepository.revoke(store.db, token.id, 'admin', '2026-11-22T00:00:00Z')).toBe(false);
    const again = await issueToken(
      store.db,
      { name: 'ci', role: 'viewer', teams: null, expiresAt: null },
      'x',
    );
    expect(again.token.id).not.toBe(token.id);
    expect(await tokenRepository.count(store.db)).toBe(2);
  });

  it('keeps token names unique whatever their case among active tokens', async () => {
    const first = await issueToken(
      store.db,
      { name: 'Approver1', role: 'approver', teams: null, expiresAt: null },
      'admin',
    );
    const refused = await failure(
      issueToken(store.db, { name: 'approver1', role: 'approver', teams: null, expiresAt: null }, 'admin'),
    );
    expect(refused.code).toBe('WARDEN_ERR_REGISTRY_CONFLICT');
    expect(refused.message).toContain('"Approver1"');
    // The index holds even for a writer that skips issueToken's check.
    const raw = tokenRepository.insert(
      store.db,
      {
        id: 'tok_000000000001',
        name: 'APPROVER1',
        secretHash: 'sha256:x',
        role: 'viewer',
        teams: null,
        expiresAt: null,
      },
      'admin',
      '2026-11-22T00:00:00Z',
    );
    expect(
      store.errors.classify(
        await raw.then(
          () => undefined,
          (e: unknown) => e,
        ),
      ),
    ).toBe('unique');
    // A revoked token's name may be taken again, in any case: it is the same actor.
    await tokenRepository.revoke(store.db, first.token.id, 'admin', '2026-11-22T00:00:00Z');
    const again = await issueToken(
      store.db,
      { name: 'approver1', role: 'approver', teams: null, expiresAt: null },
      'admin',
    );
    expect(again.token.name).toBe('approver1');
  });

  it('migrates active tokens whose names differ only in case: the oldest keeps the name', async () => {
    // Back to a database migrated up to 0002 (later migrations must follow 0003 when it runs).
    await sql`drop index tokens_active_name_unique`.execute(store.db);
    await sql`drop table label_changes`.execute(store.db);
    await sql`drop table signing_keys`.execute(store.db);
    for (const column of ['signer', 'signer_key_id', 'envelope']) {
      await sql`alter table evidence drop column ${sql.ref(column)}`.execute(store.db);
    }
    for (const column of ['endpoint_url', 'endpoint_protocol']) {
      await sql`alter table model_versions drop column ${sql.ref(column)}`.execute(store.db);
    }
    for (const table of ['rollouts', 'rollbacks', 'model_slos']) {
      await sql`drop table ${sql.table(table)}`.execute(store.db);
    }
    await sql`delete from warden_migrations where name >= '0003'`.execute(store.db);
    const token = (id: string, name: string, at: string) =>
      tokenRepository.insert(
        store.db,
        { id, name, secretHash: `sha256:${id}`, role: 'approver', teams: null, expiresAt: null },
        'admin',
        at,
      );
    await token('tok_00000000000a', 'Approver1', '2026-11-01T00:00:00Z');
    await token('tok_00000000000b', 'approver1', '2026-11-02T00:00:00Z');
    await token('tok_00000000000c', 'ci', '2026-11-03T00:00:00Z');
    expect(await store.migrate()).toEqual([
      '0003_actor_names_case_insensitive',
      '0004_label_changes',
      '0005_signed_evidence',
      '0006_version_endpoints',
      '0007_rollouts',
    ]);
    const tokens = await tokenRepository.list(store.db);
    expect(tokens.map((t) => [t.name, t.revokedAt === null])).toEqual([
      ['Approver1', true],
      ['approver1', false],
      ['ci', true],
    ]);
    expect(tokens[1]?.revokedBy).toContain('tok_00000000000a');
  });

  it('refuses a database migrated by a newer Warden', async () => {
    await store.db
      .insertInto('warden_migrations' as never)
      .values({ name: '9999_future', timestamp: 'x' } as never)
      .execute();
    const error = await failure(store.migrate());
    expect(error.code).toBe('WARDEN_ERR_STORE_SCHEMA_MISMATCH');
    expect(error.message).toContain('9999_future');
  });

  it('numbers policy sets and finds each version', async () => {
    expect(await policySetRepository.latestVersion(store.db)).toBeUndefined();
    for (const version of [1, 2]) {
      await policySetRepository.insert(store.db, {
        version,
        digest: `sha256:${version}`,
        revision: `r${version}`,
        files: '[{"path":"p.yaml","content":"x"}]',
        applied_at: '2026-11-20T10:00:00Z',
        applied_by: 'admin',
      });
    }
    expect(await policySetRepository.latestVersion(store.db)).toBe(2);
    expect(await policySetRepository.find(store.db, 1)).toMatchObject({ version: 1, revision: 'r1' });
    expect(await policySetRepository.find(store.db, 3)).toBeUndefined();
  });

  it("replaces a model's monitors and reads none for a model without any", async () => {
    await modelRepository.insert(
      store.db,
      { name: 'churn', description: '', owner: null, team: null, labels: {} },
      'ana',
      '2026-11-20T10:00:00Z',
    );
    expect(await monitorRepository.listForModel(store.db, 'churn')).toEqual([]);
    await monitorRepository.set(store.db, 'churn', [{ kind: 'drift' }], 'ana', '2026-11-20T10:00:00Z');
    await monitorRepository.set(store.db, 'churn', [{ kind: 'latency' }], 'bo', '2026-11-21T10:00:00Z');
    expect(await monitorRepository.listForModel(store.db, 'churn')).toEqual([{ kind: 'latency' }]);
  });

  it('keeps the first copy of a decision stored twice', async () => {
    const decision = {
      id: 'dec_1',
      gate: 'promote:production',
      model_name: 'churn',
      version: 1,
      allowed: 1,
      document: '{"first":true}',
      decided_at: '2026-11-20T10:00:00Z',
    };
    await decisionRepository.insert(store.db, decision);
    await decisionRepository.insert(store.db, { ...decision, document: '{"first":false}' });
    expect(await decisionRepository.document(store.db, 'dec_1')).toBe('{"first":true}');
    expect(await decisionRepository.document(store.db, 'dec_2')).toBeUndefined();
  });

  it('lists promotions newest first by model and status, and records a review', async () => {
    await promotionRepository.insert(store.db, promotion('prm_a'));
    await promotionRepository.insert(
      store.db,
      promotion('prm_b', { requested_at: '2026-11-21T10:00:00Z', status: 'completed' }),
    );
    await promotionRepository.insert(store.db, promotion('prm_c', { model_name: 'fraud' }));
    const ids = async (filter: Parameters<typeof promotionRepository.list>[1]) =>
      (await promotionRepository.list(store.db, filter)).map((p) => p.id);
    expect(await ids({ limit: 10 })).toEqual(['prm_b', 'prm_a', 'prm_c']);
    expect(await ids({ model: 'churn', limit: 10 })).toEqual(['prm_b', 'prm_a']);
    expect(await ids({ status: 'pending', limit: 1 })).toEqual(['prm_a']);

    expect(await promotionRepository.find(store.db, 'prm_a')).toMatchObject({
      reviewed_at: null,
      reviewed_by: null,
    });
    await promotionRepository.recordReview(store.db, 'prm_a', {
      status: 'rejected',
      decision_id: 'dec_prm_a',
      reviewed_at: '2026-11-22T10:00:00Z',
      reviewed_by: 'bo',
      review_comment: 'not yet',
    });
    expect(await promotionRepository.find(store.db, 'prm_a')).toMatchObject({
      status: 'rejected',
      reviewed_by: 'bo',
      review_comment: 'not yet',
    });
    expect(await promotionRepository.find(store.db, 'prm_x')).toBeUndefined();
  });

  it('stores label-change requests, lists them by model and status, and settles each once', async () => {
    for (const name of ['churn', 'fraud']) {
      await modelRepository.insert(
        store.db,
        { name, description: '', owner: null, team: 'risk', labels: {} },
        'ana',
        '2026-11-20T09:00:00Z',
      );
    }
    await labelChangeRepository.insert(store.db, labelChange('lch_a'));
    await labelChangeRepository.insert(
      store.db,
      labelChange('lch_b', { requested_at: '2026-11-21T10:00:00Z', new_team: null }),
    );
    await labelChangeRepository.insert(store.db, labelChange('lch_c', { model_name: 'fraud' }));
    const ids = async (filter: Parameters<typeof labelChangeRepository.list>[1]) =>
      (await labelChangeRepository.list(store.db, filter)).map((r) => r.id);
    expect(await ids({ limit: 10 })).toEqual(['lch_b', 'lch_a', 'lch_c']);
    expect(await ids({ model: 'churn', limit: 10 })).toEqual(['lch_b', 'lch_a']);
    expect(await ids({ model: 'fraud', status: 'approved', limit: 10 })).toEqual([]);
    expect(await labelChangeRepository.find(store.db, 'lch_b')).toMatchObject({
      old_team: 'risk',
      new_team: null,
      new_labels: '{"riskTier":"medium"}',
      reviewed_by: null,
    });

    const review = { status: 'approved', reviewed_at: '2026-11-22T10:00:00Z', review_comment: 'ok' };
    const [first, second] = await Promise.all([
      labelChangeRepository.recordReview(store.db, 'lch_a', { ...review, reviewed_by: 'bo' }),
      labelChangeRepository.recordReview(store.db, 'lch_a', { ...review, reviewed_by: 'cy' }),
    ]);
    expect([first, second].sort()).toEqual([false, true]);
    expect(await ids({ status: 'pending', limit: 10 })).toEqual(['lch_b', 'lch_c']);
    expect(await labelChangeRepository.find(store.db, 'lch_x')).toBeUndefined();
    // A request names a registered model.
    await expect(
      labelChangeRepository.insert(store.db, labelChange('lch_d', { model_name: 'ghost' })),
    ).rejects.toThrow();
  });

  it('finds the approved waivers of a version and lists waivers by filter', async () => {
    await waiverRepository.insert(store.db, waiver('wvr_a'));
    await waiverRepository.insert(
      store.db,
      waiver('wvr_b', { requested_at: '2026-11-21T10:00:00Z', validation: 'parity' }),
    );
    await waiverRepository.insert(store.db, waiver('wvr_c', { version: 2 }));
    await waiverRepository.recordDecision(store.db, 'wvr_b', {
      status: 'approved',
      decided_at: '2026-11-21T11:00:00Z',
      decided_by: 'bo',
      decision_comment: 'ok',
    });
    expect(await waiverRepository.approvedFor(store.db, 'churn', 1)).toEqual([
      { id: 'wvr_b', policy: 'fairness', validation: 'parity', expires_at: '2026-12-01T00:00:00Z' },
    ]);
    expect(await waiverRepository.approvedFor(store.db, 'churn', 2)).toEqual([]);
    const ids = async (filter: Parameters<typeof waiverRepository.list>[1]) =>
      (await waiverRepository.list(store.db, filter)).map((w) => w.id);
    expect(await ids({ model: 'churn', version: 1, limit: 10 })).toEqual(['wvr_b', 'wvr_a']);
    expect(await ids({ status: 'requested', limit: 10 })).toEqual(['wvr_a', 'wvr_c']);
    expect(await ids({ limit: 1 })).toEqual(['wvr_b']);
  });

  it('raises each waiver alert once: candidates by time, one claim wins, an audit ends the overdue one', async () => {
    const approve = (id: string) =>
      waiverRepository.recordDecision(store.db, id, {
        status: 'approved',
        decided_at: '2026-11-20T11:00:00Z',
        decided_by: 'bo',
        decision_comment: null,
      });
    await waiverRepository.insert(store.db, waiver('wvr_expiring', { expires_at: '2026-11-25T00:00:00Z' }));
    await waiverRepository.insert(
      store.db,
      waiver('wvr_audit', { expires_at: '2026-12-10T00:00:00Z', audit_due_at: '2026-11-26T00:00:00Z' }),
    );
    await waiverRepository.insert(store.db, waiver('wvr_requested', { expires_at: '2026-11-25T00:00:00Z' }));
    await approve('wvr_expiring');
    await approve('wvr_audit');
    const candidates = async (now: string) =>
      (await waiverRepository.alertCandidates(store.db, now)).map((w) => w.id).sort();

    expect(await candidates('2026-11-24T00:00:00Z')).toEqual([]);
    expect(await candidates('2026-11-27T00:00:00Z')).toEqual(['wvr_audit', 'wvr_expiring']);

    const claims = await Promise.all([
      waiverRepository.claimAlert(store.db, 'wvr_expiring', 'expiry_alerted_at', '2026-11-27T00:00:00Z'),
      waiverRepository.claimAlert(store.db, 'wvr_expiring', 'expiry_alerted_at', '2026-11-27T00:00:01Z'),
    ]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await candidates('2026-11-27T00:00:00Z')).toEqual(['wvr_audit']);

    await waiverRepository.recordAudit(store.db, 'wvr_audit', {
      audited_at: '2026-11-27T01:00:00Z',
      audited_by: 'cy',
      audit_note: 'fine',
    });
    expect(await candidates('2026-11-27T02:00:00Z')).toEqual([]);
    expect(await waiverRepository.find(store.db, 'wvr_audit')).toMatchObject({
      audited_by: 'cy',
      overdue_alerted_at: null,
    });
  });

  it('hides a removed webhook and fails its pending deliveries', async () => {
    await webhookRepository.insert(store.db, webhook('whk_b', '2026-11-21T10:00:00Z'));
    await webhookRepository.insert(store.db, webhook('whk_a', '2026-11-20T10:00:00Z'));
    expect((await webhookRepository.list(store.db)).map((w) => w.id)).toEqual(['whk_a', 'whk_b']);
    await deliveryRepository.insert(store.db, {
      id: 'msg_1',
      webhook_id: 'whk_a',
      event: 'gate.denied',
      body: '{}',
      created_at: '2026-11-22T10:00:00Z',
    });

    await webhookRepository.remove(store.db, 'whk_a', '2026-11-23T10:00:00Z');
    await deliveryRepository.failPending(store.db, 'whk_a', 'the webhook was removed');
    expect(await webhookRepository.find(store.db, 'whk_a')).toBeUndefined();
    expect((await webhookRepository.list(store.db)).map((w) => w.id)).toEqual(['whk_b']);
    expect(await deliveryRepository.listForWebhook(store.db, 'whk_a', 10)).toMatchObject([
      { id: 'msg_1', status: 'failed', last_error: 'the webhook was removed' },
    ]);
  });

  it('hands a due delivery to one sender at a time and records the attempt', async () => {
    await webhookRepository.insert(store.db, webhook('whk_a', '2026-11-20T10:00:00Z'));
    for (const [id, at] of [
      ['msg_1', '2026-11-22T10:00:00Z'],
      ['msg_2', '2026-11-22T10:00:05Z'],
    ] as const) {
      await deliveryRepository.insert(store.db, {
        id,
        webhook_id: 'whk_a',
        event: 'gate.denied',
        body: `{"id":"${id}"}`,
        created_at: at,
      });
    }
    expect(await deliveryRepository.due(store.db, '2026-11-22T10:00:01Z', 50)).toEqual([
      {
        id: 'msg_1',
        body: '{"id":"msg_1"}',
        event: 'gate.denied',
        attempts: 0,
        url: 'https://hooks.example/whk_a',
        secret: 'sealed-whk_a',
      },
    ]);
    expect((await deliveryRepository.due(store.db, '2026-11-22T10:00:10Z', 1)).map((d) => d.id)).toEqual([
      'msg_1',
    ]);

    const now = '2026-11-22T10:00:10Z';
    const until = '2026-11-22T10:00:30Z';
    const claims = await Promise.all([
      deliveryRepository.claim(store.db, 'msg_1', now, until),
      deliveryRepository.claim(store.db, 'msg_1', now, until),
    ]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect((await deliveryRepository.due(store.db, now, 50)).map((d) => d.id)).toEqual(['msg_2']);
    expect(
      await deliveryRepository.claim(store.db, 'msg_1', '2026-11-22T10:00:31Z', '2026-11-22T10:01:00Z'),
    ).toBe(true);

    await deliveryRepository.recordAttempt(store.db, 'msg_1', {
      status: 'pending',
      attempts: 1,
      last_status: 503,
      last_error: 'the receiver answered 503',
      next_attempt_at: '2026-11-22T10:05:00Z',
    });
    await deliveryRepository.recordAttempt(store.db, 'msg_2', {
      status: 'delivered',
      attempts: 1,
      last_status: 200,
      last_error: null,
      next_attempt_at: '2026-11-22T10:05:00Z',
      delivered_at: '2026-11-22T10:00:40Z',
    });
    expect((await deliveryRepository.due(store.db, '2026-11-22T10:05:00Z', 50)).map((d) => d.id)).toEqual([
      'msg_1',
    ]);
    expect(await deliveryRepository.listForWebhook(store.db, 'whk_a', 10)).toMatchObject([
      { id: 'msg_2', status: 'delivered', delivered_at: '2026-11-22T10:00:40Z', claimed_until: null },
      { id: 'msg_1', status: 'pending', attempts: 1, last_status: 503, claimed_until: null },
    ]);
    expect((await deliveryRepository.listForWebhook(store.db, 'whk_a', 1)).map((d) => d.id)).toEqual([
      'msg_2',
    ]);
  });
});

describe('database URLs and faults', () => {
  it('parses sqlite and postgres URLs and masks passwords', () => {
    expect(parseDatabaseUrl('sqlite:.warden/warden.db')).toEqual({
      dialect: 'sqlite',
      path: '.warden/warden.db',
    });
    expect(parseDatabaseUrl('sqlite:///var/lib/warden.db')).toEqual({
      dialect: 'sqlite',
      path: '/var/lib/warden.db',
    });
    const pg = parseDatabaseUrl('postgres://warden:s3cret@db:5432/gov?schema=reg');
    expect(pg).toMatchObject({
      dialect: 'postgres',
      schema: 'reg',
      shown: 'postgres://warden:***@db:5432/gov',
    });
    expect(JSON.stringify(failureSync(() => parseDatabaseUrl('mysql://u:pw@h/db')))).not.toContain('pw');
    expect(failureSync(() => parseDatabaseUrl('mysql://u:pw@h/db')).message).toContain('use sqlite:PATH');
    expect(failureSync(() => parseDatabaseUrl('postgres://h/db?schema=Bad-Name')).code).toBe(
      'WARDEN_ERR_STORE_INVALID_URL',
    );
  });

  it('reports PostgreSQL down at open as unavailable (exit 3), with the password masked', async () => {
    const port = await closedPort();
    const error = await failure(openStore(`postgres://warden:hunter2@127.0.0.1:${port}/warden`));
    expect(error.code).toBe('WARDEN_ERR_STORE_UNAVAILABLE');
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain(`postgres://warden:***@127.0.0.1:${port}/warden`);
    expect(error.message).not.toContain('hunter2');
  });

  it('creates a SQLite database readable by its owner only, and its -wal and -shm too', async () => {
    const directory = join(mkdtempSync(join(tmpdir(), 'warden-mode-')), 'new-dir');
    const file = join(directory, 'warden.db');
    const previous = process.umask(0o022);
    try {
      const store = await openStore(`sqlite:${file}`);
      try {
        await issueToken(store.db, { name: 'ci', role: 'viewer', teams: null, expiresAt: null }, 'x');
        const mode = (path: string) => statSync(path).mode & 0o777;
        expect(mode(file).toString(8)).toBe('600');
        expect(mode(`${file}-wal`).toString(8)).toBe('600');
        expect(mode(`${file}-shm`).toString(8)).toBe('600');
        expect(mode(directory).toString(8)).toBe('700');
      } finally {
        await store.close();
      }
    } finally {
      process.umask(previous);
    }
  });

  it('reports a SQLite path that is a directory as unavailable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-dir-'));
    const error = await failure(openStore(`sqlite:${dir}`));
    expect(error.code).toBe('WARDEN_ERR_STORE_UNAVAILABLE');
    expect(error.message).toContain('is a directory');
  });
});

function failureSync(run: () => unknown): WardenError {
  try {
    run();
  } catch (error) {
    if (error instanceof WardenError) return error;
    throw error;
  }
  throw new Error('expected a WardenError');
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise((done) => server.close(done));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
