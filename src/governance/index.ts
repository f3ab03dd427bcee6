export { assembleGate } from './gate-assembly.js';
export {
  type AssembledGateInput,
  checkGateName,
  contractView,
  type EvidenceFile,
  type GateInputFiles,
  gateInputFromFiles,
  gateSubject,
  type LocalTrust,
  type NamedSubject,
  readContractView,
  readEvidenceFile,
  readEvidenceFiles,
  readMonitors,
  readSavedGateInput,
  type SubjectDetails,
  savedGateInput,
  signersOf,
  verifiedSigner,
} from './gate-input-files.js';
export { Governance, type GovernanceOptions } from './governance.js';
export {
  type LabelChangeRecord,
  type LabelChangeRequest,
  type LabelChangeStatus,
  labelChangeStatuses,
} from './label-changes.js';
export type { AppliedPolicySet } from './policy-sets.js';
export {
  decisionSummary,
  type GovernanceContext,
  type PromotionRecord,
  type PromotionRequest,
  type PromotionStatus,
  promotionStatuses,
} from './promotions.js';
export {
  auditNoteBody,
  auditQuery,
  gateBody,
  idParams,
  labelChangeBody,
  labelChangeQuery,
  monitorsBody,
  policySetBody,
  promotionBody,
  promotionQuery,
  reviewBody,
  waiverBody,
  waiverQuery,
  webhookBody,
} from './schemas.js';
export { type ServingRoute, type ServingTable, servedAlias, signedEvidenceFilter } from './serving.js';
export {
  maxWaiverDays,
  type WaiverRecord,
  type WaiverRequest,
  type WaiverStatus,
  waiverStatuses,
} from './waivers.js';
export { loadOrCreateWebhookKey } from './webhook-key.js';
export { WebhookSecretBox } from './webhook-secrets.js';
export {
  type DeliveryRecord,
  type DeliverySettings,
  type NewWebhook,
  redactUrl,
  signWebhook,
  type WebhookEvent,
  type WebhookRecord,
  webhookEvents,
} from './webhooks.js';
