import { z } from 'zod';
import { type Digest, type EvidenceDocument, type EvidenceEnvelope, WardenError } from '../core/index.js';

/**
 * The sections of a `reproducibility` evidence document (docs/reproducibility.md): what `warden
 * capture` records from the machine, and the `verification` that `warden check repro` adds. The
 * Zod schema is the one source of the types, and checks a capture document before a re-run trusts it.
 */

const digest = z.custom<Digest>(
  (value) => typeof value === 'string' && /^sha256:[0-9a-f]{64}$/.test(value),
  'a digest is written sha256:<64 lowercase hex>',
);

export const differenceCauses = [
  'dirty-tree',
  'input-changed',
  'lockfile-changed',
  'environment-changed',
  'non-determinism',
  'output-differs',
] as const;
export type DifferenceCause = (typeof differenceCauses)[number];

const dataInput = z.object({
  path: z.string(),
  digest,
  bytes: z.number(),
  files: z.number().optional(),
  dvc: z.object({ file: z.string(), md5: z.string(), matches: z.boolean() }).optional(),
});

const recordedFile = z.object({ path: z.string(), digest, bytes: z.number() });

export const captureSections = z.object({
  run: z.object({
    runId: z.string(),
    command: z.array(z.string()).min(1),
    workingDirectory: z.string(),
    startedAt: z.string(),
    endedAt: z.string(),
    exitCode: z.number(),
  }),
  source: z.object({
    commit: z.string().regex(/^[0-9a-f]{40,64}$/),
    branch: z.string().nullable(),
    remote: z.string().nullable(),
    dirty: z.boolean(),
    changedPaths: z.array(z.string()),
  }),
  data: z.array(dataInput),
  lockfiles: z.array(z.object({ path: z.string(), digest })),
  environment: z.object({
    image: z.string().nullable(),
    platform: z.string(),
    node: z.string(),
    python: z.object({ version: z.string(), packages: z.record(z.string(), z.string()) }).nullable(),
    variables: z.record(z.string(), z.string().nullable()),
  }),
  seeds: z.record(z.string(), z.string()),
  parameters: z.object({ file: z.string(), digest, values: z.unknown() }).nullable(),
  outputs: z.array(recordedFile),
});

export const verificationSection = z.object({
  capture: digest,
  reproducible: z.boolean(),
  mode: z.enum(['digest', 'predictions']),
  tolerance: z.number().optional(),
  runs: z.number(),
  differences: z.array(
    z.object({
      cause: z.enum(differenceCauses),
      path: z.string().optional(),
      expected: z.string().optional(),
      actual: z.string().optional(),
      detail: z.string(),
    }),
  ),
});

export type CaptureSections = z.infer<typeof captureSections>;
export type DataInput = z.infer<typeof dataInput>;
export type RecordedFile = z.infer<typeof recordedFile>;
export type CaptureEnvironment = CaptureSections['environment'];
export type Verification = z.infer<typeof verificationSection>;
export type Difference = Verification['differences'][number];

/** A capture's evidence: the envelope and the capture sections. */
export type CaptureEvidence = EvidenceEnvelope & CaptureSections & { kind: 'reproducibility' };
/** A re-run's evidence: the capture's sections copied, and the verification. */
export type ReproducibilityEvidence = CaptureEvidence & { verification?: Verification };

/**
 * The capture sections of an evidence document read from `source`, checked: a reproducibility
 * document written by `warden capture` (not by `check repro`, which already holds a verification).
 */
export function captureFromEvidence(document: EvidenceDocument, source: string): CaptureEvidence {
  const fail = (problem: string) =>
    new WardenError('WARDEN_ERR_EVIDENCE_INVALID', `${source}: ${problem}`, { where: source });
  if (document.kind !== 'reproducibility') {
    throw fail(
      `is ${document.kind} evidence; check repro re-runs a capture: pass the file warden capture wrote with --evidence`,
    );
  }
  if ('verification' in document) {
    throw fail(
      `is the result of check repro (it has a verification section); pass the capture it verified, ${String((document as { verification?: { capture?: unknown } }).verification?.capture)}`,
    );
  }
  const parsed = captureSections.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw fail(
      `is not a complete capture: ${issue?.path.join('.') || 'the document'}: ${issue?.message ?? 'invalid'}; use the file warden capture wrote, unchanged`,
    );
  }
  return document as unknown as CaptureEvidence;
}
