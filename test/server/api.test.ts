import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyEvidenceId } from '../../src/core/index.js';
import { routes } from '../../src/server/index.js';
import { versionRepository } from '../../src/store/index.js';
import { testDatabases } from '../../src/store/test-support/databases.js';
import { evidenceAbout, type Harness, startHarness } from './harness.js';

describe.each(testDatabases())('the HTTP API on $dialect', (database) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(database, { bodyLimit: 64 * 1024 });
  });
  afterAll(async () => h.close());

  it('answers health and readiness without a token', async () => {
    expect(await h.call('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await h.call('GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('serves an OpenAPI document that lists every route with its role', async () => {
    const { status, body } = await h.call('GET', '/api/v1/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    for (const route of routes) {
      const operation = body.paths[route.path.replace(/:([A-Za-z]+)/g, '{$1}')]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toMatchObject({
        operationId: route.operationId,
        'x-warden-role': route.role,
      });
    }
    const create = body.paths['/api/v1/models'].post.requestBody.content['application/json'].schema;
    expect(create).toMatchObject({ type: 'object', required: ['name'], additionalProperties: false });
  });

  it('runs the newcomer path: model, version, evidence, read back', async () => {
    const { tokens } = h;
    const model = await h.call('POST', '/api/v1/models', {
      token: tokens.contributor,
      body: {
        name: 'credit-risk',
        owner: 'risk-ml',
        team: 'risk',
        labels: { domain: 'credit', riskTier: 'high' },
      },
    });
    expect(model).toMatchObject({
      status: 201,
      body: { name: 'credit-risk', createdBy: 'carl-contributor' },
    });
    const version = await h.call('POST', '/api/v1/models/credit-risk/versions', {
      token: tokens.contributor,
      body: {
        artifact: { uri: 's3://models/credit-risk/1', digest: `sha256:${'a'.repeat(64)}` },
        runId: 'run-7',
      },
    });
    expect(version).toMatchObject({
      status: 201,
      body: { model: 'credit-risk', version: '1', runId: 'run-7' },
    });
    const evidence = evidenceAbout({ type: 'model-version', name: 'credit-risk', version: '1' });
    const receipt = await h.call('POST', '/api/v1/models/credit-risk/versions/1/evidence', {
      token: tokens.contributor,
      body: evidence,
    });
    expect(receipt).toMatchObject({ status: 201, body: { id: evidence.id, stored: true, attached: true } });
    const again = await h.call('POST', '/api/v1/models/credit-risk/versions/1/evidence', {
      token: tokens.contributor,
      body: evidence,
    });
    expect(again.body).toMatchObject({ stored: false, attached: false });

    const listed = await h.call('GET', '/api/v1/models/credit-risk/versions/1/evidence?latest=true', {
      token: tokens.viewer,
    });
    expect(listed.body.evidence).toEqual([
      expect.objectContaining({ id: evidence.id, kind: 'model-evaluation', attachedBy: 'carl-contributor' }),
    ]);
    const document = await h.call('GET', `/api/v1/evidence/${evidence.id}`, { token: tokens.viewer });
    expect(document.status).toBe(200);
    expect(document.body).toEqual(evidence);
    expect(verifyEvidenceId(document.body)).toBe(true);

    await versionRepository.setAlias(
      h.store.db,
      'credit-risk',
      'production',
      1,
      'ann',
      '2026-11-22T10:00:00Z',
    );
    const byAlias = await h.call('GET', '/api/v1/models/credit-risk/aliases/production', {
      token: tokens.viewer,
    });
    expect(byAlias.body).toMatchObject({ version: '1', aliases: ['production'] });
    const list = await h.call('GET', '/api/v1/models?label=domain:credit', { token: tokens.viewer });
    expect(list.body.models.map((m: { name: string }) => m.name)).toEqual(['credit-risk']);
  });

  it('refuses bad input with a coded error that names the field and the fix', async () => {
    const t = h.tokens.admin;
    const unknown = await h.call('POST', '/api/v1/models', {
      token: t,
      body: { name: 'x', riskTeir: 'high' },
    });
    expect(unknown).toMatchObject({
      status: 400,
      body: { error: { code: 'WARDEN_ERR_API_INVALID_REQUEST' } },
    });
    expect(unknown.body.error.message).toContain('unknown field "riskTeir"');
    const missing = await h.call('POST', '/api/v1/models', { token: t, body: { description: 'no name' } });
    expect(missing.body.error.issues).toEqual([expect.objectContaining({ path: 'body.name' })]);
    const badName = await h.call('POST', '/api/v1/models', { token: t, body: { name: '../etc' } });
    expect(badName.body.error.message).toContain('a model name is');

    const json = await h.call('POST', '/api/v1/models', { token: t, raw: '{"name": "x",' });
    expect(json).toMatchObject({ status: 400, body: { error: { code: 'WARDEN_ERR_API_INVALID_REQUEST' } } });
    expect(json.body.error.message).toContain('not valid JSON');
    const media = await h.call('POST', '/api/v1/models', {
      token: t,
      raw: 'name=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(media.status).toBe(400);
    expect(media.body.error.code).toBe('WARDEN_ERR_API_INVALID_REQUEST');
    const big = await h.call('POST', '/api/v1/models', {
      token: t,
      body: { name: 'big', description: 'x'.repeat(70 * 1024) },
    });
    expect(big).toMatchObject({ status: 413, body: { error: { code: 'WARDEN_ERR_API_BODY_TOO_LARGE' } } });
    const route = await h.call('GET', '/api/v1/modles', { token: t });
    expect(route).toMatchObject({ status: 404, body: { error: { code: 'WARDEN_ERR_API_NOT_FOUND' } } });
    const query = await h.call('GET', '/api/v1/models?limit=0', { token: t });
    expect(query.body.error.issues[0].path).toBe('query.limit');
    for (const answer of [unknown, json, big, route]) expect(answer.text).not.toMatch(/\bat .+:\d+:\d+/);
  });

  it('refuses duplicates, missing parents, and altered evidence, changing nothing', async () => {
    const t = h.tokens.admin;
    await h.call('POST', '/api/v1/models', { token: t, body: { name: 'dup' } });
    const duplicate = await h.call('POST', '/api/v1/models', {
      token: t,
      body: { name: 'dup', description: 'second' },
    });
    expect(duplicate).toMatchObject({
      status: 409,
      body: { error: { code: 'WARDEN_ERR_REGISTRY_CONFLICT' } },
    });
    expect((await h.call('GET', '/api/v1/models/dup', { token: t })).body.description).toBe('');
    const orphan = await h.call('POST', '/api/v1/models/ghost/versions', {
      token: t,
      body: { artifact: { uri: 'x' } },
    });
    expect(orphan).toMatchObject({ status: 404, body: { error: { code: 'WARDEN_ERR_REGISTRY_NOT_FOUND' } } });
    await h.call('POST', '/api/v1/models/dup/versions', { token: t, body: { artifact: { uri: 'x' } } });
    const missing = await h.call('GET', '/api/v1/models/dup/versions/5', { token: t });
    expect(missing).toMatchObject({ status: 404 });
    expect(missing.body.error.message).toContain('its versions are 1 to 1');
    const good = evidenceAbout({ type: 'model-version', name: 'dup', version: '1' });
    const altered = await h.call('POST', '/api/v1/models/dup/versions/1/evidence', {
      token: t,
      body: { ...good, passed: false },
    });
    expect(altered).toMatchObject({
      status: 400,
      body: { error: { code: 'WARDEN_ERR_EVIDENCE_INVALID' } },
    });
    expect(
      (await h.call('GET', '/api/v1/models/dup/versions/1/evidence', { token: t })).body.evidence,
    ).toEqual([]);
  });

  it('numbers concurrent version registrations without losing one', async () => {
    const t = h.tokens.contributor;
    await h.call('POST', '/api/v1/models', { token: t, body: { name: 'race' } });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        h.call('POST', '/api/v1/models/race/versions', {
          token: t,
          body: { artifact: { uri: `s3://race/${i}` } },
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(201));
    expect(answers.map((a) => Number(a.body.version)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    expect((await h.call('GET', '/api/v1/models/race', { token: t })).body.latestVersion).toBe(30);
  });

  it('keeps team-scoped tokens to their teams and records the actor', async () => {
    const risk = h.tokens.riskContributor;
    expect(
      (await h.call('POST', '/api/v1/models', { token: risk, body: { name: 'risk-model', team: 'risk' } }))
        .status,
    ).toBe(201);
    const other = await h.call('POST', '/api/v1/models', {
      token: risk,
      body: { name: 'ads-model', team: 'ads' },
    });
    expect(other).toMatchObject({ status: 403, body: { error: { code: 'WARDEN_ERR_AUTH_FORBIDDEN' } } });
    await h.call('POST', '/api/v1/models', {
      token: h.tokens.admin,
      body: { name: 'growth-model', team: 'growth' },
    });
    expect(
      (
        await h.call('POST', '/api/v1/models/growth-model/versions', {
          token: risk,
          body: { artifact: { uri: 'x' } },
        })
      ).status,
    ).toBe(403);
    expect((await h.call('GET', '/api/v1/models/growth-model', { token: risk })).status).toBe(200);
    const version = await h.call('POST', '/api/v1/models/risk-model/versions', {
      token: risk,
      body: { artifact: { uri: 'x' } },
    });
    expect(version.body.createdBy).toBe('rita-risk');
  });

  it('shows a token secret once, stores only its hash, and stops a revoked token at once', async () => {
    const created = await h.call('POST', '/api/v1/tokens', {
      token: h.tokens.admin,
      body: { name: 'pipeline', role: 'contributor' },
    });
    expect(created.status).toBe(201);
    const secret: string = created.body.secret;
    expect(secret).toMatch(/^wdn_[A-Za-z0-9_-]{43}$/);
    const listed = await h.call('GET', '/api/v1/tokens', { token: h.tokens.admin });
    expect(listed.text).not.toContain(secret);
    const row = await h.store.db
      .selectFrom('tokens')
      .selectAll()
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    expect(row.secret_hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect((await h.call('GET', '/api/v1/whoami', { token: secret })).body).toMatchObject({
      actor: 'pipeline',
      role: 'contributor',
    });
    expect(
      (await h.call('DELETE', `/api/v1/tokens/${created.body.id}`, { token: h.tokens.admin })).body.revokedBy,
    ).toBe('ada-admin');
    const refused = await h.call('GET', '/api/v1/whoami', { token: secret });
    expect(refused).toMatchObject({
      status: 401,
      body: { error: { code: 'WARDEN_ERR_AUTH_UNAUTHENTICATED' } },
    });
    expect(refused.body.error.message).toContain('was revoked');
    const expired = await h.call('POST', '/api/v1/tokens', {
      token: h.tokens.admin,
      body: { name: 'old', role: 'viewer', expiresAt: '2020-01-01T00:00:00Z' },
    });
    expect(
      (await h.call('GET', '/api/v1/whoami', { token: expired.body.secret })).body.error.message,
    ).toContain('expired');
    const scopedAdmin = await h.call('POST', '/api/v1/tokens', {
      token: h.tokens.admin,
      body: { name: 'x', role: 'admin', teams: ['risk'] },
    });
    expect(scopedAdmin.status).toBe(400);
  });
});

describe('docs/api.md', () => {
  it('lists every route with its role', async () => {
    const { readFile } = await import('node:fs/promises');
    const page = await readFile(new URL('../../docs/api.md', import.meta.url), 'utf8');
    for (const route of routes) {
      const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
      expect(page, `${route.method} ${path}`).toMatch(
        new RegExp(
          `\\| ${route.method}\\s+\\| \`${path.replace(/[{}]/g, '\\$&')}\`\\s+\\| ${route.role}\\s+\\|`,
        ),
      );
    }
  });
});
