import { type EvidenceDocument, evidenceKinds, type Subject } from '../core/index.js';

/** What a policy knows about the thing at the gate. */
export interface GateSubject {
  type: Subject['type'];
  name: string;
  version?: string;
  labels: Record<string, string>;
  owner?: string;
  tags: string[];
  /** A model version's registered artifact digest (`sha256:…`), when it was registered with one. */
  artifactDigest?: string;
}

/**
 * One declared property of a data contract, as a policy sees it. Every field is present (null when
 * the contract leaves it out), so `p.classification == 'pii'` needs no has() guard.
 */
export interface ContractProperty {
  table: string;
  name: string;
  logicalType: string | null;
  classification: string | null;
  tags: string[];
  required: boolean;
  criticalDataElement: boolean;
  description: string | null;
}

/** The data contract behind the subject, reduced to what policies reason about. */
export interface ContractView {
  id: string;
  version: string;
  name?: string;
  uri?: string;
  digest?: string;
  properties: ContractProperty[];
}

/** A waiver that turns a matching failed validation into `waived` until it expires. */
export interface Waiver {
  id: string;
  policy: string;
  /** Every validation of the policy when absent. */
  validation?: string;
  expiresAt: string;
}

/**
 * The document every CEL expression reads (docs/policies.md, "The gate input"). Evidence is keyed
 * by kind in camelCase (`evidence.modelEvaluation`), the latest of each kind.
 */
export interface GateInput {
  gate: string;
  subject: GateSubject;
  evidence: Record<string, object>;
  /** An empty object when no contract was given: test with has(contract.id). */
  contract: ContractView | Record<string, never>;
  monitors: unknown[];
  /** At the runtime gate only: live traffic of the canary and the stable version (docs/rollouts.md). */
  runtime?: RuntimeSection;
  /** ISO-8601 UTC; the only clock a policy can read. */
  now: string;
  waivers: Waiver[];
}

/** What a gate input is made of; the parts a gate may lack default to empty. */
export interface GateInputParts {
  gate: string;
  subject: GateSubject;
  now: string;
  evidence?: GateInput['evidence'];
  contract?: GateInput['contract'];
  monitors?: unknown[];
  runtime?: RuntimeSection;
  waivers?: Waiver[];
}

/** A served version's traffic over one interval: the sections of its monitor-status evidence. */
export interface RuntimeTraffic {
  version: string;
  /** The monitor-status evidence read (several when several gateways reported the interval). */
  evidence: string[];
  window: { start: string; end: string };
  requests: { total: number; errors: number; errorRatio: number | null };
  latency: { p50: number | null; p95: number | null; p99: number | null };
  features: unknown[];
  prediction: unknown;
  datasetDrift: unknown;
}

export interface RuntimeSlo {
  name: string;
  objective: number;
  budgetRemaining: number;
  burnRates: Record<string, number | null>;
  alert: 'page' | 'ticket' | null;
}

/**
 * The `runtime` section of a runtime-gate input: in a rollout, the canary's and the stable
 * version's traffic over the interval, the step and weight; watching production, only `stable`.
 */
export interface RuntimeSection {
  /** `rollout` while a canary is judged; `production` when the serving version is watched. */
  mode: 'rollout' | 'production';
  canary: RuntimeTraffic | null;
  stable: RuntimeTraffic | null;
  slo: RuntimeSlo[];
  step: number | null;
  weight: number | null;
}

/**
 * The one constructor of a gate input: every caller (gates on files, check commands, the server's
 * promotions, policy tests, saved inputs) fills the same defaults here.
 *
 * @example
 * const input = gateInput({ gate: 'model', subject, now: evidence.producedAt, evidence: byKind });
 */
export function gateInput(parts: GateInputParts): GateInput {
  return {
    gate: parts.gate,
    subject: parts.subject,
    evidence: Object.fromEntries(
      Object.entries(parts.evidence ?? {}).map(([key, document]) => [
        key,
        document !== null && typeof document === 'object' && !('signer' in document)
          ? { ...document, signer: null }
          : document,
      ]),
    ),
    contract: parts.contract ?? {},
    monitors: parts.monitors ?? [],
    ...(parts.runtime === undefined ? {} : { runtime: parts.runtime }),
    now: parts.now,
    waivers: parts.waivers ?? [],
  };
}

/** `model-evaluation` → `modelEvaluation`. */
export function evidenceKey(kind: string): string {
  return kind.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

export const evidenceKeys: readonly string[] = evidenceKinds.map(evidenceKey);

/**
 * Keeps the latest evidence of each kind (by producedAt; the later file wins a tie) and keys it by
 * kind in camelCase. Returns the ids of the documents kept, for the decision.
 */
export function latestEvidenceByKind<T extends EvidenceDocument>(
  documents: readonly T[],
): {
  evidence: GateInput['evidence'];
  ids: string[];
} {
  const latest = new Map<string, T>();
  for (const document of documents) {
    const current = latest.get(document.kind);
    if (!current || Date.parse(document.producedAt) >= Date.parse(current.producedAt)) {
      latest.set(document.kind, document);
    }
  }
  const evidence: GateInput['evidence'] = {};
  for (const [kind, document] of latest) evidence[evidenceKey(kind)] = document;
  return { evidence, ids: [...latest.values()].map((document) => document.id) };
}
