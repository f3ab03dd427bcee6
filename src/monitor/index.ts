export { ProductionWatch } from './production-watch.js';
export { type ProductionRollback, rolledBackTag } from './rollbacks.js';
export {
  defaultRolloutSettings,
  type RolloutCheck,
  type RolloutEvent,
  type RolloutHistory,
  type RolloutRecord,
  type RolloutRequest,
  type RolloutSettings,
  type RolloutStatus,
  rolloutStatuses,
} from './rollout-records.js';
export { Rollouts } from './rollouts.js';
export { builtInLimits } from './runtime-checks.js';
export { RuntimeControl, type RuntimeControlOptions } from './runtime-control.js';
export { rollbackBody, rolloutAbortBody, rolloutBody, rolloutChangeBody, rolloutQuery } from './schemas.js';
