import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Role, roleAllows, roles } from '../../src/core/index.js';
import { type Route, routes } from '../../src/server/index.js';
import { testDatabases } from '../../src/store/test-support/databases.js';
import { evidenceAbout, type Harness, startHarness } from './harness.js';

/** Concrete values for a route's path parameters, over the records seeded below. */
function concretePath(route: Route, evidenceId: string): string {
  return route.path
    .replace(':model', 'matrix')
    .replace(':version', '1')
    .replace(':alias', 'production')
    .replace(':key', 'reviewed')
    .replace(':id', route.path.startsWith('/api/v1/tokens') ? 'tok_000000000000' : evidenceId);
}

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
    case 'setAlias':
      return { version: '1' };
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
    h = await startHarness(database);
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
        await h.call('PUT', '/api/v1/models/matrix/aliases/production', {
          token: h.tokens.admin,
          body: { version: '1' },
        });
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
