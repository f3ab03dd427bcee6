export type { LineageDatasetNode, LineageNode } from './lineage-walk.js';
export { type AliasChange, type EvidenceReceipt, type ModelDetail, Registry } from './registry.js';
export {
  aliasName,
  type CreateModelBody,
  type CreateVersionBody,
  createModelBody,
  createVersionBody,
  evidenceQuery,
  type LineageBody,
  lineageBody,
  listModelsQuery,
  listVersionsQuery,
  modelName,
  type RegisterSigningKeyBody,
  registerSigningKeyBody,
  setAliasBody,
  setTagBody,
  signerName,
  tagKey,
  type UpdateModelBody,
  updateModelBody,
  versionNumber,
} from './schemas.js';
export { SigningKeys, type VerifiedSignature } from './signing-keys.js';
