import type { ContractProperty } from '../contract-document.js';
import type { HashAlgorithm } from '../pii-detectors.js';

const sensitiveClassifications = new Set([
  'pii',
  'personal',
  'personal_data',
  'sensitive',
  'confidential',
  'restricted',
  'secret',
]);

/** The column of the data file a property describes. */
export function columnNameOf(property: ContractProperty): string {
  return property.physicalName ?? property.name;
}

/**
 * Samples of a property's values are masked when it is sensitive, and when it is typed other than
 * string: what fails a number, date or boolean is text of unknown content (an SSN in `Income`), and
 * a valid number or date shows its magnitude or format by shape alone (docs/data-gate.md).
 */
export function masksSamples(property: ContractProperty): boolean {
  return (
    sensitiveClassifications.has(property.classification?.toLowerCase() ?? '') ||
    isPiiClassified(property) ||
    (property.logicalType !== undefined && property.logicalType !== 'string')
  );
}

export function isPiiClassified(property: ContractProperty): boolean {
  const tags = lowerTags(property);
  return (
    property.classification?.toLowerCase() === 'pii' || tags.includes('pii') || tags.includes('pii-hashed')
  );
}

/** A property is declared hashed by `classification: pii` with tag `hashed`, or by tag `pii-hashed`. */
export function hashAlgorithmOf(property: ContractProperty): HashAlgorithm | undefined {
  const tags = lowerTags(property);
  const hashed = tags.includes('pii-hashed') || (isPiiClassified(property) && tags.includes('hashed'));
  if (!hashed) return undefined;
  return tags.includes('sha512') ? 'sha512' : 'sha256';
}

function lowerTags(property: ContractProperty): string[] {
  return (property.tags ?? []).map((tag) => tag.toLowerCase());
}
