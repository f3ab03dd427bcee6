import type { OperatorName, Threshold } from './operators.js';
import type { PiiDetectorName } from './pii-detectors.js';

/** The metric a result measures: ODCS metric names for quality rules, Warden's for implicit checks. */
export type DataMetric =
  | 'nullValues'
  | 'missingValues'
  | 'invalidValues'
  | 'duplicateValues'
  | 'rowCount'
  | 'sql'
  | 'columnPresent'
  | 'required'
  | 'unique'
  | 'logicalType'
  | 'minimum'
  | 'maximum'
  | 'minLength'
  | 'maxLength'
  | 'pattern'
  | 'format'
  | 'multipleOf'
  | 'piiHashed'
  | 'piiDetected';

export type Severity = 'error' | 'warning' | 'info';
export type Unit = 'rows' | 'percent';

/** One check's outcome in a data-check evidence document. */
export interface CheckResult {
  check: string;
  table: string;
  column?: string;
  columns?: string[];
  metric: DataMetric;
  severity: Severity;
  passed: boolean;
  observed: number;
  operator: OperatorName;
  threshold: Threshold;
  unit: Unit;
  unexpectedCount?: number;
  unexpectedPercent?: number;
  /** Up to a few offending values; masked (shape only) for sensitive columns. */
  samples?: string[];
  samplesMasked?: boolean;
  description?: string;
  details?: Record<string, number | string>;
}

/** A rule that was read but not run, and why (text rules, vendor blocks, unsupported formats). */
export interface SkippedRule {
  check: string;
  table: string;
  column?: string;
  reason: string;
}

export interface PiiColumnReport {
  column: string;
  declared: 'hashed' | 'pii' | 'undeclared';
  scanned: number;
  detectors: Record<PiiDetectorName, { hits: number; ratio: number }>;
}
