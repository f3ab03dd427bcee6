import { describe, expect, it } from 'vitest';
import { compilePolicySet } from './compiled-policy-set.js';
import { policySetFromFiles } from './policy-set-loader.js';
import { alwaysProtectedLabels, labelKeysSelectedBy, protectedLabelKeys } from './protected-labels.js';

const policy = `apiVersion: warden.dev/v1
kind: Policy
metadata: { name: evaluated }
spec:
  validations: [{ name: ok, expression: 'true', message: m }]
`;

const binding = (name: string, subjects: string) => `---
apiVersion: warden.dev/v1
kind: PolicyBinding
metadata: { name: ${name} }
spec:
  policyName: evaluated
  gates: [model]
  subjects: ${subjects}
`;

const compiled = (...bindings: string[]) =>
  compilePolicySet(
    policySetFromFiles('test', [{ path: 'set.yaml', content: [policy, ...bindings].join('') }]),
  );

describe('protected labels', () => {
  it('lists the label keys of matchLabels and matchExpressions, once each and sorted', () => {
    const set = compiled(
      binding('by-tier', '{ matchLabels: { riskTier: high, region: eu } }'),
      binding(
        'by-expression',
        '{ matchExpressions: [{ key: dataClass, operator: In, values: [pii] }, { key: region, operator: Exists }] }',
      ),
      binding('by-name', '{ names: [credit-risk], types: [model-version] }'),
    );
    expect(labelKeysSelectedBy(set)).toEqual(['dataClass', 'region', 'riskTier']);
  });

  it('selects no label key when no binding selects by label', () => {
    expect(labelKeysSelectedBy(compiled(binding('all', '{}')))).toEqual([]);
  });

  it('protects riskTier, domain and team always, plus what the active set selects on', () => {
    expect(protectedLabelKeys(undefined)).toEqual([...alwaysProtectedLabels].sort());
    const set = compiled(binding('by-region', '{ matchLabels: { region: eu, domain: credit } }'));
    expect(protectedLabelKeys(set)).toEqual(['domain', 'region', 'riskTier', 'team']);
  });
});
