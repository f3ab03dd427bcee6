import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Role, roleAllows, roles } from '../../src/core/index.js';
import { type Route, routes } from '../../src/server/index.js';
import { versionRepository } from '../../src/store/index.js';
import { testDatabases } from '../../src/store/test-support/databases.js';
import { evidenceAbout, type Harness, startHarness } from './harness.js';

/** Concrete values for a route's path parameters, over the records seeded below. */
function concretePath(route: Route, evidenceId: string): string {
  return route.path
    .replace(':model', 'matrix')
    .replace(':version', '1')
    .replace(':alias', 'production')
    .replace(':key', 'reviewed')
    .replace(':id', idFor(route.path, evidenceId));
}

function idFor(path: string, evidenceId: string): string {
  for (const [prefix, id] of [
    ['/api/v1/tokens', 'tok_000000000000'],
    ['/api/v1/promotions', 'prm_000000000000'],
    ['/api/v1/waivers', 'wvr_000000000000'],
    ['/api/v1/webhooks', 'whk_000000000000'],
    ['/api/v1/label-changes', 'lch_000000000000'],
  ] as const) {
    if (path.startsWith(prefix)) return id;
  }
  return evidenceId;
}

const matrixPolicy = `apiVersion: warden.dev/v1
kind: Policy
metadata: { name: matrix }
spec:
  validations: [{ name: ok, expression: 'true' }]
`;

let counter = 0;
function bodyFor(route: Route): unknown {
  counter += 1;
  switch (route.operationId) {
    case 'createModel':
      return { name: `matrix-${counter}` };
    case 'updateModel':
      return { description: `changed ${counter}` };
    case 'createVersion':
      return { artifact: { uri: `s3://matrix/${counter}` } };
    case 'applyPolicySet':
      return { files: [{ path: 'p.yaml', content: matrixPolicy }] };
    case 'setMonitors':
      return { monitors: [] };
    case 'evaluateGate':
      return { gate: 'model' };
    case 'requestPromotion':
      return { model: 'matrix', version: '1', alias: 'staging' };
    case 'requestWaiver':
      return {
        model: 'matrix',
        version: '1',
        policy: 'matrix',
        reason: 'a reason long enough to audit',
        expiresIn: '1d',
      };
    case 'createWebhook':
      return { name: `hook-${counter}`, url: 'http://127.0.0.1:9/never', events: ['gate.denied'] };
    case 'requestLabelChange':
      return { labels: { purpose: `matrix-${counter}` }, reason: 'a reason long enough to audit' };
    case 'auditWaiver':
      return { note: 'done' };
    case 'approvePromotion':
    case 'rejectPromotion':
    case 'approveWaiver':
    case 'rejectWaiver':
    case 'revokeWaiver':
    case 'approveLabelChange':
    case 'rejectLabelChange':
      return { comment: 'matrix' };
    case 'setTag':
      return { value: 'yes' };
    case 'submitEvidence':
      return evidenceAbout({ type: 'model-version', name: 'matrix', version: '1' }, `matrix ${counter}`);
    case 'recordLineage':
      return { sourceCommit: 'abcdef1' };
    case 'createToken':
      return { name: `matrix-token-${counter}`, role: 'viewer' };
    default:
      return undefined;
  }
}

describe.each(testDatabases())('every route enforces its role on $dialect', (database) => {
  let h: Harness;
  let evidenceId: string;
  beforeAll(async () => {
    h = await startHarness(database, { allowPrivateWebhooks: true }); // webhooks at 127.0.0.1:9
    const admin = h.tokens.admin;
    await h.call('POST', '/api/v1/models', { token: admin, body: { name: 'matrix' } });
    await h.call('POST', '/api/v1/models/matrix/versions', {
      token: admin,
      body: { artifact: { uri: 's3://matrix/1' } },
    });
    const evidence = evidenceAbout({ type: 'model-version', name: 'matrix', version: '1' }, 'seed');
    evidenceId = evidence.id;
    await h.call('POST', '/api/v1/models/matrix/versions/1/evidence', { token: admin, body: evidence });
  });
  afterAll(async () => h.close());

  it('has a route table that covers the API', () => {
    expect(routes.length).toBeGreaterThanOrEqual(20);
    expect(new Set(routes.map((r) => r.operationId)).size).toBe(routes.length);
  });

  for (const route of routes) {
    it(`${route.method} ${route.path} needs ${route.role}`, async () => {
      const path = () => concretePath(route, evidenceId);
      const anonymous = await h.call(route.method, path(), { body: bodyFor(route) });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error.code).toBe('WARDEN_ERR_AUTH_UNAUTHENTICATED');
      const forged = await h.call(route.method, path(), {
        token: `wdn_${'A'.repeat(43)}`,
        body: bodyFor(route),
      });
      expect(forged.status).toBe(401);

      for (const role of roles as readonly Role[]) {
        // Deleting the alias or tag first would make later roles see 404; set them up again.
        await versionRepository.setAlias(
          h.store.db,
          'matrix',
          'production',
          1,
          'test',
          '2026-11-22T10:00:00Z',
        );
        await h.call('PUT', '/api/v1/models/matrix/versions/1/tags/reviewed', {
          token: h.tokens.admin,
          body: {},
        });
        const answer = await h.call(route.method, path(), { token: h.tokens[role], body: bodyFor(route) });
        if (roleAllows(role, route.role)) {
          expect([401, 403], `${role} should be allowed: ${answer.text}`).not.toContain(answer.status);
          expect(answer.status, `${role}: ${answer.text}`).toBeLessThan(500);
        } else {
          expect(answer.status, `${role} should be refused`).toBe(403);
          expect(answer.body.error).toMatchObject({
            code: 'WARDEN_ERR_AUTH_FORBIDDEN',
            requiredRole: route.role,
          });
          expect(answer.body.error.message).toContain(`needs the ${route.role} role`);
        }
      }
    });
  }
});
