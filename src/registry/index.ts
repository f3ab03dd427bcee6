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
  setAliasBody,
  setTagBody,
  tagKey,
  type UpdateModelBody,
  updateModelBody,
  versionNumber,
} from './schemas.js';
