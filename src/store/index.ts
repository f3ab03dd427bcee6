export { auditRepository } from './audit-repository.js';
export {
  defaultDatabaseUrl,
  type OpenStoreOptions,
  openStore,
  parseDatabaseUrl,
  type Store,
  type StoreCapabilities,
} from './database.js';
export { type AttachedEvidence, evidenceRepository, type StoredEvidence } from './evidence-repository.js';
export { isoNow } from './json-columns.js';
export {
  type LineageDataset,
  type LineageRecord,
  lineageRepository,
  type NewLineage,
} from './lineage-repository.js';
export { knownMigrations } from './migrations.js';
export { type ModelFilter, type ModelRecord, modelRepository, type NewModel } from './model-repository.js';
export type { AuditRow, CheckpointRow, DeliveryRow, PromotionRow, Tables, WaiverRow } from './schema.js';
export {
  issueToken,
  type NewToken,
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
