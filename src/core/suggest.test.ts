import { describe, expect, it } from 'vitest';
import { closestMatch, didYouMean, editDistance } from './suggest.js';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3); // k→s, e→i, +g
    expect(editDistance('nulValues', 'nullValues')).toBe(1); // one insertion
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('ab', 'ba')).toBe(2); // no transposition: two substitutions
  });

  it('is symmetric and case-sensitive', () => {
    expect(editDistance('flaw', 'lawn')).toBe(2);
    expect(editDistance('lawn', 'flaw')).toBe(2);
    expect(editDistance('Row', 'row')).toBe(1);
  });
});

describe('closestMatch', () => {
  const metrics = ['nullValues', 'missingValues', 'invalidValues', 'duplicateValues', 'rowCount'];

  it('finds the metric that was meant', () => {
    expect(closestMatch('nulValues', metrics)).toBe('nullValues');
    expect(closestMatch('rowcount', metrics)).toBe('rowCount'); // case differences are free
    expect(closestMatch('ROWCOUNT', metrics)).toBe('rowCount');
    expect(closestMatch('duplicatValue', metrics)).toBe('duplicateValues'); // 2 edits, limit 3
  });

  it('does not guess a substitution in a name of one or two characters', () => {
    expect(closestMatch('n', ['m', 'x'])).toBeUndefined();
    expect(closestMatch('ab', ['ac'])).toBeUndefined();
    expect(closestMatch('AB', ['ab'])).toBe('ab');
  });

  it('gives nothing when no candidate is close enough', () => {
    expect(closestMatch('banana', metrics)).toBeUndefined();
    expect(closestMatch('x', [])).toBeUndefined();
  });

  it('allows a third of the length in edits, at least 1 and at most 3', () => {
    // 'ab' (length 2): limit max(1, floor(2/3)=0) = 1.
    expect(closestMatch('ab', ['abc'])).toBe('abc');
    expect(closestMatch('ab', ['abcd'])).toBeUndefined();
    // 'abcdef' (length 6): limit 2.
    expect(closestMatch('abcdef', ['abcdxy'])).toBe('abcdxy');
    expect(closestMatch('abcdef', ['abcxyz'])).toBeUndefined();
    // length 30: limit capped at 3.
    const long = 'a'.repeat(30);
    expect(closestMatch(long, [`${'a'.repeat(27)}bbb`])).toBe(`${'a'.repeat(27)}bbb`);
    expect(closestMatch(long, [`${'a'.repeat(26)}bbbb`])).toBeUndefined();
  });

  it('prefers the nearest candidate, and the first of equally near ones', () => {
    // 'mustBee': 1 edit from mustBe, 3 from mustNotBe (limit 2).
    expect(closestMatch('mustBee', ['mustNotBe', 'mustBe'])).toBe('mustBe');
    expect(closestMatch('abcd', ['abcx', 'abcy'])).toBe('abcx');
  });

  it('does not suggest the value itself, but does suggest a different spelling of it', () => {
    expect(closestMatch('mustBe', ['mustBe'])).toBeUndefined();
    expect(closestMatch('mustbe', ['mustBe'])).toBe('mustBe');
  });
});

describe('didYouMean', () => {
  it('writes the suggestion in quotes, or nothing', () => {
    expect(didYouMean('nulValues', ['nullValues'])).toBe(' (did you mean "nullValues"?)');
    expect(didYouMean('zzz', ['nullValues'])).toBe('');
  });
});
