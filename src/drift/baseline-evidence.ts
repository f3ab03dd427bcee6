import {
  checkEvidenceDocument,
  type EvidenceEnvelope,
  type EvidenceInput,
  sealEvidence,
} from '../core/index.js';
import { type DriftBaseline, parseBaseline } from './baseline-document.js';
import { invalidBaseline } from './baseline-errors.js';

/**
 * A baseline attached to a model version: drift-baseline evidence about the reference data, with
 * the baseline document exactly as `warden baseline create --out` writes it.
 */
export type DriftBaselineEvidence = EvidenceEnvelope & {
  kind: 'drift-baseline';
  subject: { type: 'dataset'; name: string };
  baseline: DriftBaseline;
};

/** Seals a baseline as drift-baseline evidence about its reference file (`input`, named `name`). */
export function sealBaselineEvidence(
  baseline: DriftBaseline,
  input: EvidenceInput,
  name: string,
  producedAt?: Date,
): DriftBaselineEvidence {
  return sealEvidence(
    {
      kind: 'drift-baseline' as const,
      subject: { type: 'dataset' as const, name },
      inputs: [input],
      passed: true,
      baseline,
    },
    producedAt,
  ) as DriftBaselineEvidence;
}

const attachAgain =
  'attach the evidence warden baseline create --evidence wrote, unchanged, or create it again';

/**
 * The baseline inside drift-baseline evidence (already unwrapped from its signed envelope, when it
 * was signed): checks the envelope and its id, the kind, that the baseline was made from the file
 * the evidence names, and the baseline itself as `parseBaseline` does. `source` names where the
 * document came from in error messages.
 *
 * @example
 * const baseline = baselineFromEvidence(JSON.parse(text), 'credit-risk version 3, evidence sha256:…');
 */
export function baselineFromEvidence(document: unknown, source: string): DriftBaseline {
  const envelope = checkEvidenceDocument(document, source);
  if (envelope.kind !== 'drift-baseline') {
    throw invalidBaseline(
      source,
      `is ${envelope.kind} evidence, not drift-baseline evidence`,
      'use the evidence warden baseline create --evidence wrote',
    );
  }
  const { baseline, inputs } = document as { baseline?: unknown; inputs?: unknown };
  if (baseline === null || typeof baseline !== 'object' || Array.isArray(baseline)) {
    throw invalidBaseline(source, 'drift-baseline evidence without its "baseline" document', attachAgain);
  }
  const parsed = parseBaseline(baseline, source);
  const read = Array.isArray(inputs) ? inputs.map((input) => (input as { digest?: unknown })?.digest) : [];
  if (!read.includes(parsed.source.digest)) {
    throw invalidBaseline(
      source,
      `the baseline was made from ${parsed.source.digest.slice(0, 19)}…, which is not among the inputs the evidence names`,
      attachAgain,
    );
  }
  return parsed;
}
