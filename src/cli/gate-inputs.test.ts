import { describe, expect, it } from 'vitest';
import { WardenError } from '../core/index.js';
import { gateInputFiles, subjectDetails, subjectFlag } from './gate-inputs.js';

describe('the gate-input flags', () => {
  it('reads --labels, --tags and --owner as the subject details', () => {
    expect(
      subjectDetails({
        labels: 'domain=credit,riskTier=high',
        tags: ' biased, ,rolled-back ',
        owner: 'risk',
      }),
    ).toEqual({
      labels: { domain: 'credit', riskTier: 'high' },
      tags: ['biased', 'rolled-back'],
      owner: 'risk',
    });
    expect(subjectDetails({})).toEqual({ labels: {}, tags: [] });
  });

  it('reads --artifact-digest as a digest, and refuses anything else', () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    expect(subjectDetails({ artifactDigest: digest })).toEqual({
      labels: {},
      tags: [],
      artifactDigest: digest,
    });
    for (const bad of ['ab'.repeat(32), `sha256:${'AB'.repeat(32)}`, 'sha256:abc']) {
      expect(() => subjectDetails({ artifactDigest: bad })).toThrow(
        /--artifact-digest .*sha256:<64 lowercase hex>/,
      );
    }
  });

  it('reads --subject as one named subject, and refuses two or an unknown key', () => {
    expect(subjectFlag('model=credit-risk,version=7')).toEqual({
      type: 'model-version',
      name: 'credit-risk',
      version: '7',
    });
    expect(subjectFlag('deployment=eu')).toEqual({ type: 'deployment', name: 'eu' });
    for (const bad of ['model=a,dataset=b', 'model=a,team=risk']) {
      expect(() => subjectFlag(bad)).toThrow(WardenError);
    }
    expect(() => subjectFlag('model=a,team=risk')).toThrow('unknown key team');
  });

  it('refuses a --now that is not an ISO-8601 time', () => {
    expect(gateInputFiles('model', [], { now: '2026-11-22T10:00:00Z' }).now).toBe('2026-11-22T10:00:00Z');
    expect(() => gateInputFiles('model', [], { now: 'yesterday' })).toThrow('is not an ISO-8601 time');
  });
});
