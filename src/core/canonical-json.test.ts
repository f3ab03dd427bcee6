import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalJsonWithout } from './canonical-json.js';

describe('canonicalJson (RFC 8785)', () => {
  it('writes no whitespace and keeps literals as JSON literals', () => {
    expect(canonicalJson({ a: [true, false, null], b: 'x' })).toBe('{"a":[true,false,null],"b":"x"}');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson('')).toBe('""');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
  });

  it('sorts keys by UTF-16 code units, not by insertion order or locale', () => {
    // Insertion order b, a; JS would also put integer-like keys first ("10" before "9" numerically),
    // but code-unit order compares "1" (0x31) < "9" (0x39), and "B" (0x42) < "a" (0x61).
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
    expect(canonicalJson({ 9: 'nine', 10: 'ten', a: 'a', B: 'B' })).toBe(
      '{"10":"ten","9":"nine","B":"B","a":"a"}',
    );
  });

  it('sorts the RFC 8785 section 3.2.3 example as the RFC does', () => {
    // Code units: \r 0x000D, "1" 0x0031, \u0080, ö 0x00F6, € 0x20AC, 😀 0xD83D 0xDE00, דּ 0xFB33.
    // The surrogate pair (0xD83D) sorts before 0xFB33 although U+1F600 > U+FB33 as a code point.
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('serialises numbers as ECMAScript does (RFC 8785 section 3.2.2.3)', () => {
    expect(canonicalJson(1e21)).toBe('1e+21');
    expect(canonicalJson(1e20)).toBe('100000000000000000000');
    expect(canonicalJson(-0)).toBe('0');
    expect(canonicalJson(0.1)).toBe('0.1');
    expect(canonicalJson(4.5)).toBe('4.5');
    expect(canonicalJson(0.000001)).toBe('0.000001');
    expect(canonicalJson(1e-7)).toBe('1e-7');
    expect(canonicalJson(2e-3)).toBe('0.002');
    expect(canonicalJson(1e30)).toBe('1e+30');
    // RFC 8785 appendix B: the input literal 333333333.33333329 reads as the double 333333333.3333333.
    expect(canonicalJson(Number('333333333.33333329'))).toBe('333333333.3333333');
    expect(canonicalJson(Number.MIN_VALUE)).toBe('5e-324');
    expect(canonicalJson(-Number.MAX_VALUE)).toBe('-1.7976931348623157e+308');
    expect(canonicalJson(9007199254740992)).toBe('9007199254740992');
    expect(canonicalJson([-0, 1.0, 100])).toBe('[0,1,100]');
  });

  it('escapes strings minimally: quote, backslash and control characters only', () => {
    expect(canonicalJson('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(canonicalJson('\n\t\b\f\r')).toBe('"\\n\\t\\b\\f\\r"');
    // Other control characters as \u00xx with lowercase hex; non-ASCII stays as it is.
    expect(canonicalJson('\u001f\u0000')).toBe('"\\u001f\\u0000"');
    expect(canonicalJson('é€😀/')).toBe('"é€😀/"');
  });

  it('canonicalises nested objects and arrays at every depth, keeping array order', () => {
    const value = { z: { y: [3, { b: 2, a: 1 }], x: {} }, a: [[{ d: 0, c: -0 }]] };
    expect(canonicalJson(value)).toBe('{"a":[[{"c":0,"d":0}]],"z":{"x":{},"y":[3,{"a":1,"b":2}]}}');
  });

  it('drops undefined members of objects and writes undefined array items as null', () => {
    expect(canonicalJson({ a: undefined, b: 1, c: { d: undefined } })).toBe('{"b":1,"c":{}}');
    expect(canonicalJson([1, undefined, 2])).toBe('[1,null,2]');
  });

  it('gives equal output for objects with equal content and different key order', () => {
    expect(canonicalJson({ a: 1, b: { c: 2, d: 3 } })).toBe(canonicalJson({ b: { d: 3, c: 2 }, a: 1 }));
  });

  it('throws on numbers JSON cannot hold and on non-JSON types', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalJson(Number.POSITIVE_INFINITY)).toThrow(TypeError);
    expect(() => canonicalJson({ a: [Number.NEGATIVE_INFINITY] })).toThrow(TypeError);
    expect(() => canonicalJson(10n)).toThrow(TypeError);
    expect(() => canonicalJson(() => 1)).toThrow(TypeError);
    expect(() => canonicalJson(Symbol('s'))).toThrow(TypeError);
  });
});

describe('a "__proto__" member', () => {
  it('is kept and sorted like any other member, so that it cannot be added to a sealed document unseen', () => {
    const parsed = JSON.parse('{"b":1,"__proto__":{"x":1},"a":2}') as Record<string, unknown>;
    expect(canonicalJson(parsed)).toBe('{"__proto__":{"x":1},"a":2,"b":1}');
    expect(canonicalJson({ doc: parsed })).toBe('{"doc":{"__proto__":{"x":1},"a":2,"b":1}}');
    expect(canonicalJson(JSON.parse('{"b":1,"__proto__":null}'))).toBe('{"__proto__":null,"b":1}');
    expect(canonicalJsonWithout(parsed, 'a').without).toBe('{"__proto__":{"x":1},"b":1}');
  });
});

describe('canonicalJsonWithout', () => {
  it('equals canonicalJson of the object, and of the object without the key, for any JSON object', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.constantFrom('id', '', '0', '10', 'a'),
        fc.jsonValue(),
        (members, omitted, value) => {
          const object = { ...members, [omitted]: value };
          const { [omitted]: _dropped, ...rest } = object;
          expect(canonicalJsonWithout(object, omitted)).toEqual({
            whole: canonicalJson(object),
            without: canonicalJson(rest),
          });
        },
      ),
    );
  });

  it('skips undefined members and returns the whole text twice when the key is absent', () => {
    expect(canonicalJsonWithout({ b: 1, id: undefined, a: [2] }, 'id')).toEqual({
      whole: '{"a":[2],"b":1}',
      without: '{"a":[2],"b":1}',
    });
  });
});
