import { z } from 'zod';
import { versionNumber } from '../registry/index.js';

const reason = z.string().trim().min(1, 'say why').max(2000);

/** `POST /api/v1/models/{model}/rollouts`: the canary and how it is rolled out (docs/rollouts.md). */
export const rolloutBody = z.strictObject({
  version: versionNumber,
  steps: z.array(z.number().int().min(1).max(100)).min(1).max(20).optional(),
  intervalSeconds: z.number().int().min(1).max(86_400).optional(),
  threshold: z.number().int().min(1).max(100).optional(),
  maxNoData: z.number().int().min(1).max(100).optional(),
  minRequests: z.number().int().min(1).max(1_000_000).optional(),
  comment: reason.optional(),
});

export const rolloutChangeBody = z.strictObject({ reason: reason.optional() });
export const rolloutAbortBody = z.strictObject({ reason });
export const rolloutQuery = z.strictObject({
  all: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

/** `POST /api/v1/models/{model}/rollback`: production back to its previous holder, or to `to`. */
export const rollbackBody = z.strictObject({ to: versionNumber.optional(), reason });
