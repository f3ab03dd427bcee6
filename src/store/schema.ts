import type { Generated } from 'kysely';

/**
 * The tables of the registry database, as Kysely sees them. Both dialects store the same shapes:
 * timestamps as ISO-8601 UTC text, JSON as text, booleans as 0/1, version numbers as integers.
 */
export interface Tables {
  models: ModelRow;
  model_versions: VersionRow;
  aliases: AliasRow;
  version_tags: TagRow;
  evidence: EvidenceRow;
  signing_keys: SigningKeyRow;
  evidence_inputs: EvidenceInputRow;
  version_evidence: VersionEvidenceRow;
  lineage: LineageRow;
  lineage_datasets: LineageDatasetRow;
  tokens: TokenRow;
  audit_log: AuditRow;
  audit_checkpoints: CheckpointRow;
  policy_sets: PolicySetRow;
  model_monitors: ModelMonitorsRow;
  decisions: DecisionRow;
  promotions: PromotionRow;
  waivers: WaiverRow;
  webhooks: WebhookRow;
  webhook_deliveries: DeliveryRow;
  label_changes: LabelChangeRow;
  rollouts: RolloutRow;
  rollbacks: RollbackRow;
  model_slos: ModelSlosRow;
}

export interface ModelRow {
  name: string;
  description: string;
  owner: string | null;
  team: string | null;
  /** JSON object of string labels (`domain`, `riskTier`, …). */
  labels: string;
  /** The highest version number handed out; bumped atomically to number the next version. */
  latest_version: Generated<number>;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export interface VersionRow {
  model_name: string;
  version: number;
  description: string;
  artifact_uri: string;
  artifact_digest: string | null;
  run_id: string | null;
  status: string;
  created_at: string;
  created_by: string;
  /** The model server serving this version (migration 0006); both null when none is set. */
  endpoint_url: string | null;
  endpoint_protocol: string | null;
}

export interface AliasRow {
  model_name: string;
  alias: string;
  version: number;
  set_at: string;
  set_by: string;
}

export interface TagRow {
  model_name: string;
  version: number;
  key: string;
  value: string;
  set_at: string;
  set_by: string;
  /** For a tag a failing gate set: the validation that failed, and the decision. */
  policy: string | null;
  validation: string | null;
  decision_id: string | null;
}

export interface EvidenceRow {
  id: string;
  kind: string;
  subject_type: string;
  subject_name: string;
  subject_version: string | null;
  produced_at: string;
  passed: number;
  /** The document as submitted, canonical JSON; its digest is `id`. */
  document: string;
  bytes: number;
  stored_at: string;
  /** The registered signing key that signed it (verified on submit); null when unsigned. */
  signer: string | null;
  signer_key_id: string | null;
  /** The DSSE envelope it arrived in, as JSON; null when unsigned. */
  envelope: string | null;
}

export interface SigningKeyRow {
  name: string;
  key_id: string;
  /** SPKI PEM. */
  public_key: string;
  /** JSON lists; null means any team, any evidence kind. */
  teams: string | null;
  evidence_kinds: string | null;
  registered_at: string;
  registered_by: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

/** The digests of the files an evidence document read: lineage finds checks of a dataset by them. */
export interface EvidenceInputRow {
  evidence_id: string;
  digest: string;
}

export interface VersionEvidenceRow {
  model_name: string;
  version: number;
  evidence_id: string;
  kind: string;
  produced_at: string;
  attached_at: string;
  attached_by: string;
}

export interface LineageRow {
  model_name: string;
  version: number;
  run_id: string | null;
  source_commit: string | null;
  /** JSON: `{lockfiles: {path: digest}, image: digest | null}`. */
  environment: string;
  /** JSON object of training parameters. */
  parameters: string;
  /** JSON array of run ids this version's run derived from. */
  parent_runs: string;
  recorded_at: string;
  recorded_by: string;
}

export interface LineageDatasetRow {
  model_name: string;
  version: number;
  position: number;
  name: string;
  uri: string | null;
  digest: string;
}

export interface TokenRow {
  id: string;
  name: string;
  secret_hash: string;
  role: string;
  /** JSON array of team names, or null for a token that may act on every team. */
  teams: string | null;
  created_at: string;
  created_by: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
}

/** One entry of the hash-chained audit log; subject and payload are canonical JSON text. */
export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  payload: string;
  prev_hash: string;
  hash: string;
}

export interface CheckpointRow {
  seq: number;
  hash: string;
  at: string;
  key_id: string;
  /** Base64 Ed25519 signature over the canonical JSON of {seq, hash, at, keyId}. */
  signature: string;
}

export interface PolicySetRow {
  version: number;
  digest: string;
  revision: string;
  /** JSON array of {path, content}: the YAML files as applied. */
  files: string;
  applied_at: string;
  applied_by: string;
}

export interface ModelMonitorsRow {
  model_name: string;
  /** JSON array of monitor declarations, as policies read them (`monitors`). */
  monitors: string;
  set_at: string;
  set_by: string;
}

export interface DecisionRow {
  id: string;
  gate: string;
  model_name: string;
  version: number;
  allowed: number;
  document: string;
  decided_at: string;
}

export interface PromotionRow {
  id: string;
  model_name: string;
  version: number;
  alias: string;
  status: string;
  expected_version: number | null;
  previous_version: number | null;
  decision_id: string;
  /** JSON array of the binding names that asked for a human approval. */
  approval_required_by: string;
  comment: string | null;
  requested_at: string;
  requested_by: string;
  reviewed_at: string | null;
  reviewed_by: string | null;
  review_comment: string | null;
}

export interface WaiverRow {
  id: string;
  model_name: string;
  version: number;
  policy: string;
  validation: string | null;
  reason: string;
  status: string;
  requested_at: string;
  requested_by: string;
  expires_at: string;
  audit_due_at: string;
  decided_at: string | null;
  decided_by: string | null;
  decision_comment: string | null;
  audited_at: string | null;
  audited_by: string | null;
  audit_note: string | null;
  expiry_alerted_at: string | null;
  overdue_alerted_at: string | null;
}

export interface WebhookRow {
  id: string;
  name: string;
  url: string;
  /** The signing secret, encrypted with the server's key (AES-256-GCM); never returned. */
  secret: string;
  /** JSON array of event names. */
  events: string;
  team: string | null;
  model_name: string | null;
  format: string;
  created_at: string;
  created_by: string;
  deleted_at: string | null;
}

export interface DeliveryRow {
  id: string;
  webhook_id: string;
  event: string;
  /** The JSON body exactly as sent (and signed). */
  body: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  claimed_until: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

/** A request to change a model's labels or team, decided by an approver other than the requester. */
export interface LabelChangeRow {
  id: string;
  model_name: string;
  /** JSON objects: the labels when the request was made, and the labels it asks for. */
  old_labels: string;
  new_labels: string;
  /** The team then and the team asked for; equal when the request leaves the team alone. */
  old_team: string | null;
  new_team: string | null;
  reason: string;
  status: string;
  requested_at: string;
  requested_by: string;
  reviewed_at: string | null;
  reviewed_by: string | null;
  review_comment: string | null;
}

/** A canary rollout: its settings, where it stands, and the last check it decided. */
export interface RolloutRow {
  id: string;
  model_name: string;
  /** The canary. */
  version: number;
  /** The production version when the rollout started; traffic not sent to the canary goes here. */
  stable_version: number;
  status: string;
  /** JSON: steps, intervalSeconds, threshold, maxNoData, minRequests. */
  settings: string;
  step_index: number;
  /** The canary's share of traffic now, in percent. */
  weight: number;
  failed_checks: number;
  no_data_checks: number;
  step_started_at: string;
  next_check_at: string;
  /** JSON of the last check: its outcome, reason, decision id and the windows it read. */
  last_check: string | null;
  /** JSON of the stable version's last monitor-status sections (compared against when it serves nothing). */
  stable_status: string | null;
  promotion_id: string | null;
  reason: string | null;
  started_at: string;
  started_by: string;
  finished_at: string | null;
}

/** One rollback of a served alias to an earlier version. */
export interface RollbackRow {
  id: string;
  model_name: string;
  alias: string;
  from_version: number;
  to_version: number;
  automatic: number;
  reason: string;
  decision_id: string | null;
  rolled_back_at: string;
  rolled_back_by: string;
}

export interface ModelSlosRow {
  model_name: string;
  /** JSON array of ServiceLevelObjective documents. */
  slos: string;
  set_at: string;
  set_by: string;
}
