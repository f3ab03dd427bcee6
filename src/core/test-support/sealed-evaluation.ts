import { sealEvidence } from '../evidence.js';

/** A sealed model-evaluation document about credit-risk version 3, for tests that read evidence. */
export function sealedEvaluation(producedAt: string, extra: Record<string, unknown> = {}) {
  return sealEvidence(
    {
      kind: 'model-evaluation' as const,
      subject: { type: 'model-version' as const, name: 'credit-risk', version: '3' },
      inputs: [],
      passed: true,
      performance: { rocAuc: 0.83 },
      ...extra,
    },
    new Date(producedAt),
  );
}
