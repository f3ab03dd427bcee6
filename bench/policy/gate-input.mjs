// Builds the benchmark's gate input: what `decide()` reads at `promote:production` for a credit
// model. Shaped like the documents Warden writes (`warden check model --json`, `warden check data
// --json`), deterministic (a seeded sfc32 generator), sealed with Warden's own sealEvidence so every
// id is a real content digest:
//
// - model-evaluation evidence: performance with a confusion matrix and 10 calibration bins, fairness
//   for three attributes (age in 5 bands, marital status 4 values, region 6 values) and the age ×
//   marital intersection (20 groups, a few too small to judge), each with bootstrap intervals;
// - data-check evidence: 40 results (required, logicalType, invalidValues, minimum/maximum,
//   nullValues, duplicateValues, pattern, piiHashed, rowCount, an SQL rule) and a PII scan of 7 columns;
// - a data-contract view with 15 properties; 2 post-deployment monitors; a waiver.
import { createHash } from 'node:crypto';
import { sfc32 } from '../lib/benchmark-random.mjs';

export const gate = 'promote:production';
export const now = '2026-03-02T09:00:00Z';
const evaluatedAt = new Date('2026-03-01T17:42:10Z');
const checkedAt = new Date('2026-02-27T06:15:00Z');

const digestOf = (text) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

// ---------------------------------------------------------------- model evaluation

/** One group's rates from its confusion matrix, named as Warden's fairness report names them. */
function groupReport(group, cell, rocAuc, minGroupSize) {
  const { tp, fp, fn, tn } = cell;
  const positives = tp + fn;
  const negatives = fp + tn;
  const count = positives + negatives;
  const rate = (x, y) => (y === 0 ? 0 : x / y);
  return {
    group,
    count,
    positives,
    negatives,
    selectionRate: rate(tp + fp, count),
    truePositiveRate: rate(tp, positives),
    falsePositiveRate: rate(fp, negatives),
    falseNegativeRate: rate(fn, positives),
    trueNegativeRate: rate(tn, negatives),
    accuracy: rate(tp + tn, count),
    tooSmall: count < minGroupSize,
    rocAuc,
  };
}

/** A group's confusion matrix from its size, base rate and the model's TPR/FPR on it. */
function cellOf(count, baseRate, tpr, fpr) {
  const positives = Math.round(count * baseRate);
  const negatives = count - positives;
  const tp = Math.round(positives * tpr);
  const fp = Math.round(negatives * fpr);
  return { tp, fp, fn: positives - tp, tn: negatives - fp };
}

const spread = (values) => Math.max(...values) - Math.min(...values);
const ratio = (values) => (Math.max(...values) === 0 ? null : Math.min(...values) / Math.max(...values));

/** The aggregates Warden reports per grouping (betweenGroups, equalized odds worst case). */
function aggregates(judged) {
  const sel = judged.map((g) => g.selectionRate);
  const tpr = judged.map((g) => g.truePositiveRate);
  const fpr = judged.map((g) => g.falsePositiveRate);
  const auc = judged.map((g) => g.rocAuc);
  const tprRatio = ratio(tpr);
  const fprRatio = ratio(fpr);
  return {
    demographicParityDifference: spread(sel),
    demographicParityRatio: ratio(sel),
    equalizedOddsDifference: Math.max(spread(tpr), spread(fpr)),
    equalizedOddsRatio: tprRatio === null || fprRatio === null ? null : Math.min(tprRatio, fprRatio),
    equalOpportunityDifference: spread(tpr),
    equalOpportunityRatio: tprRatio,
    rocAucDifference: spread(auc),
  };
}

function fairnessEntry(attributes, groups, { minGroupSize, random, missingValueRows }) {
  const judged = groups.filter((g) => !g.tooSmall);
  const values = aggregates(judged);
  // Bootstrap intervals: a band around each value, as 200 replicates would give.
  const intervals = Object.fromEntries(
    Object.entries(values).map(([name, value]) => {
      const width = 0.02 + 0.05 * random();
      return [name, [Math.max(0, value - width), value + width * 1.3]];
    }),
  );
  return {
    attributes,
    method: 'betweenGroups',
    equalizedOdds: 'worstCase',
    minGroupSize,
    judgedGroups: judged.length,
    emptyGroups: 0,
    missingValueRows,
    ...values,
    confidenceIntervals: {
      replicates: 200,
      seed: 0,
      quantiles: [0.025, 0.975],
      intervals,
      undefinedReplicates: Object.fromEntries(Object.keys(values).map((name) => [name, 0])),
    },
    byGroup: groups,
  };
}

export const ageBands = ['(-inf, 25)', '[25, 40)', '[40, 55)', '[55, 65)', '[65, inf)'];
export const maritalValues = ['divorced', 'married', 'single', 'widow'];
export const regions = ['central', 'east', 'north', 'overseas', 'south', 'west'];

function modelEvaluationBody(random) {
  const rows = 250_000;
  const minGroupSize = 200;
  const jitter = (scale) => (random() - 0.5) * 2 * scale;
  // Age drives the bad rate; the model is a little less sensitive on the young and the old.
  const ageShare = [0.14, 0.36, 0.27, 0.14, 0.09];
  const ageBase = [0.38, 0.3, 0.26, 0.24, 0.27];
  const ageTpr = [0.6, 0.66, 0.69, 0.68, 0.59];
  const ageFpr = [0.11, 0.095, 0.088, 0.085, 0.09];
  const maritalShare = [0.12, 0.46, 0.35, 0.07];
  const maritalBase = [0.33, 0.26, 0.31, 0.28];

  const ageCells = ageBands.map((_, i) =>
    cellOf(Math.round(rows * ageShare[i]), ageBase[i], ageTpr[i], ageFpr[i]),
  );
  const total = ageCells.reduce(
    (sum, cell) => ({
      tp: sum.tp + cell.tp,
      fp: sum.fp + cell.fp,
      fn: sum.fn + cell.fn,
      tn: sum.tn + cell.tn,
    }),
    { tp: 0, fp: 0, fn: 0, tn: 0 },
  );
  const count = total.tp + total.fp + total.fn + total.tn;
  const positives = total.tp + total.fn;
  const negatives = total.fp + total.tn;
  const precision = total.tp / (total.tp + total.fp);
  const recall = total.tp / positives;

  const bins = Array.from({ length: 10 }, (_, bin) => {
    const lower = bin / 10;
    const upper = (bin + 1) / 10;
    const meanPredicted = lower + 0.05 + jitter(0.012);
    // Slightly over-confident at the top, as a boosted model often is; one bin 0.6–0.7 drifts.
    const gap = bin === 6 ? -0.062 : bin >= 7 ? -0.025 + jitter(0.01) : jitter(0.02);
    const binCount = Math.round(rows * [0.29, 0.2, 0.14, 0.1, 0.075, 0.06, 0.045, 0.04, 0.03, 0.02][bin]);
    return {
      bin,
      lower,
      upper,
      count: binCount,
      weight: binCount,
      meanPredicted,
      fractionPositive: Math.min(1, Math.max(0, meanPredicted + gap)),
    };
  });
  const expectedCalibrationError = bins.reduce(
    (sum, b) => sum + (b.count / rows) * Math.abs(b.fractionPositive - b.meanPredicted),
    0,
  );

  const performance = {
    count,
    positives,
    negatives,
    threshold: 0.5,
    confusion: {
      truePositives: total.tp,
      falsePositives: total.fp,
      falseNegatives: total.fn,
      trueNegatives: total.tn,
    },
    accuracy: (total.tp + total.tn) / count,
    balancedAccuracy: (recall + total.tn / negatives) / 2,
    precision,
    recall,
    f1: (2 * total.tp) / (2 * total.tp + total.fp + total.fn),
    selectionRate: (total.tp + total.fp) / count,
    zeroDivision: 0,
    rocAuc: 0.8412 + jitter(0.002),
    averagePrecision: 0.6928 + jitter(0.002),
    logLoss: 0.4318 + jitter(0.002),
    brierScore: 0.1402 + jitter(0.002),
    calibration: { strategy: 'uniform', binCount: 10, bins, expectedCalibrationError },
  };

  const ageGroups = ageBands.map((band, i) =>
    groupReport({ age: band }, ageCells[i], 0.81 + jitter(0.025), minGroupSize),
  );
  const maritalGroups = maritalValues.map((value, i) =>
    groupReport(
      { marital: value },
      cellOf(Math.round(rows * maritalShare[i]), maritalBase[i], 0.655 + jitter(0.03), 0.092 + jitter(0.01)),
      0.835 + jitter(0.015),
      minGroupSize,
    ),
  );
  const regionGroups = regions.map((region, i) =>
    groupReport(
      { region },
      cellOf(
        Math.round(rows * [0.24, 0.2, 0.18, 0.03, 0.2, 0.15][i]),
        0.29 + jitter(0.03),
        0.655 + jitter(0.035),
        0.092 + jitter(0.012),
      ),
      0.838 + jitter(0.02),
      minGroupSize,
    ),
  );
  // The intersection: every age band × marital status; the widowed young are too few to judge.
  const intersectionGroups = ageBands.flatMap((band, i) =>
    maritalValues.map((value, j) => {
      const n = Math.round(rows * ageShare[i] * maritalShare[j] * (i === 0 && j === 3 ? 0.004 : 1));
      const small = n < 400;
      return groupReport(
        { age: band, marital: value },
        cellOf(
          n,
          ageBase[i] + jitter(0.02),
          ageTpr[i] + jitter(small ? 0.08 : 0.03),
          ageFpr[i] + jitter(0.01),
        ),
        small ? null : 0.81 + jitter(0.03),
        minGroupSize,
      );
    }),
  );

  const entry = (attributes, groups, missingValueRows) =>
    fairnessEntry(attributes, groups, { minGroupSize, random, missingValueRows });
  return {
    kind: 'model-evaluation',
    subject: { type: 'model-version', name: 'credit-risk', version: '2.3.1' },
    inputs: [
      {
        uri: 's3://ml-eval/credit-risk/2.3.1/holdout-predictions.parquet',
        digest: digestOf('holdout-predictions 2.3.1'),
        bytes: 9_421_876,
        rows,
        format: 'parquet',
      },
    ],
    passed: true,
    columns: {
      label: 'status',
      positive: 'bad',
      score: 'score',
      sensitive: [{ column: 'age', bins: [25, 40, 55, 65] }, { column: 'marital' }, { column: 'region' }],
    },
    rowCount: rows,
    engine: { name: 'duckdb', version: 'v1.5.6' },
    semantics: {
      reference:
        'scikit-learn (1.2.1 conformance fixtures; single-class ROC AUC as in >= 1.6) and Fairlearn MetricFrame (main, 0.15.0.dev0); agreement to 1e-9 relative',
      prediction:
        'a row is predicted positive when the prediction column says so, else when score >= threshold',
      rates: 'true/false positive/negative rates as Fairlearn: 0, never NaN, when the denominator is 0',
      calibration: 'calibration_curve strategy="uniform", empty bins dropped; ECE weighted by bin weight',
      groups:
        'Fairlearn MetricFrame: groups sorted by value; rows with a missing attribute value are in no group',
    },
    performance,
    fairness: [
      entry(['age'], ageGroups, 0),
      entry(['marital'], maritalGroups, 412),
      entry(['region'], regionGroups, 0),
      entry(['age', 'marital'], intersectionGroups, 412),
    ],
    thresholds: [],
  };
}

// ---------------------------------------------------------------- data contract and data check

/** The 15 declared properties of the training table, as the contract view gives them to policies. */
export const contractProperties = [
  [
    'applicant_id',
    'string',
    'pii',
    ['pii-hashed', 'key'],
    true,
    true,
    'SHA-256 of the applicant number; joins to the outcome table.',
  ],
  [
    'email_sha256',
    'string',
    'pii',
    ['hashed'],
    false,
    false,
    'SHA-256 of the lower-cased e-mail address, for de-duplication only.',
  ],
  ['status', 'string', 'internal', ['label'], true, true, 'Repayment outcome (good/bad); the label.'],
  ['seniority', 'integer', 'internal', [], true, false, 'Years with the current employer.'],
  ['home', 'string', 'internal', [], false, false, 'Type of home ownership.'],
  ['loan_term', 'integer', 'internal', [], true, true, 'Requested loan term in months.'],
  [
    'age',
    'integer',
    'personal',
    ['protected'],
    true,
    true,
    "Applicant's age in years (protected attribute).",
  ],
  ['marital', 'string', 'personal', ['protected'], false, false, 'Marital status (protected attribute).'],
  [
    'region',
    'string',
    'internal',
    ['protected'],
    true,
    false,
    'Sales region of the branch that took the application.',
  ],
  ['job', 'string', 'internal', [], false, false, 'Type of employment contract.'],
  ['income', 'number', 'confidential', [], false, false, 'Declared monthly income, EUR.'],
  ['assets', 'number', 'confidential', [], false, false, 'Declared assets, EUR.'],
  ['debt', 'number', 'confidential', [], false, false, 'Outstanding debt, EUR.'],
  ['amount', 'number', 'internal', [], true, true, 'Requested loan amount, EUR.'],
  ['price', 'number', 'internal', [], true, false, 'Price of the financed good, EUR.'],
].map(([name, logicalType, classification, tags, required, criticalDataElement, description]) => ({
  table: 'applications',
  name,
  logicalType,
  classification,
  tags,
  required,
  criticalDataElement,
  description,
}));

const enumValues = {
  status: ['good', 'bad'],
  home: ['rent', 'owner', 'parents', 'priv', 'other'],
  marital: maritalValues,
  region: regions,
  job: ['fixed', 'partime', 'freelance', 'others'],
};
const ranges = { seniority: [0, 60], loan_term: [6, 72], age: [18, 100], amount: [100, 50_000] };

function dataCheckBody(random, contract) {
  const rows = 1_184_220;
  const results = [];
  const result = (fields) =>
    results.push({
      table: 'applications',
      severity: 'error',
      passed: true,
      observed: 0,
      operator: 'mustBe',
      threshold: 0,
      unit: 'rows',
      unexpectedCount: 0,
      unexpectedPercent: 0,
      ...fields,
    });
  const id = (column, metric) => `applications.${column}.${metric}`;
  result({
    check: 'enough-rows',
    metric: 'rowCount',
    observed: rows,
    operator: 'mustBeGreaterOrEqualTo',
    threshold: 1_000_000,
    unexpectedCount: undefined,
    unexpectedPercent: undefined,
  });
  for (const p of contract.properties) {
    const column = p.name;
    if (p.required) result({ check: id(column, 'required'), column, metric: 'required' });
    if (p.logicalType !== 'string') {
      result({
        check: id(column, 'logicalType'),
        column,
        metric: 'logicalType',
        details: { logicalType: p.logicalType },
      });
    }
    if (enumValues[column]) {
      const bad = column === 'home' ? 37 : 0;
      result({
        check: id(column, 'invalidValues'),
        column,
        metric: 'invalidValues',
        passed: bad === 0,
        severity: bad === 0 ? 'error' : 'warning',
        observed: bad,
        unexpectedCount: bad,
        unexpectedPercent: (bad / rows) * 100,
        ...(bad ? { samples: ['NA'], samplesMasked: false } : {}),
      });
    }
    if (ranges[column]) {
      for (const [metric, operator, threshold] of [
        ['minimum', 'mustBeGreaterOrEqualTo', ranges[column][0]],
        ['maximum', 'mustBeLessOrEqualTo', ranges[column][1]],
      ]) {
        result({ check: id(column, metric), column, metric, operator, threshold });
      }
    }
    if (['home', 'income', 'assets', 'debt'].includes(column)) {
      const nulls = Math.round(
        rows * [0.0008, 0.0121, 0.0043, 0.0019][['home', 'income', 'assets', 'debt'].indexOf(column)],
      );
      const percent = (nulls / rows) * 100;
      result({
        check: id(column, 'nullValues'),
        column,
        metric: 'nullValues',
        severity: 'warning',
        passed: percent < 1,
        observed: percent,
        operator: 'mustBeLessThan',
        threshold: 1,
        unit: 'percent',
        unexpectedCount: nulls,
        unexpectedPercent: percent,
      });
    }
    if (p.tags.includes('key')) {
      result({ check: id(column, 'duplicateValues'), column, metric: 'duplicateValues' });
    }
    if (p.tags.includes('hashed') || p.tags.includes('pii-hashed')) {
      result({
        check: id(column, 'pattern'),
        column,
        metric: 'pattern',
        details: { pattern: '^[0-9a-f]{64}$' },
      });
      result({
        check: id(column, 'piiHashed'),
        column,
        metric: 'piiHashed',
        details: { algorithm: 'sha256' },
        description: 'values must be lowercase hex sha256 digests, never the digest of an empty string',
      });
    }
  }
  result({
    check: 'bad-rate-plausible',
    metric: 'sql',
    severity: 'warning',
    observed: 0.2891,
    operator: 'mustBeBetween',
    threshold: [0.15, 0.4],
    unit: undefined,
    unexpectedCount: undefined,
    unexpectedPercent: undefined,
  });
  for (const r of results) for (const key of Object.keys(r)) if (r[key] === undefined) delete r[key];

  const detectors = ['email', 'creditCard', 'iban', 'usSsn', 'phone'];
  const pii = contract.properties
    .filter((p) => p.logicalType === 'string')
    .map((p) => ({
      column: p.name,
      declared: p.tags.includes('hashed') || p.tags.includes('pii-hashed') ? 'hashed' : 'undeclared',
      scanned: rows - (p.required ? 0 : Math.round(rows * 0.001 * random())),
      detectors: Object.fromEntries(detectors.map((d) => [d, { hits: 0, ratio: 0 }])),
    }));
  const failed = results.filter((r) => !r.passed);
  return {
    kind: 'data-check',
    subject: { type: 'dataset', name: 'credit-applications' },
    inputs: [
      {
        uri: 's3://ml-data/credit/applications/2026-02-26/part-0.parquet',
        digest: digestOf('applications 2026-02-26'),
        bytes: 98_114_002,
        rows,
        format: 'parquet',
      },
    ],
    passed: !failed.some((r) => r.severity === 'error'),
    contract: {
      id: contract.id,
      version: contract.version,
      name: contract.name,
      uri: contract.uri,
      digest: contract.digest,
      apiVersion: 'v3.1.0',
      schemaDigest: digestOf('applications schema'),
    },
    table: 'applications',
    rowCount: rows,
    engine: { name: 'duckdb', version: 'v1.5.6' },
    semantics: {
      mustBeBetween: 'inclusive at both ends',
      percentDenominator:
        'nullValues, required and rowCount-relative checks: all rows; invalidValues: non-null rows',
      pattern: 'search semantics (anchor with ^…$), RE2 syntax as run by DuckDB',
    },
    summary: {
      checks: results.length,
      passed: results.length - failed.length,
      failed: failed.filter((r) => r.severity === 'error').length,
      warnings: failed.filter((r) => r.severity === 'warning').length,
      skipped: 1,
    },
    results,
    skipped: [
      { check: 'no-manual-entries', table: 'applications', reason: 'text rule: for people, not executable' },
    ],
    pii,
  };
}

// ---------------------------------------------------------------- monitors

const monitors = [
  {
    name: 'credit-risk-drift',
    enabled: true,
    owner: 'risk-ml-oncall',
    model: 'credit-risk',
    version: '2.3.1',
    signals: ['drift', 'data-quality'],
    features: ['age', 'marital', 'region', 'income', 'amount', 'loan_term', 'seniority'],
    thresholds: { psi: 0.2, missingRate: 0.05 },
    schedule: { every: '1h' },
    alertChannel: 'pagerduty:risk-ml',
    lastRun: { at: '2026-03-02T08:00:00Z', status: 'ok' },
  },
  {
    name: 'credit-risk-performance',
    enabled: true,
    owner: 'model-risk-office',
    model: 'credit-risk',
    version: '2.3.1',
    signals: ['performance', 'fairness'],
    features: [],
    thresholds: { minAuc: 0.8, maxEqualizedOddsDifference: 0.15 },
    labelDelay: '720h',
    schedule: { every: '24h' },
    alertChannel: 'pagerduty:model-risk',
    lastRun: { at: '2026-03-01T23:30:00Z', status: 'ok' },
  },
];

// ---------------------------------------------------------------- the gate input

/**
 * The GateInput (src/policy/gate-input.ts) and the ids of the evidence in it. `sealEvidence` is
 * Warden's (dist/core), so the ids are the digests `decide()` would get from real files.
 */
export function buildGateInput(sealEvidence, seed = 20_260_302) {
  const random = sfc32(seed);
  const contract = {
    id: 'credit-applications',
    version: '1.4.0',
    name: 'Credit applications (training set)',
    uri: 'contracts/credit-applications.yaml',
    digest: digestOf('credit-applications 1.4.0'),
    properties: contractProperties,
  };
  const modelEvaluation = sealEvidence(modelEvaluationBody(random), evaluatedAt);
  const dataCheck = sealEvidence(dataCheckBody(random, contract), checkedAt);
  const input = {
    gate,
    subject: {
      type: 'model-version',
      name: 'credit-risk',
      version: '2.3.1',
      labels: { domain: 'credit', 'risk-tier': 'high', team: 'risk-ml' },
      owner: 'risk-ml@bank.example',
      tags: ['candidate'],
    },
    evidence: { modelEvaluation, dataCheck },
    contract,
    monitors,
    now,
    waivers: [
      {
        id: 'WVR-2026-014',
        policy: 'fairness-groups',
        validation: 'pairwise-tpr-gap',
        expiresAt: '2026-04-30T00:00:00Z',
      },
    ],
  };
  return { input, evidenceIds: [modelEvaluation.id, dataCheck.id] };
}
