/**
 * Raw-PII detectors, compiled to DuckDB SQL so they run in the same scan as the contract's checks.
 * Each pairs a pattern with a validator, as production scanners do (Presidio, Cloud DLP): a card
 * number must pass Luhn, an IBAN its country length and ISO 7064 mod-97, an SSN the SSA's rules.
 * docs/data-contracts.md documents what each detector accepts.
 */
import { type PiiDetectorName, registryIbanLengths } from '../core/index.js';

export { detectPii, maskValue, type PiiDetectorName, piiDetectorNames } from '../core/index.js';

/** IBAN lengths by country (SWIFT IBAN registry), the table the single-value detectors use too. */
export const ibanLengths: Readonly<Record<string, number>> = registryIbanLengths;

/** SSNs that were published as examples and never belonged to anyone real (SSA). */
export const sampleSsns = ['078051120', '219099999', '123456789'];

export const patterns = {
  email: '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}',
  /**
   * A maximal run of digits, each separated from the next by at most one space or dash, with the
   * character before it and an optional dash on either side: a dash there disqualifies the run.
   */
  digitRun: '(?:^|[^0-9])-?[0-9](?:[ -]?[0-9])*-?',
  /** A run that starts with four groups of four digits and goes on: "4111 1111 1111 1111 05/27". */
  groupedCardPrefix: '^[^0-9-]?[0-9]{4}[ -][0-9]{4}[ -][0-9]{4}[ -][0-9]{4}[ -]',
  /** Capitals and digits in groups split by single spaces, not touching another letter or digit. */
  iban: '(?:^|[^A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9])+[a-z]?',
  ibanParts: '([A-Z]{2}[0-9]{2}(?: ?[A-Z0-9])+)([a-z]?)$',
  /** The tail group catches a digit or dash right after the number, which disqualifies it. */
  usSsn: '(?:^|[^0-9-])[0-9]{3}[- ][0-9]{2}[- ][0-9]{4}[0-9-]?',
  usSsnParts: '([0-9]{3})([- ])([0-9]{2})([- ])([0-9]{4})([0-9-]?)$',
  nanpPhone: '(?:\\+?1[ .-]?)?(?:\\([2-9][0-9]{2}\\) ?|[2-9][0-9]{2}[ .-])[2-9][0-9]{2}[ .-][0-9]{4}',
  internationalPhone: '\\+[1-9][0-9]{0,2}(?:[ .-]?[0-9]{1,5}){1,6}',
} as const;

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

const ibanLengthCase = `CASE substr(s, 1, 2) ${Object.entries(ibanLengths)
  .map(([country, length]) => `WHEN '${country}' THEN ${length}`)
  .join(' ')} ELSE -1 END`;

/**
 * The macros the detectors use, created once per engine session. Two performance rules shape them:
 * DuckDB evaluates both sides of AND outside a WHERE clause, but a CASE branch only for the rows
 * that reach it, so every detector starts with a cheap CASE gate (length, a character or a short
 * pattern); and a macro argument is substituted as text, so an extracted candidate is bound once
 * with `list_transform([candidate], x -> …)[1]` instead of being recomputed at each use.
 * Card numbers whose digits are all the same pass Luhn for some lengths and are excluded.
 */
export const piiMacros: readonly string[] = [
  `CREATE OR REPLACE TEMP MACRO warden_iban_length(s) AS ${ibanLengthCase}`,
  `CREATE OR REPLACE TEMP MACRO warden_luhn(d) AS (
    length(d) BETWEEN 13 AND 19 AND length(replace(d, d[1], '')) > 0 AND
    list_sum(list_transform(range(length(d)), i -> CASE WHEN i % 2 = 0
      THEN CAST(d[length(d) - i] AS INTEGER)
      ELSE CAST(d[length(d) - i] AS INTEGER) * 2 - CASE WHEN CAST(d[length(d) - i] AS INTEGER) >= 5 THEN 9 ELSE 0 END
    END)) % 10 = 0)`,
  `CREATE OR REPLACE TEMP MACRO warden_iban_valid(s) AS (
    length(s) = warden_iban_length(s) AND
    list_reduce(
      list_transform(string_split(substr(s, 5) || substr(s, 1, 4), ''),
        ch -> CASE WHEN ch BETWEEN '0' AND '9' THEN ascii(ch) - 48 ELSE ascii(ch) - 55 END),
      (acc, x) -> (acc * CASE WHEN x >= 10 THEN 100 ELSE 10 END + x) % 97,
      0) = 1)`,
  `CREATE OR REPLACE TEMP MACRO warden_ssn_valid(p) AS (
    p.area <> '' AND p.sep1 = p.sep2 AND p.area NOT IN ('000', '666') AND p.area < '900'
    AND p.grp <> '00' AND p.serial <> '0000'
    AND (p.area || p.grp || p.serial) NOT IN (${sampleSsns.map(sqlString).join(', ')})
    AND length(replace(p.area || p.grp || p.serial, p.area[1], '')) > 0)`,
  `CREATE OR REPLACE TEMP MACRO warden_pii_email(v) AS
    CASE WHEN contains(v, '@') THEN regexp_matches(v, ${sqlString(patterns.email)}) ELSE false END`,
  `CREATE OR REPLACE TEMP MACRO warden_card_number(d) AS d[1] BETWEEN '2' AND '6' AND warden_luhn(d)`,
  `CREATE OR REPLACE TEMP MACRO warden_pii_credit_card(v) AS
    CASE WHEN length(v) >= 13 THEN
      CASE WHEN regexp_matches(v, '[0-9](?:[ -]?[0-9]){12}') THEN
        coalesce(list_bool_or(list_transform(regexp_extract_all(v, ${sqlString(patterns.digitRun)}), r ->
          NOT regexp_matches(r, '^[^0-9]?-|-$') AND
          list_transform([regexp_replace(r, '[^0-9]', '', 'g')], d ->
            warden_card_number(d)
            OR (regexp_matches(r, ${sqlString(patterns.groupedCardPrefix)}) AND warden_card_number(d[1:16])))[1])), false)
      ELSE false END
    ELSE false END`,
  `CREATE OR REPLACE TEMP MACRO warden_pii_iban(v) AS
    CASE WHEN length(v) >= 15 THEN
      CASE WHEN regexp_matches(v, '[A-Z]{2}[0-9]{2}') THEN
        coalesce(list_bool_or(list_transform(regexp_extract_all(v, ${sqlString(patterns.iban)}), m ->
          list_transform([regexp_extract(m, ${sqlString(patterns.ibanParts)}, ['iban', 'tail'])], c ->
            c.tail = '' AND list_transform([string_split(c.iban, ' ')], g ->
              coalesce(list_bool_or(list_transform(range(1, len(g) + 1), k ->
                warden_iban_valid(array_to_string(g[1:k], '')))), false))[1])[1])), false)
      ELSE false END
    ELSE false END`,
  `CREATE OR REPLACE TEMP MACRO warden_pii_us_ssn(v) AS
    CASE WHEN length(v) >= 11 THEN
      CASE WHEN regexp_matches(v, '[0-9]{3}[- ][0-9]{2}[- ][0-9]{4}') THEN
      coalesce(list_bool_or(list_transform(regexp_extract_all(v, ${sqlString(patterns.usSsn)}), m ->
        list_transform([regexp_extract(m, ${sqlString(patterns.usSsnParts)}, ['area', 'sep1', 'grp', 'sep2', 'serial', 'tail'])],
          p -> p.tail = '' AND warden_ssn_valid(p))[1])), false)
      ELSE false END
    ELSE false END`,
  `CREATE OR REPLACE TEMP MACRO warden_pii_phone(v) AS
    CASE WHEN length(v) BETWEEN 9 AND 40 THEN
      CASE WHEN regexp_full_match(v, ${sqlString(`\\s*(?:${patterns.nanpPhone}|${patterns.internationalPhone})\\s*`)})
        THEN length(regexp_replace(v, '[^0-9]', '', 'g')) BETWEEN 8 AND 15
      ELSE false END
    ELSE false END`,
];

const macroOf: Record<PiiDetectorName, string> = {
  email: 'warden_pii_email',
  creditCard: 'warden_pii_credit_card',
  iban: 'warden_pii_iban',
  usSsn: 'warden_pii_us_ssn',
  phone: 'warden_pii_phone',
};

/** A SQL predicate: true when the value holds raw PII of that kind. */
export function piiPredicate(detector: PiiDetectorName, valueSql: string): string {
  return `${macroOf[detector]}(${valueSql})`;
}

/** SHA-256 and SHA-512 digests of the empty string: a hashed column holding them hashed nothing. */
export const emptyDigests = {
  sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  sha512:
    'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
} as const;

export type HashAlgorithm = keyof typeof emptyDigests;

/** A SQL predicate: true when the value is not a well-formed digest (or is the empty string's digest). */
export function notHashedPredicate(algorithm: HashAlgorithm, valueSql: string): string {
  const hexLength = algorithm === 'sha256' ? 64 : 128;
  return `(NOT regexp_full_match(${valueSql}, '[0-9a-f]{${hexLength}}') OR ${valueSql} = '${emptyDigests[algorithm]}')`;
}
