// The record shapes the dashboard reads, as the HTTP API answers them (docs/api.md). Only the
// fields the pages use are named; the server may send more.

export type Role = 'viewer' | 'contributor' | 'approver' | 'admin';
export const roleRank: Record<Role, number> = { viewer: 0, contributor: 1, approver: 2, admin: 3 };

export interface Principal {
  tokenId: string;
  actor: string;
  role: Role;
  teams: string[] | null;
}

export interface AliasRecord {
  alias: string;
  version: string;
}

export interface ModelRecord {
  name: string;
  description: string;
  owner: string | null;
  team: string | null;
  labels: Record<string, string>;
  latestVersion: number;
  createdAt: string;
  createdBy: string;
}

export interface ModelDetail extends ModelRecord {
  aliases: AliasRecord[];
}

export interface VersionRecord {
  model: string;
  version: string;
  description: string;
  artifact: { uri: string; digest: string | null };
  runId: string | null;
  status: string;
  createdAt: string;
  createdBy: string;
  aliases: string[];
  tags: Record<string, string>;
}

export interface EvidenceSummary {
  id: string;
  kind: string;
  producedAt: string;
  passed: boolean | null;
  signer?: { name: string; keyId: string } | null;
}

export type Outcome = 'pass' | 'fail' | 'error' | 'waived';

export interface DecisionResult {
  policy: string;
  binding: string;
  validation: string;
  action: 'deny' | 'warn' | 'audit';
  outcome: Outcome;
  severity: string;
  message: string;
  controls: string[];
  blocking: boolean;
  failurePolicy?: 'Fail' | 'Ignore';
  tags?: string[];
  waiver?: string;
}

export interface Decision {
  id: string;
  gate: string;
  subject: { type: string; name: string; version?: string; labels?: Record<string, string> };
  allowed: boolean;
  policySet: { revision: string; digest: string };
  summary: { pass: number; fail: number; error: number; waived: number; warnings: number; skipped: number };
  results: DecisionResult[];
  skipped: { policy: string; binding: string; reason: string }[];
  evidence: string[];
  decidedAt: string;
  actor: string;
  approvalRequiredBy?: string[];
  gateDefault?: { onNoPolicy: string; gate: string; declaredBy: string; reason: string };
}

export type PromotionStatus = 'completed' | 'denied' | 'pending' | 'rejected';

export interface PromotionRecord {
  id: string;
  model: string;
  version: string;
  alias: string;
  status: PromotionStatus;
  previousVersion: string | null;
  decision: Decision;
  approvalRequiredBy: string[];
  comment: string | null;
  requestedAt: string;
  requestedBy: string;
  reviewedAt: string | null;
  reviewedBy: string | null;
  reviewComment: string | null;
}

export interface WaiverRecord {
  id: string;
  model: string;
  version: string;
  policy: string;
  validation: string | null;
  reason: string;
  status: string;
  active: boolean;
  expired: boolean;
  requestedAt: string;
  requestedBy: string;
  expiresAt: string;
  auditDueAt: string;
  auditOverdue: boolean;
  decidedAt: string | null;
  decidedBy: string | null;
  decisionComment: string | null;
  servingAs: string[];
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: Record<string, unknown>;
  payload: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface Checkpoint {
  seq: number;
  hash: string;
  at: string;
  keyId: string;
  signature: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  head: { seq: number; hash: string } | null;
  checkpoints: { total: number; matched: number; lastSeq: number | null };
  firstBad?: { seq: number; kind: string; reason: string };
}

export interface LineageNode {
  model: string;
  version: string;
  artifact: { uri: string; digest: string | null };
  runId: string | null;
  recorded: boolean;
  sourceCommit: string | null;
  environment: { lockfiles: Record<string, string>; image: string | null } | null;
  parameters: Record<string, unknown> | null;
  datasets: {
    name: string;
    uri: string | null;
    digest: string;
    checks: { id: string; kind: string; passed: boolean; producedAt: string }[];
  }[];
  parents: { runId: string; versions: LineageNode[] }[];
  truncated?: 'cycle' | 'depth';
}
