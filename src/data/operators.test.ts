import { describe, expect, it } from 'vitest';
import { compare, describeExpectation, isRangeOperator, operatorNames } from './operators.js';

describe('operators', () => {
  it('are the eight ODCS operators', () => {
    expect([...operatorNames].sort()).toEqual(
      [
        'mustBe',
        'mustNotBe',
        'mustBeGreaterThan',
        'mustBeGreaterOrEqualTo',
        'mustBeLessThan',
        'mustBeLessOrEqualTo',
        'mustBeBetween',
        'mustNotBeBetween',
      ].sort(),
    );
    expect(operatorNames.filter(isRangeOperator)).toEqual(['mustBeBetween', 'mustNotBeBetween']);
  });

  it.each([
    // operator, observed, threshold, expected
    ['mustBe', 5, 5, true],
    ['mustBe', 5, 6, false],
    ['mustBe', 0, -0, true],
    ['mustNotBe', 5, 5, false],
    ['mustNotBe', 5, 6, true],
    ['mustBeGreaterThan', 6, 5, true],
    ['mustBeGreaterThan', 5, 5, false],
    ['mustBeGreaterThan', 4, 5, false],
    ['mustBeGreaterOrEqualTo', 6, 5, true],
    ['mustBeGreaterOrEqualTo', 5, 5, true],
    ['mustBeGreaterOrEqualTo', 4.999, 5, false],
    ['mustBeLessThan', 4, 5, true],
    ['mustBeLessThan', 5, 5, false],
    ['mustBeLessThan', 6, 5, false],
    ['mustBeLessOrEqualTo', 4, 5, true],
    ['mustBeLessOrEqualTo', 5, 5, true],
    ['mustBeLessOrEqualTo', 5.001, 5, false],
  ] as const)('%s: %d against %d is %s', (operator, observed, threshold, expected) => {
    expect(compare(observed, operator, threshold)).toBe(expected);
  });

  it.each([
    // mustBeBetween is inclusive at both ends (docs/architecture.md)
    [0.5, [1, 3], false],
    [1, [1, 3], true],
    [2, [1, 3], true],
    [3, [1, 3], true],
    [3.0001, [1, 3], false],
    [-1, [-2, -1], true],
  ] as const)('mustBeBetween: %d in %j is %s', (observed, range, expected) => {
    expect(compare(observed, 'mustBeBetween', range)).toBe(expected);
    // mustNotBeBetween is its exact complement: the edges are inside, so they fail it.
    expect(compare(observed, 'mustNotBeBetween', range)).toBe(!expected);
  });

  it('compares a percentage like any other number', () => {
    expect(compare(33.33333333333333, 'mustBeLessThan', 33.34)).toBe(true);
    expect(compare(100, 'mustBeLessOrEqualTo', 100)).toBe(true);
  });

  it('refuses a range for a single-value operator and a number for a range operator', () => {
    expect(() => compare(1, 'mustBe', [0, 2])).toThrow(TypeError);
    expect(() => compare(1, 'mustBeBetween', 1)).toThrow(TypeError);
    expect(() => compare(1, 'mustNotBeBetween', 1)).toThrow(TypeError);
  });

  it('describes expectations for tables and messages', () => {
    expect(describeExpectation('mustBe', 0)).toBe('= 0');
    expect(describeExpectation('mustNotBe', 0)).toBe('≠ 0');
    expect(describeExpectation('mustBeGreaterThan', 1)).toBe('> 1');
    expect(describeExpectation('mustBeGreaterOrEqualTo', 1)).toBe('≥ 1');
    expect(describeExpectation('mustBeLessThan', 2, 'percent')).toBe('< 2%');
    expect(describeExpectation('mustBeLessOrEqualTo', 2, 'rows')).toBe('≤ 2');
    expect(describeExpectation('mustBeBetween', [1, 3])).toBe('between 1 and 3');
    expect(describeExpectation('mustNotBeBetween', [1, 3], 'percent')).toBe('not between 1% and 3%');
  });
});
