export { canonicalJson } from './canonical-json.js';
export { contentDigest, type Digest, sha256Digest } from './digest.js';
export { type ErrorCode, errorRegistry, isWardenError, WardenError } from './errors.js';
export {
  type EvidenceEnvelope,
  type EvidenceInput,
  type EvidenceKind,
  type Subject,
  sealEvidence,
  verifyEvidenceId,
} from './evidence.js';
export { packageRoot, producer } from './producer.js';
export { closestMatch, didYouMean, editDistance } from './suggest.js';
