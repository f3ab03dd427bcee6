/**
 * Raw-PII detectors in plain TypeScript, for single values outside a DuckDB scan: samples of
 * invalid values, drift categories, cells quoted in messages. The data gate's scan runs the same
 * rules as SQL macros (data/pii-detectors.ts); the two were written independently (candidates found
 * by hand-written scanners here, regular expressions there; checksums with BigInt here, digit folds
 * there) and the data module's property tests hold them to the same verdicts.
 *
 * - card number, IBAN, SSN: EVERY candidate in the value is validated; one valid candidate is a hit.
 * - phone: the whole value is the number, whitespace (RE2's `\s`) around it aside.
 * - email: anywhere in the value.
 */
export const piiDetectorNames = ['email', 'creditCard', 'iban', 'usSsn', 'phone'] as const;
export type PiiDetectorName = (typeof piiDetectorNames)[number];

const isDigit = (char: string | undefined): boolean => char !== undefined && char >= '0' && char <= '9';
const isUpper = (char: string | undefined): boolean => char !== undefined && char >= 'A' && char <= 'Z';
const isLower = (char: string | undefined): boolean => char !== undefined && char >= 'a' && char <= 'z';
const isAsciiAlnum = (char: string | undefined): boolean => isDigit(char) || isUpper(char) || isLower(char);

// ---------------------------------------------------------------------------------------------
// Card numbers

/** The Luhn checksum alone: any length, any digits. */
export function luhnValid(digits: string): boolean {
  if (!/^[0-9]+$/.test(digits)) return false;
  let sum = 0;
  for (let fromRight = 0; fromRight < digits.length; fromRight++) {
    const digit = Number(digits[digits.length - 1 - fromRight]);
    if (fromRight % 2 === 0) {
      sum += digit;
    } else {
      const doubled = digit * 2;
      sum += doubled > 9 ? doubled - 9 : doubled;
    }
  }
  return sum % 10 === 0;
}

/** A card number as the detector accepts it: 13–19 digits, not all the same digit, Luhn-valid. */
export function cardNumberValid(digits: string): boolean {
  return /^[0-9]{13,19}$/.test(digits) && new Set(digits).size > 1 && luhnValid(digits);
}

/**
 * The card-number candidates of a value, as digit strings: every maximal run of digits in which
 * consecutive digits are separated by at most one space or '-', unless a '-' touches the run on
 * either side; and, when such a run starts with four groups of four digits and goes on after a
 * separator ("4111 1111 1111 1111 05/27"), also its first sixteen digits.
 */
export function cardCandidates(value: string): string[] {
  const candidates: string[] = [];
  let at = 0;
  while (at < value.length) {
    if (!isDigit(value[at])) {
      at++;
      continue;
    }
    const start = at;
    at++;
    for (;;) {
      if (isDigit(value[at])) at++;
      else if ((value[at] === ' ' || value[at] === '-') && isDigit(value[at + 1])) at += 2;
      else break;
    }
    if (value[start - 1] === '-' || value[at] === '-') continue;
    const run = value.slice(start, at);
    candidates.push(run.replace(/[^0-9]/g, ''));
    if (/^[0-9]{4}[ -][0-9]{4}[ -][0-9]{4}[ -][0-9]{4}[ -]/.test(run)) {
      candidates.push(run.replace(/[^0-9]/g, '').slice(0, 16));
    }
  }
  return candidates;
}

/** A candidate the card detector accepts: a card number whose first digit is 2–6. */
export function cardCandidateValid(digits: string): boolean {
  const first = digits[0];
  return first !== undefined && first >= '2' && first <= '6' && cardNumberValid(digits);
}

// ---------------------------------------------------------------------------------------------
// IBANs

/** IBAN length by country, from the SWIFT IBAN registry. */
export const registryIbanLengths: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NL: 18,
  NO: 15,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
};

/** ISO 7064 MOD 97-10 of an alphanumeric string: letters count as 10 (A) to 35 (Z). */
export function mod97(alphanumeric: string): number {
  let digits = '';
  for (const char of alphanumeric) {
    if (isDigit(char)) digits += char;
    else if (isUpper(char)) digits += String(char.charCodeAt(0) - 55);
    else throw new Error(`not alphanumeric: ${alphanumeric}`);
  }
  return Number(BigInt(digits) % 97n);
}

/** A compact IBAN (no spaces): country, two check digits, BBAN; registry length; MOD 97-10 = 1. */
export function ibanValid(compact: string): boolean {
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]+$/.test(compact)) return false;
  if (registryIbanLengths[compact.slice(0, 2)] !== compact.length) return false;
  return mod97(compact.slice(4) + compact.slice(0, 4)) === 1;
}

/**
 * The IBAN candidates of a value, as their space-separated groups: from left to right, two
 * capitals and two digits where no ASCII letter or digit precedes, then as many capitals or digits
 * as follow, each optionally preceded by one space. A candidate that a lowercase letter follows is
 * dropped (the next one starts after it).
 */
export function ibanCandidates(value: string): string[][] {
  const candidates: string[][] = [];
  const upperOrDigit = (char: string | undefined) => isUpper(char) || isDigit(char);
  let start = 0;
  while (start + 4 <= value.length) {
    const opens =
      !(start > 0 && isAsciiAlnum(value[start - 1])) &&
      isUpper(value[start]) &&
      isUpper(value[start + 1]) &&
      isDigit(value[start + 2]) &&
      isDigit(value[start + 3]);
    if (!opens) {
      start++;
      continue;
    }
    let at = start + 4;
    for (;;) {
      if (value[at] === ' ' && upperOrDigit(value[at + 1])) at += 2;
      else if (upperOrDigit(value[at])) at += 1;
      else break;
    }
    if (at > start + 4 && !isLower(value[at])) candidates.push(value.slice(start, at).split(' '));
    start = at;
  }
  return candidates;
}

/** A candidate the IBAN detector accepts: its first k groups, for some k, are a valid IBAN. */
export function ibanCandidateValid(groups: readonly string[]): boolean {
  return groups.some((_, index) => ibanValid(groups.slice(0, index + 1).join('')));
}

// ---------------------------------------------------------------------------------------------
// US social security numbers

/** Numbers the SSA published as examples (Woolworth's wallet card and others). */
export const publishedSampleSsns: readonly string[] = ['078-05-1120', '219-09-9999', '123-45-6789'];

/**
 * The SSA's rules for a number that can have been issued: area not 000, 666 or 900–999, group not
 * 00, serial not 0000; not a published sample; not nine times the same digit.
 */
export function ssnValid(area: string, group: string, serial: string): boolean {
  if (!/^[0-9]{3}$/.test(area) || !/^[0-9]{2}$/.test(group) || !/^[0-9]{4}$/.test(serial)) return false;
  if (area === '000' || area === '666' || area.startsWith('9')) return false;
  if (group === '00' || serial === '0000') return false;
  if (publishedSampleSsns.includes(`${area}-${group}-${serial}`)) return false;
  return new Set(`${area}${group}${serial}`).size > 1;
}

export interface SsnCandidate {
  area: string;
  separator1: string;
  group: string;
  separator2: string;
  serial: string;
}

/**
 * The SSN-shaped candidates: 3 digits, a space or '-', 2 digits, a space or '-', 4 digits, with no
 * digit or '-' on either side. The two separators may differ here; the detector then rejects it.
 */
export function ssnCandidates(value: string): SsnCandidate[] {
  const separator = (char: string | undefined) => char === ' ' || char === '-';
  const digits = (from: number, count: number) => {
    for (let i = from; i < from + count; i++) if (!isDigit(value[i])) return false;
    return true;
  };
  const candidates: SsnCandidate[] = [];
  for (let start = 0; start + 11 <= value.length; start++) {
    const before = value[start - 1];
    if (start > 0 && (isDigit(before) || before === '-')) continue;
    if (!digits(start, 3) || !separator(value[start + 3]) || !digits(start + 4, 2)) continue;
    if (!separator(value[start + 6]) || !digits(start + 7, 4)) continue;
    const after = value[start + 11];
    if (isDigit(after) || after === '-') continue;
    candidates.push({
      area: value.slice(start, start + 3),
      separator1: value[start + 3] ?? '',
      group: value.slice(start + 4, start + 6),
      separator2: value[start + 6] ?? '',
      serial: value.slice(start + 7, start + 11),
    });
  }
  return candidates;
}

// ---------------------------------------------------------------------------------------------
// Emails

const localChar = /[A-Za-z0-9._%+-]/;
const domainChar = /[A-Za-z0-9.-]/;

/**
 * An email address anywhere in the value: a local-part character right before an '@', then one or
 * more non-empty labels of letters, digits and '-' joined by dots, then a dot and at least two
 * ASCII letters (which may continue into more text).
 */
export function containsEmail(value: string): boolean {
  for (let at = value.indexOf('@'); at !== -1; at = value.indexOf('@', at + 1)) {
    if (at === 0 || !localChar.test(value[at - 1] ?? '')) continue;
    let end = at + 1;
    while (end < value.length && domainChar.test(value[end] ?? '')) end++;
    const labels = value.slice(at + 1, end).split('.');
    for (let tld = 1; tld < labels.length; tld++) {
      if ((labels[tld - 1] ?? '') === '') break;
      const label = labels[tld] ?? '';
      if (/^[A-Za-z]{2}/.test(label)) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Phone numbers

/**
 * The value without the whitespace around it: the characters of RE2's `\s` (space, tab, newline,
 * carriage return, form feed), which the phone detector allows around the number.
 */
export function trimWhitespace(value: string): string {
  return value.replace(/^[ \t\n\r\f]+|[ \t\n\r\f]+$/g, '');
}

/**
 * A North American number, the whole value: optional country code (`1` or `+1`, optionally
 * followed by a separator), area code `NXX` as `(NXX)` plus an optional space or as `NXX` plus a
 * separator, exchange `NXX`, a separator, four digits. Separators are space, '.' or '-'.
 */
export function nanpPhone(value: string): boolean {
  return /^(?:\+?1[-. ]?)?(?:\([2-9][0-9][0-9]\) ?|[2-9][0-9][0-9][-. ])[2-9][0-9][0-9][-. ][0-9]{4}$/.test(
    value,
  );
}

/**
 * An international number, the whole value: '+', a country code of 1–3 digits not starting with
 * 0, then 1–6 groups of 1–5 digits, each optionally preceded by one separator (space, '.', '-').
 * Checked by its runs of digits between separators rather than by a regular expression.
 */
export function internationalPhoneShape(value: string): boolean {
  if (!value.startsWith('+')) return false;
  const rest = value.slice(1);
  if (!/^[0-9. -]+$/.test(rest)) return false;
  const runs = rest.split(/[. -]/);
  if (runs.some((run) => run === '')) return false;
  const [first = '', ...others] = runs;
  if (first[0] === '0') return false;
  if (others.length === 0 && first.length < 2) return false;
  // The fewest groups: the country code takes up to 3 digits of the first run, every group 5.
  const groups =
    Math.ceil(Math.max(0, first.length - 3) / 5) +
    others.reduce((sum, run) => sum + Math.ceil(run.length / 5), 0);
  return Math.max(1, groups) <= 6;
}

/** A phone number is the whole value, whitespace around it aside. */
export function containsPhone(value: string): boolean {
  const trimmed = trimWhitespace(value);
  if (nanpPhone(trimmed)) return true;
  const digitCount = value.replace(/[^0-9]/g, '').length;
  return internationalPhoneShape(trimmed) && digitCount >= 8 && digitCount <= 15;
}

// ---------------------------------------------------------------------------------------------

/** The reference verdict of a detector on one (non-null) value. */
export function detect(detector: PiiDetectorName, value: string): boolean {
  switch (detector) {
    case 'email':
      return containsEmail(value);
    case 'creditCard':
      return cardCandidates(value).some(cardCandidateValid);
    case 'iban':
      return ibanCandidates(value).some(ibanCandidateValid);
    case 'usSsn':
      return ssnCandidates(value).some(
        (ssn) => ssn.separator1 === ssn.separator2 && ssnValid(ssn.area, ssn.group, ssn.serial),
      );
    case 'phone':
      return containsPhone(value);
  }
}

/** The first detector that flags the value, if any. */
export function detectPii(value: string): PiiDetectorName | undefined {
  return piiDetectorNames.find((detector) => detect(detector, value));
}

/**
 * Masks a value so that its shape shows and its content does not: digits become #, letters x,
 * everything else stays. `jane.doe@example.com` → `xxxx.xxx@xxxxxxx.xxx`.
 */
export function maskValue(value: string): string {
  const masked = Array.from(value.replace(/\p{Nd}/gu, '#').replace(/\p{L}/gu, 'x'));
  return masked.length > 40 ? `${masked.slice(0, 40).join('')}…` : masked.join('');
}

/** A value as messages and reports may show it: masked when a detector flags it, else as it is. */
export function maskIfPii(value: string): string {
  return detectPii(value) === undefined ? value : maskValue(value);
}
