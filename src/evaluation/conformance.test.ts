import { describe, expect, it } from 'vitest';
import { disagreements, evaluateCase, loadFixture } from './test-support/conformance.js';

/**
 * Conformance with scikit-learn and Fairlearn: every recorded reference value (fixtures/*.json,
 * written by fixtures/generate.py) must be reproduced from the compact inputs to 1e-9 relative.
 */
describe.each(['note-vectors.json', 'edge-cases.json', 'random-cases.json'])('%s', (file) => {
  const fixture = loadFixture(file);

  it('was generated with scikit-learn 1.2.1', () => {
    expect(fixture.versions['scikit-learn']).toBe('1.2.1');
    expect(fixture.cases.length).toBeGreaterThan(10);
  });

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, fixtureCase) => {
    expect(disagreements(evaluateCase(fixtureCase), fixtureCase.expected, 'expected')).toEqual([]);
  });
});
