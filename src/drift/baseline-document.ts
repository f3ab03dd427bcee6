import { z } from 'zod';
import { producer } from '../core/index.js';
import { categoricalBucketLabels, numericBucketLabels } from './baseline-buckets.js';
import { invalidBaseline } from './baseline-errors.js';
import { type CategoryDigestKey, categorySaltPattern } from './category-digest.js';

export const baselineSchemaVersion = 1;

/** The drift scores a baseline holds alert levels for; ks and wasserstein exist for numeric features only. */
export const numericDriftMetrics = [
  'psi',
  'jensenShannon',
  'klDivergence',
  'hellinger',
  'ks',
  'wasserstein',
] as const;
export const categoricalDriftMetrics = ['psi', 'jensenShannon', 'klDivergence', 'hellinger'] as const;
export type DriftMetric = (typeof numericDriftMetrics)[number];
export type CategoricalDriftMetric = (typeof categoricalDriftMetrics)[number];

/**
 * Alert levels used when the reference has fewer than two chunks of `windowRows` rows. PSI 0.2 is
 * the usual credit-risk "moderate shift" band; the others are Evidently's default thresholds
 * (Wasserstein normalised by the reference standard deviation); KS 0.1 is a moderate effect size.
 */
export const defaultThresholds: Readonly<Record<DriftMetric, number>> = {
  psi: 0.2,
  jensenShannon: 0.1,
  klDivergence: 0.1,
  hellinger: 0.1,
  ks: 0.1,
  wasserstein: 0.1,
};

/**
 * 'reference-chunks': each threshold is mean + 3·std (population) of the score over consecutive
 * reference chunks of `windowRows` rows, NannyML's rule (a score defined in fewer than two chunks,
 * KS or Wasserstein of a feature missing almost everywhere, keeps its default). 'default': fewer
 * than two chunks, so `defaultThresholds`.
 */
export type ThresholdSource = 'reference-chunks' | 'default';

export interface NumericSummary {
  /** Finite values. */
  count: number;
  /** Null, NaN or ±Infinity. */
  missing: number;
  mean: number;
  /** Population standard deviation (ddof 0, as np.std). */
  std: number;
  min: number;
  max: number;
  /** The deciles of the finite values, np.quantile's default linear interpolation. */
  quantiles: { probability: number; value: number }[];
}

export interface NumericFeatureBaseline {
  type: 'numeric';
  /** Min, deciles and max of the reference, repeated values kept once (see baseline-buckets.ts). */
  edges: number[];
  /** Bucket names: below the first edge, the inner bins, above the last edge, missing. */
  buckets: string[];
  referenceCounts: number[];
  referenceShares: number[];
  summary: NumericSummary;
  /** Upper alert level per score: the feature drifts on a score when the score is above it. */
  thresholds: Record<DriftMetric, number>;
  thresholdSource: ThresholdSource;
  /** How many reference chunks the thresholds were derived from (0 with default thresholds). */
  referenceChunks: number;
}

export interface CategoricalSummary {
  count: number;
  missing: number;
  /** Distinct non-missing values in the reference, including those folded into (other). */
  distinct: number;
}

export interface CategoricalFeatureBaseline {
  type: 'categorical';
  /** The most frequent reference values, most frequent first, ties in value order (digests when `digested`). */
  categories: string[];
  /** The categories are digests under the baseline's `categoryDigest` key: the column holds personal data. */
  digested?: true;
  /** Bucket names: the categories, then (other) and (missing). */
  buckets: string[];
  referenceCounts: number[];
  referenceShares: number[];
  summary: CategoricalSummary;
  thresholds: Record<CategoricalDriftMetric, number>;
  thresholdSource: ThresholdSource;
  referenceChunks: number;
}

export type FeatureBaseline = NumericFeatureBaseline | CategoricalFeatureBaseline;

export interface DriftBaseline {
  kind: 'drift-baseline';
  schemaVersion: typeof baselineSchemaVersion;
  producer: { name: string; version: string };
  /** ISO 8601 time the baseline was made. */
  createdAt: string;
  /** The reference data: where it came from, its content digest, and its row count. */
  source: { uri: string; digest: string; rows: number };
  /** The rows of one production window the thresholds were calibrated for. */
  windowRows: number;
  /** The key of the digested features' categories; present when a feature is digested. */
  categoryDigest?: CategoryDigestKey;
  features: Record<string, FeatureBaseline>;
}

const count = z.number().int().nonnegative();
// z.number() refuses NaN and ±Infinity.
const finite = z.number();
const share = z.number().min(0).max(1);
const threshold = z.number().nonnegative();

const numericThresholds = z.strictObject(
  Object.fromEntries(numericDriftMetrics.map((metric) => [metric, threshold])) as Record<
    DriftMetric,
    typeof threshold
  >,
);
const categoricalThresholds = z.strictObject(
  Object.fromEntries(categoricalDriftMetrics.map((metric) => [metric, threshold])) as Record<
    CategoricalDriftMetric,
    typeof threshold
  >,
);
const thresholdSource = z.enum(['reference-chunks', 'default']);

const numericFeature = z
  .strictObject({
    type: z.literal('numeric'),
    edges: z.array(finite).min(2),
    buckets: z.array(z.string()),
    referenceCounts: z.array(count),
    referenceShares: z.array(share),
    summary: z.strictObject({
      count: count.min(1),
      missing: count,
      mean: finite,
      std: finite.nonnegative(),
      min: finite,
      max: finite,
      quantiles: z.array(z.strictObject({ probability: share, value: finite })),
    }),
    thresholds: numericThresholds,
    thresholdSource,
    referenceChunks: count,
  })
  .superRefine((feature, context) => {
    const { edges } = feature;
    const constant = edges.length === 2 && edges[0] === edges[1];
    if (!constant && edges.some((edge, index) => index > 0 && edge <= (edges[index - 1] as number))) {
      context.addIssue({
        code: 'custom',
        path: ['edges'],
        message: 'edges must increase strictly (or be [c, c] for a constant feature)',
      });
      return;
    }
    checkBuckets(feature, numericBucketLabels(edges), 'edges', context);
  });

const categoricalFeature = z
  .strictObject({
    type: z.literal('categorical'),
    categories: z.array(z.string()),
    digested: z.literal(true).optional(),
    buckets: z.array(z.string()),
    referenceCounts: z.array(count),
    referenceShares: z.array(share),
    summary: z.strictObject({ count, missing: count, distinct: count }),
    thresholds: categoricalThresholds,
    thresholdSource,
    referenceChunks: count,
  })
  .superRefine((feature, context) => {
    if (new Set(feature.categories).size !== feature.categories.length) {
      context.addIssue({ code: 'custom', path: ['categories'], message: 'categories must be distinct' });
      return;
    }
    checkBuckets(feature, categoricalBucketLabels(feature.categories), 'categories', context);
  });

function checkBuckets(
  feature: { buckets: string[]; referenceCounts: number[]; referenceShares: number[] },
  expectedLabels: string[],
  definedBy: 'edges' | 'categories',
  context: z.RefinementCtx,
): void {
  const sameLabels =
    feature.buckets.length === expectedLabels.length &&
    feature.buckets.every((label, index) => label === expectedLabels[index]);
  if (!sameLabels) {
    context.addIssue({
      code: 'custom',
      path: ['buckets'],
      message: `do not match the ${definedBy}: expected ${JSON.stringify(expectedLabels)}`,
    });
  }
  for (const field of ['referenceCounts', 'referenceShares'] as const) {
    if (feature[field].length !== expectedLabels.length) {
      context.addIssue({
        code: 'custom',
        path: [field],
        message: `has ${feature[field].length} entries for ${expectedLabels.length} buckets`,
      });
    }
  }
}

const baselineDocument = z
  .strictObject({
    kind: z.literal('drift-baseline'),
    schemaVersion: z.literal(baselineSchemaVersion),
    producer: z.strictObject({ name: z.string(), version: z.string() }),
    createdAt: z.iso.datetime({ offset: true }),
    source: z.strictObject({
      uri: z.string().min(1),
      digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'a digest is sha256:<64 lowercase hex digits>'),
      rows: count.min(1),
    }),
    windowRows: count.min(1),
    categoryDigest: z
      .strictObject({
        algorithm: z.literal('hmac-sha256'),
        salt: z.string().regex(categorySaltPattern, 'a salt is 32 to 128 lowercase hex digits'),
      })
      .optional(),
    features: z.record(z.string(), z.discriminatedUnion('type', [numericFeature, categoricalFeature])),
  })
  .superRefine((baseline, context) => {
    if (Object.keys(baseline.features).length === 0) {
      context.addIssue({
        code: 'custom',
        path: ['features'],
        message: 'a baseline needs at least one feature',
      });
    }
    for (const [name, feature] of Object.entries(baseline.features)) {
      if (feature.type === 'categorical' && feature.digested && baseline.categoryDigest === undefined) {
        context.addIssue({
          code: 'custom',
          path: ['features', name, 'digested'],
          message: 'digested categories need the baseline categoryDigest key',
        });
      }
      checkCounts(feature as FeatureBaseline, baseline.source.rows, (field, message) =>
        context.addIssue({ code: 'custom', path: ['features', name, field], message }),
      );
    }
  });

/** The counts, shares and summary of a feature must tell the same story. */
function checkCounts(
  feature: FeatureBaseline,
  rows: number,
  report: (field: string, message: string) => void,
): void {
  const { referenceCounts, referenceShares, summary } = feature;
  const total = referenceCounts.reduce((sum, value) => sum + value, 0);
  if (total !== rows) {
    report('referenceCounts', `sum to ${total}, but source.rows is ${rows}`);
    return;
  }
  if (
    referenceCounts.some((count, bucket) => Math.abs(count / rows - (referenceShares[bucket] ?? -1)) > 1e-12)
  ) {
    report('referenceShares', 'must be referenceCounts / source.rows');
  }
  if (summary.missing !== referenceCounts.at(-1) || summary.count + summary.missing !== rows) {
    report('summary', 'count and missing must match referenceCounts and source.rows');
  }
  if (
    feature.type === 'numeric' &&
    (feature.edges[0] !== feature.summary.min || feature.edges.at(-1) !== feature.summary.max)
  ) {
    report('edges', 'must start at summary.min and end at summary.max');
  }
}

const recreate = 'recreate the baseline from the reference data with this Warden';

/**
 * Reads a baseline document (JSON text or an already parsed value) and checks it completely:
 * kind, schema version, the Warden major version that wrote it, and every field. `source` names
 * the file in error messages.
 */
export function parseBaseline(json: unknown, source: string): DriftBaseline {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw invalidBaseline(source, `not JSON (${(error as Error).message})`, recreate);
    }
  }
  const header = isRecord(value) ? value : {};
  if (header['kind'] !== 'drift-baseline') {
    throw invalidBaseline(
      source,
      `not a drift baseline (kind is ${JSON.stringify(header['kind'] ?? null)}, expected "drift-baseline")`,
      'pass the file the baseline command wrote',
    );
  }
  if (header['schemaVersion'] !== baselineSchemaVersion) {
    throw invalidBaseline(
      source,
      `baseline schemaVersion ${JSON.stringify(header['schemaVersion'] ?? null)} is not supported; ${producer.name} ${producer.version} reads schemaVersion ${baselineSchemaVersion}`,
      recreate,
    );
  }
  const writer = isRecord(header['producer']) ? header['producer'] : {};
  const writerVersion = typeof writer['version'] === 'string' ? writer['version'] : '';
  if (writer['name'] !== producer.name || majorVersion(writerVersion) !== majorVersion(producer.version)) {
    throw invalidBaseline(
      source,
      `written by ${String(writer['name'] ?? 'an unknown producer')} ${writerVersion || '(no version)'}, but this is ${producer.name} ${producer.version}; baselines are read only by the major version that wrote them`,
      recreate,
    );
  }
  const parsed = baselineDocument.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((issue) => {
      const path = issue.path.length === 0 ? '(document)' : issue.path.map(String).join('.');
      return `${path}: ${issue.message}`;
    });
    const more = parsed.error.issues.length > 5 ? ` (and ${parsed.error.issues.length - 5} more)` : '';
    throw invalidBaseline(
      source,
      `malformed baseline: ${issues.join('; ')}${more}`,
      `${recreate}, or undo the edit`,
    );
  }
  return parsed.data as DriftBaseline;
}

function majorVersion(version: string): string {
  return /^(\d+)\./.exec(version)?.[1] ?? version;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
