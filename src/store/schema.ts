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
  evidence_inputs: EvidenceInputRow;
  version_evidence: VersionEvidenceRow;
  lineage: LineageRow;
  lineage_datasets: LineageDatasetRow;
  tokens: TokenRow;
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
