import { z } from 'zod';
import { verifyStoredLog } from '../audit/index.js';
import { parseDuration } from '../core/index.js';
import {
  auditNoteBody,
  auditQuery,
  gateBody,
  idParams,
  labelChangeBody,
  labelChangeQuery,
  monitorsBody,
  policySetBody,
  promotionBody,
  promotionQuery,
  reviewBody,
  waiverBody,
  waiverQuery,
  webhookBody,
} from '../governance/index.js';
import { modelName, type Registry, versionNumber } from '../registry/index.js';
import { requireTeam } from './auth.js';
import { operations, route } from './route.js';

const modelParams = z.strictObject({ model: modelName });
const versionParams = z.strictObject({ model: modelName, version: versionNumber });
const decisionParams = z.strictObject({
  id: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'a decision id is sha256:<64 hex>'),
});

async function requireModelTeam(
  registry: Registry,
  principal: Parameters<typeof requireTeam>[0],
  model: string,
  action: string,
) {
  requireTeam(principal, (await registry.model(model)).team, action);
}

function promotionReview(verb: 'approve' | 'reject', summary: string) {
  return route({
    method: 'POST',
    path: `/api/v1/promotions/:id/${verb}`,
    summary,
    role: 'approver',
    params: idParams('prm'),
    body: reviewBody,
    handler: async ({ governance, registry, params, body, principal }) => {
      const promotion = await governance.promotions.get(params.id);
      await requireModelTeam(
        registry,
        principal,
        promotion.model,
        `reviewing a promotion of "${promotion.model}"`,
      );
      return governance.promotions[verb](params.id, body.comment, principal.actor);
    },
  });
}

function waiverDecision(verb: 'approve' | 'reject' | 'revoke', summary: string) {
  return route({
    method: 'POST',
    path: `/api/v1/waivers/:id/${verb}`,
    summary,
    role: 'approver',
    params: idParams('wvr'),
    body: reviewBody,
    handler: async ({ governance, registry, params, body, principal }) => {
      const waiver = await governance.waivers.get(params.id);
      await requireModelTeam(registry, principal, waiver.model, `deciding a waiver for "${waiver.model}"`);
      return governance.waivers[verb](params.id, body.comment, principal.actor);
    },
  });
}

function labelChangeReview(verb: 'approve' | 'reject', summary: string) {
  return route({
    method: 'POST',
    path: `/api/v1/label-changes/:id/${verb}`,
    summary,
    role: 'approver',
    params: idParams('lch'),
    body: reviewBody,
    handler: async ({ governance, registry, params, body, principal }) => {
      const request = await governance.labelChanges.get(params.id);
      const action = `deciding a label change of "${request.model}"`;
      await requireModelTeam(registry, principal, request.model, action);
      if (request.team !== null) requireTeam(principal, request.team.new, action);
      return governance.labelChanges[verb](params.id, body.comment, principal.actor);
    },
  });
}

/** Policies, gates, promotions, waivers, the audit log and webhooks, keyed by operationId. */
export const governanceRoutes = operations({
  applyPolicySet: route({
    method: 'PUT',
    path: '/api/v1/policy-set',
    summary:
      'Apply a policy set (its YAML files); it becomes the next numbered version and is active at once',
    role: 'admin',
    body: policySetBody,
    handler: async ({ governance, body, principal }) =>
      governance.policySets.apply(body.files, body.revision, principal.actor),
  }),
  getPolicySet: route({
    method: 'GET',
    path: '/api/v1/policy-set',
    summary:
      'The active policy set: version, digest, revision, who applied it when, its policies and bindings, and an overview of each policy (validations, controls, bindings)',
    role: 'viewer',
    handler: async ({ governance }) => governance.policySets.describeActive(),
  }),
  setMonitors: route({
    method: 'PUT',
    path: '/api/v1/models/:model/monitors',
    summary: 'Declare the post-deployment monitors of a model (what policies read as `monitors`)',
    role: 'contributor',
    params: modelParams,
    body: monitorsBody,
    handler: async ({ governance, registry, params, body, principal }) => {
      await requireModelTeam(registry, principal, params.model, `declaring monitors of "${params.model}"`);
      return { monitors: await governance.setMonitors(params.model, body.monitors, principal.actor) };
    },
  }),
  getMonitors: route({
    method: 'GET',
    path: '/api/v1/models/:model/monitors',
    summary: 'The declared monitors of a model',
    role: 'viewer',
    params: modelParams,
    handler: async ({ governance, registry, params }) => {
      await registry.model(params.model);
      return { monitors: await governance.monitors(params.model) };
    },
  }),
  setSlos: route({
    method: 'PUT',
    path: '/api/v1/models/:model/slos',
    summary:
      'Declare the service level objectives of a model (ServiceLevelObjective documents); attached gateways track their burn rates',
    role: 'contributor',
    params: modelParams,
    body: z.strictObject({ slos: z.array(z.unknown()).max(50) }),
    handler: async ({ governance, registry, params, body, principal }) => {
      await requireModelTeam(registry, principal, params.model, `declaring SLOs of "${params.model}"`);
      return { slos: await governance.setSlos(params.model, body.slos, principal.actor) };
    },
  }),
  getSlos: route({
    method: 'GET',
    path: '/api/v1/models/:model/slos',
    summary: 'The declared service level objectives of a model',
    role: 'viewer',
    params: modelParams,
    handler: async ({ governance, registry, params }) => {
      await registry.model(params.model);
      return { slos: await governance.slos(params.model) };
    },
  }),
  evaluateGate: route({
    method: 'POST',
    path: '/api/v1/models/:model/versions/:version/gates',
    summary:
      'Decide a gate for a version with the active policies and its latest evidence; recorded, and a denial tags the version',
    role: 'contributor',
    status: 201,
    params: versionParams,
    body: gateBody,
    handler: async ({ governance, registry, params, body, principal }) => {
      await requireModelTeam(registry, principal, params.model, `deciding a gate of "${params.model}"`);
      return governance.promotions.evaluate(params.model, params.version, body.gate, principal.actor);
    },
  }),
  getDecision: route({
    method: 'GET',
    path: '/api/v1/decisions/:id',
    summary: 'A recorded decision, whole',
    role: 'viewer',
    params: decisionParams,
    handler: async ({ governance, params }) => governance.promotions.decision(params.id),
  }),
  listVersionDecisions: route({
    method: 'GET',
    path: '/api/v1/models/:model/versions/:version/decisions',
    summary: 'The gate decisions recorded about a version, newest first, whole',
    role: 'viewer',
    params: versionParams,
    query: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).optional() }),
    handler: async ({ governance, params, query }) => ({
      decisions: await governance.promotions.decisions(params.model, params.version, query.limit ?? 100),
    }),
  }),
  requestPromotion: route({
    method: 'POST',
    path: '/api/v1/promotions',
    summary:
      'Ask to point an alias at a version: decided by the policies bound to promote:<alias>; completed, denied, or pending an approval',
    role: 'contributor',
    status: 201,
    body: promotionBody,
    handler: async ({ governance, registry, body, principal }) => {
      await requireModelTeam(registry, principal, body.model, `promoting "${body.model}"`);
      return governance.promotions.request(
        {
          model: body.model,
          version: body.version,
          alias: body.alias,
          ...(body.expectedVersion === undefined ? {} : { expectedVersion: body.expectedVersion }),
          ...(body.comment === undefined ? {} : { comment: body.comment }),
        },
        principal.actor,
      );
    },
  }),
  listPromotions: route({
    method: 'GET',
    path: '/api/v1/promotions',
    summary: 'Promotion requests, newest first; filter by model and status (pending for the approval queue)',
    role: 'viewer',
    query: promotionQuery,
    handler: async ({ governance, query }) => ({
      promotions: await governance.promotions.list({
        limit: query.limit ?? 100,
        ...(query.model === undefined ? {} : { model: query.model }),
        ...(query.status === undefined ? {} : { status: query.status }),
      }),
    }),
  }),
  getPromotion: route({
    method: 'GET',
    path: '/api/v1/promotions/:id',
    summary: 'One promotion request with its decision',
    role: 'viewer',
    params: idParams('prm'),
    handler: async ({ governance, params }) => governance.promotions.get(params.id),
  }),
  approvePromotion: promotionReview(
    'approve',
    'Approve a pending promotion (not your own, nor of a version you registered); the gate is decided again, then the alias moves',
  ),
  rejectPromotion: promotionReview(
    'reject',
    'Reject a pending promotion, with a comment (four-eyes as for approval)',
  ),
  requestWaiver: route({
    method: 'POST',
    path: '/api/v1/waivers',
    summary:
      'Request a time-bound waiver of a policy (or one validation) for a version, with a reason, an expiry (at most 90 days) and a post-deployment audit date',
    role: 'contributor',
    status: 201,
    body: waiverBody,
    handler: async ({ governance, registry, body, principal }) => {
      await requireModelTeam(registry, principal, body.model, `requesting a waiver for "${body.model}"`);
      const now = Date.now();
      const at = (absolute: string | undefined, relative: string | undefined) =>
        absolute ??
        (relative === undefined ? undefined : new Date(now + (parseDuration(relative) ?? 0)).toISOString());
      const expiresAt = at(body.expiresAt, body.expiresIn) as string;
      const auditDueAt = at(body.auditDueAt, body.auditDueIn);
      return governance.waivers.request(
        {
          model: body.model,
          version: body.version,
          policy: body.policy,
          reason: body.reason,
          expiresAt,
          ...(body.validation === undefined ? {} : { validation: body.validation }),
          ...(auditDueAt === undefined ? {} : { auditDueAt }),
        },
        principal.actor,
      );
    },
  }),
  listWaivers: route({
    method: 'GET',
    path: '/api/v1/waivers',
    summary:
      'Waivers, newest first; overdue=true lists approved waivers on serving versions that expired or whose audit is past due',
    role: 'viewer',
    query: waiverQuery,
    handler: async ({ governance, query }) => ({
      waivers: await governance.waivers.list({
        limit: query.limit ?? 100,
        overdue: query.overdue === 'true',
        ...(query.model === undefined ? {} : { model: query.model }),
        ...(query.version === undefined ? {} : { version: query.version }),
        ...(query.status === undefined ? {} : { status: query.status }),
      }),
    }),
  }),
  getWaiver: route({
    method: 'GET',
    path: '/api/v1/waivers/:id',
    summary: 'One waiver',
    role: 'viewer',
    params: idParams('wvr'),
    handler: async ({ governance, params }) => governance.waivers.get(params.id),
  }),
  approveWaiver: waiverDecision(
    'approve',
    'Approve a requested waiver (not your own, nor for a version you registered)',
  ),
  rejectWaiver: waiverDecision('reject', 'Reject a requested waiver, with a comment'),
  revokeWaiver: waiverDecision(
    'revoke',
    'Revoke a waiver before it expires; later decisions no longer see it',
  ),
  auditWaiver: route({
    method: 'POST',
    path: '/api/v1/waivers/:id/audit',
    summary: 'Record the post-deployment audit of an approved waiver as done, with its finding',
    role: 'approver',
    params: idParams('wvr'),
    body: auditNoteBody,
    handler: async ({ governance, registry, params, body, principal }) => {
      const waiver = await governance.waivers.get(params.id);
      await requireModelTeam(registry, principal, waiver.model, `auditing a waiver for "${waiver.model}"`);
      return governance.waivers.completeAudit(params.id, body.note, principal.actor);
    },
  }),
  requestLabelChange: route({
    method: 'POST',
    path: '/api/v1/models/:model/label-changes',
    summary:
      'Ask for a change of protected labels or the team, with a reason: labels is a merge patch (a value sets a key, null removes it); an approver other than you decides',
    role: 'contributor',
    status: 201,
    params: modelParams,
    body: labelChangeBody,
    handler: async ({ governance, registry, params, body, principal }) => {
      const action = `requesting a label change of "${params.model}"`;
      await requireModelTeam(registry, principal, params.model, action);
      if (body.team !== undefined) requireTeam(principal, body.team, action);
      return governance.labelChanges.request(
        {
          model: params.model,
          reason: body.reason,
          ...(body.labels === undefined ? {} : { labels: body.labels }),
          ...(body.team === undefined ? {} : { team: body.team }),
        },
        principal.actor,
      );
    },
  }),
  listLabelChanges: route({
    method: 'GET',
    path: '/api/v1/label-changes',
    summary:
      'Label-change requests, newest first; filter by model and status (pending for the approval queue)',
    role: 'viewer',
    query: labelChangeQuery,
    handler: async ({ governance, query }) => ({
      labelChanges: await governance.labelChanges.list({
        limit: query.limit ?? 100,
        ...(query.model === undefined ? {} : { model: query.model }),
        ...(query.status === undefined ? {} : { status: query.status }),
      }),
    }),
  }),
  getLabelChange: route({
    method: 'GET',
    path: '/api/v1/label-changes/:id',
    summary: 'One label-change request: the labels (and team) before and asked for, and its review',
    role: 'viewer',
    params: idParams('lch'),
    handler: async ({ governance, params }) => governance.labelChanges.get(params.id),
  }),
  approveLabelChange: labelChangeReview(
    'approve',
    'Approve a pending label change (not your own): applied at once, refused if the labels changed since the request',
  ),
  rejectLabelChange: labelChangeReview(
    'reject',
    'Reject a pending label change, with a comment (four-eyes as for approval)',
  ),
  listAudit: route({
    method: 'GET',
    path: '/api/v1/audit',
    summary:
      'Audit log entries with their hashes: oldest first after `after` (a seq; page with nextAfter), or order=desc newest first before `before` (page with nextBefore); filter by actor, action (or its family: promotion), subject (a name or id) and version',
    role: 'viewer',
    query: auditQuery,
    handler: async ({ audit, query }) => {
      const limit = query.limit ?? 1000;
      const { actor, action, subject, version } = query;
      const filter = {
        ...(actor === undefined ? {} : { actor }),
        ...(action === undefined ? {} : { action }),
        ...(subject === undefined ? {} : { subject }),
        ...(version === undefined ? {} : { version }),
      };
      if (query.order === 'desc' || query.before !== undefined) {
        const entries = await audit.search(filter, {
          limit,
          newestFirst: true,
          ...(query.before === undefined ? {} : { before: query.before }),
        });
        const last = entries.at(-1);
        return { entries, ...(entries.length === limit && last ? { nextBefore: last.seq } : {}) };
      }
      const entries = await audit.search(filter, { after: query.after ?? 0, limit });
      const last = entries.at(-1);
      return { entries, ...(entries.length === limit && last ? { nextAfter: last.seq } : {}) };
    },
  }),
  verifyAudit: route({
    method: 'POST',
    path: '/api/v1/audit/verify',
    summary:
      'Verify the audit log now, on the server, as `warden audit verify` does: the hash chain from entry 1 and every signed checkpoint under the server’s key; ok, counts, and the first bad entry with why',
    role: 'viewer',
    handler: async ({ store, governance }) => {
      const report = await verifyStoredLog(store, [governance.key]);
      const { problem, ...rest } = report;
      return {
        ...rest,
        ...(problem === undefined
          ? {}
          : { firstBad: { seq: problem.seq, kind: problem.kind, reason: problem.message } }),
      };
    },
  }),
  listCheckpoints: route({
    method: 'GET',
    path: '/api/v1/audit/checkpoints',
    summary: 'Signed checkpoints of the audit log (Ed25519 over {seq, hash, at, keyId})',
    role: 'viewer',
    handler: async ({ audit }) => ({ checkpoints: await audit.checkpoints() }),
  }),
  createCheckpoint: route({
    method: 'POST',
    path: '/api/v1/audit/checkpoints',
    summary:
      'Sign the current head of the audit log now (the server also does so periodically and on shutdown)',
    role: 'admin',
    status: 201,
    handler: async ({ governance }) => ({ checkpoint: (await governance.checkpoint()) ?? null }),
  }),
  getAuditPublicKey: route({
    method: 'GET',
    path: '/api/v1/audit/public-key',
    summary: 'The public key that verifies audit checkpoints (PEM), and its key id',
    role: 'viewer',
    handler: async ({ governance }) => ({
      algorithm: 'Ed25519',
      keyId: governance.key.keyId,
      publicKey: governance.key.publicKeyPem(),
    }),
  }),
  createWebhook: route({
    method: 'POST',
    path: '/api/v1/webhooks',
    summary:
      'Send events (gate denied, version tagged, waivers, promotions) to a URL, signed (Standard Webhooks); the answer holds the signing secret, shown this once',
    role: 'admin',
    status: 201,
    body: webhookBody,
    handler: async ({ governance, body, principal }) =>
      governance.webhooks.create(
        {
          name: body.name,
          url: body.url,
          events: body.events,
          ...(body.team === undefined ? {} : { team: body.team }),
          ...(body.model === undefined ? {} : { model: body.model }),
          ...(body.format === undefined ? {} : { format: body.format }),
        },
        principal.actor,
      ),
  }),
  listWebhooks: route({
    method: 'GET',
    path: '/api/v1/webhooks',
    summary: 'Webhooks (never their secrets)',
    role: 'admin',
    handler: async ({ governance }) => ({ webhooks: await governance.webhooks.list() }),
  }),
  deleteWebhook: route({
    method: 'DELETE',
    path: '/api/v1/webhooks/:id',
    summary: 'Remove a webhook; its pending deliveries are dropped',
    role: 'admin',
    params: idParams('whk'),
    handler: async ({ governance, params, principal }) =>
      governance.webhooks.remove(params.id, principal.actor),
  }),
  listDeliveries: route({
    method: 'GET',
    path: '/api/v1/webhooks/:id/deliveries',
    summary: 'The delivery log of a webhook: each event, its attempts, last HTTP status or error',
    role: 'admin',
    params: idParams('whk'),
    handler: async ({ governance, params }) => ({
      deliveries: await governance.webhooks.deliveries(params.id),
    }),
  }),
});
