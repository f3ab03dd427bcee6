export {
  generateToken,
  hashTokenSecret,
  isRole,
  type Role,
  roleAllows,
  roles,
  tokenSecretPattern,
} from './access.js';
export {
  createEvidenceKeyPair,
  type DsseEnvelope,
  type EvidenceSigningKey,
  ed25519KeyId,
  envelopeSigner,
  evidencePredicateType,
  evidenceSigningKey,
  isDsseEnvelope,
  type NamedPublicKey,
  namedPublicKey,
  type OpenedEnvelope,
  openEvidenceEnvelope,
  signEvidence,
} from './attestation.js';
export { canonicalJson } from './canonical-json.js';
export {
  type CsvEncoding,
  csvEncodings,
  type DatasetFormat,
  type DatasetOptions,
  type DatasetSource,
  datasetFormats,
  openDataset,
  parseCsvLine,
  sniffDelimiter,
} from './dataset-source.js';
export { contentDigest, type Digest, isDigest, sha256Digest } from './digest.js';
export { parseDuration } from './duration.js';
export {
  type EngineOptions,
  type EngineSession,
  openEngineSession,
  sqlNumber,
  translateEngineError,
} from './engine-session.js';
export { type ErrorCode, errorRegistry, isWardenError, WardenError } from './errors.js';
export {
  type CheckedEvidence,
  checkEvidence,
  checkEvidenceDocument,
  datasetInput,
  type EvidenceDocument,
  type EvidenceEnvelope,
  type EvidenceInput,
  type EvidenceKind,
  evidenceKinds,
  type Subject,
  sealEvidence,
  verifyEvidenceId,
} from './evidence.js';
export { fileReadError } from './file-errors.js';
export {
  cardNumberValid,
  detect as piiDetectorVerdict,
  detectPii,
  ibanValid,
  luhnValid,
  maskIfPii,
  maskValue,
  mod97,
  type PiiDetectorName,
  piiDetectorNames,
  registryIbanLengths,
  ssnValid,
} from './pii-detection.js';
export { packageRoot, producer } from './producer.js';
export { mulberry32 } from './random.js';
export { describeSchemaIssue } from './schema-issues.js';
export {
  endpointUrlProblem,
  type InferenceProtocol,
  inferenceProtocols,
  maxEndpointUrlLength,
  normalEndpointUrl,
  requestDurationBuckets,
  type ServingEndpoint,
  servedNamePattern,
  servedNameRule,
} from './serving.js';
export { numberLiteral, quoteIdent, quoteString } from './sql.js';
export { closestMatch, didYouMean, editDistance } from './suggest.js';
export {
  type JsonPath,
  locateInYaml,
  maxYamlAliasCount,
  parseYamlData,
  valueAtPath,
  yamlData,
  yamlErrorFix,
  yamlErrorSummary,
} from './yaml-locate.js';
