import { quoteIdent, quoteString } from '../../core/index.js';
import { isTextType } from '../column-types.js';
import { emptyDigests, notHashedPredicate, piiDetectorNames, piiPredicate } from '../pii-detectors.js';
import { noUnexpectedRows, type PlannedPiiColumn, type PlanState } from './plan-state.js';
import { columnNameOf, hashAlgorithmOf, isPiiClassified } from './property-classification.js';

/**
 * Every text column the contract does not type otherwise, scanned by each PII detector; a column
 * declared hashed also gets a `piiHashed` check that its values are well-formed digests.
 */
export function planPiiScan(state: PlanState): void {
  const { scan, table } = state;
  for (const column of state.columns) {
    if (!isTextType(column.type)) continue;
    const property = state.properties.find((candidate) => columnNameOf(candidate) === column.name);
    if (property?.logicalType !== undefined && property.logicalType !== 'string') continue;
    const c = quoteIdent(column.name);
    const hashed = property ? hashAlgorithmOf(property) : undefined;
    const declared = hashed ? 'hashed' : property && isPiiClassified(property) ? 'pii' : 'undeclared';
    if (hashed) {
      const flag = `${c} IS NOT NULL AND ${notHashedPredicate(hashed, c)}`;
      state.checks.push({
        check: state.uniqueId(`${table}.${property?.name ?? column.name}.piiHashed`),
        table,
        column: column.name,
        metric: 'piiHashed',
        ...noUnexpectedRows,
        count: scan.countWhere(flag),
        denominator: scan.aggregate(`count(${c})`),
        samples: { ...scan.sampleRange(c, flag), sensitive: true },
        sensitive: true,
        details: { algorithm: hashed },
        detailCounts: { emptyDigestCount: scan.countWhere(`${c} = ${quoteString(emptyDigests[hashed])}`) },
        description: `values must be lowercase hex ${hashed} digests, never the digest of an empty string`,
      });
    }
    const hits = Object.fromEntries(
      piiDetectorNames.map((detector) => {
        // A well-formed digest is not raw PII, whatever digit runs it happens to contain (about
        // 0.2% of SHA-256 hex digests hold a Luhn-valid run); only the other values are scanned.
        const flag = hashed
          ? `CASE WHEN ${notHashedPredicate(hashed, c)} THEN ${piiPredicate(detector, c)} ELSE false END`
          : piiPredicate(detector, c);
        return [detector, { count: scan.countWhere(flag), ...scan.sampleRange(c, flag) }];
      }),
    ) as PlannedPiiColumn['hits'];
    state.pii.push({ column: column.name, declared, scanned: scan.aggregate(`count(${c})`), hits });
  }
}
