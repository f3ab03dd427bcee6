import { z } from 'zod';
import { roleAllows } from '../core/index.js';
import {
  rollbackBody,
  rolloutAbortBody,
  rolloutBody,
  rolloutChangeBody,
  rolloutQuery,
} from '../monitor/index.js';
import { modelName, type Registry } from '../registry/index.js';
import { requireTeam } from './auth.js';
import { operations, route } from './route.js';

const modelParams = z.strictObject({ model: modelName });

async function requireModelTeam(
  registry: Registry,
  principal: Parameters<typeof requireTeam>[0],
  model: string,
  action: string,
) {
  requireTeam(principal, (await registry.model(model)).team, action);
}

function rolloutChange(verb: 'pause' | 'resume', summary: string) {
  return route({
    method: 'POST',
    path: `/api/v1/models/:model/rollout/${verb}`,
    summary,
    role: 'contributor',
    params: modelParams,
    body: rolloutChangeBody,
    handler: async ({ runtime, registry, params, body, principal }) => {
      await requireModelTeam(registry, principal, params.model, `changing the rollout of "${params.model}"`);
      return runtime.rollouts[verb](params.model, principal.actor, body.reason);
    },
  });
}

/** Canary rollouts and rollbacks (docs/rollouts.md), keyed by operationId. */
export const runtimeRoutes = operations({
  startRollout: route({
    method: 'POST',
    path: '/api/v1/models/:model/rollouts',
    summary:
      'Start a canary rollout: traffic moves to the version step by step, each interval decided by the runtime gate; success promotes it through promote:production',
    role: 'contributor',
    status: 201,
    params: modelParams,
    body: rolloutBody,
    handler: async ({ runtime, registry, params, body, principal }) => {
      await requireModelTeam(registry, principal, params.model, `starting a rollout of "${params.model}"`);
      const { version, comment, ...settings } = body;
      return runtime.rollouts.start(
        { model: params.model, version, settings, ...(comment === undefined ? {} : { comment }) },
        principal.actor,
        roleAllows(principal.role, 'approver'),
      );
    },
  }),
  getRollout: route({
    method: 'GET',
    path: '/api/v1/models/:model/rollout',
    summary: "The model's newest rollout: status, step, weight, failed checks and the last check",
    role: 'viewer',
    params: modelParams,
    handler: async ({ runtime, params }) => runtime.rollouts.status(params.model),
  }),
  pauseRollout: rolloutChange(
    'pause',
    'Hold a running rollout at its weights; nothing is judged or advanced',
  ),
  resumeRollout: rolloutChange('resume', 'Resume a paused rollout; its interval starts again'),
  abortRollout: route({
    method: 'POST',
    path: '/api/v1/models/:model/rollout/abort',
    summary: 'Stop a live rollout: all traffic back on the stable version at once',
    role: 'contributor',
    params: modelParams,
    body: rolloutAbortBody,
    handler: async ({ runtime, registry, params, body, principal }) => {
      await requireModelTeam(registry, principal, params.model, `aborting the rollout of "${params.model}"`);
      return runtime.rollouts.abort(params.model, principal.actor, body.reason);
    },
  }),
  listRollouts: route({
    method: 'GET',
    path: '/api/v1/rollouts',
    summary: 'Live rollouts (all=true: finished ones too), newest first',
    role: 'viewer',
    query: rolloutQuery,
    handler: async ({ runtime, query }) => ({
      rollouts: await runtime.rollouts.list({ all: query.all === 'true', limit: query.limit ?? 100 }),
    }),
  }),
  getRolloutHistory: route({
    method: 'GET',
    path: '/api/v1/models/:model/rollouts/:id',
    summary:
      'One rollout with its history from the audit log, oldest first: each check’s outcome, weights, failed checks and reason, each step and how it ended',
    role: 'viewer',
    params: z.strictObject({
      model: modelName,
      id: z.string().regex(/^rol_[0-9a-f]{12}$/, 'a rollout id looks like rol_0123456789ab'),
    }),
    handler: async ({ runtime, params }) => runtime.rollouts.history(params.model, params.id),
  }),
  rollbackModel: route({
    method: 'POST',
    path: '/api/v1/models/:model/rollback',
    summary:
      'Move production back to its previous holder (or to a version that served it before); the version taken out is tagged rolled-back',
    role: 'approver',
    params: modelParams,
    body: rollbackBody,
    handler: async ({ runtime, registry, params, body, principal }) => {
      await requireModelTeam(registry, principal, params.model, `rolling back "${params.model}"`);
      return runtime.rollback(
        {
          model: params.model,
          reason: body.reason,
          ...(body.to === undefined ? {} : { to: Number(body.to) }),
        },
        principal.actor,
      );
    },
  }),
});
