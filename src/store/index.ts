export { type AuditFilter, auditRepository } from './audit-repository.js';
export {
  defaultDatabaseUrl,
  type OpenStoreOptions,
  openStore,
  parseDatabaseUrl,
  type Store,
  type StoreCapabilities,
} from './database.js';
export { decisionRepository } from './decision-repository.js';
export {
  type DeliveryAttempt,
  type DueDelivery,
  deliveryRepository,
  type NewDeliveryRow,
} from './delivery-repository.js';
export { type AttachedEvidence, evidenceRepository, type StoredEvidence } from './evidence-repository.js';
export { isoNow } from './json-columns.js';
export {
  type LabelChangeFilter,
  type LabelChangeReview,
  labelChangeRepository,
  type NewLabelChangeRow,
} from './label-change-repository.js';
export {
  type LineageDataset,
  type LineageRecord,
  lineageRepository,
  type NewLineage,
} from './lineage-repository.js';
export { knownMigrations } from './migrations.js';
export { type ModelFilter, type ModelRecord, modelRepository, type NewModel } from './model-repository.js';
export { monitorRepository, sloRepository } from './monitor-repository.js';
export { policySetRepository } from './policy-set-repository.js';
export {
  type NewPromotionRow,
  type PromotionFilter,
  type PromotionReview,
  promotionRepository,
} from './promotion-repository.js';
export { liveRolloutStatuses, rolloutRepository } from './rollout-repository.js';
export type {
  AuditRow,
  CheckpointRow,
  DeliveryRow,
  LabelChangeRow,
  PolicySetRow,
  PromotionRow,
  RollbackRow,
  RolloutRow,
  Tables,
  WaiverRow,
  WebhookRow,
} from './schema.js';
export { type SigningKeyRecord, signingKeyRepository } from './signing-key-repository.js';
export {
  issueToken,
  type NewToken,
  sameActor,
  type TokenRecord,
  type TokenRequest,
  tokenRepository,
} from './token-repository.js';
export {
  type AliasRecord,
  type GateTag,
  type GateTagSource,
  type NewVersion,
  type VersionRecord,
  type VersionStatus,
  versionRepository,
  versionStatuses,
} from './version-repository.js';
export {
  type GateWaiverRow,
  type NewWaiverRow,
  type WaiverAlertColumn,
  type WaiverAudit,
  type WaiverDecision,
  type WaiverFilter,
  waiverRepository,
} from './waiver-repository.js';
export { type NewWebhookRow, webhookRepository } from './webhook-repository.js';
