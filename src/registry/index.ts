export type { LineageDatasetNode, LineageNode, ReproducibilityRecord } from './lineage-walk.js';
export {
  applyModelUpdate,
  type FieldChange,
  type ModelChanges,
  type ModelUpdateOptions,
  modelChanges,
} from './model-update.js';
export { type AliasChange, type EvidenceReceipt, type ModelDetail, Registry } from './registry.js';
export {
  aliasName,
  type CreateModelBody,
  type CreateVersionBody,
  createModelBody,
  createVersionBody,
  evidenceQuery,
  type LineageBody,
  labelKey,
  labelValue,
  lineageBody,
  listModelsQuery,
  listVersionsQuery,
  maxLabels,
  modelName,
  type RegisterSigningKeyBody,
  registerSigningKeyBody,
  setAliasBody,
  setEndpointBody,
  setTagBody,
  signerName,
  tagKey,
  teamName,
  type UpdateModelBody,
  updateModelBody,
  versionNumber,
} from './schemas.js';
export { SigningKeys, type VerifiedSignature } from './signing-keys.js';
