/**
 * Generators of valid card numbers, IBANs and SSNs for tests, from the rules the detectors check
 * (core/pii-detection.ts).
 */
import { luhnValid, mod97, registryIbanLengths, ssnValid } from '../../core/index.js';

export {
  cardNumberValid,
  ibanValid,
  luhnValid,
  piiDetectorVerdict as detect,
  registryIbanLengths,
  ssnValid,
} from '../../core/index.js';

/** The digit that makes `payload + digit` Luhn-valid. */
export function luhnCheckDigit(payload: string): string {
  for (let digit = 0; digit <= 9; digit++) {
    if (luhnValid(`${payload}${digit}`)) return String(digit);
  }
  throw new Error(`no Luhn check digit for ${payload}`);
}

/** Extends a payload of digits (first digit 2–6, 12–18 digits) into a valid card number. */
export function withLuhnCheckDigit(payload: string): string {
  return `${payload}${luhnCheckDigit(payload)}`;
}

/** Countries that joined the registry in its recent releases (2021–2024), in alphabetical order. */
export const recentRegistryCountries: readonly string[] = ['BI', 'DJ', 'FK', 'LY', 'MN', 'RU', 'SD', 'SO'];

/** The check digits of an IBAN for a country and BBAN (98 minus the remainder with 00). */
export function ibanCheckDigits(country: string, bban: string): string {
  return String(98 - mod97(`${bban}${country}00`)).padStart(2, '0');
}

/** A valid compact IBAN from a country and a BBAN of the right length for it. */
export function makeIban(country: string, bban: string): string {
  const length = registryIbanLengths[country];
  if (length === undefined || bban.length !== length - 4) {
    throw new Error(`a ${country} BBAN has ${(length ?? 0) - 4} characters, not ${bban.length}`);
  }
  return `${country}${ibanCheckDigits(country, bban)}${bban}`;
}

/** An IBAN in print form: groups of four separated by spaces. */
export function printIban(compact: string): string {
  return compact.replace(/(.{4})(?=.)/g, '$1 ');
}

/** A valid SSN from three numbers (area 1–899 without 666, group 1–99, serial 1–9999); throws if not. */
export function makeSsn(area: number, group: number, serial: number, separator: ' ' | '-' = '-'): string {
  const parts = [
    String(area).padStart(3, '0'),
    String(group).padStart(2, '0'),
    String(serial).padStart(4, '0'),
  ];
  const [a = '', g = '', s = ''] = parts;
  if (!ssnValid(a, g, s)) throw new Error(`not a valid SSN: ${parts.join('-')}`);
  return parts.join(separator);
}
