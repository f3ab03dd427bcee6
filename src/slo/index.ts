export {
  type AlertCondition,
  type AlertSeverity,
  alertConditions,
  type BurnWindow,
  budgetRemaining,
  budgetSpent,
  burnRate,
  burnWindows,
  durationName,
  errorBudget,
  firingAlert,
  workbookPeriodMs,
} from './burn-rate.js';
export {
  type AlertingRule,
  alertNames,
  errorRatioRecord,
  type PrometheusRuleFile,
  prometheusRules,
  prometheusRulesYaml,
  type RecordingRule,
} from './prometheus-rules.js';
export {
  defaultSloPeriod,
  loadSloDocuments,
  parseSloDocuments,
  type SloDocument,
  type SloLoadOptions,
  sloApiVersion,
  sloIndicator,
} from './slo-document.js';
export { type SloAnswer, type SloStatus, SloTracker, type SloTrackerOptions } from './slo-tracker.js';
