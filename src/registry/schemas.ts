import { z } from 'zod';
import { endpointUrlProblem, evidenceKinds, inferenceProtocols, normalEndpointUrl } from '../core/index.js';
import { versionStatuses } from '../store/index.js';

/**
 * The shapes the registry accepts, validated at the edge (the HTTP API and the CLI send these).
 * Objects are strict: an unknown field is an error naming it, not silently dropped.
 */
export const modelName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
    'a model name is 1–128 letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

export const versionNumber = z
  .string()
  // At most 9 digits: versions are 32-bit integers in the database.
  .regex(/^[1-9][0-9]{0,8}$/, 'a version is a positive integer such as "3"');

export const aliasName = z
  .string()
  .regex(
    /^[a-z][a-z0-9_-]{0,62}$/,
    'an alias is 1–63 lowercase letters, digits, "_" or "-", starting with a letter (staging, production, champion)',
  );

export const tagKey = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,249}$/, 'a tag key is 1–250 letters, digits or . _ : / -');

export const teamName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a team is 1–64 letters, digits, ".", "_" or "-"');
export const labelKey = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9._/-]{0,62}$/,
    'a label key is a letter then up to 62 letters, digits or . _ / -',
  );
export const labelValue = z.string().max(256);
/** At most this many labels on a model. */
export const maxLabels = 64;
const labels = z
  .record(labelKey, labelValue)
  .refine((l) => Object.keys(l).length <= maxLabels, `at most ${maxLabels} labels`);
const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'a digest is written sha256:<64 lowercase hex>');
const shortText = z.string().max(256);

export const createModelBody = z.strictObject({
  name: modelName,
  description: z.string().max(5000).optional(),
  owner: shortText.optional(),
  team: teamName.optional(),
  labels: labels.optional(),
});
export type CreateModelBody = z.infer<typeof createModelBody>;

export const updateModelBody = z.strictObject({
  description: z.string().max(5000).optional(),
  owner: shortText.nullable().optional(),
  team: teamName.nullable().optional(),
  labels: labels.optional(),
});
export type UpdateModelBody = z.infer<typeof updateModelBody>;

export const lineageBody = z.strictObject({
  runId: shortText.optional(),
  sourceCommit: z
    .string()
    .regex(/^[0-9a-f]{7,64}$/, 'a source commit is a git hash (7–64 lowercase hex)')
    .optional(),
  datasets: z
    .array(z.strictObject({ name: shortText.min(1), uri: z.string().max(2048).optional(), digest }))
    .max(256)
    .optional(),
  environment: z
    .strictObject({
      lockfiles: z.record(z.string().min(1).max(512), digest).optional(),
      image: z
        .string()
        .regex(/^(.+@)?sha256:[0-9a-f]{64}$/, 'an image is written sha256:<hex> or NAME@sha256:<hex>')
        .optional(),
    })
    .optional(),
  parameters: z.record(z.string().max(256), z.unknown()).optional(),
  parentRuns: z.array(shortText.min(1)).max(64).optional(),
});
export type LineageBody = z.infer<typeof lineageBody>;

/** A version's model server: an http(s) URL without credentials, query or fragment, and its protocol. */
export const servingEndpoint = z.strictObject({
  url: z
    .string()
    .superRefine((url, context) => {
      const problem = endpointUrlProblem(url);
      if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
    })
    .transform(normalEndpointUrl),
  protocol: z.enum(inferenceProtocols).default('v2'),
});

export const createVersionBody = z.strictObject({
  artifact: z.strictObject({ uri: z.string().min(1).max(2048), digest: digest.optional() }),
  runId: shortText.optional(),
  description: z.string().max(5000).optional(),
  status: z.enum(versionStatuses).optional(),
  lineage: lineageBody.optional(),
  endpoint: servingEndpoint.optional(),
});
export type CreateVersionBody = z.infer<typeof createVersionBody>;

/** Sets (or, with null, removes) the model server a version is served from. */
export const setEndpointBody = z.strictObject({ endpoint: servingEndpoint.nullable() });
export type SetEndpointBody = z.infer<typeof setEndpointBody>;

export const setAliasBody = z.strictObject({ version: versionNumber });
export const setTagBody = z.strictObject({ value: z.string().max(5000).optional() });

export const listModelsQuery = z.strictObject({
  team: teamName.optional(),
  label: z.union([z.string(), z.array(z.string())]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  pageToken: z.string().max(256).optional(),
});

export const listVersionsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  pageToken: versionNumber.optional(),
});

export const evidenceQuery = z.strictObject({
  kind: z.string().max(64).optional(),
  latest: z.enum(['true', 'false']).optional(),
});

/** A signing key's name: what TrustPolicy documents and decisions call the signer. */
export const signerName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,62}$/,
    'a signer name is 1–63 lowercase letters, digits, ".", "_" or "-" (e.g. credit-pipeline-ci)',
  );

export const registerSigningKeyBody = z.strictObject({
  name: signerName,
  /** SPKI PEM, as warden key create wrote it to FILE.pub. */
  publicKey: z.string().min(1).max(4096),
  /** The teams whose models it may sign evidence for; any team when absent. */
  teams: z.array(teamName).min(1).max(64).optional(),
  /** The evidence kinds it may sign; any kind when absent. */
  evidenceKinds: z.array(z.enum(evidenceKinds)).min(1).optional(),
});
export type RegisterSigningKeyBody = z.infer<typeof registerSigningKeyBody>;
