import { z } from 'zod';
import { parseDuration } from '../core/index.js';
import { isGateName } from '../policy/index.js';
// One rule per name: the registry's, so what can be created can be promoted (docs/control-plane.md).
import { aliasName, labelKey, labelValue, modelName, teamName, versionNumber } from '../registry/index.js';
import { labelChangeStatuses } from './label-changes.js';
import { promotionStatuses } from './promotions.js';
import { waiverStatuses } from './waivers.js';
import { webhookEvents } from './webhooks.js';

/** Request schemas of the governance API (validated at the HTTP edge). */

const comment = z.string().trim().min(1, 'say why').max(2000);
const isoTime = z.iso.datetime({ offset: true });
const duration = z
  .string()
  .refine(
    (text) => parseDuration(text) !== undefined,
    'a duration is a whole number and s, m, h, d or w, such as 14d',
  );

export const promotionBody = z.strictObject({
  model: modelName,
  version: versionNumber,
  alias: aliasName,
  expectedVersion: versionNumber.nullable().optional(),
  comment: z.string().max(2000).optional(),
});

export const reviewBody = z.strictObject({ comment });
export const auditNoteBody = z.strictObject({ note: comment });

export const promotionQuery = z.strictObject({
  model: modelName.optional(),
  status: z.enum(promotionStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

export const gateBody = z.strictObject({
  gate: z
    .string()
    .refine((gate) => isGateName(gate), 'a gate is data, model, deploy, runtime or promote:<alias>'),
});

export const waiverBody = z
  .strictObject({
    model: modelName,
    version: versionNumber,
    policy: z.string().min(1).max(63),
    validation: z.string().min(1).max(63).optional(),
    reason: z.string().max(4000),
    expiresAt: isoTime.optional(),
    expiresIn: duration.optional(),
    auditDueAt: isoTime.optional(),
    auditDueIn: duration.optional(),
  })
  .refine((w) => (w.expiresAt === undefined) !== (w.expiresIn === undefined), {
    message: 'give exactly one of expiresAt (a time) and expiresIn (such as 14d)',
    path: ['expiresIn'],
  })
  .refine((w) => !(w.auditDueAt !== undefined && w.auditDueIn !== undefined), {
    message: 'give at most one of auditDueAt and auditDueIn',
    path: ['auditDueIn'],
  });

export const waiverQuery = z.strictObject({
  model: modelName.optional(),
  version: versionNumber.optional(),
  status: z.enum(waiverStatuses).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

/**
 * A label-change request: `labels` is a merge patch of the model's labels (a value sets the key,
 * null removes it, keys not named stay as they are); `team` moves the model (null: no team).
 */
export const labelChangeBody = z
  .strictObject({
    labels: z.record(labelKey, labelValue.nullable()).optional(),
    team: teamName.nullable().optional(),
    reason: z.string().max(4000),
  })
  .refine((b) => b.labels !== undefined || b.team !== undefined, {
    message: 'give the labels to change, the team, or both',
    path: ['labels'],
  });

export const labelChangeQuery = z.strictObject({
  model: modelName.optional(),
  status: z.enum(labelChangeStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

export const policySetBody = z.strictObject({
  files: z
    .array(z.strictObject({ path: z.string().min(1).max(512), content: z.string().max(1024 * 1024) }))
    .min(1, 'a policy set has at least one file')
    .max(500),
  revision: z.string().min(1).max(128).optional(),
});

/**
 * One declared post-deployment monitor, as policies read it under `monitors` (docs/control-plane.md).
 * Strict, like every document Warden reads: a misspelt `signal` would silently watch nothing.
 */
export const monitorSchema = z.strictObject({
  name: z.string().trim().min(1, 'a monitor has a name').max(128),
  description: z.string().max(2000).optional(),
  signals: z
    .array(z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'a signal is a lowercase word, such as drift'))
    .max(32)
    .optional(),
  owner: z.string().max(256).optional(),
  window: duration.optional(),
  enabled: z.boolean().optional(),
  /**
   * What a failing runtime gate on the production version does: `alert` (the default) tells
   * people; `automatic` moves production back to its previous holder (docs/rollouts.md).
   */
  rollback: z.enum(['alert', 'automatic']).optional(),
  /** At most one automatic rollback of the model within this time (default 1h). */
  rollbackCooldown: duration.optional(),
});

/** A model's monitors: at most 100, each named once. Shared by the API and `readMonitors`. */
export const monitorList = z
  .array(monitorSchema)
  .max(100)
  .superRefine((monitors, context) => {
    const seen = new Set<string>();
    monitors.forEach((monitor, index) => {
      if (seen.has(monitor.name))
        context.addIssue({
          code: 'custom',
          path: [index, 'name'],
          message: `a second monitor named "${monitor.name}"; monitor names are unique per model`,
        });
      seen.add(monitor.name);
    });
  });
export type Monitor = z.infer<typeof monitorSchema>;

export const monitorsBody = z.strictObject({ monitors: monitorList });

export const auditQuery = z
  .strictObject({
    after: z.coerce.number().int().min(0).optional(),
    before: z.coerce.number().int().min(1).optional(),
    order: z.enum(['asc', 'desc']).optional(),
    limit: z.coerce.number().int().min(1).max(10_000).optional(),
    actor: z.string().min(1).max(128).optional(),
    action: z.string().min(1).max(128).optional(),
    subject: z.string().min(1).max(256).optional(),
    version: z
      .string()
      .regex(/^[1-9][0-9]{0,9}$/, 'a version is a positive integer')
      .optional(),
  })
  .refine((q) => !(q.after !== undefined && (q.before !== undefined || q.order === 'desc')), {
    message: 'after pages oldest first; with order=desc page with before',
    path: ['after'],
  })
  .refine((q) => q.version === undefined || q.subject !== undefined, {
    message: 'version narrows a subject: give subject (the model) too',
    path: ['version'],
  });

export const webhookBody = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/, 'a webhook name is 1–64 letters, digits, spaces or . _ -'),
  url: z.string().min(1).max(2048),
  events: z.array(z.union([z.enum(webhookEvents), z.literal('*')])).min(1),
  team: z.string().min(1).max(64).optional(),
  model: modelName.optional(),
  format: z.enum(['json', 'slack']).optional(),
});

export const idParams = (prefix: string) =>
  z.strictObject({
    id: z.string().regex(new RegExp(`^${prefix}_[0-9a-f]{12}$`), `an id looks like ${prefix}_0123456789ab`),
  });
