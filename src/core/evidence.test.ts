import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { WardenError } from './errors.js';
import { checkEvidence, checkEvidenceDocument, sealEvidence, verifyEvidenceId } from './evidence.js';
import { sealedEvaluation as sealed } from './test-support/sealed-evaluation.js';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

const body = {
  kind: 'data-check' as const,
  subject: { type: 'dataset' as const, name: 'train' },
  inputs: [{ uri: 'train.csv', digest: `sha256:${'0'.repeat(64)}` as const, bytes: 12, rows: 2 }],
  passed: true,
  results: [{ check: 'rows', observed: 2 }],
};
const at = new Date('2026-11-22T10:00:00.123Z');

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

describe('sealEvidence', () => {
  it('adds the envelope: schemaVersion 1, producer, producedAt in whole seconds UTC', () => {
    const evidence = sealEvidence(body, at);
    expect(evidence.kind).toBe('data-check');
    expect(evidence.schemaVersion).toBe(1);
    expect(evidence.producedAt).toBe('2026-11-22T10:00:00Z');
    expect(evidence.producer).toEqual({ name: packageJson.name, version: packageJson.version });
    expect(evidence.subject).toEqual(body.subject);
    expect(evidence.inputs).toEqual(body.inputs);
    expect(evidence.passed).toBe(true);
    expect(evidence.results).toEqual(body.results);
    // kind, schemaVersion and id lead the document.
    expect(Object.keys(evidence).slice(0, 3)).toEqual(['kind', 'schemaVersion', 'id']);
  });

  it('sets id to sha256 of the canonical JSON of the document without id', () => {
    const evidence = sealEvidence(body, at);
    const { id, ...withoutId } = evidence;
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(id).toBe(`sha256:${sha256Hex(canonicalJson(withoutId))}`);
    // Spelled out by hand: keys sorted, no whitespace, producedAt without milliseconds.
    const expected =
      '{"inputs":[{"bytes":12,"digest":"sha256:' +
      '0'.repeat(64) +
      '","rows":2,"uri":"train.csv"}],"kind":"data-check","passed":true,"producedAt":"2026-11-22T10:00:00Z",' +
      `"producer":{"name":"${packageJson.name}","version":"${packageJson.version}"},` +
      '"results":[{"check":"rows","observed":2}],"schemaVersion":1,"subject":{"name":"train","type":"dataset"}}';
    expect(id).toBe(`sha256:${sha256Hex(expected)}`);
  });

  it('gives the same id for the same content regardless of key order, and a new id for new content', () => {
    const reordered = {
      results: body.results,
      passed: true,
      inputs: body.inputs,
      subject: { name: 'train', type: 'dataset' as const },
      kind: 'data-check' as const,
    };
    expect(sealEvidence(reordered, at).id).toBe(sealEvidence(body, at).id);
    expect(sealEvidence({ ...body, passed: false }, at).id).not.toBe(sealEvidence(body, at).id);
    expect(sealEvidence(body, new Date('2026-11-22T10:00:01Z')).id).not.toBe(sealEvidence(body, at).id);
  });
});

describe('verifyEvidenceId', () => {
  it('accepts a sealed document, also after a JSON round trip', () => {
    const evidence = sealEvidence(body, at);
    expect(verifyEvidenceId(evidence)).toBe(true);
    expect(verifyEvidenceId(JSON.parse(JSON.stringify(evidence)) as typeof evidence)).toBe(true);
  });

  it('detects a changed, added or removed field', () => {
    const evidence = sealEvidence(body, at);
    expect(verifyEvidenceId({ ...evidence, passed: false })).toBe(false);
    expect(verifyEvidenceId({ ...evidence, results: [{ check: 'rows', observed: 3 }] })).toBe(false);
    expect(verifyEvidenceId({ ...evidence, extra: 1 })).toBe(false);
    const { results: _results, ...withoutResults } = evidence;
    expect(verifyEvidenceId(withoutResults)).toBe(false);
    expect(verifyEvidenceId({ ...evidence, id: `sha256:${'f'.repeat(64)}` })).toBe(false);
  });
});

describe('checkEvidenceDocument', () => {
  const evidenceError = (value: unknown): WardenError => {
    let caught: unknown;
    try {
      checkEvidenceDocument(value, 'evaluation.json');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WardenError);
    expect((caught as WardenError).code).toBe('WARDEN_ERR_EVIDENCE_INVALID');
    return caught as WardenError;
  };

  it('accepts a sealed document unchanged', () => {
    const document = sealed('2026-03-01T10:00:00Z');
    expect(checkEvidenceDocument(JSON.parse(JSON.stringify(document)), 'evaluation.json')).toEqual(document);
  });

  it('returns the canonical JSON it checked the id over, with the id in its sorted place', () => {
    const document = sealed('2026-03-01T10:00:00Z');
    const shuffled = Object.fromEntries(Object.entries(document).reverse());
    const { evidence, canonical } = checkEvidence(shuffled, 'evaluation.json');
    expect(evidence).toEqual(document);
    expect(canonical).toBe(canonicalJson(document));
  });

  it('refuses what is not an object', () => {
    for (const value of [null, 'text', 42, [sealed('2026-03-01T10:00:00Z')]]) {
      expect(evidenceError(value).message).toBe(
        'evaluation.json: is not a Warden evidence document (expected a JSON object with kind, id and producedAt); use the file a check wrote with --json',
      );
    }
  });

  it('refuses a document without a kind, or of a kind Warden does not know', () => {
    expect(evidenceError({ id: 'sha256:x' }).message).toBe(
      'evaluation.json: has no "kind"; use the file a check wrote with --json (a decision or report is not evidence)',
    );
    expect(evidenceError({ ...sealed('2026-03-01T10:00:00Z'), kind: 'model-evalution' }).message).toBe(
      'evaluation.json: evidence of kind "model-evalution" is not one Warden knows (did you mean "model-evaluation"?); the evidence kinds are data-check, model-evaluation, drift-report, drift-baseline, reproducibility, monitor-status',
    );
    expect(evidenceError({ kind: 'decision' }).message).toContain(
      'evidence of kind "decision" is not one Warden knows',
    );
  });

  it('refuses a document without its envelope', () => {
    const { id: _id, ...withoutId } = sealed('2026-03-01T10:00:00Z');
    expect(evidenceError(withoutId).message).toBe(
      'evaluation.json: is a model-evaluation document without its envelope (id sha256:<64 hex>, subject {type, name}, producedAt, passed); use the file the check wrote, unchanged',
    );
    const { producedAt: _producedAt, ...withoutTime } = sealed('2026-03-01T10:00:00Z');
    expect(evidenceError(withoutTime).message).toContain('without its envelope');
  });

  it('refuses a document edited after it was sealed', () => {
    const document = sealed('2026-03-01T10:00:00Z');
    const edited = { ...document, performance: { rocAuc: 0.99 } };
    expect(evidenceError(edited).message).toBe(
      `evaluation.json: was changed after it was sealed: its content no longer matches its id ${document.id.slice(0, 19)}…; use the file the check wrote, unchanged, or run the check again`,
    );
  });

  it('refuses a document whose id is not a digest or which lacks its verdict', () => {
    const document = sealed('2026-03-01T10:00:00Z');
    expect(evidenceError({ ...document, id: 'sha256:abc' }).message).toContain('without its envelope');
    const { passed: _passed, ...withoutVerdict } = document;
    expect(evidenceError(withoutVerdict).message).toContain('without its envelope');
  });
});
