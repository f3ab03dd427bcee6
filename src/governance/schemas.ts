import { z } from 'zod';
import { parseDuration } from '../core/index.js';
import { promotionStatuses } from './promotions.js';
import { waiverStatuses } from './waivers.js';
import { webhookEvents } from './webhooks.js';

/** Request schemas of the governance API (validated at the HTTP edge). */

const modelName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,127}$/, 'a model name is lowercase letters, digits, . _ -');
const versionNumber = z.string().regex(/^[1-9]\d{0,8}$/, 'a version is a positive whole number, such as "3"');
const aliasName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'an alias is lowercase letters, digits, . _ - (e.g. production)');
const comment = z.string().trim().min(1, 'say why').max(2000);
const isoTime = z.iso.datetime({ offset: true });
const duration = z
  .string()
  .refine(
    (text) => parseDuration(text) !== undefined,
    'a duration is a whole number and m, h, d or w, such as 14d',
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
    .regex(
      /^(data|model|deploy|runtime|promote:[a-z0-9][a-z0-9._-]{0,62})$/,
      'a gate is data, model, deploy, runtime or promote:<alias>',
    ),
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

export const policySetBody = z.strictObject({
  files: z
    .array(z.strictObject({ path: z.string().min(1).max(512), content: z.string().max(1024 * 1024) }))
    .min(1, 'a policy set has at least one file')
    .max(500),
  revision: z.string().min(1).max(128).optional(),
});

export const monitorsBody = z.strictObject({ monitors: z.array(z.record(z.string(), z.unknown())).max(100) });

export const auditQuery = z.strictObject({
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
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
