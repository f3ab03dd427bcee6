import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sealEvidence, WardenError } from '../core/index.js';
import { sealedEvaluation } from '../core/test-support/sealed-evaluation.js';
import { gateInputDigest } from '../policy/index.js';
import {
  gateInputFromFiles,
  readEvidenceFile,
  readMonitors,
  readSavedGateInput,
  savedGateInput,
} from './gate-input-files.js';

const work = mkdtempSync(join(tmpdir(), 'warden-gate-files-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const write = (name: string, text: string): string => {
  const file = join(work, name);
  writeFileSync(file, text);
  return file;
};

const evaluation = sealedEvaluation('2026-11-01T10:00:00Z');
const dataCheck = sealEvidence(
  {
    kind: 'data-check' as const,
    subject: { type: 'dataset' as const, name: 'train' },
    inputs: [],
    passed: true,
  },
  new Date('2026-10-31T10:00:00Z'),
);

describe('gate input from files', () => {
  it('takes the subject from model-version evidence and fills every default', async () => {
    const files = [
      write('data.json', JSON.stringify(dataCheck)),
      write('eval.json', JSON.stringify(evaluation)),
    ];
    const { input, evidenceIds } = await gateInputFromFiles({
      gate: 'promote:production',
      evidenceFiles: files,
      labels: { riskTier: 'high' },
      now: '2026-11-02T00:00:00Z',
    });
    expect(input).toEqual({
      gate: 'promote:production',
      subject: {
        type: 'model-version',
        name: 'credit-risk',
        version: '3',
        labels: { riskTier: 'high' },
        tags: [],
      },
      evidence: {
        dataCheck: { ...dataCheck, signer: null },
        modelEvaluation: { ...evaluation, signer: null },
      },
      contract: {},
      monitors: [],
      now: '2026-11-02T00:00:00Z',
      waivers: [],
    });
    expect(evidenceIds.sort()).toEqual([dataCheck.id, evaluation.id].sort());
  });

  it('uses a named subject over the evidence, and refuses an unknown gate', async () => {
    const file = write('eval-named.json', JSON.stringify(evaluation));
    const { input } = await gateInputFromFiles({
      gate: 'deploy',
      evidenceFiles: [file],
      subject: { type: 'deployment', name: 'credit-risk-eu' },
      tags: ['biased'],
      owner: 'risk-team',
      now: '2026-11-02T00:00:00Z',
    });
    expect(input.subject).toEqual({
      type: 'deployment',
      name: 'credit-risk-eu',
      labels: {},
      owner: 'risk-team',
      tags: ['biased'],
    });
    await expect(
      gateInputFromFiles({ gate: 'promote', evidenceFiles: [file], now: '2026-11-02T00:00:00Z' }),
    ).rejects.toThrow('"promote" is not a gate');
  });

  it('replays a saved input exactly: the same digest', async () => {
    const { input, evidenceIds } = await gateInputFromFiles({
      gate: 'model',
      evidenceFiles: [write('eval-saved.json', JSON.stringify(evaluation))],
      now: '2026-11-02T00:00:00Z',
    });
    const saved = write('saved.json', savedGateInput(input, evidenceIds));
    const replay = await readSavedGateInput(saved);
    expect(gateInputDigest(replay.input)).toBe(gateInputDigest(input));
    expect(replay.evidenceIds).toEqual(evidenceIds);
  });

  it('replays a saved runtime-gate input with its runtime section', async () => {
    const { input } = await gateInputFromFiles({
      gate: 'runtime',
      evidenceFiles: [write('eval-runtime.json', JSON.stringify(evaluation))],
      now: '2026-11-02T00:00:00Z',
    });
    const runtime = {
      mode: 'production' as const,
      canary: null,
      stable: null,
      slo: [],
      step: null,
      weight: null,
    };
    const saved = write('saved-runtime.json', savedGateInput({ ...input, runtime }, []));
    const replay = await readSavedGateInput(saved);
    expect(replay.input.runtime).toEqual(runtime);
    expect(gateInputDigest(replay.input)).toBe(gateInputDigest({ ...input, runtime }));
  });

  it('answers every unusable evidence file with one code that names the file', async () => {
    const files = [
      write('broken.json', '{"kind": '),
      write('edited.json', JSON.stringify({ ...evaluation, passed: false })),
      write('decision.json', JSON.stringify({ kind: 'decision', allowed: true })),
    ];
    for (const file of files) {
      const error = await readEvidenceFile(file).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WardenError);
      expect((error as WardenError).code).toBe('WARDEN_ERR_EVIDENCE_INVALID');
      expect((error as WardenError).message.startsWith(`${file}: `)).toBe(true);
    }
  });

  it('reads monitors with the schema the server uses: the example passes, junk is refused by field', async () => {
    expect(await readMonitors('examples/credit-risk/monitors.yaml')).toEqual([
      {
        name: 'credit-risk-production',
        signals: ['drift', 'performance'],
        owner: 'credit-risk-oncall',
        window: '1d',
      },
    ]);
    const junk: [string, string][] = [
      ['- foo: 1\n', 'monitors[0].name'],
      ['- name: m\n  signals: drift\n', 'monitors[0].signals'],
      ['- name: m\n  singals: [drift]\n', 'singals'],
      ['monitors:\n  - name: m\n    enabled: sometimes\n', 'monitors[0].enabled'],
    ];
    for (const [text, problem] of junk) {
      const file = write('monitors.yaml', text);
      const error = await readMonitors(file).catch((caught: unknown) => caught);
      expect((error as WardenError).code).toBe('WARDEN_ERR_GATE_INVALID_INPUT');
      expect((error as WardenError).message).toContain(`${file}: `);
      expect((error as WardenError).message).toContain(problem);
    }
  });
});
