export { AuditLog, type Checkpoint, checkpointFromRow, checkpointStatement } from './audit-log.js';
export {
  type AuditApi,
  type AuditSource,
  apiAuditSource,
  auditPageSize,
  databaseAuditSource,
  readTrustedKey,
  storeAuditSource,
  verifyAuditSource,
  verifyStoredLog,
} from './audit-source.js';
export { type AuditEntry, type AuditRecord, entryFromRow, genesisHash } from './chain.js';
export { keyIdOf, ServerKey, type TrustedKey, trustedKeyFromPem } from './signing-key.js';
export {
  type ProblemKind,
  type VerifiableEntry,
  type VerificationProblem,
  type VerificationReport,
  verifiableFromEntry,
  verifiableFromRow,
  verifyAuditLog,
} from './verify.js';
export { CheckpointPublisher, openWitness, readWitnessed, type Witness } from './witness.js';
