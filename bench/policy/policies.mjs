// Writes the benchmark's policy set: 100 validations that all run at `promote:production` for the
// gate input of gate-input.mjs. Nine generated policies (89 validations: performance floors,
// calibration, fairness aggregates and per-group loops, data-check scans, the PII scan, contract
// properties, provenance with compareVersions/isDigest, monitors), each in its own YAML file with
// its PolicyBinding, plus the example policies of examples/policies copied unchanged (11
// validations). Two of those examples are bound to the data gate only, so this set adds a binding
// that runs them at promotion too; the examples' own bindings stay and are skipped at this gate.
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { gate } from './gate-input.mjs';

const apiVersion = 'warden.dev/v1';

/** A message expression fragment: a number with three decimals. */
const f3 = (x) => `'%.3f'.format([${x}])`;

/** Labels a fairness group as `age=[25, 40)/marital=single` (its attributes in order). */
const groupLabel = (f, g) => `${f}.attributes.map(a, a + '=' + ${g}.group[a]).join('/')`;

/** A threshold on one performance metric, with the value and the limit in the message. */
const metricRule = (name, metric, op, param, severity = 'high') => ({
  name,
  expression: `variables.perf.${metric} != null && variables.perf.${metric} ${op} params.${param}`,
  message: `${metric} is undefined or out of bounds`,
  messageExpression: `'${metric} ' + ${f3(`variables.perf.${metric}`)} + ' must be ${op} ' + ${f3(`params.${param}`)}`,
  severity,
});

/** A bound on one fairness aggregate over the single-attribute groupings, naming the offenders. */
const aggregateRule = (name, aggregate, op, param, severity = 'high') => ({
  name,
  expression: `variables.single.all(f, f.${aggregate} != null && f.${aggregate} ${op} params.${param})`,
  messageExpression:
    `'${aggregate} must be ${op} ' + ${f3(`params.${param}`)} + ': ' + variables.single.filter(f, f.${aggregate} == null || !(f.${aggregate} ${op} params.${param}))` +
    `.map(f, f.attributes.join(' × ') + ' ' + (f.${aggregate} == null ? 'undefined' : ${f3(`f.${aggregate}`)})).join(', ')`,
  severity,
});

/** A bound on one rate of every judged group of the single-attribute groupings. */
const groupRule = (name, rate, op, param, severity = 'medium') => ({
  name,
  expression: `variables.single.all(f, f.byGroup.all(g, g.tooSmall || g.${rate} ${op} params.${param}))`,
  messageExpression:
    `'${rate} must be ${op} ' + ${f3(`params.${param}`)} + ' in every group: ' + variables.single.filter(f, f.byGroup.exists(g, !g.tooSmall && !(g.${rate} ${op} params.${param})))` +
    `.map(f, f.byGroup.filter(g, !g.tooSmall && !(g.${rate} ${op} params.${param})).map(g, ${groupLabel('f', 'g')} + ' ' + ${f3(`g.${rate}`)}).join(', ')).join('; ')`,
  severity,
});

const policies = [
  {
    name: 'model-performance-floor',
    description:
      'Discrimination, accuracy and loss of a credit model stay within the bank’s model-risk appetite.',
    controls: ['eu-ai-act:art15', 'nist-ai-rmf:MEASURE-2.3', 'sr-11-7:outcomes-analysis'],
    params: {
      minAuc: 0.78,
      minAveragePrecision: 0.6,
      maxLogLoss: 0.48,
      maxBrierScore: 0.16,
      minAccuracy: 0.8,
      minBalancedAccuracy: 0.75,
      minPrecision: 0.6,
      minRecall: 0.55,
      minF1: 0.6,
      selectionRateBand: { min: 0.12, max: 0.3 },
      minCount: 100_000,
      minPositives: 20_000,
    },
    matchConditions: [{ name: 'has-evaluation', expression: 'has(evidence.modelEvaluation)' }],
    variables: [{ name: 'perf', expression: 'evidence.modelEvaluation.performance' }],
    validations: [
      metricRule('min-roc-auc', 'rocAuc', '>=', 'minAuc', 'critical'),
      metricRule('min-average-precision', 'averagePrecision', '>=', 'minAveragePrecision'),
      metricRule('max-log-loss', 'logLoss', '<=', 'maxLogLoss'),
      metricRule('max-brier-score', 'brierScore', '<=', 'maxBrierScore'),
      metricRule('min-accuracy', 'accuracy', '>=', 'minAccuracy', 'medium'),
      metricRule('min-balanced-accuracy', 'balancedAccuracy', '>=', 'minBalancedAccuracy'),
      metricRule('min-precision', 'precision', '>=', 'minPrecision', 'medium'),
      metricRule('min-recall', 'recall', '>=', 'minRecall'),
      metricRule('min-f1', 'f1', '>=', 'minF1', 'medium'),
      {
        name: 'selection-rate-in-band',
        expression:
          'between(variables.perf.selectionRate, params.selectionRateBand.min, params.selectionRateBand.max)',
        messageExpression: `'selection rate ' + ${f3('variables.perf.selectionRate')} + ' is outside ' + ${f3('params.selectionRateBand.min')} + '–' + ${f3('params.selectionRateBand.max')}`,
        severity: 'medium',
      },
      {
        name: 'enough-evaluation-rows',
        expression:
          'variables.perf.count >= params.minCount && variables.perf.positives >= params.minPositives && variables.perf.negatives >= params.minPositives',
        messageExpression:
          "'evaluated on ' + string(int(variables.perf.count)) + ' rows with ' + string(int(variables.perf.positives)) + ' positives; at least ' + string(int(params.minCount)) + ' and ' + string(int(params.minPositives)) + ' are needed'",
        severity: 'high',
      },
      {
        name: 'confusion-consistent',
        expression:
          'variables.perf.confusion.truePositives + variables.perf.confusion.falseNegatives == variables.perf.positives && variables.perf.confusion.falsePositives + variables.perf.confusion.trueNegatives == variables.perf.negatives',
        message:
          'the confusion matrix does not add up to the positives and negatives: the evidence is inconsistent',
        severity: 'critical',
      },
    ],
  },
  {
    name: 'model-calibration',
    description: 'Predicted default probabilities mean what they say (they feed pricing and provisioning).',
    controls: ['sr-11-7:outcomes-analysis', 'ifrs-9:pd-calibration'],
    params: {
      maxEce: 0.03,
      minBins: 10,
      minBinCount: 1000,
      minPopulatedBins: 8,
      maxBinGap: 0.05,
      monotoneSlack: 0.02,
      maxLowBinRate: 0.15,
      minHighBinRate: 0.75,
    },
    matchConditions: [
      {
        name: 'has-calibration',
        expression: 'has(evidence.modelEvaluation) && has(evidence.modelEvaluation.performance.calibration)',
      },
    ],
    variables: [
      { name: 'cal', expression: 'evidence.modelEvaluation.performance.calibration' },
      { name: 'populated', expression: 'variables.cal.bins.filter(b, b.count >= params.minBinCount)' },
      {
        name: 'miscalibrated',
        expression:
          'variables.populated.filter(b, b.fractionPositive - b.meanPredicted > params.maxBinGap || b.meanPredicted - b.fractionPositive > params.maxBinGap)',
      },
    ],
    validations: [
      {
        name: 'max-ece',
        expression: 'variables.cal.expectedCalibrationError <= params.maxEce',
        messageExpression: `'expected calibration error ' + ${f3('variables.cal.expectedCalibrationError')} + ' is above ' + ${f3('params.maxEce')}`,
        severity: 'high',
      },
      {
        name: 'uniform-bins',
        expression: "variables.cal.strategy == 'uniform' && variables.cal.binCount >= params.minBins",
        message:
          'calibration must be measured on at least 10 uniform bins (warden check model --calibration-bins)',
        severity: 'low',
      },
      {
        name: 'bins-well-formed',
        expression:
          'variables.cal.bins.all(b, b.lower < b.upper && b.meanPredicted >= b.lower && b.meanPredicted <= b.upper)',
        message: 'a calibration bin has a mean score outside its own edges: the evidence is inconsistent',
        severity: 'critical',
      },
      {
        name: 'enough-populated-bins',
        expression: 'size(variables.populated) >= params.minPopulatedBins',
        messageExpression:
          "'only ' + string(size(variables.populated)) + ' calibration bins hold ' + string(int(params.minBinCount)) + ' or more predictions'",
        severity: 'medium',
      },
      {
        name: 'bin-gap',
        expression: 'size(variables.miscalibrated) == 0',
        messageExpression: `'observed default rate differs from the mean score by more than ' + ${f3('params.maxBinGap')} + ' in ' + variables.miscalibrated.map(b, '[' + '%.1f'.format([b.lower]) + ', ' + '%.1f'.format([b.upper]) + '): ' + ${f3('b.fractionPositive - b.meanPredicted')}).join(', ')`,
        severity: 'medium',
      },
      {
        name: 'monotone-reliability',
        expression:
          'variables.populated.all(a, variables.populated.all(b, a.bin >= b.bin || a.fractionPositive <= b.fractionPositive + params.monotoneSlack))',
        message: 'the observed default rate falls as the score rises somewhere: the score does not rank risk',
        severity: 'high',
      },
      {
        name: 'low-scores-low-risk',
        expression:
          'variables.cal.bins.exists(b, b.upper <= 0.2 && b.fractionPositive <= params.maxLowBinRate)',
        messageExpression: `'no low-score bin has a default rate at or below ' + ${f3('params.maxLowBinRate')}`,
        severity: 'medium',
      },
      {
        name: 'high-scores-high-risk',
        expression:
          'variables.cal.bins.exists(b, b.lower >= 0.8 && b.fractionPositive >= params.minHighBinRate)',
        messageExpression: `'no high-score bin has a default rate at or above ' + ${f3('params.minHighBinRate')}`,
        severity: 'medium',
      },
    ],
  },
  {
    name: 'fairness-aggregates',
    description:
      'Every protected attribute is evaluated, and its disparities stay inside the committee’s limits.',
    controls: ['eu-ai-act:art10', 'nist-ai-rmf:MEASURE-2.11', 'ecoa:reg-b'],
    params: {
      protectedAttributes: ['age', 'marital', 'region'],
      minParityRatio: 0.7,
      maxParityDifference: 0.1,
      maxEqualizedOddsDifference: 0.15,
      minEqualizedOddsRatio: 0.7,
      maxEqualOpportunityDifference: 0.15,
      minEqualOpportunityRatio: 0.8,
      maxRocAucDifference: 0.08,
      maxEqualizedOddsUpper: 0.25,
      maxMissingShare: 0.01,
    },
    matchConditions: [
      {
        name: 'has-fairness',
        expression: 'has(evidence.modelEvaluation) && size(evidence.modelEvaluation.fairness) > 0',
      },
    ],
    variables: [
      { name: 'fairness', expression: 'evidence.modelEvaluation.fairness' },
      { name: 'single', expression: 'variables.fairness.filter(f, size(f.attributes) == 1)' },
    ],
    validations: [
      {
        name: 'attributes-covered',
        expression: 'params.protectedAttributes.all(a, variables.single.exists(f, f.attributes[0] == a))',
        messageExpression:
          "'no fairness evaluation for ' + params.protectedAttributes.filter(a, !variables.single.exists(f, f.attributes[0] == a)).join(', ') + '; pass them to --sensitive'",
        severity: 'critical',
      },
      {
        name: 'intersection-evaluated',
        expression: 'variables.fairness.exists(f, size(f.attributes) >= 2)',
        message:
          'no intersection of protected attributes was evaluated; run warden check model with --intersections',
        severity: 'medium',
      },
      aggregateRule('parity-ratio-floor', 'demographicParityRatio', '>=', 'minParityRatio'),
      aggregateRule('parity-difference-ceiling', 'demographicParityDifference', '<=', 'maxParityDifference'),
      aggregateRule(
        'equalized-odds-difference',
        'equalizedOddsDifference',
        '<=',
        'maxEqualizedOddsDifference',
        'critical',
      ),
      aggregateRule('equalized-odds-ratio', 'equalizedOddsRatio', '>=', 'minEqualizedOddsRatio', 'medium'),
      aggregateRule(
        'equal-opportunity-difference',
        'equalOpportunityDifference',
        '<=',
        'maxEqualOpportunityDifference',
      ),
      aggregateRule(
        'equal-opportunity-ratio',
        'equalOpportunityRatio',
        '>=',
        'minEqualOpportunityRatio',
        'medium',
      ),
      aggregateRule('roc-auc-difference', 'rocAucDifference', '<=', 'maxRocAucDifference'),
      {
        name: 'equalized-odds-upper-bound',
        expression:
          'variables.single.filter(f, has(f.confidenceIntervals)).all(f, f.confidenceIntervals.intervals.equalizedOddsDifference[1] <= params.maxEqualizedOddsUpper)',
        messageExpression:
          `'the 97.5% bound of the equalized odds difference exceeds ' + ${f3('params.maxEqualizedOddsUpper')} + ' on ' + variables.single.filter(f, has(f.confidenceIntervals) && f.confidenceIntervals.intervals.equalizedOddsDifference[1] > params.maxEqualizedOddsUpper)` +
          `.map(f, f.attributes[0] + ' (' + ${f3('f.confidenceIntervals.intervals.equalizedOddsDifference[1]')} + ')').join(', ')`,
        severity: 'medium',
      },
      {
        name: 'enough-judged-groups',
        expression: 'variables.single.all(f, f.judgedGroups >= 2 && f.emptyGroups == 0)',
        message: 'a protected attribute has fewer than two groups large enough to judge, or empty groups',
        severity: 'high',
      },
      {
        name: 'missing-values-bounded',
        expression:
          'variables.fairness.all(f, f.missingValueRows / evidence.modelEvaluation.rowCount <= params.maxMissingShare)',
        messageExpression:
          "'rows without a protected attribute value are left out of the groups: ' + variables.fairness.filter(f, f.missingValueRows / evidence.modelEvaluation.rowCount > params.maxMissingShare).map(f, f.attributes.join(' × ') + ' ' + '%.3f'.format([f.missingValueRows / evidence.modelEvaluation.rowCount])).join(', ')",
        severity: 'medium',
      },
    ],
  },
  {
    name: 'fairness-groups',
    description: 'No protected group is served much worse than the portfolio, group by group.',
    controls: ['eu-ai-act:art10', 'nist-ai-rmf:MEASURE-2.11'],
    params: {
      minGroupTpr: 0.55,
      maxGroupFpr: 0.13,
      maxGroupFnr: 0.45,
      minGroupTnr: 0.87,
      minGroupAccuracy: 0.78,
      minGroupAuc: 0.76,
      selectionRateBand: { min: 0.7, max: 1.4 },
      minGroupSize: 1000,
      maxPairwiseTprGap: 0.08,
      maxTooSmallShare: 0.1,
      minIntersectionTpr: 0.5,
    },
    matchConditions: [
      {
        name: 'has-fairness',
        expression: 'has(evidence.modelEvaluation) && size(evidence.modelEvaluation.fairness) > 0',
      },
    ],
    variables: [
      { name: 'perf', expression: 'evidence.modelEvaluation.performance' },
      { name: 'single', expression: 'evidence.modelEvaluation.fairness.filter(f, size(f.attributes) == 1)' },
      {
        name: 'intersections',
        expression: 'evidence.modelEvaluation.fairness.filter(f, size(f.attributes) >= 2)',
      },
    ],
    validations: [
      groupRule('group-tpr-floor', 'truePositiveRate', '>=', 'minGroupTpr', 'high'),
      groupRule('group-fpr-ceiling', 'falsePositiveRate', '<=', 'maxGroupFpr', 'high'),
      groupRule('group-fnr-ceiling', 'falseNegativeRate', '<=', 'maxGroupFnr'),
      groupRule('group-tnr-floor', 'trueNegativeRate', '>=', 'minGroupTnr'),
      groupRule('group-accuracy-floor', 'accuracy', '>=', 'minGroupAccuracy'),
      {
        name: 'group-auc-floor',
        expression:
          'variables.single.all(f, f.byGroup.all(g, g.tooSmall || (g.rocAuc != null && g.rocAuc >= params.minGroupAuc)))',
        messageExpression:
          `'ROC AUC below ' + ${f3('params.minGroupAuc')} + ' in ' + variables.single.map(f, f.byGroup.filter(g, !g.tooSmall && (g.rocAuc == null || g.rocAuc < params.minGroupAuc))` +
          `.map(g, ${groupLabel('f', 'g')} + ' ' + (g.rocAuc == null ? 'undefined' : ${f3('g.rocAuc')})).join(', ')).filter(s, s != '').join('; ')`,
        severity: 'high',
      },
      {
        name: 'group-selection-rate-relative',
        expression:
          'variables.single.all(f, f.byGroup.all(g, g.tooSmall || between(g.selectionRate / variables.perf.selectionRate, params.selectionRateBand.min, params.selectionRateBand.max)))',
        messageExpression:
          `'approval rate relative to the portfolio outside ' + ${f3('params.selectionRateBand.min')} + '–' + ${f3('params.selectionRateBand.max')} + ' in ' + variables.single.map(f, f.byGroup.filter(g, !g.tooSmall && !between(g.selectionRate / variables.perf.selectionRate, params.selectionRateBand.min, params.selectionRateBand.max))` +
          `.map(g, ${groupLabel('f', 'g')} + ' ' + ${f3('g.selectionRate / variables.perf.selectionRate')}).join(', ')).filter(s, s != '').join('; ')`,
        severity: 'medium',
      },
      {
        name: 'group-min-size',
        expression: 'variables.single.all(f, f.byGroup.all(g, g.count >= params.minGroupSize))',
        messageExpression:
          "'groups too small to judge reliably (under ' + string(int(params.minGroupSize)) + ' rows): ' + variables.single.map(f, f.byGroup.filter(g, g.count < params.minGroupSize).map(g, " +
          groupLabel('f', 'g') +
          " + ' (' + string(int(g.count)) + ')').join(', ')).filter(s, s != '').join('; ')",
        severity: 'low',
      },
      {
        name: 'groups-have-both-classes',
        expression: 'variables.single.all(f, f.byGroup.all(g, g.positives > 0 && g.negatives > 0))',
        message: 'a group has only good or only bad outcomes, so its error rates say nothing',
        severity: 'medium',
      },
      {
        name: 'pairwise-tpr-gap',
        expression:
          'variables.single.all(f, f.byGroup.all(a, f.byGroup.all(b, a.tooSmall || b.tooSmall || a.truePositiveRate - b.truePositiveRate <= params.maxPairwiseTprGap)))',
        messageExpression:
          `'true positive rates of two groups differ by more than ' + ${f3('params.maxPairwiseTprGap')} + ' on ' + variables.single.filter(f, f.byGroup.exists(a, f.byGroup.exists(b, !a.tooSmall && !b.tooSmall && a.truePositiveRate - b.truePositiveRate > params.maxPairwiseTprGap)))` +
          ".map(f, f.attributes[0]).join(', ')",
        severity: 'medium',
      },
      {
        name: 'intersections-mostly-judged',
        expression:
          'variables.intersections.all(f, double(size(f.byGroup.filter(g, g.tooSmall))) / double(size(f.byGroup)) <= params.maxTooSmallShare)',
        messageExpression:
          "'too many intersection groups are too small to judge: ' + variables.intersections.map(f, f.attributes.join(' × ') + ' ' + string(size(f.byGroup.filter(g, g.tooSmall))) + '/' + string(size(f.byGroup))).join(', ')",
        severity: 'low',
      },
      {
        name: 'intersection-tpr-floor',
        expression:
          'variables.intersections.all(f, f.byGroup.all(g, g.tooSmall || g.truePositiveRate >= params.minIntersectionTpr))',
        messageExpression:
          `'true positive rate below ' + ${f3('params.minIntersectionTpr')} + ' in ' + variables.intersections.map(f, f.byGroup.filter(g, !g.tooSmall && g.truePositiveRate < params.minIntersectionTpr)` +
          `.map(g, ${groupLabel('f', 'g')} + ' ' + ${f3('g.truePositiveRate')}).join(', ')).filter(s, s != '').join('; ')`,
        severity: 'medium',
      },
    ],
  },
  {
    name: 'training-data-checks',
    description: 'The training data passed its contract’s checks, recently, and on enough rows.',
    controls: ['eu-ai-act:art10', 'nist-ai-rmf:MEASURE-2.1', 'ml-test-score:data-1'],
    params: {
      minRows: 1_000_000,
      maxNullPercent: 2,
      maxTypeErrorPercent: 0.1,
      maxInvalidPercent: 0.01,
      maxFailedWarnings: 3,
      criticalColumns: ['status', 'age', 'amount', 'loan_term'],
      minChecks: 30,
      maxSkipped: 2,
      maxEvidenceAge: '336h',
    },
    matchConditions: [{ name: 'has-data-check', expression: 'has(evidence.dataCheck)' }],
    variables: [
      { name: 'results', expression: 'evidence.dataCheck.results' },
      {
        name: 'failedWarnings',
        expression: "variables.results.filter(r, !r.passed && r.severity == 'warning')",
      },
    ],
    validations: [
      {
        name: 'row-count',
        expression: "resultFor(variables.results, 'rowCount').observed >= params.minRows",
        messageExpression:
          "'the training data has ' + string(int(resultFor(variables.results, 'rowCount').observed)) + ' rows; at least ' + string(int(params.minRows)) + ' are needed'",
        severity: 'high',
      },
      {
        name: 'required-columns-complete',
        expression: "resultsFor(variables.results, 'required').all(r, r.passed)",
        messageExpression:
          "'required columns with missing values: ' + resultsFor(variables.results, 'required').filter(r, !r.passed).map(r, r.column + ' (' + string(int(r.observed)) + ' rows)').join(', ')",
        severity: 'high',
      },
      {
        name: 'null-rates',
        expression:
          "variables.results.filter(r, r.metric == 'nullValues').all(r, r.unexpectedPercent <= params.maxNullPercent)",
        messageExpression: `'null rate above ' + ${f3('params.maxNullPercent')} + '% in ' + variables.results.filter(r, r.metric == 'nullValues' && r.unexpectedPercent > params.maxNullPercent).map(r, r.column + ' ' + ${f3('r.unexpectedPercent')} + '%').join(', ')`,
        severity: 'medium',
      },
      {
        name: 'logical-types',
        expression:
          "resultsFor(variables.results, 'logicalType').all(r, r.unexpectedPercent <= params.maxTypeErrorPercent)",
        messageExpression: `'values that do not parse as their declared type: ' + resultsFor(variables.results, 'logicalType').filter(r, r.unexpectedPercent > params.maxTypeErrorPercent).map(r, r.column + ' ' + ${f3('r.unexpectedPercent')} + '%').join(', ')`,
        severity: 'high',
      },
      {
        name: 'valid-values',
        expression:
          "resultsFor(variables.results, 'invalidValues').all(r, r.passed || r.unexpectedPercent < params.maxInvalidPercent)",
        messageExpression: `'values outside the declared set: ' + resultsFor(variables.results, 'invalidValues').filter(r, !r.passed && r.unexpectedPercent >= params.maxInvalidPercent).map(r, r.column + ' ' + ${f3('r.unexpectedPercent')} + '%').join(', ')`,
        severity: 'medium',
      },
      {
        name: 'warnings-bounded',
        expression: 'size(variables.failedWarnings) <= params.maxFailedWarnings',
        messageExpression:
          "string(size(variables.failedWarnings)) + ' warning-level checks fail: ' + variables.failedWarnings.map(r, r.check).join(', ')",
        severity: 'low',
      },
      {
        name: 'critical-columns-checked',
        expression:
          'params.criticalColumns.all(c, variables.results.exists(r, has(r.column) && r.column == c) && variables.results.filter(r, has(r.column) && r.column == c).all(r, r.passed))',
        messageExpression:
          "'critical columns unchecked or failing: ' + params.criticalColumns.filter(c, !variables.results.exists(r, has(r.column) && r.column == c && r.passed)).join(', ')",
        severity: 'critical',
      },
      {
        name: 'no-duplicate-keys',
        expression: "!variables.results.exists(r, r.metric == 'duplicateValues' && !r.passed)",
        message: 'the application key has duplicates: the same application would be trained on twice',
        severity: 'high',
      },
      {
        name: 'enough-checks-ran',
        expression:
          'evidence.dataCheck.summary.checks >= params.minChecks && evidence.dataCheck.summary.skipped <= params.maxSkipped',
        messageExpression:
          "string(int(evidence.dataCheck.summary.checks)) + ' checks ran and ' + string(int(evidence.dataCheck.summary.skipped)) + ' were skipped; the contract must check the data more thoroughly'",
        severity: 'medium',
      },
      {
        name: 'fresh-data-check',
        expression: 'timestamp(evidence.dataCheck.producedAt) >= now - duration(params.maxEvidenceAge)',
        messageExpression:
          "'the data check is from ' + evidence.dataCheck.producedAt + ', older than ' + params.maxEvidenceAge + '; check the data again'",
        severity: 'medium',
      },
    ],
  },
  {
    name: 'training-data-pii-scan',
    description: 'The PII scan of the training data found nothing raw, and it agrees with the contract.',
    controls: ['gdpr:art25', 'eu-ai-act:art10', 'iso-42001:A.7.4'],
    params: { maxHitRatio: 0.001 },
    matchConditions: [
      { name: 'has-pii-scan', expression: 'has(evidence.dataCheck) && has(evidence.dataCheck.pii)' },
    ],
    variables: [
      { name: 'pii', expression: 'evidence.dataCheck.pii' },
      {
        name: 'hits',
        expression:
          "variables.pii.filter(p, p.declared == 'undeclared' && p.detectors.exists(d, p.detectors[d].hits > 0))",
      },
    ],
    validations: [
      {
        name: 'every-string-column-scanned',
        expression: 'variables.pii.all(p, p.scanned > 0)',
        messageExpression:
          "'string columns not scanned for PII: ' + variables.pii.filter(p, p.scanned == 0).map(p, p.column).join(', ')",
        severity: 'medium',
      },
      {
        name: 'no-pii-in-undeclared-columns',
        expression: 'size(variables.hits) == 0',
        messageExpression:
          "'personal data in columns not declared as PII: ' + variables.hits.map(p, p.column + ' (' + p.detectors.filter(d, p.detectors[d].hits > 0).join('/') + ')').join(', ')",
        severity: 'critical',
        tagsOnFailure: ['pii-exposed'],
      },
      {
        name: 'hit-ratio-bounded',
        expression: 'variables.pii.all(p, p.detectors.all(d, p.detectors[d].ratio <= params.maxHitRatio))',
        messageExpression: `'PII detector hit ratios above ' + ${f3('params.maxHitRatio')} + ': ' + variables.pii.filter(p, p.detectors.exists(d, p.detectors[d].ratio > params.maxHitRatio)).map(p, p.column).join(', ')`,
        severity: 'high',
      },
      {
        name: 'hashed-columns-clean',
        expression:
          "variables.pii.filter(p, p.declared == 'hashed').all(p, p.detectors.all(d, p.detectors[d].hits == 0))",
        message:
          'a column declared hashed holds values a PII detector recognises: hashing failed for some rows',
        severity: 'critical',
      },
      {
        name: 'scanned-columns-in-contract',
        expression:
          'has(contract.properties) && variables.pii.all(p, contract.properties.exists(c, c.name == p.column))',
        messageExpression:
          "'columns in the data but not in the contract: ' + variables.pii.filter(p, !has(contract.properties) || !contract.properties.exists(c, c.name == p.column)).map(p, p.column).join(', ')",
        severity: 'high',
      },
      {
        name: 'pii-classified-declared',
        expression:
          "!has(contract.properties) || contract.properties.filter(c, c.classification == 'pii').all(c, variables.pii.exists(p, p.column == c.name && p.declared != 'undeclared'))",
        messageExpression:
          "'contract PII the scan did not treat as declared: ' + contract.properties.filter(c, c.classification == 'pii' && !variables.pii.exists(p, p.column == c.name && p.declared != 'undeclared')).map(c, c.name).join(', ')",
        severity: 'high',
      },
      {
        name: 'hashed-digests-valid',
        expression: "resultsFor(evidence.dataCheck.results, 'piiHashed').all(r, r.passed && r.observed == 0)",
        messageExpression:
          "'columns declared hashed hold non-digests: ' + resultsFor(evidence.dataCheck.results, 'piiHashed').filter(r, !r.passed || r.observed != 0).map(r, r.column + ' (' + string(int(r.observed)) + ' rows)').join(', ')",
        severity: 'critical',
      },
      {
        name: 'scan-covers-rows',
        expression: 'variables.pii.all(p, p.scanned <= evidence.dataCheck.rowCount)',
        message: 'a PII scan reports more values than the table has rows: the evidence is inconsistent',
        severity: 'medium',
      },
    ],
  },
  {
    name: 'contract-conformance',
    description:
      'The data contract behind the model is current, content-addressed, and describes its data properly.',
    controls: ['odcs:v3.1.0', 'bcbs-239:principle-2', 'iso-42001:A.7.2'],
    params: {
      minContractVersion: '1.2.0',
      minDescriptionLength: 12,
      logicalTypes: ['string', 'integer', 'number', 'boolean', 'date', 'timestamp'],
      labelColumn: 'status',
      protectedColumns: ['age', 'marital'],
    },
    matchConditions: [{ name: 'has-contract', expression: 'has(contract.id)' }],
    validations: [
      {
        name: 'contract-version',
        expression: 'compareVersions(contract.version, params.minContractVersion) >= 0',
        messageExpression:
          "'contract ' + contract.id + ' is at version ' + contract.version + '; at least ' + params.minContractVersion + ' is required'",
        severity: 'high',
      },
      {
        name: 'contract-digest',
        expression: 'has(contract.digest) && isDigest(contract.digest)',
        message:
          'the contract has no sha256 digest, so nobody can tell which revision the data was checked against',
        severity: 'high',
      },
      {
        name: 'data-checked-against-this-contract',
        expression:
          'has(evidence.dataCheck) && evidence.dataCheck.contract.id == contract.id && evidence.dataCheck.contract.digest == contract.digest',
        message: 'the data check ran against another contract, or another revision of it',
        severity: 'critical',
      },
      {
        name: 'properties-described',
        expression:
          'contract.properties.all(p, has(p.description) && size(p.description) >= params.minDescriptionLength)',
        messageExpression:
          "'properties without a proper description: ' + contract.properties.filter(p, !has(p.description) || size(p.description) < params.minDescriptionLength).map(p, p.name).join(', ')",
        severity: 'low',
      },
      {
        name: 'critical-elements-required',
        expression: 'contract.properties.filter(p, p.criticalDataElement).all(p, p.required)',
        messageExpression:
          "'critical data elements that may be empty: ' + contract.properties.filter(p, p.criticalDataElement && !p.required).map(p, p.name).join(', ')",
        severity: 'high',
      },
      {
        name: 'logical-types-known',
        expression: 'contract.properties.all(p, has(p.logicalType) && p.logicalType in params.logicalTypes)',
        messageExpression:
          "'properties with no or an unknown logicalType: ' + contract.properties.filter(p, !has(p.logicalType) || !(p.logicalType in params.logicalTypes)).map(p, p.name).join(', ')",
        severity: 'medium',
      },
      {
        name: 'label-column-declared',
        expression:
          'contract.properties.exists(p, p.name == params.labelColumn && p.required && p.criticalDataElement)',
        messageExpression:
          "'the label column ' + params.labelColumn + ' must be declared required and a critical data element'",
        severity: 'high',
      },
      {
        name: 'protected-attributes-classified',
        expression:
          "params.protectedColumns.all(c, contract.properties.exists(p, p.name == c && has(p.classification) && p.classification in ['personal', 'pii']))",
        messageExpression:
          "'protected attributes not classified personal: ' + params.protectedColumns.filter(c, !contract.properties.exists(p, p.name == c && has(p.classification) && p.classification in ['personal', 'pii'])).join(', ')",
        severity: 'medium',
      },
      {
        name: 'property-names-unique',
        expression:
          'contract.properties.all(p, size(contract.properties.filter(q, q.table == p.table && q.name == p.name)) == 1)',
        message: 'two properties of one table share a name',
        severity: 'high',
      },
      {
        name: 'property-names-snake-case',
        expression: "contract.properties.all(p, p.name.matches('^[a-z][a-z0-9_]*$'))",
        messageExpression:
          "'property names not in snake_case: ' + contract.properties.filter(p, !p.name.matches('^[a-z][a-z0-9_]*$')).map(p, p.name).join(', ')",
        severity: 'info',
      },
    ],
  },
  {
    name: 'model-provenance',
    description:
      'The evidence is about this exact model version, content-addressed, fresh, and produced by current tools.',
    controls: ['sr-11-7:model-inventory', 'eu-ai-act:art12', 'slsa:provenance'],
    params: {
      minModelVersion: '2.0.0',
      minWardenVersion: '0.1.0',
      minDuckdbVersion: 'v1.1.0',
      maxEvidenceAge: '168h',
      riskTiers: ['high', 'medium', 'low'],
    },
    matchConditions: [{ name: 'has-evaluation', expression: 'has(evidence.modelEvaluation)' }],
    validations: [
      {
        name: 'version-is-semver',
        expression:
          "has(subject.version) && subject.version.matches('^v?[0-9]+\\\\.[0-9]+\\\\.[0-9]+(-[0-9A-Za-z.-]+)?$')",
        message: 'the model version is not a semantic version (MAJOR.MINOR.PATCH)',
        severity: 'medium',
      },
      {
        name: 'min-model-version',
        expression: 'compareVersions(subject.version, params.minModelVersion) >= 0',
        messageExpression:
          "'model ' + subject.name + ' ' + subject.version + ' predates ' + params.minModelVersion + ', the first version trained on the current feature set'",
        severity: 'high',
      },
      {
        name: 'evidence-for-this-version',
        expression:
          'evidence.modelEvaluation.subject.name == subject.name && compareVersions(evidence.modelEvaluation.subject.version, subject.version) == 0',
        messageExpression:
          "'the evaluation is of ' + evidence.modelEvaluation.subject.name + ' ' + evidence.modelEvaluation.subject.version + ', not of ' + subject.name + ' ' + subject.version",
        severity: 'critical',
      },
      {
        name: 'evidence-ids-are-digests',
        expression:
          'isDigest(evidence.modelEvaluation.id) && (!has(evidence.dataCheck) || isDigest(evidence.dataCheck.id))',
        message: 'an evidence id is not a sha256 digest',
        severity: 'critical',
      },
      {
        name: 'inputs-content-addressed',
        expression:
          'evidence.modelEvaluation.inputs.all(i, isDigest(i.digest)) && (!has(evidence.dataCheck) || evidence.dataCheck.inputs.all(i, isDigest(i.digest)))',
        message: 'an input of the evidence is not identified by its sha256 digest',
        severity: 'high',
      },
      {
        name: 'producer-version',
        expression:
          "evidence.modelEvaluation.producer.name == 'warden' && compareVersions(evidence.modelEvaluation.producer.version, params.minWardenVersion) >= 0",
        messageExpression:
          "'the evaluation was produced by ' + evidence.modelEvaluation.producer.name + ' ' + evidence.modelEvaluation.producer.version + '; ' + params.minWardenVersion + ' or later is required'",
        severity: 'medium',
      },
      {
        name: 'engine-version',
        expression: 'compareVersions(evidence.modelEvaluation.engine.version, params.minDuckdbVersion) >= 0',
        messageExpression:
          "'the evaluation ran on ' + evidence.modelEvaluation.engine.name + ' ' + evidence.modelEvaluation.engine.version + '; ' + params.minDuckdbVersion + ' or later is required'",
        severity: 'low',
      },
      {
        name: 'fresh-evaluation',
        expression: 'timestamp(evidence.modelEvaluation.producedAt) >= now - duration(params.maxEvidenceAge)',
        messageExpression:
          "'the evaluation is from ' + evidence.modelEvaluation.producedAt + ', older than ' + params.maxEvidenceAge + '; evaluate the model again'",
        severity: 'high',
      },
      {
        name: 'owner-and-risk-tier',
        expression:
          "has(subject.owner) && subject.owner != '' && 'risk-tier' in subject.labels && subject.labels['risk-tier'] in params.riskTiers",
        message: 'the model needs an owner and a risk-tier label (high, medium or low) before production',
        severity: 'medium',
      },
    ],
  },
  {
    name: 'monitoring-readiness',
    description:
      'The production monitors watch this model version closely enough, with thresholds as strict as the gate’s.',
    controls: ['eu-ai-act:art72', 'nist-ai-rmf:MANAGE-4.1', 'sr-11-7:ongoing-monitoring'],
    params: {
      maxPsi: 0.25,
      protectedColumns: ['age', 'marital', 'region'],
      minAuc: 0.78,
      maxInterval: '24h',
      maxRunAge: '48h',
      maxLabelDelay: '2160h',
    },
    variables: [
      { name: 'active', expression: 'monitors.filter(m, !has(m.enabled) || m.enabled == true)' },
      { name: 'drift', expression: "variables.active.filter(m, has(m.signals) && 'drift' in m.signals)" },
      {
        name: 'perf',
        expression: "variables.active.filter(m, has(m.signals) && 'performance' in m.signals)",
      },
    ],
    validations: [
      {
        name: 'monitors-target-this-version',
        expression:
          'variables.active.all(m, m.model == subject.name && compareVersions(m.version, subject.version) == 0)',
        messageExpression:
          "'monitors watching another model or version: ' + variables.active.filter(m, m.model != subject.name || compareVersions(m.version, subject.version) != 0).map(m, m.name + ' (' + m.model + ' ' + m.version + ')').join(', ')",
        severity: 'high',
      },
      {
        name: 'drift-threshold',
        expression: 'variables.drift.all(m, has(m.thresholds.psi) && m.thresholds.psi <= params.maxPsi)',
        messageExpression: `'drift monitors with a PSI threshold above ' + ${f3('params.maxPsi')} + ': ' + variables.drift.filter(m, !has(m.thresholds.psi) || m.thresholds.psi > params.maxPsi).map(m, m.name).join(', ')`,
        severity: 'medium',
      },
      {
        name: 'drift-covers-protected-features',
        expression: 'params.protectedColumns.all(c, variables.drift.exists(m, c in m.features))',
        messageExpression:
          "'no drift monitor watches ' + params.protectedColumns.filter(c, !variables.drift.exists(m, c in m.features)).join(', ')",
        severity: 'medium',
      },
      {
        name: 'performance-floor-matches-gate',
        expression: 'variables.perf.all(m, has(m.thresholds.minAuc) && m.thresholds.minAuc >= params.minAuc)',
        messageExpression: `'performance monitors alert below the gate’s ROC AUC floor ' + ${f3('params.minAuc')} + ': ' + variables.perf.filter(m, !has(m.thresholds.minAuc) || m.thresholds.minAuc < params.minAuc).map(m, m.name).join(', ')`,
        severity: 'medium',
      },
      {
        name: 'alert-channel',
        expression: "variables.active.all(m, has(m.alertChannel) && m.alertChannel.startsWith('pagerduty:'))",
        messageExpression:
          "'monitors that page nobody: ' + variables.active.filter(m, !has(m.alertChannel) || !m.alertChannel.startsWith('pagerduty:')).map(m, m.name).join(', ')",
        severity: 'high',
      },
      {
        name: 'schedule-frequent',
        expression: 'variables.active.all(m, duration(m.schedule.every) <= duration(params.maxInterval))',
        messageExpression:
          "'monitors that run less often than every ' + params.maxInterval + ': ' + variables.active.filter(m, duration(m.schedule.every) > duration(params.maxInterval)).map(m, m.name + ' (' + m.schedule.every + ')').join(', ')",
        severity: 'low',
      },
      {
        name: 'last-run-ok',
        expression:
          "variables.active.all(m, m.lastRun.status == 'ok' && timestamp(m.lastRun.at) >= now - duration(params.maxRunAge))",
        messageExpression:
          "'monitors whose last run failed or is stale: ' + variables.active.filter(m, m.lastRun.status != 'ok' || timestamp(m.lastRun.at) < now - duration(params.maxRunAge)).map(m, m.name + ' (' + m.lastRun.status + ' at ' + m.lastRun.at + ')').join(', ')",
        severity: 'high',
      },
      {
        name: 'label-delay',
        expression:
          'variables.perf.all(m, has(m.labelDelay) && duration(m.labelDelay) <= duration(params.maxLabelDelay))',
        messageExpression:
          "'performance monitors see outcomes too late to act (more than ' + params.maxLabelDelay + '): ' + variables.perf.filter(m, !has(m.labelDelay) || duration(m.labelDelay) > duration(params.maxLabelDelay)).map(m, m.name).join(', ')",
        severity: 'low',
      },
    ],
  },
];

/** How each generated policy is bound at the gate: action, subjects, parameter overrides. */
const bindings = {
  'model-performance-floor': {
    action: 'deny',
    subjects: { matchLabels: { domain: 'credit' } },
    params: { minAuc: 0.8 },
  },
  'model-calibration': { action: 'audit', subjects: { matchLabels: { domain: 'credit' } } },
  'fairness-aggregates': { action: 'deny', subjects: { matchLabels: { domain: 'credit' } } },
  'fairness-groups': { action: 'warn', subjects: { matchLabels: { domain: 'credit' } } },
  'training-data-checks': { action: 'deny', subjects: { types: ['model-version'] } },
  'training-data-pii-scan': { action: 'deny' },
  'contract-conformance': { action: 'deny', subjects: { types: ['model-version'] } },
  'model-provenance': {
    action: 'deny',
    subjects: { matchExpressions: [{ key: 'risk-tier', operator: 'In', values: ['high', 'medium'] }] },
  },
  'monitoring-readiness': { action: 'deny', subjects: { types: ['model-version'] } },
};

/** The examples bound only to the data gate, bound here at promotion too. */
const exampleBindings = [
  { name: 'pii-hashed-at-promotion', policyName: 'pii-features-hashed' },
  { name: 'training-data-quality-at-promotion', policyName: 'training-data-quality' },
];

const document = (kind, metadata, spec) => ({ apiVersion, kind, metadata, spec });

const header = (what) =>
  `# Generated by bench/policy/policies.mjs (${what}); do not edit, it is rewritten on every run.\n`;

/**
 * Writes the set under `dir` (emptied first) and returns what it holds. `examplesDir` is the
 * repository's examples/policies.
 */
export async function writePolicySet(dir, examplesDir) {
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'examples'), { recursive: true });
  let generatedValidations = 0;
  for (const [index, policy] of policies.entries()) {
    const { name, description, controls, ...spec } = policy;
    const binding = bindings[name];
    const docs = [
      document('Policy', { name, description, controls }, spec),
      document(
        'PolicyBinding',
        { name: `${name}-at-promotion` },
        { policyName: name, gates: [gate], ...binding },
      ),
    ];
    generatedValidations += spec.validations.length;
    const text = docs.map((doc) => stringify(doc, { lineWidth: 110 })).join('---\n');
    await writeFile(join(dir, `${String(index + 1).padStart(2, '0')}-${name}.yaml`), header(name) + text);
  }
  const examples = (await readdir(examplesDir)).filter((file) => /\.ya?ml$/.test(file)).sort();
  for (const file of examples) await copyFile(join(examplesDir, file), join(dir, 'examples', file));
  const extra = exampleBindings.map(({ name, policyName }) =>
    document(
      'PolicyBinding',
      {
        name,
        description: 'The central example policy, run again at promotion on the training data’s evidence.',
      },
      { policyName, gates: [gate], action: 'deny' },
    ),
  );
  await writeFile(
    join(dir, 'examples-at-promotion.yaml'),
    header('bindings of the example policies') + extra.map((doc) => stringify(doc)).join('---\n'),
  );
  return { generatedPolicies: policies.length, generatedValidations, exampleFiles: examples };
}
