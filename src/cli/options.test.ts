import { describe, expect, it } from 'vitest';
import { commaList, durationOrTime, parseIntegerInRange, parseNumber, parsePairs } from './options.js';

describe('parsePairs', () => {
  it('reads key=value pairs from one value or several, later keys winning', () => {
    expect(parsePairs('--labels', 'domain=credit, riskTier = high')).toEqual({
      domain: 'credit',
      riskTier: 'high',
    });
    expect(parsePairs('--label', ['domain=credit,riskTier=high', 'region=eu', 'domain=fraud'])).toEqual({
      domain: 'fraud',
      riskTier: 'high',
      region: 'eu',
    });
    expect(parsePairs('--labels', undefined)).toEqual({});
    expect(parsePairs('--labels', ' ')).toEqual({});
    expect(parsePairs('--subject', 'model=a=b')).toEqual({ model: 'a=b' });
  });

  it.each(['domain', 'domain=', '=credit', 'a b=c'])('refuses %j, naming the flag and an example', (text) => {
    expect(() => parsePairs('--labels', text)).toThrow(
      /^--labels ".*": write key=value pairs separated by commas, e\.g\. --labels domain=credit,riskTier=high$/,
    );
  });
});

describe('number parsers', () => {
  it('takes whole numbers in range and names the flag and bounds otherwise', () => {
    expect(parseIntegerInRange('--port', '0', 0, 65535)).toBe(0);
    for (const bad of ['-1', '65536', '1.5', 'x']) {
      expect(() => parseIntegerInRange('--port', bad, 0, 65535)).toThrow(
        `--port must be a whole number from 0 to 65535, not "${bad}"`,
      );
    }
  });

  it('takes numbers, integers when asked', () => {
    expect(parseNumber('--min-auc', '0.75', false)).toBe(0.75);
    expect(parseNumber('--min-auc', undefined, false)).toBeUndefined();
    expect(() => parseNumber('--seed', '1.5', true)).toThrow('--seed takes an integer, got "1.5"');
    expect(() => parseNumber('--threshold', ' ', false)).toThrow('--threshold takes a number, got " "');
  });
});

describe('lists and durations', () => {
  it('splits comma lists and drops empty items', () => {
    expect(commaList(' a, b,,c ')).toEqual(['a', 'b', 'c']);
    expect(commaList(['a,b', 'c'])).toEqual(['a', 'b', 'c']);
    expect(commaList(undefined)).toEqual([]);
  });

  it('tells a duration from a time', () => {
    expect(durationOrTime('14d', 'expires')).toEqual({ expiresIn: '14d' });
    expect(durationOrTime('2027-01-31T00:00:00Z', 'expires')).toEqual({ expiresAt: '2027-01-31T00:00:00Z' });
  });
});
