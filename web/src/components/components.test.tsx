import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../api/types';
import { subjectText } from './AuditTable';
import { BarChart } from './BarChart';
import { DecisionCard } from './DecisionCard';
import { fourEyesBlock } from './fourEyes';
import { matchPath } from './router';
import { Time, utcTime } from './Time';

describe('BarChart', () => {
  it('is an image with a title and a description, and writes every value beside its bar', () => {
    const html = renderToStaticMarkup(
      <BarChart
        title="false positive rate by Age"
        description="young 0.3, old 0.05"
        max={1}
        band={{ from: 0.05, to: 0.25, label: 'allowed' }}
        bars={[
          { label: 'young', value: 0.3, alert: true },
          { label: 'old', value: 0.05 },
          { label: 'none', value: null },
        ]}
      />,
    );
    expect(html).toContain('role="img"');
    expect(html).toMatch(/<title id="[^"]+">false positive rate by Age<\/title>/);
    expect(html).toContain('<desc');
    expect(html).toContain('0.300 ⚠');
    expect(html).toContain('0.050');
    expect(html).toContain('undefined');
    expect(html).toContain('chart-bar-alert');
    expect(html).toContain('chart-band');
  });
});

describe('DecisionCard', () => {
  const decision: Decision = {
    id: 'sha256:1',
    gate: 'promote:production',
    subject: { type: 'model-version', name: 'credit-risk', version: '2', labels: { riskTier: 'high' } },
    allowed: false,
    policySet: { revision: 'v1', digest: `sha256:${'a'.repeat(64)}` },
    summary: { pass: 1, fail: 1, error: 0, waived: 0, warnings: 0, skipped: 0 },
    results: [
      {
        policy: 'quality',
        binding: 'b',
        validation: 'min-auc',
        action: 'deny',
        outcome: 'pass',
        severity: 'high',
        message: 'min-auc holds',
        controls: [],
        blocking: false,
      },
      {
        policy: 'credit-fairness',
        binding: 'b',
        validation: 'equalized-odds',
        action: 'deny',
        outcome: 'fail',
        severity: 'critical',
        message: 'equalized odds difference above 0.2 on Age',
        controls: ['eu-ai-act:art10'],
        blocking: true,
        tags: ['biased'],
      },
    ],
    skipped: [],
    evidence: [],
    decidedAt: '2026-11-22T10:00:00Z',
    actor: 'carl',
  };

  it('shows the verdict and lists the blocking failure first, with its message and controls', () => {
    const html = renderToStaticMarkup(<DecisionCard decision={decision} />);
    expect(html).toContain('Denied');
    expect(html.indexOf('equalized-odds')).toBeLessThan(html.indexOf('min-auc'));
    expect(html).toContain('fail (blocking)');
    expect(html).toContain('eu-ai-act:art10');
    expect(html).toContain('tags the version biased');
    expect(html).toContain('1 blocking');
  });
});

describe('helpers', () => {
  it('blocks the requester and whoever registered the version, whatever the case', () => {
    const request = { requestedBy: 'Ann', version: '3' };
    expect(fourEyesBlock('ann', request, 'carl')).toContain('You requested this');
    expect(fourEyesBlock('CARL', request, 'carl')).toContain('You registered version 3');
    expect(fourEyesBlock('otto', request, 'carl')).toBeUndefined();
    expect(fourEyesBlock('otto', request, undefined)).toBeUndefined();
  });

  it('matches page paths and decodes their parameters', () => {
    expect(matchPath('/models/:model/versions/:version', '/models/credit%20risk/versions/2')).toEqual({
      model: 'credit risk',
      version: '2',
    });
    expect(matchPath('/models/:model/versions/:version', '/models/x/versions')).toBeUndefined();
    expect(matchPath('/models', '/audit')).toBeUndefined();
    expect(matchPath('/models/:model/versions/:version', '/models/%E0%A4/versions/1')).toBeUndefined();
  });

  it('shows times in the reader’s locale with UTC in the title', () => {
    const html = renderToStaticMarkup(<Time at="2026-11-22T10:00:00Z" />);
    expect(html).toContain('dateTime="2026-11-22T10:00:00Z"');
    expect(html).toContain('title="2026-11-22 10:00:00 UTC"');
    expect(utcTime('not a date')).toBe('not a date');
    expect(renderToStaticMarkup(<Time at={null} />)).toContain('—');
  });

  it('names an audit subject in words', () => {
    expect(subjectText({ type: 'model-version', name: 'credit-risk', version: '2' })).toBe('credit-risk v2');
    expect(subjectText({ type: 'token', id: 'tok_1' })).toBe('token tok_1');
  });
});
