import { describe, expect, it } from 'vitest';
import { type Digest, type ErrorCode, sealEvidence, WardenError } from '../core/index.js';
import { baselineFromColumns } from './baseline.js';
import { baselineFromEvidence, sealBaselineEvidence } from './baseline-evidence.js';

const digest: Digest = `sha256:${'ab'.repeat(32)}`;
const source = 'credit-risk version 3, evidence sha256:0123…';

function baseline() {
  return baselineFromColumns(
    [
      { name: 'Age', type: 'numeric', values: Float64Array.from({ length: 40 }, (_, i) => 18 + i) },
      {
        name: 'Home',
        type: 'categorical',
        values: Array.from({ length: 40 }, (_, i) => ['rent', 'owner'][i % 2] ?? null),
      },
    ],
    { source: { uri: 'train.csv', digest }, windowRows: 10 },
  );
}

const input = { uri: 'train.csv', digest, bytes: 640, rows: 40, format: 'csv' };

/** Re-seals an edited evidence body, as someone who edits the file and recomputes the id would. */
function resealed(edit: (body: Record<string, unknown>) => void): unknown {
  const {
    id: _id,
    schemaVersion: _version,
    producedAt: _at,
    producer: _producer,
    ...body
  } = sealBaselineEvidence(baseline(), input, 'train.csv') as unknown as Record<string, unknown>;
  edit(body);
  return sealEvidence(body as Parameters<typeof sealEvidence>[0]);
}

function refusal(document: unknown): { code: ErrorCode; message: string } {
  try {
    baselineFromEvidence(document, source);
  } catch (error) {
    if (error instanceof WardenError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('the evidence was accepted');
}

describe('drift-baseline evidence', () => {
  it('has the envelope the gateway reads, and gives back the baseline exactly', () => {
    const made = baseline();
    const evidence = sealBaselineEvidence(made, input, 'train.csv', new Date('2026-11-20T10:00:00Z'));
    expect(evidence).toMatchObject({
      kind: 'drift-baseline',
      schemaVersion: 1,
      subject: { type: 'dataset', name: 'train.csv' },
      inputs: [input],
      producedAt: '2026-11-20T10:00:00Z',
      passed: true,
    });
    expect(evidence.baseline).toBe(made);
    // As the gateway gets it: JSON from the server, then the baseline out of it.
    expect(baselineFromEvidence(JSON.parse(JSON.stringify(evidence)), source)).toEqual(made);
  });

  it('refuses evidence of another kind, naming the kind and where it came from', () => {
    const other = sealEvidence({
      kind: 'drift-report',
      subject: { type: 'dataset', name: 'x' },
      inputs: [input],
      passed: true,
    });
    expect(refusal(other)).toEqual({
      code: 'WARDEN_ERR_DRIFT_INVALID_BASELINE',
      message: `${source}: is drift-report evidence, not drift-baseline evidence; use the evidence warden baseline create --evidence wrote`,
    });
  });

  it('refuses a document edited after sealing, and one that is not evidence at all', () => {
    const edited = JSON.parse(JSON.stringify(sealBaselineEvidence(baseline(), input, 'train.csv')));
    edited.baseline.features.Age.thresholds.psi = 99;
    expect(refusal(edited)).toMatchObject({ code: 'WARDEN_ERR_EVIDENCE_INVALID' });
    expect(refusal(edited).message).toContain(`${source}: was changed after it was sealed`);
    expect(refusal(baseline())).toMatchObject({ code: 'WARDEN_ERR_EVIDENCE_INVALID' });
  });

  it('checks the baseline inside as a baseline file is checked, located to the source', () => {
    const malformed = resealed((body) => {
      const inner = body['baseline'] as { features: { Age: { referenceShares: number[] } } };
      inner.features.Age.referenceShares = [2];
    });
    const { code, message } = refusal(malformed);
    expect(code).toBe('WARDEN_ERR_DRIFT_INVALID_BASELINE');
    expect(message).toMatch(
      /^credit-risk version 3, evidence sha256:0123…: malformed baseline: features\.Age\.referenceShares/,
    );

    expect(refusal(resealed((body) => delete body['baseline']))).toEqual({
      code: 'WARDEN_ERR_DRIFT_INVALID_BASELINE',
      message: `${source}: drift-baseline evidence without its "baseline" document; attach the evidence warden baseline create --evidence wrote, unchanged, or create it again`,
    });
  });

  it('refuses a baseline made from another file than the one the evidence names', () => {
    const swapped = resealed((body) => {
      body['inputs'] = [{ ...input, digest: `sha256:${'cd'.repeat(32)}` }];
    });
    expect(refusal(swapped).message).toBe(
      `${source}: the baseline was made from sha256:abababababab…, which is not among the inputs the evidence names; attach the evidence warden baseline create --evidence wrote, unchanged, or create it again`,
    );
  });
});
