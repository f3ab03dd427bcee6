import { z } from 'zod';
import { roleAllows, roles, WardenError } from '../core/index.js';
import {
  aliasName,
  createModelBody,
  createVersionBody,
  evidenceQuery,
  lineageBody,
  listModelsQuery,
  listVersionsQuery,
  modelName,
  type Registry,
  registerSigningKeyBody,
  setEndpointBody,
  setTagBody,
  signerName,
  tagKey,
  updateModelBody,
  versionNumber,
} from '../registry/index.js';
import { tokenRepository } from '../store/index.js';
import { ApiError } from './api-errors.js';
import { requireTeam } from './auth.js';
import { governanceRoutes } from './governance-routes.js';
import { operations, type Route, rawJson, route } from './route.js';
import { runtimeRoutes } from './runtime-routes.js';

const modelParams = z.strictObject({ model: modelName });
const versionParams = z.strictObject({ model: modelName, version: versionNumber });
const aliasParams = z.strictObject({ model: modelName, alias: aliasName });
const tagParams = z.strictObject({ model: modelName, version: versionNumber, key: tagKey });
const evidenceParams = z.strictObject({
  id: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'an evidence id is sha256:<64 hex>'),
});
const tokenParams = z.strictObject({
  id: z.string().regex(/^tok_[0-9a-f]{12}$/, 'a token id looks like tok_0123456789ab'),
});
const evidenceDocument = z.record(z.string(), z.unknown());

const createTokenBody = z
  .strictObject({
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9@._-]{0,63}$/,
        'a token name is 1–64 letters, digits or @ . _ -; it is the actor in every record',
      ),
    role: z.enum(roles),
    teams: z.array(z.string().min(1).max(64)).min(1).max(32).optional(),
    expiresAt: z.iso.datetime({ offset: false }).optional(),
  })
  .refine((t) => !(t.role === 'admin' && t.teams !== undefined), {
    message: 'an admin token cannot be scoped to teams (admins manage tokens for everyone)',
    path: ['teams'],
  });

async function teamOf(registry: Registry, model: string): Promise<string | null> {
  return (await registry.model(model)).team;
}

function labelFilter(label: string | string[] | undefined): Record<string, string> {
  const pairs = label === undefined ? [] : Array.isArray(label) ? label : [label];
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf(':');
    if (at <= 0)
      throw new ApiError(
        'WARDEN_ERR_API_INVALID_REQUEST',
        `query.label "${pair}" must be KEY:VALUE, such as domain:credit`,
      );
    labels[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return labels;
}

const registryRoutes = operations({
  whoami: route({
    method: 'GET',
    path: '/api/v1/whoami',
    summary: 'The calling token: its name (the actor), role and teams',
    role: 'viewer',
    handler: async ({ principal }) => principal,
  }),
  listModels: route({
    method: 'GET',
    path: '/api/v1/models',
    summary: 'Registered models in name order; filter by team and label=KEY:VALUE, page with pageToken',
    role: 'viewer',
    query: listModelsQuery,
    handler: async ({ registry, query }) => {
      const page = await registry.listModels({
        limit: query.limit ?? 100,
        labels: labelFilter(query.label),
        ...(query.team === undefined ? {} : { team: query.team }),
        ...(query.pageToken === undefined ? {} : { after: query.pageToken }),
      });
      return { models: page.models, ...(page.last === undefined ? {} : { nextPageToken: page.last }) };
    },
  }),
  createModel: route({
    method: 'POST',
    path: '/api/v1/models',
    summary: 'Register a model (name, description, owner, team, labels such as domain and riskTier)',
    role: 'contributor',
    status: 201,
    body: createModelBody,
    handler: async ({ registry, body, principal }) => {
      requireTeam(principal, body.team ?? null, `creating model "${body.name}"`);
      return registry.createModel(body, principal.actor);
    },
  }),
  getModel: route({
    method: 'GET',
    path: '/api/v1/models/:model',
    summary: 'One model with its aliases',
    role: 'viewer',
    params: modelParams,
    handler: async ({ registry, params }) => registry.model(params.model),
  }),
  updateModel: route({
    method: 'PATCH',
    path: '/api/v1/models/:model',
    summary:
      'Change a model’s description, owner, team or labels (labels replace the whole map); protected labels and the team only as an approver',
    role: 'contributor',
    params: modelParams,
    body: updateModelBody,
    handler: async ({ registry, governance, params, body, principal }) => {
      requireTeam(principal, await teamOf(registry, params.model), `changing model "${params.model}"`);
      if (body.team !== undefined)
        requireTeam(principal, body.team, `moving model "${params.model}" to another team`);
      const check = await governance.labelChanges.directUpdateCheck(principal.role, principal.actor);
      return registry.updateModel(params.model, body, principal.actor, check === undefined ? {} : { check });
    },
  }),
  listVersions: route({
    method: 'GET',
    path: '/api/v1/models/:model/versions',
    summary: 'A model’s versions, newest first, with aliases and tags',
    role: 'viewer',
    params: modelParams,
    query: listVersionsQuery,
    handler: async ({ registry, params, query }) => {
      const page = await registry.listVersions(params.model, {
        limit: query.limit ?? 100,
        ...(query.pageToken === undefined ? {} : { before: Number(query.pageToken) }),
      });
      return {
        versions: page.versions,
        ...(page.last === undefined ? {} : { nextPageToken: String(page.last) }),
      };
    },
  }),
  createVersion: route({
    method: 'POST',
    path: '/api/v1/models/:model/versions',
    summary: 'Register the next version: artifact URI and digest, run id, and (optionally) its lineage',
    role: 'contributor',
    status: 201,
    params: modelParams,
    body: createVersionBody,
    handler: async ({ registry, params, body, principal }) => {
      requireTeam(
        principal,
        await teamOf(registry, params.model),
        `registering a version of "${params.model}"`,
      );
      return registry.createVersion(params.model, body, principal.actor);
    },
  }),
  setVersionEndpoint: route({
    method: 'PATCH',
    path: '/api/v1/models/:model/versions/:version',
    summary:
      'Set or remove (endpoint: null) the model server a version is served from; for a version that holds an alias, an approver’s act',
    role: 'contributor',
    params: versionParams,
    body: setEndpointBody,
    handler: async ({ registry, params, body, principal }) => {
      requireTeam(principal, await teamOf(registry, params.model), `serving "${params.model}"`);
      return registry.setEndpoint(params.model, params.version, body, principal.actor, (held) => {
        if (roleAllows(principal.role, 'approver')) return;
        const why =
          held.aliases.length > 0
            ? `it holds ${held.aliases.join(', ')}, and gateways send that traffic to its endpoint`
            : held.pending.length > 0
              ? `it waits for approval to ${held.pending.join(', ')}, and the approver approves the version as it is`
              : held.rollout !== null
                ? `it takes production traffic in rollout ${held.rollout}`
                : undefined;
        if (why === undefined) return;
        throw new WardenError(
          'WARDEN_ERR_GOVERNANCE_SERVED_ENDPOINT',
          `${principal.actor} may not move the model server of version ${params.version} of "${params.model}": ${why}, so moving it is an approver's act; ask an approver, or register a new version with the new endpoint and promote it`,
        );
      });
    },
  }),
  gatewayRoutes: route({
    method: 'GET',
    path: '/api/v1/gateway/routes',
    summary:
      'The routing table of attached gateways: each model’s production version, its model server and its drift baseline',
    role: 'viewer',
    handler: async ({ governance }) => governance.servingTable(),
  }),
  getVersion: route({
    method: 'GET',
    path: '/api/v1/models/:model/versions/:version',
    summary: 'One version with its aliases and tags',
    role: 'viewer',
    params: versionParams,
    handler: async ({ registry, params }) => registry.version(params.model, params.version),
  }),
  getVersionByAlias: route({
    method: 'GET',
    path: '/api/v1/models/:model/aliases/:alias',
    summary: 'The version an alias (staging, production, …) points at',
    role: 'viewer',
    params: aliasParams,
    handler: async ({ registry, params }) => registry.versionByAlias(params.model, params.alias),
  }),
  deleteAlias: route({
    method: 'DELETE',
    path: '/api/v1/models/:model/aliases/:alias',
    summary:
      'Remove an alias (the model leaves that stage); moving one is a promotion (POST /api/v1/promotions)',
    role: 'approver',
    params: aliasParams,
    handler: async ({ registry, params, principal }) => {
      requireTeam(
        principal,
        await teamOf(registry, params.model),
        `removing alias "${params.alias}" of "${params.model}"`,
      );
      return registry.deleteAlias(params.model, params.alias, principal.actor);
    },
  }),
  setTag: route({
    method: 'PUT',
    path: '/api/v1/models/:model/versions/:version/tags/:key',
    summary: 'Set a tag on a version (biased, blocked, validation_status=…)',
    role: 'contributor',
    params: tagParams,
    body: setTagBody,
    handler: async ({ registry, params, body, principal }) => {
      requireTeam(principal, await teamOf(registry, params.model), `tagging "${params.model}"`);
      return registry.setTag(params.model, params.version, params.key, body.value ?? '', principal.actor);
    },
  }),
  deleteTag: route({
    method: 'DELETE',
    path: '/api/v1/models/:model/versions/:version/tags/:key',
    summary: 'Remove a tag; clearing a mark such as biased or blocked is an approver’s call',
    role: 'approver',
    params: tagParams,
    handler: async ({ registry, params, principal }) => {
      requireTeam(principal, await teamOf(registry, params.model), `untagging "${params.model}"`);
      return registry.deleteTag(params.model, params.version, params.key, principal.actor);
    },
  }),
  submitEvidence: route({
    method: 'POST',
    path: '/api/v1/models/:model/versions/:version/evidence',
    summary: 'Attach an evidence document (as a check wrote it); stored once by its content digest',
    role: 'contributor',
    status: 201,
    params: versionParams,
    body: evidenceDocument,
    handler: async ({ registry, runtime, params, body, principal }) => {
      requireTeam(
        principal,
        await teamOf(registry, params.model),
        `submitting evidence to "${params.model}"`,
      );
      const receipt = await registry.submitEvidence(params.model, params.version, body, principal.actor);
      if (receipt.kind === 'monitor-status' && receipt.attached)
        runtime.production.observe(params.model, Number(params.version), receipt.id);
      return receipt;
    },
  }),
  listEvidence: route({
    method: 'GET',
    path: '/api/v1/models/:model/versions/:version/evidence',
    summary: 'Evidence attached to a version, newest first; latest=true keeps the newest of each kind',
    role: 'viewer',
    params: versionParams,
    query: evidenceQuery,
    handler: async ({ registry, params, query }) => ({
      evidence: await registry.listEvidence(params.model, params.version, {
        latest: query.latest === 'true',
        ...(query.kind === undefined ? {} : { kind: query.kind }),
      }),
    }),
  }),
  getEvidence: route({
    method: 'GET',
    path: '/api/v1/evidence/:id',
    summary:
      'One evidence document, byte for byte as stored (its SHA-256 over the document without id is the id)',
    role: 'viewer',
    params: evidenceParams,
    rawJson: true,
    handler: async ({ registry, params }) => rawJson(await registry.evidenceDocument(params.id)),
  }),
  getEvidenceEnvelope: route({
    method: 'GET',
    path: '/api/v1/evidence/:id/envelope',
    summary:
      'The signed DSSE envelope an evidence document was submitted in, byte for byte, to verify again; 404 when it was submitted unsigned',
    role: 'viewer',
    params: evidenceParams,
    rawJson: true,
    handler: async ({ registry, params }) => rawJson(await registry.evidenceEnvelope(params.id)),
  }),
  recordLineage: route({
    method: 'POST',
    path: '/api/v1/models/:model/versions/:version/lineage',
    summary:
      'Record what produced a version (once): commit, datasets with digests, environment, parameters, parent runs',
    role: 'contributor',
    status: 201,
    params: versionParams,
    body: lineageBody,
    handler: async ({ registry, params, body, principal }) => {
      requireTeam(principal, await teamOf(registry, params.model), `recording lineage of "${params.model}"`);
      return registry.recordLineage(params.model, params.version, body, principal.actor);
    },
  }),
  getLineage: route({
    method: 'GET',
    path: '/api/v1/models/:model/versions/:version/lineage',
    summary:
      'Walk from a version back to its sources: datasets and their checks, parent runs and their versions',
    role: 'viewer',
    params: versionParams,
    handler: async ({ registry, params }) => registry.lineage(params.model, params.version),
  }),
  listTokens: route({
    method: 'GET',
    path: '/api/v1/tokens',
    summary: 'API tokens (never their secrets)',
    role: 'admin',
    handler: async ({ store }) => ({ tokens: await tokenRepository.list(store.db) }),
  }),
  createToken: route({
    method: 'POST',
    path: '/api/v1/tokens',
    summary: 'Create a token; the answer holds its secret, shown this once and stored only hashed',
    role: 'admin',
    status: 201,
    body: createTokenBody,
    handler: async ({ registry, body, principal }) => {
      const { token, secret } = await registry.issueToken(
        { name: body.name, role: body.role, teams: body.teams ?? null, expiresAt: body.expiresAt ?? null },
        principal.actor,
      );
      return { ...token, secret };
    },
  }),
  revokeToken: route({
    method: 'DELETE',
    path: '/api/v1/tokens/:id',
    summary: 'Revoke a token; it stops working at once on every replica',
    role: 'admin',
    params: tokenParams,
    handler: async ({ registry, params, principal }) => registry.revokeToken(params.id, principal.actor),
  }),
  listSigningKeys: route({
    method: 'GET',
    path: '/api/v1/signing-keys',
    summary: 'The public keys that sign evidence, with their scope (revoked ones too)',
    role: 'viewer',
    handler: async ({ registry }) => ({ keys: await registry.signingKeys.list() }),
  }),
  registerSigningKey: route({
    method: 'POST',
    path: '/api/v1/signing-keys',
    summary:
      'Register a public key that signs evidence, by name, for some teams and evidence kinds; submitted envelopes are verified against it',
    role: 'admin',
    status: 201,
    body: registerSigningKeyBody,
    handler: async ({ registry, body, principal }) => registry.signingKeys.register(body, principal.actor),
  }),
  revokeSigningKey: route({
    method: 'POST',
    path: '/api/v1/signing-keys/:name/revoke',
    summary: 'Revoke a signing key: evidence it signs is refused from now on; what it signed keeps its name',
    role: 'admin',
    params: z.strictObject({ name: signerName }),
    handler: async ({ registry, params, principal }) =>
      registry.signingKeys.revoke(params.name, principal.actor),
  }),
});

/**
 * Every operation of /api/v1, keyed by operationId. The server, the OpenAPI document, the
 * authorisation matrix test and the typed API client are all derived from this one table.
 */
export const apiRoutes = { ...registryRoutes, ...governanceRoutes, ...runtimeRoutes };

export type ApiRoutes = typeof apiRoutes;

/** The route table as a list, in the order of the API documentation. */
export const routes: Route[] = Object.values(apiRoutes);
